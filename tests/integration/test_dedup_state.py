"""Dedup state shared through the state topic (issue 4), on a real broker.

Two wirestream instances in one group share a two-partition input; the dedup
entry has a per-test state_topic and drop_topic.

  1. Unique articles, spread over both partitions, are processed by both
     instances; the test waits until every fingerprint is on the state topic
     and then longer than the consistency window (docs/dedup.md).
  2. Exact copies (re-transmissions that differ in case, spacing and
     punctuation) and near copies (a trimmed, lightly edited body) of those
     articles, with new ids, go to the OTHER partition, so the instance that
     never saw the original must catch them from the state topic: they land
     on the drop topic naming their original, never on the output.  Two
     corrections (same id, new body) go to the other partition and pass as
     `update`; fresh controls pass as `unique`.
  3. A paced stream of new unique articles (plus late copies of phase-1
     articles) is in flight when one instance is SIGKILLed; a new instance
     joins the group.  Every unique id reaches the output, none is dropped,
     and every input past the killed instance's committed offset (re-consumed
     after the kill) reaches the output again with status unique or update.
  4. The survivors stop; a brand-new instance (same group) loads the state
     topic and catches copies of articles it never saw: one the killed
     instance had output, one from phase 1, and a copy of a correction's new
     body (the correction's fingerprint replaced the original's).  Its load
     must reach the end of every state partition although one partition
     keeps receiving writes meanwhile, and a fingerprint from a writer whose
     clock is 30 years fast must not expire what it remembers.

The articles are generated here (invented names and places)."""
import collections
import json
import os
import random
import re
import time

import harness as h

P1 = int(os.environ.get("WS_DDS_PHASE1", "40"))        # unique articles before the copies
P3_BACKLOG = int(os.environ.get("WS_DDS_BACKLOG", "400"))
P3_PACED = int(os.environ.get("WS_DDS_PACED", "600"))
RATE = int(os.environ.get("WS_DDS_RATE", "100"))
N_EXACT, N_NEAR, N_CORR, N_CTRL, N_LATE = 6, 6, 2, 4, 10
PARTS = 2
STATE_PARTS = 4
NOISE = int(os.environ.get("WS_DDS_NOISE", "45000"))   # extra state records before ws-d starts
# Longer than the consistency window in docs/dedup.md (linger + fetch wait, < 1 s).
SETTLE_S = 3.0
# The killed member holds its partitions until its session times out (default 45 s).
FAST_EVICT = {"kafka.session.timeout.ms": "10000", h.KEY["metrics_interval"]: "2000"}

# ------------------------------------------------------------------ articles

_SURNAMES = ["Arkwright", "Belcourt", "Corvino", "Dunleavy", "Eskelinen", "Fairbrook", "Grunewald",
             "Harrowgate", "Isberg", "Jankowicz", "Kestrel", "Lowenthal", "Mirabeau", "Nettleford",
             "Oakhurst", "Penrose", "Quennell", "Rothwell", "Sandoval", "Trevanion", "Ulverston",
             "Vasquez", "Wrexley", "Yardley", "Zelinski"]
_ORGS = ["Copperfield Grain Cooperative", "the Eastbrook Housing Trust", "Halden Freight Lines",
         "the Upper Valley Water Authority", "Marlow Street Credit Union", "the Northern Ferries Board",
         "Pinecrest Energy", "the Lakeside Teachers Association", "Redfern Cement Works",
         "the Tidewater Port Council", "Silverline Buses", "the Western Orchard Growers"]
_PLACES = ["Ashcombe", "Brackenridge", "Caldermouth", "Dunmore Falls", "Elmstead", "Fenwick Bay",
           "Glenhaven", "Hollowmere", "Ironbridge", "Kingsferry", "Larkspur", "Millbrook",
           "Northgate", "Oxbow", "Pellham", "Ravenscar"]
_THINGS = ["the ferry contract", "the new reservoir", "night bus routes", "the grain silo project",
           "dock worker pay", "the riverside flats", "school transport", "the rail depot",
           "winter heating grants", "the coastal path", "a tram extension", "cement exports",
           "orchard subsidies", "the bridge tolls", "water meters", "the market hall"]
_VERBS = ["said", "told reporters", "stated", "remarked", "explained", "argued", "conceded", "noted"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_SENTENCES = [
    "{S} of {O} {V} on {D} that {T} would be delayed until the spring.",
    "Councillors in {P} voted {A} to {B} to send {T} back for a second review.",
    "The plan, first proposed {Y} years ago, has already cost {M} million in studies.",
    "Shopkeepers near the harbour in {P} {V} that trade had fallen by {Q} percent since {D}.",
    "{S} {V} the decision was \"the only responsible choice\" given the state of {T}.",
    "Engineers hired by {O} found cracks in {R} of the {Z} inspected sections.",
    "A petition against {T} gathered {K} signatures in {P2} within a week.",
    "Opponents {V} that {O} had ignored warnings from its own auditors about {T}.",
    "Figures from {O} show that {Q} percent of households in {P} rely on {T}.",
    "The regional minister is due in {P2} on {D} to meet residents and {S2}.",
    "{S2}, who chairs the oversight panel, {V} that a final report would follow in {Y} months.",
    "Unions representing staff at {O} have threatened a {R}-day stoppage over {T}.",
    "Talks between {O} and the council broke up late on {D} without agreement.",
    "Local historians in {P} {V} that {T} had divided the town for a generation.",
    "Insurance costs linked to {T} have risen {R} times in the past decade, {S2} {V}.",
    "Families in {P2} were told to expect updates by letter rather than at public meetings.",
    "Traffic on the old coast road through {P} rose by {Q} percent after the closure.",
    "An earlier audit of {O} recommended that {T} be split into {R} smaller contracts.",
    "{S} declined to say whether {O} would seek compensation over {T}.",
    "Weather delays on {D} pushed back surveys of {T} by at least {Y} weeks.",
]


def make_article(rng, ident, when):
    """A 170-260 word wire story, unique through its random fills."""
    sents = []
    while len(" ".join(sents).split()) < rng.randint(170, 230):
        f = {"S": rng.choice(_SURNAMES), "S2": rng.choice(_SURNAMES), "O": rng.choice(_ORGS),
             "P": rng.choice(_PLACES), "P2": rng.choice(_PLACES), "T": rng.choice(_THINGS),
             "V": rng.choice(_VERBS), "D": rng.choice(_DAYS), "A": rng.randint(5, 19),
             "B": rng.randint(3, 12), "Y": rng.randint(2, 11), "M": rng.randint(3, 480),
             "Q": rng.randint(4, 63), "R": rng.randint(2, 9), "Z": rng.randint(10, 40),
             "K": rng.randint(1200, 98000)}
        sents.append(rng.choice(_SENTENCES).format(**f))
    sents.append("Filed as %s by the %s bureau." % (ident, rng.choice(_PLACES)))
    paras = [" ".join(sents[i:i + 3]) for i in range(0, len(sents), 3)]
    return {"id": ident, "title": "%s: dispute over %s" % (rng.choice(_PLACES), rng.choice(_THINGS)),
            "source": "dedup-state-test-wire", "date": when, "body": "\n\n".join(paras)}


def words(body):
    return re.findall(r"[a-z0-9]+", body.lower())


def jaccard5(a, b):
    def sh(t):
        w = words(t)
        return {tuple(w[i:i + 5]) for i in range(len(w) - 4)}
    x, y = sh(a), sh(b)
    return len(x & y) / float(len(x | y))


def exact_copy(orig, ident):
    """A re-transmission: new id and headline; the body differs only in case,
    spacing and punctuation, which normalisation folds away."""
    body = orig["body"].replace(". ", ".   ").replace(", ", " ; ").replace("\n\n", "\n \n")
    first, _, rest = body.partition(".")
    body = first.upper() + "." + rest
    check_words = words(body) == words(orig["body"])
    h.check(check_words, "test bug: the exact copy of %s does not normalise to the same words" % orig["id"])
    return dict(orig, id=ident, title="RESEND: " + orig["title"], body=body)


def near_copy(orig, ident):
    """A trimmed rewrite: the closing line dropped and, if the copy stays at
    word-5-gram Jaccard >= 0.92, one verb swapped; no figure contradicted.
    (At 0.92 the 96-byte sketch's estimate falls below the 0.8 threshold
    about once in 10^5, so the test does not flake on sketch noise.)"""
    trimmed = orig["body"][:orig["body"].rindex("Filed as ")].rstrip()   # make_article's closing line
    body = trimmed
    for old, new in (("told reporters", "told journalists"), (" argued ", " contended "),
                     (" noted ", " observed "), (" stated ", " declared "), (" said ", " insisted ")):
        if old in trimmed:
            body = trimmed.replace(old, new, 1)
            break
    if jaccard5(orig["body"], body) < 0.92:
        body = trimmed
    j = jaccard5(orig["body"], body)
    h.check(0.92 <= j < 1.0, "test bug: near copy of %s has word-5-gram Jaccard %.3f" % (orig["id"], j))
    return dict(orig, id=ident, title=orig["title"] + " (updated headline)", body=body)


def fingerprint(ts, exact):
    """A state-topic value as processors/dedup/dd_fp.h lays it out: version
    1, no flags, 5-word shingles, no signature, then ts, exact hash and an
    empty figures set (little-endian)."""
    return bytes([1, 0, 5, 0]) + ts.to_bytes(4, "little") + exact.to_bytes(8, "little") + bytes(8)


def message(a, partition):
    m = h.article_message(a)
    m["partition"] = partition
    return m


# ------------------------------------------------------------------ helpers

def events(proc, msg):
    return [o for o in h.log_lines(proc) if o.get("msg") == msg]


def assignment(proc, topic):
    """Partitions of topic the process holds now, from its assign/revoke log."""
    held = set()
    for o in h.log_lines(proc):
        if o.get("msg") not in ("partitions assigned", "partitions revoked"):
            continue
        for tp in o.get("partitions", []):
            t, _, p = tp.rpartition("[")
            if t != topic:
                continue
            if o["msg"] == "partitions assigned":
                held.add(int(p.rstrip("]")))
            else:
                held.discard(int(p.rstrip("]")))
    return held


def n_rebalance_events(proc):
    return sum(1 for o in h.log_lines(proc) if o.get("msg") in ("partitions assigned", "partitions revoked"))


def records(topic):
    """[(Message, parsed JSON or None)] of every record in topic."""
    out = []
    for m in h.consume(topic):
        try:
            out.append((m, m.json()))
        except (TypeError, ValueError):
            out.append((m, None))
    return out


def by_key(recs):
    d = collections.defaultdict(list)
    for m, o in recs:
        d[m.key.decode() if m.key is not None else None].append((m, o))
    return d


def status(o):
    return ((o or {}).get("dedup") or {}).get("status")


def alive_all(procs):
    for p in procs:
        h.check(p.alive(), "%s exited early (rc %s); log tail:\n%s" % (p.name, p.returncode(), p.tail()))


def wait_judged(out_topic, drop_topic, want, ready, what, timeout=60):
    """Wait until every id in want is dropped or (a failure) output, and
    ready(outputs) holds; fail naming the copies that passed.  Returns the
    drop and output records by key."""
    deadline = time.time() + timeout
    while True:
        drops, outs = by_key(records(drop_topic)), by_key(records(out_topic))
        judged = set(want) & (set(drops) | set(outs))
        if (judged == set(want) and ready(outs)) or time.time() > deadline:
            break
        time.sleep(1.0)
    passed = {k: [status(o) for _, o in outs[k]] for k in sorted(set(want) & set(outs))}
    h.check(not passed, "%s passed to the output instead of being dropped: %s" % (what, passed))
    h.check(judged == set(want), "after %d s, %d of %d %s were neither dropped nor output" % (
        timeout, len(set(want) - judged), len(want), what))
    return drops, outs


def check_dropped(drops, outs, want, what):
    """want: {dup id: (original id, expected status)}.  Each is on the drop
    topic with the right reason and original, and never on the output."""
    for dup, (orig, st) in sorted(want.items()):
        h.check(dup not in outs, "%s %s (copy of %s) reached the output with status %s instead of being "
                "dropped" % (what, dup, orig, [status(o) for _, o in outs.get(dup, [])]))
        for m, o in drops[dup]:
            d = (o or {}).get("dedup") or {}
            h.check(d.get("status") == st and m.header("ws.drop.reason") == st,
                    "%s %s: drop record has status %r, reason header %r; want %r" % (
                        what, dup, d.get("status"), m.header("ws.drop.reason"), st))
            h.check(d.get("duplicate_of") == orig, "%s %s: duplicate_of is %r, want its original %r" % (
                what, dup, d.get("duplicate_of"), orig))
            sim = d.get("similarity")
            h.check(isinstance(sim, (int, float)) and (sim == 1.0 if st == "duplicate" else 0.8 <= sim <= 1.0),
                    "%s %s: similarity %r does not fit status %s" % (what, dup, sim, st))


# ------------------------------------------------------------------ the test

def test():
    n = h.names("dedup-state")
    state_topic, drop_topic = n["in"][:-3] + "-state", n["in"][:-3] + "-drop"
    # Only the dedup entry: this test is about its state, and the other
    # processors' data files are not needed for it.
    cfg = os.path.join(h.tmpdir("dedup-state-config"), "wirestream.json")
    with open(cfg, "w") as f:
        json.dump({"log": {"format": "json", "level": "info"},
                   "pipeline": [{"name": "dedup", "state_topic": state_topic, "drop_topic": drop_topic}]}, f)
    sets = FAST_EVICT
    h.create_topic(n["in"], PARTS)
    # Four state partitions whatever the broker's default, so phase 4 can
    # keep writing to one of them while the others are still loading.
    h.create_topic(state_topic, STATE_PARTS, **{"cleanup.policy": "compact"})
    rng = random.Random("dedup-state/" + h.RUN_ID)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())  # inside the 72 h window
    pre = "dds%s" % h.RUN_ID

    # ---- two instances, one partition each
    a = h.wirestream(n, name="ws-a", config=cfg, sets=sets)
    b = h.wirestream(n, name="ws-b", config=cfg, sets=sets)
    split = lambda: (len(assignment(a, n["in"])) == 1 and len(assignment(b, n["in"])) == 1 and
                     assignment(a, n["in"]) != assignment(b, n["in"]))
    h.wait_until(lambda: (alive_all([a, b]) or split()), 120,
                 "ws-a and ws-b to hold one input partition each")
    pa, pb = assignment(a, n["in"]).pop(), assignment(b, n["in"]).pop()
    reb = (n_rebalance_events(a), n_rebalance_events(b))
    h.log("ws-a holds partition %d, ws-b partition %d" % (pa, pb))

    # ---- phase 1: unique articles over both partitions
    p1 = [make_article(rng, "%s-u%04d" % (pre, i), now) for i in range(P1)]
    part_of = {x["id"]: i % PARTS for i, x in enumerate(p1)}
    h.produce(n["in"], [message(x, part_of[x["id"]]) for x in p1])
    h.wait_for_keys(n["out"], [x["id"] for x in p1], 120, what="phase-1 output", proc=a)
    alive_all([a, b])
    # Both instances wrote fingerprints; wait until all are on the state topic.
    h.wait_until(lambda: {x["id"] for x in p1} <= set(h.keys_of(h.consume(state_topic, values=False))), 60,
                 "a fingerprint of every phase-1 article on the state topic %s" % state_topic)
    time.sleep(SETTLE_S)

    # ---- phase 2: copies on the other partition, corrections, controls
    src = p1[:N_EXACT + N_NEAR + N_CORR]
    want_drop = {}
    msgs = []
    for i, o in enumerate(src[:N_EXACT]):
        c = exact_copy(o, "%s-x%02d" % (pre, i))
        want_drop[c["id"]] = (o["id"], "duplicate")
        msgs.append(message(c, 1 - part_of[o["id"]]))
    for i, o in enumerate(src[N_EXACT:N_EXACT + N_NEAR]):
        c = near_copy(o, "%s-n%02d" % (pre, i))
        want_drop[c["id"]] = (o["id"], "near_duplicate")
        msgs.append(message(c, 1 - part_of[o["id"]]))
    corrected = {}
    for o in src[N_EXACT + N_NEAR:]:
        c = make_article(rng, o["id"], now)   # same id, a new body: a correction
        corrected[o["id"]] = c
        msgs.append(message(c, 1 - part_of[o["id"]]))
    ctrl = [make_article(rng, "%s-c%02d" % (pre, i), now) for i in range(N_CTRL)]
    msgs += [message(x, i % PARTS) for i, x in enumerate(ctrl)]
    rng.shuffle(msgs)
    h.produce(n["in"], msgs)

    drops, outs = wait_judged(n["out"], drop_topic, want_drop, lambda outs: {x["id"] for x in ctrl} <= set(
        outs) and all(any(status(o) == "update" for _, o in outs.get(k, [])) for k in corrected),
        "copies of phase-1 articles sent to the other partition %.0f s after the state topic had caught up"
        % SETTLE_S)
    h.check(all(any(status(o) == "update" for _, o in outs.get(k, [])) for k in corrected),
            "corrections (same id, new body, other partition) should pass as update; statuses: %s" % (
                {k: [status(o) for _, o in outs.get(k, [])] for k in corrected}))
    check_dropped(drops, outs, want_drop, "phase-2 copy")
    for x in ctrl:
        h.check([status(o) for _, o in outs[x["id"]]] == ["unique"],
                "control %s: statuses %s, want one unique" % (x["id"], [status(o) for _, o in outs[x["id"]]]))
    h.check((n_rebalance_events(a), n_rebalance_events(b)) == reb and assignment(a, n["in"]) == {pa},
            "a rebalance happened during phases 1-2, so the copies may not have crossed instances")
    h.log("phase 2: %d exact and %d near copies dropped across instances, %d corrections passed as update"
          % (N_EXACT, N_NEAR, N_CORR))

    # ---- phase 3: kill -9 ws-a with records in flight, a new instance joins
    p3 = [make_article(rng, "%s-k%04d" % (pre, i), now) for i in range(P3_BACKLOG + P3_PACED)]
    late_src = p1[N_EXACT + N_NEAR + N_CORR:N_EXACT + N_NEAR + N_CORR + N_LATE]
    late = {}
    m3 = [message(x, i % PARTS) for i, x in enumerate(p3)]
    for i, o in enumerate(late_src):
        c = exact_copy(o, "%s-l%02d" % (pre, i))
        late[c["id"]] = (o["id"], "duplicate")
        m3.insert((i + 1) * len(m3) // (N_LATE + 1), message(c, i % PARTS))
    cut = P3_BACKLOG + N_LATE // 2
    h.produce(n["in"], m3[:cut])
    p3_ids = {x["id"] for x in p3}
    h.wait_until(lambda: len(p3_ids & set(h.keys_of(h.consume(n["out"], values=False)))) >= P3_BACKLOG // 2,
                 180, "%d phase-3 outputs before the kill" % (P3_BACKLOG // 2))
    # The paced rest starts only now and runs for seconds after the kill, so
    # input is arriving at ws-a's partition when it dies.  (Started with the
    # backlog, a slow build could finish it before that many outputs were
    # seen, leave ws-a with everything committed, and fail the check below.)
    prod = h.produce(n["in"], m3[cut:], rate=RATE, background=True)
    time.sleep(1.0)
    h.check(prod.alive(), "test bug: the paced producer (%d records at %d/s) ended within a second" % (
        len(m3) - cut, RATE))
    alive_all([a, b])
    a.kill9()
    kill_ms = int(time.time() * 1000)
    offs = h.offsets(n["group"], n["in"])
    committed_a = offs[pa][0]
    h.log("SIGKILL ws-a: its partition %d committed %d of %d" % (pa, committed_a, offs[pa][2]))
    h.check(committed_a < offs[pa][2], "ws-a's partition %d was fully committed (%d) at the kill: nothing was "
            "in flight, so the test proves nothing" % (pa, committed_a))
    c = h.wirestream(n, name="ws-c", config=cfg, sets=sets)
    rc = prod.wait(300)
    h.check(rc == 0, "the paced producer failed: %s" % prod.tail())

    unique_ids = {x["id"] for x in p1} | {x["id"] for x in ctrl} | p3_ids
    h.wait_for_keys(n["out"], unique_ids, 300, what="unique-article output", proc=b)
    h.wait_until(lambda: all(cm == hi for cm, _, hi in h.offsets(n["group"], n["in"]).values()), 120,
                 "committed offsets to reach the end of the input after the restart")
    alive_all([b, c])
    outs = by_key(records(n["out"]))
    drops = by_key(records(drop_topic))
    h.check(set(late) <= set(drops), "late copies of phase-1 articles not dropped after the kill: %s" % (
        sorted(set(late) - set(drops))[:5]))
    check_dropped(drops, outs, late, "late copy")

    # Nothing unique is dropped.
    wrongly = sorted(unique_ids & set(drops))
    h.check(not wrongly, "%d unique articles went to the drop topic, e.g. %s" % (
        len(wrongly), [(k, [status(o) for _, o in drops[k]]) for k in wrongly[:5]]))
    bad = {k: [status(o) for _, o in outs[k]] for k in unique_ids
           if any(status(o) not in (("unique", "update") if k in corrected else ("unique",)) for _, o in outs[k])}
    h.check(not bad, "%d unique articles have an unexpected dedup status, e.g. %s" % (
        len(bad), sorted(bad.items())[:5]))

    # Every input re-consumed after the kill (past ws-a's committed offset)
    # reaches the output again, after the kill.
    inputs_a = [m for m in h.consume(n["in"], values=False) if m.partition == pa and m.offset >= committed_a]
    replayed = [m.key.decode() for m in inputs_a if m.key.decode() in unique_ids]
    h.check(replayed, "no unique article lay past ws-a's committed offset at the kill")
    missing = [k for k in replayed if not any(m.timestamp and m.timestamp > kill_ms and
                                              status(o) in ("unique", "update") for m, o in outs[k])]
    h.check(not missing, "%d of %d replayed articles (past ws-a's committed offset %d) have no output "
            "record after the kill, e.g. %s" % (len(missing), len(replayed), committed_a, missing[:5]))
    twice = [k for k in replayed if any(m.timestamp and m.timestamp <= kill_ms for m, _ in outs[k])]
    h.log("phase 3: %d inputs replayed after the kill, %d of them processed twice (output before and "
          "after the kill), all passed as unique or update" % (len(replayed), len(twice)))
    h.check(any(k in p3_ids for k in twice), "no replayed phase-3 article had been output by ws-a before "
            "the kill: the test did not exercise a same-id replay")

    # ---- phase 4: a brand-new instance catches copies of articles it never saw
    for p in (b, c):
        p.signal(h.signal.SIGTERM)
    for p in (b, c):
        rc = p.wait(60)
        h.check(rc == 0, "%s exited %s after SIGTERM; log tail:\n%s" % (p.name, rc, p.tail()))
    # A state topic as large as production's takes many fetches to load, and
    # other instances keep writing to it meanwhile.  Stand-ins: records that
    # are not fingerprints (version byte 0: skipped like any garbage) on
    # partitions 1-3, a steady writer on partition 0 while ws-d loads, and
    # small fetches.  ws-d must still load every partition to its end
    # before it processes anything.  Among them, one well-formed fingerprint
    # from a writer whose clock is 30 years fast: it must not move ws-d's
    # window past everything it remembers.
    noise = [{"key": "%s-noise-%06d" % (pre, i), "value": b"\0" + rng.getrandbits(792).to_bytes(99, "big"),
              "partition": 1 + i % (STATE_PARTS - 1)} for i in range(NOISE)]
    noise.insert(NOISE // 2, {"key": pre + "-skewed-clock", "partition": 1, "value": fingerprint(
        int(time.time()) + 30 * 365 * 86400, rng.getrandbits(64))})
    h.produce(state_topic, noise)
    on_topic = len(h.consume(state_topic, values=False))
    trickle = h.produce(state_topic, [{"key": "%s-busy-%05d" % (pre, i), "value": "not a fingerprint",
                                       "partition": 0} for i in range(20000)], rate=500, background=True)
    time.sleep(1.0)
    d = h.wirestream(n, name="ws-d", config=cfg, sets=dict(sets, **{"kafka.max.partition.fetch.bytes": "20000"}))
    h.wait_until(lambda: alive_all([d]) or assignment(d, n["in"]) == set(range(PARTS)), 120,
                 "ws-d to hold every input partition")
    trickle.cleanup()
    loaded = events(d, "state loaded")
    h.check(loaded and loaded[0].get("records", 0) >= max(on_topic, len(unique_ids)),
            "ws-d started processing after loading %s state records, but the state topic already held %d "
            "(%d remembered articles): the load stopped before the end of every partition" % (
                loaded[0].get("records") if loaded else None, on_topic, len(unique_ids)))
    by_id = {x["id"]: x for x in p3}
    # A phase-3 article ws-a (killed) output, which ws-d never processed.
    # (twice may also hold phase-2 inputs when ws-a had not committed them.)
    seen_by_a = sorted(k for k in twice if k in by_id)[0]
    p1_unused = p1[N_EXACT + N_NEAR + N_CORR + N_LATE]
    corr_id = sorted(corrected)[0]
    final = {}
    x = exact_copy(by_id[seen_by_a], pre + "-z00")
    final[x["id"]] = (seen_by_a, "duplicate")
    y = near_copy(p1_unused, pre + "-z01")
    final[y["id"]] = (p1_unused["id"], "near_duplicate")
    z = exact_copy(corrected[corr_id], pre + "-z02")
    final[z["id"]] = (corr_id, "duplicate")
    ctl = make_article(rng, pre + "-z03", now)
    h.produce(n["in"], [message(x, 0), message(y, 1), message(z, 0), message(ctl, 1)])
    drops, outs = wait_judged(n["out"], drop_topic, final, lambda outs: ctl["id"] in outs,
                              "copies of articles ws-d knows only from the state topic")
    check_dropped(drops, outs, final, "ws-d copy")
    h.log("phase 4: ws-d loaded %d state records (%d on the topic before it started) and caught %d copies "
          "of articles it never saw" % (loaded[0]["records"], on_topic, len(final)))
    d.signal(h.signal.SIGTERM)
    rc = d.wait(60)
    h.check(rc == 0, "ws-d exited %s after SIGTERM; log tail:\n%s" % (rc, d.tail()))
    dlq = h.consume(n["dlq"], values=False)
    h.check(not dlq, "%d well-formed articles went to the DLQ, e.g. %s" % (len(dlq), h.keys_of(dlq)[:5]))


if __name__ == "__main__":
    h.main(test)
