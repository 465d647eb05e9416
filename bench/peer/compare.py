#!/usr/bin/env python3
"""compare.py -- agreement between wirestream's records and the Python peer's.

    compare.py WIRESTREAM.jsonl PEER.jsonl [--label NAME]

Both files hold one record per article with the same ids and bodies (the
peer annotated wirestream's own bodies: peer.py annotate).  Offsets are
UTF-8 byte offsets into the body in both.

Entities: a mention agrees when both have the same [start, end) and type.
Printed per type (PERSON, ORG, GPE, and all types either side emits):
wirestream's mentions the peer also has, the peer's that wirestream also
has, and their overlap |both| / |either| (Jaccard).  "span only" ignores
the type.

Quotes: compared piece by piece (wirestream's split quotes have several
spans; textacy gives one span per piece); two pieces match when their
overlap covers >= 80% of each (quote marks are excluded on both sides).
"Found by both" is matched / (wirestream's + peer's - matched).  Speaker
agreement: on matched pieces where both name a speaker, the speaker spans
overlap.  stdlib only."""
import argparse
import json
import sys
from collections import Counter

MAIN = ("PERSON", "ORG", "GPE")


def load(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out[r["id"]] = r
    return out


def overlap(a, b):
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def pieces(rec, is_ws):
    out = []
    for q in rec.get("quotes") or []:
        sp = q.get("speaker")
        spk = (sp["start"], sp["end"]) if sp else None
        spans = q.get("spans") if is_ws else None
        for s in spans or [[q["start"], q["end"]]]:
            if s[1] > s[0]:
                out.append(((s[0], s[1]), spk))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ws")
    ap.add_argument("peer")
    ap.add_argument("--label", default="")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    ws, py = load(a.ws), load(a.peer)
    ids = [i for i in ws if i in py]
    if not ids:
        print("compare: no common ids", file=sys.stderr)
        return 1
    both, only_ws, only_py = Counter(), Counter(), Counter()
    sboth = sws = spy = 0
    qm = qws = qpy = 0
    spk_both = spk_agree = 0
    for i in ids:
        w = {(e["start"], e["end"], e["type"]) for e in ws[i].get("entities") or []}
        p = {(e["start"], e["end"], e["type"]) for e in py[i].get("entities") or []}
        for t in w | p:
            k = t[2]
            if t in w and t in p:
                both[k] += 1
            elif t in w:
                only_ws[k] += 1
            else:
                only_py[k] += 1
        ws_sp = {(s, e) for s, e, _ in w}
        py_sp = {(s, e) for s, e, _ in p}
        sboth += len(ws_sp & py_sp)
        sws += len(ws_sp)
        spy += len(py_sp)
        wq, pq = pieces(ws[i], True), pieces(py[i], False)
        used = set()
        for (ws_span, ws_spk) in wq:
            for j, (py_span, py_spk) in enumerate(pq):
                if j in used:
                    continue
                o = overlap(ws_span, py_span)
                if o >= 0.8 * (ws_span[1] - ws_span[0]) and o >= 0.8 * (py_span[1] - py_span[0]):
                    used.add(j)
                    qm += 1
                    if ws_spk and py_spk:
                        spk_both += 1
                        spk_agree += overlap(ws_spk, py_spk) > 0
                    break
        qws += len(wq)
        qpy += len(pq)

    def row(name, b, ow, op):
        nw, npy = b + ow, b + op
        return {"type": name, "wirestream": nw, "peer": npy, "both": b,
                "ws_found_by_peer": b / nw if nw else None,
                "peer_found_by_ws": b / npy if npy else None,
                "overlap": b / (b + ow + op) if b + ow + op else None}
    rows = [row(t, both[t], only_ws[t], only_py[t]) for t in MAIN]
    rows.append(row("all types", sum(both.values()), sum(only_ws.values()), sum(only_py.values())))
    res = {"label": a.label, "articles": len(ids), "entities": rows,
           "entities_span_only": {"wirestream": sws, "peer": spy, "both": sboth,
                                  "overlap": sboth / (sws + spy - sboth) if sws + spy - sboth else None},
           "quotes": {"wirestream_pieces": qws, "peer_pieces": qpy, "matched": qm,
                      "found_by_both": qm / (qws + qpy - qm) if qws + qpy - qm else None,
                      "ws_found_by_peer": qm / qws if qws else None,
                      "peer_found_by_ws": qm / qpy if qpy else None,
                      "speaker_agree": spk_agree / spk_both if spk_both else None,
                      "speaker_pairs": spk_both},
           "types_only_one_side_emits": sorted(set(k for k in only_ws if not both[k] and not only_py[k]) |
                                               set(k for k in only_py if not both[k] and not only_ws[k]))}
    if a.json:
        print(json.dumps(res))
        return 0
    f = lambda x: "-" if x is None else "%.3f" % x
    print("agreement %s: %d articles" % (a.label, len(ids)))
    print("  entities (exact span + type)   wirestream   peer   both  ws-in-peer  peer-in-ws  overlap")
    for r in rows:
        print("    %-12s %19d %6d %6d %11s %11s %8s" % (r["type"], r["wirestream"], r["peer"], r["both"],
                                                     f(r["ws_found_by_peer"]), f(r["peer_found_by_ws"]),
                                                     f(r["overlap"])))
    s = res["entities_span_only"]
    print("    %-12s %19d %6d %6d %31s" % ("span only", s["wirestream"], s["peer"], s["both"], f(s["overlap"])))
    q = res["quotes"]
    print("  quote pieces: wirestream %d, peer %d, matched %d; found by both %s "
          "(ws-in-peer %s, peer-in-ws %s); speaker agrees on %s of %d matched pairs"
          % (q["wirestream_pieces"], q["peer_pieces"], q["matched"], f(q["found_by_both"]),
             f(q["ws_found_by_peer"]), f(q["peer_found_by_ws"]), f(q["speaker_agree"]), q["speaker_pairs"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
