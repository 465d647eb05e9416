#!/usr/bin/env python3
"""Evaluates the quotes processor on PolNeAR dev and on the seed article.

PolNeAR (../shared/data/polnear/dev): gold direct quotes are attributions
with "direct": true; their content offsets are code points.  A predicted
quote matches a gold one when, with quote marks and spaces trimmed from
every piece, their character sets overlap by >= 0.8 of each.  A prediction
that matches nothing but lies (>= 0.8) inside the content of an indirect
attribution is neither right nor wrong (quoted words in indirect speech).
Speaker accuracy is over matched quotes: the predicted speaker span overlaps
the gold source.

Seed (../shared/data/seed): every gold quote must be found with the right
speaker (canonical name), at most one extra quote; the Singleton pair (a
cue-less piece after a quote) is one split quote.

Runs `build/wirestream process --without dedup` by default (entities run
first; $WS_WIRESTREAM / $WS_BUILD_DIR override, as ctest sets them); --tool
runs the extractor alone (no entities) for development.  Exits 77 when the
data or the binary is absent, 1 when a target is missed.

    python3 tests/eval/quotes_eval.py [--build build] [--tool] [--split dev] [-v]
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
MARKS = "\"'“”‘’«»„‚‹›` \t\n\r\u00a0"


def run(args, bodies):
    """Returns one list of quotes per body (byte offsets into the body)."""
    inp = "".join(json.dumps({"id": "q%d" % i, "body": b}) + "\n" for i, b in enumerate(bodies))
    if args.tool:
        cmd = [tool_path(args), os.path.join(ROOT, "config", "quotes")]
    else:
        cmd = [args.wirestream, "process", "--without", "dedup"]
        if args.config:
            cmd += ["--config", args.config]
        cmd += ["-"]
    p = subprocess.run(cmd, input=inp.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       cwd=ROOT)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
        raise SystemExit("quotes_eval: %s failed (exit %d)" % (cmd[0], p.returncode))
    out = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    if len(out) != len(bodies):
        raise SystemExit("quotes_eval: %d records for %d articles" % (len(out), len(bodies)))
    return [r.get(args.name) or [] for r in out]


def tool_path(args):
    return os.path.join(args.build, "tests", "processors", "quotes", "quotes_tool")


def byte_to_cp(text):
    """Map from UTF-8 byte offset to code point offset."""
    m = []
    for i, ch in enumerate(text):
        m.extend([i] * len(ch.encode()))
    m.append(len(text))
    return m


def trimmed(text, s, e):
    while s < e and text[s] in MARKS:
        s += 1
    while e > s and text[e - 1] in MARKS:
        e -= 1
    return s, e


def charset(text, spans):
    out = set()
    for s, e in spans:
        s, e = trimmed(text, s, e)
        out.update(range(s, e))
    return out


def pred_quotes(text, quotes):
    """Predicted quotes in code points.  A quote that inherited its speaker
    (no cue, the same speaker mention as the quote before it) is joined to
    that quote: PolNeAR annotates a speaker's run of quote paragraphs as one
    attribution with several pieces, while the processor emits one quote per
    paragraph, linked to the same mention."""
    b2c = byte_to_cp(text)
    res = []
    for q in quotes:
        spans = [(b2c[s], b2c[e]) for s, e in q["spans"]]
        sp = q.get("speaker")
        spk = (b2c[sp["start"]], b2c[sp["end"]]) if sp else None
        if res and q.get("cue") is None and spk is not None and res[-1]["speaker"] == spk:
            res[-1]["spans"] += spans
            res[-1]["chars"] |= charset(text, spans)
            continue
        res.append({"chars": charset(text, spans), "spans": spans, "speaker": spk,
                    "name": sp.get("name") if sp else None, "q": q})
    return res


def match(preds, golds):
    """Greedy one-to-one matching by overlap; returns {pred index: gold index}."""
    cands = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            inter = len(p["chars"] & g["chars"])
            if inter and inter >= 0.8 * len(p["chars"]) and inter >= 0.8 * len(g["chars"]):
                cands.append((inter, i, j))
    cands.sort(reverse=True)
    used_p, used_g, m = set(), set(), {}
    for _, i, j in cands:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            m[i] = j
    return m


def polnear(args):
    d = os.path.join(DATA, "polnear", args.split)
    if not os.path.isdir(d):
        return None
    docs = {}
    for line in open(os.path.join(d, "attributions.jsonl"), encoding="utf-8"):
        a = json.loads(line)
        docs.setdefault(a["doc"], []).append(a)
    names = sorted(docs)
    texts = [open(os.path.join(d, "text", n + ".txt"), encoding="utf-8").read() for n in names]
    outs = run(args, texts)
    tp = fp = fn = neutral = sp_ok = 0
    for name, text, quotes in zip(names, texts, outs):
        golds, indirect = [], set()
        for a in docs[name]:
            spans = [(c["start"], c["end"]) for c in a["content"]]
            if a["direct"]:
                golds.append({"chars": charset(text, spans), "spans": spans,
                              "source": [(s["start"], s["end"]) for s in a["source"]], "a": a})
            else:
                for s, e in spans:
                    indirect.update(range(s, e))
        golds = [g for g in golds if g["chars"]]
        preds = [p for p in pred_quotes(text, quotes) if p["chars"]]
        m = match(preds, golds)
        for i, p in enumerate(preds):
            if args.verbose:
                print("PRED %s %s" % ("TP" if i in m else "XX", "null" if p["speaker"] is None else "spk"))
            if i in m:
                tp += 1
                g = golds[m[i]]
                ok = (p["speaker"] is None and not g["source"]) or (
                    p["speaker"] is not None and any(p["speaker"][0] < e and s < p["speaker"][1]
                                                     for s, e in g["source"]))
                sp_ok += ok
                if not ok and args.verbose:
                    print("SPEAKER %s: %r pred=%r gold=%r" % (
                        name, text[min(s for s, _ in p["spans"]):][:70],
                        p["q"].get("speaker"), [t["text"] for t in g["a"]["source"]]))
            elif len(p["chars"] & indirect) >= 0.8 * len(p["chars"]):
                neutral += 1
            else:
                fp += 1
                if args.verbose:
                    s0 = min(s for s, _ in p["spans"])
                    print("FP %s: %r ... ctx=%r speaker=%r" % (name, p["q"]["text"][:80],
                                                              text[max(0, s0 - 80):s0 + 10],
                                                              (p["q"].get("speaker") or {}).get("text")))
        matched_g = set(m.values())
        for j, g in enumerate(golds):
            if j not in matched_g:
                fn += 1
                if args.verbose:
                    near = [p["q"]["text"][:60] for p in preds if p["chars"] & g["chars"]]
                    s0 = min(s for s, _ in g["spans"])
                    e0 = max(e for _, e in g["spans"])
                    print("FN %s: %r | pieces=%d near=%r" % (name, text[max(0, s0 - 40):min(e0, s0 + 120)],
                                                             len(g["spans"]), near))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"docs": len(names), "tp": tp, "fp": fp, "fn": fn, "neutral": neutral,
            "precision": prec, "recall": rec, "f1": f1,
            "speaker_accuracy": sp_ok / tp if tp else 0.0}


def seed(args):
    d = os.path.join(DATA, "seed")
    if not os.path.isdir(d):
        return None
    raw = open(os.path.join(d, "article.txt"), "rb").read()
    gold = json.load(open(os.path.join(d, "gold.json"), encoding="utf-8"))
    if args.tool:
        # The runtime's text parser strips the " date YYYY-MM-DD " header.
        text = raw.decode()
        i = text.index("date ") + len("date ")
        i = text.index(" ", i) + 1
        bodies = [text[i:]]
        outs = run(args, bodies)
        body = bodies[0]
    else:
        cmd = [args.wirestream, "process", "--without", "dedup"]
        if args.config:
            cmd += ["--config", args.config]
        cmd.append(os.path.join(d, "article.txt"))
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
            raise SystemExit("quotes_eval: seed run failed")
        rec = json.loads(p.stdout.decode().splitlines()[0])
        body = rec["body"]
        outs = [rec.get(args.name) or []]
    off = raw.decode().index(body)   # code points before the body
    # Gold quotes, with a cue-less piece joined to the quote before it.
    golds = []
    for q in gold["quotes"]:
        span = (q["start"] - off, q["end"] - off)
        if q["cue"] is None and golds and golds[-1]["speaker_name"] == q["speaker"]:
            golds[-1]["spans"].append(span)
        else:
            golds.append({"spans": [span], "speaker_name": q["speaker"], "text": q["text"]})
    for g in golds:
        g["chars"] = charset(body, g["spans"])
    preds = pred_quotes(body, outs[0])
    m = match(preds, golds)
    inv = {j: i for i, j in m.items()}
    missing, wrong = [], []
    for j, g in enumerate(golds):
        if j not in inv:
            missing.append(g["text"][:50])
        elif preds[inv[j]]["name"] != g["speaker_name"]:
            wrong.append((g["text"][:40], preds[inv[j]]["name"], g["speaker_name"]))
    split_ok = any(len(g["spans"]) > 1 and j in inv and len(preds[inv[j]]["spans"]) == len(g["spans"])
                   for j, g in enumerate(golds))
    extra = len(preds) - len(m)
    return {"gold": len(golds), "found": len(m), "missing": missing, "wrong_speaker": wrong,
            "extra": extra, "split_quote_ok": split_ok,
            "pass": not missing and not wrong and extra <= 1 and split_ok}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("WS_BUILD_DIR", os.path.join(ROOT, "build")),
                    help="build directory (default $WS_BUILD_DIR or build/)")
    ap.add_argument("--wirestream", help="the binary (default $WS_WIRESTREAM or BUILD/wirestream)")
    ap.add_argument("--config", help="config file for wirestream process")
    ap.add_argument("--tool", action="store_true", help="run the extractor alone (no entities)")
    ap.add_argument("--name", default="quotes", help="annotation name of the quotes entry")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every error")
    ap.add_argument("--min-f1", type=float, default=88.0)
    ap.add_argument("--min-speaker", type=float, default=90.0)
    ap.add_argument("--no-seed", action="store_true")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    if not args.wirestream:
        args.wirestream = os.environ.get("WS_WIRESTREAM") if "WS_WIRESTREAM" in os.environ and \
            "--build" not in sys.argv else os.path.join(args.build, "wirestream")
    exe = tool_path(args) if args.tool else args.wirestream
    if not os.access(exe, os.X_OK):
        print("quotes_eval: %s not built, skipping" % exe)
        return 77

    pn = polnear(args)
    sd = None if args.no_seed else seed(args)
    if pn is None and sd is None:
        print("quotes_eval: ../shared/data not found, skipping")
        return 77
    ok = True
    if pn:
        print("PolNeAR %s: %d docs  quotes P %.1f  R %.1f  F1 %.1f  (tp %d fp %d fn %d, %d neutral)  "
              "speaker accuracy %.1f%%" % (args.split, pn["docs"], 100 * pn["precision"], 100 * pn["recall"],
                                           100 * pn["f1"], pn["tp"], pn["fp"], pn["fn"], pn["neutral"],
                                           100 * pn["speaker_accuracy"]))
        ok &= 100 * pn["f1"] >= args.min_f1 and 100 * pn["speaker_accuracy"] >= args.min_speaker
    if sd:
        print("Seed: %d/%d gold quotes found, %d extra, split quote %s, missing %s, wrong speaker %s -> %s" % (
            sd["found"], sd["gold"], sd["extra"], "ok" if sd["split_quote_ok"] else "NOT one quote",
            sd["missing"], sd["wrong_speaker"], "PASS" if sd["pass"] else "FAIL"))
        ok &= sd["pass"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
