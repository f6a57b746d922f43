// Package accesslogs turns on S3 server access logging the way AWS recommends: the bucket
// names its log destination and prefix, and the destination's bucket policy lets the S3
// logging service write under that prefix for this one source bucket of this account (no
// log-delivery ACL, whatever the app's feature flags say).
package accesslogs

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// Enable sends bucket's server access logs to destination under prefix (which should end in
// "/"). sourceArn is bucket's ARN as the policy should name it (a plain string where the name
// is fixed, or the bucket's ARN token).
func Enable(bucket, destination awss3.IBucket, prefix, sourceArn string) {
	bucket.Node().DefaultChild().(awss3.CfnBucket).SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: destination.BucketName(),
		LogFilePrefix:         jsii.String(prefix),
	})
	destination.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("S3ServerAccessLogsPolicy"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logging.s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*destination.ArnForObjects(jsii.String(prefix + "*"))),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": *awscdk.Stack_Of(bucket).Account()},
			"ArnLike":      map[string]any{"aws:SourceArn": sourceArn},
		},
	}))
}
