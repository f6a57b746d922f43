package orgpolicies

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
)

const mgmt = "999999999999"

func synthGuardrail(t *testing.T, props *OrganizationGuardrailProps) *cdkassert.Template {
	t.Helper()
	var tpl *cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		stack := awscdk.NewStack(app, jsii.String("Org"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(mgmt), Region: jsii.String("us-east-1")}})
		NewOrganizationGuardrail(stack, "Guardrail", props)
		tpl = cdkassert.Synth(t, stack)
	})
	return tpl
}

// TestOrganizationGuardrailIsAVersionedGuardrailTheOrganizationCanApply checks the policy
// enforces a numbered version built from the created version's attributes, in its own region,
// and simulates the guardrail's resource policy for callers inside and outside the organization.
func TestOrganizationGuardrailIsAVersionedGuardrailTheOrganizationCanApply(t *testing.T) {
	tpl := synthGuardrail(t, &OrganizationGuardrailProps{Region: "us-east-1", Account: mgmt, OrganizationID: "o-exampleorg1", TargetIds: []string{"r-ab12"}})
	verID, _ := tpl.One(t, "AWS::Bedrock::GuardrailVersion")
	if tpl.Resources[verID].DeletionPolicy != "Retain" {
		t.Errorf("guardrail versions must be retained so the policy never points at a deleted version")
	}
	gID, g := tpl.One(t, "AWS::Bedrock::Guardrail")
	filters := cdkassert.JSON(g.Properties["ContentPolicyConfig"])
	for _, f := range []string{"HATE", "INSULTS", "MISCONDUCT", "SEXUAL", "VIOLENCE", "PROMPT_ATTACK"} {
		if !strings.Contains(filters, `"Type":"`+f+`"`) {
			t.Errorf("filter %s missing: %s", f, filters)
		}
	}
	if !strings.Contains(filters, `{"InputStrength":"HIGH","OutputStrength":"NONE","Type":"PROMPT_ATTACK"}`) {
		t.Errorf("prompt attack must filter input only: %s", filters)
	}
	_, pol := tpl.One(t, "AWS::Organizations::Policy")
	if pol.Properties["Type"] != "BEDROCK_POLICY" || cdkassert.JSON(pol.Properties["TargetIds"]) != `["r-ab12"]` {
		t.Errorf("policy: %v", cdkassert.JSON(pol.Properties))
	}
	cfg := pol.Properties["Content"].(map[string]any)["bedrock"].(map[string]any)["guardrail_inference"].(map[string]any)["us-east-1"].(map[string]any)[ConfigName].(map[string]any)
	wantID := fmt.Sprintf(`{"@@assign":{"Fn::Join":[":",[{"Fn::GetAtt":["%s","GuardrailArn"]},{"Fn::GetAtt":["%s","Version"]}]]}}`, verID, verID)
	if got := cdkassert.JSON(cfg["identifier"]); got != wantID {
		t.Errorf("identifier = %s, want the version's ARN and number %s", got, wantID)
	}
	if got := cdkassert.JSON(cfg["selective_content_guarding"]); got != `{"messages":{"@@assign":"comprehensive"},"system":{"@@assign":"selective"}}` {
		t.Errorf("selective_content_guarding = %s", got)
	}
	if got := cdkassert.JSON(cfg["model_enforcement"]); got != `{"excluded_models":{"@@assign":[]},"included_models":{"@@assign":["ALL"]}}` {
		t.Errorf("model_enforcement = %s", got)
	}
	_, rp := tpl.One(t, "AWS::Bedrock::ResourcePolicy")
	if cdkassert.JSON(rp.Properties["ResourceArn"]) != fmt.Sprintf(`{"Fn::GetAtt":["%s","GuardrailArn"]}`, gID) {
		t.Errorf("resource policy is not on the guardrail: %v", rp.Properties["ResourceArn"])
	}

	guardrail := "arn:aws:bedrock:us-east-1:" + mgmt + ":guardrail/abcd1234efgh"
	rpDoc := GuardrailResourcePolicy(guardrail, "o-exampleorg1")
	iamsim.CheckIAMReference(t, iamsim.Named{Name: "guardrail resource policy", Policy: rpDoc})
	member := "arn:aws:iam::111111111111:role/app"
	canApply := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"bedrock:ApplyGuardrail","Resource":"*"}]}`
	iamsim.Simulate(t, []iamsim.Request{
		{Scenario: "a member account's role applies the organization guardrail", Principal: member, Action: "bedrock:ApplyGuardrail",
			Resource: guardrail, Context: map[string]any{"aws:PrincipalOrgID": "o-exampleorg1", "aws:PrincipalArn": member},
			IdentityPolicies: []any{canApply}, ResourcePolicy: rpDoc, Want: iamsim.Allowed,
			Why: "the resource policy admits every principal of the organization; the caller's identity policy allows ApplyGuardrail"},
		{Scenario: "a role outside the organization applies the guardrail", Principal: "arn:aws:iam::222233334444:role/x", Action: "bedrock:ApplyGuardrail",
			Resource: guardrail, Context: map[string]any{"aws:PrincipalOrgID": "o-otherorg123", "aws:PrincipalArn": "arn:aws:iam::222233334444:role/x"},
			IdentityPolicies: []any{canApply}, ResourcePolicy: rpDoc, Want: iamsim.ImplicitlyDenied,
			Why: "a cross-account call needs the resource policy, which admits only o-exampleorg1"},
	})
}

func TestExistingGuardrailIdentifierIsValidated(t *testing.T) {
	good := "arn:aws:bedrock:us-east-1:" + mgmt + ":guardrail/hu1dlsv9wy1d:3"
	tpl := synthGuardrail(t, &OrganizationGuardrailProps{Region: "us-east-1", Account: mgmt, Identifier: good})
	if ids, _ := tpl.OfType("AWS::Bedrock::Guardrail"); len(ids) != 0 {
		t.Errorf("an existing identifier must not create a guardrail")
	}
	_, pol := tpl.One(t, "AWS::Organizations::Policy")
	if !strings.Contains(cdkassert.JSON(pol.Properties["Content"]), `"identifier":{"@@assign":"`+good+`"}`) {
		t.Errorf("content: %s", cdkassert.JSON(pol.Properties["Content"]))
	}
	for _, c := range []struct{ id, want string }{
		{"arn:aws:bedrock:us-east-1:" + mgmt + ":guardrail/hu1dlsv9wy1d:DRAFT", "never DRAFT"},
		{"arn:aws:bedrock:us-east-1:" + mgmt + ":guardrail/hu1dlsv9wy1d", "never DRAFT"},
		{"hu1dlsv9wy1d:1", "not <guardrail ARN>"},
		{"arn:aws:bedrock:us-west-2:" + mgmt + ":guardrail/hu1dlsv9wy1d:1", "is in us-west-2 but enforced in us-east-1"},
		{"arn:aws:bedrock:us-east-1:111111111111:guardrail/hu1dlsv9wy1d:1", "not the management account"},
	} {
		msg := func() (msg string) {
			defer func() {
				if r := recover(); r != nil {
					msg = fmt.Sprint(r)
				}
			}()
			app := awscdk.NewApp(nil)
			NewOrganizationGuardrail(awscdk.NewStack(app, jsii.String("S"), nil), "G", &OrganizationGuardrailProps{Region: "us-east-1", Account: mgmt, Identifier: c.id})
			return ""
		}()
		if !strings.Contains(msg, c.want) || !strings.Contains(msg, c.id) {
			t.Errorf("identifier %q: error %q, want one naming it and %q", c.id, msg, c.want)
		}
	}
}

func TestBedrockPolicyOverTheLimitFails(t *testing.T) {
	var many []string
	for i := 0; i < 400; i++ {
		many = append(many, fmt.Sprintf("vendor.some-long-model-name-%03d-v1:0", i))
	}
	msg := func() (msg string) {
		defer func() {
			if r := recover(); r != nil {
				msg = fmt.Sprint(r)
			}
		}()
		app := awscdk.NewApp(nil)
		NewOrganizationGuardrail(awscdk.NewStack(app, jsii.String("S"), nil), "G", &OrganizationGuardrailProps{Region: "us-east-1", Account: mgmt, OrganizationID: "o-exampleorg1", ExcludedModels: many})
		return ""
	}()
	if !strings.Contains(msg, "bedrockgov-guardrail-us-east-1") || !strings.Contains(msg, "10000-character limit") {
		t.Errorf("error %q does not name the policy and the limit", msg)
	}
}
