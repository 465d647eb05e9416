#!/usr/bin/env bash
# Full-size scaling and fault runs (issue 8), outside the CI suite:
#   1. 3 instances, 8 partitions, 20,000 articles, SIGKILL one mid-flight and
#      start another: at_least_once (no loss) and exactly_once (each once,
#      read_committed);
#   2. the broker stopped for 20 s mid-stream and restarted: no loss.
# It starts its own broker (WS_TEST_KAFKA_PORT, default 29192), builds if
# needed, and prints one line per scenario.  Results: docs/scaling-results.md.
#   scripts/fault-test.sh [at_least_once|exactly_once|outage]...
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=${WS_BUILD_DIR:-build}
case "$build" in /*) ;; *) build="$here/$build" ;; esac
export WS_KAFKA_PORT=${WS_TEST_KAFKA_PORT:-29192}
export WS_KAFKA_CONTROLLER_PORT=$((WS_KAFKA_PORT + 1))
export WS_KAFKA_HOME=${WS_KAFKA_HOME:-$here/build/kafka}
export WS_TEST_BROKERS="127.0.0.1:$WS_KAFKA_PORT" WS_TEST_BROKER_OWNED=1
export WS_SOURCE_DIR=$here WS_BUILD_DIR=$build
export WS_KAFKA_TOOL=$build/tests/ws-kafka-tool WS_WIRESTREAM=$build/wirestream
# 20,000 articles: half already waiting, half arriving while instances come and go.
export WS_SCALE_PARTITIONS=8 WS_SCALE_BACKLOG=${WS_SCALE_BACKLOG:-10000} WS_SCALE_PACED=${WS_SCALE_PACED:-10000}
export WS_SCALE_RATE=${WS_SCALE_RATE:-400}
export WS_OUTAGE_BACKLOG=${WS_OUTAGE_BACKLOG:-10000} WS_OUTAGE_PACED=${WS_OUTAGE_PACED:-10000}
export WS_OUTAGE_RATE=${WS_OUTAGE_RATE:-250} WS_OUTAGE_SECONDS=${WS_OUTAGE_SECONDS:-20}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(at_least_once exactly_once outage)

cmake -S "$here" -B "$build" >/dev/null && cmake --build "$build" -j"${WS_JOBS:-2}" >/dev/null || exit 1
"$here/scripts/kafka-broker.sh" stop >/dev/null 2>&1 || true
trap '"$here/scripts/kafka-broker.sh" stop >/dev/null 2>&1 || true' EXIT
"$here/scripts/kafka-broker.sh" start || exit 1

py=/usr/bin/python3
rc=0
results=()
for s in "${scenarios[@]}"; do
  case "$s" in
    at_least_once|exactly_once) cmd=("$py" tests/integration/test_scale.py "$s") ;;
    outage) cmd=("$py" tests/integration/test_outage.py) ;;
    *) echo "fault-test: unknown scenario $s" >&2; exit 2 ;;
  esac
  log="$build/fault-$s.log"
  t0=$(date +%s)
  if "${cmd[@]}" 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ]; then st=PASS; else st=FAIL; rc=1; fi
  detail=$(grep -E 'outputs .* for .* inputs|SIGKILL|broker down' "$log" | sed 's/^\[[0-9:]*\] //' | paste -sd ';' -)
  results+=("$(printf '%-14s %s %5ds  %s' "$s" "$st" $(( $(date +%s) - t0 )) "$detail")")
done
echo
echo "=============== fault-test results ($(date -u +%FT%TZ), $(nproc) cores) ==============="
printf '%s\n' "${results[@]}"
exit $rc
