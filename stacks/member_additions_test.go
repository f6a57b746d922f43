package stacks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/budget"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/stacks"
)

const homeRegion = "us-east-1"

func fullAdditions() *stacks.MemberAdditions {
	return &stacks.MemberAdditions{
		Budget: &budget.BudgetProps{MonthlyLimitUSD: 1500, HomeRegion: jsii.String(homeRegion), BudgetName: jsii.String("bedrockgov-prod-bedrock-monthly")},
	}
}

// memberWith synthesizes member stacks of one app: one per region given ("" = environment-agnostic).
func memberWith(t *testing.T, a func() *stacks.MemberAdditions, regions ...string) ([]*stacks.MemberStack, []*cdkassert.Template) {
	t.Helper()
	var ss []*stacks.MemberStack
	var tpls []*cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		for _, r := range regions {
			sp := awscdk.StackProps{}
			name := "BedrockMember-prod-agnostic"
			if r != "" {
				sp.Env = &awscdk.Environment{Account: jsii.String("333333333333"), Region: jsii.String(r)}
				name = "BedrockMember-prod-" + r
			}
			ss = append(ss, stacks.NewMemberStack(app, name, &stacks.MemberStackProps{
				StackProps:      sp,
				EnvironmentName: "prod",
				Logging:         &invocationlogging.InvocationLoggingProps{KeyPrefix: jsii.String("org-logs")},
				Monitoring:      &monitoring.MonitoringProps{AlarmNamePrefix: jsii.String("Bedrock-prod-" + r), MonitoredModels: []string{"amazon.nova-micro-v1:0"}, AlertEmails: map[monitoring.Severity][]string{monitoring.Critical: {"a@example.com"}}},
				Tags:            tags,
				Additions:       a(),
			}))
		}
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
		for _, s := range ss {
			tpls = append(tpls, cdkassert.Synth(t, s.Stack))
		}
	})
	return ss, tpls
}

// evalCondition evaluates a CloudFormation condition expression the way CloudFormation does
// for the intrinsic functions the templates use (Fn::Equals, Fn::And, Fn::Or, Fn::Not,
// Condition, Ref to AWS::Region).
func evalCondition(t *testing.T, tpl *cdkassert.Template, expr any, region string) bool {
	t.Helper()
	value := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			if m["Ref"] == "AWS::Region" {
				return region
			}
			t.Fatalf("unsupported value in condition: %v", cdkassert.JSON(v))
		}
		return fmt.Sprint(v)
	}
	m, ok := expr.(map[string]any)
	if !ok {
		t.Fatalf("condition is not an object: %v", expr)
	}
	switch {
	case m["Fn::Equals"] != nil:
		args := m["Fn::Equals"].([]any)
		return value(args[0]) == value(args[1])
	case m["Fn::Not"] != nil:
		return !evalCondition(t, tpl, m["Fn::Not"].([]any)[0], region)
	case m["Fn::And"] != nil:
		for _, c := range m["Fn::And"].([]any) {
			if !evalCondition(t, tpl, c, region) {
				return false
			}
		}
		return true
	case m["Fn::Or"] != nil:
		for _, c := range m["Fn::Or"].([]any) {
			if evalCondition(t, tpl, c, region) {
				return true
			}
		}
		return false
	case m["Condition"] != nil:
		return evalCondition(t, tpl, tpl.Raw["Conditions"].(map[string]any)[m["Condition"].(string)], region)
	}
	t.Fatalf("unsupported condition %v", cdkassert.JSON(expr))
	return false
}

// created reports whether CloudFormation would create the resource in the region.
func created(t *testing.T, tpl *cdkassert.Template, logicalID, region string) bool {
	t.Helper()
	raw := tpl.Raw["Resources"].(map[string]any)[logicalID].(map[string]any)
	cond, ok := raw["Condition"].(string)
	if !ok {
		return true
	}
	return evalCondition(t, tpl, tpl.Raw["Conditions"].(map[string]any)[cond], region)
}

func TestBudgetIsCreatedOncePerAccountInTheHomeRegionOnly(t *testing.T) {
	// The same account in its home region, a second region, and the environment-agnostic
	// template a StackSet deploys to every region.
	_, tpls := memberWith(t, fullAdditions, homeRegion, "us-west-2", "")
	deployments := []struct {
		tpl    *cdkassert.Template
		region string
	}{{tpls[0], homeRegion}, {tpls[1], "us-west-2"}, {tpls[2], homeRegion}, {tpls[2], "eu-west-1"}, {tpls[2], "us-west-2"}}
	var budgets []string
	for _, d := range deployments {
		id, _ := d.tpl.One(t, "AWS::Budgets::Budget")
		if created(t, d.tpl, id, d.region) {
			budgets = append(budgets, d.region)
		}
		out, ok := d.tpl.Outputs[stacks.OutputBudgetName]
		if !ok || out["Condition"] == nil {
			t.Errorf("budget output must exist and carry the same condition: %v", out)
		}
	}
	// One per account: the explicit home-region stack, and the StackSet instance in the home region.
	if strings.Join(budgets, ",") != homeRegion+","+homeRegion {
		t.Errorf("budget created in %v; want only the home region %s (once per deployment method)", budgets, homeRegion)
	}
}

func TestBudgetAlertsThroughSeverityTopicsAndCountsBedrock(t *testing.T) {
	_, tpls := memberWith(t, fullAdditions, homeRegion)
	tpl := tpls[0]
	_, b := tpl.One(t, "AWS::Budgets::Budget")
	data := b.Properties["Budget"].(map[string]any)
	if data["BudgetType"] != "COST" || data["TimeUnit"] != "MONTHLY" || cdkassert.JSON(data["BudgetLimit"]) != `{"Amount":1500,"Unit":"USD"}` {
		t.Errorf("budget = %s", cdkassert.JSON(data))
	}
	if got := cdkassert.JSON(data["CostFilters"]); got != `{"Service":["Amazon Bedrock"]}` {
		t.Errorf("cost filter = %s", got)
	}
	topics := map[string]string{}
	ids, rs := tpl.OfType("AWS::SNS::Topic")
	for i, r := range rs {
		topics[ids[i]] = r.Properties["DisplayName"].(string)
	}
	var got []string
	for _, n := range b.Properties["NotificationsWithSubscribers"].([]any) {
		nm := n.(map[string]any)
		note := nm["Notification"].(map[string]any)
		subs := nm["Subscribers"].([]any)
		if len(subs) != 1 {
			t.Fatalf("want one subscriber per notification: %v", subs)
		}
		sub := subs[0].(map[string]any)
		ref, _ := sub["Address"].(map[string]any)["Ref"].(string)
		if sub["SubscriptionType"] != "SNS" || topics[ref] == "" {
			t.Fatalf("subscriber is not one of the stack's topics: %v", sub)
		}
		sev := strings.Fields(topics[ref])[1]
		got = append(got, fmt.Sprintf("%v %v%% %v -> %s", note["NotificationType"], note["Threshold"], note["ThresholdType"], sev))
		if note["ComparisonOperator"] != "GREATER_THAN" {
			t.Errorf("operator %v", note["ComparisonOperator"])
		}
	}
	want := "ACTUAL 80% PERCENTAGE -> warning|ACTUAL 100% PERCENTAGE -> critical|FORECASTED 100% PERCENTAGE -> warning"
	if strings.Join(got, "|") != want {
		t.Errorf("notifications:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	// Topic policies of both alert topics and their key admit AWS Budgets for this account only.
	_, policies := tpl.OfType("AWS::SNS::TopicPolicy")
	grants := 0
	for _, p := range policies {
		for _, s := range cdkassert.Statements(p.Properties["PolicyDocument"]) {
			if s["Sid"] != "AllowBudgetsToPublish" {
				continue
			}
			grants++
			if cdkassert.JSON(s["Principal"]) != `{"Service":"budgets.amazonaws.com"}` || s["Action"] != "sns:Publish" ||
				!cdkassert.Contains(cdkassert.JSON(s["Condition"]), `"aws:SourceAccount":"333333333333"`, `"aws:SourceArn":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":budgets::333333333333:*"]]}`) {
				t.Errorf("budgets topic statement = %s", cdkassert.JSON(s))
			}
		}
	}
	if grants != 2 {
		t.Errorf("want the critical and warning topic policies to admit AWS Budgets, found %d statements", grants)
	}
	keyIDs, keys := tpl.OfType("AWS::KMS::Key")
	found := false
	for i, k := range keys {
		for _, s := range cdkassert.Statements(k.Properties["KeyPolicy"]) {
			if s["Sid"] == "AllowBudgetsToPublishToEncryptedTopics" {
				found = true
				if !cdkassert.Contains(cdkassert.JSON(s), `"Service":"budgets.amazonaws.com"`, `"kms:Decrypt"`, `"kms:GenerateDataKey*"`, `"aws:SourceArn":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":budgets::333333333333:*"]]}`) {
					t.Errorf("%s budgets key statement = %s", keyIDs[i], cdkassert.JSON(s))
				}
			}
		}
	}
	if !found {
		t.Error("the topic key's policy does not let AWS Budgets publish to the encrypted topics")
	}
}

func TestMemberAdditionsNagClean(t *testing.T) {
	ss, _ := memberWith(t, fullAdditions, homeRegion, "")
	for _, s := range ss {
		if errs := cdkassert.NagErrors(t, s.Stack); len(errs) != 0 {
			t.Errorf("%s: unsuppressed cdk-nag findings:\n%s", *s.StackName(), strings.Join(errs, "\n"))
		}
	}
}
