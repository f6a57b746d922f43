// Package orgpolicies holds the AWS Organizations policies bedrockgov deploys from the
// management account: service control policies that protect invocation logging and restrict
// Bedrock to approved models, regions and credentials (merged into as few policies as the
// 5,120-character limit allows), and the organization's Bedrock policy (BEDROCK_POLICY) that
// enforces a guardrail in every targeted account.
package orgpolicies

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// ServiceControlPoliciesProps configures the service control policies.
type ServiceControlPoliciesProps struct {
	// SCPOptions selects the statements. Default: the zero value (logging protected, long-term
	// API keys denied, no model or region restriction).
	SCPOptions
	// TargetIds are the root ("r-..."), OU ("ou-...") or account IDs every policy is attached
	// to. Default: none (the policies are created unattached).
	TargetIds []string
	// NamePrefix starts each policy's name ("<prefix>-1", "<prefix>-2"...). Default:
	// "bedrockgov-bedrock-guardrails".
	NamePrefix *string
	// MaxSize is the size limit each policy is packed to, in characters. Default and maximum:
	// MaxSCPSize.
	MaxSize int
	// MaxPolicies is how many of these policies a target may receive. Default:
	// MaxSCPsPerTarget - 1 (FullAWSAccess takes one slot); lower it to leave room for your own.
	MaxPolicies int
}

// ServiceControlPolicies is the set of merged SCPs.
type ServiceControlPolicies interface {
	constructs.Construct
	// Policies are the AWS::Organizations::Policy resources, in order.
	Policies() []awsorganizations.CfnPolicy
	// Documents are their policy documents, in the same order.
	Documents() []Document
	// Names are their names, in the same order.
	Names() []string
}

type serviceControlPolicies struct {
	constructs.Construct
	policies []awsorganizations.CfnPolicy
	docs     []Document
	names    []string
}

func (s *serviceControlPolicies) Policies() []awsorganizations.CfnPolicy { return s.policies }
func (s *serviceControlPolicies) Documents() []Document                  { return s.docs }
func (s *serviceControlPolicies) Names() []string                        { return s.names }

// DefaultSCPNamePrefix starts the SCP names when NamePrefix is not set.
const DefaultSCPNamePrefix = "bedrockgov-bedrock-guardrails"

var targetRe = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|[0-9]{12})$`)

// ValidateTargets reports every target that is not a root, OU or account ID.
func ValidateTargets(targets []string) error {
	var bad []string
	seen := map[string]bool{}
	for _, t := range targets {
		switch {
		case !targetRe.MatchString(t):
			bad = append(bad, fmt.Sprintf("%q is not a root (r-xxxx), OU (ou-xxxx-xxxxxxxx) or 12-digit account ID", t))
		case seen[t]:
			bad = append(bad, fmt.Sprintf("%q is listed twice", t))
		}
		seen[t] = true
	}
	if len(bad) > 0 {
		return fmt.Errorf("policy targets: %s", strings.Join(bad, "; "))
	}
	return nil
}

// NewServiceControlPolicies builds the statements the options select, packs them into as few
// policies as fit the size limit and attaches each to the targets. It panics, naming the
// policy or statement, when a policy would exceed the limit or more policies are needed than a
// target can hold, so `cdk synth` fails before anything is deployed.
func NewServiceControlPolicies(scope constructs.Construct, id string, props *ServiceControlPoliciesProps) ServiceControlPolicies {
	if props == nil {
		props = &ServiceControlPoliciesProps{}
	}
	if err := props.SCPOptions.Validate(); err != nil {
		panic(err)
	}
	if err := ValidateTargets(props.TargetIds); err != nil {
		panic(err)
	}
	max := props.MaxSize
	if max <= 0 || max > MaxSCPSize {
		max = MaxSCPSize
	}
	maxPolicies := props.MaxPolicies
	if maxPolicies <= 0 || maxPolicies > MaxSCPsPerTarget-1 {
		maxPolicies = MaxSCPsPerTarget - 1
	}
	prefix := DefaultSCPNamePrefix
	if props.NamePrefix != nil {
		prefix = *props.NamePrefix
	}
	docs, err := Pack(Statements(props.SCPOptions), max)
	if err != nil {
		panic(fmt.Errorf("service control policy %s: %w", prefix, err))
	}
	if len(docs) > maxPolicies {
		panic(fmt.Errorf("service control policies %s: the statements need %d policies of at most %d characters, but a target can take only %d more besides FullAWSAccess and your own; approve fewer models, regions or exempt roles", prefix, len(docs), max, maxPolicies))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	s := &serviceControlPolicies{Construct: c}
	for i, d := range docs {
		name := fmt.Sprintf("%s-%d", prefix, i+1)
		if size := d.Size(); size > max {
			panic(fmt.Errorf("service control policy %s is %d characters, over the %d-character limit", name, size, max))
		}
		var sids []string
		for _, st := range d.Statement {
			sids = append(sids, st.Sid)
		}
		p := awsorganizations.NewCfnPolicy(c, jsii.String(fmt.Sprintf("Policy%d", i+1)), &awsorganizations.CfnPolicyProps{
			Name:        jsii.String(name),
			Type:        jsii.String("SERVICE_CONTROL_POLICY"),
			Description: jsii.String(truncate("bedrockgov: "+strings.Join(sids, ", "), 512)),
			Content:     d.Map(),
			TargetIds:   jsii.Strings(props.TargetIds...),
		})
		// A policy is configuration, not data: replacing or deleting it loses nothing.
		p.ApplyRemovalPolicy(awscdk.RemovalPolicy_DESTROY, nil)
		s.policies = append(s.policies, p)
		s.docs = append(s.docs, d)
		s.names = append(s.names, name)
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
