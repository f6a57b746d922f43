// Package stacks composes the constructs into deployable stacks: the member-account baseline
// (and, in later stacks, the hub, the organization and the pipeline). Stacks receive typed
// props; they never read configuration files or context themselves.
package stacks

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/loggingconfig"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/constructs/replication"
	"github.com/bedrockgov/bedrockgov/tools/logging/ssmparams"
)

// Stable output keys of the member stack; tools and runbooks read them by these names.
const (
	OutputLogBucketName    = "InvocationLogBucketName"
	OutputLogKeyPrefix     = "InvocationLogKeyPrefix"
	OutputLogGroupName     = "InvocationLogGroupName"
	OutputDeliveryRoleArn  = "InvocationLogDeliveryRoleArn"
	OutputLogKeyArn        = "InvocationLogKeyArn"
	OutputDashboardName    = "UsageDashboardName"
	OutputCriticalTopicArn = "CriticalAlertTopicArn"
	OutputWarningTopicArn  = "WarningAlertTopicArn"
	OutputInfoTopicArn     = "InfoAlertTopicArn"
)

// MemberStackProps configures a member-account baseline stack.
type MemberStackProps struct {
	// StackProps.Synthesizer defaults to the CLI-credentials synthesizer (no bootstrap roles, no
	// bootstrap-version rule: `cdk deploy` with the caller's credentials, and StackSets); a
	// pipeline that deploys through the bootstrap roles passes the default synthesizer.
	awscdk.StackProps
	// EnvironmentName, e.g. "prod"; used in names and descriptions.
	EnvironmentName string
	// Logging configures the invocation-logging destinations. Default: the construct's defaults.
	Logging *invocationlogging.InvocationLoggingProps
	// Monitoring configures the dashboard, alarms and alert topics. Default: the construct's
	// defaults.
	Monitoring *monitoring.MonitoringProps
	// LeaveLoggingToTool leaves the invocation-logging configuration to `go run ./tools/logging
	// enable`. Default false: the stack puts it with a custom resource on create and update and
	// deletes it when the stack is deleted.
	LeaveLoggingToTool bool
	// LoggingDataTypes are the data types the stack's logging configuration delivers. Default:
	// text and embedding.
	LoggingDataTypes *loggingconfig.DataTypes
	// Tags are applied to every resource in the stack.
	Tags map[string]string
	// Additions are the optional guardrail, budget, compliance rules and endpoints
	// (member_additions.go). Default: none.
	Additions *MemberAdditions
	// Replication ships the invocation logs to the hub archive of the region (and links to
	// the hub's observability sink when its ARN is set). Default: none, no hub. The stack sets
	// SourceBucket, SourceKey and KeyPrefix.
	Replication *replication.ReplicationProps
}

// MemberStack is the member-account baseline for one account and region.
type MemberStack struct {
	awscdk.Stack
	Logging    invocationlogging.InvocationLogging
	Monitoring monitoring.Monitoring
	// LoggingConfig puts the logging configuration; nil when it is left to tools/logging.
	LoggingConfig loggingconfig.LoggingConfig
	Additions     *MemberAdditionsResult
}

// NewMemberStack creates the baseline: invocation-logging destinations published for the
// logging tool, the usage dashboard, alarms and alert topics. The template uses no file or
// Docker assets and no context lookups, so a CloudFormation StackSet can deploy it too.
func NewMemberStack(scope constructs.Construct, id string, props *MemberStackProps) *MemberStack {
	if props == nil {
		props = &MemberStackProps{}
	}
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String(fmt.Sprintf("bedrockgov member baseline (%s): Amazon Bedrock invocation logging (destinations and configuration), usage dashboard, alarms and alert topics", orUnnamed(props.EnvironmentName)))
	}
	if sp.Synthesizer == nil {
		// No bootstrap version rule and no asset roles: a StackSet can deploy the template as is,
		// and `cdk deploy` uses the caller's own credentials.
		sp.Synthesizer = awscdk.NewCliCredentialsStackSynthesizer(nil)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)

	logging := invocationlogging.NewInvocationLogging(stack, "InvocationLogging", props.Logging)
	mon := monitoring.NewMonitoring(stack, "Monitoring", props.Monitoring)
	additions := addMemberAdditions(stack, props, logging, mon)
	if props.Replication != nil {
		rp := *props.Replication
		rp.SourceBucket, rp.SourceKey, rp.KeyPrefix = logging.Bucket(), logging.Key(), jsii.String(logging.KeyPrefix())
		replication.NewReplication(stack, "HubReplication", &rp)
	}

	bucketName := *logging.Bucket().BucketName()
	roleArn := *logging.DeliveryRole().RoleArn()
	var logConfig loggingconfig.LoggingConfig
	if !props.LeaveLoggingToTool {
		logConfig = loggingconfig.NewLoggingConfig(stack, "InvocationLoggingConfiguration", &loggingconfig.LoggingConfigProps{
			BucketName:    jsii.String(bucketName),
			KeyPrefix:     jsii.String(logging.KeyPrefix()),
			LogGroupName:  jsii.String(logging.LogGroupName()),
			DeliveryRole:  logging.DeliveryRole(),
			DataTypes:     props.LoggingDataTypes,
			EncryptionKey: logging.Key(),
			// Everything the configuration points at (bucket, its policy, key, log group, role).
			DependsOn: []constructs.IDependable{stack.Node().FindChild(jsii.String("InvocationLogging"))},
		})
	}

	params := constructs.NewConstruct(stack, jsii.String("Parameters"))
	publish := func(id, name, value, description string) {
		awsssm.NewStringParameter(params, jsii.String(id), &awsssm.StringParameterProps{
			ParameterName: jsii.String(name),
			StringValue:   jsii.String(value),
			Description:   jsii.String(description),
			Tier:          awsssm.ParameterTier_STANDARD,
		})
	}
	publish("BucketName", ssmparams.BucketName, bucketName, "S3 bucket that receives Amazon Bedrock invocation logs")
	publish("KeyPrefix", ssmparams.KeyPrefix, logging.KeyPrefix(), "S3 key prefix of Amazon Bedrock invocation logs")
	publish("LogGroupName", ssmparams.LogGroupName, logging.LogGroupName(), "CloudWatch Logs log group that receives Amazon Bedrock invocation logs")
	publish("RoleArn", ssmparams.RoleArn, roleArn, "IAM role Amazon Bedrock assumes to write invocation logs to CloudWatch Logs")
	publish("LargeDataBucketName", ssmparams.LargeDataBucketName, bucketName, "S3 bucket for invocation-log bodies too large for CloudWatch Logs")

	output := func(key, value, description string) {
		awscdk.NewCfnOutput(stack, jsii.String(key), &awscdk.CfnOutputProps{
			Value:       jsii.String(value),
			Description: jsii.String(description),
		})
	}
	output(OutputLogBucketName, bucketName, "S3 bucket of Bedrock invocation logs (SSM "+ssmparams.BucketName+")")
	output(OutputLogKeyPrefix, logging.KeyPrefix(), "S3 key prefix of Bedrock invocation logs (SSM "+ssmparams.KeyPrefix+")")
	output(OutputLogGroupName, logging.LogGroupName(), "Log group of Bedrock invocation logs (SSM "+ssmparams.LogGroupName+")")
	output(OutputDeliveryRoleArn, roleArn, "Role Bedrock assumes to write to the log group (SSM "+ssmparams.RoleArn+")")
	output(OutputLogKeyArn, *logging.Key().KeyArn(), "KMS key encrypting the invocation logs")
	output(OutputDashboardName, *mon.Dashboard().DashboardName(), "CloudWatch dashboard of Bedrock usage")
	output(OutputCriticalTopicArn, *mon.Topic(monitoring.Critical).TopicArn(), "SNS topic of critical alarms")
	output(OutputWarningTopicArn, *mon.Topic(monitoring.Warning).TopicArn(), "SNS topic of warning alarms")
	output(OutputInfoTopicArn, *mon.Topic(monitoring.Info).TopicArn(), "SNS topic of info alarms")

	keys := make([]string, 0, len(props.Tags))
	for k := range props.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		awscdk.Tags_Of(stack).Add(jsii.String(k), jsii.String(props.Tags[k]), nil)
	}

	return &MemberStack{Stack: stack, Logging: logging, Monitoring: mon, LoggingConfig: logConfig, Additions: additions}
}

func orUnnamed(s string) string {
	if s == "" {
		return "unnamed environment"
	}
	return s
}
