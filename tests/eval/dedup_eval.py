#!/usr/bin/env python3
"""Dedup quality on the BBC corpus (research data, read from ../shared/data).

Runs `wirestream process` with only the dedup entry, action=flag, over
bbc.jsonl, links every flagged article to its `duplicate_of`, and scores the
resulting clusters as article pairs against bbc_dup_pairs.tsv:

  positives  = pairs with word-5-gram Jaccard >= 0.8 (the data's own measure)
  precision  = predicted pairs that are positives / predicted pairs
  recall     = positives predicted / positives
  false positives are split into near misses (a listed pair below 0.8) and
  pairs among all other articles (not listed at all: Jaccard < 0.3).

--study compares sketches without the binary (pure Python, a few seconds):
SimHash-64 over the same shingles at every Hamming threshold, against the
b-bit MinHash sizes under a binomial model of the estimator.

Exit 0 when precision and recall meet the targets, 1 when not, 77 (skip)
when the data or the binary is absent.  Extra `--set key=value` options go
to wirestream unchanged (e.g. --set pipeline.dedup.sketch_size=64).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

SKIP = 77


def study(a, corpus, pairs_file):
    """SimHash vs b-bit MinHash on BBC, for docs/dedup.md."""
    import hashlib
    import math
    import re
    docs = []
    for line in open(corpus, encoding="utf-8"):
        d = json.loads(line)
        words = re.findall(r"[a-z0-9]+", d["body"].lower())
        sh = {" ".join(words[i:i + 5]) for i in range(max(1, len(words) - 4))}
        docs.append((d["id"], sh))
    truth = {}
    for r in csv.DictReader(open(pairs_file, encoding="utf-8"), delimiter="\t"):
        truth[tuple(sorted((r["a"], r["b"])))] = float(r["jaccard_w5"])
    pos = {k for k, v in truth.items() if v >= a.threshold}

    # SimHash-64: per bit, the majority vote of the shingle hashes.
    fps = []
    for _, sh in docs:
        bits = [format(int.from_bytes(hashlib.blake2b(x.encode(), digest_size=8).digest(), "little"),
                       "064b") for x in sh]
        half = len(bits) / 2
        v = 0
        for col in zip(*bits):
            v = (v << 1) | (col.count("1") > half)
        fps.append(v)
    dist = {}
    n = len(docs)
    for i in range(n):
        fi = fps[i]
        for j in range(i + 1, n):
            d = (fi ^ fps[j]).bit_count()
            if d <= 16:
                dist[tuple(sorted((docs[i][0], docs[j][0])))] = d
    print(f"SimHash-64 over word 5-gram shingles, {n} articles, {len(pos)} pairs at Jaccard >= {a.threshold}")
    print("  hamming<=  predicted  precision  recall")
    for t in range(0, 17, 2):
        pred = {k for k, d in dist.items() if d <= t}
        tp = len(pred & pos)
        print(f"  {t:9d}  {len(pred):9d}  {tp / len(pred) if pred else 1:.4f}     {tp / len(pos):.4f}")

    # b-bit MinHash: the estimate of pair J counts m equal bytes of k, with
    # m ~ Binomial(k, J + (1 - J) / 2^b); expected errors over the listed pairs.
    def pge(k, p, m):
        return sum(math.comb(k, i) * p ** i * (1 - p) ** (k - i) for i in range(m, k + 1))
    print("b-bit MinHash, binomial model of the estimate, expected errors over the listed pairs")
    print("  bits  k    bytes  E[false pos]  E[false neg]")
    for b, k in ((8, 64), (8, 96), (8, 128), (4, 192), (2, 384)):
        c = 1 / 2 ** b
        m = math.ceil(k * (a.threshold * (1 - c) + c) - 1e-9)
        efp = sum(pge(k, j + (1 - j) * c, m) for j in truth.values() if j < a.threshold)
        efn = sum(1 - pge(k, j + (1 - j) * c, m) for j in truth.values() if j >= a.threshold)
        print(f"  {b:4d}  {k:3d}  {k * b // 8:5d}  {efp:12.2f}  {efn:12.2f}")
    return 0


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wirestream", default=os.environ.get("WS_WIRESTREAM") or
                    os.path.join(root, "build", "wirestream"))
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data", "bbc"))
    ap.add_argument("--set", action="append", default=[], dest="sets", metavar="KEY=VALUE")
    ap.add_argument("--threshold", type=float, default=0.8, help="Jaccard of a true pair")
    ap.add_argument("--min-precision", type=float, default=0.99)
    ap.add_argument("--min-recall", type=float, default=0.97)
    ap.add_argument("--show", action="store_true", help="list every error")
    ap.add_argument("--json", action="store_true", help="print the scores as one JSON line")
    ap.add_argument("--study", action="store_true", help="compare sketches (no binary needed)")
    a = ap.parse_args()

    corpus = os.path.join(a.data, "bbc.jsonl")
    pairs_file = os.path.join(a.data, "bbc_dup_pairs.tsv")
    if not (os.path.exists(corpus) and os.path.exists(pairs_file)):
        print(f"SKIP: {a.data} not found (research data lives outside the repo)")
        return SKIP
    if a.study:
        return study(a, corpus, pairs_file)
    if not os.access(a.wirestream, os.X_OK):
        print(f"SKIP: {a.wirestream} is not built")
        return SKIP

    cmd = [a.wirestream, "process", "--without", "entities", "--without", "quotes",
           "--set", "pipeline.dedup.action=flag"]
    for s in a.sets:
        cmd += ["--set", s]
    cmd.append(corpus)
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root)
    secs = time.time() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace")[-4000:])
        print(f"FAIL: {' '.join(cmd)} exited {p.returncode}")
        return 1

    n_in = sum(1 for line in open(corpus, encoding="utf-8") if line.strip())
    parent = {}
    status_count = {}
    sims = {}
    out = 0
    for line in p.stdout.decode("utf-8").splitlines():
        rec = json.loads(line)
        out += 1
        d = rec.get("dedup") or {}
        st = d.get("status", "(missing)")
        status_count[st] = status_count.get(st, 0) + 1
        parent.setdefault(rec["id"], rec["id"])
        if st in ("duplicate", "near_duplicate") and d.get("duplicate_of"):
            parent[rec["id"]] = d["duplicate_of"]
            sims[rec["id"]] = d.get("similarity")
    if out != n_in:
        print(f"FAIL: {n_in} articles in, {out} records out (flag mode keeps all)")
        return 1

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    clusters = {}
    for i in parent:
        clusters.setdefault(find(i), []).append(i)
    predicted = set()
    for members in clusters.values():
        members.sort()
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                predicted.add((members[i], members[j]))

    truth = {}
    for r in csv.DictReader(open(pairs_file, encoding="utf-8"), delimiter="\t"):
        truth[tuple(sorted((r["a"], r["b"])))] = float(r["jaccard_w5"])
    positives = {k for k, v in truth.items() if v >= a.threshold}

    tp = predicted & positives
    fp = predicted - positives
    fn = positives - predicted
    fp_near = {k for k in fp if k in truth}
    fp_other = fp - fp_near
    precision = len(tp) / len(predicted) if predicted else 1.0
    recall = len(tp) / len(positives) if positives else 1.0
    flagged = sum(1 for i in parent if parent[i] != i)
    bad_articles = sum(1 for i in parent if parent[i] != i and
                       tuple(sorted((i, parent[i]))) not in positives)

    res = {
        "articles": n_in, "seconds": round(secs, 2), "statuses": status_count,
        "positives": len(positives), "predicted_pairs": len(predicted),
        "true_positives": len(tp), "false_positives": len(fp),
        "false_positives_near_miss": len(fp_near), "false_positives_other": len(fp_other),
        "false_negatives": len(fn), "precision": round(precision, 4), "recall": round(recall, 4),
        "flagged_articles": flagged, "flagged_without_true_partner": bad_articles,
        "sets": a.sets,
    }
    if a.json:
        print(json.dumps(res))
    else:
        print(f"command: {' '.join(os.path.relpath(c, root) if c.startswith(root) else c for c in cmd)}")
        print(f"articles {n_in}, statuses {status_count}, {secs:.2f} s")
        print(f"pairs at Jaccard >= {a.threshold}: {len(positives)}; predicted pairs {len(predicted)}")
        print(f"precision {precision:.4f}  recall {recall:.4f}  "
              f"(TP {len(tp)}, FP {len(fp)} = {len(fp_near)} near misses + {len(fp_other)} others, FN {len(fn)})")
        print(f"flagged articles {flagged}, of which without a true partner: {bad_articles}")
    if a.show or not a.json:
        for k in sorted(fp):
            sa = sims.get(k[0]) if parent.get(k[0]) == k[1] else sims.get(k[1])
            print(f"  FP {k[0]} {k[1]} jaccard={truth.get(k, '<0.3')} est={sa}")
        for k in sorted(fn):
            print(f"  FN {k[0]} {k[1]} jaccard={truth[k]}")
    ok = precision >= a.min_precision and recall >= a.min_recall
    if not ok:
        print(f"FAIL: targets are precision >= {a.min_precision}, recall >= {a.min_recall}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
