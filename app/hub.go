package main

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/archive"
	"github.com/bedrockgov/bedrockgov/constructs/orgdashboards"
	"github.com/bedrockgov/bedrockgov/constructs/querylayer"
	"github.com/bedrockgov/bedrockgov/constructs/replication"
	"github.com/bedrockgov/bedrockgov/stacks"
	reportusage "github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// HubStackName is the stack name of the hub in one region.
func HubStackName(region string) string { return "BedrockHub-" + region }

// buildHub adds one BedrockHub-<region> stack per hub region to scope (the app, or the
// pipeline's hub stage); none without a hub section.
func buildHub(scope constructs.Construct, cfg *config.Config, d Deployer) []*stacks.HubStack {
	h := cfg.Hub
	if h == nil {
		return nil
	}
	var out []*stacks.HubStack
	for _, region := range h.Regions {
		props := hubProps(cfg, region)
		props.StackName = jsii.String(HubStackName(region))
		if syn := d.Synthesizer(); syn != nil {
			props.Synthesizer = syn
		}
		out = append(out, stacks.NewHubStack(scope, HubStackName(region), props))
	}
	return out
}

// hubBuilder is buildHub as an organization-wide builder.
func hubBuilder(scope constructs.Construct, cfg *config.Config, d Deployer) []awscdk.Stack {
	var out []awscdk.Stack
	for _, h := range buildHub(scope, cfg, d) {
		out = append(out, h.Stack)
	}
	return out
}

// memberAccounts lists the configured member accounts (sorted, unique).
func memberAccounts(cfg *config.Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range cfg.Environments {
		if !seen[e.Account] {
			seen[e.Account] = true
			out = append(out, e.Account)
		}
	}
	sort.Strings(out)
	return out
}

func hubProps(cfg *config.Config, region string) *stacks.HubStackProps {
	h := cfg.Hub
	a := h.Archive
	ap := &archive.ArchiveProps{
		OrganizationID: cfg.Organization.ID,
		KeyPrefix:      jsii.String(cfg.HubKeyPrefix()),
		ObjectLockDays: a.ObjectLockDays,
	}
	if a.InfrequentAccessDays > 0 {
		ap.InfrequentAccessAfter = days(a.InfrequentAccessDays)
	}
	if a.GlacierDays > 0 {
		ap.GlacierAfter = days(a.GlacierDays)
	}
	if a.ExpirationDays > 0 {
		ap.ExpireAfter = days(a.ExpirationDays)
	}
	emails := map[string][]string{}
	for _, s := range config.Severities {
		emails[string(s)] = h.AlertEmails.For(s)
	}
	tags := map[string]string{"Organization": cfg.Organization.Name, "ManagedBy": "bedrockgov"}
	for k, v := range h.Tags {
		tags[k] = v
	}
	return &stacks.HubStackProps{
		StackProps: awscdk.StackProps{
			Env:                   &awscdk.Environment{Account: jsii.String(h.Account), Region: jsii.String(region)},
			TerminationProtection: jsii.Bool(h.TerminationProtected()),
		},
		Archive: ap,
		Query: &querylayer.QueryLayerProps{
			Regions:              []string{region}, // the archive of a region holds that region's logs only
			Accounts:             memberAccounts(cfg),
			BytesScannedCutoffMB: h.Athena.BytesScannedCutoffMB,
			ResultsExpiration:    days(h.Athena.ResultsExpiration()),
		},
		AlertEmails: emails,
		Home:        region == h.Home(),
		Dashboards: &orgdashboards.OrgDashboardsProps{
			MonitoredModels: monitoredModels(cfg),
			Prices:          listPrices(),
		},
		WeeklySummarySchedule: jsii.String(h.Schedule()),
		Tags:                  tags,
	}
}

// memberReplication is the member side of the hub: nil without a hub section.
func memberReplication(cfg *config.Config, _ string) *replication.ReplicationProps {
	if cfg.Hub == nil {
		return nil
	}
	// The whole map: a stack of one region links to that region's sink, and the
	// environment-agnostic StackSet template chooses the sink of each region it is deployed to.
	return &replication.ReplicationProps{HubAccount: cfg.Hub.Account, OAMSinkArns: cfg.Hub.OAMSinkArns}
}

// monitoredModels is every environment's monitored models (sorted, unique).
func monitoredModels(cfg *config.Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range cfg.Environments {
		for _, m := range e.MonitoredModels {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}

// listPrices is the report tool's built-in list-price table, for the executive dashboard's
// cost estimate (the same figures `go run ./tools/report` uses).
func listPrices() map[string]orgdashboards.Price {
	out := map[string]orgdashboards.Price{}
	for id, p := range reportusage.EmbeddedPrices().Models {
		if p.InputPer1K == nil || p.OutputPer1K == nil {
			continue // the dashboard says "no list price known" for such a model
		}
		// An absent rate stays absent: the dashboard leaves that token kind out and says so.
		out[id] = orgdashboards.Price{Input: p.InputPer1K, Output: p.OutputPer1K, CacheRead: p.CacheReadPer1K, CacheWrite: p.CacheWritePer1K}
	}
	return out
}
