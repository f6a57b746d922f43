package main

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/budget"
	"github.com/bedrockgov/bedrockgov/constructs/compliance"
	"github.com/bedrockgov/bedrockgov/constructs/endpoints"
	"github.com/bedrockgov/bedrockgov/constructs/guardrail"
	"github.com/bedrockgov/bedrockgov/stacks"
	"github.com/bedrockgov/bedrockgov/tools/naming"
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
	if g := e.Guardrail; g != nil {
		gs := &stacks.GuardrailSettings{
			GuardrailProps: guardrail.GuardrailProps{
				Name:                 jsii.String(naming.GuardrailName(e.Name)),
				ContentFilters:       g.ContentFilters,
				PromptAttackStrength: jsii.String(g.PromptAttackStrength()),
				PIIEntities:          g.PIIEntities,
				ProfanityFilter:      g.ProfanityFilter,
				BlockedInputMessage:  jsii.String(orDefault(g.BlockedInputMessage, config.DefaultBlockedInputMessage)),
				BlockedOutputMessage: jsii.String(orDefault(g.BlockedOutputMessage, config.DefaultBlockedOutputMessage)),
			},
			InterventionsPer5Min: g.InterventionThreshold(),
		}
		for _, t := range g.DeniedTopics {
			gs.DeniedTopics = append(gs.DeniedTopics, guardrail.DeniedTopic{Name: t.Name, Definition: t.Definition, Examples: t.Examples})
		}
		if en := g.Enforce; en != nil {
			gs.Enforce = &guardrail.Enforcement{IncludedModels: en.IncludedModels, ExcludedModels: en.ExcludedModels}
			if en.Messages != "" {
				gs.Enforce.Messages = jsii.String(en.Messages)
			}
			if en.System != "" {
				gs.Enforce.System = jsii.String(en.System)
			}
		}
		a.Guardrail = gs
	}
	if e.ComplianceRulesEnabled() {
		a.Compliance = &compliance.ComplianceProps{
			Expected:     compliance.Expected{},
			LogRetention: retention[e.LogRetentionDays],
		}
	}
	if v := e.VPCEndpoints; v != nil && region == v.EndpointRegion(e) {
		a.Endpoints = &endpoints.EndpointsProps{
			VpcID: v.VpcID, SubnetIDs: v.SubnetIDs, SecurityGroupIDs: v.SecurityGroupIDs,
			OrganizationID: cfg.Organization.ID, Services: v.EndpointServiceList(), Region: jsii.String(region),
		}
	}
	return a
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
