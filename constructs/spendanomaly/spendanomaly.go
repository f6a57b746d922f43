// Package spendanomaly watches the organization's spend with AWS Cost Anomaly Detection (in
// the management account, which sees every linked account) and alerts an SNS topic at once
// when an anomaly's impact reaches a percentage of the expected spend.
package spendanomaly

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsce"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// CostAlertsPrincipal is the service principal Cost Anomaly Detection publishes to SNS as.
const CostAlertsPrincipal = "costalerts.amazonaws.com"

// Monitor kinds.
const (
	// LinkedAccount: an AWS managed monitor that evaluates each linked account's spend.
	LinkedAccount = "LINKED_ACCOUNT"
	// Services: a customer managed monitor of the listed services' spend together.
	Services = "SERVICES"
)

// SpendAnomalyProps configures the monitor and its subscription.
type SpendAnomalyProps struct {
	// Name prefixes the monitor and subscription names. Default: "bedrockgov".
	Name *string
	// Kind of monitor: LinkedAccount or Services. Default: LinkedAccount.
	Kind string
	// Services watched when Kind is Services, as Cost Explorer names them. Default:
	// ["Amazon Bedrock"] (models billed through AWS Marketplace appear under their own
	// service names; list them too).
	Services []string
	// ImpactPercentage alerts when an anomaly's total impact is at least this percentage of
	// the expected spend. Default: 50.
	ImpactPercentage *float64
	// MinimumImpactDollars also requires this absolute impact, in USD (both must hold), so
	// tiny accounts do not alert on cents. Default: 0 (percentage only).
	MinimumImpactDollars *float64
	// Topic receives the alerts. Default: a new KMS-encrypted topic.
	Topic awssns.ITopic
	// Emails subscribed to the created topic. Ignored when Topic is given.
	Emails []string
}

// SpendAnomaly is the monitor, the subscription and the alert topic.
type SpendAnomaly interface {
	constructs.Construct
	Monitor() awsce.CfnAnomalyMonitor
	Subscription() awsce.CfnAnomalySubscription
	Topic() awssns.ITopic
}

type spendAnomaly struct {
	constructs.Construct
	monitor awsce.CfnAnomalyMonitor
	sub     awsce.CfnAnomalySubscription
	topic   awssns.ITopic
}

func (s *spendAnomaly) Monitor() awsce.CfnAnomalyMonitor           { return s.monitor }
func (s *spendAnomaly) Subscription() awsce.CfnAnomalySubscription { return s.sub }
func (s *spendAnomaly) Topic() awssns.ITopic                       { return s.topic }

// ThresholdExpression is the subscription's filter: impact percentage at least pct and, when
// dollars > 0, absolute impact at least dollars.
func ThresholdExpression(pct, dollars float64) string {
	dim := func(key string, v float64) map[string]any {
		return map[string]any{"Dimensions": map[string]any{
			"Key": key, "MatchOptions": []string{"GREATER_THAN_OR_EQUAL"}, "Values": []string{strconv.FormatFloat(v, 'f', -1, 64)},
		}}
	}
	var expr map[string]any = dim("ANOMALY_TOTAL_IMPACT_PERCENTAGE", pct)
	if dollars > 0 {
		expr = map[string]any{"And": []any{expr, dim("ANOMALY_TOTAL_IMPACT_ABSOLUTE", dollars)}}
	}
	b, _ := json.Marshal(expr)
	return string(b)
}

// NewSpendAnomaly creates the monitor, the alert topic (unless given) and an immediate
// subscription. It panics on out-of-range options.
func NewSpendAnomaly(scope constructs.Construct, id string, props *SpendAnomalyProps) SpendAnomaly {
	if props == nil {
		props = &SpendAnomalyProps{}
	}
	name := "bedrockgov"
	if props.Name != nil {
		name = *props.Name
	}
	pct := 50.0
	if props.ImpactPercentage != nil {
		pct = *props.ImpactPercentage
	}
	dollars := 0.0
	if props.MinimumImpactDollars != nil {
		dollars = *props.MinimumImpactDollars
	}
	if pct <= 0 || pct > 10_000 {
		panic(fmt.Errorf("spend anomaly: impact percentage %v must be above 0 and at most 10000", pct))
	}
	if dollars < 0 {
		panic(fmt.Errorf("spend anomaly: minimum impact %v dollars must not be negative", dollars))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	s := &spendAnomaly{Construct: c}

	monitor := &awsce.CfnAnomalyMonitorProps{MonitorName: jsii.String(name + "-spend")}
	switch props.Kind {
	case "", LinkedAccount:
		monitor.MonitorType = jsii.String("DIMENSIONAL")
		monitor.MonitorDimension = jsii.String("LINKED_ACCOUNT")
	case Services:
		services := props.Services
		if len(services) == 0 {
			services = []string{"Amazon Bedrock"}
		}
		spec, _ := json.Marshal(map[string]any{"Dimensions": map[string]any{"Key": "SERVICE", "Values": services, "MatchOptions": []string{"EQUALS"}}})
		monitor.MonitorType = jsii.String("CUSTOM")
		monitor.MonitorSpecification = jsii.String(string(spec))
	default:
		panic(fmt.Errorf("spend anomaly: monitor kind %q is not %s or %s", props.Kind, LinkedAccount, Services))
	}
	s.monitor = awsce.NewCfnAnomalyMonitor(c, jsii.String("Monitor"), monitor)

	s.topic = props.Topic
	if s.topic == nil {
		key := awskms.NewKey(c, jsii.String("TopicKey"), &awskms.KeyProps{
			Description:       jsii.String("Encrypts the " + name + " spend-anomaly alert topic"),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		})
		// Cost Anomaly Detection must encrypt what it publishes to the topic.
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CostAnomalyDetectionPublishes"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(CostAlertsPrincipal), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
		}), nil)
		topic := awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{
			DisplayName: jsii.String("bedrockgov spend anomalies (critical)"),
			MasterKey:   key,
			EnforceSSL:  jsii.Bool(true),
		})
		topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CostAnomalyDetectionPublishes"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(CostAlertsPrincipal), nil)},
			Actions:    jsii.Strings("sns:Publish"),
			Resources:  jsii.Strings(*topic.TopicArn()),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Stack_Of(c).Account()}},
		}))
		for _, e := range props.Emails {
			topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(e), nil))
		}
		s.topic = topic
	}
	s.sub = awsce.NewCfnAnomalySubscription(c, jsii.String("Subscription"), &awsce.CfnAnomalySubscriptionProps{
		SubscriptionName:    jsii.String(name + "-spend-critical"),
		Frequency:           jsii.String("IMMEDIATE"),
		MonitorArnList:      &[]any{s.monitor.AttrMonitorArn()},
		Subscribers:         []any{&awsce.CfnAnomalySubscription_SubscriberProperty{Type: jsii.String("SNS"), Address: s.topic.TopicArn()}},
		ThresholdExpression: jsii.String(ThresholdExpression(pct, dollars)),
	})
	// The subscription can only be created once the topic lets Cost Anomaly Detection publish.
	if t, ok := s.topic.(awssns.Topic); ok {
		s.sub.Node().AddDependency(t)
	}
	return s
}
