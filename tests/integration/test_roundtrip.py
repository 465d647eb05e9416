"""1,000 articles in -> exactly the expected 1,000 enriched records out.

Also checks what the runtime promises about each record: the key is the
article id, input headers are carried over, the kafka{} block names the
source, body and metadata are passed through unchanged, every record
validates against docs/record.schema.json, and nothing lands in the DLQ."""
import collections

import harness as h

N = 1000


def test():
    n = h.names("roundtrip")
    h.create_topic(n["in"], 4)
    arts = h.make_articles(N, "rt")
    by_id = {a["id"]: a for a in arts}
    msgs = []
    for i, a in enumerate(arts):
        hdrs = [("trace-id", "t-%d" % i), ("origin", "wire")] if i % 10 == 0 else None
        msgs.append(h.article_message(a, hdrs))
    h.produce(n["in"], msgs)
    src = {m.key.decode(): m for m in h.consume(n["in"], values=False)}
    h.check(len(src) == N, "input topic holds %d distinct keys, expected %d" % (len(src), N))

    ws = h.wirestream(n)
    h.wait_for_keys(n["out"], by_id, 180, proc=ws)
    # Settle: a straggling duplicate would show up after the last new id.
    h.wait_until(lambda: _committed_all(n), 60, "committed offsets to reach the end of the input")
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream exited %s after SIGTERM, expected 0; log tail:\n%s" % (rc, ws.tail()))

    out = h.consume(n["out"])
    ids = [m.key.decode() if m.key else None for m in out]
    dup = [k for k, c in collections.Counter(ids).items() if c > 1]
    h.check(len(out) == N, "output has %d records for %d inputs (duplicates e.g. %s)" % (len(out), N, dup[:5]))
    h.check(set(ids) == set(by_id), "output keys differ from input ids: missing %s, unexpected %s" % (
        sorted(set(by_id) - set(ids))[:5], sorted(set(ids) - set(by_id))[:5]))
    recs = []
    for m in out:
        r = m.json()
        recs.append(r)
        a = by_id[m.key.decode()]
        h.check(r.get("id") == a["id"], "record key %s carries id %r" % (a["id"], r.get("id")))
        for f in ("title", "url", "source", "date", "body"):
            h.check(r.get(f) == a[f], "%s: field %s changed: %r != %r" % (a["id"], f, r.get(f), a[f]))
        k = r.get("kafka") or {}
        s = src[a["id"]]
        h.check(k.get("topic") == n["in"] and k.get("partition") == s.partition and k.get("offset") == s.offset,
                "%s: kafka block %r does not name %s/%d@%d" % (a["id"], k, n["in"], s.partition, s.offset))
        want_h = [x for x in s.headers]
        for hk, hv in want_h:
            h.check(m.header(hk) == hv, "%s: input header %s=%r not carried to the output (got %r)" % (
                a["id"], hk, hv, m.header(hk)))
    h.validate_records(recs, h.schema_validator())
    dlq = h.consume(n["dlq"], values=False)
    h.check(not dlq, "%d well-formed articles went to the DLQ, e.g. reason %r" % (
        len(dlq), dlq[0].header("ws.error") if dlq else None))


def _committed_all(n):
    o = h.offsets(n["group"], n["in"])
    return all(c == hi for c, _, hi in o.values())


if __name__ == "__main__":
    h.main(test)
