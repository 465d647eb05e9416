"""Backpressure (issue 8): with a tiny producer queue and a long linger the
queue fills; wirestream pauses its input, resumes when the queue drains
(both logged), drops nothing, and commits the whole input."""
import collections

import harness as h

N = 2000


def test():
    n = h.names("backpressure")
    h.create_topic(n["in"], 4)
    arts = h.make_articles(N, "bp")
    h.produce(n["in"], [h.article_message(a) for a in arts])
    ws = h.wirestream(n, sets={"kafka.queue.buffering.max.messages": "50", "kafka.linger.ms": "100"})
    out = h.wait_for_keys(n["out"], [a["id"] for a in arts], 240, proc=ws)
    h.wait_until(lambda: all(c == hi for c, _, hi in h.offsets(n["group"], n["in"]).values()), 60,
                 "committed offsets to reach the end of the input")
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))
    msgs = [l.get("msg") for l in h.log_lines(ws)]
    on, off = msgs.count("backpressure on"), msgs.count("backpressure off")
    h.log("backpressure on %d times, off %d times" % (on, off))
    h.check(on >= 1, "a 50-message producer queue never triggered a 'backpressure on' event")
    h.check(off == on, "backpressure turned on %d times but off %d times" % (on, off))
    c = collections.Counter(h.keys_of(out))
    h.check(len(out) == N and set(c) == {a["id"] for a in arts},
            "under backpressure %d outputs for %d inputs (lost or duplicated)" % (len(out), N))


if __name__ == "__main__":
    h.main(test)
