package config

import (
	"strings"
	"testing"
)

// mutateTree returns the example as a generic JSON tree changed by f, re-encoded.

func TestExampleHasOrganizationSections(t *testing.T) {
	c := Example()
	if c.Policies == nil || c.StackSets == nil || c.Policies.OrganizationGuardrail == nil || c.Policies.SpendAnomaly == nil {
		t.Fatal("the example must fill policies (guardrail, spend anomaly) and stackSets so make synth shows BedrockOrg")
	}
	if !c.Policies.Logging() || !c.Policies.DenyKeys() || c.Policies.SCPSlots() != 2 {
		t.Errorf("defaults: logging %v, deny keys %v, slots %d", c.Policies.Logging(), c.Policies.DenyKeys(), c.Policies.SCPSlots())
	}
	if got := c.StackSets.Profiles[0].RegionsOf(c.Environment("dev")); strings.Join(got, ",") != "us-east-1" {
		t.Errorf("dev StackSet regions %v", got)
	}
	if got := (StackSetProfile{}).RegionsOf(c.Environment("prod")); strings.Join(got, ",") != "us-east-1,us-west-2" {
		t.Errorf("regions default to the environment's: %v", got)
	}
}

// TestOrganizationSectionsNameEveryBadValue breaks each key of policies and stackSets once and
// checks one error reports them all, each with its key path and value.
func TestOrganizationSectionsNameEveryBadValue(t *testing.T) {
	data := mutateTree(t, func(tree map[string]any) {
		p := tree["policies"].(map[string]any)
		p["targets"] = []any{"r-exam", "ou-bad", "r-exam"}
		p["breakGlassRoles"] = []any{"Break Glass"}
		p["logBucketPatterns"] = []any{"Logs_Bucket"}
		p["approvedModels"] = []any{"us.anthropic.claude-sonnet-4", "Claude Sonnet"}
		p["approvedRegions"] = []any{"moon-1"}
		p["approvedModelArns"] = []any{"provisioned-model/x"}
		p["crossRegionProfiles"] = []any{"mars"}
		p["maxScps"] = 5
		g := p["organizationGuardrail"].(map[string]any)
		g["regions"] = []any{"us-east-1", "us-east-1"}
		g["identifiers"] = map[string]any{
			"us-east-1": "arn:aws:bedrock:us-east-1:999999999999:guardrail/abc123:DRAFT",
			"eu-west-1": "arn:aws:bedrock:eu-west-1:999999999999:guardrail/abc123:1",
		}
		g["contentFilterStrength"] = "EXTREME"
		g["messages"] = "everything"
		s := p["spendAnomaly"].(map[string]any)
		s["impactPercentage"] = 0
		s["alertEmails"] = []any{"not-an-email"}
		ss := tree["stackSets"].(map[string]any)
		ss["callAs"] = "ADMIN"
		profiles := ss["profiles"].([]any)
		profiles[0].(map[string]any)["environment"] = "qa"
		profiles[1].(map[string]any)["organizationalUnits"] = []any{"ou-exam-devaccts", "root"}
		profiles[1].(map[string]any)["maxConcurrentPercentage"] = 0
		profiles[1].(map[string]any)["regionConcurrency"] = "ALL"
	})
	_, err := Parse(data)
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{
		`policies.targets[1]: "ou-bad"`,
		`policies.targets[2]: "r-exam" is listed twice`,
		`policies.breakGlassRoles[0]: "Break Glass"`,
		`policies.logBucketPatterns[0]: "Logs_Bucket"`,
		`policies.approvedModels[0]: "us.anthropic.claude-sonnet-4" starts with the profile prefix "us."`,
		`policies.approvedModels[1]: "Claude Sonnet"`,
		`policies.approvedRegions[0]: "moon-1"`,
		`policies.approvedModelArns[0]: "provisioned-model/x"`,
		`policies.crossRegionProfiles[0]: "mars"`,
		`policies.maxScps: 5`,
		`policies.organizationGuardrail.regions[1]: "us-east-1" is listed twice`,
		`policies.organizationGuardrail.identifiers.us-east-1: "arn:aws:bedrock:us-east-1:999999999999:guardrail/abc123:DRAFT" is not a numbered guardrail version`,
		`policies.organizationGuardrail.identifiers: region "eu-west-1" is not in regions`,
		`policies.organizationGuardrail.contentFilterStrength: "EXTREME"`,
		`policies.organizationGuardrail.messages: "everything"`,
		`policies.spendAnomaly.impactPercentage: 0`,
		`policies.spendAnomaly.alertEmails[0]: "not-an-email"`,
		`stackSets.callAs: "ADMIN"`,
		`stackSets.profiles[0].environment: "qa" is not an environment`,
		`stackSets.profiles[1].organizationalUnits[0]: "ou-exam-devaccts" is already targeted by profile "qa"`,
		`stackSets.profiles[1].organizationalUnits[1]: "root"`,
		`stackSets.profiles[1].maxConcurrentPercentage: 0`,
		`stackSets.profiles[1].regionConcurrency: "ALL"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not report %s", want)
		}
	}
	if t.Failed() {
		t.Log(err)
	}
}

func TestGuardrailIdentifierOwnerAndRegion(t *testing.T) {
	data := mutateTree(t, func(tree map[string]any) {
		g := tree["policies"].(map[string]any)["organizationGuardrail"].(map[string]any)
		g["identifiers"] = map[string]any{
			"us-east-1": "arn:aws:bedrock:us-east-1:111111111111:guardrail/abc123:2",
			"us-west-2": "arn:aws:bedrock:us-east-1:999999999999:guardrail/abc123:2",
		}
	})
	_, err := Parse(data)
	for _, want := range []string{"belongs to account 111111111111", "is in region us-east-1"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	ok := mutateTree(t, func(tree map[string]any) {
		g := tree["policies"].(map[string]any)["organizationGuardrail"].(map[string]any)
		g["identifiers"] = map[string]any{"us-east-1": "arn:aws:bedrock:us-east-1:999999999999:guardrail/abc123:2"}
	})
	if _, err := Parse(ok); err != nil {
		t.Errorf("a numbered version owned by the management account is valid: %v", err)
	}
}

func TestOrganizationSectionsNeedTheManagementAccount(t *testing.T) {
	data := mutateTree(t, func(tree map[string]any) {
		o := tree["organization"].(map[string]any)
		delete(o, "managementAccount")
		delete(o, "id")
	})
	_, err := Parse(data)
	for _, want := range []string{"policies: organization.managementAccount is required", "stackSets: organization.managementAccount is required", "organization.id is required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

func TestDeployedRegionsMustBeApproved(t *testing.T) {
	data := mutateTree(t, func(tree map[string]any) {
		tree["policies"].(map[string]any)["approvedRegions"] = []any{"us-east-1"}
		tree["policies"].(map[string]any)["organizationGuardrail"].(map[string]any)["regions"] = []any{"us-east-1"}
	})
	_, err := Parse(data)
	for _, want := range []string{`environment "prod" deploys to "us-west-2", which is not approved`, `stackSets.profiles[1]: region "us-west-2" is not in policies.approvedRegions`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

func TestDelegatedAdministrator(t *testing.T) {
	bad := mutateTree(t, func(tree map[string]any) {
		tree["stackSets"].(map[string]any)["callAs"] = "DELEGATED_ADMIN"
	})
	if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "stackSets.delegatedAdminAccount: \"\" must be the 12-digit delegated administrator account") {
		t.Errorf("missing delegated administrator: %v", err)
	}
	good := mutateTree(t, func(tree map[string]any) {
		tree["stackSets"].(map[string]any)["callAs"] = "DELEGATED_ADMIN"
		tree["stackSets"].(map[string]any)["delegatedAdminAccount"] = "555555555555"
	})
	if _, err := Parse(good); err != nil {
		t.Errorf("delegated administrator: %v", err)
	}
}

func TestMonitoredModelsMustBeAllowedByTheSCPs(t *testing.T) {
	for name, tc := range map[string]struct {
		f    func(tree map[string]any)
		want string
	}{
		"model not approved": {func(tr map[string]any) {
			tr["environments"].([]any)[2].(map[string]any)["monitoredModels"] = []any{"us.meta.llama3-3-70b-instruct-v1:0"}
		}, `environments (prod).monitoredModels[0]: "us.meta.llama3-3-70b-instruct-v1:0" is not in policies.approvedModels, so the SCPs deny it`},
		"profile geography not allowed": {func(tr map[string]any) {
			tr["policies"].(map[string]any)["crossRegionProfiles"] = []any{"us"}
		}, `environments (prod).monitoredModels[2]: "global.anthropic.claude-sonnet-4-5-20250929-v1:0" is a "global" inference profile, which policies.crossRegionProfiles does not allow`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(mutateTree(t, tc.f))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want %q, got %v", tc.want, err)
			}
		})
	}
}
