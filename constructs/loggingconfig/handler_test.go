package loggingconfig

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The handler runs in Lambda's Python runtime with boto3 and cfnresponse. These tests run the
// same code under the machine's python3 with both modules replaced by recording fakes, so what
// the function calls and answers CloudFormation is checked, not just that it was written.

const fakes = `
import json, sys, types

calls = []
responses = []

class ValidationException(Exception):
    pass

class FakeBedrock:
    def __init__(self, current, put_failures):
        self.current = current
        self.put_failures = put_failures
        self.exceptions = types.SimpleNamespace(ValidationException=ValidationException)
    def put_model_invocation_logging_configuration(self, loggingConfig):
        calls.append(["put", loggingConfig])
        if self.put_failures > 0:
            self.put_failures -= 1
            raise ValidationException("Failed to validate permissions for log group")
        return {}
    def get_model_invocation_logging_configuration(self):
        calls.append(["get"])
        return {"loggingConfig": self.current} if self.current else {}
    def delete_model_invocation_logging_configuration(self):
        calls.append(["delete"])
        return {}

scenario = json.load(sys.stdin)
boto3 = types.ModuleType("boto3")
boto3.client = lambda name: FakeBedrock(scenario.get("current"), scenario.get("putFailures", 0)) if name == "bedrock" else None
cfn = types.ModuleType("cfnresponse")
cfn.SUCCESS, cfn.FAILED = "SUCCESS", "FAILED"
def send(event, context, status, data, pid=None, noEcho=False, reason=None):
    responses.append({"status": status, "data": data, "pid": pid, "reason": reason})
cfn.send = send
sys.modules["boto3"], sys.modules["cfnresponse"] = boto3, cfn

import handler
sleeps = []
handler.time = types.SimpleNamespace(sleep=lambda s: sleeps.append(s))
# put() binds time.sleep as a default argument at import; route it through the fake.
handler.put.__defaults__ = (lambda s: sleeps.append(s), 12)
handler.handle.__defaults__ = (lambda s: sleeps.append(s),)
handler.handler(scenario["event"], None)
print(json.dumps({"calls": calls, "responses": responses, "sleeps": sleeps}, separators=(",", ":")))
`

type outcome struct {
	Calls     [][]json.RawMessage `json:"calls"`
	Responses []struct {
		Status string            `json:"status"`
		Data   map[string]string `json:"data"`
		PID    string            `json:"pid"`
		Reason string            `json:"reason"`
	} `json:"responses"`
	Sleeps []float64 `json:"sleeps"`
}

func runHandler(t *testing.T, scenario map[string]any) outcome {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; the handler's behaviour is not checked here")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "handler.py"), []byte(HandlerCode), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "run.py"), []byte(fakes), 0o644); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(scenario)
	cmd := exec.Command(py, "run.py")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("handler run failed: %v\n%s", err, out)
	}
	var o outcome
	if err := json.Unmarshal(out, &o); err != nil {
		t.Fatalf("handler output: %v\n%s", err, out)
	}
	if len(o.Responses) != 1 {
		t.Fatalf("the handler must answer CloudFormation exactly once, answered %d times", len(o.Responses))
	}
	return o
}

var props = map[string]any{
	"ServiceToken": "arn:aws:lambda:us-east-1:111111111111:function:f",
	"BucketName":   "logs-bucket", "KeyPrefix": "bedrock-invocation-logs",
	"LogGroupName": "/aws/bedrock/modelinvocations", "RoleArn": "arn:aws:iam::111111111111:role/delivery",
	"text": "true", "image": "false", "embedding": "true", "video": "false", "audio": "false",
}

func event(kind string, p map[string]any) map[string]any {
	return map[string]any{"RequestType": kind, "ResourceProperties": p}
}

const wantConfig = `{"s3Config":{"bucketName":"logs-bucket","keyPrefix":"bedrock-invocation-logs"},` +
	`"cloudWatchConfig":{"logGroupName":"/aws/bedrock/modelinvocations","roleArn":"arn:aws:iam::111111111111:role/delivery",` +
	`"largeDataDeliveryS3Config":{"bucketName":"logs-bucket","keyPrefix":"bedrock-invocation-logs"}},` +
	`"textDataDeliveryEnabled":true,"imageDataDeliveryEnabled":false,"embeddingDataDeliveryEnabled":true}`

func TestCreateAndUpdatePutTheConfiguration(t *testing.T) {
	for _, kind := range []string{"Create", "Update"} {
		o := runHandler(t, map[string]any{"event": event(kind, props)})
		if len(o.Calls) != 1 || string(o.Calls[0][0]) != `"put"` || string(o.Calls[0][1]) != wantConfig {
			t.Errorf("%s: calls = %s, want one put of %s", kind, o.Calls, wantConfig)
		}
		r := o.Responses[0]
		// A fixed physical ID: an update never looks like a replacement, whose clean-up would
		// delete the configuration just put.
		if r.Status != "SUCCESS" || r.PID != "bedrock-invocation-logging" {
			t.Errorf("%s: response %+v", kind, r)
		}
	}
}

func TestVideoAndAudioAreSentOnlyWhenOn(t *testing.T) {
	p := map[string]any{}
	for k, v := range props {
		p[k] = v
	}
	p["video"], p["audio"] = "true", "true"
	o := runHandler(t, map[string]any{"event": event("Create", p)})
	cfg := string(o.Calls[0][1])
	if !strings.Contains(cfg, `"videoDataDeliveryEnabled":true`) || !strings.Contains(cfg, `"audioDataDeliveryEnabled":true`) {
		t.Errorf("video and audio requested but not sent: %s", cfg)
	}
}

func TestPutRetriesWhileNewPermissionsPropagate(t *testing.T) {
	o := runHandler(t, map[string]any{"event": event("Create", props), "putFailures": 3})
	if len(o.Calls) != 4 || len(o.Sleeps) != 3 || o.Responses[0].Status != "SUCCESS" {
		t.Errorf("want 3 retries then success, got %d calls, sleeps %v, %+v", len(o.Calls), o.Sleeps, o.Responses[0])
	}
	o = runHandler(t, map[string]any{"event": event("Create", props), "putFailures": 100})
	r := o.Responses[0]
	if r.Status != "FAILED" || !strings.Contains(r.Reason, "ValidationException: Failed to validate permissions") || len(o.Calls) != 12 {
		t.Errorf("a put that never succeeds must fail the deployment with Bedrock's reason after 12 tries: %d calls, %+v", len(o.Calls), r)
	}
}

func TestDeleteRemovesOnlyThisStacksConfiguration(t *testing.T) {
	ours := map[string]any{"s3Config": map[string]any{"bucketName": "logs-bucket"}}
	theirs := map[string]any{"s3Config": map[string]any{"bucketName": "someone-elses-bucket"}, "cloudWatchConfig": map[string]any{"logGroupName": "/other"}}
	for _, c := range []struct {
		name    string
		current map[string]any
		deleted bool
	}{
		{"points at this stack's bucket", ours, true},
		{"reconfigured elsewhere since", theirs, false},
		{"already gone", nil, false},
	} {
		o := runHandler(t, map[string]any{"event": event("Delete", props), "current": c.current})
		deleted := false
		for _, call := range o.Calls {
			if string(call[0]) == `"delete"` {
				deleted = true
			}
			if string(call[0]) == `"put"` {
				t.Errorf("%s: delete must never put", c.name)
			}
		}
		if deleted != c.deleted || o.Responses[0].Status != "SUCCESS" {
			t.Errorf("%s: deleted = %v (want %v), response %+v", c.name, deleted, c.deleted, o.Responses[0])
		}
	}
}

func TestHandlerFitsInlineCode(t *testing.T) {
	// CloudFormation's ZipFile holds at most 4096 characters.
	if n := len(HandlerCode); n > 4096 {
		t.Errorf("handler is %d characters, over the 4096 CloudFormation inlines", n)
	}
}
