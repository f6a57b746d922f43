// Package naming holds every name that more than one part of bedrockgov must agree on: the S3
// layout Bedrock writes invocation logs in (and the Athena partition template over it), the
// fixed IAM role names the organization's service control policies allow, and the hub's
// resource names that member stacks derive instead of looking up. It has no dependencies, so
// the CDK stacks, the tools and the tests all import it.
package naming

import (
	"fmt"
	"strings"
	"time"
)

// Project starts the name of every fixed-name resource bedrockgov creates.
const Project = "bedrockgov"

// ---- S3 layout of invocation logs ------------------------------------------------------------

// LogsFolder is the folder Bedrock writes under AWSLogs/<account>/.
const LogsFolder = "BedrockModelInvocationLogs"

// DefaultKeyPrefix is the S3 key prefix used when an environment sets none.
const DefaultKeyPrefix = "bedrock-invocation-logs"

// PermissionCheckObject is the test object Bedrock writes under the prefix when logging is set.
const PermissionCheckObject = "amazon-bedrock-logs-permission-check"

// AccountLogPrefix is where Bedrock writes one account's logs, with a trailing slash:
// [keyPrefix/]AWSLogs/<account>/BedrockModelInvocationLogs/.
func AccountLogPrefix(keyPrefix, account string) string {
	return joinPrefix(keyPrefix) + "AWSLogs/" + account + "/" + LogsFolder + "/"
}

// HourPrefix is the folder of one hour of one account and region's logs, with a trailing
// slash: [keyPrefix/]AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/.
// Objects under its "data/" subfolder hold large bodies, not log records.
func HourPrefix(keyPrefix, account, region string, t time.Time) string {
	return AccountLogPrefix(keyPrefix, account) + region + "/" + t.UTC().Format("2006/01/02/15") + "/"
}

// DayPrefix is the folder of one day of one account and region's logs, with a trailing slash.
func DayPrefix(keyPrefix, account, region string, t time.Time) string {
	return AccountLogPrefix(keyPrefix, account) + region + "/" + t.UTC().Format("2006/01/02") + "/"
}

// DataFolder is the name of the per-hour folder that holds large bodies, not log records.
const DataFolder = "data"

// PartitionTemplate is the Athena partition-projection storage.location.template over the
// layout above, with ${account}, ${region} and ${dt} (dt formatted as DateFormat).
func PartitionTemplate(bucket, keyPrefix string) string {
	return "s3://" + bucket + "/" + joinPrefix(keyPrefix) + "AWSLogs/${account}/" + LogsFolder + "/${region}/${dt}/"
}

// DateFormat is the Athena projection format of the dt partition (Java date pattern), and
// GoDateFormat the same layout for Go's time package.
const (
	DateFormat   = "yyyy/MM/dd"
	GoDateFormat = "2006/01/02"
)

func joinPrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// ---- IAM roles with fixed names (the SCPs allow them by these patterns) ----------------------

// LoggingConfigRoleName is the role of the member stack's custom resource that puts and
// deletes the invocation-logging configuration, one per region (role names are account-wide).
func LoggingConfigRoleName(region string) string { return Project + "-logging-config-" + region }

// LoggingConfigRolePattern matches LoggingConfigRoleName in every region.
const LoggingConfigRolePattern = Project + "-logging-config-*"

// LoggingConfigFunctionName is the member stack's function that puts the logging
// configuration (function names are regional, so one name serves every region); the SCPs
// protect functions named LambdaFunctionPattern.
const LoggingConfigFunctionName = Project + "-logging-config"

// LambdaFunctionPattern matches the functions of bedrockgov's stacks.
const LambdaFunctionPattern = Project + "-*"

// DeliveryRoleName is the member role Bedrock assumes to write invocation logs to CloudWatch
// Logs, one per region; the SCPs protect it by DeliveryRolePattern.
func DeliveryRoleName(region string) string { return Project + "-log-delivery-" + region }

// DeliveryRolePattern matches DeliveryRoleName in every region.
const DeliveryRolePattern = Project + "-log-delivery-*"

// ReplicationRoleName is the member role S3 assumes to replicate the log bucket into the hub
// archive, one per region.
func ReplicationRoleName(region string) string { return Project + "-log-replication-" + region }

// ReplicationRolePattern matches ReplicationRoleName in every region.
const ReplicationRolePattern = Project + "-log-replication-*"

// StackSetExecutionRolePattern matches the roles AWS CloudFormation StackSets creates in
// member accounts for service-managed stack sets (stacksets-exec-<id>).
const StackSetExecutionRolePattern = "stacksets-exec-*"

// CDKQualifier is the default bootstrap qualifier of the CDK (cdk bootstrap --qualifier).
const CDKQualifier = "hnb659fds"

// CDKExecutionRolePattern matches the CloudFormation execution roles of CDK bootstrap (the
// roles `cdk deploy` and CDK Pipelines deploy through), in every region.
const CDKExecutionRolePattern = "cdk-" + CDKQualifier + "-cfn-exec-role-*"

// CDKDeployRolePattern matches the deploy roles of CDK bootstrap, which `cdk deploy` and CDK
// Pipelines assume to start CloudFormation and which pass the execution role to it.
const CDKDeployRolePattern = "cdk-" + CDKQualifier + "-deploy-role-*"

// RoleArnPattern is an IAM role ARN pattern in any account of the partition, for ArnLike.
func RoleArnPattern(partition, rolePattern string) string {
	return fmt.Sprintf("arn:%s:iam::*:role/%s", partition, rolePattern)
}

// ---- The hub account's resources, derived from its account and region --------------------

// ArchiveBucketName is the hub archive bucket of one region.
func ArchiveBucketName(hubAccount, region string) string {
	return fmt.Sprintf("%s-archive-%s-%s", Project, hubAccount, region)
}

// ArchiveKeyAlias is the alias of the hub archive's KMS key (aliases are regional).
const ArchiveKeyAlias = "alias/" + Project + "-archive"

// ArchiveKeyAliasArn is the ARN of ArchiveKeyAlias in the hub account and region.
func ArchiveKeyAliasArn(partition, hubAccount, region string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", partition, region, hubAccount, ArchiveKeyAlias)
}

// Athena and Glue names of the hub query layer.
const (
	GlueDatabase    = Project
	GlueTable       = "invocation_logs"
	AthenaWorkgroup = Project
)

// ---- Member log destinations the organization's SCPs protect ---------------------------------

// InvocationLogGroupName is the member baseline's CloudWatch Logs log group of invocation logs
// (the name Bedrock's console and documentation use). The SCPs protect it by this name.
const InvocationLogGroupName = "/aws/bedrock/modelinvocations"

// LogBucketName is the member baseline's invocation-log bucket in one account and region. The
// SCPs protect log buckets by LogBucketPattern, because S3 bucket-configuration actions cannot
// be conditioned on tags unless the bucket opts into attribute-based access control.
func LogBucketName(account, region string) string {
	return fmt.Sprintf("%s-logs-%s-%s", Project, account, region)
}

// LogBucketPattern matches LogBucketName in every account and region.
const LogBucketPattern = Project + "-logs-*"

// BaselineTagKey and BaselineTagValue tag every resource of the member baseline; the SCPs
// protect the baseline's KMS keys (which support aws:ResourceTag) by this tag.
const (
	BaselineTagKey   = "ManagedBy"
	BaselineTagValue = Project
)
