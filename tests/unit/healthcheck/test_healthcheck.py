"""`wirestream healthcheck`: exit 0 when /healthz answers 200, 1 when it
answers anything else or nothing, 2 on a usage error; the port also comes
from the config (WIRESTREAM_METRICS_HTTP_PORT).  A stand-in HTTP server plays
the running wirestream."""
import http.server
import os
import socket
import subprocess
import sys
import threading

WIRESTREAM = os.environ.get("WS_WIRESTREAM", "build/wirestream")
failed = 0


class Handler(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        code = Handler.status if self.path == "/healthz" else 404
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *a):
        pass


def run(args, env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    e.update(env or {})
    r = subprocess.run([WIRESTREAM, "healthcheck"] + args, capture_output=True, timeout=30, env=e)
    return r.returncode, r.stderr.decode(errors="replace").strip()


def expect(what, got, want):
    global failed
    rc, err = got
    if rc != want:
        failed += 1
        print("FAIL %s: exit %d, want %d (%s)" % (what, rc, want, err))
    else:
        print("ok   %s" % what)


def main():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    expect("200 from /healthz", run(["--port", str(port)]), 0)
    expect("port from the environment", run([], {"WIRESTREAM_METRICS_HTTP_PORT": str(port)}), 0)
    expect("host given", run(["--port", str(port), "--host", "127.0.0.1"]), 0)
    expect("404 on another path", run(["--port", str(port), "--path", "/nope"]), 1)
    Handler.status = 503
    expect("503 (stalled)", run(["--port", str(port)]), 1)
    srv.shutdown()
    srv.server_close()
    with socket.socket() as s:   # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    expect("nothing listening", run(["--port", str(closed), "--timeout-ms", "2000"]), 1)
    expect("metrics server off in config", run([], {"WIRESTREAM_METRICS_HTTP_PORT": "0"}), 1)
    expect("bad port", run(["--port", "70000"]), 2)
    expect("unknown option", run(["--bogus", "1"]), 2)
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
