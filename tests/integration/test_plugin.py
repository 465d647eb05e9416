"""The example external processor (build/plugins/wordcount.so), loaded by
path from the config, runs in the Kafka path: every output record carries
its annotation, and a plugin that fails to load stops start-up with a
message naming it."""
import os

import harness as h

N = 200


def write_config(path, name="wordcount"):
    return h.write_config("plugin", {"pipeline": [{"name": name, "path": path}]})


def test():
    so = h.built_plugin("plugins/wordcount.so")
    d = h.tmpdir("plugin")
    n = h.names("plugin")
    h.create_topic(n["in"], 2)
    arts = h.make_articles(N, "pl")
    h.produce(n["in"], [h.article_message(a) for a in arts])

    ws = h.wirestream(n, config=write_config(so))
    h.wait_for_keys(n["out"], [a["id"] for a in arts], 120, proc=ws)
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream with the plugin exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))
    by_id = {a["id"]: a for a in arts}
    for m in h.consume(n["out"]):
        r = m.json()
        ann = r.get("wordcount")
        h.check(ann is not None, "record %s has no 'wordcount' annotation: keys %s" % (r.get("id"), sorted(r)))
        nums = [v for v in (ann.values() if isinstance(ann, dict) else [ann]) if isinstance(v, (int, float))]
        h.check(nums and max(nums) > 0, "record %s: wordcount annotation %r has no positive count" % (
            r.get("id"), ann))
        words = len(by_id[r["id"]]["body"].split())
        h.check(any(abs(v - words) <= words // 10 for v in nums),
                "record %s: wordcount %r is far from the %d whitespace-separated words" % (r["id"], ann, words))

    # A plugin path that does not load: start-up fails and says which entry.
    bad = h.wirestream(h.names("plugin-bad"), name="ws-badplugin",
                       config=write_config(os.path.join(d, "missing.so"), name="nosuch"))
    rc = bad.wait(60)
    err = bad.stderr().decode(errors="replace")
    h.check(rc != 0, "wirestream started with a plugin that cannot load (rc 0)")
    h.check("missing.so" in err or "nosuch" in err, "the load error does not name the plugin:\n%s" % err[-800:])


if __name__ == "__main__":
    h.main(test)
