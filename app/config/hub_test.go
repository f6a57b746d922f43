package config

import (
	"encoding/json"
	"strings"
	"testing"
)

// mutateTree returns the example as a generic JSON tree, changed by f, re-encoded.

func hubOf(tree map[string]any) map[string]any { return tree["hub"].(map[string]any) }

func TestExampleHub(t *testing.T) {
	c := Example()
	if c.Hub == nil || c.Hub.Home() != "us-east-1" || !c.Hub.HasRegion("us-west-2") || c.Hub.HasRegion("eu-west-1") {
		t.Fatalf("example hub: %+v", c.Hub)
	}
	if c.Hub.Schedule() != DefaultWeeklySummarySchedule || c.Hub.Athena.ResultsExpiration() != 30 || !c.Hub.TerminationProtected() {
		t.Errorf("hub defaults: schedule %q, results %d days, protected %v", c.Hub.Schedule(), c.Hub.Athena.ResultsExpiration(), c.Hub.TerminationProtected())
	}
	if c.HubKeyPrefix() != DefaultLogKeyPrefix {
		t.Errorf("hub key prefix %q", c.HubKeyPrefix())
	}
	// A configuration without a hub stays valid (single-account users).
	var tree map[string]any
	_ = json.Unmarshal(ExampleJSON, &tree)
	delete(tree, "hub")
	delete(tree, "policies")
	delete(tree, "stackSets")
	delete(tree["organization"].(map[string]any), "id")
	// Everything else that needs the organization ID goes too.
	for _, e := range tree["environments"].([]any) {
		delete(e.(map[string]any), "vpcEndpoints")
	}
	data, _ := json.Marshal(tree)
	if _, err := Parse(data); err != nil {
		t.Errorf("configuration without hub: %v", err)
	}
}

func TestHubBadValuesAreNamed(t *testing.T) {
	cases := []struct {
		name string
		f    func(tree map[string]any)
		want []string
	}{
		{"hub needs the organization id", func(tr map[string]any) { delete(tr["organization"].(map[string]any), "id") },
			[]string{"organization.id: missing; the hub admits only this organization's accounts"}},
		// S3 rejects a Glacier transition less than 30 days after the Standard-IA one.
		{"archive glacier too soon after standard-ia", func(tr map[string]any) {
			hubOf(tr)["archive"].(map[string]any)["infrequentAccessDays"] = 30
			hubOf(tr)["archive"].(map[string]any)["glacierDays"] = 45
		}, []string{"hub.archive.glacierDays: 45 must be at least 30 days after infrequentAccessDays (30)", "use 60 or more"}},
		{"account", func(tr map[string]any) { hubOf(tr)["account"] = "4444" },
			[]string{`hub.account: "4444" is not a 12-digit AWS account ID`}},
		{"missing regions", func(tr map[string]any) { hubOf(tr)["regions"] = []any{} },
			[]string{"hub.regions: missing"}},
		{"unknown and duplicate region", func(tr map[string]any) {
			hubOf(tr)["regions"] = []any{"us-east-1", "us-west-2", "mars-1", "us-west-2"}
		}, []string{`hub.regions[2]: "mars-1" is not a known AWS region`, `hub.regions[3]: "us-west-2" is listed twice`}},
		{"partition mix", func(tr map[string]any) { hubOf(tr)["regions"] = []any{"us-east-1", "us-west-2", "us-gov-west-1"} },
			[]string{`hub.regions[2]: "us-gov-west-1" is in partition`}},
		{"member region without archive", func(tr map[string]any) { hubOf(tr)["regions"] = []any{"us-east-1"} },
			[]string{`environments[2] (prod).regions[1]: "us-west-2" has no hub archive; add it to hub.regions`}},
		{"stack set region without archive", func(tr map[string]any) {
			ss := tr["stackSets"].(map[string]any)["profiles"].([]any)
			ss[0].(map[string]any)["regions"] = []any{"us-east-1", "eu-central-1"}
		}, []string{`stackSets.profiles[0].regions[1]: "eu-central-1" has no hub archive; add it to hub.regions`}},
		{"different key prefixes named", func(tr map[string]any) {
			envs := tr["environments"].([]any)
			envs[1].(map[string]any)["logKeyPrefix"] = "staging-logs"
			envs[2].(map[string]any)["logKeyPrefix"] = "prod/logs"
		}, []string{`logKeyPrefix must be the same in every environment`, `environments[1] (staging) uses "staging-logs"`, `environments[2] (prod) uses "prod/logs"`}},
		{"object lock", func(tr map[string]any) { hubOf(tr)["archive"].(map[string]any)["objectLockDays"] = 0 },
			[]string{"hub.archive.objectLockDays: 0 must be between 1 and 36500"}},
		{"expiry before lock ends", func(tr map[string]any) {
			hubOf(tr)["archive"] = map[string]any{"objectLockDays": 400, "infrequentAccessDays": 30, "glacierDays": 90, "expirationDays": 365}
		}, []string{"hub.archive.expirationDays: 365 is shorter than objectLockDays (400)"}},
		{"transitions", func(tr map[string]any) {
			hubOf(tr)["archive"] = map[string]any{"objectLockDays": 10, "infrequentAccessDays": 20, "glacierDays": 20, "expirationDays": 15}
		}, []string{"hub.archive.infrequentAccessDays: 20 must be at least 30", "hub.archive.glacierDays: 20 must be at least 30 days after infrequentAccessDays (20)", "hub.archive.expirationDays: 15 must come after the last transition (day 20)"}},
		{"athena cutoff", func(tr map[string]any) {
			hubOf(tr)["athena"] = map[string]any{"bytesScannedCutoffMB": 5, "resultsExpirationDays": -1}
		},
			[]string{"hub.athena.bytesScannedCutoffMB: 5 must be at least 10", "hub.athena.resultsExpirationDays: -1 must be at least 1"}},
		{"recipients", func(tr map[string]any) {
			hubOf(tr)["alertEmails"] = map[string]any{"critical": []any{}, "info": []any{"x"}}
		}, []string{"hub.alertEmails.critical: missing", `hub.alertEmails.info[0]: "x" is not a valid email address`}},
		{"sink arns", func(tr map[string]any) {
			hubOf(tr)["oamSinkArns"] = map[string]any{
				"eu-west-1": "arn:aws:oam:eu-west-1:444444444444:sink/00000000-0000-4000-8000-000000000000",
				"us-east-1": "arn:aws:oam:us-west-2:444444444444:sink/00000000-0000-4000-8000-000000000000",
				"us-west-2": "not-an-arn",
			}
		}, []string{`hub.oamSinkArns.eu-west-1: "eu-west-1" is not a hub region`, `hub.oamSinkArns.us-east-1: "arn:aws:oam:us-west-2:444444444444:sink/00000000-0000-4000-8000-000000000000" is in region us-west-2`, `hub.oamSinkArns.us-west-2: "not-an-arn" is not an OAM sink ARN`}},
		{"sink of another account", func(tr map[string]any) {
			hubOf(tr)["oamSinkArns"] = map[string]any{"us-east-1": "arn:aws:oam:us-east-1:555555555555:sink/00000000-0000-4000-8000-000000000000"}
		}, []string{`belongs to account 555555555555, not the hub account 444444444444`}},
		{"schedule", func(tr map[string]any) { hubOf(tr)["weeklySummarySchedule"] = "every monday" },
			[]string{`hub.weeklySummarySchedule: "every monday" is not an EventBridge Scheduler expression`}},
		{"tags", func(tr map[string]any) { hubOf(tr)["tags"] = map[string]any{"aws:x": "y"} },
			[]string{`hub.tags: key "aws:x" is not a valid tag key`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(mutateTree(t, tc.f))
			if err == nil {
				t.Fatal("configuration accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestHubProblemsReportedTogether(t *testing.T) {
	_, err := Parse(mutateTree(t, func(tr map[string]any) {
		hubOf(tr)["account"] = ""
		hubOf(tr)["archive"] = map[string]any{}
		hubOf(tr)["athena"] = map[string]any{}
		tr["environments"].([]any)[0].(map[string]any)["account"] = "1"
	}))
	v, ok := AsValidationError(err)
	if !ok {
		t.Fatalf("want a validation error, got %v", err)
	}
	for _, w := range []string{"hub.account: missing", "hub.archive.objectLockDays", "hub.athena.bytesScannedCutoffMB", "environments[0] (dev).account"} {
		found := false
		for _, p := range v.Problems {
			found = found || strings.Contains(p, w)
		}
		if !found {
			t.Errorf("no problem mentions %q: %v", w, v.Problems)
		}
	}
}
