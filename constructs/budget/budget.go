// Package budget provides a monthly AWS Budgets cost budget for Amazon Bedrock spend that
// alerts through the monitoring construct's severity topics.
//
// A budget is an account-wide resource, but the member baseline is deployed to several regions
// of each account (by `cdk deploy` per region and by a multi-region StackSet). The budget
// therefore carries a CloudFormation condition, `AWS::Region` equal to the home region, so that
// exactly one stack instance per account creates it — whichever way the template is deployed,
// including as an environment-agnostic StackSet template.
package budget

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbudgets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// BedrockService is the Cost Explorer service name of Bedrock's own charges (models billed
// by AWS, and Bedrock features such as guardrails, knowledge bases, provisioned throughput).
const BedrockService = "Amazon Bedrock"

// ServicePrincipal is the service that publishes budget notifications.
const ServicePrincipal = "budgets.amazonaws.com"

// Notification thresholds, in percent of the monthly limit.
const (
	ActualWarningPercent    = 80
	ActualCriticalPercent   = 100
	ForecastWarningPercent  = 100
	DefaultBudgetNamePrefix = "bedrockgov"
)

// BudgetProps configures Budget.
type BudgetProps struct {
	// MonthlyLimitUSD is the monthly budget in US dollars. Required (greater than zero).
	MonthlyLimitUSD float64
	// HomeRegion is the only region whose stack instance creates the budget. Required for an
	// environment-agnostic stack (a StackSet template); default: the stack's region when it is
	// known at synth time.
	HomeRegion *string
	// BudgetName names the budget (unique in the account). Default: "bedrockgov-bedrock-monthly".
	BudgetName *string
	// Services are the Cost Explorer service names the budget counts. Default: ["Amazon Bedrock"].
	// Ignored when AllServices is true.
	Services []string
	// AllServices counts every charge of the account (no cost filter). Default false.
	AllServices bool
	// CriticalTopic receives the 100%-of-actual alert. Required.
	CriticalTopic awssns.ITopic
	// WarningTopic receives the 80%-of-actual and 100%-of-forecast alerts. Required.
	WarningTopic awssns.ITopic
	// TopicKey is the KMS key encrypting the topics; its policy gets a statement letting AWS
	// Budgets use it for this account's budgets. Default: none (unencrypted topics, or a key
	// whose policy the caller manages).
	TopicKey awskms.IKey
}

// Budget is the monthly Bedrock cost budget.
type Budget interface {
	constructs.IConstruct
	// Resource is the CloudFormation budget.
	Resource() awsbudgets.CfnBudget
	// Condition is the home-region condition on the budget.
	Condition() awscdk.CfnCondition
	// Name is the budget's name.
	Name() string
}

type budget struct {
	constructs.Construct
	res  awsbudgets.CfnBudget
	cond awscdk.CfnCondition
	name string
}

func (b *budget) Resource() awsbudgets.CfnBudget { return b.res }
func (b *budget) Condition() awscdk.CfnCondition { return b.cond }
func (b *budget) Name() string                   { return b.name }

// NewBudget creates the budget (in the home region only) and lets AWS Budgets publish to the
// topics (and use their key) for this account's budgets.
func NewBudget(scope constructs.Construct, id string, props *BudgetProps) Budget {
	if props == nil {
		props = &BudgetProps{}
	}
	if props.MonthlyLimitUSD <= 0 {
		panic(fmt.Sprintf("budget: MonthlyLimitUSD must be greater than zero, got %v", props.MonthlyLimitUSD))
	}
	if props.CriticalTopic == nil || props.WarningTopic == nil {
		panic("budget: CriticalTopic and WarningTopic are required")
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	home := ""
	if props.HomeRegion != nil {
		home = *props.HomeRegion
	} else if r := *stack.Region(); !*awscdk.Token_IsUnresolved(jsii.String(r)) {
		home = r
	}
	if home == "" {
		panic("budget: HomeRegion is required when the stack's region is not known at synth time (an environment-agnostic template)")
	}
	name := DefaultBudgetNamePrefix + "-bedrock-monthly"
	if props.BudgetName != nil {
		name = *props.BudgetName
	}

	cond := awscdk.NewCfnCondition(c, jsii.String("InHomeRegion"), &awscdk.CfnConditionProps{
		Expression: awscdk.Fn_ConditionEquals(awscdk.Aws_REGION(), jsii.String(home)),
	})

	// AWS Budgets publishes with its own service identity; the AWS Cost Management guide scopes
	// it with aws:SourceAccount and aws:SourceArn arn:<partition>:budgets::<account>:*.
	conditions := &map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": *stack.Account()},
		"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:budgets::%s:*", *stack.Partition(), *stack.Account())},
	}
	principal := awsiam.NewServicePrincipal(jsii.String(ServicePrincipal), nil)
	for _, t := range []awssns.ITopic{props.CriticalTopic, props.WarningTopic} {
		t.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowBudgetsToPublish"),
			Principals: &[]awsiam.IPrincipal{principal},
			Actions:    jsii.Strings("sns:Publish"),
			Resources:  jsii.Strings(*t.TopicArn()),
			Conditions: conditions,
		}))
	}
	if props.TopicKey != nil {
		props.TopicKey.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowBudgetsToPublishToEncryptedTopics"),
			Principals: &[]awsiam.IPrincipal{principal},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
			Conditions: conditions,
		}), jsii.Bool(false))
	}

	var costFilters any
	if !props.AllServices {
		services := props.Services
		if len(services) == 0 {
			services = []string{BedrockService}
		}
		costFilters = map[string]any{"Service": services}
	}
	subscriber := func(t awssns.ITopic) *[]any {
		return &[]any{&awsbudgets.CfnBudget_SubscriberProperty{SubscriptionType: jsii.String("SNS"), Address: t.TopicArn()}}
	}
	notification := func(kind string, pct float64, t awssns.ITopic) *awsbudgets.CfnBudget_NotificationWithSubscribersProperty {
		return &awsbudgets.CfnBudget_NotificationWithSubscribersProperty{
			Notification: &awsbudgets.CfnBudget_NotificationProperty{
				NotificationType:   jsii.String(kind),
				ComparisonOperator: jsii.String("GREATER_THAN"),
				Threshold:          jsii.Number(pct),
				ThresholdType:      jsii.String("PERCENTAGE"),
			},
			Subscribers: subscriber(t),
		}
	}
	res := awsbudgets.NewCfnBudget(c, jsii.String("Budget"), &awsbudgets.CfnBudgetProps{
		Budget: &awsbudgets.CfnBudget_BudgetDataProperty{
			BudgetName:  jsii.String(name),
			BudgetType:  jsii.String("COST"),
			TimeUnit:    jsii.String("MONTHLY"),
			BudgetLimit: &awsbudgets.CfnBudget_SpendProperty{Amount: jsii.Number(props.MonthlyLimitUSD), Unit: jsii.String("USD")},
			CostFilters: costFilters,
			// Gross spend: credits and refunds would hide usage until they run out.
			CostTypes: &awsbudgets.CfnBudget_CostTypesProperty{
				IncludeCredit: jsii.Bool(false), IncludeRefund: jsii.Bool(false),
				IncludeTax: jsii.Bool(true), IncludeSupport: jsii.Bool(true), IncludeSubscription: jsii.Bool(true),
				IncludeRecurring: jsii.Bool(true), IncludeOtherSubscription: jsii.Bool(true),
				IncludeUpfront: jsii.Bool(true), IncludeDiscount: jsii.Bool(true), UseBlended: jsii.Bool(false),
			},
		},
		NotificationsWithSubscribers: &[]any{
			notification("ACTUAL", ActualWarningPercent, props.WarningTopic),
			notification("ACTUAL", ActualCriticalPercent, props.CriticalTopic),
			notification("FORECASTED", ForecastWarningPercent, props.WarningTopic),
		},
	})
	res.CfnOptions().SetCondition(cond)
	return &budget{Construct: c, res: res, cond: cond, name: name}
}
