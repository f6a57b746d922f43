package guardrail

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Namespace is where Bedrock publishes guardrail metrics.
const Namespace = "AWS/Bedrock/Guardrails"

// Guardrail metrics (Bedrock user guide, "Monitor Amazon Bedrock Guardrails using CloudWatch metrics").
const (
	MetricInvocations           = "Invocations"
	MetricInvocationsIntervened = "InvocationsIntervened"
	MetricTextUnitCount         = "TextUnitCount"
	MetricInvocationLatency     = "InvocationLatency"
)

// Dimensions AWS publishes guardrail metrics under. GuardrailArn and GuardrailVersion come as
// a pair (per guardrail and version); GuardrailPolicyType, GuardrailContentSource and Operation
// are account-wide (every guardrail of the account and region together).
const (
	DimGuardrailArn     = "GuardrailArn"
	DimGuardrailVersion = "GuardrailVersion"
	DimPolicyType       = "GuardrailPolicyType"
	DimContentSource    = "GuardrailContentSource"
)

// AlarmInterventions is the key of the intervention alarm (alarm name and construct ID).
const AlarmInterventions = "GuardrailInterventions"

// DefaultInterventionsPer5Min is the intervention alarm threshold when none is given.
const DefaultInterventionsPer5Min = 10

// GuardrailMetric returns a Metrics Insights query over one metric of this guardrail, every
// version together (callers may pin any version, or DRAFT), summed per period. Alarms can
// evaluate it.
func GuardrailMetric(g Guardrail, metric string, period awscdk.Duration) awscloudwatch.IMetric {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf(`SELECT SUM(%s) FROM SCHEMA("%s", %s, %s) WHERE %s = '%s'`,
			metric, Namespace, DimGuardrailArn, DimGuardrailVersion, DimGuardrailArn, *g.GuardrailArn())),
		Period: period,
		Label:  jsii.String(metric + " (this guardrail, all versions)"),
	})
}

// SearchByDimension returns a SEARCH over one account-wide guardrail metric, one line per value
// of a dimension (dashboards only: alarms cannot evaluate SEARCH).
func SearchByDimension(metric, dimension string, period awscdk.Duration) awscloudwatch.IMetric {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf(`SEARCH('Namespace="%s" MetricName="%s" %s', 'Sum', %d)`,
			Namespace, metric, dimension, int(*period.ToSeconds(nil)))),
		Period: period,
		Label:  jsii.String(""),
	})
}

// AlarmOptions configures CreateAlarms.
type AlarmOptions struct {
	// AlarmNamePrefix starts the alarm name; it must match the prefix the critical topic's
	// policy admits CloudWatch alarms by. Default "Bedrock".
	AlarmNamePrefix *string
	// InterventionsPer5Min: critical when the guardrail intervenes more often in 5 minutes.
	// Default DefaultInterventionsPer5Min.
	InterventionsPer5Min float64
	// Period of the alarm. Default 5 minutes.
	Period awscdk.Duration
}

// CreateAlarms creates the critical intervention alarm of the guardrail under scope and has it
// notify the critical topic (on alarm and on recovery). It returns the alarm.
func CreateAlarms(scope constructs.Construct, g Guardrail, critical awssns.ITopic, o *AlarmOptions) awscloudwatch.Alarm {
	if o == nil {
		o = &AlarmOptions{}
	}
	prefix := str(o.AlarmNamePrefix, "Bedrock")
	th := o.InterventionsPer5Min
	if th <= 0 {
		th = DefaultInterventionsPer5Min
	}
	period := o.Period
	if period == nil {
		period = awscdk.Duration_Minutes(jsii.Number(5))
	}
	a := awscloudwatch.NewAlarm(scope, jsii.String(AlarmInterventions), &awscloudwatch.AlarmProps{
		AlarmName: jsii.String(fmt.Sprintf("%s-critical-%s", prefix, AlarmInterventions)),
		AlarmDescription: jsii.String(fmt.Sprintf("[critical] The Bedrock guardrail intervened (blocked or masked content) more than %v times in %v minutes. "+
			"Someone may be probing the application or leaking sensitive data: check the guardrail trace in the invocation logs and the dashboard's interventions by policy type.", th, *period.ToMinutes(nil))),
		Metric:             GuardrailMetric(g, MetricInvocationsIntervened, period),
		Threshold:          jsii.Number(th),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	action := awscloudwatchactions.NewSnsAction(critical)
	a.AddAlarmAction(action)
	a.AddOkAction(action)
	return a
}

// Widgets returns the guardrail dashboard row: this guardrail's invocations and interventions
// (with the alarm threshold when above zero), and the account's interventions by policy type
// and by content source (input or output).
func Widgets(g Guardrail, interventionsPer5Min float64) *[]awscloudwatch.IWidget {
	period := awscdk.Duration_Minutes(jsii.Number(5))
	this := &awscloudwatch.GraphWidgetProps{
		Title:  jsii.String("Guardrail: invocations and interventions (this guardrail)"),
		Left:   &[]awscloudwatch.IMetric{GuardrailMetric(g, MetricInvocations, period), GuardrailMetric(g, MetricInvocationsIntervened, period)},
		Width:  jsii.Number(8),
		Height: jsii.Number(6),
	}
	if interventionsPer5Min > 0 {
		this.LeftAnnotations = &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(interventionsPer5Min), Label: jsii.String("critical: interventions per 5 min")}}
	}
	return &[]awscloudwatch.IWidget{
		awscloudwatch.NewGraphWidget(this),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title:  jsii.String("Guardrail interventions by policy type (all guardrails)"),
			Left:   &[]awscloudwatch.IMetric{SearchByDimension(MetricInvocationsIntervened, DimPolicyType, period)},
			Width:  jsii.Number(8),
			Height: jsii.Number(6),
		}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title:  jsii.String("Guardrail interventions by content source (all guardrails)"),
			Left:   &[]awscloudwatch.IMetric{SearchByDimension(MetricInvocationsIntervened, DimContentSource, period)},
			Width:  jsii.Number(8),
			Height: jsii.Number(6),
		}),
	}
}
