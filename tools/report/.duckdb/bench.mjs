// DuckDB side of scripts/bench-report.sh: the same aggregates as tools/report
// (by base model, model id, account, UTC day, operation and caller, with the
// eight counters' token sums) over the same gzip JSON-lines tree, read_json
// with 2 threads. Prints one JSON line: seconds, records, tokens, peak RSS.
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const threads = process.argv[3] || '2';
const t0 = performance.now();
const inst = await DuckDBInstance.create(':memory:', { threads });
const con = await inst.connect();
const src = `read_json('${dir}/**/*.json.gz', format='newline_delimited', compression='gzip', ignore_errors=true,
  columns={timestamp: 'VARCHAR', accountId: 'VARCHAR', operation: 'VARCHAR', modelId: 'VARCHAR', errorCode: 'VARCHAR',
           identity: 'STRUCT(arn VARCHAR)',
           input: 'STRUCT(inputTokenCount BIGINT, cacheReadInputTokenCount BIGINT, cacheWriteInputTokenCount BIGINT)',
           output: 'STRUCT(outputTokenCount BIGINT)'})`;
const sql = `
WITH r AS (
  SELECT regexp_replace(regexp_replace(modelId, '^arn:[^:]+:bedrock:[^:]*:[^:]*:(foundation-model|inference-profile)/', ''),
                        '^(us|us-gov|eu|apac|jp|au|ca|global)\\.', '') AS model,
         modelId, accountId, substr(timestamp, 1, 10) AS day, operation,
         regexp_replace(identity.arn, '^(arn:[^:]+:sts::[0-9]+:assumed-role/[^/]+)/.*$', '\\1') AS caller,
         CASE WHEN coalesce(errorCode, '') <> '' THEN 1 ELSE 0 END AS err,
         coalesce(input.inputTokenCount, 0) AS it, coalesce(output.outputTokenCount, 0) AS ot,
         coalesce(input.cacheReadInputTokenCount, 0) AS cr, coalesce(input.cacheWriteInputTokenCount, 0) AS cw
  FROM ${src}
)
SELECT model, modelId, accountId, day, operation, caller,
       count(*) AS records, sum(err) AS errors, sum(it) AS it, sum(ot) AS ot, sum(cr) AS cr, sum(cw) AS cw
FROM r
GROUP BY GROUPING SETS ((), (model), (modelId), (accountId), (day), (operation), (caller))`;
const reader = await con.runAndReadAll(sql);
const rows = reader.getRowObjects();
const total = rows.find(r => r.model === null && r.modelId === null && r.accountId === null && r.day === null && r.operation === null && r.caller === null);
const secs = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  engine: 'duckdb', threads: Number(threads), seconds: secs, groups: rows.length,
  records: Number(total.records), errors: Number(total.errors),
  input_tokens: Number(total.it), output_tokens: Number(total.ot),
  cache_read_input_tokens: Number(total.cr), cache_write_input_tokens: Number(total.cw),
  max_rss_kb: process.resourceUsage().maxRSS,
}));
