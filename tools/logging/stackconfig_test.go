package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
)

// The member stack puts the logging configuration itself, with the Python custom resource in
// constructs/loggingconfig. An account set up that way must read as "logging as expected" to
// `status`, which compares against what `enable` would write from the stack's SSM parameters.
// This runs the handler's own logging_config() and compares the result the way status does.
func TestStackCustomResourceConfigurationReadsAsExpected(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; the custom resource's configuration is not compared here")
	}
	code, err := os.ReadFile(filepath.Join("..", "..", "constructs", "loggingconfig", "handler.py"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{
		"handler.py":     string(code),
		"boto3.py":       "def client(name):\n    raise RuntimeError('no AWS in tests')\n",
		"cfnresponse.py": "SUCCESS, FAILED = 'SUCCESS', 'FAILED'\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The values the member stack publishes in SSM and passes to the custom resource.
	d := destinations{
		Bucket: "bedrockmember-prod-logs-abc123", KeyPrefix: "bedrock-invocation-logs",
		LogGroup: "/aws/bedrock/modelinvocations", RoleARN: "arn:aws:iam::333333333333:role/delivery",
		LargeDataBucket: "bedrockmember-prod-logs-abc123",
	}
	props, _ := json.Marshal(map[string]string{
		"BucketName": d.Bucket, "KeyPrefix": d.KeyPrefix, "LogGroupName": d.LogGroup, "RoleArn": d.RoleARN,
		// CloudFormation passes booleans to custom resources as strings.
		"text": "true", "image": "false", "embedding": "true", "video": "false", "audio": "false",
	})
	cmd := exec.Command(py, "-c", "import json, sys, handler; print(json.dumps(handler.logging_config(json.load(sys.stdin))))")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(string(props))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("handler: %v\n%s", err, out)
	}
	var got types.LoggingConfig
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("handler output is not a logging configuration: %v\n%s", err, out)
	}
	want := buildConfig(d, dataTypes{Text: true, Embedding: true})
	if diffs := compareConfigs(want, &got, true); len(diffs) != 0 {
		t.Errorf("status would report the stack's configuration as drifted: %v", diffs)
	}
	if !isConfigured(&got) {
		t.Error("status would report the stack's configuration as not configured")
	}
}
