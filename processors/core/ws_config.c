/* ws_config.c -- loading, overriding, validating and printing the
 * application config.  Every section is a ws_config_key_t table applied by
 * ws_configmap, so validation, defaults and docs/config.md share one source. */
#include "ws_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ws_configmap.h"
#include "ws_registry.h"

extern char **environ;

#ifndef WS_DATA_DIR
#define WS_DATA_DIR "config"
#endif
#define WS_DEFAULT_CONFIG WS_DATA_DIR "/wirestream.json"

/* ---------------------------------------------------------------- tables */

typedef struct {
    const char *delivery;
    const char *data_dir;
    int64_t workers;
    int64_t shutdown_timeout_ms;
    int64_t transaction_interval_ms;
} top_t;

typedef struct {
    ws_strlist_t topics;
    const char *format;
    int html;
    int64_t max_bytes;
    int64_t max_json_depth;
} input_t;

typedef struct {
    ws_strlist_t names[WS_FIELD__COUNT];
} fields_t;

typedef struct {
    const char *topic;
    const char *dlq_topic;
    const char *compression;
} output_t;

typedef struct {
    int64_t record_timeout_ms;
    int64_t max_entities;
    int64_t max_quotes;
} limits_t;

typedef struct {
    int64_t interval_ms;
    int64_t http_port;
    const char *http_bind;
} metrics_t;

typedef struct {
    const char *format;
    const char *level;
} log_t;

/* Pipeline entry keys the host handles itself; the rest belong to the processor. */
typedef struct {
    const char *name;
    const char *processor;
    const char *path;
    const char *drop_topic;
    const char *state_topic;
    int enabled;
} entry_t;

#define OFF(t, f) offsetof(t, f)

static const ws_config_key_t top_keys[] = {
    {WS_CFG_STRING, "delivery", "at_least_once", OFF(top_t, delivery),
     "Delivery guarantee: at_least_once (commit after every output is acknowledged) or "
     "exactly_once (Kafka transactions).", "at_least_once|exactly_once"},
    {WS_CFG_STRING, "data_dir", NULL, OFF(top_t, data_dir),
     "Where processors' relative data paths (gazetteers, rules, cue lists) resolve; relative to the config "
     "file. Unset: the config file's directory when it has the processor's folder (e.g. quotes/), else "
     "the data directory installed with wirestream.", NULL},
    {WS_CFG_INT, "workers", "1", OFF(top_t, workers),
     "Pipeline worker threads per process. Kafka: records of one partition stay in order. "
     "`wirestream process`: output stays in input order; duplicates that are in flight at the same "
     "moment may both pass dedup, so use 1 where dedup decisions must be reproducible.", NULL},
    {WS_CFG_INT, "shutdown_timeout_ms", "30000", OFF(top_t, shutdown_timeout_ms),
     "On SIGTERM/SIGINT, how long to drain in-flight records before giving up.", NULL},
    {WS_CFG_INT, "transaction_interval_ms", "100", OFF(top_t, transaction_interval_ms),
     "exactly_once only: how often a transaction is committed.", NULL},
    {0}
};

static const ws_config_key_t input_keys[] = {
    {WS_CFG_STRLIST, "topics", "articles", OFF(input_t, topics), "Topics to consume raw articles from.", NULL},
    {WS_CFG_STRING, "format", "auto", OFF(input_t, format),
     "Message format: auto (JSON when the first non-space byte is '{', else plain text), json or text.",
     "auto|json|text"},
    {WS_CFG_BOOL, "html", "false", OFF(input_t, html),
     "Convert HTML bodies to text (paragraph breaks kept, character references decoded).", NULL},
    {WS_CFG_INT, "max_bytes", "4194304", OFF(input_t, max_bytes),
     "Messages larger than this go to the DLQ with reason too_large (0 = no limit).", NULL},
    {WS_CFG_INT, "max_json_depth", "64", OFF(input_t, max_json_depth),
     "Deeper JSON nesting goes to the DLQ with reason too_deep (at most 512).", NULL},
    {0}
};

static const ws_config_key_t fields_keys[] = {
    {WS_CFG_STRLIST, "id", "id", OFF(fields_t, names[WS_FIELD_ID]),
     "JSON names tried, in order, for the article id (missing: a content hash).", NULL},
    {WS_CFG_STRLIST, "title", "title", OFF(fields_t, names[WS_FIELD_TITLE]), "JSON names for the title.", NULL},
    {WS_CFG_STRLIST, "url", "url", OFF(fields_t, names[WS_FIELD_URL]), "JSON names for the URL.", NULL},
    {WS_CFG_STRLIST, "source", "source", OFF(fields_t, names[WS_FIELD_SOURCE]), "JSON names for the source.", NULL},
    {WS_CFG_STRLIST, "date", "date,published_at", OFF(fields_t, names[WS_FIELD_DATE]),
     "JSON names for the date (kept as the original string).", NULL},
    {WS_CFG_STRLIST, "body", "body,text,content", OFF(fields_t, names[WS_FIELD_BODY]),
     "JSON names for the body (required, non-empty).", NULL},
    {0}
};

static const ws_config_key_t output_keys[] = {
    {WS_CFG_STRING, "topic", "articles.enriched", OFF(output_t, topic), "Topic for enriched records.", NULL},
    {WS_CFG_STRING, "dlq_topic", "articles.dlq", OFF(output_t, dlq_topic),
     "Dead-letter topic: original bytes of bad input and failed records, with ws.* headers.", NULL},
    {WS_CFG_STRING, "compression", "lz4", OFF(output_t, compression), "Producer compression.", "lz4|zstd|none"},
    {0}
};

static const ws_config_key_t limits_keys[] = {
    {WS_CFG_INT, "record_timeout_ms", "2000", OFF(limits_t, record_timeout_ms),
     "Time budget for one record's pipeline run; over it the record goes to the DLQ with reason timeout "
     "(0 = none). A record still inside one processor after 10x this (at least 10 s) is dead-lettered and "
     "`run` exits with status 1 (docs/hardening.md).",
     NULL},
    {WS_CFG_INT, "max_entities", "2000", OFF(limits_t, max_entities),
     "Soft limit on entity mentions per record (beyond it the record is marked truncated): the "
     "max_entities option of every processor entry that does not set its own.", NULL},
    {WS_CFG_INT, "max_quotes", "500", OFF(limits_t, max_quotes),
     "Soft limit on quotes per record (beyond it the record is marked truncated): the max_quotes "
     "option of every processor entry that does not set its own.", NULL},
    {0}
};

static const ws_config_key_t metrics_keys[] = {
    {WS_CFG_INT, "interval_ms", "10000", OFF(metrics_t, interval_ms), "How often the metrics log line is written.", NULL},
    {WS_CFG_INT, "http_port", "0", OFF(metrics_t, http_port), "Port for /metrics and /healthz (0 = off).", NULL},
    {WS_CFG_STRING, "http_bind", "127.0.0.1", OFF(metrics_t, http_bind), "Address the HTTP endpoint binds to.", NULL},
    {0}
};

static const ws_config_key_t log_keys[] = {
    {WS_CFG_STRING, "format", "json", OFF(log_t, format), "Log line format on stderr.", "json|logfmt"},
    {WS_CFG_STRING, "level", "info", OFF(log_t, level), "Lowest level logged.", "debug|info|warn|error"},
    {0}
};

static const ws_config_key_t entry_keys[] = {
    {WS_CFG_STRING, "name", NULL, OFF(entry_t, name),
     "Entry name (required, unique): annotations are stored under it and --without uses it.", NULL},
    {WS_CFG_STRING, "processor", NULL, OFF(entry_t, processor),
     "Built-in processor type; defaults to the name.", NULL},
    {WS_CFG_STRING, "path", NULL, OFF(entry_t, path),
     "Shared object of an external processor (relative: to the working directory, then the config directory).",
     NULL},
    {WS_CFG_STRING, "drop_topic", NULL, OFF(entry_t, drop_topic),
     "Kafka mode: records this entry drops are produced here (with ws.* headers) instead of vanishing.", NULL},
    {WS_CFG_STRING, "state_topic", NULL, OFF(entry_t, state_topic),
     "Compacted topic persisting the processor's state writes (e.g. dedup's fingerprints).", NULL},
    {WS_CFG_BOOL, "enabled", "true", OFF(entry_t, enabled), "Set false to skip the entry.", NULL},
    {0}
};

typedef struct {
    const char *name;          /* section key in the file; "" = top level */
    const ws_config_key_t *keys;
    size_t size;
    const char *doc;
} section_t;

enum { SEC_TOP, SEC_INPUT, SEC_FIELDS, SEC_OUTPUT, SEC_LIMITS, SEC_METRICS, SEC_LOG, SEC__COUNT };

static const section_t sections[SEC__COUNT] = {
    {"", top_keys, sizeof(top_t), "Top-level keys."},
    {"input", input_keys, sizeof(input_t), "Where raw articles come from and how they are parsed."},
    {"input.fields", fields_keys, sizeof(fields_t), "JSON field names per article field."},
    {"output", output_keys, sizeof(output_t), "Where enriched records and bad input go."},
    {"limits", limits_keys, sizeof(limits_t), "Per-record limits."},
    {"metrics", metrics_keys, sizeof(metrics_t), "Metrics log line and HTTP endpoint."},
    {"log", log_keys, sizeof(log_t), "Structured logs on stderr."},
};

/* Entries of the built-in default pipeline. */
static const char *const default_pipeline[] = {"dedup", "entities", "quotes", NULL};

/* Defaults of the kafka section, merged under the file's properties. */
static const char *const kafka_defaults[][2] = {
    {"bootstrap.servers", "127.0.0.1:9092"},
    {"group.id", "wirestream"},
    {"auto.offset.reset", "earliest"},
    {NULL, NULL}
};

/* ---------------------------------------------------------------- state */

typedef struct {
    ws_config_t c;                       /* first: ws_config_t * is this struct */
    ws_configmap_store_t store;
    cJSON *root;                         /* the parsed file (or an empty object) */
    cJSON *text[SEC__COUNT];             /* overrides per section: key -> string */
    cJSON *kafka;                        /* merged kafka properties: key -> string */
    cJSON *kafka_where;                  /* overridden kafka properties: key -> which override */
    cJSON **entry_text;                  /* per entry: option overrides */
    void *sec[SEC__COUNT];               /* filled section structs */
} impl_t;

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------- file */

/* Replaces // and block comments outside strings with spaces (byte offsets
 * and line numbers stay valid), and drops trailing commas before } or ]. */
static void strip_jsonc(char *s, size_t n) {
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_str) {
            if (s[i] == '\\' && i + 1 < n) i++;
            else if (s[i] == '"') in_str = 0;
            continue;
        }
        if (s[i] == '"') { in_str = 1; continue; }
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
            while (i < n && s[i] != '\n') s[i++] = ' ';
            continue;
        }
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            s[i] = s[i + 1] = ' ';
            i += 2;
            while (i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/')) {
                if (s[i] != '\n') s[i] = ' ';
                i++;
            }
            if (i < n) { s[i] = ' '; if (i + 1 < n) s[i + 1] = ' '; i++; }
            continue;
        }
    }
    /* Second pass, now that comments are blanks. */
    in_str = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_str) {
            if (s[i] == '\\' && i + 1 < n) i++;
            else if (s[i] == '"') in_str = 0;
            continue;
        }
        if (s[i] == '"') { in_str = 1; continue; }
        if (s[i] == ',') {
            size_t j = i + 1;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) j++;
            if (j < n && (s[j] == '}' || s[j] == ']')) s[i] = ' ';
        }
    }
}

static int read_file(const char *path, char **out, size_t *outlen, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "%s: cannot open config file: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + len, 1, cap - len - 1, f);
        len += r;
        if (len < cap - 1) break;
        if (cap > (64u << 20)) {
            free(buf);
            fclose(f);
            set_err(err, errlen, "%s: config file too large", path);
            return -1;
        }
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (!nb) { free(buf); buf = NULL; }
        else buf = nb;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (!buf || ioerr) {
        free(buf);
        set_err(err, errlen, "%s: cannot read config file", path);
        return -1;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}

static cJSON *parse_jsonc(const char *path, char *text, size_t len, char *err, size_t errlen) {
    strip_jsonc(text, len);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
        int line = 1, col = 1;
        for (size_t i = 0; i < off; i++) {
            if (text[i] == '\n') { line++; col = 1; }
            else col++;
        }
        set_err(err, errlen, "%s:%d:%d: invalid JSON", path, line, col);
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        set_err(err, errlen, "%s: the config must be a JSON object", path);
        return NULL;
    }
    return root;
}

static int file_exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* ---------------------------------------------------------------- overrides */

static int section_by_name(const char *name) {
    for (int i = 0; i < SEC__COUNT; i++)
        if (strcmp(sections[i].name, name) == 0) return i;
    return -1;
}

static void put_text(cJSON *obj, const char *key, const char *val) {
    cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
    cJSON_AddItemToObject(obj, key, cJSON_CreateString(val));
}

/* Entry-level keys are host keys: stored straight into the entry. */
static int set_entry_key(impl_t *m, size_t idx, const char *key, const char *val,
                         const char *where, char *err, size_t errlen) {
    ws_entry_config_t *e = &m->c.entries[idx];
    const ws_config_key_t *k = ws_configmap_find(entry_keys, key);
    if (!k) {
        put_text(m->entry_text[idx], key, val);
        return 0;
    }
    char msg[256];
    if (strcmp(key, "name") == 0) {
        set_err(err, errlen, "%s: the name of pipeline entry \"%s\" cannot be overridden", where, e->name);
        return -1;
    }
    if (ws_configmap_check_text(k, val, msg, sizeof msg) < 0) {
        set_err(err, errlen, "%s: pipeline entry \"%s\": %s", where, e->name, msg);
        return -1;
    }
    if (strcmp(key, "enabled") == 0) {
        e->enabled = !strcasecmp(val, "true") || !strcmp(val, "1") || !strcasecmp(val, "yes") ||
                     !strcasecmp(val, "on");
        return 0;
    }
    char *copy = ws_configmap_strdup(&m->store, val);
    if (!copy) { set_err(err, errlen, "out of memory"); return -1; }
    if (!strcmp(key, "processor")) e->processor = copy;
    else if (!strcmp(key, "path")) e->path = *copy ? copy : NULL;
    else if (!strcmp(key, "drop_topic")) e->drop_topic = *copy ? copy : NULL;
    else if (!strcmp(key, "state_topic")) e->state_topic = *copy ? copy : NULL;
    return 0;
}

/* One override "a.b.c" = value from the environment or --set. */
static int apply_override(impl_t *m, const char *key, const char *val, const char *where,
                          char *err, size_t errlen) {
    if (strncmp(key, "kafka.", 6) == 0 && key[6]) {
        put_text(m->kafka, key + 6, val);
        /* Kept for the runtime's property errors; a --set secret's value
         * must not reach a log line. */
        char masked[600];
        if (strncmp(where, "--set ", 6) == 0 && ws_log_key_is_secret(key + 6)) {
            snprintf(masked, sizeof masked, "--set %s=***", key);
            where = masked;
        }
        put_text(m->kafka_where, key + 6, where);
        return 0;
    }
    if (strncmp(key, "pipeline.", 9) == 0) {
        const char *rest = key + 9;
        /* Entry names may contain dots: take the longest matching name. */
        int best = -1;
        size_t bestlen = 0;
        for (size_t i = 0; i < m->c.entries_n; i++) {
            size_t nl = strlen(m->c.entries[i].name);
            if (strncmp(rest, m->c.entries[i].name, nl) == 0 && rest[nl] == '.' && rest[nl + 1] &&
                nl > bestlen) {
                best = (int)i;
                bestlen = nl;
            }
        }
        if (best < 0) {
            set_err(err, errlen, "%s: key \"%s\": no pipeline entry by that name", where, key);
            return -1;
        }
        return set_entry_key(m, (size_t)best, rest + bestlen + 1, val, where, err, errlen);
    }
    /* Section keys: the longest section name that prefixes the key. */
    int sec = SEC_TOP;
    size_t seclen = 0;
    for (int i = 1; i < SEC__COUNT; i++) {
        size_t l = strlen(sections[i].name);
        if (strncmp(key, sections[i].name, l) == 0 && key[l] == '.' && l > seclen) {
            sec = i;
            seclen = l;
        }
    }
    const char *k = seclen ? key + seclen + 1 : key;
    const ws_config_key_t *def = ws_configmap_find(sections[sec].keys, k);
    if (!def) {
        set_err(err, errlen, "%s: unknown key \"%s\"", where, key);
        return -1;
    }
    char msg[256];
    if (ws_configmap_check_text(def, val, msg, sizeof msg) < 0) {
        set_err(err, errlen, "%s: %s%s%s", where, seclen ? sections[sec].name : "", seclen ? "." : "", msg);
        return -1;
    }
    put_text(m->text[sec], k, val);
    return 0;
}

/* WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS -> kafka.bootstrap.servers;
 * WIRESTREAM_OUTPUT_DLQ_TOPIC -> output.dlq_topic;
 * WIRESTREAM_PIPELINE_DEDUP_ACTION -> pipeline.dedup.action. */
static int env_to_key(const impl_t *m, const char *var, char *key, size_t keylen) {
    char low[512];
    size_t n = strlen(var);
    if (n >= sizeof low) return -1;
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)var[i]);
    /* Static group membership per replica (a pod name), set where each
     * replica gets its own environment. */
    if (strcmp(low, "group_instance_id") == 0) {
        snprintf(key, keylen, "kafka.group.instance.id");
        return 0;
    }
    if (strncmp(low, "kafka_", 6) == 0 && low[6]) {
        /* librdkafka properties use dots; "__" stands for a literal '_'. */
        size_t o = snprintf(key, keylen, "kafka.");
        for (const char *p = low + 6; *p && o + 1 < keylen; p++) {
            if (p[0] == '_' && p[1] == '_') { key[o++] = '_'; p++; }
            else key[o++] = *p == '_' ? '.' : *p;
        }
        key[o] = '\0';
        return 0;
    }
    if (strncmp(low, "pipeline_", 9) == 0) {
        const char *rest = low + 9;
        for (size_t i = 0; i < m->c.entries_n; i++) {
            char en[256];
            size_t l = 0;
            for (const char *p = m->c.entries[i].name; *p && l + 1 < sizeof en; p++)
                en[l++] = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '_';
            en[l] = '\0';
            if (strncmp(rest, en, l) == 0 && rest[l] == '_' && rest[l + 1]) {
                snprintf(key, keylen, "pipeline.%s.%s", m->c.entries[i].name, rest + l + 1);
                return 0;
            }
        }
        return -1;
    }
    static const char *const prefixes[][2] = {
        {"input_fields_", "input.fields."}, {"input_", "input."}, {"output_", "output."},
        {"limits_", "limits."}, {"metrics_", "metrics."}, {"log_", "log."}, {NULL, NULL}};
    for (int i = 0; prefixes[i][0]; i++) {
        size_t l = strlen(prefixes[i][0]);
        if (strncmp(low, prefixes[i][0], l) == 0) {
            snprintf(key, keylen, "%s%s", prefixes[i][1], low + l);
            return 0;
        }
    }
    snprintf(key, keylen, "%s", low);
    return 0;
}

static int apply_env(impl_t *m, char *err, size_t errlen) {
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, "WIRESTREAM_", 11) != 0) continue;
        const char *eq = strchr(*e, '=');
        if (!eq) continue;
        char var[512];
        size_t vl = (size_t)(eq - (*e + 11));
        if (vl == 0 || vl >= sizeof var) continue;
        memcpy(var, *e + 11, vl);
        var[vl] = '\0';
        if (strcmp(var, "CONFIG") == 0) continue;
        char where[600];
        snprintf(where, sizeof where, "environment variable WIRESTREAM_%s", var);
        char key[600];
        if (env_to_key(m, var, key, sizeof key) < 0) {
            set_err(err, errlen, "%s: no pipeline entry or config key matches it", where);
            return -1;
        }
        if (apply_override(m, key, eq + 1, where, err, errlen) < 0) return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- sections */

static int valid_entry_name(const char *s) {
    if (!*s) return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.') return 0;
    static const char *const reserved[] = {"id", "title", "url", "source", "date", "body",
                                           "kafka", "truncated", NULL};
    for (int i = 0; reserved[i]; i++)
        if (strcmp(s, reserved[i]) == 0) return 0;
    return 1;
}

static int load_pipeline(impl_t *m, char *err, size_t errlen) {
    const char *file = m->c.source_file;
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(m->root, "pipeline");
    cJSON *generated = NULL;
    if (!pl || cJSON_IsNull(pl)) {
        generated = cJSON_CreateArray();
        for (int i = 0; default_pipeline[i]; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", default_pipeline[i]);
            cJSON_AddItemToArray(generated, o);
        }
        pl = generated;
    }
    if (!cJSON_IsArray(pl)) {
        set_err(err, errlen, "%s: key \"pipeline\" must be an array of entries", file);
        return -1;
    }
    size_t n = (size_t)cJSON_GetArraySize(pl);
    m->c.entries = calloc(n ? n : 1, sizeof *m->c.entries);
    m->entry_text = calloc(n ? n : 1, sizeof *m->entry_text);
    if (!m->c.entries || !m->entry_text) goto oom;
    size_t i = 0;
    for (const cJSON *it = pl->child; it; it = it->next, i++) {
        char where[512];
        if (!cJSON_IsObject(it)) {
            set_err(err, errlen, "%s: pipeline[%zu] must be an object with a \"name\"", file, i);
            goto fail;
        }
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
        snprintf(where, sizeof where, "%s: pipeline[%zu]%s%s%s", file, i,
                 cJSON_IsString(nm) ? " (\"" : "", cJSON_IsString(nm) ? nm->valuestring : "",
                 cJSON_IsString(nm) ? "\")" : "");
        entry_t ent;
        memset(&ent, 0, sizeof ent);
        /* Host keys only: the processor's own keys are checked later
         * against its table, in ws_pipeline_new. */
        cJSON *host = cJSON_CreateObject();
        cJSON *opts = cJSON_CreateObject();
        if (!host || !opts) { cJSON_Delete(host); cJSON_Delete(opts); goto oom; }
        for (const cJSON *kv = it->child; kv; kv = kv->next) {
            cJSON *dup = cJSON_Duplicate(kv, 1);
            if (!dup) { cJSON_Delete(host); cJSON_Delete(opts); goto oom; }
            cJSON_AddItemToObject(ws_configmap_find(entry_keys, kv->string) ? host : opts, kv->string, dup);
        }
        m->c.entries[i].options = opts;
        m->entry_text[i] = cJSON_CreateObject();
        m->c.entries_n = i + 1;
        int rc = ws_configmap_apply(entry_keys, host, NULL, NULL, &ent, &m->store, where, NULL, err, errlen);
        cJSON_Delete(host);
        if (rc < 0) goto fail;
        if (!ent.name) {
            set_err(err, errlen, "%s: missing required key \"name\"", where);
            goto fail;
        }
        if (!valid_entry_name(ent.name)) {
            set_err(err, errlen,
                    "%s: key \"name\": \"%s\" is not a valid entry name (letters, digits, _ - .; "
                    "not an article field or \"kafka\")", where, ent.name);
            goto fail;
        }
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(m->c.entries[j].name, ent.name) == 0) dup = 1;
        if (dup) {
            set_err(err, errlen, "%s: key \"name\": \"%s\" is used by an earlier entry", where, ent.name);
            goto fail;
        }
        ws_entry_config_t *e = &m->c.entries[i];
        e->name = (char *)ent.name;
        e->processor = (char *)(ent.processor ? ent.processor : ent.name);
        e->path = (char *)ent.path;
        e->drop_topic = (char *)ent.drop_topic;
        e->state_topic = (char *)ent.state_topic;
        e->enabled = ent.enabled;
    }
    cJSON_Delete(generated);
    return 0;
oom:
    set_err(err, errlen, "%s: out of memory", file);
fail:
    cJSON_Delete(generated);
    return -1;
}

static int load_kafka(impl_t *m, char *err, size_t errlen) {
    m->kafka = cJSON_CreateObject();
    m->kafka_where = cJSON_CreateObject();
    if (!m->kafka || !m->kafka_where) { set_err(err, errlen, "out of memory"); return -1; }
    for (int i = 0; kafka_defaults[i][0]; i++)
        cJSON_AddItemToObject(m->kafka, kafka_defaults[i][0], cJSON_CreateString(kafka_defaults[i][1]));
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(m->root, "kafka");
    if (!k) return 0;
    if (!cJSON_IsObject(k)) {
        set_err(err, errlen, "%s: key \"kafka\" must be an object of librdkafka properties", m->c.source_file);
        return -1;
    }
    for (const cJSON *v = k->child; v; v = v->next) {
        char num[64];
        const char *s;
        if (cJSON_IsString(v)) s = v->valuestring;
        else if (cJSON_IsBool(v)) s = cJSON_IsTrue(v) ? "true" : "false";
        else if (cJSON_IsNumber(v)) {
            /* Range first: casting 1e300 to long long is undefined. */
            if (v->valuedouble > -9e18 && v->valuedouble < 9e18 &&
                v->valuedouble == (double)(long long)v->valuedouble)
                snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
            else
                snprintf(num, sizeof num, "%.17g", v->valuedouble);
            s = num;
        } else {
            set_err(err, errlen, "%s: kafka property \"%s\" must be a string, number or boolean",
                    m->c.source_file, v->string);
            return -1;
        }
        put_text(m->kafka, v->string, s);
    }
    return 0;
}

/* The kafka section's merged properties into the flat arrays of ws_config_t. */
static int finish_kafka(impl_t *m, char *err, size_t errlen) {
    size_t n = (size_t)cJSON_GetArraySize(m->kafka);
    m->c.kafka_keys = ws_configmap_alloc(&m->store, (n + 1) * sizeof(char *));
    m->c.kafka_values = ws_configmap_alloc(&m->store, (n + 1) * sizeof(char *));
    m->c.kafka_where = ws_configmap_alloc(&m->store, (n + 1) * sizeof(char *));
    if (!m->c.kafka_keys || !m->c.kafka_values || !m->c.kafka_where) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    size_t i = 0;
    for (const cJSON *v = m->kafka->child; v; v = v->next, i++) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(m->kafka_where, v->string);
        m->c.kafka_keys[i] = ws_configmap_strdup(&m->store, v->string);
        m->c.kafka_values[i] = ws_configmap_strdup(&m->store, v->valuestring);
        m->c.kafka_where[i] = ws_configmap_strdup(&m->store, w ? w->valuestring : m->c.source_file);
        if (!m->c.kafka_keys[i] || !m->c.kafka_values[i] || !m->c.kafka_where[i]) {
            set_err(err, errlen, "out of memory");
            return -1;
        }
    }
    m->c.kafka_n = n;
    return 0;
}

static int apply_sections(impl_t *m, char *err, size_t errlen) {
    const char *file = m->c.source_file;
    /* Unknown top-level keys: everything that is neither a section nor a top key. */
    for (const cJSON *v = m->root->child; v; v = v->next) {
        if (!strcmp(v->string, "kafka") || !strcmp(v->string, "pipeline") ||
            ws_configmap_find(top_keys, v->string))
            continue;
        int s = section_by_name(v->string);
        if (s <= 0 || s == SEC_FIELDS) {
            set_err(err, errlen, "%s: unknown key \"%s\"", file, v->string);
            return -1;
        }
    }
    for (int s = 0; s < SEC__COUNT; s++) {
        m->sec[s] = ws_configmap_alloc(&m->store, sections[s].size);
        if (!m->sec[s]) { set_err(err, errlen, "out of memory"); return -1; }
        const cJSON *obj;
        static const char *const skip_top[] = {"kafka", "pipeline", "input", "output", "limits",
                                               "metrics", "log", NULL};
        static const char *const skip_input[] = {"fields", NULL};
        const char *const *skip = NULL;
        if (s == SEC_TOP) { obj = m->root; skip = skip_top; }
        else if (s == SEC_FIELDS) {
            const cJSON *in = cJSON_GetObjectItemCaseSensitive(m->root, "input");
            obj = cJSON_IsObject(in) ? cJSON_GetObjectItemCaseSensitive(in, "fields") : NULL;
        } else {
            obj = cJSON_GetObjectItemCaseSensitive(m->root, sections[s].name);
            if (s == SEC_INPUT) skip = skip_input;
        }
        char where[512];
        if (s == SEC_TOP) snprintf(where, sizeof where, "%s", file);
        else snprintf(where, sizeof where, "%s: section \"%s\"", file, sections[s].name);
        if (ws_configmap_apply(sections[s].keys, obj, m->text[s], skip, m->sec[s], &m->store, where,
                               "override", err, errlen) < 0)
            return -1;
    }
    return 0;
}

/* Copies section structs into ws_config_t and checks value ranges. */
static int finish(impl_t *m, char *err, size_t errlen) {
    const char *file = m->c.source_file;
    ws_config_t *c = &m->c;
    top_t *top = m->sec[SEC_TOP];
    input_t *in = m->sec[SEC_INPUT];
    fields_t *fl = m->sec[SEC_FIELDS];
    output_t *out = m->sec[SEC_OUTPUT];
    limits_t *lim = m->sec[SEC_LIMITS];
    metrics_t *met = m->sec[SEC_METRICS];
    log_t *lg = m->sec[SEC_LOG];

    c->delivery = strcmp(top->delivery, "exactly_once") == 0 ? WS_DELIVERY_EXACTLY_ONCE
                                                              : WS_DELIVERY_AT_LEAST_ONCE;
    if (top->data_dir && *top->data_dir) {
        char *d;
        if (top->data_dir[0] == '/' || strcmp(c->source_file, "<built-in>") == 0) d = strdup(top->data_dir);
        else if (asprintf(&d, "%s/%s", c->config_dir, top->data_dir) < 0) d = NULL;
        if (!d) {
            set_err(err, errlen, "out of memory");
            return -1;
        }
        free(c->config_dir);
        c->config_dir = d;
        c->data_dir_set = 1;
    }
    if (top->workers < 1 || top->workers > 256) {
        set_err(err, errlen, "%s: key \"workers\" must be between 1 and 256", file);
        return -1;
    }
    c->workers = (int)top->workers;
    c->shutdown_timeout_ms = top->shutdown_timeout_ms;
    c->transaction_interval_ms = top->transaction_interval_ms;

    if (in->topics.n == 0) {
        set_err(err, errlen, "%s: key \"input.topics\" must name at least one topic", file);
        return -1;
    }
    c->input_topics = (char **)in->topics.items;
    c->input_topics_n = in->topics.n;
    ws_article_opts_default(&c->article);
    c->article.format = !strcmp(in->format, "json") ? WS_FORMAT_JSON
                      : !strcmp(in->format, "text") ? WS_FORMAT_TEXT : WS_FORMAT_AUTO;
    c->article.html = in->html;
    if (in->max_bytes < 0 || in->max_json_depth < 0 || in->max_json_depth > 512) {
        set_err(err, errlen, "%s: keys \"input.max_bytes\" must be >= 0 and \"input.max_json_depth\" "
                "between 0 and 512", file);
        return -1;
    }
    c->article.max_bytes = (size_t)in->max_bytes;
    c->article.max_json_depth = (int)in->max_json_depth;
    for (int f = 0; f < WS_FIELD__COUNT; f++) {
        /* strlist items are NULL-terminated by construction (allocated n+1). */
        if (fl->names[f].n == 0) {
            set_err(err, errlen, "%s: key \"input.fields.%s\" must name at least one field", file,
                    fields_keys[f].name);
            return -1;
        }
        c->article.names[f] = fl->names[f].items;
    }
    c->field_names_storage = NULL;

    c->output_topic = (char *)out->topic;
    c->dlq_topic = (char *)out->dlq_topic;
    c->compression = (char *)out->compression;
    if (!c->output_topic || !*c->output_topic || !c->dlq_topic || !*c->dlq_topic) {
        set_err(err, errlen, "%s: keys \"output.topic\" and \"output.dlq_topic\" must not be empty", file);
        return -1;
    }

    if (lim->record_timeout_ms < 0 || lim->max_entities < 0 || lim->max_quotes < 0) {
        set_err(err, errlen, "%s: section \"limits\": values must be >= 0", file);
        return -1;
    }
    c->record_timeout_ms = lim->record_timeout_ms;
    c->max_entities = lim->max_entities;
    c->max_quotes = lim->max_quotes;

    if (met->http_port < 0 || met->http_port > 65535 || met->interval_ms < 0) {
        set_err(err, errlen, "%s: key \"metrics.http_port\" must be 0..65535 and \"metrics.interval_ms\" >= 0",
                file);
        return -1;
    }
    c->metrics_interval_ms = met->interval_ms;
    c->http_port = (int)met->http_port;
    c->http_bind = (char *)met->http_bind;
    ws_log_format_parse(lg->format, &c->log_format);
    ws_log_level_parse(lg->level, &c->log_level);
    return 0;
}

/* ---------------------------------------------------------------- public */

int ws_config_load(const char *path, const char *const *sets, size_t nsets,
                   ws_config_t **out, char *err, size_t errlen) {
    *out = NULL;
    impl_t *m = calloc(1, sizeof *m);
    if (!m) { set_err(err, errlen, "out of memory"); return -1; }
    ws_configmap_store_init(&m->store);

    /* Lookup order. */
    const char *chosen = path;
    if (!chosen) {
        const char *env = getenv("WIRESTREAM_CONFIG");
        if (env && *env) chosen = env;
        else if (file_exists("config/wirestream.json")) chosen = "config/wirestream.json";
        else if (file_exists(WS_DEFAULT_CONFIG)) chosen = WS_DEFAULT_CONFIG;
    }
    if (chosen) {
        char *text;
        size_t len;
        if (read_file(chosen, &text, &len, err, errlen) < 0) goto fail;
        m->root = parse_jsonc(chosen, text, len, err, errlen);
        free(text);
        if (!m->root) goto fail;
        m->c.source_file = strdup(chosen);
        m->c.config_dir = dir_of(chosen);
    } else {
        m->root = cJSON_CreateObject();
        m->c.source_file = strdup("<built-in>");
        m->c.config_dir = strdup(WS_DATA_DIR);
    }
    if (!m->root || !m->c.source_file || !m->c.config_dir) { set_err(err, errlen, "out of memory"); goto fail; }
    for (int s = 0; s < SEC__COUNT; s++)
        if (!(m->text[s] = cJSON_CreateObject())) { set_err(err, errlen, "out of memory"); goto fail; }

    if (load_kafka(m, err, errlen) < 0) goto fail;
    if (load_pipeline(m, err, errlen) < 0) goto fail;
    if (apply_env(m, err, errlen) < 0) goto fail;
    for (size_t i = 0; i < nsets; i++) {
        const char *eq = strchr(sets[i], '=');
        char where[600];
        snprintf(where, sizeof where, "--set %s", sets[i]);
        if (!eq || eq == sets[i]) {
            set_err(err, errlen, "%s: expected key=value", where);
            goto fail;
        }
        char *key = strndup(sets[i], (size_t)(eq - sets[i]));
        if (!key) { set_err(err, errlen, "out of memory"); goto fail; }
        int rc = apply_override(m, key, eq + 1, where, err, errlen);
        free(key);
        if (rc < 0) goto fail;
    }
    if (apply_sections(m, err, errlen) < 0) goto fail;
    if (finish_kafka(m, err, errlen) < 0) goto fail;
    if (finish(m, err, errlen) < 0) goto fail;
    /* Option overrides (text) travel with each entry to ws_pipeline_new,
     * which converts them with the processor's table. */
    for (size_t i = 0; i < m->c.entries_n; i++) {
        m->c.entries[i].option_overrides = m->entry_text[i];
        m->entry_text[i] = NULL;
    }
    *out = &m->c;
    return 0;
fail:
    ws_config_free(&m->c);
    return -1;
}

void ws_config_free(ws_config_t *c) {
    if (!c) return;
    impl_t *m = (impl_t *)c;
    for (size_t i = 0; i < c->entries_n; i++) {
        cJSON_Delete(c->entries[i].options);
        cJSON_Delete(c->entries[i].option_overrides);
        if (m->entry_text) cJSON_Delete(m->entry_text[i]);
    }
    free(c->entries);
    free(m->entry_text);
    free(c->source_file);
    free(c->config_dir);
    cJSON_Delete(m->root);
    cJSON_Delete(m->kafka);
    cJSON_Delete(m->kafka_where);
    for (int s = 0; s < SEC__COUNT; s++) cJSON_Delete(m->text[s]);
    ws_configmap_store_free(&m->store);
    free(m);
}

static int has_entry(const char *dir, const char *name) {
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

const char *ws_config_data_dir(const ws_config_t *c, const char *processor) {
    if (c->data_dir_set || !processor) return c->config_dir;
    if (has_entry(c->config_dir, processor)) return c->config_dir;
    if (has_entry(WS_DATA_DIR, processor)) return WS_DATA_DIR;
    return c->config_dir;
}

static void add_name(char *out, size_t outlen, size_t *n, const char *prefix, const char *key) {
    size_t used = strlen(out);
    if (used + 1 < outlen)
        snprintf(out + used, outlen - used, "%s%s%s", *n ? ", " : "", prefix, key);
    (*n)++;
}

size_t ws_config_file_secrets(const ws_config_t *c, char *out, size_t outlen) {
    const impl_t *m = (const impl_t *)c;
    size_t n = 0;
    if (outlen) out[0] = '\0';
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(m->root, "kafka");
    for (const cJSON *v = cJSON_IsObject(k) ? k->child : NULL; v; v = v->next)
        if (ws_log_key_is_secret(v->string) && !(cJSON_IsString(v) && !*v->valuestring))
            add_name(out, outlen, &n, "kafka.", v->string);
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(m->root, "pipeline");
    for (const cJSON *e = cJSON_IsArray(pl) ? pl->child : NULL; e; e = e->next)
        for (const cJSON *v = cJSON_IsObject(e) ? e->child : NULL; v; v = v->next)
            if (ws_log_key_is_secret(v->string)) add_name(out, outlen, &n, "pipeline.", v->string);
    return n;
}

const char *ws_config_kafka_get(const ws_config_t *c, const char *key) {
    for (size_t i = 0; i < c->kafka_n; i++)
        if (strcmp(c->kafka_keys[i], key) == 0) return c->kafka_values[i];
    return NULL;
}

/* A built-in processor's effective options (defaults filled, overrides
 * converted) into o.  -1 when the table is unknown (external processors)
 * or the options do not validate. */
static int entry_options_json(const ws_config_t *c, const ws_entry_config_t *e, cJSON *o, int mask) {
    const ws_processor_t *p = e->path ? NULL : ws_registry_find(e->processor);
    if (!p) return -1;
    if (!p->config) return 0;
    ws_configmap_store_t st;
    ws_configmap_store_init(&st);
    void *cfg = ws_configmap_alloc(&st, p->config_size);
    char err[256];
    int rc = cfg ? ws_configmap_apply(p->config, e->options, e->option_overrides, NULL, cfg, &st, "", "",
                                      err, sizeof err) : -1;
    /* Show what ws_pipeline_new gives the processor: app-wide limits fill
     * same-named options the entry does not set. */
    const impl_t *m = (const impl_t *)c;
    const limits_t *lim = m->sec[SEC_LIMITS];
    const struct { const char *key; int64_t v; } limits[] = {
        {"max_entities", lim->max_entities}, {"max_quotes", lim->max_quotes}};
    for (size_t i = 0; rc == 0 && i < sizeof limits / sizeof *limits; i++) {
        const ws_config_key_t *k = ws_configmap_find(p->config, limits[i].key);
        if (k && k->type == WS_CFG_INT && !cJSON_GetObjectItemCaseSensitive(e->options, limits[i].key) &&
            !cJSON_GetObjectItemCaseSensitive(e->option_overrides, limits[i].key))
            memcpy((char *)cfg + k->offset, &limits[i].v, sizeof limits[i].v);
    }
    if (rc == 0)
        for (const ws_config_key_t *k = p->config; k->name; k++)
            cJSON_AddItemToObject(o, k->name, ws_configmap_value_json(k, cfg, mask));
    ws_configmap_store_free(&st);
    return rc;
}

cJSON *ws_config_to_json(const ws_config_t *c, int mask_secrets) {
    const impl_t *m = (const impl_t *)c;
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON *k = cJSON_AddObjectToObject(root, "kafka");
    for (size_t i = 0; i < c->kafka_n; i++)
        cJSON_AddStringToObject(k, c->kafka_keys[i],
                                mask_secrets && ws_log_key_is_secret(c->kafka_keys[i]) ? "***"
                                                                                      : c->kafka_values[i]);
    for (int s = 0; s < SEC__COUNT; s++) {
        cJSON *obj;
        if (s == SEC_TOP) obj = root;
        else if (s == SEC_FIELDS) obj = cJSON_AddObjectToObject(cJSON_GetObjectItem(root, "input"), "fields");
        else obj = cJSON_AddObjectToObject(root, sections[s].name);
        for (const ws_config_key_t *key = sections[s].keys; key->name; key++)
            cJSON_AddItemToObject(obj, key->name, ws_configmap_value_json(key, m->sec[s], mask_secrets));
    }
    cJSON *pl = cJSON_AddArrayToObject(root, "pipeline");
    for (size_t i = 0; i < c->entries_n; i++) {
        const ws_entry_config_t *e = &c->entries[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", e->name);
        if (!e->path) cJSON_AddStringToObject(o, "processor", e->processor);
        if (e->path) cJSON_AddStringToObject(o, "path", e->path);
        if (e->drop_topic) cJSON_AddStringToObject(o, "drop_topic", e->drop_topic);
        if (e->state_topic) cJSON_AddStringToObject(o, "state_topic", e->state_topic);
        cJSON_AddBoolToObject(o, "enabled", e->enabled);
        if (entry_options_json(c, e, o, mask_secrets) < 0) {
            /* Options that do not validate: show them as written. */
            for (int pass = 0; pass < 2; pass++) {
                const cJSON *src = pass ? e->option_overrides : e->options;
                for (const cJSON *v = src ? src->child : NULL; v; v = v->next) {
                    cJSON_DeleteItemFromObjectCaseSensitive(o, v->string);
                    if (mask_secrets && ws_log_key_is_secret(v->string))
                        cJSON_AddStringToObject(o, v->string, "***");
                    else
                        cJSON_AddItemToObject(o, v->string, cJSON_Duplicate(v, 1));
                }
            }
        }
        cJSON_AddItemToArray(pl, o);
    }
    return root;
}

int ws_config_reference(ws_buf_t *out) {
    ws_buf_appends(out,
        "# Configuration reference\n\n"
        "Generated by `wirestream config-reference` from the tables in "
        "`processors/core/ws_config.c`; do not edit by hand.\n\n"
        "wirestream reads one JSON file (comments `//` and `/* */` and trailing commas allowed). "
        "Without `--config` it uses `$WIRESTREAM_CONFIG`, then `./config/wirestream.json`, then `wirestream.json` in the data "
        "directory compiled in at build time (CMake `WS_DATA_DIR`), then the built-in defaults below. "
        "Relative data paths in processor options resolve against `data_dir` when it is set; otherwise "
        "against the config file's directory when it has the processor's own folder (`entities/`, "
        "`quotes/`), else against the data directory installed with wirestream. So a small config file "
        "anywhere works with the shipped gazetteers, and a copied config directory uses its own.\n\n"
        "Overrides, applied in this order after the file:\n\n"
        "- environment: `WIRESTREAM_<SECTION>_<KEY>` (`WIRESTREAM_OUTPUT_DLQ_TOPIC`, `WIRESTREAM_DELIVERY`); "
        "`WIRESTREAM_KAFKA_<PROPERTY>` with `_` for `.` (`WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS`, `__` for a "
        "literal `_`); `WIRESTREAM_PIPELINE_<ENTRY>_<KEY>` for a processor option; "
        "`WIRESTREAM_GROUP_INSTANCE_ID` sets `kafka.group.instance.id` (static membership, one value per "
        "replica). `WIRESTREAM_CONFIG` names the config file. Any other `WIRESTREAM_*` variable is an "
        "error, so typos do not pass silently.\n"
        "- command line: `--set key=value` with dotted keys (`--set output.topic=t`, "
        "`--set kafka.bootstrap.servers=h:9092`, `--set pipeline.dedup.action=flag`).\n\n"
        "Unknown keys and wrong types are errors naming the key and the file (or the override). "
        "`wirestream check-config` validates everything, processor options and kafka properties "
        "included, and prints the effective config with secrets masked.\n\n");
    for (int s = 0; s < SEC__COUNT; s++) {
        ws_buf_printf(out, "## %s%s%s\n\n%s\n\n", s == SEC_TOP ? "Top level" : "`",
                      sections[s].name, s == SEC_TOP ? "" : "`", sections[s].doc);
        ws_configmap_doc(sections[s].keys, sections[s].name, out);
        ws_buf_appends(out, "\n");
    }
    ws_buf_appends(out,
        "## `kafka`\n\n"
        "librdkafka properties, passed through as strings to the consumer and the producer "
        "(see librdkafka's CONFIGURATION.md). Numbers and booleans are converted to text. "
        "`check-config`, `run` and `demo` hand every property to librdkafka before anything connects: "
        "an unknown property or a bad value stops them with exit code 2 and "
        "`<file>: kafka.<key>: <librdkafka's message>` (an override names its environment variable "
        "or `--set` instead of the file). `process` does not use them. Defaults:\n\n");
    for (int i = 0; kafka_defaults[i][0]; i++)
        ws_buf_printf(out, "- `%s`: `\"%s\"`\n", kafka_defaults[i][0], kafka_defaults[i][1]);
    ws_buf_appends(out,
        "\nValues of secret-looking keys (`sasl.*`, `ssl.key.*`, anything with password, secret "
        "or token) are masked in logs and in `check-config`.\n\n"
        "## `pipeline`\n\n"
        "An ordered list of entries; each record runs through them in order. Default: "
        "`[{\"name\": \"dedup\"}, {\"name\": \"entities\"}, {\"name\": \"quotes\"}]`. "
        "The same processor may appear twice under different names. Besides the keys below, "
        "an entry takes the options of its processor (see docs/processors.md), validated by the "
        "processor's own table.\n\n");
    ws_configmap_doc(entry_keys, NULL, out);
    return 0;
}
