"""Broker outage: the broker is stopped (kill -9) for ~20 s mid-stream and
restarted on the same data; wirestream keeps running, resumes, and loses
nothing.  Uses the run's own broker when scripts/test.sh owns it, else a
private one, never the developers' shared broker."""
import collections
import os
import time

import harness as h

BACKLOG = int(os.environ.get("WS_OUTAGE_BACKLOG", "1000"))
PACED = int(os.environ.get("WS_OUTAGE_PACED", "1500"))
RATE = int(os.environ.get("WS_OUTAGE_RATE", "50"))
OUTAGE_S = int(os.environ.get("WS_OUTAGE_SECONDS", "20"))


def test():
    broker = h.own_broker()
    if broker is None:
        broker = h.PrivateBroker()
        broker.start()
    b = broker.bootstrap
    n = h.names("outage")
    h.create_topic(n["in"], 4, brokers=b)
    arts = h.make_articles(BACKLOG + PACED, "ou")
    ids = [a["id"] for a in arts]
    h.produce(n["in"], [h.article_message(a) for a in arts[:BACKLOG]], brokers=b)
    prod = h.produce(n["in"], [h.article_message(a) for a in arts[BACKLOG:]], rate=RATE, brokers=b,
                     background=True)
    ws = h.wirestream(n, brokers=b)
    h.wait_until(lambda: len(h.consume(n["out"], values=False, brokers=b)) >= 300, 120,
                 "300 outputs before the outage")
    try:
        broker.stop_keep_data()
        h.check(not broker.answers(), "the broker at %s still answers after being stopped" % b)
        h.log("broker down for %d s" % OUTAGE_S)
        cpu0, t0 = cpu_seconds(ws), time.time()
        time.sleep(OUTAGE_S)
        cpu = cpu_seconds(ws) - cpu0
        h.check(ws.alive(), "wirestream exited (rc %s) during the broker outage:\n%s" % (ws.returncode(),
                                                                                         ws.tail()))
    finally:
        broker.start_keep_data()
    h.log("wirestream used %.1f s CPU during the %.0f s outage" % (cpu, time.time() - t0))
    h.check(cpu < 0.5 * OUTAGE_S, "wirestream burned %.1f s of CPU in a %d s outage: it spins instead of "
            "waiting" % (cpu, OUTAGE_S))
    rc = prod.wait(300)
    h.check(rc == 0, "the paced producer failed across the outage: %s" % prod.tail())
    out = h.wait_for_keys(n["out"], ids, 240, brokers=b, proc=ws)
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))
    c = collections.Counter(h.keys_of(out))
    h.log("%d outputs for %d inputs, %d duplicated ids (allowed)" % (len(out), len(ids),
                                                                     sum(1 for v in c.values() if v > 1)))
    h.check(set(c) == set(ids), "output has keys never input: %s" % sorted(set(c) - set(ids))[:5])
    dlq = h.consume(n["dlq"], values=False, brokers=b)
    h.check(not dlq, "%d articles went to the DLQ during the outage (reason %r)" % (
        len(dlq), dlq[0].header("ws.error") if dlq else None))


def cpu_seconds(proc):
    """user+system CPU time of a live process, from /proc."""
    with open("/proc/%d/stat" % proc.popen.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    h.main(test)
