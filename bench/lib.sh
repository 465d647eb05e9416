# lib.sh -- shared helpers for the bench scripts (sourced, not run).
#
# The broker: a private single-node Kafka from scripts/kafka-broker.sh on its
# own ports, never the shared dev broker.  Set WS_BENCH_BOOTSTRAP=host:port to
# use a broker you already run instead (then it is neither started nor stopped).
#   WS_BENCH_KAFKA_PORT (39092), WS_BENCH_KAFKA_CONTROLLER_PORT (39093),
#   WS_BENCH_KAFKA_HOME (/tmp/bench-kafka)

bench_here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bench_kafka() {
  WS_KAFKA_PORT=${WS_BENCH_KAFKA_PORT:-39092} \
  WS_KAFKA_CONTROLLER_PORT=${WS_BENCH_KAFKA_CONTROLLER_PORT:-39093} \
  WS_KAFKA_HOME=${WS_BENCH_KAFKA_HOME:-/tmp/bench-kafka} \
    "$bench_here/scripts/kafka-broker.sh" "$@"
}

# Sets BROKER; starts the private broker unless WS_BENCH_BOOTSTRAP is set.
bench_broker_start() {
  if [ -n "${WS_BENCH_BOOTSTRAP:-}" ]; then
    BROKER=$WS_BENCH_BOOTSTRAP
    BENCH_OWN_BROKER=0
  else
    BROKER=127.0.0.1:${WS_BENCH_KAFKA_PORT:-39092}
    BENCH_OWN_BROKER=1
    bench_kafka start >&2
  fi
}

bench_broker_stop() {
  if [ "${BENCH_OWN_BROKER:-0}" = 1 ] && [ "${BENCH_KEEP_BROKER:-0}" != 1 ]; then
    bench_kafka stop >&2 || true
  fi
}

now_ms() { date +%s%3N; }

# The broker's end offset summed over a topic's partitions (= records, for a
# non-transactional topic) and its first/last record timestamps:
# prints "count first_ts last_ts".
topic_span() {
  local topic=$1 parts p first=0 last=0 count=0 o t
  parts=$(kcat -b "$BROKER" -L -t "$topic" -m 5 2>/dev/null | sed -n 's/^ *partition \([0-9]*\),.*/\1/p')
  for p in $parts; do
    o=$(kcat -b "$BROKER" -C -t "$topic" -p "$p" -o -1 -c 1 -e -q -f '%o %T\n' -m 5 2>/dev/null || true)
    [ -n "$o" ] || continue
    count=$((count + ${o%% *} + 1))
    t=${o##* }
    [ "$t" -gt "$last" ] && last=$t
    t=$(kcat -b "$BROKER" -C -t "$topic" -p "$p" -o beginning -c 1 -e -q -f '%T\n' -m 5 2>/dev/null || true)
    if [ -n "$t" ] && { [ "$first" = 0 ] || [ "$t" -lt "$first" ]; }; then first=$t; fi
  done
  echo "$count $first $last"
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# The common start of a broker bench ($1, its name for messages and its temp
# dir): sets data (the BBC corpus; exit 77 when absent), ws (the binary),
# tmp (a temp dir), then starts the broker.  On exit, bench_cleanup kills
# the children the script recorded in gen_pid and ws_pid, stops the broker
# and removes tmp.
bench_setup() {
  local name=$1
  data=${WS_BENCH_DATA:-../shared/data/bbc/bbc.jsonl}
  [ -f "$data" ] || { echo "$name: $data absent, skipped" >&2; exit 77; }
  ws=${WS_BIN:-build-bench/wirestream}
  [ -x "$ws" ] || { echo "$name: $ws not built (cmake --build build-bench)" >&2; exit 2; }
  tmp=$(mktemp -d "/tmp/ws-bench-$name.XXXXXX")
  ws_pid= gen_pid=
  trap bench_cleanup EXIT
  bench_broker_start
}

bench_cleanup() {
  [ -n "${gen_pid:-}" ] && kill "$gen_pid" 2>/dev/null || true
  [ -n "${ws_pid:-}" ] && kill "$ws_pid" 2>/dev/null || true
  bench_broker_stop
  rm -rf "$tmp"
}
