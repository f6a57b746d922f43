package monitoring

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Severity is how urgent an alarm is. Each severity notifies its own SNS topic.
type Severity string

// Alarm severities, most urgent first.
const (
	Critical Severity = "critical"
	Warning  Severity = "warning"
	Info     Severity = "info"
)

// Severities lists every severity, most urgent first.
var Severities = []Severity{Critical, Warning, Info}

// Thresholds are the alarm thresholds; DefaultThresholds applies where a field is zero.
type Thresholds struct {
	// ThrottlesPer5Min: warning when all models together see more throttles in 5 minutes.
	ThrottlesPer5Min float64
	// ServerErrorsPer5Min: critical when all models together see more server errors in 5 minutes.
	ServerErrorsPer5Min float64
	// ClientErrorRatePercent: warning when a monitored model's client-error rate is higher.
	ClientErrorRatePercent float64
	// LatencyP90Ms: warning when a monitored model's p90 latency is higher, in milliseconds.
	LatencyP90Ms float64
	// TokenAnomalyStdDevs: width of the anomaly band on a monitored model's token volume.
	TokenAnomalyStdDevs float64
}

// DefaultThresholds are used for any threshold left at zero.
var DefaultThresholds = Thresholds{
	ThrottlesPer5Min: 10, ServerErrorsPer5Min: 5, ClientErrorRatePercent: 5,
	LatencyP90Ms: 15000, TokenAnomalyStdDevs: 3,
}

// Alarm keys, stable names used in alarm names and construct IDs.
const (
	AlarmThrottles           = "Throttles"
	AlarmServerErrors        = "ServerErrors"
	AlarmLogDeliveryFailures = "LogDeliveryFailures"
	AlarmClientErrorRate     = "ClientErrorRate"
	AlarmLatencyP90          = "LatencyP90"
	AlarmTokenAnomaly        = "TokenVolumeAnomaly"
	// AlarmInvokedButNotLogged fires when Bedrock is invoked but no invocation log is delivered:
	// logging was never turned on, was deleted, or points somewhere that no longer works.
	AlarmInvokedButNotLogged = "InvokedButNotLogged"
)

// NotLoggedWindow is the period of the invoked-but-not-logged alarm; it fires after two
// consecutive windows with invocations and no delivered log. Bedrock delivers logs within
// minutes, so an hour with invocations and no delivery is not a delivery delay.
var NotLoggedWindow = 60

// AlarmSeverities is the severity of each alarm.
var AlarmSeverities = map[string]Severity{
	AlarmThrottles:           Warning,
	AlarmServerErrors:        Critical,
	AlarmLogDeliveryFailures: Critical,
	AlarmClientErrorRate:     Warning,
	AlarmLatencyP90:          Warning,
	AlarmTokenAnomaly:        Info,
	AlarmInvokedButNotLogged: Critical,
}

// MonitoringProps configures Monitoring. nil is valid.
type MonitoringProps struct {
	// DashboardName names the CloudWatch dashboard. Dashboard names are unique per account
	// across regions. Default: "BedrockUsageMonitoring".
	DashboardName *string
	// AlarmNamePrefix starts every alarm name. Default: "Bedrock".
	AlarmNamePrefix *string
	// Thresholds for the alarms. Default: DefaultThresholds.
	Thresholds *Thresholds
	// MonitoredModels get per-model alarms (latency, client-error rate, token anomaly) and
	// per-model lines where a graph needs a fixed model. Default: none; the account-wide
	// alarms still cover every model.
	MonitoredModels []string
	// AlertEmails subscribes email addresses to each severity's topic. Default: none.
	AlertEmails map[Severity][]string
	// EncryptionKey encrypts the SNS topics. Default: a new customer-managed key with rotation
	// whose policy lets CloudWatch alarms publish.
	EncryptionKey awskms.IKey
	// Factory builds the metrics. Default: NewMetricFactory(nil) (5-minute period).
	Factory *MetricFactory
}

// SeverityAlarm is an alarm and its severity.
type SeverityAlarm struct {
	Key      string
	ModelID  string
	Severity Severity
	Alarm    awscloudwatch.AlarmBase
}

// Monitoring is the dashboard, alarms and alert topics.
type Monitoring interface {
	constructs.IConstruct
	// Dashboard is the usage dashboard.
	Dashboard() awscloudwatch.Dashboard
	// Topic returns the SNS topic of a severity.
	Topic(s Severity) awssns.ITopic
	// Alarms lists every alarm with its severity.
	Alarms() []SeverityAlarm
	// Key encrypts the topics.
	Key() awskms.IKey
}

type monitoring struct {
	constructs.Construct
	dashboard awscloudwatch.Dashboard
	topics    map[Severity]awssns.ITopic
	alarms    []SeverityAlarm
	key       awskms.IKey
}

func (m *monitoring) Dashboard() awscloudwatch.Dashboard { return m.dashboard }
func (m *monitoring) Topic(s Severity) awssns.ITopic     { return m.topics[s] }
func (m *monitoring) Alarms() []SeverityAlarm            { return m.alarms }
func (m *monitoring) Key() awskms.IKey                   { return m.key }

// NewMonitoring creates the dashboard, the alarms and one SNS topic per severity.
func NewMonitoring(scope constructs.Construct, id string, props *MonitoringProps) Monitoring {
	if props == nil {
		props = &MonitoringProps{}
	}
	th := DefaultThresholds
	if props.Thresholds != nil {
		th = withDefaults(*props.Thresholds)
	}
	f := props.Factory
	if f == nil {
		f = NewMetricFactory(nil)
	}
	prefix := "Bedrock"
	if props.AlarmNamePrefix != nil {
		prefix = *props.AlarmNamePrefix
	}
	dashName := "BedrockUsageMonitoring"
	if props.DashboardName != nil {
		dashName = *props.DashboardName
	}
	models := append([]string(nil), props.MonitoredModels...)
	seen := map[string]bool{}
	for _, mid := range models {
		if seen[mid] {
			panic(fmt.Sprintf("monitoring: model %q is listed twice in MonitoredModels", mid))
		}
		seen[mid] = true
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	m := &monitoring{Construct: c, topics: map[Severity]awssns.ITopic{}}
	stack := awscdk.Stack_Of(c)
	// Every alarm name starts with the prefix, so this pattern names exactly this stack's alarms.
	alarmConditions := AlarmPublishConditions(stack, prefix+"-*")

	m.key = props.EncryptionKey
	if m.key == nil {
		m.key = NewTopicKey(c, "TopicKey", "Encrypts the Amazon Bedrock monitoring alert topics", alarmConditions)
	}

	topics := constructs.NewConstruct(c, jsii.String("Topics"))
	for _, s := range Severities {
		m.topics[s] = NewAlertTopic(topics, string(s), fmt.Sprintf("%s %s alerts", prefix, s), m.key, alarmConditions, props.AlertEmails[s])
	}

	alarms := constructs.NewConstruct(c, jsii.String("Alarms"))
	add := func(key, model string, a awscloudwatch.AlarmBase) {
		sev := AlarmSeverities[key]
		action := awscloudwatchactions.NewSnsAction(m.topics[sev])
		a.AddAlarmAction(action)
		if sev == Critical {
			a.AddOkAction(action)
		}
		m.alarms = append(m.alarms, SeverityAlarm{Key: key, ModelID: model, Severity: sev, Alarm: a})
	}
	name := func(key, model string) *string {
		sev := AlarmSeverities[key]
		if model == "" {
			return jsii.String(fmt.Sprintf("%s-%s-%s", prefix, sev, key))
		}
		return jsii.String(fmt.Sprintf("%s-%s-%s-%s", prefix, sev, key, model))
	}
	periodMin := *f.Period().ToMinutes(nil)

	add(AlarmThrottles, "", awscloudwatch.NewAlarm(alarms, jsii.String(AlarmThrottles), &awscloudwatch.AlarmProps{
		AlarmName:          name(AlarmThrottles, ""),
		AlarmDescription:   jsii.String(fmt.Sprintf("[%s] More than %v Bedrock invocations throttled in %v minutes, all models together, in 2 of the last 3 periods. Check service quotas (tokens and requests per minute) or spread load with cross-region inference.", Warning, th.ThrottlesPer5Min, periodMin)),
		Metric:             f.AccountAlarmMetric(InvocationThrottles, "SUM"),
		Threshold:          jsii.Number(th.ThrottlesPer5Min),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(3),
		DatapointsToAlarm:  jsii.Number(2),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))
	add(AlarmServerErrors, "", awscloudwatch.NewAlarm(alarms, jsii.String(AlarmServerErrors), &awscloudwatch.AlarmProps{
		AlarmName:          name(AlarmServerErrors, ""),
		AlarmDescription:   jsii.String(fmt.Sprintf("[%s] More than %v Bedrock invocations failed with a server error in %v minutes, all models together. Check the AWS Health Dashboard and fail over to another region or model.", Critical, th.ServerErrorsPer5Min, periodMin)),
		Metric:             f.AccountAlarmMetric(InvocationServerErrors, "SUM"),
		Threshold:          jsii.Number(th.ServerErrorsPer5Min),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))
	delivery := map[string]awscloudwatch.IMetric{
		"cw": f.DeliveryMetric(LogsCloudWatchDeliveryFailure),
		"s3": f.DeliveryMetric(LogsS3DeliveryFailure),
		"ld": f.DeliveryMetric(LargeDataS3DeliveryFailure),
	}
	add(AlarmLogDeliveryFailures, "", awscloudwatch.NewAlarm(alarms, jsii.String(AlarmLogDeliveryFailures), &awscloudwatch.AlarmProps{
		AlarmName:        name(AlarmLogDeliveryFailures, ""),
		AlarmDescription: jsii.String(fmt.Sprintf("[%s] Bedrock failed to deliver invocation logs (CloudWatch Logs, S3 or large-data S3). Invocations are going unaudited: check the delivery role, bucket policy and KMS key policy, then run `go run ./tools/logging status`.", Critical)),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("FILL(cw, 0) + FILL(s3, 0) + FILL(ld, 0)"),
			UsingMetrics: &delivery,
			Period:       f.Period(),
			Label:        jsii.String("Invocation-log delivery failures"),
		}),
		Threshold:          jsii.Number(0),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	}))

	// Invoked but not logged: a composite of "Bedrock was invoked" (a Metrics Insights query over
	// every model, which an alarm cannot combine with other metrics) and "no log was delivered
	// to S3 or CloudWatch Logs" (missing delivery data counts as none). The two inputs notify
	// nobody; the composite is the critical alarm.
	window := awscdk.Duration_Minutes(jsii.Number(float64(NotLoggedWindow)))
	notLogged := constructs.NewConstruct(alarms, jsii.String(AlarmInvokedButNotLogged))
	invoked := awscloudwatch.NewAlarm(notLogged, jsii.String("Invoked"), &awscloudwatch.AlarmProps{
		AlarmName:        jsii.String(fmt.Sprintf("%s-input-Invoked", prefix)),
		AlarmDescription: jsii.String(fmt.Sprintf("Input of %s-%s-%s (notifies nobody): Bedrock was invoked in this account and region.", prefix, Critical, AlarmInvokedButNotLogged)),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(fmt.Sprintf(`SELECT SUM(%s) FROM SCHEMA("%s", %s)`, Invocations, Namespace, ModelIDDimension)),
			Period:     window,
			Label:      jsii.String("Invocations (all models)"),
		}),
		Threshold:          jsii.Number(0),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(2),
		DatapointsToAlarm:  jsii.Number(2),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	delivered := map[string]awscloudwatch.IMetric{
		"s3": f.deliveryMetric(LogsS3DeliverySuccess, window),
		"cw": f.deliveryMetric(LogsCloudWatchDeliverySuccess, window),
	}
	noDelivery := awscloudwatch.NewAlarm(notLogged, jsii.String("NoLogDelivered"), &awscloudwatch.AlarmProps{
		AlarmName:        jsii.String(fmt.Sprintf("%s-input-NoLogDelivered", prefix)),
		AlarmDescription: jsii.String(fmt.Sprintf("Input of %s-%s-%s (notifies nobody): no invocation log was delivered to S3 or CloudWatch Logs.", prefix, Critical, AlarmInvokedButNotLogged)),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String(LogsDeliveredExpression),
			UsingMetrics: &delivered,
			Period:       window,
			Label:        jsii.String("Invocation logs delivered (S3 + CloudWatch Logs)"),
		}),
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(2),
		DatapointsToAlarm:  jsii.Number(2),
		// No delivery data at all is exactly the case to catch: logging is off.
		TreatMissingData: awscloudwatch.TreatMissingData_BREACHING,
	})
	add(AlarmInvokedButNotLogged, "", awscloudwatch.NewCompositeAlarm(notLogged, jsii.String("Alarm"), &awscloudwatch.CompositeAlarmProps{
		CompositeAlarmName: name(AlarmInvokedButNotLogged, ""),
		AlarmDescription: jsii.String(fmt.Sprintf("[%s] Bedrock was invoked for %d minutes and no invocation log was delivered to S3 or CloudWatch Logs: invocations are going unaudited. Logging is off, was deleted or points elsewhere: run `go run ./tools/logging status`, check the stack's InvocationLoggingConfiguration resource and CloudTrail for Put/DeleteModelInvocationLoggingConfiguration.",
			Critical, 2*NotLoggedWindow)),
		AlarmRule: awscloudwatch.AlarmRule_AllOf(
			awscloudwatch.AlarmRule_FromAlarm(invoked, awscloudwatch.AlarmState_ALARM),
			awscloudwatch.AlarmRule_FromAlarm(noDelivery, awscloudwatch.AlarmState_ALARM),
		),
	}))

	if len(models) > 0 {
		perModel := constructs.NewConstruct(alarms, jsii.String("PerModel"))
		for _, mid := range models {
			ns := constructs.NewConstruct(perModel, jsii.String(mid))
			o := &MetricOptions{ModelID: jsii.String(mid)}
			errsInv := map[string]awscloudwatch.IMetric{
				"err": f.MetricClientErrors(o),
				"inv": f.MetricInvocations(o),
			}
			add(AlarmClientErrorRate, mid, awscloudwatch.NewAlarm(ns, jsii.String(AlarmClientErrorRate), &awscloudwatch.AlarmProps{
				AlarmName:        name(AlarmClientErrorRate, mid),
				AlarmDescription: jsii.String(fmt.Sprintf("[%s] More than %v%% of %s requests failed with a client error (validation, access denied, model not enabled) in 2 of the last 3 periods.", Warning, th.ClientErrorRatePercent, mid)),
				Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
					Expression:   jsii.String(ClientErrorRateExpression),
					UsingMetrics: &errsInv,
					Period:       f.Period(),
					Label:        jsii.String(mid + " client-error rate (%)"),
				}),
				Threshold:          jsii.Number(th.ClientErrorRatePercent),
				ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
				EvaluationPeriods:  jsii.Number(3),
				DatapointsToAlarm:  jsii.Number(2),
				TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			}))
			add(AlarmLatencyP90, mid, awscloudwatch.NewAlarm(ns, jsii.String(AlarmLatencyP90), &awscloudwatch.AlarmProps{
				AlarmName:          name(AlarmLatencyP90, mid),
				AlarmDescription:   jsii.String(fmt.Sprintf("[%s] p90 invocation latency of %s above %v ms in 2 of the last 3 periods.", Warning, mid, th.LatencyP90Ms)),
				Metric:             f.MetricInvocationLatency(&MetricOptions{ModelID: jsii.String(mid), Statistic: jsii.String("p90")}),
				Threshold:          jsii.Number(th.LatencyP90Ms),
				ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
				EvaluationPeriods:  jsii.Number(3),
				DatapointsToAlarm:  jsii.Number(2),
				TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			}))
			tokens := map[string]awscloudwatch.IMetric{
				"tin":  f.MetricInputTokens(o),
				"tout": f.MetricOutputTokens(o),
			}
			add(AlarmTokenAnomaly, mid, awscloudwatch.NewAnomalyDetectionAlarm(ns, jsii.String(AlarmTokenAnomaly), &awscloudwatch.AnomalyDetectionAlarmProps{
				AlarmName:        name(AlarmTokenAnomaly, mid),
				AlarmDescription: jsii.String(fmt.Sprintf("[%s] Token volume (input + output) of %s above its expected band (%v standard deviations) for 3 periods: unexpected usage or a runaway client.", Info, mid, th.TokenAnomalyStdDevs)),
				Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
					Expression:   jsii.String("FILL(tin, 0) + FILL(tout, 0)"),
					UsingMetrics: &tokens,
					Period:       f.Period(),
					Label:        jsii.String(mid + " tokens"),
				}),
				StdDevs:            jsii.Number(th.TokenAnomalyStdDevs),
				ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_UPPER_THRESHOLD,
				EvaluationPeriods:  jsii.Number(3),
				DatapointsToAlarm:  jsii.Number(3),
				TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			}))
		}
	}

	m.dashboard = newDashboard(c, dashName, f, m.alarms)
	return m
}

// ClientErrorRateExpression is a monitored model's client-error rate in percent. Invocations
// counts every request Bedrock accepted, including those that then failed, so the rate is
// errors / Invocations: a period where every request failed reads 100.
const ClientErrorRateExpression = "IF(FILL(inv, 0) > 0, 100 * FILL(err, 0) / FILL(inv, 0), 0)"

// LogsDeliveredExpression counts invocation logs delivered to either destination.
const LogsDeliveredExpression = "FILL(s3, 0) + FILL(cw, 0)"

func withDefaults(t Thresholds) Thresholds {
	d := DefaultThresholds
	if t.ThrottlesPer5Min > 0 {
		d.ThrottlesPer5Min = t.ThrottlesPer5Min
	}
	if t.ServerErrorsPer5Min > 0 {
		d.ServerErrorsPer5Min = t.ServerErrorsPer5Min
	}
	if t.ClientErrorRatePercent > 0 {
		d.ClientErrorRatePercent = t.ClientErrorRatePercent
	}
	if t.LatencyP90Ms > 0 {
		d.LatencyP90Ms = t.LatencyP90Ms
	}
	if t.TokenAnomalyStdDevs > 0 {
		d.TokenAnomalyStdDevs = t.TokenAnomalyStdDevs
	}
	return d
}
