package invocationlogging_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
)

func TestMain(m *testing.M) { cdkassert.Main(m) }

const acct, region = "123456789012", "eu-west-1"

func synth(t *testing.T, props *invocationlogging.InvocationLoggingProps) (*cdkassert.Template, invocationlogging.InvocationLogging) {
	t.Helper()
	var tpl *cdkassert.Template
	var l invocationlogging.InvocationLogging
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		stack := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String(acct), Region: jsii.String(region)},
		})
		l = invocationlogging.NewInvocationLogging(stack, "Logging", props)
		tpl = cdkassert.Synth(t, stack)
	})
	return tpl, l
}

func configured() *invocationlogging.InvocationLoggingProps {
	return &invocationlogging.InvocationLoggingProps{
		KeyPrefix:             jsii.String("team/logs"),
		LogRetention:          awslogs.RetentionDays_THREE_MONTHS,
		InfrequentAccessAfter: awscdk.Duration_Days(jsii.Number(45)),
		GlacierAfter:          awscdk.Duration_Days(jsii.Number(120)),
		ExpireAfter:           awscdk.Duration_Days(jsii.Number(400)),
	}
}

// ref is how the template refers to a resource by logical ID.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }

func bucketIDs(t *testing.T, tpl *cdkassert.Template) (logs, access string) {
	t.Helper()
	ids, rs := tpl.OfType("AWS::S3::Bucket")
	if len(ids) != 2 {
		t.Fatalf("want the log bucket and its access-log bucket, got %v", ids)
	}
	for i, r := range rs {
		if r.Properties["LoggingConfiguration"] != nil {
			logs = ids[i]
		} else {
			access = ids[i]
		}
	}
	if logs == "" || access == "" {
		t.Fatalf("cannot tell the log bucket (with access logging) from the access-log bucket: %v", ids)
	}
	return logs, access
}

func TestKeyRotatesIsRetainedAndScopesServicesToThisAccount(t *testing.T) {
	tpl, _ := synth(t, configured())
	_, key := tpl.One(t, "AWS::KMS::Key")
	if key.Properties["EnableKeyRotation"] != true {
		t.Error("key rotation must be on")
	}
	if key.DeletionPolicy != "RetainExceptOnCreate" || key.UpdateReplace != "Retain" {
		t.Errorf("key must be retained on stack deletion and replacement, got %q/%q", key.DeletionPolicy, key.UpdateReplace)
	}
	policy := key.Properties["KeyPolicy"]
	bedrock := cdkassert.StatementBySid(t, policy, "AllowBedrockToEncryptInvocationLogs")
	if got := cdkassert.Strings(bedrock["Action"]); !reflect.DeepEqual(got, []string{"kms:GenerateDataKey"}) {
		t.Errorf("bedrock may only generate data keys, got %v", got)
	}
	cond := cdkassert.JSON(bedrock["Condition"])
	if !cdkassert.Contains(cond, `"StringEquals":{"aws:SourceAccount":"`+acct+`"}`, `"aws:SourceArn"`, `:bedrock:`+region+`:`+acct+`:*`) {
		t.Errorf("bedrock statement lacks the confused-deputy conditions: %s", cond)
	}
	logs := cdkassert.StatementBySid(t, policy, "AllowCloudWatchLogsForTheInvocationLogGroup")
	if p := cdkassert.JSON(logs["Principal"]); p != `{"Service":"logs.`+region+`.amazonaws.com"}` {
		t.Errorf("logs statement principal = %s", p)
	}
	lcond := cdkassert.JSON(logs["Condition"])
	if !cdkassert.Contains(lcond, "kms:EncryptionContext:aws:logs:arn", ":logs:"+region+":"+acct+":log-group:/aws/bedrock/modelinvocations") {
		t.Errorf("logs statement must be limited to the invocation log group: %s", lcond)
	}
	// Nothing else is granted to any service.
	for _, s := range cdkassert.Statements(policy) {
		if svc := cdkassert.JSON(s["Principal"]); strings.Contains(svc, "Service") && s["Condition"] == nil {
			t.Errorf("service statement without conditions: %s", cdkassert.JSON(s))
		}
	}
}

func TestLogBucketIsPrivateEncryptedVersionedRetainedAndTLSOnly(t *testing.T) {
	tpl, _ := synth(t, configured())
	logsID, accessID := bucketIDs(t, tpl)
	keyID, _ := tpl.One(t, "AWS::KMS::Key")
	b := tpl.Resources[logsID]
	if b.DeletionPolicy != "RetainExceptOnCreate" || b.UpdateReplace != "Retain" {
		t.Errorf("log bucket must be retained, got %q/%q", b.DeletionPolicy, b.UpdateReplace)
	}
	p := cdkassert.JSON(b.Properties)
	for _, want := range []string{
		`"VersioningConfiguration":{"Status":"Enabled"}`,
		`"PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}`,
		`"ObjectOwnership":"BucketOwnerEnforced"`,
		`"BucketKeyEnabled":true`,
		`"SSEAlgorithm":"aws:kms"`,
		`"KMSMasterKeyID":{"Fn::GetAtt":["` + keyID + `","Arn"]}`,
		`"LoggingConfiguration":{"DestinationBucketName":{"Ref":"` + accessID + `"}`,
	} {
		if !strings.Contains(p, want) {
			t.Errorf("log bucket lacks %s\n%s", want, p)
		}
	}
	if b.Properties["AccessControl"] != nil {
		t.Error("ACLs must stay disabled")
	}
	a := tpl.Resources[accessID]
	if a.DeletionPolicy != "RetainExceptOnCreate" {
		t.Error("access-log bucket must be retained")
	}
	if al := cdkassert.JSON(a.Properties["LifecycleConfiguration"]); !cdkassert.Contains(al, `"ExpirationInDays":400`, `"NoncurrentVersionExpiration"`) {
		t.Errorf("access logs must expire with the logs they describe: %s", al)
	}
	if !strings.Contains(cdkassert.JSON(a.Properties), `"SSEAlgorithm":"AES256"`) {
		t.Error("access-log bucket must be encrypted (SSE-S3, the only default encryption server access logging accepts)")
	}
}

func TestLifecycleFollowsProps(t *testing.T) {
	tpl, _ := synth(t, configured())
	logsID, _ := bucketIDs(t, tpl)
	rules := tpl.Resources[logsID].Properties["LifecycleConfiguration"].(map[string]any)["Rules"].([]any)
	if len(rules) != 1 {
		t.Fatalf("want one lifecycle rule, got %d", len(rules))
	}
	r := rules[0].(map[string]any)
	if r["Status"] != "Enabled" || r["ExpirationInDays"] != 400.0 || r["NoncurrentVersionExpiration"] == nil {
		t.Errorf("rule must expire current and noncurrent versions after 400 days: %s", cdkassert.JSON(r))
	}
	got := map[string]float64{}
	for _, tr := range r["Transitions"].([]any) {
		m := tr.(map[string]any)
		got[m["StorageClass"].(string)] = m["TransitionInDays"].(float64)
	}
	if want := map[string]float64{"STANDARD_IA": 45, "GLACIER": 120}; !reflect.DeepEqual(got, want) {
		t.Errorf("transitions = %v, want %v", got, want)
	}

	// Without ExpireAfter nothing expires.
	tpl, _ = synth(t, nil)
	logsID, _ = bucketIDs(t, tpl)
	if s := cdkassert.JSON(tpl.Resources[logsID].Properties["LifecycleConfiguration"]); strings.Contains(s, "Expiration") {
		t.Errorf("default lifecycle must keep logs, got %s", s)
	}
}

func TestBucketPolicyLetsOnlyBedrockWriteItsPrefix(t *testing.T) {
	tpl, _ := synth(t, configured())
	logsID, _ := bucketIDs(t, tpl)
	var policy any
	_, pols := tpl.OfType("AWS::S3::BucketPolicy")
	for _, p := range pols {
		if reflect.DeepEqual(p.Properties["Bucket"], ref(logsID)) {
			policy = p.Properties["PolicyDocument"]
		}
	}
	if policy == nil {
		t.Fatal("log bucket has no bucket policy")
	}
	s := cdkassert.StatementBySid(t, policy, "AmazonBedrockLogsWrite")
	if cdkassert.JSON(s["Principal"]) != `{"Service":"bedrock.amazonaws.com"}` || s["Action"] != "s3:PutObject" || s["Effect"] != "Allow" {
		t.Errorf("bedrock statement: %s", cdkassert.JSON(s))
	}
	if res := cdkassert.JSON(s["Resource"]); !strings.Contains(res, `"/team/logs/AWSLogs/`+acct+`/BedrockModelInvocationLogs/*"`) {
		t.Errorf("bedrock may write only under the prefix's AWSLogs path, got %s", res)
	}
	if c := cdkassert.JSON(s["Condition"]); !cdkassert.Contains(c, `"aws:SourceAccount":"`+acct+`"`, `:bedrock:`+region+`:`+acct+`:*`) {
		t.Errorf("bedrock write lacks source conditions: %s", c)
	}
	var tlsDeny bool
	for _, st := range cdkassert.Statements(policy) {
		if st["Effect"] == "Allow" && st["Sid"] != "AmazonBedrockLogsWrite" && st["Sid"] != "S3ServerAccessLogsPolicy" {
			t.Errorf("unexpected allow: %s", cdkassert.JSON(st))
		}
		if st["Effect"] == "Deny" && strings.Contains(cdkassert.JSON(st["Condition"]), `"aws:SecureTransport":"false"`) {
			tlsDeny = true
		}
	}
	if !tlsDeny {
		t.Error("bucket policy must deny requests without TLS")
	}
}

func TestLogGroupIsEncryptedRetainedWithConfiguredRetention(t *testing.T) {
	tpl, l := synth(t, configured())
	keyID, _ := tpl.One(t, "AWS::KMS::Key")
	_, g := tpl.One(t, "AWS::Logs::LogGroup")
	if g.Properties["LogGroupName"] != "/aws/bedrock/modelinvocations" || l.LogGroupName() != "/aws/bedrock/modelinvocations" {
		t.Errorf("log group name = %v", g.Properties["LogGroupName"])
	}
	if g.Properties["RetentionInDays"] != 90.0 {
		t.Errorf("retention = %v, want 90", g.Properties["RetentionInDays"])
	}
	if cdkassert.JSON(g.Properties["KmsKeyId"]) != `{"Fn::GetAtt":["`+keyID+`","Arn"]}` {
		t.Errorf("log group must use the customer-managed key, got %s", cdkassert.JSON(g.Properties["KmsKeyId"]))
	}
	// Retained when the stack is deleted or the group replaced, but removed when the first
	// deployment fails, so a retry does not fail with "already exists".
	if g.DeletionPolicy != "RetainExceptOnCreate" || g.UpdateReplace != "Retain" {
		t.Errorf("log group must be retained except on a failed create, got %q/%q", g.DeletionPolicy, g.UpdateReplace)
	}
	tpl, _ = synth(t, nil)
	if _, g := tpl.One(t, "AWS::Logs::LogGroup"); g.Properties["RetentionInDays"] != 365.0 {
		t.Errorf("default retention = %v, want 365", g.Properties["RetentionInDays"])
	}
}

func TestDeliveryRoleIsLeastPrivilege(t *testing.T) {
	tpl, _ := synth(t, configured())
	_, role := tpl.One(t, "AWS::IAM::Role")
	trust := cdkassert.Statements(role.Properties["AssumeRolePolicyDocument"])
	if len(trust) != 1 || cdkassert.JSON(trust[0]["Principal"]) != `{"Service":"bedrock.amazonaws.com"}` {
		t.Fatalf("only bedrock may assume the role: %s", cdkassert.JSON(trust))
	}
	if c := cdkassert.JSON(trust[0]["Condition"]); !cdkassert.Contains(c, `"aws:SourceAccount":"`+acct+`"`, `"aws:SourceArn"`) {
		t.Errorf("trust lacks confused-deputy conditions: %s", c)
	}
	if role.Properties["ManagedPolicyArns"] != nil {
		t.Error("role must carry no managed policies")
	}
	if _, extra := tpl.OfType("AWS::IAM::Policy"); len(extra) != 0 {
		t.Errorf("no other policies expected, got %d", len(extra))
	}
	pols := role.Properties["Policies"].([]any)
	if len(pols) != 1 {
		t.Fatalf("want one inline policy, got %d", len(pols))
	}
	stmts := cdkassert.Statements(pols[0].(map[string]any)["PolicyDocument"])
	if len(stmts) != 1 {
		t.Fatalf("want one statement, got %s", cdkassert.JSON(stmts))
	}
	actions := cdkassert.Strings(stmts[0]["Action"])
	sort.Strings(actions)
	if !reflect.DeepEqual(actions, []string{"logs:CreateLogStream", "logs:PutLogEvents"}) {
		t.Errorf("actions = %v", actions)
	}
	res := cdkassert.JSON(stmts[0]["Resource"])
	if !strings.Contains(res, ":log-group:/aws/bedrock/modelinvocations:log-stream:aws/bedrock/modelinvocations") || strings.Contains(res, "*") {
		t.Errorf("role must be limited to the one log stream, got %s", res)
	}
}

func TestRejectsInvalidProps(t *testing.T) {
	for name, props := range map[string]*invocationlogging.InvocationLoggingProps{
		"leading slash":    {KeyPrefix: jsii.String("/logs")},
		"ia under 30 days": {InfrequentAccessAfter: awscdk.Duration_Days(jsii.Number(10))},
		// S3 rejects a Glacier transition less than 30 days after the Standard-IA one.
		"glacier 20 days after ia": {
			InfrequentAccessAfter: awscdk.Duration_Days(jsii.Number(30)), GlacierAfter: awscdk.Duration_Days(jsii.Number(50)),
		},
		"object lock longer than expiry": {ObjectLockDays: 500, ExpireAfter: awscdk.Duration_Days(jsii.Number(400))},
		"expiry before glacier": {
			GlacierAfter: awscdk.Duration_Days(jsii.Number(90)), ExpireAfter: awscdk.Duration_Days(jsii.Number(60)),
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmtAny(r), "invocationlogging:") {
					t.Fatalf("want a clear invocationlogging panic, got %v", r)
				}
			}()
			app := awscdk.NewApp(nil)
			invocationlogging.NewInvocationLogging(awscdk.NewStack(app, jsii.String("S"), nil), "L", props)
		})
	}
}

func fmtAny(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if e, ok := v.(error); ok {
		return e.Error()
	}
	return ""
}

func logBucketPolicy(t *testing.T, tpl *cdkassert.Template) any {
	t.Helper()
	logsID, _ := bucketIDs(t, tpl)
	_, pols := tpl.OfType("AWS::S3::BucketPolicy")
	for _, p := range pols {
		if reflect.DeepEqual(p.Properties["Bucket"], ref(logsID)) {
			return p.Properties["PolicyDocument"]
		}
	}
	t.Fatal("log bucket has no bucket policy")
	return nil
}

func TestNoPrincipalButBedrockCanWriteUnderTheLogPrefix(t *testing.T) {
	p := configured()
	p.LogWriterRolePattern = jsii.String("bedrockgov-log-replication-*")
	tpl, _ := synth(t, p)
	s := cdkassert.StatementBySid(t, logBucketPolicy(t, tpl), "OnlyBedrockWritesInvocationLogs")
	if s["Effect"] != "Deny" || cdkassert.JSON(s["Principal"]) != `{"AWS":"*"}` || s["Action"] != "s3:PutObject" {
		t.Fatalf("forgery guard must deny PutObject to everyone: %s", cdkassert.JSON(s))
	}
	if res := cdkassert.JSON(s["Resource"]); !strings.Contains(res, `"/team/logs/AWSLogs/`+acct+`/BedrockModelInvocationLogs/*"`) {
		t.Errorf("guard must cover the log prefix, got %s", res)
	}
	c := cdkassert.JSON(s["Condition"])
	if !cdkassert.Contains(c, `"StringNotEqualsIfExists":{"aws:PrincipalServiceName":"bedrock.amazonaws.com"}`,
		`"ArnNotLike":{"aws:PrincipalArn":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::*:role/bedrockgov-log-replication-*"]]}}`) {
		t.Errorf("guard must exempt only Bedrock and the replication roles: %s", c)
	}
}

func TestObjectLockIsGovernanceModeWithConfiguredDays(t *testing.T) {
	p := configured()
	p.ObjectLockDays = 365
	tpl, _ := synth(t, p)
	logsID, _ := bucketIDs(t, tpl)
	b := tpl.Resources[logsID].Properties
	if b["ObjectLockEnabled"] != true || cdkassert.JSON(b["ObjectLockConfiguration"]) != `{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Days":365,"Mode":"GOVERNANCE"}}}` {
		t.Errorf("object lock = %v %s", b["ObjectLockEnabled"], cdkassert.JSON(b["ObjectLockConfiguration"]))
	}
	tpl, _ = synth(t, configured())
	logsID, _ = bucketIDs(t, tpl)
	if tpl.Resources[logsID].Properties["ObjectLockEnabled"] != nil {
		t.Error("object lock must be off unless configured")
	}
}

func TestKeyDeniesGrantsExceptForAWSResources(t *testing.T) {
	tpl, _ := synth(t, configured())
	_, key := tpl.One(t, "AWS::KMS::Key")
	s := cdkassert.StatementBySid(t, key.Properties["KeyPolicy"], "DenyGrantsExceptForAWSResources")
	if s["Effect"] != "Deny" || s["Action"] != "kms:CreateGrant" || cdkassert.JSON(s["Principal"]) != `{"AWS":"*"}` ||
		cdkassert.JSON(s["Condition"]) != `{"BoolIfExists":{"kms:GrantIsForAWSResource":"false"}}` {
		t.Errorf("grant restriction: %s", cdkassert.JSON(s))
	}
}

func TestExistingLogGroupIsUsedNotCreated(t *testing.T) {
	p := configured()
	p.ExistingLogGroup = true
	tpl, l := synth(t, p)
	if ids, _ := tpl.OfType("AWS::Logs::LogGroup"); len(ids) != 0 {
		t.Errorf("an existing log group must not be created again: %v", ids)
	}
	if l.LogGroupName() != "/aws/bedrock/modelinvocations" {
		t.Errorf("log group name = %s", l.LogGroupName())
	}
	_, role := tpl.One(t, "AWS::IAM::Role")
	if !strings.Contains(cdkassert.JSON(role.Properties["Policies"]), ":log-group:/aws/bedrock/modelinvocations:log-stream:aws/bedrock/modelinvocations") {
		t.Error("the delivery role must still write the existing group's stream")
	}
}

func TestLogBucketHasTheNameTheSCPsProtect(t *testing.T) {
	tpl, _ := synth(t, configured())
	logsID, _ := bucketIDs(t, tpl)
	if got := tpl.Resources[logsID].Properties["BucketName"]; got != "bedrockgov-logs-"+acct+"-"+region {
		t.Errorf("log bucket name = %v, want bedrockgov-logs-<account>-<region> (matched by the SCPs' bedrockgov-logs-*)", got)
	}
}
