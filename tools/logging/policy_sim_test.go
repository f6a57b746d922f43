package main

import (
	"testing"

	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
)

// The printed policies are proven by simulating requests with
// @cloud-copilot/iam-simulate: --read-only lets status read and nothing more,
// the full policy lets enable and disable write.
func TestPoliciesBySimulation(t *testing.T) {
	const principal = "arn:aws:iam::111111111111:role/BedrockOps"
	readOnly := iamsim.Named{Name: "policy --read-only", Policy: buildPolicy(scopeAll, defaultRoleName, true)}
	full := iamsim.Named{Name: "policy", Policy: buildPolicy(scopeAll, defaultRoleName, false)}
	iamsim.CheckIAMReference(t, readOnly.Policy, full.Policy)
	param := "arn:aws:ssm:us-east-1:111111111111:parameter/bedrockgov/invocation-logging/bucket-name"
	req := func(scenario string, p iamsim.Named, action, resource string, want iamsim.Decision, why string) iamsim.Request {
		return iamsim.Request{Scenario: scenario, Principal: principal, Action: action, Resource: resource,
			IdentityPolicies: []any{p}, Want: want, Why: why}
	}
	// the member role trusts the caller's account; cross-account, the caller's own policy
	// must allow the call too
	trust := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}}}
	assume := func(scenario, role string, want iamsim.Decision, why string) iamsim.Request {
		r := req(scenario, readOnly, "sts:AssumeRole", "arn:aws:iam::222222222222:role/"+role, want, why)
		r.ResourcePolicy = trust
		return r
	}
	iamsim.Simulate(t, []iamsim.Request{
		req("status reads the configuration", readOnly, "bedrock:GetModelInvocationLoggingConfiguration", "*", iamsim.Allowed, "ReadInvocationLoggingConfiguration"),
		req("status reads the baseline parameters", readOnly, "ssm:GetParameters", param, iamsim.Allowed, "ReadBaselineParameters, scoped to /bedrockgov/invocation-logging/*"),
		req("status reads another parameter", readOnly, "ssm:GetParameters", "arn:aws:ssm:us-east-1:111111111111:parameter/app/secret", iamsim.ImplicitlyDenied, "the parameter statement names only the baseline's path"),
		req("the read-only policy cannot put a configuration", readOnly, "bedrock:PutModelInvocationLoggingConfiguration", "*", iamsim.ImplicitlyDenied, "no statement grants Put"),
		req("the read-only policy cannot delete a configuration", readOnly, "bedrock:DeleteModelInvocationLoggingConfiguration", "*", iamsim.ImplicitlyDenied, "no statement grants Delete"),
		req("the read-only policy does not check buckets", readOnly, "s3:ListBucket", "arn:aws:s3:::bedrock-logs-111111111111-us-east-1", iamsim.ImplicitlyDenied, "bucket checks are enable's"),
		assume("status reaches a member account", defaultRoleName, iamsim.Allowed, "AssumeTheMemberRole and the role's trust policy"),
		assume("status cannot assume another role", "Admin", iamsim.ImplicitlyDenied, "the caller's policy names only --role-name"),
		req("enable puts a configuration", full, "bedrock:PutModelInvocationLoggingConfiguration", "*", iamsim.Allowed, "ManageInvocationLoggingConfiguration"),
		req("disable deletes a configuration", full, "bedrock:DeleteModelInvocationLoggingConfiguration", "*", iamsim.Allowed, "ManageInvocationLoggingConfiguration"),
		req("enable checks a bucket", full, "s3:ListBucket", "arn:aws:s3:::bedrock-logs-111111111111-us-east-1", iamsim.Allowed, "CheckDestinationBuckets"),
	})
}
