// Package hubschema is the Glue table over the hub's archive of invocation logs: its columns
// (the log record as the OpenX JSON SerDe maps it), partition keys, partition projection and
// SerDe settings. The hub stack builds the table from it and `tools/report --athena` queries it,
// so the two cannot drift apart. It has no dependencies beyond tools/naming.
//
// Column names are the JSON field names lower-cased (the OpenX SerDe matches keys without
// regard to case), so `modelId` is `modelid` and `input.inputTokenCount` is
// `input.inputtokencount`. The record's own `region` field is not a data column: Glue does not
// allow a data column and a partition key of the same name, and the `region` partition (the
// folder Bedrock wrote the object under) holds the same value. `accountid` (the record) and
// `account` (the partition) both exist: queries constrain the partition and report the record.
package hubschema

import (
	"strings"

	"github.com/bedrockgov/bedrockgov/tools/naming"
)

// Column is one Glue column: a lower-case name and a Hive type.
type Column struct {
	Name    string
	Type    string
	Comment string
}

// Columns are the data columns, in table order: every field of the log record that the report
// and the hub's named queries read. Request and response bodies are not mapped (they are large
// and their shape depends on the model); their S3 paths are.
var Columns = []Column{
	{"schematype", "string", "ModelInvocationLog"},
	{"schemaversion", "string", "1.0"},
	{"timestamp", "string", "RFC 3339 time of the invocation (UTC as Bedrock writes it)"},
	{"accountid", "string", "account that made the call"},
	{"requestid", "string", "Bedrock request ID"},
	{"operation", "string", "Converse, ConverseStream, InvokeModel, InvokeModelWithResponseStream"},
	{"modelid", "string", "model ID, inference-profile ID or ARN as the caller gave it"},
	{"identity", "struct<arn:string>", "caller's IAM or STS ARN"},
	{"requestmetadata", "map<string,string>", "caller-chosen key/value pairs (Converse requestMetadata)"},
	{"inferenceregion", "string", "region that served a cross-region request"},
	{"errorcode", "string", "set when the invocation failed"},
	{"input", "struct<inputcontenttype:string,inputbodys3path:string,inputtokencount:bigint,cachereadinputtokencount:bigint,cachewriteinputtokencount:bigint>", "input token counts"},
	{"output", "struct<outputcontenttype:string,outputbodys3path:string,outputtokencount:bigint>", "output token count"},
}

// Partition keys, in order. account is injected (a query must give it with = or IN), region is
// an enum of the hub's regions, dt is a date in naming.DateFormat.
const (
	PartitionAccount = "account"
	PartitionRegion  = "region"
	PartitionDate    = "dt"
)

// PartitionKeys are the table's partition columns.
var PartitionKeys = []Column{
	{PartitionAccount, "string", "account folder under AWSLogs/ (injected: queries name the accounts)"},
	{PartitionRegion, "string", "region folder Bedrock wrote under"},
	{PartitionDate, "string", "day folder, " + naming.DateFormat},
}

// The SerDe and formats of the table (gzip is detected from the object names).
const (
	SerDeLibrary = "org.openx.data.jsonserde.JsonSerDe"
	InputFormat  = "org.apache.hadoop.mapred.TextInputFormat"
	OutputFormat = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
)

// SerDeParameters make a malformed line a row of NULLs instead of a failed query (queries skip
// rows without a modelid or timestamp), and match JSON keys without regard to case.
var SerDeParameters = map[string]string{
	"ignore.malformed.json": "true",
	"case.insensitive":      "true",
}

// DataPathPattern is a LIKE pattern of the objects under an hour's data/ folder
// (.../YYYY/MM/DD/HH/data/...: large request and response bodies, not log records). Queries
// exclude them with `"$path" NOT LIKE ...`. It names the date folders so that a key prefix
// that happens to contain "/data/" excludes nothing.
const DataPathPattern = "%/____/__/__/__/" + naming.DataFolder + "/%"

// ProjectionParameters are the table parameters of partition projection over the archive
// bucket: account injected, region an enum of regions, dt a daily date from firstDay
// (naming.DateFormat, e.g. "2024/01/01") to today.
func ProjectionParameters(bucket, keyPrefix string, regions []string, firstDay string) map[string]string {
	return map[string]string{
		"classification":                                 "json",
		"projection.enabled":                             "true",
		"projection." + PartitionAccount + ".type":       "injected",
		"projection." + PartitionRegion + ".type":        "enum",
		"projection." + PartitionRegion + ".values":      strings.Join(regions, ","),
		"projection." + PartitionDate + ".type":          "date",
		"projection." + PartitionDate + ".format":        naming.DateFormat,
		"projection." + PartitionDate + ".range":         firstDay + ",NOW",
		"projection." + PartitionDate + ".interval":      "1",
		"projection." + PartitionDate + ".interval.unit": "DAYS",
		"storage.location.template":                      naming.PartitionTemplate(bucket, keyPrefix),
	}
}
