package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/bedrockgov/bedrockgov/tools/logging/internal/stub"
	"github.com/bedrockgov/bedrockgov/tools/logging/ssmparams"
)

// interfaceOperations lists "<iam-service>:<Method>" for every method of the
// client interfaces in clients.go: everything the tool can call.
func interfaceOperations(t *testing.T) []string {
	t.Helper()
	ifaces := map[string]reflect.Type{
		"bedrockAPI": reflect.TypeOf((*bedrockAPI)(nil)).Elem(),
		"ssmAPI":     reflect.TypeOf((*ssmAPI)(nil)).Elem(),
		"s3API":      reflect.TypeOf((*s3API)(nil)).Elem(),
		"logsAPI":    reflect.TypeOf((*logsAPI)(nil)).Elem(),
		"stsAPI":     reflect.TypeOf((*stsAPI)(nil)).Elem(),
		"orgAPI":     reflect.TypeOf((*orgAPI)(nil)).Elem(),
	}
	if len(ifaces) != len(interfaceServices) {
		t.Fatalf("interfaceServices has %d entries, the test knows %d interfaces", len(interfaceServices), len(ifaces))
	}
	var ops []string
	for name, typ := range ifaces {
		svc, ok := interfaceServices[name]
		if !ok {
			t.Fatalf("interface %s has no IAM service in interfaceServices", name)
		}
		for i := range typ.NumMethod() {
			ops = append(ops, svc+":"+typ.Method(i).Name)
		}
	}
	sort.Strings(ops)
	return ops
}

func TestPolicyMatchesTheClientInterfaces(t *testing.T) {
	ops := interfaceOperations(t)
	// Every callable operation has a mapping, and every mapping is callable.
	mapped := make([]string, 0, len(operationActions))
	for op := range operationActions {
		mapped = append(mapped, op)
	}
	sort.Strings(mapped)
	if !reflect.DeepEqual(ops, mapped) {
		t.Fatalf("operations of the client interfaces:\n %v\noperationActions keys:\n %v", ops, mapped)
	}
	// The printed policy grants exactly the actions those operations need.
	need := map[string]bool{}
	for _, acts := range operationActions {
		for _, a := range acts {
			need[a] = true
		}
	}
	var want []string
	for a := range need {
		want = append(want, a)
	}
	sort.Strings(want)
	if got := policyActions(buildPolicy(scopeAll, defaultRoleName, false)); !reflect.DeepEqual(got, want) {
		t.Errorf("policy actions:\n %v\nneeded by the code:\n %v", got, want)
	}
	// caller + target = all, with no action in both.
	c := policyActions(buildPolicy(scopeCaller, defaultRoleName, false))
	tg := policyActions(buildPolicy(scopeTarget, defaultRoleName, false))
	both := append(append([]string{}, c...), tg...)
	sort.Strings(both)
	if !reflect.DeepEqual(both, want) {
		t.Errorf("caller %v + target %v != all %v", c, tg, want)
	}
}

// TestPolicyCoversEveryOperationSeenOnTheWire drives every command against
// the stub and checks that the operations that reached the wire are exactly
// the ones the policy accounts for.
func TestPolicyCoversEveryOperationSeenOnTheWire(t *testing.T) {
	s := newStub(t)
	s.NoBucketRegionHeader = true
	s.Org = []stub.OrgAccount{{ID: caller, State: "ACTIVE"}, {ID: "111111111111", State: "ACTIVE"}}
	s.OUAccounts["ou-abcd-11111111"] = []stub.OrgAccount{{ID: "111111111111", State: "ACTIVE"}}
	s.OUChildren["ou-abcd-11111111"] = []string{"ou-abcd-22222222"}
	for _, args := range [][]string{
		{"enable", "--organization"},
		{"status", "--organization", "--ou", "ou-abcd-11111111"},
		{"disable", "--yes", "--accounts", "111111111111"},
	} {
		if code, out, errs := runCLI(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errs)
		}
	}
	seen := map[string]bool{}
	for op := range s.Calls() {
		seen[op] = true
	}
	for op := range wireOps {
		seen[op] = true
	}
	for op := range seen {
		if _, ok := operationActions[op]; !ok {
			t.Errorf("%s reached the wire but is not in operationActions (so not in the policy)", op)
		}
	}
	for op := range operationActions {
		if !seen[op] {
			t.Errorf("%s is in the policy but no command called it", op)
		}
	}
	if s.Calls()["s3:GetBucketLocation"] == 0 {
		t.Error("without x-amz-bucket-region, enable must ask GetBucketLocation")
	}
}

func TestPolicyRendersValidJSONForTheRoleName(t *testing.T) {
	code, out, _ := runCLI(t, "policy", "--role-name", "PlatformBedrockAdmin")
	if code != exitOK || !strings.Contains(out, `"arn:aws:iam::*:role/PlatformBedrockAdmin"`) || !strings.HasPrefix(out, "{") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "policy", "--scope", "target")
	if code != exitOK || strings.Contains(out, "sts:AssumeRole") || !strings.Contains(out, "bedrock:PutModelInvocationLoggingConfiguration") {
		t.Errorf("target scope:\n%s", out)
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	for _, cmd := range []string{"status", "enable", "disable", "policy"} {
		cfg := cliConfig{command: cmd}
		var r, a string
		fs := defineFlags(&cfg, &r, &a)
		code, out, _ := runCLI(t, cmd, "--help")
		if code != exitOK {
			t.Fatalf("%s --help exit %d", cmd, code)
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(out, "--"+f.Name) {
				t.Errorf("%s --help does not document --%s", cmd, f.Name)
			}
		})
		if !strings.Contains(mainHelp, cmd) {
			t.Errorf("main help does not list %s", cmd)
		}
	}
	code, out, _ := runCLI(t, "--help")
	if code != exitOK || !strings.Contains(out, "Exit codes:") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
}

func TestCompareConfigs(t *testing.T) {
	d := destinations{Bucket: "logs-bucket", KeyPrefix: "p", LogGroup: "/aws/bedrock/modelinvocations", RoleARN: "arn:aws:iam::111111111111:role/r"}
	want := buildConfig(d, dataTypes{Text: true, Embedding: true})
	if diffs := compareConfigs(want, buildConfig(d, dataTypes{Text: true, Embedding: true}), true); len(diffs) != 0 {
		t.Errorf("equal configs differ: %v", diffs)
	}
	// nil booleans read as false, absent prefix as "".
	got := buildConfig(d, dataTypes{Text: true, Embedding: true})
	got.ImageDataDeliveryEnabled = nil
	if diffs := compareConfigs(want, got, true); len(diffs) != 0 {
		t.Errorf("nil boolean treated as a difference: %v", diffs)
	}
	got.CloudWatchConfig = nil
	got.EmbeddingDataDeliveryEnabled = aws.Bool(false)
	diffs := compareConfigs(want, got, true)
	var fields []string
	for _, x := range diffs {
		fields = append(fields, x.Field)
	}
	if w := []string{"cloudWatchConfig.logGroupName", "cloudWatchConfig.roleArn", "embeddingDataDeliveryEnabled"}; !reflect.DeepEqual(fields, w) {
		t.Errorf("diff fields %v, want %v", fields, w)
	}
	if diffs[0].String() != "cloudWatchConfig.logGroupName: want /aws/bedrock/modelinvocations, got (unset)" {
		t.Errorf("diff text %q", diffs[0].String())
	}
	// Without known destinations only data types count.
	if diffs := compareConfigs(buildConfig(destinations{}, dataTypes{Text: true, Embedding: true}), want, false); len(diffs) != 0 {
		t.Errorf("destinations compared although unknown: %v", diffs)
	}
}

func TestValidators(t *testing.T) {
	good := []error{
		validateRegion("eu-central-2", false),
		validateRegion("xx-newplace-1", true),
		validateAccountID("012345678901"),
		validateBucketName("my.logs-bucket-1"),
		validateLogGroupName("/aws/bedrock/modelinvocations"),
		validateKeyPrefix("bedrock/logs"),
		validateOUID("ou-ab12-abcdefgh"),
		validateOUID("r-ab12"),
		validateRoleName("OrganizationAccountAccessRole"),
	}
	for i, err := range good {
		if err != nil {
			t.Errorf("good input %d rejected: %v", i, err)
		}
	}
	if acct, err := parseRoleARN("arn:aws-us-gov:iam::123456789012:role/service-role/Bedrock"); err != nil || acct != "123456789012" {
		t.Errorf("parseRoleARN: %q %v", acct, err)
	}
	bad := map[string]error{
		"region":      validateRegion("xx-newplace-1", false),
		"account":     validateAccountID("1234567890123"),
		"bucket case": validateBucketName("MyBucket"),
		"bucket ip":   validateBucketName("192.168.1.1"),
		"bucket dots": validateBucketName("a..b"),
		"bucket dir":  validateBucketName("logs--x-s3"),
		"prefix":      validateKeyPrefix("/abs"),
		"ou":          validateOUID("ou-1"),
		"role name":   validateRoleName("bad role"),
	}
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: bad input accepted", name)
		}
	}
	if _, err := parseRoleARN("arn:aws:iam::123456789012:user/u"); err == nil {
		t.Error("user ARN accepted as a role")
	}
	if err := validateRegion("xx-newplace-1", false); !strings.Contains(err.Error(), "--allow-unknown-regions") {
		t.Errorf("unknown region error does not name the escape hatch: %v", err)
	}
}

func TestDestinationsValidate(t *testing.T) {
	cases := map[string]struct {
		d    destinations
		want string
	}{
		"nothing":            {destinations{}, "no destinations"},
		"group without role": {destinations{LogGroup: "g"}, "needs the role"},
		"role without group": {destinations{Bucket: "bkt", RoleARN: "arn:aws:iam::111111111111:role/r"}, "without a log group"},
		"prefix alone":       {destinations{LogGroup: "g", RoleARN: "arn:aws:iam::111111111111:role/r", KeyPrefix: "p"}, "without a bucket"},
		"large without cw":   {destinations{Bucket: "bkt", LargeDataBucket: "big"}, "only applies to CloudWatch"},
		"foreign role":       {destinations{LogGroup: "g", RoleARN: "arn:aws:iam::222222222222:role/r"}, "same account"},
	}
	for name, c := range cases {
		err := c.d.validate("111111111111")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if err := (destinations{Bucket: "bkt"}).validate("111111111111"); err != nil {
		t.Errorf("bucket alone: %v", err)
	}
}

// --- fakes over the narrow interfaces ---

type fakeBedrock struct {
	stored  *types.LoggingConfig
	mangle  func(*types.LoggingConfig) // applied to what a PUT stores
	puts    int
	getErr  error
	deletes int
	bedrockAPI
}

func (f *fakeBedrock) GetModelInvocationLoggingConfiguration(context.Context, *bedrock.GetModelInvocationLoggingConfigurationInput, ...func(*bedrock.Options)) (*bedrock.GetModelInvocationLoggingConfigurationOutput, error) {
	if f.getErr != nil {
		return nil, f.getErr
	}
	return &bedrock.GetModelInvocationLoggingConfigurationOutput{LoggingConfig: f.stored}, nil
}

func (f *fakeBedrock) PutModelInvocationLoggingConfiguration(_ context.Context, in *bedrock.PutModelInvocationLoggingConfigurationInput, _ ...func(*bedrock.Options)) (*bedrock.PutModelInvocationLoggingConfigurationOutput, error) {
	f.puts++
	c := *in.LoggingConfig
	if f.mangle != nil {
		f.mangle(&c)
	}
	f.stored = &c
	return &bedrock.PutModelInvocationLoggingConfigurationOutput{}, nil
}

type fakeSSM struct{ values map[string]string }

func (f fakeSSM) GetParameters(_ context.Context, in *ssm.GetParametersInput, _ ...func(*ssm.Options)) (*ssm.GetParametersOutput, error) {
	out := &ssm.GetParametersOutput{}
	for _, n := range in.Names {
		if v, ok := f.values[n]; ok {
			out.Parameters = append(out.Parameters, ssmtypes.Parameter{Name: aws.String(n), Value: aws.String(v)})
		} else {
			out.InvalidParameters = append(out.InvalidParameters, n)
		}
	}
	return out, nil
}

type fakeS3 struct {
	location  s3types.BucketLocationConstraint
	locations int
}

func (f *fakeS3) HeadBucket(context.Context, *s3.HeadBucketInput, ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	return &s3.HeadBucketOutput{}, nil // no BucketRegion: forces GetBucketLocation
}

func (f *fakeS3) GetBucketLocation(context.Context, *s3.GetBucketLocationInput, ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error) {
	f.locations++
	return &s3.GetBucketLocationOutput{LocationConstraint: f.location}, nil
}

type fakeLogs struct{ pages [][]string }

func (f fakeLogs) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	i := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &i)
	}
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	for _, n := range f.pages[i] {
		out.LogGroups = append(out.LogGroups, logtypes.LogGroup{LogGroupName: aws.String(n)})
	}
	if i+1 < len(f.pages) {
		out.NextToken = aws.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func baselineFakes(region string) (targetClients, *fakeBedrock, *fakeS3) {
	fb := &fakeBedrock{}
	fs := &fakeS3{location: s3types.BucketLocationConstraint(region)}
	return targetClients{
		Bedrock: fb,
		SSM: fakeSSM{map[string]string{
			ssmparams.BucketName:   "logs-111111111111",
			ssmparams.LogGroupName: "/aws/bedrock/modelinvocations",
			ssmparams.RoleArn:      "arn:aws:iam::111111111111:role/r",
		}},
		S3: fs,
		// The wanted group is on the second page, after a longer name
		// sharing its prefix.
		Logs: fakeLogs{pages: [][]string{{"/aws/bedrock/modelinvocations-old"}, {"/aws/bedrock/modelinvocations"}}},
	}, fb, fs
}

func TestEnableFindsBucketRegionThroughGetBucketLocation(t *testing.T) {
	tg := target{Account: "111111111111", Region: "eu-west-1"}
	c, fb, fs := baselineFakes("EU") // the legacy answer for eu-west-1
	r := doEnable(context.Background(), tg, c, options{types: dataTypes{Text: true, Embedding: true}})
	if r.State != stateEnabled || fb.puts != 1 || fs.locations != 1 {
		t.Fatalf("state %q error %q puts %d locations %d", r.State, r.Error, fb.puts, fs.locations)
	}
	c, fb, _ = baselineFakes("") // "" means us-east-1
	r = doEnable(context.Background(), tg, c, options{types: dataTypes{Text: true}})
	if r.State != stateError || fb.puts != 0 || !strings.Contains(r.Error, "is in region us-east-1, not eu-west-1") {
		t.Errorf("state %q error %q puts %d", r.State, r.Error, fb.puts)
	}
}

func TestEnableReportsAReadBackThatDiffers(t *testing.T) {
	tg := target{Account: "111111111111", Region: "us-east-1"}
	c, fb, _ := baselineFakes("us-east-1")
	fb.mangle = func(lc *types.LoggingConfig) { lc.TextDataDeliveryEnabled = aws.Bool(false) }
	r := doEnable(context.Background(), tg, c, options{types: dataTypes{Text: true, Embedding: true}})
	if r.State != stateError || !strings.Contains(r.Error, "reading it back differs") || !strings.Contains(r.Error, "textDataDeliveryEnabled") {
		t.Errorf("state %q error %q", r.State, r.Error)
	}
}

func TestExplainGivesOneActionableLine(t *testing.T) {
	tg := target{Account: "111111111111", Region: "us-east-1"}
	denied := &smithy.OperationError{ServiceID: "Bedrock", OperationName: "PutModelInvocationLoggingConfiguration",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: x is not authorized\nto perform"}}
	got := explain(fmt.Errorf("writing: %w", denied), tg)
	if !strings.Contains(got, "need bedrock:PutModelInvocationLoggingConfiguration (print") || strings.Contains(got, "\n") {
		t.Errorf("access denied: %q", got)
	}
	passRole := &smithy.OperationError{ServiceID: "Bedrock", OperationName: "PutModelInvocationLoggingConfiguration",
		Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:sts::111111111111:assumed-role/a/b is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111111111111:role/r"}}
	if got := explain(passRole, tg); !strings.Contains(got, "need iam:PassRole on arn:aws:iam::111111111111:role/r") {
		t.Errorf("denied action named by AWS: %q", got)
	}
	ssmDenied := &smithy.OperationError{ServiceID: "SSM", OperationName: "GetParameters", Err: &smithy.GenericAPIError{Code: "AccessDeniedException"}}
	if got := explain(ssmDenied, tg); !strings.Contains(got, "ssm:GetParameters") {
		t.Errorf("ssm denied: %q", got)
	}
	expired := &smithy.OperationError{ServiceID: "STS", OperationName: "GetCallerIdentity", Err: &smithy.GenericAPIError{Code: "ExpiredToken"}}
	if got := explain(expired, tg); !strings.Contains(got, "refresh them") {
		t.Errorf("expired: %q", got)
	}
	if got := explain(errors.Join(&checkError{"a"}, &checkError{"b"}), tg); got != "a; b" {
		t.Errorf("joined: %q", got)
	}
	if got := explain(context.Canceled, tg); got != "interrupted before finishing" {
		t.Errorf("canceled: %q", got)
	}
}

type fakeOrg struct {
	orgAPI
	accounts map[string][]orgtypes.Account
	children map[string][]string
}

func (f fakeOrg) ListAccountsForParent(_ context.Context, in *organizations.ListAccountsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
	return &organizations.ListAccountsForParentOutput{Accounts: f.accounts[*in.ParentId]}, nil
}

func (f fakeOrg) ListOrganizationalUnitsForParent(_ context.Context, in *organizations.ListOrganizationalUnitsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	var ous []orgtypes.OrganizationalUnit
	for _, id := range f.children[*in.ParentId] {
		ous = append(ous, orgtypes.OrganizationalUnit{Id: aws.String(id)})
	}
	return &organizations.ListOrganizationalUnitsForParentOutput{OrganizationalUnits: ous}, nil
}

func TestListOrgAccountsRecursesAndKeepsOnlyActive(t *testing.T) {
	acct := func(id string, state orgtypes.AccountState, status orgtypes.AccountStatus) orgtypes.Account {
		return orgtypes.Account{Id: aws.String(id), State: state, Status: status}
	}
	f := fakeOrg{
		accounts: map[string][]orgtypes.Account{
			"ou-a": {acct("111111111111", orgtypes.AccountStateActive, "")},
			"ou-b": {acct("222222222222", orgtypes.AccountStateSuspended, orgtypes.AccountStatusActive)},
			"ou-c": {acct("333333333333", "", orgtypes.AccountStatusActive), acct("444444444444", "", orgtypes.AccountStatusSuspended)},
		},
		children: map[string][]string{"ou-a": {"ou-b"}, "ou-b": {"ou-c"}},
	}
	got, err := listOrgAccounts(context.Background(), f, "ou-a")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"111111111111", "333333333333"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestExplainCredentialsAndNetworkProblems(t *testing.T) {
	tg := target{Account: "111111111111", Region: "us-east-1"}
	noCreds := &smithy.OperationError{ServiceID: "STS", OperationName: "GetCallerIdentity",
		Err: fmt.Errorf("get identity: get credentials: %w", fmt.Errorf("failed to refresh cached credentials, %w", errors.New("no EC2 IMDS role found")))}
	if got := explain(noCreds, tg); !strings.HasPrefix(got, "no usable AWS credentials for STS GetCallerIdentity") || !strings.Contains(got, "AWS_PROFILE") {
		t.Errorf("no credentials: %q", got)
	}
	refused := &smithy.OperationError{ServiceID: "Bedrock", OperationName: "GetModelInvocationLoggingConfiguration",
		Err: &retry.MaxAttemptsError{Attempt: 8, Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}}
	if got := explain(refused, tg); !strings.HasPrefix(got, "cannot reach the endpoint for Bedrock GetModelInvocationLoggingConfiguration") {
		t.Errorf("connection refused: %q", got)
	}
}

func TestDestinationFlagRules(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string // "" = accepted
	}{
		{[]string{"enable", "--log-group", ""}, "--log-group \"\": an empty value does not turn a delivery off; use --s3-only"},
		{[]string{"enable", "--bucket", ""}, "use --cloudwatch-only"},
		{[]string{"enable", "--s3-only", "--cloudwatch-only"}, "exclusive"},
		{[]string{"enable", "--s3-only", "--log-group", "/aws/bedrock/x"}, "choose one"},
		{[]string{"enable", "--organization", "--bucket", "logs-bucket"}, "use a template such as --bucket 'bedrock-logs-{account}-{region}'"},
		{[]string{"enable", "--accounts", "111111111111,222222222222", "--role-arn", "arn:aws:iam::111111111111:role/r", "--log-group", "g"}, "with several accounts"},
		{[]string{"enable", "--regions", "us-east-1,eu-west-1", "--bucket", "logs-{account}"}, "with several regions"},
		{[]string{"enable", "--bucket", "logs-{acct}"}, "the only placeholders"},
		{[]string{"enable", "--organization", "--bucket", "bedrock-logs-{account}-{region}"}, ""},
		{[]string{"enable", "--accounts", "111111111111,222222222222", "--log-group", "/aws/bedrock/modelinvocations", "--role-arn", "arn:aws:iam::{account}:role/r"}, ""},
		{[]string{"status", "--s3-only"}, ""},
	} {
		_, err := parseArgs(c.args, io.Discard)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.args, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
	f := destinationFlags{values: destinations{Bucket: "bedrock-logs-{account}-{region}", RoleARN: "arn:aws:iam::{account}:role/r"}}
	got := f.forTarget(target{Account: "222222222222", Region: "eu-west-1"}).values
	if got.Bucket != "bedrock-logs-222222222222-eu-west-1" || got.RoleARN != "arn:aws:iam::222222222222:role/r" {
		t.Errorf("forTarget = %+v", got)
	}
}
