// Command report answers the usual questions about Amazon Bedrock usage: how
// many tokens, which models, accounts, callers and teams, what it costs, and
// how that changes day by day. It reads CloudWatch metrics (the default),
// model invocation logs in S3 or on disk, or a CloudWatch Logs group through
// Logs Insights. See the "tools/report" section of README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"golang.org/x/term"

	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// env holds what run needs from the outside world; tests replace parts of it.
type env struct {
	loadAWS    func(ctx context.Context, region, profile string) (aws.Config, error)
	now        func() time.Time
	isTerminal func(w io.Writer) bool
	poll       time.Duration // Logs Insights polling interval
}

func defaultEnv() *env {
	return &env{
		loadAWS: func(ctx context.Context, region, profile string) (aws.Config, error) {
			// The SDK's own warnings (such as the IMDSv1 fallback) would break the
			// one-line error contract; failures surface as errors instead.
			opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
			if region != "" {
				opts = append(opts, config.WithRegion(region))
			}
			if profile != "" {
				opts = append(opts, config.WithSharedConfigProfile(profile))
			}
			return config.LoadDefaultConfig(ctx, opts...)
		},
		now: time.Now,
		isTerminal: func(w io.Writer) bool {
			f, ok := w.(*os.File)
			return ok && term.IsTerminal(int(f.Fd()))
		},
		poll: time.Second,
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return defaultEnv().run(ctx, args, stdout, stderr)
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func badFlag(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

type options struct {
	logs            string
	logGroups       []string
	days            int
	start, end      string
	prices          string
	printPrices     bool
	format          string
	output          string
	groupBy         string
	tagKey          string
	resolveProfiles bool
	region, profile string
	workers         int
	top             int
	quiet           bool
	athena          athenaFlags

	from, to time.Time // resolved period; zero = open
}

type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*m = append(*m, s)
		}
	}
	return nil
}

const helpText = `usage: go run ./tools/report [flags]

Bedrock usage and cost report. Sources (choose one):
  (default)              CloudWatch metrics of namespace AWS/Bedrock in the current account and
                         region (models found with ListMetrics, batched GetMetricData). Gives
                         invocations, tokens, latency percentiles, errors and throttles per model;
                         metrics carry no account, caller, operation or tag.
  --logs s3://BUCKET/PREFIX
                         model invocation logs delivered to S3 (PREFIX is the logging key prefix,
                         above AWSLogs/). With a period, only its date prefixes (and the next
                         day, for late deliveries) are listed.
  --logs DIR             a local copy of the same layout (or any directory of *.json.gz files).
                         Makes no AWS calls at all (unless --resolve-profiles is given).
  --log-group NAME       invocation logs in CloudWatch Logs, aggregated in the service by a Logs
                         Insights query. Repeat or comma-separate for up to 50 groups.
  --athena               invocation logs in the hub archive, aggregated by one Amazon Athena query
                         over the hub's Glue table (the path for a whole organization). Needs
                         --accounts or --organization; reads only the partitions of the period.

Period (UTC; default: last 7 days for metrics, --log-group and --athena, every record for --logs):
  --days N               the N days up to --end (default now), or from --start
  --start TIME           RFC 3339 time (2026-11-01T00:00:00Z) or date (2026-11-01, midnight UTC)
  --end TIME             exclusive end; a date means the end of that day (inclusive date)

Athena (with --athena; run with credentials of the hub account, in the hub region):
  --accounts IDS         12-digit account IDs to report on, comma-separated (or repeat the flag)
  --organization         every account of AWS Organizations (ListAccounts: management account or
                         delegated administrator)
  --log-regions R1,R2    regions whose logs to read (default: --region, the hub region)
  --workgroup NAME       Athena workgroup (default bedrockgov; it sets the result location)
  --database NAME        Glue database (default bedrockgov)
  --table NAME           Glue table (default invocation_logs)
  --athena-price-per-tb USD
                         price per TB scanned for the query-cost estimate on stderr (default 5,
                         the list price in most regions; Athena bills at least 10 MB per query)
  Progress, the bytes scanned and the estimated query cost are printed on stderr.

Pricing:
  --prices FILE          replace the embedded price table; format:
                         {"models": {"<base model id>": {"input_per_1k": 0.003, "output_per_1k": 0.015,
                          "cache_read_per_1k": 0.0003, "cache_write_per_1k": 0.00375}}}
                         absent fields are 0; models absent from the table are counted in
                         unpriced_records and listed, never priced at $0.
  --print-prices         print the embedded table (with its source and date) and exit
  --resolve-profiles     resolve application-inference-profile ARNs to their base model with the
                         Bedrock GetInferenceProfile API so that they can be priced

Output:
  --format F             table, csv, json, markdown or html (default: table on a terminal, json
                         otherwise)
  -o, --output FILE      write the report to FILE instead of standard output
  --group-by tag:KEY     add by_tag: usage by requestMetadata[KEY] (team, cost centre...)
  --top N                rows per breakdown in table, markdown and html (default 15, 0 = all);
                         json and csv always hold every row

AWS:
  --region R             AWS region (default: from the environment or profile)
  --profile P            shared config profile

Other:
  --workers N            objects read at once (default: CPUs for a directory, 16 for S3)
  -q, --quiet            do not print progress and the summary line on stderr
  -h, --help             this help

Log records: a by_model key is the base model (ARNs reduced to the model id, one geographic prefix
such as us./eu./global. dropped); by_caller drops assumed-role session names; error records count
in records and errors and their tokens count; cost = tokens / 1000 x price, with input, output,
cache-read and cache-write tokens priced separately. data/ objects and the permission-check
object are skipped; malformed lines (skipped_lines) and unreadable objects (unreadable_objects,
named on stderr) are counted and the report goes on.

Exit status: 0 report written, 1 a source failed, 2 bad command line.
`

func (e *env) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, e.now())
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, helpText)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 2
	}
	if o.printPrices {
		stdout.Write(usage.EmbeddedPricesJSON())
		return 0
	}
	prices := usage.EmbeddedPrices()
	if o.prices != "" {
		if prices, err = usage.LoadPrices(o.prices); err != nil {
			fmt.Fprintf(stderr, "report: %v\n", err)
			return 2
		}
	}
	if o.format == "" {
		o.format = "json"
		if o.output == "" && e.isTerminal(stdout) {
			o.format = "table"
		}
	}
	rep, err := e.collect(ctx, o, prices, stderr)
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "report: %v\n", err)
			return 2
		}
		fmt.Fprintf(stderr, "report: %v\n", err)
		return 1
	}
	out := stdout
	var f *os.File
	if o.output != "" {
		if f, err = os.Create(o.output); err != nil {
			fmt.Fprintf(stderr, "report: %v\n", err)
			return 1
		}
		out = f
	}
	err = write(out, o.format, rep, o.top)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "report: write %s: %v\n", o.format, err)
		return 1
	}
	if o.output != "" && !o.quiet {
		fmt.Fprintf(stderr, "report: wrote %s\n", o.output)
	}
	return 0
}

func parseArgs(args []string, now time.Time) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.logs, "logs", "", "")
	var groups multiFlag
	fs.Var(&groups, "log-group", "")
	days := fs.String("days", "", "")
	fs.StringVar(&o.start, "start", "", "")
	fs.StringVar(&o.end, "end", "", "")
	fs.StringVar(&o.prices, "prices", "", "")
	fs.BoolVar(&o.printPrices, "print-prices", false, "")
	fs.StringVar(&o.format, "format", "", "")
	fs.StringVar(&o.output, "output", "", "")
	fs.StringVar(&o.output, "o", "", "")
	fs.StringVar(&o.groupBy, "group-by", "", "")
	fs.BoolVar(&o.resolveProfiles, "resolve-profiles", false, "")
	fs.StringVar(&o.region, "region", "", "")
	fs.StringVar(&o.profile, "profile", "", "")
	workers := fs.String("workers", "", "")
	top := fs.String("top", "15", "")
	fs.BoolVar(&o.quiet, "quiet", false, "")
	fs.BoolVar(&o.quiet, "q", false, "")
	o.athena.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, badFlag("%v (see --help)", err)
	}
	if fs.NArg() > 0 {
		return nil, badFlag("unexpected argument %q; flags start with -- (see --help)", fs.Arg(0))
	}
	o.logGroups = groups
	var err error
	if *days != "" {
		if o.days, err = strconv.Atoi(*days); err != nil || o.days < 1 || o.days > 3650 {
			return nil, badFlag("--days %q: want a whole number of days from 1 to 3650, e.g. --days 7", *days)
		}
	}
	if *workers != "" {
		if o.workers, err = strconv.Atoi(*workers); err != nil || o.workers < 1 || o.workers > 256 {
			return nil, badFlag("--workers %q: want a number from 1 to 256, e.g. --workers 4", *workers)
		}
	}
	if o.top, err = strconv.Atoi(*top); err != nil || o.top < 0 {
		return nil, badFlag("--top %q: want a number of rows, 0 for all, e.g. --top 20", *top)
	}
	switch o.format {
	case "", "table", "csv", "json", "markdown", "html":
	case "md":
		o.format = "markdown"
	default:
		return nil, badFlag("--format %q: want one of table, csv, json, markdown, html", o.format)
	}
	if o.groupBy != "" {
		k, ok := strings.CutPrefix(o.groupBy, "tag:")
		if !ok || k == "" {
			return nil, badFlag("--group-by %q: want tag:<requestMetadata key>, e.g. --group-by tag:team", o.groupBy)
		}
		o.tagKey = k
	}
	if o.logs != "" && len(o.logGroups) > 0 {
		return nil, badFlag("--logs %q and --log-group %q: choose one source", o.logs, o.logGroups[0])
	}
	if len(o.logGroups) > 50 {
		return nil, badFlag("--log-group: %d groups given; Logs Insights queries at most 50 at once", len(o.logGroups))
	}
	if strings.HasPrefix(o.logs, "s3:") && !strings.HasPrefix(o.logs, "s3://") {
		return nil, badFlag("--logs %q: want s3://bucket/prefix or a local directory", o.logs)
	}
	if err := o.athena.validate(o); err != nil {
		return nil, err
	}
	if o.logs == "" && len(o.logGroups) == 0 && !o.athena.enabled && o.tagKey != "" {
		return nil, badFlag("--group-by %q: metrics carry no request metadata; use --logs or --log-group", o.groupBy)
	}
	if err := o.resolvePeriod(now); err != nil {
		return nil, err
	}
	return o, nil
}

// parseTime accepts RFC 3339 or a date; isDate reports the latter.
func parseTime(flagName, v string) (t time.Time, isDate bool, err error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), false, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, true, nil
	}
	return time.Time{}, false, badFlag("--%s %q: want an RFC 3339 time such as 2026-11-01T00:00:00Z or a date such as 2026-11-01", flagName, v)
}

func (o *options) resolvePeriod(now time.Time) error {
	if o.days > 0 && o.start != "" && o.end != "" {
		return badFlag("--days %d with both --start and --end: give at most two of them", o.days)
	}
	var err error
	var endIsDate bool
	if o.start != "" {
		if o.from, _, err = parseTime("start", o.start); err != nil {
			return err
		}
	}
	if o.end != "" {
		if o.to, endIsDate, err = parseTime("end", o.end); err != nil {
			return err
		}
		if endIsDate {
			o.to = o.to.AddDate(0, 0, 1)
		}
	}
	logs := o.logs != ""
	switch {
	case o.days > 0 && o.start != "":
		o.to = o.from.AddDate(0, 0, o.days)
	case o.days > 0:
		if o.to.IsZero() {
			o.to = now.UTC()
		}
		o.from = o.to.AddDate(0, 0, -o.days)
	case logs:
		// an open period reads every record; --start or --end bound one side
	default:
		if o.to.IsZero() {
			o.to = now.UTC()
		}
		if o.from.IsZero() {
			o.from = o.to.AddDate(0, 0, -7)
		}
	}
	if !o.from.IsZero() && !o.to.IsZero() && !o.from.Before(o.to) {
		return badFlag("--start %s is not before --end %s", o.from.Format(time.RFC3339), o.to.Format(time.RFC3339))
	}
	return nil
}

// collect runs the chosen source.
func (e *env) collect(ctx context.Context, o *options, prices *usage.PriceTable, stderr io.Writer) (*usage.Report, error) {
	switch {
	case o.logs != "":
		return e.fromLogs(ctx, o, prices, stderr)
	case len(o.logGroups) > 0:
		return e.fromInsights(ctx, o, prices, stderr)
	case o.athena.enabled:
		return e.fromAthena(ctx, o, prices, stderr)
	default:
		return e.fromMetrics(ctx, o, prices, stderr)
	}
}

// awsConfig loads the AWS configuration and checks that credentials exist.
func (e *env) awsConfig(ctx context.Context, o *options, what string) (aws.Config, error) {
	cfg, err := e.loadAWS(ctx, o.region, o.profile)
	if err != nil {
		return cfg, fmt.Errorf("load AWS configuration for %s: %w", what, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return cfg, fmt.Errorf("no AWS credentials for %s (set AWS_PROFILE or AWS_ACCESS_KEY_ID, or use --profile); to report from invocation logs on disk without AWS, use --logs DIR", what)
	}
	if cfg.Region == "" {
		return cfg, badFlag("no AWS region for %s: use --region or set AWS_REGION", what)
	}
	return cfg, nil
}
