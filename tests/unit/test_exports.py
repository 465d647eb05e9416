#!/usr/bin/env python3
"""Every function of the public processor API (processors/wirestream_processor.h)
is exported by the wirestream executable, so external processors (.so) can
resolve them at dlopen time.  Static-library members the executable does not
otherwise use would be silently left out; this catches that."""
import os
import re
import subprocess
import sys

SRC = os.environ.get("WS_SOURCE_DIR", os.getcwd())
WS = os.environ.get("WS_WIRESTREAM", os.path.join(SRC, "build", "wirestream"))

header = open(os.path.join(SRC, "processors", "wirestream_processor.h"), encoding="utf-8").read()
header = re.sub(r"/\*.*?\*/", "", header, flags=re.S)
api = sorted(set(re.findall(r"^[A-Za-z_][\w \t\*]*?\b(ws_\w+)\s*\(", header, flags=re.M)))
try:
    nm = subprocess.run(["nm", "-D", "--defined-only", WS], capture_output=True, text=True, check=True).stdout
except (OSError, subprocess.CalledProcessError) as e:
    print("nm is not available (%s): skipping" % e, file=sys.stderr)
    sys.exit(77)
exported = set(line.split()[-1] for line in nm.splitlines() if line.strip())
missing = [f for f in api if f not in exported]
for f in missing:
    print("not exported by %s: %s" % (WS, f), file=sys.stderr)
ok = len(api) >= 20 and not missing
print("%d passed, %d failed (%d API functions)" % (len(api) - len(missing), len(missing) + (len(api) < 20), len(api)))
sys.exit(0 if ok else 1)
