package stacks_test

import (
	"strings"
	"testing"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
)

const simAcct = "333333333333"

// simValues gives every resource of a template a concrete Ref and Arn, as a deployment in
// us-east-1 of account 333333333333 would, so iamsim.Resolve can turn policies into plain JSON.
func simValues(tpl *cdkassert.Template) map[string]string {
	v := map[string]string{"AWS::Partition": "aws", "AWS::Region": homeRegion, "AWS::AccountId": simAcct, "AWS::URLSuffix": "amazonaws.com", "AWS::StackId": "arn:aws:cloudformation:" + homeRegion + ":" + simAcct + ":stack/BedrockMember/0b9e3f00-1111-2222-3333-444455556666"}
	for id, r := range tpl.Resources {
		switch r.Type {
		case "AWS::SNS::Topic":
			v[id] = "arn:aws:sns:us-east-1:" + simAcct + ":" + id
		case "AWS::KMS::Key":
			v[id] = "key-" + id
			v[id+".Arn"] = "arn:aws:kms:us-east-1:" + simAcct + ":key/" + id
		case "AWS::S3::Bucket":
			v[id] = "bucket-" + strings.ToLower(id)
			v[id+".Arn"] = "arn:aws:s3:::bucket-" + strings.ToLower(id)
		case "AWS::Logs::LogGroup":
			v[id] = "/log/" + id
			v[id+".Arn"] = "arn:aws:logs:us-east-1:" + simAcct + ":log-group:/log/" + id + ":*"
		case "AWS::IAM::Role":
			v[id] = id
			v[id+".Arn"] = "arn:aws:iam::" + simAcct + ":role/" + id
		default:
			v[id] = id
			v[id+".Arn"] = "arn:aws:unknown:us-east-1:" + simAcct + ":" + id
		}
	}
	return v
}

func resolved(t *testing.T, tpl *cdkassert.Template, name string, doc any) iamsim.Named {
	t.Helper()
	r, err := iamsim.Resolve(doc, simValues(tpl))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return iamsim.Named{Name: name, Policy: r}
}

// The additions' policies decide who may publish budget alerts, use the environment's key
// through Bedrock, evaluate the compliance rule and reach Bedrock through the VPC endpoints.
func TestMemberAdditionsPoliciesBySimulation(t *testing.T) {
	_, tpls := memberWith(t, fullAdditions, homeRegion)
	tpl := tpls[0]
	vals := simValues(tpl)

	var criticalTopic, topicPolicy, topicKeyID, logKeyID string
	ids, topics := tpl.OfType("AWS::SNS::Topic")
	for i, tp := range topics {
		if strings.HasSuffix(tp.Properties["DisplayName"].(string), "critical alerts") {
			criticalTopic = ids[i]
		}
	}
	pids, pols := tpl.OfType("AWS::SNS::TopicPolicy")
	for i, p := range pols {
		if cdkassert.JSON(p.Properties["Topics"]) == `[{"Ref":"`+criticalTopic+`"}]` {
			topicPolicy = pids[i]
		}
	}
	kids, _ := tpl.OfType("AWS::KMS::Key")
	for _, id := range kids {
		if strings.HasPrefix(id, "Monitoring") {
			topicKeyID = id
		}
		if strings.HasPrefix(id, "InvocationLogging") {
			logKeyID = id
		}
	}
	tp := resolved(t, tpl, "critical topic policy", tpl.Resources[topicPolicy].Properties["PolicyDocument"])
	tk := resolved(t, tpl, "topic key policy", tpl.Resources[topicKeyID].Properties["KeyPolicy"])
	lk := resolved(t, tpl, "environment key policy", tpl.Resources[logKeyID].Properties["KeyPolicy"])
	topicArn, topicKeyArn, logKeyArn := vals[criticalTopic], vals[topicKeyID+".Arn"], vals[logKeyID+".Arn"]

	fnID, fn := oneWithPrefix(t, tpl, "AWS::Lambda::Function", "Compliance")
	_ = fnID
	roleID := fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	var rolePolicies []any
	for _, p := range tpl.Resources[roleID].Properties["Policies"].([]any) {
		rolePolicies = append(rolePolicies, resolved(t, tpl, "compliance role policy", p.(map[string]any)["PolicyDocument"]))
	}
	ruleRole := vals[roleID+".Arn"]
	ruleCtx := map[string]any{"aws:PrincipalArn": ruleRole, "aws:PrincipalAccount": simAcct}
	ownStream := "arn:aws:logs:us-east-1:" + simAcct + ":log-group:/aws/lambda/bedrockgov-invocation-logging-rule:log-stream:2026/11/23/abc"

	_, eps := tpl.OfType("AWS::EC2::VPCEndpoint")
	ep := iamsim.Named{Name: "bedrock-runtime endpoint policy", Policy: eps[0].Properties["PolicyDocument"]}
	model := "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	app := "arn:aws:iam::" + simAcct + ":role/app"
	member := "arn:aws:iam::555555555555:role/app"
	outsider := "arn:aws:iam::444444444444:role/app"

	budgets := func(acct string) map[string]any {
		return map[string]any{"aws:SourceAccount": acct, "aws:SourceArn": "arn:aws:budgets::" + acct + ":budget/bedrockgov-prod-bedrock-monthly"}
	}
	iamsim.Simulate(t, []iamsim.Request{
		// Budget alerts.
		{Scenario: "AWS Budgets publishes this account's budget alert", Principal: "budgets.amazonaws.com", Action: "sns:Publish",
			Resource: topicArn, ResourceAccount: simAcct, Context: budgets(simAcct), ResourcePolicy: tp,
			Want: iamsim.Allowed, Why: "AllowBudgetsToPublish for this account's budgets"},
		{Scenario: "AWS Budgets on behalf of another account", Principal: "budgets.amazonaws.com", Action: "sns:Publish",
			Resource: topicArn, ResourceAccount: simAcct, Context: budgets("444444444444"), ResourcePolicy: tp,
			Want: iamsim.ImplicitlyDenied, Why: "aws:SourceAccount and aws:SourceArn pin the grant to this account (confused deputy)"},
		{Scenario: "AWS Budgets encrypts its alert with the topic key", Principal: "budgets.amazonaws.com", Action: "kms:GenerateDataKey",
			Resource: topicKeyArn, ResourceAccount: simAcct, Context: budgets(simAcct), ResourcePolicy: tk,
			Want: iamsim.Allowed, Why: "AllowBudgetsToPublishToEncryptedTopics"},
		{Scenario: "AWS Budgets for another account uses the topic key", Principal: "budgets.amazonaws.com", Action: "kms:Decrypt",
			Resource: topicKeyArn, ResourceAccount: simAcct, Context: budgets("444444444444"), ResourcePolicy: tk,
			Want: iamsim.ImplicitlyDenied, Why: "same source conditions on the key"},
		// The environment's key, used by the guardrail.
		{Scenario: "an application applies the encrypted guardrail through Bedrock", Principal: app, Action: "kms:Decrypt",
			Resource: logKeyArn, Context: map[string]any{"aws:PrincipalArn": app, "kms:ViaService": "bedrock.us-east-1.amazonaws.com", "kms:CallerAccount": simAcct},
			ResourcePolicy: lk, Want: iamsim.Allowed, Why: "AllowBedrockGuardrailsUseInThisAccount: this account's principals, through Bedrock in this region"},
		{Scenario: "an application decrypts with the key directly", Principal: app, Action: "kms:Decrypt",
			Resource: logKeyArn, Context: map[string]any{"aws:PrincipalArn": app, "kms:CallerAccount": simAcct},
			ResourcePolicy: lk, Want: iamsim.ImplicitlyDenied, Why: "outside Bedrock the key needs an IAM grant the application does not have"},
		{Scenario: "another account through Bedrock", Principal: outsider, Action: "kms:Decrypt",
			Resource: logKeyArn, ResourceAccount: simAcct, Context: map[string]any{"aws:PrincipalArn": outsider, "kms:ViaService": "bedrock.us-east-1.amazonaws.com", "kms:CallerAccount": "444444444444"},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: lk, Want: iamsim.ImplicitlyDenied, Why: "kms:CallerAccount must be this account"},
		{Scenario: "Bedrock creates the guardrail's grant for the deploying principal", Principal: app, Action: "kms:CreateGrant",
			Resource: logKeyArn, Context: map[string]any{"aws:PrincipalArn": app, "kms:ViaService": "bedrock.us-east-1.amazonaws.com", "kms:CallerAccount": simAcct, "kms:GrantIsForAWSResource": "true"},
			ResourcePolicy: lk, Want: iamsim.Allowed, Why: "AllowBedrockGuardrailsGrantsInThisAccount, for AWS resources only"},
		{Scenario: "a grant through Bedrock that is not for an AWS resource", Principal: app, Action: "kms:CreateGrant",
			Resource: logKeyArn, Context: map[string]any{"aws:PrincipalArn": app, "kms:ViaService": "bedrock.us-east-1.amazonaws.com", "kms:CallerAccount": simAcct, "kms:GrantIsForAWSResource": "false"},
			ResourcePolicy: lk, Want: iamsim.ExplicitlyDenied, Why: "the key denies grants that are not for AWS resources"},
		// The compliance rule's role.
		{Scenario: "the rule reads the logging configuration", Principal: ruleRole, Action: "bedrock:GetModelInvocationLoggingConfiguration",
			Resource: "*", Context: ruleCtx, IdentityPolicies: rolePolicies, Want: iamsim.Allowed, Why: "ReadInvocationLoggingConfiguration"},
		{Scenario: "the rule reports its evaluation", Principal: ruleRole, Action: "config:PutEvaluations",
			Resource: "*", Context: ruleCtx, IdentityPolicies: rolePolicies, Want: iamsim.Allowed, Why: "ReportEvaluations"},
		{Scenario: "the rule cannot change the logging configuration", Principal: ruleRole, Action: "bedrock:PutModelInvocationLoggingConfiguration",
			Resource: "*", Context: ruleCtx, IdentityPolicies: rolePolicies, Want: iamsim.ImplicitlyDenied, Why: "read-only: nothing grants Put"},
		{Scenario: "the rule cannot delete the logging configuration", Principal: ruleRole, Action: "bedrock:DeleteModelInvocationLoggingConfiguration",
			Resource: "*", Context: ruleCtx, IdentityPolicies: rolePolicies, Want: iamsim.ImplicitlyDenied, Why: "read-only: nothing grants Delete"},
		{Scenario: "the rule writes its own logs", Principal: ruleRole, Action: "logs:PutLogEvents",
			Resource: ownStream, Context: ruleCtx, IdentityPolicies: rolePolicies, Want: iamsim.Allowed, Why: "WriteOwnLogs"},
		{Scenario: "the rule cannot write into the invocation log group", Principal: ruleRole, Action: "logs:PutLogEvents",
			Resource: "arn:aws:logs:us-east-1:" + simAcct + ":log-group:/aws/bedrock/modelinvocations:log-stream:aws/bedrock/modelinvocations",
			Context:  ruleCtx, IdentityPolicies: rolePolicies, Want: iamsim.ImplicitlyDenied, Why: "WriteOwnLogs names its own log group only (no forged invocation records)"},
		// The VPC endpoint policy, evaluated as a policy with a Principal element next to the
		// caller's own allow-everything policy: a call through the endpoint needs both.
		{Scenario: "an application of this account invokes a model through the endpoint", Principal: app, Action: "bedrock:InvokeModel",
			Resource: model, ResourceAccount: simAcct, Context: map[string]any{"aws:PrincipalArn": app, "aws:PrincipalOrgID": "o-exampleorg1", "aws:PrincipalAccount": simAcct},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: ep, Want: iamsim.Allowed, Why: "AllowOrganizationPrincipalsOnly"},
		{Scenario: "another account of the organization invokes through the endpoint", Principal: member, Action: "bedrock:InvokeModel",
			Resource: model, ResourceAccount: simAcct, Context: map[string]any{"aws:PrincipalArn": member, "aws:PrincipalOrgID": "o-exampleorg1", "aws:PrincipalAccount": "555555555555"},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: ep, Want: iamsim.Allowed, Why: "the organization's principals are admitted"},
		{Scenario: "a principal outside the organization uses the endpoint", Principal: outsider, Action: "bedrock:InvokeModel",
			Resource: model, ResourceAccount: simAcct, Context: map[string]any{"aws:PrincipalArn": outsider, "aws:PrincipalOrgID": "o-otherorg000", "aws:PrincipalAccount": "444444444444"},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: ep, Want: iamsim.ImplicitlyDenied, Why: "aws:PrincipalOrgID must be the organization's"},
		{Scenario: "a principal of no organization uses the endpoint", Principal: outsider, Action: "bedrock:InvokeModelWithResponseStream",
			Resource: model, ResourceAccount: simAcct, Context: map[string]any{"aws:PrincipalArn": outsider, "aws:PrincipalAccount": "444444444444"},
			IdentityPolicies: []any{allowAll}, ResourcePolicy: ep, Want: iamsim.ImplicitlyDenied, Why: "no aws:PrincipalOrgID, no match"},
	})
	// Every action and condition key the additions name exists in the IAM reference.
	iamsim.CheckIAMReference(t, tp, tk, lk, ep, rolePolicies[0])
}
