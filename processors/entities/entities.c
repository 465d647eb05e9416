/* entities.c -- the "entities" processor: people, organisations, places,
 * nationalities, dates, times, money, percentages and quantities, with
 * canonical names and in-article coreference.
 *
 * create() compiles the gazetteers, word lists and PCRE2 rules named in the
 * config into one knowledge base (ent_kb.c); process() tags the body
 * (ent_tag.c) and writes, under the entry's name, one object per mention,
 * and under `entity_groups` (`<name>_groups` when the entry is not named
 * "entities") one per canonical name and type.  process() is
 * thread-safe: each call borrows a scratch area from a small free list. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wirestream_processor.h"
#include "ent.h"

typedef struct {
    ws_strlist_t lexicons;
    ws_strlist_t gazetteers;
    ws_strlist_t user_gazetteers;
    ws_strlist_t weak_gazetteers;
    ws_strlist_t rules;
    int64_t max_entities;
    int64_t match_limit;
    int64_t depth_limit;
} ent_config_t;

static const ws_config_key_t config_keys[] = {
    {WS_CFG_STRLIST, "lexicons", "entities/rules/*.tsv",
     offsetof(ent_config_t, lexicons),
     "Word lists and abbreviations (TSV: word, class), loaded before the gazetteers. "
     "Paths or glob patterns, relative to the config directory.", NULL},
    {WS_CFG_STRLIST, "gazetteers", "entities/gazetteers/*.tsv",
     offsetof(ent_config_t, gazetteers),
     "Gazetteer files (TSV: surface, type, canonical, id). Paths or glob patterns "
     "relative to the config directory; the first entry of a surface and type wins.", NULL},
    {WS_CFG_STRLIST, "user_gazetteers", NULL, offsetof(ent_config_t, user_gazetteers),
     "Extra gazetteer files of your own, loaded after the shipped ones.", NULL},
    {WS_CFG_STRLIST, "weak_gazetteers", "entities/gazetteers/ambiguous/*.tsv",
     offsetof(ent_config_t, weak_gazetteers),
     "Ambiguous names (places that are also words or surnames): used only when context "
     "gives no better type for an unknown capitalised name.", NULL},
    {WS_CFG_STRLIST, "rules", "entities/rules/*.rules", offsetof(ent_config_t, rules),
     "PCRE2 rule files (TYPE<TAB>triggers<TAB>pattern).", NULL},
    {WS_CFG_INT, "max_entities", "2000", offsetof(ent_config_t, max_entities),
     "Soft limit: more mentions than this are cut and the record is marked truncated.", NULL},
    {WS_CFG_INT, "match_limit", "100000", offsetof(ent_config_t, match_limit),
     "PCRE2 match limit per rule attempt; hitting it fails the record with regex_limit.", NULL},
    {WS_CFG_INT, "depth_limit", "10000", offsetof(ent_config_t, depth_limit),
     "PCRE2 depth (backtracking) limit per rule attempt.", NULL},
    {0}
};

/* Objects are built BATCH at a time from members kept in the scratch node:
 * few enough that the members (48 bytes each) stay in the L1 data cache
 * from one batch to the next, where 64 mentions' members were 15 KB. */
#define BATCH 16

typedef struct scratch_node {
    ent_scratch_t s;
    /* the members of BATCH mentions, then of BATCH groups, for
     * ws_array_build: one buffer for both, so the groups write to lines
     * the mentions brought into the cache (vals stay NULL from calloc) */
    ws_member_t mb[BATCH * 5];
    /* entity_groups: per group its first mention and count, and an
     * open-addressing table of group indexes by (canonical, type) */
    uint32_t *g_first, *g_count;
    int32_t *g_table;
    size_t g_cap, g_table_cap;
    struct scratch_node *next;
} scratch_node_t;

typedef struct {
    ent_kb_t *kb;
    size_t max_entities;
    /* "entity_groups" for the schema's entry name "entities", else
     * "<name>_groups", so two entities entries in one pipeline don't write
     * the same key (the record refuses a key an earlier entry wrote) */
    char *groups_key;
    /* the keys of a mention and of a group, prepared once */
    ws_shape_t *mention_shape, *group_shape;
    /* the type names as values, copied into each object (ws_member_t.copy:
     * cheaper than making the string anew) */
    ws_value_t *type_val[ET__COUNT];
    /* type_val by any value of a mention's uint8_t type (ET_NONE's name
     * for the ones out of range): no range check per object */
    const ws_value_t *type_copy[256];
    pthread_mutex_t lock;
    scratch_node_t *free_list;
} ent_instance_t;

/* Type names and their lengths, looked up once. */
static const char *type_name[ET__COUNT];
static size_t type_len[ET__COUNT];
static pthread_once_t type_len_once = PTHREAD_ONCE_INIT;
static void type_len_init(void)
{
    for (int t = 0; t < ET__COUNT; t++) {
        type_name[t] = ent_type_name(t);
        type_len[t] = strlen(type_name[t]);
    }
}

static void *ent_create(const void *config, const ws_create_info_t *info,
                        char *err, size_t errlen)
{
    const ent_config_t *cfg = config;
    ent_instance_t *in = calloc(1, sizeof *in);
    if (!in) { snprintf(err, errlen, "out of memory"); return NULL; }
    if (cfg->max_entities < 1) {
        snprintf(err, errlen, "max_entities must be at least 1");
        free(in);
        return NULL;
    }
    /* shipped gazetteers, then the user's: first entry wins */
    size_t ng = cfg->gazetteers.n + cfg->user_gazetteers.n;
    const char **gaz = calloc(ng ? ng : 1, sizeof *gaz);
    if (!gaz) { free(in); snprintf(err, errlen, "out of memory"); return NULL; }
    for (size_t i = 0; i < cfg->gazetteers.n; i++) gaz[i] = cfg->gazetteers.items[i];
    for (size_t i = 0; i < cfg->user_gazetteers.n; i++)
        gaz[cfg->gazetteers.n + i] = cfg->user_gazetteers.items[i];
    ent_kb_opts_t o = {
        .dir = info ? info->config_dir : NULL,
        .lexicons = cfg->lexicons.items, .n_lexicons = cfg->lexicons.n,
        .gazetteers = gaz, .n_gazetteers = ng,
        .weak_gazetteers = cfg->weak_gazetteers.items, .n_weak = cfg->weak_gazetteers.n,
        .rules = cfg->rules.items, .n_rules = cfg->rules.n,
        .match_limit = cfg->match_limit > 0 ? (uint32_t)cfg->match_limit : 0,
        .depth_limit = cfg->depth_limit > 0 ? (uint32_t)cfg->depth_limit : 0,
    };
    in->kb = ent_kb_load(&o, err, errlen);
    free(gaz);
    if (!in->kb) { free(in); return NULL; }
    const char *name = info && info->entry_name ? info->entry_name : "entities";
    size_t nl = strlen(name);
    in->groups_key = malloc(nl + sizeof "_groups");
    if (!in->groups_key) {
        ent_kb_free(in->kb);
        free(in);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (strcmp(name, "entities") == 0) {
        memcpy(in->groups_key, "entity_groups", sizeof "entity_groups");
    } else {
        memcpy(in->groups_key, name, nl);
        memcpy(in->groups_key + nl, "_groups", sizeof "_groups");
    }
    static const char *const mention_keys[] = {"text", "type", "canonical", "start", "end"};
    static const char *const group_keys[] = {"canonical", "type", "count", "first"};
    if (ws_shape_new(&in->mention_shape, mention_keys, 5, err, errlen) < 0 ||
        ws_shape_new(&in->group_shape, group_keys, 4, err, errlen) < 0) {
        ws_shape_free(in->mention_shape);
        ent_kb_free(in->kb);
        free(in->groups_key);
        free(in);
        return NULL;
    }
    pthread_once(&type_len_once, type_len_init);
    for (int t = 0; t < ET__COUNT; t++) {
        in->type_val[t] = ws_value_string(type_name[t], type_len[t]);
        if (!in->type_val[t]) {
            for (int u = 0; u < t; u++) ws_value_free(in->type_val[u]);
            ws_shape_free(in->mention_shape);
            ws_shape_free(in->group_shape);
            ent_kb_free(in->kb);
            free(in->groups_key);
            free(in);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
    }
    for (int t = 0; t < 256; t++) in->type_copy[t] = in->type_val[t < ET__COUNT ? t : 0];
    in->max_entities = (size_t)cfg->max_entities;
    pthread_mutex_init(&in->lock, NULL);
    return in;
}

static void scratch_node_free(scratch_node_t *n)
{
    ent_scratch_free(&n->s);
    free(n->g_first);
    free(n->g_count);
    free(n->g_table);
    free(n);
}

static void ent_destroy(void *instance)
{
    ent_instance_t *in = instance;
    if (!in) return;
    while (in->free_list) {
        scratch_node_t *n = in->free_list;
        in->free_list = n->next;
        scratch_node_free(n);
    }
    pthread_mutex_destroy(&in->lock);
    ent_kb_free(in->kb);
    free(in->groups_key);
    ws_shape_free(in->mention_shape);
    ws_shape_free(in->group_shape);
    for (int t = 0; t < ET__COUNT; t++) ws_value_free(in->type_val[t]);
    free(in);
}

static scratch_node_t *scratch_node_new(void)
{
    return calloc(1, sizeof(scratch_node_t));   /* every val NULL */
}

static scratch_node_t *borrow(ent_instance_t *in)
{
    pthread_mutex_lock(&in->lock);
    scratch_node_t *n = in->free_list;
    if (n) in->free_list = n->next;
    pthread_mutex_unlock(&in->lock);
    if (!n) n = scratch_node_new();
    return n;
}

static void give_back(ent_instance_t *in, scratch_node_t *n)
{
    /* Don't keep a huge scratch from one outsized article. */
    if (n->s.toks_cap > (1u << 20)) ent_scratch_free(&n->s);
    if (n->g_cap > (1u << 16)) {
        free(n->g_first);
        free(n->g_count);
        free(n->g_table);
        n->g_first = n->g_count = NULL;
        n->g_table = NULL;
        n->g_cap = n->g_table_cap = 0;
    }
    pthread_mutex_lock(&in->lock);
    n->next = in->free_list;
    in->free_list = n;
    pthread_mutex_unlock(&in->lock);
}

/* The type's name, a copy of a value made in create(). */
static inline const ws_value_t *type_value(const ent_instance_t *in, uint8_t type)
{
    return in->type_copy[type];
}

/* One object per mention, appended to list. */
static int mentions_value(const ent_instance_t *in, scratch_node_t *sn, ws_value_t *list,
                          const char *body, const ent_mention_t *ms, size_t n)
{
    ws_member_t *mb = sn->mb;
    /* the members' types, once for all batches (the groups' differ) */
    for (size_t j = 0; j < n && j < BATCH; j++) {
        ws_member_t *v = &mb[j * 5];
        v[0].type = WS_VALUE_STRING;    /* text */
        v[1].type = WS_VALUE_INVALID;   /* type: a copy of one of type_val */
        v[2].type = WS_VALUE_STRING;    /* canonical */
        v[3].type = WS_VALUE_NUMBER;    /* start */
        v[4].type = WS_VALUE_NUMBER;    /* end */
    }
    for (size_t i = 0; i < n;) {
        size_t k = n - i < BATCH ? n - i : BATCH;
        for (size_t j = 0; j < k; j++) {
            const ent_mention_t *m = &ms[i + j];
            ws_member_t *v = &mb[j * 5];
            v[0].str = body + m->start;
            v[0].len = m->end - m->start;
            v[1].copy = type_value(in, m->type);
            v[2].str = m->canon;
            v[2].len = m->canon_len;
            v[3].num = m->start;
            v[4].num = m->end;
        }
        if (ws_array_build(list, in->mention_shape, mb, k) < 0) return -1;
        i += k;
    }
    return 0;
}

/* Only the slot depends on the hash, never the order of the groups (first
 * appearance), so any mix of the equal parts will do: the length, the type
 * and the first and last bytes (two overlapping words), without a loop over
 * long names, whose length branches mispredicted; a rare collision of long
 * names costs a probe and a compare. */
static uint64_t canon_hash(const ent_mention_t *m)
{
    const unsigned char *p = (const unsigned char *)m->canon;
    uint32_t n = m->canon_len;
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        memcpy(&a, p, 8);
        memcpy(&b, p + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        a = x;
        b = y;
    } else if (n) {
        a = (uint64_t)p[0] | (uint64_t)p[n >> 1] << 8 | (uint64_t)p[n - 1] << 16;
    }
    /* one multiply: groups_value takes the top bits, which mix all of
     * the word (b rotated, so that a and b equal for short names do not
     * cancel) */
    uint64_t x = a ^ (b << 32 | b >> 32) ^ (uint64_t)m->type ^ ((uint64_t)n << 56);
    return (x ^ 0xcbf29ce484222325ull) * 0x9E3779B97F4A7C15ull;
}

/* The first and last w bytes (w <= n <= 2w) of a and b are equal: all n
 * bytes, as two overlapping words each. */
static inline int ends_eq(const char *a, const char *b, uint32_t n, size_t w)
{
    uint64_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    memcpy(&x0, a, w);
    memcpy(&y0, b, w);
    memcpy(&x1, a + n - w, w);
    memcpy(&y1, b + n - w, w);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
}

/* The n bytes at a and b are equal: names of 4 to 16 bytes inline; the
 * others by memcmp. */
static inline int canon_eq(const char *a, const char *b, uint32_t n)
{
    if (n >= 8 && n <= 16) return ends_eq(a, b, n, 8);
    if (n >= 4 && n < 8) return ends_eq(a, b, n, 4);
    return memcmp(a, b, n) == 0;
}

/* Group mentions by (canonical, type) in order of first appearance, with a
 * hash table in the scratch node (linear in the mentions, no allocation
 * once the scratch has grown).  A group's name, type and first offset are
 * copies of its first mention's values in list (the record's arena shares
 * them instead of writing them again). */
static ws_value_t *groups_value(const ent_instance_t *in, scratch_node_t *sn,
                                const ws_value_t *list, const ent_mention_t *ms, size_t n)
{
    size_t tcap = 16;
    unsigned shift = 60;   /* slots are the hash's top bits */
    while (tcap < 2 * n) {
        tcap *= 2;
        shift--;
    }
    if (n > sn->g_cap) {
        uint32_t *f = realloc(sn->g_first, n * sizeof *f);
        if (f) sn->g_first = f;
        uint32_t *c = realloc(sn->g_count, n * sizeof *c);
        if (c) sn->g_count = c;
        if (!f || !c) return NULL;
        sn->g_cap = n;
    }
    if (tcap > sn->g_table_cap) {
        int32_t *t = realloc(sn->g_table, tcap * sizeof *t);
        if (!t) return NULL;
        sn->g_table = t;
        sn->g_table_cap = tcap;
    }
    uint32_t *first = sn->g_first, *count = sn->g_count;
    int32_t *table = sn->g_table;
    /* all -1, 64 bytes a step (tcap is a multiple of 16): inline stores,
     * where the loop became a call to memset */
    for (size_t k = 0; k < tcap; k += 16) memset(table + k, 0xff, 64);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        size_t slot = (size_t)(canon_hash(&ms[i]) >> shift);
        for (;;) {
            int32_t g = table[slot];
            if (g < 0) {
                table[slot] = (int32_t)ng;
                first[ng] = (uint32_t)i;
                count[ng++] = 1;
                break;
            }
            const ent_mention_t *f = &ms[first[g]];
            if (f->type == ms[i].type && f->canon_len == ms[i].canon_len &&
                (f->canon == ms[i].canon || canon_eq(f->canon, ms[i].canon, f->canon_len))) {
                count[g]++;
                break;
            }
            slot = (slot + 1) & (tcap - 1);
        }
    }
    ws_value_t *arr = ws_value_array();
    if (!arr || ws_array_reserve(arr, ng) < 0) goto fail;
    ws_member_t *mb = sn->mb;
    for (size_t j = 0; j < ng && j < BATCH; j++) {   /* the members' types, once */
        ws_member_t *v = &mb[j * 4];
        v[0].type = WS_VALUE_INVALID;   /* canonical */
        v[1].type = WS_VALUE_INVALID;   /* type */
        v[2].type = WS_VALUE_NUMBER;    /* count */
        v[3].type = WS_VALUE_INVALID;   /* first */
    }
    for (size_t g = 0; g < ng;) {
        size_t k = ng - g < BATCH ? ng - g : BATCH;
        for (size_t j = 0; j < k; j++) {
            /* the mention's text, type, canonical, start, end */
            const ws_value_t *f = ws_array_at(list, first[g + j]);
            ws_member_t *v = &mb[j * 4];
            v[0].copy = ws_object_at(f, 2, NULL, NULL);
            v[1].copy = ws_object_at(f, 1, NULL, NULL);
            v[2].num = (int64_t)count[g + j];
            v[3].copy = ws_object_at(f, 3, NULL, NULL);
        }
        if (ws_array_build(arr, in->group_shape, mb, k) < 0) goto fail;
        g += k;
    }
    return arr;
fail:
    ws_value_free(arr);
    return NULL;
}

static ws_result_t ent_process(void *instance, ws_record_t *rec, char *reason, size_t reasonlen)
{
    ent_instance_t *in = instance;
    size_t len = 0;
    const char *body = ws_record_field(rec, WS_FIELD_BODY, &len);
    if (!body) { body = ""; len = 0; }
    scratch_node_t *sn = borrow(in);
    if (!sn) { snprintf(reason, reasonlen, "out of memory"); return WS_ERROR; }
    int rc = ent_tag(in->kb, body, len, &sn->s, reason, reasonlen);
    if (rc < 0) { give_back(in, sn); return WS_ERROR; }

    size_t n = sn->s.ments_n;
    if (n > in->max_entities) {
        n = in->max_entities;
        ws_record_set_truncated(rec);
    }
    ws_value_t *list = ws_value_array();
    ws_value_t *groups = NULL;
    if (!list || ws_array_reserve(list, n) < 0 ||
        mentions_value(in, sn, list, body, sn->s.ments, n) < 0) {
        ws_value_free(list);
        goto oom;
    }
    groups = groups_value(in, sn, list, sn->s.ments, n);
    if (!groups) { ws_value_free(list); goto oom; }
    give_back(in, sn);
    sn = NULL;
    if (ws_record_annotate(rec, NULL, list) < 0 ||
        ws_record_annotate(rec, in->groups_key, groups) < 0) {
        snprintf(reason, reasonlen, "out of memory");
        return WS_ERROR;
    }
    return WS_KEEP;
oom:
    if (sn) give_back(in, sn);
    snprintf(reason, reasonlen, "out of memory");
    return WS_ERROR;
}

const ws_processor_t ws_builtin_entities = {
    .abi_version = WS_PROCESSOR_ABI,
    .name = "entities",
    .description = "Tags people, organisations, places, nationalities, dates, times, money, "
                   "percentages and quantities with gazetteers, PCRE2 rules and in-article "
                   "coreference; writes `entities` (one object per mention) and `entity_groups`.",
    .flags = WS_PROCESSOR_THREAD_SAFE,
    .config = config_keys,
    .config_size = sizeof(ent_config_t),
    .create = ent_create,
    .process = ent_process,
    .destroy = ent_destroy,
};
