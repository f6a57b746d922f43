// Package stacksets rolls a synthesized member template out to organizational units with an
// AWS CloudFormation StackSet (service-managed permissions, automatic deployment to accounts
// that join the OUs). The template is published as a file asset and referenced by TemplateURL:
// the member baseline is larger than the 51,200 bytes TemplateBody accepts.
package stacksets

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudformation"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Limits CloudFormation enforces on what a StackSet references.
const (
	// MaxTemplateURLBytes is the largest template a TemplateURL may point at.
	MaxTemplateURLBytes = 1_000_000
	// MaxTemplateBodyBytes is the largest inline TemplateBody.
	MaxTemplateBodyBytes = 51_200
	// MaxOUsPerOperation is how many OUs one stack-instance operation may target.
	MaxOUsPerOperation = 50
	// MaxTemplateResources is how many resources one template may declare.
	MaxTemplateResources = 500
)

// MemberStackSetProps configures one StackSet (one environment profile).
type MemberStackSetProps struct {
	// Profile names the environment profile ("prod"); the construct ID and the default
	// StackSet name derive from it. Required.
	Profile string
	// TemplateFile is the path of the synthesized member template. Required.
	TemplateFile string
	// StackSetName. Default: "bedrockgov-member-<profile>".
	StackSetName *string
	// OrganizationalUnitIds the baseline is deployed to (every account in them, and every
	// account that joins them later). Required, at most MaxOUsPerOperation.
	OrganizationalUnitIds []string
	// Regions the baseline is deployed to in each account. Required.
	Regions []string
	// FailureTolerancePercentage of accounts per region that may fail before the operation
	// stops in that region. Default: 10.
	FailureTolerancePercentage *float64
	// MaxConcurrentPercentage of accounts per region deployed at once. Default: 25.
	MaxConcurrentPercentage *float64
	// RegionConcurrency: "SEQUENTIAL" or "PARALLEL". Default: "PARALLEL".
	RegionConcurrency *string
	// ConcurrencyMode: "STRICT_FAILURE_TOLERANCE" or "SOFT_FAILURE_TOLERANCE". Default:
	// "SOFT_FAILURE_TOLERANCE" (keeps the concurrency when a few accounts fail).
	ConcurrencyMode *string
	// CallAs: "SELF" (management account) or "DELEGATED_ADMIN". Default: "SELF".
	CallAs *string
	// Description of the StackSet. Default: a sentence naming the profile.
	Description *string
}

// MemberStackSet is the StackSet and its template asset.
type MemberStackSet interface {
	constructs.Construct
	StackSet() awscloudformation.CfnStackSet
	Template() awss3assets.Asset
	// TemplateBytes is the size of the template the StackSet deploys.
	TemplateBytes() int
}

type memberStackSet struct {
	constructs.Construct
	set      awscloudformation.CfnStackSet
	template awss3assets.Asset
	size     int
}

func (m *memberStackSet) StackSet() awscloudformation.CfnStackSet { return m.set }
func (m *memberStackSet) Template() awss3assets.Asset             { return m.template }
func (m *memberStackSet) TemplateBytes() int                      { return m.size }

var (
	ouRe      = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$|^r-[0-9a-z]{4,32}$`)
	profileRe = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
)

// NewMemberStackSet publishes the template and creates the StackSet. It panics naming the
// profile when the template is missing, too large for TemplateURL or holds more resources than
// CloudFormation accepts, or when an option is out of range.
func NewMemberStackSet(scope constructs.Construct, id string, props *MemberStackSetProps) MemberStackSet {
	if props == nil {
		props = &MemberStackSetProps{}
	}
	var bad []string
	if !profileRe.MatchString(props.Profile) {
		bad = append(bad, fmt.Sprintf("profile %q must be lower-case letters, digits and hyphens", props.Profile))
	}
	if len(props.OrganizationalUnitIds) == 0 || len(props.OrganizationalUnitIds) > MaxOUsPerOperation {
		bad = append(bad, fmt.Sprintf("%d organizational units; give 1 to %d (one stack-instance operation targets at most %d; target a parent OU instead)", len(props.OrganizationalUnitIds), MaxOUsPerOperation, MaxOUsPerOperation))
	}
	for _, ou := range props.OrganizationalUnitIds {
		if !ouRe.MatchString(ou) {
			bad = append(bad, fmt.Sprintf("%q is not an OU (ou-xxxx-xxxxxxxx) or root (r-xxxx) ID", ou))
		}
	}
	if len(props.Regions) == 0 {
		bad = append(bad, "no regions")
	}
	for _, p := range []struct {
		name string
		v    *float64
	}{{"FailureTolerancePercentage", props.FailureTolerancePercentage}, {"MaxConcurrentPercentage", props.MaxConcurrentPercentage}} {
		if p.v != nil && (*p.v < 0 || *p.v > 100) {
			bad = append(bad, fmt.Sprintf("%s %v is not 0 to 100", p.name, *p.v))
		}
	}
	if props.MaxConcurrentPercentage != nil && *props.MaxConcurrentPercentage < 1 {
		bad = append(bad, "MaxConcurrentPercentage must be at least 1")
	}
	size, resources := 0, 0
	data, err := os.ReadFile(props.TemplateFile)
	if err != nil {
		bad = append(bad, fmt.Sprintf("template: %v", err))
	} else {
		size = len(data)
		var tpl struct {
			Resources map[string]json.RawMessage `json:"Resources"`
		}
		if err := json.Unmarshal(data, &tpl); err != nil {
			bad = append(bad, fmt.Sprintf("template %s is not JSON: %v", props.TemplateFile, err))
		}
		resources = len(tpl.Resources)
		if size > MaxTemplateURLBytes {
			bad = append(bad, fmt.Sprintf("template %s is %d bytes, over the %d a StackSet's TemplateURL accepts", props.TemplateFile, size, MaxTemplateURLBytes))
		}
		if resources > MaxTemplateResources {
			bad = append(bad, fmt.Sprintf("template %s declares %d resources, over CloudFormation's %d", props.TemplateFile, resources, MaxTemplateResources))
		}
	}
	if len(bad) > 0 {
		panic(fmt.Errorf("stack set %s: %s", props.Profile, strings.Join(bad, "; ")))
	}
	name := "bedrockgov-member-" + props.Profile
	if props.StackSetName != nil {
		name = *props.StackSetName
	}
	desc := fmt.Sprintf("bedrockgov member baseline (%s): invocation logging, usage dashboard, alarms", props.Profile)
	if props.Description != nil {
		desc = *props.Description
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	m := &memberStackSet{Construct: c, size: size}
	m.template = awss3assets.NewAsset(c, jsii.String("Template"), &awss3assets.AssetProps{Path: jsii.String(props.TemplateFile)})
	m.set = awscloudformation.NewCfnStackSet(c, jsii.String("StackSet"), &awscloudformation.CfnStackSetProps{
		StackSetName:    jsii.String(name),
		Description:     jsii.String(desc),
		PermissionModel: jsii.String("SERVICE_MANAGED"),
		CallAs:          orDefault(props.CallAs, "SELF"),
		// The member stack creates IAM roles with fixed names.
		Capabilities: jsii.Strings("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"),
		TemplateUrl:  m.template.HttpUrl(),
		AutoDeployment: &awscloudformation.CfnStackSet_AutoDeploymentProperty{
			Enabled: jsii.Bool(true),
			// An account leaving the OU keeps its stack: logs are never deleted by a rollout.
			RetainStacksOnAccountRemoval: jsii.Bool(true),
		},
		// ManagedExecution is a JSON property: a Go struct would be written with lower-case keys.
		ManagedExecution: map[string]any{"Active": true},
		OperationPreferences: &awscloudformation.CfnStackSet_OperationPreferencesProperty{
			FailureTolerancePercentage: orDefaultF(props.FailureTolerancePercentage, 10),
			MaxConcurrentPercentage:    orDefaultF(props.MaxConcurrentPercentage, 25),
			RegionConcurrencyType:      orDefault(props.RegionConcurrency, "PARALLEL"),
			ConcurrencyMode:            orDefault(props.ConcurrencyMode, "SOFT_FAILURE_TOLERANCE"),
		},
		StackInstancesGroup: []any{&awscloudformation.CfnStackSet_StackInstancesProperty{
			DeploymentTargets: &awscloudformation.CfnStackSet_DeploymentTargetsProperty{
				OrganizationalUnitIds: jsii.Strings(props.OrganizationalUnitIds...),
			},
			Regions: jsii.Strings(props.Regions...),
		}},
	})
	// Deleting the StackSet resource would delete every member stack (and with it the log
	// buckets' stacks): keep it when removed from this stack.
	m.set.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil)
	return m
}

func orDefault(v *string, def string) *string {
	if v == nil {
		return jsii.String(def)
	}
	return v
}

func orDefaultF(v *float64, def float64) *float64 {
	if v == nil {
		return jsii.Number(def)
	}
	return v
}
