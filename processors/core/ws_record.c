/* ws_record.c -- the record a pipeline run works on: the article fields,
 * Kafka source metadata, annotations in the order entries added them, flags
 * and the state writes the runtime must deliver.  Records are reused across
 * messages (ws_record_reset keeps the vectors' memory). */
#include "ws_record_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws_value.h"

typedef struct {
    const char *key;            /* the entry's name, or a copy in the arena or malloc'd */
    int own_key;                /* key is malloc'd (no arena) */
    ws_value_t *val;
    const char *owner;          /* entry that wrote it (NULL: the host) */
} annotation_t;

struct ws_record {
    ws_article_t art;

    int has_source;
    char *topic;
    size_t topic_cap;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;
    int64_t ingest_ms;

    const char *entry;          /* running entry's name (owned by the pipeline) */

    annotation_t *ann;
    size_t ann_n, ann_cap;

    int truncated;
    int hit;
    char refused[256];          /* first refused annotate of the running entry, or "" */

    ws_state_write_t *state;
    size_t state_n, state_cap;

    ws_value_arena_t *arena;    /* values made while entries run (NULL: malloc) */
};

static const char *const field_keys[WS_FIELD__COUNT] = {
    "id", "title", "url", "source", "date", "body"
};

ws_record_t *ws_record_new(void) {
    ws_record_t *r = calloc(1, sizeof(ws_record_t));
    if (r) r->arena = ws_value_arena_new();   /* NULL is fine: values use malloc */
    return r;
}

static void clear_state(ws_record_t *r) {
    for (size_t i = 0; i < r->state_n; i++) {
        free((char *)r->state[i].key);
        free((char *)r->state[i].val);
    }
    r->state_n = 0;
}

void ws_record_reset(ws_record_t *r) {
    if (!r) return;
    ws_article_clear(&r->art);
    r->has_source = 0;
    r->partition = 0;
    r->offset = 0;
    r->timestamp_ms = 0;
    r->ingest_ms = 0;
    r->entry = NULL;
    for (size_t i = 0; i < r->ann_n; i++) {
        if (r->ann[i].own_key) free((char *)r->ann[i].key);
        ws_value_free(r->ann[i].val);
    }
    r->ann_n = 0;
    r->refused[0] = '\0';
    ws_value_arena_reset(r->arena);   /* after the annotations: they may point into it */
    r->truncated = 0;
    r->hit = 0;
    clear_state(r);
}

void ws_record_free(ws_record_t *r) {
    if (!r) return;
    ws_record_reset(r);
    ws_value_arena_free(r->arena);
    free(r->ann);
    free(r->state);
    free(r->topic);
    free(r);
}

void ws_record_take_article(ws_record_t *r, ws_article_t *a) {
    ws_article_clear(&r->art);
    r->art = *a;
    memset(a, 0, sizeof *a);
}

void ws_record_set_source(ws_record_t *r, const char *topic, int32_t partition,
                          int64_t offset, int64_t timestamp_ms) {
    size_t n = topic ? strlen(topic) : 0;
    if (n + 1 > r->topic_cap) {
        char *t = realloc(r->topic, n + 1);
        if (!t) { r->has_source = 0; return; }
        r->topic = t;
        r->topic_cap = n + 1;
    }
    if (n) memcpy(r->topic, topic, n);
    r->topic[n] = '\0';
    r->partition = partition;
    r->offset = offset;
    r->timestamp_ms = timestamp_ms;
    r->has_source = 1;
}

void ws_record_set_ingest_ms(ws_record_t *r, int64_t ms) { r->ingest_ms = ms; }
void ws_record_set_entry(ws_record_t *r, const char *entry_name) { r->entry = entry_name; }
ws_value_arena_t *ws_record_arena(ws_record_t *r) { return r ? r->arena : NULL; }

/* ---------------------------------------------------------------- public API */

const char *ws_record_field(const ws_record_t *rec, ws_field_t f, size_t *len) {
    if (!rec || (unsigned)f >= WS_FIELD__COUNT || !rec->art.value[f]) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = rec->art.len[f];
    return rec->art.value[f];
}

int ws_record_source(const ws_record_t *rec, const char **topic, int32_t *partition,
                     int64_t *offset, int64_t *timestamp_ms) {
    if (!rec || !rec->has_source) return -1;
    if (topic) *topic = rec->topic;
    if (partition) *partition = rec->partition;
    if (offset) *offset = rec->offset;
    if (timestamp_ms) *timestamp_ms = rec->timestamp_ms;
    return 0;
}

int64_t ws_record_ingest_ms(const ws_record_t *rec) { return rec ? rec->ingest_ms : 0; }

const ws_value_t *ws_record_annotation(const ws_record_t *rec, const char *key) {
    if (!rec || !key) return NULL;
    for (size_t i = 0; i < rec->ann_n; i++)
        if (strcmp(rec->ann[i].key, key) == 0) return rec->ann[i].val;
    return NULL;
}

/* Keys an annotation may never take: they belong to the record itself. */
static int reserved_key(const char *key) {
    if (!*key || !ws_utf8_valid(key, strlen(key))) return 1;
    for (int i = 0; i < WS_FIELD__COUNT; i++)
        if (strcmp(key, field_keys[i]) == 0) return 1;
    return strcmp(key, "kafka") == 0 || strcmp(key, "truncated") == 0;
}

/* Keeps the first refusal of an entry's annotate for the pipeline, which
 * turns it into that entry's error: a processor that ignores the -1 must
 * not lose its output silently. */
static int refuse(ws_record_t *rec, ws_value_t *val, const char *key, const char *owner) {
    ws_value_free(val);
    if (!rec->entry || rec->refused[0]) return -1;
    if (owner)
        snprintf(rec->refused, sizeof rec->refused,
                 "entry \"%s\" may not overwrite annotation \"%s\": entry \"%s\" wrote it earlier "
                 "in this record", rec->entry, key, owner);
    else if (*key && ws_utf8_valid(key, strlen(key)))
        snprintf(rec->refused, sizeof rec->refused,
                 "entry \"%s\" may not write annotation \"%s\": the key belongs to the record",
                 rec->entry, key);
    else
        snprintf(rec->refused, sizeof rec->refused,
                 "entry \"%s\" may not write an annotation with an empty or non-UTF-8 key", rec->entry);
    return -1;
}

int ws_record_annotate(ws_record_t *rec, const char *key, ws_value_t *val) {
    if (!rec || !val) { ws_value_free(val); return -1; }
    if (!key) key = rec->entry;
    if (!key) { ws_value_free(val); return -1; }
    if (reserved_key(key)) return refuse(rec, val, key, NULL);
    for (size_t i = 0; i < rec->ann_n; i++) {
        if (strcmp(rec->ann[i].key, key) == 0) {
            /* Entry names are unique and live as long as the pipeline, so
             * the same pointer is the same entry.  The host may overwrite. */
            annotation_t *a = &rec->ann[i];
            if (a->owner && rec->entry && a->owner != rec->entry) return refuse(rec, val, key, a->owner);
            ws_value_free(a->val);
            a->val = val;
            if (rec->entry) a->owner = rec->entry;
            return 0;
        }
    }
    if (rec->ann_n == rec->ann_cap) {
        size_t cap = rec->ann_cap ? rec->ann_cap * 2 : 8;
        annotation_t *a = realloc(rec->ann, cap * sizeof *a);
        if (!a) { ws_value_free(val); return -1; }
        rec->ann = a;
        rec->ann_cap = cap;
    }
    /* The running entry's own name lives as long as the pipeline: kept as
     * is.  Any other key is copied, into the arena when there is one (no
     * malloc and free per record). */
    const char *k = key;
    int own = 0;
    if (key != rec->entry) {
        size_t n = strlen(key) + 1;
        char *c = ws_value_arena_bytes(rec->arena, n);
        if (!c) {
            c = malloc(n);
            own = 1;
        }
        if (!c) { ws_value_free(val); return -1; }
        memcpy(c, key, n);
        k = c;
    }
    rec->ann[rec->ann_n].key = k;
    rec->ann[rec->ann_n].own_key = own;
    rec->ann[rec->ann_n].val = val;
    rec->ann[rec->ann_n].owner = rec->entry;
    rec->ann_n++;
    return 0;
}

void ws_record_set_truncated(ws_record_t *rec) { if (rec) rec->truncated = 1; }
void ws_record_hit(ws_record_t *rec) { if (rec) rec->hit = 1; }

int ws_record_state_put(ws_record_t *rec, const void *key, size_t klen,
                        const void *val, size_t vlen) {
    if (!rec || (!key && klen)) return -1;
    if (rec->state_n == rec->state_cap) {
        size_t cap = rec->state_cap ? rec->state_cap * 2 : 4;
        ws_state_write_t *s = realloc(rec->state, cap * sizeof *s);
        if (!s) return -1;
        rec->state = s;
        rec->state_cap = cap;
    }
    char *k = malloc(klen + 1);
    char *v = val ? malloc(vlen + 1) : NULL;
    if (!k || (val && !v)) { free(k); free(v); return -1; }
    if (klen) memcpy(k, key, klen);
    k[klen] = '\0';
    if (v) { if (vlen) memcpy(v, val, vlen); v[vlen] = '\0'; }
    ws_state_write_t *w = &rec->state[rec->state_n++];
    w->entry = rec->entry;
    w->key = k;
    w->klen = klen;
    w->val = v;
    w->vlen = val ? vlen : 0;
    return 0;
}

/* ---------------------------------------------------------------- host side */

size_t ws_record_state_count(const ws_record_t *r) { return r ? r->state_n : 0; }

const ws_state_write_t *ws_record_state_at(const ws_record_t *r, size_t i) {
    return r && i < r->state_n ? &r->state[i] : NULL;
}

int ws_record_hit_taken(ws_record_t *r) {
    int h = r->hit;
    r->hit = 0;
    return h;
}

int ws_record_truncated(const ws_record_t *r) { return r ? r->truncated : 0; }

int ws_record_refusal_taken(ws_record_t *r, char *msg, size_t msglen) {
    if (!r || !r->refused[0]) return 0;
    if (msglen) snprintf(msg, msglen, "%s", r->refused);
    r->refused[0] = '\0';
    return 1;
}

static int append_key(ws_buf_t *out, const char *key, int *first) {
    if (!*first && ws_buf_appendc(out, ',') < 0) return -1;
    *first = 0;
    if (ws_buf_append_json_string(out, key, strlen(key)) < 0) return -1;
    return ws_buf_appendc(out, ':');
}

/* The fields' keys as rendered after a member (the first one skips the
 * comma). */
static const char *const field_json[WS_FIELD__COUNT] = {
    ",\"id\":", ",\"title\":", ",\"url\":", ",\"source\":", ",\"date\":", ",\"body\":"
};

/* The enriched record: article fields (absent ones omitted), kafka, the
 * annotations in the order they were added, then truncated.  Hand-written
 * for speed; the layout is documented in docs/record.schema.json. */
int ws_record_render(const ws_record_t *r, ws_buf_t *out) {
    int first = 1;
    size_t body_len = r->art.value[WS_FIELD_BODY] ? r->art.len[WS_FIELD_BODY] : 0;
    /* Enriched records run about 3.5 times the body; reserve reaches that
     * in one doubling. */
    if (ws_buf_reserve(out, body_len * 2 + 1024) < 0) return -1;
    if (ws_buf_appendc(out, '{') < 0) return -1;
    for (int f = 0; f < WS_FIELD__COUNT; f++) {
        if (!r->art.value[f]) continue;
        const char *k = field_json[f] + first;
        first = 0;
        if (ws_buf_append(out, k, strlen(k)) < 0 ||
            ws_buf_append_json_string(out, r->art.value[f], r->art.len[f]) < 0)
            return -1;
    }
    if (r->has_source) {
        if (append_key(out, "kafka", &first) < 0 ||
            ws_buf_appends(out, "{\"topic\":") < 0 ||
            ws_buf_append_json_string(out, r->topic, strlen(r->topic)) < 0 ||
            ws_buf_appends(out, ",\"partition\":") < 0 || ws_buf_append_int(out, r->partition) < 0 ||
            ws_buf_appends(out, ",\"offset\":") < 0 || ws_buf_append_int(out, r->offset) < 0 ||
            ws_buf_appends(out, ",\"timestamp\":") < 0 || ws_buf_append_int(out, r->timestamp_ms) < 0 ||
            ws_buf_appendc(out, '}') < 0)
            return -1;
    }
    for (size_t i = 0; i < r->ann_n; i++) {
        if (append_key(out, r->ann[i].key, &first) < 0 ||
            ws_value_render(r->ann[i].val, out) < 0)
            return -1;
    }
    if (r->truncated && (append_key(out, "truncated", &first) < 0 ||
                         ws_buf_append(out, "true", 4) < 0))
        return -1;
    return ws_buf_appendc(out, '}');
}
