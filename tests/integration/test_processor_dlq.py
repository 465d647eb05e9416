"""Processor errors and drops in the Kafka path: a record a processor fails
on goes to the DLQ with ws.error=processor_error and ws.processor naming the
entry, with its original bytes; a deliberate drop reaches neither topic but
still lets its offset be committed; everything else flows on.  Driven by a
test-only plugin (tools/ws_test_guard.c) loaded by path."""
import harness as h

GOOD, FAIL, DROP = 60, 5, 5


def test():
    guard = h.built_plugin("tests/plugins/test_guard.so")
    wc = h.built_plugin("plugins/wordcount.so")
    cfg = h.write_config("procdlq", {"pipeline": [{"name": "wordcount", "path": wc},
                                                  {"name": "guard", "path": guard}]})
    n = h.names("procdlq")
    h.create_topic(n["in"], 2)
    arts = h.make_articles(GOOD + FAIL + DROP, "pd")
    fail = arts[GOOD:GOOD + FAIL]
    drop = arts[GOOD + FAIL:]
    for a in fail:
        a["body"] = a["body"].replace(".", ". WS-TEST-FAIL", 1)
    for a in drop:
        a["body"] = a["body"].replace(".", ". WS-TEST-DROP", 1)
    msgs = [h.article_message(a) for a in arts]
    h.produce(n["in"], msgs)
    src = {m.key.decode(): m for m in h.consume(n["in"])}

    ws = h.wirestream(n, config=cfg, metrics_ms=200)
    h.wait_for_keys(n["out"], [a["id"] for a in arts[:GOOD]], 120, proc=ws)
    h.wait_until(lambda: len(h.consume(n["dlq"], values=False)) >= FAIL, 60, "%d DLQ records" % FAIL)
    h.wait_until(lambda: all(c == hi for c, _, hi in h.offsets(n["group"], n["in"]).values()), 60,
                 "committed offsets to reach the end of the input (drops and errors must not block commits)")
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))

    out_keys = h.keys_of(h.consume(n["out"], values=False))
    h.check(sorted(out_keys) == sorted(a["id"] for a in arts[:GOOD]),
            "output should hold exactly the %d clean articles; unexpected: %s" % (
                GOOD, sorted(set(out_keys) - set(a["id"] for a in arts[:GOOD]))[:5]))
    dlq = h.consume(n["dlq"])
    h.check(len(dlq) == FAIL, "DLQ holds %d records, expected %d processor errors (drops must not go there)"
            % (len(dlq), FAIL))
    for dm in dlq:
        p, o = int(dm.header("ws.source.partition")), int(dm.header("ws.source.offset"))
        orig = [m for m in src.values() if m.partition == p and m.offset == o]
        h.check(orig and orig[0].key.decode() in {a["id"] for a in fail},
                "DLQ record points at %d@%d, which is not a failing input" % (p, o))
        h.check(dm.value == orig[0].value, "DLQ value differs from the original message bytes")
        h.check(dm.header("ws.error") == "processor_error", "ws.error=%r, expected processor_error" %
                dm.header("ws.error"))
        h.check(dm.header("ws.processor") == "guard", "ws.processor=%r, expected the entry name 'guard'" %
                dm.header("ws.processor"))
        h.check("fail marker" in (dm.header("ws.error.message") or ""),
                "ws.error.message %r does not carry the processor's text" % dm.header("ws.error.message"))
        h.check(dm.header("ws.source.topic") == n["in"], "ws.source.topic=%r" % dm.header("ws.source.topic"))
    final = h.metrics_lines(ws)[-1]
    h.check(final.get("dropped_total") == DROP, "metrics dropped_total %r, expected %d" % (
        final.get("dropped_total"), DROP))
    h.check(final.get("dlq_total") == FAIL, "metrics dlq_total %r, expected %d" % (final.get("dlq_total"), FAIL))
    g = (final.get("pipeline") or {}).get("guard") or {}
    h.check(g.get("errors") == FAIL and g.get("dropped") == DROP,
            "entry counters for guard %r: expected errors=%d dropped=%d" % (g, FAIL, DROP))


if __name__ == "__main__":
    h.main(test)
