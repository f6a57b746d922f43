package config

import (
	"fmt"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/bedrockgov/bedrockgov/tools/awsregions"
	"github.com/bedrockgov/bedrockgov/tools/bedrockmodels"
)

// maxModelIDLen keeps per-model alarm names within CloudWatch's 255 characters.
const maxModelIDLen = 160

// RetentionDays are the retention periods CloudWatch Logs accepts.
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var (
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
	nameRe    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	orgNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,31}$`)
	orgIDRe   = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	// S3 key prefixes: no leading or trailing slash, safe characters only.
	prefixRe = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$`)
	// Model IDs as they appear in the ModelId dimension: ids, profile ids and ARNs.
	modelRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.:/_-]{0,255}$`)
	tagRe   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// Validate checks the whole configuration and reports every problem at once.
func (c *Config) Validate() error {
	var p problems
	if c.Organization.Name == "" {
		p.add("organization.name: missing; set a short name such as \"example-org\"")
	} else if !orgNameRe.MatchString(c.Organization.Name) {
		p.add("organization.name: %q must start with a letter and use only letters, digits and hyphens (at most 32)", c.Organization.Name)
	}
	if o := c.Organization; o.ID != "" && !orgIDRe.MatchString(o.ID) {
		p.add("organization.id: %q is not an AWS Organizations ID (\"o-\" and 10 to 32 lower-case letters or digits, see `aws organizations describe-organization`)", o.ID)
	}
	if o := c.Organization; o.ManagementAccount != "" && !accountRe.MatchString(o.ManagementAccount) {
		p.add("organization.managementAccount: %q is not a 12-digit AWS account ID", o.ManagementAccount)
	}
	if o := c.Organization; o.HomeRegion != "" && !supportedRegion(o.HomeRegion) {
		p.add("organization.homeRegion: %q is not a known AWS region (for example \"us-east-1\")", o.HomeRegion)
	}
	if len(c.Environments) == 0 {
		p.add("environments: missing; define at least one environment (see README \"Configuration\")")
	}
	names := map[string]int{}
	targets := map[string]string{}
	for i := range c.Environments {
		e := &c.Environments[i]
		at := fmt.Sprintf("environments[%d]", i)
		if e.Name != "" {
			at = fmt.Sprintf("environments[%d] (%s)", i, e.Name)
			if j, dup := names[e.Name]; dup {
				p.add("%s.name: duplicate environment %q, already defined at environments[%d]; names must be unique", at, e.Name, j)
			} else {
				names[e.Name] = i
			}
		}
		e.validate(at, &p)
		for _, r := range e.Regions {
			key := e.Account + "/" + r
			if other, dup := targets[key]; dup && e.Account != "" {
				p.add("%s: account %s region %s is already used by environment %q; each account and region can hold one member baseline", at, e.Account, r, other)
			} else {
				targets[key] = e.Name
			}
		}
	}
	c.validateMemberOrg(&p)
	if c.Hub != nil {
		c.Hub.validate(c, &p)
	}
	if c.Policies != nil {
		c.Policies.validate(c, &p)
	}
	if c.StackSets != nil {
		c.StackSets.validate(c, &p)
	}
	if c.Pipeline != nil {
		c.Pipeline.validate(c, "pipeline", &p)
	}
	if len(p) > 0 {
		return &ValidationError{Problems: p}
	}
	return nil
}

func (e *Environment) validate(at string, p *problems) {
	switch {
	case e.Name == "":
		p.add("%s.name: missing; set a lower-case name such as \"dev\"", at)
	case !nameRe.MatchString(e.Name):
		p.add("%s.name: %q must be lower-case letters, digits and hyphens, starting with a letter (at most 20)", at, e.Name)
	}
	p.account(at+".account", e.Account, "set the 12-digit AWS account ID")
	p.regions(at+".regions", e.Regions, "list at least one region such as \"us-east-1\"")
	p.alertEmails(at+".alertEmails", e.AlertEmails, "critical alarms need at least one recipient")
	t := e.Thresholds
	for _, th := range []struct {
		key string
		v   float64
	}{
		{"throttlesPer5Min", t.ThrottlesPer5Min},
		{"serverErrorsPer5Min", t.ServerErrorsPer5Min},
		{"clientErrorRatePercent", t.ClientErrorRatePercent},
		{"latencyP90Ms", t.LatencyP90Ms},
		{"tokenAnomalyStdDevs", t.TokenAnomalyStdDevs},
	} {
		if th.v <= 0 {
			p.add("%s.thresholds.%s: %v must be greater than zero (missing keys count as 0)", at, th.key, th.v)
		}
	}
	if t.ClientErrorRatePercent > 100 {
		p.add("%s.thresholds.clientErrorRatePercent: %v is a percentage and must be at most 100", at, t.ClientErrorRatePercent)
	}
	if len(e.MonitoredModels) == 0 {
		p.add("%s.monitoredModels: missing; list at least one model ID (the ModelId metric dimension, for example \"amazon.nova-micro-v1:0\") to get client-error-rate, p90-latency and token-anomaly alarms", at)
	}
	seenModel := map[string]bool{}
	for j, m := range e.MonitoredModels {
		switch {
		case !modelRe.MatchString(m) || len(m) > maxModelIDLen:
			p.add("%s.monitoredModels[%d]: %q is not a Bedrock model ID of at most %d characters (for example \"amazon.nova-micro-v1:0\")", at, j, m, maxModelIDLen)
		case seenModel[m]:
			p.add("%s.monitoredModels[%d]: %q is listed twice", at, j, m)
		case bedrockmodels.ProfileOnly(m):
			p.add("%s.monitoredModels[%d]: %q can only be invoked through an inference profile, so its metrics carry the profile ID and an alarm on the base ID never receives data; monitor the profile IDs your callers use instead, for example %s", at, j, m, profileSuggestions(m, e.Regions))
		}
		seenModel[m] = true
	}
	if len(e.MonitoredModels) > 20 {
		p.add("%s.monitoredModels: %d models; at most 20 get per-model alarms (account-wide alarms cover every model)", at, len(e.MonitoredModels))
	}
	if !validRetention(e.LogRetentionDays) {
		p.add("%s.logRetentionDays: %d is not a retention CloudWatch Logs accepts; use one of %s", at, e.LogRetentionDays, joinInts(RetentionDays))
	}
	l := e.Lifecycle
	if l.InfrequentAccessDays < 30 {
		p.add("%s.lifecycle.infrequentAccessDays: %d must be at least 30 (S3 Standard-IA minimum)", at, l.InfrequentAccessDays)
	}
	if l.GlacierDays < l.InfrequentAccessDays+30 {
		p.add("%s.lifecycle.glacierDays: %d must be at least 30 days after infrequentAccessDays (%d), because S3 keeps objects in Standard-IA for 30 days at least; use %d or more", at, l.GlacierDays, l.InfrequentAccessDays, l.InfrequentAccessDays+30)
	}
	if l.ExpirationDays < 0 {
		p.add("%s.lifecycle.expirationDays: %d must be 0 (keep for ever) or greater than glacierDays", at, l.ExpirationDays)
	} else if l.ExpirationDays > 0 && l.ExpirationDays <= l.GlacierDays {
		p.add("%s.lifecycle.expirationDays: %d must be greater than glacierDays (%d), or 0 to keep logs for ever", at, l.ExpirationDays, l.GlacierDays)
	}
	if l.ExpirationDays > 0 && l.ExpirationDays < e.LogRetentionDays {
		p.add("%s.lifecycle.expirationDays: %d is shorter than logRetentionDays (%d); the S3 archive must keep logs at least as long as CloudWatch Logs", at, l.ExpirationDays, e.LogRetentionDays)
	}
	if ol := e.ObjectLockDays; ol < 0 {
		p.add("%s.objectLockDays: %d must be 0 (no Object Lock) or a number of days", at, ol)
	} else if ol > 0 && l.ExpirationDays > 0 && ol > l.ExpirationDays {
		p.add("%s.objectLockDays: %d is longer than lifecycle.expirationDays (%d); locked log objects cannot expire before their retention ends, so use at most %d", at, ol, l.ExpirationDays, l.ExpirationDays)
	}
	switch e.LoggingOwner {
	case "", LoggingOwnerStack, LoggingOwnerTool:
	default:
		p.add("%s.loggingOwner: %q must be %q (the stack puts the logging configuration) or %q (go run ./tools/logging enable does)", at, e.LoggingOwner, LoggingOwnerStack, LoggingOwnerTool)
	}
	if e.LogKeyPrefix != "" && (!prefixRe.MatchString(e.LogKeyPrefix) || len(e.LogKeyPrefix) > 200) {
		p.add("%s.logKeyPrefix: %q must be path segments of letters, digits and !_.*'()- separated by single slashes, with no leading or trailing slash", at, e.LogKeyPrefix)
	}
	tags := e.Tags
	for _, tg := range []struct{ key, v string }{
		{"costCenter", tags.CostCenter},
		{"dataClassification", tags.DataClassification},
		{"complianceRequirement", tags.ComplianceRequirement},
	} {
		if tg.v == "" {
			p.add("%s.tags.%s: missing; every resource is tagged with it", at, tg.key)
		} else if !validTagValue(tg.v) {
			p.add("%s.tags.%s: %q is not a valid tag value (at most 256 letters, digits, spaces and _.:/=+-@)", at, tg.key, tg.v)
		}
	}
	p.tags(at+".tags.extra", tags.Extra)
	e.validateMember(at, p)
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// tags checks a map of free-form tags at key, in key order.
func (p *problems) tags(key string, tags map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if k == "" || len(k) > 128 || !tagRe.MatchString(k) || strings.HasPrefix(strings.ToLower(k), "aws:") {
			p.add("%s: key %q is not a valid tag key (1-128 characters, not starting with aws:)", key, k)
		}
		if !validTagValue(tags[k]) {
			p.add("%s.%s: %q is not a valid tag value", key, k, tags[k])
		}
	}
}

// account checks a required 12-digit account ID at key; hint says what to set when it is missing.
func (p *problems) account(key, v, hint string) {
	switch {
	case v == "":
		p.add("%s: missing; %s", key, hint)
	case !accountRe.MatchString(v):
		p.add("%s: %q is not a 12-digit AWS account ID", key, v)
	}
}

// alertEmails checks recipients per severity at key: critical needs one (hint says why), and
// every address is valid and listed once per severity.
func (p *problems) alertEmails(key string, a AlertEmails, hint string) {
	if len(a.Critical) == 0 {
		p.add("%s.critical: missing; %s", key, hint)
	}
	for _, s := range Severities {
		dup := map[string]bool{}
		for j, addr := range a.For(s) {
			switch {
			case !validEmail(addr):
				p.add("%s.%s[%d]: %q is not a valid email address (expected name@example.com)", key, s, j, addr)
			case dup[strings.ToLower(addr)]:
				p.add("%s.%s[%d]: %q is listed twice", key, s, j, addr)
			}
			dup[strings.ToLower(addr)] = true
		}
	}
}

// regions checks a required list of known, non-repeated regions at key.
func (p *problems) regions(key string, regions []string, hint string) {
	if len(regions) == 0 {
		p.add("%s: missing; %s", key, hint)
	}
	seen := map[string]bool{}
	for j, r := range regions {
		switch {
		case !supportedRegion(r):
			p.add("%s[%d]: %q is not a known AWS region (for example \"us-east-1\", \"eu-west-1\"; China regions are not supported)", key, j, r)
		case seen[r]:
			p.add("%s[%d]: %q is listed twice", key, j, r)
		}
		seen[r] = true
	}
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndex(s, "@")
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " \t")
}

// supportedRegion accepts commercial and GovCloud regions; the templates' service principals
// and ARNs do not hold in the China partition.
func supportedRegion(r string) bool {
	p, ok := awsregions.Partition(r)
	return ok && p != awsregions.AWSChina
}

// profileSuggestions names the inference-profile IDs to monitor instead of a base model ID: the
// geographic profile of each of the environment's regions, and the global one.
func profileSuggestions(model string, regions []string) string {
	var out []string
	seen := map[string]bool{}
	for _, r := range regions {
		if g := bedrockmodels.GeoPrefixForRegion(r); g != "" && !seen[g] {
			seen[g] = true
			out = append(out, fmt.Sprintf("%q", g+"."+model))
		}
	}
	out = append(out, fmt.Sprintf("%q", "global."+model))
	return strings.Join(out, " or ") + " (whichever your callers use and your regions offer)"
}

func validRetention(d int) bool {
	for _, r := range RetentionDays {
		if r == d {
			return true
		}
	}
	return false
}

func validTagValue(v string) bool { return len(v) <= 256 && tagRe.MatchString(v) }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
