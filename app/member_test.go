package main

import (
	"path/filepath"
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
