package orgpolicies

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbedrock"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// MaxBedrockPolicySize is the largest Bedrock policy (BEDROCK_POLICY) Organizations accepts,
// in characters.
const MaxBedrockPolicySize = 10000

// GuardrailIdentifierRe is the form a Bedrock policy's guardrail identifier must have: the
// ARN of a guardrail followed by a numbered version (never DRAFT). Groups: partition, region,
// account, guardrail ID, version.
var GuardrailIdentifierRe = regexp.MustCompile(`^arn:(aws|aws-us-gov):bedrock:([a-z0-9-]+):([0-9]{12}):guardrail/([a-z0-9]{1,64}):([1-9][0-9]{0,7})$`)

// The content filters a guardrail applies on input and output.
var contentFilters = []string{"HATE", "INSULTS", "MISCONDUCT", "SEXUAL", "VIOLENCE"}

// OrganizationGuardrailProps configures the organization's enforced guardrail in one region.
type OrganizationGuardrailProps struct {
	// Region the guardrail is enforced in: the stack's region (a guardrail must be used in the
	// region it was created in). Required.
	Region string
	// Account is the management account that owns the guardrail (the stack's account).
	// Required.
	Account string
	// Partition of the ARNs. Default: "aws".
	Partition string
	// OrganizationID ("o-...") of the accounts allowed to apply the guardrail. Required unless
	// Identifier is set.
	OrganizationID string
	// Identifier is an existing numbered guardrail version to enforce
	// ("arn:aws:bedrock:<region>:<account>:guardrail/<id>:<version>"). Default: a guardrail and
	// a version are created here.
	Identifier string
	// Name of the created guardrail. Default: "bedrockgov-organization".
	Name string
	// ContentFilterStrength of the SEXUAL, VIOLENCE, HATE, INSULTS and MISCONDUCT filters on
	// input and output: NONE, LOW, MEDIUM or HIGH. Default: HIGH.
	ContentFilterStrength string
	// PromptAttackStrength is the prompt-attack filter's input strength. Default: HIGH.
	PromptAttackStrength string
	// BlockedInputMessage and BlockedOutputMessage are returned when the guardrail blocks.
	// Default: a sentence naming the organization's guardrail.
	BlockedInputMessage, BlockedOutputMessage string
	// SystemPrompts and Messages: "selective" or "comprehensive". Defaults: "selective" for
	// system prompts, "comprehensive" for messages.
	SystemPrompts, Messages string
	// IncludedModels the guardrail is enforced on. Default: ["ALL"].
	IncludedModels []string
	// ExcludedModels exempt from enforcement. Default: none.
	ExcludedModels []string
	// TargetIds are the root, OU or account IDs the Bedrock policy is attached to. Default:
	// none (the policy is created unattached).
	TargetIds []string
	// PolicyName of the Bedrock policy. Default: "bedrockgov-guardrail-<region>".
	PolicyName string
}

// OrganizationGuardrail is the guardrail, its version, its resource policy and the Bedrock
// policy that enforces it.
type OrganizationGuardrail interface {
	constructs.Construct
	// Guardrail is the created guardrail; nil when an existing Identifier is enforced.
	Guardrail() awsbedrock.CfnGuardrail
	// Version is the created numbered version; nil when an existing Identifier is enforced.
	Version() awsbedrock.CfnGuardrailVersion
	// Policy is the BEDROCK_POLICY.
	Policy() awsorganizations.CfnPolicy
}

type organizationGuardrail struct {
	constructs.Construct
	guardrail awsbedrock.CfnGuardrail
	version   awsbedrock.CfnGuardrailVersion
	policy    awsorganizations.CfnPolicy
}

func (g *organizationGuardrail) Guardrail() awsbedrock.CfnGuardrail      { return g.guardrail }
func (g *organizationGuardrail) Version() awsbedrock.CfnGuardrailVersion { return g.version }
func (g *organizationGuardrail) Policy() awsorganizations.CfnPolicy      { return g.policy }

// ConfigName is the key of the guardrail configuration inside the Bedrock policy.
const ConfigName = "bedrockgov"

// BedrockPolicyContent returns the Bedrock policy enforcing identifier in region.
func BedrockPolicyContent(region, identifier, system, messages string, included, excluded []string) map[string]any {
	if included == nil {
		included = []string{"ALL"}
	}
	if excluded == nil {
		excluded = []string{}
	}
	return map[string]any{"bedrock": map[string]any{"guardrail_inference": map[string]any{region: map[string]any{ConfigName: map[string]any{
		"identifier": map[string]any{"@@assign": identifier},
		"selective_content_guarding": map[string]any{
			"system":   map[string]any{"@@assign": system},
			"messages": map[string]any{"@@assign": messages},
		},
		"model_enforcement": map[string]any{
			"included_models": map[string]any{"@@assign": included},
			"excluded_models": map[string]any{"@@assign": excluded},
		},
	}}}}}
}

// ValidateIdentifier checks a literal guardrail identifier's form, region and owner.
func ValidateIdentifier(identifier, region, account string) error {
	m := GuardrailIdentifierRe.FindStringSubmatch(identifier)
	switch {
	case m == nil:
		return fmt.Errorf("guardrail identifier %q is not <guardrail ARN>:<version number> (arn:aws:bedrock:<region>:<account>:guardrail/<id>:<n>, never DRAFT); a malformed identifier makes every Bedrock call in the targets fail", identifier)
	case m[2] != region:
		return fmt.Errorf("guardrail identifier %q is in %s but enforced in %s; a guardrail must be used in its own region", identifier, m[2], region)
	case account != "" && m[3] != account:
		return fmt.Errorf("guardrail identifier %q belongs to account %s, not the management account %s", identifier, m[3], account)
	}
	return nil
}

// NewOrganizationGuardrail creates (or adopts) the guardrail, lets every account of the
// organization apply it, and attaches the Bedrock policy that enforces it. It panics on a
// malformed identifier or option and when the policy exceeds MaxBedrockPolicySize, so
// `cdk synth` fails before anything is deployed.
func NewOrganizationGuardrail(scope constructs.Construct, id string, props *OrganizationGuardrailProps) OrganizationGuardrail {
	if props == nil {
		props = &OrganizationGuardrailProps{}
	}
	p := *props
	var bad []string
	if p.Region == "" || p.Account == "" {
		bad = append(bad, "Region and Account are required")
	}
	if p.Partition == "" {
		p.Partition = "aws"
	}
	if p.Name == "" {
		p.Name = "bedrockgov-organization"
	}
	for _, s := range []*string{&p.ContentFilterStrength, &p.PromptAttackStrength} {
		if *s == "" {
			*s = "HIGH"
		}
		switch *s {
		case "NONE", "LOW", "MEDIUM", "HIGH":
		default:
			bad = append(bad, fmt.Sprintf("filter strength %q is not NONE, LOW, MEDIUM or HIGH", *s))
		}
	}
	if p.SystemPrompts == "" {
		p.SystemPrompts = "selective"
	}
	if p.Messages == "" {
		p.Messages = "comprehensive"
	}
	for _, s := range []string{p.SystemPrompts, p.Messages} {
		if s != "selective" && s != "comprehensive" {
			bad = append(bad, fmt.Sprintf("content guarding %q is not selective or comprehensive", s))
		}
	}
	if p.BlockedInputMessage == "" {
		p.BlockedInputMessage = "This request was blocked by your organization's Amazon Bedrock guardrail."
	}
	if p.BlockedOutputMessage == "" {
		p.BlockedOutputMessage = "This response was blocked by your organization's Amazon Bedrock guardrail."
	}
	if p.Identifier != "" {
		if err := ValidateIdentifier(p.Identifier, p.Region, p.Account); err != nil {
			bad = append(bad, err.Error())
		}
	} else if p.OrganizationID == "" {
		bad = append(bad, "OrganizationID is required to share a created guardrail with the organization")
	}
	if err := ValidateTargets(p.TargetIds); err != nil {
		bad = append(bad, err.Error())
	}
	if len(bad) > 0 {
		panic(fmt.Errorf("organization guardrail %s: %s", p.Region, strings.Join(bad, "; ")))
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	g := &organizationGuardrail{Construct: c}
	identifier := p.Identifier
	if identifier == "" {
		var filters []any
		for _, f := range contentFilters {
			filters = append(filters, &awsbedrock.CfnGuardrail_ContentFilterConfigProperty{
				Type: jsii.String(f), InputStrength: jsii.String(p.ContentFilterStrength), OutputStrength: jsii.String(p.ContentFilterStrength),
			})
		}
		// The prompt-attack filter applies to input only; its output strength must be NONE.
		filters = append(filters, &awsbedrock.CfnGuardrail_ContentFilterConfigProperty{
			Type: jsii.String("PROMPT_ATTACK"), InputStrength: jsii.String(p.PromptAttackStrength), OutputStrength: jsii.String("NONE"),
		})
		g.guardrail = awsbedrock.NewCfnGuardrail(c, jsii.String("Guardrail"), &awsbedrock.CfnGuardrailProps{
			Name:                    jsii.String(p.Name),
			Description:             jsii.String("bedrockgov: the organization's guardrail, enforced on every Bedrock call in the targeted accounts by a Bedrock policy"),
			BlockedInputMessaging:   jsii.String(p.BlockedInputMessage),
			BlockedOutputsMessaging: jsii.String(p.BlockedOutputMessage),
			ContentPolicyConfig:     &awsbedrock.CfnGuardrail_ContentPolicyConfigProperty{FiltersConfig: filters},
		})
		// A new version is created whenever the guardrail's settings change (the description
		// carries their hash, so the version resource is replaced), and old versions are
		// retained: the Bedrock policy moves to the new version before anything is removed.
		sum := sha256.Sum256(Minified([]any{p.Name, p.ContentFilterStrength, p.PromptAttackStrength, p.BlockedInputMessage, p.BlockedOutputMessage}))
		g.version = awsbedrock.NewCfnGuardrailVersion(c, jsii.String("Version"), &awsbedrock.CfnGuardrailVersionProps{
			GuardrailIdentifier: g.guardrail.AttrGuardrailId(),
			Description:         jsii.String("bedrockgov settings " + hex.EncodeToString(sum[:8])),
		})
		g.version.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
		awsbedrock.NewCfnResourcePolicy(c, jsii.String("ResourcePolicy"), &awsbedrock.CfnResourcePolicyProps{
			ResourceArn:    g.guardrail.AttrGuardrailArn(),
			PolicyDocument: GuardrailResourcePolicy(*g.guardrail.AttrGuardrailArn(), p.OrganizationID),
		})
		identifier = *awscdk.Fn_Join(jsii.String(":"), jsii.Strings(*g.version.AttrGuardrailArn(), *g.version.AttrVersion()))
	}
	content := BedrockPolicyContent(p.Region, identifier, p.SystemPrompts, p.Messages, p.IncludedModels, p.ExcludedModels)
	// Measured with the identifier at its longest form (the token resolves at deploy time).
	probe := BedrockPolicyContent(p.Region, fmt.Sprintf("arn:%s:bedrock:%s:%s:guardrail/%s:%d", p.Partition, p.Region, p.Account, strings.Repeat("x", 12), 99999999),
		p.SystemPrompts, p.Messages, p.IncludedModels, p.ExcludedModels)
	if n := len(Minified(probe)); n > MaxBedrockPolicySize {
		panic(fmt.Errorf("bedrock policy %s is %d characters, over the %d-character limit; exclude or include fewer models", policyName(p), n, MaxBedrockPolicySize))
	}
	g.policy = awsorganizations.NewCfnPolicy(c, jsii.String("BedrockPolicy"), &awsorganizations.CfnPolicyProps{
		Name:        jsii.String(policyName(p)),
		Type:        jsii.String("BEDROCK_POLICY"),
		Description: jsii.String("bedrockgov: enforces the organization's guardrail on Bedrock calls in " + p.Region),
		Content:     content,
		TargetIds:   jsii.Strings(p.TargetIds...),
	})
	return g
}

func policyName(p OrganizationGuardrailProps) string {
	if p.PolicyName != "" {
		return p.PolicyName
	}
	return "bedrockgov-guardrail-" + p.Region
}

// GuardrailResourcePolicy lets every principal of the organization apply the guardrail (the
// caller's own identity policy must allow bedrock:ApplyGuardrail too).
func GuardrailResourcePolicy(guardrailArn, orgID string) map[string]any {
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "OrganizationAppliesGuardrail",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": "*"},
			"Action":    "bedrock:ApplyGuardrail",
			"Resource":  guardrailArn,
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": orgID}},
		}},
	}
}
