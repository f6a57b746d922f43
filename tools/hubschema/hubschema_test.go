package hubschema

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// The location template, filled in with a record's account, region and day, is the folder the
// member writes that hour's objects under (naming.HourPrefix), so projection finds every object.
func TestProjectionLocationMatchesLogLayout(t *testing.T) {
	p := ProjectionParameters("hub-bucket", "bedrock-invocation-logs", []string{"us-east-1", "eu-west-1"}, "2024/01/01")
	tmpl := p["storage.location.template"]
	for _, k := range PartitionKeys {
		if !strings.Contains(tmpl, "${"+k.Name+"}") {
			t.Errorf("template %q lacks ${%s}", tmpl, k.Name)
		}
		if p["projection."+k.Name+".type"] == "" {
			t.Errorf("partition key %s has no projection type", k.Name)
		}
	}
	ts := time.Date(2026, 11, 21, 13, 0, 0, 0, time.UTC)
	loc := strings.NewReplacer("${account}", "111111111111", "${region}", "eu-west-1",
		"${dt}", ts.Format(naming.GoDateFormat)).Replace(tmpl)
	hour := "s3://hub-bucket/" + naming.HourPrefix("bedrock-invocation-logs", "111111111111", "eu-west-1", ts)
	if !strings.HasPrefix(hour, loc) || hour[len(loc):] != "13/" {
		t.Fatalf("partition location %q is not the day folder of hour folder %q", loc, hour)
	}
	if p["projection.region.values"] != "us-east-1,eu-west-1" || p["projection.dt.format"] != "yyyy/MM/dd" {
		t.Fatalf("projection %v", p)
	}
}

// Glue rejects a data column named like a partition key, and Hive types are lower case.
func TestColumnsAreValidGlueColumns(t *testing.T) {
	name := regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	seen := map[string]bool{}
	for _, c := range append(append([]Column{}, Columns...), PartitionKeys...) {
		if !name.MatchString(c.Name) || seen[c.Name] {
			t.Errorf("column %q: not a lower-case name or duplicated", c.Name)
		}
		seen[c.Name] = true
		if c.Type != strings.ToLower(c.Type) {
			t.Errorf("column %s: type %q is not lower case", c.Name, c.Type)
		}
	}
}
