#!/usr/bin/env python3
"""Entity tagging evaluation.

1. CoNLL-2003 validation (../shared/data/conll2003/valid.txt): each document
   becomes one article (tokens joined by spaces, sentences by newlines), runs
   through `wirestream process --without dedup --without quotes`, and the
   mentions are scored conlleval-style: entity-level exact span and type,
   per type and micro P/R/F1.  Types map PERSON->PER, ORG->ORG,
   GPE/LOC/FAC->LOC, NORP/EVENT/PRODUCT/WORK_OF_ART/LAW/LANGUAGE->MISC;
   numeric types are ignored.
2. The seed article (../shared/data/seed): every PERSON, GPE and ORG of the
   gold list must be found with the right canonical name and type.

Exits 0 when the targets are met (micro F1 >= 80, every seed entity found),
1 when not, 77 (skip) when the data or the binary is absent.  The binary is
$WS_WIRESTREAM, else build/wirestream; ent_tool ($WS_BUILD_DIR/tests/
processors/entities/ent_tool) is the fallback when `process` cannot run.

  python3 tests/eval/entities_eval.py [--wirestream build/wirestream]
        [--tool build/.../ent_tool] [--split valid|train] [--errors N] [--report-only]
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.environ.get("WS_SHARED_DATA", os.path.join(os.path.dirname(REPO), "shared", "data"))

TYPE_MAP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
            "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
            "LAW": "MISC", "LANGUAGE": "MISC"}


def read_conll(path):
    """Documents as lists of sentences of (token, tag)."""
    docs, doc, sent = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                if sent:
                    doc.append(sent)
                    sent = []
                if doc:
                    docs.append(doc)
                doc = []
                continue
            if not line.strip():
                if sent:
                    doc.append(sent)
                    sent = []
                continue
            parts = line.split()
            sent.append((parts[0], parts[-1]))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return docs


def build_doc(doc):
    """Body text, token byte spans, and gold entity spans (bytes)."""
    pieces, spans, gold = [], [], []
    pos = 0
    for si, sent in enumerate(doc):
        if si:
            pieces.append("\n")
            pos += 1
        cur = None
        for ti, (tok, tag) in enumerate(sent):
            if ti:
                pieces.append(" ")
                pos += 1
            b = tok.encode("utf-8")
            start, end = pos, pos + len(b)
            pieces.append(tok)
            pos = end
            spans.append((start, end))
            if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
                if cur:
                    gold.append(tuple(cur))
                cur = [start, end, tag[2:]]
            elif tag.startswith("I-"):
                cur[1] = end
            else:
                if cur:
                    gold.append(tuple(cur))
                cur = None
        if cur:
            gold.append(tuple(cur))
    return "".join(pieces), spans, gold


def run_tagger(records, args):
    """Tag records ({id, body}); returns {id: [mention dicts]}."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        inpath = f.name
    out = None
    try:
        if args.wirestream and os.path.exists(args.wirestream) and not args.tool_only:
            p = subprocess.run([args.wirestream, "process", "--without", "dedup", "--without",
                                "quotes", inpath], capture_output=True, text=True)
            if p.returncode == 0 and p.stdout.strip():
                out = p.stdout
                args.used = "%s process --without dedup --without quotes" % args.wirestream
            else:
                sys.stderr.write("wirestream process failed (%d): %s\n" % (p.returncode, p.stderr[-500:]))
        if out is None and args.tool and os.path.exists(args.tool):
            with open(inpath, encoding="utf-8") as fin:
                p = subprocess.run([args.tool, "jsonl"], stdin=fin, capture_output=True, text=True)
            if p.returncode == 0:
                out = p.stdout
                args.used = "%s jsonl" % args.tool
        if out is None:
            sys.exit("no tagger could be run (build wirestream or ent_tool)")
    finally:
        os.unlink(inpath)
    res = {}
    for line in out.splitlines():
        if not line.strip():
            continue
        j = json.loads(line)
        res[str(j.get("id"))] = j.get("entities") or []
    return res


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return 100 * p, 100 * r, 100 * f


def eval_conll(args):
    path = os.path.join(DATA, "conll2003", args.split + ".txt")
    if not os.path.exists(path):
        print("SKIP: %s not found" % path)
        return None
    docs = read_conll(path)
    records, meta = [], {}
    for i, d in enumerate(docs):
        body, spans, gold = build_doc(d)
        rid = "conll-%d" % i
        records.append({"id": rid, "body": body})
        meta[rid] = (body, spans, gold)
    pred_all = run_tagger(records, args)
    tp, fp, fn = collections.Counter(), collections.Counter(), collections.Counter()
    errors = []
    for rid, (body, spans, gold) in meta.items():
        bbody = body.encode("utf-8")
        pred = set()
        for m in pred_all.get(rid, []):
            t = TYPE_MAP.get(m["type"])
            if t:
                pred.add((m["start"], m["end"], t))
        g = set(gold)
        for e in pred & g:
            tp[e[2]] += 1
        for e in pred - g:
            fp[e[2]] += 1
            errors.append(("FP", e[2], bbody[e[0]:e[1]].decode("utf-8", "replace"), rid))
        for e in g - pred:
            fn[e[2]] += 1
            errors.append(("FN", e[2], bbody[e[0]:e[1]].decode("utf-8", "replace"), rid))
    print("CoNLL-2003 %s: %d documents, tagger: %s" % (args.split, len(docs), args.used))
    print("%-6s %7s %7s %7s %6s %6s %6s" % ("type", "P", "R", "F1", "tp", "fp", "fn"))
    for t in ("PER", "ORG", "LOC", "MISC"):
        p, r, f = prf(tp[t], fp[t], fn[t])
        print("%-6s %7.2f %7.2f %7.2f %6d %6d %6d" % (t, p, r, f, tp[t], fp[t], fn[t]))
    p, r, f = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    print("%-6s %7.2f %7.2f %7.2f %6d %6d %6d" % ("micro", p, r, f, sum(tp.values()),
                                                 sum(fp.values()), sum(fn.values())))
    if args.errors:
        c = collections.Counter((k, t, s) for k, t, s, _ in errors)
        for (k, t, s), n in c.most_common(args.errors):
            print("  %s %-4s %4d  %s" % (k, t, n, s))
    return f


def eval_seed(args):
    art = os.path.join(DATA, "seed", "article.txt")
    gold_path = os.path.join(DATA, "seed", "gold.json")
    if not (os.path.exists(art) and os.path.exists(gold_path)):
        print("SKIP: seed not found")
        return None
    raw = open(art, encoding="utf-8").read()
    gold = json.load(open(gold_path, encoding="utf-8"))
    date = None
    body = raw
    if raw.startswith("date "):
        date = raw[5:15]
        body = raw[16:]
    rec = {"id": "seed", "body": body}
    if date:
        rec["date"] = date
    ments = run_tagger([rec], args).get("seed", [])
    ok = True
    print("Seed article: %d mentions" % len(ments))
    for g in gold["entities"]:
        if g["type"] not in ("PERSON", "GPE", "ORG"):
            continue
        hits = [m for m in ments if m["canonical"] == g["canonical"] and m["type"] == g["type"]]
        found_forms = set(m["text"] for m in hits)
        missing = [s for s in g["surface_forms"] if s not in found_forms]
        status = "ok" if hits else "MISSING"
        if not hits:
            ok = False
        wrong = sorted(set("%s/%s/%s" % (m["text"], m["type"], m["canonical"]) for m in ments
                           if m["text"] in g["surface_forms"] and m not in hits))
        print("  %-7s %-6s %-40s forms not joined: %s%s" % (
            status, g["type"], g["canonical"], ",".join(missing) or "-",
            ("  tagged as: " + "; ".join(wrong)) if wrong else ""))
    print("Seed: %s" % ("every PERSON/GPE/ORG found" if ok else "some entities missing"))
    return ok


def main():
    ap = argparse.ArgumentParser()
    build = os.environ.get("WS_BUILD_DIR", os.path.join(REPO, "build"))
    ap.add_argument("--wirestream", default=os.environ.get("WS_WIRESTREAM",
                                                           os.path.join(build, "wirestream")))
    ap.add_argument("--tool", default=os.path.join(build, "tests", "processors", "entities", "ent_tool"),
                    help="ent_tool binary (fallback, or with --tool-only)")
    ap.add_argument("--tool-only", action="store_true")
    ap.add_argument("--split", default="valid")
    ap.add_argument("--errors", type=int, default=0, help="print the N most frequent errors")
    ap.add_argument("--min-f1", type=float, default=80.0)
    ap.add_argument("--report-only", action="store_true", help="always exit 0 after reporting")
    ap.add_argument("--no-seed", action="store_true")
    args = ap.parse_args()
    args.used = "?"
    if not os.path.isdir(DATA):
        print("SKIP: %s not found" % DATA)
        return 77
    if not (os.path.exists(args.wirestream) or os.path.exists(args.tool)):
        print("SKIP: neither %s nor %s built" % (args.wirestream, args.tool))
        return 77
    f1 = eval_conll(args)
    seed = None if args.no_seed else eval_seed(args)
    if f1 is None and seed is None:
        return 77
    rc = 0
    if f1 is not None and f1 < args.min_f1:
        print("FAIL: micro F1 %.2f < %.2f" % (f1, args.min_f1))
        rc = 1
    if seed is False:
        print("FAIL: seed entities missing")
        rc = 1
    if rc == 0:
        print("PASS")
    return 0 if args.report_only else rc


if __name__ == "__main__":
    sys.exit(main())
