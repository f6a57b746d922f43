package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var updateStateful = flag.Bool("update", false, "rewrite testdata/stateful-resources.json from the example app (make stateful-update)")

// statefulContractFile is the committed list of every stateful resource of every stack of the
// example app, with the properties whose change would replace it.
const statefulContractFile = "testdata/stateful-resources.json"

// replacementProperties lists, per resource type that holds data, the properties CloudFormation
// cannot change in place. The lists are the properties marked as causing replacement
// (createOnly) in the CloudFormation resource specification (@aws-cdk/aws-service-spec 0.1.216);
// for KMS keys, the properties the AWS::KMS::Key reference documents as immutable (a change makes
// the update fail, so a renamed key logical ID is the only way to lose one). Dotted names reach
// into nested properties (a Glue table's catalog name).
var replacementProperties = map[string][]string{
	"AWS::S3::Bucket":             {"BucketName", "BucketNamePrefix", "BucketNamespace", "ObjectLockEnabled"},
	"AWS::Logs::LogGroup":         {"LogGroupName"},
	"AWS::KMS::Key":               {"KeySpec", "KeyUsage", "MultiRegion", "Origin"},
	"AWS::DynamoDB::Table":        {"TableName", "KeySchema", "ImportSourceSpecification"},
	"AWS::DynamoDB::GlobalTable":  {"TableName", "KeySchema", "LocalSecondaryIndexes"},
	"AWS::Glue::Database":         {"CatalogId", "DatabaseName", "DatabaseInput.Name"},
	"AWS::Glue::Table":            {"CatalogId", "DatabaseName", "Name", "TableInput.Name"},
	"AWS::Events::Archive":        {"ArchiveName", "SourceArn"},
	"AWS::SQS::Queue":             {"QueueName", "FifoQueue"},
	"AWS::Backup::BackupVault":    {"BackupVaultName", "EncryptionKeyArn"},
	"AWS::Kinesis::Stream":        {"Name"},
	"AWS::SecretsManager::Secret": {"Name"},
}

// statefulResource is one entry of the contract.
type statefulResource struct {
	Type                string                     `json:"type"`
	Path                string                     `json:"path"`
	DeletionPolicy      string                     `json:"deletionPolicy"`
	UpdateReplacePolicy string                     `json:"updateReplacePolicy"`
	ReplaceOn           map[string]json.RawMessage `json:"replaceOn"`
}

type statefulContract struct {
	About  string                                 `json:"about"`
	Stacks map[string]map[string]statefulResource `json:"stacks"`
}

// statefulOf lists the stateful resources of one stack by logical ID.
func statefulOf(s stackArtifact) map[string]statefulResource {
	out := map[string]statefulResource{}
	for id, r := range s.Resources() {
		typ, _ := r["Type"].(string)
		props, ok := replacementProperties[typ]
		if !ok {
			continue
		}
		rec := statefulResource{Type: typ, ReplaceOn: map[string]json.RawMessage{}}
		rec.DeletionPolicy, _ = r["DeletionPolicy"].(string)
		rec.UpdateReplacePolicy, _ = r["UpdateReplacePolicy"].(string)
		if md, ok := r["Metadata"].(map[string]any); ok {
			rec.Path, _ = md["aws:cdk:path"].(string)
			rec.Path = strings.TrimPrefix(rec.Path, s.Path+"/")
		}
		p, _ := r["Properties"].(map[string]any)
		for _, name := range props {
			var v any = p
			for _, part := range strings.Split(name, ".") {
				m, _ := v.(map[string]any)
				v = m[part]
			}
			raw, _ := json.Marshal(v) // absent properties are recorded as null
			rec.ReplaceOn[name] = raw
		}
		out[id] = rec
	}
	return out
}

// TestStatefulResourceContract fails when a stateful resource of any stack of the example app
// (member, hub, management, pipeline) would be replaced or lose its retention on the next
// deployment: its logical ID is gone or a replacement-triggering property differs from the
// committed list. The stacks each pipeline stage deploys must match too.
func TestStatefulResourceContract(t *testing.T) {
	all := exampleAssembly(t)
	got := map[string]map[string]statefulResource{}
	for _, s := range all {
		if s.Assembly == "" {
			got[s.StackName] = statefulOf(s)
		}
	}
	// The pipeline deploys its stages' copies: they must hold the same stateful resources.
	for _, s := range all {
		if s.Assembly == "" {
			continue
		}
		mine, cli := statefulOf(s), got[s.StackName]
		for id, r := range mine {
			c, ok := cli[id]
			if !ok || c.Type != r.Type || c.DeletionPolicy != r.DeletionPolicy || compact(mustJSON(c.ReplaceOn)) != compact(mustJSON(r.ReplaceOn)) {
				t.Errorf("%s as the pipeline deploys it (%s) has stateful resource %s (%s) different from the stack cdk deploy uses", s.StackName, s.Assembly, id, r.Path)
			}
		}
		if len(mine) != len(cli) {
			t.Errorf("%s: the pipeline's copy has %d stateful resources, the cdk deploy one %d", s.StackName, len(mine), len(cli))
		}
	}
	if *updateStateful {
		c := statefulContract{
			About:  "Every stateful resource of every stack of the example app, with the properties whose change would replace it. Checked by TestStatefulResourceContract (app/stateful_test.go); regenerate with `make stateful-update` only after reviewing why a resource changes (see README, \"Stateful resources\").",
			Stacks: got,
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(statefulContractFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(statefulContractFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d stacks)", statefulContractFile, len(got))
		return
	}
	var want statefulContract
	data, err := os.ReadFile(statefulContractFile)
	if err != nil {
		t.Fatalf("%v: record the stateful resources with `make stateful-update`", err)
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", statefulContractFile, err)
	}
	for _, p := range compareStateful(want.Stacks, got) {
		t.Error(p)
	}
}

const proceed = "If this is intended, migrate the data first (or import the existing resource into the new logical ID with `cdk import`), then run `make stateful-update` and commit testdata/stateful-resources.json with the reason; otherwise restore the construct ID or property."

// compareStateful returns one message per difference between the committed contract and the
// app, each saying what would be replaced and how to proceed.
func compareStateful(want, got map[string]map[string]statefulResource) []string {
	var out []string
	for _, stack := range sortedKeys(want) {
		g, ok := got[stack]
		if !ok {
			out = append(out, fmt.Sprintf("stack %s is no longer in the app: its %d stateful resources (%s) would no longer be managed; removing a stack from the app never deletes it, but if the stack was renamed, CloudFormation would create new empty resources under the new stack. %s",
				stack, len(want[stack]), describe(want[stack]), proceed))
			continue
		}
		for _, id := range sortedKeys(want[stack]) {
			w := want[stack][id]
			r, ok := g[id]
			if !ok {
				moved := ""
				for _, nid := range sortedKeys(g) {
					if n := g[nid]; n.Type == w.Type && n.Path == w.Path {
						moved = fmt.Sprintf(" (the same construct path now has logical ID %s)", nid)
						break
					}
				}
				out = append(out, fmt.Sprintf("%s: %s %s (logical ID %s) is gone%s: CloudFormation would create a new %s and remove the old one from the stack (%s), so the data in it would no longer be where the stack points. %s",
					stack, w.Type, w.Path, id, moved, w.Type, fate(w), proceed))
				continue
			}
			for _, p := range sortedKeys(w.ReplaceOn) {
				if compact(w.ReplaceOn[p]) != compact(r.ReplaceOn[p]) {
					out = append(out, fmt.Sprintf("%s: %s %s (logical ID %s): %s changes from %s to %s; CloudFormation cannot change it in place and would replace the resource (or fail the update), leaving the data in the old one (%s). %s",
						stack, w.Type, w.Path, id, p, compact(w.ReplaceOn[p]), compact(r.ReplaceOn[p]), fate(w), proceed))
				}
			}
			if r.DeletionPolicy != w.DeletionPolicy || r.UpdateReplacePolicy != w.UpdateReplacePolicy {
				out = append(out, fmt.Sprintf("%s: %s %s (logical ID %s): deletion/replace policy changes from %s/%s to %s/%s; stateful resources must stay retained (RemovalPolicy RETAIN_ON_UPDATE_OR_DELETE). %s",
					stack, w.Type, w.Path, id, w.DeletionPolicy, w.UpdateReplacePolicy, r.DeletionPolicy, r.UpdateReplacePolicy, proceed))
			}
		}
	}
	for _, stack := range sortedKeys(got) {
		for _, id := range sortedKeys(got[stack]) {
			if _, ok := want[stack][id]; !ok {
				r := got[stack][id]
				out = append(out, fmt.Sprintf("%s: new stateful resource %s %s (logical ID %s) is not in testdata/stateful-resources.json: check it is retained, then record it with `make stateful-update` so a later rename cannot replace it unnoticed",
					stack, r.Type, r.Path, id))
			}
		}
	}
	return out
}

// compact is a JSON value in canonical compact form (the committed file is indented).
func compact(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func fate(r statefulResource) string {
	if r.DeletionPolicy == "Retain" || r.DeletionPolicy == "RetainExceptOnCreate" {
		return "it is retained, so it would be orphaned with its data"
	}
	return "its deletion policy is " + orNone(r.DeletionPolicy) + ", so it and its data would be DELETED"
}

func orNone(s string) string {
	if s == "" {
		return "unset (Delete)"
	}
	return s
}

func describe(m map[string]statefulResource) string {
	var parts []string
	for _, id := range sortedKeys(m) {
		parts = append(parts, m[id].Path)
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestStatefulContractMessages checks the comparison catches each way a resource can be lost,
// and says what would happen and how to proceed.
func TestStatefulContractMessages(t *testing.T) {
	null := json.RawMessage("null")
	bucket := statefulResource{Type: "AWS::S3::Bucket", Path: "InvocationLogging/Bucket/Resource", DeletionPolicy: "RetainExceptOnCreate", UpdateReplacePolicy: "Retain", ReplaceOn: map[string]json.RawMessage{"BucketName": null}}
	group := statefulResource{Type: "AWS::Logs::LogGroup", Path: "InvocationLogging/LogGroup/Resource", DeletionPolicy: "RetainExceptOnCreate", UpdateReplacePolicy: "Retain", ReplaceOn: map[string]json.RawMessage{"LogGroupName": json.RawMessage(`"/aws/bedrock/modelinvocations"`)}}
	want := map[string]map[string]statefulResource{"S": {"Bucket1": bucket, "Group1": group}, "Gone": {"Key1": {Type: "AWS::KMS::Key", Path: "K"}}}
	if p := compareStateful(want, map[string]map[string]statefulResource{"S": {"Bucket1": bucket, "Group1": group}, "Gone": {"Key1": {Type: "AWS::KMS::Key", Path: "K"}}}); len(p) != 0 {
		t.Fatalf("identical contract reported %v", p)
	}
	renamedGroup := group
	renamedGroup.ReplaceOn = map[string]json.RawMessage{"LogGroupName": json.RawMessage(`"/aws/bedrock/other"`)}
	// Indentation alone (the committed file is indented) is no change.
	joined := group
	joined.ReplaceOn = map[string]json.RawMessage{"LogGroupName": json.RawMessage(`{"Fn::Join":["",["/aws/lambda/x-",{"Ref":"AWS::StackName"}]]}`)}
	indented := joined
	indented.ReplaceOn = map[string]json.RawMessage{"LogGroupName": json.RawMessage("{\n  \"Fn::Join\": [\n    \"\",\n    [\"/aws/lambda/x-\", {\"Ref\": \"AWS::StackName\"}]\n  ]\n}")}
	if p := compareStateful(map[string]map[string]statefulResource{"S": {"G": indented}}, map[string]map[string]statefulResource{"S": {"G": joined}}); len(p) != 0 {
		t.Errorf("indentation reported as a change: %v", p)
	}
	deleting := bucket
	deleting.DeletionPolicy, deleting.UpdateReplacePolicy = "Delete", "Delete"
	newBucket := deleting
	newBucket.Path = "Other/Bucket/Resource"
	got := map[string]map[string]statefulResource{"S": {"Bucket2": bucket, "Group1": renamedGroup, "New1": newBucket}}
	p := strings.Join(compareStateful(want, got), "\n")
	for _, w := range []string{
		"S: AWS::S3::Bucket InvocationLogging/Bucket/Resource (logical ID Bucket1) is gone (the same construct path now has logical ID Bucket2)",
		"it is retained, so it would be orphaned with its data",
		`LogGroupName changes from "/aws/bedrock/modelinvocations" to "/aws/bedrock/other"`,
		"stack Gone is no longer in the app",
		"new stateful resource AWS::S3::Bucket Other/Bucket/Resource (logical ID New1)",
		"make stateful-update",
	} {
		if !strings.Contains(p, w) {
			t.Errorf("messages do not contain %q:\n%s", w, p)
		}
	}
	weakened := map[string]map[string]statefulResource{"S": {"Bucket1": deleting, "Group1": group}, "Gone": want["Gone"]}
	if p := strings.Join(compareStateful(want, weakened), "\n"); !strings.Contains(p, "deletion/replace policy changes from RetainExceptOnCreate/Retain to Delete/Delete") {
		t.Errorf("a weakened deletion policy is not reported:\n%s", p)
	}
}
