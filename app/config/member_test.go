package config

import (
	"strings"
	"testing"
)

func TestMemberAdditionsBadValuesNamedAllAtOnce(t *testing.T) {
	data := mutate(t, func(e []any) {
		dev := env(e, 0)
		dev["guardrail"] = map[string]any{
			"contentFilters": map[string]any{"SEXUAL": "EXTREME", "GORE": "HIGH", "PROMPT_ATTACK": "HIGH"},
			"promptAttack":   "MAX",
			"piiEntities":    map[string]any{"SSN": "BLOCK", "EMAIL": "MASK"},
			"deniedTopics": []any{
				map[string]any{"name": "Bad/name", "definition": ""},
				map[string]any{"name": "Legal", "definition": "legal advice", "examples": []any{"a", "b", "c", "d", "e", "f"}},
			},
			"interventionsPer5Min": -1,
			"enforce":              map[string]any{"messages": "ALL", "includedModels": []any{"not a model"}},
		}
		dev["budget"] = map[string]any{"monthlyLimitUsd": 0, "scope": "org", "services": []any{"", "x", "x"}}
		dev["vpcEndpoints"] = map[string]any{
			"vpcId": "vpc-xyz", "subnetIds": []any{"subnet-12", "subnet-0123456789abcdef0", "subnet-0123456789abcdef0"},
			"securityGroupIds": []any{}, "services": []any{"bedrock-agent"}, "region": "eu-west-1",
		}
		env(e, 1)["budget"] = map[string]any{"monthlyLimitUsd": 10, "scope": "account", "services": []any{"Amazon Bedrock"}}
		env(e, 2)["guardrail"] = map[string]any{"promptAttack": "NONE"}
	})
	_, err := Parse(data)
	if err == nil {
		t.Fatal("bad member additions accepted")
	}
	for _, want := range []string{
		`environments[0] (dev).guardrail.contentFilters.SEXUAL: "EXTREME" is not a filter strength`,
		`environments[0] (dev).guardrail.contentFilters: "GORE" is not a content-filter category`,
		`environments[0] (dev).guardrail.contentFilters.PROMPT_ATTACK: set the prompt-attack filter with`,
		`environments[0] (dev).guardrail.promptAttack: "MAX" is not a filter strength`,
		`environments[0] (dev).guardrail.piiEntities: "SSN" is not a PII entity type`,
		`environments[0] (dev).guardrail.piiEntities.EMAIL: "MASK" is not an action; use BLOCK or ANONYMIZE`,
		`environments[0] (dev).guardrail.deniedTopics[0].name: "Bad/name"`,
		`environments[0] (dev).guardrail.deniedTopics[0].definition: must be 1-200 characters (has 0)`,
		`environments[0] (dev).guardrail.deniedTopics[1].examples: 6 examples; at most 5`,
		`environments[0] (dev).guardrail.interventionsPer5Min: -1 must be greater than zero`,
		`environments[0] (dev).guardrail.enforce.messages: "ALL" is not a guarding mode`,
		`environments[0] (dev).guardrail.enforce.includedModels[0]: "not a model"`,
		`environments[0] (dev).budget.monthlyLimitUsd: 0 must be a dollar amount greater than zero`,
		`environments[0] (dev).budget.scope: "org" must be "bedrock"`,
		`environments[0] (dev).budget.services[0]: "" must be a Cost Explorer service name`,
		`environments[0] (dev).budget.services[2]: "x" is listed twice`,
		`environments[0] (dev).vpcEndpoints.vpcId: "vpc-xyz" is not a VPC ID`,
		`environments[0] (dev).vpcEndpoints.subnetIds[0]: "subnet-12" is not a subnet ID`,
		`environments[0] (dev).vpcEndpoints.subnetIds[2]: "subnet-0123456789abcdef0" is listed twice`,
		`environments[0] (dev).vpcEndpoints.securityGroupIds: missing`,
		`environments[0] (dev).vpcEndpoints.services[0]: "bedrock-agent" is not a supported endpoint`,
		`environments[0] (dev).vpcEndpoints.region: "eu-west-1" is not one of the environment's regions`,
		`environments[1] (staging).budget.services: only used with scope "bedrock"`,
		`environments[2] (prod).guardrail: the guardrail has no policy`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q\ngot:\n%v", want, err)
		}
	}
}

func TestVPCEndpointsNeedTheOrganizationID(t *testing.T) {
	c := Example()
	c.Organization.ID = ""
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), `environments[2] (prod).vpcEndpoints: the endpoint policy admits only principals of the organization; set organization.id`) {
		t.Fatalf("want the missing organization id named, got %v", err)
	}
}

func TestMemberDefaults(t *testing.T) {
	g := Guardrail{}
	if g.PromptAttackStrength() != "HIGH" || g.InterventionThreshold() != 10 {
		t.Errorf("guardrail defaults: prompt attack %q, threshold %v", g.PromptAttackStrength(), g.InterventionThreshold())
	}
	if got := (Budget{Services: []string{"Claude 3.5 Haiku (Amazon Bedrock Edition)", "Amazon Bedrock"}}).BudgetServices(); strings.Join(got, "|") != "Amazon Bedrock|Claude 3.5 Haiku (Amazon Bedrock Edition)" {
		t.Errorf("bedrock scope services = %v", got)
	}
	if got := (Budget{Scope: BudgetScopeAccount}).BudgetServices(); got != nil {
		t.Errorf("account scope must not filter, got %v", got)
	}
	v := VPCEndpoints{}
	if strings.Join(v.EndpointServiceList(), ",") != "bedrock-runtime,bedrock" {
		t.Errorf("endpoint services default = %v", v.EndpointServiceList())
	}
	if v.EndpointRegion(Environment{Regions: []string{"eu-central-1", "eu-west-1"}}) != "eu-central-1" {
		t.Error("endpoints default to the first region")
	}
	ex := Example()
	for _, e := range ex.Environments {
		if e.Guardrail == nil || e.Budget == nil {
			t.Errorf("example environment %s lacks a guardrail or budget", e.Name)
		}
	}
}

func TestComplianceRulesDefaultOn(t *testing.T) {
	off := false
	if !(Environment{}).ComplianceRulesEnabled() || (Environment{ComplianceRules: &off}).ComplianceRulesEnabled() {
		t.Error("compliance rules must default on and honour false")
	}
}
