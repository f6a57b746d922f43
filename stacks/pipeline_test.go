package stacks

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
)

func testPipelineProps(waves ...PipelineWave) *PipelineStackProps {
	return &PipelineStackProps{
		StackProps:    awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("555555555555"), Region: jsii.String("us-east-1")}},
		ConnectionArn: "arn:aws:codeconnections:us-east-1:555555555555:connection/0b5e6f1a-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
		Repository:    "example-org/bedrockgov",
		CliVersion:    "2.1148.1",
		SynthCommands: []string{"make synth"},
		Waves:         waves,
	}
}

func paramStack(name, account string) func(stage constructs.Construct) []awscdk.Stack {
	return func(stage constructs.Construct) []awscdk.Stack {
		s := awscdk.NewStack(stage, jsii.String(name), &awscdk.StackProps{
			StackName:   jsii.String(name),
			Env:         &awscdk.Environment{Account: jsii.String(account), Region: jsii.String("us-east-1")},
			Synthesizer: awscdk.NewDefaultStackSynthesizer(nil),
		})
		awsssm.NewStringParameter(s, jsii.String("P"), &awsssm.StringParameterProps{StringValue: jsii.String("v")})
		return []awscdk.Stack{s}
	}
}

// A pipeline without test commands has no test step (and its synth step stays first); the
// branch defaults to main; the stack refuses incomplete props and waves without stacks.
func TestPipelineStackDefaultsAndRequiredProps(t *testing.T) {
	var tpl *cdkassert.Template
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		ps := NewPipelineStack(app, "P", testPipelineProps(PipelineWave{Name: "one", Stacks: paramStack("One", "111111111111")}))
		if len(ps.SupportStacks) != 0 || ps.Stages["one"] == nil {
			t.Errorf("support stacks %d, stages %v", len(ps.SupportStacks), ps.Stages)
		}
		tpl = cdkassert.Synth(t, ps.Stack)
	})
	_, pl := tpl.One(t, "AWS::CodePipeline::Pipeline")
	js := cdkassert.JSON(pl.Properties["Stages"])
	if strings.Contains(js, `"Name":"Test"`) || strings.Contains(js, `"Provider":"Manual"`) {
		t.Errorf("unexpected test step or approval: %s", js)
	}
	if !strings.Contains(js, `"BranchName":"main"`) {
		t.Errorf("branch does not default to main: %s", js)
	}
	for name, props := range map[string]*PipelineStackProps{
		"no connection": func() *PipelineStackProps { p := testPipelineProps(); p.ConnectionArn = ""; return p }(),
		"no waves":      testPipelineProps(),
		"empty wave":    testPipelineProps(PipelineWave{Name: "x", Stacks: func(constructs.Construct) []awscdk.Stack { return nil }}),
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: accepted", name)
				}
			}()
			NewPipelineStack(awscdk.NewApp(nil), "P", props)
		}()
	}
}
