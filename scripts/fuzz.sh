#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run each for N seconds.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      (default: 60 s, every target)
#
# Targets: article config dedup entities quotes pipeline (tests/fuzz/).
# Each run starts from the committed seeds and regression inputs in
# tests/fuzz/corpus/<target>/ (replayed first, so an old crash that comes
# back fails at once) plus what earlier runs found in
# $BUILD/fuzz-corpus/<target>/ (new finds go there, never into the repo).
# Exit status 1 if any target crashed, leaked, hit a UBSan report or ran one
# input longer than FUZZ_TIMEOUT seconds; the reproducer is left in
# $BUILD/fuzz-artifacts/<target>/.  Keep a fixed crash as a regression
# input: cp it to tests/fuzz/corpus/<target>/crash-<what>.
#
# Environment: WS_FUZZ_BUILD (build dir, default build-fuzz), FUZZ_TIMEOUT
# (seconds per input, default 10), FUZZ_RSS_MB (default 2048), FUZZ_FLAGS
# (extra libFuzzer flags, e.g. "-runs=1000000" instead of a time limit),
# FUZZ_BUILD_JOBS (default 2).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${1:-60}
shift || true
all=(article config dedup entities quotes pipeline)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
build=${WS_FUZZ_BUILD:-build-fuzz}
timeout=${FUZZ_TIMEOUT:-10}
rss=${FUZZ_RSS_MB:-2048}

cc=${CC:-}
if [ -z "$cc" ] || ! "$cc" --version 2>/dev/null | grep -q clang; then
  cc=$(command -v clang || true)
fi
if [ -z "$cc" ]; then
  echo "fuzz.sh: clang is needed (apt-get install clang)" >&2
  exit 2
fi

t0=$(date +%s)
cmake -S . -B "$build" -DCMAKE_C_COMPILER="$cc" -DWS_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" \
      --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null
tbuild=$(( $(date +%s) - t0 ))
echo "fuzz.sh: built ${#targets[@]} targets in ${tbuild}s ($build/fuzz/)"

# Sanitizer reports are fatal; leaks are checked by libFuzzer itself.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

declare -A maxlen=([article]=8192 [config]=8192 [dedup]=16384 [entities]=8192
                   [quotes]=8192 [pipeline]=16384)
failed=()
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  seeds="tests/fuzz/corpus/$t"
  work="$build/fuzz-corpus/$t"
  arts="$build/fuzz-artifacts/$t"
  mkdir -p "$work" "$arts"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  log="$build/fuzz-$t.log"
  echo "fuzz.sh: $t for ${secs}s (log: $log)"
  set +e
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb="$rss" \
         -max_len="${maxlen[$t]:-8192}" -print_final_stats=1 -artifact_prefix="$arts/" \
         "${dict[@]}" ${FUZZ_FLAGS:-} "$work" "$seeds" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1 || true)
  cov=$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -1 | cut -d' ' -f2)
  if [ $rc -ne 0 ]; then
    failed+=("$t")
    summary+=("$(printf '%-9s FAILED (exit %d) after %s execs' "$t" "$rc" "${execs:-?}")")
    (grep -E 'ERROR:|runtime error:|invariant violated|SUMMARY:|Test unit written' "$log" || true) |
      head -8 | sed 's/^/    /'
  else
    summary+=("$(printf '%-9s ok  %10s execs  %7s exec/s  cov %s' "$t" "${execs:-?}" "${speed:-?}" "${cov:-?}")")
  fi
done
echo "fuzz.sh: summary (${secs}s per target, total $(( $(date +%s) - t0 ))s)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]} (reproducers in $build/fuzz-artifacts/; rerun one with $build/fuzz/fuzz_<target> FILE)" >&2
  exit 1
fi
