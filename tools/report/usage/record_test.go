package usage

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ref is a slow, obviously correct reading of a record with encoding/json,
// following the rules documented on Parser.
type ref struct {
	ts                                  time.Time
	account, op, model, caller, errCode string
	hasErr, hasTag                      bool
	tag                                 string
	in, out, cacheRead, cacheWrite      int64
	hasAccount, hasOp, hasCaller        bool
	region, infRegion                   string
}

var countRe = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

func refParse(line []byte, tagKey string) (ref, bool) {
	var r ref
	if !json.Valid(line) { // exactly one JSON value
		return r, false
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return r, false
	}
	top, ok := v.(map[string]any)
	if !ok {
		return r, false
	}
	str := func(m map[string]any, k string) (string, bool, bool) { // value, present, ok
		x, present := m[k]
		if !present || x == nil {
			return "", false, true
		}
		s, ok := x.(string)
		return s, true, ok
	}
	obj := func(m map[string]any, k string) (map[string]any, bool) {
		x, present := m[k]
		if !present || x == nil {
			return nil, true
		}
		o, ok := x.(map[string]any)
		return o, ok
	}
	count := func(m map[string]any, k string) (int64, bool) {
		x, present := m[k]
		if !present || x == nil {
			return 0, true
		}
		num, ok := x.(json.Number)
		if !ok || !countRe.MatchString(string(num)) || len(num) > 16 {
			return 0, false
		}
		n, err := num.Int64()
		return n, err == nil && n <= maxTokens
	}
	var ts string
	var present bool
	if ts, present, ok = str(top, "timestamp"); !ok || !present {
		return r, false
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return r, false
	}
	r.ts = t
	if r.model, _, ok = str(top, "modelId"); !ok || r.model == "" {
		return r, false
	}
	if r.account, r.hasAccount, ok = str(top, "accountId"); !ok {
		return r, false
	}
	if r.op, r.hasOp, ok = str(top, "operation"); !ok {
		return r, false
	}
	if r.errCode, _, ok = str(top, "errorCode"); !ok {
		return r, false
	}
	if r.region, _, ok = str(top, "region"); !ok {
		return r, false
	}
	if r.infRegion, _, ok = str(top, "inferenceRegion"); !ok {
		return r, false
	}
	r.hasErr = r.errCode != ""
	id, ok := obj(top, "identity")
	if !ok {
		return r, false
	}
	if id != nil {
		if r.caller, r.hasCaller, ok = str(id, "arn"); !ok {
			return r, false
		}
	}
	if tagKey != "" {
		md, ok := obj(top, "requestMetadata")
		if !ok {
			return r, false
		}
		if md != nil {
			if r.tag, r.hasTag, ok = str(md, tagKey); !ok {
				return r, false
			}
		}
	}
	in, ok := obj(top, "input")
	if !ok {
		return r, false
	}
	if in != nil {
		if r.in, ok = count(in, "inputTokenCount"); !ok {
			return r, false
		}
		if r.cacheRead, ok = count(in, "cacheReadInputTokenCount"); !ok {
			return r, false
		}
		if r.cacheWrite, ok = count(in, "cacheWriteInputTokenCount"); !ok {
			return r, false
		}
	}
	out, ok := obj(top, "output")
	if !ok {
		return r, false
	}
	if out != nil {
		if r.out, ok = count(out, "outputTokenCount"); !ok {
			return r, false
		}
	}
	return r, true
}

func checkParse(t *testing.T, line []byte, tagKey string) {
	var p Parser
	p.TagKey = tagKey
	var rec Record
	err := p.Parse(line, &rec)
	want, ok := refParse(line, tagKey)
	if !ok {
		if err == nil && json.Valid(line) {
			t.Fatalf("accepted a line that is valid JSON but not a valid record: %q", line)
		}
		return // leniency inside strings the report skips is allowed
	}
	if err != nil {
		t.Fatalf("rejected a valid record: %q", line)
	}
	got := ref{ts: rec.Timestamp, account: string(rec.AccountID), op: string(rec.Operation), model: string(rec.ModelID),
		caller: string(rec.CallerARN), errCode: string(rec.ErrorCode), hasErr: rec.HasError, hasTag: rec.HasTag, tag: string(rec.Tag),
		in: rec.InputTokens, out: rec.OutputTokens, cacheRead: rec.CacheReadTokens, cacheWrite: rec.CacheWriteTokens,
		hasAccount: rec.AccountID != nil, hasOp: rec.Operation != nil, hasCaller: rec.CallerARN != nil,
		region: string(rec.Region), infRegion: string(rec.InferenceRegion)}
	if !got.ts.Equal(want.ts) {
		t.Fatalf("timestamp %v, want %v for %q", got.ts, want.ts, line)
	}
	got.ts = want.ts
	if got != want {
		t.Fatalf("parse(%q)\n got %+v\nwant %+v", line, got, want)
	}
}

var seeds = []string{
	`{"schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","requestId":"r1","operation":"Converse","modelId":"anthropic.claude-3-5-sonnet-20240620-v1:0","identity":{"arn":"arn:aws:sts::111111111111:assumed-role/AppRole/sess-1"},"requestMetadata":{"team":"alpha"},"input":{"inputContentType":"application/json","inputBodyJson":{"messages":[{"role":"user","content":[{"text":"hello \"world\""}]}]},"inputTokenCount":1000,"cacheReadInputTokenCount":5,"cacheWriteInputTokenCount":7},"output":{"outputContentType":"application/json","outputBodyJson":[{"a":1},{"b":[true,false,null,-1.5e3]}],"outputTokenCount":500}}`,
	`{"timestamp":"2026-11-21T05:00:00+02:00","modelId":"arn:aws:bedrock:us-east-1::foundation-model\/amazon.nova-micro-v1:0","errorCode":"ValidationException","identity":null,"input":null}`,
	`{"timestamp":"2026-11-21T05:00:00.123456789Z","modelId":"x","errorCode":"","requestMetadata":{"team":null},"identity":{"arn":"\u0061rn"}}`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x","input":{"inputTokenCount":1.5}}`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x","input":{"inputTokenCount":-1}}`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x","input":{"inputTokenCount":01}}`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x","modelId":"y"} `,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x"}x`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":""}`,
	`{"timestamp":"yesterday","modelId":"x"}`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":5}`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x","identity":"arn"}`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x","output":{"outputTokenCount":"5"}}`,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x\ud83d\ude00","accountId":"1\t"}`,
	`{not json`,
	`{"timestamp":"0000-01-10T0:00:00Z","modelId":"\b"}}`,
	`[1,2]`,
	`{}`,
	``,
	`{"timestamp":"2026-11-21T05:00:00Z","modelId":"x","input":{"inputTokenCount":99999999999999999999}}`,
}

func TestParserAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range seeds {
		for _, tag := range []string{"", "team"} {
			checkParse(t, []byte(s), tag)
		}
	}
	// every truncation of a valid record is rejected
	full := []byte(seeds[0])
	var p Parser
	var rec Record
	for i := 0; i < len(full); i++ {
		if p.Parse(full[:i], &rec) == nil {
			t.Fatalf("accepted a record truncated to %d bytes", i)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s), "")
		f.Add([]byte(s), "team")
	}
	f.Fuzz(func(t *testing.T, line []byte, tagKey string) {
		if strings.ContainsAny(tagKey, "\\\"") {
			tagKey = ""
		}
		checkParse(t, line, tagKey)
	})
}

func TestBaseModel(t *testing.T) {
	for in, want := range map[string]string{
		"amazon.nova-micro-v1:0":                        "amazon.nova-micro-v1:0",
		"us.anthropic.claude-3-5-sonnet-20240620-v1:0":  "anthropic.claude-3-5-sonnet-20240620-v1:0",
		"us-gov.anthropic.claude-3-haiku-20240307-v1:0": "anthropic.claude-3-haiku-20240307-v1:0",
		"eu.x":   "x",
		"apac.x": "x",
		"jp.x":   "x",
		"au.x":   "x",
		"ca.x":   "x",
		"global.anthropic.claude-sonnet-4-20250514-v1:0": "anthropic.claude-sonnet-4-20250514-v1:0",
		"us.us.x": "us.x", // one prefix only
		"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0":                                "amazon.nova-pro-v1:0",
		"arn:aws:bedrock:us-east-1:111111111111:inference-profile/eu.amazon.nova-pro-v1:0":                "amazon.nova-pro-v1:0",
		"arn:aws-us-gov:bedrock:us-gov-west-1:1:inference-profile/us-gov.meta.llama3-1-70b-instruct-v1:0": "meta.llama3-1-70b-instruct-v1:0",
		"arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc":                        "arn:aws:bedrock:us-east-1:111111111111:application-inference-profile/abc",
		"arn:aws:bedrock:us-east-1:111111111111:provisioned-model/xyz":                                    "arn:aws:bedrock:us-east-1:111111111111:provisioned-model/xyz",
		"arn:broken": "arn:broken",
		"us.":        "us.",
	} {
		if got, _ := BaseModel(in); got != want {
			t.Errorf("BaseModel(%q) = %q, want %q", in, got, want)
		}
	}
	if _, profile := BaseModel("arn:aws:bedrock:us-east-1:1:application-inference-profile/abc"); !profile {
		t.Error("application inference profile not recognised")
	}
}

func TestCallerKey(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:sts::111111111111:assumed-role/AppRole/sess-1":  "arn:aws:sts::111111111111:assumed-role/AppRole",
		"arn:aws-us-gov:sts::111111111111:assumed-role/R/i-0abc": "arn:aws-us-gov:sts::111111111111:assumed-role/R",
		"arn:aws:iam::111111111111:role/service-role/MyRole":     "arn:aws:iam::111111111111:role/service-role/MyRole",
		"arn:aws:iam::111111111111:user/alice":                   "arn:aws:iam::111111111111:user/alice",
		"arn:aws:sts::111111111111:assumed-role/NoSession":       "arn:aws:sts::111111111111:assumed-role/NoSession",
		"": "",
	} {
		if got := string(CallerKey([]byte(in))); got != want {
			t.Errorf("CallerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCostIsExactAndSumsToTotal(t *testing.T) {
	prices, err := ParsePrices([]byte(`{"models":{"m":{"input_per_1k":0.000035,"output_per_1k":0.00014,"cache_read_per_1k":0.0003,"cache_write_per_1k":0.00375}}}`))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAggregator(NewConfig(Options{Prices: prices}))
	for i := 0; i < 1000; i++ {
		a.AddGroup(&Group{ModelID: "m", AccountID: string(rune('a' + i%7)), Counters: Counters{Records: 1, InputTokens: int64(i), OutputTokens: 3, CacheReadTokens: 1, CacheWriteTokens: 1}})
	}
	// sum(i)=499500 x 0.000035/1000 + 3000 x 0.00014/1000 + 1000 x 0.0003/1000 + 1000 x 0.00375/1000
	if got := FormatUSD(a.Total.CostUnits); got != "0.0219525" {
		t.Errorf("total cost %s, want 0.0219525 (0.0174825 + 0.00042 + 0.0003 + 0.00375)", got)
	}
	var sum int64
	for _, r := range a.Rows(ByAccount) {
		sum += r.CostUnits
	}
	if sum != a.Total.CostUnits {
		t.Errorf("by_account sums to %d units, total %d", sum, a.Total.CostUnits)
	}
	for units, want := range map[int64]string{0: "0", 1: "0.0000000001", 10_000_000_000: "1", 123_450_000_000: "12.345", -5: "-0.0000000005"} {
		if got := FormatUSD(units); got != want {
			t.Errorf("FormatUSD(%d) = %s, want %s", units, got, want)
		}
	}
}

func TestParsePricesRejectsBadFiles(t *testing.T) {
	for _, bad := range []string{`{}`, `{"models":{"m":{"input_per_1k":-1}}}`, `{"models":{"m":{"input":1}}}`, `{"models":{"m":{"input_per_1k":"0.1"}}}`, `[]`} {
		if _, err := ParsePrices([]byte(bad)); err == nil {
			t.Errorf("ParsePrices(%s) accepted", bad)
		}
	}
	if p := EmbeddedPrices(); p.Source == "" || p.AsOf == "" || len(p.Models) < 5 {
		t.Errorf("embedded table lacks source, date or models: %+v", p)
	}
}
