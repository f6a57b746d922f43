package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/budget"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
)

// MemberAdditions are the optional member-account capabilities beyond logging and monitoring.
// A nil field creates nothing.
type MemberAdditions struct {
	// Budget is the monthly cost budget, created in its home region only. Its topics and key
	// default to the monitoring construct's critical and warning topics and their key.
	Budget *budget.BudgetProps
}

// MemberAdditionsResult holds the constructs MemberAdditions created (nil when not configured).
type MemberAdditionsResult struct {
	Budget budget.Budget
}

// Construct IDs of the additions (a public contract: renaming one replaces its resources).
const (
	BudgetID = "Budget"
)

func addMemberAdditions(stack awscdk.Stack, a *MemberAdditions, _ invocationlogging.InvocationLogging, mon monitoring.Monitoring) *MemberAdditionsResult {
	out := &MemberAdditionsResult{}
	if a == nil {
		return out
	}
	if a.Budget != nil {
		bp := *a.Budget
		if bp.CriticalTopic == nil {
			bp.CriticalTopic = mon.Topic(monitoring.Critical)
		}
		if bp.WarningTopic == nil {
			bp.WarningTopic = mon.Topic(monitoring.Warning)
		}
		if bp.TopicKey == nil {
			bp.TopicKey = mon.Key()
		}
		out.Budget = budget.NewBudget(stack, BudgetID, &bp)
		awscdk.NewCfnOutput(stack, jsii.String(OutputBudgetName), &awscdk.CfnOutputProps{
			Value:       jsii.String(out.Budget.Name()),
			Description: jsii.String("AWS Budgets budget of Bedrock spend (created in the home region only)"),
			Condition:   out.Budget.Condition(),
		})
	}
	return out
}

// Output keys of the additions.
const (
	OutputBudgetName = "BedrockBudgetName"
)
