"""`wirestream demo` (issue 2 §7, issue 7): zero set-up, exits 0 after
printing enriched records on stdout (and nothing else there), with a
metrics line on stderr; the records validate against the schema."""
import json
import subprocess

import harness as h


def test():
    r = subprocess.run([h.WIRESTREAM, "demo"], capture_output=True, timeout=150, cwd=h.SRC,
                       stdin=subprocess.DEVNULL)
    err = r.stderr.decode(errors="replace")
    h.check(r.returncode == 0, "wirestream demo exited %d:\n%s" % (r.returncode, err[-1500:]))
    recs = []
    for i, line in enumerate(r.stdout.decode().splitlines(), 1):
        try:
            o = json.loads(line)
        except ValueError:
            raise h.TestFailure("stdout line %d is not a JSON record: %r" % (i, line[:200]))
        h.check(isinstance(o, dict) and o.get("id") and isinstance(o.get("body"), str),
                "stdout line %d is not an enriched record: %r" % (i, line[:200]))
        recs.append(o)
    h.check(len(recs) >= 3, "the demo printed %d records" % len(recs))
    h.check(any('"msg":"metrics"' in l.replace(" ", "") for l in err.splitlines()),
            "the demo printed no metrics line on stderr")
    h.check(all("kafka" in o for o in recs), "demo records lack the kafka block: they did not come "
            "through the consumer/producer path")
    h.validate_records(recs, h.schema_validator())


if __name__ == "__main__":
    h.main(test)
