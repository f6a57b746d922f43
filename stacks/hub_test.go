package stacks_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/archive"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/querylayer"
	"github.com/bedrockgov/bedrockgov/stacks"
	"github.com/bedrockgov/bedrockgov/tools/hubschema"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

const hubAccount, hubRegion = "444444444444", "us-east-1"

func hub(t *testing.T) (*stacks.HubStack, *cdkassert.Template) {
	t.Helper()
	var s *stacks.HubStack
	var tpl *cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		s = stacks.NewHubStack(app, "BedrockHub-us-east-1", &stacks.HubStackProps{
			StackProps: awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(hubAccount), Region: jsii.String(hubRegion)}},
			Archive:    &archive.ArchiveProps{OrganizationID: "o-exampleorg1", KeyPrefix: jsii.String("org-logs"), ObjectLockDays: 30},
			Query: &querylayer.QueryLayerProps{
				Regions: []string{hubRegion}, Accounts: []string{"111111111111", "333333333333"},
				BytesScannedCutoffMB: 2048, ResultsExpiration: awscdk.Duration_Days(jsii.Number(14)),
			},
			AlertEmails: map[string][]string{"critical": {"oncall@example.com"}, "info": {"finops@example.com"}},
			Home:        true,
			Tags:        map[string]string{"ManagedBy": "bedrockgov"},
		})
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
		tpl = cdkassert.Synth(t, s.Stack)
	})
	return s, tpl
}

func TestHubStackIsNagClean(t *testing.T) {
	s, _ := hub(t)
	if errs := cdkassert.NagErrors(t, s.Stack); len(errs) > 0 {
		t.Errorf("cdk-nag findings:\n%s", strings.Join(errs, "\n"))
	}
}

func TestWorkgroupEnforcesItsSettings(t *testing.T) {
	_, tpl := hub(t)
	_, wg := tpl.One(t, "AWS::Athena::WorkGroup")
	if wg.Properties["Name"] != naming.AthenaWorkgroup {
		t.Errorf("workgroup name %v", wg.Properties["Name"])
	}
	cfg := wg.Properties["WorkGroupConfiguration"].(map[string]any)
	if cfg["EnforceWorkGroupConfiguration"] != true {
		t.Error("the workgroup does not enforce its configuration: clients could override encryption, location and the cutoff")
	}
	if cfg["BytesScannedCutoffPerQuery"] != float64(2048*1024*1024) {
		t.Errorf("bytes-scanned cutoff %v, want 2048 MB in bytes", cfg["BytesScannedCutoffPerQuery"])
	}
	if cdkassert.JSON(cfg["EngineVersion"]) != `{"SelectedEngineVersion":"Athena engine version 3"}` {
		t.Errorf("engine %v", cfg["EngineVersion"])
	}
	rc := cdkassert.JSON(cfg["ResultConfiguration"])
	resultsKey := ""
	for id, r := range tpl.Resources {
		if r.Type == "AWS::KMS::Key" && strings.Contains(cdkassert.JSON(r.Properties["Description"]), "Athena") {
			resultsKey = id
		}
	}
	if resultsKey == "" || !cdkassert.Contains(rc, `"EncryptionOption":"SSE_KMS"`, resultsKey, `"ExpectedBucketOwner":"444444444444"`) {
		t.Errorf("results are not encrypted with the results key %q: %s", resultsKey, rc)
	}
	// The results bucket expires results, and is retained and encrypted with the same key.
	found := false
	for _, r := range tpl.Resources {
		if r.Type != "AWS::S3::Bucket" || !strings.Contains(cdkassert.JSON(r.Properties["LifecycleConfiguration"]), "results-expiry") {
			continue
		}
		found = true
		if !strings.Contains(cdkassert.JSON(r.Properties["LifecycleConfiguration"]), `"ExpirationInDays":14`) {
			t.Errorf("results expiry: %s", cdkassert.JSON(r.Properties["LifecycleConfiguration"]))
		}
		if !strings.Contains(cdkassert.JSON(r.Properties["BucketEncryption"]), resultsKey) || r.DeletionPolicy != "RetainExceptOnCreate" {
			t.Errorf("results bucket encryption %s, deletion policy %q", cdkassert.JSON(r.Properties["BucketEncryption"]), r.DeletionPolicy)
		}
	}
	if !found {
		t.Error("no results bucket with an expiry rule")
	}
}

// The table's partition template, filled in with one account, region and day, must name the
// folder the member's Bedrock writes that day's logs to (the same shared layout definition the
// report reads), and the columns must be the shared schema.
func TestTableMatchesTheMemberLayout(t *testing.T) {
	s, tpl := hub(t)
	_, tbl := tpl.One(t, "AWS::Glue::Table")
	in := tbl.Properties["TableInput"].(map[string]any)
	params := in["Parameters"].(map[string]any)
	tmpl := cdkassert.JSON(params["storage.location.template"])
	bucketID := ""
	for id, r := range tpl.Resources {
		if r.Type == "AWS::S3::Bucket" && r.Properties["ObjectLockEnabled"] == true {
			bucketID = id
		}
	}
	// Resolve the bucket reference to its (derived) name.
	bucket := naming.ArchiveBucketName(hubAccount, hubRegion)
	if *s.Archive.Bucket().BucketName() == "" || bucketID == "" {
		t.Fatal("no archive bucket")
	}
	resolved := strings.NewReplacer(`{"Fn::Join":["",["s3://",{"Ref":"`+bucketID+`"},"`, "s3://"+bucket, `"]]}`, "").Replace(tmpl)
	day := time.Date(2026, 11, 23, 17, 4, 0, 0, time.UTC)
	got := strings.NewReplacer("${account}", "111111111111", "${region}", hubRegion, "${dt}", day.Format(naming.GoDateFormat)).Replace(resolved)
	want := "s3://" + bucket + "/" + naming.DayPrefix("org-logs", "111111111111", hubRegion, day)
	if got != want {
		t.Errorf("partition location %s\nwant the member layout %s", got, want)
	}
	if !strings.HasPrefix(naming.HourPrefix("org-logs", "111111111111", hubRegion, day), strings.TrimPrefix(want, "s3://"+bucket+"/")) {
		t.Error("hour folders are not under the day partition")
	}
	for k, v := range map[string]string{
		"projection.enabled": "true", "projection.account.type": "injected", "projection.region.type": "enum",
		"projection.region.values": hubRegion, "projection.dt.type": "date", "projection.dt.format": naming.DateFormat,
	} {
		if params[k] != v {
			t.Errorf("table parameter %s = %v, want %q", k, params[k], v)
		}
	}
	sd := in["StorageDescriptor"].(map[string]any)
	var cols []string
	for _, c := range sd["Columns"].([]any) {
		cols = append(cols, c.(map[string]any)["Name"].(string))
	}
	if !reflect.DeepEqual(cols, hubschema.ColumnNames()) {
		t.Errorf("columns %v, want %v", cols, hubschema.ColumnNames())
	}
	if cdkassert.JSON(sd["SerdeInfo"].(map[string]any)["SerializationLibrary"]) != `"`+hubschema.SerDe+`"` {
		t.Errorf("serde %v", sd["SerdeInfo"])
	}
	var parts []string
	for _, c := range in["PartitionKeys"].([]any) {
		parts = append(parts, c.(map[string]any)["Name"].(string))
	}
	if !reflect.DeepEqual(parts, hubschema.PartitionKeys) {
		t.Errorf("partition keys %v", parts)
	}
}

func TestNamedQueriesConstrainPartitionsAndSkipDataObjects(t *testing.T) {
	_, tpl := hub(t)
	ids, qs := tpl.OfType("AWS::Athena::NamedQuery")
	if len(qs) != len(querylayer.QueryCatalog) {
		t.Fatalf("named queries %v, want %d", ids, len(querylayer.QueryCatalog))
	}
	for i, q := range qs {
		sql := q.Properties["QueryString"].(string)
		if !cdkassert.Contains(sql, `"dt" BETWEEN ? AND ?`, `"account" IN ('111111111111', '333333333333')`, hubschema.NotDataObjects, `FROM "bedrockgov"."invocation_logs"`) {
			t.Errorf("%s does not constrain account and dt or read data objects:\n%s", ids[i], sql)
		}
	}
}
