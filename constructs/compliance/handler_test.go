package compliance

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The handler's tests run the inline Python itself with python3 (no boto3 needed: the test
// injects fake Bedrock and Config clients), so what is tested is exactly what the template
// inlines.
const driver = `
import json, sys, types
fake = types.ModuleType("boto3")
def client(name):
    raise RuntimeError("the handler must use the clients it is given in tests, not boto3." + name)
fake.client = client
sys.modules["boto3"] = fake
sys.path.insert(0, sys.argv[1])
import handler

class Bedrock:
    def __init__(self, resp): self.resp = resp
    def get_model_invocation_logging_configuration(self): return self.resp

class Config:
    def __init__(self): self.calls = []
    def put_evaluations(self, **kw): self.calls.append(kw); return {"FailedEvaluations": []}

out = []
for case in json.load(sys.stdin):
    cfg = Config()
    event = {
        "invokingEvent": json.dumps({"messageType": "ScheduledNotification", "awsAccountId": "333333333333",
                                     "notificationCreationTime": "2026-11-23T12:00:00.000Z", "recordVersion": "1.0"}),
        "ruleParameters": json.dumps(case["params"]),
        "resultToken": "token-1", "accountId": "333333333333", "configRuleName": "bedrockgov-invocation-logging",
    }
    handler.handler(event, None, bedrock=Bedrock(case["response"]), config=cfg)
    out.append(cfg.calls)
print(json.dumps(out))
`

type evaluation struct {
	ComplianceResourceType, ComplianceResourceID, ComplianceType, Annotation, OrderingTimestamp string
}

func runHandler(t *testing.T, cases []map[string]any) [][]map[string]any {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: the inline rule code cannot be exercised here")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "handler.py"), []byte(HandlerSource), 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(py, "-c", driver, dir)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	var res [][]map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("bad driver output %s: %v", out, err)
	}
	return res
}

var baseline = map[string]any{
	"bucketName": "log-bucket", "keyPrefix": "bedrock-invocation-logs", "logGroupName": "/aws/bedrock/modelinvocations",
	"roleArn": "arn:aws:iam::333333333333:role/Delivery",
}

func matching() map[string]any {
	return map[string]any{"loggingConfig": map[string]any{
		"s3Config":                map[string]any{"bucketName": "log-bucket", "keyPrefix": "bedrock-invocation-logs"},
		"cloudWatchConfig":        map[string]any{"logGroupName": "/aws/bedrock/modelinvocations", "roleArn": "arn:aws:iam::333333333333:role/Delivery"},
		"textDataDeliveryEnabled": true,
	}}
}

func TestHandlerPutsOneAccountEvaluationPerRun(t *testing.T) {
	other := matching()
	lc := other["loggingConfig"].(map[string]any)
	lc["s3Config"] = map[string]any{"bucketName": "attacker-bucket", "keyPrefix": "bedrock-invocation-logs"}
	lc["cloudWatchConfig"] = map[string]any{"logGroupName": "/aws/bedrock/modelinvocations", "roleArn": "arn:aws:iam::333333333333:role/Other"}
	noText := matching()
	noText["loggingConfig"].(map[string]any)["textDataDeliveryEnabled"] = false
	withText := map[string]any{"textDataDeliveryEnabled": "true"}
	for k, v := range baseline {
		withText[k] = v
	}
	cases := []struct {
		name     string
		params   map[string]any
		response map[string]any
		want     string
		note     []string
	}{
		{"logging matches", baseline, matching(), "COMPLIANT", []string{"baseline"}},
		{"logging off", baseline, map[string]any{}, "NON_COMPLIANT", []string{"logging is off"}},
		{"logging deleted leaves a null config", baseline, map[string]any{"loggingConfig": nil}, "NON_COMPLIANT", []string{"logging is off"}},
		{"bucket and role differ", baseline, other, "NON_COMPLIANT", []string{`S3 bucket is "attacker-bucket", expected "log-bucket"`, `delivery role is "arn:aws:iam::333333333333:role/Other", expected "arn:aws:iam::333333333333:role/Delivery"`}},
		{"only S3 configured", baseline, map[string]any{"loggingConfig": map[string]any{"s3Config": map[string]any{"bucketName": "log-bucket", "keyPrefix": "bedrock-invocation-logs"}}}, "NON_COMPLIANT", []string{`log group is "", expected "/aws/bedrock/modelinvocations"`}},
		{"text delivery not required", baseline, noText, "COMPLIANT", nil},
		{"text delivery required and off", withText, noText, "NON_COMPLIANT", []string{"text data delivery is off"}},
	}
	var in []map[string]any
	for _, c := range cases {
		in = append(in, map[string]any{"params": c.params, "response": c.response})
	}
	res := runHandler(t, in)
	for i, c := range cases {
		if len(res[i]) != 1 {
			t.Fatalf("%s: want one put_evaluations call, got %v", c.name, res[i])
		}
		call := res[i][0]
		if call["ResultToken"] != "token-1" {
			t.Errorf("%s: result token %v", c.name, call["ResultToken"])
		}
		evs := call["Evaluations"].([]any)
		if len(evs) != 1 {
			t.Fatalf("%s: want one evaluation, got %v", c.name, evs)
		}
		ev := evs[0].(map[string]any)
		if ev["ComplianceResourceType"] != "AWS::::Account" || ev["ComplianceResourceId"] != "333333333333" || ev["OrderingTimestamp"] != "2026-11-23T12:00:00.000Z" {
			t.Errorf("%s: evaluation target = %v", c.name, ev)
		}
		if ev["ComplianceType"] != c.want {
			t.Errorf("%s: %v, want %s (annotation %q)", c.name, ev["ComplianceType"], c.want, ev["Annotation"])
		}
		note := ev["Annotation"].(string)
		if len(note) == 0 || len(note) > 256 {
			t.Errorf("%s: annotation must be 1-256 characters: %q", c.name, note)
		}
		for _, w := range c.note {
			if !strings.Contains(note, w) {
				t.Errorf("%s: annotation %q lacks %q", c.name, note, w)
			}
		}
	}
}

func TestHandlerAnnotationIsCappedAt256(t *testing.T) {
	long := matching()
	long["loggingConfig"].(map[string]any)["s3Config"] = map[string]any{"bucketName": strings.Repeat("b", 63), "keyPrefix": strings.Repeat("p", 200)}
	res := runHandler(t, []map[string]any{{"params": baseline, "response": long}})
	note := res[0][0]["Evaluations"].([]any)[0].(map[string]any)["Annotation"].(string)
	if len(note) != 256 || !strings.HasSuffix(note, "...") {
		t.Errorf("annotation of %d characters: %q", len(note), note)
	}
}

func TestHandlerFitsCloudFormationInlineLimit(t *testing.T) {
	if len(HandlerSource) > MaxInlineCode {
		t.Errorf("handler is %d characters; CloudFormation ZipFile takes at most %d", len(HandlerSource), MaxInlineCode)
	}
}
