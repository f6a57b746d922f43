package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/stacks"
)

// PipelineStackName is the name of the pipeline stack in the tooling account.
const PipelineStackName = "BedrockPipeline"

// CDKCLIVersion is the CDK CLI the pipeline's self-mutation step installs: the version
// .tools/cdk/package.json pins for make synth (a test keeps the two equal).
const CDKCLIVersion = "2.1148.1"

// pipelineCommands are the shell commands of the pipeline's builds. The CodeBuild image's Go
// only bootstraps: GOTOOLCHAIN makes it fetch and run exactly the version go.mod names, and
// PINNED_NODE=1 makes the Makefile install and use the pinned Node (and the pinned CDK CLI)
// whatever Node the image has, so the pipeline builds with the toolchain a developer uses.
var pipelineCommands = struct{ Prepare, Test, Synth []string }{
	Prepare: []string{
		`export GOTOOLCHAIN="go$(sed -n 's/^go //p' go.mod)"`,
		`go version`,
	},
	Test:  []string{"make test PINNED_NODE=1"},
	Synth: []string{"make synth PINNED_NODE=1"},
}

// orgWideApproval is what the approver of a hub or management wave is asked to check.
const orgWideApproval = "This wave changes organization-wide resources (the hub's log archive, or the organization's policies and StackSets) that reach every account. Review its change sets, then approve."

// buildPipeline adds the BedrockPipeline stack and returns it with its cross-region support
// stacks. Its waves are the environments in configuration order (each behind a manual approval
// when pipeline.approvalBefore asks), then each organization-wide role of roles whose section
// is configured, each behind its own approval. Every wave's stacks are built by the same functions
// as for `cdk deploy`, with the default synthesizer.
func buildPipeline(app awscdk.App, cfg *config.Config, roles []OrgWideBuilder) []awscdk.Stack {
	p := cfg.Pipeline
	var waves []stacks.PipelineWave
	for _, e := range cfg.Environments {
		e := e
		waves = append(waves, stacks.PipelineWave{
			Name:     e.Name,
			Approval: p.NeedsApproval(e),
			Stacks: func(stage constructs.Construct) []awscdk.Stack {
				return buildEnvironment(stage, cfg, e, DeployByPipeline)
			},
		})
	}
	for _, r := range roles {
		r := r
		if !r.Configured(cfg) {
			continue
		}
		waves = append(waves, stacks.PipelineWave{
			Name:            r.Wave,
			Approval:        true,
			ApprovalComment: orgWideApproval,
			Stacks: func(stage constructs.Construct) []awscdk.Stack {
				return r.Build(stage, cfg, DeployByPipeline)
			},
		})
	}
	prepare := pipelineCommands.Prepare
	ps := stacks.NewPipelineStack(app, PipelineStackName, &stacks.PipelineStackProps{
		StackProps: awscdk.StackProps{
			Env:                   &awscdk.Environment{Account: jsii.String(p.Account), Region: jsii.String(p.RegionOr(cfg.Organization))},
			TerminationProtection: jsii.Bool(true),
		},
		ConnectionArn:   p.ConnectionArn,
		Repository:      p.Repository,
		Branch:          p.BranchOr(),
		CliVersion:      CDKCLIVersion,
		RuntimeVersions: map[string]string{"golang": "latest"},
		TestCommands:    append(append([]string{}, prepare...), pipelineCommands.Test...),
		SynthCommands:   append(append([]string{}, prepare...), pipelineCommands.Synth...),
		Waves:           waves,
		StageAspects:    []awscdk.IAspect{nagChecks()},
		Tags: map[string]string{
			"Organization": cfg.Organization.Name,
			"ManagedBy":    "bedrockgov",
		},
	})
	return append([]awscdk.Stack{ps.Stack}, ps.SupportStacks...)
}
