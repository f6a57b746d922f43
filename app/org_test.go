package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/orgpolicies"
	"github.com/bedrockgov/bedrockgov/constructs/stacksets"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// synthOrg builds the configuration into a fresh cloud assembly and returns its folder and the
// organization stacks (BedrockOrg first), nag findings checked.
func synthOrg(t *testing.T, cfg *config.Config) (string, []string) {
	t.Helper()
	out := t.TempDir()
	var names []string
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
		Build(app, cfg)
		for _, c := range *app.Node().Children() {
			if !*awscdk.Stack_IsStack(c) || !strings.HasPrefix(*c.Node().Id(), "BedrockOrg") {
				continue
			}
			s := awscdk.Stack_Of(c)
			names = append(names, *s.StackName())
			if errs := cdkassert.NagErrors(t, s); len(errs) != 0 {
				t.Errorf("%s: unsuppressed cdk-nag findings:\n%s", *s.StackName(), strings.Join(errs, "\n"))
			}
		}
		app.Synth(nil)
	})
	return out, names
}

type template struct {
	Resources map[string]cdkassert.Resource `json:"Resources"`
}

func readTemplate(t *testing.T, path string) (template, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return tpl, data
}

func (tp template) ofType(typ string) map[string]cdkassert.Resource {
	out := map[string]cdkassert.Resource{}
	for id, r := range tp.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// TestOrgStackFromTheExample synthesizes the example organization and checks what BedrockOrg
// deploys: SCPs within the size limit on the configured targets, a Bedrock policy per guardrail
// region, one retained, auto-deploying StackSet per profile whose template is the
// environment-agnostic member stack, published by URL and copied under a stable name.
func TestOrgStackFromTheExample(t *testing.T) {
	cfg := config.Example()
	out, names := synthOrg(t, cfg)
	if strings.Join(names, ",") != "BedrockOrgGuardrail-us-west-2,BedrockOrg" && strings.Join(names, ",") != "BedrockOrg,BedrockOrgGuardrail-us-west-2" {
		t.Fatalf("organization stacks = %v", names)
	}
	org, _ := readTemplate(t, filepath.Join(out, OrgStackName+".template.json"))

	scps := 0
	for id, r := range org.ofType("AWS::Organizations::Policy") {
		switch r.Properties["Type"] {
		case "SERVICE_CONTROL_POLICY":
			scps++
			if n := len(orgpolicies.Minified(r.Properties["Content"])); n > orgpolicies.MaxSCPSize {
				t.Errorf("%s is %d characters", id, n)
			}
			if cdkassert.JSON(r.Properties["TargetIds"]) != `["r-exam"]` {
				t.Errorf("%s targets %v", id, r.Properties["TargetIds"])
			}
		case "BEDROCK_POLICY":
			if !strings.Contains(cdkassert.JSON(r.Properties["Content"]), `"guardrail_inference":{"us-east-1"`) {
				t.Errorf("home-region Bedrock policy: %s", cdkassert.JSON(r.Properties["Content"]))
			}
		}
	}
	if scps == 0 || scps > cfg.Policies.SCPSlots() {
		t.Errorf("%d SCPs; want 1 to %d", scps, cfg.Policies.SCPSlots())
	}
	west, _ := readTemplate(t, filepath.Join(out, OrgGuardrailStackName("us-west-2")+".template.json"))
	if n := len(west.ofType("AWS::Bedrock::GuardrailVersion")); n != 1 {
		t.Errorf("us-west-2 guardrail versions: %d", n)
	}
	if len(org.ofType("AWS::CE::AnomalyMonitor")) != 1 || len(org.ofType("AWS::CE::AnomalySubscription")) != 1 {
		t.Errorf("spend anomaly monitor and subscription missing")
	}

	sets := org.ofType("AWS::CloudFormation::StackSet")
	if len(sets) != len(cfg.StackSets.Profiles) {
		t.Fatalf("%d StackSets, want one per profile (%d)", len(sets), len(cfg.StackSets.Profiles))
	}
	manifest := readJSON(t, filepath.Join(out, StackSetTemplateDir, "manifest.json"))
	for _, pr := range cfg.StackSets.Profiles {
		var set cdkassert.Resource
		for _, s := range sets {
			if s.Properties["StackSetName"] == "bedrockgov-member-"+pr.Environment {
				set = s
			}
		}
		p := set.Properties
		if p == nil {
			t.Fatalf("no StackSet for %s", pr.Environment)
		}
		if p["PermissionModel"] != "SERVICE_MANAGED" || cdkassert.JSON(p["AutoDeployment"]) != `{"Enabled":true,"RetainStacksOnAccountRemoval":true}` ||
			cdkassert.JSON(p["ManagedExecution"]) != `{"Active":true}` || p["TemplateBody"] != nil || p["TemplateURL"] == nil {
			t.Errorf("%s: %s", pr.Environment, cdkassert.JSON(p))
		}
		if set.DeletionPolicy == "Delete" || set.DeletionPolicy == "" || set.UpdateReplace != "Retain" {
			t.Errorf("%s: deletion policy %q / %q; deleting the StackSet would delete every member stack", pr.Environment, set.DeletionPolicy, set.UpdateReplace)
		}
		e := cfg.Environment(pr.Environment)
		group := cdkassert.JSON(p["StackInstancesGroup"])
		if want, _ := json.Marshal(map[string]any{"DeploymentTargets": map[string]any{"OrganizationalUnitIds": pr.OrganizationalUnits}, "Regions": pr.RegionsOf(e)}); group != "["+string(want)+"]" {
			t.Errorf("%s: instances %s, want [%s]", pr.Environment, group, want)
		}
		prefs, _ := p["OperationPreferences"].(map[string]any)
		if pr.MaxConcurrentPercentage != nil && prefs["MaxConcurrentPercentage"] != *pr.MaxConcurrentPercentage ||
			pr.FailureTolerancePercentage != nil && prefs["FailureTolerancePercentage"] != *pr.FailureTolerancePercentage ||
			pr.RegionConcurrency != "" && prefs["RegionConcurrencyType"] != pr.RegionConcurrency ||
			pr.ConcurrencyMode != "" && prefs["ConcurrencyMode"] != pr.ConcurrencyMode {
			t.Errorf("%s: operation preferences %s do not follow the configuration", pr.Environment, cdkassert.JSON(prefs))
		}

		// The stable copy reviewers diff is the very file the StackSet deploys.
		stable := filepath.Join(out, StackSetTemplateDir, StackSetTemplateName(pr.Environment))
		member, data := readTemplate(t, stable)
		t.Logf("%s StackSet template: %d bytes (TemplateBody limit %d), %d resources", pr.Environment, len(data), stacksets.MaxTemplateBodyBytes, len(member.Resources))
		if len(data) > stacksets.MaxTemplateURLBytes || len(member.Resources) > stacksets.MaxTemplateResources {
			t.Errorf("%s template: %d bytes, %d resources", pr.Environment, len(data), len(member.Resources))
		}
		url := cdkassert.JSON(p["TemplateURL"])
		hash := regexp.MustCompile(`/([0-9a-f]{64})\.json`).FindStringSubmatch(url)
		if hash == nil {
			t.Fatalf("%s: TemplateURL %s names no asset", pr.Environment, url)
		}
		published, err := os.ReadFile(filepath.Join(out, "asset."+hash[1]+".json"))
		if err != nil || !bytes.Equal(published, data) {
			t.Errorf("%s: the published asset differs from %s (%v)", pr.Environment, stable, err)
		}
		// Environment-agnostic: no account baked in, no assets, lookups or nested stacks.
		art := manifest["artifacts"].(map[string]any)["BedrockMember-"+pr.Environment].(map[string]any)
		if art["environment"] != "aws://unknown-account/unknown-region" {
			t.Errorf("%s template targets %v", pr.Environment, art["environment"])
		}
		// The one account a member template names is the hub's: the archive bucket and key it
		// replicates into are derived from the hub account by design (no lookups).
		for _, acct := range regexp.MustCompile(`[":/][0-9]{12}[":/]`).FindAllString(string(data), -1) {
			if cfg.Hub == nil || acct[1:13] != cfg.Hub.Account {
				t.Errorf("%s template holds the account %s", pr.Environment, acct[1:13])
			}
		}
		for id, r := range member.Resources {
			if r.Type == "AWS::CloudFormation::Stack" || (r.Type == "AWS::Lambda::Function" && cdkassert.JSON(r.Properties["Code"]) != "" && strings.Contains(cdkassert.JSON(r.Properties["Code"]), "S3Bucket")) {
				t.Errorf("%s: %s (%s) cannot be deployed by a service-managed StackSet", pr.Environment, id, r.Type)
			}
		}
		checkAccountWideNames(t, pr.Environment, data)
		checkSCPCoverage(t, pr.Environment, member)
	}
}

// checkAccountWideNames fails for a resource whose name is unique per account (not per region)
// unless its name carries the region or it is created under a condition (the home region only):
// a StackSet deploys the same template to several regions of one account.
func checkAccountWideNames(t *testing.T, profile string, data []byte) {
	t.Helper()
	named := map[string]string{
		"AWS::IAM::Role": "RoleName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::User": "UserName",
		"AWS::IAM::Group": "GroupName", "AWS::IAM::InstanceProfile": "InstanceProfileName",
		"AWS::CloudWatch::Dashboard": "DashboardName", "AWS::Budgets::Budget": "",
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string         `json:"Type"`
			Condition  string         `json:"Condition"`
			Properties map[string]any `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	for id, r := range tpl.Resources {
		prop, ok := named[r.Type]
		if !ok || r.Condition != "" || (prop != "" && r.Properties[prop] == nil) {
			continue // not account-wide, home-region only, or named by CloudFormation (unique)
		}
		if name := cdkassert.JSON(r.Properties[prop]); prop == "" || !strings.Contains(name, "AWS::Region") {
			t.Errorf("%s: %s (%s) is account-wide (name %s) but neither carries the region nor has a home-region condition; a multi-region StackSet would create it twice in one account", profile, id, r.Type, name)
		}
	}
}

// TestDelegatedAdministratorStackSets: with callAs DELEGATED_ADMIN the StackSets move to their
// own stack in the delegated administrator account and call as that administrator.
func TestDelegatedAdministratorStackSets(t *testing.T) {
	cfg := config.Example()
	cfg.StackSets.CallAs, cfg.StackSets.DelegatedAdminAccount = "DELEGATED_ADMIN", "555555555555"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	envs := map[string]string{}
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
		for _, s := range buildOrg(app, cfg, DeployByCLI) {
			envs[*s.StackName()] = *s.Account()
		}
		app.Synth(nil)
	})
	if envs[OrgStackSetsStackName] != "555555555555" || envs[OrgStackName] != "999999999999" {
		t.Fatalf("stacks and accounts: %v", envs)
	}
	org, _ := readTemplate(t, filepath.Join(out, OrgStackName+".template.json"))
	if n := len(org.ofType("AWS::CloudFormation::StackSet")); n != 0 {
		t.Errorf("BedrockOrg still holds %d StackSets", n)
	}
	del, _ := readTemplate(t, filepath.Join(out, OrgStackSetsStackName+".template.json"))
	sets := del.ofType("AWS::CloudFormation::StackSet")
	if len(sets) != len(cfg.StackSets.Profiles) {
		t.Fatalf("%d StackSets in %s", len(sets), OrgStackSetsStackName)
	}
	for id, s := range sets {
		if s.Properties["CallAs"] != "DELEGATED_ADMIN" {
			t.Errorf("%s calls as %v", id, s.Properties["CallAs"])
		}
	}
}

// checkSCPCoverage checks the SCPs' logging protection finds the template's log destinations by
// the names and tags it uses: every KMS key carries the baseline tag and the invocation log
// group has the protected name. (The log bucket's name is reported by a synth warning until
// the member names it; see logBucketCoverage.)
func checkSCPCoverage(t *testing.T, profile string, tpl template) {
	t.Helper()
	for id, k := range tpl.ofType("AWS::KMS::Key") {
		tagged := false
		for _, tag := range asList(k.Properties["Tags"]) {
			if m, _ := tag.(map[string]any); m["Key"] == naming.BaselineTagKey && m["Value"] == naming.BaselineTagValue {
				tagged = true
			}
		}
		if !tagged {
			t.Errorf("%s: key %s lacks the tag %s=%s the SCPs protect keys by", profile, id, naming.BaselineTagKey, naming.BaselineTagValue)
		}
	}
	found := false
	for _, g := range tpl.ofType("AWS::Logs::LogGroup") {
		if g.Properties["LogGroupName"] == naming.InvocationLogGroupName {
			found = true
		}
	}
	if !found {
		t.Errorf("%s: no log group named %s, the name the SCPs protect", profile, naming.InvocationLogGroupName)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
