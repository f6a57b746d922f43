package archive_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/archive"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

func TestMain(m *testing.M) { cdkassert.Main(m) }

const (
	hubAccount = "444444444444"
	region     = "eu-west-1"
	orgID      = "o-exampleorg1"
)

func synth(t *testing.T, props *archive.ArchiveProps) (*cdkassert.Template, awscdk.Stack) {
	t.Helper()
	var tpl *cdkassert.Template
	var stack awscdk.Stack
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		stack = awscdk.NewStack(app, jsii.String("Hub"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String(hubAccount), Region: jsii.String(region)},
		})
		archive.NewArchive(stack, "Archive", props)
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(false)}), nil)
		tpl = cdkassert.Synth(t, stack)
	})
	return tpl, stack
}

func configured() *archive.ArchiveProps {
	return &archive.ArchiveProps{
		OrganizationID:        orgID,
		KeyPrefix:             jsii.String("team/logs"),
		ObjectLockDays:        400,
		InfrequentAccessAfter: awscdk.Duration_Days(jsii.Number(30)),
		GlacierAfter:          awscdk.Duration_Days(jsii.Number(500)),
		ExpireAfter:           awscdk.Duration_Days(jsii.Number(2557)),
	}
}

// archiveBucket returns the archive bucket resource (the one with Object Lock).
func archiveBucket(t *testing.T, tpl *cdkassert.Template) (string, cdkassert.Resource) {
	t.Helper()
	ids, rs := tpl.OfType("AWS::S3::Bucket")
	for i, r := range rs {
		if r.Properties["ObjectLockEnabled"] == true {
			return ids[i], r
		}
	}
	t.Fatalf("no bucket with Object Lock among %v", ids)
	return "", cdkassert.Resource{}
}

func TestArchiveBucketIsLockedEncryptedVersionedAndRetained(t *testing.T) {
	tpl, stack := synth(t, configured())
	_, b := archiveBucket(t, tpl)
	p := b.Properties
	if p["BucketName"] != naming.ArchiveBucketName(hubAccount, region) {
		t.Errorf("bucket name %v, want the derived %s", p["BucketName"], naming.ArchiveBucketName(hubAccount, region))
	}
	lock := cdkassert.JSON(p["ObjectLockConfiguration"])
	if !cdkassert.Contains(lock, `"ObjectLockEnabled":"Enabled"`, `"Mode":"GOVERNANCE"`, `"Days":400`) {
		t.Errorf("object lock: %s", lock)
	}
	if cdkassert.JSON(p["VersioningConfiguration"]) != `{"Status":"Enabled"}` {
		t.Errorf("versioning: %v", p["VersioningConfiguration"])
	}
	enc := cdkassert.JSON(p["BucketEncryption"])
	keyID, key := tpl.One(t, "AWS::KMS::Key")
	if !cdkassert.Contains(enc, `"SSEAlgorithm":"aws:kms"`, keyID, `"BucketKeyEnabled":true`) {
		t.Errorf("encryption does not use the archive key %s: %s", keyID, enc)
	}
	if key.Properties["EnableKeyRotation"] != true {
		t.Error("key rotation is off")
	}
	_, alias := tpl.One(t, "AWS::KMS::Alias")
	if alias.Properties["AliasName"] != naming.ArchiveKeyAlias {
		t.Errorf("alias %v, want %s", alias.Properties["AliasName"], naming.ArchiveKeyAlias)
	}
	for rid, r := range tpl.Resources {
		switch r.Type {
		case "AWS::S3::Bucket", "AWS::KMS::Key":
			if r.DeletionPolicy != "RetainExceptOnCreate" || r.UpdateReplace != "Retain" {
				t.Errorf("%s %s: deletion %q, update-replace %q; the archive and its key must be retained", r.Type, rid, r.DeletionPolicy, r.UpdateReplace)
			}
		}
	}
	life := cdkassert.JSON(p["LifecycleConfiguration"])
	if !cdkassert.Contains(life, `"ExpirationInDays":2557`, `"StorageClass":"STANDARD_IA","TransitionInDays":30`, `"StorageClass":"GLACIER","TransitionInDays":500`) {
		t.Errorf("lifecycle: %s", life)
	}
	if !strings.Contains(cdkassert.JSON(p["LoggingConfiguration"]), "archive/") {
		t.Errorf("server access logging: %v", p["LoggingConfiguration"])
	}
	pab := cdkassert.JSON(p["PublicAccessBlockConfiguration"])
	if strings.Count(pab, "true") != 4 {
		t.Errorf("public access block: %s", pab)
	}
	if errs := cdkassert.NagErrors(t, stack); len(errs) > 0 {
		t.Errorf("cdk-nag findings:\n%s", strings.Join(errs, "\n"))
	}
}

func TestBucketPolicyStatements(t *testing.T) {
	tpl, _ := synth(t, configured())
	bucketID, _ := archiveBucket(t, tpl)
	doc := policyOf(t, tpl, bucketID)
	rep := cdkassert.StatementBySid(t, doc, archive.SidReplicate)
	if got := cdkassert.Strings(rep["Action"]); len(got) != 1 || got[0] != "s3:ReplicateObject" {
		t.Errorf("replication actions %v, want only s3:ReplicateObject", got)
	}
	wantRes := "arn:aws:s3:::" + naming.ArchiveBucketName(hubAccount, region) + "/team/logs/AWSLogs/${aws:PrincipalAccount}/*"
	if got := cdkassert.Strings(rep["Resource"]); len(got) != 1 || got[0] != wantRes {
		t.Errorf("replication resource %v, want %s", got, wantRes)
	}
	deny := cdkassert.StatementBySid(t, doc, archive.SidDenyGovernanceBypass)
	if deny["Effect"] != "Deny" || cdkassert.JSON(deny["Principal"]) != `{"AWS":"*"}` {
		t.Errorf("governance bypass is not denied to everyone: %s", cdkassert.JSON(deny))
	}
}

func policyOf(t *testing.T, tpl *cdkassert.Template, bucketID string) map[string]any {
	t.Helper()
	_, pols := tpl.OfType("AWS::S3::BucketPolicy")
	for _, p := range pols {
		if strings.Contains(cdkassert.JSON(p.Properties["Bucket"]), bucketID) {
			return p.Properties["PolicyDocument"].(map[string]any)
		}
	}
	t.Fatalf("no bucket policy for %s", bucketID)
	return nil
}

func TestInvalidPropsPanic(t *testing.T) {
	for name, props := range map[string]*archive.ArchiveProps{
		"no organization": {},
		"bad prefix":      {OrganizationID: orgID, KeyPrefix: jsii.String("/x/")},
		"lock too long":   {OrganizationID: orgID, ObjectLockDays: 40000},
		"expiry in lock":  {OrganizationID: orgID, ObjectLockDays: 365, ExpireAfter: awscdk.Duration_Days(jsii.Number(30))},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			app := awscdk.NewApp(nil)
			archive.NewArchive(awscdk.NewStack(app, jsii.String("S"), nil), "A", props)
		})
	}
}
