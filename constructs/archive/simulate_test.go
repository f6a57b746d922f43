package archive_test

import (
	"testing"

	"github.com/bedrockgov/bedrockgov/constructs/archive"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// The archive's bucket and key policies, simulated: only this organization's member
// log-replication roles may replicate, only into their own account's folder, and nobody may
// bypass the Object Lock governance retention.
func TestArchivePoliciesBySimulation(t *testing.T) {
	tpl, _ := synth(t, configured())
	bucketID, _ := archiveBucket(t, tpl)
	bucket := naming.ArchiveBucketName(hubAccount, region)
	values := map[string]string{
		"AWS::Partition": "aws", "AWS::AccountId": hubAccount, "AWS::Region": region,
		bucketID: bucket, bucketID + ".Arn": "arn:aws:s3:::" + bucket,
	}
	resolve := func(doc any) any {
		r, err := iamsim.Resolve(doc, values)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	bucketPolicy := resolve(policyOf(t, tpl, bucketID))
	_, key := tpl.One(t, "AWS::KMS::Key")
	keyPolicy := resolve(key.Properties["KeyPolicy"])
	// The simulator drops templated context keys (kms:EncryptionContext:<key>): that condition
	// is checked directly, and the simulation runs on the policy without it.
	replicationStmt := cdkassert.StatementBySid(t, keyPolicy, archive.SidKeyForReplication)
	like := replicationStmt["Condition"].(map[string]any)["StringLike"].(map[string]any)
	if got := cdkassert.Strings(like["kms:EncryptionContext:aws:s3:arn"]); len(got) != 2 || got[0] != "arn:aws:s3:::"+bucket || got[1] != "arn:aws:s3:::"+bucket+"/*" {
		t.Errorf("the replication key grant is not limited to the archive bucket's encryption context: %v", got)
	}
	delete(replicationStmt["Condition"].(map[string]any), "StringLike")

	member, other := "111111111111", "222222222222"
	role := "arn:aws:iam::" + member + ":role/" + naming.ReplicationRoleName(region)
	ownObject := "arn:aws:s3:::" + bucket + "/team/logs/AWSLogs/" + member + "/BedrockModelInvocationLogs/" + region + "/2026/11/23/10/x.json.gz"
	otherObject := "arn:aws:s3:::" + bucket + "/team/logs/AWSLogs/" + other + "/BedrockModelInvocationLogs/" + region + "/2026/11/23/10/x.json.gz"
	keyArn := "arn:aws:kms:" + region + ":" + hubAccount + ":key/00000000-0000-4000-8000-000000000000"
	// The member side grants its role these actions (package replication); the archive's own
	// policies must then decide.
	memberIdentity := iamsim.Named{Name: "replication-role", Policy: map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{"Effect": "Allow", "Action": []any{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:PutObject"}, "Resource": "arn:aws:s3:::" + bucket + "/*"},
			map[string]any{"Effect": "Allow", "Action": []any{"kms:Encrypt", "kms:GenerateDataKey"}, "Resource": keyArn},
		},
	}}
	adminIdentity := iamsim.Named{Name: "administrator", Policy: map[string]any{
		"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}},
	}}
	ctx := func(arn, account, org string) map[string]any {
		return map[string]any{"aws:PrincipalArn": arn, "aws:PrincipalAccount": account, "aws:PrincipalOrgID": org, "aws:SecureTransport": "true"}
	}
	kmsCtx := func(arn, account, org, via string) map[string]any {
		c := ctx(arn, account, org)
		c["kms:ViaService"] = via
		return c
	}
	outsiderRole := "arn:aws:iam::555555555555:role/" + naming.ReplicationRoleName(region)
	admin := "arn:aws:iam::" + hubAccount + ":role/Administrator"
	memberAdmin := "arn:aws:iam::" + member + ":role/Administrator"

	iamsim.Simulate(t, []iamsim.Request{
		{Scenario: "member replication role replicates its own account's log", Principal: role, Action: "s3:ReplicateObject",
			Resource: ownObject, ResourceAccount: hubAccount, Context: ctx(role, member, orgID),
			IdentityPolicies: []any{memberIdentity}, ResourcePolicy: bucketPolicy, Want: iamsim.Allowed,
			Why: "statement " + "ReplicateFromOrganizationLogReplicationRoles: organization, role-name pattern and own AWSLogs folder match"},
		{Scenario: "member replication role writes into another account's folder", Principal: role, Action: "s3:ReplicateObject",
			Resource: otherObject, ResourceAccount: hubAccount, Context: ctx(role, member, orgID),
			IdentityPolicies: []any{memberIdentity}, ResourcePolicy: bucketPolicy, Want: iamsim.ImplicitlyDenied,
			Why: "the resource is AWSLogs/${aws:PrincipalAccount}/: a member cannot forge another account's logs"},
		{Scenario: "replication role of another organization", Principal: outsiderRole, Action: "s3:ReplicateObject",
			Resource: "arn:aws:s3:::" + bucket + "/team/logs/AWSLogs/555555555555/x.json.gz", ResourceAccount: hubAccount,
			Context: ctx(outsiderRole, "555555555555", "o-otherorg999"), IdentityPolicies: []any{memberIdentity},
			ResourcePolicy: bucketPolicy, Want: iamsim.ImplicitlyDenied, Why: "aws:PrincipalOrgID is not this organization"},
		{Scenario: "other role of a member account", Principal: memberAdmin, Action: "s3:ReplicateObject",
			Resource: ownObject, ResourceAccount: hubAccount, Context: ctx(memberAdmin, member, orgID),
			IdentityPolicies: []any{adminIdentity}, ResourcePolicy: bucketPolicy, Want: iamsim.ImplicitlyDenied,
			Why: "aws:PrincipalArn is not a " + naming.ReplicationRolePattern + " role"},
		{Scenario: "member replication role puts an object directly", Principal: role, Action: "s3:PutObject",
			Resource: ownObject, ResourceAccount: hubAccount, Context: ctx(role, member, orgID),
			IdentityPolicies: []any{memberIdentity}, ResourcePolicy: bucketPolicy, Want: iamsim.ImplicitlyDenied,
			Why: "only s3:ReplicateObject is granted; a member cannot overwrite through PutObject"},
		{Scenario: "member replication role replicates a delete", Principal: role, Action: "s3:ReplicateDelete",
			Resource: ownObject, ResourceAccount: hubAccount, Context: ctx(role, member, orgID),
			IdentityPolicies: []any{memberIdentity}, ResourcePolicy: bucketPolicy, Want: iamsim.ImplicitlyDenied,
			Why: "delete markers are not replicated, so s3:ReplicateDelete is not granted"},
		{Scenario: "hub administrator bypasses governance retention", Principal: admin, Action: "s3:BypassGovernanceRetention",
			Resource: ownObject, ResourceAccount: hubAccount, Context: ctx(admin, hubAccount, orgID),
			IdentityPolicies: []any{adminIdentity}, ResourcePolicy: bucketPolicy, Want: iamsim.ExplicitlyDenied,
			Why: "DenyObjectLockGovernanceBypass: deleting a locked version needs the bypass, denied to everyone"},
		{Scenario: "principal of another organization deletes an archived version", Principal: outsiderRole, Action: "s3:DeleteObjectVersion",
			Resource: ownObject, ResourceAccount: hubAccount, Context: ctx(outsiderRole, "555555555555", "o-otherorg999"),
			IdentityPolicies: []any{adminIdentity}, ResourcePolicy: bucketPolicy, Want: iamsim.ImplicitlyDenied,
			Why: "no statement grants other accounts anything but replication"},
		{Scenario: "member administrator deletes its own archived version", Principal: memberAdmin, Action: "s3:DeleteObjectVersion",
			Resource: ownObject, ResourceAccount: hubAccount, Context: ctx(memberAdmin, member, orgID),
			IdentityPolicies: []any{adminIdentity}, ResourcePolicy: bucketPolicy, Want: iamsim.ImplicitlyDenied,
			Why: "members cannot touch the archive after replication"},
		{Scenario: "member replication role encrypts a replica through S3", Principal: role, Action: "kms:Encrypt",
			Resource: keyArn, ResourceAccount: hubAccount, Context: kmsCtx(role, member, orgID, "s3."+region+".amazonaws.com"),
			IdentityPolicies: []any{memberIdentity}, ResourcePolicy: keyPolicy, Want: iamsim.Allowed,
			Why: "AllowOrganizationLogReplicationRolesToEncrypt"},
		{Scenario: "member replication role calls KMS directly", Principal: role, Action: "kms:Encrypt",
			Resource: keyArn, ResourceAccount: hubAccount, Context: ctx(role, member, orgID),
			IdentityPolicies: []any{memberIdentity}, ResourcePolicy: keyPolicy, Want: iamsim.ImplicitlyDenied,
			Why: "kms:ViaService must be S3 in the archive's region"},
		{Scenario: "replication role of another organization encrypts", Principal: outsiderRole, Action: "kms:Encrypt",
			Resource: keyArn, ResourceAccount: hubAccount, Context: kmsCtx(outsiderRole, "555555555555", "o-otherorg999", "s3."+region+".amazonaws.com"),
			IdentityPolicies: []any{memberIdentity}, ResourcePolicy: keyPolicy, Want: iamsim.ImplicitlyDenied,
			Why: "aws:PrincipalOrgID is not this organization"},
	})
}
