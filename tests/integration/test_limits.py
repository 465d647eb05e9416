"""Hard and soft limits on the Kafka path (issue 10).

Each kind of limit-breaking message is produced to the input topic and must
show up in the DLQ topic with its original bytes and the right ws.error
header: too_large, too_deep, regex_limit (a deliberately catastrophic rule,
bounded by the PCRE2 match limit) and timeout (a test plugin that sleeps past
limits.record_timeout_ms).  An article with too many entities or quotes is
not an error: it reaches the output topic with the lists cut and
"truncated": true.  Nothing hangs and good articles around them flow on.

The same cases without Kafka are tests/unit/limits/test_limits.c."""
import json
import os

import harness as h

MAX_BYTES = 20000
SLOW_MS, BUDGET_MS = 1500, 400

PEOPLE = ["Ada Quill", "Bram Oduya", "Cleo Varga", "Dev Halloran", "Esme Tolland", "Finn Marsh"]

# Tried only at the token "Zzyzx": nested quantifiers that backtrack
# exponentially over a run of words with no digit after them.
SLOW_RULE = "CARDINAL\tzzyzx\t(?i:zzyzx)\\s+(?:[A-Za-z]+\\s?)+[0-9]\n"


def nested(depth):
    return '{"id": "lim-deep", "body": "Deep.", "meta": ' + "[" * depth + "]" * depth + "}"


def limit_messages():
    """(key, value bytes, expected ws.error, expected ws.processor or None)."""
    big = json.dumps({"id": "lim-big", "body": "word " * (MAX_BYTES // 4)}).encode()
    words = " ".join(["lorem", "ipsum", "dolor", "sit", "amet"] * 6)
    return [
        ("lim-big", big, "too_large", None),
        ("lim-deep", nested(200).encode(), "too_deep", None),
        ("lim-regex", json.dumps({"id": "lim-regex", "body": "Zzyzx %s." % words}).encode(),
         "regex_limit", "entities"),
        ("lim-slow", json.dumps({"id": "lim-slow", "body": "A WS-SLOW record."}).encode(),
         "timeout", None),
    ]


def soft_messages():
    crowd = "%s met %s and %s; then %s, %s and %s joined them." % tuple(PEOPLE)
    options = ["one", "two", "three", "four", "five"]
    chatter = " ".join('"We will look at option %s again," said %s.' % (o, p)
                       for o, p in zip(options, PEOPLE))
    return [
        {"key": "lim-crowd", "value": json.dumps({"id": "lim-crowd", "body": crowd})},
        {"key": "lim-chatter", "value": json.dumps({"id": "lim-chatter", "body": chatter})},
    ]


def write_config(d):
    slow = h.built_plugin("tests/plugins/slow.so")
    gaz = os.path.join(d, "people.tsv")
    with open(gaz, "w") as f:
        f.write("".join("%s\tPERSON\t%s\n" % (p, p) for p in PEOPLE))
    rules = os.path.join(d, "slow.rules")
    with open(rules, "w") as f:
        f.write(SLOW_RULE)
    cfg = {
        "input": {"max_bytes": MAX_BYTES, "max_json_depth": 32},
        "limits": {"record_timeout_ms": BUDGET_MS, "max_entities": 3, "max_quotes": 2},
        "pipeline": [
            {"name": "slow", "path": slow, "sleep_ms": SLOW_MS},
            {"name": "entities", "lexicons": [], "gazetteers": [gaz], "weak_gazetteers": [],
             "rules": [rules], "match_limit": 20000},
            # Quotes on their own (no entity list): the count under test is
            # theirs alone.
            {"name": "quotes", "data_dir": os.path.join(h.SRC, "config", "quotes"),
             "entities_from": "no-such-annotation"},
        ],
    }
    return h.write_config("limits", cfg)


def test():
    cfg = write_config(h.tmpdir("limits"))
    n = h.names("limits")
    h.create_topic(n["in"], 1)
    good = h.make_articles(20, "limok")
    bad = limit_messages()
    soft = soft_messages()
    msgs = [h.article_message(a) for a in good[:10]]
    msgs += [{"key": k, "value": v, "headers": [("producer", "limits-test")]} for k, v, _, _ in bad]
    msgs += soft
    msgs += [h.article_message(a) for a in good[10:]]
    h.produce(n["in"], msgs)
    src = {m.key.decode(): m for m in h.consume(n["in"])}

    ws = h.wirestream(n, config=cfg)
    want = [a["id"] for a in good] + [m["key"] for m in soft]
    h.wait_for_keys(n["out"], want, 180, proc=ws)
    h.wait_until(lambda: len(h.consume(n["dlq"], values=False)) >= len(bad), 60,
                 "%d DLQ records" % len(bad))
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))

    by_src = {}
    for d in h.consume(n["dlq"]):
        by_src[(int(d.header("ws.source.partition")), int(d.header("ws.source.offset")))] = d
    h.check(len(by_src) == len(bad), "DLQ holds %d records, expected %d: %s" % (
        len(by_src), len(bad), sorted((d.header("ws.error"), d.key) for d in by_src.values())))
    for key, val, reason, entry in bad:
        s = src[key]
        d = by_src.get((s.partition, s.offset))
        h.check(d is not None, "limit-breaking input %s has no DLQ record" % key)
        h.check(d.header("ws.error") == reason, "%s: ws.error=%r, expected %r (message %r)" % (
            key, d.header("ws.error"), reason, d.header("ws.error.message")))
        h.check(d.value == val, "%s: DLQ value is not the original bytes" % key)
        h.check(d.header("ws.error.message"), "%s: no ws.error.message header" % key)
        h.check(d.header("producer") == "limits-test", "%s: input headers not carried over" % key)
        if entry:
            h.check(d.header("ws.processor") == entry, "%s: ws.processor=%r, expected %r" % (
                key, d.header("ws.processor"), entry))
        if reason == "timeout":
            h.check(d.header("ws.processor"), "timeout: no ws.processor header naming the entry")

    out = {m.key.decode(): m for m in h.consume(n["out"])}
    for key, _, _, _ in bad:
        h.check(key not in out, "limit-breaking input %s also reached the output" % key)
    crowd = out["lim-crowd"].json()
    h.check(crowd.get("truncated") is True and len(crowd.get("entities", [])) == 3,
            "lim-crowd: want 3 entities and truncated=true (limits.max_entities=3), got %d, truncated=%r" % (
                len(crowd.get("entities", [])), crowd.get("truncated")))
    chatter = out["lim-chatter"].json()
    h.check(chatter.get("truncated") is True and len(chatter.get("quotes", [])) == 2,
            "lim-chatter: want 2 quotes and truncated=true (limits.max_quotes=2), got %d, truncated=%r" % (
                len(chatter.get("quotes", [])), chatter.get("truncated")))
    offs = h.offsets(n["group"], n["in"])
    h.check(h.sum_committed(offs) == h.sum_high(offs),
            "committed offsets %s do not reach the end of the input: limits must not block commits" % offs)


if __name__ == "__main__":
    h.main(test)
