/* ws_kafka_tool.c -- the integration tests' Kafka helper: what kcat cannot do.
 *
 *   ws-kafka-tool [-b BROKERS] [-X key=value]... COMMAND ...
 *     create TOPIC PARTITIONS [name=value...]  create a topic, wait until it has leaders
 *     produce TOPIC [--rate N]                 stdin: one JSON object per line
 *         {"key": str|null, "key_hex": hex, "value": str|null, "value_hex": hex,
 *          "partition": n, "headers": [[name, str|null], ...]}
 *         every message must be acknowledged, else exit 1.  --rate paces it.
 *         A fatal idempotence error is survived on a new producer: the
 *         messages it failed are sent again (possibly twice, never lost).
 *         WS_KAFKA_TOOL_FATAL_AFTER=N raises a test fatal error after N.
 *     consume TOPIC [--read-committed] [--no-value] [--timeout-ms N]
 *         every record from the start to the end of each partition, one JSON
 *         object per line: {"partition","offset","timestamp","key","value",
 *         "headers"}; bytes that are not UTF-8 text come as "<field>_hex".
 *         A missing topic prints nothing.
 *     offsets GROUP TOPIC
 *         {"topic","partitions":[{"partition","committed","low","high"}]}
 *         committed is -1 when the group has none (kcat cannot read these).
 *
 * Exit codes: 0 ok, 1 Kafka error, 2 usage, 3 timeout. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include <librdkafka/rdkafka.h>

#define MAX_PROPS 64

static const char *brokers = "127.0.0.1:19092";
static const char *prop_keys[MAX_PROPS];
static const char *prop_vals[MAX_PROPS];
static int nprops;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die_usage(void) {
    fprintf(stderr,
            "usage: ws-kafka-tool [-b BROKERS] [-X k=v]... create TOPIC PARTITIONS [k=v...]\n"
            "       ... produce TOPIC [--rate N] < lines.jsonl\n"
            "       ... consume TOPIC [--read-committed] [--no-value] [--timeout-ms N]\n"
            "       ... offsets GROUP TOPIC\n");
    exit(2);
}

static rd_kafka_t *new_client(rd_kafka_type_t type, const char *const *extra, int nextra,
                              void (*on_delivery)(rd_kafka_t *, const rd_kafka_message_t *, void *)) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (on_delivery) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof(err)) != RD_KAFKA_CONF_OK)
        goto fail;
    for (int i = 0; i + 1 < nextra; i += 2)
        if (rd_kafka_conf_set(conf, extra[i], extra[i + 1], err, sizeof(err)) != RD_KAFKA_CONF_OK)
            goto fail;
    for (int i = 0; i < nprops; i++)
        if (rd_kafka_conf_set(conf, prop_keys[i], prop_vals[i], err, sizeof(err)) != RD_KAFKA_CONF_OK)
            goto fail;
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof(err));
    if (!rk) {
        fprintf(stderr, "ws-kafka-tool: %s\n", err);
        exit(1);
    }
    return rk;
fail:
    fprintf(stderr, "ws-kafka-tool: config: %s\n", err);
    rd_kafka_conf_destroy(conf);
    exit(2);
}

/* Partition count of topic, 0 when it does not exist, -1 on error. */
static int partition_count(rd_kafka_t *rk, const char *topic, int timeout_ms) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int n = -1;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
        const rd_kafka_metadata_topic_t *t = &md->topics[0];
        if (t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) n = 0;
        else if (t->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            n = t->partition_cnt;
            for (int i = 0; i < t->partition_cnt; i++)
                if (t->partitions[i].leader < 0 || t->partitions[i].err) n = -1;
        }
    } else if (e) {
        fprintf(stderr, "ws-kafka-tool: metadata: %s\n", rd_kafka_err2str(e));
    }
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return n;
}

/* ------------------------------------------------------------------ create */

static int cmd_create(int argc, char **argv) {
    if (argc < 2) die_usage();
    const char *topic = argv[0];
    int parts = atoi(argv[1]);
    char err[512];
    rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, NULL, 0, NULL);
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, parts, 1, err, sizeof(err));
    if (!nt) {
        fprintf(stderr, "ws-kafka-tool: %s\n", err);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) die_usage();
        *eq = '\0';
        rd_kafka_NewTopic_set_config(nt, argv[i], eq + 1);
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opt, 30000, err, sizeof(err));
    rd_kafka_CreateTopics(rk, &nt, 1, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 60000);
    int rc = 0;
    if (!ev) {
        fprintf(stderr, "ws-kafka-tool: create %s: no answer in 60 s\n", topic);
        rc = 3;
    } else if (rd_kafka_event_error(ev)) {
        fprintf(stderr, "ws-kafka-tool: create %s: %s\n", topic, rd_kafka_event_error_string(ev));
        rc = 1;
    } else {
        size_t n;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        for (size_t i = 0; i < n; i++)
            if (rd_kafka_topic_result_error(res[i])) {
                fprintf(stderr, "ws-kafka-tool: create %s: %s\n", topic,
                        rd_kafka_topic_result_error_string(res[i]));
                rc = 1;
            }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    /* The controller answers before every partition has a leader in metadata. */
    if (rc == 0) {
        int64_t deadline = now_ms() + 30000;
        while (partition_count(rk, topic, 5000) != parts) {
            if (now_ms() > deadline) {
                fprintf(stderr, "ws-kafka-tool: %s has no leaders after 30 s\n", topic);
                rc = 3;
                break;
            }
            struct timespec ts = {0, 100 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    rd_kafka_destroy(rk);
    return rc;
}

/* ----------------------------------------------------------------- produce */

static long delivered, failed;

/* librdkafka 2.0.2's idempotent producer can fail fatally with "out of order
 * sequence number" when a broker comes back from an outage (fixed upstream
 * in 2.3.0, librdkafka#4438).  The messages it fails then are kept here and
 * sent again on a fresh producer, so a paced producer survives the outage
 * tests it feeds.  A message may be written twice that way, never lost. */
typedef struct resend {
    struct resend *next;
    char *topic;
    int32_t partition;
    void *key, *value;   /* value NULL: a tombstone */
    size_t klen, vlen;
    rd_kafka_headers_t *hdrs;
} resend_t;

static resend_t *resend_head, **resend_tail = &resend_head;
static long resent;

static void *dup_bytes(const void *p, size_t n) {
    void *d = malloc(n ? n : 1);
    if (n) memcpy(d, p, n);
    return d;
}

static void keep_for_resend(const rd_kafka_message_t *m) {
    resend_t *r = calloc(1, sizeof(*r));
    r->topic = strdup(rd_kafka_topic_name(m->rkt));
    r->partition = m->partition;
    r->key = m->key ? dup_bytes(m->key, m->key_len) : NULL;
    r->klen = m->key_len;
    r->value = m->payload ? dup_bytes(m->payload, m->len) : NULL;
    r->vlen = m->len;
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) r->hdrs = rd_kafka_headers_copy(h);
    *resend_tail = r;
    resend_tail = &r->next;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)opaque;
    if (!m->err) {
        delivered++;
    } else if (rd_kafka_fatal_error(rk, NULL, 0)) {
        keep_for_resend(m);
    } else {
        failed++;
        if (failed <= 5)
            fprintf(stderr, "ws-kafka-tool: delivery failed: %s\n", rd_kafka_err2str(m->err));
    }
}

static rd_kafka_t *new_producer(void) {
    const char *extra[] = {"enable.idempotence", "true", "linger.ms", "5",
                           "message.timeout.ms", "120000"};
    return new_client(RD_KAFKA_PRODUCER, extra, 6, on_delivery);
}

/* Produces one message, waiting while the queue is full.  Headers pass to
 * librdkafka on success and stay the caller's on failure. */
static rd_kafka_resp_err_t produce_msg(rd_kafka_t *rk, const char *topic, int32_t part,
                                       const void *key, size_t klen, const void *payload,
                                       size_t vlen, rd_kafka_headers_t *hdrs) {
    rd_kafka_resp_err_t e;
    for (;;) {
        e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
                              RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)payload, vlen),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
                              RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
        rd_kafka_poll(rk, 100);
    }
    return e;
}

#define MAX_RECOVERIES 5

/* After a fatal error: collect every message the old producer still holds,
 * then send them again on a new one.  Returns the producer to go on with,
 * NULL when recovery is out of attempts or fails. */
static rd_kafka_t *recover(rd_kafka_t *rk, int *recoveries) {
    char reason[512];
    rd_kafka_fatal_error(rk, reason, sizeof(reason));
    if (++*recoveries > MAX_RECOVERIES) {
        fprintf(stderr, "ws-kafka-tool: fatal producer error, giving up after %d recoveries: %s\n",
                MAX_RECOVERIES, reason);
        for (resend_t *r = resend_head; r; r = r->next) failed++;
        return NULL;
    }
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk, 10000);
    rd_kafka_destroy(rk);
    rk = new_producer();
    long n = 0;
    while (resend_head) {
        resend_t *r = resend_head;
        resend_head = r->next;
        if (!resend_head) resend_tail = &resend_head;
        rd_kafka_resp_err_t e = produce_msg(rk, r->topic, r->partition, r->key, r->klen, r->value,
                                            r->vlen, r->hdrs);
        if (e) {
            if (r->hdrs) rd_kafka_headers_destroy(r->hdrs);
            failed++;
            fprintf(stderr, "ws-kafka-tool: resend: %s\n", rd_kafka_err2str(e));
        }
        n++;
        free(r->topic);
        free(r->key);
        free(r->value);
        free(r);
    }
    resent += n;
    fprintf(stderr, "ws-kafka-tool: fatal producer error (%s); sent %ld messages again on a new "
            "producer\n", reason, n);
    return rk;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The bytes of field `name` (text) or `name_hex`: *out NULL for JSON null or
 * absent (malloc'd otherwise).  Returns -1 on a malformed field. */
static int field_bytes(const cJSON *o, const char *name, char **out, size_t *len) {
    char hexname[64];
    snprintf(hexname, sizeof(hexname), "%s_hex", name);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, hexname);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    *len = 0;
    if (cJSON_IsString(h)) {
        size_t n = strlen(h->valuestring);
        if (n % 2) return -1;
        char *b = malloc(n / 2 + 1);
        for (size_t i = 0; i < n / 2; i++) {
            int a = hexval(h->valuestring[2 * i]), c = hexval(h->valuestring[2 * i + 1]);
            if (a < 0 || c < 0) {
                free(b);
                return -1;
            }
            b[i] = (char)(a * 16 + c);
        }
        *out = b;
        *len = n / 2;
    } else if (cJSON_IsString(s)) {
        *len = strlen(s->valuestring);
        *out = malloc(*len + 1);
        memcpy(*out, s->valuestring, *len + 1);
    } else if (s && !cJSON_IsNull(s)) {
        return -1;
    }
    return 0;
}

/* 1 when the line carries a non-null value (possibly empty). */
static int has_value(const cJSON *o) {
    return cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "value")) ||
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "value_hex"));
}

static int cmd_produce(int argc, char **argv) {
    if (argc < 1) die_usage();
    const char *topic = argv[0];
    double rate = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rate") && i + 1 < argc) rate = atof(argv[++i]);
        else die_usage();
    }
    rd_kafka_t *rk = new_producer();
    int recoveries = 0;
    const char *fa = getenv("WS_KAFKA_TOOL_FATAL_AFTER");
    long fatal_after = fa ? atol(fa) : -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, sent = 0;
    int rc = 0;
    int64_t t0 = now_ms();
    while ((n = getline(&line, &cap, stdin)) > 0) {
        lineno++;
        cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
        char *key = NULL, *val = NULL;
        size_t klen = 0, vlen = 0;
        if (!cJSON_IsObject(o) || field_bytes(o, "key", &key, &klen) ||
            field_bytes(o, "value", &val, &vlen)) {
            fprintf(stderr, "ws-kafka-tool: stdin line %ld: bad record\n", lineno);
            cJSON_Delete(o);
            free(key);
            free(val);
            rc = 2;
            break;
        }
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "partition");
        int32_t part = cJSON_IsNumber(p) ? (int32_t)p->valueint : RD_KAFKA_PARTITION_UA;
        rd_kafka_headers_t *hdrs = NULL;
        const cJSON *hs = cJSON_GetObjectItemCaseSensitive(o, "headers");
        if (cJSON_IsArray(hs) && cJSON_GetArraySize(hs) > 0) {
            hdrs = rd_kafka_headers_new((size_t)cJSON_GetArraySize(hs));
            const cJSON *h;
            cJSON_ArrayForEach(h, hs) {
                const cJSON *hn = cJSON_GetArrayItem(h, 0), *hv = cJSON_GetArrayItem(h, 1);
                if (!cJSON_IsString(hn)) continue;
                if (cJSON_IsString(hv))
                    rd_kafka_header_add(hdrs, hn->valuestring, -1, hv->valuestring, -1);
                else
                    rd_kafka_header_add(hdrs, hn->valuestring, -1, NULL, 0);
            }
        }
        /* "value": "" stays an empty message; only null or absent is a tombstone. */
        static char empty[1];
        const char *payload = val ? val : (vlen == 0 && has_value(o) ? empty : NULL);
        rd_kafka_resp_err_t e;
        while ((e = produce_msg(rk, topic, part, key, klen, payload, vlen, hdrs)) ==
                   RD_KAFKA_RESP_ERR__FATAL &&
               (rk = recover(rk, &recoveries)) != NULL)
            ;
        if (e) {
            fprintf(stderr, "ws-kafka-tool: produce: %s\n", rd_kafka_err2str(e));
            if (hdrs) rd_kafka_headers_destroy(hdrs);
            rc = 1;
        }
        free(key);
        free(val);
        cJSON_Delete(o);
        if (rc) break;
        sent++;
        rd_kafka_poll(rk, 0);
        if (rate > 0) {
            int64_t due = t0 + (int64_t)(sent * 1000.0 / rate);
            while (now_ms() < due) rd_kafka_poll(rk, (int)(due - now_ms()));
        }
        if (sent == fatal_after)
            rd_kafka_test_fatal_error(rk, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                      "WS_KAFKA_TOOL_FATAL_AFTER");
        if (rd_kafka_fatal_error(rk, NULL, 0) && !(rk = recover(rk, &recoveries))) {
            rc = 1;
            break;
        }
    }
    free(line);
    while (rk) {
        int timed_out = rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR;
        if (!rd_kafka_fatal_error(rk, NULL, 0)) {
            if (timed_out) {
                fprintf(stderr, "ws-kafka-tool: flush timed out\n");
                rc = rc ? rc : 3;
            }
            break;
        }
        if (!(rk = recover(rk, &recoveries))) rc = 1;
    }
    if (failed && !rc) rc = 1;
    fprintf(stderr, "ws-kafka-tool: produced %ld to %s (%ld acked, %ld failed, %ld sent again)\n",
            sent, topic, delivered, failed, resent);
    if (rk) rd_kafka_destroy(rk);
    return rc;
}

/* ----------------------------------------------------------------- consume */

static int utf8_text(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c == 0) return 0; /* cJSON strings stop at NUL */
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) k = 1, min = 0x80, c &= 0x1F;
        else if ((c & 0xF0) == 0xE0) k = 2, min = 0x800, c &= 0x0F;
        else if ((c & 0xF8) == 0xF0) k = 3, min = 0x10000, c &= 0x07;
        else return 0;
        if (i + k >= n) return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            c = (c << 6) | (s[i + j] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
        i += k + 1;
    }
    return 1;
}

static void add_bytes(cJSON *o, const char *name, const void *p, size_t n) {
    if (!p) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    if (utf8_text(p, n)) {
        char *s = malloc(n + 1);
        memcpy(s, p, n);
        s[n] = '\0';
        cJSON_AddStringToObject(o, name, s);
        free(s);
        return;
    }
    static const char hx[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = hx[((const unsigned char *)p)[i] >> 4];
        s[2 * i + 1] = hx[((const unsigned char *)p)[i] & 15];
    }
    s[2 * n] = '\0';
    char hexname[64];
    snprintf(hexname, sizeof(hexname), "%s_hex", name);
    cJSON_AddStringToObject(o, hexname, s);
    free(s);
}

static int cmd_consume(int argc, char **argv) {
    if (argc < 1) die_usage();
    const char *topic = argv[0];
    int read_committed = 0, values = 1, timeout_ms = 60000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--read-committed")) read_committed = 1;
        else if (!strcmp(argv[i], "--no-value")) values = 0;
        else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc) timeout_ms = atoi(argv[++i]);
        else die_usage();
    }
    const char *extra[] = {"group.id", "ws-kafka-tool", "enable.partition.eof", "true",
                           "enable.auto.commit", "false",
                           "isolation.level", read_committed ? "read_committed" : "read_uncommitted"};
    rd_kafka_t *rk = new_client(RD_KAFKA_CONSUMER, extra, 8, NULL);
    int parts = partition_count(rk, topic, 10000);
    if (parts < 0) {
        int64_t deadline = now_ms() + 10000;
        while (parts < 0 && now_ms() < deadline) parts = partition_count(rk, topic, 5000);
    }
    if (parts <= 0) {
        rd_kafka_destroy(rk);
        if (parts == 0) return 0;
        fprintf(stderr, "ws-kafka-tool: no metadata for %s\n", topic);
        return 1;
    }
    rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(parts);
    for (int p = 0; p < parts; p++)
        rd_kafka_topic_partition_list_add(tl, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, tl);
    rd_kafka_topic_partition_list_destroy(tl);
    char *eof = calloc((size_t)parts, 1);
    int neof = 0, rc = 0;
    int64_t deadline = now_ms() + timeout_ms;
    while (neof < parts) {
        if (now_ms() > deadline) {
            fprintf(stderr, "ws-kafka-tool: consume %s: end not reached in %d ms\n", topic, timeout_ms);
            rc = 3;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (m->partition >= 0 && m->partition < parts && !eof[m->partition]) {
                eof[m->partition] = 1;
                neof++;
            }
        } else if (m->err) {
            fprintf(stderr, "ws-kafka-tool: consume %s: %s\n", topic, rd_kafka_message_errstr(m));
            if (m->err != RD_KAFKA_RESP_ERR__TRANSPORT && m->err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
                rc = 1;
                rd_kafka_message_destroy(m);
                break;
            }
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "partition", m->partition);
            cJSON_AddNumberToObject(o, "offset", (double)m->offset);
            cJSON_AddNumberToObject(o, "timestamp", (double)rd_kafka_message_timestamp(m, NULL));
            add_bytes(o, "key", m->key, m->key_len);
            if (values) add_bytes(o, "value", m->payload, m->len);
            else if (!m->payload) cJSON_AddNullToObject(o, "value");
            cJSON *ha = cJSON_AddArrayToObject(o, "headers");
            rd_kafka_headers_t *hdrs = NULL;
            if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                const char *hn;
                const void *hv;
                size_t hl;
                for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &hn, &hv, &hl) == 0; i++) {
                    cJSON *pair = cJSON_CreateArray();
                    cJSON_AddItemToArray(pair, cJSON_CreateString(hn));
                    if (!hv) cJSON_AddItemToArray(pair, cJSON_CreateNull());
                    else if (utf8_text(hv, hl)) {
                        char *s = malloc(hl + 1);
                        memcpy(s, hv, hl);
                        s[hl] = '\0';
                        cJSON_AddItemToArray(pair, cJSON_CreateString(s));
                        free(s);
                    } else {
                        cJSON_AddItemToArray(pair, cJSON_CreateString("<binary>"));
                    }
                    cJSON_AddItemToArray(ha, pair);
                }
            }
            char *s = cJSON_PrintUnformatted(o);
            fputs(s, stdout);
            fputc('\n', stdout);
            free(s);
            cJSON_Delete(o);
        }
        rd_kafka_message_destroy(m);
    }
    free(eof);
    fflush(stdout);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}

/* ----------------------------------------------------------------- offsets */

static int cmd_offsets(int argc, char **argv) {
    if (argc != 2) die_usage();
    const char *group = argv[0], *topic = argv[1];
    const char *extra[] = {"group.id", group, "enable.auto.commit", "false"};
    rd_kafka_t *rk = new_client(RD_KAFKA_CONSUMER, extra, 4, NULL);
    int parts = partition_count(rk, topic, 10000);
    if (parts <= 0) {
        fprintf(stderr, "ws-kafka-tool: offsets: topic %s unknown\n", topic);
        rd_kafka_destroy(rk);
        return 1;
    }
    rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(parts);
    for (int p = 0; p < parts; p++) rd_kafka_topic_partition_list_add(tl, topic, p);
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, tl, 30000);
    if (e) {
        fprintf(stderr, "ws-kafka-tool: committed: %s\n", rd_kafka_err2str(e));
        rd_kafka_topic_partition_list_destroy(tl);
        rd_kafka_destroy(rk);
        return 1;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "topic", topic);
    cJSON_AddStringToObject(o, "group", group);
    cJSON *arr = cJSON_AddArrayToObject(o, "partitions");
    int rc = 0;
    for (int i = 0; i < tl->cnt; i++) {
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t we =
            rd_kafka_query_watermark_offsets(rk, topic, tl->elems[i].partition, &lo, &hi, 10000);
        if (we) {
            fprintf(stderr, "ws-kafka-tool: watermarks: %s\n", rd_kafka_err2str(we));
            rc = 1;
        }
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "partition", tl->elems[i].partition);
        cJSON_AddNumberToObject(p, "committed", (double)(tl->elems[i].offset < 0 ? -1 : tl->elems[i].offset));
        cJSON_AddNumberToObject(p, "low", (double)lo);
        cJSON_AddNumberToObject(p, "high", (double)hi);
        cJSON_AddItemToArray(arr, p);
    }
    char *s = cJSON_PrintUnformatted(o);
    puts(s);
    free(s);
    cJSON_Delete(o);
    rd_kafka_topic_partition_list_destroy(tl);
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv) {
    int i = 1;
    const char *env = getenv("WS_TEST_BROKERS");
    if (env && *env) brokers = env;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-b") && i + 1 < argc) brokers = argv[++i];
        else if (!strcmp(argv[i], "-X") && i + 1 < argc && nprops < MAX_PROPS) {
            char *eq = strchr(argv[++i], '=');
            if (!eq) die_usage();
            *eq = '\0';
            prop_keys[nprops] = argv[i];
            prop_vals[nprops++] = eq + 1;
        } else die_usage();
    }
    if (i >= argc) die_usage();
    signal(SIGPIPE, SIG_IGN);
    const char *cmd = argv[i++];
    if (!strcmp(cmd, "create")) return cmd_create(argc - i, argv + i);
    if (!strcmp(cmd, "produce")) return cmd_produce(argc - i, argv + i);
    if (!strcmp(cmd, "consume")) return cmd_consume(argc - i, argv + i);
    if (!strcmp(cmd, "offsets")) return cmd_offsets(argc - i, argv + i);
    die_usage();
    return 2;
}
