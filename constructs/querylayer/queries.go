package querylayer

import (
	"fmt"
	"strings"

	"github.com/bedrockgov/bedrockgov/tools/hubschema"
)

// Query is one named query of the workgroup.
type Query struct {
	// ID is the construct ID of the named query (a public contract).
	ID string
	// Title and Description are shown in the Athena console.
	Title, Description string
	// body builds the SQL from the FROM target and the WHERE clause.
	body func(from, where string) string
}

// QueryCatalog lists the named queries, in a stable order.
var QueryCatalog = []Query{
	{ID: "UsageByAccountModelDay", Title: "usage by account, model and day",
		Description: "Invocations and input, output and cache tokens per account, model and UTC day.",
		body: func(from, where string) string {
			return `SELECT account, modelid,
  CAST(CAST(from_iso8601_timestamp("timestamp") AT TIME ZONE 'UTC' AS date) AS varchar) AS day,
  count(*) AS invocations,
  coalesce(sum(input.inputtokencount), 0) AS input_tokens,
  coalesce(sum(output.outputtokencount), 0) AS output_tokens,
  coalesce(sum(input.cachereadinputtokencount), 0) AS cache_read_tokens,
  coalesce(sum(input.cachewriteinputtokencount), 0) AS cache_write_tokens
FROM ` + from + `
WHERE ` + where + `
GROUP BY 1, 2, 3
ORDER BY 3, 1, 2`
		}},
	{ID: "TopCallers", Title: "top callers",
		Description: "The 50 IAM identities with the most tokens (input + output + cache), with their invocations and accounts.",
		body: func(from, where string) string {
			return `SELECT identity.arn AS caller, account,
  count(*) AS invocations,
  coalesce(sum(input.inputtokencount), 0) + coalesce(sum(output.outputtokencount), 0)
    + coalesce(sum(input.cachereadinputtokencount), 0) + coalesce(sum(input.cachewriteinputtokencount), 0) AS total_tokens
FROM ` + from + `
WHERE ` + where + `
GROUP BY 1, 2
ORDER BY total_tokens DESC
LIMIT 50`
		}},
	{ID: "ErrorsByModel", Title: "errors by model",
		Description: "Failed invocations per model and error code, with the share of the model's invocations.",
		body: func(from, where string) string {
			return `SELECT modelid, errorcode,
  count(*) AS errors,
  round(100.0 * count(*) / max(total), 2) AS percent_of_invocations
FROM (
  SELECT modelid, nullif(errorcode, '') AS errorcode,
    count(*) OVER (PARTITION BY modelid) AS total
  FROM ` + from + `
  WHERE ` + where + `
)
WHERE errorcode IS NOT NULL
GROUP BY 1, 2
ORDER BY errors DESC`
		}},
	{ID: "CacheUse", Title: "prompt cache use by model",
		Description: "Cache read and write tokens per account and model, and the share of input tokens served from the cache.",
		body: func(from, where string) string {
			return `SELECT account, modelid,
  count(*) AS invocations,
  coalesce(sum(input.inputtokencount), 0) AS input_tokens,
  coalesce(sum(input.cachereadinputtokencount), 0) AS cache_read_tokens,
  coalesce(sum(input.cachewriteinputtokencount), 0) AS cache_write_tokens,
  round(100.0 * coalesce(sum(input.cachereadinputtokencount), 0)
    / nullif(coalesce(sum(input.inputtokencount), 0) + coalesce(sum(input.cachereadinputtokencount), 0), 0), 2) AS cache_read_percent
FROM ` + from + `
WHERE ` + where + `
GROUP BY 1, 2
HAVING sum(input.cachereadinputtokencount) > 0 OR sum(input.cachewriteinputtokencount) > 0
ORDER BY cache_read_tokens DESC`
		}},
}

// WeeklyUsageID is the query the weekly summary runs (usage by account and model).
const WeeklyUsageID = "WeeklyUsageByAccountModel"

// Where is the filter every query uses: the period (two execution parameters, first and last
// day in naming.DateFormat, inclusive), the accounts (the injected partition needs them; one
// more parameter when none is given), objects that hold log records (not the data/ objects of
// large bodies), and the records tools/report counts: a model ID, an RFC 3339 timestamp and no
// negative token count (an unreadable line comes back from the SerDe as a row of NULLs).
func Where(accounts []string) string {
	acct := hubschema.Quote(hubschema.PartitionAccount) + " = ?"
	if len(accounts) > 0 {
		q := make([]string, len(accounts))
		for i, a := range accounts {
			q[i] = "'" + strings.ReplaceAll(a, "'", "''") + "'"
		}
		acct = hubschema.Quote(hubschema.PartitionAccount) + " IN (" + strings.Join(q, ", ") + ")"
	}
	return fmt.Sprintf("%s BETWEEN ? AND ?\n  AND %s\n  AND %s\n  AND %s",
		hubschema.Quote(hubschema.PartitionDate), acct, hubschema.NotDataObjects, RecordRule)
}

// RecordRule keeps the rows tools/report counts as records.
const RecordRule = `coalesce(modelid, '') <> ''
  AND try(from_iso8601_timestamp("timestamp")) IS NOT NULL
  AND coalesce(input.inputtokencount, 0) >= 0 AND coalesce(output.outputtokencount, 0) >= 0
  AND coalesce(input.cachereadinputtokencount, 0) >= 0 AND coalesce(input.cachewriteinputtokencount, 0) >= 0`

// From is the quoted table reference.
func From(database, table string) string {
	return hubschema.Quote(database) + "." + hubschema.Quote(table)
}

// NamedQueries returns the SQL of every catalog query and of the weekly usage query, by ID.
func NamedQueries(database, table string, accounts []string) map[string]string {
	from, where := From(database, table), Where(accounts)
	out := map[string]string{}
	for _, q := range QueryCatalog {
		out[q.ID] = q.body(from, where)
	}
	out[WeeklyUsageID] = `SELECT account, modelid,
  count(*) AS invocations,
  coalesce(sum(input.inputtokencount), 0) AS input_tokens,
  coalesce(sum(output.outputtokencount), 0) AS output_tokens,
  coalesce(sum(input.cachereadinputtokencount), 0) AS cache_read_tokens,
  coalesce(sum(input.cachewriteinputtokencount), 0) AS cache_write_tokens
FROM ` + from + `
WHERE ` + where + `
GROUP BY 1, 2
ORDER BY input_tokens + output_tokens DESC
LIMIT 100`
	return out
}
