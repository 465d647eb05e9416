#!/usr/bin/env bash
# run.sh -- every benchmark in one go, from the repo root; output is what
# docs/BENCHMARKS.md quotes.  Needs a build with -DWS_BENCH=ON:
#   cmake -S . -B build-bench -DWS_BENCH=ON && cmake --build build-bench -j2
#
#   bench/run.sh [--smoke] [--no-kafka] [--no-peer] [--soak SECONDS]
#
#   --smoke     a few seconds, asserts behaviour only (never speed): the
#               pipeline bench's --check on a slice of BBC, and `wirestream
#               process` accounting for every article of a replayed slice.
#               This is what ctest runs (label bench).  Exits 77 without data.
#   (default)   in-process pipeline (1 and 2 threads), the processor benches,
#               `wirestream process` end to end, dedup memory at 1M articles,
#               then e2e.sh (broker) and run-peer.sh (Python peer).
#   --soak S    also the sustained-load memory run (soak.sh) for S seconds.
# WS_BENCH_BUILD: the build dir (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${WS_BENCH_BUILD:-build-bench}
data=${WS_BENCH_DATA:-../shared/data/bbc/bbc.jsonl}
smoke=0 kafka=1 peer=1 soak=0
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=1; shift ;;
    --no-kafka) kafka=0; shift ;;
    --no-peer) peer=0; shift ;;
    --soak) soak=$2; shift 2 ;;
    *) echo "usage: bench/run.sh [--smoke] [--no-kafka] [--no-peer] [--soak SECONDS]" >&2; exit 2 ;;
  esac
done
[ -f "$data" ] || { echo "bench: $data absent, skipped" >&2; exit 77; }
for b in "$build/wirestream" "$build/bench/bench_pipeline"; do
  [ -x "$b" ] || { echo "bench: $b missing (cmake -DWS_BENCH=ON, then build)" >&2; exit 2; }
done

if [ "$smoke" = 1 ]; then
  tmp=$(mktemp -d /tmp/ws-bench-smoke.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  # 1. The pipeline bench's own behaviour checks (counts, drops per round, ids).
  "$build/bench/bench_pipeline" --data "$data" --limit 200 --rounds 3 --runs 1 --check > "$tmp/p1.txt"
  "$build/bench/bench_pipeline" --data "$data" --limit 200 --rounds 2 --runs 1 --threads 2 --check > "$tmp/p2.txt"
  # 2. The replay generator + the CLI: every article is written or dropped by dedup,
  #    and replayed rounds (fresh ids, window moved on) drop no more than round 0.
  bench/gen.py --data "$data" --limit 200 --rounds 3 > "$tmp/in.jsonl"
  n=$(wc -l < "$tmp/in.jsonl")
  [ "$n" = 600 ] || { echo "smoke: gen.py wrote $n lines, expected 600" >&2; exit 1; }
  "$build/wirestream" process "$tmp/in.jsonl" > "$tmp/out.jsonl" 2> "$tmp/err.txt"
  bench/gen.py --data "$data" --limit 200 --rounds 1 > "$tmp/in1.jsonl"
  "$build/wirestream" process "$tmp/in1.jsonl" > "$tmp/out1.jsonl" 2>/dev/null
  python3 - "$tmp/in.jsonl" "$tmp/out.jsonl" "$tmp/err.txt" "$tmp/out1.jsonl" <<'PY'
import json, sys
ins = [json.loads(l)["id"] for l in open(sys.argv[1])]
outs = [json.loads(l) for l in open(sys.argv[2])]
summary = [json.loads(l) for l in open(sys.argv[3]) if '"summary"' in l][-1]
one = sum(1 for _ in open(sys.argv[4]))
ok = True
def check(cond, msg):
    global ok
    if not cond:
        print("smoke: FAIL:", msg, file=sys.stderr)
        ok = False
check(summary["read"] == len(ins), "read %d of %d" % (summary["read"], len(ins)))
check(summary["failed"] == 0, "failed %d" % summary["failed"])
check(summary["written"] == len(outs), "summary says %d written, stdout has %d" % (summary["written"], len(outs)))
check(summary["written"] + summary["dropped"] == len(ins), "written + dropped != read")
check(all(o["id"] in set(ins) for o in outs), "an output id that was not an input id")
check(len({o["id"] for o in outs}) == len(outs), "an id written twice")
check(len(outs) == 3 * one, "3 rounds wrote %d, one round %d: replays were not new stories" % (len(outs), one))
check(all("entities" in o and "quotes" in o and "dedup" in o for o in outs), "an annotation missing")
print("smoke: %d articles in, %d written, %d dropped by dedup (3 rounds x %d)"
      % (len(ins), len(outs), summary["dropped"], one))
sys.exit(0 if ok else 1)
PY
  echo "bench smoke: ok"
  exit 0
fi

say() { printf '\n$ %s\n' "$*"; }
run() { say "$@"; "$@"; }
echo "bench/run.sh on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "build: $build ($(grep -m1 CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2)), $("$build/wirestream" version 2>&1 | head -n 1)"

run "$build/bench/bench_pipeline" --rounds 5 --runs 5
run "$build/bench/bench_pipeline" --rounds 5 --runs 5 --threads 2
for b in bench_dedup bench_entities bench_quotes; do
  [ -x "$build/bench/$b" ] && run "$build/bench/$b"
done

# The CLI end to end: file in, records on stdout.
tmp=$(mktemp -d /tmp/ws-bench-run.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bench/gen.py --data "$data" --rounds 5 > "$tmp/bbc5.jsonl"
for w in 1 2; do
  say "bench/gen.py --rounds 5 > bbc5.jsonl; /usr/bin/time wirestream process --set workers=$w bbc5.jsonl > /dev/null   (x3)"
  for i in 1 2 3; do
    /usr/bin/time -f '%e s wall, %U s user, %S s sys, max RSS %M kB' "$build/wirestream" process \
      --set workers=$w "$tmp/bbc5.jsonl" 2> "$tmp/err.txt" > /dev/null || true
    grep '"summary"' "$tmp/err.txt" | grep -o '"read":[0-9]*,"written":[0-9]*,"dropped":[0-9]*' | tr '\n' ' '
    tail -n 1 "$tmp/err.txt"
  done
done

# Memory with a 1M-article dedup window: about 1,013,000 unique articles (490 rounds
# of BBC, each through its own letter substitution), all inside the window.
say "bench/gen.py --unique --rounds 490 | /usr/bin/time wirestream process --without entities --without quotes > /dev/null"
bench/gen.py --data "$data" --unique --rounds 490 |
  /usr/bin/time -f '%e s wall, max RSS %M kB' "$build/wirestream" process --without entities --without quotes \
  2> "$tmp/err.txt" > /dev/null || true
grep '"summary"' "$tmp/err.txt" | grep -o '"read":[0-9]*,"written":[0-9]*,"dropped":[0-9]*'; tail -n 1 "$tmp/err.txt"
say "the same, 2,225 articles (the baseline RSS)"
bench/gen.py --data "$data" --unique --rounds 1 |
  /usr/bin/time -f '%e s wall, max RSS %M kB' "$build/wirestream" process --without entities --without quotes \
  2> "$tmp/err.txt" > /dev/null || true
tail -n 1 "$tmp/err.txt"

[ "$kafka" = 1 ] && run bench/e2e.sh --rounds 20 --reps 3 --workers 1,2
[ "$peer" = 1 ] && run bench/run-peer.sh --sample 300 $([ "$kafka" = 1 ] && echo --kafka)
[ "$soak" != 0 ] && run bench/soak.sh --seconds "$soak"
exit 0
