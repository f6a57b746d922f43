// Runs the SQL of `tools/report --athena` on DuckDB over a local copy of the log layout, for the
// equality test in tools/report/athena_duckdb_test.go. Reads one JSON object on stdin:
//   {"root": DIR, "columns": {jsonKey: duckdbType, ...}, "table": NAME, "sql": TEXT}
// creates view NAME with the hub table's columns and partition keys (account, region, dt taken
// from the object's path, "$path" its name), and prints the result rows as a JSON array of
// objects whose values are strings or null (as Athena's GetQueryResults gives them).
//
// Trino functions DuckDB lacks or spells differently are defined as macros with Trino's meaning:
//   from_iso8601_timestamp(s)  ISO 8601 text to a timestamp with time zone
//   to_unixtime(t)             seconds since the epoch (DuckDB: epoch)
//   element_at(map, key)       the value or NULL (DuckDB's element_at returns a list)
// Identifiers and struct fields are case-insensitive in DuckDB, as JSON keys are for the OpenX
// SerDe, so "modelid" reads the "modelId" key.
import { DuckDBInstance } from '@duckdb/node-api';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const req = JSON.parse(Buffer.concat(chunks).toString());
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await inst.connect();
const lit = (s) => "'" + String(s).replaceAll("'", "''") + "'";
await con.run(`SET TimeZone = 'UTC'`);
await con.run(`CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`);
await con.run(`CREATE MACRO to_unixtime(t) AS epoch(t)`);
await con.run(`CREATE MACRO element_at(m, k) AS m[k]`);
const cols = Object.entries(req.columns).map(([k, v]) => `${JSON.stringify(k)}: ${lit(v)}`).join(', ');
const part = (i) => `regexp_extract(filename, '/AWSLogs/([^/]+)/BedrockModelInvocationLogs/([^/]+)/([0-9]{4}/[0-9]{2}/[0-9]{2})/', ${i})`;
await con.run(`CREATE VIEW ${req.table} AS
  SELECT j.*, filename AS "$path", ${part(1)} AS account, ${part(2)} AS region, ${part(3)} AS dt
  FROM read_json(${lit(req.root + '/AWSLogs/**')}, format = 'newline_delimited', ignore_errors = true,
                 filename = true, columns = {${cols}}) j`);
const reader = await con.runAndReadAll(req.sql);
const names = reader.columnNames();
const out = reader.getRows().map((r) => Object.fromEntries(r.map((v, i) => [names[i], v === null ? null : String(v)])));
process.stdout.write(JSON.stringify(out));
