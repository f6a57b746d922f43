package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// target is one account and Region.
type target struct {
	Account string
	Region  string
}

func (t target) String() string { return t.Account + "/" + t.Region }

// Retry settings. Throttling and transient errors are retried by the SDK's
// standard retryer with exponential backoff and jitter.
var (
	retryMaxAttempts = 8
	retryMaxBackoff  = 20 * time.Second
)

// loadAWSConfig loads the SDK default chain (environment, shared config and
// credentials files, SSO, IMDS), which also honours AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>.
func loadAWSConfig(ctx context.Context, region string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = retryMaxAttempts
				o.MaxBackoff = retryMaxBackoff
				// Many targets share one process; a client-side retry quota
				// would turn a burst of throttling into hard failures.
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

// session holds the caller's identity and builds clients for targets,
// assuming --role-name in accounts other than the caller's own.
type session struct {
	base       aws.Config
	sts        stsAPI
	callerAcct string
	callerARN  string
	partition  string
	roleName   string
	pathStyle  bool

	mu    sync.Mutex
	creds map[string]*accountCreds
}

type accountCreds struct {
	once     sync.Once
	provider aws.CredentialsProvider
	err      error
}

func newSession(ctx context.Context, base aws.Config, roleName string) (*session, error) {
	s := &session{
		base:      base,
		sts:       sts.NewFromConfig(base),
		roleName:  roleName,
		creds:     map[string]*accountCreds{},
		pathStyle: base.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != "",
	}
	id, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("identifying the caller: %w", err)
	}
	s.callerAcct = aws.ToString(id.Account)
	s.callerARN = aws.ToString(id.Arn)
	s.partition = "aws"
	if parts := strings.SplitN(s.callerARN, ":", 3); len(parts) == 3 && parts[1] != "" {
		s.partition = parts[1]
	}
	return s, nil
}

func (s *session) roleARN(account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", s.partition, account, s.roleName)
}

// credentials returns the credentials for an account: the caller's own for
// the caller's account, otherwise an assumed role, assumed once per account
// and shared by all of its Regions.
func (s *session) credentials(ctx context.Context, account string) (aws.CredentialsProvider, error) {
	if account == s.callerAcct {
		return s.base.Credentials, nil
	}
	s.mu.Lock()
	ac, ok := s.creds[account]
	if !ok {
		ac = &accountCreds{}
		s.creds[account] = ac
	}
	s.mu.Unlock()
	ac.once.Do(func() {
		arn := s.roleARN(account)
		p := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(s.sts, arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "bedrockgov-logging"
		}))
		if _, err := p.Retrieve(ctx); err != nil {
			ac.err = &assumeRoleError{RoleARN: arn, Account: account, Caller: s.callerARN, Err: err}
			return
		}
		ac.provider = p
	})
	return ac.provider, ac.err
}

// clients builds the clients for one target.
func (s *session) clients(ctx context.Context, t target) (targetClients, error) {
	creds, err := s.credentials(ctx, t.Account)
	if err != nil {
		return targetClients{}, err
	}
	cfg := s.base.Copy()
	cfg.Region = t.Region
	cfg.Credentials = creds
	return targetClients{
		Bedrock: bedrock.NewFromConfig(cfg),
		SSM:     ssm.NewFromConfig(cfg),
		S3:      s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = s.pathStyle }),
		Logs:    cloudwatchlogs.NewFromConfig(cfg),
	}, nil
}

// assumeRoleError says a member account's role could not be assumed.
type assumeRoleError struct {
	RoleARN, Account, Caller string
	Err                      error
}

func (e *assumeRoleError) Error() string {
	return fmt.Sprintf("cannot assume %s: %v", e.RoleARN, e.Err)
}
func (e *assumeRoleError) Unwrap() error { return e.Err }

// listOrgAccounts lists the ACTIVE accounts of the organization, or of one
// organizational unit and every OU below it.
func listOrgAccounts(ctx context.Context, c orgAPI, ou string) ([]string, error) {
	var ids []string
	add := func(accts []orgtypes.Account) {
		for _, a := range accts {
			if accountActive(a) {
				ids = append(ids, aws.ToString(a.Id))
			}
		}
	}
	if ou == "" {
		p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing the organization's accounts: %w", err)
			}
			add(page.Accounts)
		}
		return ids, nil
	}
	queue := []string{ou}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		ap := organizations.NewListAccountsForParentPaginator(c, &organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
		for ap.HasMorePages() {
			page, err := ap.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing the accounts in %s: %w", parent, err)
			}
			add(page.Accounts)
		}
		op := organizations.NewListOrganizationalUnitsForParentPaginator(c, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		for op.HasMorePages() {
			page, err := op.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing the organizational units in %s: %w", parent, err)
			}
			for _, u := range page.OrganizationalUnits {
				queue = append(queue, aws.ToString(u.Id))
			}
		}
	}
	return ids, nil
}

func accountActive(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive //nolint:staticcheck // older organizations report only Status
}
