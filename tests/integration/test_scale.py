"""Scaling and faults, CI-sized (issue 8): three instances share eight
partitions; one is SIGKILLed while records are in flight and another joins.

  at_least_once: every input is in the output (duplicates allowed).
  exactly_once:  a read_committed reader sees every input exactly once.

The full-size run (20,000 articles) is scripts/fault-test.sh."""
import collections
import time
import os
import sys

import harness as h

PARTS = int(os.environ.get("WS_SCALE_PARTITIONS", "8"))
BACKLOG = int(os.environ.get("WS_SCALE_BACKLOG", "1500"))
PACED = int(os.environ.get("WS_SCALE_PACED", "1500"))
RATE = int(os.environ.get("WS_SCALE_RATE", "150"))
# The killed member leaves the group after its session times out (default 45 s).
FAST_EVICT = {"kafka.session.timeout.ms": "10000"}
BAD = 24


def test(mode):
    eos = mode == "exactly_once"
    n = h.names("scale-" + ("eos" if eos else "alo"))
    h.create_topic(n["in"], PARTS)
    arts = h.make_articles(BACKLOG + PACED, "sc" + ("e" if eos else "a"))
    ids = [a["id"] for a in arts]
    # Malformed inputs ride along: their DLQ records obey the same guarantee.
    backlog = [h.article_message(a) for a in arts[:BACKLOG]]
    for i in range(BAD):
        backlog.insert(i * len(backlog) // BAD, {"key": "bad-%d" % i, "value": '{"id": "bad-%d", "body": ' % i})
    h.produce(n["in"], backlog)

    # ws-a runs two worker threads (each owning whole partitions).
    inst = {name: h.wirestream(n, name=name, delivery=mode,
                               sets=dict(FAST_EVICT, **({h.KEY["workers"]: "2"} if name == "ws-a" else {})))
            for name in ("ws-a", "ws-b", "ws-c")}
    h.wait_until(lambda: len(h.consume(n["out"], values=False, read_committed=eos)) >= BACKLOG // 3, 180,
                 "%d outputs before the kill" % (BACKLOG // 3))
    for name, p in inst.items():
        h.check(p.alive(), "%s exited early (rc %s):\n%s" % (name, p.returncode(), p.tail()))
    # The paced part starts only now, so the kill lands mid-stream however
    # fast the backlog was drained (PACED / RATE seconds of traffic remain).
    prod = h.produce(n["in"], [h.article_message(a) for a in arts[BACKLOG:]], rate=RATE, background=True)
    time.sleep(1.0)
    # Input still arriving when the member dies is what makes the kill land
    # mid-stream; counting outputs afterwards races the survivors.
    paced_running = prod.alive()
    inst["ws-b"].kill9()
    offs = h.offsets(n["group"], n["in"])
    at_kill = len(set(h.keys_of(h.consume(n["out"], values=False, read_committed=eos))))
    h.log("SIGKILL ws-b with %d of %d inputs output; committed %d of %d input offsets" % (
        at_kill, len(ids), h.sum_committed(offs), h.sum_high(offs)))
    h.check(paced_running, "the paced producer had finished before the kill: nothing in flight (%s)" % prod.tail())
    inst["ws-d"] = h.wirestream(n, name="ws-d", delivery=mode, sets=FAST_EVICT)

    rc = prod.wait(300)
    h.check(rc == 0, "the paced producer failed: %s" % prod.tail())
    h.wait_for_keys(n["out"], ids, 300, read_committed=eos)
    h.wait_until(lambda: all(c == hi for c, _, hi in h.offsets(n["group"], n["in"]).values()), 90,
                 "committed offsets to reach the end of the input")
    for name in ("ws-a", "ws-c", "ws-d"):
        inst[name].signal(h.signal.SIGTERM)
    for name in ("ws-a", "ws-c", "ws-d"):
        rc = inst[name].wait(60)
        h.check(rc == 0, "%s exited %s after SIGTERM; log tail:\n%s" % (name, rc, inst[name].tail()))

    out = h.consume(n["out"], values=False, read_committed=eos)
    c = collections.Counter(h.keys_of(out))
    missing = set(ids) - set(c)
    extra = set(c) - set(ids)
    dup = {k: v for k, v in c.items() if v > 1}
    h.log("%s: %d outputs for %d inputs, %d duplicated ids" % (mode, len(out), len(ids), len(dup)))
    h.check(not missing, "%d inputs lost (e.g. %s)" % (len(missing), sorted(missing)[:5]))
    h.check(not extra, "output has keys never input: %s" % sorted(extra)[:5])
    if eos:
        h.check(not dup, "exactly_once: %d inputs seen more than once by a read_committed reader, e.g. %s" % (
            len(dup), sorted(dup.items())[:5]))
    dlq = h.consume(n["dlq"], values=False, read_committed=eos)
    dk = collections.Counter(h.keys_of(dlq))
    bad = {"bad-%d" % i for i in range(BAD)}
    h.check(set(dk) == bad, "DLQ should hold exactly the %d malformed inputs; missing %s, unexpected %s" % (
        BAD, sorted(bad - set(dk))[:5], sorted(set(dk) - bad)[:5]))
    if eos:
        h.check(all(v == 1 for v in dk.values()), "exactly_once: DLQ records seen more than once: %s" % (
            sorted(k for k, v in dk.items() if v > 1)[:5]))


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "at_least_once"
    h.main(test, mode)
