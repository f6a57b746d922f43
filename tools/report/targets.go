package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/bedrockgov/bedrockgov/tools/awsregions"
	"github.com/bedrockgov/bedrockgov/tools/awstarget"
	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// Metrics across accounts and regions use the same target machinery as
// tools/logging (tools/awstarget): the caller's credentials in its own
// account, --role-name assumed once per other account.

const defaultRoleName = "OrganizationAccountAccessRole"

// targetSession gives the AWS configuration of each target.
type targetSession interface {
	Caller() string
	Config(ctx context.Context, t awstarget.Target) (aws.Config, error)
	OrgAccounts(ctx context.Context, ou string) ([]string, error)
}

type awsSession struct{ *awstarget.Session }

func (s awsSession) Caller() string { return s.CallerAccount }
func (s awsSession) OrgAccounts(ctx context.Context, ou string) ([]string, error) {
	return awstarget.ListOrgAccounts(ctx, organizations.NewFromConfig(s.Base), ou)
}

func newAWSSession(ctx context.Context, base aws.Config, roleName string) (targetSession, error) {
	s, err := awstarget.NewSession(ctx, base, roleName, "bedrockgov-report")
	if err != nil {
		return nil, err
	}
	return awsSession{s}, nil
}

var (
	accountRe = regexp.MustCompile(`^\d{12}$`)
	ouRe      = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$`)
	roleRe    = regexp.MustCompile(`^[\w+=,.@/-]{1,64}$`)
)

// multiTarget reports metrics across accounts or regions.
func (o *options) multiTarget() bool {
	return len(o.accounts) > 0 || o.org || len(o.regions) > 0
}

// checkTargets validates the target flags.
func (o *options) checkTargets() error {
	if !o.multiTarget() && o.ou == "" && o.roleName == "" {
		return nil
	}
	if o.athena.enabled {
		return badFlag("--ou, --regions and --role-name apply to the metrics source; --athena takes --accounts or --organization, and --log-regions")
	}
	if o.logs != "" || len(o.logGroups) > 0 {
		return badFlag("--accounts, --organization, --ou, --regions and --role-name apply to the metrics source; logs name their accounts and regions themselves")
	}
	for _, a := range o.accounts {
		if !accountRe.MatchString(a) {
			return badFlag("--accounts %q: want 12-digit account IDs, comma-separated", a)
		}
	}
	if o.org && len(o.accounts) > 0 {
		return badFlag("--accounts and --organization are exclusive: choose one")
	}
	if o.ou != "" && !o.org {
		return badFlag("--ou needs --organization")
	}
	if o.ou != "" && !ouRe.MatchString(o.ou) {
		return badFlag("--ou %q: want an OU id (ou-xxxx-yyyyyyyy) or a root id (r-xxxx)", o.ou)
	}
	for _, r := range o.regions {
		if !awsregions.Known(r) {
			return badFlag("--regions %q: not a region this tool knows (e.g. us-east-1)", r)
		}
	}
	if o.region != "" && len(o.regions) > 0 {
		return badFlag("--region %q and --regions: --regions lists every region to report; drop --region", o.region)
	}
	if o.roleName == "" {
		o.roleName = defaultRoleName
	}
	if !roleRe.MatchString(o.roleName) {
		return badFlag("--role-name %q: want an IAM role name", o.roleName)
	}
	return nil
}

// fromMetricsTargets reads the metrics of every account and region. A target
// that fails is named on stderr and in the notes; the others are reported.
func (e *env) fromMetricsTargets(ctx context.Context, o *options, prices *usage.PriceTable, stderr io.Writer) (*usage.Report, error) {
	region := o.region
	if len(o.regions) > 0 {
		region = o.regions[0]
	}
	base, err := e.awsConfig(ctx, &options{region: region, profile: o.profile}, "CloudWatch metrics")
	if err != nil {
		return nil, err
	}
	sess, err := e.newSession(ctx, base, o.roleName)
	if err != nil {
		return nil, fmt.Errorf("identifying the caller: %w", err)
	}
	accounts := o.accounts
	switch {
	case o.org:
		if accounts, err = sess.OrgAccounts(ctx, o.ou); err != nil {
			return nil, fmt.Errorf("%w (run this from the management account or a delegated administrator)", err)
		}
	case len(accounts) == 0:
		accounts = []string{sess.Caller()}
	}
	regions := o.regions
	if len(regions) == 0 {
		regions = []string{base.Region}
	}
	var targets []awstarget.Target
	for _, a := range accounts {
		for _, r := range regions {
			targets = append(targets, awstarget.Target{Account: a, Region: r})
		}
	}
	from, to := wholeHours(o.from, o.to)
	now := e.now()
	cfg := usage.NewConfig(usage.Options{Prices: prices})
	type out struct {
		agg *usage.Aggregator
		sec *usage.MetricsSection
		err error
	}
	outs := make([]out, len(targets))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := sess.Config(ctx, t)
			if err != nil {
				outs[i].err = err
				return
			}
			agg := usage.NewAggregator(cfg)
			sec, err := metricsInto(ctx, cloudwatch.NewFromConfig(c), agg, t.Account, t.Region, from, to, now)
			outs[i] = out{agg, sec, err}
		})
	}
	wg.Wait()
	total := usage.NewAggregator(cfg)
	var secs []usage.MetricsSection
	var failed []string
	for i, x := range outs {
		if x.err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", targets[i], x.err))
			continue
		}
		total.Merge(x.agg)
		x.sec.Account = targets[i].Account
		secs = append(secs, *x.sec)
	}
	if len(secs) == 0 {
		return nil, fmt.Errorf("no target could be read: %s", strings.Join(failed, "; "))
	}
	sort.Strings(failed)
	rep := usage.BuildReport(total, fmt.Sprintf("metrics %s, %d accounts x %d regions", bedrockNamespace, len(accounts), len(regions)), from, to)
	rep.MetricsTargets = secs
	rep.Notes = append(rep.Notes, metricsNotes...)
	for _, f := range failed {
		fmt.Fprintf(stderr, "report: target %s\n", f)
		rep.Notes = append(rep.Notes, "not in the report: "+f)
	}
	rep.FailedTargets = len(failed)
	return rep, nil
}
