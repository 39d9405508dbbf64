#!/usr/bin/env bash
# One fuzz harness for a while, as a ctest entry (fuzzing build):
#   run_fuzzer.sh HARNESS SECONDS WORKDIR SEEDS REGRESSIONS
# Replays every regression input, then fuzzes for SECONDS from the seed corpus (new inputs go to
# WORKDIR/corpus, a crash to WORKDIR/crash-*), and prints one line: executions, corpus, verdict.
# Exits non-zero on a crash, a leak, an allocation over 1 GB, a slow input (25 s) or 2.5 GB of RSS.
set -uo pipefail
harness=$1 seconds=$2 workdir=$3 seeds=$4 regressions=$5
name=$(basename "$harness")
mkdir -p "$workdir/corpus"
export TMPDIR=$workdir
limits=(-rss_limit_mb=2560 -malloc_limit_mb=1024 -timeout=25)

if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  if ! "$harness" "${limits[@]}" "$regressions"/* >"$workdir/regressions.log" 2>&1; then
    tail -n 40 "$workdir/regressions.log"
    echo "$name: a regression input fails again (log: $workdir/regressions.log)"
    exit 1
  fi
fi

"$harness" "${limits[@]}" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$workdir/" "$workdir/corpus" "$seeds" >"$workdir/fuzz.log" 2>&1
status=$?
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$workdir/fuzz.log" | grep -o '[0-9]*$')
corpus=$(ls "$workdir/corpus" | wc -l)
if [ $status -ne 0 ]; then
  tail -n 60 "$workdir/fuzz.log"
  echo "$name: FAILED after ${runs:-?} executions (exit $status; input saved as $(ls "$workdir"/crash-* "$workdir"/leak-* "$workdir"/timeout-* "$workdir"/oom-* "$workdir"/slow-unit-* 2>/dev/null | head -1))"
  exit 1
fi
echo "$name: ${runs:-?} executions in $seconds s, $corpus corpus inputs, no crash, leak or limit reached"
