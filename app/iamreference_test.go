package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/bedrockgov/bedrockgov/app/config"
	"github.com/bedrockgov/bedrockgov/constructs/cdkassert"
	"github.com/bedrockgov/bedrockgov/constructs/iamsim"
)

// TestEveryPolicyNamesRealActionsAndConditionKeys synthesizes the whole example organization
// and checks every IAM policy document of every template in the cloud assembly (trust and
// inline policies, managed policies, key, bucket and topic policies, service control policies,
// any other resource policy) against the IAM reference: an action, condition key or operator
// that does not exist makes a statement silently never match.
func TestEveryPolicyNamesRealActionsAndConditionKeys(t *testing.T) {
	out := t.TempDir()
	cdkassert.Must(t, func() {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
		Build(app, config.Example())
		app.Synth(nil)
	})
	var policies []any
	templates := 0
	kinds := map[string]int{}
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".template.json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var tpl map[string]any
		if err := json.Unmarshal(data, &tpl); err != nil {
			return err
		}
		templates++
		rel, _ := filepath.Rel(out, path)
		for _, p := range iamsim.TemplatePolicies(rel, tpl) {
			kinds[p.Name[strings.Index(p.Name, "(")+1:strings.Index(p.Name, ")")]]++
			policies = append(policies, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Guard against a walk that finds nothing and so checks nothing.
	for _, typ := range []string{"AWS::IAM::Role", "AWS::KMS::Key", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy"} {
		if kinds[typ] == 0 {
			t.Errorf("no %s policy found in %d templates; the walk is broken", typ, templates)
		}
	}
	n := iamsim.CheckIAMReference(t, policies...)
	t.Logf("checked %d policy documents in %d templates: %v", n, templates, kinds)
}
