// Package invocationlogging provides the destinations Amazon Bedrock model-invocation logging
// writes to in one account and region: a customer-managed KMS key, an S3 log bucket, the
// CloudWatch Logs log group and the IAM role Bedrock assumes to write to it.
//
// CloudFormation has no resource for the logging configuration itself (Bedrock's
// PutModelInvocationLoggingConfiguration): the loggingconfig construct puts it with a custom
// resource, or `go run ./tools/logging enable` does, reading the destinations this construct's
// stack publishes.
package invocationlogging

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/accesslogs"
	"github.com/bedrockgov/bedrockgov/constructs/keys"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// DefaultLogGroupName is the log group name Bedrock's console and documentation use.
const DefaultLogGroupName = "/aws/bedrock/modelinvocations"

// LogStreamName is the stream Bedrock writes to inside the log group.
const LogStreamName = "aws/bedrock/modelinvocations"

// DefaultKeyPrefix is the S3 key prefix used when none is given.
const DefaultKeyPrefix = naming.DefaultKeyPrefix

// InvocationLoggingProps configures InvocationLogging. The zero value (or nil) is valid.
type InvocationLoggingProps struct {
	// KeyPrefix is the S3 key prefix Bedrock writes under, without leading or trailing slash.
	// Default: DefaultKeyPrefix.
	KeyPrefix *string
	// LogGroupName is the CloudWatch Logs log group name. Default: DefaultLogGroupName.
	LogGroupName *string
	// LogRetention is how long the log group keeps events. Default: one year.
	LogRetention awslogs.RetentionDays
	// InfrequentAccessAfter moves log objects to S3 Standard-IA. Default: 30 days.
	InfrequentAccessAfter awscdk.Duration
	// GlacierAfter moves log objects to S3 Glacier Flexible Retrieval. Default: 90 days.
	GlacierAfter awscdk.Duration
	// ExpireAfter deletes log objects (and their noncurrent versions the same time later).
	// Default: never; objects are kept.
	ExpireAfter awscdk.Duration
	// AccessLogsBucket receives the log bucket's S3 server access logs. Default: a new bucket
	// (SSE-S3, versioned, TLS only, retained) created by this construct.
	AccessLogsBucket awss3.IBucket
	// RemovalPolicy applies to the key, both buckets and the log group. Default:
	// RETAIN_ON_UPDATE_OR_DELETE, so deleting the stack or replacing a resource never deletes
	// logs or the key that decrypts them, while a first deployment that fails and rolls back
	// removes what it created (a retained fixed-name log group would make every retry fail with
	// "already exists").
	RemovalPolicy awscdk.RemovalPolicy
	// ObjectLockDays turns on S3 Object Lock in governance mode on the log bucket with this
	// default retention: log objects cannot be deleted or overwritten for that long except by
	// principals allowed s3:BypassGovernanceRetention. Once on, Object Lock cannot be turned off.
	// Default: 0, no Object Lock.
	ObjectLockDays float64
	// ExistingLogGroup uses a log group of LogGroupName that already exists in the account
	// instead of creating one; its retention and encryption are then not managed here.
	// Default: false, the construct creates the log group.
	ExistingLogGroup bool
	// BucketName names the log bucket. Default: naming.LogBucketName(<account>, <region>), the
	// name the organization's SCPs protect (bedrockgov-logs-*). A generated name is not
	// protected by them.
	BucketName *string
	// LogWriterRolePattern names IAM roles (a role-name pattern, e.g. "bedrockgov-log-replication-*")
	// besides Bedrock that may write objects under the log prefix. Default: none, only Bedrock.
	LogWriterRolePattern *string
}

// InvocationLogging is the set of invocation-logging destinations.
type InvocationLogging interface {
	constructs.IConstruct
	// Key encrypts the log bucket and the log group.
	Key() awskms.IKey
	// Bucket receives the S3 copy of every invocation log.
	Bucket() awss3.IBucket
	// AccessLogsBucket receives the log bucket's server access logs.
	AccessLogsBucket() awss3.IBucket
	// LogGroup receives the CloudWatch Logs copy of every invocation log.
	LogGroup() awslogs.ILogGroup
	// DeliveryRole is the role Bedrock assumes to write to LogGroup.
	DeliveryRole() awsiam.IRole
	// KeyPrefix is the S3 key prefix Bedrock writes under.
	KeyPrefix() string
	// LogGroupName is the name of LogGroup.
	LogGroupName() string
}

type invocationLogging struct {
	constructs.Construct
	key        awskms.IKey
	bucket     awss3.IBucket
	accessLogs awss3.IBucket
	logGroup   awslogs.ILogGroup
	role       awsiam.IRole
	keyPrefix  string
	groupName  string
}

func (l *invocationLogging) Key() awskms.IKey                { return l.key }
func (l *invocationLogging) Bucket() awss3.IBucket           { return l.bucket }
func (l *invocationLogging) AccessLogsBucket() awss3.IBucket { return l.accessLogs }
func (l *invocationLogging) LogGroup() awslogs.ILogGroup     { return l.logGroup }
func (l *invocationLogging) DeliveryRole() awsiam.IRole      { return l.role }
func (l *invocationLogging) KeyPrefix() string               { return l.keyPrefix }
func (l *invocationLogging) LogGroupName() string            { return l.groupName }

// NewInvocationLogging creates the logging destinations in the stack's account and region.
func NewInvocationLogging(scope constructs.Construct, id string, props *InvocationLoggingProps) InvocationLogging {
	if props == nil {
		props = &InvocationLoggingProps{}
	}
	keyPrefix := DefaultKeyPrefix
	if props.KeyPrefix != nil {
		keyPrefix = *props.KeyPrefix
	}
	if keyPrefix == "" || strings.HasPrefix(keyPrefix, "/") || strings.HasSuffix(keyPrefix, "/") {
		panic(fmt.Sprintf("invocationlogging: key prefix %q must be non-empty with no leading or trailing slash", keyPrefix))
	}
	groupName := DefaultLogGroupName
	if props.LogGroupName != nil {
		groupName = *props.LogGroupName
	}
	retention := props.LogRetention
	if retention == "" {
		retention = awslogs.RetentionDays_ONE_YEAR
	}
	removal := props.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE
	}
	ia := orDefault(props.InfrequentAccessAfter, awscdk.Duration_Days(jsii.Number(30)))
	glacier := orDefault(props.GlacierAfter, awscdk.Duration_Days(jsii.Number(90)))
	iaDays, glacierDays := *ia.ToDays(nil), *glacier.ToDays(nil)
	// S3 rejects a transition to Standard-IA before 30 days, and one from Standard-IA to Glacier
	// less than 30 days later.
	if iaDays < 30 || glacierDays < iaDays+30 {
		panic(fmt.Sprintf("invocationlogging: transitions must be at least 30 days to Standard-IA then at least 30 days more to Glacier, got %v and %v days", iaDays, glacierDays))
	}
	if props.ExpireAfter != nil && *props.ExpireAfter.ToDays(nil) <= glacierDays {
		panic(fmt.Sprintf("invocationlogging: expiry (%v days) must come after the Glacier transition (%v days)", *props.ExpireAfter.ToDays(nil), glacierDays))
	}
	if props.ObjectLockDays < 0 || (props.ObjectLockDays > 0 && props.ExpireAfter != nil && props.ObjectLockDays > *props.ExpireAfter.ToDays(nil)) {
		panic(fmt.Sprintf("invocationlogging: Object Lock retention (%v days) must be positive and at most the expiry", props.ObjectLockDays))
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	account, region, partition := stack.Account(), stack.Region(), stack.Partition()
	// Bedrock's service identity writes on behalf of this account and region only.
	bedrockSourceArn := fmt.Sprintf("arn:%s:bedrock:%s:%s:*", *partition, *region, *account)
	bedrockConditions := &map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": *account},
		"ArnLike":      map[string]any{"aws:SourceArn": bedrockSourceArn},
	}
	logGroupArn := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", *partition, *region, *account, groupName)

	key := awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts Amazon Bedrock model-invocation logs (S3 bucket and CloudWatch Logs log group)"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     removal,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
	})
	keys.DenyGrantsExceptForAWSResources(key)
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowBedrockToEncryptInvocationLogs"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:GenerateDataKey"),
		Resources:  jsii.Strings("*"),
		Conditions: bedrockConditions,
	}), jsii.Bool(false))
	// CloudWatch Logs identifies the log group through the encryption context, which is how
	// its documentation scopes a key to one log group.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchLogsForTheInvocationLogGroup"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", *region)), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": logGroupArn},
		},
	}), jsii.Bool(false))

	accessLogs := props.AccessLogsBucket
	if accessLogs == nil {
		// S3 server access logs can only be delivered to a bucket with SSE-S3 default encryption.
		accessLogs = awss3.NewBucket(c, jsii.String("AccessLogsBucket"), privateBucket(removal, &awss3.BucketProps{
			Encryption: awss3.BucketEncryption_S3_MANAGED,
			LifecycleRules: &[]*awss3.LifecycleRule{{
				Id:                                  jsii.String("access-logs-tiering"),
				Transitions:                         &[]*awss3.Transition{{StorageClass: awss3.StorageClass_INFREQUENT_ACCESS(), TransitionAfter: ia}},
				AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
				// Access logs are kept as long as the logs they describe.
				Expiration:                  props.ExpireAfter,
				NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
			}},
		}))
	}

	rule := &awss3.LifecycleRule{
		Id: jsii.String("invocation-logs-tiering"),
		Transitions: &[]*awss3.Transition{
			{StorageClass: awss3.StorageClass_INFREQUENT_ACCESS(), TransitionAfter: ia},
			{StorageClass: awss3.StorageClass_GLACIER(), TransitionAfter: glacier},
		},
		NoncurrentVersionTransitions: &[]*awss3.NoncurrentVersionTransition{
			{StorageClass: awss3.StorageClass_GLACIER(), TransitionAfter: ia},
		},
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
	}
	if props.ExpireAfter != nil {
		rule.Expiration = props.ExpireAfter
		rule.NoncurrentVersionExpiration = props.ExpireAfter
	}
	bucketName := props.BucketName
	if bucketName == nil {
		bucketName = jsii.String(naming.LogBucketName(*account, *region))
	}
	bucketProps := privateBucket(removal, &awss3.BucketProps{
		BucketName:       bucketName,
		Encryption:       awss3.BucketEncryption_KMS,
		EncryptionKey:    key,
		BucketKeyEnabled: jsii.Bool(true),
		LifecycleRules:   &[]*awss3.LifecycleRule{rule},
	})
	if props.ObjectLockDays > 0 {
		bucketProps.ObjectLockEnabled = jsii.Bool(true)
		bucketProps.ObjectLockDefaultRetention = awss3.ObjectLockRetention_Governance(awscdk.Duration_Days(jsii.Number(props.ObjectLockDays)))
	}
	bucket := awss3.NewBucket(c, jsii.String("Bucket"), bucketProps)
	logObjects := fmt.Sprintf("%s/%s", *bucket.BucketArn(), naming.AccountLogPrefix(keyPrefix, *account)+"*")
	// Only Bedrock writes invocation records: no principal of this or any account can forge or
	// overwrite one, whatever its IAM permissions. Bedrock's requests carry
	// aws:PrincipalServiceName; the optional writer roles are matched by ARN.
	notWriters := map[string]any{"StringNotEqualsIfExists": map[string]any{"aws:PrincipalServiceName": "bedrock.amazonaws.com"}}
	if props.LogWriterRolePattern != nil {
		notWriters["ArnNotLike"] = map[string]any{"aws:PrincipalArn": naming.RoleArnPattern(*partition, *props.LogWriterRolePattern)}
	}
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyBedrockWritesInvocationLogs"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(logObjects),
		Conditions: &notWriters,
	}))
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AmazonBedrockLogsWrite"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(logObjects),
		Conditions: bedrockConditions,
	}))

	// Server access logging, set on the bucket resource with the bucket-policy grant AWS
	// recommends (not the log-delivery ACL), whatever the app's feature flags say.
	accesslogs.Enable(bucket, accessLogs, "invocation-log-bucket/", *bucket.BucketArn())

	var logGroup awslogs.ILogGroup
	if props.ExistingLogGroup {
		logGroup = awslogs.LogGroup_FromLogGroupName(c, jsii.String("LogGroup"), jsii.String(groupName))
	} else {
		logGroup = awslogs.NewLogGroup(c, jsii.String("LogGroup"), &awslogs.LogGroupProps{
			LogGroupName:  jsii.String(groupName),
			Retention:     retention,
			EncryptionKey: key,
			RemovalPolicy: removal,
		})
	}

	role := awsiam.NewRole(c, jsii.String("DeliveryRole"), &awsiam.RoleProps{
		// A fixed name the organization's SCPs protect from being edited.
		RoleName:    jsii.String(naming.DeliveryRoleName(*region)),
		Description: jsii.String("Assumed by Amazon Bedrock to deliver model-invocation logs to " + groupName),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: bedrockConditions,
		}),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"DeliverInvocationLogs": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("WriteTheInvocationLogStream"),
					Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
					Resources: jsii.Strings(logGroupArn + ":log-stream:" + LogStreamName),
				})},
			}),
		},
	})

	return &invocationLogging{
		Construct: c, key: key, bucket: bucket, accessLogs: accessLogs, logGroup: logGroup,
		role: role, keyPrefix: keyPrefix, groupName: groupName,
	}
}

// privateBucket adds the settings every bucket here has: versioned, no public access, ACLs
// disabled, TLS 1.2 or later only, and the removal policy.
func privateBucket(removal awscdk.RemovalPolicy, p *awss3.BucketProps) *awss3.BucketProps {
	p.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
	p.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	p.EnforceSSL = jsii.Bool(true)
	p.MinimumTLSVersion = jsii.Number(1.2)
	p.Versioned = jsii.Bool(true)
	p.RemovalPolicy = removal
	return p
}

func orDefault(d, def awscdk.Duration) awscdk.Duration {
	if d == nil {
		return def
	}
	return d
}
