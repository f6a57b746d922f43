package main

// Wire tests: the real aws-sdk-go-v2 clients, loaded through the default
// chain with AWS_ENDPOINT_URL pointing at an in-process stub on 127.0.0.1
// that speaks each service's protocol (internal/stub).

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bedrockgov/bedrockgov/tools/awstarget"
	"github.com/bedrockgov/bedrockgov/tools/logging/internal/stub"
)

const caller = "999999999999"

// wireOps collects every operation the stubs saw across the wire tests, for
// TestPolicyCoversEveryOperationSeenOnTheWire.
var wireOps = map[string]bool{}

func newStub(t *testing.T) *stub.Server {
	t.Helper()
	s := stub.New()
	srv := httptest.NewServer(s)
	t.Cleanup(func() {
		srv.Close()
		for op := range s.Calls() {
			wireOps[op] = true
		}
	})
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            srv.URL,
		"AWS_ACCESS_KEY_ID":           "AKIDCALLEREXAMPLE",
		"AWS_SECRET_ACCESS_KEY":       "secret",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_DEFAULT_REGION":          "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             empty,
		"AWS_SHARED_CREDENTIALS_FILE": empty,
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
	for _, svc := range []string{"BEDROCK", "STS", "SSM", "S3", "CLOUDWATCH_LOGS", "ORGANIZATIONS"} {
		t.Setenv("AWS_ENDPOINT_URL_"+svc, "")
		os.Unsetenv("AWS_ENDPOINT_URL_" + svc)
	}
	oldBackoff := awstarget.RetryMaxBackoff
	awstarget.RetryMaxBackoff = 5 * time.Millisecond
	t.Cleanup(func() { awstarget.RetryMaxBackoff = oldBackoff })
	return s
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

type jsonOutput struct {
	Command string `json:"command"`
	Results []struct {
		Account string      `json:"account"`
		Region  string      `json:"region"`
		State   string      `json:"state"`
		Error   string      `json:"error"`
		Note    string      `json:"note"`
		Wrote   bool        `json:"wrote"`
		Drift   []fieldDiff `json:"drift"`
	} `json:"results"`
	Summary summary `json:"summary"`
}

func runJSON(t *testing.T, args ...string) (int, jsonOutput, string) {
	t.Helper()
	code, out, errs := runCLI(t, append(args, "--output", "json")...)
	var j jsonOutput
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("output is not JSON (%v): %q; stderr %q", err, out, errs)
	}
	return code, j, errs
}

// baselineConfig is the loggingConfig enable must send for the stub's
// baseline in an account and Region, with the default data types.
func baselineConfig(account, region string) map[string]any {
	return map[string]any{
		"s3Config": map[string]any{"bucketName": stub.Bucket(account, region), "keyPrefix": stub.KeyPrefix},
		"cloudWatchConfig": map[string]any{
			"logGroupName": stub.LogGroup,
			"roleArn":      stub.RoleARN(account),
		},
		"textDataDeliveryEnabled":      true,
		"imageDataDeliveryEnabled":     false,
		"embeddingDataDeliveryEnabled": true,
		"videoDataDeliveryEnabled":     false,
		"audioDataDeliveryEnabled":     false,
	}
}

func putConfig(t *testing.T, p stub.Put) map[string]any {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(p.Body, &body); err != nil {
		t.Fatalf("PUT body is not JSON: %q", p.Body)
	}
	if len(body) != 1 {
		t.Fatalf("PUT body has keys other than loggingConfig: %s", p.Body)
	}
	cfg, ok := body["loggingConfig"].(map[string]any)
	if !ok {
		t.Fatalf("PUT body lacks loggingConfig: %s", p.Body)
	}
	return cfg
}

func TestEnableWritesTheBaselineConfigThenStatusIsOK(t *testing.T) {
	s := newStub(t)
	code, out, errs := runCLI(t, "enable")
	if code != exitOK {
		t.Fatalf("enable exit %d, want 0\nstdout: %s\nstderr: %s", code, out, errs)
	}
	puts := s.Puts()
	if len(puts) != 1 {
		t.Fatalf("got %d PUTs, want 1", len(puts))
	}
	if puts[0].Account != caller || puts[0].Region != "us-east-1" {
		t.Errorf("PUT went to %s/%s, want %s/us-east-1", puts[0].Account, puts[0].Region, caller)
	}
	if got, want := putConfig(t, puts[0]), baselineConfig(caller, "us-east-1"); !reflect.DeepEqual(got, want) {
		t.Errorf("PUT loggingConfig:\n got %v\nwant %v", got, want)
	}
	calls := s.Calls()
	for _, op := range []string{"ssm:GetParameters", "s3:HeadBucket", "logs:DescribeLogGroups"} {
		if calls[op] == 0 {
			t.Errorf("enable did not check destinations with %s", op)
		}
	}
	if calls["bedrock:GetModelInvocationLoggingConfiguration"] != 2 {
		t.Errorf("want 2 GETs (before and read-back), got %d", calls["bedrock:GetModelInvocationLoggingConfiguration"])
	}
	if calls["sts:AssumeRole"] != 0 {
		t.Errorf("own account must use the caller's credentials, but AssumeRole was called %d times", calls["sts:AssumeRole"])
	}
	if !strings.Contains(out, "enabled") {
		t.Errorf("output does not say enabled:\n%s", out)
	}

	code, j, _ := runJSON(t, "status")
	if code != exitOK || len(j.Results) != 1 || j.Results[0].State != stateOK {
		t.Fatalf("status after enable: exit %d, results %+v", code, j.Results)
	}
}

func TestEnableTwiceWritesNothingTheSecondTime(t *testing.T) {
	s := newStub(t)
	if code, out, errs := runCLI(t, "enable", "--regions", "us-east-1,eu-west-1"); code != 0 {
		t.Fatalf("first enable exit %d\n%s\n%s", code, out, errs)
	}
	if n := len(s.Puts()); n != 2 {
		t.Fatalf("first enable: %d PUTs, want 2", n)
	}
	s.ResetCounters()
	code, j, errs := runJSON(t, "enable", "--regions", "us-east-1,eu-west-1")
	if code != exitOK {
		t.Fatalf("second enable exit %d: %s", code, errs)
	}
	if n := s.Calls()["bedrock:PutModelInvocationLoggingConfiguration"]; n != 0 {
		t.Errorf("second enable sent %d PUTs, want none", n)
	}
	for _, r := range j.Results {
		if r.State != stateUnchanged || r.Wrote {
			t.Errorf("%s/%s: state %q wrote %v, want unchanged and no write", r.Account, r.Region, r.State, r.Wrote)
		}
	}
	// A different data-type choice is a change, and only that field differs.
	code, j, _ = runJSON(t, "enable", "--regions", "eu-west-1", "--image")
	if code != exitOK || j.Results[0].State != stateEnabled {
		t.Fatalf("enable --image: exit %d %+v", code, j.Results)
	}
	if d := j.Results[0].Drift; len(d) != 1 || d[0].Field != "imageDataDeliveryEnabled" {
		t.Errorf("enable --image changed %+v, want only imageDataDeliveryEnabled", d)
	}
}

func TestStatusNamesTheDriftedFieldAndExits3(t *testing.T) {
	s := newStub(t)
	if code, _, errs := runCLI(t, "enable"); code != 0 {
		t.Fatalf("enable: %s", errs)
	}
	// Someone turns text logging off and points S3 at another prefix.
	cfg := baselineConfig(caller, "us-east-1")
	cfg["textDataDeliveryEnabled"] = false
	cfg["s3Config"] = map[string]any{"bucketName": stub.Bucket(caller, "us-east-1"), "keyPrefix": "elsewhere"}
	raw, _ := json.Marshal(cfg)
	s.SetConfig(caller, "us-east-1", raw)

	code, out, _ := runCLI(t, "status")
	if code != exitNotAsExp {
		t.Fatalf("status exit %d, want 3\n%s", code, out)
	}
	for _, want := range []string{"drifted", "textDataDeliveryEnabled: want true, got false", "s3Config.keyPrefix: want bedrock, got elsewhere"} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	_, j, _ := runJSON(t, "status")
	fields := map[string]bool{}
	for _, d := range j.Results[0].Drift {
		fields[d.Field] = true
	}
	if len(fields) != 2 || !fields["textDataDeliveryEnabled"] || !fields["s3Config.keyPrefix"] {
		t.Errorf("drift fields %v, want exactly textDataDeliveryEnabled and s3Config.keyPrefix", fields)
	}

	// enable repairs the drift; status is clean again.
	if code, _, errs := runCLI(t, "enable"); code != 0 {
		t.Fatalf("re-enable: %s", errs)
	}
	if code, out, _ := runCLI(t, "status"); code != exitOK {
		t.Errorf("status after repair exit %d\n%s", code, out)
	}
}

func TestStatusWithoutConfigurationIsNotLogging(t *testing.T) {
	newStub(t)
	code, j, _ := runJSON(t, "status", "--regions", "us-west-2")
	if code != exitNotAsExp || j.Results[0].State != stateNotLogging {
		t.Fatalf("exit %d results %+v, want 3 and not-logging", code, j.Results)
	}
}

func TestOneFailingAccountDoesNotStopTheOthers(t *testing.T) {
	s := newStub(t)
	s.DenyAssume["222222222222"] = true
	s.DenyBedrock["333333333333"] = true
	code, out, errs := runCLI(t, "enable",
		"--accounts", "111111111111,222222222222,333333333333,"+caller,
		"--regions", "us-east-1,eu-west-1", "--concurrency", "3")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	done := map[string]bool{}
	for _, p := range s.Puts() {
		done[p.Account+"/"+p.Region] = true
	}
	for _, acct := range []string{"111111111111", caller} {
		for _, r := range []string{"us-east-1", "eu-west-1"} {
			if !done[acct+"/"+r] {
				t.Errorf("%s/%s was not enabled", acct, r)
			}
		}
	}
	if len(done) != 4 {
		t.Errorf("enabled %v, want exactly the 4 healthy targets", done)
	}
	if n := s.Calls()["sts:AssumeRole"]; n != 3 {
		t.Errorf("AssumeRole called %d times, want once per other account (3)", n)
	}
	for _, want := range []string{
		"failed (4):",
		"222222222222 us-east-1: cannot assume role arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
		"trust policy allows arn:aws:iam::999999999999:user/platform-admin",
		"333333333333 eu-west-1: access denied on Bedrock GetModelInvocationLoggingConfiguration",
		"need bedrock:GetModelInvocationLoggingConfiguration",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errs, "goroutine") || strings.Contains(out+errs, "panic") {
		t.Errorf("output holds a stack trace:\n%s%s", out, errs)
	}
}

func TestThrottlingIsRetriedUntilSuccess(t *testing.T) {
	s := newStub(t)
	s.Throttle["bedrock:PutModelInvocationLoggingConfiguration"] = 2
	s.Throttle["bedrock:GetModelInvocationLoggingConfiguration"] = 1
	s.Throttle["ssm:GetParameters"] = 2
	s.Throttle["sts:AssumeRole"] = 1
	s.Throttle["s3:HeadBucket"] = 1
	s.Throttle["logs:DescribeLogGroups"] = 1
	code, out, errs := runCLI(t, "enable", "--accounts", "111111111111")
	if code != exitOK {
		t.Fatalf("exit %d, want 0 after retries\n%s\n%s", code, out, errs)
	}
	calls := s.Calls()
	if calls["bedrock:PutModelInvocationLoggingConfiguration"] != 3 {
		t.Errorf("PUT attempts %d, want 3 (2 throttled, 1 accepted)", calls["bedrock:PutModelInvocationLoggingConfiguration"])
	}
	if calls["ssm:GetParameters"] != 3 || calls["sts:AssumeRole"] != 2 || calls["s3:HeadBucket"] != 2 || calls["logs:DescribeLogGroups"] != 2 {
		t.Errorf("retries not as expected: %v", calls)
	}
	if got := putConfig(t, s.Puts()[0]); !reflect.DeepEqual(got, baselineConfig("111111111111", "us-east-1")) {
		t.Errorf("PUT after throttling sent %v", got)
	}
}

func TestThrottlingThatNeverEndsIsReportedAsOneLine(t *testing.T) {
	s := newStub(t)
	s.Throttle["bedrock:GetModelInvocationLoggingConfiguration"] = 1000
	code, out, _ := runCLI(t, "status")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1", code)
	}
	if n := s.Calls()["bedrock:GetModelInvocationLoggingConfiguration"]; n != awstarget.RetryMaxAttempts {
		t.Errorf("attempts %d, want %d", n, awstarget.RetryMaxAttempts)
	}
	if !strings.Contains(out, "still throttled after 8 attempts: lower --concurrency or retry later") {
		t.Errorf("output:\n%s", out)
	}
}

func TestDisableRefusesWithoutYes(t *testing.T) {
	s := newStub(t)
	if code, _, errs := runCLI(t, "enable"); code != 0 {
		t.Fatalf("enable: %s", errs)
	}
	s.ResetCounters()
	code, out, errs := runCLI(t, "disable")
	if code != exitUsage || !strings.Contains(errs, "refusing without --yes") {
		t.Fatalf("disable without --yes: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if len(s.Calls()) != 0 {
		t.Errorf("disable without --yes made calls: %v", s.Calls())
	}
	if s.Config(caller, "us-east-1") == nil {
		t.Fatal("configuration gone after a refused disable")
	}

	code, j, _ := runJSON(t, "disable", "--dry-run")
	if code != exitOK || j.Results[0].State != stateWouldChange || s.Config(caller, "us-east-1") == nil {
		t.Fatalf("disable --dry-run: exit %d %+v", code, j.Results)
	}

	code, j, _ = runJSON(t, "disable", "--yes")
	if code != exitOK || j.Results[0].State != stateDisabled {
		t.Fatalf("disable --yes: exit %d %+v", code, j.Results)
	}
	if s.Config(caller, "us-east-1") != nil {
		t.Error("configuration still present after disable --yes")
	}
	for op := range s.Calls() {
		if !strings.HasPrefix(op, "bedrock:") && op != "sts:GetCallerIdentity" {
			t.Errorf("disable called %s; it must only touch the Bedrock configuration", op)
		}
	}
	// Disabling again is a no-op.
	s.ResetCounters()
	code, j, _ = runJSON(t, "disable", "--yes")
	if code != exitOK || j.Results[0].State != stateUnchanged || s.Calls()["bedrock:DeleteModelInvocationLoggingConfiguration"] != 0 {
		t.Errorf("second disable: exit %d %+v calls %v", code, j.Results, s.Calls())
	}
}

func TestDryRunShowsTheChangeAndWritesNothing(t *testing.T) {
	s := newStub(t)
	code, j, _ := runJSON(t, "enable", "--dry-run")
	if code != exitOK || j.Results[0].State != stateWouldChange {
		t.Fatalf("exit %d %+v", code, j.Results)
	}
	if len(s.Puts()) != 0 || s.Config(caller, "us-east-1") != nil {
		t.Error("dry run wrote the configuration")
	}
	if len(j.Results[0].Drift) == 0 {
		t.Error("dry run did not list the fields it would set")
	}
}

func TestOrganizationWalksTheOUTreeAndSkipsInactiveAccounts(t *testing.T) {
	s := newStub(t)
	s.Org = []stub.OrgAccount{{ID: caller, State: "ACTIVE"}, {ID: "111111111111", State: "ACTIVE"}, {ID: "222222222222", State: "SUSPENDED"}, {ID: "333333333333", State: "ACTIVE"}, {ID: "444444444444", State: "ACTIVE"}}
	ou := "ou-abcd-11111111"
	s.OUAccounts[ou] = []stub.OrgAccount{{ID: "111111111111", State: "ACTIVE"}, {ID: "222222222222", State: "SUSPENDED"}}
	s.OUChildren[ou] = []string{"ou-abcd-22222222"}
	s.OUAccounts["ou-abcd-22222222"] = []stub.OrgAccount{{ID: "333333333333", State: "ACTIVE"}, {ID: "555555555555", State: "PENDING_CLOSURE"}, {ID: caller, State: "ACTIVE"}}

	code, j, errs := runJSON(t, "enable", "--organization")
	if code != exitOK {
		t.Fatalf("exit %d: %s %+v", code, errs, j.Results)
	}
	var got []string
	for _, r := range j.Results {
		got = append(got, r.Account)
	}
	if want := []string{caller, "111111111111", "333333333333", "444444444444"}; !reflect.DeepEqual(got, want) {
		t.Errorf("organization targets %v, want %v", got, want)
	}
	if n := s.Calls()["organizations:ListAccounts"]; n != 3 {
		t.Errorf("ListAccounts pages %d, want 3 (5 accounts, 2 per page)", n)
	}

	code, j, errs = runJSON(t, "status", "--organization", "--ou", ou)
	if code != exitOK {
		t.Fatalf("status --ou exit %d: %s %+v", code, errs, j.Results)
	}
	got = nil
	for _, r := range j.Results {
		got = append(got, r.Account)
	}
	if want := []string{"111111111111", "333333333333", caller}; !reflect.DeepEqual(got, want) {
		t.Errorf("OU targets %v, want %v", got, want)
	}
}

func TestEnableChecksDestinationsBeforeWriting(t *testing.T) {
	s := newStub(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing bucket", []string{"--bucket", "bedrock-logs-nope"}, "bucket bedrock-logs-nope does not exist"},
		{"bucket in another region", []string{"--bucket", stub.Bucket(caller, "eu-west-1")}, "is in region eu-west-1, not us-east-1"},
		{"bucket of another account", []string{"--bucket", stub.Bucket("111111111111", "us-east-1")}, "is not owned by account 999999999999"},
		{"missing log group", []string{"--log-group", "/aws/bedrock/other"}, "log group /aws/bedrock/other does not exist"},
		{"role of another account", []string{"--role-arn", "arn:aws:iam::111111111111:role/x"}, "Bedrock needs a role in the same account"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, j, _ := runJSON(t, append([]string{"enable"}, c.args...)...)
			if code != exitFailed || !strings.Contains(j.Results[0].Error, c.want) {
				t.Errorf("exit %d error %q, want 1 and %q", code, j.Results[0].Error, c.want)
			}
		})
	}
	if n := len(s.Puts()); n != 0 {
		t.Errorf("%d PUTs despite failed checks", n)
	}
}

func TestEnableWithoutBaselineNeedsFlags(t *testing.T) {
	s := newStub(t)
	s.NoParams[caller] = true
	code, j, _ := runJSON(t, "enable")
	if code != exitFailed || !strings.Contains(j.Results[0].Error, "no destinations") || !strings.Contains(j.Results[0].Error, "--bucket") {
		t.Fatalf("exit %d %+v", code, j.Results)
	}
	// Flags alone are enough, and exactly what is sent.
	code, j, _ = runJSON(t, "enable", "--bucket", stub.Bucket(caller, "us-east-1"), "--video", "--text=false")
	if code != exitOK {
		t.Fatalf("enable with flags: exit %d %+v", code, j.Results)
	}
	want := map[string]any{
		"s3Config":                     map[string]any{"bucketName": stub.Bucket(caller, "us-east-1")},
		"textDataDeliveryEnabled":      false,
		"imageDataDeliveryEnabled":     false,
		"embeddingDataDeliveryEnabled": true,
		"videoDataDeliveryEnabled":     true,
		"audioDataDeliveryEnabled":     false,
	}
	if got := putConfig(t, s.Puts()[0]); !reflect.DeepEqual(got, want) {
		t.Errorf("PUT loggingConfig:\n got %v\nwant %v", got, want)
	}
}

func TestBadInputFailsBeforeAnyCall(t *testing.T) {
	s := newStub(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"status", "--regions", "us-east-7"}, `unknown region "us-east-7"`},
		{[]string{"status", "--regions", "useast1"}, `region "useast1" is not a region name`},
		{[]string{"status", "--accounts", "12345"}, `account ID "12345" must be exactly 12 digits`},
		{[]string{"enable", "--role-arn", "arn:aws:iam::123:role/x"}, "role ARN \"arn:aws:iam::123:role/x\" is malformed"},
		{[]string{"enable", "--bucket", "Bad_Bucket"}, `bucket name "Bad_Bucket" is invalid`},
		{[]string{"enable", "--log-group", "bad group"}, `log group name "bad group" is invalid`},
		{[]string{"status", "--ou", "ou-abcd-11111111"}, "--ou needs --organization"},
		{[]string{"status", "--organization", "--ou", "o-123"}, `organizational unit "o-123" is malformed`},
		{[]string{"status", "--output", "yaml"}, `--output "yaml": use table or json`},
		{[]string{"status", "--concurrency", "0"}, "--concurrency 0: use 1 to 256"},
		{[]string{"enable", "--yes"}, "flag provided but not defined: -yes"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"status", "extra"}, `unexpected argument "extra"`},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d stderr %q, want 2 and %q", c.args, code, errs, c.want)
		}
		if strings.Count(strings.TrimSpace(errs), "\n") > 1 || out != "" {
			t.Errorf("%v: want one error line plus the usage hint, got stdout %q stderr %q", c.args, out, errs)
		}
	}
	if len(s.Calls()) != 0 {
		t.Errorf("bad input reached AWS: %v", s.Calls())
	}
}

func TestRegionDefaultsAndErrorsWithoutRegion(t *testing.T) {
	newStub(t)
	t.Setenv("AWS_REGION", "")
	os.Unsetenv("AWS_REGION")
	code, _, errs := runCLI(t, "status")
	if code != exitUsage || !strings.Contains(errs, "no region") {
		t.Errorf("exit %d stderr %q", code, errs)
	}
}

func TestServiceSpecificEndpointVariablesAreHonoured(t *testing.T) {
	s := newStub(t)
	url := os.Getenv("AWS_ENDPOINT_URL")
	// The general variable points nowhere; each service gets its own.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	for _, svc := range []string{"BEDROCK", "STS", "SSM", "S3", "CLOUDWATCH_LOGS"} {
		t.Setenv("AWS_ENDPOINT_URL_"+svc, url)
	}
	code, out, errs := runCLI(t, "enable")
	if code != exitOK || len(s.Puts()) != 1 {
		t.Fatalf("exit %d, %d PUTs\n%s\n%s", code, len(s.Puts()), out, errs)
	}
}

func TestLargeDataBucketIsSentWithTheKeyPrefix(t *testing.T) {
	s := newStub(t)
	large := stub.Bucket(caller, "us-east-1")
	code, j, _ := runJSON(t, "enable", "--large-data-bucket", large)
	if code != exitOK {
		t.Fatalf("exit %d %+v", code, j.Results)
	}
	want := baselineConfig(caller, "us-east-1")
	want["cloudWatchConfig"].(map[string]any)["largeDataDeliveryS3Config"] = map[string]any{"bucketName": large, "keyPrefix": stub.KeyPrefix}
	if got := putConfig(t, s.Puts()[0]); !reflect.DeepEqual(got, want) {
		t.Errorf("PUT loggingConfig:\n got %v\nwant %v", got, want)
	}
}

func TestStatusErrorsOutrankDrift(t *testing.T) {
	s := newStub(t)
	s.DenyAssume["111111111111"] = true
	// caller: not logging (3); 111111111111: error (1) -> 1.
	code, j, _ := runJSON(t, "status", "--accounts", caller+",111111111111")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1: %+v", code, j.Results)
	}
	if j.Results[0].State != stateNotLogging || j.Results[1].State != stateError {
		t.Errorf("states %q %q", j.Results[0].State, j.Results[1].State)
	}
	if j.Summary.ExitCode != exitFailed || len(j.Summary.Failed) != 1 || j.Summary.Failed[0].Account != "111111111111" {
		t.Errorf("summary %+v", j.Summary)
	}
}

// A refused connection fails in seconds and names its cause, rather than
// after a minute of silent retries.
func TestRefusedConnectionFailsFastWithItsCause(t *testing.T) {
	newStub(t)
	awstarget.RetryMaxBackoff = 20 * time.Second // the real setting
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close() // nothing listens there now
	t.Setenv("AWS_ENDPOINT_URL", url)
	start := time.Now()
	code, _, errs := runCLI(t, "status")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v to give up on a refused connection", took)
	}
	if code != exitFailed || !strings.Contains(errs, "connection refused") {
		t.Errorf("exit %d, stderr %q: want 1 and the cause", code, errs)
	}
}

// When --timeout expires, the message keeps what the calls were failing with.
func TestTimeoutKeepsTheUnderlyingError(t *testing.T) {
	s := newStub(t)
	awstarget.RetryMaxBackoff = 300 * time.Millisecond
	s.Throttle["bedrock:GetModelInvocationLoggingConfiguration"] = 1000
	code, out, _ := runCLI(t, "status", "--timeout", "700ms")
	if code != exitFailed || !strings.Contains(out, "timed out") || !strings.Contains(out, "ThrottlingException") {
		t.Errorf("exit %d, output:\n%s\nwant the timeout and the throttling it interrupted", code, out)
	}
}

// The SDK's own warnings (the IMDSv1 fallback when the metadata service
// refuses a token) never reach the terminal: the SDK writes them to the
// process's standard error, which this test captures.
func TestSDKWarningsNeverReachTheTerminal(t *testing.T) {
	newStub(t)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut { // IMDSv2 token: refused, so the SDK warns and falls back
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		http.NotFound(w, r)
	}))
	defer imds.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	code, _, errs := runCLI(t, "status")
	os.Stderr = old
	w.Close()
	leaked, _ := io.ReadAll(r)
	if len(leaked) > 0 {
		t.Errorf("the SDK wrote to the terminal: %q", leaked)
	}
	if code != exitFailed || strings.Count(errs, "\n") > 2 {
		t.Errorf("exit %d, stderr %q: want 1 and a short message", code, errs)
	}
}

// --s3-only drops the baseline's CloudWatch destination; a template bucket
// is filled in per account and region.
func TestS3OnlyAndTemplatesAcrossAccounts(t *testing.T) {
	s := newStub(t)
	code, out, errs := runCLI(t, "enable", "--accounts", "111111111111,222222222222", "--regions", "us-east-1,eu-west-1",
		"--s3-only", "--bucket", "bedrock-logs-{account}-{region}") // the baseline names a log group too
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	puts := s.Puts()
	if len(puts) != 4 {
		t.Fatalf("%d PUTs, want 4", len(puts))
	}
	for _, p := range puts {
		cfg := putConfig(t, p)
		s3 := cfg["s3Config"].(map[string]any)
		if cfg["cloudWatchConfig"] != nil || s3["bucketName"] != stub.Bucket(p.Account, p.Region) {
			t.Errorf("%s/%s: PUT %v, want only S3 to %s", p.Account, p.Region, cfg, stub.Bucket(p.Account, p.Region))
		}
	}
}

// policy --read-only grants exactly the actions status uses on the wire,
// across accounts, and nothing that changes a configuration.
func TestReadOnlyPolicyCoversStatus(t *testing.T) {
	s := newStub(t)
	if code, out, errs := runCLI(t, "status", "--accounts", "999999999999,111111111111", "--regions", "us-east-1,eu-west-1"); code == exitFailed {
		t.Fatalf("status failed:\n%s\n%s", out, errs)
	}
	need := map[string]bool{}
	for op := range s.Calls() {
		for _, a := range operationActions[op] {
			need[a] = true
		}
	}
	granted := map[string]bool{}
	for _, a := range policyActions(buildPolicy(scopeAll, defaultRoleName, true)) {
		granted[a] = true
	}
	for a := range need {
		if !granted[a] {
			t.Errorf("status needs %s, the read-only policy does not grant it", a)
		}
	}
	for a := range granted {
		if strings.Contains(a, ":Put") || strings.Contains(a, ":Delete") {
			t.Errorf("the read-only policy grants %s", a)
		}
	}
	if code, out, _ := runCLI(t, "policy", "--read-only"); code != exitOK || strings.Contains(out, "PutModelInvocationLoggingConfiguration") || !strings.Contains(out, "GetModelInvocationLoggingConfiguration") {
		t.Errorf("policy --read-only: exit %d\n%s", code, out)
	}
}
