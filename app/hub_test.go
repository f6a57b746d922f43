package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// The example's hub section builds one nag-clean BedrockHub stack per hub region, in the hub
// account, whose archive bucket carries the name member stacks derive.
func TestHubStacksOfTheExample(t *testing.T) {
	cfg := config.Example()
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(nil)
		hubs := buildHub(app, cfg, DeployByCLI)
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(false)}), nil)
		if len(hubs) != len(cfg.Hub.Regions) {
			t.Fatalf("%d hub stacks for regions %v", len(hubs), cfg.Hub.Regions)
		}
		for i, h := range hubs {
			region := cfg.Hub.Regions[i]
			if *h.StackName() != HubStackName(region) || *h.Account() != cfg.Hub.Account || *h.Region() != region {
				t.Errorf("stack %s in %s/%s", *h.StackName(), *h.Account(), *h.Region())
			}
			tpl := cdkassert.Synth(t, h.Stack)
			tpl.HasProps(t, "AWS::S3::Bucket", map[string]any{"BucketName": naming.ArchiveBucketName(cfg.Hub.Account, region)})
			if errs := cdkassert.NagErrors(t, h.Stack); len(errs) > 0 {
				t.Errorf("%s: cdk-nag findings:\n%s", *h.StackName(), strings.Join(errs, "\n"))
			}
		}
	})
	cfg.Hub = nil
	cdkassert.Must(t, func() {
		if hubs := buildHub(awscdk.NewApp(nil), cfg, DeployByCLI); len(hubs) != 0 {
			t.Errorf("hub stacks without a hub section: %d", len(hubs))
		}
	})
}
