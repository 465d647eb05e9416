"""kill -9 while records are in flight, then restart: every input has its
output.  Duplicates are allowed (at-least-once), losses are not.

Articles keep arriving from a paced producer, so at the kill the committed
offsets must lie below the end of the input: the restart really resumes
from an uncommitted position."""
import collections

import harness as h

BACKLOG, PACED, RATE = 1500, 1500, 150
# The killed member holds its partitions until its session times out (default 45 s).
FAST_EVICT = {"kafka.session.timeout.ms": "10000"}


def test():
    n = h.names("kill9")
    h.create_topic(n["in"], 4)
    arts = h.make_articles(BACKLOG + PACED, "k9")
    ids = [a["id"] for a in arts]
    prod = h.produce_backlog_then_paced(n["in"], arts, BACKLOG, RATE)

    ws = h.wirestream(n, name="ws-first", sets=FAST_EVICT)
    h.wait_until(lambda: len(h.consume(n["out"], values=False)) >= 300, 120,
                 "300 output records before the kill")
    ws.kill9()
    offs = h.offsets(n["group"], n["in"])
    out_at_kill = len(h.consume(n["out"], values=False))
    h.log("at kill -9: committed %d, input end %d, outputs %d" % (h.sum_committed(offs), h.sum_high(offs),
                                                                   out_at_kill))
    h.check(h.sum_committed(offs) < h.sum_high(offs),
            "committed offsets (%d) are not below the end of the input (%d) at the kill: nothing was in "
            "flight, so the test proves nothing" % (h.sum_committed(offs), h.sum_high(offs)))

    ws2 = h.wirestream(n, name="ws-restart", sets=FAST_EVICT)
    rc = prod.wait(300)
    h.check(rc == 0, "the paced producer failed: %s" % prod.tail())
    out = h.wait_for_keys(n["out"], ids, 240, proc=ws2)
    ws2.signal(h.signal.SIGTERM)
    rc = ws2.wait(60)
    h.check(rc == 0, "restarted wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws2.tail()))
    c = collections.Counter(h.keys_of(out))
    h.log("outputs %d for %d inputs; %d duplicated ids (allowed)" % (sum(c.values()), len(ids),
                                                                     sum(1 for v in c.values() if v > 1)))
    h.check(set(c) == set(ids), "output has keys that were never input: %s" % sorted(set(c) - set(ids))[:5])
    offs = h.offsets(n["group"], n["in"])
    h.check(all(cm == hi for cm, _, hi in offs.values()),
            "after a clean stop the committed offsets %s differ from the input end" % offs)
    dlq = h.consume(n["dlq"], values=False)
    h.check(not dlq, "%d well-formed articles went to the DLQ" % len(dlq))


if __name__ == "__main__":
    h.main(test)
