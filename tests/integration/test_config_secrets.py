"""Secrets in config files (issue 10 §4), no broker needed: a config file
holding a secret and readable by everyone draws a warning that names the
file; at mode 0600 it does not; the secret is never printed by check-config."""
import json
import os
import subprocess

import harness as h

SECRET = "ws-Cfg-Secret-%s" % h.RUN_ID


def check_config(path):
    r = subprocess.run([h.WIRESTREAM, "check-config", "--config", path], capture_output=True, timeout=60,
                       cwd=h.SRC)
    return r.returncode, r.stdout + r.stderr


def test():
    d = h.tmpdir("cfgsecret")
    path = os.path.join(d, "secret.json")
    with open(path, "w") as f:
        json.dump({"kafka": {"bootstrap.servers": "127.0.0.1:1", "security.protocol": "SASL_SSL",
                             "sasl.mechanisms": "PLAIN", "sasl.username": "svc-wirestream",
                             "sasl.password": SECRET, "ssl.key.password": SECRET},
                   "pipeline": [{"name": "example"}]}, f)
    os.chmod(path, 0o644)
    rc, out = check_config(path)
    h.check(rc == 0, "check-config failed on a valid config: %s" % out.decode(errors="replace")[-600:])
    h.check(SECRET.encode() not in out, "check-config printed a secret value")
    warn = [l for l in out.decode(errors="replace").splitlines()
            if path in l and ("warn" in l.lower()) and ("readable" in l.lower() or "permission" in l.lower())]
    h.check(warn, "no warning that %s (mode 0644, holds secrets) is readable by everyone" % path)
    os.chmod(path, 0o600)
    rc, out = check_config(path)
    h.check(rc == 0, "check-config failed at mode 0600")
    h.check(not [l for l in out.decode(errors="replace").splitlines() if "readable" in l.lower()],
            "a 0600 config file still draws the world-readable warning")
    h.check(SECRET.encode() not in out, "check-config printed a secret value")


if __name__ == "__main__":
    h.main(test)
