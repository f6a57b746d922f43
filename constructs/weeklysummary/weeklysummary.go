// Package weeklysummary sends the organization's weekly Bedrock usage to an SNS topic with AWS
// orchestration only (no function code): an EventBridge Scheduler schedule starts a Step
// Functions state machine that runs the usage query in Athena (StartQueryExecution.sync),
// reads its result (GetQueryResults) and publishes it as text.
package weeklysummary

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// WeeklySummaryProps configures WeeklySummary. Every field but Schedule is required.
type WeeklySummaryProps struct {
	// QueryString is the Athena SQL, with two execution parameters: the first and last day
	// of the week (yyyy/MM/dd, inclusive).
	QueryString string
	// Database, Table and Workgroup of the query.
	Database, Table, Workgroup string
	// ArchiveBucket and ArchiveKey hold the data the query reads.
	ArchiveBucket awss3.IBucket
	ArchiveKey    awskms.IKey
	// ResultsBucket and ResultsKey receive the workgroup's results.
	ResultsBucket awss3.IBucket
	ResultsKey    awskms.IKey
	// Topic receives the summary; TopicKey encrypts it.
	Topic    awssns.ITopic
	TopicKey awskms.IKey
	// Schedule is the EventBridge Scheduler expression. Default: "cron(0 8 ? * MON *)".
	Schedule *string
}

// WeeklySummary is the schedule and the state machine.
type WeeklySummary interface {
	constructs.IConstruct
	StateMachine() awsstepfunctions.IStateMachine
	Schedule() awsscheduler.CfnSchedule
}

type weeklySummary struct {
	constructs.Construct
	sm       awsstepfunctions.IStateMachine
	schedule awsscheduler.CfnSchedule
}

func (w *weeklySummary) StateMachine() awsstepfunctions.IStateMachine { return w.sm }
func (w *weeklySummary) Schedule() awsscheduler.CfnSchedule           { return w.schedule }

// day is a JSONata expression of the day n days before the execution started, yyyy/MM/dd.
func day(n int) string {
	return fmt.Sprintf("$fromMillis($toMillis($states.context.Execution.StartTime) - %d, '[Y0001]/[M01]/[D01]')", n*86400000)
}

// Definition returns the state machine's Amazon States Language (JSONata) definition.
func Definition(props *WeeklySummaryProps) string {
	first, last := day(7), day(1)
	asl := map[string]any{
		"Comment":       "bedrockgov weekly Bedrock usage summary: Athena query, then SNS",
		"QueryLanguage": "JSONata",
		"StartAt":       "RunUsageQuery",
		"States": map[string]any{
			"RunUsageQuery": map[string]any{
				"Type":     "Task",
				"Resource": "arn:aws:states:::athena:startQueryExecution.sync",
				"Arguments": map[string]any{
					"QueryString":           props.QueryString,
					"QueryExecutionContext": map[string]any{"Database": props.Database},
					"WorkGroup":             props.Workgroup,
					// Athena substitutes execution parameters as SQL literals: strings carry their quotes.
					"ExecutionParameters": []string{"{% \"'\" & " + first + " & \"'\" %}", "{% \"'\" & " + last + " & \"'\" %}"},
				},
				"Output": "{% {'queryExecutionId': $states.result.QueryExecution.QueryExecutionId, 'scannedBytes': $states.result.QueryExecution.Statistics.DataScannedInBytes, 'first': " + first + ", 'last': " + last + "} %}",
				"Retry":  []any{map[string]any{"ErrorEquals": []string{"Athena.TooManyRequestsException"}, "IntervalSeconds": 30, "MaxAttempts": 3, "BackoffRate": 2}},
				"Next":   "ReadResults",
			},
			"ReadResults": map[string]any{
				"Type":     "Task",
				"Resource": "arn:aws:states:::athena:getQueryResults",
				"Arguments": map[string]any{
					"QueryExecutionId": "{% $states.input.queryExecutionId %}",
					"MaxResults":       101,
				},
				"Output": "{% $merge([$states.input, {'rows': $states.result.ResultSet.Rows}]) %}",
				"Next":   "Publish",
			},
			"Publish": map[string]any{
				"Type":     "Task",
				"Resource": "arn:aws:states:::sns:publish",
				"Arguments": map[string]any{
					"TopicArn": *props.Topic.TopicArn(),
					"Subject":  "{% 'Bedrock usage ' & $states.input.first & ' to ' & $states.input.last %}",
					"Message": "{% 'Amazon Bedrock usage by account and model, ' & $states.input.first & ' to ' & $states.input.last & ' (UTC days, from the hub archive; top 100 by tokens). Athena scanned ' & $string($states.input.scannedBytes) & ' bytes.\\n\\n' & " +
						"$join($map($states.input.rows, function($r) { $join($map($r.Data, function($d) { $exists($d.VarCharValue) ? $d.VarCharValue : '' }), '\\t') }), '\\n') %}",
				},
				"End": true,
			},
		},
	}
	b, err := json.MarshalIndent(asl, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// NewWeeklySummary creates the state machine, its log group, the schedule and their roles.
func NewWeeklySummary(scope constructs.Construct, id string, props *WeeklySummaryProps) WeeklySummary {
	if props == nil || props.QueryString == "" || props.Topic == nil || props.ArchiveBucket == nil || props.ResultsBucket == nil {
		panic("weeklysummary: QueryString, Topic, ArchiveBucket and ResultsBucket are required")
	}
	schedule := "cron(0 8 ? * MON *)"
	if props.Schedule != nil {
		schedule = *props.Schedule
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	partition, region, account := *stack.Partition(), *stack.Region(), *stack.Account()

	logs := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     awslogs.RetentionDays_ONE_YEAR,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	sm := awsstepfunctions.NewStateMachine(c, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		Comment:        jsii.String("Sends the weekly Amazon Bedrock usage by account and model"),
		DefinitionBody: awsstepfunctions.DefinitionBody_FromString(jsii.String(Definition(props))),
		TracingEnabled: jsii.Bool(true),
		Timeout:        awscdk.Duration_Hours(jsii.Number(1)),
		Logs:           &awsstepfunctions.LogOptions{Destination: logs, Level: awsstepfunctions.LogLevel_ALL, IncludeExecutionData: jsii.Bool(false)},
	})
	workgroupArn := fmt.Sprintf("arn:%s:athena:%s:%s:workgroup/%s", partition, region, account, props.Workgroup)
	glue := func(res string) string { return fmt.Sprintf("arn:%s:glue:%s:%s:%s", partition, region, account, res) }
	for _, st := range []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("RunTheUsageQuery"),
			Actions:   jsii.Strings("athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"),
			Resources: jsii.Strings(workgroupArn),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("UseTheGlueDataCatalog"),
			Actions:   jsii.Strings("athena:GetDataCatalog"),
			Resources: jsii.Strings(fmt.Sprintf("arn:%s:athena:%s:%s:datacatalog/AwsDataCatalog", partition, region, account)),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadTheTableDefinition"),
			Actions:   jsii.Strings("glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"),
			Resources: jsii.Strings(glue("catalog"), glue("database/"+props.Database), glue("table/"+props.Database+"/"+props.Table)),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadTheArchive"),
			Actions:   jsii.Strings("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"),
			Resources: jsii.Strings(*props.ArchiveBucket.BucketArn(), *props.ArchiveBucket.ArnForObjects(jsii.String("*"))),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("WriteAndReadResults"),
			Actions:   jsii.Strings("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"),
			Resources: jsii.Strings(*props.ResultsBucket.BucketArn(), *props.ResultsBucket.ArnForObjects(jsii.String("*"))),
		}),
	} {
		sm.AddToRolePolicy(st)
	}
	props.ArchiveKey.GrantDecrypt(sm)
	props.ResultsKey.GrantEncryptDecrypt(sm)
	props.Topic.GrantPublish(sm)

	schedulerRole := awsiam.NewRole(c, jsii.String("SchedulerRole"), &awsiam.RoleProps{
		Description: jsii.String("Assumed by EventBridge Scheduler to start the weekly Bedrock usage summary"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}},
		}),
	})
	sm.GrantStartExecution(schedulerRole)
	sched := awsscheduler.NewCfnSchedule(c, jsii.String("Schedule"), &awsscheduler.CfnScheduleProps{
		Description:                jsii.String("Weekly Amazon Bedrock usage summary (bedrockgov)"),
		ScheduleExpression:         jsii.String(schedule),
		ScheduleExpressionTimezone: jsii.String("UTC"),
		FlexibleTimeWindow:         &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
		Target: &awsscheduler.CfnSchedule_TargetProperty{
			Arn:         sm.StateMachineArn(),
			RoleArn:     schedulerRole.RoleArn(),
			RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{MaximumRetryAttempts: jsii.Number(3)},
		},
	})

	cdknag.NagSuppressions_AddResourceSuppressions(sm, &[]*cdknag.NagPackSuppression{
		{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("CloudWatch Logs log delivery and X-Ray actions the state machine needs for its logs and traces have no resource-level permissions."),
			AppliesTo: &[]any{jsii.String("Resource::*")},
		},
		{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("Athena reads every object of the partitions the query names in the archive and writes result objects with generated names in the results bucket; the grant is limited to those two buckets."),
			AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::<.*Bucket[0-9A-F]+\\.Arn>\\/\\*$/g")}},
		},
		{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("The CDK's encrypt-decrypt grant on the results key and publish grant on the topic key name the KMS data-key action families, on those two keys only."),
			AppliesTo: &[]any{jsii.String("Action::kms:GenerateDataKey*"), jsii.String("Action::kms:ReEncrypt*")},
		},
	}, jsii.Bool(true))
	return &weeklySummary{Construct: c, sm: sm, schedule: sched}
}
