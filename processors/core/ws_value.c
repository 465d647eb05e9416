/* ws_value.c -- JSON-like values for annotations, and the per-record arena
 * they are allocated from.
 *
 * Arrays and objects are vectors (O(1) indexing: quotes walks the entities
 * list by index); objects keep insertion order, which is the output order,
 * and look keys up linearly (annotation objects are small).
 *
 * Allocation is the cost that matters: entities builds ~40 mention objects
 * per article (an object, three strings, two ints each) and the record
 * drops them all on reset; as one malloc per node, malloc/free were about
 * half of the entities processor's time.  So:
 *  - while a value arena is current on the thread (the pipeline makes the
 *    record's arena current around process()), nodes are bump-allocated
 *    from it and ws_value_free() on them is a no-op; the record's reset
 *    recycles the whole arena at once.  Without one, nodes use malloc as
 *    before (values made in create(), tests, WS_VALUE_ARENA=0);
 *  - a node is one block: a string's bytes follow its header, and a
 *    container carries its first slots and key bytes inline (8 members and
 *    64 key bytes for objects, 4 for arrays), so a typical annotation
 *    object is a single allocation and never grows;
 *  - mixing is allowed both ways: an arena value in a malloc'd container is
 *    skipped by ws_value_free, and a malloc'd value handed to an arena
 *    container is recorded in the arena and freed at its reset;
 *  - a string records at creation whether it is valid UTF-8 needing no
 *    escapes (16 bytes a step with SSE2), and an object stores each key as
 *    its rendered `"key":` -- or, for a plain key of up to 8 bytes, only as
 *    its tag word -- so rendering is mostly word stores;
 *  - keys are found by length and tag (the first 8 bytes as a word), their
 *    length from aligned word loads; a set of a new key (kbloom: one bit
 *    per key) skips the duplicate search, and the common set (an arena
 *    value, a new short lowercase key, room left) makes no call;
 *  - ws_object_build/ws_array_build describe members instead of making
 *    them: in an arena an object and its new leaves are written as one
 *    block from the shape's image (no call per value, no size pass), and
 *    the general way (ws_value_*() then ws_object_make) covers the rest;
 *  - bytes written are the cost in a record kept while others are built
 *    (each is a cache miss), so a container's values are a vector of
 *    pointers of their own (an array element is 8 bytes), and the objects
 *    build_run makes point to their shape's keys and key bytes (a keyset,
 *    held by the arena: a record may outlive its processor's shapes)
 *    until a key is added; a mention object is ~170 bytes, not ~300;
 *  - a reset keeps the arena's chunks (up to KEEP_MAX bytes in all) for
 *    the next record: records bigger than one chunk don't malloc and
 *    page-fault fresh chunks each time, and RSS stays bounded.
 * Under AddressSanitizer, free arena memory is poisoned (and allocations
 * are separated by poisoned red zones), so a value used after its record
 * was reset is still reported; WS_VALUE_ARENA=0 gives every value its own
 * malloc for leak and double-free checking. */
#include "ws_value.h"

#include "ws_article.h"

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define WS_VALUE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WS_VALUE_ASAN 1
#endif
#endif
#ifdef WS_VALUE_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define REDZONE 16
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define REDZONE 0
#endif

#ifndef WS_VALUE_ARENA_DEFAULT
#define WS_VALUE_ARENA_DEFAULT 1
#endif

enum {
    F_INT = 1,         /* number created as an integer */
    F_ARENA = 2,       /* lives in an arena: ws_value_free is a no-op */
    F_PLAIN = 4,       /* string: valid UTF-8 with nothing to escape */
    F_OWN_SLOTS = 8,   /* malloc'd container: slots is its own block */
    F_OWN_KEYS = 16    /* malloc'd object: kbuf is its own block */
};

#define KEY_PLAIN 0x80000000u
#define KOFF_TAG 0xffffffffu
#define KEY_MAX 0x3fffffffu      /* keys and key buffers stay below this */
#define OBJ_SLOTS 8
#define OBJ_KEYS 64
#define ARR_SLOTS 4

/* An object's key: its values are in a vector of their own (arrays have
 * only that), so an array element is one pointer and the objects of a
 * shape can share the shape's keys (below). */
typedef struct {
    uint64_t tag;     /* the key's first 8 bytes, zero-padded (lookups
                       * compare the length and this word first) */
    uint32_t koff;    /* the key is stored as "key": at kbuf + koff, or
                       * KOFF_TAG: a plain key of up to 8 bytes, only in tag */
    uint32_t klen;    /* the key's length, | KEY_PLAIN if it needs no escaping */
} kslot_t;

/* Every node starts with this header; a string's bytes follow it, and a
 * container is a cont_t (the header, then the vectors). */
struct ws_value {
    uint8_t type;
    uint8_t flags;
    union {
        int b;
        int64_t i;
        double d;
        size_t slen;
        uint64_t kbloom;   /* objects: a bit per key (key_bit): a set of a
                            * new key skips the duplicate search */
    } u;
};

/* A container.  An object's keys and key bytes are its own, or (objects
 * built by build_run) the shape's keyset's, read-only: such an object is
 * full (n == cap, klen == kcap), so adding a key first moves keys and key
 * bytes to a bigger block of its own (container_grow, key_append), and a
 * replaced value changes only vals.  The arena holds the keyset until its
 * objects are gone (arena_hold). */
typedef struct {
    ws_value_t h;
    ws_value_t **vals;   /* n values of cap; an object's keys follow them in
                          * the same block when it is its own */
    kslot_t *keys;       /* objects: the keys of vals; arrays: NULL */
    char *kbuf;
    uint32_t n, cap, klen, kcap;
    ws_value_arena_t *arena;   /* the arena the node is in, or NULL */
} cont_t;

#define STR(v) ((char *)((v) + 1))
#define C(v) ((cont_t *)(v))
#define CC(v) ((const cont_t *)(v))

/* ---------------------------------------------------------------- arena */

typedef struct chunk {
    struct chunk *next;
    size_t size;          /* usable bytes in data */
    char data[];          /* the usable bytes */
} chunk_t;

#define CHUNK_MIN (32u * 1024)
#define CHUNK_MAX (1024u * 1024)      /* chunk sizes double up to this */
#define KEEP_MAX (4u * 1024 * 1024)   /* chunk bytes kept over a reset, at most */

/* A shape's keys (n kslot_t, then the key bytes), which the objects
 * build_run makes of the shape point to instead of copying them.  A record
 * may outlive the processor that made its values (and freed its shapes),
 * so the shape and every arena that built objects from it hold a
 * reference: an arena lets go at its first reset after the shape was
 * freed (no count per object or per record), or when it is freed. */
typedef struct keyset {
    atomic_size_t refs;
    atomic_int orphan;     /* its shape was freed */
    kslot_t keys[];
} keyset_t;

/* Keysets an arena holds at most: past that, objects copy their keys
 * (the general way), and a shape made per call cannot grow the list. */
#define HELD_MAX 32

struct ws_value_arena {
    chunk_t *chunks;       /* in use, newest first; the first is the current one */
    chunk_t *spare;        /* kept over resets, for the next records */
    char *cur, *end;       /* free space in the current chunk */
    size_t used;
    size_t next_size;
    ws_value_t **adopted;  /* malloc'd values handed to arena containers */
    size_t nadopted, adopted_cap;
    const keyset_t *held_last;   /* the keyset held last (build_run's quick test) */
    size_t nheld;
    keyset_t *held[HELD_MAX];    /* keysets its objects may point to */
};

static void keyset_release(keyset_t *ks) {
    if (atomic_fetch_sub_explicit(&ks->refs, 1, memory_order_acq_rel) == 1) free(ks);
}

/* Takes a reference to ks for a's objects (once: it is kept over resets
 * while its shape lives).  -1 when a holds HELD_MAX others. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int arena_hold(ws_value_arena_t *a, keyset_t *ks) {
    for (size_t i = 0; i < a->nheld; i++)
        if (a->held[i] == ks) {
            a->held_last = ks;
            return 0;
        }
    if (a->nheld == HELD_MAX) return -1;
    atomic_fetch_add_explicit(&ks->refs, 1, memory_order_relaxed);
    a->held[a->nheld++] = ks;
    a->held_last = ks;
    return 0;
}

/* After a reset (no object points to a keyset any more): lets go of the
 * keysets whose shape was freed, or of all of them. */
static void arena_let_go(ws_value_arena_t *a, int all) {
    size_t k = 0;
    for (size_t i = 0; i < a->nheld; i++) {
        keyset_t *ks = a->held[i];
        if (all || atomic_load_explicit(&ks->orphan, memory_order_relaxed)) keyset_release(ks);
        else a->held[k++] = ks;
    }
    if (k != a->nheld) a->held_last = NULL;
    a->nheld = k;
}

static _Thread_local ws_value_arena_t *current;

static int arena_enabled(void) {
    const char *e = getenv("WS_VALUE_ARENA");
    if (!e || !*e) return WS_VALUE_ARENA_DEFAULT;
    return !(strcmp(e, "0") == 0 || strcasecmp(e, "off") == 0 || strcasecmp(e, "false") == 0 ||
             strcasecmp(e, "no") == 0);
}

ws_value_arena_t *ws_value_arena_new(void) {
    if (!arena_enabled()) return NULL;
    ws_value_arena_t *a = calloc(1, sizeof *a);
    if (a) a->next_size = CHUNK_MIN;
    return a;
}

/* A kept chunk of at least size bytes, taken off the spare list, or NULL. */
static chunk_t *spare_take(ws_value_arena_t *a, size_t size) {
    for (chunk_t **pc = &a->spare; *pc; pc = &(*pc)->next) {
        chunk_t *c = *pc;
        if (c->size >= size) {
            *pc = c->next;
            return c;
        }
    }
    return NULL;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void *arena_alloc_slow(ws_value_arena_t *a, size_t n, size_t need) {
    /* A block bigger than a quarter chunk gets a chunk of its own, behind
     * the current one, which stays current. */
    int big = need > a->next_size / 4;
    size_t size = big ? need : a->next_size;
    /* Chunks kept over resets first: a record bigger than the last ones
     * must not malloc (and page-fault) fresh chunks each time. */
    chunk_t *c = spare_take(a, need);   /* the list is smallest first */
    if (c) {
        size = c->size;
    } else {
        if (size > (size_t)-1 - sizeof(chunk_t)) return NULL;
        c = malloc(sizeof *c + size);
        if (!c) return NULL;
        c->size = size;
        POISON(c->data, size);
        if (!big && a->next_size < CHUNK_MAX) a->next_size *= 2;
    }
    char *data = c->data;
    if (big && a->chunks) {
        c->next = a->chunks->next;
        a->chunks->next = c;
    } else {
        c->next = a->chunks;
        a->chunks = c;
        a->cur = data + need;
        a->end = data + size;
    }
    a->used += n;
    UNPOISON(data, n);
    return data;
}

/* 8-byte aligned (chunk data is malloc-aligned, sizes are rounded). */
#if defined(__GNUC__)
__attribute__((always_inline))   /* every node is one of these */
#endif
static inline void *arena_alloc(ws_value_arena_t *a, size_t n) {
    if (n > (size_t)-1 / 2) return NULL;
    n = (n + 7) & ~(size_t)7;
    size_t need = n + REDZONE;
    if ((size_t)(a->end - a->cur) < need) return arena_alloc_slow(a, n, need);
    char *p = a->cur;
    a->cur += need;
    a->used += n;
    UNPOISON(p, n);
    return p;
}

static int arena_adopt(ws_value_arena_t *a, ws_value_t *v) {
    if (a->nadopted == a->adopted_cap) {
        size_t cap = a->adopted_cap ? a->adopted_cap * 2 : 16;
        ws_value_t **p = realloc(a->adopted, cap * sizeof *p);
        if (!p) return -1;
        a->adopted = p;
        a->adopted_cap = cap;
    }
    a->adopted[a->nadopted++] = v;
    return 0;
}

/* Offers c to the spare list: kept while the arena keeps at most KEEP_MAX
 * bytes in all (so RSS stays flat), else freed. */
static void spare_keep(ws_value_arena_t *a, chunk_t *c, size_t *kept) {
    if (c->size <= KEEP_MAX - *kept) {
        *kept += c->size;
        POISON(c->data, c->size);
        c->next = a->spare;
        a->spare = c;
    } else {
        free(c);
    }
}

void ws_value_arena_reset(ws_value_arena_t *a) {
    if (!a) return;
    /* First the adopted values: freeing them reads their arena children. */
    for (size_t i = 0; i < a->nadopted; i++) ws_value_free(a->adopted[i]);
    a->nadopted = 0;
    /* The biggest chunk becomes current; the others are kept as spares,
     * biggest first, up to KEEP_MAX bytes in all. */
    chunk_t *all = a->chunks;
    if (all) {
        chunk_t *last = all;
        while (last->next) last = last->next;
        last->next = a->spare;
    } else {
        all = a->spare;
    }
    a->chunks = a->spare = NULL;
    size_t kept = 0;
    while (all) {
        chunk_t **best = &all;
        for (chunk_t **pc = &all; *pc; pc = &(*pc)->next)
            if ((*pc)->size > (*best)->size) best = pc;
        chunk_t *c = *best;
        *best = c->next;
        spare_keep(a, c, &kept);
    }
    /* spare_keep pushed the biggest first, so it is last: make it current. */
    chunk_t *keep = NULL;
    for (chunk_t **pc = &a->spare; *pc; pc = &(*pc)->next)
        if (!(*pc)->next) {
            keep = *pc;
            *pc = NULL;
            break;
        }
    a->chunks = keep;
    if (keep) {
        keep->next = NULL;
        a->cur = keep->data;
        a->end = a->cur + keep->size;
    } else {
        a->cur = a->end = NULL;
    }
    a->used = 0;
    if (a->nheld) arena_let_go(a, 0);
}

void ws_value_arena_free(ws_value_arena_t *a) {
    if (!a) return;
    ws_value_arena_reset(a);
    free(a->chunks);
    for (chunk_t *c = a->spare, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a->adopted);
    arena_let_go(a, 1);
    if (current == a) current = NULL;
    free(a);
}

ws_value_arena_t *ws_value_arena_enter(ws_value_arena_t *a) {
    ws_value_arena_t *prev = current;
    current = a;
    return prev;
}

void ws_value_arena_leave(ws_value_arena_t *prev) { current = prev; }

void *ws_value_arena_bytes(ws_value_arena_t *a, size_t n) { return a ? arena_alloc(a, n) : NULL; }

size_t ws_value_arena_used(const ws_value_arena_t *a) { return a ? a->used : 0; }

size_t ws_value_arena_reserved(const ws_value_arena_t *a) {
    size_t n = 0;
    if (!a) return 0;
    for (const chunk_t *c = a->chunks; c; c = c->next) n += c->size;
    for (const chunk_t *c = a->spare; c; c = c->next) n += c->size;
    return n;
}

int ws_value_in_arena(const ws_value_t *v) { return v && (v->flags & F_ARENA); }

/* ---------------------------------------------------------------- building */

/* memcpy for the short keys and strings values mostly hold: overlapping
 * word moves inline, the library call only for long ones. */
static inline void copy_small(char *d, const char *s, size_t n) {
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n >= 2 && n < 4) {
        uint16_t a, b;
        memcpy(&a, s, 2);
        memcpy(&b, s + n - 2, 2);
        memcpy(d, &a, 2);
        memcpy(d + n - 2, &b, 2);
    } else if (n < 2) {
        if (n) d[0] = s[0];
    } else {
        memcpy(d, s, n);
    }
}

#if defined(__GNUC__)
__attribute__((always_inline))   /* a bump and two stores: no call for that */
#endif
static inline ws_value_t *node_new(ws_value_type_t t, size_t size) {
    ws_value_arena_t *a = current;
    ws_value_t *v = a ? arena_alloc(a, size) : malloc(size);
    if (!v) return NULL;
    v->type = (uint8_t)t;
    v->flags = a ? F_ARENA : 0;
    return v;
}

#if defined(__GNUC__)
__attribute__((always_inline))   /* ws_object_make builds every mention with it */
#endif
static inline ws_value_t *container_new(ws_value_type_t t, uint32_t nslots, uint32_t nkeys) {
    size_t per = sizeof(ws_value_t *) + (t == WS_VALUE_OBJECT ? sizeof(kslot_t) : 0);
    ws_value_t *v = node_new(t, sizeof(cont_t) + nslots * per + nkeys);
    if (!v) return NULL;
    cont_t *c = C(v);
    c->vals = (ws_value_t **)(c + 1);
    c->keys = t == WS_VALUE_OBJECT ? (kslot_t *)(c->vals + nslots) : NULL;
    c->kbuf = (char *)(c->vals + nslots) + nslots * (per - sizeof(ws_value_t *));
    c->n = 0;
    c->cap = nslots;
    c->klen = 0;
    c->kcap = nkeys;
    c->arena = (v->flags & F_ARENA) ? current : NULL;
    v->u.kbloom = 0;
    return v;
}

ws_value_t *ws_value_object(void) { return container_new(WS_VALUE_OBJECT, OBJ_SLOTS, OBJ_KEYS); }
ws_value_t *ws_value_array(void) { return container_new(WS_VALUE_ARRAY, ARR_SLOTS, 0); }
ws_value_t *ws_value_null(void) { return node_new(WS_VALUE_NULL, sizeof(ws_value_t)); }

/* Byte classes for strings and keys: 1 must be escaped in JSON (controls,
 * '"', '\\'), 2 is part of a multi-byte UTF-8 sequence, 0 is copied as is. */
static const unsigned char byte_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* 1 if s is valid UTF-8 with no byte JSON must escape: it then renders as
 * "s" byte for byte.  Whole words only (the tail, or a string of 4 to 7
 * bytes, as overlapping words: most values are short), and UTF-8
 * validation only when there are non-ASCII bytes. */
#if defined(__GNUC__)
__attribute__((always_inline))   /* it is most of ws_value_string */
#endif
static inline int is_plain(const char *s, size_t n) {
    uint64_t high = 0;
    int special = 0;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            high |= w;
            special |= ws_json_special8(s + i);
        }
        if (i < n) {   /* the tail as one word overlapping the last one */
            uint64_t w;
            memcpy(&w, s + n - 8, 8);
            high |= w;
            special |= ws_json_special8(s + n - 8);
        }
    } else if (n >= 4) {   /* two overlapping halves make one word */
        uint32_t a, b;
        char w[8];
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(w, &a, 4);
        memcpy(w + 4, &b, 4);
        uint64_t x;
        memcpy(&x, w, 8);
        high = x;
        special = ws_json_special8(w);
    } else {
        unsigned cls = 0;
        for (size_t i = 0; i < n; i++) cls |= byte_class[(unsigned char)s[i]];
        if (cls & 1) return 0;
        return (cls & 2) ? ws_utf8_valid(s, n) : 1;
    }
    if (special) return 0;
    return (high & 0x8080808080808080ull) ? ws_utf8_valid(s, n) : 1;
}

#ifdef __SSE2__
/* Bytes of a 16-byte block JSON must escape: controls (<= 0x1F), '"', '\\'. */
static inline __m128i special16(__m128i v) {
    __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return _mm_or_si128(ctl, _mm_or_si128(q, b));
}

/* Bytes of a 16-byte block that keep it from being plain at a glance:
 * what JSON must escape, and non-ASCII bytes (as signed bytes, controls
 * and bytes >= 0x80 are both below 0x20), which need the UTF-8 check. */
static inline __m128i suspect16(__m128i v) {
    __m128i lo = _mm_cmpgt_epi8(_mm_set1_epi8(0x20), v);
    __m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i b = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return _mm_or_si128(lo, _mm_or_si128(q, b));
}

/* is_plain() of a string copied into a node, whose block has room for 16
 * bytes from its start (string_node()): 16 bytes a step, the last block
 * overlapping, bytes past the end masked off. */
static inline int is_plain_padded(const char *s, size_t n) {
    unsigned special, high;
    if (n < 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)s);
        unsigned live = (1u << n) - 1;
        special = (unsigned)_mm_movemask_epi8(special16(v)) & live;
        high = (unsigned)_mm_movemask_epi8(v) & live;
    } else {
        __m128i sp = _mm_setzero_si128(), hi = _mm_setzero_si128();
        size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
            sp = _mm_or_si128(sp, special16(v));
            hi = _mm_or_si128(hi, v);
        }
        if (i < n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(s + n - 16));
            sp = _mm_or_si128(sp, special16(v));
            hi = _mm_or_si128(hi, v);
        }
        special = (unsigned)_mm_movemask_epi8(sp);
        high = (unsigned)_mm_movemask_epi8(hi);
    }
    if (special) return 0;
    return high ? ws_utf8_valid(s, n) : 1;
}
#define STR_PAD 16   /* bytes a string node's text block holds at least */
#else
#define is_plain_padded is_plain
#define STR_PAD 1
#endif

/* Bytes of a string node of len bytes: its text block holds at least
 * STR_PAD bytes. */
static inline size_t string_node_size(size_t len) {
    return sizeof(ws_value_t) + (len < STR_PAD ? STR_PAD : len + 1);
}

/* The text of a new string node (type and flags already set). */
#if defined(__GNUC__)
__attribute__((always_inline))   /* ws_value_string and ws_object_build */
#endif
static inline void string_fill(ws_value_t *v, const char *s, size_t len) {
    char *d = STR(v);
#ifdef __SSE2__
    /* Zero the block first: it terminates the string and makes the bytes
     * is_plain_padded() reads past the end defined. */
    if (len < STR_PAD) _mm_storeu_si128((__m128i *)d, _mm_setzero_si128());
#endif
    copy_small(d, s, len);
    d[len] = '\0';
    v->u.slen = len;
    if (is_plain_padded(d, len)) v->flags |= F_PLAIN;
}

#if defined(__SSE2__) && !defined(WS_VALUE_ASAN)
/* 16 0xff bytes, then 16 zero bytes: from 16 - n on, a mask of n bytes. */
static const unsigned char live_bytes[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* The exact plain test of a short string node that the quick one in
 * short_string_node() did not pass (non-ASCII bytes, or bytes to escape):
 * out of line, as it is rare. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static void short_string_check(ws_value_t *v, size_t len) {
    __m128i x = _mm_loadu_si128((const __m128i *)STR(v));
    unsigned special = (unsigned)_mm_movemask_epi8(special16(x)) & ((1u << len) - 1);
    if (special || !ws_utf8_valid(STR(v), len)) v->flags = F_ARENA;
}

/* A new arena string node of 1 to 15 bytes at v (32 bytes: the header,
 * the bytes, zeros to the end of the block), the same as string_fill()
 * makes, in one 16-byte load when those 16 bytes do not cross a page (so
 * reading the bytes past its end, then masked off, cannot fault; the
 * sanitizer build takes the other way) and one test of the loaded
 * register for the common, plain ASCII case.  0 if it did not apply. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int short_string_node(ws_value_t *v, const char *s, size_t len) {
    if (len - 1 >= 15 || ((uintptr_t)s & 4095) > 4096 - 16) return 0;   /* s may be NULL when empty */
    __m128i live = _mm_loadu_si128((const __m128i *)(live_bytes + 16 - len));
    __m128i raw = _mm_loadu_si128((const __m128i *)s);
    __m128i x = _mm_and_si128(raw, live);
    _mm_storeu_si128((__m128i *)STR(v), x);   /* the bytes, then zeros */
    v->u.slen = len;
    v->type = WS_VALUE_STRING;
    v->flags = F_ARENA | F_PLAIN;
    if (_mm_movemask_epi8(_mm_and_si128(suspect16(raw), live))) short_string_check(v, len);
    return 1;
}

/* 1 if the len (1 to 15) bytes at s are those of the short string node v
 * (whose 16-byte block is zero past them), in one load as above. */
static inline int short_same(const ws_value_t *v, const char *s, size_t len) {
    if (((uintptr_t)s & 4095) > 4096 - 16) return memcmp(STR(v), s, len) == 0;
    __m128i live = _mm_loadu_si128((const __m128i *)(live_bytes + 16 - len));
    __m128i x = _mm_and_si128(_mm_loadu_si128((const __m128i *)s), live);
    return _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_loadu_si128((const __m128i *)STR(v)))) == 0xffff;
}
#else
static inline int short_string_node(ws_value_t *v, const char *s, size_t len) {
    (void)v, (void)s, (void)len;
    return 0;
}

static inline int short_same(const ws_value_t *v, const char *s, size_t len) {
    return memcmp(STR(v), s, len) == 0;
}
#endif

#ifdef __SSE2__
/* string_fill() of a new arena string node of 16 bytes or more: the bytes
 * copied and looked at in the same 16-byte steps (the last one
 * overlapping), the exact plain test only if a byte needs it. */
static inline void long_string_fill(ws_value_t *v, const char *s, size_t len) {
    char *d = STR(v);
    __m128i seen = _mm_setzero_si128();
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(s + i));
        _mm_storeu_si128((__m128i *)(d + i), x);
        seen = _mm_or_si128(seen, suspect16(x));
    }
    if (i < len) {
        __m128i x = _mm_loadu_si128((const __m128i *)(s + len - 16));
        _mm_storeu_si128((__m128i *)(d + len - 16), x);
        seen = _mm_or_si128(seen, suspect16(x));
    }
    d[len] = '\0';
    v->u.slen = len;
    uint8_t flags = F_ARENA | F_PLAIN;
    if (_mm_movemask_epi8(seen) && !is_plain_padded(d, len)) flags = F_ARENA;
    v->type = WS_VALUE_STRING;
    v->flags = flags;
}
#endif

ws_value_t *ws_value_string(const char *s, size_t len) {
    if (len > (size_t)-1 / 2) return NULL;
    ws_value_t *v = node_new(WS_VALUE_STRING, string_node_size(len));
    if (!v) return NULL;
    string_fill(v, s, len);
    return v;
}

ws_value_t *ws_value_int(int64_t n) {
    ws_value_t *v = node_new(WS_VALUE_NUMBER, sizeof(ws_value_t));
    if (v) { v->flags |= F_INT; v->u.i = n; }
    return v;
}

ws_value_t *ws_value_double(double d) {
    ws_value_t *v = node_new(WS_VALUE_NUMBER, sizeof(ws_value_t));
    if (v) v->u.d = d;
    return v;
}

ws_value_t *ws_value_bool(int b) {
    ws_value_t *v = node_new(WS_VALUE_BOOL, sizeof(ws_value_t));
    if (v) v->u.b = b ? 1 : 0;
    return v;
}

void ws_value_free(ws_value_t *v) {
    if (!v || (v->flags & F_ARENA)) return;   /* arena nodes go with their arena */
    if (v->type == WS_VALUE_ARRAY || v->type == WS_VALUE_OBJECT) {
        for (uint32_t i = 0; i < C(v)->n; i++) ws_value_free(C(v)->vals[i]);
        if (v->flags & F_OWN_SLOTS) free(C(v)->vals);   /* and the keys in its block */
        if (v->flags & F_OWN_KEYS) free(C(v)->kbuf);
    }
    free(v);
}

/* A container let go of val (replaced, or refused on error).  In an arena
 * container it is an arena node or an adopted one: the arena frees it. */
static void release(const ws_value_t *c, ws_value_t *val) {
    if (!CC(c)->arena) ws_value_free(val);
}

/* Moves an object's key bytes to a bigger block: from its arena, else
 * malloc (the inline block) or realloc (an own block). */
static void *block_grow(ws_value_t *c, void *old, size_t oldsize, size_t newsize, uint8_t own) {
    if (!C(c)->arena && (c->flags & own)) return realloc(old, newsize);
    void *p = C(c)->arena ? arena_alloc(C(c)->arena, newsize) : malloc(newsize);
    if (!p) return NULL;
    if (oldsize) memcpy(p, old, oldsize);
    if (!C(c)->arena) c->flags |= own;
    return p;
}

/* Moves a container's values (and an object's keys, which follow them in
 * the same block) to a block of cap > C(c)->cap slots: from its arena, else
 * malloc (the inline block, or a shape's keys) or realloc (an own block). */
static int slots_grow(ws_value_t *c, uint32_t cap) {
    cont_t *k = C(c);
    int obj = c->type == WS_VALUE_OBJECT;
    size_t per = sizeof(ws_value_t *) + (obj ? sizeof(kslot_t) : 0);
    size_t vbytes = (size_t)cap * sizeof(ws_value_t *);
    char *p;
    if (!k->arena && (c->flags & F_OWN_SLOTS)) {
        p = realloc(k->vals, (size_t)cap * per);
        if (!p) return -1;
        /* the keys were behind the old capacity's values */
        if (obj) memmove(p + vbytes, p + (size_t)k->cap * sizeof(ws_value_t *), k->n * sizeof(kslot_t));
    } else {
        p = k->arena ? arena_alloc(k->arena, (size_t)cap * per) : malloc((size_t)cap * per);
        if (!p) return -1;
        if (k->n) {
            memcpy(p, k->vals, k->n * sizeof(ws_value_t *));
            if (obj) memcpy(p + vbytes, k->keys, k->n * sizeof(kslot_t));
        }
        if (!k->arena) c->flags |= F_OWN_SLOTS;
    }
    k->vals = (ws_value_t **)p;
    if (obj) k->keys = (kslot_t *)(p + vbytes);
    k->cap = cap;
    return 0;
}

static int container_grow_slow(ws_value_t *c) {
    if (C(c)->cap > KEY_MAX / 2) return -1;
    return slots_grow(c, C(c)->cap ? C(c)->cap * 2 : ARR_SLOTS);
}

static inline int container_grow(ws_value_t *c) {
    return C(c)->n < C(c)->cap ? 0 : container_grow_slow(c);
}

/* Stores key (n bytes) as "key": in obj's key buffer; sets *off. */
static int key_append(ws_value_t *obj, const char *key, size_t n, uint32_t *off) {
    /* klen <= KEY_MAX, and no key is near 2^64 bytes: no wrap-around. */
    if ((uint64_t)C(obj)->klen + n + 3 > KEY_MAX) return -1;
    uint32_t need = C(obj)->klen + (uint32_t)n + 3;
    if (need > C(obj)->kcap) {
        uint32_t cap = C(obj)->kcap ? C(obj)->kcap : OBJ_KEYS;
        while (cap < need) cap *= 2;
        char *b = block_grow(obj, C(obj)->kbuf, C(obj)->klen, cap, F_OWN_KEYS);
        if (!b) return -1;
        C(obj)->kbuf = b;
        C(obj)->kcap = cap;
    }
    char *p = C(obj)->kbuf + C(obj)->klen;
    p[0] = '"';
    copy_small(p + 1, key, n);
    p[n + 1] = '"';
    p[n + 2] = ':';
    *off = C(obj)->klen;
    C(obj)->klen = need;
    return 0;
}

static const char *key_at(const ws_value_t *obj, uint32_t i, uint32_t *len) {
    *len = CC(obj)->keys[i].klen & ~KEY_PLAIN;
    return CC(obj)->kbuf + CC(obj)->keys[i].koff + 1;
}

/* Keys are short: an inline compare beats a call to memcmp.  Lengths of 4
 * and more compare as (overlapping) words, never byte by byte. */
static inline int key_eq(const char *a, const char *b, size_t n) {
    if (n >= 8) {
        uint64_t x, y;
        for (; n > 8; a += 8, b += 8, n -= 8) {
            memcpy(&x, a, 8);
            memcpy(&y, b, 8);
            if (x != y) return 0;
        }
        memcpy(&x, a + n - 8, 8);   /* the last word, overlapping */
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        uint32_t x1, y1, x2, y2;
        memcpy(&x1, a, 4);
        memcpy(&y1, b, 4);
        memcpy(&x2, a + n - 4, 4);
        memcpy(&y2, b + n - 4, 4);
        return x1 == y1 && x2 == y2;
    }
    for (; n; n--)
        if (*a++ != *b++) return 0;
    return 1;
}

/* What a lookup or a set needs of a key: its length and its first 8 bytes
 * as a word (zero-padded). */
typedef struct {
    size_t n;
    uint64_t tag;
} keyinfo_t;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    UINTPTR_MAX == 0xffffffffffffffffu
#define KEY_WORDS 1
#endif

#ifdef KEY_WORDS
#define ONES8 0x0101010101010101ull
#define HIGHS8 0x8080808080808080ull
#define HAS_ZERO(w) (((w) - ONES8) & ~(w) & HIGHS8)

/* strlen by aligned words (keys are mostly short literals: libc strlen's
 * call and setup cost more than the bytes), and the tag from the same
 * words when the key ends in the first two.  An aligned 8-byte load never
 * crosses a page, so reading the bytes around the key in its words is
 * safe; the sanitizer is told not to check them (they may lie outside the
 * object).  The lowest flagged byte of HAS_ZERO is the first NUL (borrows
 * only run upwards). */
#ifdef WS_VALUE_ASAN
__attribute__((no_sanitize_address))
#endif
static inline keyinfo_t key_info(const char *key) {
    keyinfo_t ki;
    uintptr_t at = (uintptr_t)key & ~(uintptr_t)7;
    unsigned lead = 8 * (unsigned)((uintptr_t)key & 7);   /* bits before the key */
    uint64_t w0, w1;
    memcpy(&w0, (const void *)at, 8);
    uint64_t z = HAS_ZERO(w0 | ((1ull << lead) - 1));   /* bytes before the key: not NUL */
    if (z) {   /* ends in the first word: shorter than 8 bytes */
        unsigned bits = (unsigned)__builtin_ctzll(z) - 7 - lead;   /* 8 * length */
        ki.n = bits >> 3;
        ki.tag = (w0 >> lead) & ((1ull << bits) - 1);
        return ki;
    }
    /* The next word is read only now: it may be on the next page. */
    memcpy(&w1, (const void *)(at + 8), 8);
    uint64_t q = (w0 >> lead) | ((w1 << 1) << (63 - lead));   /* the key's first 8 bytes */
    z = HAS_ZERO(q);
    if (z) {
        unsigned bits = (unsigned)__builtin_ctzll(z) - 7;
        ki.n = bits >> 3;
        ki.tag = q & ((1ull << bits) - 1);
        return ki;
    }
    ki.tag = q;   /* 8 bytes or more: find the end from the second word on */
    at += 8;
    z = HAS_ZERO(w1);
    while (!z) {
        at += 8;
        memcpy(&w1, (const void *)at, 8);
        z = HAS_ZERO(w1);
    }
    ki.n = (size_t)(at - (uintptr_t)key) + ((unsigned)__builtin_ctzll(z) >> 3);
    return ki;
}
#else
/* The portable way: the first 8 bytes, zero-padded, in little-endian order
 * (the order the tag has on the machines above). */
static inline keyinfo_t key_info(const char *key) {
    keyinfo_t ki;
    ki.n = strlen(key);
    ki.tag = 0;
    for (size_t i = 0; i < ki.n && i < 8; i++) ki.tag |= (uint64_t)(unsigned char)key[i] << (8 * i);
    return ki;
}
#endif

/* The key's bit in an object's kbloom. */
static inline uint64_t key_bit(keyinfo_t ki) {
    return 1ull << (((ki.tag ^ ki.n) * 0x9E3779B97F4A7C15ull) >> 58);
}

/* 1 if all 8 bytes of w are in 0x5D..0x7F (lowercase letters, '_' and a
 * few signs): such bytes render as they are, and most keys are made of
 * them.  Adding 0x23 sets exactly their high bits, with no carries. */
static inline int word_lower(uint64_t w) {
    return !(w & 0x8080808080808080ull) &&
           ((w + 0x2323232323232323ull) & 0x8080808080808080ull) == 0x8080808080808080ull;
}

/* 1 if a key of up to 16 bytes is made of such bytes only: its tag,
 * padded with '_', and its last word pass word_lower(). */
static inline int key_words_lower(const char *key, keyinfo_t ki) {
    uint64_t w = ki.tag, last = 0x5f5f5f5f5f5f5f5full;
    if (ki.n < 8) w |= 0x5f5f5f5f5f5f5f5full << (8 * ki.n);
    else memcpy(&last, key + ki.n - 8, 8);
    return word_lower(w) && word_lower(last);
}

/* 1 if the key renders as "key" byte for byte: the word test for keys of
 * up to 16 bytes, else the full check. */
static inline int key_plain(const char *key, keyinfo_t ki) {
    if (ki.n <= 16 && key_words_lower(key, ki)) return 1;
    return is_plain(key, ki.n);
}

/* Length and tag first: one compare each settles keys of up to 8 bytes. */
static inline int find_key(const ws_value_t *obj, const char *key, keyinfo_t ki) {
    const kslot_t *s = CC(obj)->keys;
    for (uint32_t i = 0, m = CC(obj)->n; i < m; i++) {
        if (s[i].tag != ki.tag || (s[i].klen & ~KEY_PLAIN) != ki.n) continue;
        if (ki.n <= 8) return (int)i;
        uint32_t kl;
        const char *k = key_at(obj, i, &kl);
        if (key_eq(k + 8, key + 8, ki.n - 8)) return (int)i;
    }
    return -1;
}

/* An arena container takes a malloc'd value by recording it in the arena. */
static int adopt(ws_value_t *c, ws_value_t *val) {
    if (!C(c)->arena || (val->flags & F_ARENA)) return 0;
    return arena_adopt(C(c)->arena, val);
}

/* Every case of a set: adoption, a possible duplicate, growth, keys that
 * need the full plain check.  Out of line, so that the common case below
 * makes no call and needs no saved registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int object_set_slow(ws_value_t *obj, const char *key, keyinfo_t ki, ws_value_t *val) {
    if (!(val->flags & F_ARENA) && adopt(obj, val) < 0) {
        ws_value_free(val);
        return -1;
    }
    uint64_t bit = key_bit(ki);
    if (obj->u.kbloom & bit) {   /* maybe a duplicate: the last one wins */
        int i = find_key(obj, key, ki);
        if (i >= 0) {
            release(obj, C(obj)->vals[i]);
            C(obj)->vals[i] = val;
            return 0;
        }
    }
    uint32_t off;
    if (container_grow(obj) < 0 || key_append(obj, key, ki.n, &off) < 0) {
        release(obj, val);
        return -1;
    }
    obj->u.kbloom |= bit;
    C(obj)->vals[C(obj)->n] = val;
    kslot_t *s = &C(obj)->keys[C(obj)->n++];
    s->tag = ki.tag;
    s->koff = off;
    s->klen = (uint32_t)ki.n | (key_plain(key, ki) ? KEY_PLAIN : 0);
    return 0;
}

int ws_object_set(ws_value_t *obj, const char *key, ws_value_t *val) {
    if (!obj || obj->type != WS_VALUE_OBJECT || !key || !val) {
        ws_value_free(val);
        return -1;
    }
    keyinfo_t ki = key_info(key);
    cont_t *c = C(obj);
    /* The common case: nothing to adopt, a new key (kbloom says so) of up
     * to 16 plain lowercase bytes, room in the slots and key bytes. */
    if (ki.n > 16 || (!(val->flags & F_ARENA) && c->arena) || c->n >= c->cap)
        return object_set_slow(obj, key, ki, val);
    uint64_t bit = key_bit(ki);
    uint32_t need = c->klen + (uint32_t)ki.n + 3;
    if ((obj->u.kbloom & bit) || !key_words_lower(key, ki)) return object_set_slow(obj, key, ki, val);
    uint32_t off = KOFF_TAG;   /* up to 8 bytes: the tag is the key */
#ifdef KEY_WORDS
    if (ki.n > 8) {
#else
    {   /* the tag's byte order is the machine's only on little-endian ones */
#endif
        if (need > c->kcap) return object_set_slow(obj, key, ki, val);
        char *p = c->kbuf + c->klen;
        p[0] = '"';
        copy_small(p + 1, key, ki.n);
        p[ki.n + 1] = '"';
        p[ki.n + 2] = ':';
        off = c->klen;
        c->klen = need;
    }
    c->vals[c->n] = val;
    kslot_t *s = &c->keys[c->n++];
    s->tag = ki.tag;
    s->koff = off;
    s->klen = (uint32_t)ki.n | KEY_PLAIN;
    obj->u.kbloom |= bit;
    return 0;
}

/* Appends val to an array that has room. */
static inline void slot_append(ws_value_t *arr, ws_value_t *val) {
    C(arr)->vals[C(arr)->n++] = val;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int array_push_slow(ws_value_t *arr, ws_value_t *val) {
    if (!arr || arr->type != WS_VALUE_ARRAY || !val) {
        ws_value_free(val);
        return -1;
    }
    if (!(val->flags & F_ARENA) && adopt(arr, val) < 0) {
        ws_value_free(val);
        return -1;
    }
    if (container_grow(arr) < 0) {
        release(arr, val);
        return -1;
    }
    slot_append(arr, val);
    return 0;
}

/* The common push (an arena value, room left) is small enough to be
 * inlined into its callers by link-time optimisation. */
int ws_array_push(ws_value_t *arr, ws_value_t *val) {
    if (arr && val && arr->type == WS_VALUE_ARRAY && (val->flags & F_ARENA) && C(arr)->n < C(arr)->cap) {
        slot_append(arr, val);
        return 0;
    }
    return array_push_slow(arr, val);
}

int ws_array_reserve(ws_value_t *arr, size_t n) {
    if (!arr || arr->type != WS_VALUE_ARRAY || n > KEY_MAX) return -1;
    if (n <= C(arr)->cap) return 0;
    return slots_grow(arr, (uint32_t)n);
}

/* ---------------------------------------------------------------- shapes */

/* The keys of an object, as its keyset: ws_object_make copies them into
 * a new node (one allocation and two copies however many members it has),
 * and build_run's objects point to them. */
struct ws_shape {
    uint32_t n, klen;
    keyset_t *ks;
    size_t base;   /* bytes of a built object up to its members' nodes */
    size_t need;   /* room build_run asks of a chunk per object: base, n members
                    * of up to 32 bytes, the red zone */
    /* build_run's object but for its values and arena: full, with the
     * keyset's keys and key bytes */
    cont_t image;
};

int ws_shape_new(ws_shape_t **out, const char *const *keys, size_t n, char *err, size_t errlen) {
    *out = NULL;
    if (!keys || n == 0 || n > WS_SHAPE_MAX) {
        snprintf(err, errlen, "a shape needs 1 to %d keys, not %zu", WS_SHAPE_MAX, n);
        return -1;
    }
    /* The keys are laid out by ws_object_set itself, in a malloc'd object
     * (not the caller's arena): one way to store a key, and repeats show
     * as a smaller object. */
    for (size_t i = 0; i < n; i++)
        if (!keys[i]) {
            snprintf(err, errlen, "shape key %zu is NULL", i);
            return -1;
        }
    ws_value_arena_t *prev = ws_value_arena_enter(NULL);
    ws_value_t *o = ws_value_object();
    int rc = o ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++) rc = ws_object_set(o, keys[i], ws_value_null());
    ws_value_arena_leave(prev);
    if (rc == 0 && C(o)->n != n) {
        snprintf(err, errlen, "a shape's keys must be unique");
        ws_value_free(o);
        return -1;
    }
    ws_shape_t *sh = rc == 0 ? malloc(sizeof *sh) : NULL;
    keyset_t *ks = sh ? malloc(sizeof *ks + n * sizeof(kslot_t) + C(o)->klen) : NULL;
    if (!ks) {
        snprintf(err, errlen, "out of memory");
        free(sh);
        ws_value_free(o);
        return -1;
    }
    atomic_init(&ks->refs, 1);   /* the shape's */
    atomic_init(&ks->orphan, 0);
    char *kbuf = (char *)(ks->keys + n);
    memcpy(ks->keys, C(o)->keys, n * sizeof(kslot_t));
    if (C(o)->klen) memcpy(kbuf, C(o)->kbuf, C(o)->klen);
    sh->n = (uint32_t)n;
    sh->klen = C(o)->klen;
    sh->ks = ks;
    memset(&sh->image, 0, sizeof(cont_t));
    sh->image.h.type = WS_VALUE_OBJECT;
    sh->image.h.flags = F_ARENA;
    sh->image.h.u.kbloom = o->u.kbloom;
    sh->image.keys = ks->keys;
    sh->image.kbuf = kbuf;
    sh->image.n = sh->image.cap = (uint32_t)n;
    sh->image.klen = sh->image.kcap = sh->klen;
    sh->base = sizeof(cont_t) + n * sizeof(ws_value_t *);
    sh->need = sh->base + n * 32 + REDZONE;
    ws_value_free(o);
    *out = sh;
    return 0;
}

/* Objects built from it may still be in records: arenas that hold its
 * keyset let go at their next reset. */
void ws_shape_free(ws_shape_t *shape) {
    if (!shape) return;
    atomic_store_explicit(&shape->ks->orphan, 1, memory_order_relaxed);
    keyset_release(shape->ks);
    free(shape);
}

size_t ws_shape_size(const ws_shape_t *shape) { return shape ? shape->n : 0; }

static void free_vals(ws_value_t *const *vals, uint32_t from, uint32_t n) {
    for (uint32_t i = from; i < n; i++) ws_value_free(vals[i]);
}

ws_value_t *ws_object_make(const ws_shape_t *sh, ws_value_t *const *vals) {
    if (!sh || !vals) return NULL;
    uint32_t n = sh->n;
    for (uint32_t i = 0; i < n; i++)
        if (!vals[i]) {
            free_vals(vals, 0, n);
            return NULL;
        }
    ws_value_t *o = container_new(WS_VALUE_OBJECT, n, sh->klen);   /* exactly its size */
    if (!o) {
        free_vals(vals, 0, n);
        return NULL;
    }
    cont_t *c = C(o);
    c->n = n;
    c->klen = sh->klen;
    o->u.kbloom = sh->image.h.u.kbloom;
    copy_small(c->kbuf, sh->image.kbuf, sh->klen);
    for (uint32_t i = 0; i < n; i++) {   /* a few slots: inline copies beat memcpy's call */
        if (!(vals[i]->flags & F_ARENA) && adopt(o, vals[i]) < 0) {
            /* the ones before are the arena's now; o itself is an arena node */
            free_vals(vals, i, n);
            return NULL;
        }
        c->keys[i] = sh->image.keys[i];
        c->vals[i] = vals[i];
    }
    return o;
}

/* ws_object_build's members, one by one: exactly the values a caller
 * would make with ws_value_*(). */
static ws_value_t *member_value(const ws_member_t *m) {
    if (m->val) return m->val;
    switch (m->type) {
    case WS_VALUE_STRING: return ws_value_string(m->str, m->len);
    case WS_VALUE_NUMBER: return ws_value_int(m->num);
    case WS_VALUE_BOOL: return ws_value_bool(m->num != 0);
    case WS_VALUE_NULL: return ws_value_null();
    case WS_VALUE_INVALID: break;
    default: return NULL;
    }
    const ws_value_t *c = m->copy;   /* a copy of a leaf */
    switch (ws_value_type(c)) {
    case WS_VALUE_STRING: return ws_value_string(STR(c), c->u.slen);
    case WS_VALUE_NUMBER: return (c->flags & F_INT) ? ws_value_int(c->u.i) : ws_value_double(c->u.d);
    case WS_VALUE_BOOL: return ws_value_bool(c->u.b);
    case WS_VALUE_NULL: return ws_value_null();
    default: return NULL;
    }
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static ws_value_t *build_general(const ws_shape_t *sh, const ws_member_t *m) {
    ws_value_t *v[WS_SHAPE_MAX];
    for (uint32_t i = 0; i < sh->n; i++) v[i] = member_value(&m[i]);
    return ws_object_make(sh, v);
}

/* Copy members' sources build_run remembers (a power of two), and what
 * its empty ways hold: no caller's value, not even NULL, is this one. */
#define COPY_WAYS 16
static const ws_value_t copy_none;

/* Longer strings are left to ws_value_string: a built object stays a
 * small block, and its size cannot overflow. */
#define BUILD_STR_MAX 4096

/* The bytes a new string member of len bytes takes in build_run's
 * block (8-aligned), or 0 when it must not go there: too long, or no room
 * at p for it and the `left` members after it (at most 32 bytes each). */
static inline size_t built_string_size(size_t len, const char *p, const char *end, uint32_t left) {
    size_t sz = (string_node_size(len) + 7) & ~(size_t)7;
    if (sz > 32 && (len > BUILD_STR_MAX || (size_t)(end - p) < sz + (size_t)left * 32 + REDZONE))
        return 0;
    return sz;
}

/* ws_object_build in the arena's current chunk, for a run of objects of
 * one shape: each object (node, slots, key bytes, from the shape's image)
 * and then its new members' nodes, laid out as their own allocations
 * would be, in one block (arena nodes are never freed one by one, so
 * nothing can tell).  No size pass: members are written as they come,
 * each checked against the room left, and the chunk's cursor moves past
 * an object only once all its members fit.  Object k goes to out[k].v
 * (an array slot: no key).  Returns how many were built: the run stops
 * (that object taken nothing, changed nothing) at anything else: a given
 * val, a long string, a full chunk, a failed member.  Without an arena
 * every member must stay its own malloc (a replaced or freed member is
 * freed alone): the general way.
 *
 * A short string member with the same bytes as the short string member
 * made before it in the object (a mention's canonical name that is its
 * text) shares that member's node: a node's contents follow from its
 * bytes alone, leaves are never changed in place and arena nodes are
 * never freed alone, so the two read, render and behave as two copies
 * would.  For the same reason a copy member (ws_member_t.copy) whose
 * source an earlier object of the run copied shares that copy's node
 * (the caller's source cannot change or go during the call): a
 * mention's type is one of a few constants, so most objects of a run
 * copy nothing for it.  And a copy member whose source is a leaf made
 * earlier in the arena's current chunk, so since its reset (a group's
 * name and first offset: those of its first mention), is that leaf. */
#if defined(__GNUC__)
__attribute__((always_inline))   /* build_run, with n a constant where it can be */
#endif
static inline size_t build_run_n(ws_value_arena_t *a, const ws_shape_t *sh, const ws_member_t *m,
                                 size_t count, ws_value_t **out, const uint32_t n) {
    const size_t base = sh->base, need = sh->need;
    if (a->held_last != sh->ks && arena_hold(a, sh->ks) < 0) return 0;
    char *const cur0 = a->cur, *const end = a->end;
    char *cur = cur0;
    /* the start of the current chunk: below the object being built, a
     * node there was made since the arena's reset */
    const uintptr_t lo = a->chunks ? (uintptr_t)a->chunks->data : 0;
    size_t k = 0;
    /* copies made in this run, by source, direct-mapped by its address
     * (only objects built whole: the run ends at the first one that is not) */
    const ws_value_t *copy_src[COPY_WAYS];
    ws_value_t *copy_node[COPY_WAYS];
    for (size_t w = 0; w < COPY_WAYS; w++) copy_src[w] = &copy_none;
    for (; k < count; k++, m += n) {
        char *start = cur;
        size_t room = (size_t)(end - start);
        /* the node, then n members of at most 32 bytes (ints, bools,
         * nulls, strings of up to 15 bytes); longer strings check for
         * themselves */
        if (room < need) break;
        UNPOISON(start, room);
        cont_t *c = (cont_t *)start;
        memcpy(c, &sh->image, sizeof(cont_t));   /* the node: counts, kbloom, keys */
        ws_value_t **vals = (ws_value_t **)(c + 1);
        c->vals = vals;
        c->arena = a;
        char *p = start + base;
        const uintptr_t span = (uintptr_t)start - lo;   /* a node below: made since the reset */
        const char *last_s = NULL;   /* the last short string member made */
        size_t last_len = 0;
        ws_value_t *last_v = NULL;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
        for (uint32_t i = 0; i < n; i++) {
            const ws_member_t *mi = &m[i];
            ws_value_t *v = (ws_value_t *)p;
            if (mi->val) goto bail;
            ws_value_type_t t = mi->type;
            if (t == WS_VALUE_STRING) {
                const char *s = mi->str;
                size_t len = mi->len;
                if (len - 1 < 15) {   /* 1 to 15 bytes (last_len is 0 until one is made) */
                    if (len == last_len && (s == last_s || short_same(last_v, s, len))) {
                        vals[i] = last_v;
                        continue;
                    }
                    last_s = s;
                    last_len = len;
                    last_v = v;   /* made next, here */
                    if (short_string_node(v, s, len)) {
                        p += 32;
                        vals[i] = v;
                        continue;
                    }
                }
                size_t sz = built_string_size(len, p, end, n - 1 - i);
                if (!sz) goto bail;
                p += sz;
#ifdef __SSE2__
                if (len >= 16) {
                    long_string_fill(v, s, len);
                    vals[i] = v;
                    continue;
                }
#endif
                v->type = WS_VALUE_STRING;
                v->flags = F_ARENA;
                string_fill(v, s, len);
            } else if (t == WS_VALUE_NUMBER) {
                v->type = WS_VALUE_NUMBER;
                v->flags = F_ARENA | F_INT;
                v->u.i = mi->num;
                p += sizeof(ws_value_t);
            } else if (t == WS_VALUE_INVALID) {
                /* a copy of a leaf: its bytes, flags and all, but for where
                 * it lives (a leaf has no flags but F_PLAIN, F_INT, F_ARENA) */
                const ws_value_t *src = mi->copy;
                /* A leaf made earlier in this chunk (a member of an object
                 * built before, say) lives as long as this object: it is
                 * shared as a repeated string is, not copied. */
                if ((uintptr_t)src - lo < span && src->type - (unsigned)WS_VALUE_NULL < WS_VALUE_STRING) {
                    vals[i] = (ws_value_t *)src;
                    continue;
                }
                size_t way = ((uintptr_t)src >> 4) & (COPY_WAYS - 1);
                if (src == copy_src[way]) {   /* never NULL: empty ways hold copy_none */
                    vals[i] = copy_node[way];
                    continue;
                }
                if (!src) goto bail;
                copy_src[way] = src;
                copy_node[way] = v;
                if (src->type == WS_VALUE_STRING) {
                    size_t len = src->u.slen;
                    if (len < STR_PAD) {   /* its whole block, a size the compiler knows */
                        memcpy(v, src, sizeof(ws_value_t) + STR_PAD);
                        p += (sizeof(ws_value_t) + STR_PAD + 7) & ~(size_t)7;
                    } else {
                        size_t sz = built_string_size(len, p, end, n - 1 - i);
                        if (!sz) goto bail;
                        memcpy(v, src, string_node_size(len));
                        p += sz;
                    }
                } else if (src->type == WS_VALUE_NUMBER || src->type == WS_VALUE_BOOL ||
                           src->type == WS_VALUE_NULL) {
                    memcpy(v, src, sizeof(ws_value_t));
                    p += sizeof(ws_value_t);
                } else {
                    goto bail;
                }
                v->flags |= F_ARENA;
            } else if (t == WS_VALUE_BOOL || t == WS_VALUE_NULL) {
                v->type = (uint8_t)t;
                v->flags = F_ARENA;
                if (t == WS_VALUE_BOOL) v->u.b = mi->num != 0;
                p += sizeof(ws_value_t);
            } else {
                goto bail;
            }
            vals[i] = v;
        }
        out[k] = &c->h;
        cur = p + REDZONE;
        POISON(p, (size_t)(end - p));
        continue;
    bail:
        POISON(start, room);
        break;
    }
    a->cur = cur;
    a->used += (size_t)(cur - cur0) - k * REDZONE;   /* the objects, not their red zones */
    return k;
}

/* Shapes of 4 and 5 keys (the entities processor's groups and mentions)
 * get a copy with the member loop unrolled: no loop counter, constant
 * slot offsets. */
static size_t build_run(ws_value_arena_t *a, const ws_shape_t *sh, const ws_member_t *m,
                        size_t count, ws_value_t **out) {
    switch (sh->n) {
    case 4: return build_run_n(a, sh, m, count, out, 4);
    case 5: return build_run_n(a, sh, m, count, out, 5);
    default: return build_run_n(a, sh, m, count, out, sh->n);
    }
}

/* In an arena: the common case above, else (a given value, a long
 * string, a full chunk, a failed member) the general way. */
ws_value_t *ws_object_build(const ws_shape_t *sh, const ws_member_t *m) {
    if (!sh || !m) return NULL;
    ws_value_arena_t *a = current;
    ws_value_t *s;
    if (a && build_run(a, sh, m, 1, &s)) return s;
    return build_general(sh, m);
}

static void free_member_vals(const ws_member_t *m, size_t n) {
    for (size_t i = 0; i < n; i++) ws_value_free(m[i].val);
}

int ws_array_build(ws_value_t *arr, const ws_shape_t *sh, const ws_member_t *m, size_t count) {
    if (!sh) return -1;
    uint32_t n = sh->n;
    if (!m) return count ? -1 : 0;
    if (!arr || arr->type != WS_VALUE_ARRAY || count > KEY_MAX ||
        ws_array_reserve(arr, (size_t)C(arr)->n + count) < 0) {
        free_member_vals(m, count * n);
        return -1;
    }
    ws_value_arena_t *a = current;
    for (size_t k = 0; k < count; k++, m += n) {
        if (a) {   /* an arena node, and room was reserved: plain pushes */
            size_t got = build_run(a, sh, m, count - k, C(arr)->vals + C(arr)->n);
            C(arr)->n += (uint32_t)got;
            k += got;
            m += got * n;
            if (k == count) break;
        }
        ws_value_t *o = build_general(sh, m);   /* the chunk could not take it: the general way */
        if (!o || ws_array_push(arr, o) < 0) {
            free_member_vals(m + n, (count - k - 1) * n);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- reading */

ws_value_type_t ws_value_type(const ws_value_t *v) {
    return v ? (ws_value_type_t)v->type : WS_VALUE_INVALID;
}

const ws_value_t *ws_object_get(const ws_value_t *obj, const char *key) {
    if (!obj || obj->type != WS_VALUE_OBJECT || !key) return NULL;
    keyinfo_t ki = key_info(key);   /* no kbloom test: most reads hit */
    int i = find_key(obj, key, ki);
    return i >= 0 ? CC(obj)->vals[i] : NULL;
}

size_t ws_object_size(const ws_value_t *obj) {
    return obj && obj->type == WS_VALUE_OBJECT ? CC(obj)->n : 0;
}

const ws_value_t *ws_object_at(const ws_value_t *obj, size_t i, const char **key, size_t *klen) {
    if (!obj || obj->type != WS_VALUE_OBJECT || i >= CC(obj)->n) return NULL;
    const kslot_t *s = &CC(obj)->keys[i];
    if (key) *key = s->koff == KOFF_TAG ? (const char *)&s->tag : CC(obj)->kbuf + s->koff + 1;
    if (klen) *klen = s->klen & ~KEY_PLAIN;
    return CC(obj)->vals[i];
}

size_t ws_array_size(const ws_value_t *arr) {
    return arr && arr->type == WS_VALUE_ARRAY ? CC(arr)->n : 0;
}

const ws_value_t *ws_array_at(const ws_value_t *arr, size_t i) {
    if (!arr || arr->type != WS_VALUE_ARRAY || i >= CC(arr)->n) return NULL;
    return CC(arr)->vals[i];
}

const char *ws_value_str(const ws_value_t *v, size_t *len) {
    if (!v || v->type != WS_VALUE_STRING) return NULL;
    if (len) *len = v->u.slen;
    return STR(v);
}

double ws_value_num(const ws_value_t *v) {
    if (!v || v->type != WS_VALUE_NUMBER) return 0;
    return (v->flags & F_INT) ? (double)v->u.i : v->u.d;
}

int ws_value_is_int(const ws_value_t *v) {
    return v && v->type == WS_VALUE_NUMBER && (v->flags & F_INT);
}

int64_t ws_value_int_of(const ws_value_t *v) {
    if (!v || v->type != WS_VALUE_NUMBER) return 0;
    if (v->flags & F_INT) return v->u.i;
    /* Out of range (or NaN) would make the cast undefined. */
    return v->u.d > -9.2e18 && v->u.d < 9.2e18 ? (int64_t)v->u.d : 0;
}

int ws_value_truthy(const ws_value_t *v) {
    if (!v) return 0;
    switch (v->type) {
    case WS_VALUE_BOOL: return v->u.b;
    case WS_VALUE_NUMBER: return (v->flags & F_INT) ? v->u.i != 0 : v->u.d != 0;
    case WS_VALUE_STRING: return v->u.slen != 0;
    case WS_VALUE_ARRAY:
    case WS_VALUE_OBJECT: return 1;
    default: return 0;
    }
}

/* ---------------------------------------------------------------- rendering */

/* Room for n more bytes plus the terminating NUL; the render loop then
 * writes straight into the buffer. */
static int room(ws_buf_t *b, size_t n) {
    return b->len + n < b->cap ? 0 : ws_buf_reserve(b, n);
}

static void put(ws_buf_t *b, const char *p, size_t n) {
    copy_small(b->data + b->len, p, n);
    b->len += n;
}

static const char digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Integer to decimal without printf, two digits a step, straight into p
 * (room for 20 bytes); returns the end.  Rendering is on the hot path:
 * entity offsets are most of a record's numbers. */
static char *put_int_slow(char *p, int64_t n);

/* Offsets (most of a record's numbers) are below 10000: those inline, as
 * one or two table pairs. */
static inline char *put_int(char *p, int64_t n) {
    if ((uint64_t)n >= 10000) return put_int_slow(p, n);   /* negatives too */
    unsigned u = (unsigned)n;
    if (u < 10) {
        *p = (char)('0' + u);
        return p + 1;
    }
    if (u < 100) {
        memcpy(p, digits2 + 2 * u, 2);
        return p + 2;
    }
    unsigned hi = u / 100, lo = u % 100;
    if (hi < 10) *p++ = (char)('0' + hi);
    else { memcpy(p, digits2 + 2 * hi, 2); p += 2; }
    memcpy(p, digits2 + 2 * lo, 2);
    return p + 2;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static char *put_int_slow(char *p, int64_t n) {
    uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    if (n < 0) *p++ = '-';
    if (u < 10) {
        *p++ = (char)('0' + u);
        return p;
    }
    unsigned len = u < 100 ? 2 : u < 1000 ? 3 : u < 10000 ? 4 : u < 100000 ? 5 : 6;
    for (uint64_t t = u / 1000000; t; t /= 10) len++;
    char *e = p + len, *q = e;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--q = digits2[d + 1];
        *--q = digits2[d];
    }
    if (u >= 10) {
        *--q = digits2[u * 2 + 1];
        *--q = digits2[u * 2];
    } else {
        *--q = (char)('0' + u);
    }
    return e;
}

static int render_int(ws_buf_t *b, int64_t n) {
    if (room(b, 20) < 0) return -1;
    b->len = (size_t)(put_int(b->data + b->len, n) - b->data);
    return 0;
}

static int render_lit(ws_buf_t *b, const char *s, size_t n) {
    if (room(b, n) < 0) return -1;
    put(b, s, n);
    return 0;
}

static int render_double(ws_buf_t *b, double d) {
    if (!isfinite(d)) return render_lit(b, "null", 4);
    if (d == floor(d) && fabs(d) < 9e15) return render_int(b, (int64_t)d);
    /* Shortest of %.15g / %.17g that reads back exactly. */
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", d);
    if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof tmp, "%.17g", d);
    return render_lit(b, tmp, strlen(tmp));
}

/* Strings that are not plain: processors may slice text in the middle of a
 * UTF-8 sequence by mistake, and the output must stay valid JSON text, so
 * bad bytes become U+FFFD; the rest is escaped. */
static int render_string(ws_buf_t *out, const char *s, size_t n) {
    if (ws_utf8_valid(s, n)) return ws_buf_append_json_string(out, s, n);
    ws_buf_t fixed;
    ws_buf_init(&fixed);
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len && i + len <= n && ws_utf8_valid(s + i, len)) j = i + len;
        else len = 0;
        if (len ? ws_buf_append(&fixed, s + i, len) : ws_buf_append(&fixed, "\xEF\xBF\xBD", 3)) {
            ws_buf_free(&fixed);
            return -1;
        }
        i = j;
    }
    int rc = ws_buf_append_json_string(out, fixed.data, fixed.len);
    ws_buf_free(&fixed);
    return rc;
}

/* Bytes a leaf renders to at most, if it can be written without a
 * call (ints, literals, plain strings); 0 for the rest. */
static inline size_t leaf_need(const ws_value_t *v) {
    if (!v) return 4;
    switch (v->type) {
    case WS_VALUE_NULL:
    case WS_VALUE_BOOL: return 5;
    case WS_VALUE_NUMBER: return (v->flags & F_INT) ? 20 : 0;
    case WS_VALUE_STRING: return (v->flags & F_PLAIN) ? v->u.slen + 2 : 0;
    default: return 0;
    }
}

/* Writes a leaf leaf_need() accepted; room was made for it. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline char *put_leaf(char *p, const ws_value_t *v) {
    if (!v || v->type == WS_VALUE_NULL) {
        memcpy(p, "null", 4);
        return p + 4;
    }
    switch (v->type) {
    case WS_VALUE_BOOL:
        if (v->u.b) { memcpy(p, "true", 4); return p + 4; }
        memcpy(p, "false", 5);
        return p + 5;
    case WS_VALUE_NUMBER: return put_int(p, v->u.i);
    default:   /* a plain string */
        *p++ = '"';
        copy_small(p, STR(v), v->u.slen);
        p += v->u.slen;
        *p++ = '"';
        return p;
    }
}

static int render(const ws_value_t *v, ws_buf_t *out);

/* A container's members: one room check per member for the separator,
 * the pre-rendered key and a leaf value together. */
static int render_container(const ws_value_t *v, ws_buf_t *out) {
    int obj = v->type == WS_VALUE_OBJECT;
    if (room(out, 2) < 0) return -1;
    out->data[out->len++] = obj ? '{' : '[';
    ws_value_t *const *vals = CC(v)->vals;
    const kslot_t *keys = CC(v)->keys;   /* NULL for arrays: read only if obj */
    for (uint32_t i = 0, n = CC(v)->n; i < n; i++) {
        const kslot_t *s = obj ? &keys[i] : NULL;
        const ws_value_t *e = vals[i];
        size_t leaf = leaf_need(e);
        size_t kl = obj ? (s->klen & ~KEY_PLAIN) + 3 : 0;   /* "key": */
        if (!obj || (s->klen & KEY_PLAIN)) {
            if (room(out, 1 + kl + leaf + 8) < 0) return -1;   /* + the tag's spill */
            char *p = out->data + out->len;
            if (i) *p++ = ',';
            if (kl && s->koff == KOFF_TAG) {   /* "key": from the tag word */
                p[0] = '"';
                memcpy(p + 1, &s->tag, 8);
                p[kl - 2] = '"';
                p[kl - 1] = ':';
                p += kl;
            } else if (kl) {
                copy_small(p, CC(v)->kbuf + s->koff, kl);
                p += kl;
            }
            if (leaf) p = put_leaf(p, e);
            out->len = (size_t)(p - out->data);
            if (leaf) continue;
        } else {
            if (i && render_lit(out, ",", 1) < 0) return -1;
            if (render_string(out, CC(v)->kbuf + s->koff + 1, kl - 3) < 0 ||
                render_lit(out, ":", 1) < 0)
                return -1;
            if (leaf) {
                if (room(out, leaf) < 0) return -1;
                out->len = (size_t)(put_leaf(out->data + out->len, e) - out->data);
                continue;
            }
        }
        if (render(e, out) < 0) return -1;
    }
    if (room(out, 1) < 0) return -1;
    out->data[out->len++] = obj ? '}' : ']';
    return 0;
}

static int render(const ws_value_t *v, ws_buf_t *out) {
    size_t leaf = leaf_need(v);
    if (leaf) {
        if (room(out, leaf) < 0) return -1;
        out->len = (size_t)(put_leaf(out->data + out->len, v) - out->data);
        return 0;
    }
    switch (v->type) {
    case WS_VALUE_NUMBER: return render_double(out, v->u.d);
    case WS_VALUE_STRING: return render_string(out, STR(v), v->u.slen);
    case WS_VALUE_ARRAY:
    case WS_VALUE_OBJECT: return render_container(v, out);
    default: return render_lit(out, "null", 4);
    }
}

int ws_value_render(const ws_value_t *v, ws_buf_t *out) {
    int rc = render(v, out);
    if (out->cap) out->data[out->len] = '\0';   /* room() always left space for it */
    return rc;
}

ws_value_t *ws_value_from_cjson(const cJSON *j) {
    if (!j) return NULL;
    if (cJSON_IsNull(j)) return ws_value_null();
    if (cJSON_IsBool(j)) return ws_value_bool(cJSON_IsTrue(j));
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (d == floor(d) && fabs(d) < 9e15) return ws_value_int((int64_t)d);
        return ws_value_double(d);
    }
    if (cJSON_IsString(j)) return ws_value_string(j->valuestring, strlen(j->valuestring));
    if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
        int obj = cJSON_IsObject(j);
        ws_value_t *c = obj ? ws_value_object() : ws_value_array();
        if (!c) return NULL;
        for (const cJSON *k = j->child; k; k = k->next) {
            ws_value_t *e = ws_value_from_cjson(k);
            if (!e) { ws_value_free(c); return NULL; }
            int rc = obj ? ws_object_set(c, k->string ? k->string : "", e) : ws_array_push(c, e);
            if (rc < 0) { ws_value_free(c); return NULL; }
        }
        return c;
    }
    return NULL;
}
