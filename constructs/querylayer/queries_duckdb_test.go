package querylayer_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bedrockgov/bedrockgov/constructs/querylayer"
	"github.com/bedrockgov/bedrockgov/tools/hubschema/duckdbtest"
	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// The named queries run on DuckDB over the report's committed trap tree (the layout the archive
// holds), with only the table reference and the two day parameters filled in, and their totals
// must equal what the Go reader of `tools/report --logs` counts on the same tree: records, errors,
// input, output and cache tokens, per model ID and per day.
//
// The DuckDB side is the harness of tools/report (tools/report/.duckdb/sql.mjs: a view with the
// hub table's columns, partition keys and "$path" from each object's path, and macros for the
// Trino functions DuckDB spells differently). What Athena does differently from the Go reader on
// this tree, and the test therefore states: an object that is not gzip fails an Athena query, so
// the objects the Go reader finds unreadable are left out of DuckDB's copy; a JSON SerDe coerces
// two lines the Go parser rejects ("modelId":5 becomes model "5"; "inputTokenCount":"100"
// becomes 100 tokens of amazon.nova-micro-v1:0 on 2026-11-20), which the expectation adds.

const trapTree = "../../tools/report/testdata/traps/logs"

func runDuckDB(t *testing.T, root, sql string) []map[string]*string {
	t.Helper()
	raw := duckdbtest.Run(t, root, "hub_logs", sql)
	// DuckDB names a selected column by the JSON key's spelling (modelId); Athena lower-cases.
	rows := make([]map[string]*string, len(raw))
	for i, r := range raw {
		rows[i] = map[string]*string{}
		for k, v := range r {
			rows[i][strings.ToLower(k)] = v
		}
	}
	return rows
}

func num(t *testing.T, row map[string]*string, col string) int64 {
	t.Helper()
	v, ok := row[col]
	if !ok {
		t.Fatalf("no column %q in %v", col, row)
	}
	if v == nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(*v, ".0"), 10, 64)
	if err != nil {
		t.Fatalf("column %s: %v", col, err)
	}
	return n
}

func str(row map[string]*string, col string) string {
	if v := row[col]; v != nil {
		return *v
	}
	return ""
}

func TestNamedQueriesEqualTheLogsReaderOnTheTrapTree(t *testing.T) {
	from, to := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	res, err := usage.Read(context.Background(), usage.LocalSource{Root: trapTree, Dates: usage.DateRangeFor(from, to)},
		usage.NewConfig(usage.Options{Start: from, End: to}), usage.ReadOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := usage.BuildReport(res.Aggregator, "", from, to)
	// The two lines a JSON SerDe coerces (see above).
	want.Records += 2
	want.InputTokens += 100
	wantByModel := map[string]int64{"5": 1, "amazon.nova-micro-v1:0": 1}
	for _, r := range want.ByModelID {
		wantByModel[r.Key] += r.Records
	}
	wantByDay := map[string]int64{"2026-11-20": 2}
	for _, r := range want.ByDay {
		wantByDay[r.Key] += r.Records
	}
	skip := map[string]bool{}
	abs, _ := filepath.Abs(trapTree)
	for _, n := range res.Unreadable {
		n, _ = filepath.Abs(n)
		skip[strings.TrimPrefix(filepath.ToSlash(n), filepath.ToSlash(abs)+"/")] = true
	}
	if len(skip) != 2 {
		t.Fatalf("unreadable objects %v: want the two corrupt objects of the trap tree", res.Unreadable)
	}
	root := duckdbtest.CopyTree(t, trapTree, skip)

	var accounts []string
	dirs, _ := os.ReadDir(filepath.Join(trapTree, "AWSLogs"))
	for _, d := range dirs {
		accounts = append(accounts, d.Name())
	}
	queries := querylayer.NamedQueries("bedrockgov", "invocation_logs", accounts)
	sqlFor := func(id string) string {
		q := queries[id]
		if strings.Count(q, "?") != 2 || strings.Count(q, `"bedrockgov"."invocation_logs"`) != 1 {
			t.Fatalf("%s: want one table reference and two day parameters:\n%s", id, q)
		}
		q = strings.Replace(q, `"bedrockgov"."invocation_logs"`, "hub_logs", 1)
		q = strings.Replace(q, "?", "'2000/01/01'", 1)
		return strings.Replace(q, "?", "'2100/01/01'", 1)
	}

	t.Run("usage by account, model and day", func(t *testing.T) {
		rows := runDuckDB(t, root, sqlFor("UsageByAccountModelDay"))
		var recs, in, out, cr, cw int64
		byModel, byDay := map[string]int64{}, map[string]int64{}
		for _, r := range rows {
			n := num(t, r, "invocations")
			recs += n
			in += num(t, r, "input_tokens")
			out += num(t, r, "output_tokens")
			cr += num(t, r, "cache_read_tokens")
			cw += num(t, r, "cache_write_tokens")
			byModel[str(r, "modelid")] += n
			byDay[str(r, "day")] += n
		}
		if recs != want.Records || in != want.InputTokens || out != want.OutputTokens || cr != want.CacheReadTokens || cw != want.CacheWriteTokens {
			t.Errorf("SQL totals records %d, input %d, output %d, cache read %d, cache write %d\nGo reader    %d, %d, %d, %d, %d",
				recs, in, out, cr, cw, want.Records, want.InputTokens, want.OutputTokens, want.CacheReadTokens, want.CacheWriteTokens)
		}
		if cdkJSON(byModel) != cdkJSON(wantByModel) {
			t.Errorf("records by model ID\nSQL %s\nGo  %s", cdkJSON(byModel), cdkJSON(wantByModel))
		}
		if cdkJSON(byDay) != cdkJSON(wantByDay) {
			t.Errorf("records by day\nSQL %s\nGo  %s", cdkJSON(byDay), cdkJSON(wantByDay))
		}
	})
	t.Run("weekly usage", func(t *testing.T) {
		var recs, in, out int64
		for _, r := range runDuckDB(t, root, sqlFor(querylayer.WeeklyUsageID)) {
			recs += num(t, r, "invocations")
			in += num(t, r, "input_tokens")
			out += num(t, r, "output_tokens")
		}
		if recs != want.Records || in != want.InputTokens || out != want.OutputTokens {
			t.Errorf("records %d, input %d, output %d; Go reader %d, %d, %d", recs, in, out, want.Records, want.InputTokens, want.OutputTokens)
		}
	})
	t.Run("errors by model", func(t *testing.T) {
		var errs int64
		for _, r := range runDuckDB(t, root, sqlFor("ErrorsByModel")) {
			errs += num(t, r, "errors")
		}
		if errs != want.Errors || want.Errors == 0 {
			t.Errorf("errors %d; Go reader %d", errs, want.Errors)
		}
	})
	t.Run("cache use", func(t *testing.T) {
		var cr, cw int64
		for _, r := range runDuckDB(t, root, sqlFor("CacheUse")) {
			cr += num(t, r, "cache_read_tokens")
			cw += num(t, r, "cache_write_tokens")
		}
		if cr != want.CacheReadTokens || cw != want.CacheWriteTokens || cr == 0 {
			t.Errorf("cache read %d, write %d; Go reader %d, %d", cr, cw, want.CacheReadTokens, want.CacheWriteTokens)
		}
	})
	t.Run("top callers", func(t *testing.T) {
		var total int64
		rows := runDuckDB(t, root, sqlFor("TopCallers"))
		for _, r := range rows {
			total += num(t, r, "total_tokens")
		}
		all := want.InputTokens + want.OutputTokens + want.CacheReadTokens + want.CacheWriteTokens
		if len(rows) < 50 && total != all {
			t.Errorf("callers' tokens %d; Go reader %d", total, all)
		}
	})
}

func cdkJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
