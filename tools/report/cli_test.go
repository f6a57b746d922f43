package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBadFlagsGiveOneLineNamingTheValue(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--days", "seven"}, `--days "seven"`},
		{[]string{"--days", "0"}, `--days "0"`},
		{[]string{"--format", "xml"}, `--format "xml"`},
		{[]string{"--group-by", "team"}, `--group-by "team"`},
		{[]string{"--start", "last week", "--logs", dir}, `--start "last week"`},
		{[]string{"--start", "2026-11-20", "--end", "2026-11-10", "--logs", dir}, "is not before"},
		{[]string{"--days", "3", "--start", "2026-11-01", "--end", "2026-11-02"}, "at most two"},
		{[]string{"--logs", dir, "--log-group", "g"}, "choose one source"},
		{[]string{"--logs", filepath.Join(dir, "missing")}, "missing"},
		{[]string{"--logs", "s3:/bucket"}, `--logs "s3:/bucket"`},
		{[]string{"--bogus"}, "bogus"},
		{[]string{"--logs", dir, "--prices", filepath.Join(dir, "none.json")}, "none.json"},
		{[]string{"extra"}, `"extra"`},
	} {
		var out, errb bytes.Buffer
		code := offlineEnv(t).run(context.Background(), c.args, &out, &errb)
		msg := errb.String()
		if code != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line containing %q", c.args, code, msg, c.want)
		}
	}
}

func TestHelpExplainsEveryFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"--logs", "--log-group", "--days", "--start", "--end", "--prices", "--print-prices", "--resolve-profiles",
		"--format", "--output", "--group-by", "--top", "--region", "--profile", "--workers", "--quiet", "unpriced_records", "skipped_lines",
		"--prices aws", "--compare", "--strict", "--allow-empty", "--regions", "--accounts", "--organization", "--role-name", "cost_status"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("--help does not mention %s", f)
		}
	}
}

func TestFormats(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, trapFiles(t))
	prices := filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(prices, []byte(trapPrices), 0o644)
	out := func(format string, extra ...string) string {
		var o, e bytes.Buffer
		args := append([]string{"--logs", dir, "--prices", prices, "--format", format, "-q"}, extra...)
		if code := offlineEnv(t).run(context.Background(), args, &o, &e); code != 0 {
			t.Fatalf("%s: exit %d %s", format, code, e.String())
		}
		return o.String()
	}
	table := out("table")
	for _, want := range []string{"TOTAL", "9", "17,610", "0.0386", "By caller", "arn:aws:sts::111111111111:assumed-role/AppRole", "Unpriced", "cohere.command-r-v1:0", "junk.json.gz"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(out("csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[1][0] != "total" || rows[1][2] != "9" || rows[1][8] != "0.038615" {
		t.Errorf("csv total row = %v", rows[1])
	}
	md := out("markdown")
	if !strings.Contains(md, "## By model") || !strings.Contains(md, "| **total** | 9 |") {
		t.Errorf("markdown:\n%s", md)
	}
	page := out("html", "--group-by", "tag:team")
	for _, want := range []string{"<svg", "Tokens per day by model", "Estimated cost by account", "Top callers", "2026-11-21", "By tag team"} {
		if !strings.Contains(page, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	for _, banned := range []string{"http://", "https://", "<script"} {
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("html is not self-contained: contains %q", banned)
		}
	}
	// the default format is json when standard output is not a terminal
	var o, e bytes.Buffer
	offlineEnv(t).run(context.Background(), []string{"--logs", dir, "-q"}, &o, &e)
	if !json.Valid(o.Bytes()) {
		t.Errorf("default output to a pipe is not json: %.200s", o.String())
	}
}

func TestLogsDirPeriodFiltersDatesAndRecords(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, trapFiles(t))
	prices := filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(prices, []byte(trapPrices), 0o644)
	// 2026-11-21 only: R4, R5, R6 (the corrupt objects are under 11/21 too)
	m, _ := runJSON(t, offlineEnv(t), "--logs", dir, "--prices", prices, "--start", "2026-11-21", "--end", "2026-11-21", "-q")
	checkRow(t, "11-21", m, row{3, 1, 3600, 1050, 0, 0, "0.000545", 1})
	if num(t, m["unreadable_objects"]) != 2 || num(t, m["skipped_lines"]) != 0 {
		t.Errorf("unreadable %v skipped %v", m["unreadable_objects"], m["skipped_lines"])
	}
	// a period inside a day: date directories are read, records outside dropped and counted
	m, _ = runJSON(t, offlineEnv(t), "--logs", dir, "--prices", prices, "--start", "2026-11-21T02:00:00Z", "--end", "2026-11-21T13:00:00Z", "-q")
	checkRow(t, "02-13h", m, row{2, 1, 600, 50, 0, 0, "0.0003", 1})
	// R4 at 00:00, and R7, R8, R9 from the 22nd (read for late deliveries)
	if num(t, m["out_of_range_records"]) != 4 {
		t.Errorf("out_of_range_records = %v, want 4", m["out_of_range_records"])
	}
}

func TestResolveProfilesPricesApplicationProfiles(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !strings.HasPrefix(r.URL.Path, "/inference-profiles/") {
			http.Error(w, "unexpected "+r.URL.Path, 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"inferenceProfileArn":  "arn:aws:bedrock:us-east-1:333333333333:application-inference-profile/abc123xyz",
			"inferenceProfileId":   "abc123xyz",
			"inferenceProfileName": "team-gamma",
			"status":               "ACTIVE",
			"type":                 "APPLICATION",
			"createdAt":            time.Now().UTC().Format(time.RFC3339),
			"models":               []map[string]string{{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"}},
		})
	}))
	defer srv.Close()
	dir := t.TempDir()
	writeTree(t, dir, trapFiles(t))
	prices := filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(prices, []byte(trapPrices), 0o644)
	e := defaultEnv()
	e.loadAWS = stubAWS(srv.URL)
	m, _ := runJSON(t, e, "--logs", dir, "--prices", prices, "--resolve-profiles", "--workers", "4", "-q")
	// R6 (500 in, 50 out) is now nova micro: + 500 x 0.000035/1000 + 50 x 0.00014/1000 = 0.0000245
	checkRow(t, "totals", m, row{9, 2, 17610, 4670, 10000, 4000, "0.0386395", 1})
	models := byKey(t, m, "by_model")
	checkRow(t, "nova micro", models["amazon.nova-micro-v1:0"], row{4, 1, 13500, 3050, 0, 0, "0.0008995", 0})
	if calls.Load() != 1 {
		t.Errorf("GetInferenceProfile calls = %d, want 1 (memoised across workers)", calls.Load())
	}
	checkSums(t, m)
}

func TestPrintPricesIsAValidPriceFile(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--print-prices"}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	f := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(f, out.Bytes(), 0o644)
	dir := t.TempDir()
	writeTree(t, dir, trapFiles(t))
	m, _ := runJSON(t, offlineEnv(t), "--logs", dir, "--prices", f, "-q")
	if m["prices"].(map[string]any)["as_of"] == "" {
		t.Errorf("prices: %v", m["prices"])
	}
}

func TestNewUserRoughEdges(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, trapFiles(t))
	file := filepath.Join(t.TempDir(), "a.json.gz")
	os.WriteFile(file, gz(t, r1), 0o644)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--logs", dir, "--logs", t.TempDir()}, 2, "given twice"},
		{[]string{"--logs", dir, "--prices", "a.json", "--prices", "b.json"}, 2, "given twice"},
		{[]string{"--logs", dir, "--prices", ""}, 2, "--prices: empty value"},
		{[]string{"--logs", ""}, 2, "--logs: empty value"},
		{[]string{"--logs", file}, 2, "is a file, not a log tree"},
		{[]string{"--logs", t.TempDir()}, 1, "no log objects under"},
		{[]string{"--logs", dir, "--start", "2030-01-01"}, 1, "no records in the period 2030-01-01"},
		{[]string{"--logs", dir, "--strict"}, 1, "--strict: 2 objects were unreadable"},
	} {
		var out, errb bytes.Buffer
		code := offlineEnv(t).run(context.Background(), append(c.args, "-q"), &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
	// --allow-empty writes the empty report and exits 0
	var out, errb bytes.Buffer
	if code := offlineEnv(t).run(context.Background(), []string{"--logs", t.TempDir(), "--allow-empty", "-q"}, &out, &errb); code != 0 || !json.Valid(out.Bytes()) {
		t.Errorf("--allow-empty: exit %d %s", code, errb.String())
	}
	// -o report.html without --format writes HTML
	html := filepath.Join(t.TempDir(), "report.html")
	if code := offlineEnv(t).run(context.Background(), []string{"--logs", dir, "-o", html, "-q"}, &out, &errb); code != 0 {
		t.Fatalf("-o report.html: exit %d %s", code, errb.String())
	}
	if b, _ := os.ReadFile(html); !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
		t.Errorf("-o report.html did not write HTML: %.80s", b)
	}
}

func TestCompareWithThePreviousPeriod(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, trapFiles(t))
	m, _ := runJSON(t, offlineEnv(t), "--logs", dir, "--start", "2026-11-21", "--end", "2026-11-22", "--compare", "-q")
	cmp := m["comparison"].(map[string]any)
	if cmp["period"].(map[string]any)["start"] != "2026-11-19T00:00:00Z" || num(t, cmp["records"]) != 3 {
		t.Errorf("comparison = %v, want the two days before with 3 records", cmp)
	}
	models := byKey(t, m, "by_model")
	// nova micro: 0.000245 now against 0.00063 before
	nova := models["amazon.nova-micro-v1:0"]["change"].(map[string]any)
	if pct, _ := nova["change_pct"].(json.Number).Float64(); nova["basis"] != "cost" || pct > -61 || pct < -62 || nova["unusual_increase"] != false {
		t.Errorf("nova micro change = %v, want cost -61%%", nova)
	}
	llama := models["meta.llama3-1-70b-instruct-v1:0"]["change"].(map[string]any)
	if llama["change_pct"] != nil || llama["unusual_increase"] != true {
		t.Errorf("llama (new this period) change = %v, want null change_pct and unusual", llama)
	}
	// the unpriced application profile compares by tokens
	app := models["arn:aws:bedrock:us-east-1:333333333333:application-inference-profile/abc123xyz"]["change"].(map[string]any)
	if app["basis"] != "tokens" {
		t.Errorf("unpriced row change = %v, want basis tokens", app)
	}
	checkSums(t, m)
	table := runFormat(t, "--logs", dir, "--start", "2026-11-21", "--end", "2026-11-22", "--compare", "--format", "table", "-q")
	if !strings.Contains(table, "VS PREV") || !strings.Contains(table, "new !") || !strings.Contains(table, "-61%") {
		t.Errorf("table lacks the comparison column:\n%s", table)
	}
	rows, err := csv.NewReader(strings.NewReader(runFormat(t, "--logs", dir, "--start", "2026-11-21", "--end", "2026-11-22", "--compare", "--format", "csv", "-q"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r[0] == "model" && r[1] == "meta.llama3-1-70b-instruct-v1:0" {
			found = r[15] == "" && r[16] == "true" && rows[0][16] == "unusual_increase"
		}
	}
	if !found {
		t.Errorf("csv lacks the change columns (llama new: empty change_pct, unusual_increase true): %v", rows[0])
	}
	var out, errb bytes.Buffer
	if code := offlineEnv(t).run(context.Background(), []string{"--logs", dir, "--compare"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--compare needs a period") {
		t.Errorf("--compare without a period: exit %d %s", code, errb.String())
	}
}
