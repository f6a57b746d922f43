package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// stackArtifact is one CloudFormation stack of a synthesized cloud assembly.
type stackArtifact struct {
	ID          string // artifact ID
	Path        string // construct path of the stack (the manifest's display name)
	StackName   string // CloudFormation stack name
	Assembly    string // "" for the top-level assembly, else the nested assembly's directory
	Environment string // aws://account/region
	Template    map[string]any
	Errors      []string // error annotations (cdk-nag findings)
}

// Resources returns the template's resources.
func (s stackArtifact) Resources() map[string]map[string]any {
	out := map[string]map[string]any{}
	res, _ := s.Template["Resources"].(map[string]any)
	for id, r := range res {
		out[id], _ = r.(map[string]any)
	}
	return out
}

var (
	exampleOnce  sync.Once
	exampleDir   string
	exampleErr   string
	exampleStack []stackArtifact
)

// exampleAssembly synthesizes the built-in example once per test binary, in a fresh process of
// this binary started the way the CDK CLI starts the app, with every AWS credential source
// removed, and returns every stack of the assembly, nested stage assemblies included.
func exampleAssembly(t *testing.T) []stackArtifact {
	t.Helper()
	exampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bedrockgov-assembly-")
		if err != nil {
			exampleErr = err.Error()
			return
		}
		exampleDir = dir
		cmd := exec.Command(os.Args[0], "-test.run=^TestAppProcess$")
		cmd.Env = noCredentialsEnv(
			"BEDROCKGOV_APP_PROCESS=1",
			"CDK_OUTDIR="+dir,
			// As the CLI does: path metadata, so findings and messages name construct paths.
			`CDK_CONTEXT_JSON={"aws:cdk:enable-path-metadata":true}`,
		)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			exampleErr = err.Error() + "\n" + stderr.String()
			return
		}
		exampleStack, err = readAssembly(dir, "")
		if err != nil {
			exampleErr = err.Error()
		}
	})
	if exampleErr != "" {
		t.Fatalf("synthesizing the example without credentials failed: %s", exampleErr)
	}
	return exampleStack
}

// noCredentialsEnv is the environment without any AWS credential or profile, with the shared
// files pointing nowhere and the instance metadata service off.
func noCredentialsEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "CDK_CONTEXT_JSON=") || strings.HasPrefix(kv, "CDK_OUTDIR=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, append([]string{
		"AWS_CONFIG_FILE=/nonexistent/bedrockgov/config",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent/bedrockgov/credentials",
		"AWS_EC2_METADATA_DISABLED=true",
	}, extra...)...)
}

// readAssembly reads the stacks of the assembly in dir and of every nested assembly, and fails
// when the assembly asks for context lookups (which need credentials).
func readAssembly(dir, nested string) ([]stackArtifact, error) {
	var manifest struct {
		Missing   []any `json:"missing"`
		Artifacts map[string]struct {
			Type        string `json:"type"`
			Environment string `json:"environment"`
			DisplayName string `json:"displayName"`
			MetaFile    string `json:"additionalMetadataFile"`
			Metadata    map[string][]struct {
				Type string `json:"type"`
				Data any    `json:"data"`
			} `json:"metadata"`
			Properties struct {
				TemplateFile  string `json:"templateFile"`
				StackName     string `json:"stackName"`
				DirectoryName string `json:"directoryName"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := readJSONInto(filepath.Join(dir, "manifest.json"), &manifest); err != nil {
		return nil, err
	}
	if len(manifest.Missing) > 0 {
		return nil, &assemblyError{dir + ": the app needs context lookups: " + jsonString(manifest.Missing)}
	}
	ids := make([]string, 0, len(manifest.Artifacts))
	for id := range manifest.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []stackArtifact
	for _, id := range ids {
		a := manifest.Artifacts[id]
		switch a.Type {
		case "cdk:cloud-assembly":
			sub, err := readAssembly(filepath.Join(dir, a.Properties.DirectoryName), a.Properties.DirectoryName)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case "aws:cloudformation:stack":
			s := stackArtifact{ID: id, Path: a.DisplayName, StackName: a.Properties.StackName, Assembly: nested, Environment: a.Environment}
			if s.Path == "" {
				s.Path = id
			}
			if s.StackName == "" {
				s.StackName = id
			}
			if err := readJSONInto(filepath.Join(dir, a.Properties.TemplateFile), &s.Template); err != nil {
				return nil, err
			}
			meta := a.Metadata
			if a.MetaFile != "" {
				if err := readJSONInto(filepath.Join(dir, a.MetaFile), &meta); err != nil {
					return nil, err
				}
			}
			paths := make([]string, 0, len(meta))
			for p := range meta {
				paths = append(paths, p)
			}
			sort.Strings(paths)
			for _, p := range paths {
				for _, e := range meta[p] {
					if e.Type == "aws:cdk:error" {
						s.Errors = append(s.Errors, p+": "+jsonString(e.Data))
					}
				}
			}
			out = append(out, s)
		}
	}
	return out, nil
}

type assemblyError struct{ msg string }

func (e *assemblyError) Error() string { return e.msg }

func readJSONInto(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// byName returns the stacks of one assembly ("" top level) by stack name.
func byName(all []stackArtifact, assembly string) map[string]stackArtifact {
	out := map[string]stackArtifact{}
	for _, s := range all {
		if s.Assembly == assembly {
			out[s.StackName] = s
		}
	}
	return out
}
