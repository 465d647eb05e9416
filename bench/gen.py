#!/usr/bin/env python3
"""gen.py -- replay a JSONL corpus as a stream of fresh articles (stdlib only).

    bench/gen.py [--data FILE] [--rounds N | --seconds S | --forever]
                 [--rate R] [--step-hours H] [--unique] [--limit N] [--first-round K]
                 [--key]

Round r writes every article of the corpus with a fresh id "r<r>/<id>" and
a date r * H hours (default 96, past dedup's 72 h window) after 2025-01-01,
so a replay is a new story to dedup, as in a stream whose window slides;
the corpus's own duplicates stay duplicates in every round, as in the
C bench (bench_pipeline.c uses the same scheme).

--unique passes each round's text (title and body) through its own letter
substitution, so every article is a new story; round 0 is the corpus
unchanged.  Its date stays the same in every round, so every article stays
in dedup's window: this fills the window (memory at 1M remembered
articles).  With --step-hours as well, the date moves on by H per round, so
the window holds 72 / H rounds and evicts as it slides (the soak run).

--key starts each line with the corpus id and a tab, for `kcat -P -K '\t'`:
keyed by story, every replay of a story goes to the same partition after
the one before, so a consumer that reads partitions at different paces
still sees a story's rounds in order.  (Unkeyed, round 5 of a story can
be read before its round 3, which dedup then rightly calls a duplicate.)

--rate paces the output (articles per second, checked every 100 lines) for
sustained-load runs; --seconds stops after that much wall time.
Exits 0 on a closed stdout (the reader stopped)."""
import argparse
import json
import random
import string
import sys
import time

BASE = 1735689600  # 2025-01-01T00:00:00Z


def load(path, limit):
    arts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            arts.append(json.loads(line))
            if limit and len(arts) >= limit:
                break
    return arts


def cipher(r):
    """Round r's letter substitution (a fixed permutation per round)."""
    rng = random.Random(r)
    lo = list(string.ascii_lowercase)
    rng.shuffle(lo)
    src = string.ascii_lowercase + string.ascii_uppercase
    dst = "".join(lo) + "".join(lo).upper()
    return str.maketrans(src, dst)


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="../shared/data/bbc/bbc.jsonl")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--forever", action="store_true")
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--step-hours", type=float, default=None)
    ap.add_argument("--unique", action="store_true")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--first-round", type=int, default=0)
    ap.add_argument("--key", action="store_true")
    a = ap.parse_args()
    arts = load(a.data, a.limit)
    # The fixed parts of each line, encoded once.
    pre = []
    for d in arts:
        rest = {k: v for k, v in d.items() if k not in ("id", "date", "title", "body")}
        pre.append((d.get("id", "noid"), d.get("title", ""), d.get("body", ""),
                    json.dumps(rest, ensure_ascii=False)[1:-1]))
    enc = json.JSONEncoder(ensure_ascii=False).encode
    out = sys.stdout
    t0 = time.monotonic()
    sent = 0
    r = a.first_round
    try:
        while a.forever or a.seconds or r < a.first_round + a.rounds:
            step = a.step_hours if a.step_hours is not None else (0 if a.unique else 96)
            date = iso(BASE + int(r * step * 3600))
            tr = cipher(r) if a.unique and r else None
            buf = []
            for (aid, title, body, rest) in pre:
                if tr:
                    title, body = title.translate(tr), body.translate(tr)
                line = ((aid.replace("\t", " ") + "\t") if a.key else "") + '{"id":%s,"date":"%s","title":%s,"body":%s%s}\n' % (
                    enc("r%d/%s" % (r, aid)), date, enc(title), enc(body),
                    ("," + rest) if rest else "")
                buf.append(line)
                sent += 1
                if a.rate and sent % 100 == 0:
                    out.write("".join(buf))
                    buf = []
                    ahead = sent / a.rate - (time.monotonic() - t0)
                    if ahead > 0:
                        out.flush()
                        time.sleep(ahead)
                if a.seconds and sent % 100 == 0 and time.monotonic() - t0 >= a.seconds:
                    break
            out.write("".join(buf))
            if a.seconds and time.monotonic() - t0 >= a.seconds:
                break
            r += 1
        out.flush()
    except BrokenPipeError:
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
