// Package endpoints provides interface VPC endpoints for Amazon Bedrock (bedrock-runtime for
// inference, bedrock for the control plane) with private DNS, in a VPC given by ID (no
// lookups), and an endpoint policy that admits only principals of the organization.
package endpoints

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Services are the Bedrock endpoint services this construct creates endpoints for.
var Services = []string{"bedrock-runtime", "bedrock"}

var orgIDRe = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// EndpointsProps configures Endpoints.
type EndpointsProps struct {
	// VpcID of the VPC. Required.
	VpcID string
	// SubnetIDs the endpoint interfaces go in (one per Availability Zone). Required.
	SubnetIDs []string
	// SecurityGroupIDs of the endpoint interfaces (they must admit HTTPS from the clients). Required.
	SecurityGroupIDs []string
	// OrganizationID ("o-..."): the endpoint policy admits only principals of this
	// organization. Required.
	OrganizationID string
	// Services to create endpoints for. Default: Services (bedrock-runtime and bedrock).
	Services []string
	// Region the endpoints belong to. In an environment-agnostic stack the resources carry a
	// condition on AWS::Region so the template creates them only there (required then); in a
	// stack with a region it must be that region. Default: the stack's region.
	Region *string
}

// Endpoints are the Bedrock interface endpoints.
type Endpoints interface {
	constructs.IConstruct
	// Endpoints by service name.
	Endpoints() map[string]awsec2.CfnVPCEndpoint
	// Policy is the endpoint policy document shared by every endpoint.
	Policy() map[string]any
	// Condition restricts the endpoints to their region in an environment-agnostic stack; nil
	// otherwise.
	Condition() awscdk.CfnCondition
}

type endpoints struct {
	constructs.Construct
	eps    map[string]awsec2.CfnVPCEndpoint
	policy map[string]any
	cond   awscdk.CfnCondition
}

func (e *endpoints) Endpoints() map[string]awsec2.CfnVPCEndpoint { return e.eps }
func (e *endpoints) Policy() map[string]any                      { return e.policy }
func (e *endpoints) Condition() awscdk.CfnCondition              { return e.cond }

// PolicyDocument is the endpoint policy: every Bedrock action, by principals of the
// organization only. Endpoint policies only narrow what callers' own policies allow.
func PolicyDocument(orgID string) map[string]any {
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "AllowOrganizationPrincipalsOnly",
			"Effect":    "Allow",
			"Principal": "*",
			"Action":    "bedrock:*",
			"Resource":  "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": orgID}},
		}},
	}
}

// NewEndpoints creates one interface endpoint per service with private DNS and the
// organization-only policy.
func NewEndpoints(scope constructs.Construct, id string, props *EndpointsProps) Endpoints {
	if props == nil {
		props = &EndpointsProps{}
	}
	if props.VpcID == "" || len(props.SubnetIDs) == 0 || len(props.SecurityGroupIDs) == 0 {
		panic("endpoints: VpcID, SubnetIDs and SecurityGroupIDs are required")
	}
	if !orgIDRe.MatchString(props.OrganizationID) {
		panic(fmt.Sprintf("endpoints: OrganizationID %q is not an AWS Organizations ID (o-...)", props.OrganizationID))
	}
	services := props.Services
	if len(services) == 0 {
		services = Services
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	out := &endpoints{Construct: c, eps: map[string]awsec2.CfnVPCEndpoint{}, policy: PolicyDocument(props.OrganizationID)}
	stackRegion := *stack.Region()
	agnostic := *awscdk.Token_IsUnresolved(jsii.String(stackRegion))
	region := stackRegion
	switch {
	case agnostic && props.Region == nil:
		panic("endpoints: Region is required when the stack's region is not known at synth time")
	case agnostic:
		// An environment-agnostic template (a StackSet's) creates the endpoints only in the
		// VPC's region.
		region = *props.Region
		out.cond = awscdk.NewCfnCondition(c, jsii.String("InEndpointRegion"), &awscdk.CfnConditionProps{
			Expression: awscdk.Fn_ConditionEquals(awscdk.Aws_REGION(), jsii.String(region)),
		})
	case props.Region != nil && *props.Region != stackRegion:
		panic(fmt.Sprintf("endpoints: Region %q differs from the stack's region %q; a VPC and its endpoints live in one region", *props.Region, stackRegion))
	}
	seen := map[string]bool{}
	for _, svc := range services {
		known := false
		for _, s := range Services {
			known = known || s == svc
		}
		if !known || seen[svc] {
			panic(fmt.Sprintf("endpoints: service %q is unknown or repeated (use %v)", svc, Services))
		}
		seen[svc] = true
		ep := awsec2.NewCfnVPCEndpoint(c, jsii.String(svc), &awsec2.CfnVPCEndpointProps{
			VpcId:             jsii.String(props.VpcID),
			ServiceName:       jsii.String(fmt.Sprintf("com.amazonaws.%s.%s", region, svc)),
			VpcEndpointType:   jsii.String("Interface"),
			PrivateDnsEnabled: jsii.Bool(true),
			SubnetIds:         anys(props.SubnetIDs),
			SecurityGroupIds:  anys(props.SecurityGroupIDs),
			PolicyDocument:    out.policy,
		})
		if out.cond != nil {
			ep.CfnOptions().SetCondition(out.cond)
		}
		out.eps[svc] = ep
	}
	return out
}

func anys(ss []string) *[]interface{} {
	out := make([]interface{}, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return &out
}
