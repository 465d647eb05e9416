/* ws_cmd_process.c -- `wirestream process [--without NAME]... [FILE|-]...`.
 *
 * .jsonl files and stdin hold one JSON article per line (blank lines are
 * skipped); any other file is one article.  With workers > 1 (config key
 * "workers"), articles are processed by a thread pool and written in input
 * order through a ring of job slots; with 1 the main thread does it all.
 * Records, parse scratch and output buffers are reused across articles. */
#include "ws_cmd_process.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ws_article.h"
#include "ws_buf.h"
#include "ws_cmd.h"
#include "ws_config.h"
#include "ws_log.h"
#include "ws_pipeline.h"
#include "ws_record_host.h"

#define MAX_REASONS 16
#define MAX_WORKERS 64

typedef enum { SLOT_FREE = 0, SLOT_READY, SLOT_RUNNING, SLOT_DONE } slot_state_t;
typedef enum { RES_KEPT, RES_DROPPED, RES_FAILED } result_t;

/* One article in flight: its input, where it came from, and its result. */
typedef struct {
    slot_state_t state;
    const char *name;                   /* file name ("stdin") */
    size_t line;                        /* 0 for a whole file */
    const ws_article_opts_t *opts;
    ws_buf_t in;
    ws_buf_t out;                       /* the rendered record + '\n' when kept */
    result_t result;
    const char *reason;                 /* static WS_REASON_* when failed */
    int prefailed;                      /* failed before it could be queued */
} job_t;

typedef struct {
    const ws_config_t *cfg;
    ws_article_opts_t line_opts;        /* .jsonl and stdin: JSON unless format is "text" */
    ws_pipeline_t *pipeline;
    uint64_t read, written, dropped, failed;
    const char *reasons[MAX_REASONS];   /* failures by reason */
    uint64_t reason_n[MAX_REASONS];
    int io_error;                       /* writing stdout failed */
    int read_error;                     /* an input could not be read */

    /* The ring: slots [taken, submitted) are being worked on, [written,
     * taken) ... all indexes grow monotonically; slot = index % nslots. */
    job_t *slots;
    size_t nslots;
    size_t submitted, taken, written_idx;
    int nworkers, stop;
    pthread_t threads[MAX_WORKERS];
    pthread_mutex_t lock;
    pthread_cond_t cv_ready, cv_done;
    ws_record_t *inline_rec;            /* workers == 1 */
} proc_t;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_reason(proc_t *p, const char *reason) {
    for (int i = 0; i < MAX_REASONS; i++) {
        if (!p->reasons[i]) p->reasons[i] = reason;
        if (strcmp(p->reasons[i], reason) == 0) { p->reason_n[i]++; return; }
    }
}

/* Where an article came from, for messages: "file:line" or "file". */
static void place(char *out, size_t n, const char *name, size_t line) {
    if (line) snprintf(out, n, "%s:%zu", name, line);
    else snprintf(out, n, "%s", name);
}

/* Parse, run and render one article; thread-safe given its own record. */
static void run_job(proc_t *p, ws_record_t *rec, job_t *j) {
    char err[512], where[1024];
    const char *reason = NULL;
    ws_article_t a;
    ws_buf_reset(&j->out);
    ws_record_reset(rec);
    if (ws_article_parse(j->opts, j->in.data, j->in.len, &a, &reason, err, sizeof err) < 0) {
        j->result = RES_FAILED;
        j->reason = reason;
        place(where, sizeof where, j->name, j->line);
        ws_log(WS_LOG_WARN, "process", "%s: %s: %s", where, reason, err);
        return;
    }
    ws_record_take_article(rec, &a);
    ws_record_set_ingest_ms(rec, now_ms());
    ws_outcome_t o;
    ws_pipeline_run(p->pipeline, rec, &o);
    if (o.result == WS_DROP) {
        j->result = RES_DROPPED;
        place(where, sizeof where, j->name, j->line);
        ws_log(WS_LOG_DEBUG, "process", "%s: dropped by %s: %s", where, o.entry, o.reason);
        return;
    }
    if (o.result == WS_ERROR) {
        j->result = RES_FAILED;
        /* reason_code is one of the static WS_REASON_* strings for errors. */
        j->reason = o.reason_code ? o.reason_code : WS_REASON_PROCESSOR;
        place(where, sizeof where, j->name, j->line);
        ws_log(WS_LOG_WARN, "process", "%s: %s in entry \"%s\": %s", where, j->reason,
               o.entry ? o.entry : "?", o.reason);
        return;
    }
    if (ws_record_render(rec, &j->out) < 0 || ws_buf_appendc(&j->out, '\n') < 0) {
        j->result = RES_FAILED;
        j->reason = WS_REASON_RECORD_TOO_LARGE;
        place(where, sizeof where, j->name, j->line);
        ws_log(WS_LOG_WARN, "process", "%s: out of memory rendering the record", where);
        return;
    }
    j->result = RES_KEPT;
}

/* The main thread's side: results in input order. */
static void account(proc_t *p, job_t *j) {
    p->read++;
    if (j->result == RES_KEPT) {
        if (fwrite(j->out.data, 1, j->out.len, stdout) != j->out.len) p->io_error = 1;
        p->written++;
    } else if (j->result == RES_DROPPED) {
        p->dropped++;
    } else {
        p->failed++;
        count_reason(p, j->reason);
    }
}

static void *worker_main(void *arg) {
    proc_t *p = arg;
    ws_record_t *rec = ws_record_new();
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && p->taken == p->submitted) pthread_cond_wait(&p->cv_ready, &p->lock);
        if (p->taken == p->submitted) break;   /* stop, and nothing left */
        job_t *j = &p->slots[p->taken++ % p->nslots];
        j->state = SLOT_RUNNING;
        pthread_mutex_unlock(&p->lock);
        if (j->prefailed) {
            /* result and reason already set by submit() */
        } else if (rec) {
            run_job(p, rec, j);
        } else {
            j->result = RES_FAILED;
            j->reason = WS_REASON_RECORD_TOO_LARGE;
        }
        pthread_mutex_lock(&p->lock);
        j->state = SLOT_DONE;
        pthread_cond_broadcast(&p->cv_done);
    }
    pthread_mutex_unlock(&p->lock);
    ws_record_free(rec);
    return NULL;
}

/* Writes finished jobs in order; with wait_all, waits for every submitted job. */
static void drain(proc_t *p, int wait_all) {
    if (p->nworkers <= 1) return;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->written_idx < p->submitted &&
               p->slots[p->written_idx % p->nslots].state == SLOT_DONE) {
            job_t *j = &p->slots[p->written_idx % p->nslots];
            pthread_mutex_unlock(&p->lock);
            account(p, j);
            pthread_mutex_lock(&p->lock);
            j->state = SLOT_FREE;
            p->written_idx++;
        }
        if (!wait_all || p->written_idx == p->submitted) break;
        pthread_cond_wait(&p->cv_done, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
}

/* Queues one article (copying its bytes); runs it at once with one worker. */
static void submit(proc_t *p, const ws_article_opts_t *opts, const char *name, size_t line,
                   const char *buf, size_t len) {
    job_t *j;
    if (p->nworkers <= 1) {
        j = &p->slots[0];
    } else {
        /* Wait for the slot to be written out and freed. */
        pthread_mutex_lock(&p->lock);
        for (;;) {
            j = &p->slots[p->submitted % p->nslots];
            if (j->state == SLOT_FREE) break;
            /* The oldest job is finished: write it out (state is checked
             * under the lock, so a completion is never missed). */
            if (p->slots[p->written_idx % p->nslots].state == SLOT_DONE) {
                pthread_mutex_unlock(&p->lock);
                drain(p, 0);
                pthread_mutex_lock(&p->lock);
                continue;
            }
            pthread_cond_wait(&p->cv_done, &p->lock);
        }
        pthread_mutex_unlock(&p->lock);
    }
    j->name = name;
    j->line = line;
    j->opts = opts;
    ws_buf_reset(&j->in);
    j->prefailed = 0;
    if (ws_buf_append(&j->in, buf, len) < 0) {
        /* Not even the copy fits: report it in order like any failure. */
        j->prefailed = 1;
        j->result = RES_FAILED;
        j->reason = WS_REASON_TOO_LARGE;
        ws_log(WS_LOG_WARN, "process", "%s:%zu: out of memory", name, line);
    }
    if (p->nworkers <= 1) {
        if (j->prefailed) { account(p, j); return; }
        run_job(p, p->inline_rec, j);
        account(p, j);
        return;
    }
    pthread_mutex_lock(&p->lock);
    j->state = SLOT_READY;
    p->submitted++;
    pthread_cond_signal(&p->cv_ready);
    pthread_mutex_unlock(&p->lock);
}

/* 1 if a read on fd would block right now (a pipe or terminal with no data). */
static int would_block(int fd) {
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    return poll(&pf, 1, 0) == 0;
}

/* One JSON article per line.  Reads with read(2) into a growing buffer.
 * Before a read that would block, everything submitted is written and
 * stdout flushed, so a stream piped in (kcat ... | wirestream process)
 * comes out record by record while a file goes out in large batches. */
static void lines(proc_t *p, int fd, const char *name) {
    ws_buf_t in;
    ws_buf_init(&in);
    size_t start = 0, lineno = 0;
    int eof = 0;
    while (!eof || start < in.len) {
        char *nl = in.len > start ? memchr(in.data + start, '\n', in.len - start) : NULL;
        if (!nl && !eof) {
            /* Keep the partial line, make room, read more. */
            if (start) {
                memmove(in.data, in.data + start, in.len - start);
                in.len -= start;
                start = 0;
            }
            if (ws_buf_reserve(&in, 1 << 16) < 0) {
                ws_log(WS_LOG_ERROR, "process", "%s: out of memory reading line %zu", name, lineno + 1);
                p->read_error = 1;
                break;
            }
            if (would_block(fd)) {
                drain(p, 1);
                fflush(stdout);
            }
            ssize_t r = read(fd, in.data + in.len, in.cap - in.len - 1);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                ws_log(WS_LOG_ERROR, "process", "%s: read error: %s", name, strerror(errno));
                p->read_error = 1;
                break;
            }
            if (r == 0) eof = 1;
            in.len += (size_t)r;
            continue;
        }
        size_t end = nl ? (size_t)(nl - in.data) : in.len;
        size_t len = end - start;
        const char *line = in.data + start;
        start = nl ? end + 1 : in.len;
        lineno++;
        if (len && line[len - 1] == '\r') len--;
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
        if (i == len) continue;
        submit(p, &p->line_opts, name, lineno, line, len);
    }
    ws_buf_free(&in);
}

static int whole_file(proc_t *p, FILE *f, const char *name) {
    ws_buf_t b;
    ws_buf_init(&b);
    char chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (ws_buf_append(&b, chunk, r) < 0) {
            ws_buf_free(&b);
            ws_log(WS_LOG_ERROR, "process", "%s: out of memory reading the file", name);
            return -1;
        }
    }
    if (ferror(f)) {
        ws_buf_free(&b);
        ws_log(WS_LOG_ERROR, "process", "%s: read error: %s", name, strerror(errno));
        return -1;
    }
    submit(p, &p->cfg->article, name, 0, b.data, b.len);
    ws_buf_free(&b);
    return 0;
}

static void summary(proc_t *p, double secs) {
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "read", (double)p->read);
    cJSON_AddNumberToObject(f, "written", (double)p->written);
    cJSON_AddNumberToObject(f, "dropped", (double)p->dropped);
    cJSON_AddNumberToObject(f, "failed", (double)p->failed);
    cJSON *r = cJSON_AddObjectToObject(f, "failed_by_reason");
    for (int i = 0; i < MAX_REASONS && p->reasons[i]; i++)
        cJSON_AddNumberToObject(r, p->reasons[i], (double)p->reason_n[i]);
    cJSON_AddNumberToObject(f, "workers", p->nworkers);
    cJSON_AddNumberToObject(f, "seconds", (double)(int64_t)(secs * 1000) / 1000.0);
    cJSON_AddNumberToObject(f, "articles_per_s", secs > 0 ? (double)(int64_t)((double)p->read / secs) : 0);
    cJSON *es = cJSON_AddArrayToObject(f, "entries");
    for (size_t i = 0; i < ws_pipeline_size(p->pipeline); i++) {
        ws_entry_stats_t s;
        ws_pipeline_stats(p->pipeline, i, &s);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", s.name);
        cJSON_AddStringToObject(e, "processor", s.processor);
        cJSON_AddNumberToObject(e, "in", (double)s.in);
        cJSON_AddNumberToObject(e, "out", (double)s.out);
        cJSON_AddNumberToObject(e, "dropped", (double)s.dropped);
        cJSON_AddNumberToObject(e, "errors", (double)s.errors);
        cJSON_AddNumberToObject(e, "hits", (double)s.hits);
        cJSON_AddNumberToObject(e, "p50_us", (double)ws_histogram_quantile(s.latency_us, 0.5));
        cJSON_AddNumberToObject(e, "p99_us", (double)ws_histogram_quantile(s.latency_us, 0.99));
        cJSON_AddItemToArray(es, e);
    }
    ws_log_event(WS_LOG_INFO, "process", "summary", f);
    cJSON_Delete(f);
}

static int has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static int start_workers(proc_t *p) {
    p->nworkers = p->cfg->workers < 1 ? 1 : p->cfg->workers > MAX_WORKERS ? MAX_WORKERS : p->cfg->workers;
    p->nslots = p->nworkers <= 1 ? 1 : (size_t)p->nworkers * 8;
    p->slots = calloc(p->nslots, sizeof *p->slots);
    if (!p->slots) return -1;
    for (size_t i = 0; i < p->nslots; i++) {
        ws_buf_init(&p->slots[i].in);
        ws_buf_init(&p->slots[i].out);
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cv_ready, NULL);
    pthread_cond_init(&p->cv_done, NULL);
    if (p->nworkers <= 1) {
        p->inline_rec = ws_record_new();
        return p->inline_rec ? 0 : -1;
    }
    for (int i = 0; i < p->nworkers; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
            p->nworkers = i;   /* the ones that started are joined later */
            return i > 0 ? 0 : -1;
        }
    }
    return 0;
}

static void stop_workers(proc_t *p) {
    if (p->nworkers > 1) {
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_broadcast(&p->cv_ready);
        pthread_mutex_unlock(&p->lock);
        for (int i = 0; i < p->nworkers; i++) pthread_join(p->threads[i], NULL);
    }
    for (size_t i = 0; p->slots && i < p->nslots; i++) {
        ws_buf_free(&p->slots[i].in);
        ws_buf_free(&p->slots[i].out);
    }
    free(p->slots);
    ws_record_free(p->inline_rec);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cv_ready);
    pthread_cond_destroy(&p->cv_done);
}

int ws_cmd_process(int argc, char **argv) {
    ws_cmd_opts_t o;
    char err[1024];
    if (ws_cmd_parse(argc, argv, 1, 1, &o, err, sizeof err) < 0) {
        ws_log(WS_LOG_ERROR, "process", "%s (usage: wirestream process [--config F] [--set k=v]... "
               "[--without NAME]... [FILE|-]...)", err);
        ws_cmd_opts_free(&o);
        return WS_EXIT_USAGE;
    }
    ws_config_t *cfg = ws_cmd_load_config(&o);
    if (!cfg) { ws_cmd_opts_free(&o); return WS_EXIT_USAGE; }
    proc_t p;
    memset(&p, 0, sizeof p);
    p.cfg = cfg;
    p.line_opts = cfg->article;
    if (p.line_opts.format == WS_FORMAT_AUTO) p.line_opts.format = WS_FORMAT_JSON;
    if (ws_pipeline_new(cfg, o.without, o.nwithout, 0, &p.pipeline, err, sizeof err) < 0) {
        ws_log(WS_LOG_ERROR, "config", "%s", err);
        ws_config_free(cfg);
        ws_cmd_opts_free(&o);
        return WS_EXIT_USAGE;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    int rc = WS_EXIT_OK;
    double t0 = mono_s();
    if (start_workers(&p) < 0) {
        ws_log(WS_LOG_ERROR, "process", "cannot start workers: out of memory");
        rc = WS_EXIT_FAIL;
    } else if (o.nargs == 0) {
        lines(&p, 0, "stdin");
    } else {
        for (size_t i = 0; i < o.nargs; i++) {
            const char *name = o.args[i];
            if (strcmp(name, "-") == 0) { lines(&p, 0, "stdin"); continue; }
            FILE *f = fopen(name, "rb");
            if (!f) {
                ws_log(WS_LOG_ERROR, "process", "%s: cannot open: %s", name, strerror(errno));
                rc = WS_EXIT_FAIL;
                continue;
            }
            if (has_suffix(name, ".jsonl")) lines(&p, fileno(f), name);
            else if (whole_file(&p, f, name) < 0) rc = WS_EXIT_FAIL;
            fclose(f);
        }
    }
    drain(&p, 1);
    stop_workers(&p);
    if (p.read_error) rc = WS_EXIT_FAIL;
    ws_pipeline_flush(p.pipeline);
    if (fflush(stdout) != 0 || p.io_error) {
        ws_log(WS_LOG_ERROR, "process", "writing to stdout failed");
        rc = WS_EXIT_FAIL;
    }
    summary(&p, mono_s() - t0);
    ws_pipeline_free(p.pipeline);
    ws_config_free(cfg);
    ws_cmd_opts_free(&o);
    return rc;
}
