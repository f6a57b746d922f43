package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// cloudWatchAPI is the part of the CloudWatch client the metrics source uses.
type cloudWatchAPI interface {
	ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

const (
	bedrockNamespace = "AWS/Bedrock"
	// maxQueriesPerCall is the GetMetricData limit on queries per call.
	maxQueriesPerCall = 500
	// Keys used for what metrics cannot tell.
	metricsAccountKey = "(this account)"
	notInMetricsKey   = "(not in metrics)"
)

// Metric names in AWS/Bedrock. The cache metrics end in Count like the log
// fields; CacheReadInputTokens is the Converse response field, not a metric.
const (
	metricInvocations  = "Invocations"
	metricInputTokens  = "InputTokenCount"
	metricOutputTokens = "OutputTokenCount"
	metricCacheRead    = "CacheReadInputTokenCount"
	metricCacheWrite   = "CacheWriteInputTokenCount"
	metricClientErrors = "InvocationClientErrors"
	metricServerErrors = "InvocationServerErrors"
	metricThrottles    = "InvocationThrottles"
)

// sumMetrics are summed per hour and folded into UTC days.
var sumMetrics = []string{metricInvocations, metricInputTokens, metricOutputTokens, metricCacheRead,
	metricCacheWrite, metricClientErrors, metricServerErrors, metricThrottles}

// pctMetrics are percentiles over the whole period.
var pctMetrics = []struct{ metric, stat string }{
	{"InvocationLatency", "p50"}, {"InvocationLatency", "p90"}, {"InvocationLatency", "p99"}, {"TimeToFirstToken", "p50"},
}

// PeriodFor returns the smallest valid GetMetricData period of at least want
// seconds for data starting at start: a multiple of 60 s when start is less
// than 15 days ago, of 300 s up to 63 days, of 3600 s beyond (BEDROCK.md).
func PeriodFor(start, now time.Time, want int32) int32 {
	age := now.Sub(start)
	step := int32(60)
	switch {
	case age > 63*24*time.Hour:
		step = 3600
	case age > 15*24*time.Hour:
		step = 300
	}
	if want < step {
		return step
	}
	return (want + step - 1) / step * step
}

func (e *env) fromMetrics(ctx context.Context, o *options, prices *usage.PriceTable, stderr io.Writer) (*usage.Report, error) {
	if o.resolveProfiles {
		return nil, badFlag("--resolve-profiles applies to log sources (--logs, --log-group)")
	}
	if o.multiTarget() {
		return e.fromMetricsTargets(ctx, o, prices, stderr)
	}
	cfg, err := e.awsConfig(ctx, o, "CloudWatch metrics")
	if err != nil {
		return nil, err
	}
	return metricsReport(ctx, cloudwatch.NewFromConfig(cfg), cfg.Region, o.from, o.to, e.now(), prices)
}

// metricsReport is the report of one account and region.
func metricsReport(ctx context.Context, api cloudWatchAPI, region string, from, to, now time.Time, prices *usage.PriceTable) (*usage.Report, error) {
	agg := usage.NewAggregator(usage.NewConfig(usage.Options{Prices: prices}))
	from, to = wholeHours(from, to)
	sec, err := metricsInto(ctx, api, agg, metricsAccountKey, region, from, to, now)
	if err != nil {
		return nil, err
	}
	rep := usage.BuildReport(agg, "metrics "+bedrockNamespace+" "+region, from, to)
	rep.Metrics = sec
	rep.Notes = append(rep.Notes, metricsNotes...)
	return rep, nil
}

var metricsNotes = []string{
	"records are CloudWatch Invocations and errors are InvocationClientErrors + InvocationServerErrors (throttles are in metrics.models)",
	"metrics carry no account, caller, operation or request metadata: use --logs or --log-group for those breakdowns",
	"ListMetrics finds models with data in the last two weeks",
}

// wholeHours widens a period to whole hours: the hourly sums then cover it
// exactly.
func wholeHours(from, to time.Time) (time.Time, time.Time) {
	from = from.UTC().Truncate(time.Hour)
	if t := to.UTC().Truncate(time.Hour); t.Before(to) {
		to = t.Add(time.Hour)
	}
	return from, to
}

type metricsQuery struct {
	model  int
	metric string
	stat   string
}

// metricsInto discovers models with ListMetrics and reads every figure with
// as few GetMetricData calls as the limits allow (ceil(queries/500) per
// page), adding them to agg under account and region.
func metricsInto(ctx context.Context, api cloudWatchAPI, agg *usage.Aggregator, account, region string, from, to, now time.Time) (*usage.MetricsSection, error) {
	models, err := listModels(ctx, api)
	if err != nil {
		return nil, err
	}
	hourly := PeriodFor(from, now, 3600)
	whole := PeriodFor(from, now, int32(math.Min(to.Sub(from).Seconds(), math.MaxInt32)))
	var queries []cwtypes.MetricDataQuery
	var meta []metricsQuery
	add := func(i int, metric, stat string, period int32) {
		meta = append(meta, metricsQuery{i, metric, stat})
		queries = append(queries, cwtypes.MetricDataQuery{
			Id: aws.String(fmt.Sprintf("q%d", len(queries))),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(bedrockNamespace), MetricName: aws.String(metric),
					Dimensions: []cwtypes.Dimension{{Name: aws.String("ModelId"), Value: aws.String(models[i])}}},
				Period: aws.Int32(period), Stat: aws.String(stat),
			},
			ReturnData: aws.Bool(true),
		})
	}
	for i := range models {
		for _, m := range sumMetrics {
			add(i, m, "Sum", hourly)
		}
		for _, p := range pctMetrics {
			add(i, p.metric, p.stat, whole)
		}
	}
	type series struct {
		ts   []time.Time
		vals []float64
	}
	results := make([]series, len(queries))
	calls := 0
	for lo := 0; lo < len(queries); lo += maxQueriesPerCall {
		hi := min(lo+maxQueriesPerCall, len(queries))
		in := &cloudwatch.GetMetricDataInput{MetricDataQueries: queries[lo:hi], StartTime: aws.Time(from), EndTime: aws.Time(to),
			ScanBy: cwtypes.ScanByTimestampAscending}
		pg := cloudwatch.NewGetMetricDataPaginator(api, in)
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			calls++
			if err != nil {
				return nil, fmt.Errorf("cloudwatch GetMetricData: %w", err)
			}
			for _, r := range page.MetricDataResults {
				var idx int
				if _, err := fmt.Sscanf(aws.ToString(r.Id), "q%d", &idx); err != nil || idx < 0 || idx >= len(results) {
					continue
				}
				results[idx].ts = append(results[idx].ts, r.Timestamps...)
				results[idx].vals = append(results[idx].vals, r.Values...)
			}
		}
	}

	type dayKey struct {
		model int
		day   time.Time
	}
	days := map[dayKey]*usage.Counters{}
	mm := make([]usage.MetricsModel, len(models))
	for i, m := range models {
		mm[i].ModelID = m
	}
	for qi, q := range meta {
		r := results[qi]
		if q.stat != "Sum" {
			if len(r.vals) > 0 {
				v := r.vals[0]
				switch q.metric + q.stat {
				case "InvocationLatencyp50":
					mm[q.model].LatencyP50Ms = &v
				case "InvocationLatencyp90":
					mm[q.model].LatencyP90Ms = &v
				case "InvocationLatencyp99":
					mm[q.model].LatencyP99Ms = &v
				case "TimeToFirstTokenp50":
					mm[q.model].TTFTP50Ms = &v
				}
			}
			continue
		}
		for k, v := range r.vals {
			if k >= len(r.ts) {
				break
			}
			n := int64(math.Round(v))
			d := r.ts[k].UTC().Truncate(24 * time.Hour)
			c := days[dayKey{q.model, d}]
			if c == nil {
				c = &usage.Counters{}
				days[dayKey{q.model, d}] = c
			}
			x := &mm[q.model]
			switch q.metric {
			case metricInvocations:
				c.Records += n
				x.Invocations += n
			case metricInputTokens:
				c.InputTokens += n
				x.InputTokens += n
			case metricOutputTokens:
				c.OutputTokens += n
				x.OutputTokens += n
			case metricCacheRead:
				c.CacheReadTokens += n
				x.CacheReadTokens += n
			case metricCacheWrite:
				c.CacheWriteTokens += n
				x.CacheWriteTokens += n
			case metricClientErrors:
				c.Errors += n
				x.ClientErrors += n
			case metricServerErrors:
				c.Errors += n
				x.ServerErrors += n
			case metricThrottles:
				x.Throttles += n
			}
		}
	}
	keys := make([]dayKey, 0, len(days))
	for k := range days {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].model != keys[j].model {
			return keys[i].model < keys[j].model
		}
		return keys[i].day.Before(keys[j].day)
	})
	for _, k := range keys {
		agg.AddGroup(&usage.Group{ModelID: models[k.model], AccountID: account, Caller: notInMetricsKey,
			Operation: notInMetricsKey, Region: region, Day: k.day, Counters: *days[k]})
	}
	return &usage.MetricsSection{Region: region, PeriodSeconds: hourly, Models: mm, Queries: len(queries), Calls: calls}, nil
}

// listModels returns the ModelId values of AWS/Bedrock Invocations, sorted.
func listModels(ctx context.Context, api cloudWatchAPI) ([]string, error) {
	seen := map[string]bool{}
	pg := cloudwatch.NewListMetricsPaginator(api, &cloudwatch.ListMetricsInput{
		Namespace: aws.String(bedrockNamespace), MetricName: aws.String("Invocations"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("ModelId")}},
	})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("cloudwatch ListMetrics: %w", err)
		}
		for _, m := range page.Metrics {
			if len(m.Dimensions) != 1 {
				continue
			}
			if d := m.Dimensions[0]; aws.ToString(d.Name) == "ModelId" && aws.ToString(d.Value) != "" {
				seen[aws.ToString(d.Value)] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out, nil
}
