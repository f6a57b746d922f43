package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// Exit codes.
const (
	exitOK       = 0 // every target done / logging as expected
	exitFailed   = 1 // at least one target failed, or the run could not start
	exitUsage    = 2 // bad flags or input; nothing was called
	exitNotAsExp = 3 // status: at least one target is not logging or has drifted
)

const defaultRoleName = "OrganizationAccountAccessRole"

// cliConfig is the parsed command line.
type cliConfig struct {
	command     string
	regions     []string
	accounts    []string
	org         bool
	ou          string
	roleName    string
	concurrency int
	output      string
	timeout     time.Duration
	allowRegion bool
	yes         bool
	scope       string
	readOnly    bool // policy --read-only: what status needs
	opts        options
}

// usageError is bad input; the message says what to fix.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// run is the whole program: it parses args, runs the command and returns
// the exit code. Output goes to stdout; diagnostics and progress to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainHelp)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if h, ok := commandHelp[args[1]]; ok {
				fmt.Fprint(stdout, h)
				return exitOK
			}
		}
		fmt.Fprint(stdout, mainHelp)
		return exitOK
	}
	cfg, err := parseArgs(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "logging: %v\n", oneLine(err.Error()))
		hint := "help"
		if _, ok := commandHelp[cfg.command]; ok {
			hint = "help " + cfg.command
		}
		fmt.Fprintf(stderr, "run `go run ./tools/logging %s` for usage\n", hint)
		return exitUsage
	}
	if cfg.command == "policy" {
		doc, err := renderPolicy(cfg.scope, cfg.roleName, cfg.readOnly)
		if err != nil {
			fmt.Fprintf(stderr, "logging: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(stdout, doc)
		return exitOK
	}
	if cfg.command == "disable" && !cfg.yes && !cfg.opts.dryRun {
		fmt.Fprintln(stderr, "logging: disable deletes the Bedrock model invocation logging configuration, after which invocations are no longer logged; refusing without --yes (use --dry-run to see what would be deleted). Buckets, log groups and existing logs are never touched.")
		return exitUsage
	}
	if cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.timeout)
		defer cancel()
	}
	return execute(ctx, cfg, stdout, stderr)
}

func parseArgs(args []string, stdout io.Writer) (cliConfig, error) {
	cfg := cliConfig{command: args[0]}
	help, ok := commandHelp[cfg.command]
	if !ok || cfg.command == "help" {
		return cfg, usagef("unknown command %q: use status, enable, disable, policy or help", cfg.command)
	}
	var regions, accounts string
	fs := defineFlags(&cfg, &regions, &accounts)
	d := &cfg.opts.flags.values
	for _, a := range args[1:] {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprint(stdout, help)
			return cfg, flag.ErrHelp
		}
	}
	if err := fs.Parse(args[1:]); err != nil {
		return cfg, usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return cfg, usagef("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	cfg.opts.flags.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { cfg.opts.flags.set[f.Name] = true })

	if err := validateRoleName(cfg.roleName); err != nil {
		return cfg, err
	}
	if cfg.command == "policy" {
		switch cfg.scope {
		case scopeAll, scopeCaller, scopeTarget:
		default:
			return cfg, usagef("--scope %q: use all, caller or target", cfg.scope)
		}
		return cfg, nil
	}

	cfg.regions = splitList(regions)
	for _, r := range cfg.regions {
		if err := validateRegion(r, cfg.allowRegion); err != nil {
			return cfg, err
		}
	}
	cfg.accounts = splitList(accounts)
	for _, a := range cfg.accounts {
		if err := validateAccountID(a); err != nil {
			return cfg, err
		}
	}
	if cfg.org && len(cfg.accounts) > 0 {
		return cfg, usagef("--accounts and --organization are exclusive: choose one")
	}
	if cfg.ou != "" {
		if !cfg.org {
			return cfg, usagef("--ou needs --organization")
		}
		if err := validateOUID(cfg.ou); err != nil {
			return cfg, err
		}
	}
	if cfg.concurrency < 1 || cfg.concurrency > 256 {
		return cfg, usagef("--concurrency %d: use 1 to 256", cfg.concurrency)
	}
	if cfg.output != "table" && cfg.output != "json" {
		return cfg, usagef("--output %q: use table or json", cfg.output)
	}
	if cfg.timeout < 0 {
		return cfg, usagef("--timeout must not be negative")
	}
	// Destination flags are checked for format here, once, so a typo fails
	// before any AWS call. Coherence (role with log group, same account) is
	// checked per target after merging with SSM parameters.
	set := cfg.opts.flags.set
	if err := checkDestinationFlags(&cfg); err != nil {
		return cfg, err
	}
	// formats, with placeholders filled by sample values
	sample := cfg.opts.flags.forTarget(target{Account: "111111111111", Region: "us-east-1"}).values
	if set["bucket"] {
		if err := validateBucketName(sample.Bucket); err != nil {
			return cfg, err
		}
	}
	if set["large-data-bucket"] {
		if err := validateBucketName(sample.LargeDataBucket); err != nil {
			return cfg, err
		}
	}
	if set["log-group"] {
		if err := validateLogGroupName(sample.LogGroup); err != nil {
			return cfg, err
		}
	}
	if set["role-arn"] {
		if _, err := parseRoleARN(sample.RoleARN); err != nil {
			return cfg, err
		}
	}
	if err := validateKeyPrefix(sample.KeyPrefix); err != nil {
		return cfg, err
	}
	if cfg.opts.skipSSM && cfg.command == "enable" && d.Bucket == "" && d.LogGroup == "" {
		return cfg, usagef("--no-ssm needs --bucket and/or --log-group (with --role-arn)")
	}
	return cfg, nil
}

// checkDestinationFlags applies the one rule for combining destination
// flags with the member baseline's SSM parameters: a flag that is given
// overrides its parameter and must have a value; --s3-only and
// --cloudwatch-only turn a delivery off; a flag that serves several accounts
// (or regions) must be a template naming {account} (or {region}) where the
// value differs between them.
func checkDestinationFlags(cfg *cliConfig) error {
	f := &cfg.opts.flags
	d := f.values
	for _, c := range []struct{ flag, v, off string }{
		{"bucket", d.Bucket, "--cloudwatch-only"}, {"log-group", d.LogGroup, "--s3-only"},
		{"role-arn", d.RoleARN, "--s3-only"}, {"large-data-bucket", d.LargeDataBucket, "--s3-only, or omit --large-data-bucket and --no-ssm"},
	} {
		if f.set[c.flag] && c.v == "" {
			return usagef("--%s \"\": an empty value does not turn a delivery off; use %s (or omit the flag to use the member baseline's SSM parameter)", c.flag, c.off)
		}
	}
	if f.s3Only && f.cwOnly {
		return usagef("--s3-only and --cloudwatch-only are exclusive: choose one")
	}
	if f.s3Only && (f.set["log-group"] || f.set["role-arn"] || f.set["large-data-bucket"]) {
		return usagef("--s3-only with --log-group, --role-arn or --large-data-bucket: choose one")
	}
	if f.cwOnly && f.set["bucket"] {
		return usagef("--cloudwatch-only with --bucket: choose one")
	}
	manyAccounts := cfg.org || len(cfg.accounts) > 1
	manyRegions := len(cfg.regions) > 1
	for _, c := range []struct {
		flag, v           string
		perAccount, perRg bool
	}{
		{"bucket", d.Bucket, true, true}, {"large-data-bucket", d.LargeDataBucket, true, true},
		{"role-arn", d.RoleARN, true, false}, {"log-group", d.LogGroup, false, false}, {"key-prefix", d.KeyPrefix, false, false},
	} {
		if !f.set[c.flag] {
			continue
		}
		rest := strings.NewReplacer(accountPlaceholder, "", regionPlaceholder, "").Replace(c.v)
		if strings.ContainsAny(rest, "{}") {
			return usagef("--%s %q: the only placeholders are %s and %s", c.flag, c.v, accountPlaceholder, regionPlaceholder)
		}
		if c.perAccount && manyAccounts && !strings.Contains(c.v, accountPlaceholder) {
			return usagef("--%s %q with several accounts would point every account at the same one; use a template such as --%s '%s' (a %s must be in the target's own account)",
				c.flag, c.v, c.flag, templateExample(c.flag), strings.ReplaceAll(c.flag, "-", " "))
		}
		if c.perRg && manyRegions && !strings.Contains(c.v, regionPlaceholder) {
			return usagef("--%s %q with several regions: a bucket must be in the target's region; use a template such as --%s '%s'", c.flag, c.v, c.flag, templateExample(c.flag))
		}
	}
	return nil
}

func templateExample(flag string) string {
	switch flag {
	case "role-arn":
		return "arn:aws:iam::{account}:role/bedrock-logging"
	case "large-data-bucket":
		return "bedrock-large-{account}-{region}"
	}
	return "bedrock-logs-{account}-{region}"
}

func d2(cfg *cliConfig) *destinationFlags { return &cfg.opts.flags }

// defineFlags declares the flags of cfg.command, writing into cfg.
func defineFlags(cfg *cliConfig, regions, accounts *string) *flag.FlagSet {
	fs := flag.NewFlagSet(cfg.command, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}

	d := &cfg.opts.flags.values
	t := &cfg.opts.types
	*t = dataTypes{Text: true, Embedding: true}
	fs.StringVar(&cfg.roleName, "role-name", defaultRoleName, "")
	switch cfg.command {
	case "policy":
		fs.StringVar(&cfg.scope, "scope", scopeAll, "")
		fs.BoolVar(&cfg.readOnly, "read-only", false, "")
	default:
		fs.StringVar(regions, "regions", "", "")
		fs.StringVar(accounts, "accounts", "", "")
		fs.BoolVar(&cfg.org, "organization", false, "")
		fs.StringVar(&cfg.ou, "ou", "", "")
		fs.IntVar(&cfg.concurrency, "concurrency", 16, "")
		fs.StringVar(&cfg.output, "output", "table", "")
		fs.DurationVar(&cfg.timeout, "timeout", 0, "")
		fs.BoolVar(&cfg.allowRegion, "allow-unknown-regions", false, "")
	}
	if cfg.command == "status" || cfg.command == "enable" {
		fs.StringVar(&d.Bucket, "bucket", "", "")
		fs.StringVar(&d.KeyPrefix, "key-prefix", "", "")
		fs.StringVar(&d.LogGroup, "log-group", "", "")
		fs.StringVar(&d.RoleARN, "role-arn", "", "")
		fs.StringVar(&d.LargeDataBucket, "large-data-bucket", "", "")
		fs.BoolVar(&cfg.opts.skipSSM, "no-ssm", false, "")
		fs.BoolVar(&d2(cfg).s3Only, "s3-only", false, "")
		fs.BoolVar(&d2(cfg).cwOnly, "cloudwatch-only", false, "")
		fs.BoolVar(&t.Text, "text", true, "")
		fs.BoolVar(&t.Image, "image", false, "")
		fs.BoolVar(&t.Embedding, "embedding", true, "")
		fs.BoolVar(&t.Video, "video", false, "")
		fs.BoolVar(&t.Audio, "audio", false, "")
	}
	if cfg.command == "enable" || cfg.command == "disable" {
		fs.BoolVar(&cfg.opts.dryRun, "dry-run", false, "")
	}
	if cfg.command == "disable" {
		fs.BoolVar(&cfg.yes, "yes", false, "")
	}
	return fs
}

// execute resolves the targets and runs the command on each.
func execute(ctx context.Context, cfg cliConfig, stdout, stderr io.Writer) int {
	base, err := loadAWSConfig(ctx, "")
	if err != nil {
		fmt.Fprintf(stderr, "logging: loading AWS configuration: %s\n", oneLine(err.Error()))
		return exitFailed
	}
	regions := cfg.regions
	if len(regions) == 0 {
		if base.Region == "" {
			fmt.Fprintln(stderr, "logging: no region: set AWS_REGION, a region in your AWS profile, or --regions")
			return exitUsage
		}
		if err := validateRegion(base.Region, cfg.allowRegion); err != nil {
			fmt.Fprintf(stderr, "logging: the configured region: %v\n", err)
			return exitUsage
		}
		regions = []string{base.Region}
	}
	if base.Region == "" {
		base.Region = regions[0]
	}
	sess, err := newSession(ctx, base, cfg.roleName)
	if err != nil {
		fmt.Fprintf(stderr, "logging: %s\n", explain(err, target{Region: base.Region}))
		return exitFailed
	}
	accounts := cfg.accounts
	switch {
	case cfg.org:
		accounts, err = listOrgAccounts(ctx, organizations.NewFromConfig(base), cfg.ou)
		if err != nil {
			fmt.Fprintf(stderr, "logging: %s (run this from the management account or a delegated administrator)\n", explain(err, target{Account: sess.CallerAccount, Region: base.Region}))
			return exitFailed
		}
		if len(accounts) == 0 {
			fmt.Fprintln(stderr, "logging: the organization (or OU) has no ACTIVE accounts")
			return exitFailed
		}
	case len(accounts) == 0:
		accounts = []string{sess.CallerAccount}
	}
	targets := make([]target, 0, len(accounts)*len(regions))
	for _, a := range accounts {
		for _, r := range regions {
			targets = append(targets, target{Account: a, Region: r})
		}
	}
	var op opFunc
	switch cfg.command {
	case "status":
		op = doStatus
	case "enable":
		op = doEnable
	case "disable":
		op = doDisable
	}
	results := runTargets(ctx, targets, cfg.concurrency, sess, op, cfg.opts, newProgress(stderr, len(targets), cfg.command))
	code := exitCode(cfg.command, results)
	if err := writeResults(stdout, cfg, results, code); err != nil {
		fmt.Fprintf(stderr, "logging: writing output: %v\n", err)
		return exitFailed
	}
	return code
}

func exitCode(command string, results []result) int {
	code := exitOK
	for _, r := range results {
		switch r.State {
		case stateError:
			return exitFailed
		case stateDrifted, stateNotLogging:
			if command == "status" {
				code = exitNotAsExp
			}
		}
	}
	return code
}
