#!/usr/bin/env bash
# Build with AddressSanitizer + UndefinedBehaviorSanitizer (-DWS_SANITIZE=ON)
# and run the ctest suite under them, with leak checks.
#
#   scripts/sanitize.sh                  unit and processor tests (+ integration
#                                        when WS_TEST_BROKERS names a broker)
#   scripts/sanitize.sh --with-eval      also the eval label (slow under ASan)
#   scripts/sanitize.sh -R limits        extra arguments go to ctest
#
# It starts no broker: give one with WS_TEST_BROKERS=127.0.0.1:PORT (what
# scripts/test.sh exports), or use `scripts/test.sh --sanitize`, which starts
# its own.  Any ASan report, leak or UBSan finding fails the test that hit it.
# Leaks inside third-party libraries we cannot fix go in
# tests/sanitize/lsan.supp (never one of ours).
#
# Environment: WS_SANITIZE_BUILD (build dir, default build-asan), WS_JOBS (2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${WS_SANITIZE_BUILD:-build-asan}
jobs=${WS_JOBS:-2}
eval_too=0
extra=()
for a in "$@"; do
  case "$a" in
    --with-eval) eval_too=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) extra+=("$a") ;;
  esac
done

t0=$(date +%s)
cmake -S . -B "$build" -DWS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null
tb=$(( $(date +%s) - t0 ))
echo "sanitize.sh: built $build in ${tb}s"

# Every report also goes to a file, so one from a child process whose exit
# status a test did not check (a daemon stopped by SIGTERM) still fails the run.
reports="$root/$build/sanitizer-reports"
case "$build" in /*) reports="$build/sanitizer-reports" ;; esac
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan:log_exe_name=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan:log_exe_name=1}

exclude=()
if [ -n "${WS_TEST_BROKERS:-}" ]; then
  echo "sanitize.sh: integration tests against $WS_TEST_BROKERS"
  [ "$eval_too" = 1 ] || exclude=(-LE eval)
else
  echo "sanitize.sh: WS_TEST_BROKERS unset: skipping the integration label"
  if [ "$eval_too" = 1 ]; then exclude=(-LE integration); else exclude=(-LE 'eval|integration'); fi
fi
set +e
ctest --test-dir "$build" --output-on-failure -j"$jobs" --no-tests=error "${exclude[@]}" "${extra[@]}" \
  2>&1 | tee "$build/sanitize-ctest.log"
rc=${PIPESTATUS[0]}
set -e
if [ -n "$(ls -A "$reports")" ]; then
  echo "sanitize.sh: sanitizer reports in $reports:" >&2
  for f in "$reports"/*; do
    echo "---- $f" >&2
    head -60 "$f" >&2
  done
  rc=1
fi
echo "sanitize.sh: done in $(( $(date +%s) - t0 ))s (exit $rc)"
exit "$rc"
