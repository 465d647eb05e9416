"""What the CLI tests share: where the build is, running wirestream with a
clean WIRESTREAM_* environment, and counting checks.

    from cli_harness import WS, check, run, done
    rc, out, err = run(["process"], b"...")
    check(rc == 0, "what it means")
    done()          # prints "N passed, N failed" and exits non-zero on failures
"""
import os
import subprocess
import sys

SRC = os.environ.get("WS_SOURCE_DIR", os.getcwd())
BUILD = os.environ.get("WS_BUILD_DIR", os.path.join(SRC, "build"))
WS = os.environ.get("WS_WIRESTREAM", os.path.join(BUILD, "wirestream"))

_count = {"passed": 0, "failed": 0}


def check(cond, what):
    if cond:
        _count["passed"] += 1
    else:
        _count["failed"] += 1
        print("FAIL:", what, file=sys.stderr)


def clean_env(extra=None):
    """The caller's environment without WIRESTREAM_* overrides, plus extra."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    if extra:
        e.update(extra)
    return e


def run(args, stdin=b"", cwd=None, env=None, timeout=120):
    p = subprocess.run([WS] + args, input=stdin, capture_output=True, cwd=cwd or SRC, env=clean_env(env),
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def done():
    print("%d passed, %d failed" % (_count["passed"], _count["failed"]))
    sys.exit(1 if _count["failed"] else 0)
