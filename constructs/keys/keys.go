// Package keys holds the key-policy hardening every customer-managed KMS key of bedrockgov
// carries.
package keys

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
)

// DenyGrantsSid is the statement ID of the grant restriction.
const DenyGrantsSid = "DenyGrantsExceptForAWSResources"

// DenyGrantsExceptForAWSResources adds the key-policy statement AWS Control Tower's control
// ct-kms-pr-3 asks for: kms:CreateGrant is denied to every principal unless an AWS service
// integrated with KMS creates the grant on the caller's behalf (kms:GrantIsForAWSResource is
// true), so no one can hand out lasting access to the key outside its policy.
func DenyGrantsExceptForAWSResources(key awskms.Key) {
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(DenyGrantsSid),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"BoolIfExists": map[string]any{"kms:GrantIsForAWSResource": "false"}},
	}), jsii.Bool(false))
}
