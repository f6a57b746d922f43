// Package loggingconfig puts Amazon Bedrock's model-invocation logging configuration with a
// CloudFormation custom resource, so an account is logging the moment its stack exists, with
// no tool run. CloudFormation has no resource for the configuration; the custom resource's
// code is inline (a CloudFormation ZipFile), because StackSets cannot carry CDK file assets.
//
// The function's role has a fixed name (naming.LoggingConfigRoleName) so the organization's
// service control policies can let exactly this role change the logging configuration.
package loggingconfig

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// HandlerCode is the custom resource's Python code, inlined into the template.
//
//go:embed handler.py
var HandlerCode string

// ResourceType is the CloudFormation type name of the custom resource.
const ResourceType = "Custom::BedrockInvocationLogging"

// Actions are exactly the IAM actions the handler calls. The IAM reference lists no resource
// types for them, so they can only be granted on "*".
var Actions = []string{
	"bedrock:DeleteModelInvocationLoggingConfiguration",
	"bedrock:GetModelInvocationLoggingConfiguration",
	"bedrock:PutModelInvocationLoggingConfiguration",
}

// DataTypes are the kinds of data the invocation logs carry.
type DataTypes struct {
	Text, Image, Embedding, Video, Audio bool
}

// LoggingConfigProps configures LoggingConfig.
type LoggingConfigProps struct {
	// BucketName is the S3 bucket Bedrock delivers logs (and large CloudWatch bodies) to.
	BucketName *string
	// KeyPrefix is the S3 key prefix, without leading or trailing slash.
	KeyPrefix *string
	// LogGroupName is the CloudWatch Logs log group.
	LogGroupName *string
	// DeliveryRole is the role Bedrock assumes to write to the log group.
	DeliveryRole awsiam.IRole
	// DataTypes to deliver. Default: text and embedding.
	DataTypes *DataTypes
	// RoleName of the function's role. Default: naming.LoggingConfigRoleName(<stack region>).
	RoleName *string
	// FunctionName of the function. Default: naming.LoggingConfigFunctionName, the name the
	// organization's SCPs protect from being changed or invoked by anyone but platform roles.
	FunctionName *string
	// EncryptionKey encrypts the function's log group; the construct lets CloudWatch Logs use
	// it for that log group only. Default: none (CloudWatch Logs' own encryption).
	EncryptionKey awskms.IKey
	// DependsOn are the resources the configuration needs in place first (bucket policy, key,
	// log group, delivery role and its policy). Default: none.
	DependsOn []constructs.IDependable
}

// LoggingConfig is the custom resource and its function.
type LoggingConfig interface {
	constructs.IConstruct
	// Function runs the handler.
	Function() awslambda.IFunction
	// Role is the function's role, the one principal that changes the logging configuration.
	Role() awsiam.IRole
	// Resource is the custom resource.
	Resource() awscdk.CustomResource
}

type loggingConfig struct {
	constructs.Construct
	fn   awslambda.IFunction
	role awsiam.IRole
	res  awscdk.CustomResource
}

func (l *loggingConfig) Function() awslambda.IFunction   { return l.fn }
func (l *loggingConfig) Role() awsiam.IRole              { return l.role }
func (l *loggingConfig) Resource() awscdk.CustomResource { return l.res }

// NewLoggingConfig creates the function, its role and log group, and the custom resource.
func NewLoggingConfig(scope constructs.Construct, id string, props *LoggingConfigProps) LoggingConfig {
	if props == nil || props.BucketName == nil || props.KeyPrefix == nil || props.LogGroupName == nil || props.DeliveryRole == nil {
		panic("loggingconfig: BucketName, KeyPrefix, LogGroupName and DeliveryRole are required")
	}
	if p := *props.KeyPrefix; p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		panic(fmt.Sprintf("loggingconfig: key prefix %q must be non-empty with no leading or trailing slash", p))
	}
	types := DataTypes{Text: true, Embedding: true}
	if props.DataTypes != nil {
		types = *props.DataTypes
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	roleName := props.RoleName
	if roleName == nil {
		roleName = jsii.String(naming.LoggingConfigRoleName(*stack.Region()))
	}

	functionName := props.FunctionName
	if functionName == nil {
		functionName = jsii.String(naming.LoggingConfigFunctionName)
	}
	// The log group is kept when the stack is deleted, so its name carries the stack's unique
	// ID: a stack created again later gets a new group instead of failing on the kept one. The
	// name is known before the group exists, so the key policy can name it without a cycle.
	stackUUID := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), awscdk.Aws_STACK_ID(), nil))
	logGroupName := fmt.Sprintf("/aws/lambda/%s-%s", *functionName, *stackUUID)
	logGroup := awslogs.NewLogGroup(c, jsii.String("FunctionLogs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(logGroupName),
		Retention:     awslogs.RetentionDays_ONE_YEAR,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		EncryptionKey: props.EncryptionKey,
	})
	if props.EncryptionKey != nil {
		props.EncryptionKey.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowCloudWatchLogsForTheLoggingConfigurationFunction"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", *stack.Region())), nil)},
			Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{
				"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", *stack.Partition(), *stack.Region(), *stack.Account(), logGroupName)},
			},
		}), jsii.Bool(false))
		logGroup.Node().AddDependency(props.EncryptionKey)
	}
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		RoleName:    roleName,
		Description: jsii.String("Puts and deletes the Amazon Bedrock model-invocation logging configuration of this account and region (bedrockgov member baseline)"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"InvocationLoggingConfiguration": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{
					awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
						Sid:       jsii.String("ManageTheLoggingConfiguration"),
						Actions:   jsii.Strings(Actions...),
						Resources: jsii.Strings("*"),
					}),
					awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
						Sid:       jsii.String("WriteOwnLogs"),
						Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
						Resources: jsii.Strings(*logGroup.LogGroupArn() + ":*"),
					}),
				},
			}),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("Bedrock's Get/Put/DeleteModelInvocationLoggingConfiguration have no resource types in the IAM reference, so '*' is the only resource they accept; " +
			"the log-stream wildcard is limited to the function's own log group"),
		AppliesTo: &[]interface{}{"Resource::*", "Resource::<" + *stack.GetLogicalId(logGroup.Node().DefaultChild().(awslogs.CfnLogGroup)) + ".Arn>:*"},
	}}, jsii.Bool(true))

	fn := awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		FunctionName: functionName,
		Description:  jsii.String("bedrockgov: puts the Amazon Bedrock model-invocation logging configuration"),
		Runtime:      awslambda.Runtime_PYTHON_3_14(),
		Handler:      jsii.String("index.handler"),
		Code:         awslambda.Code_FromInline(jsii.String(HandlerCode)),
		Role:         role,
		Timeout:      awscdk.Duration_Minutes(jsii.Number(5)),
		MemorySize:   jsii.Number(128),
		LogGroup:     logGroup,
	})

	properties := map[string]any{
		"BucketName":   *props.BucketName,
		"KeyPrefix":    *props.KeyPrefix,
		"LogGroupName": *props.LogGroupName,
		"RoleArn":      *props.DeliveryRole.RoleArn(),
	}
	for name, on := range types.asMap() {
		properties[name] = fmt.Sprint(on)
	}
	res := awscdk.NewCustomResource(c, jsii.String("Resource"), &awscdk.CustomResourceProps{
		ServiceToken: fn.FunctionArn(),
		ResourceType: jsii.String(ResourceType),
		Properties:   &properties,
	})
	// The function's permissions must exist before it runs, and again until it has deleted the
	// configuration on stack deletion.
	res.Node().AddDependency(role)
	for _, d := range props.DependsOn {
		res.Node().AddDependency(d)
	}
	return &loggingConfig{Construct: c, fn: fn, role: role, res: res}
}

// asMap returns the data types keyed as the handler reads them.
func (d DataTypes) asMap() map[string]bool {
	return map[string]bool{"text": d.Text, "image": d.Image, "embedding": d.Embedding, "video": d.Video, "audio": d.Audio}
}
