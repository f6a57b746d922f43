// Package compliance provides AWS Config rules for the member baseline: a periodic custom rule
// (inline Lambda code, no assets) that marks the account and region NON_COMPLIANT when Amazon
// Bedrock model-invocation logging is off or delivers somewhere other than the baseline's
// destinations, and managed rules scoped to the baseline's own buckets.
//
// AWS Config rules need a configuration recorder in the account and region (AWS Control Tower
// or the organization's Config set-up provides it); this package creates none.
package compliance

import (
	_ "embed"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// HandlerSource is the rule's Lambda code (Python), inlined in the template.
//
//go:embed handler.py
var HandlerSource string

// MaxInlineCode is CloudFormation's limit on inline (ZipFile) Lambda code, in characters.
const MaxInlineCode = 4096

// Rule names (unique per account and region).
const (
	LoggingRuleName     = "bedrockgov-invocation-logging"
	DefaultFunctionName = "bedrockgov-invocation-logging-rule"
)

// Managed rule identifiers used for the baseline's buckets.
const (
	BucketSSLOnly    = "S3_BUCKET_SSL_REQUESTS_ONLY"
	BucketVersioning = "S3_BUCKET_VERSIONING_ENABLED"
)

// Expected are the logging destinations the baseline sets; the rule compares Bedrock's
// configuration against them. Empty fields are not compared.
type Expected struct {
	BucketName   *string
	KeyPrefix    *string
	LogGroupName *string
	RoleArn      *string
	// TextDelivery requires textDataDeliveryEnabled.
	TextDelivery bool
}

// ComplianceProps configures Compliance.
type ComplianceProps struct {
	// Expected destinations. Required: at least the bucket or the log group.
	Expected Expected
	// Frequency of the periodic evaluation: One_Hour, Three_Hours, Six_Hours, Twelve_Hours or
	// TwentyFour_Hours. Default One_Hour.
	Frequency *string
	// Buckets get the managed rules S3_BUCKET_SSL_REQUESTS_ONLY and S3_BUCKET_VERSIONING_ENABLED,
	// each scoped to that one bucket; the key names the rules' construct IDs and rule names.
	// Default: none.
	Buckets map[string]awss3.IBucket
	// EncryptionKey encrypts the rule function's log group; its policy gets a statement for
	// CloudWatch Logs scoped to that log group. Default: a new key with rotation.
	EncryptionKey awskms.IKey
	// LogRetention of the rule function's logs. Default one year.
	LogRetention awslogs.RetentionDays
	// FunctionName of the rule function (unique per account and region). Default DefaultFunctionName.
	FunctionName *string
	// RuleNamePrefix starts every rule name. Default "bedrockgov".
	RuleNamePrefix *string
}

// Compliance is the set of Config rules.
type Compliance interface {
	constructs.IConstruct
	// LoggingRule is the custom invocation-logging rule.
	LoggingRule() awsconfig.CfnConfigRule
	// Function evaluates the logging rule.
	Function() awslambda.Function
	// ManagedRules are the bucket rules, by rule name.
	ManagedRules() map[string]awsconfig.CfnConfigRule
}

type compliance struct {
	constructs.Construct
	rule    awsconfig.CfnConfigRule
	fn      awslambda.Function
	managed map[string]awsconfig.CfnConfigRule
}

func (c *compliance) LoggingRule() awsconfig.CfnConfigRule             { return c.rule }
func (c *compliance) Function() awslambda.Function                     { return c.fn }
func (c *compliance) ManagedRules() map[string]awsconfig.CfnConfigRule { return c.managed }

var frequencies = map[string]bool{"One_Hour": true, "Three_Hours": true, "Six_Hours": true, "Twelve_Hours": true, "TwentyFour_Hours": true}

// RuleParameters returns the custom rule's input parameters for the expected destinations
// (values may be tokens).
func RuleParameters(e Expected) map[string]any {
	p := map[string]any{}
	set := func(k string, v *string) {
		if v != nil {
			p[k] = *v
		}
	}
	set("bucketName", e.BucketName)
	set("keyPrefix", e.KeyPrefix)
	set("logGroupName", e.LogGroupName)
	set("roleArn", e.RoleArn)
	if e.TextDelivery {
		p["textDataDeliveryEnabled"] = "true"
	}
	return p
}

// NewCompliance creates the custom logging rule, its function and role, and the bucket rules.
func NewCompliance(scope constructs.Construct, id string, props *ComplianceProps) Compliance {
	if props == nil {
		props = &ComplianceProps{}
	}
	if props.Expected.BucketName == nil && props.Expected.LogGroupName == nil {
		panic("compliance: Expected needs at least BucketName or LogGroupName")
	}
	if len(HandlerSource) > MaxInlineCode {
		panic(fmt.Sprintf("compliance: handler is %d characters; CloudFormation inlines at most %d", len(HandlerSource), MaxInlineCode))
	}
	freq := "One_Hour"
	if props.Frequency != nil {
		freq = *props.Frequency
	}
	if !frequencies[freq] {
		panic(fmt.Sprintf("compliance: Frequency %q is not One_Hour, Three_Hours, Six_Hours, Twelve_Hours or TwentyFour_Hours", freq))
	}
	prefix := "bedrockgov"
	if props.RuleNamePrefix != nil {
		prefix = *props.RuleNamePrefix
	}
	fnName := DefaultFunctionName
	if props.FunctionName != nil {
		fnName = *props.FunctionName
	}
	retention := props.LogRetention
	if retention == "" {
		retention = awslogs.RetentionDays_ONE_YEAR
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	out := &compliance{Construct: c, managed: map[string]awsconfig.CfnConfigRule{}}

	key := props.EncryptionKey
	if key == nil {
		key = awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
			Description:       jsii.String("Encrypts the logs of the Bedrock compliance rule function"),
			EnableKeyRotation: jsii.Bool(true),
			PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
		})
	}
	logGroupName := "/aws/lambda/" + fnName
	logGroupArn := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", *stack.Partition(), *stack.Region(), *stack.Account(), logGroupName)
	// CloudWatch Logs uses the key only for this log group (the CloudWatch Logs guide's
	// encryption-context condition).
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowLogsForComplianceRuleFunction"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", *stack.Region())), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": logGroupArn}},
	}), jsii.Bool(false))
	logGroup := awslogs.NewLogGroup(c, jsii.String("LogGroup"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(logGroupName),
		Retention:     retention,
		EncryptionKey: key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})

	// Least privilege: read the logging configuration, report evaluations, write its own logs.
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Evaluates the bedrockgov invocation-logging Config rule"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"Evaluate": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("ReadInvocationLoggingConfiguration"),
					Actions:   jsii.Strings("bedrock:GetModelInvocationLoggingConfiguration"),
					Resources: jsii.Strings("*"),
				}),
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("ReportEvaluations"),
					Actions:   jsii.Strings("config:PutEvaluations"),
					Resources: jsii.Strings("*"),
				}),
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("WriteOwnLogs"),
					Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
					Resources: jsii.Strings(logGroupArn + ":log-stream:*"),
				}),
			}}),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("bedrock:GetModelInvocationLoggingConfiguration and config:PutEvaluations support no resource types (IAM service authorization reference), so their resource is *; " +
			"the log-stream wildcard covers the streams Lambda creates in the function's own log group only"),
		AppliesTo: &[]interface{}{"Resource::*", &cdknag.RegexAppliesTo{Regex: jsii.String(
			`/^Resource::arn:<AWS::Partition>:logs:.+:log-group:` + strings.ReplaceAll(regexp.QuoteMeta(logGroupName), "/", `\/`) + `:log-stream:\*$/`)}},
	}}, jsii.Bool(true))

	out.fn = awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		FunctionName: jsii.String(fnName),
		Description:  jsii.String("AWS Config rule " + prefix + "-invocation-logging: is Bedrock model-invocation logging on and delivering to the baseline's destinations?"),
		Runtime:      awslambda.Runtime_PYTHON_3_14(),
		Handler:      jsii.String("index.handler"),
		Code:         awslambda.Code_FromInline(jsii.String(HandlerSource)),
		Role:         role,
		LogGroup:     logGroup,
		Timeout:      awscdk.Duration_Seconds(jsii.Number(30)),
		MemorySize:   jsii.Number(128),
	})
	perm := awslambda.NewCfnPermission(c, jsii.String("ConfigInvoke"), &awslambda.CfnPermissionProps{
		Action:        jsii.String("lambda:InvokeFunction"),
		FunctionName:  out.fn.FunctionArn(),
		Principal:     jsii.String("config.amazonaws.com"),
		SourceAccount: stack.Account(),
	})

	params := RuleParameters(props.Expected)
	out.rule = awsconfig.NewCfnConfigRule(c, jsii.String("LoggingRule"), &awsconfig.CfnConfigRuleProps{
		ConfigRuleName: jsii.String(prefix + "-invocation-logging"),
		Description: jsii.String("NON_COMPLIANT when Amazon Bedrock model-invocation logging is off in this account and region, " +
			"or delivers to another S3 bucket, key prefix, log group or role than the bedrockgov baseline's (the annotation says what differs)"),
		InputParameters:           params,
		MaximumExecutionFrequency: jsii.String(freq),
		Source: &awsconfig.CfnConfigRule_SourceProperty{
			Owner:            jsii.String("CUSTOM_LAMBDA"),
			SourceIdentifier: out.fn.FunctionArn(),
			SourceDetails: &[]any{&awsconfig.CfnConfigRule_SourceDetailProperty{
				EventSource:               jsii.String("aws.config"),
				MessageType:               jsii.String("ScheduledNotification"),
				MaximumExecutionFrequency: jsii.String(freq),
			}},
		},
	})
	out.rule.Node().AddDependency(perm)

	names := make([]string, 0, len(props.Buckets))
	for k := range props.Buckets {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		b := props.Buckets[name]
		ns := constructs.NewConstruct(c, jsii.String(name))
		for _, r := range []struct{ id, identifier, suffix string }{
			{"SslRequestsOnly", BucketSSLOnly, "ssl-requests-only"},
			{"VersioningEnabled", BucketVersioning, "versioning-enabled"},
		} {
			ruleName := fmt.Sprintf("%s-%s-%s", prefix, kebab(name), r.suffix)
			out.managed[ruleName] = awsconfig.NewCfnConfigRule(ns, jsii.String(r.id), &awsconfig.CfnConfigRuleProps{
				ConfigRuleName: jsii.String(ruleName),
				Description:    jsii.String(fmt.Sprintf("AWS managed rule %s on the bedrockgov %s only", r.identifier, name)),
				Source:         &awsconfig.CfnConfigRule_SourceProperty{Owner: jsii.String("AWS"), SourceIdentifier: jsii.String(r.identifier)},
				Scope: &awsconfig.CfnConfigRule_ScopeProperty{
					ComplianceResourceTypes: jsii.Strings("AWS::S3::Bucket"),
					ComplianceResourceId:    b.BucketName(),
				},
			})
		}
	}
	return out
}

// kebab turns "LogBucket" into "log-bucket".
func kebab(s string) string {
	var out []rune
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				out = append(out, '-')
			}
			r += 'a' - 'A'
		}
		out = append(out, r)
	}
	return string(out)
}
