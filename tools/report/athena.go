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
// regions, us-east-1 included (aws.amazon.com/athena/pricing, November 2026; some regions
// charge more, and capacity reservations are billed per DPU-hour instead). Athena rounds the
// bytes scanned up to the next megabyte and bills at least 10 MB per query.
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
}

// validate checks the --athena flags against the rest of the command line.
func (a *athenaFlags) validate(o *options) error {
	if !a.enabled {
		for _, f := range []struct {
			set  bool
			name string
		}{{len(a.accounts) > 0, "--accounts"}, {a.organization, "--organization"}, {len(a.regions) > 0, "--log-regions"},
			{a.workgroup != naming.AthenaWorkgroup, "--workgroup"}, {a.database != naming.GlueDatabase, "--database"},
			{a.table != naming.GlueTable, "--table"}, {a.price != "", "--athena-price-per-tb"}} {
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

// fromAthena runs the report's query in Athena over the hub table.
func (e *env) fromAthena(ctx context.Context, o *options, prices *usage.PriceTable, stderr io.Writer) (*usage.Report, error) {
	a := &o.athena
	cfg, err := e.awsConfig(ctx, o, "--athena")
	if err != nil {
		return nil, err
	}
	accounts := append([]string(nil), a.accounts...)
	if a.organization {
		if accounts, err = organizationAccounts(ctx, organizations.NewFromConfig(cfg)); err != nil {
			return nil, err
		}
		if !o.quiet {
			fmt.Fprintf(stderr, "report: %d accounts from AWS Organizations\n", len(accounts))
		}
	}
	regions := []string(a.regions)
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	opt := usage.Options{Prices: prices, TagKey: o.tagKey, Start: o.from, End: o.to}
	if o.resolveProfiles {
		opt.Resolve = newResolver(ctx, cfg, stderr)
	}
	q := athenaQuery{Table: athenaTableRef(a.database, a.table), Accounts: accounts, Regions: regions, From: o.from, To: o.to, TagKey: o.tagKey}
	run := athenaRun{api: athena.NewFromConfig(cfg), workgroup: a.workgroup, database: a.database, poll: e.poll,
		pricePerTB: a.pricePerTB, quiet: o.quiet, stderr: stderr}
	return run.report(ctx, q, opt)
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

func (r *athenaRun) report(ctx context.Context, q athenaQuery, opt usage.Options) (*usage.Report, error) {
	sql, err := athenaSQL(q)
	if err != nil {
		return nil, badFlag("%v", err)
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
			return nil, fmt.Errorf("athena StartQueryExecution in workgroup %s: throttled after retries (%s); too many queries are running in the account: wait and run again: %w", r.workgroup, tm.Reason, err)
		}
		return nil, fmt.Errorf("athena StartQueryExecution in workgroup %s: %w", r.workgroup, err)
	}
	id := aws.ToString(start.QueryExecutionId)
	if !r.quiet {
		fmt.Fprintf(r.stderr, "report: athena query %s started in workgroup %s (%d accounts, %d regions, %s to %s)\n",
			id, r.workgroup, len(q.Accounts), len(q.Regions), q.From.UTC().Format(time.RFC3339), q.To.UTC().Format(time.RFC3339))
	}
	exec, err := r.wait(ctx, id, started)
	if err != nil {
		return nil, err
	}
	rows, err := r.results(ctx, id)
	if err != nil {
		return nil, err
	}
	agg := usage.NewAggregator(usage.NewConfig(opt))
	if err := addAthenaRows(agg, rows); err != nil {
		return nil, fmt.Errorf("athena query %s: %w", id, err)
	}
	var scanned int64
	if st := exec.Statistics; st != nil {
		scanned = aws.ToInt64(st.DataScannedInBytes)
	}
	cost := athenaQueryCost(scanned, r.pricePerTB)
	table := strings.ReplaceAll(q.Table, `"`, "")
	rep := usage.BuildReport(agg, "athena "+table+" (workgroup "+r.workgroup+")", q.From, q.To)
	rep.Bytes = scanned
	rep.Notes = append(rep.Notes,
		fmt.Sprintf("aggregated in Amazon Athena (query %s) over accounts %s and regions %s", id, strings.Join(q.Accounts, ","), strings.Join(q.Regions, ",")),
		fmt.Sprintf("the query scanned %d bytes: estimated query cost $%.6f at $%g per TB scanned (list price; 10 MB minimum per query; not included in estimated_cost_usd)", scanned, cost, r.pricePerTB),
		"skipped_lines counts lines Athena read that are not usable records; unreadable objects fail the query instead of being counted")
	if !r.quiet {
		fmt.Fprintf(r.stderr, "report: athena query %s: %d records in %d result rows; scanned %s, estimated query cost $%.4f (list price $%g/TB, 10 MB minimum; estimate)\n",
			id, rep.Records, len(rows), humanBytes(scanned), cost, r.pricePerTB)
	}
	return rep, nil
}

// wait polls the query until it ends, printing progress.
func (r *athenaRun) wait(ctx context.Context, id string, started time.Time) (*athenatypes.QueryExecution, error) {
	var last athenatypes.QueryExecutionState
	lastPrint := time.Time{}
	for {
		out, err := r.api.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			if ctx.Err() == nil {
				r.stop(ctx, id)
			}
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
			return nil, athenaFailure(id, ex)
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
func athenaFailure(id string, ex *athenatypes.QueryExecution) error {
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
	case st.State == athenatypes.QueryExecutionStateCancelled:
		hint = "; a query is cancelled by StopQueryExecution or when it passes the workgroup's bytes-scanned cutoff: narrow the period or the accounts"
	case strings.Contains(reason, "HIVE_CURSOR_ERROR") || strings.Contains(reason, "HIVE_BAD_DATA"):
		hint = "; an archived object named in the message cannot be read (corrupt or partial): check it with `--logs s3://...` for that day, which skips and names such objects"
	}
	return fmt.Errorf("athena query %s %s: %s%s%s", id, st.State, reason, detail, hint)
}

// results reads every page of the query's result.
func (r *athenaRun) results(ctx context.Context, id string) ([]athenaRow, error) {
	var rows []athenaRow
	var cols []string
	p := athena.NewGetQueryResultsPaginator(r.api, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(id), MaxResults: aws.Int32(athenaResultsPage)})
	first := true
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
