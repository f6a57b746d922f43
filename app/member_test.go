package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
)

// The StackSet templates hold the member additions except the account-specific VPC endpoints,
// and their budget is created only in the profile's first region.
func TestStackSetTemplatesCarryTheAdditionsButNoAccountSpecificEndpoints(t *testing.T) {
	cfg := config.Example()
	out, _ := synthOrg(t, cfg)
	if cfg.StackSets == nil || len(cfg.StackSets.Profiles) == 0 {
		t.Fatal("the example has no StackSet profiles")
	}
	for _, pr := range cfg.StackSets.Profiles {
		e := cfg.Environment(pr.Environment)
		tpl, _ := readTemplate(t, filepath.Join(out, StackSetTemplateDir, StackSetTemplateName(pr.Environment)))
		if eps := tpl.ofType("AWS::EC2::VPCEndpoint"); len(eps) != 0 {
			t.Errorf("%s: the StackSet template creates VPC endpoints %v in every account of its OUs; a VPC ID belongs to one account", pr.Environment, keys(eps))
		}
		if e.Guardrail != nil && len(tpl.ofType("AWS::Bedrock::Guardrail")) != 1 {
			t.Errorf("%s: StackSet template lacks the guardrail", pr.Environment)
		}
		if e.ComplianceRulesEnabled() && len(tpl.ofType("AWS::Config::ConfigRule")) == 0 {
			t.Errorf("%s: StackSet template lacks the compliance rules", pr.Environment)
		}
		budgets := tpl.ofType("AWS::Budgets::Budget")
		if e.Budget == nil {
			continue
		}
		if len(budgets) != 1 {
			t.Fatalf("%s: want one budget, got %d", pr.Environment, len(budgets))
		}
		raw := readJSON(t, filepath.Join(out, StackSetTemplateDir, StackSetTemplateName(pr.Environment)))
		for id := range budgets {
			cond := raw["Resources"].(map[string]any)[id].(map[string]any)["Condition"].(string)
			got := cdkassert.JSON(raw["Conditions"].(map[string]any)[cond])
			want := `{"Fn::Equals":[{"Ref":"AWS::Region"},"` + pr.RegionsOf(e)[0] + `"]}`
			if got != want {
				t.Errorf("%s: budget condition %s, want %s (the profile's first region)", pr.Environment, got, want)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The configuration reaches the member stack's additions as written: the budget's scope and
// home region, the guardrail's name and policies, endpoints only in the VPC's region.
func TestMemberAdditionsFollowTheConfiguration(t *testing.T) {
	cfg := config.Example()
	prod := *cfg.Environment("prod")
	home, other := prod.Regions[0], prod.Regions[1]
	a := memberAdditions(cfg, prod, home)
	if a.Budget == nil || !a.Budget.AllServices || a.Budget.Services != nil || *a.Budget.HomeRegion != home ||
		a.Budget.MonthlyLimitUSD != prod.Budget.MonthlyLimitUSD || *a.Budget.BudgetName != "bedrockgov-prod-bedrock-monthly" {
		t.Errorf("prod budget (scope account) = %+v", a.Budget)
	}
	if a.Guardrail == nil || *a.Guardrail.Name != "bedrockgov-prod" || len(a.Guardrail.PIIEntities) != len(prod.Guardrail.PIIEntities) ||
		a.Guardrail.Enforce == nil || *a.Guardrail.Enforce.Messages != "COMPREHENSIVE" || a.Guardrail.InterventionsPer5Min != prod.Guardrail.InterventionThreshold() {
		t.Errorf("prod guardrail = %+v", a.Guardrail)
	}
	if a.Endpoints == nil || a.Endpoints.OrganizationID != cfg.Organization.ID || a.Endpoints.VpcID != prod.VPCEndpoints.VpcID || *a.Endpoints.Region != home {
		t.Errorf("prod endpoints in %s = %+v", home, a.Endpoints)
	}
	if a.Compliance == nil {
		t.Error("compliance rules default on")
	}
	if b := memberAdditions(cfg, prod, other); b.Endpoints != nil || *b.Budget.HomeRegion != home {
		t.Errorf("%s: endpoints %v (want none: the VPC is in %s), budget home %s", other, b.Endpoints, home, *b.Budget.HomeRegion)
	}
	staging := *cfg.Environment("staging")
	s := memberAdditions(cfg, staging, staging.Regions[0])
	if s.Budget.AllServices || strings.Join(s.Budget.Services, "|") != "Amazon Bedrock|Claude 3.5 Haiku (Amazon Bedrock Edition)" {
		t.Errorf("staging budget services = %v (all %v)", s.Budget.Services, s.Budget.AllServices)
	}
	off := false
	staging.ComplianceRules = &off
	staging.Guardrail, staging.Budget = nil, nil
	if n := memberAdditions(cfg, staging, staging.Regions[0]); n.Compliance != nil || n.Guardrail != nil || n.Budget != nil || n.Endpoints != nil {
		t.Errorf("absent sections must create nothing: %+v", n)
	}
}
