#!/usr/bin/env bash
# ab_entities.sh -- two builds of bench_entities side by side: runs them
# alternately (A, B, A, B, ...) over the BBC corpus and prints, for both of
# bench_entities' processor measures (records kept; one record reused, as a
# worker runs), each build's median and range and the median of the per-pair
# ratios A/B with how many pairs A was ahead in.  Alternating and pairing is
# what makes a few percent visible on a noisy machine.
#
#   bench/ab_entities.sh BUILD_A BUILD_B [pairs] [rounds]
#
#   BUILD_A, BUILD_B  build directories (each with bench/bench_entities)
#   pairs             alternated pairs, default 21
#   rounds            bench_entities rounds per run, default 9
#   WS_BENCH_DATA     the corpus (default ../shared/data/bbc/bbc.jsonl)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/ab_entities.sh BUILD_A BUILD_B [pairs] [rounds]" >&2; exit 2; }
a=$1 b=$2 pairs=${3:-21} rounds=${4:-9}
data=${WS_BENCH_DATA:-$(dirname "$0")/../../shared/data/bbc/bbc.jsonl}
[ -r "$data" ] || { echo "ab_entities: no corpus at $data" >&2; exit 77; }
for d in "$a" "$b"; do
  [ -x "$d/bench/bench_entities" ] || { echo "ab_entities: $d/bench/bench_entities is not built (-DWS_BENCH=ON)" >&2; exit 2; }
done
out=$(mktemp); trap 'rm -f "$out"' EXIT
run() {   # prints "records_kept one_record" for build $1
  ENT_BENCH_ONLY=processor "$1/bench/bench_entities" "$data" "$rounds" |
    awk '/^processor:/ {for (i = 1; i < NF; i++) if ($(i+1) == "articles/s" && $(i+2) == "CPU,") k = $i}
         /one record reused/ {o = $(NF-1)} END {print k, o}'
}
for i in $(seq "$pairs"); do echo "$(run "$a") $(run "$b")" >> "$out"; done
python3 - "$out" "$a" "$b" <<'PY'
import statistics as st, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
for col, name in ((0, "records kept"), (1, "one record")):
    a = [r[col] for r in rows]; b = [r[col + 2] for r in rows]
    q = [x / y for x, y in zip(a, b)]
    print(f"{name:13s} A {st.median(a):8.0f} ({min(a):.0f}-{max(a):.0f})  B {st.median(b):8.0f} "
          f"({min(b):.0f}-{max(b):.0f})  paired A/B {st.median(q):.3f}, A ahead in {sum(x > 1 for x in q)} of {len(q)}")
print(f"A = {sys.argv[2]}, B = {sys.argv[3]}, {len(rows)} pairs, load average {open('/proc/loadavg').read().split()[0]}")
PY
