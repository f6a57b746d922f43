package stacks

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/orgpolicies"
	"github.com/bedrockgov/bedrockgov/constructs/spendanomaly"
	"github.com/bedrockgov/bedrockgov/constructs/stacksets"
)

// OrgStackProps configures the management-account stack.
type OrgStackProps struct {
	// StackProps must name the management account and the organization's home region.
	awscdk.StackProps
	// SCPs are the service control policies. Default: none.
	SCPs *orgpolicies.ServiceControlPoliciesProps
	// Guardrail is the organization's enforced guardrail in the home region. Default: none.
	Guardrail *orgpolicies.OrganizationGuardrailProps
	// StackSets roll the member baseline out, one per environment profile. Default: none.
	StackSets []*stacksets.MemberStackSetProps
	// SpendAnomaly is the Cost Anomaly Detection monitor. Default: none.
	SpendAnomaly *spendanomaly.SpendAnomalyProps
	// Tags are applied to every resource in the stack.
	Tags map[string]string
}

// OrgStack is the organization's management-account stack (BedrockOrg).
type OrgStack struct {
	awscdk.Stack
	SCPs         orgpolicies.ServiceControlPolicies
	Guardrail    orgpolicies.OrganizationGuardrail
	StackSets    []stacksets.MemberStackSet
	SpendAnomaly spendanomaly.SpendAnomaly
}

// NewOrgStack creates the management-account stack: service control policies, the Bedrock
// policy enforcing the organization's guardrail in the home region, the StackSets that roll the
// member baseline out to organizational units, and the spend-anomaly monitor. It uses the
// default synthesizer: the StackSet templates are file assets, so the management account needs
// `cdk bootstrap` in the home region.
func NewOrgStack(scope constructs.Construct, id string, props *OrgStackProps) *OrgStack {
	if props == nil {
		props = &OrgStackProps{}
	}
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("bedrockgov organization (management account): service control policies, the Bedrock policy enforcing the organization guardrail, StackSets rolling out the member baseline, spend anomaly detection")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	out := &OrgStack{Stack: stack}
	if props.SCPs != nil {
		out.SCPs = orgpolicies.NewServiceControlPolicies(stack, "ServiceControlPolicies", props.SCPs)
	}
	if props.Guardrail != nil {
		out.Guardrail = orgpolicies.NewOrganizationGuardrail(stack, "OrganizationGuardrail", props.Guardrail)
	}
	if len(props.StackSets) > 0 {
		sets := constructs.NewConstruct(stack, jsii.String("StackSets"))
		for _, s := range props.StackSets {
			out.StackSets = append(out.StackSets, stacksets.NewMemberStackSet(sets, s.Profile, s))
		}
	}
	if props.SpendAnomaly != nil {
		out.SpendAnomaly = spendanomaly.NewSpendAnomaly(stack, "SpendAnomaly", props.SpendAnomaly)
	}
	applyTags(stack, props.Tags)
	return out
}

// OrgGuardrailStackProps configures the organization guardrail of a region other than the home
// region (stack BedrockOrgGuardrail-<region> in the management account).
type OrgGuardrailStackProps struct {
	awscdk.StackProps
	Guardrail *orgpolicies.OrganizationGuardrailProps
	Tags      map[string]string
}

// NewOrgGuardrailStack creates one region's organization guardrail and its Bedrock policy.
// Organizations merges the per-region Bedrock policies attached to a target into one effective
// policy, so each region's guardrail lives in a stack of that region.
func NewOrgGuardrailStack(scope constructs.Construct, id string, props *OrgGuardrailStackProps) awscdk.Stack {
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("bedrockgov organization guardrail (management account): a versioned guardrail the organization may apply and the Bedrock policy enforcing it in this region")
	}
	if sp.Synthesizer == nil {
		sp.Synthesizer = awscdk.NewCliCredentialsStackSynthesizer(nil)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	orgpolicies.NewOrganizationGuardrail(stack, "OrganizationGuardrail", props.Guardrail)
	applyTags(stack, props.Tags)
	return stack
}

func applyTags(stack awscdk.Stack, tags map[string]string) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		awscdk.Tags_Of(stack).Add(jsii.String(k), jsii.String(tags[k]), nil)
	}
}
