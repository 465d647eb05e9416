#!/usr/bin/env python3
"""The CLI and config errors: every `kafka` property is checked by librdkafka
itself before anything connects (check-config, run and demo), and the error
names the property and where it came from (the file, the environment
variable or the --set); `--help` documents the exit codes of `process`.
Nothing here needs a broker: a bad property stops the command first."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_harness import check, done, run  # noqa: E402


def write(tmp, name, obj):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f)
    return path


with tempfile.TemporaryDirectory() as tmp:
    # 1. An unknown property in the file: check-config, run and demo all stop
    #    with exit 2 and "<file>: kafka.<key>: <librdkafka's message>".
    bad = write(tmp, "bad.json", {"kafka": {"bootstrap.servers": "127.0.0.1:1", "no.such.prop": "1"}})
    for cmd in ("check-config", "run", "demo"):
        rc, out, err = run([cmd, "--config", bad])
        check(rc == 2, "%s with an unknown kafka property: exit 2 (rc=%d)" % (cmd, rc))
        check("%s: kafka.no.such.prop: No such configuration property" % bad in err,
              "%s names file and property: %s" % (cmd, err[-400:]))
        check(out == "", "%s prints nothing on stdout on a config error" % cmd)

    # 2. A bad value of a real property, from the file.
    badval = write(tmp, "badval.json", {"kafka": {"compression.codec": "brotli"}})
    rc, out, err = run(["check-config", "--config", badval])
    check(rc == 2 and "%s: kafka.compression.codec: " % badval in err and "brotli" in err,
          "invalid value names file, property and value: rc=%d %s" % (rc, err[-400:]))

    # 3. From --set and from the environment: the override is named, not the file.
    good = write(tmp, "good.json", {"kafka": {"linger.ms": 7, "enable.idempotence": True}})
    rc, out, err = run(["check-config", "--config", good, "--set", "kafka.queue.buffering.max.ms=soon"])
    check(rc == 2 and "--set kafka.queue.buffering.max.ms=soon: kafka.queue.buffering.max.ms: " in err,
          "--set property error names the --set: rc=%d %s" % (rc, err[-400:]))
    rc, out, err = run(["check-config", "--config", good], env={"WIRESTREAM_KAFKA_NO_SUCH_THING": "x"})
    check(rc == 2 and "environment variable WIRESTREAM_KAFKA_NO_SUCH_THING: kafka.no.such.thing: " in err,
          "environment property error names the variable: rc=%d %s" % (rc, err[-400:]))

    # 4. Valid properties (numbers and booleans too) pass.
    rc, out, err = run(["check-config", "--config", good])
    check(rc == 0 and '"linger.ms":\t"7"' in out, "valid kafka section passes: rc=%d %s" % (rc, err[-400:]))

    # 5. `process` needs no Kafka: the kafka section is not its business.
    rc, out, err = run(["process", "--config", bad, os.path.join(tmp, "none.jsonl")])
    check(rc == 1 and "none.jsonl" in err, "process ignores kafka properties (rc=%d)" % rc)

# 6. --help documents process's exit codes.
rc, out, err = run(["--help"])
check(rc == 0 and "exit status" in out and "0 " in out and "1 " in out and "2 " in out,
      "--help documents the exit codes")
for needle in ("bad lines", "could not be read", "config or usage error"):
    check(needle in out, "--help exit codes mention %r" % needle)

done()
