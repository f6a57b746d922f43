// Package ssmparams holds the names of the SSM parameters that the member
// baseline stack publishes in every member account and region, and that
// tools/logging reads to learn where Bedrock model-invocation logs go.
//
// The package has no dependencies so both the CDK stacks and the
// aws-sdk-go-v2 tools can import it and agree on the names.
package ssmparams

// Prefix is the common path of every invocation-logging parameter.
const Prefix = "/bedrockgov/invocation-logging/"

const (
	// BucketName is the S3 bucket that receives invocation logs.
	BucketName = Prefix + "bucket-name"
	// KeyPrefix is the key prefix inside BucketName (may be empty).
	KeyPrefix = Prefix + "key-prefix"
	// LogGroupName is the CloudWatch Logs log group that receives invocation
	// logs (by convention /aws/bedrock/modelinvocations).
	LogGroupName = Prefix + "log-group-name"
	// RoleArn is the IAM role Bedrock assumes to write to LogGroupName.
	RoleArn = Prefix + "role-arn"
	// LargeDataBucketName is the optional S3 bucket for bodies too large for
	// CloudWatch Logs. When absent, no large-data delivery is configured.
	LargeDataBucketName = Prefix + "large-data-bucket-name"
)

// All lists every parameter name, in a stable order.
var All = []string{BucketName, KeyPrefix, LogGroupName, RoleArn, LargeDataBucketName}
