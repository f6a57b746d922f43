package stacks_test

import (
	"strings"
	"testing"

	"github.com/bedrockgov/bedrockgov/constructs/archive"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// End to end: the member's real replication policy against the hub's real archive bucket and
// key policies (both synthesized, intrinsics resolved), and the member log bucket's policy
// against the replication role. The simulator drops templated context keys
// (kms:EncryptionContext:aws:s3:arn), so those conditions are asserted directly and removed
// before simulating.
func TestReplicationIntoTheArchiveBySimulation(t *testing.T) {
	const member = "333333333333"
	_, hubTpl := hub(t)
	_, memTpl := replicatingMember(t, nil)
	archiveName := naming.ArchiveBucketName(hubAccount, hubRegion)

	hubValues := map[string]string{"AWS::Partition": "aws", "AWS::Region": hubRegion, "AWS::AccountId": hubAccount}
	var archiveID string
	ids, buckets := hubTpl.OfType("AWS::S3::Bucket")
	for i, b := range buckets {
		hubValues[ids[i]], hubValues[ids[i]+".Arn"] = "bucket-"+ids[i], "arn:aws:s3:::bucket-"+ids[i]
		if b.Properties["ObjectLockEnabled"] == true {
			archiveID = ids[i]
		}
	}
	hubValues[archiveID], hubValues[archiveID+".Arn"] = archiveName, "arn:aws:s3:::"+archiveName
	memValues := map[string]string{"AWS::Partition": "aws", "AWS::Region": hubRegion, "AWS::AccountId": member, "AWS::URLSuffix": "amazonaws.com", "AWS::StackId": "arn:aws:cloudformation:" + hubRegion + ":" + member + ":stack/BedrockMember/0b9e3f00-1111-2222-3333-444455556666"}
	var logBucketID string
	ids, buckets = memTpl.OfType("AWS::S3::Bucket")
	for i, b := range buckets {
		memValues[ids[i]], memValues[ids[i]+".Arn"] = "bucket-"+ids[i], "arn:aws:s3:::bucket-"+ids[i]
		if b.Properties["ReplicationConfiguration"] != nil {
			logBucketID = ids[i]
		}
	}
	kids, _ := memTpl.OfType("AWS::KMS::Key")
	for _, k := range kids {
		memValues[k+".Arn"] = "arn:aws:kms:" + hubRegion + ":" + member + ":key/" + k
	}
	resolve := func(doc any, values map[string]string) any {
		r, err := iamsim.Resolve(doc, values)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var archivePolicy, logBucketPolicy, replicationPolicy any
	_, pols := hubTpl.OfType("AWS::S3::BucketPolicy")
	for _, p := range pols {
		if cdkassert.JSON(p.Properties["Bucket"]) == `{"Ref":"`+archiveID+`"}` {
			archivePolicy = resolve(p.Properties["PolicyDocument"], hubValues)
		}
	}
	_, pols = memTpl.OfType("AWS::S3::BucketPolicy")
	for _, p := range pols {
		if cdkassert.JSON(p.Properties["Bucket"]) == `{"Ref":"`+logBucketID+`"}` {
			logBucketPolicy = resolve(p.Properties["PolicyDocument"], memValues)
		}
	}
	_, ips := memTpl.OfType("AWS::IAM::Policy")
	for _, p := range ips {
		if p.Properties["PolicyName"] == "ReplicateInvocationLogs" {
			replicationPolicy = resolve(p.Properties["PolicyDocument"], memValues)
		}
	}
	var archiveKeyPolicy any
	for _, r := range hubTpl.Resources {
		if r.Type == "AWS::KMS::Key" && strings.Contains(cdkassert.JSON(r.Properties["KeyPolicy"]), archive.SidKeyForReplication) {
			archiveKeyPolicy = resolve(r.Properties["KeyPolicy"], hubValues)
		}
	}
	if archivePolicy == nil || logBucketPolicy == nil || replicationPolicy == nil || archiveKeyPolicy == nil {
		t.Fatal("a policy of the scenario is missing from the templates")
	}
	// Encryption-context conditions: checked here, removed for the simulator.
	for _, st := range cdkassert.Statements(replicationPolicy) {
		cond, _ := st["Condition"].(map[string]any)
		if like, ok := cond["StringLike"].(map[string]any); ok {
			ctx := strings.Join(cdkassert.Strings(like["kms:EncryptionContext:aws:s3:arn"]), " ")
			if !strings.Contains(ctx, "/AWSLogs/"+member+"/") {
				t.Errorf("statement %v: encryption context %q is not limited to this account's log objects", st["Sid"], ctx)
			}
			delete(cond, "StringLike")
		}
	}
	for _, st := range cdkassert.Statements(archiveKeyPolicy) {
		if cond, ok := st["Condition"].(map[string]any); ok {
			delete(cond, "StringLike")
		}
	}

	role := "arn:aws:iam::" + member + ":role/" + naming.ReplicationRoleName(hubRegion)
	ctx := map[string]any{"aws:PrincipalArn": role, "aws:PrincipalAccount": member, "aws:PrincipalOrgID": "o-exampleorg1", "aws:SecureTransport": "true"}
	kmsCtx := func(aliases bool) map[string]any {
		c := map[string]any{"kms:ViaService": "s3." + hubRegion + ".amazonaws.com"}
		for k, v := range ctx {
			c[k] = v
		}
		if aliases {
			c["kms:ResourceAliases"] = []string{naming.ArchiveKeyAlias}
		}
		return c
	}
	logPrefix := naming.AccountLogPrefix("org-logs", member)
	ownReplica := "arn:aws:s3:::" + archiveName + "/" + logPrefix + hubRegion + "/2026/11/23/10/x.json.gz"
	otherReplica := "arn:aws:s3:::" + archiveName + "/" + naming.AccountLogPrefix("org-logs", "111111111111") + hubRegion + "/2026/11/23/10/x.json.gz"
	source := "arn:aws:s3:::bucket-" + logBucketID + "/" + logPrefix + hubRegion + "/2026/11/23/10/x.json.gz"
	hubKeyArn := "arn:aws:kms:" + hubRegion + ":" + hubAccount + ":key/0000"
	identity := iamsim.Named{Name: "member replication policy", Policy: replicationPolicy}

	iamsim.Simulate(t, []iamsim.Request{
		{Scenario: "member role replicates its log into the archive", Principal: role, Action: "s3:ReplicateObject",
			Resource: ownReplica, ResourceAccount: hubAccount, Context: ctx, IdentityPolicies: []any{identity},
			ResourcePolicy: iamsim.Named{Name: "archive bucket policy", Policy: archivePolicy}, Want: iamsim.Allowed,
			Why: "the member grant and the archive's ReplicateFromOrganizationLogReplicationRoles both match"},
		{Scenario: "member role replicates into another account's folder", Principal: role, Action: "s3:ReplicateObject",
			Resource: otherReplica, ResourceAccount: hubAccount, Context: ctx, IdentityPolicies: []any{identity},
			ResourcePolicy: iamsim.Named{Name: "archive bucket policy", Policy: archivePolicy}, Want: iamsim.ImplicitlyDenied,
			Why: "neither the member grant nor the archive admits another account's folder"},
		{Scenario: "member role reads a log version to replicate", Principal: role, Action: "s3:GetObjectVersionForReplication",
			Resource: source, ResourceAccount: member, Context: ctx, IdentityPolicies: []any{identity},
			ResourcePolicy: iamsim.Named{Name: "log bucket policy", Policy: logBucketPolicy}, Want: iamsim.Allowed,
			Why: "ReadLogObjectVersions"},
		{Scenario: "member role writes into the member log bucket", Principal: role, Action: "s3:PutObject",
			Resource: source, ResourceAccount: member, Context: ctx,
			IdentityPolicies: []any{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
			ResourcePolicy:   iamsim.Named{Name: "log bucket policy", Policy: logBucketPolicy}, Want: iamsim.ExplicitlyDenied,
			Why: "the log bucket refuses PutObject under the log prefix to everyone but Bedrock, the replication role included (it only reads)"},
		{Scenario: "member role encrypts a replica with the archive key", Principal: role, Action: "kms:Encrypt",
			Resource: hubKeyArn, ResourceAccount: hubAccount, Context: kmsCtx(true), IdentityPolicies: []any{identity},
			ResourcePolicy: iamsim.Named{Name: "archive key policy", Policy: archiveKeyPolicy}, Want: iamsim.Allowed,
			Why: "EncryptReplicasWithTheHubKey (key carries the archive alias) and the archive key's grant to the organization's replication roles"},
		{Scenario: "member role uses another key of the hub account", Principal: role, Action: "kms:Encrypt",
			Resource: hubKeyArn, ResourceAccount: hubAccount, Context: kmsCtx(false), IdentityPolicies: []any{identity},
			ResourcePolicy: iamsim.Named{Name: "archive key policy", Policy: archiveKeyPolicy}, Want: iamsim.ImplicitlyDenied,
			Why: "the member grant holds only for a key with the archive alias (kms:ResourceAliases)"},
	})
}

// The OAM sink admits links from this organization's accounts, for metrics only.
func TestSinkPolicyBySimulation(t *testing.T) {
	_, tpl := hub(t)
	_, sink := tpl.One(t, "AWS::Oam::Sink")
	policy := iamsim.Named{Name: "sink policy", Policy: sink.Properties["Policy"]}
	sinkArn := "arn:aws:oam:" + hubRegion + ":" + hubAccount + ":sink/00000000-0000-4000-8000-000000000000"
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	req := func(scenario, account, org string, types []string, want iamsim.Decision, why string) iamsim.Request {
		p := "arn:aws:iam::" + account + ":role/platform"
		return iamsim.Request{Scenario: scenario, Principal: p, Action: "oam:CreateLink", Resource: sinkArn, ResourceAccount: hubAccount,
			Context:          map[string]any{"aws:PrincipalArn": p, "aws:PrincipalAccount": account, "aws:PrincipalOrgID": org, "oam:ResourceTypes": types},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: policy, Want: want, Why: why}
	}
	iamsim.Simulate(t, []iamsim.Request{
		req("member account links its metrics", "333333333333", "o-exampleorg1", []string{"AWS::CloudWatch::Metric"}, iamsim.Allowed,
			"LinkOrganizationAccountsMetricsOnly"),
		req("account of another organization links", "555555555555", "o-otherorg999", []string{"AWS::CloudWatch::Metric"}, iamsim.ImplicitlyDenied,
			"aws:PrincipalOrgID is not this organization"),
		req("member account shares its log groups", "333333333333", "o-exampleorg1", []string{"AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"}, iamsim.ImplicitlyDenied,
			"only metrics may be shared (invocation logs hold prompts; they reach the hub through the archive)"),
	})
}
