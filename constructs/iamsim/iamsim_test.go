package iamsim

import (
	"fmt"
	"strings"
	"testing"
)

const (
	dev    = "arn:aws:iam::111111111111:role/developer"
	nova   = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"
	claude = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"
)

var allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

var novaOnly = Named{Name: "ApprovedModels", Policy: map[string]any{
	"Version": "2012-10-17",
	"Statement": []any{map[string]any{
		"Sid": "DenyUnapprovedModels", "Effect": "Deny",
		"Action":      []any{"bedrock:InvokeModel"},
		"NotResource": "arn:aws:bedrock:*::foundation-model/amazon.nova-*",
	}},
}}

// recorder captures what Simulate reports, to test the failure messages themselves.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, a...))
}

func TestSimulateDecisions(t *testing.T) {
	res := Simulate(t, []Request{
		{
			Scenario: "approved model", Principal: dev, Action: "bedrock:InvokeModel", Resource: nova,
			Context:          map[string]any{"aws:PrincipalArn": dev, "aws:RequestedRegion": "us-east-1"},
			IdentityPolicies: []any{allowAll}, SCPs: []any{novaOnly},
			Want: Allowed, Why: "the identity policy allows it and the model is outside the SCP's NotResource deny",
		},
		{
			Scenario: "unapproved model", Principal: dev, Action: "bedrock:InvokeModel", Resource: claude,
			IdentityPolicies: []any{allowAll}, SCPs: []any{novaOnly},
			Want: ExplicitlyDenied, Why: "DenyUnapprovedModels matches every model not under amazon.nova-*",
		},
		{
			Scenario: "no identity policy", Principal: dev, Action: "bedrock:InvokeModel", Resource: nova,
			Want: ImplicitlyDenied, Why: "nothing allows it",
		},
		{
			Scenario: "service principal under a bucket policy", Principal: "bedrock.amazonaws.com", Action: "s3:PutObject",
			Resource: "arn:aws:s3:::logs/AWSLogs/111111111111/x", ResourceAccount: "111111111111",
			Context:        map[string]any{"aws:SourceAccount": "111111111111", "aws:SourceArn": "arn:aws:bedrock:us-east-1:111111111111:*"},
			ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/*","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}}]}`,
			Want:           Allowed, Why: "the bucket policy admits Bedrock from its own account",
		},
	})
	if len(res) != 4 || res[1].Decision != ExplicitlyDenied || !strings.Contains(strings.Join(res[1].Reasons, " "), "DenyUnapprovedModels") {
		t.Errorf("results do not name the deciding statement: %+v", res)
	}
}

func TestSimulateReportsWrongDecisionsAndIgnoredKeys(t *testing.T) {
	rec := &recorder{TB: t}
	Simulate(rec, []Request{
		{
			Scenario: "wrongly expected allow", Principal: dev, Action: "bedrock:InvokeModel", Resource: claude,
			IdentityPolicies: []any{allowAll}, SCPs: []any{novaOnly},
			Want: Allowed, Why: "deliberately wrong",
		},
		{
			Scenario: "key that does not apply", Principal: dev, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
			ResourceAccount: "111111111111", Context: map[string]any{"bedrock:InferenceProfileArn": "x"},
			IdentityPolicies: []any{allowAll}, Want: Allowed, Why: "allowed; the key is irrelevant",
		},
	})
	all := strings.Join(rec.errors, "\n")
	if len(rec.errors) != 2 ||
		!strings.Contains(all, `scenario "wrongly expected allow"`) || !strings.Contains(all, "got ExplicitlyDenied, want Allowed") ||
		!strings.Contains(all, "DenyUnapprovedModels") || !strings.Contains(all, "bedrock:InferenceProfileArn") {
		t.Errorf("failure messages do not name the scenario, decisions, statement and ignored key:\n%s", all)
	}
}

func TestMalformedRequestsAreRejected(t *testing.T) {
	_, err := Evaluate([]Request{{Scenario: "x", Principal: dev, Action: "s3:GetObject", Resource: "*", Want: "Maybe"}})
	if err == nil || !strings.Contains(err.Error(), `Want "Maybe"`) || !strings.Contains(err.Error(), "Why is empty") {
		t.Errorf("err = %v", err)
	}
}

func TestReferenceProblems(t *testing.T) {
	seed := Named{Name: "SeedSCP", Policy: map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Effect": "Deny", "Action": []any{"bedrock:InvokeModel", "bedrock:Converse", "s3:Get*", "s3:NoSuch*"},
				"Resource":  map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":s3:::b"}}},
				"Condition": map[string]any{"Bool": map[string]any{"bedrock:ModelInvocationLoggingEnabled": "false"}},
			},
			map[string]any{
				"Effect": "Deny", "NotAction": "bedrock:*", "Resource": "*",
				"Condition": map[string]any{
					"StringNotEqualsIfExists":         map[string]any{"aws:RequestedRegion": []any{"us-east-1"}},
					"ForAnyValue:StringLike":          map[string]any{"aws:PrincipalTag/team": "ml"},
					"StringEquals":                    map[string]any{"kms:EncryptionContext:aws:logs:arn": map[string]any{"Ref": "X"}},
					"ArnNotLikeButMisspelled":         map[string]any{"aws:PrincipalArn": "arn:aws:iam::*:role/x"},
					"ForAllValues:ArnNotLikeIfExists": map[string]any{"aws:PrincipalArn": "arn:aws:iam::*:role/x"},
				},
			},
		},
	}}
	problems, err := ReferenceProblems(seed, allowAll)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	for _, want := range []string{
		`SeedSCP: action "bedrock:Converse" is not in the IAM reference`,
		`SeedSCP: action "s3:NoSuch*" is not in the IAM reference`,
		`SeedSCP: condition key "bedrock:ModelInvocationLoggingEnabled" is not in the IAM reference`,
		`SeedSCP: condition operator "ArnNotLikeButMisspelled"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing problem %s in:\n%s", want, got)
		}
	}
	if len(problems) != 4 {
		t.Errorf("want exactly 4 problems (real actions, keys and operators pass), got:\n%s", got)
	}
}

func TestTemplatePolicies(t *testing.T) {
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}
	tpl := map[string]any{"Resources": map[string]any{
		"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
			"AssumeRolePolicyDocument": doc,
			"Policies":                 []any{map[string]any{"PolicyName": "p", "PolicyDocument": doc}},
		}},
		"Key":  map[string]any{"Type": "AWS::KMS::Key", "Properties": map[string]any{"KeyPolicy": doc}},
		"Scp":  map[string]any{"Type": "AWS::Organizations::Policy", "Properties": map[string]any{"Type": "SERVICE_CONTROL_POLICY", "Content": `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`}},
		"Bp":   map[string]any{"Type": "AWS::Organizations::Policy", "Properties": map[string]any{"Type": "BEDROCK_POLICY", "Content": map[string]any{"bedrock": map[string]any{}}}},
		"Logs": map[string]any{"Type": "AWS::Logs::ResourcePolicy", "Properties": map[string]any{"PolicyDocument": `{"Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents"}]}`}},
		"Bkt":  map[string]any{"Type": "AWS::S3::Bucket", "Properties": map[string]any{"BucketName": "b"}},
	}}
	var names []string
	for _, p := range TemplatePolicies("S", tpl) {
		names = append(names, p.Name)
	}
	want := []string{
		"S Key (AWS::KMS::Key) KeyPolicy",
		"S Logs (AWS::Logs::ResourcePolicy) PolicyDocument",
		"S Role (AWS::IAM::Role) AssumeRolePolicyDocument",
		"S Role (AWS::IAM::Role) Policies[0].PolicyDocument",
		"S Scp (AWS::Organizations::Policy) Content",
	}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("policies found:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}

func TestSimulateResourceControlPolicies(t *testing.T) {
	rcp := `{"Version":"2012-10-17","Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-exampleorg1"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`
	bucket := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}`
	outsider := "arn:aws:iam::222233334444:role/x"
	Simulate(t, []Request{
		{Scenario: "caller inside the organization", Principal: dev, Action: "s3:GetObject", Resource: "arn:aws:s3:::shared/k", ResourceAccount: "111111111111",
			Context: map[string]any{"aws:PrincipalOrgID": "o-exampleorg1", "aws:PrincipalIsAWSService": "false"}, IdentityPolicies: []any{allowAll},
			ResourcePolicy: bucket, RCPs: []any{rcp}, Want: Allowed, Why: "the RCP denies only callers outside the organization"},
		{Scenario: "caller outside the organization", Principal: outsider, Action: "s3:GetObject", Resource: "arn:aws:s3:::shared/k", ResourceAccount: "111111111111",
			Context: map[string]any{"aws:PrincipalOrgID": "o-otherorg123", "aws:PrincipalIsAWSService": "false"}, IdentityPolicies: []any{allowAll},
			ResourcePolicy: bucket, RCPs: []any{rcp}, Want: ExplicitlyDenied, Why: "OrgOnly denies principals of another organization even though the bucket policy allows everyone"},
	})
}
