/* ent_kb.c -- the knowledge base: gazetteers and word lists compiled into
 * one hash table over token sequences, plus the PCRE2 rules.
 *
 * A gazetteer line is  surface<TAB>type<TAB>canonical<TAB>id.  The surface is
 * tokenized with the article tokenizer and the case-folded token hashes are
 * chained into one sequence hash; every proper prefix of an entry is marked
 * in the table too, so matching at a token walks forward one probe per token
 * and stops as soon as no entry continues.  Entity entries keep their exact
 * token text (matching is case-sensitive except in headlines); helper
 * classes (TITLE, GIVEN, COMMON...) are case-insensitive bit sets.
 *
 * A rules line is  TYPE<TAB>triggers<TAB>pcre2-pattern.  Patterns are
 * compiled anchored and tried only at tokens named by the triggers (a word,
 * #digit, #cap, #upper), which keeps the cost per article small. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "ent.h"
#include "ent_kb.h"

static const char *type_names[ET__COUNT] = {
    "NONE", "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
    "WORK_OF_ART", "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY",
    "QUANTITY", "ORDINAL", "CARDINAL"
};

static const struct { const char *name; unsigned cls; } class_names[] = {
    {"TITLE", CL_TITLE}, {"GIVEN", CL_GIVEN}, {"ORG_SUFFIX", CL_ORG_SUFFIX},
    {"ORG_HEAD", CL_ORG_HEAD}, {"COMMON", CL_COMMON}, {"ABBR", CL_ABBR},
    {"LOC_PREP", CL_LOCPREP}, {"PERSON_NOUN", CL_PERSON_NOUN},
    {"ORG_NOUN", CL_ORG_NOUN}, {"PLACE_NOUN", CL_PLACE_NOUN},
    {"SPEECH", CL_SPEECH}, {"CONNECT", CL_CONNECT}, {"STOP", CL_STOP},
    {"NAME_PART", CL_NAME_PART}, {"SURNAME", CL_SURNAME},
    {"PERSON_VERB", CL_PERSON_VERB}, {"DEMONYM", CL_DEMONYM}, {"FAC_HEAD", CL_FAC_HEAD},
    {"NONAME", CL_NONAME}, {"EVENT_HEAD", CL_EVENT_HEAD},
    {"LAW_HEAD", CL_LAW_HEAD}, {"ORG_CONTEXT", CL_ORG_CONTEXT}, {"GEO_NOUN", CL_GEO_NOUN},
    {"NORP_SUFFIX", CL_NORP_SUFFIX},
    {"FW_ARTICLE", FW_ARTICLE << CL_FW_SHIFT}, {"FW_OF", FW_OF << CL_FW_SHIFT},
    {"FW_LINK", FW_LINK << CL_FW_SHIFT}, {"FW_AT", FW_AT << CL_FW_SHIFT},
    {"FW_AND", FW_AND << CL_FW_SHIFT}, {"FW_APPOS_DET", FW_APPOS_DET << CL_FW_SHIFT},
    {"FW_RELATIVE", FW_RELATIVE << CL_FW_SHIFT}, {"FW_BASED", FW_BASED << CL_FW_SHIFT},
};

const char *ent_type_name(int t)
{
    return (t > 0 && t < ET__COUNT) ? type_names[t] : "NONE";
}

int ent_type_from_name(const char *s, size_t len)
{
    for (int t = 1; t < ET__COUNT; t++)
        if (strlen(type_names[t]) == len && memcmp(type_names[t], s, len) == 0) return t;
    return ET_NONE;
}

unsigned ent_class_from_name(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof class_names / sizeof class_names[0]; i++)
        if (strlen(class_names[i].name) == len && memcmp(class_names[i].name, s, len) == 0)
            return class_names[i].cls;
    return 0;
}

/* ---------------------------------------------------------------- pool */

static int pool_add(ent_kb_t *kb, const void *p, size_t n, uint32_t *off)
{
    if (kb->pool_len + n + 1 > kb->pool_cap) {
        size_t cap = kb->pool_cap ? kb->pool_cap * 2 : 1 << 16;
        while (cap < kb->pool_len + n + 1) cap *= 2;
        char *np = realloc(kb->pool, cap);
        if (!np) return -1;
        kb->pool = np;
        kb->pool_cap = cap;
    }
    memcpy(kb->pool + kb->pool_len, p, n);
    kb->pool[kb->pool_len + n] = '\0';
    *off = (uint32_t)kb->pool_len;
    kb->pool_len += n + 1;
    return 0;
}

/* ---------------------------------------------------------------- table */

/* Move the table into one of cap home slots (a power of two, at least
 * 2): the keys in ascending order, each at its home or right after the one
 * before (ent_kb.h).  -1 out of memory, 1 when they would spill into the
 * last slot (then a larger cap is needed). */
static int table_build(ent_kb_t *kb, size_t cap)
{
    size_t alloc = cap + ENT_SLOT_PAD;
    ent_slot_t *ns = calloc(alloc, sizeof *ns);
    if (!ns) return -1;
    unsigned shift = 64 - (unsigned)__builtin_ctzll(cap);
    size_t next = 0;                 /* first slot the next key may take */
    if (kb->slots) {
        for (size_t i = 0; i < kb->slots_cap + ENT_SLOT_PAD; i++) {
            const ent_slot_t *o = &kb->slots[i];
            if (!o->key) continue;
            size_t j = (size_t)(o->key >> shift);
            if (j < next) j = next;
            if (j + 1 >= alloc) { free(ns); return 1; }
            ns[j] = *o;
            next = j + 1;
        }
    }
    free(kb->slots);
    kb->slots = ns;
    kb->slots_cap = cap;
    kb->slots_shift = shift;
    return 0;
}

static int table_grow(ent_kb_t *kb)
{
    size_t cap = kb->slots_cap ? kb->slots_cap * 2 : 1 << 12;
    int rc;
    while ((rc = table_build(kb, cap)) == 1) cap *= 2;
    return rc;
}

static ent_slot_t *slot_get(ent_kb_t *kb, uint64_t key)
{
    /* the loader owns kb: its slot may be changed */
    ent_slot_t *s = (ent_slot_t *)ent_kb_slot(kb, key);
    if (s) return s;
    /* up to 75 % full: the table is big (the word lists), and a smaller one
     * stays in cache better than short probe runs save (a half-full table
     * probes 3x fewer slots per miss but was no faster, twice measured; the
     * shipped lists at 70.2 % of 2 MB were 1.02x faster than at 35 % of 4 MB) */
    if ((kb->slots_n + 1) * 4 > kb->slots_cap * 3 && table_grow(kb) < 0) return NULL;
    size_t p, e;
    for (;;) {
        /* the key goes before the first larger key of its run; the run
         * from there moves up one slot into the empty slot after it */
        p = ent_kb_home_of(kb, key);
        while (kb->slots[p].key && kb->slots[p].key < key) p++;
        e = p;
        while (kb->slots[e].key) e++;
        if (e + 1 < kb->slots_cap + ENT_SLOT_PAD) break;   /* the last slot stays empty */
        if (table_grow(kb) < 0) return NULL;
    }
    memmove(&kb->slots[p + 1], &kb->slots[p], (e - p) * sizeof *kb->slots);
    kb->slots[p].key = key;
    kb->slots[p].cls = 0;
    kb->slots[p].entry = -1;
    kb->slots_n++;
    return &kb->slots[p];
}

unsigned ent_kb_classes(const ent_kb_t *kb, uint64_t h)
{
    return ent_kb_classes_inline(kb, h);
}

size_t ent_kb_entries(const ent_kb_t *kb) { return kb->entries_n; }
size_t ent_kb_rules(const ent_kb_t *kb) { return kb->rules_n; }

/* ---------------------------------------------------------------- files */

static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (n + 1 < cap) break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) { free(buf); buf = NULL; break; }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "out of memory");
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Split a line at tabs into up to max fields, trimmed of spaces and \r; the
 * last field keeps any further tabs.  squeeze: runs of tabs count as one
 * (rule files align their columns with several tabs). */
static size_t split_tabs(char *line, char **f, size_t max, int squeeze)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *t = n + 1 < max ? strchr(p, '\t') : NULL;
        if (t) *t = '\0';
        char *e = p + strlen(p);
        while (*p == ' ') p++;
        while (e > p && (e[-1] == ' ' || e[-1] == '\r')) *--e = '\0';
        f[n++] = p;
        if (!t) break;
        p = t + 1;
        while (squeeze && *p == '\t') p++;
    }
    return n;
}

/* Tokenize a surface form; returns token count (0 if nothing). */
static size_t surface_tokens(ent_kb_t *kb, const char *s, size_t len)
{
    if (len + 1 > kb->tmp_cap) {
        size_t cap = (len + 1) * 2;
        ent_tok_t *nt = realloc(kb->tmp, cap * sizeof *nt);
        if (!nt) return 0;
        kb->tmp = nt;
        kb->tmp_cap = cap;
    }
    return ent_tokenize(kb, s, len, kb->tmp);
}

/* Add one gazetteer or word-list line.  0 (also for lines ignored), -1 out
 * of memory, -2 too many entries. */
static int add_line(ent_kb_t *kb, char **f, size_t nf)
{
    const char *surface = f[0];
    size_t slen = strlen(surface);
    if (slen == 0 || nf < 2) return 0;
    unsigned cls = ent_class_from_name(f[1], strlen(f[1]));
    int type = ent_type_from_name(f[1], strlen(f[1]));
    if (cls == CL_DEMONYM) type = ET_NORP;
    int capital = strcmp(f[1], "CAPITAL") == 0;
    if (capital) type = ENT_T_CAPITAL;
    if (!cls && type == ET_NONE) return 0;        /* unknown class: ignore */
    if (kb->loading_weak) {
        if (type == ET_NONE) return 0;            /* weak lists lend no classes */
        cls = 0;
    }
    if (type != ET_NONE && kb->no_entities) return 0;

    size_t nt = surface_tokens(kb, surface, slen);
    if (nt == 0 || nt > ENT_MAX_SEQ) return 0;
    uint64_t h = ENT_SEQ_SEED;
    for (size_t i = 0; i < nt; i++) {
        h = ent_seq_hash(h, kb->tmp[i].h);
        ent_slot_t *s = slot_get(kb, h);
        if (!s) return -1;
        if (i + 1 < nt) { s->cls |= ENT_SLOT_PREFIX; continue; }
        /* one function-word role per word: the first line wins */
        if ((cls & CL_FW_MASK) && (s->cls & CL_FW_MASK)) cls &= ~CL_FW_MASK;
        s->cls |= cls;
        if ((cls & CL_ABBR) && nt == 1)
            kb->abbr_bloom[(kb->tmp[0].h >> 6) & 7] |= 1ull << (kb->tmp[0].h & 63);
        if (type == ET_NONE) break;
        /* first entry of a type wins; other types chain behind it */
        int32_t *link = &s->entry;
        char packed[1024];
        size_t pl = 0;
        for (size_t k = 0; k < nt; k++) {
            size_t tl = kb->tmp[k].hend - kb->tmp[k].start;
            if (pl + tl + 1 >= sizeof packed) return 0;
            memcpy(packed + pl, surface + kb->tmp[k].start, tl);
            pl += tl;
            packed[pl++] = '\x1f';
        }
        while (*link >= 0) {
            ent_entry_t *e = &kb->entries[*link];
            if ((e->type == type || kb->loading_weak) && e->packed_len == pl &&
                memcmp(kb->pool + e->packed, packed, pl) == 0) return 0;
            link = &e->next;
        }
        if (kb->entries_n >= ENT_MAX_ENTRIES) return -2;
        if (kb->entries_n == kb->entries_cap) {
            size_t cap = kb->entries_cap ? kb->entries_cap * 2 : 4096;
            ent_entry_t *ne = realloc(kb->entries, cap * sizeof *ne);
            if (!ne) return -1;
            kb->entries = ne;
            kb->entries_cap = cap;
        }
        ent_entry_t *e = &kb->entries[kb->entries_n];
        memset(e, 0, sizeof *e);
        e->type = (uint8_t)type;
        e->ntok = (uint8_t)nt;
        e->next = -1;
        e->weak = capital ? 2 : (uint8_t)kb->loading_weak;
        e->packed_len = (uint32_t)pl;
        e->one = memchr(packed, '\x1f', pl) == packed + pl - 1;
        const char *canon = (nf >= 3 && f[2][0]) ? f[2] : surface;
        const char *id = nf >= 4 ? f[3] : "";
        if (pool_add(kb, packed, pl, &e->packed) < 0 ||
            pool_add(kb, canon, strlen(canon), &e->canon) < 0 ||
            pool_add(kb, id, strlen(id), &e->id) < 0) return -1;
        e->canon_len = (uint32_t)strlen(canon);
        e->id_len = (uint32_t)strlen(id);
        *link = (int32_t)kb->entries_n++;
    }
    return 0;
}

static int load_tsv(ent_kb_t *kb, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *buf = read_file(path, &len, err, errlen);
    if (!buf) return -1;
    char *p = buf;
    int rc = 0;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        if (*p != '#' && *p) {
            char *f[4];
            size_t nf = split_tabs(p, f, 4, 0);
            int ar = add_line(kb, f, nf);
            if (ar < 0) {
                if (ar == -2)
                    snprintf(err, errlen, "%s: more than %u gazetteer entries", path,
                             (unsigned)ENT_MAX_ENTRIES);
                else
                    snprintf(err, errlen, "%s: out of memory", path);
                rc = -1;
                break;
            }
        }
        if (!nl) break;
        p = nl + 1;
    }
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------- rules */

static int trig_add(ent_kb_t *kb, uint64_t h, uint32_t rule)
{
    if (kb->trig_pairs_n == kb->trig_pairs_cap) {
        size_t cap = kb->trig_pairs_cap ? kb->trig_pairs_cap * 2 : 256;
        ent_trig_pair_t *np = realloc(kb->trig_pairs, cap * sizeof *np);
        if (!np) return -1;
        kb->trig_pairs = np;
        kb->trig_pairs_cap = cap;
    }
    kb->trig_pairs[kb->trig_pairs_n].h = h;
    kb->trig_pairs[kb->trig_pairs_n].rule = rule;
    kb->trig_pairs_n++;
    return 0;
}

/* The bytes a match of re can start with, from PCRE2's study of the
 * pattern (a necessary condition it computes itself), so a rule whose
 * trigger word is in the wrong case ("bank" for a pattern that wants
 * "Bank") is not called at all.  All bytes when PCRE2 has no bitmap. */
static void first_bytes(const pcre2_code *re, uint8_t first[256])
{
    const uint8_t *bm = NULL;
    if (pcre2_pattern_info(re, PCRE2_INFO_FIRSTBITMAP, &bm) == 0 && bm) {
        for (size_t b = 0; b < 256; b++) first[b] = (bm[b >> 3] >> (b & 7)) & 1;
    } else {
        memset(first, 1, 256);
    }
}

static int load_rules(ent_kb_t *kb, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *buf = read_file(path, &len, err, errlen);
    if (!buf) return -1;
    char *p = buf;
    int lineno = 0, rc = 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    while (*p && rc == 0) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        lineno++;
        char *f[3];
        if (*p != '#' && *p) {
            size_t nf = split_tabs(p, f, 3, 1);
            if (nf < 3 || !f[2][0]) {
                snprintf(err, errlen, "%s:%d: expected TYPE<TAB>triggers<TAB>pattern", path, lineno);
                rc = -1;
                break;
            }
            int type = ent_type_from_name(f[0], strlen(f[0]));
            if (type == ET_NONE) {
                snprintf(err, errlen, "%s:%d: unknown entity type '%s'", path, lineno, f[0]);
                rc = -1;
                break;
            }
            int ecode;
            PCRE2_SIZE eoff;
            pcre2_code *re = pcre2_compile((PCRE2_SPTR)f[2], PCRE2_ZERO_TERMINATED,
                                           PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED,
                                           &ecode, &eoff, NULL);
            if (!re) {
                PCRE2_UCHAR msg[160];
                pcre2_get_error_message(ecode, msg, sizeof msg);
                snprintf(err, errlen, "%s:%d: pattern error at %zu: %s", path, lineno,
                         (size_t)eoff, (char *)msg);
                rc = -1;
                break;
            }
            int jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;  /* interpreter if no JIT */
            if (kb->rules_n == kb->rules_cap) {
                size_t cap = kb->rules_cap ? kb->rules_cap * 2 : 64;
                ent_rule_t *nr = realloc(kb->rules, cap * sizeof *nr);
                if (!nr) { pcre2_code_free(re); rc = -1; snprintf(err, errlen, "out of memory"); break; }
                kb->rules = nr;
                kb->rules_cap = cap;
            }
            ent_rule_t *r = &kb->rules[kb->rules_n];
            r->re = re;
            r->jit = (uint8_t)jit;
            r->type = (uint8_t)type;
            int g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)"e");
            r->egroup = g > 0 ? g : 0;
            first_bytes(re, r->first);
            r->src_len = strlen(f[2]);
            r->src = malloc(r->src_len + 1);
            if (!r->src) { pcre2_code_free(re); rc = -1; snprintf(err, errlen, "out of memory"); break; }
            memcpy(r->src, f[2], r->src_len + 1);
            snprintf(r->where, sizeof r->where, "%s:%d", base, lineno);
            uint32_t idx = (uint32_t)kb->rules_n++;
            /* triggers */
            char *t = f[1];
            while (*t) {
                char *c = strchr(t, ',');
                if (c) *c = '\0';
                while (*t == ' ') t++;
                size_t tl = strlen(t);
                while (tl && t[tl - 1] == ' ') t[--tl] = '\0';
                int r2 = 0;
                if (strcmp(t, "#digit") == 0) r2 = trig_add(kb, ENT_TRIG_DIGIT, idx);
                else if (strcmp(t, "#cap") == 0) r2 = trig_add(kb, ENT_TRIG_CAP, idx);
                else if (strcmp(t, "#upper") == 0) r2 = trig_add(kb, ENT_TRIG_UPPER, idx);
                else if (tl) r2 = trig_add(kb, ent_hash_token(t, tl), idx);
                if (r2 < 0) { rc = -1; snprintf(err, errlen, "out of memory"); break; }
                if (!c) break;
                t = c + 1;
            }
        }
        if (!nl) break;
        p = nl + 1;
    }
    free(buf);
    return rc;
}

static int rule_captures(const ent_rule_t *r)
{
    uint32_t n = 0;
    pcre2_pattern_info(r->re, PCRE2_INFO_CAPTURECOUNT, &n);
    return (int)n;
}

/* May this pattern be one alternative of a larger one?  Not when its
 * meaning depends on group numbers (back references, recursion), on
 * backtracking verbs or callouts of its own, or when it could swallow what
 * follows it (extended-mode comments, \Q without \E). */
static int combinable(const char *src)
{
    if (strstr(src, "(*") || strstr(src, "(?C") || strchr(src, '#') || strstr(src, "\\Q") ||
        strstr(src, "\\g") || strstr(src, "\\k") || strstr(src, "(?R") || strstr(src, "(?&") ||
        strstr(src, "(?P") || strstr(src, "(?+") || strstr(src, "(?-") || strstr(src, "(?("))
        return 0;
    for (const char *p = src; *p; p++) {
        if (p[0] == '\\' && p[1]) {
            if (p[1] >= '1' && p[1] <= '9') return 0;      /* \1: a back reference */
            p++;
            continue;
        }
        if (p[0] == '(' && p[1] == '?') {
            if (p[2] >= '0' && p[2] <= '9') return 0;      /* (?1): recursion */
            /* inline options: (?x) or (?ix: make # a comment */
            for (const char *q = p + 2; *q && *q != ')' && *q != ':'; q++) {
                if (*q == 'x') return 0;
                if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '^'))
                    break;
            }
        }
    }
    return 1;
}

/* Compile the alternation of rules[0..n) (see ent_combo_t).  Returns 0, or
 * -1 when it cannot be built (the caller then calls the rules one by one). */
static int combo_build(ent_kb_t *kb, const uint32_t *rules, size_t n, ent_combo_t *cb)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += kb->rules[rules[i]].src_len + 32;
    char *pat = malloc(len + 1);
    if (!pat) return -1;
    size_t o = 0;
    uint32_t base = 0;
    for (size_t i = 0; i < n; i++) {
        const ent_rule_t *r = &kb->rules[rules[i]];
        o += (size_t)snprintf(pat + o, len + 1 - o, "%s(?>(?:%s))(?C%zu)", i ? "|" : "",
                              r->src, i + 1);
        cb->base[i] = base;
        base += (uint32_t)rule_captures(r);
    }
    int ecode;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, o,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED |
                                   PCRE2_DUPNAMES, &ecode, &eoff, NULL);
    free(pat);
    if (!re) return -1;
    uint32_t caps = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &caps);
    if (caps != base) { pcre2_code_free(re); return -1; }
    cb->re = re;
    first_bytes(re, cb->first);
    cb->jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
    cb->n = (uint32_t)n;
    if (caps + 1 > kb->max_pairs) kb->max_pairs = caps + 1;
    return 0;
}

/* A list made before the one of n pairs at i, with the same rules in the
 * same order: its per[] value (its combo or filter), or -1.  per[q] >= 0
 * only at the start of a list that has one.  Lists shared by many trigger
 * words (month names) share what is built for them. */
static int32_t same_list(const ent_kb_t *kb, const int32_t *per, size_t i, size_t n)
{
    const ent_trig_pair_t *tp = kb->trig_pairs;
    for (size_t q = 0; q < i; q++) {
        if (per[q] < 0) continue;
        size_t m = 0;
        while (m < n && tp[q + m].h == tp[q].h && tp[q + m].rule == tp[i + m].rule) m++;
        /* q < i, so q + n <= i: the list at q ends there too */
        if (m == n && tp[q + n].h != tp[q].h) return per[q];
    }
    return -1;
}

/* The end of the trigger list that starts at trig_pairs[i] (sorted by
 * hash: a list is a run of pairs of one trigger word). */
static size_t list_end(const ent_kb_t *kb, size_t i)
{
    size_t j = i;
    while (j < kb->trig_pairs_n && kb->trig_pairs[j].h == kb->trig_pairs[i].h) j++;
    return j;
}

/* A per-pair index (combined pattern, filter), all -1 (none). */
static int32_t *pair_index_new(const ent_kb_t *kb)
{
    int32_t *x = malloc((kb->trig_pairs_n ? kb->trig_pairs_n : 1) * sizeof *x);
    if (x)
        for (size_t i = 0; i < kb->trig_pairs_n; i++) x[i] = -1;
    return x;
}

/* The combined pattern of every trigger list of two or more rules.  Lists
 * shared by many trigger words (month names) share their pattern. */
static int build_combos(ent_kb_t *kb)
{
    kb->pair_combo = pair_index_new(kb);
    if (!kb->pair_combo) return -1;
    for (size_t i = 0; i < kb->trig_pairs_n;) {
        size_t j = list_end(kb, i);
        size_t n = j - i;
        uint32_t rules[ENT_COMBO_MAX];
        int plain = n >= 2 && n <= ENT_COMBO_MAX;
        for (size_t m = 0; plain && m < n; m++) {
            rules[m] = kb->trig_pairs[i + m].rule;
            /* a rule that cannot be one alternative of many stays alone */
            if (!combinable(kb->rules[rules[m]].src)) plain = 0;
        }
        if (plain) {
            int32_t found = same_list(kb, kb->pair_combo, i, n);
            if (found < 0) {
                ent_combo_t *nc = realloc(kb->combos, (kb->combos_n + 1) * sizeof *nc);
                if (!nc) return -1;
                kb->combos = nc;
                memset(&nc[kb->combos_n], 0, sizeof *nc);
                if (combo_build(kb, rules, n, &nc[kb->combos_n]) == 0)
                    found = (int32_t)kb->combos_n++;
            }
            kb->pair_combo[i] = found;
        }
        i = j;
    }
    return 0;
}

/* The prefilter of every trigger list (ent_rfilter.h): which of its rules
 * may match at a token, so the others are not called.  Lists shared by many
 * trigger words share their filter. */
static int build_filters(ent_kb_t *kb)
{
    kb->pair_filter = pair_index_new(kb);
    if (!kb->pair_filter) return -1;
    for (size_t i = 0; i < kb->trig_pairs_n;) {
        size_t j = list_end(kb, i);
        size_t n = j - i;
        /* Only lists whose rules all have JIT code: PCRE2's interpreter may
         * start an anchored match after invalid UTF-8 at the start offset,
         * which the filter's walk from that offset would not see. */
        int jit = 1;
        for (size_t m = 0; m < n; m++) jit &= kb->rules[kb->trig_pairs[i + m].rule].jit;
        if (n <= ENT_RFILTER_MAX_RULES && jit) {
            int32_t found = same_list(kb, kb->pair_filter, i, n);
            if (found < 0) {
                const char *src[ENT_RFILTER_MAX_RULES];
                for (size_t m = 0; m < n; m++) src[m] = kb->rules[kb->trig_pairs[i + m].rule].src;
                ent_rfilter_t *nf = realloc(kb->filters, (kb->filters_n + 1) * sizeof *nf);
                if (!nf) return -1;
                kb->filters = nf;
                if (ent_rfilter_build(&nf[kb->filters_n], src, n) == 0)
                    found = (int32_t)kb->filters_n++;
            }
            kb->pair_filter[i] = found;
        }
        i = j;
    }
    return 0;
}

static int cmp_pair(const void *a, const void *b)
{
    const ent_trig_pair_t *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Slot of token hash h in the trigger table (cap a power of two).  The
 * multiply spreads the high bits down: the low bits of a short word's hash
 * depend on little more than its first letter and length. */
static inline size_t trig_slot(uint64_t h, size_t cap)
{
    return (size_t)((h * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

/* Build the trigger table: token hash -> run of rule indexes in trig_pairs. */
static int build_triggers(ent_kb_t *kb)
{
    if (kb->trig_pairs_n == 0) return 0;
    qsort(kb->trig_pairs, kb->trig_pairs_n, sizeof *kb->trig_pairs, cmp_pair);
    size_t cap = 64;
    while (cap < kb->trig_pairs_n * 2) cap *= 2;
    kb->trig = calloc(cap, sizeof *kb->trig);
    if (!kb->trig) return -1;
    kb->trig_cap = cap;
    for (size_t i = 0; i < kb->trig_pairs_n;) {
        size_t j = list_end(kb, i);
        uint64_t h = kb->trig_pairs[i].h;
        size_t k = trig_slot(h, cap);
        while (kb->trig[k].n) k = (k + 1) & (cap - 1);
        kb->trig[k].h = h;
        ent_trig_bloom_add(kb, h);
        kb->trig[k].off = (uint32_t)i;
        kb->trig[k].n = (uint32_t)(j - i);
        i = j;
    }
    return 0;
}

const ent_trig_pair_t *ent_kb_triggers(const ent_kb_t *kb, uint64_t h, size_t *n)
{
    *n = 0;
    if (!kb->trig || !ent_trig_bloom_has(kb, h)) return NULL;
    size_t mask = kb->trig_cap - 1;
    for (size_t k = trig_slot(h, kb->trig_cap); kb->trig[k].n; k = (k + 1) & mask) {
        if (kb->trig[k].h == h) {
            *n = kb->trig[k].n;
            return kb->trig_pairs + kb->trig[k].off;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- load */

typedef int (*loader_fn)(ent_kb_t *, const char *, char *, size_t);

/* Load every file named by a list of paths or glob patterns (relative to
 * dir).  A pattern that matches nothing is fine; a plain path must exist. */
static int load_list(ent_kb_t *kb, const char *dir, const char *const *list, size_t n,
                     loader_fn fn, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *item = list[i];
        if (!item || !*item) continue;
        char path[4096];
        if (item[0] == '/' || !dir || !*dir) snprintf(path, sizeof path, "%s", item);
        else snprintf(path, sizeof path, "%s/%s", dir, item);
        if (strpbrk(item, "*?[")) {
            glob_t g;
            int gr = glob(path, 0, NULL, &g);
            if (gr == GLOB_NOMATCH) continue;
            if (gr != 0) {
                snprintf(err, errlen, "%s: cannot expand pattern", path);
                return -1;
            }
            int rc = 0;
            for (size_t k = 0; k < g.gl_pathc && rc == 0; k++)
                rc = fn(kb, g.gl_pathv[k], err, errlen);
            globfree(&g);
            if (rc) return rc;
        } else if (fn(kb, path, err, errlen) < 0) {
            return -1;
        }
    }
    return 0;
}

ent_kb_t *ent_kb_load(const ent_kb_opts_t *o, char *err, size_t errlen)
{
    ent_kb_t *kb = calloc(1, sizeof *kb);
    if (!kb) { snprintf(err, errlen, "out of memory"); return NULL; }
    kb->match_limit = o->match_limit ? o->match_limit : 100000;
    kb->depth_limit = o->depth_limit ? o->depth_limit : 10000;
    if (table_grow(kb) < 0) goto oom;
    /* Word lists first: the tokenizer needs the abbreviations before any
     * gazetteer surface is split into tokens. */
    kb->no_entities = 0;
    if (load_list(kb, o->dir, o->lexicons, o->n_lexicons, load_tsv, err, errlen) < 0 ||
        load_list(kb, o->dir, o->gazetteers, o->n_gazetteers, load_tsv, err, errlen) < 0 ||
        (kb->loading_weak = 1,
         load_list(kb, o->dir, o->weak_gazetteers, o->n_weak, load_tsv, err, errlen)) < 0 ||
        (kb->loading_weak = 0,
         load_list(kb, o->dir, o->rules, o->n_rules, load_rules, err, errlen)) < 0) {
        ent_kb_free(kb);
        return NULL;
    }
    if (build_triggers(kb) < 0 || build_combos(kb) < 0 || build_filters(kb) < 0) goto oom;
    kb->trig_digit = ent_kb_triggers(kb, ENT_TRIG_DIGIT, &kb->n_digit);
    kb->trig_capl = ent_kb_triggers(kb, ENT_TRIG_CAP, &kb->n_cap);
    kb->trig_upper = ent_kb_triggers(kb, ENT_TRIG_UPPER, &kb->n_upper);
    kb->shape_flags = (kb->n_digit ? TF_DIGIT : 0) | (kb->n_cap ? TF_CAP : 0) |
                      (kb->n_upper ? TF_UPPER : 0);
    _Static_assert((TF_DIGIT | TF_CAP | TF_UPPER) < 32, "shape flags in the low five bits");
    for (unsigned f = 0; f < 32; f++) kb->shape_cand[f] = (f & kb->shape_flags) != 0;
    free(kb->tmp);
    kb->tmp = NULL;
    kb->tmp_cap = 0;
    return kb;
oom:
    snprintf(err, errlen, "out of memory");
    ent_kb_free(kb);
    return NULL;
}

void ent_kb_free(ent_kb_t *kb)
{
    if (!kb) return;
    for (size_t i = 0; i < kb->rules_n; i++) {
        pcre2_code_free(kb->rules[i].re);
        free(kb->rules[i].src);
    }
    for (size_t i = 0; i < kb->combos_n; i++) pcre2_code_free(kb->combos[i].re);
    free(kb->combos);
    free(kb->pair_combo);
    for (size_t i = 0; i < kb->filters_n; i++) ent_rfilter_free(&kb->filters[i]);
    free(kb->filters);
    free(kb->pair_filter);
    free(kb->rules);
    free(kb->trig);
    free(kb->trig_pairs);
    free(kb->slots);
    free(kb->entries);
    free(kb->pool);
    free(kb->tmp);
    free(kb);
}
