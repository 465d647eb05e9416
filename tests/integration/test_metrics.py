"""Metrics from the logs (issue 7): a backlog is loaded before wirestream
starts; the metrics lines of the run show lag above 0 while it drains and 0
once drained, and the counters equal what was produced and consumed, with the
DLQ count (by reason) equal to the malformed inputs.  One partition stays
empty, and a restarted instance with nothing new to read reports every
partition's lag as known and 0 (lag of partitions not read yet counts from
the committed offset)."""
import harness as h

GOOD = 4000
PARTS = 4
BAD = {  # reason -> messages
    "invalid_json": [b'{"id": "m-j%d", "body": ' % i for i in range(5)],
    "invalid_utf8": [b'{"id": "m-u%d", "body": "bad \xff\xfe bytes"}' % i for i in range(5)],
    "empty_body": [b'{"id": "m-e%d", "title": "t", "body": ""}' % i for i in range(5)],
}


def test():
    n = h.names("metrics")
    h.create_topic(n["in"], PARTS + 1)   # the last one stays empty
    arts = h.make_articles(GOOD, "mx")
    msgs = [h.article_message(a) for a in arts]
    nbad = 0
    for reason, vals in BAD.items():
        for i, v in enumerate(vals):
            msgs.insert(len(msgs) * (i + 1) // (len(vals) + 1), {"key": "bad-%s-%d" % (reason, i), "value": v})
            nbad += 1
    total = len(msgs)
    for i, m in enumerate(msgs):
        m["partition"] = i % PARTS
    h.produce(n["in"], msgs)
    value_bytes = sum(len(m["value"] if isinstance(m["value"], bytes) else m["value"].encode()) for m in msgs)

    port = h.free_port()
    ws = h.wirestream(n, metrics_ms=100, sets={"metrics.http_port": str(port)})
    h.wait_for_keys(n["out"], [a["id"] for a in arts], 240, proc=ws)
    # The optional HTTP endpoint: /healthz for the container, /metrics for Prometheus.
    code, body = http_get(port, "/healthz")
    h.check(code == 200, "/healthz answered %s while the consumer runs: %r" % (code, body[:200]))
    code, body = http_get(port, "/metrics")
    h.check(code == 200 and b"lag_total" in body, "/metrics answered %s without a lag_total series: %r" % (
        code, body[:300]))
    # lag_total counts only partitions whose lag is known: wait until none is unknown.
    h.wait_until(lambda: any(l.get("in_msgs") == total and l.get("lag_total") == 0 and l.get("partitions")
                             and not l.get("lag_unknown") for l in h.metrics_lines(ws)), 60,
                 "a metrics line with in_msgs=%d, lag_total=0 and lag_unknown=0" % total)
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))

    lines = h.metrics_lines(ws)
    h.check(len(lines) >= 3, "only %d metrics lines on stderr with a 100 ms interval" % len(lines))
    for l in lines:
        for f in ("ts", "level", "component"):
            h.check(f in l, "metrics line lacks %r: %s" % (f, l))
    draining = [i for i, l in enumerate(lines) if (l.get("lag_total") or 0) > 0]
    h.check(draining, "no metrics line showed lag_total > 0 while the backlog of %d was drained "
            "(lag_total values: %s)" % (total, [l.get("lag_total") for l in lines][:20]))
    first = lines[draining[0]]
    h.check(isinstance(first.get("lag"), dict) and sum(first["lag"].values()) == first["lag_total"],
            "per-partition lag %r does not add up to lag_total %r" % (first.get("lag"), first.get("lag_total")))
    drained = [l for l in lines[draining[0]:] if l.get("lag_total") == 0 and l.get("partitions")
               and not l.get("lag_unknown")]
    h.check(drained, "lag never returned to 0 for all assigned partitions after draining")

    final = lines[-1]
    h.check(final.get("final") is True, "the last metrics line is not the final one: %s" % final)
    h.check(final.get("lag_total") == 0, "final lag_total %r, expected 0" % final.get("lag_total"))
    h.check(final.get("in_msgs") == total, "in_msgs %r, expected %d consumed" % (final.get("in_msgs"), total))
    h.check(final.get("out_msgs") == GOOD, "out_msgs %r, expected %d enriched records" % (
        final.get("out_msgs"), GOOD))
    h.check(final.get("dlq_total") == nbad, "dlq_total %r, expected %d malformed" % (final.get("dlq_total"), nbad))
    want = {r: len(v) for r, v in BAD.items()}
    h.check(final.get("dlq_by_reason") == want, "dlq_by_reason %r, expected %r" % (
        final.get("dlq_by_reason"), want))
    h.check(final.get("dropped_total") == 0, "dropped_total %r for distinct articles" % final.get("dropped_total"))
    h.check((final.get("in_bytes") or 0) >= value_bytes,
            "in_bytes %r is below the %d value bytes consumed" % (final.get("in_bytes"), value_bytes))
    pl = final.get("pipeline") or {}
    h.check(pl, "final metrics line has no per-entry pipeline counters")
    for name, e in pl.items():
        h.check(e.get("in") == GOOD, "pipeline entry %s: in=%r, expected %d" % (name, e.get("in"), GOOD))
        h.check(e.get("errors") == 0, "pipeline entry %s: errors=%r" % (name, e.get("errors")))
        h.check((e.get("p99_us") or 0) >= (e.get("p50_us") or 0), "pipeline entry %s: p99 < p50" % name)
    out = h.consume(n["out"], values=False)
    dlq = h.consume(n["dlq"], values=False)
    h.check(len(out) == GOOD and len(dlq) == nbad, "topics hold %d outputs and %d DLQ records, expected %d/%d" % (
        len(out), len(dlq), GOOD, nbad))

    # Restart with nothing new: no partition has a position, yet the lag of
    # every one (the empty one too) is known and 0.
    ws2 = h.wirestream(n, name="ws-idle", metrics_ms=100)
    h.wait_until(lambda: any(l.get("partitions") == PARTS + 1 and not l.get("lag_unknown")
                             and l.get("lag_total") == 0 for l in h.metrics_lines(ws2)), 60,
                 "an idle restarted instance to report all %d partitions with known lag 0 (last: %s)" % (
                     PARTS + 1, (h.metrics_lines(ws2) or [{}])[-1]))
    ws2.signal(h.signal.SIGTERM)
    h.check(ws2.wait(60) == 0, "the idle instance did not exit 0 after SIGTERM:\n%s" % ws2.tail())


def http_get(port, path):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return None, str(e).encode()


if __name__ == "__main__":
    h.main(test)
