package stacks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/archive"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/constructs/orgdashboards"
	"github.com/bedrockgov/bedrockgov/constructs/querylayer"
	"github.com/bedrockgov/bedrockgov/constructs/weeklysummary"
)

// Stable output keys of the hub stack.
const (
	OutputArchiveBucketName  = "ArchiveBucketName"
	OutputArchiveKeyArn      = "ArchiveKeyArn"
	OutputAthenaWorkgroup    = "AthenaWorkgroup"
	OutputGlueDatabase       = "GlueDatabase"
	OutputGlueTable          = "GlueTable"
	OutputHubCriticalTopic   = "HubCriticalTopicArn"
	OutputHubWarningTopic    = "HubWarningTopicArn"
	OutputHubInfoTopic       = "HubInfoTopicArn"
	OutputAthenaResultBucket = "AthenaResultsBucketName"
	OutputOamSinkArn         = "OamSinkArn"
)

// HubSeverities are the hub's alert severities, most urgent first (one SNS topic each).
var HubSeverities = []string{"critical", "warning", "info"}

// HubStackProps configures a hub stack (one per hub region).
type HubStackProps struct {
	awscdk.StackProps
	// Archive configures the invocation-log archive (OrganizationID is required).
	Archive *archive.ArchiveProps
	// Query configures the Athena query layer; its ArchiveBucket is set by the stack.
	Query *querylayer.QueryLayerProps
	// AlertEmails are the recipients per severity ("critical", "warning", "info").
	AlertEmails map[string][]string
	// Home marks the hub's home region: it also gets the AWS Config organization aggregator
	// and the weekly usage summary. Default: false.
	Home bool
	// Dashboards configures the organization dashboards and alarms; OrganizationID and the
	// topics are set by the stack.
	Dashboards *orgdashboards.OrgDashboardsProps
	// WeeklySummarySchedule is the summary's EventBridge Scheduler expression. Default: the
	// construct's (Mondays 08:00 UTC).
	WeeklySummarySchedule *string
	// Tags are applied to every resource in the stack.
	Tags map[string]string
}

// HubStack is the hub account's stack of one region.
type HubStack struct {
	awscdk.Stack
	Archive archive.Archive
	Query   querylayer.QueryLayer
	// Topics are the hub's alert topics by severity.
	Topics map[string]awssns.ITopic
	// TopicKey encrypts the topics.
	TopicKey awskms.IKey
	// Dashboards are the OAM sink, the organization dashboards and alarms.
	Dashboards orgdashboards.OrgDashboards
}

// NewHubStack creates the hub stack of one region: the archive, the query layer and the alert
// topics.
func NewHubStack(scope constructs.Construct, id string, props *HubStackProps) *HubStack {
	if props == nil {
		props = &HubStackProps{}
	}
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("bedrockgov hub: organization invocation-log archive (Object Lock), Athena query layer, organization dashboards and alerts")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	h := &HubStack{Stack: stack, Topics: map[string]awssns.ITopic{}}

	h.Archive = archive.NewArchive(stack, "Archive", props.Archive)
	q := querylayer.QueryLayerProps{}
	if props.Query != nil {
		q = *props.Query
	}
	q.ArchiveBucket = h.Archive.Bucket()
	if q.KeyPrefix == nil {
		q.KeyPrefix = jsii.String(h.Archive.KeyPrefix())
	}
	h.Query = querylayer.NewQueryLayer(stack, "Query", &q)

	h.TopicKey, h.Topics = newAlertTopics(stack, props.AlertEmails)

	d := orgdashboards.OrgDashboardsProps{}
	if props.Dashboards != nil {
		d = *props.Dashboards
	}
	d.OrganizationID = props.Archive.OrganizationID
	d.ArchiveBucketName = h.Archive.Bucket().BucketName()
	d.CriticalTopic, d.WarningTopic = h.Topics["critical"], h.Topics["warning"]
	h.Dashboards = orgdashboards.NewOrgDashboards(stack, "Organization", &d)
	awscdk.NewCfnOutput(stack, jsii.String(OutputOamSinkArn), &awscdk.CfnOutputProps{
		Value:       h.Dashboards.Sink().AttrArn(),
		Description: jsii.String("CloudWatch cross-account observability sink: set it as hub.oamSinkArns." + *stack.Region() + " so member stacks link to it"),
	})

	if props.Home {
		newOrganizationAggregator(stack)
	}
	// Every hub region sends its own summary: a region's archive holds that region's logs only.
	{
		weeklysummary.NewWeeklySummary(stack, "WeeklySummary", &weeklysummary.WeeklySummaryProps{
			QueryString:   h.Query.Queries()[querylayer.WeeklyUsageID],
			Database:      h.Query.DatabaseName(),
			Table:         h.Query.TableName(),
			Workgroup:     h.Query.WorkgroupName(),
			ArchiveBucket: h.Archive.Bucket(),
			ArchiveKey:    h.Archive.Key(),
			ResultsBucket: h.Query.ResultsBucket(),
			ResultsKey:    h.Query.ResultsKey(),
			Topic:         h.Topics["info"],
			TopicKey:      h.TopicKey,
			Schedule:      props.WeeklySummarySchedule,
			Coverage:      jsii.String(summaryCoverage(*stack.Region(), props.Query)),
			LogKey:        h.Query.ResultsKey(),
		})
	}

	output := func(key, value, description string) {
		awscdk.NewCfnOutput(stack, jsii.String(key), &awscdk.CfnOutputProps{Value: jsii.String(value), Description: jsii.String(description)})
	}
	output(OutputArchiveBucketName, *h.Archive.Bucket().BucketName(), "S3 archive of the organization's Bedrock invocation logs")
	output(OutputArchiveKeyArn, *h.Archive.Key().KeyArn(), "KMS key of the archive")
	output(OutputGlueDatabase, h.Query.DatabaseName(), "Glue database of the invocation-log table")
	output(OutputGlueTable, h.Query.TableName(), "Glue table over the archive (partition projection)")
	output(OutputAthenaWorkgroup, h.Query.WorkgroupName(), "Athena workgroup for invocation-log queries")
	output(OutputAthenaResultBucket, *h.Query.ResultsBucket().BucketName(), "S3 bucket of Athena query results")
	output(OutputHubCriticalTopic, *h.Topics["critical"].TopicArn(), "SNS topic of organization-level critical alarms")
	output(OutputHubWarningTopic, *h.Topics["warning"].TopicArn(), "SNS topic of organization-level warning alarms")
	output(OutputHubInfoTopic, *h.Topics["info"].TopicArn(), "SNS topic of organization-level info alarms and the weekly usage summary")

	keys := make([]string, 0, len(props.Tags))
	for k := range props.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		awscdk.Tags_Of(stack).Add(jsii.String(k), jsii.String(props.Tags[k]), nil)
	}
	return h
}

// newAlertTopics creates the hub's KMS-encrypted, TLS-only alert topics. CloudWatch alarms of
// this account and region may publish (the alarms name no fixed prefix here: every alarm of
// the hub account in this region is the platform team's).
func newAlertTopics(stack awscdk.Stack, emails map[string][]string) (awskms.IKey, map[string]awssns.ITopic) {
	c := constructs.NewConstruct(stack, jsii.String("Alerts"))
	conditions := monitoring.AlarmPublishConditions(stack, "*")
	key := monitoring.NewTopicKey(c, "TopicKey", "Encrypts the bedrockgov hub alert topics", conditions)
	topics := map[string]awssns.ITopic{}
	for _, s := range HubSeverities {
		topics[s] = monitoring.NewAlertTopic(c, s, "bedrockgov hub "+s+" alerts", key, conditions, emails[s])
	}
	return key, topics
}

// OrganizationAggregatorName is the AWS Config aggregator of the hub's home region.
const OrganizationAggregatorName = "bedrockgov-organization"

// newOrganizationAggregator creates the AWS Config aggregator over every account and region of
// the organization, so the member compliance rules' results are visible in the hub. The hub
// account must be the organization's management account or a delegated administrator for
// AWS Config (config.amazonaws.com).
func newOrganizationAggregator(stack awscdk.Stack) {
	c := constructs.NewConstruct(stack, jsii.String("Compliance"))
	role := awsiam.NewRole(c, jsii.String("AggregatorRole"), &awsiam.RoleProps{
		Description: jsii.String("Assumed by AWS Config to read the organization's accounts for the bedrockgov aggregator"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("config.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AWSConfigRoleForOrganizations")),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("AWSConfigRoleForOrganizations is the AWS-managed policy AWS Config documents for organization aggregators (read-only organizations:List*/Describe* calls, kept current by AWS)."),
		AppliesTo: &[]any{jsii.String("Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSConfigRoleForOrganizations")},
	}}, jsii.Bool(false))
	agg := awsconfig.NewCfnConfigurationAggregator(c, jsii.String("Aggregator"), &awsconfig.CfnConfigurationAggregatorProps{
		ConfigurationAggregatorName: jsii.String(OrganizationAggregatorName),
		OrganizationAggregationSource: &awsconfig.CfnConfigurationAggregator_OrganizationAggregationSourceProperty{
			RoleArn:       role.RoleArn(),
			AllAwsRegions: jsii.Bool(true),
		},
	})
	agg.Node().AddDependency(role)
}

// summaryCoverage names what a region's weekly summary reads: that region's archive and the
// accounts its query names (Athena needs the injected account partition spelled out).
func summaryCoverage(region string, q *querylayer.QueryLayerProps) string {
	var accounts []string
	if q != nil {
		accounts = q.Accounts
	}
	if len(accounts) == 0 {
		return "region " + region
	}
	return fmt.Sprintf("region %s, accounts %s", region, strings.Join(accounts, ", "))
}
