package main

import (
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/bedrockgov/bedrockgov/tools/hubschema"
	"github.com/bedrockgov/bedrockgov/tools/naming"
	"github.com/bedrockgov/bedrockgov/tools/report/usage"
)

// athenaQuery is what the --athena SQL is built from. Every value is validated before it is
// placed in the SQL (account IDs, regions and identifiers by pattern; the tag key is a quoted
// string literal).
type athenaQuery struct {
	// Table is the table reference of the FROM clause: "database"."table" in Athena. It is the
	// only part of the SQL the DuckDB equality test replaces.
	Table    string
	Accounts []string
	Regions  []string
	// From and To bound the report to timestamps in [From, To).
	From, To time.Time
	// TagKey, if set, adds the requestMetadata[TagKey] grouping (by_tag).
	TagKey string
}

// athenaSQLText is the one SQL statement of `tools/report --athena`, in Trino's dialect (Athena
// engine version 3). Athena does the heavy part: it reads only the partitions of the period
// (account, region and dt are partition keys; account is injected, so it must be constrained
// with IN), drops the large-body objects under HH/data/, and groups records by
// (model ID, account, operation, caller, tag, UTC day) with the record, error and token counts.
// The grouped rows go through the same Go aggregation as --logs (usage.Aggregator.AddGroup), so
// base-model reduction, prices, partial-cost marking and caller keys are the Go rules.
//
// Row kinds (the status column): "ok" rows are grouped records in the period; "malformed" rows
// count lines that are not usable records (the SerDe returns a row of NULLs for a line that is
// not JSON; a record without a modelId or an RFC 3339 timestamp, or with a negative token
// count); "out_of_range" rows count records of the partitions read whose timestamp is outside
// the period (partitions are whole UTC days plus the day after for late deliveries). The keys
// of the last two kinds are NULL so that they stay one row each.
//
// The caller expression cuts the session name off assumed-role ARNs only to keep sessions from
// multiplying the rows; usage.CallerKey applies the same rule again in Go.
const athenaSQLText = `-- bedrockgov tools/report --athena: Bedrock invocation-log usage, grouped for the report
WITH r AS (
  SELECT try(from_iso8601_timestamp("timestamp")) AS ts,
         modelid, accountid, operation, identity.arn AS arn, errorcode,
         {{if .TagKey}}element_at(requestmetadata, {{.TagKey}}){{else}}CAST(NULL AS varchar){{end}} AS tag,
         input.inputtokencount AS it, output.outputtokencount AS ot,
         input.cachereadinputtokencount AS cr, input.cachewriteinputtokencount AS cw
  FROM {{.Table}}
  WHERE account IN ({{.Accounts}})
    AND region IN ({{.Regions}})
    AND dt BETWEEN '{{.FirstDay}}' AND '{{.LastDay}}'
    AND {{.NotDataObjects}}
),
s AS (
  SELECT r.*,
         CASE WHEN ts IS NULL OR modelid IS NULL OR modelid = ''
                   OR it < 0 OR ot < 0 OR cr < 0 OR cw < 0 THEN 'malformed'
              WHEN ts < from_iso8601_timestamp('{{.From}}')
                   OR ts >= from_iso8601_timestamp('{{.To}}') THEN 'out_of_range'
              ELSE 'ok' END AS status
  FROM r
)
SELECT status,
       CASE WHEN status = 'ok' THEN modelid END AS model_id,
       CASE WHEN status = 'ok' THEN accountid END AS account_id,
       CASE WHEN status = 'ok' THEN operation END AS operation,
       CASE WHEN status = 'ok' THEN coalesce(nullif(regexp_extract(arn, '^(arn:[^:]+:sts::[0-9]*:assumed-role/[^/]+)/', 1), ''), arn) END AS caller,
       CASE WHEN status = 'ok' THEN tag END AS tag,
       CASE WHEN status = 'ok' THEN CAST(floor(to_unixtime(ts) / 86400) AS bigint) END AS day,
       count(*) AS records,
       count_if(errorcode <> '') AS errors,
       sum(coalesce(it, 0)) AS input_tokens,
       sum(coalesce(ot, 0)) AS output_tokens,
       sum(coalesce(cr, 0)) AS cache_read_input_tokens,
       sum(coalesce(cw, 0)) AS cache_write_input_tokens
FROM s
GROUP BY 1, 2, 3, 4, 5, 6, 7
`

var athenaSQLTemplate = template.Must(template.New("athena").Parse(athenaSQLText))

var (
	accountIDRe  = regexp.MustCompile(`^[0-9]{12}$`)
	regionNameRe = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	identifierRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$`)
)

// athenaTableRef is the quoted "database"."table" reference.
func athenaTableRef(database, table string) string {
	return `"` + database + `"."` + table + `"`
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = sqlString(v)
	}
	return strings.Join(q, ", ")
}

// athenaSQL renders the query. It refuses values that could change the statement.
func athenaSQL(q athenaQuery) (string, error) {
	if len(q.Accounts) == 0 || len(q.Regions) == 0 || q.From.IsZero() || q.To.IsZero() {
		return "", fmt.Errorf("athena query needs accounts, regions and a bounded period")
	}
	for _, a := range q.Accounts {
		if !accountIDRe.MatchString(a) {
			return "", fmt.Errorf("account %q is not a 12-digit account ID", a)
		}
	}
	for _, r := range q.Regions {
		if !regionNameRe.MatchString(r) {
			return "", fmt.Errorf("region %q is not a region name such as us-east-1", r)
		}
	}
	days := usage.DateRangeFor(q.From, q.To)
	data := map[string]string{
		"Table":          q.Table,
		"Accounts":       sqlList(q.Accounts),
		"Regions":        sqlList(q.Regions),
		"FirstDay":       days.From.Format(naming.GoDateFormat),
		"LastDay":        days.To.Format(naming.GoDateFormat),
		"NotDataObjects": hubschema.NotDataObjects,
		"From":           q.From.UTC().Format(time.RFC3339Nano),
		"To":             q.To.UTC().Format(time.RFC3339Nano),
	}
	if q.TagKey != "" {
		data["TagKey"] = sqlString(q.TagKey)
	}
	var b strings.Builder
	if err := athenaSQLTemplate.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// athenaRow is one result row by column name; a nil value is SQL NULL.
type athenaRow map[string]*string

// addAthenaRows feeds grouped rows into the Go aggregation (the rules of --logs).
func addAthenaRows(agg *usage.Aggregator, rows []athenaRow) error {
	for i, row := range rows {
		n := func(col string) (int64, error) {
			v := row[col]
			if v == nil {
				return 0, nil
			}
			var x int64
			if _, err := fmt.Sscan(*v, &x); err != nil {
				return 0, fmt.Errorf("result row %d: column %s = %q is not an integer", i+1, col, *v)
			}
			return x, nil
		}
		s := func(col string) string {
			if v := row[col]; v != nil {
				return *v
			}
			return ""
		}
		var c usage.Counters
		var err error
		for _, f := range []struct {
			col string
			dst *int64
		}{{"records", &c.Records}, {"errors", &c.Errors}, {"input_tokens", &c.InputTokens}, {"output_tokens", &c.OutputTokens},
			{"cache_read_input_tokens", &c.CacheReadTokens}, {"cache_write_input_tokens", &c.CacheWriteTokens}} {
			if *f.dst, err = n(f.col); err != nil {
				return err
			}
		}
		switch st := s("status"); st {
		case "malformed":
			agg.Skipped += c.Records
		case "out_of_range":
			agg.OutOfRange += c.Records
		case "ok":
			day, err := n("day")
			if err != nil {
				return err
			}
			g := usage.Group{ModelID: s("model_id"), AccountID: s("account_id"), Operation: s("operation"),
				Caller: s("caller"), Tag: s("tag"), HasTag: row["tag"] != nil,
				Day: time.Unix(day*86400, 0).UTC(), Counters: c}
			agg.AddGroup(&g)
		default:
			return fmt.Errorf("result row %d: unknown status %q", i+1, st)
		}
	}
	return nil
}
