package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/bedrockgov/bedrockgov/tools/awsregions"
)

// Hub is the central monitoring and audit account (not the AWS Security Hub service): one
// BedrockHub-<region> stack per region holds the organization's invocation-log archive, the
// Athena query layer over it, the organization dashboards and alarms, the AWS Config
// aggregator (home region only) and the weekly usage summary. Optional: without it no hub
// stack is built and member stacks do not replicate their logs.
type Hub struct {
	// Account is the 12-digit ID of the hub account.
	Account string `json:"account"`
	// Regions are the hub regions, one BedrockHub stack each; the first is the hub's home
	// region (AWS Config aggregator, weekly summary). Every region of every environment must
	// be listed: member logs replicate into the archive of their own region.
	Regions []string `json:"regions"`
	// Archive sets the archive buckets' Object Lock retention and lifecycle.
	Archive HubArchive `json:"archive"`
	// Athena sets the query workgroup's limits.
	Athena HubAthena `json:"athena"`
	// AlertEmails are the recipients of the organization-level alarms, per severity; the
	// weekly usage summary goes to the info recipients.
	AlertEmails AlertEmails `json:"alertEmails"`
	// OAMSinkArns maps a hub region to the ARN of the CloudWatch cross-account observability
	// sink the hub stack created there (stack output OamSinkArn). Known only after the hub is
	// deployed; member stacks of that region link to it once it is set. Optional.
	OAMSinkArns map[string]string `json:"oamSinkArns,omitempty"`
	// WeeklySummarySchedule is the EventBridge Scheduler expression of the weekly usage
	// summary, in UTC. Default: DefaultWeeklySummarySchedule (Mondays 08:00 UTC).
	WeeklySummarySchedule string `json:"weeklySummarySchedule,omitempty"`
	// Tags are applied to every resource of the hub stacks. Optional.
	Tags map[string]string `json:"tags,omitempty"`
	// TerminationProtection turns on CloudFormation termination protection. Default: true.
	TerminationProtection *bool `json:"terminationProtection,omitempty"`
}

// HubArchive configures the archive buckets.
type HubArchive struct {
	// ObjectLockDays is the default Object Lock retention (governance mode) of every archived
	// object version: nobody without s3:BypassGovernanceRetention can delete or overwrite it
	// for this many days (1 to 36500).
	ObjectLockDays int `json:"objectLockDays"`
	// InfrequentAccessDays moves objects to S3 Standard-IA (at least 30; 0 never). Athena
	// reads Standard-IA objects.
	InfrequentAccessDays int `json:"infrequentAccessDays"`
	// GlacierDays moves objects to S3 Glacier Flexible Retrieval (0 never; otherwise after
	// InfrequentAccessDays). Athena skips Glacier objects: queries see only younger logs.
	GlacierDays int `json:"glacierDays"`
	// ExpirationDays deletes objects (0 keeps them for ever; otherwise at least
	// ObjectLockDays and after GlacierDays).
	ExpirationDays int `json:"expirationDays"`
}

// HubAthena configures the Athena workgroup.
type HubAthena struct {
	// BytesScannedCutoffMB cancels any query of the workgroup that scans more than this many
	// megabytes (at least 10, Athena's minimum). Athena bills per terabyte scanned.
	BytesScannedCutoffMB int `json:"bytesScannedCutoffMB"`
	// ResultsExpirationDays deletes query results this many days after they are written
	// (at least 1). Default: 30.
	ResultsExpirationDays int `json:"resultsExpirationDays,omitempty"`
}

// DefaultWeeklySummarySchedule runs the weekly usage summary on Mondays at 08:00 UTC.
const DefaultWeeklySummarySchedule = "cron(0 8 ? * MON *)"

// DefaultResultsExpirationDays is how long Athena query results are kept when unset.
const DefaultResultsExpirationDays = 30

// Home returns the hub's home region (the first of Regions).
func (h *Hub) Home() string {
	if h == nil || len(h.Regions) == 0 {
		return ""
	}
	return h.Regions[0]
}

// HasRegion reports whether region is a hub region.
func (h *Hub) HasRegion(region string) bool {
	if h == nil {
		return false
	}
	for _, r := range h.Regions {
		if r == region {
			return true
		}
	}
	return false
}

// Schedule returns the weekly summary's schedule expression.
func (h *Hub) Schedule() string {
	if h.WeeklySummarySchedule == "" {
		return DefaultWeeklySummarySchedule
	}
	return h.WeeklySummarySchedule
}

// ResultsExpiration returns the number of days Athena results are kept.
func (a HubAthena) ResultsExpiration() int {
	if a.ResultsExpirationDays == 0 {
		return DefaultResultsExpirationDays
	}
	return a.ResultsExpirationDays
}

// TerminationProtected reports whether the hub stacks get termination protection.
func (h *Hub) TerminationProtected() bool {
	if h.TerminationProtection != nil {
		return *h.TerminationProtection
	}
	return true
}

// HubKeyPrefix returns the S3 key prefix every environment writes under, which is the prefix
// of the hub archive's layout (replication keeps object keys). Validate guarantees that all
// environments share it when a hub is configured.
func (c *Config) HubKeyPrefix() string {
	if len(c.Environments) == 0 {
		return DefaultLogKeyPrefix
	}
	return c.Environments[0].KeyPrefix()
}

var (
	sinkArnRe  = regexp.MustCompile(`^arn:(aws|aws-us-gov):oam:([a-z0-9-]+):([0-9]{12}):sink/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	scheduleRe = regexp.MustCompile(`^(cron\([^()]+\)|rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\))$`)
)

// validate checks the hub section against the rest of the configuration.
func (h *Hub) validate(c *Config, p *problems) {
	const at = "hub"
	if c.Organization.ID == "" {
		p.add("organization.id: missing; the hub admits only this organization's accounts (aws:PrincipalOrgID), set it to the ID `aws organizations describe-organization` prints (\"o-...\")")
	}
	p.account(at+".account", h.Account, "set the 12-digit ID of the hub (monitoring and audit) account")
	p.regions(at+".regions", h.Regions, "list every region your environments use (member logs replicate into the hub archive of their own region)")
	if len(h.Regions) > 0 {
		part, _ := awsregions.Partition(h.Regions[0])
		for j, r := range h.Regions {
			if q, ok := awsregions.Partition(r); ok && q != part {
				p.add("%s.regions[%d]: %q is in partition %s but %q is in %s; one hub cannot span partitions", at, j, r, q, h.Regions[0], part)
			}
		}
	}
	seen := map[string]bool{}
	for _, r := range h.Regions {
		seen[r] = true
	}
	// Every member region needs an archive of its own region to replicate into.
	for i, e := range c.Environments {
		for j, r := range e.Regions {
			if supportedRegion(r) && len(h.Regions) > 0 && !seen[r] {
				p.add("environments[%d] (%s).regions[%d]: %q has no hub archive; add it to hub.regions (logs replicate into the hub archive of their own region)", i, e.Name, j, r)
			}
		}
	}
	// StackSet profiles deploy the member baseline (and its replication) to their own regions.
	if c.StackSets != nil {
		for i, pr := range c.StackSets.Profiles {
			for j, r := range pr.Regions {
				if supportedRegion(r) && len(h.Regions) > 0 && !seen[r] {
					p.add("stackSets.profiles[%d].regions[%d]: %q has no hub archive; add it to hub.regions (logs replicate into the hub archive of their own region)", i, j, r)
				}
			}
		}
	}
	// Replication keeps object keys and the Athena table has one location template, so every
	// environment must write under the same key prefix.
	if len(c.Environments) > 0 {
		want := c.Environments[0].KeyPrefix()
		var odd []string
		for i, e := range c.Environments[1:] {
			if e.KeyPrefix() != want {
				odd = append(odd, fmt.Sprintf("environments[%d] (%s) uses %q", i+1, e.Name, e.KeyPrefix()))
			}
		}
		if len(odd) > 0 {
			p.add("environments: logKeyPrefix must be the same in every environment when a hub is configured (the archive keeps object keys and its Athena table has one location); environments[0] (%s) uses %q but %s", c.Environments[0].Name, want, strings.Join(odd, ", "))
		}
	}

	a := h.Archive
	if a.ObjectLockDays < 1 || a.ObjectLockDays > 36500 {
		p.add("%s.archive.objectLockDays: %d must be between 1 and 36500 (days each archived object version cannot be deleted, governance mode)", at, a.ObjectLockDays)
	}
	if a.InfrequentAccessDays != 0 && a.InfrequentAccessDays < 30 {
		p.add("%s.archive.infrequentAccessDays: %d must be at least 30 (S3 Standard-IA minimum), or 0 to stay in S3 Standard", at, a.InfrequentAccessDays)
	}
	switch {
	case a.GlacierDays < 0:
		p.add("%s.archive.glacierDays: %d must be 0 (never move to Glacier) or a number of days", at, a.GlacierDays)
	case a.GlacierDays > 0 && a.InfrequentAccessDays > 0 && a.GlacierDays < a.InfrequentAccessDays+30:
		p.add("%s.archive.glacierDays: %d must be at least 30 days after infrequentAccessDays (%d), because S3 keeps objects in Standard-IA for 30 days at least; use %d or more", at, a.GlacierDays, a.InfrequentAccessDays, a.InfrequentAccessDays+30)
	case a.GlacierDays > 0 && a.GlacierDays <= a.InfrequentAccessDays:
		p.add("%s.archive.glacierDays: %d must be greater than infrequentAccessDays (%d), or 0 to never move to Glacier", at, a.GlacierDays, a.InfrequentAccessDays)
	}
	switch {
	case a.ExpirationDays < 0:
		p.add("%s.archive.expirationDays: %d must be 0 (keep for ever) or a number of days", at, a.ExpirationDays)
	case a.ExpirationDays > 0 && a.ExpirationDays < a.ObjectLockDays:
		p.add("%s.archive.expirationDays: %d is shorter than objectLockDays (%d); objects cannot expire while locked", at, a.ExpirationDays, a.ObjectLockDays)
	case a.ExpirationDays > 0 && a.ExpirationDays <= max(a.GlacierDays, a.InfrequentAccessDays):
		p.add("%s.archive.expirationDays: %d must come after the last transition (day %d), or be 0 to keep logs for ever", at, a.ExpirationDays, max(a.GlacierDays, a.InfrequentAccessDays))
	}
	if h.Athena.BytesScannedCutoffMB < 10 {
		p.add("%s.athena.bytesScannedCutoffMB: %d must be at least 10 (Athena's minimum per-query cutoff, in megabytes)", at, h.Athena.BytesScannedCutoffMB)
	}
	if h.Athena.ResultsExpirationDays < 0 {
		p.add("%s.athena.resultsExpirationDays: %d must be at least 1 (or omitted for %d)", at, h.Athena.ResultsExpirationDays, DefaultResultsExpirationDays)
	}

	p.alertEmails(at+".alertEmails", h.AlertEmails, "organization-level critical alarms need at least one recipient")

	regions := make([]string, 0, len(h.OAMSinkArns))
	for r := range h.OAMSinkArns {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	for _, r := range regions {
		arn := h.OAMSinkArns[r]
		m := sinkArnRe.FindStringSubmatch(arn)
		switch {
		case !seen[r]:
			p.add("%s.oamSinkArns.%s: %q is not a hub region; sinks exist only in hub.regions", at, r, r)
		case m == nil:
			p.add("%s.oamSinkArns.%s: %q is not an OAM sink ARN (arn:aws:oam:<region>:<hub account>:sink/<id>, the hub stack's OamSinkArn output)", at, r, arn)
		case m[2] != r:
			p.add("%s.oamSinkArns.%s: %q is in region %s; a member links only to the sink of its own region", at, r, arn, m[2])
		case h.Account != "" && m[3] != h.Account:
			p.add("%s.oamSinkArns.%s: %q belongs to account %s, not the hub account %s", at, r, arn, m[3], h.Account)
		}
	}
	if h.WeeklySummarySchedule != "" && !scheduleRe.MatchString(h.WeeklySummarySchedule) {
		p.add("%s.weeklySummarySchedule: %q is not an EventBridge Scheduler expression such as %q or \"rate(7 days)\"", at, h.WeeklySummarySchedule, DefaultWeeklySummarySchedule)
	}
	p.tags(at+".tags", h.Tags)
}
