/* ws_metrics.c -- runtime counters, the periodic "metrics" log line and the
 * /metrics + /healthz pages (see ws_metrics.h and docs/metrics.md).
 *
 * Plain counters are C11 atomics so the hot path never takes a lock; the
 * by-reason maps and the partition table sit behind one short mutex.  Interval
 * values (rates, latency quantiles) are computed by whoever emits the line,
 * under emit_lock, from snapshots taken at the previous line. */
#include "ws_metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ws_buf.h"
#include "ws_histogram.h"
#include "ws_http.h"
#include "ws_log.h"

/* Reasons are a bounded set: past this many distinct ones, the rest are
 * counted under "other" so a processor with free-text reasons cannot grow
 * the line (or Prometheus' label cardinality) without bound. */
#define METRICS_MAX_REASONS 32
#define METRICS_REASON_LEN 48
#define METRICS_MIN_STALL_MS 30000

typedef struct {
    char name[METRICS_REASON_LEN];
    uint64_t n;
} reason_t;

typedef struct {
    reason_t r[METRICS_MAX_REASONS];
    size_t n;
    uint64_t total;
} reason_map_t;

typedef struct {
    char *topic;
    int32_t partition;
    int64_t hw;     /* -1 until known */
    int64_t done;   /* -1 until known */
} part_t;

typedef struct {
    ws_histogram_t start;       /* latency snapshot when the metrics started */
    ws_histogram_t prev;        /* latency snapshot at the previous line */
    uint64_t p50_us, p99_us;    /* over the last interval, for /metrics */
} entry_iv_t;

struct ws_metrics {
    int64_t interval_ms;
    int64_t stall_ms;
    int http_port;
    char *http_bind;
    ws_pipeline_t *pipeline;
    size_t n_entries;

    _Atomic uint64_t in_msgs, in_bytes, out_msgs, out_bytes;
    _Atomic uint64_t rebalances;
    _Atomic uint64_t e2e_max_iv;     /* max since the previous line */
    _Atomic uint64_t e2e_max_all;    /* max since start */
    _Atomic int64_t queue_depth;
    _Atomic uint64_t last_beat_ms;
    _Atomic int alive;
    ws_histogram_t e2e;              /* live, lock-free */

    pthread_mutex_t lock;            /* reasons, partitions, cached quantiles */
    reason_map_t dlq, dropped;
    part_t *parts;                   /* sorted by (topic, partition) */
    size_t nparts, capparts;
    uint64_t e2e_p50, e2e_p99, e2e_max;
    entry_iv_t *entries;

    pthread_mutex_t emit_lock;       /* interval state below */
    uint64_t start_ms;
    _Atomic uint64_t last_emit_ms;      /* read unlocked by ws_metrics_tick */
    uint64_t prev_in_msgs, prev_in_bytes, prev_out_msgs, prev_out_bytes;
    ws_histogram_t e2e_prev;
    ws_histogram_t scratch_now, scratch_diff;

    ws_metrics_sink_fn *sink;
    void *sink_ud;
    ws_metrics_clock_fn *clock;
    void *clock_ud;
    ws_http_t *http;
};

static uint64_t now_ms(const ws_metrics_t *m) {
    if (m->clock) return m->clock(m->clock_ud);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

ws_metrics_t *ws_metrics_new(const ws_config_t *cfg, ws_pipeline_t *pipeline,
                             char *err, size_t errlen) {
    ws_metrics_t *m = calloc(1, sizeof *m);
    if (!m) { snprintf(err, errlen, "metrics: out of memory"); return NULL; }
    /* 0 turns the periodic lines off; the final line is still written. */
    m->interval_ms = cfg ? cfg->metrics_interval_ms : 10000;
    if (m->interval_ms < 0) m->interval_ms = 0;
    if (m->interval_ms > 1000000000000LL) m->interval_ms = 1000000000000LL; /* no overflow below */
    m->stall_ms = m->interval_ms > METRICS_MIN_STALL_MS / 3 ? 3 * m->interval_ms
                                                          : METRICS_MIN_STALL_MS;
    m->http_port = cfg ? cfg->http_port : 0;
    m->http_bind = strdup(cfg && cfg->http_bind ? cfg->http_bind : "127.0.0.1");
    m->pipeline = pipeline;
    m->n_entries = pipeline ? ws_pipeline_size(pipeline) : 0;
    if (m->n_entries) m->entries = calloc(m->n_entries, sizeof *m->entries);
    if (!m->http_bind || (m->n_entries && !m->entries)) {
        snprintf(err, errlen, "metrics: out of memory");
        free(m->http_bind);
        free(m->entries);
        free(m);
        return NULL;
    }
    pthread_mutex_init(&m->lock, NULL);
    pthread_mutex_init(&m->emit_lock, NULL);
    ws_histogram_init(&m->e2e);
    ws_histogram_init(&m->e2e_prev);
    for (size_t i = 0; i < m->n_entries; i++) {
        ws_entry_stats_t st;
        ws_pipeline_stats(pipeline, i, &st);
        if (st.latency_us) ws_histogram_snapshot(st.latency_us, &m->entries[i].start);
        else ws_histogram_init(&m->entries[i].start);
        m->entries[i].prev = m->entries[i].start;
    }
    atomic_store(&m->alive, 1);
    m->start_ms = now_ms(m);
    atomic_store(&m->last_emit_ms, m->start_ms);
    atomic_store(&m->last_beat_ms, m->start_ms);
    return m;
}

void ws_metrics_free(ws_metrics_t *m) {
    if (!m) return;
    ws_http_stop(m->http);
    for (size_t i = 0; i < m->nparts; i++) free(m->parts[i].topic);
    free(m->parts);
    free(m->entries);
    free(m->http_bind);
    pthread_mutex_destroy(&m->lock);
    pthread_mutex_destroy(&m->emit_lock);
    free(m);
}

/* ------------------------------------------------------------- feeding */

void ws_metrics_in(ws_metrics_t *m, size_t bytes) {
    if (!m) return;
    atomic_fetch_add_explicit(&m->in_msgs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->in_bytes, bytes, memory_order_relaxed);
}

void ws_metrics_out(ws_metrics_t *m, size_t bytes) {
    if (!m) return;
    atomic_fetch_add_explicit(&m->out_msgs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->out_bytes, bytes, memory_order_relaxed);
}

/* Reason codes become JSON keys, logfmt keys and Prometheus label values:
 * keep them to [A-Za-z0-9_-] and a bounded length. */
static void reason_key(const char *reason, char *out) {
    size_t n = 0;
    if (reason)
        for (; reason[n] && n < METRICS_REASON_LEN - 1; n++) {
            char c = reason[n];
            int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '_' || c == '-';
            out[n] = ok ? c : '_';
        }
    if (n == 0) { strcpy(out, "unknown"); return; }
    out[n] = '\0';
}

static void reason_count(ws_metrics_t *m, reason_map_t *map, const char *reason) {
    char key[METRICS_REASON_LEN];
    reason_key(reason, key);
    pthread_mutex_lock(&m->lock);
    map->total++;
    size_t i;
    for (i = 0; i < map->n; i++)
        if (strcmp(map->r[i].name, key) == 0) break;
    if (i == map->n) {
        if (map->n >= METRICS_MAX_REASONS - 1 && strcmp(key, "other") != 0) {
            /* The last slot is reserved for "other". */
            strcpy(key, "other");
            for (i = 0; i < map->n; i++)
                if (strcmp(map->r[i].name, key) == 0) break;
        }
        if (i == map->n) {
            memcpy(map->r[i].name, key, sizeof key);
            map->r[i].n = 0;
            map->n++;
        }
    }
    map->r[i].n++;
    pthread_mutex_unlock(&m->lock);
}

void ws_metrics_dlq(ws_metrics_t *m, const char *reason) {
    if (m) reason_count(m, &m->dlq, reason);
}

void ws_metrics_dropped(ws_metrics_t *m, const char *reason) {
    if (m) reason_count(m, &m->dropped, reason);
}

static void atomic_max(_Atomic uint64_t *a, uint64_t v) {
    uint64_t cur = atomic_load_explicit(a, memory_order_relaxed);
    while (v > cur && !atomic_compare_exchange_weak_explicit(a, &cur, v, memory_order_relaxed,
                                                             memory_order_relaxed)) {
    }
}

void ws_metrics_e2e_us(ws_metrics_t *m, uint64_t us) {
    if (!m) return;
    ws_histogram_record(&m->e2e, us);
    atomic_max(&m->e2e_max_iv, us);
    atomic_max(&m->e2e_max_all, us);
}

void ws_metrics_queue_depth(ws_metrics_t *m, int64_t n) {
    if (m) atomic_store_explicit(&m->queue_depth, n, memory_order_relaxed);
}

void ws_metrics_rebalance(ws_metrics_t *m) {
    if (m) atomic_fetch_add_explicit(&m->rebalances, 1, memory_order_relaxed);
}

static int part_cmp(const part_t *p, const char *topic, int32_t partition) {
    int c = strcmp(p->topic, topic);
    if (c) return c;
    return p->partition < partition ? -1 : p->partition > partition;
}

/* Index of (topic, partition), or where it would be inserted (*found = 0). */
static size_t part_find(const ws_metrics_t *m, const char *topic, int32_t partition, int *found) {
    size_t lo = 0, hi = m->nparts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = part_cmp(&m->parts[mid], topic, partition);
        if (c == 0) { *found = 1; return mid; }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = 0;
    return lo;
}

void ws_metrics_partition(ws_metrics_t *m, const char *topic, int32_t partition,
                          int64_t hw, int64_t done) {
    if (!m || !topic) return;
    pthread_mutex_lock(&m->lock);
    int found;
    size_t i = part_find(m, topic, partition, &found);
    if (!found) {
        char *t = strdup(topic);
        if (!t) goto out;
        if (m->nparts == m->capparts) {
            size_t cap = m->capparts ? m->capparts * 2 : 16;
            part_t *np = realloc(m->parts, cap * sizeof *np);
            if (!np) { free(t); goto out; }
            m->parts = np;
            m->capparts = cap;
        }
        memmove(&m->parts[i + 1], &m->parts[i], (m->nparts - i) * sizeof *m->parts);
        m->parts[i] = (part_t){t, partition, -1, -1};
        m->nparts++;
    }
    if (hw >= 0) m->parts[i].hw = hw;
    if (done >= 0) m->parts[i].done = done;
out:
    pthread_mutex_unlock(&m->lock);
}

void ws_metrics_partition_remove(ws_metrics_t *m, const char *topic, int32_t partition) {
    if (!m || !topic) return;
    pthread_mutex_lock(&m->lock);
    int found;
    size_t i = part_find(m, topic, partition, &found);
    if (found) {
        free(m->parts[i].topic);
        memmove(&m->parts[i], &m->parts[i + 1], (m->nparts - i - 1) * sizeof *m->parts);
        m->nparts--;
    }
    pthread_mutex_unlock(&m->lock);
}

void ws_metrics_set_healthy(ws_metrics_t *m, int alive) {
    if (!m) return;
    atomic_store(&m->alive, alive ? 1 : 0);
    if (alive) atomic_store(&m->last_beat_ms, now_ms(m));
}

int ws_metrics_healthy(ws_metrics_t *m) {
    if (!m || !atomic_load(&m->alive)) return 0;
    uint64_t now = now_ms(m), beat = atomic_load(&m->last_beat_ms);
    return now < beat || now - beat <= (uint64_t)m->stall_ms;
}

/* ------------------------------------------------------------- the line */

/* Per-second rate over the interval, to `scale` (10 = one decimal). */
static double rate(uint64_t now, uint64_t prev, double secs, double scale) {
    if (secs <= 0) return 0;
    double r = (double)(now >= prev ? now - prev : 0) / secs;
    return (double)(int64_t)(r * scale + 0.5) / scale;
}

/* Lag of one partition, or -1 when its high watermark or done position is
 * not known yet.  The done position can pass a stale cached watermark: 0. */
static int64_t part_lag(const part_t *p) {
    if (p->hw < 0 || p->done < 0) return -1;
    return p->hw > p->done ? p->hw - p->done : 0;
}

static void add_reasons(cJSON *f, const char *total_key, const char *map_key,
                        const reason_map_t *map) {
    cJSON_AddNumberToObject(f, total_key, (double)map->total);
    cJSON *o = cJSON_AddObjectToObject(f, map_key);
    if (!o) return;
    for (size_t i = 0; i < map->n; i++) cJSON_AddNumberToObject(o, map->r[i].name, (double)map->r[i].n);
}

/* Builds the fields of one metrics line and advances the interval.  The
 * final line summarises the whole run instead: its rates, quantiles and max
 * cover everything since start, since its own interval is often a few ms
 * after the previous line.  Caller holds emit_lock. */
static cJSON *build_line(ws_metrics_t *m, int final) {
    cJSON *f = cJSON_CreateObject();
    if (!f) return NULL;
    uint64_t now = now_ms(m);
    uint64_t last = final ? m->start_ms : atomic_load(&m->last_emit_ms);
    uint64_t elapsed = now > last ? now - last : 0;
    double secs = (double)elapsed / 1000.0;   /* 0: a line right after another */
    if (final) m->prev_in_msgs = m->prev_in_bytes = m->prev_out_msgs = m->prev_out_bytes = 0;
    uint64_t in_msgs = atomic_load(&m->in_msgs), in_bytes = atomic_load(&m->in_bytes);
    uint64_t out_msgs = atomic_load(&m->out_msgs), out_bytes = atomic_load(&m->out_bytes);

    cJSON_AddBoolToObject(f, "final", final);
    cJSON_AddNumberToObject(f, "interval_ms", (double)elapsed);
    cJSON_AddNumberToObject(f, "uptime_s", (double)((now - m->start_ms) / 1000));
    cJSON_AddNumberToObject(f, "in_msgs", (double)in_msgs);
    cJSON_AddNumberToObject(f, "in_bytes", (double)in_bytes);
    cJSON_AddNumberToObject(f, "in_msgs_per_s", rate(in_msgs, m->prev_in_msgs, secs, 10));
    cJSON_AddNumberToObject(f, "in_bytes_per_s", rate(in_bytes, m->prev_in_bytes, secs, 1));
    cJSON_AddNumberToObject(f, "out_msgs", (double)out_msgs);
    cJSON_AddNumberToObject(f, "out_bytes", (double)out_bytes);
    cJSON_AddNumberToObject(f, "out_msgs_per_s", rate(out_msgs, m->prev_out_msgs, secs, 10));
    cJSON_AddNumberToObject(f, "out_bytes_per_s", rate(out_bytes, m->prev_out_bytes, secs, 1));
    m->prev_in_msgs = in_msgs;
    m->prev_in_bytes = in_bytes;
    m->prev_out_msgs = out_msgs;
    m->prev_out_bytes = out_bytes;

    pthread_mutex_lock(&m->lock);
    add_reasons(f, "dlq_total", "dlq_by_reason", &m->dlq);
    add_reasons(f, "dropped_total", "dropped_by_reason", &m->dropped);
    pthread_mutex_unlock(&m->lock);

    /* Per pipeline entry, and the dedup hit rate over every dedup entry. */
    uint64_t dd_in = 0, dd_hits = 0;
    int have_dedup = 0;
    cJSON *pl = cJSON_AddObjectToObject(f, "pipeline");
    for (size_t i = 0; i < m->n_entries; i++) {
        ws_entry_stats_t st;
        memset(&st, 0, sizeof st);
        ws_pipeline_stats(m->pipeline, i, &st);
        uint64_t p50 = 0, p99 = 0;
        if (st.latency_us) {
            ws_histogram_snapshot(st.latency_us, &m->scratch_now);
            ws_histogram_diff(&m->scratch_now, final ? &m->entries[i].start : &m->entries[i].prev,
                              &m->scratch_diff);
            p50 = ws_histogram_quantile(&m->scratch_diff, 0.5);
            p99 = ws_histogram_quantile(&m->scratch_diff, 0.99);
            m->entries[i].prev = m->scratch_now;
        }
        if (st.processor && strcmp(st.processor, "dedup") == 0) {
            have_dedup = 1;
            dd_in += st.in;
            dd_hits += st.hits;
        }
        cJSON *e = pl && st.name ? cJSON_AddObjectToObject(pl, st.name) : NULL;
        if (e) {
            cJSON_AddNumberToObject(e, "in", (double)st.in);
            cJSON_AddNumberToObject(e, "out", (double)st.out);
            cJSON_AddNumberToObject(e, "dropped", (double)st.dropped);
            cJSON_AddNumberToObject(e, "errors", (double)st.errors);
            cJSON_AddNumberToObject(e, "hits", (double)st.hits);
            cJSON_AddNumberToObject(e, "p50_us", (double)p50);
            cJSON_AddNumberToObject(e, "p99_us", (double)p99);
        }
        pthread_mutex_lock(&m->lock);
        m->entries[i].p50_us = p50;
        m->entries[i].p99_us = p99;
        pthread_mutex_unlock(&m->lock);
    }
    if (have_dedup) {
        double r = dd_in ? (double)dd_hits / (double)dd_in : 0.0;
        cJSON_AddNumberToObject(f, "dedup_hit_rate", (double)(int64_t)(r * 10000.0 + 0.5) / 10000.0);
    }

    ws_histogram_snapshot(&m->e2e, &m->scratch_now);
    if (final) ws_histogram_init(&m->e2e_prev);   /* the live histogram started empty */
    ws_histogram_diff(&m->scratch_now, &m->e2e_prev, &m->scratch_diff);
    m->e2e_prev = m->scratch_now;
    uint64_t e50 = ws_histogram_quantile(&m->scratch_diff, 0.5);
    uint64_t e99 = ws_histogram_quantile(&m->scratch_diff, 0.99);
    uint64_t emax = atomic_exchange(&m->e2e_max_iv, 0);
    if (final) emax = atomic_load(&m->e2e_max_all);
    cJSON_AddNumberToObject(f, "e2e_p50_us", (double)e50);
    cJSON_AddNumberToObject(f, "e2e_p99_us", (double)e99);
    cJSON_AddNumberToObject(f, "e2e_max_us", (double)emax);
    cJSON_AddNumberToObject(f, "producer_queue_depth", (double)atomic_load(&m->queue_depth));
    cJSON_AddNumberToObject(f, "rebalances", (double)atomic_load(&m->rebalances));

    pthread_mutex_lock(&m->lock);
    m->e2e_p50 = e50;
    m->e2e_p99 = e99;
    m->e2e_max = emax;
    ws_buf_t asg;
    ws_buf_init(&asg);
    cJSON *lag = cJSON_CreateObject();
    int64_t lag_total = 0, unknown = 0;
    size_t nparts = m->nparts;
    for (size_t i = 0; i < m->nparts; i++) {
        const part_t *p = &m->parts[i];
        char key[300];
        snprintf(key, sizeof key, "%s/%d", p->topic, (int)p->partition);
        if (i) ws_buf_appendc(&asg, ',');
        ws_buf_appends(&asg, key);
        int64_t l = part_lag(p);
        if (l < 0) { unknown++; continue; }
        lag_total += l;
        if (lag) cJSON_AddNumberToObject(lag, key, (double)l);
    }
    pthread_mutex_unlock(&m->lock);
    cJSON_AddStringToObject(f, "assignment", asg.data);
    ws_buf_free(&asg);
    cJSON_AddNumberToObject(f, "partitions", (double)nparts);
    if (lag) cJSON_AddItemToObject(f, "lag", lag);
    cJSON_AddNumberToObject(f, "lag_total", (double)lag_total);
    cJSON_AddNumberToObject(f, "lag_unknown", (double)unknown);

    atomic_store(&m->last_emit_ms, now);
    return f;
}

static void emit(ws_metrics_t *m, int final) {
    pthread_mutex_lock(&m->emit_lock);
    cJSON *f = build_line(m, final);
    if (f) {
        if (m->sink) m->sink(m->sink_ud, f);
        else ws_log_event(WS_LOG_INFO, "metrics", "metrics", f);
        cJSON_Delete(f);
    }
    pthread_mutex_unlock(&m->emit_lock);
}

void ws_metrics_tick(ws_metrics_t *m) {
    if (!m) return;
    uint64_t now = now_ms(m);
    atomic_store(&m->last_beat_ms, now);
    if (m->interval_ms > 0 && now >= atomic_load(&m->last_emit_ms) + (uint64_t)m->interval_ms)
        emit(m, 0);
}

void ws_metrics_final(ws_metrics_t *m) {
    if (m) emit(m, 1);
}

void ws_metrics_emit_now(ws_metrics_t *m) {
    if (m) emit(m, 0);
}

void ws_metrics_set_sink(ws_metrics_t *m, ws_metrics_sink_fn *sink, void *ud) {
    m->sink = sink;
    m->sink_ud = ud;
}

void ws_metrics_set_clock(ws_metrics_t *m, ws_metrics_clock_fn *clock, void *ud) {
    m->clock = clock;
    m->clock_ud = ud;
    /* Restart the interval and the heartbeat on the new clock. */
    m->start_ms = now_ms(m);
    atomic_store(&m->last_emit_ms, m->start_ms);
    atomic_store(&m->last_beat_ms, m->start_ms);
}

/* ------------------------------------------------------------- /metrics */

/* A Prometheus label value: backslash, double quote and newline escaped. */
static int prom_label(ws_buf_t *b, const char *s) {
    int bad = 0;
    for (; *s; s++) {
        if (*s == '\\') bad |= ws_buf_appends(b, "\\\\");
        else if (*s == '"') bad |= ws_buf_appends(b, "\\\"");
        else if (*s == '\n') bad |= ws_buf_appends(b, "\\n");
        else bad |= ws_buf_appendc(b, *s);
    }
    return bad;
}

static int prom_head(ws_buf_t *b, const char *name, const char *type, const char *help) {
    return ws_buf_printf(b, "# HELP wirestream_%s %s\n# TYPE wirestream_%s %s\n", name, help, name, type);
}

static int prom_simple(ws_buf_t *b, const char *name, const char *type, const char *help,
                       double v) {
    return prom_head(b, name, type, help) | ws_buf_printf(b, "wirestream_%s %.15g\n", name, v);
}

static int prom_reasons(ws_buf_t *b, const char *name, const char *help, const reason_map_t *map) {
    int bad = prom_head(b, name, "counter", help);
    for (size_t i = 0; i < map->n; i++)
        bad |= ws_buf_printf(b, "wirestream_%s{reason=\"%s\"} %llu\n", name, map->r[i].name,
                             (unsigned long long)map->r[i].n);
    return bad;
}

char *ws_metrics_prometheus(ws_metrics_t *m, size_t *len) {
    ws_buf_t b;
    ws_buf_init(&b);
    int bad = 0;
    bad |= prom_simple(&b, "up", "gauge", "1 while the process runs.", 1);
    bad |= prom_simple(&b, "healthy", "gauge", "1 when the main loop is alive and not stalled.",
                       ws_metrics_healthy(m));
    bad |= prom_simple(&b, "uptime_seconds", "gauge", "Seconds since start.",
                       (double)(now_ms(m) - m->start_ms) / 1000.0);
    bad |= prom_simple(&b, "messages_in_total", "counter", "Messages consumed.",
                       (double)atomic_load(&m->in_msgs));
    bad |= prom_simple(&b, "bytes_in_total", "counter", "Bytes of consumed message values.",
                       (double)atomic_load(&m->in_bytes));
    bad |= prom_simple(&b, "messages_out_total", "counter", "Enriched records acknowledged.",
                       (double)atomic_load(&m->out_msgs));
    bad |= prom_simple(&b, "bytes_out_total", "counter", "Bytes of acknowledged enriched records.",
                       (double)atomic_load(&m->out_bytes));
    bad |= prom_simple(&b, "producer_queue_depth", "gauge", "Messages waiting in the producer queue.",
                       (double)atomic_load(&m->queue_depth));
    bad |= prom_simple(&b, "rebalances_total", "counter", "Consumer group rebalances.",
                       (double)atomic_load(&m->rebalances));

    pthread_mutex_lock(&m->lock);
    bad |= prom_simple(&b, "dlq_all_total", "counter", "DLQ records acknowledged, all reasons.",
                       (double)m->dlq.total);
    bad |= prom_reasons(&b, "dlq_total", "DLQ records acknowledged, by reason.", &m->dlq);
    bad |= prom_simple(&b, "dropped_all_total", "counter", "Deliberate drops settled, all reasons.",
                       (double)m->dropped.total);
    bad |= prom_reasons(&b, "dropped_total", "Deliberate drops settled, by reason.", &m->dropped);

    bad |= prom_head(&b, "e2e_latency_us", "summary",
                     "Message timestamp to produce acknowledgement, microseconds; quantiles over "
                     "the last metrics interval.");
    bad |= ws_buf_printf(&b, "wirestream_e2e_latency_us{quantile=\"0.5\"} %llu\n"
                             "wirestream_e2e_latency_us{quantile=\"0.99\"} %llu\n",
                         (unsigned long long)m->e2e_p50, (unsigned long long)m->e2e_p99);
    bad |= ws_buf_printf(&b, "wirestream_e2e_latency_us_sum %llu\nwirestream_e2e_latency_us_count %llu\n",
                         (unsigned long long)__atomic_load_n(&m->e2e.sum_us, __ATOMIC_RELAXED),
                         (unsigned long long)__atomic_load_n(&m->e2e.count, __ATOMIC_RELAXED));
    bad |= prom_simple(&b, "e2e_latency_max_us", "gauge",
                       "Largest end-to-end latency in the last metrics interval, microseconds.",
                       (double)m->e2e_max);

    bad |= prom_head(&b, "lag", "gauge",
                     "High watermark minus wirestream's done position, per assigned partition.");
    int64_t lag_total = 0;
    for (size_t i = 0; i < m->nparts; i++) {
        int64_t l = part_lag(&m->parts[i]);
        if (l < 0) continue;
        lag_total += l;
        bad |= ws_buf_appends(&b, "wirestream_lag{topic=\"");
        bad |= prom_label(&b, m->parts[i].topic);
        bad |= ws_buf_printf(&b, "\",partition=\"%d\"} %lld\n", (int)m->parts[i].partition,
                             (long long)l);
    }
    bad |= prom_simple(&b, "lag_total", "gauge", "Sum of lag over partitions whose lag is known.",
                       (double)lag_total);
    bad |= prom_simple(&b, "assigned_partitions", "gauge", "Partitions currently assigned.",
                       (double)m->nparts);
    pthread_mutex_unlock(&m->lock);

    /* Per pipeline entry: one family per counter, labelled by entry. */
    static const struct { const char *name, *help; } fam[] = {
        {"entry_in_total", "Records that reached the entry."},
        {"entry_out_total", "Records the entry kept."},
        {"entry_dropped_total", "Records the entry dropped."},
        {"entry_errors_total", "Records the entry failed on."},
        {"entry_hits_total", "Hits the entry counted (dedup: duplicates found)."},
    };
    uint64_t dd_in = 0, dd_hits = 0;
    int have_dedup = 0;
    for (size_t k = 0; k < sizeof fam / sizeof fam[0] && m->n_entries; k++) {
        bad |= prom_head(&b, fam[k].name, "counter", fam[k].help);
        for (size_t i = 0; i < m->n_entries; i++) {
            ws_entry_stats_t st;
            memset(&st, 0, sizeof st);
            ws_pipeline_stats(m->pipeline, i, &st);
            uint64_t v[] = {st.in, st.out, st.dropped, st.errors, st.hits};
            if (k == 0 && st.processor && strcmp(st.processor, "dedup") == 0) {
                have_dedup = 1;
                dd_in += st.in;
                dd_hits += st.hits;
            }
            bad |= ws_buf_printf(&b, "wirestream_%s{entry=\"", fam[k].name);
            bad |= prom_label(&b, st.name ? st.name : "");
            bad |= ws_buf_appends(&b, "\",processor=\"");
            bad |= prom_label(&b, st.processor ? st.processor : "");
            bad |= ws_buf_printf(&b, "\"} %llu\n", (unsigned long long)v[k]);
        }
    }
    if (m->n_entries) {
        bad |= prom_head(&b, "entry_latency_us", "summary",
                         "Time spent in the entry per record, microseconds; quantiles over the "
                         "last metrics interval.");
        for (size_t i = 0; i < m->n_entries; i++) {
            ws_entry_stats_t st;
            memset(&st, 0, sizeof st);
            ws_pipeline_stats(m->pipeline, i, &st);
            pthread_mutex_lock(&m->lock);
            uint64_t q[2] = {m->entries[i].p50_us, m->entries[i].p99_us};
            pthread_mutex_unlock(&m->lock);
            static const char *qn[2] = {"0.5", "0.99"};
            for (int j = 0; j < 2; j++) {
                bad |= ws_buf_appends(&b, "wirestream_entry_latency_us{entry=\"");
                bad |= prom_label(&b, st.name ? st.name : "");
                bad |= ws_buf_printf(&b, "\",quantile=\"%s\"} %llu\n", qn[j], (unsigned long long)q[j]);
            }
            if (st.latency_us) {
                bad |= ws_buf_appends(&b, "wirestream_entry_latency_us_sum{entry=\"");
                bad |= prom_label(&b, st.name ? st.name : "");
                bad |= ws_buf_printf(&b, "\"} %llu\nwirestream_entry_latency_us_count{entry=\"",
                                     (unsigned long long)__atomic_load_n(&st.latency_us->sum_us, __ATOMIC_RELAXED));
                bad |= prom_label(&b, st.name ? st.name : "");
                bad |= ws_buf_printf(&b, "\"} %llu\n",
                                     (unsigned long long)__atomic_load_n(&st.latency_us->count, __ATOMIC_RELAXED));
            }
        }
    }
    if (have_dedup)
        bad |= prom_simple(&b, "dedup_hit_ratio", "gauge",
                           "Dedup hits over records reaching dedup entries, since start.",
                           dd_in ? (double)dd_hits / (double)dd_in : 0.0);

    if (bad || !b.cap) {
        ws_buf_free(&b);
        return NULL;
    }
    if (len) *len = b.len;
    return b.data;
}

/* ------------------------------------------------------------- HTTP */

static void http_handler(void *ud, const char *path, ws_http_response_t *r) {
    ws_metrics_t *m = ud;
    if (strcmp(path, "/healthz") == 0) {
        int ok = ws_metrics_healthy(m);
        uint64_t now = now_ms(m), beat = atomic_load(&m->last_beat_ms);
        char body[160];
        int n = snprintf(body, sizeof body,
                         "{\"status\":\"%s\",\"alive\":%s,\"last_tick_ms_ago\":%llu}\n",
                         ok ? "ok" : "stalled", atomic_load(&m->alive) ? "true" : "false",
                         (unsigned long long)(now > beat ? now - beat : 0));
        r->status = ok ? 200 : 503;
        r->content_type = "application/json";
        r->body = strdup(body);
        r->len = r->body ? (size_t)n : 0;
    } else if (strcmp(path, "/metrics") == 0) {
        r->body = ws_metrics_prometheus(m, &r->len);
        if (!r->body) {
            r->status = 500;
            return;
        }
        r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    } else {
        r->status = 404;
        r->body = strdup("not found: try /healthz or /metrics\n");
        r->len = r->body ? strlen(r->body) : 0;
    }
}

int ws_metrics_http_start_on(ws_metrics_t *m, const char *bind, int port,
                             char *err, size_t errlen) {
    if (m->http) return 0;
    return ws_http_start(bind, port, http_handler, m, &m->http, err, errlen);
}

int ws_metrics_http_start(ws_metrics_t *m, char *err, size_t errlen) {
    if (!m || m->http_port == 0) return 0;
    if (ws_metrics_http_start_on(m, m->http_bind, m->http_port, err, errlen) != 0) return -1;
    cJSON *f = cJSON_CreateObject();
    if (f) {
        cJSON_AddStringToObject(f, "bind", m->http_bind);
        cJSON_AddNumberToObject(f, "port", ws_metrics_http_port(m));
    }
    ws_log_event(WS_LOG_INFO, "metrics", "http endpoint listening", f);
    cJSON_Delete(f);
    return 0;
}

int ws_metrics_http_port(const ws_metrics_t *m) {
    return m ? ws_http_port(m->http) : 0;
}
