package main

import (
	"encoding/json"
	"fmt"
	"sort"
)

// operationActions maps every operation the tool calls through its client
// interfaces (clients.go), as "<iam-service>:<Method>", to the IAM actions
// it needs. TestPolicyMatchesInterfaces keeps this, the interfaces and the
// printed policy in step.
var operationActions = map[string][]string{
	// The IAM service authorization reference lists no resource types and no
	// dependent actions (such as iam:PassRole) for the three logging
	// operations.
	"bedrock:GetModelInvocationLoggingConfiguration":    {"bedrock:GetModelInvocationLoggingConfiguration"},
	"bedrock:PutModelInvocationLoggingConfiguration":    {"bedrock:PutModelInvocationLoggingConfiguration"},
	"bedrock:DeleteModelInvocationLoggingConfiguration": {"bedrock:DeleteModelInvocationLoggingConfiguration"},
	"ssm:GetParameters":                              {"ssm:GetParameters"},
	"s3:HeadBucket":                                  {"s3:ListBucket"}, // HeadBucket is authorized as s3:ListBucket
	"s3:GetBucketLocation":                           {"s3:GetBucketLocation"},
	"logs:DescribeLogGroups":                         {"logs:DescribeLogGroups"},
	"sts:GetCallerIdentity":                          {}, // needs no permission
	"sts:AssumeRole":                                 {"sts:AssumeRole"},
	"organizations:ListAccounts":                     {"organizations:ListAccounts"},
	"organizations:ListAccountsForParent":            {"organizations:ListAccountsForParent"},
	"organizations:ListOrganizationalUnitsForParent": {"organizations:ListOrganizationalUnitsForParent"},
}

// apiServiceToIAM maps the SDK's service IDs (as in smithy.OperationError)
// to IAM service prefixes.
var apiServiceToIAM = map[string]string{
	"Bedrock":         "bedrock",
	"SSM":             "ssm",
	"S3":              "s3",
	"CloudWatch Logs": "logs",
	"STS":             "sts",
	"Organizations":   "organizations",
}

type policyDoc struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  any                          `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Policy scopes: the caller runs the tool; the target role is what the tool
// uses in each account (the caller's own credentials in its own account).
const (
	scopeCaller = "caller"
	scopeTarget = "target"
	scopeAll    = "all"
)

// buildPolicy returns the least-privilege policy for the given scope.
// roleName is the role assumed in member accounts. readOnly keeps what
// status needs: it reads the configuration and the baseline's parameters,
// and changes nothing.
func buildPolicy(scope, roleName string, readOnly bool) policyDoc {
	var caller, tgt []statement
	caller = append(caller,
		statement{
			Sid:      "AssumeTheMemberRole",
			Effect:   "Allow",
			Action:   []string{"sts:AssumeRole"},
			Resource: "arn:aws:iam::*:role/" + roleName,
		},
		statement{
			Sid:    "ListOrganizationAccounts",
			Effect: "Allow",
			Action: []string{"organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"},
			// ListAccounts has no resource type; the two parent-scoped
			// operations could be narrowed to the organization's root and
			// OU ARNs, which the tool cannot know in advance.
			Resource: "*",
		},
	)
	tgt = append(tgt,
		statement{
			Sid:    "ManageInvocationLoggingConfiguration",
			Effect: "Allow",
			Action: []string{
				"bedrock:GetModelInvocationLoggingConfiguration",
				"bedrock:PutModelInvocationLoggingConfiguration",
				"bedrock:DeleteModelInvocationLoggingConfiguration",
			},
			// These operations have no resource type: only "*" works.
			Resource: "*",
		},
		statement{
			Sid:      "ReadBaselineParameters",
			Effect:   "Allow",
			Action:   []string{"ssm:GetParameters"},
			Resource: "arn:aws:ssm:*:*:parameter/bedrockgov/invocation-logging/*",
		},
		statement{
			Sid:      "CheckDestinationBuckets",
			Effect:   "Allow",
			Action:   []string{"s3:ListBucket", "s3:GetBucketLocation"},
			Resource: "arn:aws:s3:::*",
		},
		statement{
			Sid:      "CheckDestinationLogGroups",
			Effect:   "Allow",
			Action:   []string{"logs:DescribeLogGroups"},
			Resource: "*",
		},
	)
	if readOnly {
		tgt = []statement{
			{Sid: "ReadInvocationLoggingConfiguration", Effect: "Allow", Action: []string{"bedrock:GetModelInvocationLoggingConfiguration"}, Resource: "*"},
			tgt[1], // ReadBaselineParameters
		}
	}
	doc := policyDoc{Version: "2012-10-17"}
	switch scope {
	case scopeCaller:
		doc.Statement = caller
	case scopeTarget:
		doc.Statement = tgt
	default:
		doc.Statement = append(tgt, caller...)
	}
	return doc
}

func renderPolicy(scope, roleName string, readOnly bool) (string, error) {
	b, err := json.MarshalIndent(buildPolicy(scope, roleName, readOnly), "", "  ")
	if err != nil {
		return "", fmt.Errorf("rendering the policy: %w", err)
	}
	return string(b), nil
}

// policyActions lists every action in a policy document, sorted.
func policyActions(d policyDoc) []string {
	seen := map[string]bool{}
	for _, s := range d.Statement {
		for _, a := range s.Action {
			seen[a] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}
