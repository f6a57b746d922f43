package stacks_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/loggingconfig"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/stacks"
	"github.com/bedrockgov/bedrockgov/tools/logging/ssmparams"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

func TestMain(m *testing.M) { cdkassert.Main(m) }

var tags = map[string]string{"CostCenter": "CC-9", "DataClassification": "confidential", "ComplianceRequirement": "soc2", "Environment": "prod"}

func member(t *testing.T, protect bool) (*stacks.MemberStack, *cdkassert.Template) {
	t.Helper()
	var s *stacks.MemberStack
	var tpl *cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		s = stacks.NewMemberStack(app, "BedrockMember-prod-us-east-1", &stacks.MemberStackProps{
			StackProps: awscdk.StackProps{
				Env:                   &awscdk.Environment{Account: jsii.String("333333333333"), Region: jsii.String("us-east-1")},
				TerminationProtection: jsii.Bool(protect),
			},
			EnvironmentName: "prod",
			Logging:         &invocationlogging.InvocationLoggingProps{KeyPrefix: jsii.String("org-logs")},
			Monitoring:      &monitoring.MonitoringProps{MonitoredModels: []string{"amazon.nova-micro-v1:0"}, AlertEmails: map[monitoring.Severity][]string{monitoring.Critical: {"a@example.com"}}},
			Tags:            tags,
		})
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
		tpl = cdkassert.Synth(t, s.Stack)
	})
	return s, tpl
}

func TestPublishesDestinationsAsSSMParametersForTheLoggingTool(t *testing.T) {
	s, tpl := member(t, true)
	_, params := tpl.OfType("AWS::SSM::Parameter")
	got := map[string]string{}
	for _, p := range params {
		got[p.Properties["Name"].(string)] = cdkassert.JSON(p.Properties["Value"])
	}
	bucketID, _ := tpl.OfType("AWS::S3::Bucket")
	var logBucket string
	for _, id := range bucketID {
		if tpl.Resources[id].Properties["LoggingConfiguration"] != nil {
			logBucket = id
		}
	}
	roleID := deliveryRoleID(t, tpl)
	want := map[string]string{
		ssmparams.BucketName:          `{"Ref":"` + logBucket + `"}`,
		ssmparams.KeyPrefix:           `"org-logs"`,
		ssmparams.LogGroupName:        `"/aws/bedrock/modelinvocations"`,
		ssmparams.RoleArn:             `{"Fn::GetAtt":["` + roleID + `","Arn"]}`,
		ssmparams.LargeDataBucketName: `{"Ref":"` + logBucket + `"}`,
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("SSM %s = %s, want %s", name, got[name], v)
		}
	}
	if len(got) != len(ssmparams.All) {
		t.Errorf("want exactly the %d logging parameters, got %v", len(ssmparams.All), got)
	}
	for _, key := range []string{stacks.OutputLogBucketName, stacks.OutputLogKeyPrefix, stacks.OutputLogGroupName, stacks.OutputDeliveryRoleArn,
		stacks.OutputLogKeyArn, stacks.OutputDashboardName, stacks.OutputCriticalTopicArn, stacks.OutputWarningTopicArn, stacks.OutputInfoTopicArn} {
		if _, ok := tpl.Outputs[key]; !ok {
			t.Errorf("output %s missing (outputs are a stable contract)", key)
		}
	}
	if cdkassert.JSON(tpl.Outputs[stacks.OutputLogBucketName]["Value"]) != `{"Ref":"`+logBucket+`"}` {
		t.Errorf("bucket output = %v", tpl.Outputs[stacks.OutputLogBucketName])
	}
	if !*s.TerminationProtection() {
		t.Error("termination protection requested but off")
	}
}

func TestEveryTaggableResourceCarriesTheConfiguredTags(t *testing.T) {
	_, tpl := member(t, false)
	taggable := 0
	for id, r := range tpl.Resources {
		raw, ok := r.Properties["Tags"]
		if !ok {
			continue
		}
		taggable++
		s := cdkassert.JSON(raw)
		for k, v := range tags {
			// Most resources list tags; SSM parameters take a map.
			if !strings.Contains(s, `"Key":"`+k+`","Value":"`+v+`"`) && !strings.Contains(s, `"`+k+`":"`+v+`"`) {
				t.Errorf("%s (%s) lacks tag %s=%s: %s", id, r.Type, k, v, s)
			}
		}
	}
	// Key, 2 buckets, log group, role, 3 topics, alarms, SSM parameters are all taggable.
	if taggable < 15 {
		t.Errorf("only %d resources carry tags", taggable)
	}
	for _, typ := range []string{"AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup", "AWS::IAM::Role", "AWS::SNS::Topic", "AWS::CloudWatch::Alarm"} {
		ids, rs := tpl.OfType(typ)
		for i, r := range rs {
			if r.Properties["Tags"] == nil {
				t.Errorf("%s %s is not tagged", typ, ids[i])
			}
		}
	}
}

func TestStackSetReadyAndNagClean(t *testing.T) {
	s, tpl := member(t, false)
	if tpl.Raw["Parameters"] != nil || tpl.Raw["Rules"] != nil {
		t.Errorf("template must need no bootstrap parameters or rules to deploy through a StackSet: %v %v", tpl.Raw["Parameters"], tpl.Raw["Rules"])
	}
	// StackSets cannot carry file assets: every function's code is inline.
	for id, r := range tpl.Resources {
		if r.Type == "AWS::Lambda::Function" {
			code, _ := r.Properties["Code"].(map[string]any)
			if _, inline := code["ZipFile"]; !inline || len(code) != 1 {
				t.Errorf("function %s must carry its code inline (ZipFile), got %s", id, cdkassert.JSON(code))
			}
		}
	}
	if meta := cdkassert.JSON(tpl.Raw["Metadata"]); strings.Contains(meta, "aws:asset") {
		t.Errorf("template refers to assets: %s", meta)
	}
	if *s.TerminationProtection() {
		t.Error("termination protection on although not requested")
	}
	if errs := cdkassert.NagErrors(t, s.Stack); len(errs) != 0 {
		t.Errorf("unsuppressed cdk-nag findings:\n%s", strings.Join(errs, "\n"))
	}
}

func deliveryRoleID(t *testing.T, tpl *cdkassert.Template) string {
	t.Helper()
	ids, roles := tpl.OfType("AWS::IAM::Role")
	for i, r := range roles {
		if strings.Contains(cdkassert.JSON(r.Properties["AssumeRolePolicyDocument"]), `"Service":"bedrock.amazonaws.com"`) {
			return ids[i]
		}
	}
	t.Fatal("no role trusted by bedrock.amazonaws.com")
	return ""
}

func TestStackPutsTheLoggingConfigurationItself(t *testing.T) {
	_, tpl := member(t, false)
	crID, cr := tpl.One(t, loggingconfig.ResourceType)
	_, params := tpl.OfType("AWS::SSM::Parameter")
	ssm := map[string]string{}
	for _, p := range params {
		ssm[p.Properties["Name"].(string)] = cdkassert.JSON(p.Properties["Value"])
	}
	// The custom resource puts exactly the destinations the stack publishes for tools/logging,
	// so `status` reports the account as logging as expected.
	for prop, param := range map[string]string{
		"BucketName": ssmparams.BucketName, "KeyPrefix": ssmparams.KeyPrefix,
		"LogGroupName": ssmparams.LogGroupName, "RoleArn": ssmparams.RoleArn,
	} {
		if got := cdkassert.JSON(cr.Properties[prop]); got != ssm[param] {
			t.Errorf("custom resource %s = %s, SSM %s = %s", prop, got, param, ssm[param])
		}
	}
	for k, want := range map[string]string{"text": "true", "image": "false", "embedding": "true", "video": "false", "audio": "false"} {
		if cr.Properties[k] != want {
			t.Errorf("data type %s = %v, want %s (default text and embedding)", k, cr.Properties[k], want)
		}
	}
	// It runs only after everything it points at exists, and is deleted before them.
	deps := cdkassert.JSON(tpl.Resources[crID].DependsOn)
	for _, typ := range []string{"AWS::S3::BucketPolicy", "AWS::Logs::LogGroup", "AWS::KMS::Key"} {
		ids, _ := tpl.OfType(typ)
		for _, id := range ids {
			if strings.HasPrefix(id, "InvocationLogging") && !strings.HasPrefix(id, "InvocationLoggingConfiguration") && !strings.Contains(deps, `"`+id+`"`) {
				t.Errorf("logging configuration does not wait for %s %s", typ, id)
			}
		}
	}
	if !strings.Contains(deps, `"`+deliveryRoleID(t, tpl)+`"`) {
		t.Error("logging configuration does not wait for the delivery role")
	}

	// The function's role has the fixed name the organization's SCPs allow, and exactly the
	// logging calls the handler makes.
	var role map[string]any
	ids, roles := tpl.OfType("AWS::IAM::Role")
	for i, r := range roles {
		if strings.HasPrefix(ids[i], "InvocationLoggingConfigurationRole") {
			role = r.Properties
		}
	}
	if role == nil {
		t.Fatal("no role for the logging configuration function")
	}
	if n := cdkassert.JSON(role["RoleName"]); n != `"bedrockgov-logging-config-us-east-1"` || naming.LoggingConfigRoleName("us-east-1") != "bedrockgov-logging-config-us-east-1" {
		t.Errorf("role name = %s, want the fixed pattern %s", n, naming.LoggingConfigRolePattern)
	}
	var bedrockActions []string
	for _, st := range cdkassert.Statements(role["Policies"].([]any)[0].(map[string]any)["PolicyDocument"]) {
		for _, a := range cdkassert.Strings(st["Action"]) {
			if strings.HasPrefix(a, "bedrock:") {
				bedrockActions = append(bedrockActions, a)
			} else if a != "logs:CreateLogStream" && a != "logs:PutLogEvents" {
				t.Errorf("unexpected action %s", a)
			}
		}
	}
	sort.Strings(bedrockActions)
	if strings.Join(bedrockActions, ",") != strings.Join(loggingconfig.Actions, ",") {
		t.Errorf("bedrock actions = %v, want exactly %v", bedrockActions, loggingconfig.Actions)
	}
	_, fn := tpl.One(t, "AWS::Lambda::Function")
	if fn.Properties["Code"].(map[string]any)["ZipFile"] != loggingconfig.HandlerCode {
		t.Error("function code is not the tested handler")
	}
	// A fixed function name, the one the SCPs protect from being changed or invoked by others.
	if fn.Properties["FunctionName"] != naming.LoggingConfigFunctionName {
		t.Errorf("function name = %v, want %s", fn.Properties["FunctionName"], naming.LoggingConfigFunctionName)
	}
	// Its log group is encrypted with the environment key, which lets CloudWatch Logs use it
	// for exactly that group (named after the stack's unique ID, so a kept group never blocks a
	// later stack).
	var group map[string]any
	gids, groups := tpl.OfType("AWS::Logs::LogGroup")
	for i, g := range groups {
		if strings.HasPrefix(gids[i], "InvocationLoggingConfigurationFunctionLogs") {
			group = g.Properties
		}
	}
	name := cdkassert.JSON(group["LogGroupName"])
	if !strings.Contains(name, `"/aws/lambda/bedrockgov-logging-config-"`) || !strings.Contains(name, `"Ref":"AWS::StackId"`) || group["KmsKeyId"] == nil {
		t.Errorf("function log group: name %s, key %v", name, group["KmsKeyId"])
	}
	keyIDs, keys := tpl.OfType("AWS::KMS::Key")
	found := false
	for i, k := range keys {
		for _, st := range cdkassert.Statements(k.Properties["KeyPolicy"]) {
			if st["Sid"] == "AllowCloudWatchLogsForTheLoggingConfigurationFunction" {
				found = true
				if c := cdkassert.JSON(st["Condition"]); !strings.Contains(c, `log-group:/aws/lambda/bedrockgov-logging-config-`) || !strings.Contains(cdkassert.JSON(group["KmsKeyId"]), keyIDs[i]) {
					t.Errorf("key grant for the function's logs: %s", c)
				}
			}
		}
	}
	if !found {
		t.Error("no key grant lets CloudWatch Logs encrypt the function's log group")
	}
}

func TestLoggingLeftToTheToolCreatesNoCustomResource(t *testing.T) {
	var tpl *cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		s := stacks.NewMemberStack(app, "M", &stacks.MemberStackProps{
			StackProps:         awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("333333333333"), Region: jsii.String("us-east-1")}},
			LeaveLoggingToTool: true,
		})
		tpl = cdkassert.Synth(t, s.Stack)
	})
	if ids, _ := tpl.OfType(loggingconfig.ResourceType); len(ids) != 0 {
		t.Errorf("loggingOwner tool must leave the configuration alone, found %v", ids)
	}
}
