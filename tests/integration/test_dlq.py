"""Malformed messages reach the DLQ with their headers and original bytes;
the good ones around them still reach the output; a tombstone is forwarded
as a tombstone with the same key.

Each bad message is matched to its DLQ record by the ws.source.* headers,
so the test also proves those headers point at the right input."""
import json

import harness as h

MAX_BYTES = 20000


def bad_messages():
    big = {"id": "dlq-big", "title": "Oversized", "body": "word " * (MAX_BYTES // 4)}
    # (key, value bytes, expected ws.error or None for "any reason")
    return [
        ("dlq-json-1", b'{"id": "dlq-json-1", "body": "an unterminated', "invalid_json"),
        ("dlq-json-2", b'{"id": "dlq-json-2", "body": "x",}', "invalid_json"),
        ("dlq-utf8-json", b'{"id": "dlq-utf8-json", "body": "caf\xe9 cr\xe8me \xff"}', "invalid_utf8"),
        ("dlq-utf8-text", b"date 2026-01-02 title Bad Plain text with a stray \xc3\x28 byte.\n", "invalid_utf8"),
        ("dlq-empty-json", b'{"id": "dlq-empty-json", "title": "No body", "body": ""}', "empty_body"),
        ("dlq-nobody-json", b'{"id": "dlq-nobody-json", "title": "Body missing"}', "empty_body"),
        ("dlq-empty-value", b"", None),
        ("dlq-big", json.dumps(big).encode(), "too_large"),
    ]


def test():
    n = h.names("dlq")
    h.create_topic(n["in"], 2)
    good = h.make_articles(40, "dlqok")
    bad = bad_messages()
    msgs = []
    gi = iter(good)
    for key, val, _ in bad:
        msgs.append(h.article_message(next(gi)))
        msgs.append({"key": key, "value": val, "headers": [("producer", "dlq-test")]})
    msgs += [h.article_message(a) for a in gi]
    msgs.append({"key": "dlq-tombstone", "value": None})
    h.produce(n["in"], msgs)
    src = {m.key.decode(): m for m in h.consume(n["in"])}

    ws = h.wirestream(n, sets={h.KEY["max_bytes"]: str(MAX_BYTES)})
    h.wait_for_keys(n["out"], [a["id"] for a in good], 120, proc=ws)
    dlq = h.wait_until(lambda: _enough(n["dlq"], len(bad)), 60, "%d DLQ records" % len(bad))
    h.wait_until(lambda: "dlq-tombstone" in h.keys_of(h.consume(n["out"], values=False)), 60,
                 "the tombstone to be forwarded")
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))

    by_src = {}
    for d in h.consume(n["dlq"]):
        p, o = d.header("ws.source.partition"), d.header("ws.source.offset")
        h.check(p is not None and o is not None,
                "DLQ record without ws.source.partition/offset headers: %r" % d.headers)
        by_src[(int(p), int(o))] = d
    h.check(len(by_src) == len(bad), "DLQ holds %d records, expected %d (one per malformed input)" % (
        len(by_src), len(bad)))
    for key, val, reason in bad:
        s = src[key]
        d = by_src.get((s.partition, s.offset))
        h.check(d is not None, "malformed input %s (%d@%d) has no DLQ record" % (key, s.partition, s.offset))
        h.check(d.value == val, "%s: DLQ value is not the original bytes (%d vs %d bytes)" % (
            key, len(d.value or b""), len(val)))
        h.check(d.header("ws.source.topic") == n["in"], "%s: ws.source.topic=%r" % (
            key, d.header("ws.source.topic")))
        err = d.header("ws.error")
        h.check(err, "%s: DLQ record has no ws.error header" % key)
        if reason:
            h.check(err == reason, "%s: ws.error=%r, expected %r" % (key, err, reason))
        h.check(d.header("ws.error.message"), "%s: DLQ record has no ws.error.message header" % key)
        h.check(d.header("producer") == "dlq-test", "%s: input headers not carried to the DLQ record" % key)

    out = h.consume(n["out"])
    keys = h.keys_of(out)
    h.check(set(a["id"] for a in good) <= set(keys), "good articles missing from the output")
    for key, _, _ in bad:
        h.check(key not in keys, "malformed input %s also reached the output" % key)
    tomb = [m for m in out if m.key == b"dlq-tombstone"]
    h.check(len(tomb) == 1 and tomb[0].value is None,
            "tombstone not forwarded as a tombstone with its key (got %r)" % [(m.key, m.value) for m in tomb])


def _enough(topic, n):
    d = h.consume(topic, values=False)
    return d if len(d) >= n else None


if __name__ == "__main__":
    h.main(test)
