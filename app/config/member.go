package config

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// The member-account additions of an environment: a Bedrock guardrail, a monthly budget and
// private (VPC interface) endpoints. Each section is optional; an absent section creates nothing.

// Guardrail configures the environment's Amazon Bedrock guardrail (one per region, with a
// numbered version).
type Guardrail struct {
	// ContentFilters maps a harmful-content category (SEXUAL, VIOLENCE, HATE, INSULTS,
	// MISCONDUCT) to a filter strength (NONE, LOW, MEDIUM, HIGH) applied to prompts and
	// responses. Categories left out are not filtered.
	ContentFilters map[string]string `json:"contentFilters,omitempty"`
	// PromptAttack is the strength of the prompt-attack (jailbreak, prompt injection) filter on
	// prompts; AWS applies it to input only. Default "HIGH"; "NONE" turns it off.
	PromptAttack string `json:"promptAttack,omitempty"`
	// PIIEntities maps a PII entity type (EMAIL, US_SOCIAL_SECURITY_NUMBER ...) to BLOCK or
	// ANONYMIZE.
	PIIEntities map[string]string `json:"piiEntities,omitempty"`
	// DeniedTopics are topics the guardrail blocks in prompts and responses.
	DeniedTopics []DeniedTopic `json:"deniedTopics,omitempty"`
	// ProfanityFilter blocks words of AWS's managed profanity list. Default false.
	ProfanityFilter bool `json:"profanityFilter,omitempty"`
	// BlockedInputMessage is returned when a prompt is blocked. Default: DefaultBlockedInputMessage.
	BlockedInputMessage string `json:"blockedInputMessage,omitempty"`
	// BlockedOutputMessage is returned when a response is blocked. Default: DefaultBlockedOutputMessage.
	BlockedOutputMessage string `json:"blockedOutputMessage,omitempty"`
	// InterventionsPer5Min: critical alarm when the guardrail intervenes more often than this in
	// five minutes. Default 10.
	InterventionsPer5Min float64 `json:"interventionsPer5Min,omitempty"`
	// Enforce applies the guardrail to every Bedrock inference call of the account in each of
	// the environment's regions (AWS::Bedrock::EnforcedGuardrailConfiguration). Default: not enforced.
	Enforce *GuardrailEnforcement `json:"enforce,omitempty"`
}

// DeniedTopic is a topic a guardrail blocks.
type DeniedTopic struct {
	// Name (1-100 letters, digits, spaces and -_!?.).
	Name string `json:"name"`
	// Definition describes the topic for the classifier (1-200 characters).
	Definition string `json:"definition"`
	// Examples are up to 5 sample prompts of the topic (each 1-100 characters).
	Examples []string `json:"examples,omitempty"`
}

// GuardrailEnforcement is the account-level enforcement of the environment's guardrail.
type GuardrailEnforcement struct {
	// Messages: how user messages are guarded, SELECTIVE or COMPREHENSIVE. Default COMPREHENSIVE.
	Messages string `json:"messages,omitempty"`
	// System: how system prompts are guarded, SELECTIVE or COMPREHENSIVE. Default SELECTIVE.
	System string `json:"system,omitempty"`
	// IncludedModels the enforcement applies to. Default ["ALL"].
	IncludedModels []string `json:"includedModels,omitempty"`
	// ExcludedModels are exempt (a model in both lists is excluded). Default none.
	ExcludedModels []string `json:"excludedModels,omitempty"`
}

// Defaults of the guardrail section.
const (
	DefaultBlockedInputMessage  = "This request was blocked by your organization's AI usage policy."
	DefaultBlockedOutputMessage = "The response was blocked by your organization's AI usage policy."
	DefaultPromptAttack         = "HIGH"
	DefaultInterventionsPer5Min = 10
)

// Budget configures the environment's monthly AWS Budgets cost budget. A budget is
// account-wide, so only the environment's first region creates it.
type Budget struct {
	// MonthlyLimitUSD is the monthly amount in US dollars (greater than zero).
	MonthlyLimitUSD float64 `json:"monthlyLimitUsd"`
	// Scope is "bedrock" (default: only the services in Services) or "account" (every charge
	// of the account, which also covers models billed through AWS Marketplace).
	Scope string `json:"scope,omitempty"`
	// Services are extra Cost Explorer service names counted with scope "bedrock", for example
	// Marketplace-billed models such as "Claude Sonnet 4.5 (Amazon Bedrock Edition)".
	// "Amazon Bedrock" is always included.
	Services []string `json:"services,omitempty"`
}

// Budget scopes.
const (
	BudgetScopeBedrock = "bedrock"
	BudgetScopeAccount = "account"
)

// BedrockServiceName is the Cost Explorer service name of Bedrock's own charges.
const BedrockServiceName = "Amazon Bedrock"

// BudgetServices returns the Cost Explorer services the budget counts, or nil for the whole
// account.
func (b Budget) BudgetServices() []string {
	if b.Scope == BudgetScopeAccount {
		return nil
	}
	out := []string{BedrockServiceName}
	for _, s := range b.Services {
		if s != BedrockServiceName {
			out = append(out, s)
		}
	}
	return out
}

// VPCEndpoints configures interface endpoints so that Bedrock is reachable from a VPC
// without internet access. Everything is given by ID: no lookups.
type VPCEndpoints struct {
	// VpcID is the VPC ("vpc-" and hex digits).
	VpcID string `json:"vpcId"`
	// SubnetIDs are the subnets the endpoint network interfaces go in (one per Availability Zone).
	SubnetIDs []string `json:"subnetIds"`
	// SecurityGroupIDs control who reaches the endpoints (they must admit HTTPS, port 443).
	SecurityGroupIDs []string `json:"securityGroupIds"`
	// Services are the Bedrock endpoints to create: "bedrock-runtime" (inference) and "bedrock"
	// (control plane). Default both.
	Services []string `json:"services,omitempty"`
	// Region restricts the endpoints to one region of the environment (a VPC lives in one
	// region). Default: the environment's first region.
	Region string `json:"region,omitempty"`
}

// EndpointServices are the Bedrock endpoint service suffixes this tool can create.
var EndpointServices = []string{"bedrock-runtime", "bedrock"}

// EndpointServiceList returns the services to create endpoints for.
func (v VPCEndpoints) EndpointServiceList() []string {
	if len(v.Services) == 0 {
		return append([]string(nil), EndpointServices...)
	}
	return v.Services
}

// EndpointRegion returns the region the endpoints are created in.
func (v VPCEndpoints) EndpointRegion(e Environment) string {
	if v.Region != "" || len(e.Regions) == 0 {
		return v.Region
	}
	return e.Regions[0]
}

// ComplianceRulesEnabled reports whether the environment gets the AWS Config rules; they need
// an AWS Config recorder in every account and region (AWS Control Tower provides one).
func (e Environment) ComplianceRulesEnabled() bool {
	return e.ComplianceRules == nil || *e.ComplianceRules
}

// GuardrailContentTypes are the content-filter categories besides PROMPT_ATTACK.
var GuardrailContentTypes = []string{"SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT"}

// GuardrailStrengths are the filter strengths.
var GuardrailStrengths = []string{"NONE", "LOW", "MEDIUM", "HIGH"}

// PIIActions are the actions a guardrail can take on a PII entity.
var PIIActions = []string{"BLOCK", "ANONYMIZE"}

// PIIEntityTypes are the PII entity types Bedrock Guardrails detect (the API's
// GuardrailPiiEntityType enumeration).
var PIIEntityTypes = []string{
	"ADDRESS", "AGE", "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "CA_HEALTH_NUMBER",
	"CA_SOCIAL_INSURANCE_NUMBER", "CREDIT_DEBIT_CARD_CVV", "CREDIT_DEBIT_CARD_EXPIRY",
	"CREDIT_DEBIT_CARD_NUMBER", "DRIVER_ID", "EMAIL", "INTERNATIONAL_BANK_ACCOUNT_NUMBER",
	"IP_ADDRESS", "LICENSE_PLATE", "MAC_ADDRESS", "NAME", "PASSWORD", "PHONE", "PIN",
	"SWIFT_CODE", "UK_NATIONAL_HEALTH_SERVICE_NUMBER", "UK_NATIONAL_INSURANCE_NUMBER",
	"UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER", "URL", "USERNAME", "US_BANK_ACCOUNT_NUMBER",
	"US_BANK_ROUTING_NUMBER", "US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER", "US_PASSPORT_NUMBER",
	"US_SOCIAL_SECURITY_NUMBER", "VEHICLE_IDENTIFICATION_NUMBER",
}

// GuardingModes are the enforced-guardrail content-guarding modes.
var GuardingModes = []string{"SELECTIVE", "COMPREHENSIVE"}

var (
	vpcIDRe    = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	subnetIDRe = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	sgIDRe     = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	topicRe    = regexp.MustCompile(`^[0-9A-Za-z_ !?.-]{1,100}$`)
)

// validateMember checks the guardrail, budget and VPC endpoint sections of an environment.
func (e *Environment) validateMember(at string, p *problems) {
	if g := e.Guardrail; g != nil {
		g.validate(at+".guardrail", p)
	}
	if b := e.Budget; b != nil {
		b.validate(at+".budget", p)
	}
	if v := e.VPCEndpoints; v != nil {
		v.validate(at+".vpcEndpoints", e, p)
	}
}

// validateMemberOrg checks what the member additions need from the organization section.
func (c *Config) validateMemberOrg(p *problems) {
	for i, e := range c.Environments {
		if e.VPCEndpoints != nil && c.Organization.ID == "" {
			p.add("environments[%d] (%s).vpcEndpoints: the endpoint policy admits only principals of the organization; set organization.id (\"o-...\", see `aws organizations describe-organization`)", i, e.Name)
		}
	}
}

func (g *Guardrail) validate(at string, p *problems) {
	for _, k := range sortedKeys(g.ContentFilters) {
		v := g.ContentFilters[k]
		switch {
		case k == "PROMPT_ATTACK":
			p.add("%s.contentFilters.PROMPT_ATTACK: set the prompt-attack filter with %s.promptAttack (it applies to prompts only)", at, at)
		case !oneOf(k, GuardrailContentTypes):
			p.add("%s.contentFilters: %q is not a content-filter category; use %s", at, k, strings.Join(GuardrailContentTypes, ", "))
		case !oneOf(v, GuardrailStrengths):
			p.add("%s.contentFilters.%s: %q is not a filter strength; use %s", at, k, v, strings.Join(GuardrailStrengths, ", "))
		}
	}
	if g.PromptAttack != "" && !oneOf(g.PromptAttack, GuardrailStrengths) {
		p.add("%s.promptAttack: %q is not a filter strength; use %s", at, g.PromptAttack, strings.Join(GuardrailStrengths, ", "))
	}
	for _, k := range sortedKeys(g.PIIEntities) {
		v := g.PIIEntities[k]
		if !oneOf(k, PIIEntityTypes) {
			p.add("%s.piiEntities: %q is not a PII entity type Bedrock Guardrails detect (for example EMAIL, PHONE, US_SOCIAL_SECURITY_NUMBER, CREDIT_DEBIT_CARD_NUMBER)", at, k)
		} else if !oneOf(v, PIIActions) {
			p.add("%s.piiEntities.%s: %q is not an action; use BLOCK or ANONYMIZE", at, k, v)
		}
	}
	seen := map[string]bool{}
	for j, t := range g.DeniedTopics {
		tat := fmt.Sprintf("%s.deniedTopics[%d]", at, j)
		switch {
		case !topicRe.MatchString(t.Name):
			p.add("%s.name: %q must be 1-100 letters, digits, spaces and -_!?.", tat, t.Name)
		case seen[strings.ToLower(t.Name)]:
			p.add("%s.name: %q is listed twice", tat, t.Name)
		}
		seen[strings.ToLower(t.Name)] = true
		if n := len(t.Definition); n == 0 || n > 200 {
			p.add("%s.definition: must be 1-200 characters (has %d)", tat, n)
		}
		if len(t.Examples) > 5 {
			p.add("%s.examples: %d examples; at most 5", tat, len(t.Examples))
		}
		for k, ex := range t.Examples {
			if n := len(ex); n == 0 || n > 100 {
				p.add("%s.examples[%d]: must be 1-100 characters (has %d)", tat, k, n)
			}
		}
	}
	if len(g.DeniedTopics) > 30 {
		p.add("%s.deniedTopics: %d topics; a guardrail holds at most 30", at, len(g.DeniedTopics))
	}
	for _, m := range []struct{ key, v string }{{"blockedInputMessage", g.BlockedInputMessage}, {"blockedOutputMessage", g.BlockedOutputMessage}} {
		if len(m.v) > 500 {
			p.add("%s.%s: %d characters; at most 500", at, m.key, len(m.v))
		}
	}
	if g.InterventionsPer5Min < 0 || math.IsNaN(g.InterventionsPer5Min) {
		p.add("%s.interventionsPer5Min: %v must be greater than zero (or left out for %d)", at, g.InterventionsPer5Min, DefaultInterventionsPer5Min)
	}
	if !g.hasPolicy() {
		p.add("%s: the guardrail has no policy; set contentFilters, piiEntities, deniedTopics or profanityFilter, or a promptAttack other than NONE", at)
	}
	if en := g.Enforce; en != nil {
		for _, m := range []struct{ key, v string }{{"messages", en.Messages}, {"system", en.System}} {
			if m.v != "" && !oneOf(m.v, GuardingModes) {
				p.add("%s.enforce.%s: %q is not a guarding mode; use SELECTIVE or COMPREHENSIVE", at, m.key, m.v)
			}
		}
		for _, l := range []struct {
			key string
			v   []string
		}{{"includedModels", en.IncludedModels}, {"excludedModels", en.ExcludedModels}} {
			for j, m := range l.v {
				if m != "ALL" && (!modelRe.MatchString(m) || len(m) > 2048) {
					p.add("%s.enforce.%s[%d]: %q is not a Bedrock model ID or ARN (or \"ALL\")", at, l.key, j, m)
				}
			}
		}
	}
}

// hasPolicy reports whether the guardrail would filter anything (CreateGuardrail rejects an
// empty guardrail).
func (g *Guardrail) hasPolicy() bool {
	if len(g.PIIEntities) > 0 || len(g.DeniedTopics) > 0 || g.ProfanityFilter || g.PromptAttackStrength() != "NONE" {
		return true
	}
	for _, v := range g.ContentFilters {
		if v != "NONE" {
			return true
		}
	}
	return false
}

// PromptAttackStrength returns the prompt-attack filter strength.
func (g Guardrail) PromptAttackStrength() string {
	if g.PromptAttack == "" {
		return DefaultPromptAttack
	}
	return g.PromptAttack
}

// InterventionThreshold returns the intervention alarm threshold.
func (g Guardrail) InterventionThreshold() float64 {
	if g.InterventionsPer5Min == 0 {
		return DefaultInterventionsPer5Min
	}
	return g.InterventionsPer5Min
}

func (b *Budget) validate(at string, p *problems) {
	if b.MonthlyLimitUSD <= 0 || math.IsNaN(b.MonthlyLimitUSD) || math.IsInf(b.MonthlyLimitUSD, 0) {
		p.add("%s.monthlyLimitUsd: %v must be a dollar amount greater than zero", at, b.MonthlyLimitUSD)
	} else if b.MonthlyLimitUSD > 1e9 {
		p.add("%s.monthlyLimitUsd: %v is above 1,000,000,000; check the amount", at, b.MonthlyLimitUSD)
	}
	switch b.Scope {
	case "", BudgetScopeBedrock, BudgetScopeAccount:
	default:
		p.add("%s.scope: %q must be %q (Bedrock services only) or %q (every charge of the account)", at, b.Scope, BudgetScopeBedrock, BudgetScopeAccount)
	}
	if b.Scope == BudgetScopeAccount && len(b.Services) > 0 {
		p.add("%s.services: only used with scope %q; scope %q already counts every service", at, BudgetScopeBedrock, BudgetScopeAccount)
	}
	seen := map[string]bool{}
	for j, s := range b.Services {
		switch {
		case strings.TrimSpace(s) == "" || len(s) > 200:
			p.add("%s.services[%d]: %q must be a Cost Explorer service name (1-200 characters) such as \"Claude Sonnet 4.5 (Amazon Bedrock Edition)\"", at, j, s)
		case seen[s]:
			p.add("%s.services[%d]: %q is listed twice", at, j, s)
		}
		seen[s] = true
	}
}

func (v *VPCEndpoints) validate(at string, e *Environment, p *problems) {
	if !vpcIDRe.MatchString(v.VpcID) {
		p.add("%s.vpcId: %q is not a VPC ID (\"vpc-\" and 8 or 17 hex digits)", at, v.VpcID)
	}
	if len(v.SubnetIDs) == 0 {
		p.add("%s.subnetIds: missing; list the subnets (one per Availability Zone) the endpoints go in", at)
	}
	checkIDs(p, at+".subnetIds", v.SubnetIDs, subnetIDRe, "subnet ID (\"subnet-\" and 8 or 17 hex digits)")
	if len(v.SecurityGroupIDs) == 0 {
		p.add("%s.securityGroupIds: missing; list the security groups that admit HTTPS (443) from your clients", at)
	}
	if len(v.SecurityGroupIDs) > 5 {
		p.add("%s.securityGroupIds: %d groups; an endpoint takes at most 5", at, len(v.SecurityGroupIDs))
	}
	checkIDs(p, at+".securityGroupIds", v.SecurityGroupIDs, sgIDRe, "security group ID (\"sg-\" and 8 or 17 hex digits)")
	seen := map[string]bool{}
	for j, s := range v.Services {
		switch {
		case !oneOf(s, EndpointServices):
			p.add("%s.services[%d]: %q is not a supported endpoint; use %s", at, j, s, strings.Join(EndpointServices, ", "))
		case seen[s]:
			p.add("%s.services[%d]: %q is listed twice", at, j, s)
		}
		seen[s] = true
	}
	if v.Region != "" && !oneOf(v.Region, e.Regions) {
		p.add("%s.region: %q is not one of the environment's regions (%s)", at, v.Region, strings.Join(e.Regions, ", "))
	}
}

func checkIDs(p *problems, at string, ids []string, re *regexp.Regexp, what string) {
	seen := map[string]bool{}
	for j, id := range ids {
		switch {
		case !re.MatchString(id):
			p.add("%s[%d]: %q is not a %s", at, j, id, what)
		case seen[id]:
			p.add("%s[%d]: %q is listed twice", at, j, id)
		}
		seen[id] = true
	}
}

func oneOf(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
