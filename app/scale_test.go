package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/orgpolicies"
	"github.com/bedrockgov/bedrockgov/constructs/stacksets"
)

// Quotas the organization design must stay within (AWS Organizations and CloudFormation
// quota pages; the StackSet figures could not be re-checked offline and are adjustable per
// account in the Service Quotas console — the generated organization stays far below them).
const (
	// Stack instances one StackSet may hold.
	maxInstancesPerStackSet = 100_000
	// StackSets per administrator account and region.
	maxStackSetsPerAdmin = 1_000
	// Bedrock (management) policies directly attached to one root, OU or account.
	maxBedrockPoliciesPerTarget = 10
	// Resources in one CloudFormation template.
	maxResourcesPerTemplate = 500
)

// scaleOrganization is a generated organization: accounts per OU, and the configuration that
// reaches them through StackSets.
type scaleOrganization struct {
	cfg        *config.Config
	accounts   map[string][]string // OU -> accounts
	regions    []string
	ouProfiles map[string]string // OU -> profile
}

// generateScaleOrganization: 1,000 accounts in 50 OUs, 4 regions, 4 environment profiles (the
// OUs split between them), policies attached to every OU, a guardrail in every region.
func generateScaleOrganization(t *testing.T) scaleOrganization {
	t.Helper()
	var tree map[string]any
	if err := json.Unmarshal(config.ExampleJSON, &tree); err != nil {
		t.Fatal(err)
	}
	regions := []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1"}
	profiles := []string{"dev", "staging", "prod", "sandbox"}
	envs := tree["environments"].([]any)
	sandbox := map[string]any{}
	for k, v := range envs[0].(map[string]any) {
		sandbox[k] = v
	}
	sandbox["name"], sandbox["account"] = "sandbox", "555555555555"
	envs = append(envs, sandbox)
	for _, e := range envs {
		e.(map[string]any)["regions"] = regions
	}
	tree["environments"] = envs
	// Logs replicate into the hub archive of their own region: the hub covers all four.
	tree["hub"].(map[string]any)["regions"] = regions

	org := scaleOrganization{accounts: map[string][]string{}, regions: regions, ouProfiles: map[string]string{}}
	var ous []string
	byProfile := map[string][]string{}
	for i := 0; i < 50; i++ {
		ou := fmt.Sprintf("ou-sc4l-%08d", i)
		ous = append(ous, ou)
		p := profiles[i%len(profiles)]
		byProfile[p] = append(byProfile[p], ou)
		org.ouProfiles[ou] = p
		for j := 0; j < 20; j++ {
			org.accounts[ou] = append(org.accounts[ou], fmt.Sprintf("%012d", 100000000000+i*20+j))
		}
	}
	var sets []any
	for _, p := range profiles {
		sets = append(sets, map[string]any{
			"environment": p, "organizationalUnits": byProfile[p], "regions": regions,
			"failureTolerancePercentage": 10, "maxConcurrentPercentage": 25,
		})
	}
	tree["stackSets"] = map[string]any{"callAs": "SELF", "profiles": sets}
	pol := tree["policies"].(map[string]any)
	pol["targets"] = ous
	pol["approvedRegions"] = regions
	pol["crossRegionProfiles"] = []string{"us", "eu", "global"}
	pol["approvedModels"] = []string{
		"amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0", "amazon.titan-embed-text-v2:0",
		"anthropic.claude-3-5-haiku", "anthropic.claude-3-7-sonnet", "anthropic.claude-sonnet-4", "anthropic.claude-opus-4",
		"meta.llama3-1-70b-instruct", "cohere.embed-english-v3",
	}
	pol["organizationGuardrail"].(map[string]any)["regions"] = regions
	data, _ := json.Marshal(tree)
	cfg, err := config.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	org.cfg = cfg
	return org
}

// TestScaleThousandAccountsFourRegions builds the organization-level stacks for 1,000 accounts
// in 50 OUs across 4 regions and checks every limit that binds at that size: StackSet OUs per
// operation, stack instances per StackSet, template size and resources, SCP size and count per
// target, Bedrock policy size and count per target, and that no stack exists per account.
func TestScaleThousandAccountsFourRegions(t *testing.T) {
	org := generateScaleOrganization(t)
	out := t.TempDir()
	var stackNames []string
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
		for _, s := range buildOrg(app, org.cfg, DeployByCLI) {
			stackNames = append(stackNames, *s.StackName())
		}
		app.Synth(nil)
	})
	// One management stack plus one guardrail stack per further region: nothing per account.
	if len(stackNames) != 1+len(org.regions)-1 {
		t.Errorf("organization stacks %v: want BedrockOrg and one guardrail stack per non-home region", stackNames)
	}
	orgTpl, orgData := readTemplate(t, filepath.Join(out, OrgStackName+".template.json"))
	sets := orgTpl.ofType("AWS::CloudFormation::StackSet")
	if len(sets) != 4 || len(sets) > maxStackSetsPerAdmin {
		t.Errorf("%d StackSets", len(sets))
	}
	totalInstances := 0
	for id, s := range sets {
		group := s.Properties["StackInstancesGroup"].([]any)[0].(map[string]any)
		ous := cdkassert.Strings(group["DeploymentTargets"].(map[string]any)["OrganizationalUnitIds"])
		regions := cdkassert.Strings(group["Regions"])
		if len(ous) > stacksets.MaxOUsPerOperation {
			t.Errorf("%s targets %d OUs in one operation; at most %d", id, len(ous), stacksets.MaxOUsPerOperation)
		}
		accounts := 0
		for _, ou := range ous {
			accounts += len(org.accounts[ou])
		}
		instances := accounts * len(regions)
		totalInstances += instances
		if instances > maxInstancesPerStackSet {
			t.Errorf("%s: %d stack instances, over %d", id, instances, maxInstancesPerStackSet)
		}
		prefs := s.Properties["OperationPreferences"].(map[string]any)
		perRegion := int(math.Max(1, math.Floor(float64(accounts)*prefs["MaxConcurrentPercentage"].(float64)/100)))
		concurrent := perRegion
		if prefs["RegionConcurrencyType"] == "PARALLEL" {
			concurrent *= len(regions)
		}
		t.Logf("%s: %d OUs, %d accounts x %d regions = %d stack instances; %d accounts per region at once, %d stack operations at once, %d waves per region",
			s.Properties["StackSetName"], len(ous), accounts, len(regions), instances, perRegion, concurrent, int(math.Ceil(float64(accounts)/float64(perRegion))))
	}
	if totalInstances != 1000*len(org.regions) {
		t.Errorf("the StackSets reach %d stack instances; want every one of 1,000 accounts in %d regions", totalInstances, len(org.regions))
	}

	// Templates: the member templates go by URL (under 1 MB) and stay under 500 resources; the
	// management stacks too.
	entries, _ := os.ReadDir(filepath.Join(out, StackSetTemplateDir))
	templates := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".template.json") {
			continue
		}
		templates++
		tpl, data := readTemplate(t, filepath.Join(out, StackSetTemplateDir, e.Name()))
		if len(data) > stacksets.MaxTemplateURLBytes || len(tpl.Resources) > maxResourcesPerTemplate {
			t.Errorf("%s: %d bytes, %d resources", e.Name(), len(data), len(tpl.Resources))
		}
		t.Logf("%s: %d bytes, %d resources", e.Name(), len(data), len(tpl.Resources))
	}
	if templates != 4 {
		t.Errorf("%d StackSet templates, want 4", templates)
	}
	if len(orgData) > stacksets.MaxTemplateURLBytes || len(orgTpl.Resources) > maxResourcesPerTemplate {
		t.Errorf("BedrockOrg: %d bytes, %d resources", len(orgData), len(orgTpl.Resources))
	}

	// Policies per target and their sizes.
	scpsPerTarget := map[string]int{}
	bedrockPerTarget := map[string]int{}
	count := func(tpl template) {
		for id, r := range tpl.ofType("AWS::Organizations::Policy") {
			n := len(orgpolicies.Minified(r.Properties["Content"]))
			for _, target := range cdkassert.Strings(r.Properties["TargetIds"]) {
				switch r.Properties["Type"] {
				case "SERVICE_CONTROL_POLICY":
					scpsPerTarget[target]++
				case "BEDROCK_POLICY":
					bedrockPerTarget[target]++
				}
			}
			switch {
			case r.Properties["Type"] == "SERVICE_CONTROL_POLICY" && n > orgpolicies.MaxSCPSize:
				t.Errorf("%s: SCP of %d characters", id, n)
			case r.Properties["Type"] == "BEDROCK_POLICY" && n > orgpolicies.MaxBedrockPolicySize:
				t.Errorf("%s: Bedrock policy of %d characters", id, n)
			}
			t.Logf("%s %s: %d characters", r.Properties["Type"], r.Properties["Name"], n)
		}
	}
	count(orgTpl)
	for _, r := range org.regions[1:] {
		tpl, _ := readTemplate(t, filepath.Join(out, OrgGuardrailStackName(r)+".template.json"))
		count(tpl)
	}
	if len(scpsPerTarget) != 50 || len(bedrockPerTarget) != 50 {
		t.Errorf("policies reach %d / %d targets, want all 50 OUs", len(scpsPerTarget), len(bedrockPerTarget))
	}
	for target, n := range scpsPerTarget {
		if n > org.cfg.Policies.SCPSlots() || n+1 > orgpolicies.MaxSCPsPerTarget {
			t.Errorf("%s holds %d bedrockgov SCPs (+ FullAWSAccess); budget %d of %d", target, n, org.cfg.Policies.SCPSlots(), orgpolicies.MaxSCPsPerTarget)
		}
		if b := bedrockPerTarget[target]; b != len(org.regions) || b > maxBedrockPoliciesPerTarget {
			t.Errorf("%s holds %d Bedrock policies; want one per region (%d), at most %d", target, b, len(org.regions), maxBedrockPoliciesPerTarget)
		}
	}
}
