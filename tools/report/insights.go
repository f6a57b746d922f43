package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// logsInsightsAPI is the part of the CloudWatch Logs client the --log-group
// source uses.
type logsInsightsAPI interface {
	StartQuery(ctx context.Context, in *cloudwatchlogs.StartQueryInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error)
	GetQueryResults(ctx context.Context, in *cloudwatchlogs.GetQueryResultsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error)
	StopQuery(ctx context.Context, in *cloudwatchlogs.StopQueryInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StopQueryOutput, error)
}

// insightsMaxRows is the most rows GetQueryResults returns.
const insightsMaxRows = 10000

// InsightsQuery returns the Logs Insights query that aggregates invocation
// logs in the service: one row per (modelId, accountId, UTC day, operation,
// caller[, tag]) with the record, error and token counts. Assumed-role session
// names are cut off in the service so that sessions do not multiply the rows.
func InsightsQuery(tagKey string) string {
	tagField, tagBy := "", ""
	if tagKey != "" {
		tagField = ", requestMetadata.`" + tagKey + "` as tag"
		tagBy = ", tag"
	}
	return `filter ispresent(modelId)
| parse identity.arn /^(?<caller_role>arn:[^:]+:sts::[0-9]*:assumed-role\/[^\/]+)\// 
| fields coalesce(caller_role, identity.arn) as caller, substr(timestamp, 0, 10) as day` + tagField + `
| stats count(*) as records, count(errorCode) as errors, sum(input.inputTokenCount) as input_tokens, sum(output.outputTokenCount) as output_tokens, sum(input.cacheReadInputTokenCount) as cache_read_input_tokens, sum(input.cacheWriteInputTokenCount) as cache_write_input_tokens by modelId, accountId, day, operation, caller, region, inferenceRegion` + tagBy
}

func (e *env) fromInsights(ctx context.Context, o *options, prices *usage.PriceTable, stderr io.Writer) (*usage.Report, error) {
	if strings.ContainsAny(o.tagKey, "`\n") {
		return nil, badFlag("--group-by %q: a tag key for Logs Insights cannot contain a backquote or newline", o.groupBy)
	}
	cfg, err := e.awsConfig(ctx, o, "--log-group")
	if err != nil {
		return nil, err
	}
	opt := usage.Options{Prices: prices, TagKey: o.tagKey}
	if o.resolveProfiles {
		opt.Resolve = newResolver(ctx, cfg, stderr)
	}
	return insightsReport(ctx, cloudwatchlogs.NewFromConfig(cfg), o.logGroups, o.from, o.to, opt, e.poll, o.quiet, stderr)
}

func insightsReport(ctx context.Context, api logsInsightsAPI, groups []string, from, to time.Time, opt usage.Options, poll time.Duration, quiet bool, stderr io.Writer) (*usage.Report, error) {
	q := InsightsQuery(opt.TagKey)
	start, err := api.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupNames: groups, QueryString: aws.String(q),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Unix()), Limit: aws.Int32(insightsMaxRows),
	})
	if err != nil {
		return nil, fmt.Errorf("logs StartQuery on %s: %w", strings.Join(groups, ","), err)
	}
	id := start.QueryId
	var res *cloudwatchlogs.GetQueryResultsOutput
	for {
		res, err = api.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: id})
		if err != nil {
			return nil, fmt.Errorf("logs GetQueryResults: %w", err)
		}
		done := false
		switch res.Status {
		case logtypes.QueryStatusComplete:
			done = true
		case logtypes.QueryStatusFailed, logtypes.QueryStatusCancelled, logtypes.QueryStatusTimeout, logtypes.QueryStatusUnknown:
			return nil, fmt.Errorf("logs insights query %s ended %s", aws.ToString(id), res.Status)
		}
		if done {
			break
		}
		select {
		case <-ctx.Done():
			// do not leave the query running (and billing) in the service
			api.StopQuery(context.WithoutCancel(ctx), &cloudwatchlogs.StopQueryInput{QueryId: id})
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
	agg := usage.NewAggregator(usage.NewConfig(opt))
	for _, row := range res.Results {
		g := usage.Group{}
		for _, f := range row {
			v := aws.ToString(f.Value)
			switch aws.ToString(f.Field) {
			case "modelId":
				g.ModelID = v
			case "accountId":
				g.AccountID = v
			case "day":
				g.Day, _ = time.Parse("2006-01-02", v)
			case "operation":
				g.Operation = v
			case "caller":
				g.Caller = v
			case "region":
				g.Region = v
			case "inferenceRegion":
				g.InferenceRegion = v
			case "tag":
				g.Tag, g.HasTag = v, v != ""
			case "records":
				g.Counters.Records = insightsInt(v)
			case "errors":
				g.Counters.Errors = insightsInt(v)
			case "input_tokens":
				g.Counters.InputTokens = insightsInt(v)
			case "output_tokens":
				g.Counters.OutputTokens = insightsInt(v)
			case "cache_read_input_tokens":
				g.Counters.CacheReadTokens = insightsInt(v)
			case "cache_write_input_tokens":
				g.Counters.CacheWriteTokens = insightsInt(v)
			}
		}
		if g.ModelID == "" {
			continue
		}
		agg.AddGroup(&g)
	}
	rep := usage.BuildReport(agg, "log-group "+strings.Join(groups, ","), from, to)
	rep.Notes = append(rep.Notes, "aggregated in CloudWatch Logs Insights (query "+aws.ToString(id)+")")
	if st := res.Statistics; st != nil {
		if skipped := int64(st.RecordsScanned - st.RecordsMatched); skipped > 0 {
			rep.SkippedLines = skipped
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("Logs Insights scanned %.0f records and %.0f bytes; skipped_lines counts scanned events without a modelId", st.RecordsScanned, st.BytesScanned))
	}
	if len(res.Results) >= insightsMaxRows {
		msg := fmt.Sprintf("the query returned the maximum of %d rows, so the report may be incomplete; narrow the period with --start/--end", insightsMaxRows)
		rep.Notes = append(rep.Notes, msg)
		fmt.Fprintln(stderr, "report: warning: "+msg)
	}
	if !quiet {
		fmt.Fprintf(stderr, "report: %d records in %d result rows from %s\n", rep.Records, len(res.Results), strings.Join(groups, ","))
	}
	return rep, nil
}

// insightsInt parses a count or sum; Logs Insights may render large sums in
// floating-point notation.
func insightsInt(v string) int64 {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) {
		return 0
	}
	return int64(math.Round(f))
}
