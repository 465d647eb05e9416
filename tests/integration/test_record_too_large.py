"""An enriched record the broker refuses as too large (the output topic's
max.message.bytes) goes to the DLQ with ws.error=record_too_large and the
original bytes; it never blocks commits, and the records around it flow."""
import random
import string

import harness as h

SMALL, BIG, TOPIC_MAX = 40, 4, 6000


def big_body(rng):
    # Random letters: lz4 cannot shrink them under the topic limit.
    words = ("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
             for _ in range(5000))
    return " ".join(words) + ".\n"


def test():
    n = h.names("toolarge")
    h.create_topic(n["in"], 2)
    h.create_topic(n["out"], 2, **{"max.message.bytes": str(TOPIC_MAX)})
    arts = h.make_articles(SMALL + BIG, "tl")
    rng = random.Random(7)
    big = arts[SMALL:]
    for a in big:
        a["body"] = big_body(rng)
    h.produce(n["in"], [h.article_message(a) for a in arts])
    src = {m.key.decode(): m for m in h.consume(n["in"])}

    # batch.size below the topic limit keeps small records' batches acceptable.
    ws = h.wirestream(n, sets={"kafka.batch.size": "4000"})
    h.wait_for_keys(n["out"], [a["id"] for a in arts[:SMALL]], 120, proc=ws)
    h.wait_until(lambda: len(h.consume(n["dlq"], values=False)) >= BIG, 90,
                 "%d record_too_large DLQ records" % BIG)
    h.wait_until(lambda: all(c == hi for c, _, hi in h.offsets(n["group"], n["in"]).values()), 60,
                 "committed offsets to reach the end of the input (a refused record must not block commits)")
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))

    dlq = h.consume(n["dlq"])
    h.check(sorted(h.keys_of(dlq)) == sorted(a["id"] for a in big),
            "DLQ keys %s, expected exactly the %d oversized articles" % (sorted(h.keys_of(dlq))[:8], BIG))
    for d in dlq:
        k = d.key.decode()
        h.check(d.header("ws.error") == "record_too_large", "%s: ws.error=%r, expected record_too_large" % (
            k, d.header("ws.error")))
        h.check(d.value == src[k].value, "%s: DLQ value is not the original input bytes" % k)
        h.check(d.header("ws.source.offset") == str(src[k].offset) and
                d.header("ws.source.partition") == str(src[k].partition),
                "%s: ws.source.* headers do not point at the input" % k)
    out = h.keys_of(h.consume(n["out"], values=False))
    h.check(sorted(out) == sorted(a["id"] for a in arts[:SMALL]),
            "output should hold exactly the %d small articles (got %d)" % (SMALL, len(out)))


if __name__ == "__main__":
    h.main(test)
