#!/usr/bin/env bash
# One fuzz harness for a while, as a ctest entry (fuzzing build):
#   run_fuzzer.sh HARNESS SECONDS WORKDIR SEEDS REGRESSIONS [DICTIONARY]
# Replays every regression input, then fuzzes for SECONDS from the seed corpus (new inputs go to
# WORKDIR/corpus, findings to WORKDIR/crash-*, leak-*, oom-*, timeout-*) and prints one line:
# executions, corpus, findings. Fails on a finding in our code: a crash, a sanitizer report, a
# leak, an allocation over 1 GB, an input slower than 25 s or 2.5 GB of memory.
#
# A crash, an allocation over the limit or a timeout whose first frame outside the sanitizers, libFuzzer and libc is in
# a system library we cannot change (Debian's libhdf5) is reported as upstream, with its input
# kept under WORKDIR/upstream, and does not fail: docs/FUZZING.md lists them.
set -uo pipefail
harness=$1 seconds=$2 workdir=$3 seeds=$4 regressions=$5 dictionary=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$harness")
rm -rf "$workdir"
mkdir -p "$workdir/corpus"
export TMPDIR=$workdir
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0
limits=(-rss_limit_mb=2560 -malloc_limit_mb=1024 -timeout=25)
[ -n "$dictionary" ] && limits+=(-dict="$dictionary")
# Extra libFuzzer flags for a long run by hand, e.g. GRIDS_FUZZ_FLAGS=-detect_leaks=0 where a
# library's known leak on every refused input makes each execution a leak scan (docs/FUZZING.md).
# shellcheck disable=SC2206
[ -n "${GRIDS_FUZZ_FLAGS:-}" ] && limits+=($GRIDS_FUZZ_FLAGS)

# The library a finding's input crashes in: the module of the first frame that is neither the
# sanitizers', libFuzzer's nor libc's ("ours" for the harness binary itself). A libc frame shows
# either its module or, where glibc's sources are known, a path in them (string/../sysdeps/…).
# A frame of a function without a symbol (libhdf5's static ones) shows only its module; a
# sanitizer's may show its return type first ("in void __sanitizer::…"). For an
# out-of-memory (RSS) the stack is that of the largest live allocations.
# The stack is the one in the log of the run that found it (a run stops at its first finding):
# some of libhdf5's crashes depend on what earlier inputs left in its caches and do not happen
# again when the input is run alone. Only where that log shows no stack is the input run again.
crash_site() {
  local finding=$1 log=$2
  { if grep -qE '^ +#[0-9]+ 0x[0-9a-f]+ ' "$log"; then cat "$log"; else "$harness" "${limits[@]}" "$finding" 2>&1; fi; } |
    grep -E '^ +#[0-9]+ 0x[0-9a-f]+ ' |
    grep -vE ' in [^(]*(__interceptor_|__asan|__sanitizer|__ubsan|__lsan|fuzzer::)' |
    grep -vE ' in (memcpy|memmove|memset|malloc|calloc|realloc|free|operator new|raise|abort|__pthread_kill|__GI_)' |
    grep -vE '\(/lib/x86_64-linux-gnu/libc\.so' |
    grep -vE ' in [^ ]+ (\.\./)*(string|sysdeps|csu|stdlib|signal|nptl|malloc|libio)/' | head -1 |
    sed -E 's/.*\((\/[^+)]*)(\+0x[0-9a-f]+)?\).*/\1/; t; s/.*/ours/' |
    sed -E 's/.*\/(libhdf5[^/]*)$/\1/; s/^\/.*\/([^/]*)$/\1/'
}

if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  if ! "$harness" "${limits[@]}" "$regressions"/* >"$workdir/regressions.log" 2>&1; then
    tail -n 40 "$workdir/regressions.log"
    echo "$name: a regression input fails again (log: $workdir/regressions.log)"
    exit 1
  fi
fi

# Fuzzes until the time is spent. A run stops at its first finding: an upstream one is set aside
# and fuzzing goes on from the corpus so far; one in our code ends it.
runs=0 status=0 ours=() upstream=()
started=$SECONDS deadline=$((SECONDS + seconds))
while [ $SECONDS -lt $deadline ] && [ ${#ours[@]} -eq 0 ]; do
  log=$workdir/fuzz-$SECONDS.log
  "$harness" "${limits[@]}" -max_total_time=$((deadline - SECONDS)) -print_final_stats=1 \
    -artifact_prefix="$workdir/" "$workdir/corpus" "$seeds" >"$log" 2>&1
  status=$?
  runs=$((runs + $(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)))
  [ $status -eq 0 ] && break
  found=0
  for finding in "$workdir"/crash-* "$workdir"/leak-* "$workdir"/oom-* "$workdir"/timeout-* "$workdir"/slow-unit-*; do
    [ -e "$finding" ] || continue
    found=1
    # Crashes, out-of-memory and timeouts are placed by their stack (a timeout's is where the
    # input was when time ran out; an RSS out-of-memory's, its largest live allocations'); leaks
    # are ours to prevent, whoever allocates (lsan.supp names the upstream ones).
    site=ours
    case "$(basename "$finding")" in crash-* | oom-* | timeout-*) site=$(crash_site "$finding" "$log") ;; esac
    if [[ "$site" == libhdf5* ]]; then
      mkdir -p "$workdir/upstream" && mv "$finding" "$workdir/upstream/"
      upstream+=("$workdir/upstream/$(basename "$finding") ($site)")
    else
      ours+=("$finding (${site:-ours})")
    fi
  done
  if [ $found = 0 ]; then ours+=("no input saved: see $log"); fi
done
corpus=$(ls "$workdir/corpus" | wc -l)

summary="$name: ${runs:-0} executions in $((SECONDS - started)) s, $corpus corpus inputs"
if [ ${#upstream[@]} -gt 0 ]; then
  summary+=", ${#upstream[@]} upstream crashes: ${upstream[*]}"
fi
if [ ${#ours[@]} -gt 0 ]; then
  tail -n 60 "$log"
  for finding in "${ours[@]}"; do
    echo "--- ${finding%% *}"
    "$harness" "${limits[@]}" "${finding%% *}" 2>&1 | grep -E 'ERROR|runtime error|^fuzz:|^ +#[0-9]' | head -25
  done
  echo "$summary; FAILED (exit $status): ${ours[*]}"
  exit 1
fi
echo "$summary; nothing found in our code"
