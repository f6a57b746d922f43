// Package cdkassert helps tests assert on synthesized CDK templates from Go. jsii calls panic
// on failure (failed template assertions included); these helpers turn such panics into test
// failures with the assertion's message, and read templates into plain Go values so most
// checks run without further round trips to Node.
package cdkassert

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// Main runs the tests of a package that uses the CDK, then stops the jsii runtime once (one
// Node process per test binary). Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// Must runs f and reports a jsii panic (a failed assertion) as a test failure.
func Must(t testing.TB, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v", r)
		}
	}()
	f()
}

// Template is a synthesized template read into Go values.
type Template struct {
	T         assertions.Template
	Resources map[string]Resource
	Outputs   map[string]map[string]any
	Raw       map[string]any
}

// Resource is one template resource.
type Resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	UpdateReplace  string         `json:"UpdateReplacePolicy"`
	DependsOn      any            `json:"DependsOn"`
}

// Synth synthesizes a stack and reads its template.
func Synth(t testing.TB, stack awscdk.Stack) *Template {
	t.Helper()
	var tpl *Template
	Must(t, func() {
		at := assertions.Template_FromStack(stack, nil)
		data, err := json.Marshal(at.ToJSON())
		if err != nil {
			t.Fatal(err)
		}
		tpl = &Template{T: at}
		var doc struct {
			Resources map[string]Resource       `json:"Resources"`
			Outputs   map[string]map[string]any `json:"Outputs"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &tpl.Raw); err != nil {
			t.Fatal(err)
		}
		tpl.Resources, tpl.Outputs = doc.Resources, doc.Outputs
	})
	return tpl
}

// OfType returns the logical IDs and resources of one type, sorted by logical ID.
func (tp *Template) OfType(typ string) ([]string, []Resource) {
	var ids []string
	for id, r := range tp.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	out := make([]Resource, len(ids))
	for i, id := range ids {
		out[i] = tp.Resources[id]
	}
	return ids, out
}

// One returns the only resource of a type, failing the test when there is not exactly one.
func (tp *Template) One(t testing.TB, typ string) (string, Resource) {
	t.Helper()
	ids, rs := tp.OfType(typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, found %d: %v", typ, len(rs), ids)
	}
	return ids[0], rs[0]
}

// HasProps asserts that some resource of the type has the properties (object-like match).
func (tp *Template) HasProps(t testing.TB, typ string, props map[string]any) {
	t.Helper()
	Must(t, func() { tp.T.HasResourceProperties(jsii.String(typ), assertions.Match_ObjectLike(&props)) })
}

// JSON renders any template fragment as compact JSON, for substring checks.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Statements returns the statements of a policy document property.
func Statements(doc any) []map[string]any {
	m, _ := doc.(map[string]any)
	raw, _ := m["Statement"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, s := range raw {
		if sm, ok := s.(map[string]any); ok {
			out = append(out, sm)
		}
	}
	return out
}

// StatementBySid returns the statement with the Sid, failing the test when absent.
func StatementBySid(t testing.TB, doc any, sid string) map[string]any {
	t.Helper()
	for _, s := range Statements(doc) {
		if s["Sid"] == sid {
			return s
		}
	}
	t.Fatalf("no statement %q in policy %s", sid, JSON(doc))
	return nil
}

// Strings flattens a policy value that may be a string or a list of strings.
func Strings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, Strings(e)...)
		}
		return out
	}
	return nil
}

// NagErrors returns the cdk-nag errors and warnings recorded on a stack (unsuppressed
// findings), one line each.
func NagErrors(t testing.TB, stack awscdk.Stack) []string {
	t.Helper()
	var out []string
	Must(t, func() {
		ann := assertions.Annotations_FromStack(stack)
		for _, find := range []func(*string, any) *[]*cxapi.SynthesisMessage{ann.FindError, ann.FindWarning} {
			msgs := find(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
			for _, m := range *msgs {
				out = append(out, fmt.Sprintf("%s: %v", *m.Id, m.Entry.Data))
			}
		}
	})
	return out
}

// Contains reports whether s contains every one of subs.
func Contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
