package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/loggingconfig"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/stacks"
)

// MemberStackName is the stack name of an environment's member baseline in one region.
func MemberStackName(env, region string) string {
	return fmt.Sprintf("BedrockMember-%s-%s", env, region)
}

// DashboardName is the usage dashboard's name. Dashboards are unique per account across
// regions, so only the environment's primary (first) region gets the plain name.
func DashboardName(e config.Environment, region string) string {
	if region == e.Regions[0] {
		return "BedrockUsageMonitoring-" + e.Name
	}
	return fmt.Sprintf("BedrockUsageMonitoring-%s-%s", e.Name, region)
}

// Deployer says who deploys a stack, which decides its synthesizer.
type Deployer int

const (
	// DeployByCLI is `cdk deploy` (or CloudFormation, or a StackSet) with the caller's own
	// credentials: each stack keeps its own synthesizer (the member stack's needs no bootstrap roles).
	DeployByCLI Deployer = iota
	// DeployByPipeline is the BedrockPipeline: it deploys across accounts through the CDK
	// bootstrap roles that trust the tooling account, so stacks use the default synthesizer.
	DeployByPipeline
)

// Synthesizer returns the synthesizer for a stack deployed this way; nil keeps the stack's own.
func (d Deployer) Synthesizer() awscdk.IStackSynthesizer {
	if d == DeployByPipeline {
		return awscdk.NewDefaultStackSynthesizer(nil)
	}
	return nil
}

// OrgWideBuilder builds the stacks of one organization-wide account role (the hub, the
// management account) into scope: the app for `cdk deploy`, or a pipeline stage. It returns no
// stacks when the role's configuration section is absent. Every stack it creates must set its
// StackName explicitly (so a pipeline stage deploys the same CloudFormation stack) and take
// its synthesizer from d.Synthesizer() when that is not nil.
type OrgWideBuilder struct {
	// Wave names the role's pipeline wave ("hub", "org").
	Wave string
	// Configured reports whether the configuration has the role's section, so Build makes at
	// least one stack; otherwise the pipeline has no wave for the role.
	Configured func(cfg *config.Config) bool
	// Build adds the role's stacks to scope.
	Build func(scope constructs.Construct, cfg *config.Config, d Deployer) []awscdk.Stack
}

// orgWide lists the organization-wide roles in promotion order. Each is built by Build for
// `cdk deploy` and, in the pipeline, deployed in its own wave after every environment, behind
// its own manual approval (a change to the hub or to the organization's policies and StackSets
// reaches every account, so it is never promoted automatically). The hub comes first: the
// member stacks replicate into its archive, and the StackSets roll out the member baseline.
var orgWide = []OrgWideBuilder{
	{Wave: "hub", Build: hubBuilder, Configured: func(c *config.Config) bool { return c.Hub != nil && len(c.Hub.Regions) > 0 }},
	{Wave: "org", Build: buildOrg, Configured: func(c *config.Config) bool { return c.Policies != nil || c.StackSets != nil }},
}

// Build adds every stack of the configuration to app (the member stacks of each environment,
// the organization-wide stacks, and the pipeline when configured) and applies cdk-nag's AWS
// Solutions checks to all of them, pipeline stages included.
func Build(app awscdk.App, cfg *config.Config) []awscdk.Stack {
	var out []awscdk.Stack
	for _, e := range cfg.Environments {
		out = append(out, buildEnvironment(app, cfg, e, DeployByCLI)...)
	}
	for _, b := range orgWide {
		out = append(out, b.Build(app, cfg, DeployByCLI)...)
	}
	if cfg.Pipeline != nil {
		out = append(out, buildPipeline(app, cfg, orgWide)...)
	}
	awscdk.Aspects_Of(app).Add(nagChecks(), nil)
	return out
}

func nagChecks() awscdk.IAspect {
	return cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(false)})
}

// buildEnvironment adds the member stacks of one environment, one per region.
func buildEnvironment(scope constructs.Construct, cfg *config.Config, e config.Environment, d Deployer) []awscdk.Stack {
	var out []awscdk.Stack
	for _, region := range e.Regions {
		out = append(out, buildMember(scope, cfg, e, region, d).Stack)
	}
	return out
}

// buildMember adds the member stack of one environment and region to scope (the app, or a
// pipeline stage) under its fixed stack name.
func buildMember(scope constructs.Construct, cfg *config.Config, e config.Environment, region string, d Deployer) *stacks.MemberStack {
	name := MemberStackName(e.Name, region)
	props := memberProps(cfg, e, region)
	props.StackName = jsii.String(name)
	props.Synthesizer = d.Synthesizer()
	return stacks.NewMemberStack(scope, name, props)
}

func memberProps(cfg *config.Config, e config.Environment, region string) *stacks.MemberStackProps {
	var expire awscdk.Duration
	if e.Lifecycle.ExpirationDays > 0 {
		expire = days(e.Lifecycle.ExpirationDays)
	}
	emails := map[monitoring.Severity][]string{}
	for _, s := range config.Severities {
		emails[monitoring.Severity(s)] = e.AlertEmails.For(s)
	}
	tags := e.Tags.Map()
	tags["Environment"] = e.Name
	tags["Organization"] = cfg.Organization.Name
	tags["ManagedBy"] = "bedrockgov"
	return &stacks.MemberStackProps{
		StackProps: awscdk.StackProps{
			Env:                   &awscdk.Environment{Account: jsii.String(e.Account), Region: jsii.String(region)},
			TerminationProtection: jsii.Bool(e.TerminationProtected()),
		},
		EnvironmentName: e.Name,
		Logging: &invocationlogging.InvocationLoggingProps{
			KeyPrefix:             jsii.String(e.KeyPrefix()),
			LogRetention:          retention[e.LogRetentionDays],
			InfrequentAccessAfter: days(e.Lifecycle.InfrequentAccessDays),
			GlacierAfter:          days(e.Lifecycle.GlacierDays),
			ExpireAfter:           expire,
			ObjectLockDays:        float64(e.ObjectLockDays),
			ExistingLogGroup:      e.ExistingLogGroup,
		},
		LeaveLoggingToTool: !e.StackOwnsLogging(),
		LoggingDataTypes:   (*loggingconfig.DataTypes)(ptr(e.DataTypesOrDefault())),
		Monitoring: &monitoring.MonitoringProps{
			DashboardName:   jsii.String(DashboardName(e, region)),
			AlarmNamePrefix: jsii.String(fmt.Sprintf("Bedrock-%s-%s", e.Name, region)),
			Thresholds: &monitoring.Thresholds{
				ThrottlesPer5Min:       e.Thresholds.ThrottlesPer5Min,
				ServerErrorsPer5Min:    e.Thresholds.ServerErrorsPer5Min,
				ClientErrorRatePercent: e.Thresholds.ClientErrorRatePercent,
				LatencyP90Ms:           e.Thresholds.LatencyP90Ms,
				TokenAnomalyStdDevs:    e.Thresholds.TokenAnomalyStdDevs,
			},
			MonitoredModels: e.MonitoredModels,
			AlertEmails:     emails,
		},
		Tags:        tags,
		Additions:   memberAdditions(cfg, e, region),
		Replication: memberReplication(cfg, region),
	}
}

func ptr[T any](v T) *T { return &v }

func days(n int) awscdk.Duration { return awscdk.Duration_Days(jsii.Number(float64(n))) }

// retention maps the configuration's day counts (config.RetentionDays) to the CDK enum.
var retention = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}
