#!/usr/bin/env python3
"""Per-label test summary for scripts/test.sh: joins ctest's test list (with
labels, from --show-only=json-v1) and its JUnit results (--output-junit)."""
import collections
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

build = sys.argv[1]
info = json.loads(subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"],
                                 capture_output=True, text=True, check=True).stdout)
labels = {}
for t in info.get("tests", []):
    lab = ["(none)"]
    for p in t.get("properties", []):
        if p.get("name") == "LABELS":
            lab = p.get("value") or lab
    labels[t["name"]] = lab[0]

results = {}
try:
    for tc in ET.parse("%s/ctest-junit.xml" % build).getroot().iter("testcase"):
        if tc.find("failure") is not None or tc.get("status") == "fail":
            st = "failed"
        elif tc.find("skipped") is not None or tc.get("status") in ("skipped", "notrun", "disabled"):
            st = "skipped"
        else:
            st = "passed"
        results[tc.get("name")] = (st, float(tc.get("time") or 0))
except (OSError, ET.ParseError) as e:
    print("no JUnit results (%s)" % e)

by = collections.defaultdict(lambda: collections.Counter())
secs = collections.Counter()
for name, lab in labels.items():
    st, t = results.get(name, ("not run", 0.0))
    by[lab][st] += 1
    secs[lab] += t
print("%-12s %6s %6s %7s %7s %8s" % ("label", "passed", "failed", "skipped", "not run", "seconds"))
for lab in sorted(by):
    c = by[lab]
    print("%-12s %6d %6d %7d %7d %8.0f" % (lab, c["passed"], c["failed"], c["skipped"], c["not run"], secs[lab]))
bad = sorted(n for n, (st, _) in results.items() if st == "failed")
skipped = sorted(n for n, (st, _) in results.items() if st == "skipped")
if skipped:
    print("skipped: " + ", ".join(skipped))
if bad:
    print("FAILED: " + ", ".join(bad))
