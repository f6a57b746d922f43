package bedrockmodels

import "testing"

func TestProfileOnly(t *testing.T) {
	for id, want := range map[string]bool{
		"anthropic.claude-sonnet-4-20250514-v1:0":                                  true,
		"anthropic.claude-3-7-sonnet-20250219-v1:0":                                true,
		"anthropic.claude-sonnet-4-5-20250929-v1:0":                                true,
		"us.anthropic.claude-sonnet-4-20250514-v1:0":                               false,
		"global.anthropic.claude-sonnet-4-20250514-v1:0":                           false,
		"anthropic.claude-3-5-haiku-20241022-v1:0":                                 false,
		"amazon.nova-micro-v1:0":                                                   false,
		"meta.llama3-3-70b-instruct-v1:0":                                          true,
		"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc": false,
	} {
		if got := ProfileOnly(id); got != want {
			t.Errorf("ProfileOnly(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestSplitProfile(t *testing.T) {
	for id, want := range map[string][2]string{
		"us.amazon.nova-pro-v1:0":     {"us", "amazon.nova-pro-v1:0"},
		"us-gov.amazon.nova-pro-v1:0": {"us-gov", "amazon.nova-pro-v1:0"},
		"amazon.nova-pro-v1:0":        {"", "amazon.nova-pro-v1:0"},
	} {
		if p, b := SplitProfile(id); p != want[0] || b != want[1] {
			t.Errorf("SplitProfile(%q) = %q, %q", id, p, b)
		}
	}
}
