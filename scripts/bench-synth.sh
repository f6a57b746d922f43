#!/usr/bin/env bash
# make bench-synth: warm synth time of the whole bedrockgov app beside a one-bucket reference
# app, measured in the same run with the same Node and the same settings, and the ratio
# (target: at most 1.5). Then the wall time of `make test` (target: under 60 s warm).
# Run through make, which puts the pinned Node on PATH and sets JSII_NODE when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building both apps (not timed)..."
go build -o "$work/bedrockgov-app" ./app
go build -o "$work/onebucket-app" ./scripts/benchapp/onebucket

# synth_once BINARY: prints the wall time in seconds of one synth into a fresh output dir.
synth_once() {
  local out="$work/out.$RANDOM"
  local start end
  start=$(date +%s.%N)
  CDK_OUTDIR="$out" "$1" >/dev/null 2>&1
  end=$(date +%s.%N)
  rm -rf "$out"
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# One untimed run each fills the jsii cache, so every timed run is warm.
synth_once "$work/bedrockgov-app" >/dev/null
synth_once "$work/onebucket-app" >/dev/null

app_times=(); ref_times=()
for i in $(seq "$RUNS"); do   # interleaved, so background load hits both alike
  app_times+=("$(synth_once "$work/bedrockgov-app")")
  ref_times+=("$(synth_once "$work/onebucket-app")")
done
app=$(printf '%s\n' "${app_times[@]}" | median)
ref=$(printf '%s\n' "${ref_times[@]}" | median)
ratio=$(awk -v a="$app" -v r="$ref" 'BEGIN {printf "%.3f", a / r}')
stacks=$(CDK_OUTDIR="$work/count" "$work/bedrockgov-app" >/dev/null 2>&1; ls "$work/count"/*.template.json | wc -l)

printf '\nwarm synth, median of %d runs (Node %s, CDK_VALIDATION=%s)\n' "$RUNS" "$(node --version)" "${CDK_VALIDATION:-default}"
printf '  %-34s %7.2f s   (%d stacks, cdk-nag on every stack)\n' "bedrockgov app" "$app" "$stacks"
printf '  %-34s %7.2f s\n' "one-bucket reference app" "$ref"
printf '  %-34s %7.2f     target <= 1.50: %s\n' "ratio" "$ratio" "$(awk -v r="$ratio" 'BEGIN {print (r <= 1.5) ? "PASS" : "FAIL"}')"

echo
echo "make test (warm: build cache and jsii cache already filled by a first run)..."
make test >/dev/null 2>&1 || { echo "make test failed; run it directly to see why"; exit 1; }
start=$(date +%s.%N)
make test >/dev/null 2>&1
end=$(date +%s.%N)
t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}')
printf '  %-34s %7.2f s   target < 60 s on %d cores: %s\n' "make test wall time" "$t" "$(nproc)" "$(awk -v t="$t" 'BEGIN {print (t < 60) ? "PASS" : "FAIL"}')"
