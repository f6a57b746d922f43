// Package bedrockmodels holds facts about Amazon Bedrock model IDs that both the CDK app and
// the tools need: the geographic prefixes of cross-region inference profiles, and the models
// that can only be invoked through an inference profile (their metrics and log records carry
// the profile ID, never the base model ID). It has no dependencies.
package bedrockmodels

import "strings"

// GeoPrefixes are the prefixes of system-defined cross-region inference profile IDs
// ("us.anthropic.claude-sonnet-4-20250514-v1:0"), longest first so "us-gov." wins over "us.".
var GeoPrefixes = []string{"us-gov.", "global.", "apac.", "eu.", "us.", "jp.", "au.", "ca."}

// SplitProfile returns the geographic prefix of a cross-region inference profile ID (without
// the dot) and the base model ID; prefix is "" for a plain model ID.
func SplitProfile(id string) (prefix, base string) {
	for _, p := range GeoPrefixes {
		if strings.HasPrefix(id, p) {
			return strings.TrimSuffix(p, "."), id[len(p):]
		}
	}
	return "", id
}

// profileOnly are base-model ID prefixes of models AWS offers only through inference profiles
// (Amazon Bedrock User Guide, "Supported Regions and models for inference profiles"; models
// whose on-demand base ID is not invocable). The list errs on the side of models known for
// certain; a model missing here is simply not checked.
var profileOnly = []string{
	"anthropic.claude-3-7-sonnet-",
	"anthropic.claude-sonnet-4",
	"anthropic.claude-opus-4",
	"anthropic.claude-haiku-4",
	"meta.llama3-2-",
	"meta.llama3-3-",
	"meta.llama4-",
	"amazon.nova-premier-",
	"deepseek.r1-",
	"mistral.pixtral-large-",
}

// ProfileOnly reports whether id is the base ID of a model that can only be invoked through an
// inference profile, so no metric or log record ever carries it.
func ProfileOnly(id string) bool {
	if p, _ := SplitProfile(id); p != "" || strings.HasPrefix(id, "arn:") {
		return false
	}
	for _, p := range profileOnly {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// GeoPrefixForRegion is the geographic inference-profile prefix that serves a region ("us" for
// us-east-1, "eu" for eu-west-1, "apac" for ap-southeast-2 ...), or "" when none is known.
func GeoPrefixForRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "us-gov"
	case strings.HasPrefix(region, "us-"):
		return "us"
	case strings.HasPrefix(region, "eu-"):
		return "eu"
	case strings.HasPrefix(region, "ap-"):
		return "apac"
	case strings.HasPrefix(region, "ca-"):
		return "ca"
	}
	return ""
}
