package config

import (
	"encoding/json"
	"testing"
)

// mutateTree returns the example as a generic JSON tree, changed by f, re-encoded.
func mutateTree(t *testing.T, f func(tree map[string]any)) []byte {
	t.Helper()
	var tree map[string]any
	if err := json.Unmarshal(ExampleJSON, &tree); err != nil {
		t.Fatal(err)
	}
	f(tree)
	out, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
