package stacks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/budget"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/compliance"
	"github.com/bedrockgov/bedrockgov/constructs/endpoints"
	"github.com/bedrockgov/bedrockgov/constructs/guardrail"
	"github.com/bedrockgov/bedrockgov/constructs/invocationlogging"
	"github.com/bedrockgov/bedrockgov/constructs/monitoring"
	"github.com/bedrockgov/bedrockgov/stacks"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

const homeRegion = "us-east-1"

func fullAdditions() *stacks.MemberAdditions {
	return &stacks.MemberAdditions{
		Budget: &budget.BudgetProps{MonthlyLimitUSD: 1500, HomeRegion: jsii.String(homeRegion), BudgetName: jsii.String("bedrockgov-prod-bedrock-monthly")},
		Guardrail: &stacks.GuardrailSettings{
			GuardrailProps: guardrail.GuardrailProps{
				Name:            jsii.String("bedrockgov-prod"),
				ContentFilters:  map[string]string{"HATE": "HIGH", "INSULTS": "MEDIUM"},
				PIIEntities:     map[string]string{"US_SOCIAL_SECURITY_NUMBER": "BLOCK", "CREDIT_DEBIT_CARD_NUMBER": "BLOCK", "EMAIL": "ANONYMIZE"},
				DeniedTopics:    []guardrail.DeniedTopic{{Name: "Investment advice", Definition: "Recommendations on securities to buy or sell.", Examples: []string{"Which stock should I buy?"}}},
				ProfanityFilter: true,
				Enforce:         &guardrail.Enforcement{},
			},
			InterventionsPer5Min: 7,
		},
		Compliance: &compliance.ComplianceProps{},
		Endpoints: &endpoints.EndpointsProps{
			VpcID: "vpc-0123456789abcdef0", SubnetIDs: []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"},
			SecurityGroupIDs: []string{"sg-0123456789abcdef0"}, OrganizationID: "o-exampleorg1", Region: jsii.String(homeRegion),
		},
	}
}

// memberWith synthesizes member stacks of one app: one per region given ("" = environment-agnostic).
func memberWith(t *testing.T, a func() *stacks.MemberAdditions, regions ...string) ([]*stacks.MemberStack, []*cdkassert.Template) {
	t.Helper()
	var ss []*stacks.MemberStack
	var tpls []*cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		for _, r := range regions {
			sp := awscdk.StackProps{}
			name := "BedrockMember-prod-agnostic"
			if r != "" {
				sp.Env = &awscdk.Environment{Account: jsii.String("333333333333"), Region: jsii.String(r)}
				name = "BedrockMember-prod-" + r
			}
			ss = append(ss, stacks.NewMemberStack(app, name, &stacks.MemberStackProps{
				StackProps:      sp,
				EnvironmentName: "prod",
				Logging:         &invocationlogging.InvocationLoggingProps{KeyPrefix: jsii.String("org-logs")},
				Monitoring:      &monitoring.MonitoringProps{AlarmNamePrefix: jsii.String("Bedrock-prod-" + r), MonitoredModels: []string{"amazon.nova-micro-v1:0"}, AlertEmails: map[monitoring.Severity][]string{monitoring.Critical: {"a@example.com"}}},
				Tags:            tags,
				Additions:       forRegion(a(), r),
			}))
		}
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
		for _, s := range ss {
			tpls = append(tpls, cdkassert.Synth(t, s.Stack))
		}
	})
	return ss, tpls
}

// evalCondition evaluates a CloudFormation condition expression the way CloudFormation does
// for the intrinsic functions the templates use (Fn::Equals, Fn::And, Fn::Or, Fn::Not,
// Condition, Ref to AWS::Region).
func evalCondition(t *testing.T, tpl *cdkassert.Template, expr any, region string) bool {
	t.Helper()
	value := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			if m["Ref"] == "AWS::Region" {
				return region
			}
			t.Fatalf("unsupported value in condition: %v", cdkassert.JSON(v))
		}
		return fmt.Sprint(v)
	}
	m, ok := expr.(map[string]any)
	if !ok {
		t.Fatalf("condition is not an object: %v", expr)
	}
	switch {
	case m["Fn::Equals"] != nil:
		args := m["Fn::Equals"].([]any)
		return value(args[0]) == value(args[1])
	case m["Fn::Not"] != nil:
		return !evalCondition(t, tpl, m["Fn::Not"].([]any)[0], region)
	case m["Fn::And"] != nil:
		for _, c := range m["Fn::And"].([]any) {
			if !evalCondition(t, tpl, c, region) {
				return false
			}
		}
		return true
	case m["Fn::Or"] != nil:
		for _, c := range m["Fn::Or"].([]any) {
			if evalCondition(t, tpl, c, region) {
				return true
			}
		}
		return false
	case m["Condition"] != nil:
		return evalCondition(t, tpl, tpl.Raw["Conditions"].(map[string]any)[m["Condition"].(string)], region)
	}
	t.Fatalf("unsupported condition %v", cdkassert.JSON(expr))
	return false
}

// created reports whether CloudFormation would create the resource in the region.
func created(t *testing.T, tpl *cdkassert.Template, logicalID, region string) bool {
	t.Helper()
	raw := tpl.Raw["Resources"].(map[string]any)[logicalID].(map[string]any)
	cond, ok := raw["Condition"].(string)
	if !ok {
		return true
	}
	return evalCondition(t, tpl, tpl.Raw["Conditions"].(map[string]any)[cond], region)
}

func TestBudgetIsCreatedOncePerAccountInTheHomeRegionOnly(t *testing.T) {
	// The same account in its home region, a second region, and the environment-agnostic
	// template a StackSet deploys to every region.
	_, tpls := memberWith(t, fullAdditions, homeRegion, "us-west-2", "")
	deployments := []struct {
		tpl    *cdkassert.Template
		region string
	}{{tpls[0], homeRegion}, {tpls[1], "us-west-2"}, {tpls[2], homeRegion}, {tpls[2], "eu-west-1"}, {tpls[2], "us-west-2"}}
	var budgets []string
	for _, d := range deployments {
		id, _ := d.tpl.One(t, "AWS::Budgets::Budget")
		if created(t, d.tpl, id, d.region) {
			budgets = append(budgets, d.region)
		}
		out, ok := d.tpl.Outputs[stacks.OutputBudgetName]
		if !ok || out["Condition"] == nil {
			t.Errorf("budget output must exist and carry the same condition: %v", out)
		}
	}
	// One per account: the explicit home-region stack, and the StackSet instance in the home region.
	if strings.Join(budgets, ",") != homeRegion+","+homeRegion {
		t.Errorf("budget created in %v; want only the home region %s (once per deployment method)", budgets, homeRegion)
	}
}

func TestBudgetAlertsThroughSeverityTopicsAndCountsBedrock(t *testing.T) {
	_, tpls := memberWith(t, fullAdditions, homeRegion)
	tpl := tpls[0]
	_, b := tpl.One(t, "AWS::Budgets::Budget")
	data := b.Properties["Budget"].(map[string]any)
	if data["BudgetType"] != "COST" || data["TimeUnit"] != "MONTHLY" || cdkassert.JSON(data["BudgetLimit"]) != `{"Amount":1500,"Unit":"USD"}` {
		t.Errorf("budget = %s", cdkassert.JSON(data))
	}
	if got := cdkassert.JSON(data["CostFilters"]); got != `{"Service":["Amazon Bedrock"]}` {
		t.Errorf("cost filter = %s", got)
	}
	topics := map[string]string{}
	ids, rs := tpl.OfType("AWS::SNS::Topic")
	for i, r := range rs {
		topics[ids[i]] = r.Properties["DisplayName"].(string)
	}
	var got []string
	for _, n := range b.Properties["NotificationsWithSubscribers"].([]any) {
		nm := n.(map[string]any)
		note := nm["Notification"].(map[string]any)
		subs := nm["Subscribers"].([]any)
		if len(subs) != 1 {
			t.Fatalf("want one subscriber per notification: %v", subs)
		}
		sub := subs[0].(map[string]any)
		ref, _ := sub["Address"].(map[string]any)["Ref"].(string)
		if sub["SubscriptionType"] != "SNS" || topics[ref] == "" {
			t.Fatalf("subscriber is not one of the stack's topics: %v", sub)
		}
		sev := strings.Fields(topics[ref])[1]
		got = append(got, fmt.Sprintf("%v %v%% %v -> %s", note["NotificationType"], note["Threshold"], note["ThresholdType"], sev))
		if note["ComparisonOperator"] != "GREATER_THAN" {
			t.Errorf("operator %v", note["ComparisonOperator"])
		}
	}
	want := "ACTUAL 80% PERCENTAGE -> warning|ACTUAL 100% PERCENTAGE -> critical|FORECASTED 100% PERCENTAGE -> warning"
	if strings.Join(got, "|") != want {
		t.Errorf("notifications:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	// Topic policies of both alert topics and their key admit AWS Budgets for this account only.
	_, policies := tpl.OfType("AWS::SNS::TopicPolicy")
	grants := 0
	for _, p := range policies {
		for _, s := range cdkassert.Statements(p.Properties["PolicyDocument"]) {
			if s["Sid"] != "AllowBudgetsToPublish" {
				continue
			}
			grants++
			if cdkassert.JSON(s["Principal"]) != `{"Service":"budgets.amazonaws.com"}` || s["Action"] != "sns:Publish" ||
				!cdkassert.Contains(cdkassert.JSON(s["Condition"]), `"aws:SourceAccount":"333333333333"`, `"aws:SourceArn":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":budgets::333333333333:*"]]}`) {
				t.Errorf("budgets topic statement = %s", cdkassert.JSON(s))
			}
		}
	}
	if grants != 2 {
		t.Errorf("want the critical and warning topic policies to admit AWS Budgets, found %d statements", grants)
	}
	keyIDs, keys := tpl.OfType("AWS::KMS::Key")
	found := false
	for i, k := range keys {
		for _, s := range cdkassert.Statements(k.Properties["KeyPolicy"]) {
			if s["Sid"] == "AllowBudgetsToPublishToEncryptedTopics" {
				found = true
				if !cdkassert.Contains(cdkassert.JSON(s), `"Service":"budgets.amazonaws.com"`, `"kms:Decrypt"`, `"kms:GenerateDataKey*"`, `"aws:SourceArn":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":budgets::333333333333:*"]]}`) {
					t.Errorf("%s budgets key statement = %s", keyIDs[i], cdkassert.JSON(s))
				}
			}
		}
	}
	if !found {
		t.Error("the topic key's policy does not let AWS Budgets publish to the encrypted topics")
	}
}

func TestMemberAdditionsNagClean(t *testing.T) {
	ss, _ := memberWith(t, fullAdditions, homeRegion, "")
	for _, s := range ss {
		if errs := cdkassert.NagErrors(t, s.Stack); len(errs) != 0 {
			t.Errorf("%s: unsuppressed cdk-nag findings:\n%s", *s.StackName(), strings.Join(errs, "\n"))
		}
	}
}

func TestGuardrailBlocksTheConfiguredPIIAndFiltersAsConfigured(t *testing.T) {
	_, tpls := memberWith(t, fullAdditions, homeRegion)
	tpl := tpls[0]
	gid, g := tpl.One(t, "AWS::Bedrock::Guardrail")
	p := g.Properties
	if p["Name"] != "bedrockgov-prod" || p["BlockedInputMessaging"] == nil || p["BlockedOutputsMessaging"] == nil {
		t.Errorf("guardrail = %s", cdkassert.JSON(p))
	}
	// Every configured PII entity gets its action on prompts and on responses.
	pii := map[string]string{}
	for _, e := range p["SensitiveInformationPolicyConfig"].(map[string]any)["PiiEntitiesConfig"].([]any) {
		m := e.(map[string]any)
		if m["InputAction"] != m["Action"] || m["OutputAction"] != m["Action"] || m["InputEnabled"] != true || m["OutputEnabled"] != true {
			t.Errorf("PII entity %v not applied to both directions: %s", m["Type"], cdkassert.JSON(m))
		}
		pii[m["Type"].(string)] = m["Action"].(string)
	}
	want := map[string]string{"US_SOCIAL_SECURITY_NUMBER": "BLOCK", "CREDIT_DEBIT_CARD_NUMBER": "BLOCK", "EMAIL": "ANONYMIZE"}
	if cdkassert.JSON(pii) != cdkassert.JSON(want) {
		t.Errorf("PII entities = %v, want %v", pii, want)
	}
	filters := map[string]string{}
	for _, f := range p["ContentPolicyConfig"].(map[string]any)["FiltersConfig"].([]any) {
		m := f.(map[string]any)
		filters[m["Type"].(string)] = fmt.Sprintf("%v/%v", m["InputStrength"], m["OutputStrength"])
	}
	// The prompt-attack filter defaults to HIGH on prompts; AWS requires NONE on responses.
	if cdkassert.JSON(filters) != `{"HATE":"HIGH/HIGH","INSULTS":"MEDIUM/MEDIUM","PROMPT_ATTACK":"HIGH/NONE"}` {
		t.Errorf("content filters = %v", filters)
	}
	if got := cdkassert.JSON(p["WordPolicyConfig"]); got != `{"ManagedWordListsConfig":[{"Type":"PROFANITY"}]}` {
		t.Errorf("word policy = %s", got)
	}
	topic := p["TopicPolicyConfig"].(map[string]any)["TopicsConfig"].([]any)[0].(map[string]any)
	if topic["Type"] != "DENY" || topic["Name"] != "Investment advice" || topic["InputEnabled"] != true || topic["OutputEnabled"] != true {
		t.Errorf("denied topic = %s", cdkassert.JSON(topic))
	}
	// Encrypted with the environment's (invocation-logging) key.
	keyIDs, _ := tpl.OfType("AWS::KMS::Key")
	var logKey string
	for _, id := range keyIDs {
		if strings.HasPrefix(id, "InvocationLogging") {
			logKey = id
		}
	}
	if got := cdkassert.JSON(p["KmsKeyArn"]); got != `{"Fn::GetAtt":["`+logKey+`","Arn"]}` {
		t.Errorf("guardrail key = %s, want the invocation-logging key %s", got, logKey)
	}
	key := tpl.Resources[logKey].Properties["KeyPolicy"]
	use := cdkassert.StatementBySid(t, key, "AllowBedrockGuardrailsUseInThisAccount")
	grant := cdkassert.StatementBySid(t, key, "AllowBedrockGuardrailsGrantsInThisAccount")
	if !cdkassert.Contains(cdkassert.JSON(use), `"kms:CallerAccount":"333333333333"`, `"kms:ViaService":"bedrock.us-east-1.amazonaws.com"`, `"kms:Decrypt"`, `"kms:GenerateDataKey"`, `"kms:DescribeKey"`) {
		t.Errorf("key use statement = %s", cdkassert.JSON(use))
	}
	if !cdkassert.Contains(cdkassert.JSON(grant), `"kms:CreateGrant"`, `"kms:GrantIsForAWSResource":"true"`, `"kms:ViaService":"bedrock.us-east-1.amazonaws.com"`) {
		t.Errorf("key grant statement = %s", cdkassert.JSON(grant))
	}
	// A numbered version of this guardrail, kept when replaced; enforcement pins that version.
	_, v := tpl.One(t, "AWS::Bedrock::GuardrailVersion")
	if cdkassert.JSON(v.Properties["GuardrailIdentifier"]) != `{"Fn::GetAtt":["`+gid+`","GuardrailId"]}` || v.UpdateReplace != "Retain" {
		t.Errorf("version = %s (update-replace %q)", cdkassert.JSON(v.Properties), v.UpdateReplace)
	}
	vid, _ := tpl.One(t, "AWS::Bedrock::GuardrailVersion")
	_, en := tpl.One(t, "AWS::Bedrock::EnforcedGuardrailConfiguration")
	if cdkassert.JSON(en.Properties["GuardrailIdentifier"]) != `{"Fn::GetAtt":["`+gid+`","GuardrailArn"]}` ||
		cdkassert.JSON(en.Properties["GuardrailVersion"]) != `{"Fn::GetAtt":["`+vid+`","Version"]}` ||
		cdkassert.JSON(en.Properties["SelectiveContentGuarding"]) != `{"Messages":"COMPREHENSIVE","System":"SELECTIVE"}` ||
		cdkassert.JSON(en.Properties["ModelEnforcement"]) != `{"ExcludedModels":[],"IncludedModels":["ALL"]}` {
		t.Errorf("enforcement = %s", cdkassert.JSON(en.Properties))
	}
	// Published for applications like the logging destinations.
	params := map[string]string{}
	_, ps := tpl.OfType("AWS::SSM::Parameter")
	for _, sp := range ps {
		params[sp.Properties["Name"].(string)] = cdkassert.JSON(sp.Properties["Value"])
	}
	for name, val := range map[string]string{
		naming.GuardrailIDParam:      `{"Fn::GetAtt":["` + gid + `","GuardrailId"]}`,
		naming.GuardrailArnParam:     `{"Fn::GetAtt":["` + gid + `","GuardrailArn"]}`,
		naming.GuardrailVersionParam: `{"Fn::GetAtt":["` + vid + `","Version"]}`,
	} {
		if params[name] != val {
			t.Errorf("SSM %s = %s, want %s", name, params[name], val)
		}
	}
	for _, k := range []string{stacks.OutputGuardrailID, stacks.OutputGuardrailArn, stacks.OutputGuardrailVersion} {
		if tpl.Outputs[k] == nil {
			t.Errorf("output %s missing", k)
		}
	}
}

// Metric names and dimension sets AWS publishes in AWS/Bedrock/Guardrails (Bedrock user guide,
// "Monitor Amazon Bedrock Guardrails using CloudWatch metrics").
var guardrailMetrics = map[string]bool{"Invocations": true, "InvocationLatency": true, "InvocationClientErrors": true,
	"InvocationServerErrors": true, "InvocationThrottles": true, "TextUnitCount": true, "InvocationsIntervened": true}

func TestGuardrailInterventionAlarmIsCriticalOnAPublishedMetric(t *testing.T) {
	_, tpls := memberWith(t, fullAdditions, homeRegion)
	tpl := tpls[0]
	gid, _ := tpl.One(t, "AWS::Bedrock::Guardrail")
	var alarm *cdkassert.Resource
	ids, alarms := tpl.OfType("AWS::CloudWatch::Alarm")
	for i := range alarms {
		if strings.Contains(ids[i], "Guardrail") {
			alarm = &alarms[i]
		}
	}
	if alarm == nil {
		t.Fatal("no guardrail alarm")
	}
	p := alarm.Properties
	if p["AlarmName"] != "Bedrock-prod-us-east-1-critical-GuardrailInterventions" || p["Threshold"] != float64(7) || p["ComparisonOperator"] != "GreaterThanThreshold" {
		t.Errorf("alarm = %s", cdkassert.JSON(p))
	}
	topicIDs, topics := tpl.OfType("AWS::SNS::Topic")
	var critical string
	for i, tp := range topics {
		if strings.HasSuffix(tp.Properties["DisplayName"].(string), "critical alerts") {
			critical = topicIDs[i]
		}
	}
	if cdkassert.JSON(p["AlarmActions"]) != `[{"Ref":"`+critical+`"}]` || cdkassert.JSON(p["OKActions"]) != `[{"Ref":"`+critical+`"}]` {
		t.Errorf("alarm must notify the critical topic on alarm and recovery: %s %s", cdkassert.JSON(p["AlarmActions"]), cdkassert.JSON(p["OKActions"]))
	}
	metrics := p["Metrics"].([]any)
	if len(metrics) != 1 {
		t.Fatalf("want one Metrics Insights query, got %s", cdkassert.JSON(metrics))
	}
	expr := cdkassert.JSON(metrics[0].(map[string]any)["Expression"])
	// SELECT SUM(<metric>) FROM SCHEMA("AWS/Bedrock/Guardrails", GuardrailArn, GuardrailVersion) WHERE GuardrailArn = '<this guardrail>'
	if !cdkassert.Contains(expr, `SELECT SUM(InvocationsIntervened) FROM SCHEMA(\"AWS/Bedrock/Guardrails\", GuardrailArn, GuardrailVersion) WHERE GuardrailArn = '`, `{"Fn::GetAtt":["`+gid+`","GuardrailArn"]}`) {
		t.Errorf("alarm query = %s", expr)
	}
	if !guardrailMetrics[guardrail.MetricInvocationsIntervened] {
		t.Error("alarm metric is not one AWS publishes")
	}
	dash := cdkassert.JSON(tpl.Resources[func() string { id, _ := tpl.One(t, "AWS::CloudWatch::Dashboard"); return id }()].Properties["DashboardBody"])
	for _, dim := range []string{guardrail.DimPolicyType, guardrail.DimContentSource} {
		want := `SEARCH('Namespace=\\\"AWS/Bedrock/Guardrails\\\" MetricName=\\\"InvocationsIntervened\\\" ` + dim + `', 'Sum', 300)`
		if !strings.Contains(dash, want) {
			t.Errorf("dashboard lacks interventions by %s (%s)", dim, want)
		}
	}
}

func TestGuardrailVersionFollowsTheConfiguration(t *testing.T) {
	desc := func(pii map[string]string) string {
		_, tpls := memberWith(t, func() *stacks.MemberAdditions {
			a := fullAdditions()
			a.Guardrail.PIIEntities = pii
			return a
		}, homeRegion)
		_, v := tpls[0].One(t, "AWS::Bedrock::GuardrailVersion")
		return v.Properties["Description"].(string)
	}
	a, b := desc(map[string]string{"EMAIL": "BLOCK"}), desc(map[string]string{"EMAIL": "ANONYMIZE"})
	if a == b {
		t.Errorf("changing the PII action keeps version description %q: no new version would be published", a)
	}
	if a != desc(map[string]string{"EMAIL": "BLOCK"}) {
		t.Error("the same configuration must keep the same version")
	}
}

func TestComplianceRuleChecksTheBaselineDestinationsWithInlineCode(t *testing.T) {
	_, tpls := memberWith(t, fullAdditions, homeRegion)
	tpl := tpls[0]
	fnID, fn := oneWithPrefix(t, tpl, "AWS::Lambda::Function", "Compliance")
	code := fn.Properties["Code"].(map[string]any)
	if code["ZipFile"] != compliance.HandlerSource || len(code) != 1 {
		t.Errorf("the rule's code must be inlined (ZipFile), not an asset: %v", cdkassert.JSON(code)[:200])
	}
	if fn.Properties["Runtime"] != "python3.14" || fn.Properties["Handler"] != "index.handler" {
		t.Errorf("function runtime/handler = %v %v", fn.Properties["Runtime"], fn.Properties["Handler"])
	}
	// The rule compares against exactly this stack's destinations.
	var bucket, accessBucket string
	bucketIDs, buckets := tpl.OfType("AWS::S3::Bucket")
	for i, b := range buckets {
		if b.Properties["LoggingConfiguration"] != nil {
			bucket = bucketIDs[i]
		} else {
			accessBucket = bucketIDs[i]
		}
	}
	var deliveryRole string
	roleIDs, roles := tpl.OfType("AWS::IAM::Role")
	for i, r := range roles {
		if strings.Contains(cdkassert.JSON(r.Properties["AssumeRolePolicyDocument"]), "bedrock.amazonaws.com") {
			deliveryRole = roleIDs[i]
		}
	}
	var custom *cdkassert.Resource
	scoped := map[string]string{}
	_, rules := tpl.OfType("AWS::Config::ConfigRule")
	for i, r := range rules {
		src := r.Properties["Source"].(map[string]any)
		if src["Owner"] == "CUSTOM_LAMBDA" {
			custom = &rules[i]
			continue
		}
		sc := r.Properties["Scope"].(map[string]any)
		if cdkassert.JSON(sc["ComplianceResourceTypes"]) != `["AWS::S3::Bucket"]` {
			t.Errorf("managed rule %v not scoped to one bucket: %v", r.Properties["ConfigRuleName"], sc)
		}
		scoped[src["SourceIdentifier"].(string)+" "+cdkassert.JSON(sc["ComplianceResourceId"])] = r.Properties["ConfigRuleName"].(string)
	}
	for _, id := range []string{"S3_BUCKET_SSL_REQUESTS_ONLY", "S3_BUCKET_VERSIONING_ENABLED"} {
		for _, b := range []string{bucket, accessBucket} {
			if scoped[id+` {"Ref":"`+b+`"}`] == "" {
				t.Errorf("no %s rule scoped to %s: %v", id, b, scoped)
			}
		}
	}
	if len(scoped) != 4 {
		t.Errorf("want 4 managed bucket rules, got %v", scoped)
	}
	if custom == nil {
		t.Fatal("no custom logging rule")
	}
	cp := custom.Properties
	if cp["ConfigRuleName"] != "bedrockgov-invocation-logging" || cp["MaximumExecutionFrequency"] != "One_Hour" {
		t.Errorf("logging rule = %s", cdkassert.JSON(cp))
	}
	src := cp["Source"].(map[string]any)
	if cdkassert.JSON(src["SourceIdentifier"]) != `{"Fn::GetAtt":["`+fnID+`","Arn"]}` ||
		cdkassert.JSON(src["SourceDetails"]) != `[{"EventSource":"aws.config","MaximumExecutionFrequency":"One_Hour","MessageType":"ScheduledNotification"}]` {
		t.Errorf("logging rule source = %s", cdkassert.JSON(src))
	}
	wantParams := `{"bucketName":{"Ref":"` + bucket + `"},"keyPrefix":"org-logs","logGroupName":"/aws/bedrock/modelinvocations","roleArn":{"Fn::GetAtt":["` + deliveryRole + `","Arn"]}}`
	if got := cdkassert.JSON(cp["InputParameters"]); got != wantParams {
		t.Errorf("rule parameters:\n got %s\nwant %s", got, wantParams)
	}
	// Config may invoke the function for this account only, and the rule waits for that grant.
	_, perm := oneWithPrefix(t, tpl, "AWS::Lambda::Permission", "Compliance")
	if perm.Properties["Principal"] != "config.amazonaws.com" || perm.Properties["SourceAccount"] != "333333333333" || perm.Properties["Action"] != "lambda:InvokeFunction" {
		t.Errorf("permission = %s", cdkassert.JSON(perm.Properties))
	}
	// Least privilege: exactly the three grants the rule needs, no managed policies.
	roleRef := fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	role := tpl.Resources[roleRef]
	if role.Properties["ManagedPolicyArns"] != nil {
		t.Errorf("rule role has managed policies: %v", role.Properties["ManagedPolicyArns"])
	}
	var grants []string
	for _, pol := range role.Properties["Policies"].([]any) {
		for _, st := range cdkassert.Statements(pol.(map[string]any)["PolicyDocument"]) {
			grants = append(grants, strings.Join(cdkassert.Strings(st["Action"]), "+")+" on "+cdkassert.JSON(st["Resource"]))
		}
	}
	want := []string{
		`bedrock:GetModelInvocationLoggingConfiguration on "*"`,
		`config:PutEvaluations on "*"`,
		`logs:CreateLogStream+logs:PutLogEvents on {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":logs:us-east-1:333333333333:log-group:/aws/lambda/bedrockgov-invocation-logging-rule:log-stream:*"]]}`,
	}
	if strings.Join(grants, "\n") != strings.Join(want, "\n") {
		t.Errorf("rule role grants:\n%s\nwant\n%s", strings.Join(grants, "\n"), strings.Join(want, "\n"))
	}
	// Its log group is encrypted, has a retention, and survives stack deletion.
	lgIDs, lgs := tpl.OfType("AWS::Logs::LogGroup")
	found := false
	for i, lg := range lgs {
		if lg.Properties["LogGroupName"] == "/aws/lambda/bedrockgov-invocation-logging-rule" {
			found = true
			if lg.Properties["KmsKeyId"] == nil || lg.Properties["RetentionInDays"] == nil || lg.DeletionPolicy != "RetainExceptOnCreate" {
				t.Errorf("%s: key %v retention %v deletion %q", lgIDs[i], lg.Properties["KmsKeyId"], lg.Properties["RetentionInDays"], lg.DeletionPolicy)
			}
		}
	}
	if !found || cdkassert.JSON(fn.Properties["LoggingConfig"]) == "null" {
		t.Errorf("the function must log to its own encrypted log group: %v", fn.Properties["LoggingConfig"])
	}
}

// oneWithPrefix returns the only resource of a type whose logical ID starts with prefix.
func oneWithPrefix(t *testing.T, tpl *cdkassert.Template, typ, prefix string) (string, cdkassert.Resource) {
	t.Helper()
	ids, rs := tpl.OfType(typ)
	var gotID []string
	var got []cdkassert.Resource
	for i, id := range ids {
		if strings.HasPrefix(id, prefix) {
			gotID, got = append(gotID, id), append(got, rs[i])
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one %s under %s, found %v", typ, prefix, gotID)
	}
	return gotID[0], got[0]
}

func TestEndpointsArePrivateAndInTheirRegionOnly(t *testing.T) {
	_, tpls := memberWith(t, fullAdditions, homeRegion, "")
	for _, d := range []struct {
		tpl    *cdkassert.Template
		region string
		want   int
	}{{tpls[0], homeRegion, 2}, {tpls[1], homeRegion, 2}, {tpls[1], "eu-west-1", 0}} {
		ids, eps := d.tpl.OfType("AWS::EC2::VPCEndpoint")
		made := 0
		services := map[string]bool{}
		for i, ep := range eps {
			if !created(t, d.tpl, ids[i], d.region) {
				continue
			}
			made++
			p := ep.Properties
			services[p["ServiceName"].(string)] = true
			if p["VpcEndpointType"] != "Interface" || p["PrivateDnsEnabled"] != true || p["VpcId"] != "vpc-0123456789abcdef0" ||
				cdkassert.JSON(p["SubnetIds"]) != `["subnet-0123456789abcdef0","subnet-0fedcba9876543210"]` || cdkassert.JSON(p["SecurityGroupIds"]) != `["sg-0123456789abcdef0"]` {
				t.Errorf("%s = %s", ids[i], cdkassert.JSON(p))
			}
		}
		if made != d.want {
			t.Errorf("%s: %d endpoints created, want %d", d.region, made, d.want)
		}
		if d.want > 0 && !(services["com.amazonaws.us-east-1.bedrock-runtime"] && services["com.amazonaws.us-east-1.bedrock"]) {
			t.Errorf("endpoint services = %v", services)
		}
	}
}

// forRegion drops the endpoints from a stack of another region than the VPC's, as the app does.
func forRegion(a *stacks.MemberAdditions, region string) *stacks.MemberAdditions {
	if a != nil && a.Endpoints != nil && region != "" && a.Endpoints.Region != nil && region != *a.Endpoints.Region {
		a.Endpoints = nil
	}
	return a
}
