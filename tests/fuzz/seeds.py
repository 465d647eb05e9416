#!/usr/bin/env python3
"""Writes the synthetic seed corpora in tests/fuzz/corpus/<target>/.

Every text here was written for wirestream (invented places, people and
events); nothing comes from ../shared.  Re-run after editing:
    python3 tests/fuzz/seeds.py
Files named crash-* / timeout-* / leak-* in the corpus are regression inputs
kept by hand; this script never touches them.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

BODIES = [
    "PORT ELLIS, Valdoria (Wire) - The Harbour Board said on Tuesday it would close two "
    "berths for repairs. \"We expect the work to take three weeks,\" said Marta Olsen, the "
    "board's chair. Olsen added that cargo would move to the north quay.\n",

    "Northwind Shipping Ltd. reported a 12% rise in quarterly revenue to $4.2 million on "
    "March 3, 2025. \u201cDemand held up better than we feared,\u201d chief executive Ivo "
    "Brandt told analysts. \u201cBut costs are rising,\u201d he said, \u201cand we will "
    "have to pass some of that on.\u201d\n",

    "The Valdorian minister, Ana Ruiz, said the plan was \u2018fair and overdue\u2019. "
    "Opposition leader Tomas Weber called it 'a gift to the few'. Ruiz rejected that. "
    "\"Nobody gets a gift,\" she said at 10:30 a.m. in the capital.\n",

    "\u00abNous restons prudents\u00bb, a d\u00e9clar\u00e9 le porte-parole. "
    "\u201eWir bleiben vorsichtig\u201c, sagte er sp\u00e4ter. The spokesman, "
    "Luc Marin, spoke in Geneva on 4 May.\n",

    "A short notice: the meeting is cancelled.\n",

    "\"It was loud,\" said one resident. \"Then it stopped.\"\n\n"
    "Police said about 200 people were evacuated. \"No one was hurt,\" "
    "Inspector Dana Kim of the city police told reporters. "
    "The fire started at around 2 a.m., officials said.\n",

    "WASHINGTON - Senator Elena Park (D-Ore.) said the bill, known as the Clean Harbors "
    "Act, would pass \"within weeks\". The U.S. Senate votes on Friday. Park, 54, has "
    "backed the measure since 2019; 61 percent of voters support it, a poll found.\n",

    "\u201cWe are not going to stop,\u201d said the coach. \u201cNot now, not ever.\u201d "
    "The team won 3-1 in the second leg, its first win in Europe since the 1990s. "
    "\u201cIt\u2019s a great night for the club,\u201d added captain Jo Smit.\n",
]

HTML = ("<p>PORT ELLIS &mdash; The board met on <b>Monday</b>.</p>"
        "<p>&ldquo;We&rsquo;re ready,&rdquo; said Marta Olsen.</p><br>"
        "<script>var x = 1;</script><p>Caf&eacute; owners &amp; traders agreed.&#8230;</p>")

TITLES = ["Harbour berths to close for repairs", "Northwind revenue up 12%",
          "Minister defends plan", "Spokesman urges caution", "Notice",
          "Residents evacuated after fire", "Harbors bill nears vote", "Late win for the club"]


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def article_json(i, body, **extra):
    obj = {"id": "wire-%03d" % i, "title": TITLES[i % len(TITLES)],
           "url": "https://news.example/%d" % i, "source": "Example Wire",
           "date": "2025-10-%02d" % (1 + i % 28), "body": body}
    obj.update(extra)
    return json.dumps(obj, ensure_ascii=(i % 2 == 0))


def main():
    # article: byte 0 = options (see fuzz_article.c), then the message.
    for i, b in enumerate(BODIES):
        put("article", "json-%d" % i, b"\x00" + article_json(i, b).encode())
        put("article", "text-%d" % i, bytes([0x02]) +
            (" date 2025-10-30 title %s %s" % (TITLES[i].split()[0], b)).encode())
    put("article", "html", bytes([0x04]) + json.dumps({"id": "h1", "body": HTML}).encode())
    put("article", "html-text", bytes([0x06]) + ("id h2\nurl https://x.example/a\n" + HTML).encode())
    put("article", "deep", b"\x08" + b'{"id":"d","body":"x","meta":' + b"[" * 40 + b"]" * 40 + b"}")
    put("article", "escapes", b"\x00" + b'{"id":"e\\u00e9","body":"tab\\there \\ud83d\\ude00 \\"q\\" \\\\ \\/ end"}')
    put("article", "alt-names", b"\x40" + b'{"guid":"g-1","story":"Renamed fields still parse."}')
    put("article", "published", b"\x00" + b'{"published_at":"2025-01-02T03:04:05Z","content":"Body under content."}')
    put("article", "not-object", b"\x00" + b'[1,2,3]')
    put("article", "bom", b"\x02\xef\xbb\xbfid b1 Body after a byte order mark.\n")
    put("article", "too-large", b"\x20" + b'{"body":"' + b"a" * 80 + b'"}')

    # config: JSONC text, then NUL-separated --set strings.
    cfg = open(os.path.join(HERE, "..", "..", "config", "wirestream.json"), encoding="utf-8").read()
    put("config", "shipped", cfg)
    put("config", "minimal", "{}")
    put("config", "sets", '{"pipeline":[{"name":"dedup"}]}\x00output.topic=o\x00pipeline.dedup.action=flag'
        '\x00kafka.sasl.password=hunter2\x00limits.record_timeout_ms=5')
    put("config", "secrets", json.dumps({
        "kafka": {"bootstrap.servers": "127.0.0.1:9093", "security.protocol": "SASL_SSL",
                  "sasl.mechanisms": "PLAIN", "sasl.username": "svc", "sasl.password": "s3cr3t",
                  "ssl.key.password": "k", "ssl.ca.location": "/etc/ca.pem"},
        "pipeline": [{"name": "dedup", "action": "flag", "threshold": 0.9, "window_on": "ingest"},
                     {"name": "people", "processor": "entities", "max_entities": 5},
                     {"name": "quotes", "entities_from": "people", "max_quotes": 2}]}))
    put("config", "commented", '// comment\n{ /* block */ "input": {"format": "text", "html": true,'
        ' "max_bytes": 100, "max_json_depth": 3, "fields": {"body": ["story"]},}, "log": {"level": "debug"},}')
    put("config", "bad-type", '{"workers": "two", "pipeline": [{"name": "dedup", "shingle": 99}]}')
    put("config", "disabled", '{"pipeline":[{"name":"dedup","enabled":false},{"name":"example"}],'
        '"delivery":"exactly_once","metrics":{"http_port":8080}}')

    # dedup: byte 0 = pipeline (drop/flag), pieces separated by 0x1E,
    # "date\x1Fbody", state records "\x1Dkey\x1Fvalue".
    long = BODIES[0] + BODIES[5]
    put("dedup", "exact", b"\x00" + (long + "\x1e" + long).encode())
    put("dedup", "near", b"\x01" + ("2025-10-30\x1f" + long + "\x1e2025-10-31\x1f" +
                                    long.replace("three weeks", "four weeks")).encode())
    put("dedup", "dates", b"\x03" + "\x1e".join(
        ["Tue, 28 Oct 2025 10:00:00 GMT\x1f" + BODIES[1], "2025-10-28T10:00:00Z\x1f" + BODIES[2],
         "not a date\x1f" + BODIES[3], "1999-01-01\x1f" + BODIES[6]]).encode())
    put("dedup", "state", b"\x00" + ("\x1dfz-1\x1f" + "x" * 40 + "\x1e\x1dfz-2\x1e" + BODIES[4]).encode())
    for i, b in enumerate(BODIES):
        put("dedup", "one-%d" % i, bytes([i & 3]) + b.encode())

    # entities and quotes: the body (quotes: byte 0 = entity mode).
    for i, b in enumerate(BODIES):
        put("entities", "body-%d" % i, b)
        put("quotes", "body-%d" % i, bytes([i & 3]) + b.encode())
    put("entities", "numbers", "On 12/03/2024 at 9:15 p.m. the index fell 3.5 percent to "
        "1,234.56 points; $12bn, \u20ac3.4 million, 40 km, the 3rd quarter, 1990s.\n")
    put("entities", "caps", "HARBOUR BOARD CHIEF QUITS\n\nMr. O'Neil-Smith of the Port "
        "Ellis Harbour Board and Dr. A. B. Carter met the U.N. envoy.\n")
    put("quotes", "nested", b"\x01" + ("He said: \"She told me 'never again', and meant it.\" "
                                       "Then: \"Fine,\" Carter said.\n").encode())
    put("quotes", "unbalanced", b"\x02\x05\x20\x80\x10" + "\u201cOpen quote and no close, said Olsen.".encode())
    put("quotes", "multi-para", b"\x01" + ("\u201cFirst paragraph of a long quote.\n\n"
                                           "\u201cSecond paragraph,\u201d the minister said.\n").encode())

    # pipeline: byte 0 = html / Kafka metadata, then the raw message.
    for i, b in enumerate(BODIES):
        put("pipeline", "json-%d" % i, bytes([i & 2]) + article_json(i, b).encode())
    put("pipeline", "text", b"\x02" + (" date 2025-10-30 " + BODIES[0]).encode())
    put("pipeline", "html", b"\x01" + json.dumps({"id": "h", "body": HTML}).encode())


if __name__ == "__main__":
    main()
