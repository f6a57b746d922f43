package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/bedrockgov/bedrockgov/tools/awstarget"
)

// The tool talks to AWS only through these narrow interfaces. Every method
// listed here must have an entry in operationActions (policy.go); a test
// checks that the IAM policy printed by `policy` covers exactly them.

// bedrockAPI is the Bedrock control plane: the invocation-logging singleton.
type bedrockAPI interface {
	GetModelInvocationLoggingConfiguration(ctx context.Context, in *bedrock.GetModelInvocationLoggingConfigurationInput, optFns ...func(*bedrock.Options)) (*bedrock.GetModelInvocationLoggingConfigurationOutput, error)
	PutModelInvocationLoggingConfiguration(ctx context.Context, in *bedrock.PutModelInvocationLoggingConfigurationInput, optFns ...func(*bedrock.Options)) (*bedrock.PutModelInvocationLoggingConfigurationOutput, error)
	DeleteModelInvocationLoggingConfiguration(ctx context.Context, in *bedrock.DeleteModelInvocationLoggingConfigurationInput, optFns ...func(*bedrock.Options)) (*bedrock.DeleteModelInvocationLoggingConfigurationOutput, error)
}

// ssmAPI reads the member baseline's parameters.
type ssmAPI interface {
	GetParameters(ctx context.Context, in *ssm.GetParametersInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersOutput, error)
}

// s3API checks that the destination bucket exists, in which account and Region.
type s3API interface {
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, optFns ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	GetBucketLocation(ctx context.Context, in *s3.GetBucketLocationInput, optFns ...func(*s3.Options)) (*s3.GetBucketLocationOutput, error)
}

// logsAPI checks that the destination log group exists.
type logsAPI interface {
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// stsAPI identifies the caller and assumes roles in member accounts;
// orgAPI lists the organization's accounts (both from tools/awstarget).
type (
	stsAPI = awstarget.STSAPI
	orgAPI = awstarget.OrgAPI
)

// targetClients are the clients for one account and Region.
type targetClients struct {
	Bedrock bedrockAPI
	SSM     ssmAPI
	S3      s3API
	Logs    logsAPI
}

// interfaceServices maps each interface above to its IAM service prefix,
// for the policy test.
var interfaceServices = map[string]string{
	"bedrockAPI": "bedrock",
	"ssmAPI":     "ssm",
	"s3API":      "s3",
	"logsAPI":    "logs",
	"stsAPI":     "sts",
	"orgAPI":     "organizations",
}
