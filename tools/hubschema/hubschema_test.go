package hubschema

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// like compiles an SQL LIKE pattern (% and _, no escapes) to a regexp.
func like(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range p {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// NotDataObjects keeps every log object of the layout Bedrock writes (whatever the key prefix)
// and drops the large-body objects and the permission-check object.
func TestNotDataObjectsKeepsLogsOnly(t *testing.T) {
	pats := regexp.MustCompile(`"\$path" NOT LIKE '([^']*)'`).FindAllStringSubmatch(NotDataObjects, -1)
	if len(pats) != 2 {
		t.Fatalf("NotDataObjects = %s: want two NOT LIKE patterns", NotDataObjects)
	}
	excluded := func(path string) bool {
		for _, p := range pats {
			if like(p[1]).MatchString(path) {
				return true
			}
		}
		return false
	}
	hour := time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)
	for _, prefix := range []string{"", "bedrock-invocation-logs", "data", "logs/data/bedrock"} {
		dir := "s3://bucket/" + naming.HourPrefix(prefix, "111111111111", "us-east-1", hour)
		if excluded(dir + "x.json.gz") {
			t.Errorf("prefix %q: log object %s is excluded", prefix, dir+"x.json.gz")
		}
		if !excluded(dir + naming.DataFolder + "/big.json.gz") {
			t.Errorf("prefix %q: large-body object under %sdata/ is kept", prefix, dir)
		}
		root := "s3://bucket/" + strings.TrimSuffix(prefix+"/", "/") + "/" + naming.PermissionCheckObject
		if !excluded(root) {
			t.Errorf("permission-check object %s is kept", root)
		}
	}
}

// Glue rejects a data column named like a partition key; names and Hive types are lower case.
func TestColumnsAreValidGlueColumns(t *testing.T) {
	name := regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	seen := map[string]bool{}
	names := append(ColumnNames(), PartitionKeys...)
	for _, n := range names {
		if !name.MatchString(n) || seen[n] {
			t.Errorf("column %q: not a lower-case name or duplicated", n)
		}
		seen[n] = true
	}
	for _, c := range Columns {
		if c.Type != strings.ToLower(c.Type) || strings.ToLower(c.Field) != c.Name {
			t.Errorf("column %s: type %q not lower case, or field %q is not the column's JSON key", c.Name, c.Type, c.Field)
		}
	}
}
