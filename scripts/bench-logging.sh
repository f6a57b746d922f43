#!/usr/bin/env bash
# Benchmark of tools/logging (make bench-logging): `enable` on ACCOUNTS accounts
# x 3 regions of an organization, against a local stub of every AWS endpoint
# the tool calls (tools/logging/internal/benchstub) that answers each call
# after DELAY. Each run starts from a fresh stub, so every target is really
# written (SSM read, bucket and log group checks, read, put, read back).
#
# It measures, for real:
#   - the concurrent wall time at the default --concurrency 16
#   - the concurrent wall time at --concurrency $WIDE (default 64)
#   - the sequential wall time (--concurrency 1: one target at a time)
# and checks the concurrent time against TARGET_PCT (5%) of the sequential one.
#
# Knobs (environment): ACCOUNTS=100 REGIONS=us-east-1,us-west-2,eu-west-1
# DELAY=200ms WIDE=64 TARGET_PCT=5 SEQ_ACCOUNTS=$ACCOUNTS. With SEQ_ACCOUNTS
# below ACCOUNTS the sequential run covers only that many accounts and its
# time is scaled up linearly; the output then says EXTRAPOLATED.
set -euo pipefail
cd "$(dirname "$0")/.."

ACCOUNTS=${ACCOUNTS:-100}
REGIONS=${REGIONS:-us-east-1,us-west-2,eu-west-1}
DELAY=${DELAY:-200ms}
WIDE=${WIDE:-64}
TARGET_PCT=${TARGET_PCT:-5}
SEQ_ACCOUNTS=${SEQ_ACCOUNTS:-$ACCOUNTS}
NREGIONS=$(awk -F, '{print NF}' <<<"$REGIONS")

work=$(mktemp -d)
stub_pid=""
cleanup() {
  if [[ -n "$stub_pid" ]]; then kill "$stub_pid" 2>/dev/null || true; wait "$stub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "building tools/logging and the stub..."
go build -o "$work/logging" ./tools/logging
go build -o "$work/benchstub" ./tools/logging/internal/benchstub

start_stub() { # accounts
  if [[ -n "$stub_pid" ]]; then kill "$stub_pid" 2>/dev/null || true; wait "$stub_pid" 2>/dev/null || true; fi
  : >"$work/stub.out"
  "$work/benchstub" -addr 127.0.0.1:0 -delay "$DELAY" -accounts "$1" >"$work/stub.out" 2>&1 &
  stub_pid=$!
  for _ in $(seq 100); do
    grep -q '^listening on ' "$work/stub.out" && break
    sleep 0.05
  done
  STUB_URL=$(sed -n 's/^listening on //p' "$work/stub.out")
  [[ -n "$STUB_URL" ]] || { echo "stub did not start:"; cat "$work/stub.out"; exit 1; }
}

# run_enable CONCURRENCY ACCOUNTS -> sets ELAPSED_MS; fails unless every target is enabled
run_enable() {
  start_stub "$2"
  local want=$(( $2 * NREGIONS )) t0 t1 code=0
  t0=$(date +%s%N)
  env -i PATH="$PATH" HOME="$work" \
    AWS_ENDPOINT_URL="$STUB_URL" AWS_ACCESS_KEY_ID=AKIDBENCHMARK AWS_SECRET_ACCESS_KEY=bench \
    AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$work/logging" enable --organization --regions "$REGIONS" --concurrency "$1" --output json \
    >"$work/out.json" 2>"$work/err.txt" || code=$?
  t1=$(date +%s%N)
  ELAPSED_MS=$(( (t1 - t0) / 1000000 ))
  local enabled
  enabled=$(grep -c '"state": "enabled"' "$work/out.json" || true)
  if [[ $code -ne 0 || $enabled -ne $want ]]; then
    echo "run with --concurrency $1 failed: exit $code, $enabled of $want targets enabled"
    head -c 2000 "$work/err.txt"; tail -c 2000 "$work/out.json"
    exit 1
  fi
}

secs() { awk -v ms="$1" 'BEGIN{printf "%.1f s", ms/1000}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", 100*a/b}'; }
verdict() { awk -v a="$1" -v b="$2" -v t="$TARGET_PCT" 'BEGIN{print (100*a/b <= t) ? "PASS" : "FAIL"}'; }

targets=$(( ACCOUNTS * NREGIONS ))
echo "enable on $ACCOUNTS accounts x $NREGIONS regions = $targets targets; every call answered after $DELAY"

run_enable 16 "$ACCOUNTS"; c16=$ELAPSED_MS
echo "concurrent, --concurrency 16 (default): $(secs "$c16")"
run_enable "$WIDE" "$ACCOUNTS"; cwide=$ELAPSED_MS
echo "concurrent, --concurrency $WIDE:          $(secs "$cwide")"

echo "sequential run (--concurrency 1) on $SEQ_ACCOUNTS accounts; this takes a few minutes..."
run_enable 1 "$SEQ_ACCOUNTS"; seq_ms=$ELAPSED_MS
label="measured"
if [[ "$SEQ_ACCOUNTS" -ne "$ACCOUNTS" ]]; then
  echo "sequential, $SEQ_ACCOUNTS accounts x $NREGIONS regions measured: $(secs "$seq_ms")"
  seq_ms=$(( seq_ms * ACCOUNTS / SEQ_ACCOUNTS ))
  label="EXTRAPOLATED linearly from $SEQ_ACCOUNTS accounts"
fi
echo "sequential, --concurrency 1 ($label):    $(secs "$seq_ms")"
echo
echo "ratio at --concurrency 16:    $(pct "$c16" "$seq_ms")% of sequential ($(verdict "$c16" "$seq_ms") against ${TARGET_PCT}%)"
echo "ratio at --concurrency $WIDE:    $(pct "$cwide" "$seq_ms")% of sequential ($(verdict "$cwide" "$seq_ms") against ${TARGET_PCT}%)"
echo "note: each target is a chain of 4 dependent round trips, so at --concurrency N the"
echo "      concurrent time cannot fall below 1/N of the sequential time (1/16 = 6.25%)."
v=$(verdict "$cwide" "$seq_ms")
echo "result: $v (--concurrency $WIDE, ${TARGET_PCT}% target)"
[[ "$v" == PASS ]]
