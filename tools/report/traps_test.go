package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The trap tree: every modelId form, streaming output, error records, cache
// tokens, time zones, escapes, malformed lines, corrupt objects, a data/
// object and the permission-check object. Hand-computed totals are in
// TestLogsDirHandComputedTotals.
const trapPrices = `{"models": {
  "anthropic.claude-3-5-sonnet-20240620-v1:0": {"input_per_1k": 0.003, "output_per_1k": 0.015, "cache_read_per_1k": 0.0003, "cache_write_per_1k": 0.00375},
  "amazon.nova-micro-v1:0": {"input_per_1k": 0.000035, "output_per_1k": 0.00014},
  "meta.llama3-1-70b-instruct-v1:0": {"input_per_1k": 0.00072, "output_per_1k": 0.00072}
}}`

const (
	r1 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","requestId":"r1","operation":"Converse","modelId":"anthropic.claude-3-5-sonnet-20240620-v1:0","identity":{"arn":"arn:aws:sts::111111111111:assumed-role/AppRole/sess-1"},"requestMetadata":{"team":"alpha","env":"prod"},"input":{"inputContentType":"application/json","inputBodyJson":{"messages":[{"role":"user","content":[{"text":"hello \"world\" {not a key}"}]}],"inferenceConfig":{"maxTokens":512,"temperature":0.5}},"inputTokenCount":1000},"output":{"outputContentType":"application/json","outputBodyJson":{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2}},"outputTokenCount":500}}`
	// streaming: outputBodyJson is an array; cache tokens; geo prefix us.
	r2 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-20T11:00:00Z","accountId":"111111111111","region":"us-east-1","requestId":"r2","operation":"ConverseStream","modelId":"us.anthropic.claude-3-5-sonnet-20240620-v1:0","identity":{"arn":"arn:aws:sts::111111111111:assumed-role/AppRole/sess-2"},"requestMetadata":{"team":"alpha"},"input":{"inputContentType":"application/json","inputBodyJson":{"messages":[]},"inputTokenCount":2000,"cacheReadInputTokenCount":10000,"cacheWriteInputTokenCount":4000},"output":{"outputContentType":"application/json","outputBodyJson":[{"messageStart":{"role":"assistant"}},{"contentBlockDelta":{"delta":{"text":"a]}"}}},{"metadata":{"usage":{"inputTokens":9}}}],"outputTokenCount":100}}`
	// foundation-model ARN with an escaped slash, last millisecond of the day
	r3 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-20T23:59:59.999Z","accountId":"222222222222","region":"us-east-1","requestId":"r3","operation":"InvokeModel","modelId":"arn:aws:bedrock:us-east-1::foundation-model\/amazon.nova-micro-v1:0","identity":{"arn":"arn:aws:iam::222222222222:user/alice"},"requestMetadata":{"team":"beta"},"input":{"inputContentType":"application/json","inputBodyS3Path":"s3://b/AWSLogs/222222222222/BedrockModelInvocationLogs/us-east-1/2026/11/20/23/data/x.json","inputTokenCount":10000},"output":{"outputContentType":"application/json","outputBodyJson":{"x":[1,2.5e3,-0.5,true,false,null]},"outputTokenCount":2000}}`
	// inference-profile ARN with a geo prefix, no requestMetadata
	r4 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-21T00:00:00Z","accountId":"222222222222","region":"eu-west-1","requestId":"r4","operation":"InvokeModelWithResponseStream","modelId":"arn:aws:bedrock:eu-west-1:222222222222:inference-profile/eu.amazon.nova-micro-v1:0","identity":{"arn":"arn:aws:iam::222222222222:role/Batch"},"input":{"inputContentType":"application/json","inputTokenCount":3000},"output":{"outputContentType":"application/json","outputBodyJson":[{"chunk":{"bytes":"eyJ0eXBlIjoi"}}],"outputTokenCount":1000}}`
	// error record whose tokens still count; a +02:00 offset (03:00Z); global. prefix
	r5 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-21T05:00:00+02:00","accountId":"111111111111","region":"us-east-1","requestId":"r5","operation":"Converse","modelId":"global.anthropic.claude-3-5-sonnet-20240620-v1:0","identity":{"arn":"arn:aws:sts::111111111111:assumed-role/AppRole/sess-3"},"requestMetadata":{"team":"alpha"},"errorCode":"ValidationException","input":{"inputContentType":"application/json","inputTokenCount":100},"output":{"outputContentType":"application/json","outputTokenCount":0}}`
	// application inference profile: stays whole, unpriced
	r6 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-21T12:00:00Z","accountId":"333333333333","region":"us-east-1","requestId":"r6","operation":"Converse","modelId":"arn:aws:bedrock:us-east-1:333333333333:application-inference-profile/abc123xyz","identity":{"arn":"arn:aws:iam::333333333333:role/TeamRole"},"requestMetadata":{"team":"gamma"},"input":{"inputContentType":"application/json","inputTokenCount":500},"output":{"outputContentType":"application/json","outputTokenCount":50}}`
	// us-gov. prefix, -05:00 offset (06:00Z)
	r7 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-22T01:00:00-05:00","accountId":"333333333333","region":"us-gov-west-1","requestId":"r7","operation":"Converse","modelId":"us-gov.meta.llama3-1-70b-instruct-v1:0","identity":{"arn":"arn:aws:sts::333333333333:assumed-role/TeamRole/x"},"requestMetadata":{"team":"gamma"},"input":{"inputContentType":"application/json","inputTokenCount":1000},"output":{"outputContentType":"application/json","outputTokenCount":1000}}`
	// a model without a price; empty errorCode is not an error; no identity
	r8 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-22T07:00:00Z","accountId":"333333333333","region":"us-east-1","requestId":"r8","operation":"Converse","modelId":"cohere.command-r-v1:0","errorCode":"","input":{"inputContentType":"application/json","inputTokenCount":10},"output":{"outputContentType":"application/json","outputTokenCount":20}}`
	// error record without token counts; apac. prefix; plain (uncompressed) file
	r9 = `{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-22T08:00:00Z","accountId":"111111111111","region":"ap-southeast-1","requestId":"r9","operation":"InvokeModel","modelId":"apac.amazon.nova-micro-v1:0","identity":{"arn":"arn:aws:iam::111111111111:user/bob"},"errorCode":"AccessDeniedException","input":{"inputContentType":"application/json"},"output":{"outputContentType":"application/json"}}`
)

var malformedLines = []string{
	`{not json`,
	r1[:len(r1)/2], // truncated
	`{"timestamp":"2026-11-20T10:00:00Z","modelId":5}`,
	`[1,2]`,
	`{"timestamp":"yesterday","modelId":"amazon.nova-micro-v1:0"}`,
	`{"timestamp":"2026-11-20T10:00:00Z","modelId":"amazon.nova-micro-v1:0","input":{"inputTokenCount":"100"}}`,
}

func gz(t testing.TB, lines ...string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	for _, l := range lines {
		w.Write([]byte(l + "\n"))
	}
	w.Close()
	return b.Bytes()
}

// trapFiles returns the trap tree as relative path -> content.
func trapFiles(t testing.TB) map[string][]byte {
	p := func(acct, region, dateHour string) string {
		return "AWSLogs/" + acct + "/BedrockModelInvocationLogs/" + region + "/" + dateHour + "/"
	}
	good := gz(t, r2)
	broken := gz(t, r1, r2, r3)
	return map[string][]byte{
		"amazon-bedrock-logs-permission-check":                        []byte(r1 + "\n"),
		p("111111111111", "us-east-1", "2026/11/20/10") + "a.json.gz": gz(t, append([]string{r1, ""}, malformedLines...)...),
		p("111111111111", "us-east-1", "2026/11/20/11") + "b.json.gz": good,
		// large-body objects are not log records
		p("111111111111", "us-east-1", "2026/11/20/11") + "data/big.json.gz": gz(t, r1, r1, r1),
		p("222222222222", "us-east-1", "2026/11/20/23") + "c.json.gz":        gz(t, r3),
		p("222222222222", "eu-west-1", "2026/11/21/00") + "d.json.gz":        gz(t, r4),
		p("111111111111", "us-east-1", "2026/11/21/03") + "e.json.gz":        gz(t, r5),
		p("333333333333", "us-east-1", "2026/11/21/12") + "f.json.gz":        gz(t, r6, "   "),
		p("333333333333", "us-east-1", "2026/11/22/06") + "g.json.gz":        gz(t, r7, r8),
		p("111111111111", "ap-southeast-1", "2026/11/22/08") + "h.json":      []byte(r9 + "\r\n"),
		// a partial object (cut short) and an object that is not gzip at all
		p("111111111111", "us-east-1", "2026/11/21/09") + "broken.json.gz": broken[:len(broken)-20],
		p("111111111111", "us-east-1", "2026/11/21/10") + "junk.json.gz":   []byte{0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7},
		p("111111111111", "us-east-1", "2026/11/21/10") + "notes.txt":      []byte("not a log"),
	}
}

func writeTree(t testing.TB, dir string, files map[string][]byte) {
	for name, b := range files {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func runJSON(t *testing.T, e *env, args ...string) (map[string]any, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := e.run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var m map[string]any
	dec := json.NewDecoder(&out)
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("json: %v\n%s", err, out.String())
	}
	return m, errb.String()
}

// offlineEnv fails the test if anything tries to load AWS configuration.
func offlineEnv(t *testing.T) *env {
	e := defaultEnv()
	e.loadAWS = nil // a call panics: --logs DIR must not touch AWS
	return e
}

type row struct {
	records, errors, in, out, cr, cw int64
	cost                             string
	unpriced                         int64
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, err := v.(json.Number).Int64()
	if err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return n
}

func rat(t *testing.T, v any) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(string(v.(json.Number)))
	if !ok {
		t.Fatalf("not a number: %v", v)
	}
	return r
}

func checkRow(t *testing.T, what string, m map[string]any, want row) {
	t.Helper()
	got := row{num(t, m["records"]), num(t, m["errors"]), num(t, m["input_tokens"]), num(t, m["output_tokens"]),
		num(t, m["cache_read_input_tokens"]), num(t, m["cache_write_input_tokens"]), "", num(t, m["unpriced_records"])}
	if rat(t, m["estimated_cost_usd"]).Cmp(rat(t, json.Number(want.cost))) != 0 {
		t.Errorf("%s: cost %v, want %s", what, m["estimated_cost_usd"], want.cost)
	}
	want.cost = ""
	if got != want {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

func byKey(t *testing.T, m map[string]any, list string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, x := range m[list].([]any) {
		r := x.(map[string]any)
		out[r["key"].(string)] = r
	}
	return out
}

// checkSums proves that every by_* list sums exactly to the totals.
func checkSums(t *testing.T, m map[string]any) {
	t.Helper()
	fields := []string{"records", "errors", "input_tokens", "output_tokens", "cache_read_input_tokens", "cache_write_input_tokens", "unpriced_records", "estimated_cost_usd"}
	for list := range m {
		if !strings.HasPrefix(list, "by_") {
			continue
		}
		for _, f := range fields {
			sum := new(big.Rat)
			for _, x := range m[list].([]any) {
				sum.Add(sum, rat(t, x.(map[string]any)[f]))
			}
			if sum.Cmp(rat(t, m[f])) != 0 {
				t.Errorf("%s: sum of %s is %s, total %v", list, f, sum.FloatString(10), m[f])
			}
		}
	}
}

func TestLogsDirHandComputedTotals(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, trapFiles(t))
	prices := filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(prices, []byte(trapPrices), 0o644)

	m, stderr := runJSON(t, offlineEnv(t), "--logs", dir, "--prices", prices, "--format", "json", "--group-by", "tag:team")

	// R1 0.0105 + R2 0.0255 + R3 0.00063 + R4 0.000245 + R5 0.0003 + R7 0.00144; R6, R8 unpriced
	checkRow(t, "totals", m, row{9, 2, 17610, 4670, 10000, 4000, "0.038615", 2})
	if got := []int64{num(t, m["skipped_lines"]), num(t, m["unreadable_objects"])}; got[0] != 6 || got[1] != 2 {
		t.Errorf("skipped_lines, unreadable_objects = %v, want [6 2]", got)
	}
	for _, name := range []string{"broken.json.gz", "junk.json.gz"} {
		if !strings.Contains(stderr, name) {
			t.Errorf("stderr does not name %s:\n%s", name, stderr)
		}
	}
	models := byKey(t, m, "by_model")
	checkRow(t, "sonnet", models["anthropic.claude-3-5-sonnet-20240620-v1:0"], row{3, 1, 3100, 600, 10000, 4000, "0.0363", 0})
	checkRow(t, "nova micro", models["amazon.nova-micro-v1:0"], row{3, 1, 13000, 3000, 0, 0, "0.000875", 0})
	checkRow(t, "llama", models["meta.llama3-1-70b-instruct-v1:0"], row{1, 0, 1000, 1000, 0, 0, "0.00144", 0})
	checkRow(t, "profile", models["arn:aws:bedrock:us-east-1:333333333333:application-inference-profile/abc123xyz"], row{1, 0, 500, 50, 0, 0, "0", 1})
	checkRow(t, "cohere", models["cohere.command-r-v1:0"], row{1, 0, 10, 20, 0, 0, "0", 1})
	if len(models) != 5 {
		t.Errorf("by_model has %d keys: %v", len(models), models)
	}
	ids := byKey(t, m, "by_model_id")
	if len(ids) != 9 {
		t.Errorf("by_model_id has %d keys, want 9 (every form as logged)", len(ids))
	}
	if _, ok := ids["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"]; !ok {
		t.Errorf("escaped ARN not decoded: %v", ids)
	}
	callers := byKey(t, m, "by_caller")
	checkRow(t, "AppRole", callers["arn:aws:sts::111111111111:assumed-role/AppRole"], row{3, 1, 3100, 600, 10000, 4000, "0.0363", 0})
	for _, k := range []string{"arn:aws:iam::222222222222:user/alice", "arn:aws:iam::222222222222:role/Batch", "arn:aws:iam::333333333333:role/TeamRole", "arn:aws:sts::333333333333:assumed-role/TeamRole", "(unknown)", "arn:aws:iam::111111111111:user/bob"} {
		if callers[k] == nil {
			t.Errorf("by_caller lacks %s", k)
		}
	}
	days := byKey(t, m, "by_day")
	checkRow(t, "2026-11-20", days["2026-11-20"], row{3, 0, 13000, 2600, 10000, 4000, "0.03663", 0})
	checkRow(t, "2026-11-21", days["2026-11-21"], row{3, 1, 3600, 1050, 0, 0, "0.000545", 1})
	checkRow(t, "2026-11-22", days["2026-11-22"], row{3, 1, 1010, 1020, 0, 0, "0.00144", 1})
	accts := byKey(t, m, "by_account")
	checkRow(t, "111", accts["111111111111"], row{4, 2, 3100, 600, 10000, 4000, "0.0363", 0})
	checkRow(t, "222", accts["222222222222"], row{2, 0, 13000, 3000, 0, 0, "0.000875", 0})
	checkRow(t, "333", accts["333333333333"], row{3, 0, 1510, 1070, 0, 0, "0.00144", 2})
	ops := byKey(t, m, "by_operation")
	checkRow(t, "Converse", ops["Converse"], row{5, 1, 2610, 1570, 0, 0, "0.01224", 2})
	tags := byKey(t, m, "by_tag")
	checkRow(t, "alpha", tags["alpha"], row{3, 1, 3100, 600, 10000, 4000, "0.0363", 0})
	checkRow(t, "untagged", tags["(untagged)"], row{3, 1, 3010, 1020, 0, 0, "0.000245", 1})
	checkSums(t, m)
	unpriced := m["unpriced_models"].([]any)
	if len(unpriced) != 2 {
		t.Errorf("unpriced_models = %v", unpriced)
	}
}

// The committed copy of the trap tree gives the same hand-computed totals:
// go run ./tools/report --logs tools/report/testdata/traps/logs --prices tools/report/testdata/traps/prices.json --format json
func TestCommittedTrapTree(t *testing.T) {
	m, _ := runJSON(t, offlineEnv(t), "--logs", "testdata/traps/logs", "--prices", "testdata/traps/prices.json", "--format", "json", "-q")
	checkRow(t, "totals", m, row{9, 2, 17610, 4670, 10000, 4000, "0.038615", 2})
	if num(t, m["skipped_lines"]) != 6 || num(t, m["unreadable_objects"]) != 2 {
		t.Errorf("skipped_lines %v unreadable_objects %v, want 6 and 2", m["skipped_lines"], m["unreadable_objects"])
	}
	checkSums(t, m)
}
