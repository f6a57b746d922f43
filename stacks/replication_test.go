package stacks_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/constructs/replication"
	"github.com/bedrockgov/bedrockgov/stacks"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

func replicatingMember(t *testing.T, sink *string) (*stacks.MemberStack, *cdkassert.Template) {
	t.Helper()
	var s *stacks.MemberStack
	var tpl *cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		s = stacks.NewMemberStack(app, "BedrockMember-prod-us-east-1", &stacks.MemberStackProps{
			StackProps:      awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("333333333333"), Region: jsii.String("us-east-1")}},
			EnvironmentName: "prod",
			Logging:         &invocationlogging.InvocationLoggingProps{KeyPrefix: jsii.String("org-logs")},
			Monitoring:      &monitoring.MonitoringProps{MonitoredModels: []string{"amazon.nova-micro-v1:0"}, AlertEmails: map[monitoring.Severity][]string{monitoring.Critical: {"a@example.com"}}},
			Replication:     &replication.ReplicationProps{HubAccount: hubAccount, OAMSinkArn: sink},
		})
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
		tpl = cdkassert.Synth(t, s.Stack)
	})
	return s, tpl
}

func TestMemberReplicatesIntoTheHubArchiveOfItsRegion(t *testing.T) {
	s, tpl := replicatingMember(t, nil)
	if errs := cdkassert.NagErrors(t, s.Stack); len(errs) > 0 {
		t.Errorf("cdk-nag findings:\n%s", strings.Join(errs, "\n"))
	}
	var cfg map[string]any
	for _, r := range tpl.Resources {
		if r.Type == "AWS::S3::Bucket" && r.Properties["ReplicationConfiguration"] != nil {
			if cfg != nil {
				t.Fatal("two buckets replicate")
			}
			cfg = r.Properties["ReplicationConfiguration"].(map[string]any)
		}
	}
	if cfg == nil {
		t.Fatal("the log bucket has no replication configuration")
	}
	rules := cfg["Rules"].([]any)
	if len(rules) != 1 {
		t.Fatalf("rules: %s", cdkassert.JSON(rules))
	}
	rule := rules[0].(map[string]any)
	logPrefix := naming.AccountLogPrefix("org-logs", "333333333333")
	got := cdkassert.JSON(rule)
	for _, want := range []string{
		`"Prefix":"` + logPrefix + `"`,
		`"SseKmsEncryptedObjects":{"Status":"Enabled"}`,
		`"DeleteMarkerReplication":{"Status":"Disabled"}`,
		// The partition stays a reference: the member template is also a StackSet template.
		`{"Ref":"AWS::Partition"},":s3:::` + naming.ArchiveBucketName(hubAccount, "us-east-1") + `"`,
		`{"Ref":"AWS::Partition"},"` + strings.TrimPrefix(naming.ArchiveKeyAliasArn("aws", hubAccount, "us-east-1"), "arn:aws") + `"`,
		`"Account":"` + hubAccount + `"`,
		`"Status":"Enabled"`,
		`"Metrics":{"Status":"Enabled"}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("replication rule lacks %s:\n%s", want, got)
		}
	}
	// The role: fixed name the SCPs and the archive allow, trusted by S3 for this account only,
	// with exactly the replication actions.
	var role cdkassert.Resource
	for _, r := range tpl.Resources {
		if r.Type == "AWS::IAM::Role" && strings.Contains(cdkassert.JSON(r.Properties["RoleName"]), naming.ReplicationRoleName("us-east-1")) {
			role = r
		}
	}
	if role.Type == "" {
		t.Fatalf("no role named %s", naming.ReplicationRoleName("us-east-1"))
	}
	trust := cdkassert.JSON(role.Properties["AssumeRolePolicyDocument"])
	if !cdkassert.Contains(trust, `"Service":"s3.amazonaws.com"`, `"aws:SourceAccount":"333333333333"`) {
		t.Errorf("trust policy: %s", trust)
	}
	var actions []string
	_, policies := tpl.OfType("AWS::IAM::Policy")
	for _, p := range policies {
		if !strings.Contains(cdkassert.JSON(p.Properties["PolicyName"]), "ReplicateInvocationLogs") {
			continue
		}
		for _, st := range cdkassert.Statements(p.Properties["PolicyDocument"]) {
			if st["Effect"] != "Allow" {
				continue
			}
			actions = append(actions, cdkassert.Strings(st["Action"])...)
		}
	}
	sort.Strings(actions)
	want := "kms:Decrypt kms:Decrypt kms:Encrypt kms:GenerateDataKey s3:GetObjectLegalHold s3:GetObjectRetention s3:GetObjectVersionAcl s3:GetObjectVersionForReplication s3:GetObjectVersionTagging s3:GetReplicationConfiguration s3:ListBucket s3:ReplicateObject"
	if strings.Join(actions, " ") != want {
		t.Errorf("role actions %v\nwant %s", actions, want)
	}
	if ids, _ := tpl.OfType("AWS::Oam::Link"); len(ids) != 0 {
		t.Errorf("OAM link without a sink ARN: %v", ids)
	}
}

func TestMemberLinksToTheSinkWhenKnown(t *testing.T) {
	sink := "arn:aws:oam:us-east-1:444444444444:sink/00000000-0000-4000-8000-000000000000"
	_, tpl := replicatingMember(t, &sink)
	_, link := tpl.One(t, "AWS::Oam::Link")
	if link.Properties["SinkIdentifier"] != sink || cdkassert.JSON(link.Properties["ResourceTypes"]) != `["AWS::CloudWatch::Metric"]` {
		t.Errorf("link: %s", cdkassert.JSON(link.Properties))
	}
}

// Every member stack gets the whole sink map: a stack of one region links to its region's sink
// (none where the hub has no sink), and the environment-agnostic StackSet template chooses per
// region at deployment, with no link where no sink is known.
func TestSinkChosenByRegion(t *testing.T) {
	sinks := map[string]string{
		"us-east-1": "arn:aws:oam:us-east-1:444444444444:sink/00000000-0000-4000-8000-000000000001",
		"us-west-2": "arn:aws:oam:us-west-2:444444444444:sink/00000000-0000-4000-8000-000000000002",
	}
	synthMember := func(env *awscdk.Environment) *cdkassert.Template {
		var tpl *cdkassert.Template
		cdkassert.Must(t, func() {
			app := awscdk.NewApp(nil)
			s := stacks.NewMemberStack(app, "M", &stacks.MemberStackProps{
				StackProps:  awscdk.StackProps{Env: env},
				Monitoring:  &monitoring.MonitoringProps{MonitoredModels: []string{"amazon.nova-micro-v1:0"}},
				Replication: &replication.ReplicationProps{HubAccount: hubAccount, OAMSinkArns: sinks},
			})
			tpl = cdkassert.Synth(t, s.Stack)
		})
		return tpl
	}
	west := synthMember(&awscdk.Environment{Account: jsii.String("333333333333"), Region: jsii.String("us-west-2")})
	if _, l := west.One(t, "AWS::Oam::Link"); l.Properties["SinkIdentifier"] != sinks["us-west-2"] {
		t.Errorf("us-west-2 stack links to %v", l.Properties["SinkIdentifier"])
	}
	if ids, _ := synthMember(&awscdk.Environment{Account: jsii.String("333333333333"), Region: jsii.String("eu-west-1")}).OfType("AWS::Oam::Link"); len(ids) != 0 {
		t.Errorf("a region without a hub sink got a link: %v", ids)
	}
	agnostic := synthMember(nil)
	id, link := agnostic.One(t, "AWS::Oam::Link")
	raw := agnostic.Raw["Resources"].(map[string]any)[id].(map[string]any)
	cond, _ := raw["Condition"].(string)
	conds := agnostic.Raw["Conditions"].(map[string]any)
	got := cdkassert.JSON(conds[cond])
	var regions []string
	for _, ref := range regexp.MustCompile(`"Condition":"([A-Za-z0-9]+)"`).FindAllStringSubmatch(got, -1) {
		eq := cdkassert.JSON(conds[ref[1]])
		if m := regexp.MustCompile(`^\{"Fn::Equals":\[\{"Ref":"AWS::Region"\},"([a-z0-9-]+)"\]\}$`).FindStringSubmatch(eq); m != nil {
			regions = append(regions, m[1])
		}
	}
	if cond == "" || !strings.Contains(got, "Fn::Or") || strings.Join(regions, ",") != "us-east-1,us-west-2" {
		t.Errorf("link condition %q = %s (regions %v); want: the region is one with a sink", cond, got, regions)
	}
	sel := cdkassert.JSON(link.Properties["SinkIdentifier"])
	// us-east-1's condition picks its sink; otherwise (the link exists only in a sink region)
	// it is us-west-2's. No branch leaves the required property empty.
	if !cdkassert.Contains(sel, `{"Fn::If":["`, `","`+sinks["us-east-1"]+`","`+sinks["us-west-2"]+`"]}`) || strings.Contains(sel, "AWS::NoValue") {
		t.Errorf("sink not chosen by region: %s", sel)
	}
}
