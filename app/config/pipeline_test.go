package config

import (
	"encoding/json"
	"strings"
	"testing"
)

// withPipeline returns the example with its pipeline section changed by f.
func withPipeline(t *testing.T, f func(p map[string]any)) []byte {
	t.Helper()
	var tree map[string]any
	if err := json.Unmarshal(ExampleJSON, &tree); err != nil {
		t.Fatal(err)
	}
	f(tree["pipeline"].(map[string]any))
	out, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPipelineBadValuesAreNamed(t *testing.T) {
	cases := []struct {
		name string
		f    func(p map[string]any)
		want []string
	}{
		{"missing account", func(p map[string]any) { delete(p, "account") },
			[]string{"pipeline.account: missing"}},
		{"bad account", func(p map[string]any) { p["account"] = "4444" },
			[]string{`pipeline.account: "4444" is not a 12-digit AWS account ID`}},
		{"unknown region", func(p map[string]any) { p["region"] = "us-moon-1" },
			[]string{`pipeline.region: "us-moon-1" is not a known AWS region`}},
		{"missing connection", func(p map[string]any) { delete(p, "connectionArn") },
			[]string{"pipeline.connectionArn: missing"}},
		{"token instead of connection", func(p map[string]any) { p["connectionArn"] = "ghp_abcdef" },
			[]string{`pipeline.connectionArn: "ghp_abcdef" is not an AWS CodeConnections connection ARN`}},
		{"connection ARN of another service", func(p map[string]any) {
			p["connectionArn"] = "arn:aws:codecommit:us-east-1:444444444444:connection/0b5e6f1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
		}, []string{`pipeline.connectionArn: "arn:aws:codecommit:`}},
		{"repository without owner", func(p map[string]any) { p["repository"] = "bedrockgov" },
			[]string{`pipeline.repository: "bedrockgov" is not "owner/name"`}},
		{"repository URL", func(p map[string]any) { p["repository"] = "https://example.com/o/r" },
			[]string{`pipeline.repository: "https://example.com/o/r" is not`}},
		{"branch with spaces", func(p map[string]any) { p["branch"] = "my branch" },
			[]string{`pipeline.branch: "my branch" is not a valid branch name`}},
		{"branch with ..", func(p map[string]any) { p["branch"] = "a..b" },
			[]string{`pipeline.branch: "a..b" is not a valid branch name`}},
		{"approval of an unknown environment", func(p map[string]any) { p["approvalBefore"] = []any{"prod", "production"} },
			[]string{`pipeline.approvalBefore[1]: "production" is not an environment`}},
		{"approval listed twice", func(p map[string]any) { p["approvalBefore"] = []any{"prod", "prod"} },
			[]string{`pipeline.approvalBefore[1]: "prod" is listed twice`}},
		{"unknown key", func(p map[string]any) { p["githubToken"] = "x" },
			[]string{`unknown field "githubToken"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(withPipeline(t, tc.f))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestPipelineProblemsReportedTogether(t *testing.T) {
	_, err := Parse(withPipeline(t, func(p map[string]any) {
		p["account"] = "1"
		p["repository"] = "x"
		p["approvalBefore"] = []any{"qa"}
	}))
	v, ok := AsValidationError(err)
	if !ok || len(v.Problems) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
}

func TestPipelineDefaults(t *testing.T) {
	c := Example()
	if c.Pipeline == nil {
		t.Fatal("the example has no pipeline section; make synth would not show the pipeline")
	}
	p := *c.Pipeline
	p.Region, p.Branch, p.ApprovalBefore = "", "", nil
	if p.RegionOr(Organization{HomeRegion: "eu-west-1"}) != "eu-west-1" || p.BranchOr() != "main" {
		t.Errorf("defaults: region %q branch %q", p.RegionOr(Organization{HomeRegion: "eu-west-1"}), p.BranchOr())
	}
	// Without approvalBefore, protected environments (prod in the example) wait for a person.
	for _, e := range c.Environments {
		if p.NeedsApproval(e) != (e.Name == "prod") {
			t.Errorf("%s: default approval %v", e.Name, p.NeedsApproval(e))
		}
	}
	p.ApprovalBefore = []string{"staging"}
	if !p.NeedsApproval(c.Environments[1]) || p.NeedsApproval(c.Environments[2]) {
		t.Error("approvalBefore does not replace the default")
	}
	// Both ARN service prefixes are accepted.
	for _, arn := range []string{
		"arn:aws:codestar-connections:us-east-1:444444444444:connection/0b5e6f1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
		"arn:aws-us-gov:codeconnections:us-gov-west-1:444444444444:connection/0b5e6f1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
	} {
		if _, err := Parse(withPipeline(t, func(m map[string]any) { m["connectionArn"] = arn })); err != nil {
			t.Errorf("%s rejected: %v", arn, err)
		}
	}
}
