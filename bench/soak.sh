#!/usr/bin/env bash
# soak.sh -- memory under sustained load: `wirestream run` (all processors)
# fed at a steady rate through a real broker; RSS sampled over time.
#
#   bench/soak.sh [--seconds 600] [--rate 1000] [--interval 5] [--workers 2] [--out FILE]
#
# The feed (bench/gen.py --unique --step-hours 1 --key) is the BBC corpus,
# each round a new set of stories (round 0 as is, later rounds through a
# letter substitution) dated one hour after the round before: dedup's 72 h
# window fills up to 72 rounds (~160,000 articles) and then slides, evicting
# as many as it adds.  So RSS should rise while the window fills and then
# stay flat; growth after that is a leak.
#
# Writes a CSV (default build-bench/soak-<date>.csv):
#   t_s, rss_kb, hwm_kb, in_msgs, out_msgs, dropped, lag_total
# and prints peak RSS and the RSS slope over the last half of the run.
# --seconds 20 is a smoke run.  Broker: see bench/lib.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_here"

seconds=600 rate=1000 interval=5 workers=2 out=
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: bench/soak.sh [--seconds S] [--rate R] [--interval S] [--workers W] [--out FILE]" >&2; exit 2 ;;
  esac
done
bench_setup soak
out=${out:-build-bench/soak-$(date -u +%Y%m%dT%H%M%S).csv}

tag=$(date +%s)-$$
in=bench.soak.$tag.in
outt=bench.soak.$tag.out
metric() { { grep '"msg":"metrics"' "$tmp/ws.log" | tail -n 1 | grep -o "\"$1\":[0-9]*" | cut -d: -f2; } || true; }

# The feed runs first so the topic exists; wirestream starts right after.
bench/gen.py --data "$data" --unique --step-hours 1 --key --seconds "$seconds" --rate "$rate" |
  kcat -P -b "$BROKER" -t "$in" -z lz4 -q -K $'\t' &
gen_pid=$!
sleep 1
"$ws" run --set kafka.bootstrap.servers="$BROKER" --set input.topics="$in" \
  --set output.topic="$outt" --set output.dlq_topic="$outt.dlq" \
  --set kafka.group.id="bench-soak-$tag" --set workers="$workers" \
  --set pipeline.dedup.state_topic="$outt.dedup-state" \
  --set metrics.interval_ms=$((interval * 1000)) 2> "$tmp/ws.log" > /dev/null &
ws_pid=$!
echo "soak: $seconds s at $rate articles/s, workers $workers, pid $ws_pid, CSV $out" >&2
echo "t_s,rss_kb,hwm_kb,in_msgs,out_msgs,dropped,lag_total" > "$out"
t0=$(now_ms)
sample() {
  local s rss hwm
  s=/proc/$ws_pid/status
  rss=$(awk '/^VmRSS:/ {print $2}' "$s" 2>/dev/null || echo 0)
  hwm=$(awk '/^VmHWM:/ {print $2}' "$s" 2>/dev/null || echo 0)
  echo "$(( ($(now_ms) - t0) / 1000 )),$rss,$hwm,$(metric in_msgs),$(metric out_msgs),$(metric dropped_total),$(metric lag_total)" >> "$out"
}
while kill -0 "$gen_pid" 2>/dev/null; do
  kill -0 "$ws_pid" 2>/dev/null || { echo "soak: wirestream exited:" >&2; tail -n 5 "$tmp/ws.log" >&2; exit 1; }
  sample
  sleep "$interval"
done
wait "$gen_pid" || true; gen_pid=
produced=$(topic_span "$in" | cut -d' ' -f1)
# Let it drain, then stop it as an operator would.
for _ in $(seq 1 120); do
  i=$(metric in_msgs); [ -n "$i" ] && [ "$i" -ge "$produced" ] && break
  sleep 1
done
sample
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$ws_pid/status")
kill -TERM "$ws_pid"; rc=0; wait "$ws_pid" || rc=$?; ws_pid=
final=$(grep '"final":true' "$tmp/ws.log" | tail -n 1)
in_total=$(grep -o '"in_msgs":[0-9]*' <<< "$final" | cut -d: -f2)
echo "soak: produced $produced, wirestream read ${in_total:-?}, exit $rc" >&2
awk -F, -v hwm="$hwm" 'NR > 1 {t[NR] = $1; r[NR] = $2; n = NR}
  END {
    # least-squares slope of RSS over the second half of the samples
    h = int(n / 2) + 1; sx = sy = sxx = sxy = m = 0
    for (i = h; i <= n; i++) { m++; sx += t[i]; sy += r[i]; sxx += t[i] * t[i]; sxy += t[i] * r[i] }
    slope = (m > 1 && m * sxx - sx * sx != 0) ? (m * sxy - sx * sy) / (m * sxx - sx * sx) : 0
    min = max = r[h]; for (i = h; i <= n; i++) { if (r[i] < min) min = r[i]; if (r[i] > max) max = r[i] }
    printf "samples %d; RSS first %d kB, at half-time %d kB, last %d kB; peak (VmHWM) %d kB\n", n - 1, r[2], r[h], r[n], hwm
    printf "second half: RSS %d..%d kB, slope %.1f kB/min\n", min, max, slope * 60
  }' "$out"
[ "$rc" = 0 ] || { echo "soak: wirestream exit code $rc" >&2; exit 1; }
