package monitoring_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
)

func TestMain(m *testing.M) { cdkassert.Main(m) }

var models = []string{"amazon.nova-micro-v1:0", "anthropic.claude-3-5-haiku-20241022-v1:0"}

func props() *monitoring.MonitoringProps {
	return &monitoring.MonitoringProps{
		DashboardName:   jsii.String("BedrockUsageMonitoring-test"),
		AlarmNamePrefix: jsii.String("Bedrock-test"),
		Thresholds: &monitoring.Thresholds{
			ThrottlesPer5Min: 7, ServerErrorsPer5Min: 3, ClientErrorRatePercent: 4,
			LatencyP90Ms: 9000, TokenAnomalyStdDevs: 2.5,
		},
		MonitoredModels: models,
		AlertEmails: map[monitoring.Severity][]string{
			monitoring.Critical: {"oncall@example.com", "sec@example.com"},
			monitoring.Warning:  {"team@example.com"},
		},
	}
}

func synth(t *testing.T, p *monitoring.MonitoringProps) (*cdkassert.Template, monitoring.Monitoring) {
	t.Helper()
	var tpl *cdkassert.Template
	var m monitoring.Monitoring
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		stack := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")},
		})
		m = monitoring.NewMonitoring(stack, "Monitoring", p)
		tpl = cdkassert.Synth(t, stack)
	})
	return tpl, m
}

// topicsBySeverity maps each topic's logical ID to its severity through the display name.
func topicsBySeverity(t *testing.T, tpl *cdkassert.Template) map[string]monitoring.Severity {
	ids, topics := tpl.OfType("AWS::SNS::Topic")
	out := map[string]monitoring.Severity{}
	for i, tp := range topics {
		name, _ := tp.Properties["DisplayName"].(string)
		for _, s := range monitoring.Severities {
			if strings.HasSuffix(name, " "+string(s)+" alerts") {
				out[ids[i]] = s
			}
		}
	}
	if len(out) != 3 {
		t.Fatalf("want one topic per severity, got %v", out)
	}
	return out
}

func TestOneEncryptedTLSOnlyTopicPerSeverityWithEmailSubscriptions(t *testing.T) {
	tpl, _ := synth(t, props())
	topics := topicsBySeverity(t, tpl)
	keyID, _ := tpl.One(t, "AWS::KMS::Key")
	for id := range topics {
		if got := cdkassert.JSON(tpl.Resources[id].Properties["KmsMasterKeyId"]); got != `{"Fn::GetAtt":["`+keyID+`","Arn"]}` {
			t.Errorf("topic %s not encrypted with the customer-managed key: %s", id, got)
		}
	}
	_, policies := tpl.OfType("AWS::SNS::TopicPolicy")
	tlsOnly := map[string]bool{}
	for _, p := range policies {
		for _, s := range cdkassert.Statements(p.Properties["PolicyDocument"]) {
			if s["Effect"] == "Deny" && strings.Contains(cdkassert.JSON(s["Condition"]), `"aws:SecureTransport":"false"`) {
				for _, topic := range p.Properties["Topics"].([]any) {
					tlsOnly[topic.(map[string]any)["Ref"].(string)] = true
				}
			}
		}
	}
	cloudwatchMayPublish := map[string]bool{}
	for _, p := range policies {
		for _, s := range cdkassert.Statements(p.Properties["PolicyDocument"]) {
			if s["Effect"] == "Allow" && cdkassert.JSON(s["Principal"]) == `{"Service":"cloudwatch.amazonaws.com"}` && s["Action"] == "sns:Publish" {
				if c := cdkassert.JSON(s["Condition"]); !cdkassert.Contains(c, `"aws:SourceAccount":"123456789012"`, `:cloudwatch:us-east-1:123456789012:alarm:Bedrock-test-*`) {
					t.Errorf("publish grant lacks confused-deputy conditions: %s", c)
				}
				for _, topic := range p.Properties["Topics"].([]any) {
					cloudwatchMayPublish[topic.(map[string]any)["Ref"].(string)] = true
				}
			}
		}
	}
	for id := range topics {
		if !tlsOnly[id] {
			t.Errorf("topic %s has no TLS-only policy", id)
		}
		// A topic policy replaces SNS's default; without this grant no alarm is delivered.
		if !cloudwatchMayPublish[id] {
			t.Errorf("topic %s does not let CloudWatch alarms publish", id)
		}
	}
	subs := map[monitoring.Severity][]string{}
	_, ss := tpl.OfType("AWS::SNS::Subscription")
	for _, s := range ss {
		if s.Properties["Protocol"] != "email" {
			t.Errorf("unexpected protocol %v", s.Properties["Protocol"])
		}
		sev := topics[s.Properties["TopicArn"].(map[string]any)["Ref"].(string)]
		subs[sev] = append(subs[sev], s.Properties["Endpoint"].(string))
	}
	for sev, want := range props().AlertEmails {
		got := subs[sev]
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s subscriptions = %v, want %v", sev, got, want)
		}
	}
	if len(subs[monitoring.Info]) != 0 {
		t.Errorf("info has no recipients configured, got %v", subs[monitoring.Info])
	}
	_, key := tpl.One(t, "AWS::KMS::Key")
	if key.Properties["EnableKeyRotation"] != true {
		t.Error("topic key must rotate")
	}
	cw := cdkassert.StatementBySid(t, key.Properties["KeyPolicy"], "AllowCloudWatchAlarmsToPublish")
	if acts := cdkassert.Strings(cw["Action"]); strings.Join(acts, ",") != "kms:Decrypt,kms:GenerateDataKey*" {
		t.Errorf("cloudwatch key permissions = %v", acts)
	}
	if c := cdkassert.JSON(cw["Condition"]); !cdkassert.Contains(c, `"aws:SourceAccount":"123456789012"`, `:alarm:Bedrock-test-*`) {
		t.Errorf("cloudwatch key grant lacks confused-deputy conditions: %s", c)
	}
}

type alarm struct {
	name, severity, actionTopic string
	threshold                   float64
	props                       map[string]any
}

func alarms(t *testing.T, tpl *cdkassert.Template) map[string]alarm {
	topics := topicsBySeverity(t, tpl)
	_, rs := tpl.OfType("AWS::CloudWatch::Alarm")
	_, composites := tpl.OfType("AWS::CloudWatch::CompositeAlarm")
	out := map[string]alarm{}
	for _, r := range append(rs, composites...) {
		name, _ := r.Properties["AlarmName"].(string)
		if strings.Contains(name, "-input-") {
			// Inputs of a composite alarm notify nobody.
			if r.Properties["AlarmActions"] != nil || r.Properties["OKActions"] != nil {
				t.Errorf("composite input %s must notify nobody", name)
			}
			continue
		}
		a := alarm{name: name, props: r.Properties}
		if th, ok := r.Properties["Threshold"].(float64); ok {
			a.threshold = th
		}
		acts := r.Properties["AlarmActions"].([]any)
		if len(acts) != 1 {
			t.Fatalf("alarm %s must notify exactly one topic, has %v", a.name, acts)
		}
		a.actionTopic = acts[0].(map[string]any)["Ref"].(string)
		a.severity = string(topics[a.actionTopic])
		out[a.name] = a
	}
	return out
}

func TestAlarmSetBySeverity(t *testing.T) {
	tpl, m := synth(t, props())
	got := alarms(t, tpl)
	want := map[string]struct {
		sev string
		th  float64
	}{
		"Bedrock-test-warning-Throttles":            {"warning", 7},
		"Bedrock-test-critical-ServerErrors":        {"critical", 3},
		"Bedrock-test-critical-LogDeliveryFailures": {"critical", 0},
		"Bedrock-test-critical-InvokedButNotLogged": {"critical", 0},
	}
	for _, mid := range models {
		want["Bedrock-test-warning-ClientErrorRate-"+mid] = struct {
			sev string
			th  float64
		}{"warning", 4}
		want["Bedrock-test-warning-LatencyP90-"+mid] = struct {
			sev string
			th  float64
		}{"warning", 9000}
		want["Bedrock-test-info-TokenVolumeAnomaly-"+mid] = struct {
			sev string
			th  float64
		}{"info", 0}
	}
	if len(got) != len(want) || len(m.Alarms()) != len(want) {
		t.Fatalf("want %d alarms (4 account-wide + 3 per model), template has %d, construct reports %d", len(want), len(got), len(m.Alarms()))
	}
	for name, w := range want {
		a, ok := got[name]
		if !ok {
			t.Errorf("missing alarm %s", name)
			continue
		}
		if a.severity != w.sev {
			t.Errorf("%s notifies the %s topic, want %s", name, a.severity, w.sev)
		}
		if a.threshold != w.th {
			t.Errorf("%s threshold %v, want %v", name, a.threshold, w.th)
		}
		if !strings.HasPrefix(a.props["AlarmDescription"].(string), "["+w.sev+"]") {
			t.Errorf("%s description must start with its severity", name)
		}
		if a.props["AlarmRule"] == nil && a.props["TreatMissingData"] != "notBreaching" {
			t.Errorf("%s must not alarm on missing data (no traffic)", name)
		}
	}
	counts := map[monitoring.Severity]int{}
	for _, a := range m.Alarms() {
		counts[a.Severity]++
	}
	if counts[monitoring.Critical] != 3 || counts[monitoring.Warning] != 1+2*len(models) || counts[monitoring.Info] != len(models) {
		t.Errorf("alarms per severity = %v", counts)
	}
	// Critical alarms also announce recovery.
	for _, a := range got {
		if a.severity == "critical" && a.props["OKActions"] == nil {
			t.Errorf("%s: critical alarms must notify on recovery", a.name)
		}
	}
}

func TestAccountWideAlarmsCoverEveryModel(t *testing.T) {
	tpl, _ := synth(t, props())
	got := alarms(t, tpl)
	for name, metric := range map[string]string{
		"Bedrock-test-warning-Throttles":     "InvocationThrottles",
		"Bedrock-test-critical-ServerErrors": "InvocationServerErrors",
	} {
		q := cdkassert.JSON(got[name].props["Metrics"])
		if !strings.Contains(q, `SELECT SUM(`+metric+`) FROM SCHEMA(\"AWS/Bedrock\", ModelId)`) || !strings.Contains(q, `"Period":300`) {
			t.Errorf("%s must be a Metrics Insights query over every model with a period, got %s", name, q)
		}
	}
	q := cdkassert.JSON(got["Bedrock-test-critical-LogDeliveryFailures"].props["Metrics"])
	for _, m := range []string{monitoring.LogsCloudWatchDeliveryFailure, monitoring.LogsS3DeliveryFailure, monitoring.LargeDataS3DeliveryFailure} {
		if !strings.Contains(q, `"MetricName":"`+m+`"`) {
			t.Errorf("log-delivery alarm ignores %s", m)
		}
	}
	if got["Bedrock-test-critical-LogDeliveryFailures"].props["ComparisonOperator"] != "GreaterThanThreshold" {
		t.Error("any single delivery failure must alarm")
	}
	anomaly := got["Bedrock-test-info-TokenVolumeAnomaly-"+models[0]]
	aq := cdkassert.JSON(anomaly.props["Metrics"])
	if !cdkassert.Contains(aq, "ANOMALY_DETECTION_BAND(", ", 2.5)", `"MetricName":"InputTokenCount"`, `"MetricName":"OutputTokenCount"`, `"Value":"`+models[0]+`"`) ||
		anomaly.props["ComparisonOperator"] != "GreaterThanUpperThreshold" {
		t.Errorf("token anomaly alarm: %s %v", aq, anomaly.props["ComparisonOperator"])
	}
	lat := cdkassert.JSON(got["Bedrock-test-warning-LatencyP90-"+models[1]].props)
	if !cdkassert.Contains(lat, `"MetricName":"InvocationLatency"`, `"Stat":"p90"`, `"Value":"`+models[1]+`"`) {
		t.Errorf("latency alarm must watch p90 of the model: %s", lat)
	}
}

func TestNoModelsStillAlarmsAccountWide(t *testing.T) {
	tpl, m := synth(t, nil)
	if n := len(alarms(t, tpl)); n != 4 || len(m.Alarms()) != 4 {
		t.Fatalf("without monitored models want the 4 account-wide alarms, got %d", n)
	}
	if _, d := tpl.One(t, "AWS::CloudWatch::Dashboard"); d.Properties["DashboardName"] != "BedrockUsageMonitoring" {
		t.Errorf("default dashboard name = %v", d.Properties["DashboardName"])
	}
}

func TestDashboardShowsEveryMetricGroup(t *testing.T) {
	tpl, _ := synth(t, props())
	_, d := tpl.One(t, "AWS::CloudWatch::Dashboard")
	if d.Properties["DashboardName"] != "BedrockUsageMonitoring-test" {
		t.Errorf("dashboard name = %v", d.Properties["DashboardName"])
	}
	// The body is a Fn::Join of literal parts and tokens; the literal text is what we check.
	var parts []string
	for _, p := range d.Properties["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any) {
		if s, ok := p.(string); ok {
			parts = append(parts, s)
		}
	}
	body := strings.Join(parts, "")
	var titles []string
	for _, w := range strings.Split(body, `"title":"`)[1:] {
		titles = append(titles, w[:strings.Index(w, `"`)])
	}
	for _, want := range []string{"Invocations by model", "Input tokens by model", "Output tokens by model", "Cache tokens", "p50 / p90 / p99", "Time to first token", "Client and server errors", "Throttles by model", "log delivery failures", "Alarms"} {
		found := false
		for _, ti := range titles {
			if strings.Contains(strings.ToLower(ti), strings.ToLower(want)) {
				found = true
			}
		}
		if !found {
			t.Errorf("dashboard has no widget %q; titles: %v", want, titles)
		}
	}
	for _, m := range monitoring.RuntimeMetrics {
		if !strings.Contains(body, `MetricName=\"`+m.Name+`\"`) {
			t.Errorf("dashboard never shows %s", m.Name)
		}
	}
	for _, m := range monitoring.DeliveryMetrics {
		if !strings.Contains(body, m) {
			t.Errorf("dashboard never shows %s", m)
		}
	}
	// Totals take the dashboard's time range: their SEARCH carries no period of its own.
	if !strings.Contains(body, `SUM(SEARCH('{AWS/Bedrock,ModelId} MetricName=\"InputTokenCount\"', 'Sum'))`) {
		t.Error("range totals must not fix a 5-minute period")
	}
	for _, p := range []string{"'p50'", "'p90'", "'p99'"} {
		if !strings.Contains(body, p) {
			t.Errorf("latency percentile %s missing", p)
		}
	}
	if !json.Valid([]byte(strings.ReplaceAll(body, `\"`, `"`))) && !strings.HasPrefix(body, `{"`) {
		t.Errorf("dashboard body is not a JSON document: %.200s", body)
	}
}

func TestMetricFactory(t *testing.T) {
	f := monitoring.NewMetricFactory(nil)
	cdkassert.Must(t, func() {
		one := f.MetricInputTokens(&monitoring.MetricOptions{ModelID: jsii.String("amazon.nova-micro-v1:0")})
		cfg := one.ToMetricConfig()
		if cfg.MetricStat == nil || *cfg.MetricStat.MetricName != "InputTokenCount" || *cfg.MetricStat.Statistic != "Sum" ||
			cdkassert.JSON((*cfg.MetricStat.Dimensions)[0].Value) != `"amazon.nova-micro-v1:0"` {
			t.Errorf("per-model metric: %+v", cfg.MetricStat)
		}
		all := f.MetricInvocationLatency(&monitoring.MetricOptions{Statistic: jsii.String("p90")})
		expr := *all.ToMetricConfig().MathExpression.Expression
		if expr != `MAX(SEARCH('{AWS/Bedrock,ModelId} MetricName="InvocationLatency"', 'p90', 300))` {
			t.Errorf("account-wide latency = %s", expr)
		}
		sum := f.MetricThrottles(nil)
		if e := *sum.ToMetricConfig().MathExpression.Expression; !strings.HasPrefix(e, "SUM(SEARCH(") {
			t.Errorf("account-wide count must sum every model: %s", e)
		}
	})
}
