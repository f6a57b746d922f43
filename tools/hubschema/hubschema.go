// Package hubschema is the shape of the hub's Athena table over the invocation-log archive:
// its columns, partition keys and SerDe settings. The CDK query layer creates the Glue table
// from it and `tools/report --athena` writes its SQL against it, so both agree on every column
// name. It has no dependencies.
//
// Column names are the log record's JSON field names in lower case (Glue lower-cases column
// names; the OpenX JSON SerDe matches JSON keys case-insensitively), nested objects are
// structs and requestMetadata is a map. The record's own "region" field is not a column: the
// partition key of the same name holds the same value (the folder Bedrock writes the record
// in), and Glue forbids a column and a partition key with one name.
package hubschema

import "strings"

// Column is one table column: its name and its Hive type.
type Column struct {
	Name string
	Type string
	// Field is the log-record field the column maps (JSON path), for documentation.
	Field string
}

// Columns are the data columns of the table, in order. Bodies (inputBodyJson,
// outputBodyJson) are deliberately not mapped: they hold prompts and completions, are large,
// and no query needs them; the S3 paths of large bodies are.
var Columns = []Column{
	{"schematype", "string", "schemaType"},
	{"schemaversion", "string", "schemaVersion"},
	{"timestamp", "string", "timestamp"}, // RFC 3339; query with from_iso8601_timestamp("timestamp")
	{"accountid", "string", "accountId"},
	{"requestid", "string", "requestId"},
	{"operation", "string", "operation"},
	{"modelid", "string", "modelId"},
	{"inferenceregion", "string", "inferenceRegion"},
	{"errorcode", "string", "errorCode"},
	{"identity", "struct<arn:string>", "identity"},
	{"requestmetadata", "map<string,string>", "requestMetadata"},
	{"input", "struct<inputcontenttype:string,inputbodys3path:string,inputtokencount:bigint,cachereadinputtokencount:bigint,cachewriteinputtokencount:bigint>", "input"},
	{"output", "struct<outputcontenttype:string,outputbodys3path:string,outputtokencount:bigint>", "output"},
}

// Partition keys, in order. They are projected (never stored in the catalog):
// account is injected (queries must constrain it with = or IN), region is an enum of the hub
// regions and dt a date in naming.DateFormat.
const (
	PartitionAccount = "account"
	PartitionRegion  = "region"
	PartitionDate    = "dt"
)

// PartitionKeys are the partition columns, in order; all are strings.
var PartitionKeys = []string{PartitionAccount, PartitionRegion, PartitionDate}

// SerDe is the row format of the table.
const SerDe = "org.openx.data.jsonserde.JsonSerDe"

// SerDeParameters make unreadable lines (partial or corrupt records) come back as rows of
// nulls instead of failing the whole query, and match JSON keys case-insensitively.
var SerDeParameters = map[string]string{
	"ignore.malformed.json": "true",
	"case.insensitive":      "true",
}

// Input and output formats of the table (gzip is detected from the object name).
const (
	InputFormat  = "org.apache.hadoop.mapred.TextInputFormat"
	OutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
)

// NotDataObjects is the SQL predicate every query must add to skip objects that are not log
// records: the per-hour data/ folders of large bodies and Bedrock's permission-check object.
// "$path" is Athena's pseudo-column holding each row's S3 object URI. The data/ pattern names
// the date and hour folders above it (.../YYYY/MM/DD/HH/data/), so that a key prefix or bucket
// path that happens to contain a "data" folder does not exclude every record.
const NotDataObjects = `"$path" NOT LIKE '%/____/__/__/__/data/%' AND "$path" NOT LIKE '%amazon-bedrock-logs-permission-check%'`

// ColumnNames returns the data column names, in order.
func ColumnNames() []string {
	out := make([]string, len(Columns))
	for i, c := range Columns {
		out[i] = c.Name
	}
	return out
}

// Quote returns an identifier quoted for Athena (Presto/Trino) SQL.
func Quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
