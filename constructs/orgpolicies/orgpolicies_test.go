package orgpolicies

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
)

func TestMain(m *testing.M) { cdkassert.Main(m) }

const (
	acct      = "111111111111"
	developer = "arn:aws:iam::" + acct + ":role/developer"
	stackSet  = "arn:aws:iam::" + acct + ":role/stacksets-exec-0123456789abcdef0123456789abcdef"
	logRole   = "arn:aws:iam::" + acct + ":role/bedrockgov-logging-config-us-east-1"
	cdkRole   = "arn:aws:iam::" + acct + ":role/cdk-hnb659fds-cfn-exec-role-" + acct + "-us-east-1"
	breakGl   = "arn:aws:iam::" + acct + ":role/BreakGlassAdmin"
	logBucket = "arn:aws:s3:::bedrockgov-logs-" + acct + "-us-east-1"
	logGroup  = "arn:aws:logs:us-east-1:" + acct + ":log-group:/aws/bedrock/modelinvocations"
	logKey    = "arn:aws:kms:us-east-1:" + acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	haiku     = "anthropic.claude-3-5-haiku-20241022-v1:0"
	sonnet4   = "anthropic.claude-sonnet-4-20250514-v1:0"
	novaMicro = "amazon.nova-micro-v1:0"
	llama     = "meta.llama3-1-70b-instruct-v1:0"
)

var exampleOptions = SCPOptions{
	ExemptRoleNames:     []string{"BreakGlassAdmin"},
	DeployAccounts:      []string{"555555555555"},
	ApprovedModels:      []string{"amazon.nova-micro-v1:0", "anthropic.claude-3-5-haiku", "anthropic.claude-sonnet-4"},
	ApprovedRegions:     []string{"us-east-1", "us-west-2"},
	CrossRegionProfiles: []string{"us"},
	ApprovedModelArns:   []string{"arn:aws:bedrock:*:" + acct + ":provisioned-model/approved*"},
}

// admin lets the principal do anything: every denial in the scenarios comes from the SCPs.
const admin = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func fm(region, model string) string {
	return fmt.Sprintf("arn:aws:bedrock:%s::foundation-model/%s", region, model)
}

func profile(region, id string) string {
	return fmt.Sprintf("arn:aws:bedrock:%s:%s:inference-profile/%s", region, acct, id)
}

// synthSCPs synthesizes the policies in a stack and returns the documents as they appear in
// the template, so the simulations test what CloudFormation deploys.
func synthSCPs(t *testing.T, props *ServiceControlPoliciesProps) ([]any, []cdkassert.Resource) {
	t.Helper()
	var tpl *cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		stack := awscdk.NewStack(app, jsii.String("Org"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("999999999999"), Region: jsii.String("us-east-1")}})
		NewServiceControlPolicies(stack, "Scps", props)
		tpl = cdkassert.Synth(t, stack)
	})
	_, rs := tpl.OfType("AWS::Organizations::Policy")
	var docs []any
	for _, r := range rs {
		docs = append(docs, iamsim.Named{Name: r.Properties["Name"].(string), Policy: r.Properties["Content"]})
	}
	return docs, rs
}

// TestSCPScenarios evaluates the synthesized SCPs, with an administrator identity policy, on
// every scenario the policies exist for.
func TestSCPScenarios(t *testing.T) {
	scps, resources := synthSCPs(t, &ServiceControlPoliciesProps{SCPOptions: exampleOptions, TargetIds: []string{"r-ab12", "ou-ab12-abcdefgh"}})
	if len(resources) != 2 {
		t.Errorf("the example options should fit two policies, got %d", len(resources))
	}
	for _, r := range resources {
		if r.Properties["Type"] != "SERVICE_CONTROL_POLICY" || cdkassert.JSON(r.Properties["TargetIds"]) != `["r-ab12","ou-ab12-abcdefgh"]` {
			t.Errorf("policy %v: type %v, targets %v", r.Properties["Name"], r.Properties["Type"], r.Properties["TargetIds"])
		}
	}
	iamsim.CheckIAMReference(t, scps...)

	req := func(scenario, principal, action, resource, region string, want iamsim.Decision, why string, extra map[string]any) iamsim.Request {
		ctx := map[string]any{"aws:PrincipalArn": principal, "aws:RequestedRegion": region, "aws:PrincipalAccount": acct}
		for k, v := range extra {
			ctx[k] = v
		}
		return iamsim.Request{
			Scenario: scenario, Principal: principal, Action: action, Resource: resource, ResourceAccount: acct,
			Context: ctx, IdentityPolicies: []any{admin}, SCPs: scps, Want: want, Why: why,
		}
	}
	var reqs []iamsim.Request
	// Protect invocation logging.
	for _, a := range []string{"bedrock:PutModelInvocationLoggingConfiguration", "bedrock:DeleteModelInvocationLoggingConfiguration"} {
		reqs = append(reqs,
			req("developer changes the logging configuration: "+a, developer, a, "*", "us-east-1", iamsim.ExplicitlyDenied,
				SidProtectLoggingConfig+" denies it to every role not ArnLike a platform role", nil),
			req("StackSet execution role changes the logging configuration: "+a, stackSet, a, "*", "us-east-1", iamsim.Allowed,
				"the StackSet execution role matches stacksets-exec-*, exempt by ArnNotLike", nil),
			req("logging custom resource role changes the logging configuration: "+a, logRole, a, "*", "us-east-1", iamsim.Allowed,
				"bedrockgov-logging-config-<region> is exempt", nil),
			req("CDK deploy role changes the logging configuration: "+a, cdkRole, a, "*", "us-east-1", iamsim.Allowed,
				"the CDK cfn-exec role (pipeline deploys) is exempt", nil),
			req("break-glass role changes the logging configuration: "+a, breakGl, a, "*", "us-east-1", iamsim.Allowed,
				"the configured break-glass role is exempt", nil),
		)
	}
	for _, a := range []string{"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration", "s3:DeleteBucket", "s3:PutReplicationConfiguration"} {
		reqs = append(reqs,
			req("developer weakens the log bucket: "+a, developer, a, logBucket, "us-east-1", iamsim.ExplicitlyDenied,
				SidProtectLogBucket+" covers the baseline's log bucket by its bedrockgov-logs-* name", nil),
			req("StackSet execution role updates the log bucket: "+a, stackSet, a, logBucket, "us-east-1", iamsim.Allowed,
				"the StackSet execution role is exempt", nil),
		)
	}
	reqs = append(reqs,
		req("developer deletes a log object", developer, "s3:DeleteObject", logBucket+"/AWSLogs/"+acct+"/BedrockModelInvocationLogs/x.json.gz", "us-east-1", iamsim.ExplicitlyDenied,
			SidProtectLogBucket+" covers the bucket's objects", nil),
		req("developer changes another bucket's policy", developer, "s3:PutBucketPolicy", "arn:aws:s3:::team-data", "us-east-1", iamsim.Allowed,
			"only the baseline's log buckets are protected", nil),
	)
	for _, a := range []string{"logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey"} {
		reqs = append(reqs,
			req("developer deletes or weakens the log group: "+a, developer, a, logGroup, "us-east-1", iamsim.ExplicitlyDenied,
				SidProtectLogGroup+" covers /aws/bedrock/modelinvocations", nil),
			req("logging custom resource role manages the log group: "+a, logRole, a, logGroup, "us-east-1", iamsim.Allowed,
				"the logging-configuration role is exempt", nil),
		)
	}
	reqs = append(reqs,
		req("developer deletes another log group", developer, "logs:DeleteLogGroup", "arn:aws:logs:us-east-1:"+acct+":log-group:/app/web", "us-east-1", iamsim.Allowed,
			"only the invocation log group is protected", nil),
	)
	baselineKey := map[string]any{"aws:ResourceTag/ManagedBy": "bedrockgov"}
	for _, a := range []string{"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DisableKeyRotation", "kms:UntagResource"} {
		reqs = append(reqs,
			req("developer disables or deletes the baseline's key: "+a, developer, a, logKey, "us-east-1", iamsim.ExplicitlyDenied,
				SidProtectLogKeys+" matches keys tagged ManagedBy=bedrockgov", baselineKey),
			req("StackSet execution role manages the baseline's key: "+a, stackSet, a, logKey, "us-east-1", iamsim.Allowed,
				"the StackSet execution role is exempt", baselineKey),
		)
	}
	reqs = append(reqs,
		req("developer schedules deletion of their own untagged key", developer, "kms:ScheduleKeyDeletion", logKey, "us-east-1", iamsim.Allowed,
			"keys without the baseline tag are not protected", map[string]any{"aws:ResourceTag/ManagedBy": "team"}),
	)
	// The exemption goes by role name: nobody else may create or take over such a role.
	reqs = append(reqs,
		req("developer creates a role named like the StackSet execution role", developer, "iam:CreateRole",
			"arn:aws:iam::"+acct+":role/stacksets-exec-imposter", "us-east-1", iamsim.ExplicitlyDenied,
			SidProtectPlatformRoles+" reserves the exempt role names for the exempt roles", nil),
		req("developer rewrites the trust policy of the logging-configuration role", developer, "iam:UpdateAssumeRolePolicy",
			logRole, "us-east-1", iamsim.ExplicitlyDenied, SidProtectPlatformRoles+" protects the exempt roles from takeover", nil),
		req("developer attaches a policy to the break-glass role", developer, "iam:AttachRolePolicy",
			breakGl, "us-east-1", iamsim.ExplicitlyDenied, SidProtectPlatformRoles+" covers the configured break-glass role", nil),
		req("StackSet execution role creates the logging-configuration role", stackSet, "iam:CreateRole",
			logRole, "us-east-1", iamsim.Allowed, "the baseline's own deployment may create its exempt role", nil),
		req("developer creates an ordinary role", developer, "iam:CreateRole",
			"arn:aws:iam::"+acct+":role/team-app", "us-east-1", iamsim.Allowed, "only the exempt role names are reserved", nil),
	)
	// The platform's code and roles cannot be borrowed: the logging-configuration function runs
	// as an exempt role, so changing or invoking it, or passing its role, would bypass the SCP.
	logFn := "arn:aws:lambda:us-east-1:" + acct + ":function:bedrockgov-logging-config"
	replRole := "arn:aws:iam::" + acct + ":role/bedrockgov-log-replication-us-east-1"
	deployRole := "arn:aws:iam::" + acct + ":role/cdk-hnb659fds-deploy-role-" + acct + "-us-east-1"
	pipelineRole := "arn:aws:iam::555555555555:role/BedrockPipeline-PipelineRole"
	reqs = append(reqs,
		req("developer invokes the logging-configuration function with a forged Delete event", developer, "lambda:InvokeFunction", logFn, "us-east-1",
			iamsim.ExplicitlyDenied, SidProtectPlatformCode+" covers bedrockgov-* functions", nil),
		req("developer replaces the logging-configuration function's code", developer, "lambda:UpdateFunctionCode", logFn, "us-east-1",
			iamsim.ExplicitlyDenied, SidProtectPlatformCode+" covers bedrockgov-* functions", nil),
		req("StackSet execution role invokes the custom resource during a deployment", stackSet, "lambda:InvokeFunction", logFn, "us-east-1",
			iamsim.Allowed, "CloudFormation invokes custom resources with the deploying role, which is exempt", nil),
		req("developer invokes their own function", developer, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:"+acct+":function:team-app", "us-east-1",
			iamsim.Allowed, "only bedrockgov-* functions are protected", nil),
		req("CDK deploy role passes the execution role to CloudFormation (pipeline and cdk deploy)", deployRole,
			"iam:PassRole", cdkRole, "us-east-1", iamsim.Allowed, "the CDK deploy role is a platform role: without it no pipeline deployment could start", map[string]any{"iam:PassedToService": "cloudformation.amazonaws.com"}),
		req("developer passes the CDK execution role to CloudFormation", developer, "iam:PassRole", cdkRole, "us-east-1",
			iamsim.ExplicitlyDenied, SidProtectRolePassing+" denies passing an exempt role", map[string]any{"iam:PassedToService": "cloudformation.amazonaws.com"}),
		req("developer passes the logging-configuration role to a function of theirs", developer, "iam:PassRole", logRole, "us-east-1",
			iamsim.ExplicitlyDenied, SidProtectRolePassing+" denies passing an exempt role", map[string]any{"iam:PassedToService": "lambda.amazonaws.com"}),
		req("developer edits the replication role to stop archiving", developer, "iam:PutRolePolicy", replRole, "us-east-1",
			iamsim.ExplicitlyDenied, SidProtectPlatformRoles+" covers the log-replication roles", nil),
		req("developer edits the CloudWatch delivery role to stop the log copy", developer, "iam:PutRolePolicy", "arn:aws:iam::"+acct+":role/bedrockgov-log-delivery-us-east-1", "us-east-1",
			iamsim.ExplicitlyDenied, SidProtectPlatformRoles+" covers the log-delivery roles", nil),
		req("developer assumes the CDK deploy role to run CloudFormation as the exempt execution role", developer, "sts:AssumeRole", deployRole, "us-east-1",
			iamsim.ExplicitlyDenied, SidProtectDeployRole+": only platform roles and the pipeline's account may assume it", nil),
		withTrust(req("the pipeline's role in the tooling account assumes the deploy role", pipelineRole, "sts:AssumeRole", deployRole, "us-east-1",
			iamsim.Allowed, "principals of the configured deploy account are exempt from "+SidProtectDeployRole+" (the role's trust policy, from cdk bootstrap --trust, admits them)",
			map[string]any{"aws:PrincipalAccount": "555555555555"}),
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::555555555555:root"},"Action":"sts:AssumeRole"}]}`),
		req("the CDK deploy role changes the logging configuration itself", deployRole, "bedrock:PutModelInvocationLoggingConfiguration", "*", "us-east-1",
			iamsim.ExplicitlyDenied, "the deploy role may pass the execution role and nothing more: it is not exempt from "+SidProtectLoggingConfig, nil),
	)
	// Approved models, directly and through inference profiles.
	inv := "bedrock:InvokeModel"
	reqs = append(reqs,
		req("developer invokes an approved model directly in an approved region", developer, inv, fm("us-east-1", haiku), "us-east-1", iamsim.Allowed,
			"the model matches foundation-model/anthropic.claude-3-5-haiku* in the NotResource list and us-east-1 is approved", nil),
		req("developer streams an approved model directly", developer, "bedrock:InvokeModelWithResponseStream", fm("us-west-2", novaMicro), "us-west-2", iamsim.Allowed,
			"amazon.nova-micro-v1:0 is approved and us-west-2 is approved", nil),
		req("developer invokes an approved model through a us. profile in an approved region (profile authorization)", developer, inv, profile("us-east-1", "us."+sonnet4), "us-east-1", iamsim.Allowed,
			"the profile matches inference-profile/*.anthropic.claude-sonnet-4*", map[string]any{"bedrock:InferenceProfileArn": profile("us-east-1", "us."+sonnet4)}),
		req("developer invokes an approved model through a us. profile in an approved region (model authorization in us-west-2)", developer, inv, fm("us-west-2", sonnet4), "us-west-2", iamsim.Allowed,
			"the routed-to model is approved and us-west-2 is approved", map[string]any{"bedrock:InferenceProfileArn": profile("us-east-1", "us."+sonnet4)}),
		req("developer invokes an unapproved model directly", developer, inv, fm("us-east-1", llama), "us-east-1", iamsim.ExplicitlyDenied,
			SidApprovedModels+": meta.llama3 is not in the NotResource list", nil),
		req("developer invokes an unapproved model through a us. profile", developer, inv, profile("us-east-1", "us."+llama), "us-east-1", iamsim.ExplicitlyDenied,
			SidApprovedModels+": the profile names no approved model", map[string]any{"bedrock:InferenceProfileArn": profile("us-east-1", "us."+llama)}),
		req("developer invokes an unapproved model through an application inference profile (model authorization)", developer, inv, fm("us-east-1", llama), "us-east-1", iamsim.ExplicitlyDenied,
			SidApprovedModels+": the foundation model behind the application profile is still checked",
			map[string]any{"bedrock:InferenceProfileArn": "arn:aws:bedrock:us-east-1:" + acct + ":application-inference-profile/abc123"}),
		req("developer starts a batch job on an approved model (model authorization)", developer, "bedrock:CreateModelInvocationJob", fm("us-east-1", novaMicro), "us-east-1", iamsim.Allowed,
			"batch inference is restricted by the same model list; the model is approved", nil),
		req("developer starts a batch job (job authorization)", developer, "bedrock:CreateModelInvocationJob", "arn:aws:bedrock:us-east-1:"+acct+":model-invocation-job/job1", "us-east-1", iamsim.Allowed,
			"the job resource itself is carved out; its model is checked separately", nil),
		req("developer starts a batch job on an unapproved model", developer, "bedrock:CreateModelInvocationJob", fm("us-east-1", llama), "us-east-1", iamsim.ExplicitlyDenied,
			SidApprovedModels+" covers batch inference", nil),
		req("developer invokes provisioned throughput that is not listed", developer, inv, "arn:aws:bedrock:us-east-1:"+acct+":provisioned-model/abc123", "us-east-1", iamsim.ExplicitlyDenied,
			SidApprovedModels+": provisioned, custom and imported models are denied unless listed in ApprovedModelArns", nil),
		req("developer invokes listed provisioned throughput", developer, inv, "arn:aws:bedrock:us-east-1:"+acct+":provisioned-model/approved1", "us-east-1", iamsim.Allowed,
			"ApprovedModelArns lists it", nil),
		req("developer creates an inference on the bedrock-mantle endpoint with an unapproved model", developer, "bedrock-mantle:CreateInference",
			"arn:aws:bedrock-mantle:us-east-1:"+acct+":project/default", "us-east-1", iamsim.ExplicitlyDenied,
			SidApprovedMantleModels+": bedrock-mantle:Model matches no approved model", map[string]any{"bedrock-mantle:Model": "openai.gpt-oss-120b-1:0"}),
		req("developer creates an inference on the bedrock-mantle endpoint with an approved model", developer, "bedrock-mantle:CreateInference",
			"arn:aws:bedrock-mantle:us-east-1:"+acct+":project/default", "us-east-1", iamsim.Allowed,
			"bedrock-mantle:Model matches *anthropic.claude-sonnet-4*", map[string]any{"bedrock-mantle:Model": sonnet4}),
	)
	// Approved regions, keeping cross-region inference working.
	reqs = append(reqs,
		req("a us. profile invoked in us-east-1 routes to unapproved us-east-2", developer, inv, fm("us-east-2", haiku), "us-east-2", iamsim.Allowed,
			SidApprovedRegions+" carves out calls whose bedrock:InferenceProfileArn is a us. profile in an approved region",
			map[string]any{"bedrock:InferenceProfileArn": profile("us-east-1", "us."+haiku)}),
		req("direct call in unapproved us-east-2 without a profile", developer, inv, fm("us-east-2", haiku), "us-east-2", iamsim.ExplicitlyDenied,
			SidApprovedRegions+": us-east-2 is not approved and no inference profile is involved", nil),
		req("an eu. profile (not approved) routes into eu-west-1", developer, inv, fm("eu-west-1", haiku), "eu-west-1", iamsim.ExplicitlyDenied,
			SidApprovedRegions+": only us. profiles are approved for cross-region routing",
			map[string]any{"bedrock:InferenceProfileArn": profile("eu-central-1", "eu."+haiku)}),
		req("a us. profile invoked from an unapproved region (us-east-2)", developer, inv, profile("us-east-2", "us."+haiku), "us-east-2", iamsim.ExplicitlyDenied,
			SidApprovedRegions+": the profile must be invoked in an approved region",
			map[string]any{"bedrock:InferenceProfileArn": profile("us-east-2", "us."+haiku)}),
		req("developer lists models in an unapproved region", developer, "bedrock:ListFoundationModels", "*", "eu-west-1", iamsim.ExplicitlyDenied,
			SidApprovedRegions+" covers every Bedrock action", nil),
		req("developer lists models in an approved region", developer, "bedrock:ListFoundationModels", "*", "us-west-2", iamsim.Allowed,
			"us-west-2 is approved", nil),
		req("developer uses S3 in an unapproved region", developer, "s3:GetObject", "arn:aws:s3:::team-data/x", "eu-west-1", iamsim.Allowed,
			"the region restriction covers Bedrock only", nil),
	)
	// No long-term Bedrock API keys.
	user := "arn:aws:iam::" + acct + ":user/alice"
	reqs = append(reqs,
		req("developer creates a long-term Bedrock API key", developer, "iam:CreateServiceSpecificCredential", user, "us-east-1", iamsim.ExplicitlyDenied,
			SidNoAPIKeyCreation+" matches the bedrock.amazonaws.com service name", map[string]any{"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"}),
		req("developer creates a CodeCommit credential", developer, "iam:CreateServiceSpecificCredential", user, "us-east-1", iamsim.Allowed,
			"only Bedrock credentials are denied", map[string]any{"iam:ServiceSpecificCredentialServiceName": "codecommit.amazonaws.com"}),
		req("a caller uses a long-term Bedrock API key", user, "bedrock:CallWithBearerToken", "*", "us-east-1", iamsim.ExplicitlyDenied,
			SidNoLongTermKeyUse+" matches bedrock:BearerTokenType LONG_TERM", map[string]any{"bedrock:BearerTokenType": "LONG_TERM"}),
		req("a caller uses a short-term Bedrock API key", developer, "bedrock:CallWithBearerToken", "*", "us-east-1", iamsim.Allowed,
			"short-term keys carry the session's own permissions and stay allowed", map[string]any{"bedrock:BearerTokenType": "SHORT_TERM"}),
		req("a caller uses a long-term key on the bedrock-mantle endpoint", user, "bedrock-mantle:CallWithBearerToken", "*", "us-east-1", iamsim.ExplicitlyDenied,
			SidNoLongTermKeyUse+" matches bedrock-mantle:BearerTokenType LONG_TERM", map[string]any{"bedrock-mantle:BearerTokenType": "LONG_TERM"}),
	)
	// KMS needs the key policy to delegate to IAM (the default key policy does).
	for i := range reqs {
		if strings.HasPrefix(reqs[i].Action, "kms:") {
			reqs[i].ResourcePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}]}`
		}
	}
	iamsim.Simulate(t, reqs)
}

// TestSCPOptionsTurnStatementsOff checks that the configurable parts really go away: with API
// keys allowed and no model or region lists, only the logging protection remains.
func TestSCPOptionsTurnStatementsOff(t *testing.T) {
	scps, _ := synthSCPs(t, &ServiceControlPoliciesProps{SCPOptions: SCPOptions{AllowLongTermAPIKeys: true}})
	ctx := map[string]any{"aws:PrincipalArn": developer, "aws:RequestedRegion": "eu-west-1"}
	iamsim.Simulate(t, []iamsim.Request{
		{Scenario: "long-term key allowed when configured", Principal: developer, Action: "iam:CreateServiceSpecificCredential",
			Resource: "arn:aws:iam::" + acct + ":user/alice", Context: map[string]any{"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"},
			IdentityPolicies: []any{admin}, SCPs: scps, Want: iamsim.Allowed, Why: "allowLongTermApiKeys leaves the statements out"},
		{Scenario: "any model in any region without lists", Principal: developer, Action: "bedrock:InvokeModel", Resource: fm("eu-west-1", llama),
			ResourceAccount: acct, Context: ctx, IdentityPolicies: []any{admin}, SCPs: scps, Want: iamsim.Allowed, Why: "no model or region list is configured"},
		{Scenario: "logging still protected", Principal: developer, Action: "bedrock:DeleteModelInvocationLoggingConfiguration", Resource: "*",
			Context: ctx, IdentityPolicies: []any{admin}, SCPs: scps, Want: iamsim.ExplicitlyDenied, Why: "logging protection is on by default"},
	})
}

// TestSCPsMergeWithinTheSizeLimit grows the lists until the statements need several policies
// and checks each stays within the limit and all statements survive the packing.
func TestSCPsMergeWithinTheSizeLimit(t *testing.T) {
	o := exampleOptions
	for i := 0; i < 30; i++ {
		o.ApprovedModels = append(o.ApprovedModels, fmt.Sprintf("vendor.model-family-%02d-v1", i))
	}
	want := Statements(o)
	docs, err := Pack(want, MaxSCPSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 2 {
		t.Fatalf("30 more models should need a second policy, got %d", len(docs))
	}
	var got []string
	for i, d := range docs {
		if d.Size() > MaxSCPSize {
			t.Errorf("policy %d is %d characters", i+1, d.Size())
		}
		for _, s := range d.Statement {
			got = append(got, s.Sid)
		}
	}
	var wantSids []string
	for _, s := range want {
		wantSids = append(wantSids, s.Sid)
	}
	if len(got) != len(wantSids) {
		t.Errorf("statements after packing %v, want %v", got, wantSids)
	}
	// Minified means no white space outside strings: what Organizations counts.
	if m := string(Minified(docs[0])); strings.Contains(m, "\n") || strings.Contains(m, `": `) || strings.Contains(m, `\u00`) {
		t.Errorf("not minified: %.200s", m)
	}
}

// TestSynthFailsNamingTheOversizedPolicy: a statement too large for any policy, or more
// policies than a target can hold, fails synthesis with the policy's name.
func TestSynthFailsNamingTheOversizedPolicy(t *testing.T) {
	o := exampleOptions
	o.ApprovedModels = nil
	for i := 0; i < 120; i++ {
		o.ApprovedModels = append(o.ApprovedModels, fmt.Sprintf("vendor.model-family-%03d-v1", i))
	}
	for _, c := range []struct {
		name  string
		props *ServiceControlPoliciesProps
		want  []string
	}{
		{"statement over the limit", &ServiceControlPoliciesProps{SCPOptions: o}, []string{DefaultSCPNamePrefix, SidApprovedModels, "over the 5120-character limit"}},
		{"too many policies", &ServiceControlPoliciesProps{SCPOptions: exampleOptions, MaxSize: 1200, MaxPolicies: 2, NamePrefix: jsii.String("corp-bedrock")}, []string{"corp-bedrock", "need", "only 2"}},
		{"bad target", &ServiceControlPoliciesProps{TargetIds: []string{"ou-bad"}}, []string{`"ou-bad"`}},
		{"bad model", &ServiceControlPoliciesProps{SCPOptions: SCPOptions{ApprovedModels: []string{"Claude Sonnet"}}}, []string{`"Claude Sonnet"`}},
	} {
		msg := func() (msg string) {
			defer func() {
				if r := recover(); r != nil {
					msg = fmt.Sprint(r)
				}
			}()
			app := awscdk.NewApp(nil)
			NewServiceControlPolicies(awscdk.NewStack(app, jsii.String("S"), nil), "Scps", c.props)
			return ""
		}()
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q does not mention %q", c.name, msg, w)
			}
		}
	}
}

// withTrust gives a scenario the resource (trust) policy a cross-account request needs.
func withTrust(r iamsim.Request, trust string) iamsim.Request {
	r.ResourcePolicy = trust
	return r
}
