package usage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustPrices(t *testing.T, js string) *PriceTable {
	t.Helper()
	p, err := ParsePrices([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func rec(model, account, region string, in, out, cr, cw int64) *Record {
	return &Record{Timestamp: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), ModelID: []byte(model), AccountID: []byte(account),
		Region: []byte(region), InputTokens: in, OutputTokens: out, CacheReadTokens: cr, CacheWriteTokens: cw}
}

// A token kind without a price makes the cost partial and says which tokens
// are left out; a model without a price is unpriced, never $0.
func TestUnknownIsNeverZero(t *testing.T) {
	prices := mustPrices(t, `{"models":{"m":{"input_per_1k":0.001,"output_per_1k":0.002}}}`)
	a := NewAggregator(NewConfig(Options{Prices: prices}))
	a.AddRecord(rec("m", "a", "us-east-1", 1000, 1000, 0, 0))   // complete: 0.003
	a.AddRecord(rec("m", "b", "us-east-1", 1000, 1000, 500, 7)) // partial: cache has no price
	a.AddRecord(rec("other", "c", "us-east-1", 10, 20, 0, 0))   // unpriced model
	rep := BuildReport(a, "test", time.Time{}, time.Time{})
	acc := map[string]Row{}
	for _, r := range rep.ByAccount {
		acc[r.Key] = r
	}
	for key, want := range map[string]struct {
		status          string
		cost            string
		records, tokens int64
	}{
		"a": {CostComplete, "0.003", 0, 0},
		"b": {CostPartial, "0.003", 1, 507},
		"c": {CostUnpriced, "0", 1, 30},
	} {
		got := acc[key]
		if got.CostStatus != want.status || string(got.EstimatedCostUSD) != want.cost || got.UnpricedRecords != want.records || got.UnpricedTokens != want.tokens {
			t.Errorf("account %s: status %s cost %s unpriced %d records %d tokens; want %+v", key, got.CostStatus, got.EstimatedCostUSD,
				got.UnpricedRecords, got.UnpricedTokens, want)
		}
	}
	if rep.CostStatus != CostPartial || rep.UnpricedRecords != 2 || rep.UnpricedTokens != 537 {
		t.Errorf("totals: status %s, %d unpriced records, %d unpriced tokens; want partial, 2, 537", rep.CostStatus, rep.UnpricedRecords, rep.UnpricedTokens)
	}
	um := map[string]UnpricedModel{}
	for _, u := range rep.UnpricedModels {
		um[u.Key] = u
	}
	if u := um["m"]; u.NoPrice || strings.Join(u.Missing, ",") != "cache_read,cache_write" || u.Tokens != 507 {
		t.Errorf("unpriced_models m = %+v, want the cache kinds missing and 507 tokens", u)
	}
	if u := um["other"]; !u.NoPrice || u.Records != 1 || u.Tokens != 30 {
		t.Errorf("unpriced_models other = %+v, want no_price, 1 record, 30 tokens", u)
	}
}

// A row with an unknown cost ranks by tokens, so --top N shows the largest
// user of an unpriced model as well as the largest spenders.
func TestUnpricedRowsRankByTokens(t *testing.T) {
	prices := mustPrices(t, `{"models":{"m":{"input_per_1k":0.001,"output_per_1k":0.001}}}`)
	a := NewAggregator(NewConfig(Options{Prices: prices}))
	a.AddRecord(rec("m", "small-priced", "", 100, 0, 0, 0))
	a.AddRecord(rec("m", "big-priced", "", 5000, 0, 0, 0))
	a.AddRecord(rec("new-model", "huge-unpriced", "", 9_000_000, 0, 0, 0))
	a.AddRecord(rec("new-model", "tiny-unpriced", "", 1, 0, 0, 0))
	rows := a.Rows(ByAccount)
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
	}
	if got := strings.Join(keys[:2], ","); got != "huge-unpriced,big-priced" {
		t.Errorf("first two rows %s, want the largest unpriced user and the largest spender (all: %v)", got, keys)
	}
	if keys[len(keys)-1] != "tiny-unpriced" {
		t.Errorf("order %v: the tiny unpriced row should come last", keys)
	}
}

// Prices follow the region the request was made in and the global. scope.
func TestRegionalAndGlobalPrices(t *testing.T) {
	prices := mustPrices(t, `{"models":{"m":{"input_per_1k":0.0033,"output_per_1k":0.0165,
		"global":{"input_per_1k":0.003,"output_per_1k":0.015},
		"regions":{"eu-west-1":{"input_per_1k":0.004}}}}}`)
	a := NewAggregator(NewConfig(Options{Prices: prices}))
	a.AddRecord(rec("us.m", "geo", "us-east-1", 1000, 1000, 0, 0))        // 0.0033 + 0.0165
	a.AddRecord(rec("global.m", "global", "us-east-1", 1000, 1000, 0, 0)) // 0.003 + 0.015
	a.AddRecord(rec("eu.m", "eu", "eu-west-1", 1000, 1000, 0, 0))         // 0.004 + 0.0165 (output falls back)
	a.AddRecord(rec("arn:aws:bedrock:us-east-1:1:inference-profile/global.m", "global-arn", "us-east-1", 1000, 0, 0, 0))
	want := map[string]string{"geo": "0.0198", "global": "0.018", "eu": "0.0205", "global-arn": "0.003"}
	for _, r := range a.Rows(ByAccount) {
		if got := FormatUSD(r.CostUnits); got != want[r.Key] {
			t.Errorf("%s: cost %s, want %s", r.Key, got, want[r.Key])
		}
	}
	regions := map[string]int64{}
	for _, r := range a.Rows(ByRegion) {
		regions[r.Key] = r.Records
	}
	if regions["us-east-1"] != 3 || regions["eu-west-1"] != 1 {
		t.Errorf("by_region = %v", regions)
	}
}

func TestByInferenceRegion(t *testing.T) {
	a := NewAggregator(NewConfig(Options{}))
	r := rec("us.amazon.nova-micro-v1:0", "a", "us-east-1", 10, 10, 0, 0)
	r.InferenceRegion = []byte("us-west-2")
	a.AddRecord(r)
	a.AddRecord(rec("amazon.nova-micro-v1:0", "a", "us-east-1", 10, 10, 0, 0))
	got := map[string]int64{}
	for _, x := range a.Rows(ByInferenceRegion) {
		got[x.Key] = x.Records
	}
	if got["us-west-2"] != 1 || got["us-east-1"] != 1 {
		t.Errorf("by_inference_region = %v, want one record each in us-west-2 and us-east-1", got)
	}
}

func TestLoadPricesIsStrict(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for name, c := range map[string]struct{ body, wantErr string }{
		"unknown":  {`{"models":{"anthropic.claude-sonet-4":{"input_per_1k":1}}}`, "matches no model this tool knows"},
		"prefixed": {`{"models":{"us.amazon.nova-micro-v1:0":{"input_per_1k":1}}}`, "not us.amazon.nova-micro-v1:0"},
		"garbage":  {`{"models":{"amazon.nova-micro-v1:0":{"input_per_1k":1}}} trailing`, "unexpected content after the JSON object"},
		"two":      {`{"models":{}}{"models":{}}`, "unexpected content after the JSON object"},
	} {
		_, err := LoadPrices(write(name, c.body))
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", name, err, c.wantErr)
		}
	}
	if _, err := LoadPrices(""); err == nil || !strings.Contains(err.Error(), "empty file name") {
		t.Errorf("empty path: %v", err)
	}
	p, err := LoadPrices(write("new", `{"allow_new_models":true,"models":{"vendor.brand-new-v1:0":{"input_per_1k":1}}} `))
	if err != nil || p.Models["vendor.brand-new-v1:0"].InputPer1K == nil {
		t.Errorf("allow_new_models: %v", err)
	}
}

// A 7-day outage shows as 7 empty days, over the period's bounds too.
func TestDaySeriesIsZeroFilled(t *testing.T) {
	a := NewAggregator(NewConfig(Options{}))
	r1 := rec("amazon.nova-micro-v1:0", "a", "us-east-1", 10, 10, 0, 0)
	r1.Timestamp = time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)
	r2 := rec("amazon.nova-micro-v1:0", "a", "us-east-1", 10, 10, 0, 0)
	r2.Timestamp = time.Date(2026, 11, 10, 5, 0, 0, 0, time.UTC)
	a.AddRecord(r1)
	a.AddRecord(r2)
	rep := BuildReport(a, "t", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC))
	var keys []string
	empty := 0
	for _, d := range rep.ByDay {
		keys = append(keys, d.Key)
		if d.Records == 0 {
			empty++
			if d.CostStatus != CostComplete || d.EstimatedCostUSD != "0" {
				t.Errorf("empty day %s: %+v", d.Key, d)
			}
		}
	}
	if len(keys) != 11 || keys[0] != "2026-11-01" || keys[10] != "2026-11-11" || empty != 9 {
		t.Errorf("by_day = %v (%d empty), want 2026-11-01..2026-11-11 with 9 empty days", keys, empty)
	}
	// open period: from the first to the last day with records
	rep = BuildReport(a, "t", time.Time{}, time.Time{})
	if len(rep.ByDay) != 9 {
		t.Errorf("open period: %d days, want 9 (11-02..11-10)", len(rep.ByDay))
	}
}

// A line over the limit is reported as oversized, not as malformed JSON.
func TestOversizedLinesAreCounted(t *testing.T) {
	defer func(old int) { MaxLineBytes = old }(MaxLineBytes)
	MaxLineBytes = 200 << 10 // above the reader's 64 KiB buffer
	good := `{"timestamp":"2026-11-20T10:00:00Z","modelId":"amazon.nova-micro-v1:0","input":{"inputTokenCount":5}}`
	big := `{"timestamp":"2026-11-20T10:00:00Z","modelId":"amazon.nova-micro-v1:0","input":{"inputBodyJson":"` + strings.Repeat("x", 300<<10) + `"}}`
	a := NewAggregator(NewConfig(Options{}))
	if err := ReadLines(strings.NewReader(good+"\n"+big+"\n"+good+"\n"+big), a); err != nil {
		t.Fatal(err)
	}
	if a.Total.Records != 2 || a.Skipped != 2 || a.Oversized != 2 {
		t.Errorf("records %d skipped %d oversized %d, want 2, 2, 2", a.Total.Records, a.Skipped, a.Oversized)
	}
}

// Every model the Price List mapping knows has an embedded price, so
// --prices FILE accepts the ids --prices aws produces.
func TestCatalogAndEmbeddedTableAgree(t *testing.T) {
	emb := EmbeddedPrices()
	for _, c := range Catalog {
		if _, ok := emb.Models[c.ID]; !ok {
			t.Errorf("catalog model %s has no embedded price", c.ID)
		}
	}
	for id := range emb.Models {
		if base, _ := BaseModel(id); base != id {
			t.Errorf("embedded key %s is not a base model id (%s)", id, base)
		}
	}
}
