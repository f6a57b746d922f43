package config

import (
	_ "embed"
	"encoding/json"
)

// ExampleJSON is the built-in example organization: three environments with placeholder
// account IDs and example.com recipients. `make synth` uses it when cdk.json sets no
// configuration; `go run ./app -example-config` prints it as a starting point.
//
//go:embed example.json
var ExampleJSON []byte

// Example returns the built-in example configuration.
func Example() *Config {
	var c Config
	if err := json.Unmarshal(ExampleJSON, &c); err != nil {
		panic("config: built-in example does not parse: " + err.Error())
	}
	return &c
}
