// Command onebucket is the reference app of `make bench-synth`: the smallest useful CDK app
// (one S3 bucket in one stack), synthesized with the same toolchain as the bedrockgov app so
// the benchmark can report the whole app's synth time relative to it.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("OneBucket"), nil)
	awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	app.Synth(nil)
}
