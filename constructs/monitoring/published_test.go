package monitoring_test

import (
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
)

// publishedMetrics are the metrics AWS documents in the AWS/Bedrock namespace (Amazon Bedrock
// User Guide, "Monitor bedrock-runtime inference using CloudWatch metrics", and the invocation
// logging delivery metrics). This list is written out by hand, independent of the package's
// constants, so a misspelt constant fails here.
var publishedMetrics = map[string]bool{
	"Invocations": true, "InvocationLatency": true, "InvocationClientErrors": true,
	"InvocationServerErrors": true, "InvocationThrottles": true, "InputTokenCount": true,
	"OutputTokenCount": true, "CacheReadInputTokenCount": true, "CacheWriteInputTokenCount": true,
	"TimeToFirstToken": true, "EstimatedTPMQuotaUsage": true, "OutputImageCount": true,
	"LegacyModelInvocations":                       true,
	"ModelInvocationLogsCloudWatchDeliverySuccess": true, "ModelInvocationLogsCloudWatchDeliveryFailure": true,
	"ModelInvocationLogsS3DeliverySuccess": true, "ModelInvocationLogsS3DeliveryFailure": true,
	"ModelInvocationLargeDataS3DeliverySuccess": true, "ModelInvocationLargeDataS3DeliveryFailure": true,
}

var (
	searchMetricRe   = regexp.MustCompile(`MetricName=\\?"([A-Za-z0-9]+)\\?"`)
	insightsMetricRe = regexp.MustCompile(`SELECT [A-Z]+\(([A-Za-z0-9]+)\) FROM SCHEMA`)
	metricNameRe     = regexp.MustCompile(`"MetricName":"([A-Za-z0-9]+)"`)
)

// namedMetrics lists every metric name a piece of template text refers to: in SEARCH
// expressions, Metrics Insights queries and plain metric definitions.
func namedMetrics(text string) []string {
	var out []string
	for _, re := range []*regexp.Regexp{searchMetricRe, insightsMetricRe, metricNameRe} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func dashboardBody(t *testing.T, tpl *cdkassert.Template) string {
	_, d := tpl.One(t, "AWS::CloudWatch::Dashboard")
	var parts []string
	for _, p := range d.Properties["DashboardBody"].(map[string]any)["Fn::Join"].([]any)[1].([]any) {
		if s, ok := p.(string); ok {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "")
}

func TestEveryGraphedAndAlarmedMetricIsOneBedrockPublishes(t *testing.T) {
	tpl, _ := synth(t, props())
	seen := map[string]bool{}
	check := func(where, text string) {
		for _, name := range namedMetrics(text) {
			seen[name] = true
			if !publishedMetrics[name] {
				t.Errorf("%s names metric %q, which AWS/Bedrock does not publish (the graph or alarm would stay empty)", where, name)
			}
		}
	}
	check("dashboard", dashboardBody(t, tpl))
	_, rs := tpl.OfType("AWS::CloudWatch::Alarm")
	for _, r := range rs {
		check("alarm "+r.Properties["AlarmName"].(string), cdkassert.JSON(r.Properties))
	}
	for _, want := range []string{"CacheReadInputTokenCount", "CacheWriteInputTokenCount", "EstimatedTPMQuotaUsage"} {
		if !seen[want] {
			t.Errorf("the dashboard never shows %s", want)
		}
	}
}

func TestEverySearchLineIsLabelledWithItsModel(t *testing.T) {
	tpl, _ := synth(t, props())
	var body struct {
		Widgets []struct {
			Properties struct {
				Title   string  `json:"title"`
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	raw := dashboardBody(t, tpl)
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		t.Fatalf("dashboard body: %v", err)
	}
	perModel := 0
	for _, w := range body.Widgets {
		for _, m := range w.Properties.Metrics {
			opts, _ := m[len(m)-1].(map[string]any)
			expr, _ := opts["expression"].(string)
			if !strings.HasPrefix(expr, "SEARCH(") {
				continue // aggregates (SUM(SEARCH...)) are one line with their own label
			}
			perModel++
			if label, _ := opts["label"].(string); !strings.Contains(label, monitoring.ModelLabel) {
				t.Errorf("%q: a SEARCH line is labelled %q; every line must name its model with %s", w.Properties.Title, label, monitoring.ModelLabel)
			}
		}
	}
	if perModel < 10 {
		t.Fatalf("found only %d per-model SEARCH lines", perModel)
	}
	// The quota estimate is per minute: a 5-minute Sum would read five times too high.
	if !strings.Contains(raw, `MetricName=\"EstimatedTPMQuotaUsage\"', 'Maximum'`) || strings.Contains(raw, `MetricName=\"EstimatedTPMQuotaUsage\"', 'Sum'`) {
		t.Error("EstimatedTPMQuotaUsage must be graphed with Maximum, never summed")
	}
}

func TestClientErrorRateIsErrorsOverInvocations(t *testing.T) {
	tpl, _ := synth(t, props())
	a := alarms(t, tpl)["Bedrock-test-warning-ClientErrorRate-"+models[0]]
	var expr string
	ids := map[string]string{}
	for _, m := range a.props["Metrics"].([]any) {
		mm := m.(map[string]any)
		if e, ok := mm["Expression"].(string); ok {
			expr = e
			continue
		}
		ids[mm["Id"].(string)] = mm["MetricStat"].(map[string]any)["Metric"].(map[string]any)["MetricName"].(string)
	}
	if ids["inv"] != "Invocations" || ids["err"] != "InvocationClientErrors" {
		t.Fatalf("rate inputs = %v", ids)
	}
	// Invocations already counts the requests that failed.
	for _, c := range []struct {
		inv, err, want float64
	}{{10, 10, 100}, {10, 1, 10}, {200, 0, 0}, {0, 0, 0}} {
		got, e := evalMath(expr, map[string]float64{"inv": c.inv, "err": c.err})
		if e != nil || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s with Invocations=%v ClientErrors=%v = %v (%v), want %v%%", expr, c.inv, c.err, got, e, c.want)
		}
	}
}

func TestInvokedButNotLoggedFiresOnInvocationsWithoutDelivery(t *testing.T) {
	tpl, m := synth(t, props())
	var composite map[string]any
	_, cs := tpl.OfType("AWS::CloudWatch::CompositeAlarm")
	for _, c := range cs {
		if c.Properties["AlarmName"] == "Bedrock-test-critical-InvokedButNotLogged" {
			composite = c.Properties
		}
	}
	if composite == nil {
		t.Fatal("no InvokedButNotLogged composite alarm")
	}
	inputs := map[string]map[string]any{}
	inputIDs := map[string]string{}
	rids, rs := tpl.OfType("AWS::CloudWatch::Alarm")
	for i, r := range rs {
		if n := r.Properties["AlarmName"].(string); strings.Contains(n, "-input-") {
			inputs[strings.TrimPrefix(n, "Bedrock-test-input-")] = r.Properties
			inputIDs[strings.TrimPrefix(n, "Bedrock-test-input-")] = rids[i]
		}
	}
	invoked, none := inputs["Invoked"], inputs["NoLogDelivered"]
	if invoked == nil || none == nil {
		t.Fatalf("composite inputs = %v", inputs)
	}
	rule := cdkassert.JSON(composite["AlarmRule"])
	if !cdkassert.Contains(rule, `"(ALARM(\"",{"Fn::GetAtt":["`+inputIDs["Invoked"]+`","Arn"]},"\") AND ALARM(\"",{"Fn::GetAtt":["`+inputIDs["NoLogDelivered"]+`","Arn"]},"\"))"`) {
		t.Fatalf("alarm rule must be both inputs in ALARM: %s", rule)
	}
	if q := cdkassert.JSON(invoked["Metrics"]); !strings.Contains(q, `SELECT SUM(Invocations) FROM SCHEMA(\"AWS/Bedrock\", ModelId)`) || invoked["ComparisonOperator"] != "GreaterThanThreshold" || invoked["Threshold"] != 0.0 {
		t.Errorf("Invoked input must be any invocation of any model: %s", q)
	}
	if none["TreatMissingData"] != "breaching" {
		t.Error("no delivery data at all (logging off) must count as no delivery")
	}
	var expr string
	ids := map[string]string{}
	for _, mm := range none["Metrics"].([]any) {
		x := mm.(map[string]any)
		if e, ok := x["Expression"].(string); ok {
			expr = e
			continue
		}
		ids[x["Id"].(string)] = x["MetricStat"].(map[string]any)["Metric"].(map[string]any)["MetricName"].(string)
	}
	if ids["s3"] != monitoring.LogsS3DeliverySuccess || ids["cw"] != monitoring.LogsCloudWatchDeliverySuccess {
		t.Fatalf("delivery inputs = %v", ids)
	}
	breaches := func(vals map[string]float64) bool {
		v, err := evalMath(expr, vals)
		if err != nil {
			t.Fatal(err)
		}
		return v < none["Threshold"].(float64)
	}
	for _, c := range []struct {
		name        string
		invocations float64
		delivered   map[string]float64
		want        bool
	}{
		{"logging never enabled: no delivery metric at all", 40, map[string]float64{}, true},
		{"configuration deleted: deliveries stopped", 40, map[string]float64{"s3": 0, "cw": 0}, true},
		{"logging to S3 only", 40, map[string]float64{"s3": 12}, false},
		{"logging to CloudWatch Logs only", 40, map[string]float64{"cw": 12}, false},
		{"idle account", 0, map[string]float64{}, false},
	} {
		got := c.invocations > 0 && breaches(c.delivered)
		if got != c.want {
			t.Errorf("%s: alarm = %v, want %v", c.name, got, c.want)
		}
	}
	var sev []string
	for _, a := range m.Alarms() {
		if a.Key == monitoring.AlarmInvokedButNotLogged {
			sev = append(sev, string(a.Severity))
		}
	}
	sort.Strings(sev)
	if strings.Join(sev, ",") != "critical" {
		t.Errorf("InvokedButNotLogged severities = %v", sev)
	}
}
