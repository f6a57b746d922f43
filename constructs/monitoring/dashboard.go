package monitoring

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// each is one line per model (SEARCH), each line labelled with its model ID and, where a graph
// shows several series per model, the suffix that tells them apart.
func each(f *MetricFactory, name, stat, suffix string) awscloudwatch.IMetric {
	label := ModelLabel
	if suffix != "" {
		label += " " + suffix
	}
	return f.Metric(name, &MetricOptions{EachModel: jsii.Bool(true), Statistic: jsii.String(stat), Label: jsii.String(label)})
}

func total(f *MetricFactory, name, label string) awscloudwatch.IMetric {
	return f.RangeTotal(name, label)
}

func graph(title string, left []awscloudwatch.IMetric, unit string, stacked bool) awscloudwatch.IWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title:     jsii.String(title),
		Left:      &left,
		Width:     jsii.Number(12),
		Height:    jsii.Number(6),
		Stacked:   jsii.Bool(stacked),
		LeftYAxis: &awscloudwatch.YAxisProps{Label: jsii.String(unit), ShowUnits: jsii.Bool(false), Min: jsii.Number(0)},
	})
}

// newDashboard lays out the usage dashboard: totals, volume, tokens, latency, errors, log
// delivery and the alarm states. Every per-model graph uses SEARCH so new models appear by
// themselves.
func newDashboard(scope constructs.Construct, name string, f *MetricFactory, alarms []SeverityAlarm) awscloudwatch.Dashboard {
	totals := []awscloudwatch.IMetric{
		total(f, Invocations, "Invocations"),
		total(f, InputTokenCount, "Input tokens"),
		total(f, OutputTokenCount, "Output tokens"),
		total(f, CacheReadInputTokenCount, "Cache-read tokens"),
		total(f, CacheWriteInputTokenCount, "Cache-write tokens"),
		total(f, InvocationThrottles, "Throttles"),
	}
	var alarmRefs []interfacesawscloudwatch.IAlarmRef
	for _, a := range alarms {
		alarmRefs = append(alarmRefs, a.Alarm)
	}
	widgets := [][]awscloudwatch.IWidget{
		{awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
			Markdown: jsii.String("# Amazon Bedrock usage\nAll models in this account and region. Per-model lines come from `SEARCH`, so new models appear without redeploying. " +
				"Per-caller and per-team usage needs the invocation logs: `go run ./tools/report --logs s3://<bucket>/<prefix>`."),
			Width: jsii.Number(24), Height: jsii.Number(2),
		})},
		{awscloudwatch.NewSingleValueWidget(&awscloudwatch.SingleValueWidgetProps{
			Title:                jsii.String("Totals over the selected time range"),
			Metrics:              &totals,
			SetPeriodToTimeRange: jsii.Bool(true),
			Width:                jsii.Number(24), Height: jsii.Number(4),
		})},
		{
			graph("Invocations by model", []awscloudwatch.IMetric{each(f, Invocations, "Sum", "")}, "count", true),
			graph("Input tokens by model", []awscloudwatch.IMetric{each(f, InputTokenCount, "Sum", "")}, "tokens", true),
		},
		{
			graph("Output tokens by model", []awscloudwatch.IMetric{each(f, OutputTokenCount, "Sum", "")}, "tokens", true),
			graph("Cache tokens by model (read, write)", []awscloudwatch.IMetric{
				each(f, CacheReadInputTokenCount, "Sum", "read"),
				each(f, CacheWriteInputTokenCount, "Sum", "write"),
			}, "tokens", false),
		},
		{
			graph("Invocation latency p50 / p90 / p99 by model", []awscloudwatch.IMetric{
				each(f, InvocationLatency, "p50", "p50"),
				each(f, InvocationLatency, "p90", "p90"),
				each(f, InvocationLatency, "p99", "p99"),
			}, "ms", false),
			graph("Time to first token p50 / p90 by model (streaming)", []awscloudwatch.IMetric{
				each(f, TimeToFirstToken, "p50", "p50"),
				each(f, TimeToFirstToken, "p90", "p90"),
			}, "ms", false),
		},
		{
			graph("Client and server errors by model", []awscloudwatch.IMetric{
				each(f, InvocationClientErrors, "Sum", "client"),
				each(f, InvocationServerErrors, "Sum", "server"),
			}, "count", false),
			graph("Throttles by model", []awscloudwatch.IMetric{each(f, InvocationThrottles, "Sum", "")}, "count", true),
		},
		{
			graph("Invocation-log delivery failures", []awscloudwatch.IMetric{
				f.DeliveryMetric(LogsCloudWatchDeliveryFailure),
				f.DeliveryMetric(LogsS3DeliveryFailure),
				f.DeliveryMetric(LargeDataS3DeliveryFailure),
			}, "count", false),
			graph("Invocation-log deliveries", []awscloudwatch.IMetric{
				f.DeliveryMetric(LogsCloudWatchDeliverySuccess),
				f.DeliveryMetric(LogsS3DeliverySuccess),
				f.DeliveryMetric(LargeDataS3DeliverySuccess),
			}, "count", false),
		},
		{
			graph("Estimated TPM quota usage by model (busiest minute of each period)", []awscloudwatch.IMetric{each(f, EstimatedTPMQuotaUsage, "Maximum", "")}, "tokens per minute", false),
			graph("Images and legacy-model invocations by model", []awscloudwatch.IMetric{
				each(f, OutputImageCount, "Sum", "images"),
				each(f, LegacyModelInvocations, "Sum", "legacy"),
			}, "count", false),
		},
	}
	if len(alarmRefs) > 0 {
		widgets = append(widgets, []awscloudwatch.IWidget{awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Title:  jsii.String("Alarms"),
			Alarms: &alarmRefs,
			Width:  jsii.Number(24),
			Height: jsii.Number(4),
		})})
	}
	rows := make([]*[]awscloudwatch.IWidget, 0, len(widgets))
	for i := range widgets {
		rows = append(rows, &widgets[i])
	}
	return awscloudwatch.NewDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName:   jsii.String(name),
		DefaultInterval: awscdk.Duration_Days(jsii.Number(7)),
		Widgets:         &rows,
	})
}
