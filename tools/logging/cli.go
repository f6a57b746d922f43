package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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
		doc, err := renderPolicy(cfg.scope, cfg.roleName)
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
	if set["bucket"] && d.Bucket != "" {
		if err := validateBucketName(d.Bucket); err != nil {
			return cfg, err
		}
	}
	if set["large-data-bucket"] && d.LargeDataBucket != "" {
		if err := validateBucketName(d.LargeDataBucket); err != nil {
			return cfg, err
		}
	}
	if set["log-group"] && d.LogGroup != "" {
		if err := validateLogGroupName(d.LogGroup); err != nil {
			return cfg, err
		}
	}
	if set["role-arn"] && d.RoleARN != "" {
		if _, err := parseRoleARN(d.RoleARN); err != nil {
			return cfg, err
		}
	}
	if err := validateKeyPrefix(d.KeyPrefix); err != nil {
		return cfg, err
	}
	if cfg.opts.skipSSM && cfg.command == "enable" && d.Bucket == "" && d.LogGroup == "" {
		return cfg, usagef("--no-ssm needs --bucket and/or --log-group (with --role-arn)")
	}
	return cfg, nil
}

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
