package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
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

// Build adds every stack of the configuration to app and applies cdk-nag's AWS Solutions
// checks to all of them.
func Build(app awscdk.App, cfg *config.Config) []*stacks.MemberStack {
	var out []*stacks.MemberStack
	for _, e := range cfg.Environments {
		for _, region := range e.Regions {
			out = append(out, stacks.NewMemberStack(app, MemberStackName(e.Name, region), memberProps(cfg, e, region)))
		}
	}
	buildHub(app, cfg)
	buildOrg(app, cfg)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(false)}), nil)
	return out
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
