package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/budget"
	"github.com/bedrockgov/bedrockgov/constructs/compliance"
	"github.com/bedrockgov/bedrockgov/constructs/endpoints"
	"github.com/bedrockgov/bedrockgov/constructs/guardrail"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// MemberAdditions are the optional member-account capabilities beyond logging and monitoring.
// A nil field creates nothing.
type MemberAdditions struct {
	// Budget is the monthly cost budget, created in its home region only. Its topics and key
	// default to the monitoring construct's critical and warning topics and their key.
	Budget *budget.BudgetProps
	// Guardrail is the environment's guardrail. Its key defaults to the invocation-logging key
	// (the environment's key).
	Guardrail *GuardrailSettings
	// Compliance are the AWS Config rules (they need an AWS Config recorder in the account and
	// region). Expected destinations left nil default to the invocation-logging construct's;
	// the key defaults to its key; Buckets default to its log and access-log buckets.
	Compliance *compliance.ComplianceProps
	// Endpoints are interface endpoints for Bedrock in an existing VPC, admitting only the
	// organization's principals.
	Endpoints *endpoints.EndpointsProps
}

// GuardrailSettings configures the guardrail and its alarm.
type GuardrailSettings struct {
	guardrail.GuardrailProps
	// InterventionsPer5Min: critical alarm threshold. Default guardrail.DefaultInterventionsPer5Min.
	InterventionsPer5Min float64
}

// MemberAdditionsResult holds the constructs MemberAdditions created (nil when not configured).
type MemberAdditionsResult struct {
	Budget    budget.Budget
	Guardrail guardrail.Guardrail
	// GuardrailAlarm is the critical intervention alarm.
	GuardrailAlarm awscloudwatch.Alarm
	Compliance     compliance.Compliance
	Endpoints      endpoints.Endpoints
}

// Construct IDs of the additions (a public contract: renaming one replaces its resources).
const (
	BudgetID     = "Budget"
	GuardrailID  = "Guardrail"
	ComplianceID = "Compliance"
	EndpointsID  = "Endpoints"
)

// Output keys of the additions.
const (
	OutputBudgetName       = "BedrockBudgetName"
	OutputGuardrailID      = "GuardrailId"
	OutputGuardrailArn     = "GuardrailArn"
	OutputGuardrailVersion = "GuardrailVersion"
)

// EndpointOutputKey is the output key of a service's endpoint ID.
func EndpointOutputKey(service string) string {
	switch service {
	case "bedrock-runtime":
		return "BedrockRuntimeEndpointId"
	default:
		return "BedrockEndpointId"
	}
}

func addMemberAdditions(stack awscdk.Stack, props *MemberStackProps, logging invocationlogging.InvocationLogging, mon monitoring.Monitoring) *MemberAdditionsResult {
	out := &MemberAdditionsResult{}
	a := props.Additions
	if a == nil {
		return out
	}
	output := func(key string, value *string, description string, cond awscdk.CfnCondition) {
		awscdk.NewCfnOutput(stack, jsii.String(key), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description), Condition: cond})
	}
	if a.Budget != nil {
		bp := *a.Budget
		if bp.CriticalTopic == nil {
			bp.CriticalTopic = mon.Topic(monitoring.Critical)
		}
		if bp.WarningTopic == nil {
			bp.WarningTopic = mon.Topic(monitoring.Warning)
		}
		if bp.TopicKey == nil {
			bp.TopicKey = mon.Key()
		}
		out.Budget = budget.NewBudget(stack, BudgetID, &bp)
		output(OutputBudgetName, jsii.String(out.Budget.Name()), "AWS Budgets budget of Bedrock spend (created in the home region only)", out.Budget.Condition())
	}
	if s := a.Guardrail; s != nil {
		gp := s.GuardrailProps
		if gp.EncryptionKey == nil {
			gp.EncryptionKey = logging.Key()
		}
		g := guardrail.NewGuardrail(stack, GuardrailID, &gp)
		out.Guardrail = g
		var prefix *string
		if props.Monitoring != nil {
			prefix = props.Monitoring.AlarmNamePrefix
		}
		alarm := guardrail.CreateAlarms(constructs.NewConstruct(g.Scope(), jsii.String("Alarms")), g, mon.Topic(monitoring.Critical), &guardrail.AlarmOptions{
			AlarmNamePrefix: prefix, InterventionsPer5Min: s.InterventionsPer5Min,
		})
		out.GuardrailAlarm = alarm
		threshold := s.InterventionsPer5Min
		if threshold <= 0 {
			threshold = guardrail.DefaultInterventionsPer5Min
		}
		mon.Dashboard().AddWidgets(*guardrail.Widgets(g, threshold)...)

		params := constructs.NewConstruct(g.Scope(), jsii.String("Parameters"))
		for _, p := range []struct {
			id, name string
			value    *string
			desc     string
		}{
			{"Id", naming.GuardrailIDParam, g.GuardrailID(), "ID of the Amazon Bedrock guardrail of this environment"},
			{"Arn", naming.GuardrailArnParam, g.GuardrailArn(), "ARN of the Amazon Bedrock guardrail of this environment"},
			{"Version", naming.GuardrailVersionParam, g.Version(), "Numbered version of the guardrail that applications pass to Bedrock"},
		} {
			awsssm.NewStringParameter(params, jsii.String(p.id), &awsssm.StringParameterProps{
				ParameterName: jsii.String(p.name), StringValue: p.value, Description: jsii.String(p.desc), Tier: awsssm.ParameterTier_STANDARD,
			})
		}
		output(OutputGuardrailID, g.GuardrailID(), "Bedrock guardrail ID (SSM "+naming.GuardrailIDParam+")", nil)
		output(OutputGuardrailArn, g.GuardrailArn(), "Bedrock guardrail ARN (SSM "+naming.GuardrailArnParam+")", nil)
		output(OutputGuardrailVersion, g.Version(), "Bedrock guardrail version (SSM "+naming.GuardrailVersionParam+")", nil)
	}
	if a.Compliance != nil {
		cp := *a.Compliance
		e := &cp.Expected
		if e.BucketName == nil {
			e.BucketName = logging.Bucket().BucketName()
		}
		if e.KeyPrefix == nil {
			e.KeyPrefix = jsii.String(logging.KeyPrefix())
		}
		if e.LogGroupName == nil {
			e.LogGroupName = jsii.String(logging.LogGroupName())
		}
		if e.RoleArn == nil {
			e.RoleArn = logging.DeliveryRole().RoleArn()
		}
		if cp.EncryptionKey == nil {
			cp.EncryptionKey = logging.Key()
		}
		if cp.Buckets == nil {
			cp.Buckets = map[string]awss3.IBucket{"LogBucket": logging.Bucket(), "AccessLogsBucket": logging.AccessLogsBucket()}
		}
		out.Compliance = compliance.NewCompliance(stack, ComplianceID, &cp)
	}
	if a.Endpoints != nil {
		out.Endpoints = endpoints.NewEndpoints(stack, EndpointsID, a.Endpoints)
		for _, svc := range endpoints.Services {
			if ep, ok := out.Endpoints.Endpoints()[svc]; ok {
				output(EndpointOutputKey(svc), ep.Ref(), "Interface VPC endpoint of "+svc+" (private DNS, organization-only policy)", out.Endpoints.Condition())
			}
		}
	}
	return out
}
