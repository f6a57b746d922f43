package stacks_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/archive"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/orgdashboards"
	"github.com/bedrockgov/bedrockgov/constructs/querylayer"
	"github.com/bedrockgov/bedrockgov/stacks"
)

// Metrics AWS publishes, by namespace (Bedrock runtime, log delivery, Guardrails).
var published = map[string]map[string]bool{
	"AWS/Bedrock": {"Invocations": true, "InvocationLatency": true, "InvocationClientErrors": true, "InvocationServerErrors": true,
		"InvocationThrottles": true, "InputTokenCount": true, "OutputTokenCount": true, "CacheReadInputTokenCount": true,
		"CacheWriteInputTokenCount": true, "ModelInvocationLogsS3DeliverySuccess": true, "ModelInvocationLogsS3DeliveryFailure": true,
		"ModelInvocationLogsCloudWatchDeliverySuccess": true, "ModelInvocationLogsCloudWatchDeliveryFailure": true},
	"AWS/Bedrock/Guardrails": {"InvocationsIntervened": true, "Invocations": true},
	"AWS/S3":                 {"OperationsFailedReplication": true, "ReplicationLatency": true},
}

var (
	insightsRe = regexp.MustCompile(`SELECT [A-Z]+\((\w+)\) FROM SCHEMA\(\\?"([^"\\]+)\\?"((?:, \w+)*)\)`)
	searchRe   = regexp.MustCompile(`\{(AWS/Bedrock[^,}]*),ModelId\}[^']*MetricName=\\?"(\w+)\\?"`)
)

func TestDashboardsAndAlarmsUseOnlyPublishedMetrics(t *testing.T) {
	s, tpl := hub(t)
	bodies := s.Dashboards.DashboardBodies()
	if len(bodies) != 3 {
		t.Fatalf("dashboards %v", bodies)
	}
	var all strings.Builder
	for _, b := range bodies {
		all.WriteString(b)
	}
	_, alarms := tpl.OfType("AWS::CloudWatch::Alarm")
	for _, a := range alarms {
		all.WriteString(cdkassert.JSON(a.Properties["Metrics"]))
		if !strings.Contains(cdkassert.JSON(a.Properties["AlarmActions"]), `{"Ref":"Alerts`) {
			t.Errorf("alarm %v has no topic action", a.Properties["AlarmName"])
		}
	}
	text := all.String()
	if !strings.Contains(text, `WHERE DestinationBucket = '\",{\"Ref\":\"ArchiveBucket`) && !strings.Contains(text, `WHERE DestinationBucket = '",{"Ref":"ArchiveBucket`) {
		t.Error("no replication-failure alarm on the archive bucket")
	}
	n := 0
	for _, m := range insightsRe.FindAllStringSubmatch(text, -1) {
		n++
		if !published[m[2]][m[1]] {
			t.Errorf("Metrics Insights query on %s %s, which AWS does not publish", m[2], m[1])
		}
		if m[2] == "AWS/S3" && m[3] != ", SourceBucket, DestinationBucket, RuleId" {
			t.Errorf("%s queried with dimensions %q: replication metrics have SourceBucket, DestinationBucket, RuleId", m[1], m[3])
		}
		if m[2] == "AWS/Bedrock" && strings.HasPrefix(m[1], "ModelInvocationLogs") != (m[3] == "") {
			t.Errorf("%s queried with dimensions %q: delivery metrics have none, runtime metrics have ModelId", m[1], m[3])
		}
	}
	for _, m := range searchRe.FindAllStringSubmatch(text, -1) {
		n++
		if !published[m[1]][m[2]] {
			t.Errorf("SEARCH on %s %s, which AWS does not publish", m[1], m[2])
		}
	}
	if n < 20 {
		t.Errorf("only %d metric references recognised; the checks above are not seeing the dashboards", n)
	}
	for _, name := range []string{"executive", "operations", "security"} {
		found := false
		for k := range bodies {
			found = found || strings.Contains(k, "-"+name+"-")
		}
		if !found {
			t.Errorf("no %s dashboard", name)
		}
	}
	if !strings.Contains(text, "GROUP BY AWS.AccountId") || !strings.Contains(text, "InvokedButNotLogged") {
		t.Error("dashboards do not break down by account or do not explain the invoked-but-not-logged view")
	}
}

func TestSinkAdmitsOnlyTheOrganizationsMetricLinks(t *testing.T) {
	_, tpl := hub(t)
	_, sink := tpl.One(t, "AWS::Oam::Sink")
	pol := cdkassert.JSON(sink.Properties["Policy"])
	if !cdkassert.Contains(pol, `"aws:PrincipalOrgID":"o-exampleorg1"`, `"oam:ResourceTypes":["AWS::CloudWatch::Metric"]`, `"Effect":"Allow"`) {
		t.Errorf("sink policy: %s", pol)
	}
	if _, ok := tpl.Outputs[stacks.OutputOamSinkArn]; !ok {
		t.Error("no OamSinkArn output for hub.oamSinkArns")
	}
}

func TestHomeRegionHasAggregatorAndWeeklySummary(t *testing.T) {
	_, tpl := hub(t)
	_, agg := tpl.One(t, "AWS::Config::ConfigurationAggregator")
	if !strings.Contains(cdkassert.JSON(agg.Properties["OrganizationAggregationSource"]), `"AllAwsRegions":true`) {
		t.Errorf("aggregator: %s", cdkassert.JSON(agg.Properties))
	}
	_, sm := tpl.One(t, "AWS::StepFunctions::StateMachine")
	// The definition is a Fn::Join of text and the topic reference: join it, then read the ASL.
	var def strings.Builder
	for _, part := range sm.Properties["DefinitionString"].(map[string]any)["Fn::Join"].([]any)[1].([]any) {
		if s, ok := part.(string); ok {
			def.WriteString(s)
		} else {
			def.WriteString("TOPIC")
		}
	}
	var asl struct {
		QueryLanguage string
		States        map[string]struct {
			Resource  string
			Arguments map[string]any
		}
	}
	if err := json.Unmarshal([]byte(def.String()), &asl); err != nil {
		t.Fatalf("definition is not JSON: %v\n%s", err, def.String())
	}
	run, read, pub := asl.States["RunUsageQuery"], asl.States["ReadResults"], asl.States["Publish"]
	if asl.QueryLanguage != "JSONata" || run.Resource != "arn:aws:states:::athena:startQueryExecution.sync" ||
		read.Resource != "arn:aws:states:::athena:getQueryResults" || pub.Resource != "arn:aws:states:::sns:publish" || pub.Arguments["TopicArn"] != "TOPIC" {
		t.Errorf("states: %+v", asl)
	}
	if q, _ := run.Arguments["QueryString"].(string); strings.Count(q, "?") != 2 || !strings.Contains(q, `"dt" BETWEEN ? AND ?`) {
		t.Errorf("query: %v", run.Arguments["QueryString"])
	}
	// Athena substitutes execution parameters as SQL literals: each day must be quoted.
	for _, p := range run.Arguments["ExecutionParameters"].([]any) {
		if e := p.(string); !strings.HasPrefix(e, `{% "'" & $fromMillis(`) || !strings.HasSuffix(e, `& "'" %}`) {
			t.Errorf("execution parameter %q is not a quoted day", e)
		}
	}
	_, sched := tpl.One(t, "AWS::Scheduler::Schedule")
	if !strings.Contains(cdkassert.JSON(sched.Properties["Target"]), "StateMachine") {
		t.Errorf("schedule target: %s", cdkassert.JSON(sched.Properties["Target"]))
	}
}

// A monitored model without a list price is named as unpriced and gets no cost line (never $0).
func TestUnpricedModelsAreNamedNotZero(t *testing.T) {
	var bodies map[string]string
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		s := stacks.NewHubStack(app, "BedrockHub-us-east-1", &stacks.HubStackProps{
			StackProps: awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(hubAccount), Region: jsii.String(hubRegion)}},
			Archive:    &archive.ArchiveProps{OrganizationID: "o-exampleorg1"},
			Query:      &querylayer.QueryLayerProps{Regions: []string{hubRegion}},
			Dashboards: &orgdashboards.OrgDashboardsProps{
				MonitoredModels: []string{"us.amazon.nova-micro-v1:0", "example.unknown-model-v1:0"},
				Prices:          map[string]orgdashboards.Price{"amazon.nova-micro-v1:0": {Input: 0.000035, Output: 0.00014}},
			},
		})
		bodies = s.Dashboards.DashboardBodies()
	})
	ex := bodies["bedrockgov-org-executive-"+hubRegion]
	if ex == "" {
		t.Fatalf("no executive dashboard among %d: %v", len(bodies), bodies)
	}
	if !strings.Contains(ex, "us.amazon.nova-micro-v1:0 (estimated USD per day)") || !strings.Contains(ex, "InputTokenCount") || !strings.Contains(ex, ", 0)*0.000035 + FILL(SUM(") || strings.Contains(ex, "e-05") || strings.Contains(ex, "CacheReadInputTokenCount") {
		t.Errorf("the profile of a priced base model has no cost line at the base price:\n%s", ex)
	}
	if strings.Contains(ex, "example.unknown-model-v1:0 (estimated") || !strings.Contains(ex, "No list price known for: example.unknown-model-v1:0") {
		t.Errorf("the unpriced model is not named as unpriced:\n%s", ex)
	}
}
