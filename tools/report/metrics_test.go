package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/bedrockgov/bedrockgov/tools/awstarget"
)

// cwStub is CloudWatch speaking Smithy RPC v2 CBOR, as the real client does.
type cwStub struct {
	mu          sync.Mutex
	models      []string
	listCalls   int
	dataCalls   int
	maxQueries  int
	pagedOnce   bool
	start, end  time.Time
	periodsSeen map[string]bool
	// unknownMetrics are queried names CloudWatch does not publish.
	unknownMetrics []string
}

// publishedMetrics are the AWS/Bedrock metric names CloudWatch publishes per
// ModelId (AWS Bedrock user guide, "Monitor bedrock-runtime inference using
// CloudWatch metrics"). The stub answers no data for any other name, as
// CloudWatch does for a metric that does not exist.
var publishedMetrics = map[string]bool{
	"Invocations": true, "InvocationLatency": true, "InvocationClientErrors": true, "InvocationServerErrors": true,
	"InvocationThrottles": true, "InputTokenCount": true, "OutputTokenCount": true, "CacheReadInputTokenCount": true,
	"CacheWriteInputTokenCount": true, "TimeToFirstToken": true, "EstimatedTPMQuotaUsage": true, "OutputImageCount": true,
	"LegacyModelInvocations": true,
}

func cborTime(t time.Time) cbor.Value {
	return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.Unix()))}
}

func (s *cwStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	v, err := cbor.Decode(body)
	if err != nil && len(body) > 0 {
		http.Error(w, err.Error(), 400)
		return
	}
	in, _ := v.(cbor.Map)
	var out cbor.Map
	switch op := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]; op {
	case "ListMetrics":
		s.listCalls++
		// two pages of models
		half := len(s.models) / 2
		page, next := s.models[:half], cbor.Value(cbor.String("page2"))
		if tok, ok := in["NextToken"].(cbor.String); ok && tok == "page2" {
			page, next = s.models[half:], nil
		}
		var metrics cbor.List
		for _, m := range page {
			metrics = append(metrics, cbor.Map{"Namespace": cbor.String("AWS/Bedrock"), "MetricName": cbor.String("Invocations"),
				"Dimensions": cbor.List{cbor.Map{"Name": cbor.String("ModelId"), "Value": cbor.String(m)}}})
		}
		// a delivery metric without ModelId is ignored
		metrics = append(metrics, cbor.Map{"Namespace": cbor.String("AWS/Bedrock"), "MetricName": cbor.String("Invocations")})
		out = cbor.Map{"Metrics": metrics}
		if next != nil {
			out["NextToken"] = next
		}
	case "GetMetricData":
		s.dataCalls++
		qs := in["MetricDataQueries"].(cbor.List)
		if len(qs) > s.maxQueries {
			s.maxQueries = len(qs)
		}
		// The first call answers half its queries and a NextToken, like a call
		// over the data point limit; the next page answers the rest.
		answer := qs
		var next cbor.Value
		if tok, ok := in["NextToken"].(cbor.String); ok && tok == "more" {
			answer = qs[len(qs)/2:]
		} else if !s.pagedOnce {
			s.pagedOnce = true
			answer, next = qs[:len(qs)/2], cbor.String("more")
		}
		var results cbor.List
		for _, q := range answer {
			qm := q.(cbor.Map)
			ms := qm["MetricStat"].(cbor.Map)
			stat := string(ms["Stat"].(cbor.String))
			metric := string(ms["Metric"].(cbor.Map)["MetricName"].(cbor.String))
			period, _ := cbor.AsInt64(ms["Period"])
			s.periodsSeen[fmt.Sprintf("%s/%d", stat, period)] = true
			var ts, vals cbor.List
			if !publishedMetrics[metric] {
				s.unknownMetrics = append(s.unknownMetrics, metric)
			} else if stat == "Sum" {
				// one hour on each of two days: 10 + 5 of everything
				ts = cbor.List{cborTime(s.start.Add(time.Hour)), cborTime(s.start.Add(25 * time.Hour))}
				vals = cbor.List{cbor.Float64(10), cbor.Float64(5)}
				switch metric {
				case "InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles":
					vals = cbor.List{cbor.Float64(1), cbor.Float64(0)}
				case "CacheReadInputTokenCount":
					vals = cbor.List{cbor.Float64(20), cbor.Float64(0)}
				case "CacheWriteInputTokenCount":
					vals = cbor.List{cbor.Float64(0), cbor.Float64(4)}
				}
			} else {
				ts, vals = cbor.List{cborTime(s.start)}, cbor.List{cbor.Float64(123.5)}
			}
			results = append(results, cbor.Map{"Id": qm["Id"], "Label": cbor.String(metric), "StatusCode": cbor.String("Complete"),
				"Timestamps": ts, "Values": vals})
		}
		out = cbor.Map{"MetricDataResults": results, "Messages": cbor.List{}}
		if next != nil {
			out["NextToken"] = next
		}
	default:
		http.Error(w, "unexpected operation "+op, 400)
		return
	}
	w.Header().Set("smithy-protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Write(cbor.Encode(out))
}

func stubAWS(url string) func(context.Context, string, string) (aws.Config, error) {
	return func(context.Context, string, string) (aws.Config, error) {
		return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}, nil
	}
}

func TestMetricsBatchesGetMetricData(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	stub := &cwStub{start: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), periodsSeen: map[string]bool{}}
	// 50 models x 12 queries = 600 queries: 2 calls, plus one extra page.
	for i := 0; i < 48; i++ {
		stub.models = append(stub.models, fmt.Sprintf("vendor.model-%02d-v1:0", i))
	}
	stub.models = append(stub.models, "us.amazon.nova-micro-v1:0", "amazon.nova-micro-v1:0")
	srv := httptest.NewServer(stub)
	defer srv.Close()
	e := defaultEnv()
	e.loadAWS = stubAWS(srv.URL)
	e.now = func() time.Time { return now }
	m, _ := runJSON(t, e, "--days", "2", "--format", "json")

	if stub.listCalls != 2 {
		t.Errorf("ListMetrics calls = %d, want 2 pages", stub.listCalls)
	}
	if stub.maxQueries > 500 {
		t.Errorf("a GetMetricData call carried %d queries, limit 500", stub.maxQueries)
	}
	// ceil(600/500) = 2 calls, plus the one extra page the stub asked for.
	if stub.dataCalls != 3 {
		t.Errorf("GetMetricData calls = %d, want 3 (2 batches of <=500 queries + 1 NextToken page)", stub.dataCalls)
	}
	for _, p := range []string{"Sum/3600", "p50/176400", "p99/176400"} {
		if !stub.periodsSeen[p] {
			t.Errorf("no query with stat/period %s; saw %v", p, stub.periodsSeen)
		}
	}
	metrics := m["metrics"].(map[string]any)
	if num(t, metrics["queries"]) != 600 || num(t, metrics["get_metric_data_calls"]) != 3 {
		t.Errorf("metrics section: %v queries, %v calls", metrics["queries"], metrics["get_metric_data_calls"])
	}
	if len(stub.unknownMetrics) > 0 {
		t.Errorf("queried metrics AWS/Bedrock does not publish (they never have data): %v", stub.unknownMetrics[:min(3, len(stub.unknownMetrics))])
	}
	// 50 models x 15 invocations; errors (1 client + 1 server) x 50; cache
	// read 20 and cache write 4 per model
	// Nova micro's cache writes have no price in the embedded table: its 10
	// invocations of the second day are partial, the other 48 models' 720
	// invocations unpriced.
	checkRow(t, "totals", m, row{750, 100, 750, 750, 1000, 200, totalCost(), 730})
	models := byKey(t, m, "by_model")
	// us.amazon.nova-micro and amazon.nova-micro fold into one base model
	nova := models["amazon.nova-micro-v1:0"]
	checkRow(t, "nova micro", nova, row{30, 4, 30, 30, 40, 8, totalCost(), 10})
	if nova["cost_status"] != "partial" || num(t, nova["unpriced_tokens"]) != 8 {
		t.Errorf("nova micro: cost_status %v, unpriced_tokens %v; want partial, 8 (its cache writes have no price)", nova["cost_status"], nova["unpriced_tokens"])
	}
	days := byKey(t, m, "by_day")
	// the period runs into 2026-11-23, which has no data: a zero row
	if len(days) != 3 || days["2026-11-21"] == nil || days["2026-11-22"] == nil || num(t, days["2026-11-23"]["records"]) != 0 {
		t.Errorf("by_day = %v", days)
	}
	checkSums(t, m)
	first := metrics["models"].([]any)[0].(map[string]any)
	if first["latency_ms_p99"].(any) == nil || first["throttles"].(any) == nil {
		t.Errorf("model metrics lack latency or throttles: %v", first)
	}
}

// Only nova micro is in the embedded table: 30 x 0.000035/1000 + 30 x
// 0.00014/1000 + 40 cache reads x 0.0000087/1000 (0.00000875 rounded to the
// 1e-7 per 1,000 resolution; cache writes have no price) = 0.00000105 +
// 0.0000042 + 0.000000348.
func totalCost() string { return "0.000005598" }

func TestMetricsWithoutCredentialsSaysSo(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	t.Setenv("AWS_REGION", "us-east-1")
	var out, errb strings.Builder
	code := run(context.Background(), []string{"--format", "json"}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, errb.String())
	}
	msg := errb.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "no AWS credentials") || !strings.Contains(msg, "--logs DIR") {
		t.Errorf("want one line naming the problem and suggesting --logs DIR, got %q", msg)
	}
}

func TestPeriodFor(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ago  time.Duration
		want int32
		exp  int32
	}{
		{time.Hour, 90, 120},
		{7 * 24 * time.Hour, 3600, 3600},
		{20 * 24 * time.Hour, 100, 300},
		{20 * 24 * time.Hour, 3700, 3900},
		{90 * 24 * time.Hour, 60, 3600},
		{90 * 24 * time.Hour, 86400, 86400},
	} {
		if got := PeriodFor(now.Add(-c.ago), now, c.want); got != c.exp {
			t.Errorf("PeriodFor(%v ago, %d) = %d, want %d", c.ago, c.want, got, c.exp)
		}
	}
}

// fakeSession stands for awstarget.Session (tested on the wire in
// tools/logging): every target's configuration points at the CloudWatch stub.
type fakeSession struct {
	url      string
	org      []string
	denied   map[string]bool
	mu       sync.Mutex
	regionOf map[string]int
}

func (f *fakeSession) Caller() string { return "999999999999" }
func (f *fakeSession) OrgAccounts(ctx context.Context, ou string) ([]string, error) {
	return f.org, nil
}
func (f *fakeSession) Config(ctx context.Context, t awstarget.Target) (aws.Config, error) {
	if f.denied[t.Account] {
		return aws.Config{}, &awstarget.AssumeRoleError{RoleARN: "arn:aws:iam::" + t.Account + ":role/R", Account: t.Account, Err: fmt.Errorf("AccessDenied")}
	}
	f.mu.Lock()
	f.regionOf[t.Region]++
	f.mu.Unlock()
	return aws.Config{Region: t.Region, BaseEndpoint: aws.String(f.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID"+t.Account, "secret", "")}, nil
}

func TestMetricsAcrossAccountsAndRegions(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	stub := &cwStub{start: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), periodsSeen: map[string]bool{}, pagedOnce: true,
		models: []string{"amazon.nova-micro-v1:0", "us.amazon.nova-micro-v1:0"}}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	fs := &fakeSession{url: srv.URL, denied: map[string]bool{"333333333333": true}, regionOf: map[string]int{},
		org: []string{"111111111111", "222222222222", "333333333333"}}
	e := defaultEnv()
	e.loadAWS = stubAWS(srv.URL)
	e.now = func() time.Time { return now }
	e.newSession = func(context.Context, aws.Config, string) (targetSession, error) { return fs, nil }
	var out, errb strings.Builder
	code := e.run(context.Background(), []string{"--organization", "--regions", "us-east-1", "--regions", "eu-west-1", "--days", "2", "--format", "json"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "333333333333") {
		t.Errorf("exit %d, stderr %q: want 1 naming the account whose role could not be assumed", code, errb.String())
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(out.String()))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	accts := byKey(t, m, "by_account")
	regions := byKey(t, m, "by_region")
	// each target: 2 model ids x 15 invocations
	if len(accts) != 2 || num(t, accts["111111111111"]["records"]) != 60 || num(t, accts["222222222222"]["records"]) != 60 {
		t.Errorf("by_account = %v", accts)
	}
	if len(regions) != 2 || num(t, regions["us-east-1"]["records"]) != 60 || num(t, regions["eu-west-1"]["records"]) != 60 {
		t.Errorf("by_region = %v (both --regions values are used)", regions)
	}
	if fs.regionOf["us-east-1"] != 2 || fs.regionOf["eu-west-1"] != 2 {
		t.Errorf("targets read per region: %v", fs.regionOf)
	}
	if n := len(m["metrics_targets"].([]any)); n != 4 || num(t, m["failed_targets"]) != 2 {
		t.Errorf("metrics_targets %d, failed_targets %v; want 4 and 2", n, m["failed_targets"])
	}
	checkSums(t, m)
	for _, c := range []struct{ args []string }{{[]string{"--accounts", "12345"}}, {[]string{"--logs", "x", "--accounts", "111111111111"}},
		{[]string{"--ou", "ou-abcd-12345678"}}, {[]string{"--regions", "mars-1"}}} {
		var o, eb strings.Builder
		if code := e.run(context.Background(), c.args, &o, &eb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", c.args, code, eb.String())
		}
	}
}
