// Package replication ships a member account's invocation logs to the hub: an S3 replication
// rule on the member log bucket into the hub archive of the same region, the role S3 assumes
// for it, and, when the hub's CloudWatch cross-account observability sink of the region is
// known, the link that shares the account's metrics with the hub.
//
// Hub names are derived from the hub account and region (package naming), never looked up, so
// the member template stays deployable by a StackSet.
package replication

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsoam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// ReplicationProps configures Replication. SourceBucket, SourceKey and HubAccount are required.
type ReplicationProps struct {
	// SourceBucket is the member log bucket (versioned, SSE-KMS). Required; it must be a bucket
	// of this stack (its CfnBucket gets the replication configuration).
	SourceBucket awss3.IBucket
	// SourceKey encrypts SourceBucket. Required.
	SourceKey awskms.IKey
	// KeyPrefix is the prefix Bedrock writes under. Default: naming.DefaultKeyPrefix.
	KeyPrefix *string
	// HubAccount is the 12-digit hub account. Required.
	HubAccount string
	// OAMSinkArn is the hub's observability sink in this region. Default: none, no link.
	OAMSinkArn *string
	// OAMSinkArns maps hub regions to the hub's sink ARN there; the stack links to the sink of
	// its own region, if any. An environment-agnostic stack (a StackSet template deployed to
	// several regions) chooses at deployment with conditions on AWS::Region. Ignored when
	// OAMSinkArn is set. Default: none.
	OAMSinkArns map[string]string
}

// Replication is the replication rule, its role and the optional OAM link.
type Replication interface {
	constructs.IConstruct
	// Role is the role S3 assumes to replicate (named naming.ReplicationRoleName(region)).
	Role() awsiam.IRole
	// Link is the OAM link, or nil when no sink ARN was given.
	Link() awsoam.CfnLink
	// DestinationBucketArn is the hub archive's ARN.
	DestinationBucketArn() string
}

type replication struct {
	constructs.Construct
	role awsiam.IRole
	link awsoam.CfnLink
	dest string
}

func (r *replication) Role() awsiam.IRole           { return r.role }
func (r *replication) Link() awsoam.CfnLink         { return r.link }
func (r *replication) DestinationBucketArn() string { return r.dest }

var accountRe = regexp.MustCompile(`^[0-9]{12}$`)

// RuleID is the ID of the replication rule.
const RuleID = "bedrockgov-invocation-logs-to-hub"

// NewReplication adds the replication rule to the source bucket and creates its role and the
// optional OAM link.
func NewReplication(scope constructs.Construct, id string, props *ReplicationProps) Replication {
	if props == nil || props.SourceBucket == nil || props.SourceKey == nil {
		panic("replication: SourceBucket and SourceKey are required")
	}
	if !accountRe.MatchString(props.HubAccount) {
		panic(fmt.Sprintf("replication: hub account %q is not a 12-digit AWS account ID", props.HubAccount))
	}
	keyPrefix := naming.DefaultKeyPrefix
	if props.KeyPrefix != nil {
		keyPrefix = strings.Trim(*props.KeyPrefix, "/")
	}
	cfnBucket, ok := props.SourceBucket.Node().DefaultChild().(awss3.CfnBucket)
	if !ok {
		panic("replication: SourceBucket must be a bucket created in this stack")
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	partition, region, account := *stack.Partition(), *stack.Region(), *stack.Account()
	destName := naming.ArchiveBucketName(props.HubAccount, region)
	destArn := fmt.Sprintf("arn:%s:s3:::%s", partition, destName)
	destKeyAlias := naming.ArchiveKeyAliasArn(partition, props.HubAccount, region)
	logPrefix := naming.AccountLogPrefix(keyPrefix, account)
	sourceArn := *props.SourceBucket.BucketArn()
	viaS3 := fmt.Sprintf("s3.%s.amazonaws.com", region)

	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		RoleName:    jsii.String(naming.ReplicationRoleName(region)),
		Description: jsii.String("Assumed by Amazon S3 to replicate Amazon Bedrock invocation logs into the bedrockgov hub archive " + destName),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("s3.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}},
		}),
	})
	// A separate policy resource: the bucket names the role and the policy names the bucket,
	// so keeping them apart avoids a dependency cycle (role, then bucket, then policy).
	policy := awsiam.NewPolicy(c, jsii.String("Policy"), &awsiam.PolicyProps{
		PolicyName: jsii.String("ReplicateInvocationLogs"),
		Document: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
			Statements: &[]awsiam.PolicyStatement{
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("ReadReplicationConfiguration"),
					Actions:   jsii.Strings("s3:GetReplicationConfiguration", "s3:ListBucket"),
					Resources: jsii.Strings(sourceArn),
				}),
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid: jsii.String("ReadLogObjectVersions"),
					// Retention and legal hold: replicas of a log bucket with Object Lock carry them.
					Actions:   jsii.Strings("s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"),
					Resources: jsii.Strings(sourceArn + "/" + logPrefix + "*"),
				}),
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("ReplicateIntoTheHubArchive"),
					Actions:   jsii.Strings("s3:ReplicateObject"),
					Resources: jsii.Strings(destArn + "/" + logPrefix + "*"),
				}),
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("DecryptLogObjects"),
					Actions:   jsii.Strings("kms:Decrypt"),
					Resources: jsii.Strings(*props.SourceKey.KeyArn()),
					Conditions: &map[string]any{
						"StringEquals": map[string]any{"kms:ViaService": viaS3},
						// The log bucket uses an S3 Bucket Key: the context is the bucket ARN.
						"StringLike": map[string]any{"kms:EncryptionContext:aws:s3:arn": []string{sourceArn, sourceArn + "/" + logPrefix + "*"}},
					},
				}),
				// The hub key's ID is generated in the hub and never looked up, so the grant names
				// the keys of the hub account and region, used through S3 for the archive bucket
				// only (the encryption context is the archive bucket's ARN). S3 finds the key by
				// its alias ARN in the replication rule.
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("EncryptReplicasWithTheHubKey"),
					Actions:   jsii.Strings("kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"),
					Resources: jsii.Strings(fmt.Sprintf("arn:%s:kms:%s:%s:key/*", partition, region, props.HubAccount)),
					Conditions: &map[string]any{
						"StringEquals": map[string]any{"kms:ViaService": viaS3},
						"StringLike":   map[string]any{"kms:EncryptionContext:aws:s3:arn": []string{destArn, destArn + "/" + logPrefix + "*"}},
					},
				}),
			},
		}),
	})
	role.AttachInlinePolicy(policy)

	cdknag.NagSuppressions_AddResourceSuppressions(policy, &[]*cdknag.NagPackSuppression{
		{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("Replication reads and replicates every object version under this account's Bedrock log folder (" + naming.LogsFolder + "/); Bedrock names the objects by date, hour and a generated name, so that folder is the narrowest resource."),
			AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::.*\\/AWSLogs\\/.*\\/" + naming.LogsFolder + "\\/\\*$/g")}},
		},
		{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("The hub archive key's ID is generated in the hub account and never looked up; the grant is limited to keys of the hub account and region used through S3 (kms:ViaService) for the archive bucket (its ARN as the encryption context)."),
			AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::arn:.*:kms:.*:key\\/\\*$/g")}},
		},
	}, jsii.Bool(false))

	cfnBucket.SetReplicationConfiguration(&awss3.CfnBucket_ReplicationConfigurationProperty{
		Role: role.RoleArn(),
		Rules: []any{&awss3.CfnBucket_ReplicationRuleProperty{
			Id:       jsii.String(RuleID),
			Priority: jsii.Number(1),
			Status:   jsii.String("Enabled"),
			Filter:   &awss3.CfnBucket_ReplicationRuleFilterProperty{Prefix: jsii.String(logPrefix)},
			// Deleting logs in the member account never deletes them in the archive.
			DeleteMarkerReplication: &awss3.CfnBucket_DeleteMarkerReplicationProperty{Status: jsii.String("Disabled")},
			SourceSelectionCriteria: &awss3.CfnBucket_SourceSelectionCriteriaProperty{
				SseKmsEncryptedObjects: &awss3.CfnBucket_SseKmsEncryptedObjectsProperty{Status: jsii.String("Enabled")},
			},
			Destination: &awss3.CfnBucket_ReplicationDestinationProperty{
				Bucket:                  jsii.String(destArn),
				Account:                 jsii.String(props.HubAccount),
				EncryptionConfiguration: &awss3.CfnBucket_EncryptionConfigurationProperty{ReplicaKmsKeyId: jsii.String(destKeyAlias)},
				// Replication metrics (AWS/S3 OperationsFailedReplication, ReplicationLatency...
				// by SourceBucket, DestinationBucket, RuleId), without Replication Time Control:
				// the hub alarms on failures across the organization.
				Metrics: &awss3.CfnBucket_MetricsProperty{Status: jsii.String("Enabled")},
			},
		}},
	})

	r := &replication{Construct: c, role: role, dest: destArn}
	sink := props.OAMSinkArn
	var sinkCondition awscdk.CfnCondition
	if sink == nil && len(props.OAMSinkArns) > 0 {
		if !*awscdk.Token_IsUnresolved(stack.Region()) {
			if a := props.OAMSinkArns[region]; a != "" {
				sink = jsii.String(a)
			}
		} else {
			sink, sinkCondition = sinkByRegion(c, props.OAMSinkArns)
		}
	}
	if sink != nil && *sink != "" {
		r.link = awsoam.NewCfnLink(c, jsii.String("ObservabilityLink"), &awsoam.CfnLinkProps{
			SinkIdentifier: sink,
			ResourceTypes:  jsii.Strings("AWS::CloudWatch::Metric"),
			LabelTemplate:  jsii.String("$AccountName"),
		})
		if sinkCondition != nil {
			r.link.CfnOptions().SetCondition(sinkCondition)
		}
	}
	return r
}

// sinkByRegion picks the sink of the deployment region in an environment-agnostic template:
// one condition per region with a sink, the link only where one holds, and the ARN chosen by
// nested Fn::If (no Fn::FindInMap, which fails in a region missing from the map).
func sinkByRegion(scope constructs.Construct, arns map[string]string) (*string, awscdk.CfnCondition) {
	regions := make([]string, 0, len(arns))
	for r, a := range arns {
		if a != "" {
			regions = append(regions, r)
		}
	}
	if len(regions) == 0 {
		return nil, nil
	}
	sort.Strings(regions)
	conds := make([]awscdk.CfnCondition, len(regions))
	for i, r := range regions {
		conds[i] = awscdk.NewCfnCondition(scope, jsii.String("SinkIn"+conditionSuffix(r)), &awscdk.CfnConditionProps{
			Expression: awscdk.Fn_ConditionEquals(awscdk.Aws_REGION(), jsii.String(r)),
		})
	}
	// The link exists only where one of the conditions holds, so the last region needs no
	// condition of its own: it is the value when all the others are false (and the property is
	// never empty, which CloudFormation's linter would flag).
	last := len(regions) - 1
	var value any = arns[regions[last]]
	for i := last - 1; i >= 0; i-- {
		value = awscdk.Fn_ConditionIf(conds[i].LogicalId(), arns[regions[i]], value)
	}
	return awscdk.Token_AsString(value, nil), orConditions(scope, conds)
}

// orConditions is one condition true when any of conds is (Fn::Or takes 2 to 10 operands).
func orConditions(scope constructs.Construct, conds []awscdk.CfnCondition) awscdk.CfnCondition {
	if len(conds) == 1 {
		return conds[0]
	}
	var ors []awscdk.ICfnConditionExpression
	for i := 0; i < len(conds); i += 10 {
		chunk := conds[i:min(i+10, len(conds))]
		if len(chunk) == 1 {
			ors = append(ors, chunk[0])
			continue
		}
		exprs := make([]awscdk.ICfnConditionExpression, len(chunk))
		for j, c := range chunk {
			exprs[j] = c
		}
		ors = append(ors, awscdk.Fn_ConditionOr(exprs...))
	}
	expr := ors[0]
	if len(ors) > 1 {
		expr = awscdk.Fn_ConditionOr(ors...)
	}
	return awscdk.NewCfnCondition(scope, jsii.String("SinkInThisRegion"), &awscdk.CfnConditionProps{Expression: expr})
}

// conditionSuffix turns a region into a logical-ID suffix: us-east-1 -> UsEast1.
func conditionSuffix(region string) string {
	var b strings.Builder
	for _, part := range strings.Split(region, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
