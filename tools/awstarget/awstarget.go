// Package awstarget is the account and region machinery the command-line
// tools share: loading the AWS configuration (quietly, failing fast on a
// refused connection), identifying the caller, assuming a named role in other
// accounts once per account, and listing an organization's accounts. Both
// tools/logging and tools/report (metrics across accounts) use it.
package awstarget

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
)

// Target is one account and region.
type Target struct {
	Account string
	Region  string
}

func (t Target) String() string { return t.Account + "/" + t.Region }

// Retry settings. Throttling and transient errors are retried by the SDK's
// standard retryer with exponential backoff and jitter; a refused connection
// or an unknown host is not retried (see Unreachable).
var (
	RetryMaxAttempts = 8
	RetryMaxBackoff  = 20 * time.Second
)

// Unreachable reports an error retrying cannot fix: the connection was
// refused, or the host name does not resolve. Such a call fails at once with
// its cause instead of after a minute of retries.
func Unreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

type noRetryUnreachable struct{}

func (noRetryUnreachable) IsErrorRetryable(err error) aws.Ternary {
	if Unreachable(err) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// LoadConfig loads the SDK default chain (environment, shared config and
// credentials files, SSO, IMDS), which also honours AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>. The SDK's own log lines (such as the IMDS
// fallback warnings) are dropped: failures surface as errors.
func LoadConfig(ctx context.Context, region, profile string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithLogger(logging.Nop{}),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = RetryMaxAttempts
				o.MaxBackoff = RetryMaxBackoff
				// Many targets share one process; a client-side retry quota
				// would turn a burst of throttling into hard failures.
				o.RateLimiter = ratelimit.None
				o.Retryables = append([]retry.IsErrorRetryable{noRetryUnreachable{}}, o.Retryables...)
			})
		}),
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	cfg.APIOptions = append(cfg.APIOptions, keepLastAttemptError)
	return cfg, err
}

// STSAPI identifies the caller and assumes roles in other accounts.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// OrgAPI lists an organization's accounts.
type OrgAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListAccountsForParent(ctx context.Context, in *organizations.ListAccountsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
	ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, optFns ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
}

// Session holds the caller's identity and gives the configuration for any
// target, assuming RoleName in accounts other than the caller's own.
type Session struct {
	Base          aws.Config
	STS           STSAPI
	CallerAccount string
	CallerARN     string
	Partition     string
	RoleName      string
	// SessionName names the assumed-role sessions (CloudTrail shows it).
	SessionName string

	mu    sync.Mutex
	creds map[string]*accountCreds
}

type accountCreds struct {
	once     sync.Once
	provider aws.CredentialsProvider
	err      error
}

// NewSession identifies the caller with GetCallerIdentity.
func NewSession(ctx context.Context, base aws.Config, roleName, sessionName string) (*Session, error) {
	s := &Session{Base: base, STS: sts.NewFromConfig(base), RoleName: roleName, SessionName: sessionName, creds: map[string]*accountCreds{}}
	id, err := s.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("identifying the caller: %w", err)
	}
	s.CallerAccount = aws.ToString(id.Account)
	s.CallerARN = aws.ToString(id.Arn)
	s.Partition = "aws"
	if parts := strings.SplitN(s.CallerARN, ":", 3); len(parts) == 3 && parts[1] != "" {
		s.Partition = parts[1]
	}
	return s, nil
}

// PathStyle reports whether S3 clients should use path-style addressing (a
// custom endpoint such as a test server).
func (s *Session) PathStyle() bool {
	return s.Base.BaseEndpoint != nil || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
}

// RoleARN is the role assumed in account.
func (s *Session) RoleARN(account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", s.Partition, account, s.RoleName)
}

// Credentials returns the credentials for an account: the caller's own for
// the caller's account, otherwise an assumed role, assumed once per account
// and shared by all of its regions.
func (s *Session) Credentials(ctx context.Context, account string) (aws.CredentialsProvider, error) {
	if account == s.CallerAccount {
		return s.Base.Credentials, nil
	}
	s.mu.Lock()
	ac, ok := s.creds[account]
	if !ok {
		ac = &accountCreds{}
		s.creds[account] = ac
	}
	s.mu.Unlock()
	ac.once.Do(func() {
		arn := s.RoleARN(account)
		p := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(s.STS, arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = s.SessionName
		}))
		if _, err := p.Retrieve(ctx); err != nil {
			ac.err = &AssumeRoleError{RoleARN: arn, Account: account, Caller: s.CallerARN, Err: err}
			return
		}
		ac.provider = p
	})
	return ac.provider, ac.err
}

// Config returns the AWS configuration for one target.
func (s *Session) Config(ctx context.Context, t Target) (aws.Config, error) {
	creds, err := s.Credentials(ctx, t.Account)
	if err != nil {
		return aws.Config{}, err
	}
	cfg := s.Base.Copy()
	cfg.Region = t.Region
	cfg.Credentials = creds
	return cfg, nil
}

// AssumeRoleError says a member account's role could not be assumed.
type AssumeRoleError struct {
	RoleARN, Account, Caller string
	Err                      error
}

func (e *AssumeRoleError) Error() string {
	return fmt.Sprintf("cannot assume %s: %v", e.RoleARN, e.Err)
}
func (e *AssumeRoleError) Unwrap() error { return e.Err }

// ListOrgAccounts lists the ACTIVE accounts of the organization, or of one
// organizational unit and every OU below it.
func ListOrgAccounts(ctx context.Context, c OrgAPI, ou string) ([]string, error) {
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

// An interrupted call (a --timeout, Ctrl-C) reports only that the context
// ended; interruptedError keeps what its last attempt failed with (a
// throttling or an unreachable endpoint), which is the useful part.
type interruptedError struct {
	err, last error
}

func (e *interruptedError) Error() string {
	return e.err.Error() + " (last attempt: " + e.last.Error() + ")"
}
func (e *interruptedError) Unwrap() []error { return []error{e.err, e.last} }

type lastAttemptKey struct{}

type lastAttempt struct {
	mu  sync.Mutex
	err error
}

// keepLastAttemptError is an SDK stack option: every attempt's error is
// remembered, and a call that ends because its context did carries it.
func keepLastAttemptError(stack *middleware.Stack) error {
	outer := middleware.InitializeMiddlewareFunc("KeepLastAttemptError", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		box := &lastAttempt{}
		ctx = middleware.WithStackValue(ctx, lastAttemptKey{}, box)
		out, md, err := next.HandleInitialize(ctx, in)
		if err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
			box.mu.Lock()
			last := box.err
			box.mu.Unlock()
			if last != nil {
				err = &interruptedError{err: err, last: last}
			}
		}
		return out, md, err
	})
	inner := middleware.FinalizeMiddlewareFunc("RecordAttemptError", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		if err != nil && ctx.Err() == nil {
			if box, ok := middleware.GetStackValue(ctx, lastAttemptKey{}).(*lastAttempt); ok {
				box.mu.Lock()
				box.err = err
				box.mu.Unlock()
			}
		}
		return out, md, err
	})
	if err := stack.Initialize.Add(outer, middleware.Before); err != nil {
		return err
	}
	// inside the retry loop: once per attempt
	if err := stack.Finalize.Insert(inner, "Retry", middleware.After); err != nil {
		return stack.Finalize.Add(inner, middleware.After)
	}
	return nil
}
