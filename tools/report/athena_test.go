package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// athenaStub is Amazon Athena and AWS Organizations speaking JSON 1.1, as the real clients do.
type athenaStub struct {
	mu          sync.Mutex
	calls       map[string]int
	start       map[string]any // the StartQueryExecution request
	starts      []map[string]any
	regions     []string       // the signing region of each StartQueryExecution
	states      []string       // GetQueryExecution answers in turn; the last repeats
	failure     map[string]any // Status fields of a FAILED answer
	throttle    bool           // StartQueryExecution answers TooManyRequestsException
	pages       [][][]*string  // GetQueryResults pages (rows of values; nil is NULL)
	tokens      []string       // NextToken seen on each GetQueryResults call
	maxResults  []float64
	orgAccounts [][]string // ListAccounts pages
	scanned     int64
	// onStart, if set, computes the result pages from the query (the DuckDB-backed test).
	onStart func(sql string) [][][]*string
	// cols are the result columns; nil means athenaCols.
	cols []string
}

// signingRegion reads the region from a SigV4 Authorization header's credential scope.
func signingRegion(auth string) string {
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	parts := strings.Split(auth[i+len("Credential="):], "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

var athenaCols = []string{"status", "model_id", "account_id", "operation", "caller", "tag", "day", "records", "errors",
	"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_write_input_tokens"}

func (s *athenaStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	target := r.Header.Get("X-Amz-Target")
	var in map[string]any
	json.NewDecoder(r.Body).Decode(&in)
	op := target[strings.LastIndex(target, ".")+1:]
	s.calls[op]++
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(typ, msg string, extra map[string]any) {
		w.WriteHeader(400)
		body := map[string]any{"__type": typ, "message": msg}
		for k, v := range extra {
			body[k] = v
		}
		json.NewEncoder(w).Encode(body)
	}
	var out any
	switch {
	case strings.HasPrefix(target, "AWSOrganizationsV20161128.") && op == "ListAccounts":
		if s.orgAccounts == nil {
			fail("AccessDeniedException", "You don't have permissions to access this resource.", nil)
			return
		}
		i := 0
		if tok, _ := in["NextToken"].(string); tok != "" {
			fmt.Sscan(tok, &i)
		}
		var accts []map[string]string
		for _, id := range s.orgAccounts[i] {
			accts = append(accts, map[string]string{"Id": id, "Status": "ACTIVE"})
		}
		res := map[string]any{"Accounts": accts}
		if i+1 < len(s.orgAccounts) {
			res["NextToken"] = fmt.Sprint(i + 1)
		}
		out = res
	case !strings.HasPrefix(target, "AmazonAthena."):
		fail("UnknownOperationException", target, nil)
		return
	case op == "StartQueryExecution":
		if s.throttle {
			fail("TooManyRequestsException", "Rate exceeded", map[string]any{"Reason": "CONCURRENT_QUERY_LIMIT_EXCEEDED"})
			return
		}
		s.start = in
		s.starts = append(s.starts, in)
		s.regions = append(s.regions, signingRegion(r.Header.Get("Authorization")))
		if s.onStart != nil {
			s.pages = s.onStart(in["QueryString"].(string))
		}
		out = map[string]any{"QueryExecutionId": "qe-42"}
	case op == "GetQueryExecution":
		if in["QueryExecutionId"] != "qe-42" {
			fail("InvalidRequestException", "unknown query", nil)
			return
		}
		n := s.calls[op] - 1
		if n >= len(s.states) {
			n = len(s.states) - 1
		}
		status := map[string]any{"State": s.states[n]}
		if s.states[n] == "FAILED" {
			for k, v := range s.failure {
				status[k] = v
			}
		}
		out = map[string]any{"QueryExecution": map[string]any{"QueryExecutionId": "qe-42", "Status": status,
			"Statistics": map[string]any{"DataScannedInBytes": s.scanned * int64(n+1) / int64(len(s.states))}}}
	case op == "GetQueryResults":
		tok, _ := in["NextToken"].(string)
		s.tokens = append(s.tokens, tok)
		mr, _ := in["MaxResults"].(float64)
		s.maxResults = append(s.maxResults, mr)
		i := 0
		if tok != "" {
			fmt.Sscan(strings.TrimPrefix(tok, "page-"), &i)
		}
		var rows []map[string]any
		cols := s.cols
		if cols == nil {
			cols = athenaCols
		}
		if i == 0 { // the header row Athena puts first
			rows = append(rows, datumRow(strs(cols...)))
		}
		for _, r := range s.pages[i] {
			rows = append(rows, datumRow(r))
		}
		var info []map[string]any
		for _, c := range cols {
			info = append(info, map[string]any{"Name": c, "Type": "varchar"})
		}
		res := map[string]any{"ResultSet": map[string]any{"Rows": rows, "ResultSetMetadata": map[string]any{"ColumnInfo": info}}}
		if i+1 < len(s.pages) {
			res["NextToken"] = fmt.Sprintf("page-%d", i+1)
		}
		out = res
	case op == "StopQueryExecution":
		out = map[string]any{}
	default:
		fail("UnknownOperationException", op, nil)
		return
	}
	json.NewEncoder(w).Encode(out)
}

func strs(v ...string) []*string {
	out := make([]*string, len(v))
	for i := range v {
		if v[i] != "NULL" {
			out[i] = &v[i]
		}
	}
	return out
}

func datumRow(vals []*string) map[string]any {
	var data []map[string]any
	for _, v := range vals {
		d := map[string]any{}
		if v != nil {
			d["VarCharValue"] = *v
		}
		data = append(data, d)
	}
	return map[string]any{"Data": data}
}

func epochDay(y, m, d int) string {
	return fmt.Sprint(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func newAthenaStub() *athenaStub {
	d20, d21 := epochDay(2026, 11, 20), epochDay(2026, 11, 21)
	return &athenaStub{calls: map[string]int{}, states: []string{"QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"}, scanned: 3 << 30,
		pages: [][][]*string{
			{
				strs("ok", "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "111111111111", "Converse", "arn:aws:sts::111111111111:assumed-role/AppRole", "alpha", d20, "4", "1", "4000", "1000", "10000", "2000"),
				strs("ok", "anthropic.claude-3-5-sonnet-20240620-v1:0", "111111111111", "Converse", "arn:aws:sts::111111111111:assumed-role/AppRole", "NULL", d21, "1", "0", "1000", "500", "0", "0"),
			},
			{
				strs("ok", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0", "222222222222", "InvokeModel", "arn:aws:iam::222222222222:user/alice", "beta", d21, "6", "0", "1000000", "2000", "0", "0"),
				strs("ok", "cohere.command-r-v1:0", "222222222222", "Converse", "NULL", "", d21, "2", "0", "10", "20", "0", "0"),
				strs("malformed", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "3", "0", "0", "0", "0", "0"),
				strs("out_of_range", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "5", "0", "70", "7", "0", "0"),
			},
		}}
}

func athenaEnv(t *testing.T, stub *athenaStub) *env {
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	e := defaultEnv()
	e.loadAWS = stubAWS(srv.URL)
	e.poll = time.Millisecond
	return e
}

func pricesFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(p, []byte(trapPrices), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAthenaRunsOnePartitionConstrainedQuery(t *testing.T) {
	stub := newAthenaStub()
	e := athenaEnv(t, stub)
	m, stderr := runJSON(t, e, "--athena", "--accounts", "111111111111,222222222222", "--log-regions", "eu-west-1",
		"--start", "2026-11-20", "--end", "2026-11-21", "--group-by", "tag:team", "--prices", pricesFile(t), "--format", "json")

	if stub.calls["StartQueryExecution"] != 1 || stub.calls["GetQueryExecution"] != 4 || stub.calls["GetQueryResults"] != 2 {
		t.Errorf("calls = %v, want 1 start, 4 polls (QUEUED, RUNNING, RUNNING, SUCCEEDED), 2 result pages", stub.calls)
	}
	if stub.start["WorkGroup"] != "bedrockgov" {
		t.Errorf("WorkGroup = %v, want the hub workgroup bedrockgov", stub.start["WorkGroup"])
	}
	if ctx, _ := stub.start["QueryExecutionContext"].(map[string]any); ctx["Database"] != "bedrockgov" {
		t.Errorf("QueryExecutionContext = %v", stub.start["QueryExecutionContext"])
	}
	sql := stub.start["QueryString"].(string)
	for _, want := range []string{
		`FROM "bedrockgov"."invocation_logs"`,
		`account IN ('111111111111', '222222222222')`,
		`region IN ('eu-west-1')`,
		`dt BETWEEN '2026/11/20' AND '2026/11/22'`, // both days, and the next for late deliveries
		`"$path" NOT LIKE '%/____/__/__/__/data/%'`,
		`element_at(requestmetadata, 'team')`,
		`from_iso8601_timestamp('2026-11-20T00:00:00.000Z')`, `from_iso8601_timestamp('2026-11-22T00:00:00.000Z')`,
	} {
		if !strings.Contains(sql, want) {
			t.Errorf("SQL lacks %s:\n%s", want, sql)
		}
	}
	if stub.tokens[0] != "" || stub.tokens[1] != "page-1" || stub.maxResults[0] != 1000 {
		t.Errorf("GetQueryResults tokens %q, MaxResults %v: want every page read, 1000 rows a page", stub.tokens, stub.maxResults)
	}
	// The rows of both pages, priced by the Go rules: sonnet (geo prefix dropped) 5000 in x 0.003 +
	// 1500 out x 0.015 + 10000 x 0.0003 + 2000 x 0.00375 per 1k = 0.015 + 0.0225 + 0.003 + 0.0075;
	// nova micro 1e6 x 0.000035 + 2000 x 0.00014 per 1k = 0.035 + 0.00028; cohere has no price.
	checkRow(t, "totals", m, row{13, 1, 1005010, 3520, 10000, 2000, "0.08328", 2})
	checkRow(t, "sonnet", byKey(t, m, "by_model")["anthropic.claude-3-5-sonnet-20240620-v1:0"], row{5, 1, 5000, 1500, 10000, 2000, "0.048", 0})
	if num(t, m["skipped_lines"]) != 3 || num(t, m["out_of_range_records"]) != 5 {
		t.Errorf("skipped_lines %v, out_of_range_records %v: want the malformed and out_of_range rows' counts 3 and 5", m["skipped_lines"], m["out_of_range_records"])
	}
	tags := byKey(t, m, "by_tag")
	if num(t, tags["alpha"]["records"]) != 4 || num(t, tags["(untagged)"]["records"]) != 1 || num(t, tags["(unknown)"]["records"]) != 2 {
		t.Errorf("by_tag = %v: want alpha 4, (untagged) 1 for a NULL tag, (unknown) 2 for an empty one", tags)
	}
	if c := byKey(t, m, "by_caller"); c["(unknown)"] == nil || c["arn:aws:sts::111111111111:assumed-role/AppRole"] == nil {
		t.Errorf("by_caller = %v", c)
	}
	if d := byKey(t, m, "by_day"); num(t, d["2026-11-20"]["records"]) != 4 || num(t, d["2026-11-21"]["records"]) != 9 {
		t.Errorf("by_day = %v", d)
	}
	checkSums(t, m)
	// progress, bytes scanned and the query cost on stderr: 3 GiB = 3072 MB x $5 / 1,048,576 MB
	for _, want := range []string{"qe-42 started in workgroup bedrockgov", "qe-42 QUEUED", "qe-42 RUNNING", "qe-42 SUCCEEDED",
		"scanned 3.00 GB", "estimated query cost $0.0146", "estimate"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(fmt.Sprint(m["notes"]), "qe-42") || m["bytes_read"] == nil {
		t.Errorf("notes %v / bytes_read %v: want the query ID and the bytes scanned", m["notes"], m["bytes_read"])
	}
}

func TestAthenaOrganizationAccountsGoToTheInjectedPartition(t *testing.T) {
	stub := newAthenaStub()
	stub.orgAccounts = [][]string{{"333333333333", "111111111111"}, {"222222222222"}}
	e := athenaEnv(t, stub)
	_, stderr := runJSON(t, e, "--athena", "--organization", "--days", "1", "--format", "json")
	if stub.calls["ListAccounts"] != 2 {
		t.Errorf("ListAccounts calls = %d, want 2 pages", stub.calls["ListAccounts"])
	}
	sql := stub.start["QueryString"].(string)
	if !strings.Contains(sql, `account IN ('111111111111', '222222222222', '333333333333')`) {
		t.Errorf("SQL does not name every account of the organization:\n%s", sql)
	}
	if !strings.Contains(sql, `region IN ('us-east-1')`) {
		t.Errorf("without --log-regions the query should read the client's region:\n%s", sql)
	}
	if !strings.Contains(stderr, "3 accounts from AWS Organizations") {
		t.Errorf("stderr: %s", stderr)
	}
}

func TestAthenaFailedQueryNamesQueryAndReason(t *testing.T) {
	stub := newAthenaStub()
	stub.states = []string{"RUNNING", "FAILED"}
	stub.failure = map[string]any{"StateChangeReason": "HIVE_CURSOR_ERROR: incorrect header check (s3://archive/AWSLogs/1/x.json.gz)",
		"AthenaError": map[string]any{"ErrorCategory": 2, "ErrorType": 1200, "Retryable": false}}
	e := athenaEnv(t, stub)
	var out, errb bytes.Buffer
	code := e.run(context.Background(), []string{"--athena", "--accounts", "111111111111", "--days", "2", "-q"}, &out, &errb)
	msg := errb.String()
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, msg)
	}
	for _, want := range []string{"qe-42 FAILED (it scanned 3.00 GB: estimated query cost $0.0146)", "HIVE_CURSOR_ERROR: incorrect header check", "user error, type 1200", "cannot be read"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	if stub.calls["GetQueryResults"] != 0 {
		t.Errorf("read results of a failed query")
	}
	if strings.Count(strings.TrimSpace(msg), "\n") != 0 {
		t.Errorf("error is not one line: %q", msg)
	}
}

func TestAthenaCancelledQueryPointsAtTheCutoff(t *testing.T) {
	stub := newAthenaStub()
	stub.states = []string{"CANCELLED"}
	stub.failure = map[string]any{}
	e := athenaEnv(t, stub)
	var out, errb bytes.Buffer
	if code := e.run(context.Background(), []string{"--athena", "--accounts", "111111111111", "-q"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errb.String(), "qe-42 CANCELLED") || !strings.Contains(errb.String(), "bytes-scanned cutoff") {
		t.Errorf("error: %s", errb.String())
	}
}

func TestAthenaThrottledStartIsExplained(t *testing.T) {
	stub := newAthenaStub()
	stub.throttle = true
	e := athenaEnv(t, stub)
	var out, errb bytes.Buffer
	if code := e.run(context.Background(), []string{"--athena", "--accounts", "111111111111", "-q"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"throttled", "CONCURRENT_QUERY_LIMIT_EXCEEDED", "workgroup bedrockgov", "run again"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("error lacks %q: %s", want, errb.String())
		}
	}
}

func TestAthenaInterruptStopsTheQuery(t *testing.T) {
	stub := newAthenaStub()
	stub.states = []string{"RUNNING"}
	e := athenaEnv(t, stub)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var out, errb bytes.Buffer
	if code := e.run(ctx, []string{"--athena", "--accounts", "111111111111", "-q"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if stub.calls["StopQueryExecution"] != 1 {
		t.Errorf("StopQueryExecution calls = %d: an interrupted run must stop its query (it keeps scanning and billing)", stub.calls["StopQueryExecution"])
	}
}

func TestAthenaFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--athena"}, "--accounts 111111111111,222222222222 or --organization"},
		{[]string{"--athena", "--accounts", "111111111111", "--organization"}, "--organization"},
		{[]string{"--athena", "--accounts", "12345"}, `--accounts "12345": want 12-digit account IDs`},
		{[]string{"--athena", "--accounts", "111111111111", "--log-regions", "us-east-1,Mars"}, `--log-regions "Mars"`},
		{[]string{"--athena", "--accounts", "111111111111", "--table", `x" OR 1=1`}, `--table "x\" OR 1=1"`},
		{[]string{"--athena", "--accounts", "111111111111", "--logs", "/tmp"}, "choose one source"},
		{[]string{"--athena", "--accounts", "111111111111", "--athena-price-per-tb", "-1"}, "--athena-price-per-tb"},
		{[]string{"--workgroup", "other"}, "--workgroup is a flag of the --athena source"},
		{[]string{"--print-sql"}, "--print-sql is a flag of the --athena source"},
	} {
		var out, errb bytes.Buffer
		e := defaultEnv()
		e.loadAWS = nil // a flag error must not reach AWS
		if code := e.run(context.Background(), tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

func TestAthenaQueryCost(t *testing.T) {
	for _, tc := range []struct {
		bytes int64
		want  float64
	}{
		{0, 10 * 5.0 / (1 << 20)},          // 10 MB minimum
		{10<<20 + 1, 11 * 5.0 / (1 << 20)}, // rounded up to the next MB
		{1 << 40, 5},                       // 1 TB
		{3 << 40, 15},
	} {
		if got := athenaQueryCost(tc.bytes, 5); fmt.Sprintf("%.12f", got) != fmt.Sprintf("%.12f", tc.want) {
			t.Errorf("cost of %d bytes = %v, want %v", tc.bytes, got, tc.want)
		}
	}
}

// A tag key is a string literal in the SQL, never SQL text.
func TestAthenaSQLQuotesTheTagKey(t *testing.T) {
	sql, err := athenaSQL(athenaQuery{Table: "t", Accounts: []string{"111111111111"}, Regions: []string{"us-east-1"},
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), TagKey: "te'am"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sql, `element_at(requestmetadata, 'te''am')`) {
		t.Errorf("tag key not quoted:\n%s", sql)
	}
	if _, err := athenaSQL(athenaQuery{Table: "t", Accounts: []string{"1' OR '1"}, Regions: []string{"us-east-1"},
		From: time.Unix(0, 0), To: time.Unix(86400, 0)}); err == nil {
		t.Error("an account that is not 12 digits reached the SQL")
	}
}

// --print-sql shows the exact query without running it, and without AWS when the accounts and
// regions are given.
func TestAthenaPrintSQL(t *testing.T) {
	e := defaultEnv()
	e.loadAWS = nil // a call panics
	var out, errb bytes.Buffer
	code := e.run(context.Background(), []string{"--athena", "--print-sql", "--accounts", "111111111111", "--region", "eu-west-1",
		"--start", "2026-11-01", "--end", "2026-11-30", "--table", "logs_v2"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want, _ := athenaSQL(athenaQuery{Table: `"bedrockgov"."logs_v2"`, Accounts: []string{"111111111111"}, Regions: []string{"eu-west-1"},
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestListSome(t *testing.T) {
	if got := listSome("account", []string{"1", "2"}, 10); got != "accounts 1,2" {
		t.Error(got)
	}
	if got := listSome("account", []string{"1", "2", "3"}, 2); got != "3 accounts (1,2,... and 1 more)" {
		t.Error(got)
	}
}

func TestAthenaOrganizationDeniedSaysWhereToRun(t *testing.T) {
	stub := newAthenaStub() // no organization: ListAccounts is denied
	e := athenaEnv(t, stub)
	var out, errb bytes.Buffer
	if code := e.run(context.Background(), []string{"--athena", "--organization", "-q"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"organizations ListAccounts", "management account or a delegated administrator", "--accounts", "AccessDeniedException"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("error lacks %q: %s", want, errb.String())
		}
	}
	if stub.calls["StartQueryExecution"] != 0 {
		t.Error("a query ran without its accounts")
	}
}

// A hub region's archive and table hold that region's logs only: each log region is its own
// query, sent to that region's Athena, constraining that region alone.
func TestAthenaQueriesEachLogRegionInItsOwnRegion(t *testing.T) {
	stub := newAthenaStub()
	e := athenaEnv(t, stub)
	m, _ := runJSON(t, e, "--athena", "--accounts", "111111111111", "--log-regions", "us-east-1,eu-west-1",
		"--start", "2026-11-20", "--end", "2026-11-21", "--prices", pricesFile(t), "--format", "json")
	if stub.calls["StartQueryExecution"] != 2 || strings.Join(stub.regions, ",") != "us-east-1,eu-west-1" {
		t.Fatalf("want one query per log region, sent to that region; got %d starts signed for %v", stub.calls["StartQueryExecution"], stub.regions)
	}
	for i, region := range []string{"us-east-1", "eu-west-1"} {
		sql := stub.starts[i]["QueryString"].(string)
		if !strings.Contains(sql, "region IN ('"+region+"')") || strings.Count(sql, "region IN (") != 1 || strings.Contains(sql, "', '"+region) {
			t.Errorf("query %d must constrain %s alone:\n%s", i, region, sql)
		}
	}
	// The stub answers both queries with the same rows: both reach the one aggregation.
	if recs := num(t, m["records"]); recs != 26 {
		t.Errorf("records = %v, want both regions' rows (2 x 13)", recs)
	}
}
