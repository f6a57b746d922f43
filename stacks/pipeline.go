package stacks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/constructs/accesslogs"
)

// PipelineWave is one wave of the pipeline: one CodePipeline stage that deploys the stacks of
// one account role (an environment's member stacks, the hub stacks or the management stack).
type PipelineWave struct {
	// Name of the wave and of its CodePipeline stage, e.g. "prod".
	Name string
	// Approval puts a manual approval before the wave's first deployment.
	Approval bool
	// ApprovalComment is shown to the approver. Default: a sentence naming the wave.
	ApprovalComment string
	// Stacks adds the wave's stacks to stage (a CDK Stage inside the pipeline stack) and returns
	// them. It must give every stack an explicit StackName, so the pipeline deploys the same
	// CloudFormation stacks as `cdk deploy`, and return at least one.
	Stacks func(stage constructs.Construct) []awscdk.Stack
}

// PipelineStackProps configures the pipeline stack.
type PipelineStackProps struct {
	awscdk.StackProps
	// ConnectionArn is the AWS CodeConnections connection to the Git provider. Required.
	ConnectionArn string
	// Repository is "owner/name". Required.
	Repository string
	// Branch is the branch the pipeline follows. Default: "main".
	Branch string
	// CliVersion is the CDK CLI version self-mutation installs. Required: it must equal the
	// version the Makefile installs, so the pipeline deploys itself with the CLI that synthesized it.
	CliVersion string
	// SynthCommands build the cloud assembly into cdk.out. Required.
	SynthCommands []string
	// TestCommands run the project's tests; the synth step waits for them, so a failing test
	// stops the pipeline before it mutates itself or deploys anything. Default: no test step.
	TestCommands []string
	// InstallCommands run before the test and synth commands (toolchain selection).
	InstallCommands []string
	// RuntimeVersions are the CodeBuild runtime-versions of the test and synth builds, e.g.
	// {"golang": "latest"}. Default: the image's defaults.
	RuntimeVersions map[string]string
	// Waves in promotion order. Required (at least one).
	Waves []PipelineWave
	// StageAspects are applied to every stage before it is synthesized (aspects of the app do
	// not reach into stages): the app passes cdk-nag's checks here.
	StageAspects []awscdk.IAspect
	// Tags are applied to every resource of the pipeline stack.
	Tags map[string]string
}

// PipelineStack is the CDK Pipelines pipeline and what it created.
type PipelineStack struct {
	awscdk.Stack
	Pipeline pipelines.CodePipeline
	// Stages are the stages of each wave, by wave name.
	Stages map[string]awscdk.Stage
	// SupportStacks are the cross-region support stacks CodePipeline needs in every region,
	// other than the pipeline's own, that a wave deploys to (one artifact bucket and key each),
	// sorted by region.
	SupportStacks []awscdk.Stack
}

// NewPipelineStack creates a self-mutating CDK pipeline: source from a CodeConnections
// connection, a test step, a synth step, then one wave per PipelineWave, in order, each behind
// a manual approval when asked. Artifacts are encrypted with a customer-managed KMS key with
// rotation (CrossAccountKeys), which the target accounts' bootstrap roles are granted.
func NewPipelineStack(scope constructs.Construct, id string, props *PipelineStackProps) *PipelineStack {
	if props == nil {
		props = &PipelineStackProps{}
	}
	if props.ConnectionArn == "" || props.Repository == "" || props.CliVersion == "" || len(props.SynthCommands) == 0 || len(props.Waves) == 0 {
		panic(fmt.Sprintf("stacks: NewPipelineStack(%s): ConnectionArn, Repository, CliVersion, SynthCommands and Waves are required", id))
	}
	branch := props.Branch
	if branch == "" {
		branch = "main"
	}
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String(fmt.Sprintf("bedrockgov pipeline: builds %s (%s) and promotes it through %s", props.Repository, branch, waveNames(props.Waves)))
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)

	source := pipelines.CodePipelineSource_Connection(jsii.String(props.Repository), jsii.String(branch), &pipelines.ConnectionSourceOptions{
		ConnectionArn: jsii.String(props.ConnectionArn),
		TriggerOnPush: jsii.Bool(true),
	})
	var partial awscodebuild.BuildSpec
	if len(props.RuntimeVersions) > 0 {
		rv := map[string]interface{}{}
		for k, v := range props.RuntimeVersions {
			rv[k] = v
		}
		partial = awscodebuild.BuildSpec_FromObject(&map[string]interface{}{
			"phases": map[string]interface{}{"install": map[string]interface{}{"runtime-versions": rv}},
		})
	}
	// The test and synth builds compile the CDK app (about 1 GB of memory cold): medium compute.
	build := &awscodebuild.BuildEnvironment{
		BuildImage:  awscodebuild.LinuxBuildImage_STANDARD_7_0(),
		ComputeType: awscodebuild.ComputeType_MEDIUM,
	}
	synth := pipelines.NewCodeBuildStep(jsii.String("Synth"), &pipelines.CodeBuildStepProps{
		Input:                  source,
		InstallCommands:        jsii.Strings(props.InstallCommands...),
		Commands:               jsii.Strings(props.SynthCommands...),
		PrimaryOutputDirectory: jsii.String("cdk.out"),
		BuildEnvironment:       build,
		PartialBuildSpec:       partial,
	})
	if len(props.TestCommands) > 0 {
		test := pipelines.NewCodeBuildStep(jsii.String("Test"), &pipelines.CodeBuildStepProps{
			Input:            source,
			InstallCommands:  jsii.Strings(props.InstallCommands...),
			Commands:         jsii.Strings(props.TestCommands...),
			BuildEnvironment: build,
			PartialBuildSpec: partial,
		})
		synth.AddStepDependency(test)
	}

	pipeline := pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		PipelineName:      jsii.String(id),
		PipelineType:      awscodepipeline.PipelineType_V2,
		Synth:             synth,
		CrossAccountKeys:  jsii.Bool(true),
		EnableKeyRotation: jsii.Bool(true),
		SelfMutation:      jsii.Bool(true),
		CliVersion:        jsii.String(props.CliVersion),
		UseChangeSets:     jsii.Bool(true),
		CodeBuildDefaults: &pipelines.CodeBuildOptions{
			BuildEnvironment: &awscodebuild.BuildEnvironment{BuildImage: awscodebuild.LinuxBuildImage_STANDARD_7_0()},
		},
	})

	out := &PipelineStack{Stack: stack, Pipeline: pipeline, Stages: map[string]awscdk.Stage{}}
	for _, w := range props.Waves {
		var pre []pipelines.Step
		if w.Approval {
			comment := w.ApprovalComment
			if comment == "" {
				comment = fmt.Sprintf("Review the change sets of the previous waves, then approve to deploy %s.", w.Name)
			}
			pre = append(pre, pipelines.NewManualApprovalStep(jsii.String("Approve"), &pipelines.ManualApprovalStepProps{
				Comment: jsii.String(comment),
			}))
		}
		stage := awscdk.NewStage(stack, jsii.String(w.Name), nil)
		for _, a := range props.StageAspects {
			awscdk.Aspects_Of(stage).Add(a, nil)
		}
		if got := w.Stacks(stage); len(got) == 0 {
			panic(fmt.Sprintf("stacks: NewPipelineStack(%s): wave %q has no stacks; leave it out of Waves", id, w.Name))
		}
		pipeline.AddWave(jsii.String(w.Name), &pipelines.WaveOptions{Pre: &pre}).AddStage(stage, nil)
		out.Stages[w.Name] = stage
	}
	pipeline.BuildPipeline()

	// The artifact buckets hold what every account receives (the source and the cloud
	// assembly): keep them and their keys, and log every access to them.
	artifacts := pipeline.Pipeline().ArtifactBucket()
	retainBucketAndKey(artifacts)
	logAccess(stack, "ArtifactsAccessLogs", artifacts)
	suppressPipelineGrants(stack, props.Repository, len(props.TestCommands) > 0)

	support := pipeline.Pipeline().CrossRegionSupport()
	if support != nil {
		regions := make([]string, 0, len(*support))
		for r := range *support {
			regions = append(regions, r)
		}
		sort.Strings(regions)
		for _, r := range regions {
			crs := (*support)[r]
			retainBucketAndKey(crs.ReplicationBucket)
			// The replication bucket's key is referenced by alias from the bucket; find it.
			if d := crs.Stack.Node().TryFindChild(jsii.String("Default")); d != nil {
				if k, ok := d.Node().TryFindChild(jsii.String("CrossRegionCodePipelineReplicationBucketEncryptionKey")).(awscdk.IResource); ok && k != nil {
					k.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)
				}
			}
			logAccess(crs.Stack, "ReplicationAccessLogs", crs.ReplicationBucket)
			out.SupportStacks = append(out.SupportStacks, crs.Stack)
		}
	}
	confineArtifactKeyGrant(stack, pipeline, out.SupportStacks)
	confineAssetRole(pipeline)

	keys := make([]string, 0, len(props.Tags))
	for k := range props.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		awscdk.Tags_Of(stack).Add(jsii.String(k), jsii.String(props.Tags[k]), nil)
		for _, s := range out.SupportStacks {
			awscdk.Tags_Of(s).Add(jsii.String(k), jsii.String(props.Tags[k]), nil)
		}
	}
	return out
}

// artifactKeyActions are the KMS actions CodePipeline grants its role on artifact keys.
var artifactKeyActions = []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}

// confineArtifactKeyGrant confines the pipeline role's KMS permissions to the artifact keys.
// CodePipeline grants the role its KMS actions on "*" because it references the cross-region
// artifact keys by alias. Explicit denies take every other key away: in the pipeline's region
// only its own artifact key is usable; in a support region only the key that carries that
// support stack's alias (alias names are unique within an account and region); elsewhere none.
func confineArtifactKeyGrant(stack awscdk.Stack, pipeline pipelines.CodePipeline, support []awscdk.Stack) {
	key := pipeline.Pipeline().ArtifactBucket().EncryptionKey()
	if key == nil {
		return
	}
	role := pipeline.Pipeline().Role()
	keysIn := func(region string) string {
		return fmt.Sprintf("arn:%s:kms:%s:%s:key/*", *awscdk.Aws_PARTITION(), region, *stack.Account())
	}
	allowed := []string{*key.KeyArn()}
	for _, st := range support {
		var alias string
		if d := st.Node().TryFindChild(jsii.String("Default")); d != nil {
			if a := d.Node().TryFindChild(jsii.String("CrossRegionCodePipelineReplicationBucketEncryptionAlias")); a != nil {
				if cfn, ok := a.Node().DefaultChild().(awskms.CfnAlias); ok && cfn != nil {
					alias = *cfn.AliasName()
				}
			}
		}
		if alias == "" {
			panic("stacks: NewPipelineStack: cannot find the alias of the artifact key in " + *st.StackName())
		}
		region := *st.Region()
		allowed = append(allowed, keysIn(region))
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("OnlyTheArtifactKeyIn" + sidSafe(region)),
			Effect:    awsiam.Effect_DENY,
			Actions:   jsii.Strings(artifactKeyActions...),
			Resources: jsii.Strings(keysIn(region)),
			Conditions: &map[string]any{
				"ForAllValues:StringNotEquals": map[string]any{"kms:ResourceAliases": []string{alias}},
			},
		}))
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:          jsii.String("OnlyThePipelineArtifactKeys"),
		Effect:       awsiam.Effect_DENY,
		Actions:      jsii.Strings(artifactKeyActions...),
		NotResources: jsii.Strings(allowed...),
	}))
}

// confineAssetRole takes from the asset-publishing projects' service role the permission CDK
// Pipelines gives it to start, watch and stop any CodeBuild build of the account: the role runs
// the asset builds and never starts one (the pipeline starts them with its CodeBuild action
// role, which is scoped to its own projects).
func confineAssetRole(pipeline pipelines.CodePipeline) {
	assets := pipeline.Node().TryFindChild(jsii.String("Assets"))
	if assets == nil {
		return
	}
	role, ok := assets.Node().TryFindChild(jsii.String("FileRole")).(awsiam.IRole)
	if !ok || role == nil {
		panic("stacks: NewPipelineStack: cannot find the asset-publishing role to confine it")
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AssetBuildsStartNoBuilds"),
		Effect:    awsiam.Effect_DENY,
		Actions:   jsii.Strings("codebuild:StartBuild", "codebuild:StopBuild", "codebuild:BatchGetBuilds"),
		Resources: jsii.Strings("*"),
	}))
}

// sidSafe turns a region code into letters and digits, as statement IDs require.
func sidSafe(s string) string {
	return strings.NewReplacer("-", "").Replace(s)
}

// retainBucketAndKey keeps an artifact bucket and its KMS key when the stack is deleted or the
// resource replaced (CodePipeline creates the keys with a Delete policy).
func retainBucketAndKey(b awss3.IBucket) {
	b.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)
	if k := b.EncryptionKey(); k != nil {
		k.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)
	}
}

// logAccess turns on S3 server access logging for b into a new private bucket of scope (SSE-S3,
// the only default encryption access-log delivery supports), granted to the logging service
// for b only, with the bucket-policy grant AWS recommends rather than the log-delivery ACL.
func logAccess(scope constructs.Construct, id string, b awss3.IBucket) awss3.Bucket {
	logs := awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		Versioned:         jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("access-logs-tiering"),
			Transitions:                         &[]*awss3.Transition{{StorageClass: awss3.StorageClass_INFREQUENT_ACCESS(), TransitionAfter: awscdk.Duration_Days(jsii.Number(30))}},
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(30)),
		}},
	})
	accesslogs.Enable(b, logs, "artifacts/", *b.BucketArn())
	return logs
}

// suppressPipelineGrants records why the wildcards in the policies CDK Pipelines generates are
// as narrow as they can be. Each suppression applies to the named findings only.
func suppressPipelineGrants(stack awscdk.Stack, repository string, withTests bool) {
	id := "AwsSolutions-IAM5"
	suppress := func(path, reason string, appliesTo ...interface{}) {
		cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String("/"+*stack.Node().Path()+path),
			&[]*cdknag.NagPackSuppression{{Id: jsii.String(id), Reason: jsii.String(reason), AppliesTo: &appliesTo}}, jsii.Bool(false))
	}
	rx := func(re string) interface{} { return &cdknag.RegexAppliesTo{Regex: jsii.String(re)} }
	artifactGrants := []interface{}{
		"Action::s3:Abort*", "Action::s3:DeleteObject*", "Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*",
		"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
		rx(`/^Resource::<PipelineArtifactsBucket[A-F0-9]{8}\.Arn>\/\*$/`),
	}
	artifactReason := "CDK Pipelines' grants on this pipeline's own artifact bucket (objects under its ARN only) and on its artifact KMS key (by ARN): reading and writing build artifacts is the role's job"
	buildLogs := []interface{}{
		rx(`/^Resource::arn:<AWS::Partition>:logs:[a-z0-9-]+:[0-9]{12}:log-group:\/aws\/codebuild\/<Pipeline[A-Za-z0-9]+>:\*$/`),
		rx(`/^Resource::arn:<AWS::Partition>:codebuild:[a-z0-9-]+:[0-9]{12}:report-group\/<Pipeline[A-Za-z0-9]+>-\*$/`),
	}
	buildReason := "the CodeBuild project's own log group (its log streams) and its own report groups, which CodeBuild names after the project"
	// CDK Pipelines names the source action after the repository, with '/' as '_'.
	suppress("/Pipeline/Pipeline/Source/"+strings.ReplaceAll(repository, "/", "_")+"/CodePipelineActionRole/DefaultPolicy/Resource",
		artifactReason+" (the source action writes the checked-out repository there)", artifactGrants...)
	suppress("/Pipeline/Pipeline/Role/DefaultPolicy/Resource", artifactReason+
		"; the '*' resource is CodePipeline's grant on the cross-region replication keys, which live in the support stacks of other regions and are referenced by alias, so their ARNs are unknown here; the deny statements OnlyThePipelineArtifactKeys and OnlyTheArtifactKeyIn<region> of the same policy take every other key away (by ARN, and by kms:ResourceAliases in the support regions); and the objects of those cross-region replication buckets",
		append(append([]interface{}{}, artifactGrants...), "Resource::*",
			rx(`/^Resource::arn:<AWS::Partition>:s3:::[a-z0-9.-]+-support-[a-z0-9.-]+\/\*$/`))...)
	suppress("/Pipeline/Pipeline/Build/Synth/CdkBuildProject/Role/DefaultPolicy/Resource", artifactReason+"; "+buildReason,
		append(append([]interface{}{}, artifactGrants...), buildLogs...)...)
	// With file assets (the StackSet templates), CDK Pipelines adds one shared role for the
	// asset-publishing CodeBuild projects it creates after that role.
	if p := stack.Node().TryFindChild(jsii.String("Pipeline")); p != nil && p.Node().TryFindChild(jsii.String("Assets")) != nil {
		suppress("/Pipeline/Assets/FileRole/DefaultPolicy/Resource", artifactReason+
			"; the asset-publishing CodeBuild projects are created after this shared role, so their log groups and report groups are granted by the /aws/codebuild/ and report-group/ prefixes of this account and region; the codebuild:StartBuild, BatchGetBuilds and StopBuild grant on '*' is cancelled by the statement AssetBuildsStartNoBuilds of the same policy; the role assumes only the target accounts' CDK file-publishing roles",
			append(append([]interface{}{}, artifactGrants...), "Resource::*",
				rx(`/^Resource::arn:<AWS::Partition>:logs:[a-z0-9-]+:[0-9]{12}:log-group:\/aws\/codebuild\/\*$/`),
				rx(`/^Resource::arn:<AWS::Partition>:codebuild:[a-z0-9-]+:[0-9]{12}:report-group\/\*$/`))...)
	}
	if withTests {
		suppress("/Pipeline/Pipeline/Build/Test/Test/Role/DefaultPolicy/Resource", artifactReason+"; "+buildReason,
			append(append([]interface{}{}, artifactGrants...), buildLogs...)...)
	}
	suppress("/Pipeline/UpdatePipeline/SelfMutation/Role/DefaultPolicy/Resource", artifactReason+"; "+buildReason+
		"; the CDK CLI deploying the pipeline stack itself needs cloudformation:DescribeStacks and s3:ListBucket, which take no narrower resource when the stacks are looked up by name, and sts:AssumeRole only on this account's roles tagged as CDK bootstrap deploy or publishing roles (aws-cdk:bootstrap-role condition)",
		append(append(append([]interface{}{}, artifactGrants...), buildLogs...), "Resource::*", rx(`/^Resource::arn:\*:iam::[0-9]{12}:role\/\*$/`))...)
}

func waveNames(ws []PipelineWave) string {
	s := ""
	for i, w := range ws {
		if i > 0 {
			s += ", "
		}
		s += w.Name
		if w.Approval {
			s += " (approved)"
		}
	}
	return s
}
