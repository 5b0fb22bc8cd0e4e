#!/usr/bin/env bash
# Runs one libFuzzer harness.
#   run.sh smoke HARNESS CORPUS SECONDS   a short run over CORPUS; what it finds goes to a
#                                         temporary folder, never into the tree (ctest)
#   run.sh long HARNESS CORPUS SECONDS    a long run; new inputs that add coverage are merged
#                                         into CORPUS (./kaeru fuzz)
# A crash leaves its input in fuzz-artifacts/ beside the harness and fails. Prints the number of
# executions ("Done N runs in S second(s)").
set -euo pipefail
mode=$1 harness=$2 corpus=$3 seconds=$4
name=$(basename "$harness")
artifacts=$(dirname "$harness")/fuzz-artifacts/$name
mkdir -p "$artifacts" "$corpus"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
log=$scratch/log
mkdir "$scratch/new"
status=0
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" "$scratch/new" "$corpus" >"$log" 2>&1 || status=$?
runs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
if [ "$status" -ne 0 ]; then
	tail -60 "$log"
	echo "$name: FAILED (exit $status); the input is in $artifacts/" >&2
	exit "$status"
fi
if [ "$mode" = long ]; then
	"$harness" -merge=1 "$corpus" "$scratch/new" >"$log.merge" 2>&1 || { tail -20 "$log.merge"; exit 1; }
fi
echo "$name: ${runs:-no run count}; corpus $(find "$corpus" -type f | wc -l) files"
