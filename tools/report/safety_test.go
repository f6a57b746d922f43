package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostile records: caller-controlled text that tries to act on a terminal,
// a Markdown renderer and a spreadsheet, and costs that are partly or wholly
// unknown.
const (
	// terminal escape (set the window title, ring the bell) in the session
	// name is dropped by by_caller, so it goes in the role name; a formula in
	// the tag; cache tokens the price table has no price for (partial).
	hostile1 = `{"timestamp":"2026-11-20T10:00:00Z","accountId":"111111111111","region":"us-east-1","operation":"Converse","modelId":"amazon.nova-micro-v1:0","identity":{"arn":"arn:aws:sts::111111111111:assumed-role/R\u001b]0;pwned\u0007\u202eevil/s"},"requestMetadata":{"team":"=HYPERLINK(\"http://evil.example\",\"click\")"},"input":{"inputTokenCount":1000,"cacheReadInputTokenCount":100},"output":{"outputTokenCount":100}}`
	// an unpriced model id carrying HTML and a Markdown link; the largest
	// user by far
	hostile2 = `{"timestamp":"2026-11-21T10:00:00Z","accountId":"@SUM(1+1)","region":"us-east-1","operation":"Converse","modelId":"<img src=x onerror=alert(1)>[x](http://evil.example)|cell","identity":{"arn":"+cmd|' /C calc'!A0"},"requestMetadata":{"team":"-2+3"},"input":{"inputTokenCount":1000000},"output":{"outputTokenCount":5}}`
	// a small, fully priced record
	hostile3 = `{"timestamp":"2026-11-22T10:00:00Z","accountId":"222222222222","region":"eu-west-1","inferenceRegion":"eu-central-1","operation":"Converse","modelId":"eu.amazon.nova-micro-v1:0","identity":{"arn":"arn:aws:iam::222222222222:user/alice"},"input":{"inputTokenCount":10},"output":{"outputTokenCount":10}}`
)

func hostileTree(t *testing.T) (dir, prices string) {
	dir = t.TempDir()
	writeTree(t, dir, map[string][]byte{
		"AWSLogs/111111111111/BedrockModelInvocationLogs/us-east-1/2026/11/20/10/a.json.gz": gz(t, hostile1, hostile2, hostile3),
	})
	prices = filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(prices, []byte(`{"source":"test <b>table</b>","as_of":"2026-11-01","models":{"amazon.nova-micro-v1:0":{"input_per_1k":0.000035,"output_per_1k":0.00014}}}`), 0o644)
	return dir, prices
}

func runFormat(t *testing.T, args ...string) string {
	t.Helper()
	var o, e bytes.Buffer
	if code := offlineEnv(t).run(context.Background(), args, &o, &e); code != 0 {
		t.Fatalf("%v: exit %d %s", args, code, e.String())
	}
	return o.String()
}

func TestCallerTextIsNeutralizedInEveryFormat(t *testing.T) {
	dir, prices := hostileTree(t)
	base := []string{"--logs", dir, "--prices", prices, "--group-by", "tag:team", "-q", "--format"}

	table := runFormat(t, append(base, "table")...)
	for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
		if strings.Contains(table, bad) {
			t.Errorf("table output carries the raw control character %q", bad)
		}
	}
	if !strings.Contains(table, `R\x1b]0;pwned\x07\u202eevil`) {
		t.Errorf("table does not show the control characters as visible escapes:\n%s", table)
	}

	md := runFormat(t, append(base, "markdown")...)
	for _, bad := range []string{"<img", "<b>", "[x](http", "\x1b", ">|cell"} {
		if strings.Contains(md, bad) {
			t.Errorf("markdown carries %q unescaped", bad)
		}
	}
	if !strings.Contains(md, `&lt;img src=x onerror=alert(1)&gt;\[x\](http://evil.example)\|cell`) {
		t.Errorf("markdown does not show the model id as literal text:\n%s", md)
	}

	rows, err := csv.NewReader(strings.NewReader(runFormat(t, append(base, "csv")...))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range rows[1:] {
		keys[r[1]] = true
		if c := r[1]; c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
			t.Errorf("csv key %q starts with a formula character", c)
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://evil.example","click")`, "'@SUM(1+1)", "'+cmd|' /C calc'!A0", "'-2+3"} {
		if !keys[want] {
			t.Errorf("csv lacks the defused key %q", want)
		}
	}

	page := runFormat(t, append(base, "html")...)
	for _, bad := range []string{"<img", "<b>table", "\x1b", "\u202e"} {
		if strings.Contains(page, bad) {
			t.Errorf("html carries %q unescaped", bad)
		}
	}

	// JSON keeps the exact text (it is data, and encoding/json escapes it)
	var m map[string]any
	if err := json.Unmarshal([]byte(runFormat(t, append(base, "json")...)), &m); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range m["by_model"].([]any) {
		found = found || r.(map[string]any)["key"] == "<img src=x onerror=alert(1)>[x](http://evil.example)|cell"
	}
	if !found {
		t.Errorf("json does not keep the model id exactly: %v", m["by_model"])
	}
}

// Every format marks a partial or unknown cost; none shows it as a plain $0.
func TestPartialCostIsMarkedInEveryFormat(t *testing.T) {
	dir, prices := hostileTree(t)
	base := []string{"--logs", dir, "--prices", prices, "-q", "--format"}

	table := runFormat(t, append(base, "table", "--top", "1")...)
	acct := table[strings.Index(table, "By account"):]
	acct = acct[:strings.Index(acct, "\n\n")]
	if !strings.Contains(acct, "@SUM(1+1)") || !strings.Contains(acct, "unpriced") {
		t.Errorf("--top 1 by account must show the largest (unpriced) user, marked unpriced:\n%s", acct)
	}
	if !strings.Contains(table, "*") || !strings.Contains(table, "Not in the cost: 2 records, 1,000,105 tokens") {
		t.Errorf("table lacks the partial marker or the legend with what the cost leaves out:\n%s", table)
	}

	md := runFormat(t, append(base, "markdown")...)
	if !strings.Contains(md, "| unpriced |") || !strings.Contains(md, `\*`) || !strings.Contains(md, "Not in the cost") {
		t.Errorf("markdown does not mark partial and unpriced costs:\n%s", md)
	}

	rows, err := csv.NewReader(strings.NewReader(runFormat(t, append(base, "csv")...))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][11] != "cost_status" || rows[1][11] != "partial" || rows[1][10] != "1000105" {
		t.Errorf("csv header %v, total %v: want cost_status partial and 1000105 unpriced tokens", rows[0], rows[1])
	}
	status := map[string]string{}
	for _, r := range rows {
		if r[0] == "account" {
			status[r[1]] = r[11]
		}
	}
	if status["'@SUM(1+1)"] != "unpriced" || status["111111111111"] != "partial" || status["222222222222"] != "complete" {
		t.Errorf("csv account cost_status = %v", status)
	}

	page := runFormat(t, append(base, "html")...)
	for _, want := range []string{`data-status="unpriced"`, `data-status="partial"`, `fill="url(#hatch)"`, "tokens without a price"} {
		if !strings.Contains(page, want) {
			t.Errorf("html lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>$0.00</b>") {
		t.Errorf("html shows a plain $0.00 total")
	}
}
