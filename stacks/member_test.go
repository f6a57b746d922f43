package stacks_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/stacks"
	"github.com/bedrockgov/bedrockgov/tools/logging/ssmparams"
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
	roleID, _ := tpl.One(t, "AWS::IAM::Role")
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
	for id, r := range tpl.Resources {
		if strings.HasPrefix(r.Type, "Custom::") || r.Type == "AWS::Lambda::Function" || r.Type == "AWS::CloudFormation::CustomResource" {
			t.Errorf("%s is a %s: the baseline must deploy without assets or custom resources", id, r.Type)
		}
	}
	if *s.TerminationProtection() {
		t.Error("termination protection on although not requested")
	}
	if errs := cdkassert.NagErrors(t, s.Stack); len(errs) != 0 {
		t.Errorf("unsuppressed cdk-nag findings:\n%s", strings.Join(errs, "\n"))
	}
}
