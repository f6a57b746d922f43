package iamsim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// TemplatePolicies returns every IAM policy document in a CloudFormation template, each named
// "<templateName> <logicalId> (<type>) <property path>": role trust and inline policies,
// managed and inline policies, key policies, bucket, topic and queue policies, Organizations
// policies of type SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY, and any other property
// (or JSON string property) holding an object with a Statement list. Intrinsics elsewhere in a
// document are kept as they are; CheckIAMReference reads only actions, keys and operators.
func TemplatePolicies(templateName string, template map[string]any) []Named {
	resources, _ := template["Resources"].(map[string]any)
	var out []Named
	for _, id := range sortedKeys(resources) {
		r, _ := resources[id].(map[string]any)
		typ, _ := r["Type"].(string)
		props, _ := r["Properties"].(map[string]any)
		if typ == "AWS::Organizations::Policy" {
			if t, _ := props["Type"].(string); t != "SERVICE_CONTROL_POLICY" && t != "RESOURCE_CONTROL_POLICY" {
				continue // BEDROCK_POLICY, TAG_POLICY ... are not IAM policy documents
			}
		}
		prefix := fmt.Sprintf("%s %s (%s)", templateName, id, typ)
		findDocs(props, "", func(path string, doc map[string]any) {
			out = append(out, Named{Name: prefix + " " + strings.TrimPrefix(path, "."), Policy: doc})
		})
	}
	return out
}

// findDocs calls found for every policy document under v: an object whose Statement is a
// list or an object with an Effect, or a string holding such an object as JSON.
func findDocs(v any, path string, found func(string, map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if isPolicyDoc(x) {
			found(path, x)
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			findDocs(x[k], path+"."+k, found)
		}
	case []any:
		for i, e := range x {
			findDocs(e, fmt.Sprintf("%s[%d]", path, i), found)
		}
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "{") && strings.Contains(s, "Statement") {
			var doc map[string]any
			if json.Unmarshal([]byte(s), &doc) == nil && isPolicyDoc(doc) {
				found(path, doc)
			}
		}
	}
}

func isPolicyDoc(m map[string]any) bool {
	switch s := m["Statement"].(type) {
	case []any:
		return true
	case map[string]any:
		_, ok := s["Effect"]
		return ok
	}
	return false
}
