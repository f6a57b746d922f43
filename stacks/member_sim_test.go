package stacks_test

import (
	"strings"
	"testing"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
)

// The member stack's resource policies decide who may write invocation records, read them and
// hand out access to the key. These scenarios run the synthesized policies through the IAM
// policy simulator with the stack's intrinsics resolved to concrete ARNs.
func TestMemberPoliciesBySimulation(t *testing.T) {
	_, tpl := member(t, false)
	const acct, region = "333333333333", "us-east-1"
	const bucket = "bedrockmember-prod-logs"
	values := map[string]string{"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": acct, "AWS::URLSuffix": "amazonaws.com", "AWS::StackId": "arn:aws:cloudformation:us-east-1:" + acct + ":stack/BedrockMember/0b9e3f00-1111-2222-3333-444455556666"}
	var logBucketID, keyID string
	ids, buckets := tpl.OfType("AWS::S3::Bucket")
	for i, b := range buckets {
		values[ids[i]] = "bucket-" + ids[i]
		values[ids[i]+".Arn"] = "arn:aws:s3:::bucket-" + ids[i]
		if b.Properties["LoggingConfiguration"] != nil {
			logBucketID = ids[i]
		}
	}
	values[logBucketID] = bucket
	values[logBucketID+".Arn"] = "arn:aws:s3:::" + bucket
	kids, keys := tpl.OfType("AWS::KMS::Key")
	for i, k := range keys {
		values[kids[i]+".Arn"] = "arn:aws:kms:us-east-1:" + acct + ":key/" + kids[i]
		if strings.Contains(cdkassert.JSON(k.Properties["KeyPolicy"]), "AllowBedrockToEncryptInvocationLogs") {
			keyID = kids[i]
		}
	}
	var bucketPolicy any
	_, pols := tpl.OfType("AWS::S3::BucketPolicy")
	for _, p := range pols {
		if cdkassert.JSON(p.Properties["Bucket"]) == `{"Ref":"`+logBucketID+`"}` {
			bucketPolicy = p.Properties["PolicyDocument"]
		}
	}
	resolve := func(doc any) any {
		r, err := iamsim.Resolve(doc, values)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	bp := iamsim.Named{Name: "log bucket policy", Policy: resolve(bucketPolicy)}
	kp := iamsim.Named{Name: "log key policy", Policy: resolve(tpl.Resources[keyID].Properties["KeyPolicy"])}
	admin := "arn:aws:iam::" + acct + ":role/admin"
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	record := "arn:aws:s3:::" + bucket + "/org-logs/AWSLogs/" + acct + "/BedrockModelInvocationLogs/us-east-1/2026/11/23/10/x.json.gz"
	keyArn := values[keyID+".Arn"]
	bedrock := map[string]any{
		"aws:SourceAccount": acct, "aws:SourceArn": "arn:aws:bedrock:us-east-1:" + acct + ":model-invocation-logging",
		"aws:PrincipalServiceName": "bedrock.amazonaws.com", "aws:SecureTransport": "true",
	}
	adminCtx := map[string]any{"aws:PrincipalArn": admin, "aws:SecureTransport": "true", "aws:PrincipalAccount": acct}
	iamsim.Simulate(t, []iamsim.Request{
		{
			Scenario: "Bedrock delivers an invocation log", Principal: "bedrock.amazonaws.com", Action: "s3:PutObject",
			Resource: record, ResourceAccount: acct, Context: bedrock, ResourcePolicy: bp,
			Want: iamsim.Allowed, Why: "AmazonBedrockLogsWrite admits Bedrock from this account and region under the log prefix",
		},
		{
			Scenario: "Bedrock on behalf of another account", Principal: "bedrock.amazonaws.com", Action: "s3:PutObject",
			Resource: record, ResourceAccount: acct, ResourcePolicy: bp,
			Context: map[string]any{"aws:SourceAccount": "444444444444", "aws:SourceArn": "arn:aws:bedrock:us-east-1:444444444444:x",
				"aws:PrincipalServiceName": "bedrock.amazonaws.com", "aws:SecureTransport": "true"},
			Want: iamsim.ImplicitlyDenied, Why: "the Bedrock grant holds only for this account's source (confused deputy)",
		},
		{
			Scenario: "an administrator forges an invocation record", Principal: admin, Action: "s3:PutObject",
			Resource: record, Context: adminCtx, IdentityPolicies: []any{allowAll}, ResourcePolicy: bp,
			Want: iamsim.ExplicitlyDenied, Why: "OnlyBedrockWritesInvocationLogs denies every principal that is not Bedrock under the log prefix",
		},
		{
			Scenario: "an administrator writes outside the log prefix", Principal: admin, Action: "s3:PutObject",
			Resource: "arn:aws:s3:::" + bucket + "/notes/readme.txt", Context: adminCtx, IdentityPolicies: []any{allowAll}, ResourcePolicy: bp,
			Want: iamsim.Allowed, Why: "the guard covers only the invocation-log prefix",
		},
		{
			Scenario: "an administrator reads a record", Principal: admin, Action: "s3:GetObject",
			Resource: record, Context: adminCtx, IdentityPolicies: []any{allowAll}, ResourcePolicy: bp,
			Want: iamsim.Allowed, Why: "reading is governed by IAM; nothing in the bucket policy denies it over TLS",
		},
		{
			Scenario: "reading without TLS", Principal: admin, Action: "s3:GetObject",
			Resource: record, Context: map[string]any{"aws:PrincipalArn": admin, "aws:SecureTransport": "false", "aws:PrincipalAccount": acct},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: bp,
			Want: iamsim.ExplicitlyDenied, Why: "the bucket policy denies requests without TLS",
		},
		{
			Scenario: "an administrator grants the log key to someone", Principal: admin, Action: "kms:CreateGrant",
			Resource: keyArn, Context: map[string]any{"aws:PrincipalArn": admin, "kms:GrantIsForAWSResource": "false"},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: kp,
			Want: iamsim.ExplicitlyDenied, Why: "DenyGrantsExceptForAWSResources: grants only for AWS services (ct-kms-pr-3)",
		},
		{
			Scenario: "a grant with no GrantIsForAWSResource key at all", Principal: admin, Action: "kms:CreateGrant",
			Resource: keyArn, Context: map[string]any{"aws:PrincipalArn": admin},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: kp,
			Want: iamsim.ExplicitlyDenied, Why: "BoolIfExists denies when the key is absent too",
		},
		{
			Scenario: "an AWS service creates a grant for the administrator", Principal: admin, Action: "kms:CreateGrant",
			Resource: keyArn, Context: map[string]any{"aws:PrincipalArn": admin, "kms:GrantIsForAWSResource": "true"},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: kp,
			Want: iamsim.Allowed, Why: "the account's key administration allows it and the grant is for an AWS resource",
		},
		{
			Scenario: "Bedrock encrypts a log object", Principal: "bedrock.amazonaws.com", Action: "kms:GenerateDataKey",
			Resource: keyArn, ResourceAccount: acct, Context: map[string]any{"aws:SourceAccount": acct, "aws:SourceArn": "arn:aws:bedrock:us-east-1:" + acct + ":x"},
			ResourcePolicy: kp,
			Want:           iamsim.Allowed, Why: "AllowBedrockToEncryptInvocationLogs under the source conditions",
		},
	})
}
