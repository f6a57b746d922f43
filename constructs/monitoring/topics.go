package monitoring

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/keys"
)

// AlarmPublishConditions are the confused-deputy conditions under which CloudWatch alarms of
// this account and region whose names match alarmNamePattern ("Bedrock-prod-*", "*") may
// publish to an alert topic and use its key.
func AlarmPublishConditions(stack awscdk.Stack, alarmNamePattern string) *map[string]any {
	return &map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": *stack.Account()},
		"ArnLike": map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s",
			*stack.Partition(), *stack.Region(), *stack.Account(), alarmNamePattern)},
	}
}

// NewTopicKey creates a customer-managed key with rotation for alert topics: grants only for AWS
// resources, and CloudWatch alarms may use it under conditions (AlarmPublishConditions).
func NewTopicKey(scope constructs.Construct, id, description string, conditions *map[string]any) awskms.Key {
	key := awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String(description),
		EnableKeyRotation: jsii.Bool(true),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
	})
	keys.DenyGrantsExceptForAWSResources(key)
	// CloudWatch alarms publish to encrypted topics with the service's own identity.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsToPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: conditions,
	}), jsii.Bool(false))
	return key
}

// NewAlertTopic creates a KMS-encrypted, TLS-only topic that CloudWatch alarms may publish to
// under conditions, with an email subscription per recipient (in sorted order).
func NewAlertTopic(scope constructs.Construct, id, displayName string, key awskms.IKey, conditions *map[string]any, emails []string) awssns.Topic {
	t := awssns.NewTopic(scope, jsii.String(id), &awssns.TopicProps{
		DisplayName: jsii.String(displayName),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// A topic policy replaces SNS's default one, so CloudWatch needs an explicit grant.
	t.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsToPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*t.TopicArn()),
		Conditions: conditions,
	}))
	list := append([]string(nil), emails...)
	sort.Strings(list)
	for _, e := range list {
		t.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(e), nil))
	}
	return t
}
