package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
)

// pipelineStage is one stage of the CodePipeline resource, read from the template.
type pipelineStage struct {
	Name    string
	Actions []pipelineAction
}

type pipelineAction struct {
	Name         string
	Category     string
	Provider     string
	RunOrder     float64
	Region       string
	StackName    string
	ActionMode   string
	DeployRole   string // the role the action assumes
	ExecRole     string // the CloudFormation execution role passed to the stack
	Project      string // the CodeBuild project's logical ID
	CustomData   string
	Connection   string
	Repository   string
	Branch       string
	DetectChange bool
}

// readPipeline returns the stages of the only AWS::CodePipeline::Pipeline of a template.
func readPipeline(t *testing.T, tpl map[string]any) ([]pipelineStage, map[string]any) {
	t.Helper()
	var found map[string]any
	for _, r := range tpl["Resources"].(map[string]any) {
		if rm := r.(map[string]any); rm["Type"] == "AWS::CodePipeline::Pipeline" {
			if found != nil {
				t.Fatal("more than one pipeline")
			}
			found = rm["Properties"].(map[string]any)
		}
	}
	if found == nil {
		t.Fatal("no AWS::CodePipeline::Pipeline in the template")
	}
	var stages []pipelineStage
	for _, s := range found["Stages"].([]any) {
		sm := s.(map[string]any)
		st := pipelineStage{Name: sm["Name"].(string)}
		for _, a := range sm["Actions"].([]any) {
			am := a.(map[string]any)
			typ := am["ActionTypeId"].(map[string]any)
			cfg, _ := am["Configuration"].(map[string]any)
			act := pipelineAction{
				Name: am["Name"].(string), Category: typ["Category"].(string), Provider: typ["Provider"].(string),
				DeployRole: cdkassert.JSON(am["RoleArn"]), ExecRole: cdkassert.JSON(cfg["RoleArn"]),
			}
			act.RunOrder, _ = am["RunOrder"].(float64)
			act.Region, _ = am["Region"].(string)
			act.StackName, _ = cfg["StackName"].(string)
			act.ActionMode, _ = cfg["ActionMode"].(string)
			act.CustomData, _ = cfg["CustomData"].(string)
			act.Connection, _ = cfg["ConnectionArn"].(string)
			act.Repository, _ = cfg["FullRepositoryId"].(string)
			act.Branch, _ = cfg["BranchName"].(string)
			act.DetectChange, _ = cfg["DetectChanges"].(bool)
			if ref, ok := cfg["ProjectName"].(map[string]any); ok {
				act.Project, _ = ref["Ref"].(string)
			}
			st.Actions = append(st.Actions, act)
		}
		stages = append(stages, st)
	}
	return stages, found
}

// waveStacks is what each wave must deploy: stack name -> account/region.
func expectedWaves(cfg *config.Config) ([]string, map[string]map[string]string, map[string]bool) {
	var order []string
	stacksOf := map[string]map[string]string{}
	approval := map[string]bool{}
	for _, e := range cfg.Environments {
		order = append(order, e.Name)
		stacksOf[e.Name] = map[string]string{}
		for _, r := range e.Regions {
			stacksOf[e.Name][MemberStackName(e.Name, r)] = e.Account + "-" + r
		}
		approval[e.Name] = cfg.Pipeline.NeedsApproval(e)
	}
	return order, stacksOf, approval
}

// checkWaves asserts the pipeline's stages: source, tests before synth, self-mutation, then
// exactly the waves in order, each deploying exactly its stacks through the bootstrap roles of
// their account and region, with a manual approval before the first deployment where asked.
func checkWaves(t *testing.T, stages []pipelineStage, order []string, stacksOf map[string]map[string]string, approval map[string]bool) {
	t.Helper()
	var names []string
	for _, s := range stages {
		names = append(names, s.Name)
	}
	head := []string{"Source", "Build", "UpdatePipeline"}
	if len(names) > 3 && names[3] == "Assets" { // file assets (the StackSet templates) are published before any wave
		head = append(head, "Assets")
	}
	want := append(head, order...)
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("pipeline stages = %v, want %v (source, tests then synth, self-mutation, assets, then the waves in order)", names, want)
	}
	for _, s := range stages[len(head):] {
		approvalAt, firstDeploy := -1.0, 1e9
		got := map[string]string{}
		for _, a := range s.Actions {
			switch {
			case a.Category == "Approval" && a.Provider == "Manual":
				approvalAt = a.RunOrder
			case a.Category == "Deploy" && a.Provider == "CloudFormation":
				if a.RunOrder < firstDeploy {
					firstDeploy = a.RunOrder
				}
				where, ok := stacksOf[s.Name][a.StackName]
				if !ok {
					t.Errorf("wave %s deploys %s, which is not one of its stacks %v", s.Name, a.StackName, stacksOf[s.Name])
					continue
				}
				account, region := where[:12], where[13:]
				role := "cdk-hnb659fds-deploy-role-" + account + "-" + region
				if !strings.Contains(a.DeployRole, ":iam::"+account+":role/"+role) {
					t.Errorf("wave %s, %s: action role %s, want the bootstrap deploy role %s of the stack's account", s.Name, a.Name, a.DeployRole, role)
				}
				if a.ActionMode != "CHANGE_SET_EXECUTE" && !strings.Contains(a.ExecRole, ":iam::"+account+":role/cdk-hnb659fds-cfn-exec-role-"+account+"-"+region) {
					t.Errorf("wave %s, %s: execution role %s is not the stack account's bootstrap execution role", s.Name, a.Name, a.ExecRole)
				}
				if a.Region != "" && a.Region != region {
					t.Errorf("wave %s, %s: region %s, want %s", s.Name, a.Name, a.Region, region)
				}
				got[a.StackName] = where
			default:
				t.Errorf("wave %s: unexpected action %s (%s/%s)", s.Name, a.Name, a.Category, a.Provider)
			}
		}
		if !reflect.DeepEqual(got, stacksOf[s.Name]) {
			t.Errorf("wave %s deploys %v, want exactly %v", s.Name, got, stacksOf[s.Name])
		}
		switch {
		case approval[s.Name] && approvalAt < 0:
			t.Errorf("wave %s has no manual approval", s.Name)
		case approval[s.Name] && approvalAt >= firstDeploy:
			t.Errorf("wave %s: the approval (run order %v) does not precede the first deployment (%v)", s.Name, approvalAt, firstDeploy)
		case !approval[s.Name] && approvalAt >= 0:
			t.Errorf("wave %s has a manual approval it was not configured with", s.Name)
		}
	}
}

// TestPipelineWaves checks the example's BedrockPipeline: dev, staging, then prod behind a
// manual approval, each wave deploying exactly its environment's member stacks.
func TestPipelineWaves(t *testing.T) {
	cfg := config.Example()
	top := byName(exampleAssembly(t), "")
	pl, ok := top[PipelineStackName]
	if !ok {
		t.Fatal("no BedrockPipeline stack")
	}
	if pl.Environment != "aws://555555555555/us-east-1" {
		t.Errorf("pipeline environment %s, want the tooling account and region", pl.Environment)
	}
	stages, props := readPipeline(t, pl.Template)
	order, stacksOf, approval := expectedWaves(cfg)
	if !approval["prod"] || approval["dev"] || approval["staging"] {
		t.Fatalf("example approvals %v: want prod only", approval)
	}
	// Then the hub, then the management account, each behind its own approval.
	order = append(order, "hub", "org")
	stacksOf["hub"] = map[string]string{}
	for _, r := range cfg.Hub.Regions {
		stacksOf["hub"][HubStackName(r)] = cfg.Hub.Account + "-" + r
	}
	mgmt := cfg.Organization.ManagementAccount
	stacksOf["org"] = map[string]string{OrgStackName: mgmt + "-" + cfg.Organization.Home()}
	for _, r := range cfg.Policies.OrganizationGuardrail.Regions {
		if r != cfg.Organization.Home() {
			stacksOf["org"][OrgGuardrailStackName(r)] = mgmt + "-" + r
		}
	}
	approval["hub"], approval["org"] = true, true
	checkWaves(t, stages, order, stacksOf, approval)

	src := stages[0].Actions[0]
	if src.Provider != "CodeStarSourceConnection" || src.Connection != cfg.Pipeline.ConnectionArn ||
		src.Repository != cfg.Pipeline.Repository || src.Branch != "main" || !src.DetectChange {
		t.Errorf("source action %+v does not follow the configured connection, repository and branch on push", src)
	}
	// The tests run before synth, so a failing test stops the pipeline before it changes itself.
	build := map[string]pipelineAction{}
	for _, a := range stages[1].Actions {
		build[a.Name] = a
	}
	if build["Test"].RunOrder == 0 || build["Test"].RunOrder >= build["Synth"].RunOrder {
		t.Errorf("build stage %+v: Test must run before Synth", stages[1].Actions)
	}
	res := pl.Resources()
	for name, want := range map[string][]string{"Test": {"make test PINNED_NODE=1"}, "Synth": {"make synth PINNED_NODE=1"}} {
		p := res[build[name].Project]["Properties"].(map[string]any)
		env := p["Environment"].(map[string]any)
		spec := cdkassert.JSON(p["Source"])
		if env["Image"] != "aws/codebuild/standard:7.0" {
			t.Errorf("%s image %v, want aws/codebuild/standard:7.0", name, env["Image"])
		}
		for _, w := range append(want, `GOTOOLCHAIN=\\\"go$(sed -n 's/^go //p' go.mod)\\\"`, `runtime-versions`) {
			if !strings.Contains(spec, w) {
				t.Errorf("%s buildspec does not contain %s: %s", name, w, spec)
			}
		}
	}
	// The asset builds are started by the pipeline's CodeBuild action role, scoped to its own
	// projects; the asset projects' service role starts no build (its CDK grant is denied).
	if stages[3].Name != "Assets" {
		t.Fatalf("the example publishes the StackSet templates: want an Assets stage, got %s", stages[3].Name)
	}
	for _, a := range stages[3].Actions {
		if !strings.Contains(a.DeployRole, "PipelineCodeBuildActionRole") {
			t.Errorf("asset action %s runs as %s, not the CodeBuild action role", a.Name, a.DeployRole)
		}
	}
	denied := false
	for id, r := range res {
		if r["Type"] == "AWS::IAM::Policy" && strings.HasPrefix(id, "PipelineAssetsFileRoleDefaultPolicy") {
			for _, st := range cdkassert.Statements(r["Properties"].(map[string]any)["PolicyDocument"]) {
				if st["Sid"] == "AssetBuildsStartNoBuilds" && st["Effect"] == "Deny" && st["Resource"] == "*" &&
					strings.Contains(cdkassert.JSON(st["Action"]), "codebuild:StartBuild") {
					denied = true
				}
			}
		}
	}
	if !denied {
		t.Error("the asset role may start any CodeBuild build of the account")
	}
	if stages[2].Actions[0].Name != "SelfMutate" {
		t.Errorf("no self-mutation: %+v", stages[2])
	}
	// Artifacts: encrypted with customer-managed keys with rotation, kept on deletion.
	for _, st := range props["ArtifactStores"].([]any) {
		store := st.(map[string]any)["ArtifactStore"].(map[string]any)
		if store["EncryptionKey"].(map[string]any)["Type"] != "KMS" {
			t.Errorf("artifact store %v is not KMS-encrypted", store)
		}
	}
	for _, s := range []stackArtifact{pl, top[PipelineStackName+"-support-us-west-2"]} {
		keys, buckets := 0, 0
		for id, r := range s.Resources() {
			p, _ := r["Properties"].(map[string]any)
			switch r["Type"] {
			case "AWS::KMS::Key":
				keys++
				if p["EnableKeyRotation"] != true {
					t.Errorf("%s/%s: key rotation off", s.StackName, id)
				}
			case "AWS::S3::Bucket":
				buckets++
				if p["LoggingConfiguration"] == nil && !strings.Contains(id, "AccessLogs") {
					t.Errorf("%s/%s: artifact bucket without server access logs", s.StackName, id)
				}
			default:
				continue
			}
			if (r["DeletionPolicy"] != "Retain" && r["DeletionPolicy"] != "RetainExceptOnCreate") || r["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("%s/%s (%s) is not retained: %v/%v", s.StackName, id, r["Type"], r["DeletionPolicy"], r["UpdateReplacePolicy"])
			}
		}
		if keys != 1 || buckets != 2 {
			t.Errorf("%s: %d keys and %d buckets, want one artifact key, one artifact bucket and its access-log bucket", s.StackName, keys, buckets)
		}
	}
}

// TestPipelineStagesAreTheDeployedStacks checks that each wave's nested assembly holds exactly
// its environment's stacks, under the same stack names and with the same resources as the
// stacks `cdk deploy` uses (only the synthesizer differs: the pipeline's stacks are deployed
// through the bootstrap roles, the CLI's with the caller's credentials).
func TestPipelineStagesAreTheDeployedStacks(t *testing.T) {
	cfg := config.Example()
	all := exampleAssembly(t)
	top := byName(all, "")
	order, stacksOf, _ := expectedWaves(cfg)
	order = append(order, "hub", "org")
	stacksOf["hub"], stacksOf["org"] = map[string]string{}, map[string]string{}
	for _, r := range cfg.Hub.Regions {
		stacksOf["hub"][HubStackName(r)] = cfg.Hub.Account + "-" + r
	}
	mgmt := cfg.Organization.ManagementAccount
	stacksOf["org"][OrgStackName] = mgmt + "-" + cfg.Organization.Home()
	for _, r := range cfg.Policies.OrganizationGuardrail.Regions {
		if r != cfg.Organization.Home() {
			stacksOf["org"][OrgGuardrailStackName(r)] = mgmt + "-" + r
		}
	}
	for _, wave := range order {
		stage := byName(all, "assembly-"+PipelineStackName+"-"+wave)
		var got, want []string
		for n := range stage {
			got = append(got, n)
		}
		for n := range stacksOf[wave] {
			want = append(want, n)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stage %s holds %v, want %v", wave, got, want)
		}
		for _, n := range got {
			s, cli := stage[n], top[n]
			if wantEnv := "aws://" + strings.Replace(stacksOf[wave][n], "-", "/", 1); s.Environment != wantEnv {
				t.Errorf("%s in stage %s targets %s, want %s", n, wave, s.Environment, wantEnv)
			}
			if !reflect.DeepEqual(withoutMetadata(s.Resources()), withoutMetadata(cli.Resources())) {
				t.Errorf("%s: the pipeline's template has different resources from the one cdk deploy uses", n)
			}
			if _, ok := s.Template["Rules"].(map[string]any)["CheckBootstrapVersion"]; !ok {
				t.Errorf("%s in stage %s does not use the default (bootstrap) synthesizer", n, wave)
			}
		}
	}
}

func withoutMetadata(res map[string]map[string]any) map[string]any {
	out := map[string]any{}
	for id, r := range res {
		c := map[string]any{}
		for k, v := range r {
			if k != "Metadata" {
				c[k] = v
			}
		}
		out[id] = c
	}
	return out
}

// TestOrgWideWavesFollowTheEnvironmentsBehindApprovals builds the pipeline with two
// organization-wide roles registered as the hub and management stacks register, and checks
// their waves come after every environment, each behind its own approval, each deploying only
// the stacks its builder made (built with the pipeline synthesizer).
func TestOrgWideWavesFollowTheEnvironmentsBehindApprovals(t *testing.T) {
	cfg := config.Example()
	cfg.Environments = cfg.Environments[:2] // dev and staging keep the test fast
	cfg.Pipeline.ApprovalBefore = []string{}
	var deployers []Deployer
	role := func(name, account string, regions ...string) OrgWideBuilder {
		return OrgWideBuilder{Wave: name, Build: func(scope constructs.Construct, _ *config.Config, d Deployer) []awscdk.Stack {
			deployers = append(deployers, d)
			var out []awscdk.Stack
			for _, r := range regions {
				s := awscdk.NewStack(scope, jsii.String(name+r), &awscdk.StackProps{
					StackName:   jsii.String("Test" + name + "-" + r),
					Env:         &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(r)},
					Synthesizer: d.Synthesizer(),
				})
				awsssm.NewStringParameter(s, jsii.String("P"), &awsssm.StringParameterProps{StringValue: jsii.String("v")})
				out = append(out, s)
			}
			return out
		}}
	}
	roles := []OrgWideBuilder{role("hub", "555555555555", "us-east-1", "eu-west-1"), role("org", "999999999999", "us-east-1"),
		// A role whose section is absent gets no wave.
		{Wave: "absent", Configured: func(*config.Config) bool { return false },
			Build: func(constructs.Construct, *config.Config, Deployer) []awscdk.Stack {
				t.Error("built an unconfigured role")
				return nil
			}}}
	for i := range roles[:2] {
		roles[i].Configured = func(*config.Config) bool { return true }
	}
	var built []awscdk.Stack
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
		built = buildPipeline(app, cfg, roles)
	})
	tpl := cdkassert.Synth(t, built[0]).Raw
	if !reflect.DeepEqual(deployers, []Deployer{DeployByPipeline, DeployByPipeline}) {
		t.Errorf("org-wide builders called with %v, want the pipeline deployer", deployers)
	}
	stages, _ := readPipeline(t, tpl)
	order, stacksOf, approval := expectedWaves(cfg)
	order = append(order, "hub", "org")
	stacksOf["hub"] = map[string]string{"Testhub-us-east-1": "555555555555-us-east-1", "Testhub-eu-west-1": "555555555555-eu-west-1"}
	stacksOf["org"] = map[string]string{"Testorg-us-east-1": "999999999999-us-east-1"}
	approval["hub"], approval["org"] = true, true
	checkWaves(t, stages, order, stacksOf, approval)
	for _, s := range stages[len(stages)-2:] {
		if !strings.Contains(s.Actions[0].CustomData, "every account") {
			t.Errorf("wave %s: approval comment %q does not say what is at stake", s.Name, s.Actions[0].CustomData)
		}
	}
}

// TestPipelineInstallsTheMakefileCLI keeps the self-mutation CLI equal to the pinned one.
func TestPipelineInstallsTheMakefileCLI(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	data, err := os.ReadFile(filepath.Join("..", ".tools", "cdk", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		t.Fatal(err)
	}
	if pkg.Dependencies["aws-cdk"] != CDKCLIVersion {
		t.Errorf("CDKCLIVersion %s, but .tools/cdk/package.json pins aws-cdk %s", CDKCLIVersion, pkg.Dependencies["aws-cdk"])
	}
}

// TestPipelineRoleUsesOnlyTheArtifactKeys proves by simulation that the pipeline role, whose
// CodePipeline-generated KMS grant names "*" (the cross-region artifact keys are referenced by
// alias), can use the artifact keys and no other key of the tooling account.
func TestPipelineRoleUsesOnlyTheArtifactKeys(t *testing.T) {
	top := byName(exampleAssembly(t), "")
	pl, support := top[PipelineStackName], top[PipelineStackName+"-support-us-west-2"]
	res := pl.Resources()
	var doc any
	var artifactKey string
	for id, r := range res {
		switch {
		case r["Type"] == "AWS::IAM::Policy" && strings.HasPrefix(id, "PipelineRoleDefaultPolicy"):
			doc = r["Properties"].(map[string]any)["PolicyDocument"]
		case r["Type"] == "AWS::KMS::Key" && strings.HasPrefix(id, "PipelineArtifactsBucketEncryptionKey"):
			artifactKey = id
		}
	}
	var alias string
	for _, r := range support.Resources() {
		if r["Type"] == "AWS::KMS::Alias" {
			alias = r["Properties"].(map[string]any)["AliasName"].(string)
		}
	}
	if doc == nil || artifactKey == "" || alias == "" {
		t.Fatalf("pipeline role policy %v, artifact key %q, support key alias %q", doc != nil, artifactKey, alias)
	}
	const acct = "555555555555"
	keyArn := "arn:aws:kms:us-east-1:" + acct + ":key/11111111-1111-4111-8111-111111111111"
	supportKeyArn := "arn:aws:kms:us-west-2:" + acct + ":key/22222222-2222-4222-8222-222222222222"
	otherKeyArn := "arn:aws:kms:us-east-1:" + acct + ":key/33333333-3333-4333-8333-333333333333"
	values := map[string]string{"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": acct, artifactKey + ".Arn": keyArn}
	// Every other reference in the policy is a role or bucket of this stack: any ARN will do.
	var collect func(v any)
	collect = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				collect(e)
			}
		case map[string]any:
			if ref, ok := x["Ref"].(string); ok {
				if _, set := values[ref]; !set {
					values[ref] = "arn:aws:iam::" + acct + ":role/" + ref
				}
			}
			if ga, ok := x["Fn::GetAtt"].([]any); ok {
				k := ga[0].(string) + "." + ga[1].(string)
				if _, set := values[k]; !set {
					values[k] = "arn:aws:s3:::" + strings.ToLower(ga[0].(string))
					if strings.Contains(ga[0].(string), "Role") {
						values[k] = "arn:aws:iam::" + acct + ":role/" + ga[0].(string)
					}
				}
			}
			for _, e := range x {
				collect(e)
			}
		}
	}
	collect(doc)
	resolved, err := iamsim.Resolve(doc, values)
	if err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + acct + ":role/BedrockPipeline-PipelineRole"
	policy := iamsim.Named{Name: "pipeline role", Policy: resolved}
	// Keys whose policy delegates to IAM in the account, as the artifact keys' and the default
	// key policy do: the worst case for a key the pipeline must not use.
	keyPolicy := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"}, "Action": "kms:*", "Resource": "*"}}}
	req := func(scenario, action, key string, aliases []string, want iamsim.Decision, why string) iamsim.Request {
		ctx := map[string]any{"aws:PrincipalArn": role}
		if aliases != nil {
			ctx["kms:ResourceAliases"] = aliases
		}
		return iamsim.Request{Scenario: scenario, Principal: role, Action: action, Resource: key, Context: ctx,
			IdentityPolicies: []any{policy}, ResourcePolicy: keyPolicy, Want: want, Why: why}
	}
	otherWest := "arn:aws:kms:us-west-2:" + acct + ":key/44444444-4444-4444-8444-444444444444"
	iamsim.Simulate(t, []iamsim.Request{
		req("encrypt an artifact with the pipeline's artifact key", "kms:GenerateDataKey", keyArn, []string{"alias/codepipeline-bedrockpipeline"}, iamsim.Allowed,
			"CodePipeline's grant on the artifact key, which no deny covers"),
		req("decrypt an artifact with the artifact key (no alias)", "kms:Decrypt", keyArn, []string{}, iamsim.Allowed,
			"the artifact key is outside every deny"),
		req("encrypt an artifact with the us-west-2 support key", "kms:GenerateDataKey", supportKeyArn, []string{alias}, iamsim.Allowed,
			"the '*' grant; the key is in a support region and carries that region's support alias"),
		req("decrypt with another key of the pipeline's region", "kms:Decrypt", otherKeyArn, []string{"alias/finance-data"}, iamsim.ExplicitlyDenied,
			"OnlyThePipelineArtifactKeys: only the artifact key in us-east-1"),
		req("a key of the pipeline's region given the support alias's name", "kms:Decrypt", otherKeyArn, []string{alias}, iamsim.ExplicitlyDenied,
			"OnlyThePipelineArtifactKeys: alias names are regional, so the alias counts only in its region"),
		req("encrypt with another us-west-2 key", "kms:Encrypt", otherWest, []string{"alias/finance-data"}, iamsim.ExplicitlyDenied,
			"OnlyTheArtifactKeyInuswest2: not the support alias"),
		req("encrypt with a us-west-2 key without alias", "kms:Encrypt", otherWest, []string{}, iamsim.ExplicitlyDenied,
			"OnlyTheArtifactKeyInuswest2: ForAllValues over no alias holds"),
		req("decrypt with a key of another region", "kms:Decrypt", "arn:aws:kms:eu-west-1:"+acct+":key/55555555-5555-4555-8555-555555555555", []string{alias}, iamsim.ExplicitlyDenied,
			"OnlyThePipelineArtifactKeys: no artifact store in eu-west-1"),
	})
	iamsim.CheckIAMReference(t, resolved)
}

// TestOrgWideRolesConfigured: the hub and management waves exist exactly when their sections do.
func TestOrgWideRolesConfigured(t *testing.T) {
	cfg := config.Example()
	var waves []string
	for _, r := range orgWide {
		if r.Configured(cfg) {
			waves = append(waves, r.Wave)
		}
	}
	if strings.Join(waves, ",") != "hub,org" {
		t.Errorf("example org-wide waves %v, want hub then org", waves)
	}
	cfg.Hub, cfg.Policies, cfg.StackSets = nil, nil, nil
	for _, r := range orgWide {
		if r.Configured(cfg) {
			t.Errorf("%s configured without its section", r.Wave)
		}
	}
}
