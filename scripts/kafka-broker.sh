#!/usr/bin/env bash
# A real single-node Apache Kafka 4.x broker (KRaft, broker+controller) on
# 127.0.0.1 for the tests, from jars on Maven Central.  No Kafka install.
#
#   scripts/kafka-broker.sh fetch   download the jars (cached in ~/.m2)
#   scripts/kafka-broker.sh start   format a fresh log dir and start; waits until ready
#   scripts/kafka-broker.sh stop    stop it (SIGTERM, then SIGKILL)
#   scripts/kafka-broker.sh status  exit 0 when it answers metadata
#   scripts/kafka-broker.sh stop-keep-data   kill -9 it, keeping its log dir (outage tests)
#   scripts/kafka-broker.sh start-keep-data  start it again on the same log dir; waits until ready
#   scripts/kafka-broker.sh restart-keep-data  both at once
#
# Environment: WS_KAFKA_PORT (19092), WS_KAFKA_CONTROLLER_PORT (19093),
#   WS_KAFKA_HOME (build/kafka), WS_KAFKA_PARTITIONS (4),
#   WS_KAFKA_EXTRA_PROPS (file appended to server.properties, e.g. an SSL listener).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
port=${WS_KAFKA_PORT:-19092}
cport=${WS_KAFKA_CONTROLLER_PORT:-19093}
home=${WS_KAFKA_HOME:-$here/build/kafka}
libs=$home/libs
state=$home/run-$port
pidfile=$state/broker.pid
java_opts=${WS_KAFKA_JAVA_OPTS:--Xms512m -Xmx1g -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Xshare:auto}

fetch() {
  if [ -f "$libs/.complete" ]; then return 0; fi
  mkdir -p "$libs"
  mvn -q -B -Dstyle.color=never -f "$here/tests/kafka/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime
  touch "$libs/.complete"
}

ready() { kcat -b "127.0.0.1:$port" -L -m 3 >/dev/null 2>&1; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  fetch
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    ready && { echo "kafka-broker: already running on 127.0.0.1:$port"; return 0; }
  fi
  # Someone else's broker (another home, another user) must never be mistaken for ours.
  local p
  for p in "$port" "$cport"; do
    if port_busy "$p"; then
      echo "kafka-broker: 127.0.0.1:$p is already in use by another process; pick other WS_KAFKA_PORT/WS_KAFKA_CONTROLLER_PORT" >&2
      return 1
    fi
  done
  rm -rf "$state"; mkdir -p "$state/data"
  cat > "$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL
log.dirs=$state/data
num.partitions=${WS_KAFKA_PARTITIONS:-4}
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
message.max.bytes=1048588
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
PROPS
  if [ -n "${WS_KAFKA_EXTRA_PROPS:-}" ]; then cat "$WS_KAFKA_EXTRA_PROPS" >> "$state/server.properties"; fi
  cat > "$state/log4j2.yaml" <<'LOG'
Configuration:
  Appenders:
    Console: {name: STDOUT, PatternLayout: {pattern: "[%d] %p %m (%c)%n"}}
  Loggers:
    Root: {level: WARN, AppenderRef: [{ref: STDOUT}]}
LOG
  local cp="$libs/*"
  local id
  id=$(java -Xmx256m -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  java -Xmx256m -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$state/server.properties" >"$state/format.log" 2>&1
  launch
}

# Runs the broker on the existing $state and waits until it answers.
launch() {
  local t0; t0=$(date +%s%N)
  # setsid: the broker must outlive the shell that started it (CI steps, test scripts).
  setsid java $java_opts -Dlog4j2.configurationFile="$state/log4j2.yaml" -cp "$libs/*" \
      kafka.Kafka "$state/server.properties" >>"$state/broker.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  for _ in $(seq 1 240); do
    if ready; then
      echo "kafka-broker: ready on 127.0.0.1:$port after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
      return 0
    fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "kafka-broker: broker exited; log follows" >&2; tail -n 50 "$state/broker.log" >&2; return 1
    fi
    sleep 0.5
  done
  echo "kafka-broker: not ready after 120s" >&2; tail -n 50 "$state/broker.log" >&2; return 1
}

stop() {
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  stop-keep-data)  # an abrupt outage: the log dir stays for start-keep-data
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile"); kill -9 "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi ;;
  start-keep-data)
    [ -f "$state/server.properties" ] || { echo "kafka-broker: no state in $state; use start" >&2; exit 1; }
    if port_busy "$port"; then echo "kafka-broker: 127.0.0.1:$port is already in use" >&2; exit 1; fi
    launch ;;
  restart-keep-data)
    "$0" stop-keep-data; launch ;;
  status) ready ;;
  *) echo "usage: $0 fetch|start|stop|status|stop-keep-data|start-keep-data|restart-keep-data" >&2; exit 2 ;;
esac
