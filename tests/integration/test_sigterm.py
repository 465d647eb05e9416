"""SIGTERM mid-stream: exit 0 within a bounded time, no loss, and the
committed offsets equal the end of what was processed, so a restart neither
loses nor repeats anything.  Once the input is drained, the committed
offsets equal the end of the input."""
import collections
import time

import harness as h

BACKLOG, PACED, RATE = 1000, 2000, 200
STOP_BOUND = 45  # s; shutdown_timeout_ms defaults to 30 s


def test():
    n = h.names("sigterm")
    h.create_topic(n["in"], 4)
    arts = h.make_articles(BACKLOG + PACED, "st")
    ids = [a["id"] for a in arts]
    prod = h.produce_backlog_then_paced(n["in"], arts, BACKLOG, RATE)

    ws = h.wirestream(n, name="ws-first")
    h.wait_until(lambda: len(h.consume(n["out"], values=False)) >= 500, 120, "500 outputs before SIGTERM")
    h.check(prod.alive(), "the producer finished before SIGTERM: not mid-stream")
    t0 = time.time()
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(STOP_BOUND)
    h.log("SIGTERM -> exit %s in %.1f s" % (rc, time.time() - t0))
    h.check(rc == 0, "wirestream exited %s after SIGTERM, expected 0; log tail:\n%s" % (rc, ws.tail()))

    offs = h.offsets(n["group"], n["in"])
    out = h.consume(n["out"])
    done = collections.defaultdict(lambda: -1)
    for m in out:
        k = m.json().get("kafka") or {}
        h.check(k.get("topic") == n["in"], "output record %s has no kafka block naming the input" % m.key)
        done[k["partition"]] = max(done[k["partition"]], k["offset"])
    src = h.consume(n["in"], values=False)
    have = set(h.keys_of(out))
    for p, (c, _, hi) in sorted(offs.items()):
        want = done[p] + 1
        h.check(c == want or (want == 0 and c == -1),
                "partition %d: committed %d after SIGTERM, but the last processed offset is %d "
                "(committed must equal the end of what was processed)" % (p, c, done[p]))
        lost = [m.key.decode() for m in src if m.partition == p and m.offset < c and m.key.decode() not in have]
        h.check(not lost, "partition %d: inputs below the committed offset have no output: %s" % (p, lost[:5]))
    h.check(h.sum_committed(offs) < len(ids), "SIGTERM came after the whole input was processed")

    rc = prod.wait(300)
    h.check(rc == 0, "the paced producer failed: %s" % prod.tail())
    ws2 = h.wirestream(n, name="ws-restart")
    out = h.wait_for_keys(n["out"], ids, 240, proc=ws2)
    h.wait_until(lambda: all(c == hi for c, _, hi in h.offsets(n["group"], n["in"]).values()), 60,
                 "committed offsets to reach the end of the input")
    ws2.signal(h.signal.SIGTERM)
    rc = ws2.wait(STOP_BOUND)
    h.check(rc == 0, "restarted wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws2.tail()))
    offs = h.offsets(n["group"], n["in"])
    h.check(all(c == hi for c, _, hi in offs.values()),
            "committed offsets %s differ from the end of the input" % offs)
    out = h.consume(n["out"], values=False)
    c = collections.Counter(h.keys_of(out))
    dup = [k for k, v in c.items() if v > 1]
    h.check(set(c) == set(ids), "missing outputs after restart: %s" % sorted(set(ids) - set(c))[:5])
    h.check(not dup, "%d inputs were output twice across a clean SIGTERM + restart (e.g. %s): the drain "
            "committed less than it produced" % (len(dup), dup[:5]))


if __name__ == "__main__":
    h.main(test)
