package config

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExampleIsValid(t *testing.T) {
	c := Example()
	if err := c.Validate(); err != nil {
		t.Fatalf("built-in example is invalid: %v", err)
	}
	if got := len(c.Environments); got != 3 {
		t.Fatalf("example has %d environments, want dev, staging and prod", got)
	}
	for _, e := range c.Environments {
		if e.TerminationProtected() != (e.Name == "prod") {
			t.Errorf("environment %s: termination protection %v", e.Name, e.TerminationProtected())
		}
	}
	// Protection is on unless an environment opts out.
	if !(Environment{Name: "production"}).TerminationProtected() {
		t.Error("termination protection must default to on")
	}
}

// mutate returns the example as a generic JSON tree, changed by f, re-encoded.
func mutate(t *testing.T, f func(envs []any)) []byte {
	t.Helper()
	var tree map[string]any
	if err := json.Unmarshal(ExampleJSON, &tree); err != nil {
		t.Fatal(err)
	}
	f(tree["environments"].([]any))
	out, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func env(envs []any, i int) map[string]any { return envs[i].(map[string]any) }

func TestEachBadValueIsNamed(t *testing.T) {
	cases := []struct {
		name string
		f    func(envs []any)
		want []string // substrings that must all appear in the error
	}{
		{"account not 12 digits", func(e []any) { env(e, 0)["account"] = "12345" },
			[]string{`environments[0] (dev).account: "12345" is not a 12-digit AWS account ID`}},
		{"account with letters", func(e []any) { env(e, 0)["account"] = "11111111111a" },
			[]string{`"11111111111a" is not a 12-digit`}},
		{"unknown region", func(e []any) { env(e, 1)["regions"] = []any{"us-east-1", "mars-north-1"} },
			[]string{`environments[1] (staging).regions[1]: "mars-north-1" is not a known AWS region`}},
		{"invalid email", func(e []any) {
			env(e, 2)["alertEmails"].(map[string]any)["warning"] = []any{"not-an-email"}
		}, []string{`environments[2] (prod).alertEmails.warning[0]: "not-an-email" is not a valid email address`}},
		{"zero threshold", func(e []any) { env(e, 0)["thresholds"].(map[string]any)["latencyP90Ms"] = 0 },
			[]string{`environments[0] (dev).thresholds.latencyP90Ms: 0 must be greater than zero`}},
		{"negative threshold", func(e []any) { env(e, 0)["thresholds"].(map[string]any)["throttlesPer5Min"] = -5 },
			[]string{`thresholds.throttlesPer5Min: -5 must be greater than zero`}},
		{"retention CloudWatch does not accept", func(e []any) { env(e, 0)["logRetentionDays"] = 45 },
			[]string{`environments[0] (dev).logRetentionDays: 45 is not a retention CloudWatch Logs accepts`}},
		{"missing environment field", func(e []any) { delete(env(e, 1), "account") },
			[]string{`environments[1] (staging).account: missing`}},
		{"extra tags", func(e []any) {
			env(e, 0)["tags"].(map[string]any)["extra"] = map[string]any{"aws:x": "y", "team": "a\x00b"}
		}, []string{`environments[0] (dev).tags.extra: key "aws:x" is not a valid tag key`,
			`environments[0] (dev).tags.extra.team: "a\x00b" is not a valid tag value`}},
		{"missing name", func(e []any) { delete(env(e, 1), "name") },
			[]string{`environments[1].name: missing`}},
		{"duplicate environments", func(e []any) { env(e, 1)["name"] = "dev" },
			[]string{`environments[1] (dev).name: duplicate environment "dev", already defined at environments[0]`}},
		{"duplicate account and region", func(e []any) { env(e, 1)["account"] = "111111111111" },
			[]string{`account 111111111111 region us-east-1 is already used by environment "dev"`}},
		{"lifecycle out of order", func(e []any) {
			env(e, 0)["lifecycle"] = map[string]any{"infrequentAccessDays": 10, "glacierDays": 5, "expirationDays": 3}
		}, []string{"infrequentAccessDays: 10 must be at least 30", "glacierDays: 5 must be at least 30 days after infrequentAccessDays (10)", "expirationDays: 3 must be greater"}},
		// S3 rejects a Glacier transition less than 30 days after the Standard-IA one.
		{"glacier too soon after standard-ia", func(e []any) {
			env(e, 0)["lifecycle"] = map[string]any{"infrequentAccessDays": 30, "glacierDays": 45, "expirationDays": 365}
		}, []string{"lifecycle.glacierDays: 45 must be at least 30 days after infrequentAccessDays (30)", "use 60 or more"}},
		{"profile-only model by its base id", func(e []any) {
			env(e, 2)["monitoredModels"] = []any{"anthropic.claude-sonnet-4-20250514-v1:0"}
		}, []string{`environments[2] (prod).monitoredModels[0]: "anthropic.claude-sonnet-4-20250514-v1:0" can only be invoked through an inference profile`,
			`"us.anthropic.claude-sonnet-4-20250514-v1:0" or "global.anthropic.claude-sonnet-4-20250514-v1:0"`}},
		{"object lock longer than expiry", func(e []any) { env(e, 0)["objectLockDays"] = 400 },
			[]string{`environments[0] (dev).objectLockDays: 400 is longer than lifecycle.expirationDays (365)`}},
		{"unknown logging owner", func(e []any) { env(e, 0)["loggingOwner"] = "me" },
			[]string{`environments[0] (dev).loggingOwner: "me" must be "stack"`}},
		{"missing tag", func(e []any) { delete(env(e, 2)["tags"].(map[string]any), "costCenter") },
			[]string{`environments[2] (prod).tags.costCenter: missing`}},
		{"duplicate email", func(e []any) {
			env(e, 0)["alertEmails"].(map[string]any)["critical"] = []any{"a@example.com", "A@example.com"}
		}, []string{`alertEmails.critical[1]: "A@example.com" is listed twice`}},
		{"duplicate model", func(e []any) {
			env(e, 0)["monitoredModels"] = []any{"amazon.nova-micro-v1:0", "amazon.nova-micro-v1:0"}
		},
			[]string{`monitoredModels[1]: "amazon.nova-micro-v1:0" is listed twice`}},
		{"no monitored models", func(e []any) { delete(env(e, 0), "monitoredModels") },
			[]string{`environments[0] (dev).monitoredModels: missing`}},
		{"model id too long for an alarm name", func(e []any) { env(e, 0)["monitoredModels"] = []any{strings.Repeat("a", 161)} },
			[]string{`monitoredModels[0]:`, "at most 160 characters"}},
		{"china region", func(e []any) { env(e, 0)["regions"] = []any{"cn-north-1"} },
			[]string{`"cn-north-1" is not a known AWS region`}},
		{"no critical recipient", func(e []any) { env(e, 0)["alertEmails"].(map[string]any)["critical"] = []any{} },
			[]string{`alertEmails.critical: missing`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(mutate(t, tc.f))
			if err == nil {
				t.Fatal("invalid configuration accepted")
			}
			if _, ok := AsValidationError(err); !ok {
				t.Fatalf("want a ValidationError, got %T: %v", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not name the problem %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	data := mutate(t, func(e []any) {
		env(e, 0)["account"] = "123"
		env(e, 0)["regions"] = []any{"nowhere-1"}
		env(e, 1)["logRetentionDays"] = 2
		env(e, 2)["thresholds"].(map[string]any)["serverErrorsPer5Min"] = -1
		env(e, 2)["alertEmails"].(map[string]any)["info"] = []any{"finops at example"}
	})
	_, err := Parse(data)
	v, ok := AsValidationError(err)
	if !ok {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	if len(v.Problems) != 5 {
		t.Fatalf("want exactly 5 problems, got %d:\n%v", len(v.Problems), err)
	}
	for _, w := range []string{`"123"`, `"nowhere-1"`, "logRetentionDays: 2", "serverErrorsPer5Min: -1", `"finops at example"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %s", w)
		}
	}
}

func TestUnknownKeyAndBadTypeRejected(t *testing.T) {
	data := mutate(t, func(e []any) { env(e, 0)["retention"] = 30 })
	if _, err := Parse(data); err == nil || !strings.Contains(err.Error(), `unknown field "retention"`) {
		t.Fatalf("a misspelt key must be rejected by name, got %v", err)
	}
	data = mutate(t, func(e []any) { env(e, 0)["logRetentionDays"] = "thirty" })
	if _, err := Parse(data); err == nil || !strings.Contains(err.Error(), "logRetentionDays") {
		t.Fatalf("a wrong type must be rejected naming the key, got %v", err)
	}
	// A type error does not hide the other problems.
	data = mutate(t, func(e []any) {
		env(e, 0)["account"] = 111111111111
		env(e, 1)["regions"] = []any{"moon-1"}
	})
	_, err := Parse(data)
	if v, ok := AsValidationError(err); !ok || !containsAll(err.Error(), "environments.account: a JSON number where a string is expected", `"moon-1"`) || len(v.Problems) < 2 {
		t.Fatalf("want the type error and the bad region together, got %v", err)
	}
	if _, err := Parse([]byte(`{"organization": {`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("truncated JSON: %v", err)
	}
}

func TestFromContext(t *testing.T) {
	c, example, err := FromContext(nil, nil)
	if err != nil || !example || c.Organization.Name != "example-org" {
		t.Fatalf("no context must yield the example: %v %v", example, err)
	}
	var inline any
	if err := json.Unmarshal(ExampleJSON, &inline); err != nil {
		t.Fatal(err)
	}
	inline.(map[string]any)["organization"].(map[string]any)["name"] = "acme"
	c, example, err = FromContext(inline, nil)
	if err != nil || example || c.Organization.Name != "acme" {
		t.Fatalf("inline context not used: %v %v", example, err)
	}
	if _, _, err := FromContext(nil, "/does/not/exist.json"); err == nil || !strings.Contains(err.Error(), FileContextKey) {
		t.Fatalf("missing file must name the context key, got %v", err)
	}
	if _, _, err := FromContext(`{"organization":{"name":"x"},"environments":[]}`, nil); err == nil {
		t.Fatal("empty environment list accepted")
	}
}

func TestTagsMap(t *testing.T) {
	m := Tags{CostCenter: "a", DataClassification: "b", ComplianceRequirement: "c", Extra: map[string]string{"Team": "ml"}}.Map()
	want := map[string]string{"CostCenter": "a", "DataClassification": "b", "ComplianceRequirement": "c", "Team": "ml"}
	if len(m) != len(want) {
		t.Fatalf("got %v", m)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("tag %s = %q, want %q", k, m[k], v)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
