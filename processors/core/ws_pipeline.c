/* ws_pipeline.c -- ordered processor instances, their counters and latency,
 * and one record's run through them. */
#include "ws_pipeline.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ws_article.h"
#include "ws_configmap.h"
#include "ws_record_host.h"
#include "ws_registry.h"
#include "ws_value.h"

typedef struct {
    char *name;
    const char *processor;       /* type name */
    char *drop_topic;
    char *state_topic;
    const ws_processor_t *p;
    void *instance;
    void *dl;                    /* dlopen handle for external processors */
    void *config;                /* the struct create() got */
    ws_configmap_store_t store;  /* strings and lists inside config */
    pthread_mutex_t lock;
    int serialise;               /* process() is not thread-safe */
    uint64_t in, out, dropped, errors, hits;
    ws_histogram_t latency;
} entry_t;

struct ws_pipeline {
    entry_t *e;
    size_t n;
    uint64_t record_timeout_us;  /* 0 = no budget */
};

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int contains_name(const char *const *list, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0) return 1;
    return 0;
}

/* Relative plugin paths: the working directory first, then the config's. */
static void resolve_path(const char *path, const char *config_dir, char *out, size_t outlen) {
    /* dlopen() searches the library path for names without a '/': always
     * hand it a path. */
    const char *dot = strchr(path, '/') ? "" : "./";
    if (path[0] == '/' || access(path, F_OK) == 0 || !config_dir) {
        snprintf(out, outlen, "%s%s", dot, path);
        return;
    }
    snprintf(out, outlen, "%s/%s", config_dir, path);
    if (access(out, F_OK) != 0) snprintf(out, outlen, "%s%s", dot, path);
}

static void entry_destroy(entry_t *e) {
    if (e->instance && e->p && e->p->destroy) e->p->destroy(e->instance);
    e->instance = NULL;
    ws_configmap_store_free(&e->store);
    free(e->config);
    if (e->dl) dlclose(e->dl);
    free(e->name);
    free(e->drop_topic);
    free(e->state_topic);
    pthread_mutex_destroy(&e->lock);
}

void ws_pipeline_free(ws_pipeline_t *p) {
    if (!p) return;
    /* Destroy in reverse order: later entries may hold on to nothing of
     * earlier ones, but reverse teardown is the least surprising. */
    for (size_t i = p->n; i-- > 0;) entry_destroy(&p->e[i]);
    free(p->e);
    free(p);
}

/* The limits section's soft limits (limits.max_entities, limits.max_quotes)
 * are the default of a processor key of the same name; an entry's own value
 * (in the file, the environment or --set) wins.  Returns a copy of the
 * entry's overrides with them added, or NULL when there is nothing to add. */
static cJSON *limit_defaults(const ws_config_t *cfg, const ws_config_key_t *table,
                             const ws_entry_config_t *ec) {
    const struct { const char *key; int64_t val; } lim[] = {
        {"max_entities", cfg->max_entities}, {"max_quotes", cfg->max_quotes}};
    cJSON *ov = NULL;
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        const ws_config_key_t *k = ws_configmap_find(table, lim[i].key);
        if (!k || k->type != WS_CFG_INT) continue;
        if (ec->options && cJSON_GetObjectItemCaseSensitive(ec->options, lim[i].key)) continue;
        if (ec->option_overrides && cJSON_GetObjectItemCaseSensitive(ec->option_overrides, lim[i].key))
            continue;
        if (!ov) ov = ec->option_overrides ? cJSON_Duplicate(ec->option_overrides, 1) : cJSON_CreateObject();
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)lim[i].val);
        if (!ov || !cJSON_AddStringToObject(ov, lim[i].key, num)) break;
    }
    return ov;
}

static int entry_init(entry_t *e, const ws_config_t *cfg, const ws_entry_config_t *ec, int has_state,
                      char *err, size_t errlen) {
    char where[512];
    snprintf(where, sizeof where, "%s: pipeline entry \"%s\"", cfg->source_file, ec->name);
    e->name = strdup(ec->name);
    e->drop_topic = ec->drop_topic ? strdup(ec->drop_topic) : NULL;
    e->state_topic = ec->state_topic ? strdup(ec->state_topic) : NULL;
    if (!e->name || (ec->drop_topic && !e->drop_topic) || (ec->state_topic && !e->state_topic)) {
        snprintf(err, errlen, "%s: out of memory", where);
        return -1;
    }
    if (ec->path) {
        char path[4096], lerr[1024];
        resolve_path(ec->path, cfg->config_dir, path, sizeof path);
        e->p = ws_registry_load(path, &e->dl, lerr, sizeof lerr);
        if (!e->p) {
            snprintf(err, errlen, "%s: %s", where, lerr);
            return -1;
        }
    } else {
        e->p = ws_registry_find(ec->processor);
        if (!e->p) {
            ws_buf_t names;
            ws_buf_init(&names);
            for (size_t i = 0; i < ws_registry_count(); i++) {
                if (i) ws_buf_appends(&names, ", ");
                ws_buf_appends(&names, ws_registry_at(i)->name);
            }
            snprintf(err, errlen, "%s: no built-in processor \"%s\" (built-ins: %s; an external "
                     "processor needs \"path\")", where, ec->processor, names.data);
            ws_buf_free(&names);
            return -1;
        }
        if (e->p->abi_version != WS_PROCESSOR_ABI) {
            snprintf(err, errlen, "%s: built-in processor \"%s\" has ABI %d, expected %d", where,
                     ec->processor, e->p->abi_version, WS_PROCESSOR_ABI);
            return -1;
        }
    }
    e->processor = e->p->name;
    e->serialise = !(e->p->flags & WS_PROCESSOR_THREAD_SAFE);

    e->config = calloc(1, e->p->config_size ? e->p->config_size : 1);
    if (!e->config) {
        snprintf(err, errlen, "%s: out of memory", where);
        return -1;
    }
    char owhere[600];
    snprintf(owhere, sizeof owhere, "override of pipeline entry \"%s\" (environment or --set)", ec->name);
    if (!e->p->config) {
        const cJSON *first = ec->options ? ec->options->child : NULL;
        const cJSON *ofirst = ec->option_overrides ? ec->option_overrides->child : NULL;
        if (first || ofirst) {
            snprintf(err, errlen, "%s: unknown key \"%s\" (processor \"%s\" takes no options)",
                     first ? where : owhere, first ? first->string : ofirst->string, e->p->name);
            return -1;
        }
    } else {
        cJSON *ov = limit_defaults(cfg, e->p->config, ec);
        int rc = ws_configmap_apply(e->p->config, ec->options, ov ? ov : ec->option_overrides, NULL,
                                    e->config, &e->store, where, owhere, err, errlen);
        cJSON_Delete(ov);
        if (rc < 0) return -1;
    }
    ws_create_info_t info = {.entry_name = e->name,
                             .config_dir = ec->path ? cfg->config_dir : ws_config_data_dir(cfg, e->p->name),
                             .has_state = has_state && e->state_topic && e->p->on_state};
    char cerr[512] = "";
    e->instance = e->p->create(e->config, &info, cerr, sizeof cerr);
    if (!e->instance) {
        snprintf(err, errlen, "%s: processor \"%s\" failed to start: %s", where, e->p->name,
                 cerr[0] ? cerr : "create() returned NULL");
        return -1;
    }
    return 0;
}

int ws_pipeline_new(const ws_config_t *cfg, const char *const *without, size_t nwithout,
                    int has_state, ws_pipeline_t **out, char *err, size_t errlen) {
    *out = NULL;
    for (size_t i = 0; i < nwithout; i++) {
        int found = 0;
        for (size_t j = 0; j < cfg->entries_n; j++)
            if (strcmp(cfg->entries[j].name, without[i]) == 0) found = 1;
        if (!found) {
            snprintf(err, errlen, "--without %s: the pipeline in %s has no entry by that name",
                     without[i], cfg->source_file);
            return -1;
        }
    }
    ws_pipeline_t *p = calloc(1, sizeof *p);
    if (!p) { snprintf(err, errlen, "out of memory"); return -1; }
    p->e = calloc(cfg->entries_n ? cfg->entries_n : 1, sizeof *p->e);
    if (!p->e) { free(p); snprintf(err, errlen, "out of memory"); return -1; }
    p->record_timeout_us = cfg->record_timeout_ms > 0 ? (uint64_t)cfg->record_timeout_ms * 1000u : 0;
    for (size_t j = 0; j < cfg->entries_n; j++) {
        const ws_entry_config_t *ec = &cfg->entries[j];
        if (!ec->enabled || contains_name(without, nwithout, ec->name)) continue;
        entry_t *e = &p->e[p->n++];
        pthread_mutex_init(&e->lock, NULL);
        ws_histogram_init(&e->latency);
        ws_configmap_store_init(&e->store);
        if (entry_init(e, cfg, ec, has_state, err, errlen) < 0) {
            ws_pipeline_free(p);
            return -1;
        }
    }
    *out = p;
    return 0;
}

static void add(uint64_t *c) { __atomic_fetch_add(c, 1, __ATOMIC_RELAXED); }

void ws_pipeline_run(ws_pipeline_t *p, ws_record_t *rec, ws_outcome_t *out) {
    out->result = WS_KEEP;
    out->entry = NULL;
    out->drop_topic = NULL;
    out->reason_code = NULL;
    out->reason[0] = '\0';
    uint64_t start = p->record_timeout_us ? now_us() : 0;
    /* Values the entries build come from the record's arena (ws_value.c). */
    ws_value_arena_t *prev_arena = ws_value_arena_enter(ws_record_arena(rec));
    for (size_t i = 0; i < p->n; i++) {
        entry_t *e = &p->e[i];
        char reason[sizeof out->reason];
        reason[0] = '\0';
        ws_record_set_entry(rec, e->name);
        add(&e->in);
        uint64_t t0 = now_us();
        if (e->serialise) pthread_mutex_lock(&e->lock);
        /* Set only while inside: a thread waiting for the lock is not the
         * one a stuck-record guard should blame. */
        atomic_store_explicit(&out->running, e->name, memory_order_relaxed);
        ws_result_t r = e->p->process(e->instance, rec, reason, sizeof reason);
        atomic_store_explicit(&out->running, NULL, memory_order_relaxed);
        if (e->serialise) pthread_mutex_unlock(&e->lock);
        uint64_t t1 = now_us();
        ws_histogram_record(&e->latency, t1 - t0);
        reason[sizeof reason - 1] = '\0';
        if (ws_record_hit_taken(rec)) add(&e->hits);
        if (ws_record_refusal_taken(rec, out->reason, sizeof out->reason)) {
            /* Whatever it returned, the entry lost output it meant to write. */
            add(&e->errors);
            out->result = WS_ERROR;
            out->entry = e->name;
            out->reason_code = WS_REASON_PROCESSOR;
            break;
        }
        if (r == WS_KEEP && p->record_timeout_us && t1 - start > p->record_timeout_us) {
            /* The budget is checked between entries: processors are not
             * interrupted, but a slow record never reaches the output. */
            add(&e->errors);
            out->result = WS_ERROR;
            out->entry = e->name;
            out->reason_code = WS_REASON_TIMEOUT;
            snprintf(out->reason, sizeof out->reason,
                     "record exceeded limits.record_timeout_ms (%llu ms) after entry \"%s\"",
                     (unsigned long long)(p->record_timeout_us / 1000), e->name);
            break;
        }
        if (r == WS_KEEP) {
            add(&e->out);
            continue;
        }
        if (r == WS_DROP) {
            add(&e->dropped);
            out->result = WS_DROP;
            out->entry = e->name;
            out->drop_topic = e->drop_topic;
            snprintf(out->reason, sizeof out->reason, "%s", reason[0] ? reason : "dropped");
            out->reason_code = out->reason;
            break;
        }
        add(&e->errors);
        out->result = WS_ERROR;
        out->entry = e->name;
        /* A processor may prefix its text with a stable code ("regex_limit: ..."). */
        out->reason_code = strncmp(reason, WS_REASON_REGEX_LIMIT, strlen(WS_REASON_REGEX_LIMIT)) == 0
                               ? WS_REASON_REGEX_LIMIT : WS_REASON_PROCESSOR;
        snprintf(out->reason, sizeof out->reason, "%s",
                 reason[0] ? reason : (r == WS_ERROR ? "processor failed" : "invalid result"));
        break;
    }
    ws_record_set_entry(rec, NULL);
    ws_value_arena_leave(prev_arena);
}

/* The partition hooks, in pipeline order, each under its entry's lock. */
static void partition_hook(ws_pipeline_t *p, int revoke, const char *topic, const int32_t *parts,
                           size_t n) {
    for (size_t i = 0; i < p->n; i++) {
        entry_t *e = &p->e[i];
        void (*hook)(void *, const char *, const int32_t *, size_t) =
            revoke ? e->p->on_revoke : e->p->on_assign;
        if (!hook) continue;
        if (e->serialise) pthread_mutex_lock(&e->lock);
        hook(e->instance, topic, parts, n);
        if (e->serialise) pthread_mutex_unlock(&e->lock);
    }
}

void ws_pipeline_assign(ws_pipeline_t *p, const char *topic, const int32_t *parts, size_t n) {
    partition_hook(p, 0, topic, parts, n);
}

void ws_pipeline_revoke(ws_pipeline_t *p, const char *topic, const int32_t *parts, size_t n) {
    partition_hook(p, 1, topic, parts, n);
}

void ws_pipeline_flush(ws_pipeline_t *p) {
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].p->flush) {
            if (p->e[i].serialise) pthread_mutex_lock(&p->e[i].lock);
            p->e[i].p->flush(p->e[i].instance);
            if (p->e[i].serialise) pthread_mutex_unlock(&p->e[i].lock);
        }
}

size_t ws_pipeline_size(const ws_pipeline_t *p) { return p ? p->n : 0; }

void ws_pipeline_stats(const ws_pipeline_t *p, size_t i, ws_entry_stats_t *out) {
    memset(out, 0, sizeof *out);
    if (!p || i >= p->n) return;
    const entry_t *e = &p->e[i];
    out->name = e->name;
    out->processor = e->processor;
    out->in = __atomic_load_n(&e->in, __ATOMIC_RELAXED);
    out->out = __atomic_load_n(&e->out, __ATOMIC_RELAXED);
    out->dropped = __atomic_load_n(&e->dropped, __ATOMIC_RELAXED);
    out->errors = __atomic_load_n(&e->errors, __ATOMIC_RELAXED);
    out->hits = __atomic_load_n(&e->hits, __ATOMIC_RELAXED);
    out->latency_us = &e->latency;
}

const char *ws_pipeline_state_topic(const ws_pipeline_t *p, size_t i) {
    if (!p || i >= p->n || !p->e[i].p->on_state) return NULL;
    return p->e[i].state_topic;
}

void ws_pipeline_state_deliver(ws_pipeline_t *p, size_t i, const void *key, size_t klen,
                               const void *val, size_t vlen) {
    if (!p || i >= p->n || !p->e[i].p->on_state) return;
    /* on_state synchronises itself (API contract); no entry lock here so a
     * state replay never waits behind a slow record. */
    p->e[i].p->on_state(p->e[i].instance, key, klen, val, vlen);
}
