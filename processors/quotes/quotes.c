/* quotes.c -- the built-in "quotes" processor: direct quotes with their
 * speakers, linked to the entities annotation of an earlier entry.
 *
 * The work is in qx_*.c; this file reads the config and the entity list,
 * and writes the "quotes" annotation:
 *   [{text, start, end, spans: [[s, e], ...], speaker: {name, text, start,
 *     end} | null, cue, partial}, ...]
 * with half-open UTF-8 byte offsets into body, quote marks excluded. */
#include "wirestream_processor.h"
#include "qx.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *entities_from;
    const char *data_dir;
    int64_t max_quotes;
    int keep_unattributed;
} quotes_config_t;

static const ws_config_key_t quotes_config[] = {
    {WS_CFG_STRING, "entities_from", "entities", offsetof(quotes_config_t, entities_from),
     "Annotation to read entity mentions from (a list of {text, type, canonical, start, end}); "
     "speakers get canonical names from it. Without it, speakers keep their text.", NULL},
    {WS_CFG_STRING, "data_dir", "quotes", offsetof(quotes_config_t, data_dir),
     "Directory with cues.txt, pronouns.txt, descriptions.txt and grammar.txt "
     "(relative paths resolve against the config directory).", NULL},
    {WS_CFG_INT, "max_quotes", "500", offsetof(quotes_config_t, max_quotes),
     "Most quotes kept per article; more marks the record truncated.", NULL},
    {WS_CFG_BOOL, "keep_unattributed", "false", offsetof(quotes_config_t, keep_unattributed),
     "Also emit partial quotes that have no cue (usually scare quotes).", NULL},
    {0}
};

typedef struct {
    char *p;
    size_t n, cap;
} sbuf_t;

/* The working memory of one process() call.  Calls take one from the
 * instance's pool and give it back, so a warm pipeline allocates nothing
 * of its own per article (process() may run on several threads at once). */
typedef struct scratch {
    struct scratch *next;
    qx_quotes_t qs;
    qx_ent_t *ents;
    const ws_value_t **src;
    size_t ecap;
    sbuf_t tb;
    qx_scratch_t *sx;
} scratch_t;

/* A scratch that grew past this on a huge body is freed, not kept. */
#define SCRATCH_KEEP_BYTES (1u << 20)

typedef struct {
    qx_lex_t *lx;
    char *entities_from;
    size_t max_quotes;
    qx_opts_t opt;
    /* the keys of a quote and of its speaker, prepared once */
    ws_shape_t *quote_shape, *speaker_shape;
    pthread_mutex_t pool_mu;
    scratch_t *pool;
} quotes_t;

static void scratch_free(scratch_t *s)
{
    if (!s) return;
    free(s->qs.q);
    free(s->ents);
    free(s->src);
    free(s->tb.p);
    qx_scratch_free(s->sx);
    free(s);
}

static scratch_t *scratch_get(quotes_t *qp)
{
    pthread_mutex_lock(&qp->pool_mu);
    scratch_t *s = qp->pool;
    if (s) qp->pool = s->next;
    pthread_mutex_unlock(&qp->pool_mu);
    if (s) return s;
    s = calloc(1, sizeof(*s));
    if (s && !(s->sx = qx_scratch_new())) {
        free(s);
        s = NULL;
    }
    return s;
}

static void scratch_put(quotes_t *qp, scratch_t *s)
{
    size_t bytes = s->qs.cap * sizeof(qx_quote_t) + s->ecap * (sizeof(qx_ent_t) + sizeof(*s->src)) +
                   s->tb.cap + qx_scratch_bytes(s->sx);
    if (bytes > SCRATCH_KEEP_BYTES) {
        scratch_free(s);
        return;
    }
    pthread_mutex_lock(&qp->pool_mu);
    s->next = qp->pool;
    qp->pool = s;
    pthread_mutex_unlock(&qp->pool_mu);
}

static void *quotes_create(const void *config, const ws_create_info_t *info,
                           char *err, size_t errlen)
{
    const quotes_config_t *cfg = config;
    if (cfg->max_quotes < 0) {
        snprintf(err, errlen, "quotes: max_quotes must be >= 0");
        return NULL;
    }
    const char *dd = cfg->data_dir ? cfg->data_dir : "quotes";
    char dir[4096];
    if (dd[0] == '/' || !info || !info->config_dir) snprintf(dir, sizeof(dir), "%s", dd);
    else snprintf(dir, sizeof(dir), "%s/%s", info->config_dir, dd);
    quotes_t *q = calloc(1, sizeof(*q));
    if (!q) {
        snprintf(err, errlen, "quotes: out of memory");
        return NULL;
    }
    q->entities_from = strdup(cfg->entities_from ? cfg->entities_from : "entities");
    q->lx = qx_lex_load(dir, err, errlen);
    static const char *const quote_keys[] = {"text", "start", "end", "spans", "speaker", "cue",
                                             "partial"};
    static const char *const speaker_keys[] = {"name", "text", "start", "end"};
    if (!q->entities_from || !q->lx ||
        ws_shape_new(&q->quote_shape, quote_keys, 7, err, errlen) < 0 ||
        ws_shape_new(&q->speaker_shape, speaker_keys, 4, err, errlen) < 0) {
        if (!q->entities_from) snprintf(err, errlen, "quotes: out of memory");
        ws_shape_free(q->quote_shape);
        qx_lex_free(q->lx);
        free(q->entities_from);
        free(q);
        return NULL;
    }
    q->max_quotes = (size_t)cfg->max_quotes;
    q->opt.keep_unattributed = cfg->keep_unattributed;
    pthread_mutex_init(&q->pool_mu, NULL);
    return q;
}

static void quotes_destroy(void *inst)
{
    quotes_t *q = inst;
    if (!q) return;
    while (q->pool) {
        scratch_t *s = q->pool;
        q->pool = s->next;
        scratch_free(s);
    }
    pthread_mutex_destroy(&q->pool_mu);
    qx_lex_free(q->lx);
    ws_shape_free(q->quote_shape);
    ws_shape_free(q->speaker_shape);
    free(q->entities_from);
    free(q);
}

static int ent_cmp(const void *a, const void *b)
{
    const qx_ent_t *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* The mention fields quotes reads, as indexes into ent_src_t.at. */
enum { F_START, F_END, F_TYPE, F_CANON, F_COUNT };

/* The entity annotation, read lazily: starts now, the rest on demand. */
typedef struct {
    const ws_value_t **src;   /* the mention object behind each entry */
    const char *body;         /* offsets must fall on character boundaries */
    size_t blen;
    uint32_t at[F_COUNT];     /* where the last mention had each field */
} ent_src_t;

/* The names of the F_* fields; the length of each is in field_len. */
static const char *const field_name[F_COUNT] = {"start", "end", "type", "canonical"};
static const size_t field_len[F_COUNT] = {5, 3, 4, 9};

/* The slow case of member(): one walk over the members finds every field
 * (the first of a name wins, as in ws_object_get()) and moves the guesses. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static const ws_value_t *member_walk(ent_src_t *es, const ws_value_t *m, int f)
{
    const ws_value_t *found[F_COUNT] = {NULL, NULL, NULL, NULL};
    size_t n = ws_object_size(m);
    for (size_t i = 0; i < n; i++) {
        const char *k;
        size_t kl;
        const ws_value_t *v = ws_object_at(m, i, &k, &kl);
        for (int g = 0; g < F_COUNT; g++) {
            if (kl != field_len[g] || memcmp(k, field_name[g], kl) != 0) continue;
            if (!found[g]) {
                found[g] = v;
                es->at[g] = (uint32_t)i;
            }
            break;
        }
    }
    return found[f];
}

/* The member of mention m named by field f, as ws_object_get() finds it,
 * but without a lookup per field: mentions of one list nearly always have
 * the same layout, so the member at the index where the previous mention
 * had the field is tried first.  Keys within an object are unique
 * (ws_object_set() replaces an existing key), so a key that matches there
 * is the field.  Otherwise member_walk() looks at every member: a mention
 * may come from any upstream entry, with fields missing, extra or in
 * another order.  Inline with a constant f, the compare is a few word
 * compares. */
static inline const ws_value_t *member(ent_src_t *es, const ws_value_t *m, int f)
{
    const char *k;
    size_t kl;
    const ws_value_t *v = ws_object_at(m, es->at[f], &k, &kl);
    if (v && kl == field_len[f] && !memcmp(k, field_name[f], field_len[f])) return v;
    return member_walk(es, m, f);
}

/* 1 if off is a UTF-8 character boundary of body (or its end). */
static int char_boundary(const char *body, size_t blen, size_t off)
{
    return off == blen || (off < blen && ((unsigned char)body[off] & 0xC0) != 0x80);
}

/* qx_etype_of() without its strcmp chain: each test compares the label
 * with its terminating NUL, so a label with a NUL inside reads the same. */
static qx_etype_t etype_of(const ws_value_t *v)
{
    size_t n = 0;
    const char *t = ws_value_str(v, &n);
    if (!t) return QX_E_OTHER;
    if (n >= 6 && !memcmp(t, "PERSON", 7)) return QX_E_PERSON;
    if (n >= 3 && !memcmp(t, "ORG", 4)) return QX_E_ORG;
    if (n >= 3 && !memcmp(t, "GPE", 4)) return QX_E_GPE;
    if (n >= 4 && !memcmp(t, "NORP", 5)) return QX_E_NORP;
    return QX_E_OTHER;
}

static void fill_entity(void *arg, size_t i, qx_ent_t *x, int want)
{
    ent_src_t *es = arg;
    const ws_value_t *m = es->src[i];
    if (want & QX_EF_END) {
        const ws_value_t *ve = member(es, m, F_END);
        double en = ws_value_num(ve);   /* 0 for a non-number: not past any start */
        /* A bad end leaves an empty mention that covers nothing. */
        x->end = en > x->start && en <= (double)es->blen && char_boundary(es->body, es->blen, (size_t)en)
                     ? (uint32_t)en : x->start;
    }
    if (want & QX_EF_TYPE) x->type = etype_of(member(es, m, F_TYPE));
    if (want & QX_EF_CANON) x->canon = ws_value_str(member(es, m, F_CANON), &x->canon_len);
    x->ready |= want;
}

/* Reads the starts of the entity list (bad entries are skipped, never
 * trusted).  A list out of body order is read in full and sorted.  Returns
 * -1 on allocation failure. */
static int read_entities(const ws_value_t *v, const char *body, size_t blen, qx_entlist_t *el,
                         ent_src_t *es, scratch_t *sc)
{
    memset(el, 0, sizeof(*el));
    memset(es, 0, sizeof(*es));
    es->body = body;
    es->blen = blen;
    if (ws_value_type(v) != WS_VALUE_ARRAY || ws_array_size(v) == 0) return 0;
    size_t cap = ws_array_size(v);
    if (sc->ecap < cap) {
        size_t nc = cap < 256 ? 256 : cap;
        qx_ent_t *ne = malloc(nc * sizeof(*ne));
        const ws_value_t **ns = malloc(nc * sizeof(*ns));
        if (!ne || !ns) {
            free(ne);
            free(ns);
            return -1;
        }
        free(sc->ents);
        free(sc->src);
        sc->ents = ne;
        sc->src = ns;
        sc->ecap = nc;
    }
    el->e = sc->ents;
    es->src = sc->src;
    int sorted = 1;
    for (size_t i = 0; i < cap; i++) {
        const ws_value_t *m = ws_array_at(v, i);
        const ws_value_t *vs = member(es, m, F_START);
        double s = ws_value_num(vs);   /* 0 also for a non-number: only then test the type */
        if (s == 0 && ws_value_type(vs) != WS_VALUE_NUMBER) continue;
        if (!(s >= 0 && s < (double)blen) || !char_boundary(body, blen, (size_t)s)) continue;
        qx_ent_t *x = &el->e[el->n];
        memset(x, 0, sizeof(*x));
        x->start = (uint32_t)s;
        es->src[el->n] = m;
        if (el->n > 0 && el->e[el->n - 1].start > x->start) sorted = 0;
        el->n++;
    }
    if (sorted) {
        el->fill = fill_entity;
        el->arg = es;
        return 0;
    }
    for (size_t i = 0; i < el->n; i++) fill_entity(es, i, &el->e[i], QX_EF_ALL);
    qsort(el->e, el->n, sizeof(*el->e), ent_cmp);
    return 0;
}

static int sbuf_add(sbuf_t *b, const char *s, size_t n)
{
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 1024;
        while (nc < b->n + n) nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) return -1;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    return 0;
}

static ws_value_t *str_or_null(const char *s, size_t n)
{
    return s ? ws_value_string(s, n) : ws_value_null();
}

/* One quote as a value; NULL on allocation failure. */
static ws_value_t *quote_value(const quotes_t *qp, const char *body, const qx_quote_t *q,
                               sbuf_t *tb)
{
    tb->n = 0;
    ws_value_t *spans = ws_value_array();
    int rc = spans ? 0 : -1;
    int one = q->nspans == 1;   /* its text is the body's bytes: no copy */
    for (int i = 0; rc == 0 && i < q->nspans; i++) {
        uint32_t s = q->span[i][0], e = q->span[i][1];
        if (i > 0) rc |= sbuf_add(tb, " ", 1);
        if (!one) rc |= sbuf_add(tb, body + s, e - s);
        ws_value_t *pair = ws_value_array();
        if (!pair) { rc = -1; break; }
        rc |= ws_array_push(pair, ws_value_int(s));
        rc |= ws_array_push(pair, ws_value_int(e));
        rc |= ws_array_push(spans, pair);
    }
    if (rc != 0) {
        ws_value_free(spans);
        return NULL;
    }
    ws_value_t *speaker;
    if (q->sp_kind != QX_SP_NONE) {
        ws_value_t *sv[4] = {str_or_null(q->name, q->name_len),
                             ws_value_string(body + q->sp_start, q->sp_end - q->sp_start),
                             ws_value_int(q->sp_start), ws_value_int(q->sp_end)};
        speaker = ws_object_make(qp->speaker_shape, sv);
    } else {
        speaker = ws_value_null();
    }
    ws_value_t *v[7] = {
        one ? ws_value_string(body + q->span[0][0], q->span[0][1] - q->span[0][0])
            : ws_value_string(tb->p ? tb->p : "", tb->n),
        ws_value_int(q->span[0][0]),
        ws_value_int(q->span[q->nspans - 1][1]),
        spans,
        speaker,
        q->cue_end ? ws_value_string(body + q->cue_start, q->cue_end - q->cue_start) : ws_value_null(),
        ws_value_bool(q->partial)};
    return ws_object_make(qp->quote_shape, v);
}

static ws_result_t quotes_process(void *inst, ws_record_t *rec, char *reason, size_t reasonlen)
{
    quotes_t *qp = inst;
    size_t blen = 0;
    const char *body = ws_record_field(rec, WS_FIELD_BODY, &blen);
    qx_entlist_t el = {NULL, 0, NULL, NULL};
    ent_src_t es = {0};
    scratch_t *sc = scratch_get(qp);
    if (!sc) {
        snprintf(reason, reasonlen, "quotes: out of memory");
        return WS_ERROR;
    }
    qx_quotes_t *qsp = &sc->qs;
    qsp->n = 0;
    qsp->truncated = 0;
    /* Raw quotes beyond what can be kept only cost memory. */
    qsp->limit = qp->max_quotes < QX_RAW_LIMIT / 4 ? (size_t)qp->max_quotes * 4 + 64 : QX_RAW_LIMIT;
    ws_value_t *list = ws_value_array();
    int rc = list ? 0 : -1;
    if (rc == 0 && body && blen) rc = qx_scan_marks(qp->lx, body, blen, qsp);
    /* Entities are read only for articles that have quote marks. */
    if (rc == 0 && qsp->n > 0) {
        rc = read_entities(ws_record_annotation(rec, qp->entities_from), body, blen, &el, &es, sc);
        if (rc == 0) rc = qx_attribute_sx(qp->lx, &qp->opt, body, blen, &el, qsp, sc->sx);
    }
    qx_quotes_t qs = *qsp;
    size_t n = qs.n;
    if (rc == 0 && (n > qp->max_quotes || qs.truncated)) {
        if (n > qp->max_quotes) n = qp->max_quotes;
        ws_record_set_truncated(rec);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ws_value_t *v = quote_value(qp, body, &qs.q[i], &sc->tb);
        if (!v || ws_array_push(list, v) != 0) rc = -1;
    }
    scratch_put(qp, sc);
    if (rc == 0 && ws_record_annotate(rec, NULL, list) == 0) return WS_KEEP;
    if (rc != 0) ws_value_free(list);
    snprintf(reason, reasonlen, "quotes: out of memory");
    return WS_ERROR;
}

const ws_processor_t ws_builtin_quotes = {
    .abi_version = WS_PROCESSOR_ABI,
    .name = "quotes",
    .description = "Direct quotes with spans, cue and speaker (linked to entity mentions).",
    .flags = WS_PROCESSOR_THREAD_SAFE,
    .config = quotes_config,
    .config_size = sizeof(quotes_config_t),
    .create = quotes_create,
    .process = quotes_process,
    .destroy = quotes_destroy,
};
