#!/usr/bin/env python3
"""Validates `wirestream process` output against docs/record.schema.json.

Default (label unit): the project's own sample articles through the default
pipeline.  --bbc (label eval): every line of ../shared/data/bbc/bbc.jsonl;
skipped (exit 77) when the data is absent.  Besides the schema, it checks the
offset contract: half-open UTF-8 byte ranges inside body, and mention texts
equal to the body bytes they point at."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from samples import ARTICLES, DUPLICATE, TEXT_ARTICLE  # noqa: E402

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed: skipping", file=sys.stderr)
    sys.exit(77)

SRC = os.environ.get("WS_SOURCE_DIR", os.getcwd())
BUILD = os.environ.get("WS_BUILD_DIR", os.path.join(SRC, "build"))
WS = os.environ.get("WS_WIRESTREAM", os.path.join(BUILD, "wirestream"))

with open(os.path.join(SRC, "docs", "record.schema.json"), encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)


def offset_problems(rec):
    body = rec["body"].encode("utf-8")
    n = len(body)
    out = []

    def rng(what, s, e, text=None):
        if not (0 <= s <= e <= n):
            out.append("%s: range [%d,%d) outside body of %d bytes" % (what, s, e, n))
        elif text is not None and body[s:e].decode("utf-8", "replace") != text:
            out.append("%s: text %r != body[%d:%d] %r" % (what, text, s, e, body[s:e].decode("utf-8", "replace")))

    for i, m in enumerate(rec.get("entities", [])):
        rng("entities[%d]" % i, m["start"], m["end"], m["text"])
    for i, q in enumerate(rec.get("quotes", [])):
        rng("quotes[%d]" % i, q["start"], q["end"])
        for j, (s, e) in enumerate(q["spans"]):
            rng("quotes[%d].spans[%d]" % (i, j), s, e)
        if q["spans"] and (q["spans"][0][0] != q["start"] or q["spans"][-1][1] != q["end"]):
            out.append("quotes[%d]: start/end do not match the first/last span" % i)
        sp = q["speaker"]
        if sp is not None:
            rng("quotes[%d].speaker" % i, sp["start"], sp["end"], sp["text"])
    return out


def run(args, stdin_bytes=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    return subprocess.run([WS, "process"] + args, input=stdin_bytes or b"",
                          capture_output=True, cwd=SRC, env=env, timeout=540)


def main():
    if "--bbc" in sys.argv:
        path = os.path.join(SRC, "..", "shared", "data", "bbc", "bbc.jsonl")
        if not os.path.exists(path):
            print("no %s: skipping" % path, file=sys.stderr)
            return 77
        p = run([path])
        expected_min = 1
    else:
        with tempfile.TemporaryDirectory() as tmp:
            story = os.path.join(tmp, "story.txt")
            with open(story, "w", encoding="utf-8") as f:
                f.write(TEXT_ARTICLE)
            data = "".join(json.dumps(a) + "\n" for a in ARTICLES + [DUPLICATE]).encode()
            p1 = run(["--set", "input.html=true", "-"], stdin_bytes=data)
            p2 = run([story])
            p = subprocess.CompletedProcess(p1.args, p1.returncode or p2.returncode,
                                            p1.stdout + p2.stdout, p1.stderr + p2.stderr)
        expected_min = len(ARTICLES) + 1 - 1   # the duplicate may be dropped
    if p.returncode != 0:
        print("wirestream process failed (%d):\n%s" % (p.returncode, p.stderr.decode()[-2000:]), file=sys.stderr)
        return 1
    lines = p.stdout.decode("utf-8").splitlines()
    bad = 0
    for no, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
        except ValueError as e:
            print("line %d: not JSON: %s" % (no, e), file=sys.stderr)
            bad += 1
            continue
        errors = sorted(validator.iter_errors(rec), key=lambda e: list(e.path))
        problems = ["%s: %s" % ("/".join(map(str, e.path)), e.message[:200]) for e in errors[:5]]
        problems += offset_problems(rec) if not errors else []
        if problems:
            bad += 1
            if bad <= 20:
                print("line %d (id %s): %s" % (no, rec.get("id"), "; ".join(problems[:5])), file=sys.stderr)
    ok = len(lines) - bad
    print("%d passed, %d failed (records validated against docs/record.schema.json)" % (ok, bad))
    if len(lines) < expected_min:
        print("expected at least %d records, got %d" % (expected_min, len(lines)), file=sys.stderr)
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
