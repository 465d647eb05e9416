/* qx_lex.c -- the word lexicon of the quotes processor.
 *
 * Words and phrases come from plain-text files in the data directory: one
 * entry a line, '#' comments, and "[section]" headers naming the class of
 * the entries below them.  They go into one open-addressing table of
 * case-folded keys, so the hot path looks a word up without copying it. */
#include "qx.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QX_KEY_MAX 48

/* Keys up to QX_INLINE bytes live in the slot itself, so a lookup reads one
 * cache line; longer ones (phrases) keep their arena offset there. */
#define QX_INLINE 11

typedef struct {
    uint32_t cls;
    uint8_t len;              /* key length; 0 = empty slot */
    char key[QX_INLINE];      /* the key, or (len > QX_INLINE) its arena offset */
} qx_slot_t;

static inline const char *slot_key(const qx_lex_t *lx, const qx_slot_t *sl);

/* A 32-bit load as the little-endian value the key words use. */
static inline uint32_t le32(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap32(v);
#else
    return v;
#endif
}

/* Bits of a filter over the keys' hashes: most words looked up are not in
 * the lexicon, and one bit in this small, cache-resident map tells so
 * without touching the larger slot table. */
#define QX_FILTER_BITS 8192

/* Keys of up to 8 bytes (nearly every word looked up) have a second table
 * once loading is done: the key is one 64-bit word, so a lookup folds the
 * case of eight bytes at once and compares once per probe. */
typedef struct {
    uint64_t key;     /* the key's bytes, little-endian, zeros above */
    uint32_t cls;
    uint32_t len;     /* 0 = empty slot */
} qx_short_t;

struct qx_lex {
    uint64_t filter[QX_FILTER_BITS / 64];
    qx_slot_t *slots;
    size_t nslots, used;
    char *arena;
    size_t alen, acap;
    qx_short_t *shorts;
    size_t nshorts;   /* a power of two */
};

/* The files read, in order.  Each may hold several sections. */
static const char *const qx_files[] = {
    "cues.txt", "pronouns.txt", "descriptions.txt", "grammar.txt", NULL
};

static const struct { const char *name; uint32_t cls; } qx_sections[] = {
    {"cues", QX_W_CUE},
    {"cue_prepositions", QX_W_CUE_PREP},
    {"person_pronouns", QX_W_PRON_PERSON},
    {"group_pronouns", QX_W_PRON_GROUP},
    {"org_pronouns", QX_W_PRON_ORG},
    {"relative_pronouns", QX_W_RELATIVE},
    {"not_speakers", QX_W_NOSPEAK},
    {"possessives", QX_W_POSSESSIVE},
    {"subordinators", QX_W_SUBORD},
    {"nouns", QX_W_NOUN},
    {"determiners", QX_W_DET},
    {"titles", QX_W_TITLE},
    {"abbreviations", QX_W_ABBREV},
    {"title_minor_words", QX_W_MINOR},
    {"skip", QX_W_SKIP},
    {"elisions", QX_W_ELISION},
    {NULL, 0}
};

/* A hash of s[0..n) that ignores ASCII case, eight bytes at a time.  Every
 * byte is ORed with 0x20, which maps A-Z onto a-z: other bytes may collide
 * too, which only costs a key comparison (fold_eq decides). */
static uint32_t fold_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ (w | 0x2020202020202020ull)) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
    }
    if (i < n) {
        /* The last 1..7 bytes as a little-endian word, zeros above, from
         * fixed-size loads (a memcpy of n - i bytes is a library call). */
        size_t r = n - i;
        const unsigned char *t = (const unsigned char *)s + i;
        uint64_t w;
        if (r >= 4) {
            uint32_t lo, hi;
            memcpy(&lo, t, 4);
            memcpy(&hi, t + r - 4, 4);
            w = (uint64_t)lo | ((uint64_t)hi << (8 * (r - 4)));
        } else {
            w = (uint64_t)t[0] | ((uint64_t)t[r / 2] << (8 * (r / 2))) | ((uint64_t)t[r - 1] << (8 * (r - 1)));
        }
        w |= 0x2020202020202020ull >> (8 * (8 - r));
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    }
    /* Final mix, so that every byte reaches the low bits used as index. */
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

/* s[0..n) (n <= 8) as a little-endian word, zeros above, from fixed-size
 * loads that stay inside s. */
static inline uint64_t load_short(const char *s, size_t n)
{
    const unsigned char *t = (const unsigned char *)s;
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, t, 4);
        memcpy(&hi, t + n - 4, 4);
        return (uint64_t)le32(lo) | ((uint64_t)le32(hi) << (8 * (n - 4)));
    }
    return (uint64_t)t[0] | ((uint64_t)t[n / 2] << (8 * (n / 2))) | ((uint64_t)t[n - 1] << (8 * (n - 1)));
}

/* ASCII A-Z to a-z in every byte of x, nothing else changed. */
static inline uint64_t fold8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t low7 = x & ~high;
    uint64_t ge_a = low7 + ones * (0x80 - 'A');        /* high bit: byte >= 'A' */
    uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);    /* high bit: byte > 'Z' */
    uint64_t upper = ge_a & ~gt_z & ~x & high;         /* and ASCII */
    return x | (upper >> 2);
}

static inline size_t short_slot(uint64_t key, size_t n, size_t mask)
{
    uint64_t h = (key ^ n) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 40) & mask;
}

/* Builds lx->shorts from the main table; -1 on allocation failure. */
static int build_shorts(qx_lex_t *lx)
{
    size_t count = 0;
    for (size_t i = 0; i < lx->nslots; i++)
        if (lx->slots[i].len && lx->slots[i].len <= 8) count++;
    size_t ns = 64;
    while (ns < count * 4) ns *= 2;
    qx_short_t *t = calloc(ns, sizeof(*t));
    if (!t) return -1;
    for (size_t i = 0; i < lx->nslots; i++) {
        const qx_slot_t *sl = &lx->slots[i];
        if (!sl->len || sl->len > 8) continue;
        uint64_t key = load_short(slot_key(lx, sl), sl->len);
        size_t j = short_slot(key, sl->len, ns - 1);
        while (t[j].len) j = (j + 1) & (ns - 1);
        t[j].key = key;
        t[j].cls = sl->cls;
        t[j].len = sl->len;
    }
    free(lx->shorts);
    lx->shorts = t;
    lx->nshorts = ns;
    return 0;
}

static int fold_eq(const char *a, const char *key, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)a[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (c != (unsigned char)key[i]) return 0;
    }
    return 1;
}

static inline const char *slot_key(const qx_lex_t *lx, const qx_slot_t *sl)
{
    if (sl->len <= QX_INLINE) return sl->key;
    uint32_t off;
    memcpy(&off, sl->key, sizeof(off));
    return lx->arena + off;
}

static qx_slot_t *find_slot(const qx_lex_t *lx, const char *s, size_t n, uint32_t h)
{
    size_t mask = lx->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        qx_slot_t *sl = &lx->slots[i];
        if (sl->len == 0) return sl;
        if (sl->len == n && fold_eq(s, slot_key(lx, sl), n)) return sl;
    }
}

static int grow(qx_lex_t *lx)
{
    size_t nn = lx->nslots ? lx->nslots * 2 : 1024;
    qx_slot_t *ns = calloc(nn, sizeof(*ns));
    if (!ns) return -1;
    qx_slot_t *old = lx->slots;
    size_t on = lx->nslots;
    lx->slots = ns;
    lx->nslots = nn;
    for (size_t i = 0; i < on; i++) {
        if (!old[i].len) continue;
        const char *k = slot_key(lx, &old[i]);
        qx_slot_t *sl = find_slot(lx, k, old[i].len, fold_hash(k, old[i].len));
        *sl = old[i];
    }
    free(old);
    return 0;
}

static int add_entry(qx_lex_t *lx, const char *s, size_t n, uint32_t cls)
{
    if (n == 0 || n > QX_KEY_MAX) return 0;
    if ((lx->used + 1) * 2 > lx->nslots && grow(lx) != 0) return -1;
    char key[QX_KEY_MAX + 1];
    for (size_t i = 0; i < n; i++) key[i] = (char)tolower((unsigned char)s[i]);
    uint32_t h = fold_hash(key, n);
    qx_slot_t *sl = find_slot(lx, key, n, h);
    if (sl->len) {
        sl->cls |= cls;
        return 0;
    }
    if (lx->alen + n + 1 > lx->acap) {
        size_t nc = lx->acap ? lx->acap * 2 : 8192;
        while (nc < lx->alen + n + 1) nc *= 2;
        char *na = realloc(lx->arena, nc);
        if (!na) return -1;
        lx->arena = na;
        lx->acap = nc;
    }
    memcpy(lx->arena + lx->alen, key, n);
    lx->arena[lx->alen + n] = '\0';
    uint32_t off = (uint32_t)lx->alen;
    if (n <= QX_INLINE) memcpy(sl->key, key, n);
    else memcpy(sl->key, &off, sizeof(off));
    sl->len = (uint8_t)n;
    sl->cls = cls;
    lx->filter[(h % QX_FILTER_BITS) / 64] |= 1ull << (h % 64);
    lx->alen += n + 1;
    lx->used++;
    /* A phrase also marks its first word, so lookups try the phrase only
     * when it can match. */
    const char *sp = memchr(key, ' ', n);
    if (sp) return add_entry(lx, key, (size_t)(sp - key), QX_W_CUE_HEAD);
    return 0;
}

static uint32_t section_class(const char *name, size_t n)
{
    for (size_t i = 0; qx_sections[i].name; i++)
        if (strlen(qx_sections[i].name) == n && memcmp(qx_sections[i].name, name, n) == 0)
            return qx_sections[i].cls;
    return 0;
}

static int load_file(qx_lex_t *lx, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "quotes: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    uint32_t cls = 0;
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *p = line, *e;
        char *hash = strchr(p, '#');
        if (hash) *hash = '\0';
        while (*p == ' ' || *p == '\t') p++;
        e = p + strlen(p);
        while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t')) e--;
        if (e == p) continue;
        if (*p == '[') {
            if (e[-1] != ']' || !(cls = section_class(p + 1, (size_t)(e - p - 2)))) {
                snprintf(err, errlen, "quotes: %s:%d: unknown section %.*s", path,
                         lineno, (int)(e - p), p);
                rc = -1;
                break;
            }
            continue;
        }
        if (!cls) {
            snprintf(err, errlen, "quotes: %s:%d: entry before any [section]", path, lineno);
            rc = -1;
            break;
        }
        if (add_entry(lx, p, (size_t)(e - p), cls) != 0) {
            snprintf(err, errlen, "quotes: out of memory reading %s", path);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

qx_lex_t *qx_lex_load(const char *dir, char *err, size_t errlen)
{
    qx_lex_t *lx = calloc(1, sizeof(*lx));
    if (!lx || grow(lx) != 0) {
        snprintf(err, errlen, "quotes: out of memory");
        qx_lex_free(lx);
        return NULL;
    }
    lx->alen = 1;   /* offset 0 marks an empty slot */
    lx->arena = malloc(8192);
    if (!lx->arena) {
        snprintf(err, errlen, "quotes: out of memory");
        qx_lex_free(lx);
        return NULL;
    }
    lx->acap = 8192;
    lx->arena[0] = '\0';
    for (size_t i = 0; qx_files[i]; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, qx_files[i]);
        if (load_file(lx, path, err, errlen) != 0) {
            qx_lex_free(lx);
            return NULL;
        }
    }
    if (build_shorts(lx) != 0) {
        snprintf(err, errlen, "quotes: out of memory");
        qx_lex_free(lx);
        return NULL;
    }
    return lx;
}

void qx_lex_free(qx_lex_t *lx)
{
    if (!lx) return;
    free(lx->slots);
    free(lx->arena);
    free(lx->shorts);
    free(lx);
}

uint32_t qx_lex_word(const qx_lex_t *lx, const char *s, size_t n)
{
    if (n == 0 || n > QX_KEY_MAX) return 0;
    if (n <= 8) {
        uint64_t key = fold8(load_short(s, n));
        size_t mask = lx->nshorts - 1;
        for (size_t j = short_slot(key, n, mask);; j = (j + 1) & mask) {
            const qx_short_t *sh = &lx->shorts[j];
            if (sh->key == key && sh->len == n) return sh->cls;
            if (!sh->len) return 0;
        }
    }
    uint32_t h = fold_hash(s, n);
    if (!(lx->filter[(h % QX_FILTER_BITS) / 64] & (1ull << (h % 64)))) return 0;
    qx_slot_t *sl = find_slot(lx, s, n, h);
    return sl->len ? sl->cls : 0;
}

uint32_t qx_lex_phrase(const qx_lex_t *lx, const char *s, size_t n)
{
    return qx_lex_word(lx, s, n);
}

qx_etype_t qx_etype_of(const char *s)
{
    if (!s) return QX_E_OTHER;
    if (!strcmp(s, "PERSON")) return QX_E_PERSON;
    if (!strcmp(s, "ORG")) return QX_E_ORG;
    if (!strcmp(s, "GPE")) return QX_E_GPE;
    if (!strcmp(s, "NORP")) return QX_E_NORP;
    return QX_E_OTHER;
}
