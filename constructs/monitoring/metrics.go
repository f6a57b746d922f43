// Package monitoring provides Amazon Bedrock usage monitoring for one account and region: a
// metric factory over every AWS/Bedrock metric, a CloudWatch dashboard, alarms by severity and
// one encrypted SNS topic per severity.
package monitoring

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"
)

// Namespace is the CloudWatch namespace Bedrock publishes runtime metrics to.
const Namespace = "AWS/Bedrock"

// ModelIDDimension is the dimension of every per-model Bedrock metric.
const ModelIDDimension = "ModelId"

// Bedrock runtime metrics (dimension ModelId).
const (
	Invocations            = "Invocations"
	InvocationLatency      = "InvocationLatency"
	InvocationClientErrors = "InvocationClientErrors"
	InvocationServerErrors = "InvocationServerErrors"
	InvocationThrottles    = "InvocationThrottles"
	InputTokenCount        = "InputTokenCount"
	OutputTokenCount       = "OutputTokenCount"
	// The cache metrics end in Count like the log fields; cacheReadInputTokens is the Converse
	// API's response field, not a metric.
	CacheReadInputTokenCount  = "CacheReadInputTokenCount"
	CacheWriteInputTokenCount = "CacheWriteInputTokenCount"
	TimeToFirstToken          = "TimeToFirstToken"
	EstimatedTPMQuotaUsage    = "EstimatedTPMQuotaUsage"
	OutputImageCount          = "OutputImageCount"
	LegacyModelInvocations    = "LegacyModelInvocations"
)

// Invocation-log delivery metrics (no dimension).
const (
	LogsCloudWatchDeliverySuccess = "ModelInvocationLogsCloudWatchDeliverySuccess"
	LogsCloudWatchDeliveryFailure = "ModelInvocationLogsCloudWatchDeliveryFailure"
	LogsS3DeliverySuccess         = "ModelInvocationLogsS3DeliverySuccess"
	LogsS3DeliveryFailure         = "ModelInvocationLogsS3DeliveryFailure"
	LargeDataS3DeliverySuccess    = "ModelInvocationLargeDataS3DeliverySuccess"
	LargeDataS3DeliveryFailure    = "ModelInvocationLargeDataS3DeliveryFailure"
)

// RuntimeMetrics lists every per-model metric with its default statistic.
var RuntimeMetrics = []struct{ Name, Statistic string }{
	{Invocations, "Sum"}, {InvocationLatency, "Average"}, {InvocationClientErrors, "Sum"},
	{InvocationServerErrors, "Sum"}, {InvocationThrottles, "Sum"}, {InputTokenCount, "Sum"},
	{OutputTokenCount, "Sum"}, {CacheReadInputTokenCount, "Sum"}, {CacheWriteInputTokenCount, "Sum"},
	{TimeToFirstToken, "Average"}, {EstimatedTPMQuotaUsage, "Maximum"}, {OutputImageCount, "Sum"},
	{LegacyModelInvocations, "Sum"},
}

// DeliveryMetrics lists every invocation-log delivery metric.
var DeliveryMetrics = []string{
	LogsCloudWatchDeliverySuccess, LogsCloudWatchDeliveryFailure, LogsS3DeliverySuccess,
	LogsS3DeliveryFailure, LargeDataS3DeliverySuccess, LargeDataS3DeliveryFailure,
}

// MetricOptions selects how a Bedrock runtime metric is read.
type MetricOptions struct {
	// ModelID reads the metric of one model. Default: all models, as described by EachModel.
	ModelID *string
	// EachModel, when ModelID is unset, returns one time series per model (a SEARCH
	// expression; dashboards only). Default false: one account-wide series, the sum (or for
	// latencies the chosen statistic) over every model.
	EachModel *bool
	// Statistic, e.g. "Sum", "Average", "p90". Default: the metric's natural statistic (Sum
	// for counts, Average for latencies).
	Statistic *string
	// Period of each data point. Default: the factory's period.
	Period awscdk.Duration
	// Label in graphs. Default: the metric name (and model).
	Label *string
	// Color in graphs. Default: automatic.
	Color *string
}

// MetricFactoryProps configures a MetricFactory.
type MetricFactoryProps struct {
	// Period of every metric. Default: 5 minutes.
	Period awscdk.Duration
}

// MetricFactory builds AWS/Bedrock metrics; the dashboard and the alarms both use it.
type MetricFactory struct {
	period        awscdk.Duration
	periodSeconds int
}

// NewMetricFactory returns a metric factory. nil props is valid.
func NewMetricFactory(props *MetricFactoryProps) *MetricFactory {
	p := awscdk.Duration_Minutes(jsii.Number(5))
	if props != nil && props.Period != nil {
		p = props.Period
	}
	return &MetricFactory{period: p, periodSeconds: int(*p.ToSeconds(nil))}
}

// Period is the default period of the factory's metrics.
func (f *MetricFactory) Period() awscdk.Duration { return f.period }

// Metric returns a Bedrock runtime metric: of one model, of each model, or account-wide.
//
// Account-wide series are the sum over every model's series of SEARCH('{AWS/Bedrock,ModelId}'),
// so models added later are included. CloudWatch alarms cannot evaluate SEARCH; for alarms use
// AccountAlarmMetric.
func (f *MetricFactory) Metric(name string, o *MetricOptions) awscloudwatch.IMetric {
	if o == nil {
		o = &MetricOptions{}
	}
	stat := defaultStatistic(name)
	if o.Statistic != nil {
		stat = *o.Statistic
	}
	period, seconds := f.period, f.periodSeconds
	if o.Period != nil {
		period, seconds = o.Period, int(*o.Period.ToSeconds(nil))
	}
	if o.ModelID != nil {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:     jsii.String(Namespace),
			MetricName:    jsii.String(name),
			DimensionsMap: &map[string]*string{ModelIDDimension: o.ModelID},
			Statistic:     jsii.String(stat),
			Period:        period,
			Label:         labelOr(o.Label, fmt.Sprintf("%s %s", *o.ModelID, name)),
			Color:         o.Color,
		})
	}
	search := searchExpr(name, stat, seconds)
	if o.EachModel != nil && *o.EachModel {
		return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String(search),
			Period:     period,
			Label:      labelOr(o.Label, ""),
			Color:      o.Color,
		})
	}
	fn := "SUM"
	if !isCount(name) {
		// A latency over all models: the highest model's value is the meaningful summary.
		fn = "MAX"
	}
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf("%s(%s)", fn, search)),
		Period:     period,
		Label:      labelOr(o.Label, fmt.Sprintf("%s (all models, %s)", name, stat)),
		Color:      o.Color,
	})
}

// AccountAlarmMetric returns an account-wide series that a CloudWatch alarm can evaluate: a
// Metrics Insights query over every model (`SELECT SUM(name) FROM SCHEMA("AWS/Bedrock",
// ModelId)`), so models that appear later are covered without redeploying.
func (f *MetricFactory) AccountAlarmMetric(name string, fn string) awscloudwatch.IMetric {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String(fmt.Sprintf(`SELECT %s(%s) FROM SCHEMA("%s", %s)`, fn, name, Namespace, ModelIDDimension)),
		Period:     f.period,
		Label:      jsii.String(fmt.Sprintf("%s (all models)", name)),
	})
}

// RangeTotal returns the account-wide sum of a count metric with no period of its own, so a
// single-value widget with SetPeriodToTimeRange shows the total over the dashboard's range.
func (f *MetricFactory) RangeTotal(name, label string) awscloudwatch.IMetric {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("SUM(" + searchExpr(name, "Sum", 0) + ")"),
		Label:      jsii.String(label),
	})
}

// DeliveryMetric returns an invocation-log delivery metric (Sum).
func (f *MetricFactory) DeliveryMetric(name string) awscloudwatch.IMetric {
	return f.deliveryMetric(name, f.period)
}

func (f *MetricFactory) deliveryMetric(name string, period awscdk.Duration) awscloudwatch.IMetric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:  jsii.String(Namespace),
		MetricName: jsii.String(name),
		Statistic:  jsii.String("Sum"),
		Period:     period,
		Label:      jsii.String(name),
	})
}

// MetricInvocations is the number of runtime requests Bedrock accepted, including those that
// then failed with a client or server error (throttled requests are not counted).
func (f *MetricFactory) MetricInvocations(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(Invocations, o)
}

// MetricInvocationLatency is the time until the last token, in milliseconds.
func (f *MetricFactory) MetricInvocationLatency(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(InvocationLatency, o)
}

// MetricClientErrors counts invocations that failed with a client-side error.
func (f *MetricFactory) MetricClientErrors(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(InvocationClientErrors, o)
}

// MetricServerErrors counts invocations that failed with a server-side error.
func (f *MetricFactory) MetricServerErrors(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(InvocationServerErrors, o)
}

// MetricThrottles counts throttled invocations.
func (f *MetricFactory) MetricThrottles(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(InvocationThrottles, o)
}

// MetricInputTokens counts input tokens (cache tokens are separate).
func (f *MetricFactory) MetricInputTokens(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(InputTokenCount, o)
}

// MetricOutputTokens counts output tokens.
func (f *MetricFactory) MetricOutputTokens(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(OutputTokenCount, o)
}

// MetricCacheReadTokens counts input tokens read from the prompt cache.
func (f *MetricFactory) MetricCacheReadTokens(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(CacheReadInputTokenCount, o)
}

// MetricCacheWriteTokens counts input tokens written to the prompt cache.
func (f *MetricFactory) MetricCacheWriteTokens(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(CacheWriteInputTokenCount, o)
}

// MetricTimeToFirstToken is the time until the first token of a streaming response, in ms.
func (f *MetricFactory) MetricTimeToFirstToken(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(TimeToFirstToken, o)
}

// MetricEstimatedTPMQuotaUsage is the estimated tokens-per-minute quota consumption. It is a
// per-minute figure: its natural statistic is Maximum (the busiest minute of each period);
// a Sum over a 5-minute period would overstate it fivefold.
func (f *MetricFactory) MetricEstimatedTPMQuotaUsage(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(EstimatedTPMQuotaUsage, o)
}

// MetricOutputImages counts generated images.
func (f *MetricFactory) MetricOutputImages(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(OutputImageCount, o)
}

// MetricLegacyModelInvocations counts invocations of legacy models.
func (f *MetricFactory) MetricLegacyModelInvocations(o *MetricOptions) awscloudwatch.IMetric {
	return f.Metric(LegacyModelInvocations, o)
}

// searchExpr is the SEARCH over every model's series of a metric; seconds 0 leaves the period
// to the graph or widget.
func searchExpr(name, stat string, seconds int) string {
	if seconds == 0 {
		return fmt.Sprintf(`SEARCH('{%s,%s} MetricName="%s"', '%s')`, Namespace, ModelIDDimension, name, stat)
	}
	return fmt.Sprintf(`SEARCH('{%s,%s} MetricName="%s"', '%s', %d)`, Namespace, ModelIDDimension, name, stat, seconds)
}

func defaultStatistic(name string) string {
	if name == EstimatedTPMQuotaUsage {
		return "Maximum"
	}
	if isCount(name) {
		return "Sum"
	}
	return "Average"
}

// isCount reports whether a metric is a count that adds up across models and periods. The
// latencies and the per-minute TPM quota estimate do not.
func isCount(name string) bool {
	return name != InvocationLatency && name != TimeToFirstToken && name != EstimatedTPMQuotaUsage
}

// ModelLabel is the dynamic label that names each line of a SEARCH graph by its model ID.
const ModelLabel = "${PROP('Dim.ModelId')}"

func labelOr(l *string, def string) *string {
	if l != nil {
		return l
	}
	return jsii.String(def)
}
