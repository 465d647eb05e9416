"""TLS: a self-signed CA and a broker certificate made inside the test, a
second broker with an SSL listener that requires client certificates, and
wirestream with security.protocol=SSL and a password-protected client key.
Records arrive; the key password never appears in wirestream's output
(run or check-config).  Skips when keytool or openssl is missing."""
import os
import shutil
import subprocess

import harness as h

SECRET = "ws-Tls-Key-Pw-%s" % h.RUN_ID        # client key password: must never be printed
STORE_PW = "ws-store-pw-%s" % h.RUN_ID


def run(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=120)
    h.check(r.returncode == 0, "%s failed: %s" % (cmd[0:2], (r.stdout + r.stderr).decode(errors="replace")[-800:]))


def make_pki(d):
    san = "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:127.0.0.1"
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write(san + "\n")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
         "-days", "2", "-subj", "/CN=wirestream-test-ca"], d)
    # Broker: key pair in a PKCS12 keystore, signed by the CA, chain imported back.
    run(["keytool", "-genkeypair", "-keystore", "broker.p12", "-storetype", "PKCS12", "-alias", "broker",
         "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
         "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-storepass", STORE_PW, "-keypass", STORE_PW], d)
    run(["keytool", "-certreq", "-keystore", "broker.p12", "-alias", "broker", "-file", "broker.csr",
         "-storepass", STORE_PW], d)
    run(["openssl", "x509", "-req", "-in", "broker.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "broker.crt", "-days", "2", "-extfile", "san.ext"], d)
    run(["keytool", "-importcert", "-noprompt", "-keystore", "broker.p12", "-alias", "ca", "-file", "ca.crt",
         "-storepass", STORE_PW], d)
    run(["keytool", "-importcert", "-keystore", "broker.p12", "-alias", "broker", "-file", "broker.crt",
         "-storepass", STORE_PW], d)
    run(["keytool", "-importcert", "-noprompt", "-keystore", "trust.p12", "-storetype", "PKCS12",
         "-alias", "ca", "-file", "ca.crt", "-storepass", STORE_PW], d)
    # Client: an encrypted PEM key (the secret) and a CA-signed certificate.
    run(["openssl", "genrsa", "-aes256", "-passout", "pass:" + SECRET, "-out", "client.key", "2048"], d)
    run(["openssl", "req", "-new", "-key", "client.key", "-passin", "pass:" + SECRET, "-out", "client.csr",
         "-subj", "/CN=wirestream-test-client"], d)
    run(["openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "client.crt", "-days", "2"], d)


def test():
    for tool in ("keytool", "openssl"):
        if not shutil.which(tool):
            h.skip("%s is not installed" % tool)
    d = h.tmpdir("tls")
    make_pki(d)
    port, sport, cport = h.free_port(), h.free_port(), h.free_port()
    props = os.path.join(d, "ssl.properties")
    with open(props, "w") as f:
        f.write("\n".join([
            "listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d,SSL://127.0.0.1:%d" % (port, cport, sport),
            "advertised.listeners=PLAINTEXT://127.0.0.1:%d,SSL://127.0.0.1:%d" % (port, sport),
            "ssl.keystore.type=PKCS12",
            "ssl.keystore.location=%s/broker.p12" % d,
            "ssl.keystore.password=%s" % STORE_PW,
            "ssl.key.password=%s" % STORE_PW,
            "ssl.truststore.type=PKCS12",
            "ssl.truststore.location=%s/trust.p12" % d,
            "ssl.truststore.password=%s" % STORE_PW,
            "ssl.client.auth=required",
            ""]))
    broker = h.PrivateBroker(extra_props=props, port=port, cport=cport)
    broker.start()
    plain = "127.0.0.1:%d" % port
    tls = "127.0.0.1:%d" % sport

    n = h.names("tls")
    h.create_topic(n["in"], 2, brokers=plain)
    arts = h.make_articles(100, "tls")
    h.produce(n["in"], [h.article_message(a) for a in arts], brokers=plain)

    ssl = {
        "kafka.security.protocol": "SSL",
        "kafka.ssl.ca.location": os.path.join(d, "ca.crt"),
        "kafka.ssl.certificate.location": os.path.join(d, "client.crt"),
        "kafka.ssl.key.location": os.path.join(d, "client.key"),
        "kafka.ssl.key.password": SECRET,
        h.KEY["log_level"]: "debug",
    }
    chk = subprocess.run([h.WIRESTREAM, "check-config"] + sum([["--set", "%s=%s" % kv] for kv in ssl.items()], []),
                         capture_output=True, timeout=60, cwd=h.SRC)
    h.check(SECRET.encode() not in chk.stdout + chk.stderr,
            "check-config printed the ssl.key.password value")
    ws = h.wirestream(n, brokers=tls, sets=ssl)
    # The reader authenticates too: outputs are read over the SSL listener.
    reader = {"security.protocol": "SSL", "ssl.ca.location": os.path.join(d, "ca.crt"),
              "ssl.certificate.location": os.path.join(d, "client.crt"),
              "ssl.key.location": os.path.join(d, "client.key"), "ssl.key.password": SECRET}
    h.wait_for_keys(n["out"], [a["id"] for a in arts], 120, brokers=tls, props=reader, proc=ws)
    ws.signal(h.signal.SIGTERM)
    rc = ws.wait(60)
    h.check(rc == 0, "wirestream over TLS exited %s after SIGTERM; log tail:\n%s" % (rc, ws.tail()))
    h.check(SECRET.encode() not in ws.stderr() + ws.stdout(),
            "the ssl.key.password value appears in wirestream's logs")
    h.check(chk.returncode == 0, "check-config with SSL settings failed: %s" % chk.stderr.decode()[-500:])


if __name__ == "__main__":
    h.main(test)
