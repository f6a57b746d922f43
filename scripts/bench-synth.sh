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

CDK=${CDK:-.tools/cdk/node_modules/.bin/cdk}
# cdk_once BINARY: wall time of `cdk synth` (CLI start, app, reading the assembly) of that app.
cdk_once() {
  local out="$work/cdk.$RANDOM"
  local start end
  start=$(date +%s.%N)
  "$CDK" synth -a "$1" -o "$out" --quiet >/dev/null 2>&1 || { echo "cdk synth of $1 failed" >&2; exit 1; }
  end=$(date +%s.%N)
  rm -rf "$out"
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}'
}
cdk_once "$work/bedrockgov-app" >/dev/null
cdk_once "$work/onebucket-app" >/dev/null

app_times=(); ref_times=(); app_cli=(); ref_cli=()
for i in $(seq "$RUNS"); do   # interleaved, so background load hits both alike
  app_times+=("$(synth_once "$work/bedrockgov-app")")
  ref_times+=("$(synth_once "$work/onebucket-app")")
  app_cli+=("$(cdk_once "$work/bedrockgov-app")")
  ref_cli+=("$(cdk_once "$work/onebucket-app")")
done
app=$(printf '%s\n' "${app_times[@]}" | median)
ref=$(printf '%s\n' "${ref_times[@]}" | median)
appc=$(printf '%s\n' "${app_cli[@]}" | median)
refc=$(printf '%s\n' "${ref_cli[@]}" | median)
ratio=$(awk -v a="$app" -v r="$ref" 'BEGIN {printf "%.3f", a / r}')
ratioc=$(awk -v a="$appc" -v r="$refc" 'BEGIN {printf "%.3f", a / r}')
verdict() { awk -v r="$1" 'BEGIN {print (r <= 1.5) ? "PASS" : "FAIL"}'; }
stacks=$(CDK_OUTDIR="$work/count" "$work/bedrockgov-app" >/dev/null 2>&1; ls "$work/count"/*.template.json | wc -l)

printf '\nwarm synth, median of %d interleaved runs (Node %s, CDK_VALIDATION=%s)\n' "$RUNS" "$(node --version)" "${CDK_VALIDATION:-default (on)}"
printf '  bedrockgov app: %d stacks, cdk-nag AwsSolutions on every stack; reference: one stack with one bucket, no cdk-nag\n' "$stacks"
printf '  %-40s %10s %10s %8s\n' "" "bedrockgov" "one-bucket" "ratio"
printf '  %-40s %9.2fs %9.2fs %8.2f  target <= 1.50: %s\n' "cdk synth (what users run)" "$appc" "$refc" "$ratioc" "$(verdict "$ratioc")"
printf '  %-40s %9.2fs %9.2fs %8.2f  target <= 1.50: %s\n' "app process only (go run ./app, built)" "$app" "$ref" "$ratio" "$(verdict "$ratio")"

# What bounds the ratio: aws-cdk-lib's CloudFormation validation loads its engine once per process
# (a fixed cost both apps pay) and then validates each template. The same app processes with
# validation off show both parts.
app_nv=(); ref_nv=()
for i in $(seq 3); do
  app_nv+=("$(CDK_VALIDATION=false synth_once "$work/bedrockgov-app")")
  ref_nv+=("$(CDK_VALIDATION=false synth_once "$work/onebucket-app")")
done
appn=$(printf '%s\n' "${app_nv[@]}" | median)
refn=$(printf '%s\n' "${ref_nv[@]}" | median)
printf '  %-40s %9.2fs %9.2fs\n' "app process, CDK_VALIDATION=false" "$appn" "$refn"
awk -v a="$app" -v r="$ref" -v an="$appn" -v rn="$refn" -v ac="$appc" -v rc="$refc" 'BEGIN {
  fixed = r - rn; per = a - an - fixed; cli = rc - r
  printf "  validation: about %.2f s fixed (in both apps), %.2f s for the bedrockgov templates; the CLI adds about %.2f s\n", fixed, per, cli
  printf "  a cdk synth ratio of 1.5 would leave the bedrockgov app process %.2f s, of which %.2f s is the fixed start-up and validation cost\n", 1.5 * rc - cli, r
}'
echo
echo "make test (warm: build cache and jsii cache already filled by a first run)..."
make test >/dev/null 2>&1 || { echo "make test failed; run it directly to see why"; exit 1; }
start=$(date +%s.%N)
make test >/dev/null 2>&1
end=$(date +%s.%N)
t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f", b - a}')
printf '  %-34s %7.2f s   target < 60 s on %d cores: %s\n' "make test wall time" "$t" "$(nproc)" "$(awk -v t="$t" 'BEGIN {print (t < 60) ? "PASS" : "FAIL"}')"
