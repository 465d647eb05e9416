/* ws_cmd_process.c -- `wirestream process [--without NAME]... [FILE|-]...`.
 *
 * .jsonl files and stdin hold one JSON article per line (blank lines are
 * skipped); any other file is one article.  One record, one parse scratch
 * and one output buffer are reused for every article. */
#include "ws_cmd_process.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ws_article.h"
#include "ws_buf.h"
#include "ws_cmd.h"
#include "ws_config.h"
#include "ws_log.h"
#include "ws_pipeline.h"
#include "ws_record_host.h"

#define MAX_REASONS 16

typedef struct {
    const ws_config_t *cfg;
    ws_article_opts_t line_opts;        /* .jsonl and stdin: JSON unless format is "text" */
    const ws_article_opts_t *opts;      /* the ones in use for the current input */
    ws_pipeline_t *pipeline;
    ws_record_t *rec;
    ws_buf_t out;
    uint64_t read, written, dropped, failed;
    const char *reasons[MAX_REASONS];   /* bad input and errors, by reason */
    uint64_t reason_n[MAX_REASONS];
    uint64_t dropped_by_entry;
    int io_error;
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

static void one(proc_t *p, const char *name, size_t line, const char *buf, size_t len) {
    char err[512], where[1024];
    const char *reason = NULL;
    ws_article_t a;
    p->read++;
    ws_record_reset(p->rec);
    if (ws_article_parse(p->opts, buf, len, &a, &reason, err, sizeof err) < 0) {
        p->failed++;
        count_reason(p, reason);
        place(where, sizeof where, name, line);
        ws_log(WS_LOG_WARN, "process", "%s: %s: %s", where, reason, err);
        return;
    }
    ws_record_take_article(p->rec, &a);
    ws_record_set_ingest_ms(p->rec, now_ms());
    ws_outcome_t o;
    ws_pipeline_run(p->pipeline, p->rec, &o);
    if (o.result == WS_DROP) {
        p->dropped++;
        place(where, sizeof where, name, line);
        ws_log(WS_LOG_DEBUG, "process", "%s: dropped by %s: %s", where, o.entry, o.reason);
        return;
    }
    if (o.result == WS_ERROR) {
        p->failed++;
        count_reason(p, o.reason_code ? o.reason_code : WS_REASON_PROCESSOR);
        place(where, sizeof where, name, line);
        ws_log(WS_LOG_WARN, "process", "%s: %s in entry \"%s\": %s", where,
               o.reason_code ? o.reason_code : WS_REASON_PROCESSOR, o.entry ? o.entry : "?", o.reason);
        return;
    }
    ws_buf_reset(&p->out);
    if (ws_record_render(p->rec, &p->out) < 0 || ws_buf_appendc(&p->out, '\n') < 0) {
        p->failed++;
        count_reason(p, WS_REASON_RECORD_TOO_LARGE);
        place(where, sizeof where, name, line);
        ws_log(WS_LOG_WARN, "process", "%s: out of memory rendering the record", where);
        return;
    }
    if (fwrite(p->out.data, 1, p->out.len, stdout) != p->out.len) p->io_error = 1;
    p->written++;
}

static int has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

static void lines(proc_t *p, FILE *f, const char *name) {
    p->opts = &p->line_opts;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n') len--;
        if (len && line[len - 1] == '\r') len--;
        size_t i = 0;
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
        if (i == len) continue;
        one(p, name, lineno, line, len);
    }
    free(line);
}

static int whole_file(proc_t *p, FILE *f, const char *name) {
    p->opts = &p->cfg->article;
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
        ws_log(WS_LOG_ERROR, "process", "%s: read error", name);
        return -1;
    }
    one(p, name, 0, b.data, b.len);
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
    p.opts = &cfg->article;
    if (ws_pipeline_new(cfg, o.without, o.nwithout, 0, &p.pipeline, err, sizeof err) < 0) {
        ws_log(WS_LOG_ERROR, "config", "%s", err);
        ws_config_free(cfg);
        ws_cmd_opts_free(&o);
        return WS_EXIT_USAGE;
    }
    p.rec = ws_record_new();
    ws_buf_init(&p.out);
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    int rc = WS_EXIT_OK;
    double t0 = mono_s();
    if (!p.rec) {
        ws_log(WS_LOG_ERROR, "process", "out of memory");
        rc = WS_EXIT_FAIL;
    } else if (o.nargs == 0) {
        lines(&p, stdin, "stdin");
    } else {
        for (size_t i = 0; i < o.nargs; i++) {
            const char *name = o.args[i];
            if (strcmp(name, "-") == 0) { lines(&p, stdin, "stdin"); continue; }
            FILE *f = fopen(name, "rb");
            if (!f) {
                ws_log(WS_LOG_ERROR, "process", "%s: cannot open: %s", name, strerror(errno));
                rc = WS_EXIT_FAIL;
                continue;
            }
            if (has_suffix(name, ".jsonl")) lines(&p, f, name);
            else if (whole_file(&p, f, name) < 0) rc = WS_EXIT_FAIL;
            fclose(f);
        }
    }
    ws_pipeline_flush(p.pipeline);
    if (fflush(stdout) != 0 || p.io_error) {
        ws_log(WS_LOG_ERROR, "process", "writing to stdout failed");
        rc = WS_EXIT_FAIL;
    }
    summary(&p, mono_s() - t0);
    ws_record_free(p.rec);
    ws_buf_free(&p.out);
    ws_pipeline_free(p.pipeline);
    ws_config_free(cfg);
    ws_cmd_opts_free(&o);
    return rc;
}
