"""Integration-test harness: a real broker, build/wirestream as a subprocess,
and ws-kafka-tool (tests/integration/tools) for topics, messages and offsets.

Every test makes its own topics and consumer group (suffix RUN_ID), so tests
never see each other's data, also on the developers' shared broker.

Environment (set by ctest, see CMakeLists.txt):
  WS_TEST_BROKERS   bootstrap servers (default 127.0.0.1:19092)
  WS_SOURCE_DIR     repository root; WS_BUILD_DIR the build tree
  WS_KAFKA_TOOL     the helper binary; WS_WIRESTREAM the binary under test
  WS_TEST_BROKER_OWNED=1  set by scripts/test.sh: the broker is this run's
                    own (WS_KAFKA_PORT/CONTROLLER_PORT/HOME), tests may stop it.
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("WS_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("WS_BUILD_DIR") or os.path.join(SRC, "build")
TOOL = os.environ.get("WS_KAFKA_TOOL") or os.path.join(BUILD, "tests", "ws-kafka-tool")
WIRESTREAM = os.environ.get("WS_WIRESTREAM") or os.path.join(BUILD, "wirestream")
BROKERS = os.environ.get("WS_TEST_BROKERS") or "127.0.0.1:19092"
RUN_ID = "%d%05d" % (int(time.time()) % 1000000, os.getpid() % 100000)
SKIP = 77

# Config keys the tests set with --set (docs/config.md, config/wirestream.json).
KEY = {
    "brokers": "kafka.bootstrap.servers",
    "group": "kafka.group.id",
    "input_topics": "input.topics",
    "max_bytes": "input.max_bytes",
    "output_topic": "output.topic",
    "dlq_topic": "output.dlq_topic",
    "delivery": "delivery",
    "workers": "workers",
    "metrics_interval": "metrics.interval_ms",
    "log_level": "log.level",
}


class TestFailure(Exception):
    pass


def log(msg):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def check(cond, msg):
    """Assert with a message that says what behaviour was expected."""
    if not cond:
        raise TestFailure(msg)


def skip(msg):
    log("SKIP: " + msg)
    sys.exit(SKIP)


_live = []  # processes to reap on exit, whatever happens


def main(fn, *args):
    """Run one test function: exit 0 on success, 1 with the reason on failure."""
    t0 = time.time()
    rc = 0
    try:
        _preflight()
        fn(*args)
        log("PASS (%.1f s)" % (time.time() - t0))
    except TestFailure as e:
        log("FAIL: %s" % e)
        rc = 1
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        log("FAIL: the test itself raised (see traceback)")
        rc = 1
    finally:
        for p in _live:
            p.cleanup()
    sys.exit(rc)


def _preflight():
    check(os.access(WIRESTREAM, os.X_OK), "no wirestream binary at %s (build first)" % WIRESTREAM)
    check(os.access(TOOL, os.X_OK), "no ws-kafka-tool at %s (build first)" % TOOL)
    if os.environ.get("WS_TEST_NO_BROKER") == "1":
        return
    r = subprocess.run(["kcat", "-b", BROKERS, "-L", "-m", "5"], capture_output=True, timeout=30) \
        if _have("kcat") else None
    if r is not None:
        check(r.returncode == 0, "no Kafka broker answers at %s: start one with scripts/kafka-broker.sh "
              "start, or run scripts/test.sh" % BROKERS)


def _have(prog):
    return any(os.access(os.path.join(d, prog), os.X_OK) for d in os.environ.get("PATH", "").split(":"))


def wait_until(fn, timeout, what, interval=0.5):
    """Poll fn() until it returns a truthy value; fail naming `what` on timeout."""
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise TestFailure("timed out after %ds waiting for %s" % (timeout, what))
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tmpdir(name):
    base = os.path.join(BUILD, "tests", "tmp")
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix="%s-" % name, dir=base)


def built_plugin(rel):
    """Path of a processor plugin in the build tree (e.g. "plugins/wordcount.so",
    "tests/plugins/slow.so"); fails the test when it was not built."""
    path = os.path.join(BUILD, rel)
    check(os.path.exists(path), "plugin not built: %s" % path)
    return path


def write_config(name, cfg):
    """Write cfg as a private config file in a fresh tmpdir; return its path."""
    path = os.path.join(tmpdir(name), "config.json")
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2)
    os.chmod(path, 0o600)
    return path


def names(test):
    """Topic and group names unique to this run of this test."""
    t = "it-%s-%s" % (test, RUN_ID)
    return {"in": t + "-in", "out": t + "-out", "dlq": t + "-dlq", "group": t + "-grp"}


# ------------------------------------------------------------------ Kafka I/O

def tool(args, stdin=None, brokers=None, props=None, timeout=180, check_rc=True):
    cmd = [TOOL, "-b", brokers or BROKERS]
    for k, v in (props or {}).items():
        cmd += ["-X", "%s=%s" % (k, v)]
    r = subprocess.run(cmd + args, input=stdin, capture_output=True, timeout=timeout)
    if check_rc and r.returncode != 0:
        raise TestFailure("ws-kafka-tool %s failed (%d): %s" % (" ".join(args[:2]), r.returncode,
                                                                r.stderr.decode(errors="replace")[-800:]))
    return r


def create_topic(topic, partitions, brokers=None, props=None, **config):
    args = ["create", topic, str(partitions)] + ["%s=%s" % kv for kv in config.items()]
    tool(args, brokers=brokers, props=props)


def _line(m):
    """One ws-kafka-tool produce line from {key, value (str|bytes|None), headers, partition}."""
    o = {}
    for f in ("key", "value"):
        v = m.get(f)
        if isinstance(v, bytes):
            o[f + "_hex"] = v.hex()
        else:
            o[f] = v
    if m.get("headers"):
        o["headers"] = [[k, v] for k, v in m["headers"]]
    if m.get("partition") is not None:
        o["partition"] = m["partition"]
    return json.dumps(o)


def produce(topic, messages, rate=None, brokers=None, props=None, background=False):
    """Produce every message and wait for all acknowledgements (or return the
    running producer when background).  messages: dicts with key, value, headers."""
    data = ("\n".join(_line(m) for m in messages) + "\n").encode()
    args = ["produce", topic] + (["--rate", str(rate)] if rate else [])
    if not background:
        tool(args, stdin=data, brokers=brokers, props=props, timeout=600)
        return None
    cmd = [TOOL, "-b", brokers or BROKERS]
    for k, v in (props or {}).items():
        cmd += ["-X", "%s=%s" % (k, v)]
    # A file, not a pipe: a paced producer reads slower than we could write.
    path = os.path.join(tmpdir("producer-input"), "messages.jsonl")
    with open(path, "wb") as f:
        f.write(data)
    with open(path, "rb") as f:
        p = Proc(cmd + args, "producer", stdin=f)
    return p


class Message:
    __slots__ = ("partition", "offset", "timestamp", "key", "value", "headers")

    def __init__(self, o):
        self.partition = o["partition"]
        self.offset = o["offset"]
        self.timestamp = o.get("timestamp")
        self.key = _bytes(o, "key")
        self.value = _bytes(o, "value")
        self.headers = [(h[0], h[1]) for h in o.get("headers", [])]

    def header(self, name):
        vals = [v for k, v in self.headers if k == name]
        return vals[-1] if vals else None

    def json(self):
        return json.loads(self.value)


def _bytes(o, f):
    if f + "_hex" in o:
        return bytes.fromhex(o[f + "_hex"])
    v = o.get(f)
    return None if v is None else v.encode()


def consume(topic, read_committed=False, values=True, brokers=None, props=None, timeout=120):
    """Every record of topic, from the beginning to the end of each partition."""
    args = ["consume", topic, "--timeout-ms", str(timeout * 1000)]
    if read_committed:
        args.append("--read-committed")
    if not values:
        args.append("--no-value")
    r = tool(args, brokers=brokers, props=props, timeout=timeout + 30)
    return [Message(json.loads(l)) for l in r.stdout.decode().splitlines() if l.strip()]


def offsets(group, topic, brokers=None, props=None):
    """{partition: (committed, low, high)}; committed -1 when none."""
    r = tool(["offsets", group, topic], brokers=brokers, props=props, timeout=90)
    o = json.loads(r.stdout)
    return {p["partition"]: (int(p["committed"]), int(p["low"]), int(p["high"])) for p in o["partitions"]}


def keys_of(msgs):
    return [m.key.decode() if m.key is not None else None for m in msgs]


def wait_for_keys(topic, want, timeout, what="output", read_committed=False, brokers=None, props=None,
                  proc=None):
    """Consume topic until every key in `want` is there; return the messages.
    Fails early (with its log tail) if `proc` exits while we wait."""
    want = set(want)
    deadline = time.time() + timeout
    have = set()
    while True:
        msgs = consume(topic, read_committed=read_committed, values=False, brokers=brokers, props=props)
        have = set(keys_of(msgs))
        missing = want - have
        if not missing:
            return msgs
        if proc is not None and not proc.alive():
            raise TestFailure("%s exited (rc %s) with %d of %d %s records present; log tail:\n%s" % (
                proc.name, proc.returncode(), len(want) - len(missing), len(want), what, proc.tail()))
        if time.time() > deadline:
            raise TestFailure("after %ds, %d of %d inputs have no %s record (e.g. %s)" % (
                timeout, len(missing), len(want), what, sorted(missing)[:5]))
        time.sleep(1.0)


def sum_committed(offs):
    return sum(max(c, 0) for c, _, _ in offs.values())


def sum_high(offs):
    return sum(h for _, _, h in offs.values())


# ------------------------------------------------------------------ processes

class Proc:
    """A subprocess whose stdout/stderr go to files; killed at the end of the test."""

    def __init__(self, cmd, name, env=None, stdin=subprocess.DEVNULL, cwd=None):
        self.name = name
        self.dir = tmpdir(name)
        self.out_path = os.path.join(self.dir, "stdout")
        self.err_path = os.path.join(self.dir, "stderr")
        self.cmd = cmd
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.popen = subprocess.Popen(cmd, stdout=self._out, stderr=self._err, stdin=stdin,
                                      env=env, cwd=cwd or SRC)
        self.started = time.time()
        _live.append(self)

    def alive(self):
        return self.popen.poll() is None

    def returncode(self):
        return self.popen.poll()

    def signal(self, sig):
        if self.alive():
            self.popen.send_signal(sig)

    def wait(self, timeout):
        """Wait for exit; return the code or fail if it does not exit in time."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure("%s did not exit within %ds; log tail:\n%s" % (self.name, timeout, self.tail()))

    def kill9(self):
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stdout(self):
        self._out.flush()
        with open(self.out_path, "rb") as f:
            return f.read()

    def stderr(self):
        self._err.flush()
        with open(self.err_path, "rb") as f:
            return f.read()

    def tail(self, n=25):
        return "\n".join(self.stderr().decode(errors="replace").splitlines()[-n:])

    def cleanup(self):
        if self.alive():
            self.popen.kill()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for f in (self._out, self._err):
            try:
                f.close()
            except Exception:
                pass


def shipped_config():
    p = os.path.join(SRC, "config", "wirestream.json")
    return p if os.path.exists(p) else None


def wirestream(n, name="wirestream", config=None, sets=None, extra_sets=(), env=None, brokers=None,
               delivery=None, metrics_ms=None):
    """Start `wirestream run` on test names n (from names()).  The shipped config
    is the base; the test's topics and group come from --set."""
    cmd = [WIRESTREAM, "run"]
    cfg = config or shipped_config()
    if cfg:
        cmd += ["--config", cfg]
    s = {
        KEY["brokers"]: brokers or BROKERS,
        KEY["group"]: n["group"],
        KEY["input_topics"]: n["in"],
        KEY["output_topic"]: n["out"],
        KEY["dlq_topic"]: n["dlq"],
    }
    if delivery:
        s[KEY["delivery"]] = delivery
    if metrics_ms:
        s[KEY["metrics_interval"]] = str(metrics_ms)
    s.update(sets or {})
    for k, v in s.items():
        cmd += ["--set", "%s=%s" % (k, v)]
    for kv in extra_sets:
        cmd += ["--set", kv]
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("WIRESTREAM_"):
            del e[k]
    e.update(env or {})
    log("start %s: %s" % (name, " ".join(cmd[1:])))
    return Proc(cmd, name, env=e)


def log_lines(proc):
    """The JSON log lines a wirestream process wrote on stderr (others skipped)."""
    out = []
    for l in proc.stderr().decode(errors="replace").splitlines():
        l = l.strip()
        if l.startswith("{"):
            try:
                out.append(json.loads(l))
            except ValueError:
                pass
    return out


def metrics_lines(proc):
    return [o for o in log_lines(proc) if o.get("msg") == "metrics"]


# ------------------------------------------------------------------ articles

# Invented people, places and organisations for synthetic wire stories.
_FIRST = ["Amara", "Bastian", "Celine", "Dmitri", "Elena", "Farid", "Greta", "Hiroshi", "Ingrid", "Jonas",
          "Kalinda", "Lorenzo", "Maren", "Nikolai", "Odile", "Pavel", "Quentin", "Rosalind", "Soren", "Tamsin",
          "Ulrich", "Valeria", "Wendell", "Ximena", "Yusuf", "Zofia", "Anselm", "Brigitte", "Cosmo", "Delphine"]
_LAST = ["Okonkwo", "Halvorsen", "Marchetti", "Vandermeer", "Castellanos", "Lindqvist", "Abernathy",
         "Kowalczyk", "Thorne", "Whitcombe", "Salazar", "Nakamura", "Brennan", "Duvall", "Ferreira", "Gallagher",
         "Hollister", "Ivanova", "Jessup", "Kettering", "Lachance", "Montague", "Northcott", "Oyelaran",
         "Pemberton", "Quist", "Rainford", "Stroud", "Tillman", "Underhill"]
_ORG = ["the Harbour Authority", "Northwind Logistics", "the Regional Water Board", "Calder Mining Group",
        "the Federation of Small Growers", "Meridian Rail", "the National Statistics Office", "Bellweather Bank",
        "the Coastal Ferry Union", "Solent Wind Partners", "the Municipal Transit Agency", "Quarry Lane Dairies"]
_PLACE = ["Lisbon", "Gdansk", "Valparaiso", "Tromso", "Durban", "Leeds", "Osaka", "Porto Alegre", "Tampere",
          "Cork", "Rotterdam", "Adelaide", "Winnipeg", "Bilbao", "Nagpur", "Antwerp"]
_TOPIC = ["fuel prices", "a new tram line", "the grain harvest", "flood defences", "port fees",
          "teacher pay", "a hospital merger", "mobile coverage", "bus timetables", "a bridge repair",
          "wind farm permits", "school meals", "housing permits", "water tariffs", "night flights"]
_VERB = ["said", "told reporters", "added", "warned", "argued", "insisted", "noted", "explained"]
_TEMPLATES = [
    "{P1} {V} that {T} would be reviewed before the end of the quarter.",
    "Officials in {C} confirmed on {D} that {O} had filed a revised plan covering {T}.",
    "\"We have listened to every objection,\" {P1} {V}. \"The decision on {T} is not final.\"",
    "\u201cNobody here expected the numbers to move this fast,\u201d {V2} {S1}, who has followed {T} for {N} years.",
    "The proposal, backed by {O}, would cost an estimated {N} million and take {N2} months to complete.",
    "Residents of {C} gathered outside the council offices, where {P2} addressed the crowd.",
    "\u201cIt is a fair compromise,\u201d {S2} {V}, \u201cbut it will need careful monitoring.\u201d",
    "{S1} later clarified that the figures for {T} were provisional.",
    "According to {O}, {N} percent of respondents in {C} supported the change.",
    "Critics said the timetable for {T} left little room for public consultation.",
    "A spokesperson for {O} declined to comment on the talks, citing ongoing negotiations.",
    "{P2}, a longtime critic of the plan, called it \"a step in the right direction, if a small one.\"",
    "The vote is scheduled for {D}, and observers in {C} expect a narrow result.",
    "Trading in {C} was quiet ahead of the announcement on {T}.",
    "In a written statement, {O} said it remained committed to reaching an agreement by {D}.",
    "{S2} pointed to similar schemes in {C2}, where costs rose by {N} percent in two years.",
    "Local businesses said uncertainty over {T} had already delayed hiring.",
    "The minister is expected to visit {C2} next week to meet representatives of {O}.",
    "\"This is about trust,\" {S1} {V}. \"People want to see the evidence.\"",
    "Figures released on {D} showed a {N} percent rise in complaints about {T}.",
    "Engineers from {O} will inspect the site in {C} before any work begins.",
    "{P1} and {P2} are due to meet again after the holiday break.",
    "An independent review of {T} found no evidence of wrongdoing but urged clearer reporting.",
    "The announcement comes after {N2} weeks of protests in {C} and {C2}.",
]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def make_article(i, prefix, rng):
    p1 = (rng.choice(_FIRST), rng.choice(_LAST))
    p2 = (rng.choice(_FIRST), rng.choice(_LAST))
    fill = {
        "P1": "%s %s" % p1, "P2": "%s %s" % p2, "S1": p1[1], "S2": p2[1],
        "O": rng.choice(_ORG), "C": rng.choice(_PLACE), "C2": rng.choice(_PLACE), "T": rng.choice(_TOPIC),
        "V": rng.choice(_VERB), "V2": rng.choice(["said", "added", "noted"]),
        "D": "%d %s" % (rng.randint(1, 28), rng.choice(_MONTHS)),
        "N": str(rng.randint(2, 97)), "N2": str(rng.randint(2, 30)),
    }
    k = rng.randint(5, 9)
    sents = [t.format(**fill) for t in rng.sample(_TEMPLATES, k)]
    # A unique closing line keeps every article distinct for dedup.
    sents.append("Reference %s-%d: filed by the %s desk at %02d:%02d." % (
        prefix, i, fill["C"], rng.randint(0, 23), rng.randint(0, 59)))
    paras, cur = [], []
    for s in sents:
        cur.append(s)
        if len(cur) >= rng.randint(1, 3):
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return {
        "id": "%s-%06d" % (prefix, i),
        "title": "%s: %s under review" % (fill["C"], fill["T"].capitalize()),
        "source": "wirestream-test-wire",
        "url": "https://news.example.test/%s/%d" % (prefix, i),
        "date": "2026-%02d-%02dT%02d:00:00Z" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23)),
        "body": "\n\n".join(paras) + "\n",
    }


def make_articles(n, prefix, seed=1):
    rng = random.Random("%s/%d" % (prefix, seed))
    return [make_article(i, prefix, rng) for i in range(n)]


def article_message(a, headers=None):
    return {"key": a["id"], "value": json.dumps(a, ensure_ascii=False), "headers": headers}


def produce_backlog_then_paced(topic, articles, backlog, rate, brokers=None, props=None):
    """The first `backlog` articles at once (acknowledged on return), the rest
    at `rate` per second in the background, so input is still arriving while
    wirestream runs.  Returns the running producer."""
    produce(topic, [article_message(a) for a in articles[:backlog]], brokers=brokers, props=props)
    return produce(topic, [article_message(a) for a in articles[backlog:]], rate=rate, brokers=brokers,
                   props=props, background=True)


# ------------------------------------------------------------------ schema

def schema_validator():
    path = os.path.join(SRC, "docs", "record.schema.json")
    check(os.path.exists(path), "docs/record.schema.json is missing")
    try:
        import jsonschema
    except ImportError:
        raise TestFailure("python3-jsonschema is not installed for %s (scripts/install-deps.sh)"
                          % sys.executable)
    with open(path) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_records(records, validator):
    """Fail with the first few schema errors, naming the record id."""
    bad = []
    for r in records:
        errs = sorted(validator.iter_errors(r), key=lambda e: list(e.path))
        if errs:
            e = errs[0]
            bad.append("%s: %s at /%s" % (r.get("id"), e.message[:200], "/".join(map(str, e.path))))
    check(not bad, "%d records fail docs/record.schema.json, e.g.:\n  %s" % (len(bad), "\n  ".join(bad[:5])))


# ------------------------------------------------------------------ brokers

class Broker:
    """A broker run by scripts/kafka-broker.sh on its own ports and state dir."""

    def __init__(self, port, cport, home=None, extra_props=None):
        self.port = port
        self.cport = cport
        self.home = home or os.environ.get("WS_KAFKA_HOME") or os.path.join(SRC, "build", "kafka")
        self.extra = extra_props
        self.bootstrap = "127.0.0.1:%d" % port

    def _run(self, cmd, timeout=300):
        env = dict(os.environ, WS_KAFKA_PORT=str(self.port), WS_KAFKA_CONTROLLER_PORT=str(self.cport),
                   WS_KAFKA_HOME=self.home)
        env.pop("WS_KAFKA_EXTRA_PROPS", None)
        if self.extra:
            env["WS_KAFKA_EXTRA_PROPS"] = self.extra
        t0 = time.time()
        r = subprocess.run([os.path.join(SRC, "scripts", "kafka-broker.sh"), cmd], env=env,
                           capture_output=True, timeout=timeout)
        if r.returncode != 0:
            raise TestFailure("kafka-broker.sh %s (port %d) failed: %s" % (
                cmd, self.port, (r.stdout + r.stderr).decode(errors="replace")[-1500:]))
        log("broker %d: %s took %.1f s" % (self.port, cmd, time.time() - t0))

    def start(self):
        self._run("start")

    def answers(self):
        r = subprocess.run(["kcat", "-b", self.bootstrap, "-L", "-m", "3"], capture_output=True, timeout=30)
        return r.returncode == 0

    def stop(self):
        self._run("stop")

    def stop_keep_data(self):
        self._run("stop-keep-data")

    def start_keep_data(self):
        self._run("start-keep-data")


def own_broker():
    """The run's broker when scripts/test.sh owns it (tests may stop it), else None."""
    if os.environ.get("WS_TEST_BROKER_OWNED") != "1":
        return None
    return Broker(int(os.environ["WS_KAFKA_PORT"]), int(os.environ["WS_KAFKA_CONTROLLER_PORT"]))


class PrivateBroker(Broker):
    """A second broker on free ports, started by a test and stopped at its end."""

    def __init__(self, extra_props=None, port=None, cport=None):
        super().__init__(port or free_port(), cport or free_port(), extra_props=extra_props)
        self.started = False
        _live.append(self)

    def start(self):
        super().start()
        self.started = True

    def cleanup(self):
        if self.started:
            try:
                self.stop()
            except Exception as e:
                log("stopping private broker: %s" % e)
            shutil.rmtree(os.path.join(self.home, "run-%d" % self.port), ignore_errors=True)
