package main

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/budget"
	"github.com/bedrockgov/bedrockgov/stacks"
)

// BudgetName is the name of an environment's budget (budget names are unique per account).
func BudgetName(env string) string { return fmt.Sprintf("bedrockgov-%s-bedrock-monthly", env) }

// memberAdditions turns an environment's guardrail, budget and endpoint sections into the
// member stack's props for one region.
func memberAdditions(cfg *config.Config, e config.Environment, region string) *stacks.MemberAdditions {
	a := &stacks.MemberAdditions{}
	if b := e.Budget; b != nil {
		services := b.BudgetServices()
		a.Budget = &budget.BudgetProps{
			MonthlyLimitUSD: b.MonthlyLimitUSD,
			// The environment's first region holds the account-wide budget.
			HomeRegion:  jsii.String(e.Regions[0]),
			BudgetName:  jsii.String(BudgetName(e.Name)),
			Services:    services,
			AllServices: services == nil,
		}
	}
	return a
}
