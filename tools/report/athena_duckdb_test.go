package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bedrockgov/bedrockgov/tools/hubschema/duckdbtest"
	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// The proof that the Athena SQL computes what --logs computes: the SAME SQL text (athenaSQL,
// only the FROM clause's table reference differs) runs on DuckDB over the committed trap tree,
// its rows go through the same Go code as Athena's (addAthenaRows), and the report must equal
// the one the Go reader makes of the same tree, field by field.
//
// Dialect differences, all outside the SQL text (tools/report/.duckdb/sql.mjs):
//   - the table: a DuckDB view over read_json of the tree with the hub table's columns (from
//     tools/hubschema) and its partition keys and "$path" taken from each object's path;
//   - three Trino functions DuckDB lacks or spells differently are DuckDB macros with Trino's
//     meaning: from_iso8601_timestamp, to_unixtime, element_at.
//
// What Athena does differently from the Go reader on this tree, and the test therefore states:
//   - an object that is not valid gzip fails an Athena query (HIVE_CURSOR_ERROR) instead of
//     being skipped: the objects the Go reader reports unreadable are left out of DuckDB's copy;
//   - a JSON SerDe coerces types the Go parser rejects: the line with "modelId":5 becomes a
//     record of model "5", and "inputTokenCount":"100" becomes 100 tokens. The expectation adds
//     exactly these two records (coercedTrapLines);
//   - skipped_lines differ (the Go reader counts those two lines; the SerDe also reads a .txt
//     object's line, and blank lines are not rows): not compared.

func runDuckDB(t *testing.T, root, table, sql string) []athenaRow {
	t.Helper()
	var rows []athenaRow
	for _, r := range duckdbtest.Run(t, root, table, sql) {
		rows = append(rows, r)
	}
	return rows
}

func copyTree(t *testing.T, src string, skip map[string]bool) string {
	return duckdbtest.CopyTree(t, src, skip)
}

// coercedTrapLines are the two lines of a.json.gz a JSON SerDe reads as records (see above).
var coercedTrapLines = []usage.Group{
	{ModelID: "5", Day: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Counters: usage.Counters{Records: 1}},
	{ModelID: "amazon.nova-micro-v1:0", Day: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Counters: usage.Counters{Records: 1, InputTokens: 100}},
}

func TestAthenaSQLEqualsLogsReaderOnTrapTree(t *testing.T) {
	const tree = "testdata/traps/logs"
	pricesFile := filepath.Join(t.TempDir(), "prices.json")
	os.WriteFile(pricesFile, []byte(trapPrices), 0o644)
	prices, err := usage.LoadPrices(pricesFile)
	if err != nil {
		t.Fatal(err)
	}
	accounts := []string{"111111111111", "222222222222", "333333333333"}
	regions := []string{"us-east-1", "eu-west-1", "ap-southeast-1"}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		coerced  bool // the period includes the coerced lines
	}{
		{"whole tree", time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), true},
		// reads 11/21 and 11/22 (late deliveries); three records of 11/22 are out of range
		{"one day", time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := usage.Options{Prices: prices, TagKey: "team", Start: tc.from, End: tc.to}
			// the Go reader, exactly as --logs DIR runs it
			res, err := usage.Read(context.Background(), usage.LocalSource{Root: tree, Dates: usage.DateRangeFor(tc.from, tc.to)}, usage.NewConfig(opt), usage.ReadOptions{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if tc.coerced {
				for i := range coercedTrapLines {
					res.Aggregator.AddGroup(&coercedTrapLines[i])
				}
			}
			want := usage.BuildReport(res.Aggregator, "", tc.from, tc.to)
			skip := map[string]bool{}
			for _, n := range res.Unreadable {
				skip[strings.TrimPrefix(filepath.ToSlash(n), tree+"/")] = true
			}
			if tc.coerced && len(skip) != 2 {
				t.Fatalf("unreadable objects %v: want the two corrupt objects of the trap tree", res.Unreadable)
			}

			sql, err := athenaSQL(athenaQuery{Table: "hub_logs", Accounts: accounts, Regions: regions, From: tc.from, To: tc.to, TagKey: "team"})
			if err != nil {
				t.Fatal(err)
			}
			prod, _ := athenaSQL(athenaQuery{Table: athenaTableRef("bedrockgov", "invocation_logs"), Accounts: accounts, Regions: regions, From: tc.from, To: tc.to, TagKey: "team"})
			if strings.Replace(prod, `"bedrockgov"."invocation_logs"`, "hub_logs", 1) != sql {
				t.Fatal("the tested SQL differs from Athena's in more than the table reference")
			}
			rows := runDuckDB(t, copyTree(t, tree, skip), "hub_logs", sql)
			agg := usage.NewAggregator(usage.NewConfig(opt))
			if err := addAthenaRows(agg, rows); err != nil {
				t.Fatal(err)
			}
			got := usage.BuildReport(agg, "", tc.from, tc.to)
			if got.Records == 0 {
				t.Fatal("the SQL counted no records")
			}
			got.SkippedLines, want.SkippedLines = 0, 0
			// by_region is the partition's region in Athena (the table has no column for the
			// record's own "region" field) and the record's field in the Go reader: they differ on
			// the trap records whose field is absent or disagrees with their delivery path.
			// Both must still sum to the totals; the rest of the reports must be equal.
			for _, rows := range [][]usage.Row{got.ByRegion, got.ByInferenceRegion} {
				var n int64
				for _, r := range rows {
					n += r.Records
					if r.Key == usage.UnknownKey {
						t.Errorf("athena by_region has an %s row: every record has a partition region", usage.UnknownKey)
					}
				}
				if n != got.Records {
					t.Errorf("athena by_region sums to %d records, total %d", n, got.Records)
				}
			}
			got.ByRegion, want.ByRegion, got.ByInferenceRegion, want.ByInferenceRegion = nil, nil, nil, nil
			gj, _ := json.MarshalIndent(got, "", " ")
			wj, _ := json.MarshalIndent(want, "", " ")
			if !bytes.Equal(gj, wj) {
				t.Errorf("SQL report differs from the Go reader's:\nSQL: %s\nGo:  %s\nSQL:\n%s", gj, wj, sql)
			}
			if !tc.coerced && got.OutOfRangeRecords != 3 {
				t.Errorf("out_of_range_records = %d, want 3 (the 11/22 records read for late deliveries)", got.OutOfRangeRecords)
			}
		})
	}
}

// TestAthenaBenchRequest writes the DuckDB request for scripts/bench-report.sh: the --athena SQL
// over every account and region of the tree in BENCH_ATHENA_TREE, for a period that holds every
// record, to the file BENCH_ATHENA_REQUEST. It does nothing in an ordinary test run.
func TestAthenaBenchRequest(t *testing.T) {
	root, out := os.Getenv("BENCH_ATHENA_TREE"), os.Getenv("BENCH_ATHENA_REQUEST")
	if root == "" || out == "" {
		t.Skip("set by scripts/bench-report.sh")
	}
	root, _ = filepath.Abs(root)
	accts, _ := filepath.Glob(filepath.Join(root, "AWSLogs", "*"))
	regionSet := map[string]bool{}
	var accounts, regions []string
	for _, a := range accts {
		accounts = append(accounts, filepath.Base(a))
		rs, _ := filepath.Glob(filepath.Join(a, "BedrockModelInvocationLogs", "*"))
		for _, r := range rs {
			if !regionSet[filepath.Base(r)] {
				regionSet[filepath.Base(r)] = true
				regions = append(regions, filepath.Base(r))
			}
		}
	}
	sql, err := athenaSQL(athenaQuery{Table: "hub_logs", Accounts: accounts, Regions: regions,
		From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	threads, _ := strconv.Atoi(os.Getenv("THREADS"))
	r := duckdbtest.Request(t, root, "hub_logs", sql)
	r["threads"] = max(threads, 1)
	req, _ := json.Marshal(r)
	if err := os.WriteFile(out, req, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The whole --athena path against the whole --logs path, through the command line: an Athena
// stub speaking the real wire protocol runs each submitted query on DuckDB (replacing only the
// table reference) and serves its rows in pages of 2 (one query per log region), and the two JSON reports must be equal
// except for what only the Go reader sees (objects read, unreadable objects, skipped lines) and
// the source and notes. One day of the trap tree: the next day is read for late deliveries and
// its records are out of range; no type-coerced line lies in it.
func TestAthenaCommandOnDuckDBEqualsLogsCommand(t *testing.T) {
	const tree = "testdata/traps/logs"
	prices := pricesFile(t)
	period := []string{"--start", "2026-11-21", "--end", "2026-11-21", "--group-by", "tag:team", "--prices", prices, "--format", "json", "-q"}
	want, _ := runJSON(t, offlineEnv(t), append([]string{"--logs", tree}, period...)...)
	if len(want["unreadable_object_names"].([]any)) != 2 {
		t.Fatalf("unreadable objects %v: want the two corrupt objects of 11/21", want["unreadable_object_names"])
	}
	skip := map[string]bool{}
	for _, n := range want["unreadable_object_names"].([]any) {
		skip[strings.TrimPrefix(filepath.ToSlash(n.(string)), tree+"/")] = true
	}
	root := copyTree(t, tree, skip)
	stub := &athenaStub{calls: map[string]int{}, states: []string{"RUNNING", "SUCCEEDED"}, scanned: 4096}
	totalPages := 0
	stub.onStart = func(sql string) [][][]*string {
		ref := athenaTableRef("bedrockgov", "invocation_logs")
		if strings.Count(sql, ref) != 1 {
			t.Errorf("the query names the table %d times", strings.Count(sql, ref))
		}
		rows := runDuckDB(t, root, "hub_logs", strings.Replace(sql, ref, "hub_logs", 1))
		// every column the query returns, in a fixed order
		stub.cols = nil
		if len(rows) > 0 {
			for c := range rows[0] {
				stub.cols = append(stub.cols, c)
			}
			sort.Strings(stub.cols)
		}
		var pages [][][]*string
		for i, r := range rows {
			if i%2 == 0 { // two rows a page, so a query's results span several pages
				pages = append(pages, nil)
			}
			vals := make([]*string, len(stub.cols))
			for j, c := range stub.cols {
				vals[j] = r[c]
			}
			pages[len(pages)-1] = append(pages[len(pages)-1], vals)
		}
		totalPages += len(pages)
		return pages
	}
	got, _ := runJSON(t, athenaEnv(t, stub), append([]string{"--athena", "--accounts", "111111111111,222222222222,333333333333",
		"--log-regions", "us-east-1,eu-west-1,ap-southeast-1"}, period...)...)
	if totalPages <= 3 {
		t.Errorf("%d result pages over the three regions' queries: too few to exercise paging", totalPages)
	}
	if stub.calls["StartQueryExecution"] != 3 {
		t.Errorf("StartQueryExecution calls = %d, want one per log region", stub.calls["StartQueryExecution"])
	}
	if stub.calls["GetQueryResults"] < 2 {
		t.Errorf("GetQueryResults calls = %d: every page must be read", stub.calls["GetQueryResults"])
	}
	for _, k := range []string{"source", "notes", "skipped_lines", "unreadable_objects", "unreadable_object_names", "objects_read", "bytes_read"} {
		delete(got, k)
		delete(want, k)
	}
	gj, _ := json.MarshalIndent(got, "", " ")
	wj, _ := json.MarshalIndent(want, "", " ")
	if !bytes.Equal(gj, wj) {
		t.Errorf("--athena report differs from --logs:\n--athena: %s\n--logs: %s", gj, wj)
	}
	if num(t, got["records"]) == 0 || num(t, got["out_of_range_records"]) != 3 {
		t.Errorf("records %v, out_of_range_records %v: want records and the 3 late-delivery records out of range", got["records"], got["out_of_range_records"])
	}
}
