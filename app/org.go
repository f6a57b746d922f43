package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/orgpolicies"
	"github.com/bedrockgov/bedrockgov/constructs/spendanomaly"
	"github.com/bedrockgov/bedrockgov/constructs/stacksets"
	"github.com/bedrockgov/bedrockgov/stacks"
	"github.com/bedrockgov/bedrockgov/tools/awsregions"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// OrgStackName is the management-account stack.
const OrgStackName = "BedrockOrg"

// OrgStackSetsStackName is the stack holding the StackSets in a delegated administrator
// account (stackSets.callAs DELEGATED_ADMIN).
const OrgStackSetsStackName = "BedrockOrgStackSets"

// OrgGuardrailStackName is the management-account stack holding one non-home region's
// organization guardrail.
func OrgGuardrailStackName(region string) string { return "BedrockOrgGuardrail-" + region }

// StackSetTemplateDir is the folder of cdk.out holding each StackSet's template under a stable
// name, StackSetTemplateName(profile), for reviewers to read and diff.
const StackSetTemplateDir = "stacksets"

// StackSetTemplateName is the stable file name of a profile's StackSet template.
func StackSetTemplateName(profile string) string {
	return "BedrockMember-" + profile + ".template.json"
}

// buildOrg adds BedrockOrg (and one BedrockOrgGuardrail-<region> per further guardrail
// region) when the configuration has a `policies` or `stackSets` section. StackSet templates
// are synthesized by the same member-stack code, environment-agnostic, in a second app whose
// output folder is cdk.out/stacksets.
// stackSetTemplates maps a configuration to the folder its StackSet templates were written to.
var stackSetTemplates = map[*config.Config]string{}

func buildOrg(scope constructs.Construct, cfg *config.Config, d Deployer) []awscdk.Stack {
	if cfg.Policies == nil && cfg.StackSets == nil {
		return nil
	}
	org := cfg.Organization
	home := org.Home()
	partition, _ := awsregions.Partition(home)
	env := &awscdk.Environment{Account: jsii.String(org.ManagementAccount), Region: jsii.String(home)}
	tags := map[string]string{"Organization": org.Name, naming.BaselineTagKey: naming.BaselineTagValue}
	props := &stacks.OrgStackProps{
		StackProps: awscdk.StackProps{Env: env, TerminationProtection: jsii.Bool(true), StackName: jsii.String(OrgStackName), Synthesizer: d.Synthesizer()},
		Tags:       tags,
	}
	var extra []awscdk.Stack
	var bucketWarnings []string
	if p := cfg.Policies; p != nil {
		props.SCPs = &orgpolicies.ServiceControlPoliciesProps{
			SCPOptions: orgpolicies.SCPOptions{
				Partition:                partition,
				DisableLoggingProtection: !p.Logging(),
				ExemptRoleNames:          p.BreakGlassRoles,
				DeployAccounts:           deployAccounts(cfg),
				LogBucketPatterns:        p.LogBucketPatterns,
				LogGroupNames:            p.LogGroupNames,
				ApprovedModels:           p.ApprovedModels,
				ApprovedModelArns:        p.ApprovedModelArns,
				ApprovedRegions:          p.ApprovedRegions,
				CrossRegionProfiles:      p.CrossRegionProfiles,
				AllowLongTermAPIKeys:     !p.DenyKeys(),
			},
			TargetIds:   p.Targets,
			MaxPolicies: p.SCPSlots(),
		}
		if g := p.OrganizationGuardrail; g != nil {
			for _, region := range g.Regions {
				gp := guardrailProps(cfg, g, region, partition)
				if region == home {
					props.Guardrail = gp
					continue
				}
				extra = append(extra, stacks.NewOrgGuardrailStack(scope, OrgGuardrailStackName(region), &stacks.OrgGuardrailStackProps{
					StackProps: awscdk.StackProps{
						StackName:             jsii.String(OrgGuardrailStackName(region)),
						Synthesizer:           d.Synthesizer(),
						Env:                   &awscdk.Environment{Account: jsii.String(org.ManagementAccount), Region: jsii.String(region)},
						TerminationProtection: jsii.Bool(true),
					},
					Guardrail: gp,
					Tags:      tags,
				}))
			}
		}
		if s := p.SpendAnomaly; s != nil {
			kind := spendanomaly.LinkedAccount
			if s.Monitor == "services" {
				kind = spendanomaly.Services
			}
			props.SpendAnomaly = &spendanomaly.SpendAnomalyProps{
				Kind:                 kind,
				Services:             s.Services,
				ImpactPercentage:     s.ImpactPercentage,
				MinimumImpactDollars: s.MinimumImpactDollars,
				Emails:               s.AlertEmails,
			}
		}
	}
	if s := cfg.StackSets; s != nil {
		outdir := filepath.Join(*assemblyOf(scope).Outdir(), StackSetTemplateDir)
		// The templates depend on the configuration only: synthesized once per configuration and
		// process, a pipeline stage's copy of BedrockOrg publishes the same files.
		first := stackSetTemplates[cfg] == ""
		if first {
			stackSetTemplates[cfg] = outdir
		} else {
			outdir = stackSetTemplates[cfg]
		}
		templates := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
		var callAs *string
		if s.CallAs != "" {
			callAs = jsii.String(s.CallAs)
		}
		for _, pr := range s.Profiles {
			e := cfg.Environment(pr.Environment)
			regions := pr.RegionsOf(e)
			mp := memberProps(cfg, *e, regions[0])
			mp.StackProps.Env = nil // environment-agnostic: every account and region of the OUs
			mp.Additions = stackSetAdditions(mp.Additions, regions[0])
			mp.StackProps.TerminationProtection = nil
			mp.StackProps.Synthesizer = awscdk.NewBootstraplessSynthesizer(nil)
			mp.StackProps.Description = jsii.String(fmt.Sprintf("bedrockgov member baseline (%s), deployed by the StackSet bedrockgov-member-%s", e.Name, e.Name))
			// A VPC is one account's: endpoints configured for the environment's own account
			// must not be stamped into every account of the OUs (the stack instance would fail
			// where that VPC does not exist).
			if mp.Additions != nil {
				mp.Additions.Endpoints = nil
			}
			// Names that must differ per region in one account carry the region.
			mp.Monitoring.DashboardName = jsii.String(fmt.Sprintf("BedrockUsageMonitoring-%s-%s", e.Name, *awscdk.Aws_REGION()))
			mp.Monitoring.AlarmNamePrefix = jsii.String(fmt.Sprintf("Bedrock-%s-%s", e.Name, *awscdk.Aws_REGION()))
			if first {
				stacks.NewMemberStack(templates, "BedrockMember-"+e.Name, mp)
			}
		}
		if first {
			templates.Synth(nil)
		}
		var warnings []string
		for _, pr := range s.Profiles {
			e := cfg.Environment(pr.Environment)
			if cfg.Policies != nil && cfg.Policies.Logging() {
				data, err := os.ReadFile(filepath.Join(outdir, StackSetTemplateName(e.Name)))
				if err != nil {
					panic(err)
				}
				id, name, covered, err := logBucketCoverage(data, cfg.Policies.LogBucketPatterns)
				if err != nil {
					warnings = append(warnings, fmt.Sprintf("StackSet %s: %v; the SCPs cannot protect its log bucket", e.Name, err))
				} else if !covered {
					warnings = append(warnings, fmt.Sprintf("StackSet %s: the member log bucket %s has %s, which no protected pattern (policies.logBucketPatterns, default %s) matches: the SCPs do not protect it; name it naming.LogBucketName(account, region)", e.Name, id, name, naming.LogBucketPattern))
				}
			}
			props.StackSets = append(props.StackSets, &stacksets.MemberStackSetProps{
				Profile:                    e.Name,
				TemplateFile:               filepath.Join(outdir, StackSetTemplateName(e.Name)),
				OrganizationalUnitIds:      pr.OrganizationalUnits,
				Regions:                    pr.RegionsOf(e),
				FailureTolerancePercentage: pr.FailureTolerancePercentage,
				MaxConcurrentPercentage:    pr.MaxConcurrentPercentage,
				RegionConcurrency:          optional(pr.RegionConcurrency),
				ConcurrencyMode:            optional(pr.ConcurrencyMode),
				CallAs:                     callAs,
			})
		}
		bucketWarnings = warnings
	}
	if s := cfg.StackSets; s != nil && s.CallAs == "DELEGATED_ADMIN" {
		delegated := stacks.NewOrgStack(scope, OrgStackSetsStackName, &stacks.OrgStackProps{
			StackProps: awscdk.StackProps{
				StackName:             jsii.String(OrgStackSetsStackName),
				Synthesizer:           d.Synthesizer(),
				Env:                   &awscdk.Environment{Account: jsii.String(s.DelegatedAdminAccount), Region: jsii.String(home)},
				TerminationProtection: jsii.Bool(true),
				Description:           jsii.String("bedrockgov StackSets (delegated administrator): roll the member baseline out to organizational units"),
			},
			StackSets: props.StackSets,
			Tags:      tags,
		})
		props.StackSets = nil
		extra = append(extra, delegated.Stack)
	}
	if props.SCPs == nil && props.Guardrail == nil && props.StackSets == nil && props.SpendAnomaly == nil {
		return extra
	}
	orgStack := stacks.NewOrgStack(scope, OrgStackName, props)
	for _, w := range bucketWarnings {
		awscdk.Annotations_Of(orgStack.Stack).AddWarningV2(jsii.String("bedrockgov:UnprotectedLogBucket"), jsii.String(w))
	}
	return append([]awscdk.Stack{orgStack.Stack}, extra...)
}

// assemblyOf is the stage whose cloud assembly scope's stacks are written to: scope itself when
// it is the app or a pipeline stage.
func assemblyOf(scope constructs.Construct) awscdk.Stage {
	if *awscdk.Stage_IsStage(scope) {
		return scope.(awscdk.Stage)
	}
	return awscdk.Stage_Of(scope)
}

func guardrailProps(cfg *config.Config, g *config.OrganizationGuardrail, region, partition string) *orgpolicies.OrganizationGuardrailProps {
	return &orgpolicies.OrganizationGuardrailProps{
		Region:                region,
		Account:               cfg.Organization.ManagementAccount,
		Partition:             partition,
		OrganizationID:        cfg.Organization.ID,
		Identifier:            g.Identifiers[region],
		Name:                  g.Name,
		ContentFilterStrength: g.ContentFilterStrength,
		PromptAttackStrength:  g.PromptAttackStrength,
		BlockedInputMessage:   g.BlockedInputMessage,
		BlockedOutputMessage:  g.BlockedOutputMessage,
		SystemPrompts:         g.SystemPrompts,
		Messages:              g.Messages,
		IncludedModels:        g.IncludedModels,
		ExcludedModels:        g.ExcludedModels,
		TargetIds:             cfg.Policies.Targets,
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return jsii.String(s)
}

// deployAccounts are the accounts whose principals may assume the CDK deploy roles of member
// accounts: the pipeline's tooling account, when there is one.
func deployAccounts(cfg *config.Config) []string {
	if cfg.Pipeline == nil || cfg.Pipeline.Account == "" {
		return nil
	}
	return []string{cfg.Pipeline.Account}
}
