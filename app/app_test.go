package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
)

func TestMain(m *testing.M) { cdkassert.Main(m) }

// TestWholeAppSynthesizesNagClean synthesizes the example organization as `cdk synth` does,
// with no AWS credentials, and checks every stack of the assembly (the pipeline's stages
// included) has zero unsuppressed cdk-nag findings, and that the member templates are one per
// environment and region with no assets and no lookups.
func TestWholeAppSynthesizesNagClean(t *testing.T) {
	cfg := config.Example()
	all := exampleAssembly(t)
	for _, s := range all {
		if len(s.Errors) != 0 {
			t.Errorf("%s (%s): unsuppressed cdk-nag findings:\n%s", s.ID, s.StackName, strings.Join(s.Errors, "\n"))
		}
	}
	var want []string
	for _, e := range cfg.Environments {
		for _, r := range e.Regions {
			want = append(want, MemberStackName(e.Name, r))
		}
	}
	top := byName(all, "")
	var names []string
	for n := range top {
		names = append(names, n)
	}
	sort.Strings(names)
	wantAll := append(append([]string{}, want...), PipelineStackName, PipelineStackName+"-support-us-west-2", OrgStackName)
	for _, r := range cfg.Hub.Regions {
		wantAll = append(wantAll, HubStackName(r))
	}
	for _, r := range cfg.Policies.OrganizationGuardrail.Regions {
		if r != cfg.Organization.Home() {
			wantAll = append(wantAll, OrgGuardrailStackName(r))
		}
	}
	sort.Strings(wantAll)
	if strings.Join(names, ",") != strings.Join(wantAll, ",") {
		t.Fatalf("stacks = %v, want %v", names, wantAll)
	}
	for _, n := range want {
		if len(top[n].Resources()) < 20 {
			t.Errorf("%s: template looks incomplete", n)
		}
		assets := readJSON(t, filepath.Join(exampleDir, n+".assets.json"))
		files := assets["files"].(map[string]any)
		for _, f := range files {
			src := f.(map[string]any)["source"].(map[string]any)["path"]
			if src != n+".template.json" {
				t.Errorf("%s has a file asset %v: StackSets cannot deploy it", n, src)
			}
		}
		if d, _ := assets["dockerImages"].(map[string]any); len(d) != 0 {
			t.Errorf("%s has Docker assets", n)
		}
		manifest := readJSON(t, filepath.Join(exampleDir, "manifest.json"))
		art := manifest["artifacts"].(map[string]any)[n].(map[string]any)
		props := art["properties"].(map[string]any)
		if (props["terminationProtection"] == true) != strings.Contains(n, "-prod-") {
			t.Errorf("%s: termination protection = %v, want it on prod only", n, props["terminationProtection"])
		}
		if top[n].Environment == "aws://unknown-account/unknown-region" {
			t.Errorf("%s is environment-agnostic; it should target its configured account", n)
		}
		// `cdk deploy` and StackSets need no bootstrap: no bootstrap-version parameter or rule.
		if _, ok := top[n].Template["Rules"]; ok {
			t.Errorf("%s has template rules; the CLI-credentials member template must have none", n)
		}
	}
	// The primary region gets the plain dashboard name; others a region suffix.
	if DashboardName(cfg.Environments[2], "us-east-1") != "BedrockUsageMonitoring-prod" ||
		DashboardName(cfg.Environments[2], "us-west-2") != "BedrockUsageMonitoring-prod-us-west-2" {
		t.Error("dashboard names collide across regions")
	}
}

// TestInvalidConfigurationFailsWithEveryProblemAndNoTemplates runs the app as cdk synth does,
// with the configuration in the context, and checks it exits 1 naming every bad value.
func TestInvalidConfigurationFailsWithEveryProblemAndNoTemplates(t *testing.T) {
	var tree map[string]any
	if err := json.Unmarshal(config.ExampleJSON, &tree); err != nil {
		t.Fatal(err)
	}
	envs := tree["environments"].([]any)
	envs[0].(map[string]any)["account"] = "12345"
	envs[1].(map[string]any)["regions"] = []any{"moon-1"}
	envs[2].(map[string]any)["logRetentionDays"] = 42
	ctx, _ := json.Marshal(map[string]any{config.ContextKey: tree})
	out := t.TempDir()
	// The CDK reads its context in the Node process when it starts, so the app runs in a
	// fresh process of this test binary, as the CDK CLI would run it.
	cmd := exec.Command(os.Args[0], "-test.run=^TestAppProcess$")
	cmd.Env = append(os.Environ(), "BEDROCKGOV_APP_PROCESS=1", "CDK_CONTEXT_JSON="+string(ctx), "CDK_OUTDIR="+out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{`"12345"`, `"moon-1"`, "logRetentionDays: 42", "3 problem(s)", "no templates were written"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not mention %s:\n%s", want, stderr.String())
		}
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".template.json") {
			t.Errorf("template %s written for an invalid configuration", e.Name())
		}
	}
}

// TestAppProcess is the app's main when started by the test above; otherwise it does nothing.
func TestAppProcess(t *testing.T) {
	if os.Getenv("BEDROCKGOV_APP_PROCESS") != "1" {
		t.Skip("runs only as the app subprocess of TestInvalidConfigurationFailsWithEveryProblemAndNoTemplates")
	}
	code := run(nil, os.Stdout, os.Stderr)
	jsii.Close()
	os.Exit(code)
}

func TestFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-example-config"}, &stdout, &stderr); code != 0 || !bytes.Equal(stdout.Bytes(), config.ExampleJSON) {
		t.Errorf("-example-config: code %d, output %d bytes", code, stdout.Len())
	}
	stdout.Reset()
	if code := run([]string{"-help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "bedrockgov:configFile") {
		t.Errorf("-help: code %d: %s", code, stdout.String())
	}
	if code := run([]string{"--bogus"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `"--bogus"`) {
		t.Errorf("unknown flag: code %d: %s", code, stderr.String())
	}
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}
