#!/usr/bin/env bash
# e2e.sh -- end to end through a real Kafka broker: `wirestream run` with all
# processors against a kcat pass-through that consumes the same input topic
# and re-produces the same bytes (lz4, like wirestream's producer).  Same topic
# data, same run, runs alternated; medians and their ratio are printed.
#
#   bench/e2e.sh [--rounds N] [--reps R] [--workers LIST] [--limit N] [--floor]
#
#   --rounds N    BBC corpus replayed N times with fresh ids (bench/gen.py), default 20
#   --reps R      runs of each contender, alternated, default 3
#   --workers L   comma list of wirestream `workers` values, default 2
#   --floor       also run wirestream with an empty pipeline (same config
#                 otherwise, first workers value): the cost of wirestream's
#                 Kafka side alone, to set beside the kcat pass-through
#   WS_BIN        the binary (default build-bench/wirestream)
#   WS_BIN_B      optional second binary (e.g. a build from before a change):
#                 run alternately with WS_BIN in every rep, same topic, and
#                 reported as "wirestream B", for before/after comparisons
#   Broker: see bench/lib.sh (private broker on 127.0.0.1:39092, stopped at the end).
#
# Three rates per run, all in input articles per second:
#   wall   = N / (process start .. all N accounted for), start-up and group join included;
#   steady = N / (first .. last output record timestamp on the broker);
#   cpu    = N / CPU seconds used (wirestream: the process; kcat: both kcats).
# The machine is shared: wall and steady move with other load, cpu much less.
# wirestream is done when its metrics line shows out + dropped + dlq = N
# (dedup drops the corpus's own duplicates, the same ones every round).
# Each wirestream run has its own group and its own dedup state topic (the
# shipped config has one), so no run inherits another's fingerprints; the
# state writes (one per unique article) are part of the cost measured.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_here"

rounds=20 reps=3 workers_list=2 limit=0 floor=0
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --workers) workers_list=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --floor) floor=1; shift ;;
    *) echo "usage: bench/e2e.sh [--rounds N] [--reps R] [--workers LIST] [--limit N] [--floor]" >&2; exit 2 ;;
  esac
done
bench_setup e2e

tag=$(date +%s)-$$
in=bench.e2e.$tag.in
# Keyed by story (gen.py --key): a story's replays stay in order in one partition.
bench/gen.py --data "$data" --rounds "$rounds" --limit "$limit" --key > "$tmp/in.tsv"
n=$(wc -l < "$tmp/in.tsv")
mb=$(cut -f2- "$tmp/in.tsv" | wc -c | awk '{printf "%.1f", $1 / 1e6}')
kcat -P -b "$BROKER" -t "$in" -z lz4 -q -K $'\t' < "$tmp/in.tsv"
got=$(topic_span "$in" | cut -d' ' -f1)
[ "$got" = "$n" ] || { echo "e2e: produced $got of $n input records" >&2; exit 1; }
echo "e2e: topic $in: $n articles, $mb MB (BBC x $rounds, fresh ids, keyed by story), broker $BROKER" >&2

# One metrics field from the newest metrics line of a log.
metric() { { grep '"msg":"metrics"' "$1" | tail -n 1 | grep -o "\"$2\":[0-9]*" | cut -d: -f2; } || true; }

run_kcat() {  # prints "wall_rate steady_rate cpu_rate"
  local out=bench.e2e.$tag.kcat.$1 t0 t1 span c first last cpu
  t0=$(now_ms)
  /usr/bin/time -f '%U %S' -o "$tmp/t.consume" \
    kcat -C -b "$BROKER" -t "$in" -o beginning -e -q -f '%k\t%s\n' |
    /usr/bin/time -f '%U %S' -o "$tmp/t.produce" kcat -P -b "$BROKER" -t "$out" -z lz4 -q -K $'\t'
  t1=$(now_ms)
  cpu=$(cat "$tmp/t.consume" "$tmp/t.produce" | awk '{s += $1 + $2} END {print s}')
  span=$(topic_span "$out"); read -r c first last <<< "$span"
  [ "$c" = "$n" ] || { echo "e2e: kcat pass-through wrote $c of $n" >&2; exit 1; }
  awk -v n="$n" -v w=$((t1 - t0)) -v s=$((last - first)) -v cpu="$cpu" \
    'BEGIN {printf "%.0f %.0f %.0f\n", n * 1000 / w, n * 1000 / (s > 0 ? s : 1), n / (cpu > 0 ? cpu : 0.01)}'
}

# CPU seconds (user + system) of a live process.
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

run_ws() {  # $1 rep, $2 workers[, $3 binary, $4 name, $5 config]; prints "wall_rate steady_rate cpu_rate out dropped dlq"
  local out=bench.e2e.$tag.ws${4:-}.$1.w$2 t0 t1 span c first last o d q i cpu bin=${3:-$ws}
  local -a conf=(--set pipeline.dedup.state_topic="$out.dedup-state")
  [ -n "${5:-}" ] && conf=(--config "$5")
  t0=$(now_ms)
  "$bin" run "${conf[@]}" --set kafka.bootstrap.servers="$BROKER" --set input.topics="$in" \
    --set output.topic="$out" --set output.dlq_topic="$out.dlq" \
    --set kafka.group.id="bench-e2e-$tag${4:-}-$1-$2" --set workers="$2" \
    --set metrics.interval_ms=100 2> "$tmp/ws.log" > /dev/null &
  ws_pid=$!
  while :; do
    sleep 0.05
    if ! kill -0 "$ws_pid" 2>/dev/null; then
      echo "e2e: wirestream exited early:" >&2; tail -n 5 "$tmp/ws.log" >&2; exit 1
    fi
    o=$(metric "$tmp/ws.log" out_msgs); d=$(metric "$tmp/ws.log" dropped_total)
    q=$(metric "$tmp/ws.log" dlq_total)
    [ -n "$o" ] && [ $((o + d + q)) -ge "$n" ] && break
    [ $(( $(now_ms) - t0 )) -gt 600000 ] && { echo "e2e: wirestream timed out" >&2; exit 1; }
  done
  t1=$(now_ms)
  cpu=$(proc_cpu "$ws_pid")
  kill -TERM "$ws_pid"; wait "$ws_pid" || true; ws_pid=
  i=$(metric "$tmp/ws.log" in_msgs)
  span=$(topic_span "$out"); read -r c first last <<< "$span"
  [ "$c" = "$o" ] || { echo "e2e: wirestream output topic has $c records, metrics say $o" >&2; exit 1; }
  awk -v n="$n" -v w=$((t1 - t0)) -v s=$((last - first)) -v o="$o" -v d="$d" -v q="$q" -v cpu="$cpu" \
    'BEGIN {printf "%.0f %.0f %.0f %d %d %d\n", n * 1000 / w, n * 1000 / (s > 0 ? s : 1), n / (cpu > 0 ? cpu : 0.01), o, d, q}'
}

: > "$tmp/kcat.txt" "$tmp/floor.txt"
w_floor=${workers_list%%,*}
if [ "$floor" = 1 ]; then
  # the shipped config with its pipeline emptied
  python3 -c 'import re, sys; print(re.sub(r"\"pipeline\":\s*\[.*?\],", "\"pipeline\": [],", open(sys.argv[1]).read(), flags=re.S))' \
    "$bench_here/config/wirestream.json" > "$tmp/floor.json"
  grep -q '"pipeline": \[\]' "$tmp/floor.json" || { echo "e2e: could not empty the pipeline of config/wirestream.json" >&2; exit 1; }
fi
ws_b=${WS_BIN_B:-}
if [ -n "$ws_b" ] && [ ! -x "$ws_b" ]; then echo "e2e: WS_BIN_B=$ws_b is not executable" >&2; exit 2; fi
for w in ${workers_list//,/ }; do : > "$tmp/ws.$w.txt"; : > "$tmp/wsb.$w.txt"; done
for r in $(seq 1 "$reps"); do
  k=$(run_kcat "$r"); echo "$k" >> "$tmp/kcat.txt"
  echo "rep $r: kcat pass-through  wall $(cut -d' ' -f1 <<< "$k")/s  steady $(cut -d' ' -f2 <<< "$k")/s  cpu $(cut -d' ' -f3 <<< "$k")/CPU-s" >&2
  if [ "$floor" = 1 ]; then
    x=$(run_ws "$r" "$w_floor" "$ws" .floor "$tmp/floor.json"); echo "$x" >> "$tmp/floor.txt"
    echo "rep $r: wirestream, no processors, w=$w_floor  wall $(cut -d' ' -f1 <<< "$x")/s  steady $(cut -d' ' -f2 <<< "$x")/s  cpu $(cut -d' ' -f3 <<< "$x")/CPU-s  (out/dropped/dlq $(cut -d' ' -f4-6 <<< "$x"))" >&2
  fi
  for w in ${workers_list//,/ }; do
    x=$(run_ws "$r" "$w"); echo "$x" >> "$tmp/ws.$w.txt"
    echo "rep $r: wirestream w=$w     wall $(cut -d' ' -f1 <<< "$x")/s  steady $(cut -d' ' -f2 <<< "$x")/s  cpu $(cut -d' ' -f3 <<< "$x")/CPU-s  (out/dropped/dlq $(cut -d' ' -f4-6 <<< "$x"))" >&2
    if [ -n "$ws_b" ]; then
      x=$(run_ws "$r" "$w" "$ws_b" .b); echo "$x" >> "$tmp/wsb.$w.txt"
      echo "rep $r: wirestream B w=$w   wall $(cut -d' ' -f1 <<< "$x")/s  steady $(cut -d' ' -f2 <<< "$x")/s  cpu $(cut -d' ' -f3 <<< "$x")/CPU-s  (out/dropped/dlq $(cut -d' ' -f4-6 <<< "$x"))" >&2
    fi
  done
done

kw=$(cut -d' ' -f1 "$tmp/kcat.txt" | median); ks=$(cut -d' ' -f2 "$tmp/kcat.txt" | median)
kc=$(cut -d' ' -f3 "$tmp/kcat.txt" | median)
echo "articles $n ($mb MB), reps $reps, load average $(cut -d' ' -f1-3 /proc/loadavg), medians (articles/s):"
printf '  %-22s wall %8.0f  steady %8.0f  cpu %8.0f\n' "kcat pass-through" "$kw" "$ks" "$kc"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
if [ "$floor" = 1 ]; then
  ww=$(cut -d' ' -f1 "$tmp/floor.txt" | median); wst=$(cut -d' ' -f2 "$tmp/floor.txt" | median)
  wc_=$(cut -d' ' -f3 "$tmp/floor.txt" | median)
  printf '  %-22s wall %8.0f  steady %8.0f  cpu %8.0f   ratio to kcat: wall %s  steady %s  cpu %s\n' \
    "no processors w=$w_floor" "$ww" "$wst" "$wc_" "$(ratio "$ww" "$kw")" "$(ratio "$wst" "$ks")" \
    "$(ratio "$wc_" "$kc")"
fi
for w in ${workers_list//,/ }; do
  ww=$(cut -d' ' -f1 "$tmp/ws.$w.txt" | median); wst=$(cut -d' ' -f2 "$tmp/ws.$w.txt" | median)
  wc_=$(cut -d' ' -f3 "$tmp/ws.$w.txt" | median)
  printf '  %-22s wall %8.0f  steady %8.0f  cpu %8.0f   ratio to kcat: wall %s  steady %s  cpu %s\n' \
    "wirestream workers=$w" "$ww" "$wst" "$wc_" "$(ratio "$ww" "$kw")" "$(ratio "$wst" "$ks")" \
    "$(ratio "$wc_" "$kc")"
  if [ -n "$ws_b" ]; then
    ww=$(cut -d' ' -f1 "$tmp/wsb.$w.txt" | median); wst=$(cut -d' ' -f2 "$tmp/wsb.$w.txt" | median)
    wc_=$(cut -d' ' -f3 "$tmp/wsb.$w.txt" | median)
    printf '  %-22s wall %8.0f  steady %8.0f  cpu %8.0f   ratio to kcat: wall %s  steady %s  cpu %s\n' \
      "wirestream B w=$w" "$ww" "$wst" "$wc_" "$(ratio "$ww" "$kw")" "$(ratio "$wst" "$ks")" \
      "$(ratio "$wc_" "$kc")"
  fi
done
