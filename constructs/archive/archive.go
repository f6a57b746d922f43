// Package archive provides the hub account's invocation-log archive of one region: an S3
// bucket with Object Lock (governance mode) that only the member accounts' log-replication
// roles of one AWS Organization can write to, encrypted with a customer-managed KMS key those
// roles may encrypt with.
//
// Member stacks replicate their log buckets into it (see package replication); objects keep
// their keys, so the archive layout is the member layout:
// <prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/.
package archive

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/accesslogs"
	"github.com/bedrockgov/bedrockgov/constructs/keys"
	"github.com/bedrockgov/bedrockgov/tools/awsregions"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// ArchiveProps configures Archive. OrganizationID is required.
type ArchiveProps struct {
	// OrganizationID is the AWS Organizations ID ("o-..."); only principals of its accounts
	// may replicate into the archive. Required.
	OrganizationID string
	// BucketName of the archive. Default: naming.ArchiveBucketName(stack account, region),
	// the name member stacks derive.
	BucketName *string
	// KeyPrefix is the S3 key prefix the member accounts write under (no leading or trailing
	// slash). Replicas are accepted only under <KeyPrefix>/AWSLogs/<replicating account>/.
	// Default: naming.DefaultKeyPrefix.
	KeyPrefix *string
	// ObjectLockDays is the default Object Lock retention, governance mode, of every object
	// version. Default: 365.
	ObjectLockDays int
	// InfrequentAccessAfter moves objects to S3 Standard-IA. Default: never.
	InfrequentAccessAfter awscdk.Duration
	// GlacierAfter moves objects to S3 Glacier Flexible Retrieval. Default: never.
	GlacierAfter awscdk.Duration
	// ExpireAfter deletes objects, and noncurrent versions the same time after they became
	// noncurrent; it must not be shorter than ObjectLockDays. Default: never.
	ExpireAfter awscdk.Duration
	// RemovalPolicy of the key and the buckets. Default: RETAIN_ON_UPDATE_OR_DELETE, so neither
	// a stack deletion nor a replacement ever deletes the archive.
	RemovalPolicy awscdk.RemovalPolicy
}

// Archive is the hub's invocation-log archive of one region.
type Archive interface {
	constructs.IConstruct
	// Bucket holds the replicated invocation logs.
	Bucket() awss3.IBucket
	// Key encrypts Bucket; its alias is naming.ArchiveKeyAlias.
	Key() awskms.IKey
	// AccessLogsBucket receives Bucket's S3 server access logs.
	AccessLogsBucket() awss3.IBucket
	// KeyPrefix is the member key prefix the archive layout starts with.
	KeyPrefix() string
}

type archive struct {
	constructs.Construct
	bucket, accessLogs awss3.IBucket
	key                awskms.IKey
	keyPrefix          string
}

func (a *archive) Bucket() awss3.IBucket           { return a.bucket }
func (a *archive) Key() awskms.IKey                { return a.key }
func (a *archive) AccessLogsBucket() awss3.IBucket { return a.accessLogs }
func (a *archive) KeyPrefix() string               { return a.keyPrefix }

var (
	orgIDRe  = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	prefixRe = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$`)
)

// Statement IDs of the bucket and key policies (stable, for reviewers and tests).
const (
	SidReplicate             = "ReplicateFromOrganizationLogReplicationRoles"
	SidReplicationBucketRead = "ReplicationRolesCheckTheArchive"
	SidDenyGovernanceBypass  = "DenyObjectLockGovernanceBypass"
	SidKeyForReplication     = "AllowOrganizationLogReplicationRolesToEncrypt"
)

// NewArchive creates the archive key, bucket and access-log bucket.
func NewArchive(scope constructs.Construct, id string, props *ArchiveProps) Archive {
	if props == nil {
		props = &ArchiveProps{}
	}
	if !orgIDRe.MatchString(props.OrganizationID) {
		panic(fmt.Sprintf("archive: organization ID %q is not an AWS Organizations ID (o-...)", props.OrganizationID))
	}
	keyPrefix := naming.DefaultKeyPrefix
	if props.KeyPrefix != nil {
		keyPrefix = *props.KeyPrefix
	}
	if !prefixRe.MatchString(keyPrefix) {
		panic(fmt.Sprintf("archive: key prefix %q must be path segments with no leading or trailing slash", keyPrefix))
	}
	lockDays := props.ObjectLockDays
	if lockDays == 0 {
		lockDays = 365
	}
	if lockDays < 1 || lockDays > 36500 {
		panic(fmt.Sprintf("archive: object lock of %d days must be between 1 and 36500", lockDays))
	}
	if props.ExpireAfter != nil && *props.ExpireAfter.ToDays(nil) < float64(lockDays) {
		panic(fmt.Sprintf("archive: expiry after %v days is shorter than the %d-day object lock", *props.ExpireAfter.ToDays(nil), lockDays))
	}
	removal := props.RemovalPolicy
	if removal == "" {
		removal = awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	partition, region := literalPartition(stack), *stack.Region()
	bucketName := naming.ArchiveBucketName(*stack.Account(), region)
	if props.BucketName != nil {
		bucketName = *props.BucketName
	}
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", partition, bucketName)
	replicationRoles := naming.RoleArnPattern(partition, naming.ReplicationRolePattern)
	fromOrgReplicationRoles := map[string]any{
		"StringEquals": map[string]any{"aws:PrincipalOrgID": props.OrganizationID},
		"ArnLike":      map[string]any{"aws:PrincipalArn": replicationRoles},
	}

	key := awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the bedrockgov invocation-log archive (" + bucketName + ")"),
		Alias:             jsii.String(naming.ArchiveKeyAlias),
		EnableKeyRotation: jsii.Bool(true),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
		RemovalPolicy:     removal,
	})
	keys.DenyGrantsExceptForAWSResources(key)
	// S3 encrypts each replica with this key on the replication role's behalf. With an S3
	// Bucket Key on the archive, S3 also creates the bucket-level key (GenerateDataKey) and
	// checks it (Decrypt) as the calling principal. Only through S3 in this region, and only
	// for this bucket (the encryption context is the bucket ARN with a Bucket Key, the
	// object ARN without).
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(SidKeyForReplication),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{
				"aws:PrincipalOrgID": props.OrganizationID,
				"kms:ViaService":     fmt.Sprintf("s3.%s.amazonaws.com", region),
			},
			"ArnLike": map[string]any{"aws:PrincipalArn": replicationRoles},
			"StringLike": map[string]any{
				"kms:EncryptionContext:aws:s3:arn": []string{bucketArn, bucketArn + "/*"},
			},
		},
	}), jsii.Bool(false))

	accessLogs := awss3.NewBucket(c, jsii.String("AccessLogsBucket"), privateBucket(removal, &awss3.BucketProps{
		// S3 server access logs can only be delivered to a bucket with SSE-S3 encryption.
		Encryption: awss3.BucketEncryption_S3_MANAGED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("access-logs"),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
			Expiration:                          props.ExpireAfter,
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(30)),
		}},
	}))

	rule := &awss3.LifecycleRule{
		Id:                                  jsii.String("archive"),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
	}
	var transitions []*awss3.Transition
	if props.InfrequentAccessAfter != nil {
		transitions = append(transitions, &awss3.Transition{StorageClass: awss3.StorageClass_INFREQUENT_ACCESS(), TransitionAfter: props.InfrequentAccessAfter})
	}
	if props.GlacierAfter != nil {
		transitions = append(transitions, &awss3.Transition{StorageClass: awss3.StorageClass_GLACIER(), TransitionAfter: props.GlacierAfter})
	}
	if len(transitions) > 0 {
		rule.Transitions = &transitions
	}
	if props.ExpireAfter != nil {
		rule.Expiration = props.ExpireAfter
		rule.NoncurrentVersionExpiration = props.ExpireAfter
	}
	bucket := awss3.NewBucket(c, jsii.String("Bucket"), privateBucket(removal, &awss3.BucketProps{
		BucketName:                 jsii.String(bucketName),
		Encryption:                 awss3.BucketEncryption_KMS,
		EncryptionKey:              key,
		BucketKeyEnabled:           jsii.Bool(true),
		ObjectLockEnabled:          jsii.Bool(true),
		ObjectLockDefaultRetention: awss3.ObjectLockRetention_Governance(awscdk.Duration_Days(jsii.Number(float64(lockDays)))),
		LifecycleRules:             &[]*awss3.LifecycleRule{rule},
	}))
	// Replicas only: s3:ReplicateObject (not PutObject), only by the member log-replication
	// roles of this organization, and only under the replicating account's own folder of the
	// log layout (the ${aws:PrincipalAccount} policy variable). Delete markers are not
	// replicated (the replication rule disables it), so s3:ReplicateDelete is not granted:
	// deleting logs in a member account never touches the archive. Tags are not granted
	// either (Bedrock does not tag log objects).
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(SidReplicate),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:ReplicateObject"),
		Resources:  jsii.Strings(bucketArn + "/" + keyPrefix + "/AWSLogs/${aws:PrincipalAccount}/*"),
		Conditions: &fromOrgReplicationRoles,
	}))
	// Replication checks the destination's versioning and Object Lock configuration.
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(SidReplicationBucketRead),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:GetBucketVersioning", "s3:GetBucketObjectLockConfiguration"),
		Resources:  jsii.Strings(bucketArn),
		Conditions: &fromOrgReplicationRoles,
	}))
	// Governance mode lets a principal with s3:BypassGovernanceRetention delete or shorten
	// the lock of an object version early; nobody gets it through this bucket.
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(SidDenyGovernanceBypass),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:BypassGovernanceRetention"),
		Resources:  jsii.Strings(bucketArn + "/*"),
	}))

	accesslogs.Enable(bucket, accessLogs, "archive/", bucketArn)

	return &archive{Construct: c, bucket: bucket, key: key, accessLogs: accessLogs, keyPrefix: keyPrefix}
}

// literalPartition returns the stack's partition as plain text when its region is known, so
// policies read as literal ARNs; otherwise the AWS::Partition reference.
func literalPartition(stack awscdk.Stack) string {
	if !*awscdk.Token_IsUnresolved(stack.Region()) {
		if p, ok := awsregions.Partition(*stack.Region()); ok {
			return p
		}
	}
	return *stack.Partition()
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
