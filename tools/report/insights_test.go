package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// logsStub is CloudWatch Logs speaking JSON 1.1, as the real client does.
type logsStub struct {
	mu           sync.Mutex
	calls        map[string]int
	query        map[string]any
	runningPolls int
}

func (s *logsStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")
	s.calls[op]++
	var in map[string]any
	json.NewDecoder(r.Body).Decode(&in)
	var out any
	row := func(kv ...string) []map[string]string {
		var fs []map[string]string
		for i := 0; i < len(kv); i += 2 {
			fs = append(fs, map[string]string{"field": kv[i], "value": kv[i+1]})
		}
		return fs
	}
	switch op {
	case "StartQuery":
		s.query = in
		out = map[string]any{"queryId": "q-123"}
	case "GetQueryResults":
		if in["queryId"] != "q-123" {
			http.Error(w, "bad query id", 400)
			return
		}
		if s.calls[op] <= s.runningPolls {
			out = map[string]any{"status": "Running", "results": []any{}}
			break
		}
		out = map[string]any{"status": "Complete",
			"statistics": map[string]any{"recordsScanned": 12, "recordsMatched": 10, "bytesScanned": 4096},
			"results": [][]map[string]string{
				row("modelId", "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "accountId", "111111111111", "day", "2026-11-20",
					"operation", "Converse", "caller", "arn:aws:sts::111111111111:assumed-role/AppRole", "tag", "alpha", "region", "us-east-1", "inferenceRegion", "us-west-2",
					"records", "4", "errors", "1", "input_tokens", "4000", "output_tokens", "1000", "cache_read_input_tokens", "10000", "cache_write_input_tokens", "2000"),
				// sums may come back in floating-point notation; absent sums are absent fields
				row("modelId", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0", "accountId", "222222222222", "day", "2026-11-21",
					"operation", "InvokeModel", "caller", "arn:aws:iam::222222222222:user/alice", "region", "us-east-1",
					"records", "6", "errors", "0", "input_tokens", "1.0E6", "output_tokens", "2000"),
			}}
	case "StopQuery":
		out = map[string]any{"success": true}
	default:
		http.Error(w, "unexpected "+op, 400)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func TestLogGroupRunsInsightsQuery(t *testing.T) {
	stub := &logsStub{calls: map[string]int{}, runningPolls: 2}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	e := defaultEnv()
	e.loadAWS = stubAWS(srv.URL)
	e.poll = time.Millisecond
	m, _ := runJSON(t, e, "--log-group", "/bedrock/invocations,/bedrock/other", "--start", "2026-11-20", "--end", "2026-11-21",
		"--group-by", "tag:team", "--format", "json", "-q")

	if stub.calls["StartQuery"] != 1 || stub.calls["GetQueryResults"] != 3 {
		t.Errorf("calls = %v, want 1 StartQuery and 3 GetQueryResults (2 Running polls)", stub.calls)
	}
	q := stub.query
	if got := q["logGroupNames"].([]any); len(got) != 2 || got[0] != "/bedrock/invocations" {
		t.Errorf("logGroupNames = %v", got)
	}
	start, end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	if int64(q["startTime"].(float64)) != start.Unix() || int64(q["endTime"].(float64)) != end.Unix() {
		t.Errorf("startTime/endTime = %v/%v, want %d/%d", q["startTime"], q["endTime"], start.Unix(), end.Unix())
	}
	qs := q["queryString"].(string)
	for _, want := range []string{"stats count(*) as records", "by modelId, accountId, day, operation, caller, region, inferenceRegion, tag", "requestMetadata.`team`"} {
		if !strings.Contains(qs, want) {
			t.Errorf("query lacks %q:\n%s", want, qs)
		}
	}
	if len(qs) > 10000 {
		t.Errorf("query is %d characters, limit 10,000", len(qs))
	}
	// sonnet: 4000 x 0.003 + 1000 x 0.015 + 10000 x 0.0003 + 2000 x 0.00375 (per 1k) = 0.012 + 0.015 + 0.003 + 0.0075
	// nova micro: 1e6 x 0.000035 + 2000 x 0.00014 (per 1k) = 0.035 + 0.00028
	checkRow(t, "totals", m, row{10, 1, 1004000, 3000, 10000, 2000, "0.07278", 0})
	if num(t, m["skipped_lines"]) != 2 {
		t.Errorf("skipped_lines = %v, want scanned-matched = 2", m["skipped_lines"])
	}
	checkRow(t, "sonnet", byKey(t, m, "by_model")["anthropic.claude-3-5-sonnet-20240620-v1:0"], row{4, 1, 4000, 1000, 10000, 2000, "0.0375", 0})
	if r := byKey(t, m, "by_region"); len(r) != 1 || num(t, r["us-east-1"]["records"]) != 10 {
		t.Errorf("by_region = %v", r)
	}
	if r := byKey(t, m, "by_inference_region"); num(t, r["us-west-2"]["records"]) != 4 || num(t, r["us-east-1"]["records"]) != 6 {
		t.Errorf("by_inference_region = %v", r)
	}
	tags := byKey(t, m, "by_tag")
	if tags["alpha"] == nil || tags["(untagged)"] == nil {
		t.Errorf("by_tag = %v", tags)
	}
	checkSums(t, m)
}
