"""A processor that never returns (issue 10: no hangs).

A test plugin sleeps for an hour on one marked record.  The time budget is
checked between entries, so the stuck-record guard must act: with
at-least-once it dead-letters the record (ws.error=timeout, ws.processor
naming the entry), commits past it and exits with status 1 so the
orchestrator restarts the instance.  The restarted instance must not meet
the record again, and every other input must reach the output.

Run with workers=1 (the main thread is the stuck one) and workers=2 (a
worker thread is)."""
import json
import sys
import time

import harness as h

BUDGET_MS = 1000          # the guard acts at 10x the budget, at least 10 s
HOUR_MS = 3600 * 1000


def stall_config():
    return h.write_config("stall", {
        "limits": {"record_timeout_ms": BUDGET_MS},
        "pipeline": [{"name": "hangs", "path": h.built_plugin("tests/plugins/slow.so"), "sleep_ms": HOUR_MS}],
    })


def test(workers):
    cfg = stall_config()
    n = h.names("stall-w%s" % workers)
    h.create_topic(n["in"], 2)
    good = h.make_articles(40, "stall%s" % workers)
    stuck = {"key": "stuck-1", "value": json.dumps({"id": "stuck-1", "body": "A WS-SLOW record."}),
             "headers": [("producer", "stall-test")]}
    msgs = [h.article_message(a) for a in good[:20]] + [stuck] + [h.article_message(a) for a in good[20:]]
    h.produce(n["in"], msgs)
    # The killed member leaves the group after its session times out.
    sets = {h.KEY["workers"]: str(workers), "kafka.session.timeout.ms": "6000"}

    t0 = time.time()
    ws = h.wirestream(n, name="ws-stuck", config=cfg, sets=sets)
    rc = ws.wait(120)
    took = time.time() - t0
    h.check(rc is not None, "wirestream still running 120 s after a record got stuck: it hangs")
    h.check(rc == 1, "wirestream exited %s, expected 1 after a stuck record; log tail:\n%s" % (rc, ws.tail()))
    h.check(took >= 9, "wirestream exited after %.1f s, before the 10 s stall threshold" % took)
    log = ws.stderr().decode(errors="replace")
    h.check("record stuck" in log and "hangs" in log,
            "no 'record stuck' event naming the entry in the log:\n%s" % ws.tail())

    dlq = h.consume(n["dlq"])
    h.check([d.key for d in dlq] == [b"stuck-1"], "DLQ should hold exactly the stuck record, has %s" % (
        [d.key for d in dlq]))
    d = dlq[0]
    h.check(d.header("ws.error") == "timeout", "ws.error=%r, expected 'timeout'" % d.header("ws.error"))
    h.check(d.header("ws.processor") == "hangs", "ws.processor=%r, expected the entry name 'hangs'" % (
        d.header("ws.processor")))
    h.check(d.value == stuck["value"].encode(), "the DLQ value is not the original bytes")
    h.check(d.header("producer") == "stall-test", "input headers not carried over to the DLQ record")

    # The restarted instance moves past the record and finishes the rest.
    ws2 = h.wirestream(n, name="ws-restarted", config=cfg, sets=sets)
    h.wait_for_keys(n["out"], [a["id"] for a in good], 120, proc=ws2)
    h.wait_until(lambda: all(c == hi for c, _, hi in h.offsets(n["group"], n["in"]).values()), 60,
                 "committed offsets to reach the end of the input")
    ws2.signal(h.signal.SIGTERM)
    rc = ws2.wait(60)
    h.check(rc == 0, "the restarted wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws2.tail()))
    h.check("record stuck" not in ws2.stderr().decode(errors="replace"),
            "the restarted instance met the stuck record again")
    out_keys = [m.key for m in h.consume(n["out"], values=False)]
    h.check(b"stuck-1" not in out_keys, "the stuck record also reached the output")
    h.check(len(h.consume(n["dlq"], values=False)) == 1, "the DLQ grew after the restart")


if __name__ == "__main__":
    h.main(test, int(sys.argv[1]) if len(sys.argv) > 1 else 1)
