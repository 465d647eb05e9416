#!/usr/bin/env bash
# The one command that runs every wirestream test on a fresh Debian machine:
# installs the apt packages, fetches the Kafka broker jars from Maven Central,
# builds, starts ONE real Kafka broker for the whole run on its own port,
# runs ctest (unit, processors, integration, eval), always stops the broker,
# prints a summary, and exits non-zero on any failure.
#
#   scripts/test.sh              the whole suite (build dir: build/)
#   scripts/test.sh --sanitize   the same under ASan+UBSan with leak checks (build-asan/),
#                                through scripts/sanitize.sh (eval label left out)
#   scripts/test.sh --no-broker  everything but the integration label; starts no broker
#   scripts/test.sh -L unit      only tests whose label matches (ctest -L)
#   scripts/test.sh -R dlq       only tests whose name matches (ctest -R)
#
# Environment: WS_BUILD_DIR (build dir), WS_JOBS (2), WS_TEST_KAFKA_PORT (29092;
#   19092 is the developers' shared broker and is never touched),
#   WS_SKIP_DEPS=1 (skip apt), WS_CMAKE_ARGS (extra cmake arguments).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

sanitize=0
use_broker=1
ctest_filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --no-broker) use_broker=0 ;;
    -L|-R|-E|-LE) ctest_filter+=("$1" "$2"); shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

jobs=${WS_JOBS:-2}
if [ "$sanitize" = 1 ]; then
  build=${WS_BUILD_DIR:-build-asan}
  cmake_args=(-DWS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
else
  build=${WS_BUILD_DIR:-build}
  cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
case "$build" in /*) ;; *) build="$here/$build" ;; esac

export WS_KAFKA_PORT=${WS_TEST_KAFKA_PORT:-29092}
export WS_KAFKA_CONTROLLER_PORT=$((WS_KAFKA_PORT + 1))
export WS_KAFKA_HOME=${WS_KAFKA_HOME:-$here/build/kafka}
if [ "$WS_KAFKA_PORT" = 19092 ]; then
  echo "test.sh: port 19092 is the developers' shared broker; pick another WS_TEST_KAFKA_PORT" >&2
  exit 2
fi
if [ "$use_broker" = 1 ]; then
  export WS_TEST_BROKERS="127.0.0.1:$WS_KAFKA_PORT"
  export WS_TEST_BROKER_OWNED=1   # tests may stop/restart this broker (outage test)
else
  unset WS_TEST_BROKERS WS_TEST_BROKER_OWNED
  # (sanitize.sh leaves the integration label out by itself without a broker)
  [ "$sanitize" = 1 ] || ctest_filter+=(-LE integration)
fi

t_start=$(date +%s)
declare -a summary=()
step() {  # step NAME COMMAND...: run, time and record one set-up step
  local name=$1; shift
  local t0; t0=$(date +%s)
  echo "==> $name" >&2
  if "$@"; then
    summary+=("$(printf '%-22s ok      %4ds' "$name" $(( $(date +%s) - t0 )))")
    return 0
  fi
  summary+=("$(printf '%-22s FAILED  %4ds' "$name" $(( $(date +%s) - t0 )))")
  return 1
}

finish() {
  local rc=$1
  echo
  echo "================ wirestream test summary ================"
  printf '%s\n' "${summary[@]}"
  [ -n "${broker_ms:-}" ] && echo "broker start            $broker_ms ms (127.0.0.1:$WS_KAFKA_PORT)"
  [ -f "$build/test-summary.txt" ] && cat "$build/test-summary.txt"
  echo "total                   $(( $(date +%s) - t_start ))s"
  if [ "$rc" = 0 ]; then echo "RESULT: PASS"; else echo "RESULT: FAIL"; fi
  exit "$rc"
}

broker_started=0
stop_broker() {
  if [ "$broker_started" = 1 ]; then
    "$here/scripts/kafka-broker.sh" stop >/dev/null 2>&1 || true
    broker_started=0
  fi
}
trap stop_broker EXIT
trap 'stop_broker; exit 130' INT TERM

if [ "${WS_SKIP_DEPS:-0}" != 1 ]; then
  step "install-deps" "$here/scripts/install-deps.sh" || finish 1
fi
if [ "$use_broker" = 1 ]; then
  step "kafka jars" "$here/scripts/kafka-broker.sh" fetch || finish 1
fi

rm -f "$build/test-summary.txt"
step "configure" cmake -S "$here" -B "$build" "${cmake_args[@]}" ${WS_CMAKE_ARGS:-} || finish 1
step "build" cmake --build "$build" -j"$jobs" || finish 1

start_broker() {
  # A broker left over from an interrupted run on this port is stale: restart it fresh.
  "$here/scripts/kafka-broker.sh" stop >/dev/null 2>&1 || true
  broker_started=1
  local out
  out=$("$here/scripts/kafka-broker.sh" start) || { echo "$out"; return 1; }
  echo "$out"
  broker_ms=$(echo "$out" | sed -n 's/.*after \([0-9]*\) ms.*/\1/p')
}
if [ "$use_broker" = 1 ]; then
  step "kafka broker" start_broker || finish 1
fi

run_ctest() {
  local log="$build/ctest.log" rc
  rm -f "$build/ctest-junit.xml"
  if [ "$sanitize" = 1 ]; then
    # sanitize.sh sets the ASan/LSan/UBSan options (leak suppressions for
    # third-party code, reports to files) and fails on any report.
    WS_SANITIZE_BUILD="$build" WS_JOBS="$jobs" "$here/scripts/sanitize.sh" \
        --output-junit "$build/ctest-junit.xml" "${ctest_filter[@]}" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
  else
    ctest --test-dir "$build" --output-on-failure -j"$jobs" --no-tests=error \
          --output-junit "$build/ctest-junit.xml" "${ctest_filter[@]}" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
  fi
  /usr/bin/python3 "$here/scripts/test-summary.py" "$build" > "$build/test-summary.txt" || true
  return "$rc"
}
step "ctest" run_ctest
rc=$?
stop_broker
finish "$rc"
