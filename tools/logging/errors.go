package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/bedrockgov/bedrockgov/tools/awstarget"
)

var deniedActionRe = regexp.MustCompile(`perform: ([a-z0-9-]+:[A-Za-z0-9]+)(?: on resource: (\S+))?`)

var (
	accessDeniedCodes = map[string]bool{
		"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
		"AuthorizationError": true, "Forbidden": true, "AccessDeniedForDependencyException": true,
	}
	throttleCodes = map[string]bool{
		"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
		"TooManyRequestsException": true, "RequestLimitExceeded": true, "SlowDown": true,
		"RequestThrottled": true, "RequestThrottledException": true, "ProvisionedThroughputExceededException": true,
	}
	badCredentialCodes = map[string]bool{
		"ExpiredToken": true, "ExpiredTokenException": true, "InvalidClientTokenId": true,
		"UnrecognizedClientException": true, "InvalidAccessKeyId": true, "SignatureDoesNotMatch": true,
		"InvalidSignatureException": true,
	}
)

// explain turns an error into one line that says what failed for which
// target and how to fix it. It never includes a stack trace.
func explain(err error, t target) string {
	return oneLine(explainRaw(err, t))
}

func explainRaw(err error, t target) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range j.Unwrap() {
			parts = append(parts, explainRaw(e, t))
		}
		return strings.Join(parts, "; ")
	}
	var ce *checkError
	if errors.As(err, &ce) {
		return ce.msg
	}
	if errors.Is(err, errNoDestinations) {
		return err.Error() + "; deploy the member baseline to this account and region, or pass --bucket and/or --log-group with --role-arn"
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted before finishing"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// keep what the calls were failing with when time ran out
		return fmt.Sprintf("timed out (%s); raise --timeout or check connectivity", oneLine(err.Error()))
	}

	var ar *assumeRoleError
	if errors.As(err, &ar) {
		var api smithy.APIError
		if errors.As(err, &api) && (accessDeniedCodes[api.ErrorCode()] || api.ErrorCode() == "NoSuchEntity") {
			return fmt.Sprintf("cannot assume role %s: check that the role exists in account %s and that its trust policy allows %s to call sts:AssumeRole (and that the caller's own policy allows it); or choose another role with --role-name",
				ar.RoleARN, ar.Account, ar.Caller)
		}
		return fmt.Sprintf("cannot assume role %s in account %s: %s", ar.RoleARN, ar.Account, explainRaw(ar.Err, t))
	}

	service, op := "", ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		service, op = oe.ServiceID, oe.OperationName
	}
	what := strings.TrimSpace(service + " " + op)
	if what == "" {
		what = "the AWS call"
	}

	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		msg := api.ErrorMessage()
		switch {
		case accessDeniedCodes[code]:
			perm := permissionFor(service, op)
			// AWS usually names the denied action ("... not authorized to
			// perform: iam:PassRole on resource: ..."); trust it over the table.
			if m := deniedActionRe.FindStringSubmatch(msg); m != nil && !strings.Contains(perm, m[1]) {
				perm = m[1]
				if m[2] != "" {
					perm += " on " + m[2]
				}
			}
			return fmt.Sprintf("access denied on %s: the credentials used in account %s need %s (print the full policy with `policy`)", what, t.Account, perm)
		case throttleCodes[code]:
			return fmt.Sprintf("%s still throttled after %d attempts: lower --concurrency or retry later", what, awstarget.RetryMaxAttempts)
		case badCredentialCodes[code]:
			return fmt.Sprintf("%s rejected the credentials (%s): refresh them (for example aws sso login) or check AWS_PROFILE", what, code)
		case code == "ValidationException" && op == "PutModelInvocationLoggingConfiguration":
			return fmt.Sprintf("Bedrock rejected the configuration: %s; check that the bucket policy lets bedrock.amazonaws.com write under the prefix and that the role trusts bedrock.amazonaws.com (see the README)", msg)
		}
		if msg == "" {
			return fmt.Sprintf("%s failed: %s", what, code)
		}
		return fmt.Sprintf("%s failed: %s: %s", what, code, msg)
	}

	if strings.Contains(err.Error(), "get credentials: ") || strings.Contains(err.Error(), "failed to refresh cached credentials") {
		return fmt.Sprintf("no usable AWS credentials for %s: set AWS_PROFILE (and run aws sso login for SSO profiles) or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables (%v)", what, rootCause(err))
	}
	var ne net.Error
	var dnsErr *net.DNSError
	var opErr *net.OpError
	if errors.As(err, &dnsErr) || errors.As(err, &opErr) || errors.As(err, &ne) {
		return fmt.Sprintf("cannot reach the endpoint for %s: %v; check the network, the region and any AWS_ENDPOINT_URL settings", what, rootCause(err))
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		return fmt.Sprintf("%s failed after %d attempts: %v", what, me.Attempt, me.Err)
	}
	return err.Error()
}

// permissionFor names the IAM actions an operation needs.
func permissionFor(service, op string) string {
	if acts, ok := operationActions[apiServiceToIAM[service]+":"+op]; ok && len(acts) > 0 {
		return strings.Join(acts, " and ")
	}
	if service == "" {
		return "the permissions listed by `policy`"
	}
	return apiServiceToIAM[service] + ":" + op
}

func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.Join(strings.Fields(s), " ")
}
