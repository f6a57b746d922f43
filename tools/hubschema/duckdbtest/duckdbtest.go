// Package duckdbtest runs the hub table's SQL on DuckDB in tests: the harness
// tools/report/.duckdb/sql.mjs builds a view over a local log tree with the hub table's columns
// (from hubschema), its partition keys and "$path", and macros for the Trino functions DuckDB
// spells differently. The report's --athena tests and the query layer's named-query tests both
// use it, so the two agree on one DuckDB set-up. It imports no CDK package.
package duckdbtest

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/bedrockgov/bedrockgov/tools/hubschema"
)

// Dir is the folder of the DuckDB harness (make test installs @duckdb/node-api there).
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "report", ".duckdb")
}

// LogRecordKeys spell the log record's JSON keys; the hub table's lower-case column and
// struct-field names must each be one of them.
var LogRecordKeys = []string{"schemaType", "schemaVersion", "timestamp", "accountId", "region", "requestId",
	"operation", "modelId", "identity", "arn", "requestMetadata", "inferenceRegion", "errorCode",
	"input", "inputContentType", "inputBodyJson", "inputBodyS3Path", "inputTokenCount", "cacheReadInputTokenCount",
	"cacheWriteInputTokenCount", "output", "outputContentType", "outputBodyJson", "outputBodyS3Path", "outputTokenCount"}

// Columns turns the hub table's columns into read_json columns (JSON key -> DuckDB type),
// failing the test when a column or struct field is no field of the log record.
func Columns(t testing.TB) map[string]string {
	t.Helper()
	key := map[string]string{}
	for _, k := range LogRecordKeys {
		key[strings.ToLower(k)] = k
	}
	name := regexp.MustCompile(`[a-z0-9_]+:`)
	out := map[string]string{}
	for _, c := range hubschema.Columns {
		if key[c.Name] != c.Field {
			t.Fatalf("hub table column %q maps %q, no field of the log record", c.Name, c.Field)
		}
		typ := name.ReplaceAllStringFunc(c.Type, func(f string) string {
			jk, ok := key[strings.TrimSuffix(f, ":")]
			if !ok {
				t.Fatalf("hub table column %q: struct field %q is no field of the log record", c.Name, f)
			}
			return jk + " "
		})
		out[c.Field] = strings.NewReplacer("struct<", "STRUCT(", ">", ")", "map<string,string", "MAP(VARCHAR,VARCHAR",
			"string", "VARCHAR", "bigint", "BIGINT").Replace(typ)
	}
	return out
}

// Node finds node and the harness script; it skips the test when DuckDB is not installed, or
// fails it when BEDROCKGOV_REQUIRE_DUCKDB is set (make test sets it).
func Node(t testing.TB) (node, script string) {
	t.Helper()
	dir := Dir()
	node = "node"
	if p := os.Getenv("JSII_NODE"); p != "" {
		node = p
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil {
		if os.Getenv("BEDROCKGOV_REQUIRE_DUCKDB") != "" {
			t.Fatalf("DuckDB is not installed in %s: run make test (it installs it)", dir)
		}
		t.Skipf("DuckDB is not installed in %s (make test installs it)", dir)
	}
	if _, err := exec.LookPath(node); err != nil {
		t.Skipf("no node to run DuckDB: %v", err)
	}
	return node, filepath.Join(dir, "sql.mjs")
}

// Request is the harness's input for sql over the log tree at root, queried as table.
func Request(t testing.TB, root, table, sql string) map[string]any {
	return map[string]any{"root": root, "columns": Columns(t), "table": table, "sql": sql}
}

// Run runs sql over the log tree at root, queried as table, and returns its rows (column names
// as DuckDB spells them; NULL is nil).
func Run(t testing.TB, root, table, sql string) []map[string]*string {
	t.Helper()
	node, script := Node(t)
	req, _ := json.Marshal(Request(t, root, table, sql))
	cmd := exec.Command(node, script)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb: %v\n%s\nSQL:\n%s", err, stderr.String(), sql)
	}
	var rows []map[string]*string
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("duckdb output: %v\n%s", err, out)
	}
	return rows
}

// CopyTree copies the log tree at src into a temporary folder, leaving out the objects named
// in skip (slash-separated paths relative to src).
func CopyTree(t testing.TB, src string, skip map[string]bool) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if skip[filepath.ToSlash(rel)] {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		full := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.WriteFile(full, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
