package stacks_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
	"github.com/bedrockgov/bedrockgov/constructs/spendanomaly"
	"github.com/bedrockgov/bedrockgov/constructs/stacksets"
	"github.com/bedrockgov/bedrockgov/stacks"
)

const mgmt = "999999999999"

func orgStack(t *testing.T, props *stacks.OrgStackProps) *cdkassert.Template {
	t.Helper()
	var tpl *cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		props.StackProps = awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(mgmt), Region: jsii.String("us-east-1")}}
		s := stacks.NewOrgStack(app, "BedrockOrg", props)
		tpl = cdkassert.Synth(t, s.Stack)
	})
	return tpl
}

// TestSpendAnomalyAlertsTheCriticalTopic checks the monitor, the threshold expression and,
// by simulation, that Cost Anomaly Detection (and only it, from this account) can publish to
// the encrypted topic.
func TestSpendAnomalyAlertsTheCriticalTopic(t *testing.T) {
	tpl := orgStack(t, &stacks.OrgStackProps{SpendAnomaly: &spendanomaly.SpendAnomalyProps{
		ImpactPercentage: jsii.Number(50), MinimumImpactDollars: jsii.Number(100), Emails: []string{"finops@example.com"},
	}})
	_, mon := tpl.One(t, "AWS::CE::AnomalyMonitor")
	if mon.Properties["MonitorType"] != "DIMENSIONAL" || mon.Properties["MonitorDimension"] != "LINKED_ACCOUNT" {
		t.Errorf("monitor: %s", cdkassert.JSON(mon.Properties))
	}
	_, sub := tpl.One(t, "AWS::CE::AnomalySubscription")
	want := `{"And":[{"Dimensions":{"Key":"ANOMALY_TOTAL_IMPACT_PERCENTAGE","MatchOptions":["GREATER_THAN_OR_EQUAL"],"Values":["50"]}},{"Dimensions":{"Key":"ANOMALY_TOTAL_IMPACT_ABSOLUTE","MatchOptions":["GREATER_THAN_OR_EQUAL"],"Values":["100"]}}]}`
	if sub.Properties["Frequency"] != "IMMEDIATE" || sub.Properties["ThresholdExpression"] != want || !strings.Contains(cdkassert.JSON(sub.Properties["Subscribers"]), `"Type":"SNS"`) {
		t.Errorf("subscription: %s", cdkassert.JSON(sub.Properties))
	}
	_, topic := tpl.One(t, "AWS::SNS::Topic")
	if topic.Properties["KmsMasterKeyId"] == nil {
		t.Error("the alert topic must be encrypted")
	}
	_, tp := tpl.One(t, "AWS::SNS::TopicPolicy")
	_, key := tpl.One(t, "AWS::KMS::Key")
	topicArn := "arn:aws:sns:us-east-1:" + mgmt + ":alerts"
	// The template's policies with their references replaced by concrete ARNs.
	doc := replaceRefs(cdkassert.JSON(tp.Properties["PolicyDocument"]), topicArn)
	keyDoc := replaceRefs(cdkassert.JSON(key.Properties["KeyPolicy"]), "")
	iamsim.Simulate(t, []iamsim.Request{
		{Scenario: "Cost Anomaly Detection publishes an alert", Principal: spendanomaly.CostAlertsPrincipal, Action: "sns:Publish", Resource: topicArn,
			Context: map[string]any{"aws:SourceAccount": mgmt, "aws:SecureTransport": "true"}, ResourcePolicy: doc,
			Want: iamsim.Allowed, Why: "the topic policy admits costalerts.amazonaws.com from the management account"},
		{Scenario: "Cost Anomaly Detection on behalf of another account", Principal: spendanomaly.CostAlertsPrincipal, Action: "sns:Publish", Resource: topicArn,
			Context: map[string]any{"aws:SourceAccount": "123456789012", "aws:SecureTransport": "true"}, ResourcePolicy: doc,
			Want: iamsim.ImplicitlyDenied, Why: "aws:SourceAccount must be the management account (confused deputy)"},
		{Scenario: "another service publishes", Principal: "events.amazonaws.com", Action: "sns:Publish", Resource: topicArn,
			Context: map[string]any{"aws:SourceAccount": mgmt, "aws:SecureTransport": "true"}, ResourcePolicy: doc,
			Want: iamsim.ImplicitlyDenied, Why: "only Cost Anomaly Detection is admitted"},
		{Scenario: "Cost Anomaly Detection encrypts for the topic", Principal: spendanomaly.CostAlertsPrincipal, Action: "kms:GenerateDataKey",
			Resource: "arn:aws:kms:us-east-1:" + mgmt + ":key/1234abcd-12ab-34cd-56ef-1234567890ab", ResourcePolicy: keyDoc,
			Want: iamsim.Allowed, Why: "the key policy lets the publisher encrypt messages for the encrypted topic"},
	})
}

// replaceRefs turns CloudFormation references in a policy into concrete values for simulation:
// Ref to the topic becomes arn, Fn::Join of the partition and account becomes the account root.
func replaceRefs(doc, arn string) string {
	r := strings.NewReplacer(
		`{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::`+mgmt+`:root"]]}`, `"arn:aws:iam::`+mgmt+`:root"`,
	)
	doc = r.Replace(doc)
	for {
		i := strings.Index(doc, `{"Ref":"SpendAnomalyTopic`)
		if i < 0 {
			return doc
		}
		j := strings.Index(doc[i:], "}")
		doc = doc[:i] + `"` + arn + `"` + doc[i+j+1:]
	}
}

func TestSpendAnomalyServicesMonitor(t *testing.T) {
	tpl := orgStack(t, &stacks.OrgStackProps{SpendAnomaly: &spendanomaly.SpendAnomalyProps{Kind: spendanomaly.Services}})
	_, mon := tpl.One(t, "AWS::CE::AnomalyMonitor")
	if mon.Properties["MonitorType"] != "CUSTOM" || mon.Properties["MonitorSpecification"] != `{"Dimensions":{"Key":"SERVICE","MatchOptions":["EQUALS"],"Values":["Amazon Bedrock"]}}` {
		t.Errorf("monitor: %s", cdkassert.JSON(mon.Properties))
	}
	_, sub := tpl.One(t, "AWS::CE::AnomalySubscription")
	if sub.Properties["ThresholdExpression"] != `{"Dimensions":{"Key":"ANOMALY_TOTAL_IMPACT_PERCENTAGE","MatchOptions":["GREATER_THAN_OR_EQUAL"],"Values":["50"]}}` {
		t.Errorf("default threshold: %v", sub.Properties["ThresholdExpression"])
	}
}

func TestStackSetRejectsWhatCloudFormationWould(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.template.json")
	_ = os.WriteFile(small, []byte(`{"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}`), 0o644)
	big := filepath.Join(dir, "big.template.json")
	var b strings.Builder
	b.WriteString(`{"Resources":{`)
	for i := 0; i < 501; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"T%d":{"Type":"AWS::SNS::Topic"}`, i)
	}
	b.WriteString("}}")
	_ = os.WriteFile(big, []byte(b.String()), 0o644)
	var many []string
	for i := 0; i < 51; i++ {
		many = append(many, fmt.Sprintf("ou-ab12-%08d", i))
	}
	for _, c := range []struct {
		name  string
		props *stacksets.MemberStackSetProps
		want  string
	}{
		{"missing template", &stacksets.MemberStackSetProps{Profile: "prod", TemplateFile: filepath.Join(dir, "none.json"), OrganizationalUnitIds: []string{"ou-ab12-abcdefgh"}, Regions: []string{"us-east-1"}}, "none.json"},
		{"51 OUs", &stacksets.MemberStackSetProps{Profile: "prod", TemplateFile: small, OrganizationalUnitIds: many, Regions: []string{"us-east-1"}}, "51 organizational units"},
		{"501 resources", &stacksets.MemberStackSetProps{Profile: "prod", TemplateFile: big, OrganizationalUnitIds: []string{"ou-ab12-abcdefgh"}, Regions: []string{"us-east-1"}}, "501 resources"},
	} {
		msg := func() (msg string) {
			defer func() {
				if r := recover(); r != nil {
					msg = fmt.Sprint(r)
				}
			}()
			app := awscdk.NewApp(nil)
			stacksets.NewMemberStackSet(awscdk.NewStack(app, jsii.String("S"), nil), "prod", c.props)
			return ""
		}()
		if !strings.Contains(msg, "stack set prod") || !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q does not name the profile and %q", c.name, msg, c.want)
		}
	}
}
