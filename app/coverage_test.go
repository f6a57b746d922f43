package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
)

func bucketTemplate(name any) []byte {
	bucket := map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{}}
	if name != nil {
		bucket["Properties"].(map[string]any)["BucketName"] = name
	}
	b, _ := json.Marshal(map[string]any{"Resources": map[string]any{
		"LogBucket": bucket,
		"Param":     map[string]any{"Type": "AWS::SSM::Parameter", "Properties": map[string]any{"Name": "/bedrockgov/invocation-logging/bucket-name", "Value": map[string]any{"Ref": "LogBucket"}}},
	}})
	return b
}

func TestLogBucketCoverage(t *testing.T) {
	join := map[string]any{"Fn::Join": []any{"", []any{"bedrockgov-logs-", map[string]any{"Ref": "AWS::AccountId"}, "-", map[string]any{"Ref": "AWS::Region"}}}}
	for _, c := range []struct {
		name     any
		patterns []string
		covered  bool
	}{
		{join, nil, true},
		{"bedrockgov-logs-111111111111-us-east-1", nil, true},
		{nil, nil, false}, // named by CloudFormation
		{"team-logs", nil, false},
		{"team-logs", []string{"team-*"}, true},
	} {
		id, name, covered, err := logBucketCoverage(bucketTemplate(c.name), c.patterns)
		if err != nil || id != "LogBucket" || covered != c.covered {
			t.Errorf("%v %v: id %s name %s covered %v err %v, want covered %v", c.name, c.patterns, id, name, covered, err, c.covered)
		}
	}
	if _, _, _, err := logBucketCoverage([]byte(`{"Resources":{}}`), nil); err == nil {
		t.Error("a template without the log-bucket parameter must be an error")
	}
}

// TestUnprotectedLogBucketIsReported: BedrockOrg carries a synth warning exactly when the
// StackSet template's log bucket is outside the SCPs' protected names.
func TestUnprotectedLogBucketIsReported(t *testing.T) {
	cfg := config.Example()
	out := t.TempDir()
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
		buildOrg(app, cfg, DeployByCLI)
		app.Synth(nil)
	})
	data, err := os.ReadFile(filepath.Join(out, StackSetTemplateDir, StackSetTemplateName("prod")))
	if err != nil {
		t.Fatal(err)
	}
	_, name, covered, err := logBucketCoverage(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := os.ReadFile(filepath.Join(out, OrgStackName+".metadata.json"))
	warned := strings.Contains(string(meta), "bedrockgov:UnprotectedLogBucket") && strings.Contains(string(meta), "StackSet prod")
	if warned == covered {
		t.Errorf("log bucket %s covered=%v but warning present=%v", name, covered, warned)
	}
	t.Logf("member log bucket name %s: protected by the SCPs = %v", name, covered)
}

// TestSynthRejectsSCPsIAMDoesNotKnow: the app's post-synth check fails naming the policy and
// the invented key (the seed's bedrock:ModelInvocationLoggingEnabled).
func TestSynthRejectsSCPsIAMDoesNotKnow(t *testing.T) {
	dir := t.TempDir()
	tpl := map[string]any{"Resources": map[string]any{
		"Seed": map[string]any{"Type": "AWS::Organizations::Policy", "Properties": map[string]any{
			"Name": "seed", "Type": "SERVICE_CONTROL_POLICY",
			"Content": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Deny", "Action": "bedrock:InvokeModel", "Resource": "*",
				"Condition": map[string]any{"Bool": map[string]any{"bedrock:ModelInvocationLoggingEnabled": "false"}},
			}}},
		}},
	}}
	data, _ := json.Marshal(tpl)
	if err := os.WriteFile(filepath.Join(dir, OrgStackName+".template.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	err := checkSCPReference(dir)
	if err == nil || !strings.Contains(err.Error(), "BedrockOrg Seed (AWS::Organizations::Policy) Content") || !strings.Contains(err.Error(), `condition key "bedrock:ModelInvocationLoggingEnabled" is not in the IAM reference`) {
		t.Errorf("err = %v", err)
	}
	if err := checkSCPReference(t.TempDir()); err != nil {
		t.Errorf("no BedrockOrg stack: %v", err)
	}
}
