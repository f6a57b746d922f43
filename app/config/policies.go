package config

import (
	"regexp"
	"strings"

	"github.com/bedrockgov/bedrockgov/tools/bedrockmodels"
)

// Policies is the `policies` section: the AWS Organizations policies the BedrockOrg stack
// deploys from the management account (service control policies and the organization's
// enforced guardrail). Optional: without it no organization policies are deployed.
type Policies struct {
	// Targets are the root ("r-...") or OU ("ou-...-...") IDs (or account IDs) every policy is
	// attached to. At least one.
	Targets []string `json:"targets"`
	// ProtectLogging denies changing the invocation-logging configuration and deleting or
	// weakening its destinations to every role but the platform roles. Default: true.
	ProtectLogging *bool `json:"protectLogging,omitempty"`
	// BreakGlassRoles are IAM role names (wildcards allowed; prefix the path for roles with
	// one, e.g. "aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_*") exempt
	// from the logging protection in every account, besides the platform roles (StackSet
	// execution, logging configuration, CDK deploy roles). Deploying a member stack with
	// `cdk deploy` and your own credentials needs your role here.
	BreakGlassRoles []string `json:"breakGlassRoles,omitempty"`
	// LogBucketPatterns are the log bucket names (wildcards allowed) the logging protection
	// covers. Default: "bedrockgov-logs-*", the member baseline's bucket names.
	LogBucketPatterns []string `json:"logBucketPatterns,omitempty"`
	// LogGroupNames are the log groups the logging protection covers. Default:
	// "/aws/bedrock/modelinvocations".
	LogGroupNames []string `json:"logGroupNames,omitempty"`
	// ApprovedModels are model ID prefixes; inference on any other model is denied, directly
	// and through inference profiles. Empty: no model restriction.
	ApprovedModels []string `json:"approvedModels,omitempty"`
	// ApprovedModelArns are further Bedrock resource ARN patterns inference may use while
	// approvedModels applies: provisioned throughput, custom or imported models, prompt
	// routers. Default: none (those are denied).
	ApprovedModelArns []string `json:"approvedModelArns,omitempty"`
	// ApprovedRegions are the regions Bedrock may be called in. Empty: no region restriction.
	ApprovedRegions []string `json:"approvedRegions,omitempty"`
	// CrossRegionProfiles are geographic inference-profile prefixes ("us", "eu", "apac",
	// "global"...) allowed to route requests from an approved region into other regions.
	CrossRegionProfiles []string `json:"crossRegionProfiles,omitempty"`
	// DenyLongTermAPIKeys denies creating and using long-term Bedrock API keys. Default: true.
	DenyLongTermAPIKeys *bool `json:"denyLongTermApiKeys,omitempty"`
	// MaxSCPs is how many service control policies bedrockgov may attach to each target
	// (1-4; FullAWSAccess takes a fifth slot). Default: 2, leaving two for your own.
	MaxSCPs int `json:"maxScps,omitempty"`
	// OrganizationGuardrail is the guardrail the organization enforces on every Bedrock call in
	// the targets. Optional.
	OrganizationGuardrail *OrganizationGuardrail `json:"organizationGuardrail,omitempty"`
	// SpendAnomaly alerts on unusual spending through AWS Cost Anomaly Detection in the
	// management account. Optional.
	SpendAnomaly *SpendAnomaly `json:"spendAnomaly,omitempty"`
}

// SpendAnomaly configures the organization's Cost Anomaly Detection monitor.
type SpendAnomaly struct {
	// Monitor is "linkedAccount" (each account's spend evaluated on its own) or "services"
	// (the listed services' spend together). Default: "linkedAccount".
	Monitor string `json:"monitor,omitempty"`
	// Services watched by a "services" monitor, as Cost Explorer names them. Default:
	// ["Amazon Bedrock"]; add the Marketplace model services ("Claude Sonnet 4.5 (Amazon
	// Bedrock Edition)"...) that bill separately.
	Services []string `json:"services,omitempty"`
	// ImpactPercentage alerts when an anomaly's impact is at least this percentage of the
	// expected spend. Default: 50.
	ImpactPercentage *float64 `json:"impactPercentage,omitempty"`
	// MinimumImpactDollars additionally requires this absolute impact in USD. Default: 0.
	MinimumImpactDollars *float64 `json:"minimumImpactDollars,omitempty"`
	// AlertEmails receive the critical alerts (at least one).
	AlertEmails []string `json:"alertEmails"`
}

// DefaultMaxSCPs is Policies.MaxSCPs when unset.
const DefaultMaxSCPs = 2

// Logging reports whether the logging protection is on.
func (p *Policies) Logging() bool { return p.ProtectLogging == nil || *p.ProtectLogging }

// DenyKeys reports whether long-term Bedrock API keys are denied.
func (p *Policies) DenyKeys() bool { return p.DenyLongTermAPIKeys == nil || *p.DenyLongTermAPIKeys }

// SCPSlots returns MaxSCPs or its default.
func (p *Policies) SCPSlots() int {
	if p.MaxSCPs == 0 {
		return DefaultMaxSCPs
	}
	return p.MaxSCPs
}

// OrganizationGuardrail is a guardrail the management account owns in each region, enforced on
// the targets by a Bedrock policy (BEDROCK_POLICY).
type OrganizationGuardrail struct {
	// Regions where the guardrail is created and enforced. At least one. The home region's
	// guardrail lives in the BedrockOrg stack, every other region's in
	// BedrockOrgGuardrail-<region>.
	Regions []string `json:"regions"`
	// Name of the guardrail. Default: "bedrockgov-organization".
	Name string `json:"name,omitempty"`
	// Identifiers use existing guardrail versions instead of creating guardrails: region ->
	// "arn:aws:bedrock:<region>:<management account>:guardrail/<id>:<version>".
	Identifiers map[string]string `json:"identifiers,omitempty"`
	// ContentFilterStrength applies to the SEXUAL, VIOLENCE, HATE, INSULTS and MISCONDUCT
	// filters, on input and output: "NONE", "LOW", "MEDIUM" or "HIGH". Default: "HIGH".
	ContentFilterStrength string `json:"contentFilterStrength,omitempty"`
	// PromptAttackStrength is the prompt-attack filter's input strength. Default: "HIGH".
	PromptAttackStrength string `json:"promptAttackStrength,omitempty"`
	// BlockedInputMessage and BlockedOutputMessage are returned when the guardrail blocks.
	BlockedInputMessage  string `json:"blockedInputMessage,omitempty"`
	BlockedOutputMessage string `json:"blockedOutputMessage,omitempty"`
	// SystemPrompts and Messages choose how much of each request the guardrail evaluates:
	// "selective" (only content the caller tags for guarding) or "comprehensive". Defaults:
	// "selective" for system prompts, "comprehensive" for messages.
	SystemPrompts string `json:"systemPrompts,omitempty"`
	Messages      string `json:"messages,omitempty"`
	// IncludedModels are the models the guardrail is enforced on. Default: ["ALL"].
	IncludedModels []string `json:"includedModels,omitempty"`
	// ExcludedModels are exempt from enforcement. Default: none.
	ExcludedModels []string `json:"excludedModels,omitempty"`
}

// Guardrail defaults.
const (
	DefaultGuardrailName           = "bedrockgov-organization"
	DefaultOrgBlockedInputMessage  = "This request was blocked by your organization's Amazon Bedrock guardrail."
	DefaultOrgBlockedOutputMessage = "This response was blocked by your organization's Amazon Bedrock guardrail."
)

var (
	targetRe        = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|[0-9]{12})$`)
	roleNameRe      = regexp.MustCompile(`^[\w+=,.@*?/-]{1,512}$`)
	bucketPatRe     = regexp.MustCompile(`^[a-z0-9.*?-]{1,63}$`)
	modelPrefixRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9.:_-]{1,127}$`)
	modelArnRe      = regexp.MustCompile(`^arn:(aws|aws-us-gov|\*):bedrock:[a-z0-9*-]*:[0-9*]*:[a-z-]+/[A-Za-z0-9.:_*?/-]+$`)
	geoRe           = regexp.MustCompile(`^(us|eu|apac|jp|au|ca|us-gov|global)$`)
	guardrailNameRe = regexp.MustCompile(`^[0-9a-zA-Z_-]{1,50}$`)
	guardedModelRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.:/_-]*$`)
	// GuardrailIdentifierRe is the form a BEDROCK_POLICY identifier must have: a numbered
	// version (never DRAFT) of a guardrail.
	GuardrailIdentifierRe = regexp.MustCompile(`^arn:(aws|aws-us-gov):bedrock:([a-z0-9-]+):([0-9]{12}):guardrail/([a-z0-9]{1,64}):([1-9][0-9]{0,7})$`)
)

func (p *Policies) validate(c *Config, pr *problems) {
	const at = "policies"
	if len(p.Targets) == 0 {
		pr.add("%s.targets: missing; list the root (r-xxxx) or OU IDs (ou-xxxx-xxxxxxxx) the policies attach to (aws organizations list-roots)", at)
	}
	seen := map[string]bool{}
	for i, t := range p.Targets {
		switch {
		case !targetRe.MatchString(t):
			pr.add("%s.targets[%d]: %q is not a root (r-xxxx), OU (ou-xxxx-xxxxxxxx) or 12-digit account ID", at, i, t)
		case seen[t]:
			pr.add("%s.targets[%d]: %q is listed twice", at, i, t)
		}
		seen[t] = true
	}
	if c.Organization.ManagementAccount == "" {
		pr.add("%s: organization.managementAccount is required to deploy organization policies", at)
	}
	each := func(key string, vals []string, ok func(string) bool, hint string) {
		for i, v := range vals {
			if !ok(v) {
				pr.add("%s.%s[%d]: %q %s", at, key, i, v, hint)
			}
		}
	}
	each("breakGlassRoles", p.BreakGlassRoles, roleNameRe.MatchString, "is not an IAM role name or path/name (letters, digits, +=,.@_-/ and the wildcards * ?)")
	each("logBucketPatterns", p.LogBucketPatterns, bucketPatRe.MatchString, "is not an S3 bucket name pattern (lower-case letters, digits, . - and * ?)")
	each("logGroupNames", p.LogGroupNames, func(s string) bool { return s != "" && len(s) <= 512 && !strings.ContainsAny(s, " \"*") }, "is not a CloudWatch Logs log group name")
	each("approvedModels", p.ApprovedModels, modelPrefixRe.MatchString, "is not a Bedrock model ID or prefix such as \"anthropic.claude-3-5-haiku\" (lower case, no profile prefix)")
	each("approvedModelArns", p.ApprovedModelArns, modelArnRe.MatchString, "is not a Bedrock resource ARN pattern such as \"arn:aws:bedrock:*:111122223333:provisioned-model/*\"")
	if len(p.ApprovedModelArns) > 0 && len(p.ApprovedModels) == 0 {
		pr.add("%s.approvedModelArns: set without approvedModels; they only add to the model allow-list", at)
	}
	each("approvedRegions", p.ApprovedRegions, supportedRegion, "is not a known AWS region (for example \"us-east-1\")")
	each("crossRegionProfiles", p.CrossRegionProfiles, geoRe.MatchString, "is not a geographic inference-profile prefix (us, eu, apac, jp, au, ca, us-gov, global)")
	for i, m := range p.ApprovedModels {
		if g := strings.SplitN(m, ".", 2)[0]; geoRe.MatchString(g) {
			pr.add("%s.approvedModels[%d]: %q starts with the profile prefix %q; list the model ID without it and add %q to crossRegionProfiles", at, i, m, g+".", g)
		}
	}
	if len(p.ApprovedRegions) > 0 {
		approved := map[string]bool{}
		for _, r := range p.ApprovedRegions {
			approved[r] = true
		}
		for _, e := range c.Environments {
			for _, r := range e.Regions {
				if supportedRegion(r) && !approved[r] {
					pr.add("%s.approvedRegions: environment %q deploys to %q, which is not approved; the SCPs would deny Bedrock there, including the baseline's logging configuration", at, e.Name, r)
				}
			}
		}
	}
	// A monitored model the SCPs deny never publishes a metric: its alarms would stay OK for ever.
	geos := map[string]bool{}
	for _, g := range p.CrossRegionProfiles {
		geos[g] = true
	}
	for _, e := range c.Environments {
		for j, m := range e.MonitoredModels {
			geo, base := bedrockmodels.SplitProfile(m)
			if strings.HasPrefix(m, "arn:") {
				continue // ARNs are matched by approvedModelArns, not checked here
			}
			if len(p.ApprovedModels) > 0 && !hasPrefix(base, p.ApprovedModels) {
				pr.add("environments (%s).monitoredModels[%d]: %q is not in %s.approvedModels, so the SCPs deny it and its alarms never see data; approve %q or stop monitoring it", e.Name, j, m, at, base)
			}
			if geo != "" && len(p.ApprovedRegions) > 0 && !geos[geo] {
				pr.add("environments (%s).monitoredModels[%d]: %q is a %q inference profile, which %s.crossRegionProfiles does not allow to route across regions; add %q or monitor another profile", e.Name, j, m, geo, at, geo)
			}
		}
	}
	if len(p.CrossRegionProfiles) > 0 && len(p.ApprovedRegions) == 0 {
		pr.add("%s.crossRegionProfiles: set without approvedRegions; the profiles only carve exceptions out of the region restriction", at)
	}
	if p.MaxSCPs < 0 || p.MaxSCPs > 4 {
		pr.add("%s.maxScps: %d must be 1 to 4 (a target holds 5 SCPs, FullAWSAccess included)", at, p.MaxSCPs)
	}
	if g := p.OrganizationGuardrail; g != nil {
		g.validate(at+".organizationGuardrail", c, pr)
		if c.Organization.ID == "" && len(g.Identifiers) < len(g.Regions) {
			pr.add("%s.organizationGuardrail: organization.id is required to share the created guardrails with the organization's accounts", at)
		}
	}
	if s := p.SpendAnomaly; s != nil {
		s.validate(at+".spendAnomaly", pr)
	}
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func (s *SpendAnomaly) validate(at string, pr *problems) {
	switch s.Monitor {
	case "", "linkedAccount", "services":
	default:
		pr.add("%s.monitor: %q must be \"linkedAccount\" or \"services\"", at, s.Monitor)
	}
	if len(s.Services) > 0 && s.Monitor != "services" {
		pr.add("%s.services: only used with \"monitor\": \"services\"", at)
	}
	if v := s.ImpactPercentage; v != nil && (*v <= 0 || *v > 10000) {
		pr.add("%s.impactPercentage: %v must be above 0 and at most 10000", at, *v)
	}
	if v := s.MinimumImpactDollars; v != nil && *v < 0 {
		pr.add("%s.minimumImpactDollars: %v must not be negative", at, *v)
	}
	if len(s.AlertEmails) == 0 {
		pr.add("%s.alertEmails: missing; spend anomalies are critical alerts and need at least one recipient", at)
	}
	for i, e := range s.AlertEmails {
		if !validEmail(e) {
			pr.add("%s.alertEmails[%d]: %q is not a valid email address (expected name@example.com)", at, i, e)
		}
	}
}

func (g *OrganizationGuardrail) validate(at string, c *Config, pr *problems) {
	if len(g.Regions) == 0 {
		pr.add("%s.regions: missing; list the regions where the guardrail is enforced", at)
	}
	seen := map[string]bool{}
	for i, r := range g.Regions {
		switch {
		case !supportedRegion(r):
			pr.add("%s.regions[%d]: %q is not a known AWS region", at, i, r)
		case seen[r]:
			pr.add("%s.regions[%d]: %q is listed twice", at, i, r)
		}
		seen[r] = true
	}
	if g.Name != "" && !guardrailNameRe.MatchString(g.Name) {
		pr.add("%s.name: %q must be 1 to 50 letters, digits, hyphens or underscores", at, g.Name)
	}
	for _, r := range sortedKeys(g.Identifiers) {
		id := g.Identifiers[r]
		m := GuardrailIdentifierRe.FindStringSubmatch(id)
		switch {
		case !seen[r]:
			pr.add("%s.identifiers: region %q is not in regions", at, r)
		case m == nil:
			pr.add("%s.identifiers.%s: %q is not a numbered guardrail version ARN (arn:aws:bedrock:<region>:<account>:guardrail/<id>:<version>; DRAFT is not allowed); a malformed identifier makes every Bedrock call in the targets fail", at, r, id)
		case m[2] != r:
			pr.add("%s.identifiers.%s: %q is in region %s; the guardrail must be in the region it is enforced in", at, r, id, m[2])
		case c.Organization.ManagementAccount != "" && m[3] != c.Organization.ManagementAccount:
			pr.add("%s.identifiers.%s: %q belongs to account %s; organization guardrails must be owned by the management account %s", at, r, id, m[3], c.Organization.ManagementAccount)
		}
	}
	for _, f := range []kv{{"contentFilterStrength", g.ContentFilterStrength}, {"promptAttackStrength", g.PromptAttackStrength}} {
		key, v := f.key, f.value
		switch v {
		case "", "NONE", "LOW", "MEDIUM", "HIGH":
		default:
			pr.add("%s.%s: %q must be NONE, LOW, MEDIUM or HIGH", at, key, v)
		}
	}
	for _, f := range []kv{{"systemPrompts", g.SystemPrompts}, {"messages", g.Messages}} {
		key, v := f.key, f.value
		switch v {
		case "", "selective", "comprehensive":
		default:
			pr.add("%s.%s: %q must be \"selective\" or \"comprehensive\"", at, key, v)
		}
	}
	for _, f := range []kv{{"blockedInputMessage", g.BlockedInputMessage}, {"blockedOutputMessage", g.BlockedOutputMessage}} {
		key, v := f.key, f.value
		if len(v) > 500 {
			pr.add("%s.%s: %d characters; at most 500", at, key, len(v))
		}
	}
	for i, m := range append(append([]string{}, g.IncludedModels...), g.ExcludedModels...) {
		if m != "ALL" && (len(m) > 2048 || !guardedModelRe.MatchString(m)) {
			pr.add("%s: model %d %q is not a model ID, ARN or \"ALL\"", at, i, m)
		}
	}
}

type kv struct{ key, value string }
