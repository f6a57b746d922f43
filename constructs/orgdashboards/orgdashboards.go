// Package orgdashboards provides the hub's organization view in one region through CloudWatch
// cross-account observability: the OAM sink member accounts link to (admitting only this
// organization's accounts), three dashboards (executive, operations, security) over the
// linked accounts' metrics, and organization-level alarms.
//
// Breakdowns by account use CloudWatch Metrics Insights (GROUP BY AWS.AccountId), which in a
// monitoring account covers every linked source account; statistics Metrics Insights lacks
// (p90) and long trends use SEARCH expressions, which in a monitoring account also return the
// linked accounts' metrics. Every metric and dimension is one AWS publishes: AWS/Bedrock with
// ModelId, its log-delivery metrics without dimensions, AWS/Bedrock/Guardrails.
package orgdashboards

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsoam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Price is a model's on-demand price in USD per 1,000 tokens.
type Price struct{ Input, Output, CacheRead, CacheWrite float64 }

// OrgDashboardsProps configures OrgDashboards. OrganizationID is required.
type OrgDashboardsProps struct {
	// OrganizationID admits this organization's accounts to the sink. Required.
	OrganizationID string
	// DashboardPrefix starts the dashboard names (dashboards are account-wide, so the region is
	// appended). Default: "bedrockgov-org".
	DashboardPrefix *string
	// MonitoredModels get an estimated-cost line on the executive dashboard when Prices has
	// them (ModelId dimension values). Default: none.
	MonitoredModels []string
	// Prices by base model ID (an inference-profile ID with a geographic prefix is priced as
	// its base model). Default: none.
	Prices map[string]Price
	// ArchiveBucketName is the hub archive the member accounts replicate into; the security
	// dashboard and a critical alarm then watch the replication failures into it. Default:
	// none, replication is not watched.
	ArchiveBucketName *string
	// CriticalTopic and WarningTopic receive the organization-level alarms. Default: no actions.
	CriticalTopic, WarningTopic awssns.ITopic
}

// OrgDashboards is the sink, the dashboards and the alarms.
type OrgDashboards interface {
	constructs.IConstruct
	Sink() awsoam.CfnSink
	// DashboardBodies are the dashboard JSON bodies by dashboard name.
	DashboardBodies() map[string]string
	Alarms() []awscloudwatch.CfnAlarm
}

type orgDashboards struct {
	constructs.Construct
	sink   awsoam.CfnSink
	bodies map[string]string
	alarms []awscloudwatch.CfnAlarm
}

func (o *orgDashboards) Sink() awsoam.CfnSink               { return o.sink }
func (o *orgDashboards) DashboardBodies() map[string]string { return o.bodies }
func (o *orgDashboards) Alarms() []awscloudwatch.CfnAlarm   { return o.alarms }

var orgIDRe = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// geoPrefix matches the geographic prefix of a cross-region inference profile ID.
var geoPrefix = regexp.MustCompile(`^(us|eu|apac|jp|au|ca|us-gov|global)\.`)

// BaseModel strips a cross-region profile's geographic prefix.
func BaseModel(id string) string { return geoPrefix.ReplaceAllString(id, "") }

type metricRow []any

type widget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties map[string]any `json:"properties"`
}

type board struct {
	region  string
	start   string // default time range (ISO 8601 duration before now)
	widgets []widget
	y       int
}

func (b *board) text(md string, h int) {
	b.widgets = append(b.widgets, widget{Type: "text", X: 0, Y: b.y, Width: 24, Height: h, Properties: map[string]any{"markdown": md}})
	b.y += h
}

// graph adds a graph of expressions (id -> expression, label), width 12, two per row.
func (b *board) graph(title string, period int, stat string, rows []metricRow, x int) {
	props := map[string]any{
		"title": title, "region": b.region, "view": "timeSeries", "stacked": false,
		"period": period, "metrics": rows,
	}
	if stat != "" {
		props["stat"] = stat
	}
	b.widgets = append(b.widgets, widget{Type: "metric", X: x, Y: b.y, Width: 12, Height: 6, Properties: props})
	if x == 12 {
		b.y += 6
	}
}

func expr(id, expression, label string) metricRow {
	return metricRow{map[string]any{"expression": expression, "id": id, "label": label}}
}

// insights is a Metrics Insights query over AWS/Bedrock with the ModelId dimension set.
func insights(fn, metric, groupBy string) string {
	return fmt.Sprintf(`SELECT %s(%s) FROM SCHEMA("AWS/Bedrock", ModelId) GROUP BY %s ORDER BY %s() DESC LIMIT 20`, fn, metric, groupBy, fn)
}

// deliveryInsights queries a log-delivery metric (published without dimensions) by account.
func deliveryInsights(metric string) string {
	return fmt.Sprintf(`SELECT SUM(%s) FROM SCHEMA("AWS/Bedrock") GROUP BY AWS.AccountId ORDER BY SUM() DESC LIMIT 50`, metric)
}

// replicationInsights queries an S3 replication metric of the rules replicating into the
// archive (published by the source account with SourceBucket, DestinationBucket and RuleId).
func replicationInsights(fn, metric, archive, groupBy string) string {
	q := fmt.Sprintf(`SELECT %s(%s) FROM SCHEMA("AWS/S3", SourceBucket, DestinationBucket, RuleId) WHERE DestinationBucket = '%s'`, fn, metric, archive)
	if groupBy != "" {
		q += fmt.Sprintf(" GROUP BY %s ORDER BY %s() DESC LIMIT 50", groupBy, fn)
	}
	return q
}

func search(metric, stat string, period int) string {
	return fmt.Sprintf(`SEARCH('{AWS/Bedrock,ModelId} MetricName="%s"', '%s', %d)`, metric, stat, period)
}

func searchModel(model, metric string, period int) string {
	return fmt.Sprintf(`SEARCH('{AWS/Bedrock,ModelId} ModelId="%s" MetricName="%s"', 'Sum', %d)`, model, metric, period)
}

func (b *board) body() string {
	out, err := json.Marshal(map[string]any{"start": b.start, "periodOverride": "inherit", "widgets": b.widgets})
	if err != nil {
		panic(err)
	}
	return string(out)
}

// NewOrgDashboards creates the sink, the dashboards and the alarms in the stack's region.
func NewOrgDashboards(scope constructs.Construct, id string, props *OrgDashboardsProps) OrgDashboards {
	if props == nil || !orgIDRe.MatchString(props.OrganizationID) {
		panic("orgdashboards: OrganizationID (o-...) is required")
	}
	prefix := "bedrockgov-org"
	if props.DashboardPrefix != nil {
		prefix = *props.DashboardPrefix
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	region := *stack.Region()

	sink := awsoam.NewCfnSink(c, jsii.String("Sink"), &awsoam.CfnSinkProps{
		Name: jsii.String("bedrockgov-" + region),
		Policy: map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Sid":       "LinkOrganizationAccountsMetricsOnly",
				"Effect":    "Allow",
				"Principal": "*",
				"Action":    []string{"oam:CreateLink", "oam:UpdateLink"},
				"Resource":  "*",
				"Condition": map[string]any{
					"StringEquals":              map[string]any{"aws:PrincipalOrgID": props.OrganizationID},
					"ForAllValues:StringEquals": map[string]any{"oam:ResourceTypes": []string{"AWS::CloudWatch::Metric"}},
				},
			}},
		},
	})
	o := &orgDashboards{Construct: c, sink: sink, bodies: map[string]string{}}

	// Executive: volume, invocations, estimated cost, trend.
	ex := &board{region: region, start: "-P14D"} // Metrics Insights graphs reach two weeks back
	ex.text("# Amazon Bedrock — organization (executive)\nEvery account linked to this hub's CloudWatch sink in "+region+". "+
		"By-account and by-model panels are CloudWatch Metrics Insights (top 20); totals and trends are SEARCH over all linked accounts. "+
		"Estimated cost = tokens × list price of the base model for the monitored models with a known price (geographic cross-region profiles cost about 10% more; not modelled); it is an estimate, invoices come from Cost Explorer.", 3)
	ex.graph("Input tokens by account", 3600, "", []metricRow{expr("q1", insights("SUM", "InputTokenCount", "AWS.AccountId"), "")}, 0)
	ex.graph("Output tokens by account", 3600, "", []metricRow{expr("q2", insights("SUM", "OutputTokenCount", "AWS.AccountId"), "")}, 12)
	ex.graph("Invocations by account", 3600, "", []metricRow{expr("q3", insights("SUM", "Invocations", "AWS.AccountId"), "")}, 0)
	ex.graph("Invocations by model", 3600, "", []metricRow{expr("q4", insights("SUM", "Invocations", "ModelId"), "")}, 12)
	ex.graph("Daily trend: invocations and tokens, all accounts", 86400, "", []metricRow{
		expr("inv", "SUM("+search("Invocations", "Sum", 86400)+")", "Invocations"),
		expr("tin", "SUM("+search("InputTokenCount", "Sum", 86400)+")", "Input tokens"),
		expr("tout", "SUM("+search("OutputTokenCount", "Sum", 86400)+")", "Output tokens"),
	}, 0)
	var costRows []metricRow
	var unpriced []string
	models := append([]string(nil), props.MonitoredModels...)
	sort.Strings(models)
	for i, m := range models {
		p, ok := props.Prices[BaseModel(m)]
		if !ok {
			unpriced = append(unpriced, m)
			continue
		}
		// Each priced token kind; FILL makes a kind the model has not used (no cache, say)
		// count as zero instead of blanking the whole sum.
		var terms []string
		for _, k := range []struct {
			metric string
			price  float64
		}{{"InputTokenCount", p.Input}, {"OutputTokenCount", p.Output}, {"CacheReadInputTokenCount", p.CacheRead}, {"CacheWriteInputTokenCount", p.CacheWrite}} {
			if k.price > 0 {
				terms = append(terms, fmt.Sprintf("FILL(SUM(%s), 0)*%s", searchModel(m, k.metric, 86400), strconv.FormatFloat(k.price, 'f', -1, 64)))
			}
		}
		if len(terms) == 0 {
			unpriced = append(unpriced, m)
			continue
		}
		e := "(" + strings.Join(terms, " + ") + ")/1000"
		costRows = append(costRows, expr(fmt.Sprintf("cost%d", i), e, m+" (estimated USD per day)"))
	}
	if len(costRows) > 0 {
		ex.graph("Estimated daily cost of the monitored models (USD, list price)", 86400, "", costRows, 12)
	} else {
		ex.y += 6
	}
	if len(unpriced) > 0 {
		ex.text("No list price known for: "+strings.Join(unpriced, ", ")+" — their cost is not shown (not zero).", 2)
	}
	o.bodies[prefix+"-executive-"+region] = ex.body()

	// Operations: errors, throttles, latency by account and model.
	op := &board{region: region, start: "-PT12H"}
	op.text("# Amazon Bedrock — organization (operations)\nErrors and throttles by account and by model (Metrics Insights, top 20), p90 latency per account and model (SEARCH; Metrics Insights has no percentiles).", 2)
	op.graph("Client errors by account", 300, "", []metricRow{expr("ce", insights("SUM", "InvocationClientErrors", "AWS.AccountId"), "")}, 0)
	op.graph("Server errors by account", 300, "", []metricRow{expr("se", insights("SUM", "InvocationServerErrors", "AWS.AccountId"), "")}, 12)
	op.graph("Throttles by account", 300, "", []metricRow{expr("th", insights("SUM", "InvocationThrottles", "AWS.AccountId"), "")}, 0)
	op.graph("Throttles by model", 300, "", []metricRow{expr("thm", insights("SUM", "InvocationThrottles", "ModelId"), "")}, 12)
	op.graph("Errors by model (client + server)", 300, "", []metricRow{
		expr("cem", insights("SUM", "InvocationClientErrors", "ModelId"), ""),
		expr("sem", insights("SUM", "InvocationServerErrors", "ModelId"), ""),
	}, 0)
	op.graph("Invocation latency p90 by account and model (ms)", 300, "", []metricRow{expr("lat", search("InvocationLatency", "p90", 300), "")}, 12)
	o.bodies[prefix+"-operations-"+region] = op.body()

	// Security: guardrail interventions, delivery failures, invoked but not logged.
	se := &board{region: region, start: "-P7D"}
	se.text("# Amazon Bedrock — organization (security)\n"+
		"**Invoked but not logged**: an account with invocations but no successful S3 log delivery in the same hour has the member alarm `Bedrock-<env>-<region>-critical-InvokedButNotLogged` firing. "+
		"Alarm states are not shared across accounts, so this view compares the two underlying metrics per account: a bar under *Invocations* with none under *S3 deliveries* is an account whose invocations are not archived.", 3)
	se.graph("Guardrail interventions by account", 3600, "", []metricRow{expr("gi", `SELECT SUM(InvocationsIntervened) FROM SCHEMA("AWS/Bedrock/Guardrails", GuardrailArn, GuardrailVersion) GROUP BY AWS.AccountId ORDER BY SUM() DESC LIMIT 20`, "")}, 0)
	se.graph("Log delivery failures by account (S3 and CloudWatch Logs)", 3600, "", []metricRow{
		expr("s3f", deliveryInsights("ModelInvocationLogsS3DeliveryFailure"), ""),
		expr("cwf", deliveryInsights("ModelInvocationLogsCloudWatchDeliveryFailure"), ""),
	}, 12)
	se.graph("Invoked but not logged: invocations by account", 3600, "", []metricRow{expr("invacc", insights("SUM", "Invocations", "AWS.AccountId"), "")}, 0)
	se.graph("Invoked but not logged: S3 log deliveries by account", 3600, "", []metricRow{expr("s3ok", deliveryInsights("ModelInvocationLogsS3DeliverySuccess"), "")}, 12)
	if props.ArchiveBucketName != nil {
		se.graph("Log replication into the archive: failed operations by account", 3600, "", []metricRow{expr("rf", replicationInsights("SUM", "OperationsFailedReplication", *props.ArchiveBucketName, "AWS.AccountId"), "")}, 0)
		se.graph("Log replication into the archive: latency by account (s, max)", 3600, "", []metricRow{expr("rl", replicationInsights("MAX", "ReplicationLatency", *props.ArchiveBucketName, "AWS.AccountId"), "")}, 12)
	}
	o.bodies[prefix+"-security-"+region] = se.body()

	dash := constructs.NewConstruct(c, jsii.String("Dashboards"))
	names := make([]string, 0, len(o.bodies))
	for n := range o.bodies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		kind := strings.TrimSuffix(strings.TrimPrefix(n, prefix+"-"), "-"+region)
		awscloudwatch.NewCfnDashboard(dash, jsii.String(kind), &awscloudwatch.CfnDashboardProps{
			DashboardName: jsii.String(n),
			DashboardBody: jsii.String(o.bodies[n]),
		})
	}

	// Organization-level alarms (Metrics Insights alarms cover the linked accounts).
	alarms := constructs.NewConstruct(c, jsii.String("Alarms"))
	add := func(cid, name, desc, query string, topic awssns.ITopic) {
		a := awscloudwatch.NewCfnAlarm(alarms, jsii.String(cid), &awscloudwatch.CfnAlarmProps{
			AlarmName:          jsii.String(fmt.Sprintf("bedrockgov-org-%s-%s", region, name)),
			AlarmDescription:   jsii.String(desc),
			ComparisonOperator: jsii.String("GreaterThanThreshold"),
			Threshold:          jsii.Number(0),
			EvaluationPeriods:  jsii.Number(1),
			DatapointsToAlarm:  jsii.Number(1),
			TreatMissingData:   jsii.String("notBreaching"),
			Metrics: []any{&awscloudwatch.CfnAlarm_MetricDataQueryProperty{
				Id: jsii.String("q"), Expression: jsii.String(query), Period: jsii.Number(300), ReturnData: jsii.Bool(true),
			}},
		})
		if topic != nil {
			a.SetAlarmActions(&[]*string{topic.TopicArn()})
			a.SetOkActions(&[]*string{topic.TopicArn()})
		}
		o.alarms = append(o.alarms, a)
	}
	add("S3DeliveryFailures", "critical-LogS3DeliveryFailures",
		"Some account of the organization failed to deliver Bedrock invocation logs to S3 in the last 5 minutes (those invocations are not archived). See the security dashboard for the account.",
		`SELECT SUM(ModelInvocationLogsS3DeliveryFailure) FROM SCHEMA("AWS/Bedrock")`, props.CriticalTopic)
	if props.ArchiveBucketName != nil {
		add("ArchiveReplicationFailures", "critical-ArchiveReplicationFailures",
			"Some account failed to replicate invocation logs into the hub archive "+*props.ArchiveBucketName+" in the last 5 minutes (those logs are not archived). The security dashboard names the account; the object's replication status in the member log bucket gives the reason.",
			replicationInsights("SUM", "OperationsFailedReplication", *props.ArchiveBucketName, ""), props.CriticalTopic)
	}
	add("CloudWatchDeliveryFailures", "warning-LogCloudWatchDeliveryFailures",
		"Some account of the organization failed to deliver Bedrock invocation logs to CloudWatch Logs in the last 5 minutes.",
		`SELECT SUM(ModelInvocationLogsCloudWatchDeliveryFailure) FROM SCHEMA("AWS/Bedrock")`, props.WarningTopic)
	add("ServerErrors", "warning-ServerErrors",
		"Bedrock answered with server errors in some account of the organization in the last 5 minutes.",
		`SELECT SUM(InvocationServerErrors) FROM SCHEMA("AWS/Bedrock", ModelId)`, props.WarningTopic)
	return o
}
