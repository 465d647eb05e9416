#!/usr/bin/env python3
"""`wirestream process`: stdout carries only enriched records (one line per
kept article, input order), errors with file:line and the summary go to
stderr, --without skips entries, exit codes."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_harness import BUILD, SRC, WS, check, clean_env, done, run  # noqa: E402
from samples import ARTICLES, DUPLICATE, TEXT_ARTICLE  # noqa: E402

WORDCOUNT = os.path.join(BUILD, "plugins", "wordcount.so")


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def jsonl(items):
    return "".join(json.dumps(a) + "\n" for a in items)


with tempfile.TemporaryDirectory() as tmp:
    cfg = write(tmp, "cfg.json", json.dumps({
        "pipeline": [
            {"name": "ex", "processor": "example", "keyword": "council"},
            {"name": "wc", "path": WORDCOUNT},
        ]}))

    # 1. Only records on stdout, in input order; bad lines reported with file:line.
    lines = [json.dumps(ARTICLES[0]), "{not json", "", "   ", json.dumps(ARTICLES[1]),
             json.dumps({"title": "no body"}), json.dumps(ARTICLES[2]), "[1, 2]", json.dumps(ARTICLES[3])]
    rc, out, err = run(["process", "--config", cfg], ("\n".join(lines) + "\n").encode())
    check(rc == 0, "exit 0 when bad lines are only reported (rc=%d, %s)" % (rc, err))
    recs = [json.loads(l) for l in out.splitlines()]
    check(len(recs) == 4, "four records for four good lines, got %d" % len(recs))
    check([r.get("id") for r in recs[:2]] == ["sample-1", "sample-2"], "input order kept")
    check(recs[3]["id"] == "7", "numeric id copied as text")
    check(all(l.startswith("{") and l.endswith("}") for l in out.splitlines()), "stdout is only JSON lines")
    check("stdin:2" in err and "invalid_json" in err, "invalid JSON reported as stdin:2")
    check("stdin:6" in err and "empty_body" in err, "missing body reported as stdin:6")
    check("stdin:8" in err and "not_an_object" in err, "non-object reported as stdin:8")
    check('"msg":"summary"' in err and '"read":7' in err and '"written":4' in err,
          "summary on stderr counts seven non-blank lines, four written")
    check(recs[0]["body"] == ARTICLES[0]["body"], "body byte-identical, trailing newline included")
    check(recs[1]["date"] == "2031-03-15" and recs[1]["body"] == ARTICLES[1]["text"], "published_at/text names")
    check(recs[2]["id"].startswith("h") and len(recs[2]["id"]) == 17, "missing id becomes a content hash")
    check(recs[0]["ex"]["count"] >= 1 and "wc" in recs[0] and recs[0]["wc"]["words"] > 50,
          "both entries annotate under their names")
    check(list(recs[0].keys()) == ["id", "title", "url", "source", "date", "body", "ex", "wc"],
          "key order: article fields, then annotations in pipeline order: %s" % list(recs[0].keys()))

    # 2. --without skips an entry; an unknown name is a usage error.
    rc, out, err = run(["process", "--config", cfg, "--without", "ex"], jsonl(ARTICLES[:2]).encode())
    recs = [json.loads(l) for l in out.splitlines()]
    check(rc == 0 and len(recs) == 2 and all("ex" not in r and "wc" in r for r in recs), "--without ex")
    rc, out, err = run(["process", "--config", cfg, "--without", "nope"], jsonl(ARTICLES[:1]).encode())
    check(rc == 2 and out == "" and "nope" in err, "--without unknown entry: exit 2, message, empty stdout")

    # 3. Drops print nothing; files: .jsonl per line, others one article; '-' is stdin.
    drop = write(tmp, "drop.json", json.dumps({
        "pipeline": [{"name": "ex", "processor": "example", "keyword": "Northwind", "action": "drop"}]}))
    many = write(tmp, "many.jsonl", jsonl(ARTICLES[:3]))
    single = write(tmp, "story.txt", TEXT_ARTICLE)
    rc, out, err = run(["process", "--config", drop, many, single, "-"], jsonl([ARTICLES[3]]).encode())
    recs = [json.loads(l) for l in out.splitlines()]
    check(rc == 0, "files and stdin: exit 0")
    check(len(recs) == 4 and recs[0]["id"] == "sample-1" and recs[1].get("title") == ARTICLES[2]["title"],
          "sample-2 dropped, others in order: %s" % [r["id"] for r in recs])
    check(recs[2].get("date") == "2031-05-02" and recs[2]["body"].startswith("Residents of Kelby"),
          "plain-text file: date header on the body line")
    check(recs[3]["id"] == "7", "'-' reads stdin after the files")

    # 4. Config errors: non-zero exit, nothing on stdout, the key and file named.
    bad = write(tmp, "bad.json", '{"output": {"topik": "x"}}')
    rc, out, err = run(["process", "--config", bad], jsonl(ARTICLES[:1]).encode())
    check(rc != 0 and out == "" and "topik" in err and "bad.json" in err, "config error names key and file")
    rc, out, err = run(["process", "--set", "limits.nope=1"], b"")
    check(rc != 0 and out == "" and "limits.nope" in err, "--set error names the key")
    rc, out, err = run(["process", "--config", cfg, os.path.join(tmp, "missing.jsonl")], b"")
    check(rc == 1 and out == "" and "missing.jsonl" in err, "unreadable input file: exit 1")

    # 5. From the repo root with no flags: ./config/wirestream.json, full pipeline.
    rc, out, err = run(["process"], jsonl(ARTICLES + [DUPLICATE]).encode(), cwd=SRC)
    recs = [json.loads(l) for l in out.splitlines()]
    check(rc == 0 and 4 <= len(recs) <= 5, "default config from the repo root (rc=%d, %d records): %s"
          % (rc, len(recs), err[-500:]))
    check(all(k in recs[0] for k in ("dedup", "entities", "quotes")), "default pipeline annotates")

    # 6. HTML conversion on demand.
    rc, out, err = run(["process", "--config", cfg, "--set", "input.html=true"], jsonl([ARTICLES[3]]).encode())
    recs = [json.loads(l) for l in out.splitlines()]
    check(rc == 0 and recs and recs[0]["body"] ==
          "Stock markets in Asia were steady on Monday.\n\nTraders said \u201ccaution\u201d ruled ahead of "
          "the central bank meeting.", "HTML body converted with --set input.html=true")

    # 7. Several workers: same records, same (input) order.
    many_arts = [dict(ARTICLES[i % 4], id="w%d" % i) for i in range(300)]
    many_arts = [dict((k, v) for k, v in a.items()) for a in many_arts]
    data = jsonl(many_arts).encode()
    rc1, out1, _ = run(["process", "--config", cfg], data)
    rc4, out4, err4 = run(["process", "--config", cfg, "--set", "workers=4"], data)
    check(rc1 == 0 and rc4 == 0 and out1 == out4 and len(out4.splitlines()) == 300,
          "workers=4 writes the same records in input order (rc %d/%d)" % (rc1, rc4))
    check('"workers":4' in err4, "summary reports the worker count")

    # 8. A stream on stdin comes out record by record (no waiting for EOF).
    import select
    proc = subprocess.Popen([WS, "process", "--config", cfg], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=SRC, env=clean_env())
    proc.stdin.write((json.dumps(ARTICLES[1]) + "\n").encode())
    proc.stdin.flush()
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    first = proc.stdout.readline() if ready else b""
    check(first.startswith(b'{"id":"sample-2"'), "streamed record arrives before stdin closes: %r" % first[:60])
    proc.stdin.close()
    proc.wait(30)

done()
