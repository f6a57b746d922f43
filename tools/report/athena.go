package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/bedrockgov/bedrockgov/tools/naming"
	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// athenaAPI is the part of the Athena client the --athena source uses.
type athenaAPI interface {
	StartQueryExecution(ctx context.Context, in *athena.StartQueryExecutionInput, opts ...func(*athena.Options)) (*athena.StartQueryExecutionOutput, error)
	GetQueryExecution(ctx context.Context, in *athena.GetQueryExecutionInput, opts ...func(*athena.Options)) (*athena.GetQueryExecutionOutput, error)
	GetQueryResults(ctx context.Context, in *athena.GetQueryResultsInput, opts ...func(*athena.Options)) (*athena.GetQueryResultsOutput, error)
	StopQueryExecution(ctx context.Context, in *athena.StopQueryExecutionInput, opts ...func(*athena.Options)) (*athena.StopQueryExecutionOutput, error)
}

// athenaPricePerTB is the list price of Athena SQL queries in USD per TB scanned in most
// regions, us-east-1 included, as published on aws.amazon.com/athena/pricing (checked against
// secondary sources in November 2026; some regions charge more, and capacity reservations are
// billed per DPU-hour instead). Athena rounds the bytes scanned up to the next megabyte and bills
// at least 10 MB per query. It only feeds the estimate printed on stderr and in the notes.
const athenaPricePerTB = 5.0

// athenaMinBilledMB is the minimum Athena bills per query.
const athenaMinBilledMB = 10

// athenaResultsPage is the most rows GetQueryResults returns per call.
const athenaResultsPage = 1000

// athenaFlags are the flags of the --athena source.
type athenaFlags struct {
	enabled      bool
	workgroup    string
	database     string
	table        string
	accounts     multiFlag
	organization bool
	regions      multiFlag
	pricePerTB   float64
	price        string
	printSQL     bool
}

func (a *athenaFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&a.enabled, "athena", false, "")
	fs.StringVar(&a.workgroup, "workgroup", naming.AthenaWorkgroup, "")
	fs.StringVar(&a.database, "database", naming.GlueDatabase, "")
	fs.StringVar(&a.table, "table", naming.GlueTable, "")
	fs.Var(&a.accounts, "accounts", "")
	fs.BoolVar(&a.organization, "organization", false, "")
	fs.Var(&a.regions, "log-regions", "")
	fs.StringVar(&a.price, "athena-price-per-tb", "", "")
	fs.BoolVar(&a.printSQL, "print-sql", false, "")
}

// validate checks the --athena flags against the rest of the command line.
func (a *athenaFlags) validate(o *options) error {
	if !a.enabled {
		for _, f := range []struct {
			set  bool
			name string
		}{{len(a.regions) > 0, "--log-regions"}, // --accounts and --organization also choose metrics targets
			{a.workgroup != naming.AthenaWorkgroup, "--workgroup"}, {a.database != naming.GlueDatabase, "--database"},
			{a.table != naming.GlueTable, "--table"}, {a.price != "", "--athena-price-per-tb"}, {a.printSQL, "--print-sql"}} {
			if f.set {
				return badFlag("%s is a flag of the --athena source; add --athena", f.name)
			}
		}
		return nil
	}
	if o.logs != "" || len(o.logGroups) > 0 {
		return badFlag("--athena with --logs or --log-group: choose one source")
	}
	if (len(a.accounts) > 0) == a.organization {
		return badFlag("--athena needs the accounts to report on: --accounts 111111111111,222222222222 or --organization (every account of AWS Organizations)")
	}
	for _, acct := range a.accounts {
		if !accountIDRe.MatchString(acct) {
			return badFlag("--accounts %q: want 12-digit account IDs, comma-separated, e.g. --accounts 111111111111,222222222222", acct)
		}
	}
	for _, r := range a.regions {
		if !regionNameRe.MatchString(r) {
			return badFlag("--log-regions %q: want region names, comma-separated, e.g. --log-regions us-east-1,eu-west-1", r)
		}
	}
	for _, f := range []struct{ name, v string }{{"--workgroup", a.workgroup}, {"--database", a.database}, {"--table", a.table}} {
		if !identifierRe.MatchString(f.v) {
			return badFlag("%s %q: want a name of letters, digits, _ and -, e.g. %s %s", f.name, f.v, f.name,
				map[string]string{"--workgroup": naming.AthenaWorkgroup, "--database": naming.GlueDatabase, "--table": naming.GlueTable}[f.name])
		}
	}
	a.pricePerTB = athenaPricePerTB
	if a.price != "" {
		p, err := strconv.ParseFloat(a.price, 64)
		if err != nil || p < 0 || math.IsInf(p, 0) || math.IsNaN(p) {
			return badFlag("--athena-price-per-tb %q: want a price in USD per TB scanned, e.g. --athena-price-per-tb 5", a.price)
		}
		a.pricePerTB = p
	}
	return nil
}

// athenaQueryCost is the estimated cost in USD of a query that scanned the given bytes.
func athenaQueryCost(scanned int64, perTB float64) float64 {
	mb := (scanned + 1<<20 - 1) >> 20
	if mb < athenaMinBilledMB {
		mb = athenaMinBilledMB
	}
	return float64(mb) / (1 << 20) * perTB
}

// athenaQueryFor resolves the query's accounts (AWS Organizations with --organization) and
// regions (the client's region without --log-regions). It loads the AWS configuration only
// when it needs it, or when need is set; the returned cfg is then valid.
func (e *env) athenaQueryFor(ctx context.Context, o *options, need bool, stderr io.Writer) (athenaQuery, *aws.Config, error) {
	a := &o.athena
	q := athenaQuery{Table: athenaTableRef(a.database, a.table), Accounts: append([]string(nil), a.accounts...),
		Regions: append([]string(nil), a.regions...), TagKey: o.tagKey,
		// Athena's timestamps have millisecond precision, as Bedrock's do.
		From: o.from.Truncate(time.Millisecond), To: o.to.Truncate(time.Millisecond)}
	if len(q.Regions) == 0 && o.region != "" {
		q.Regions = []string{o.region}
	}
	if !need && !a.organization && len(q.Regions) > 0 {
		return q, nil, nil
	}
	cfg, err := e.awsConfig(ctx, o, "--athena")
	if err != nil {
		return q, nil, err
	}
	if a.organization {
		if q.Accounts, err = organizationAccounts(ctx, organizations.NewFromConfig(cfg)); err != nil {
			return q, nil, err
		}
		if !o.quiet {
			fmt.Fprintf(stderr, "report: %d accounts from AWS Organizations\n", len(q.Accounts))
		}
	}
	if len(q.Regions) == 0 {
		q.Regions = []string{cfg.Region}
	}
	return q, &cfg, nil
}

// printAthenaSQL writes the SQL --athena would run, for review or the Athena console.
func (e *env) printAthenaSQL(ctx context.Context, o *options, stdout, stderr io.Writer) int {
	q, _, err := e.athenaQueryFor(ctx, o, false, stderr)
	if err == nil {
		var sql string
		if sql, err = athenaSQL(q); err == nil {
			_, err = io.WriteString(stdout, sql)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// fromAthena runs the report's query in Athena over the hub tables. A hub region's archive and
// table hold that region's logs only, so each log region is one query, run in that region's
// workgroup; their grouped rows feed one aggregation.
func (e *env) fromAthena(ctx context.Context, o *options, prices *usage.PriceTable, stderr io.Writer) (*usage.Report, error) {
	a := &o.athena
	q, cfgp, err := e.athenaQueryFor(ctx, o, true, stderr)
	if err != nil {
		return nil, err
	}
	cfg := *cfgp
	opt := usage.Options{Prices: prices, TagKey: o.tagKey, Start: q.From, End: q.To}
	if o.resolveProfiles {
		opt.Resolve = newResolver(ctx, cfg, stderr)
	}
	agg := usage.NewAggregator(usage.NewConfig(opt))
	var scanned int64
	var cost float64
	var queries []string
	for _, region := range q.Regions {
		rc := cfg.Copy()
		rc.Region = region
		run := athenaRun{api: athena.NewFromConfig(rc), workgroup: a.workgroup, database: a.database, poll: e.poll,
			pricePerTB: a.pricePerTB, quiet: o.quiet, stderr: stderr}
		rq := q
		rq.Regions = []string{region}
		res, err := run.query(ctx, rq)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", region, err)
		}
		if err := addAthenaRows(agg, res.rows); err != nil {
			return nil, fmt.Errorf("athena query %s in %s: %w", res.id, region, err)
		}
		scanned += res.scanned
		cost += res.cost
		queries = append(queries, res.id+" ("+region+")")
	}
	table := strings.ReplaceAll(q.Table, `"`, "")
	rep := usage.BuildReport(agg, "athena "+table+" (workgroup "+a.workgroup+")", q.From, q.To)
	rep.Bytes = scanned
	rep.Notes = append(rep.Notes,
		fmt.Sprintf("aggregated in Amazon Athena (queries %s, one per region: each hub region's archive holds that region's logs) over %s", strings.Join(queries, ", "), listSome("account", q.Accounts, 10)),
		fmt.Sprintf("the queries scanned %d bytes: estimated query cost $%.6f at $%g per TB scanned (list price; 10 MB minimum per query; not included in estimated_cost_usd)", scanned, cost, a.pricePerTB),
		"skipped_lines counts lines Athena read that are not usable records; unreadable objects fail the query instead of being counted")
	return rep, nil
}

// organizationAccounts lists every account of the organization (suspended and closed accounts
// too: their logs stay in the archive), sorted.
func organizationAccounts(ctx context.Context, api organizations.ListAccountsAPIClient) ([]string, error) {
	var out []string
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("organizations ListAccounts (call it from the management account or a delegated administrator, or give --accounts): %w", err)
		}
		for _, acc := range page.Accounts {
			out = append(out, aws.ToString(acc.Id))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("organizations ListAccounts returned no accounts; give --accounts")
	}
	sort.Strings(out)
	return out, nil
}

// athenaRun is one query execution of the report.
type athenaRun struct {
	api        athenaAPI
	workgroup  string
	database   string
	poll       time.Duration
	pricePerTB float64
	quiet      bool
	stderr     io.Writer
}

// athenaResult is one finished query: its ID, grouped rows, bytes scanned and estimated cost.
type athenaResult struct {
	id      string
	rows    []athenaRow
	scanned int64
	cost    float64
}

// query runs the report's SQL for q in the run's workgroup and reads every result page.
func (r *athenaRun) query(ctx context.Context, q athenaQuery) (athenaResult, error) {
	sql, err := athenaSQL(q)
	if err != nil {
		return athenaResult{}, badFlag("%v", err)
	}
	started := time.Now()
	start, err := r.api.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
		QueryString:           aws.String(sql),
		WorkGroup:             aws.String(r.workgroup),
		QueryExecutionContext: &athenatypes.QueryExecutionContext{Database: aws.String(r.database)},
	})
	if err != nil {
		var tm *athenatypes.TooManyRequestsException
		if errors.As(err, &tm) {
			return athenaResult{}, fmt.Errorf("athena StartQueryExecution in workgroup %s: throttled after retries (%s); too many queries are running in the account: wait and run again: %w", r.workgroup, tm.Reason, err)
		}
		return athenaResult{}, fmt.Errorf("athena StartQueryExecution in workgroup %s: %w", r.workgroup, err)
	}
	id := aws.ToString(start.QueryExecutionId)
	if !r.quiet {
		fmt.Fprintf(r.stderr, "report: athena query %s started in workgroup %s (%d accounts, regions %s, %s to %s)\n",
			id, r.workgroup, len(q.Accounts), strings.Join(q.Regions, ","), q.From.UTC().Format(time.RFC3339), q.To.UTC().Format(time.RFC3339))
	}
	exec, err := r.wait(ctx, id, started)
	if err != nil {
		return athenaResult{}, err
	}
	rows, err := r.results(ctx, id)
	if err != nil {
		return athenaResult{}, err
	}
	res := athenaResult{id: id, rows: rows}
	if st := exec.Statistics; st != nil {
		res.scanned = aws.ToInt64(st.DataScannedInBytes)
	}
	res.cost = athenaQueryCost(res.scanned, r.pricePerTB)
	if !r.quiet {
		fmt.Fprintf(r.stderr, "report: athena query %s: %d result rows; scanned %s, estimated query cost $%.4f (list price $%g/TB, 10 MB minimum; estimate)\n",
			id, len(rows), humanBytes(res.scanned), res.cost, r.pricePerTB)
	}
	return res, nil
}

// wait polls the query until it ends, printing progress.
func (r *athenaRun) wait(ctx context.Context, id string, started time.Time) (*athenatypes.QueryExecution, error) {
	var last athenatypes.QueryExecutionState
	lastPrint := time.Time{}
	for {
		out, err := r.api.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			r.stop(ctx, id)
			return nil, fmt.Errorf("athena GetQueryExecution %s: %w (the query was asked to stop)", id, err)
		}
		ex := out.QueryExecution
		if ex == nil || ex.Status == nil {
			return nil, fmt.Errorf("athena GetQueryExecution %s: no status in the answer", id)
		}
		state := ex.Status.State
		if !r.quiet && (state != last || time.Since(lastPrint) >= 10*time.Second) {
			var scanned int64
			if ex.Statistics != nil {
				scanned = aws.ToInt64(ex.Statistics.DataScannedInBytes)
			}
			fmt.Fprintf(r.stderr, "report: athena query %s %s after %s, %s scanned\n", id, state, time.Since(started).Round(time.Second), humanBytes(scanned))
			last, lastPrint = state, time.Now()
		}
		switch state {
		case athenatypes.QueryExecutionStateSucceeded:
			return ex, nil
		case athenatypes.QueryExecutionStateFailed, athenatypes.QueryExecutionStateCancelled:
			return nil, athenaFailure(id, ex, r.pricePerTB)
		}
		select {
		case <-ctx.Done():
			r.stop(ctx, id)
			return nil, fmt.Errorf("athena query %s: %w (the query was asked to stop)", id, ctx.Err())
		case <-time.After(r.poll):
		}
	}
}

// stop asks Athena to stop a query this run no longer waits for, so that it stops scanning.
func (r *athenaRun) stop(ctx context.Context, id string) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	r.api.StopQueryExecution(sctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)})
}

// athenaFailure explains a query that did not succeed.
func athenaFailure(id string, ex *athenatypes.QueryExecution, pricePerTB float64) error {
	st := ex.Status
	reason := aws.ToString(st.StateChangeReason)
	var detail string
	if ae := st.AthenaError; ae != nil {
		cat := map[int32]string{1: "system", 2: "user", 3: "other"}[aws.ToInt32(ae.ErrorCategory)]
		detail = fmt.Sprintf(" (%s error, type %d", cat, aws.ToInt32(ae.ErrorType))
		if ae.Retryable {
			detail += ", retryable: run the report again"
		}
		detail += ")"
		if reason == "" {
			reason = aws.ToString(ae.ErrorMessage)
		}
	}
	if reason == "" {
		reason = "no reason given"
	}
	hint := ""
	switch {
	case st.State == athenatypes.QueryExecutionStateCancelled, strings.Contains(strings.ToLower(reason), "scanned limit"):
		hint = "; a query is cancelled by StopQueryExecution or when it passes the workgroup's bytes-scanned cutoff: narrow the period or the accounts"
	case strings.Contains(reason, "HIVE_CURSOR_ERROR") || strings.Contains(reason, "HIVE_BAD_DATA"):
		hint = "; an archived object named in the message cannot be read (corrupt or partial): check it with `--logs s3://...` for that day, which skips and names such objects"
	}
	var scanned int64
	if ex.Statistics != nil {
		scanned = aws.ToInt64(ex.Statistics.DataScannedInBytes)
	}
	// A failed or cancelled query is billed for what it scanned.
	spent := ""
	if scanned > 0 {
		spent = fmt.Sprintf(" (it scanned %s: estimated query cost $%.4f)", humanBytes(scanned), athenaQueryCost(scanned, pricePerTB))
	}
	return fmt.Errorf("athena query %s %s%s: %s%s%s", id, st.State, spent, reason, detail, hint)
}

// results reads every page of the query's result.
func (r *athenaRun) results(ctx context.Context, id string) ([]athenaRow, error) {
	var rows []athenaRow
	var cols []string
	p := athena.NewGetQueryResultsPaginator(r.api, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(athenaResultsPage)})
	first, pages := true, 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("athena GetQueryResults %s (page %d): %w", id, len(rows)/athenaResultsPage+1, err)
		}
		rs := page.ResultSet
		if rs == nil {
			continue
		}
		if cols == nil && rs.ResultSetMetadata != nil {
			for _, c := range rs.ResultSetMetadata.ColumnInfo {
				cols = append(cols, aws.ToString(c.Name))
			}
		}
		for i, row := range rs.Rows {
			// The first row of a SELECT's first page repeats the column names.
			if first && i == 0 && isHeader(row, cols) {
				continue
			}
			m := athenaRow{}
			for j, d := range row.Data {
				if j < len(cols) {
					m[cols[j]] = d.VarCharValue
				}
			}
			rows = append(rows, m)
		}
		first = false
		if pages++; !r.quiet && pages%20 == 0 {
			fmt.Fprintf(r.stderr, "report: athena query %s: %d result rows read\n", id, len(rows))
		}
	}
	if cols == nil {
		return nil, fmt.Errorf("athena GetQueryResults %s: no column metadata", id)
	}
	return rows, nil
}

func isHeader(row athenatypes.Row, cols []string) bool {
	if len(row.Data) != len(cols) {
		return false
	}
	for j, d := range row.Data {
		if aws.ToString(d.VarCharValue) != cols[j] {
			return false
		}
	}
	return true
}

// listSome names up to max values: "accounts 1,2,3" or "1000 accounts (1,2,... and 990 more)".
func listSome(noun string, vals []string, max int) string {
	if len(vals) <= max {
		if len(vals) == 1 {
			return noun + " " + vals[0]
		}
		return noun + "s " + strings.Join(vals, ",")
	}
	return fmt.Sprintf("%d %ss (%s,... and %d more)", len(vals), noun, strings.Join(vals[:max], ","), len(vals)-max)
}

func humanBytes(b int64) string {
	switch {
	case b >= 1<<40:
		return fmt.Sprintf("%.2f TB", float64(b)/(1<<40))
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	default:
		return fmt.Sprintf("%d bytes", b)
	}
}
