// Package guardrail provides an Amazon Bedrock guardrail with a numbered version, encrypted with
// a customer-managed KMS key, optionally enforced on every inference call of the account in the
// stack's region, plus the CloudWatch alarm and dashboard widgets over the AWS/Bedrock/Guardrails
// metrics.
package guardrail

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbedrock"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Valid values of the props.
var (
	ContentTypes   = []string{"SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT"}
	Strengths      = []string{"NONE", "LOW", "MEDIUM", "HIGH"}
	PIIActions     = []string{"BLOCK", "ANONYMIZE"}
	GuardingModes  = []string{"SELECTIVE", "COMPREHENSIVE"}
	PromptAttack   = "PROMPT_ATTACK"
	ProfanityList  = "PROFANITY"
	DefaultName    = "bedrockgov"
	DefaultInput   = "This request was blocked by your organization's AI usage policy."
	DefaultOutput  = "The response was blocked by your organization's AI usage policy."
	DefaultMessage = "COMPREHENSIVE"
	DefaultSystem  = "SELECTIVE"
)

// DeniedTopic is a topic the guardrail blocks in prompts and responses.
type DeniedTopic struct {
	Name       string
	Definition string
	Examples   []string
}

// Enforcement applies the guardrail to every Bedrock inference call of the account in the
// stack's region (AWS::Bedrock::EnforcedGuardrailConfiguration; one per account and region).
type Enforcement struct {
	// Messages: guarding of user messages, SELECTIVE or COMPREHENSIVE. Default COMPREHENSIVE.
	Messages *string
	// System: guarding of system prompts, SELECTIVE or COMPREHENSIVE. Default SELECTIVE.
	System *string
	// IncludedModels the guardrail is enforced on. Default ["ALL"].
	IncludedModels []string
	// ExcludedModels are exempt (a model in both lists is excluded). Default none.
	ExcludedModels []string
}

// GuardrailProps configures Guardrail. nil is valid: a guardrail with only the prompt-attack
// filter (HIGH).
type GuardrailProps struct {
	// Name of the guardrail, unique in the account and region. Default "bedrockgov".
	Name *string
	// ContentFilters maps a category (ContentTypes) to a strength (Strengths) applied to prompts
	// and responses. Default: none.
	ContentFilters map[string]string
	// PromptAttackStrength filters prompt attacks in prompts (AWS applies this filter to input
	// only; its output strength is NONE). Default "HIGH"; "NONE" leaves it out.
	PromptAttackStrength *string
	// PIIEntities maps a PII entity type to BLOCK or ANONYMIZE, in prompts and responses.
	// Default: none.
	PIIEntities map[string]string
	// DeniedTopics are blocked in prompts and responses. Default: none.
	DeniedTopics []DeniedTopic
	// ProfanityFilter blocks AWS's managed profanity word list. Default false.
	ProfanityFilter bool
	// BlockedInputMessage is returned for a blocked prompt. Default DefaultInput.
	BlockedInputMessage *string
	// BlockedOutputMessage is returned for a blocked response. Default DefaultOutput.
	BlockedOutputMessage *string
	// EncryptionKey encrypts the guardrail. Its policy gets a statement letting principals of
	// this account use it through Bedrock in this region only (kms:ViaService), as creating and
	// applying an encrypted guardrail needs. Default: a new key with rotation.
	EncryptionKey awskms.IKey
	// Enforce, when set, enforces the guardrail's version account-wide in the stack's region.
	// Default: not enforced.
	Enforce *Enforcement
}

// Guardrail is a Bedrock guardrail and its numbered version.
type Guardrail interface {
	constructs.IConstruct
	// Scope is the guardrail's construct, to nest related constructs (alarms, parameters) under.
	Scope() constructs.Construct
	// Resource is the guardrail.
	Resource() awsbedrock.CfnGuardrail
	// VersionResource is the numbered version.
	VersionResource() awsbedrock.CfnGuardrailVersion
	// GuardrailID, GuardrailArn and Version identify what applications pass to Bedrock.
	GuardrailID() *string
	GuardrailArn() *string
	Version() *string
	// Key encrypts the guardrail.
	Key() awskms.IKey
	// Enforced is the account-level enforcement, or nil.
	Enforced() awsbedrock.CfnEnforcedGuardrailConfiguration
}

type guardrail struct {
	constructs.Construct
	res      awsbedrock.CfnGuardrail
	version  awsbedrock.CfnGuardrailVersion
	key      awskms.IKey
	enforced awsbedrock.CfnEnforcedGuardrailConfiguration
	arn, id  *string
	ver      *string
}

func (g *guardrail) Scope() constructs.Construct                            { return g.Construct }
func (g *guardrail) Resource() awsbedrock.CfnGuardrail                      { return g.res }
func (g *guardrail) VersionResource() awsbedrock.CfnGuardrailVersion        { return g.version }
func (g *guardrail) GuardrailID() *string                                   { return g.id }
func (g *guardrail) GuardrailArn() *string                                  { return g.arn }
func (g *guardrail) Version() *string                                       { return g.ver }
func (g *guardrail) Key() awskms.IKey                                       { return g.key }
func (g *guardrail) Enforced() awsbedrock.CfnEnforcedGuardrailConfiguration { return g.enforced }

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

func sorted(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func str(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// NewGuardrail creates the guardrail, a numbered version of its current configuration, and
// (with Enforce) the account-level enforcement of that version.
func NewGuardrail(scope constructs.Construct, id string, props *GuardrailProps) Guardrail {
	if props == nil {
		props = &GuardrailProps{}
	}
	pa := str(props.PromptAttackStrength, "HIGH")
	if !oneOf(pa, Strengths) {
		panic(fmt.Sprintf("guardrail: PromptAttackStrength %q is not one of %v", pa, Strengths))
	}
	var filters []any
	for _, t := range sorted(props.ContentFilters) {
		s := props.ContentFilters[t]
		if !oneOf(t, ContentTypes) {
			panic(fmt.Sprintf("guardrail: content filter %q is not one of %v (set the prompt-attack filter with PromptAttackStrength)", t, ContentTypes))
		}
		if !oneOf(s, Strengths) {
			panic(fmt.Sprintf("guardrail: content filter %s strength %q is not one of %v", t, s, Strengths))
		}
		filters = append(filters, &awsbedrock.CfnGuardrail_ContentFilterConfigProperty{
			Type: jsii.String(t), InputStrength: jsii.String(s), OutputStrength: jsii.String(s),
			InputAction: jsii.String("BLOCK"), OutputAction: jsii.String("BLOCK"),
			InputEnabled: jsii.Bool(s != "NONE"), OutputEnabled: jsii.Bool(s != "NONE"),
		})
	}
	if pa != "NONE" {
		// AWS applies the prompt-attack filter to prompts only: its output strength must be NONE.
		filters = append(filters, &awsbedrock.CfnGuardrail_ContentFilterConfigProperty{
			Type: jsii.String(PromptAttack), InputStrength: jsii.String(pa), OutputStrength: jsii.String("NONE"),
			InputAction: jsii.String("BLOCK"), InputEnabled: jsii.Bool(true),
		})
	}
	var pii []any
	for _, t := range sorted(props.PIIEntities) {
		a := props.PIIEntities[t]
		if !oneOf(a, PIIActions) {
			panic(fmt.Sprintf("guardrail: PII entity %s action %q is not BLOCK or ANONYMIZE", t, a))
		}
		pii = append(pii, &awsbedrock.CfnGuardrail_PiiEntityConfigProperty{
			Type: jsii.String(t), Action: jsii.String(a),
			InputAction: jsii.String(a), OutputAction: jsii.String(a),
			InputEnabled: jsii.Bool(true), OutputEnabled: jsii.Bool(true),
		})
	}
	var topics []any
	for _, t := range props.DeniedTopics {
		tc := &awsbedrock.CfnGuardrail_TopicConfigProperty{
			Name: jsii.String(t.Name), Definition: jsii.String(t.Definition), Type: jsii.String("DENY"),
			InputAction: jsii.String("BLOCK"), OutputAction: jsii.String("BLOCK"),
			InputEnabled: jsii.Bool(true), OutputEnabled: jsii.Bool(true),
		}
		if len(t.Examples) > 0 {
			tc.Examples = jsii.Strings(t.Examples...)
		}
		topics = append(topics, tc)
	}
	if len(filters) == 0 && len(pii) == 0 && len(topics) == 0 && !props.ProfanityFilter {
		panic("guardrail: no policy configured (content filters, prompt attack, PII, denied topics or profanity); Bedrock rejects an empty guardrail")
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	g := &guardrail{Construct: c, key: props.EncryptionKey}
	if g.key == nil {
		g.key = awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
			Description:       jsii.String("Encrypts the Amazon Bedrock guardrail"),
			EnableKeyRotation: jsii.Bool(true),
			PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
		})
	}
	// Creating, versioning and applying an encrypted guardrail makes Bedrock use the key on the
	// caller's behalf (the Bedrock guide's guardrail key policy: kms:Decrypt, kms:GenerateDataKey,
	// kms:DescribeKey, kms:CreateGrant). Principals of this account may do so through Bedrock in
	// this region only; the grants are for Bedrock itself.
	viaBedrock := map[string]any{
		"kms:CallerAccount": *stack.Account(),
		"kms:ViaService":    fmt.Sprintf("bedrock.%s.amazonaws.com", *stack.Region()),
	}
	g.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowBedrockGuardrailsUseInThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": viaBedrock},
	}), jsii.Bool(false))
	g.key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowBedrockGuardrailsGrantsInThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": viaBedrock,
			"Bool":         map[string]any{"kms:GrantIsForAWSResource": "true"},
		},
	}), jsii.Bool(false))

	cp := &awsbedrock.CfnGuardrailProps{
		Name:                    jsii.String(str(props.Name, DefaultName)),
		Description:             jsii.String("bedrockgov guardrail: content, prompt-attack, PII, topic and word filters from the organization's configuration"),
		BlockedInputMessaging:   jsii.String(str(props.BlockedInputMessage, DefaultInput)),
		BlockedOutputsMessaging: jsii.String(str(props.BlockedOutputMessage, DefaultOutput)),
		KmsKeyArn:               g.key.KeyArn(),
	}
	if len(filters) > 0 {
		cp.ContentPolicyConfig = &awsbedrock.CfnGuardrail_ContentPolicyConfigProperty{FiltersConfig: &filters}
	}
	if len(pii) > 0 {
		cp.SensitiveInformationPolicyConfig = &awsbedrock.CfnGuardrail_SensitiveInformationPolicyConfigProperty{PiiEntitiesConfig: &pii}
	}
	if len(topics) > 0 {
		cp.TopicPolicyConfig = &awsbedrock.CfnGuardrail_TopicPolicyConfigProperty{TopicsConfig: &topics}
	}
	if props.ProfanityFilter {
		cp.WordPolicyConfig = &awsbedrock.CfnGuardrail_WordPolicyConfigProperty{
			ManagedWordListsConfig: &[]any{&awsbedrock.CfnGuardrail_ManagedWordsConfigProperty{Type: jsii.String(ProfanityList)}},
		}
	}
	g.res = awsbedrock.NewCfnGuardrail(c, jsii.String("Guardrail"), cp)

	// A version is a snapshot: a new one is needed whenever the configuration changes. The
	// description carries a digest of the configuration, so a change replaces the version
	// resource (a new number); the replaced version is kept for callers still pinned to it.
	digest := configDigest(props, pa)
	g.version = awsbedrock.NewCfnGuardrailVersion(c, jsii.String("Version"), &awsbedrock.CfnGuardrailVersionProps{
		GuardrailIdentifier: g.res.AttrGuardrailId(),
		Description:         jsii.String("bedrockgov configuration " + digest),
	})
	g.version.CfnOptions().SetUpdateReplacePolicy(awscdk.CfnDeletionPolicy_RETAIN)
	// Deleting the guardrail (stack deletion) deletes every version with it.
	g.version.CfnOptions().SetDeletionPolicy(awscdk.CfnDeletionPolicy_RETAIN)
	g.arn, g.id, g.ver = g.res.AttrGuardrailArn(), g.res.AttrGuardrailId(), g.version.AttrVersion()

	if en := props.Enforce; en != nil {
		msg, sys := str(en.Messages, DefaultMessage), str(en.System, DefaultSystem)
		if !oneOf(msg, GuardingModes) || !oneOf(sys, GuardingModes) {
			panic(fmt.Sprintf("guardrail: Enforce.Messages %q and Enforce.System %q must be SELECTIVE or COMPREHENSIVE", msg, sys))
		}
		included := en.IncludedModels
		if len(included) == 0 {
			included = []string{"ALL"}
		}
		excluded := en.ExcludedModels
		if excluded == nil {
			excluded = []string{}
		}
		g.enforced = awsbedrock.NewCfnEnforcedGuardrailConfiguration(c, jsii.String("Enforcement"), &awsbedrock.CfnEnforcedGuardrailConfigurationProps{
			GuardrailIdentifier:      g.arn,
			GuardrailVersion:         g.ver,
			SelectiveContentGuarding: &awsbedrock.CfnEnforcedGuardrailConfiguration_SelectiveContentGuardingProperty{Messages: jsii.String(msg), System: jsii.String(sys)},
			ModelEnforcement:         &awsbedrock.CfnEnforcedGuardrailConfiguration_ModelEnforcementProperty{IncludedModels: jsii.Strings(included...), ExcludedModels: jsii.Strings(excluded...)},
		})
	}
	return g
}

// configDigest is a short digest of everything that shapes the guardrail's behaviour.
func configDigest(p *GuardrailProps, promptAttack string) string {
	doc := map[string]any{
		"content": p.ContentFilters, "promptAttack": promptAttack, "pii": p.PIIEntities,
		"topics": p.DeniedTopics, "profanity": p.ProfanityFilter,
		"in": str(p.BlockedInputMessage, DefaultInput), "out": str(p.BlockedOutputMessage, DefaultOutput),
	}
	b, _ := json.Marshal(doc) // maps marshal with sorted keys
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}
