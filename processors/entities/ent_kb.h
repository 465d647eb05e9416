/* ent_kb.h -- internals of the knowledge base shared by the loader and the
 * tagger (the table layout, entries and compiled rules). */
#ifndef ENT_KB_H
#define ENT_KB_H

#include <stdint.h>
#include <stddef.h>
#include "ent.h"
#include "ent_rfilter.h"

#define ENT_MAX_SEQ 12                  /* longest gazetteer entry, in tokens */
#define ENT_MAX_ENTRIES 0x7FFFFF        /* gazetteer entries (the tagger's memo has 24 bits) */
#define ENT_SEQ_SEED 0x6a09e667f3bcc909ull
#define ENT_TRIG_DIGIT 1ull             /* pseudo token hashes for #digit... */
#define ENT_TRIG_CAP 2ull
#define ENT_TRIG_UPPER 3ull
#define ENT_T_CAPITAL 40                /* entry type: capital city -> its country (canonical) */

/* Chain the hash of one more token onto a sequence hash.  Never returns 0
 * (0 marks an empty slot). */
static inline uint64_t ent_seq_hash(uint64_t seq, uint64_t tok)
{
    uint64_t h = (seq ^ tok) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    return h ? h : 1;
}

typedef struct {
    uint64_t key;       /* sequence hash; 0 = empty */
    uint32_t cls;       /* CL_* of this exact sequence, plus ENT_SLOT_PREFIX */
    int32_t entry;      /* first entity entry, or -1 */
} ent_slot_t;           /* 16 bytes: four to a cache line */

#define ENT_SLOT_PREFIX 0x80000000u   /* some longer entry continues this sequence */

typedef struct {
    uint32_t packed, packed_len;   /* token texts, each followed by 0x1f */
    uint32_t canon, canon_len;
    uint32_t id, id_len;
    int32_t next;                  /* same surface, other type */
    uint8_t type, ntok;
    uint8_t weak;                  /* 1: from a weak (ambiguous) list, only a fallback;
                                      2: a CAPITAL link, never matched as a mention */
    uint8_t one;                   /* packed holds one 0x1f, at its end: one token's
                                      text, compared without splitting */
} ent_entry_t;

typedef struct {
    void *re;                       /* pcre2_code */
    uint8_t type;
    uint8_t jit;                    /* JIT-compiled: pcre2_jit_match may be called */
    int egroup;                     /* capture group "e" = the entity span, or 0 */
    char *src;                      /* the pattern text (for combined patterns) */
    size_t src_len;
    char where[64];                 /* file:line, for error messages */
    uint8_t first[256];             /* per byte: 1 when a match can start with it
                                       (PCRE2's own start bitmap; all 1 when it has
                                       none), a byte each so a test is one load */
} ent_rule_t;

typedef struct { uint64_t h; uint32_t rule; } ent_trig_pair_t;

/* The rules of one trigger list as one alternation, each alternative
 * atomic and followed by a callout that always fails:
 *   (?>(?:rule a))(?C1)|(?>(?:rule b))(?C2)|...
 * An atomic group keeps the first match its rule alone would give, the
 * callout records it (end, captures) and fails, and matching goes on with
 * the next rule.  So one call per token and list tries every rule once,
 * with exactly each rule's own result (its groups start at base[i] + 1). */
typedef struct {
    void *re;                       /* pcre2_code */
    uint8_t jit;
    uint32_t n;                     /* alternatives */
    uint32_t base[32];              /* capture groups before alternative i */
    uint8_t first[256];             /* bytes a match can start with (as in ent_rule_t) */
} ent_combo_t;

/* May a match of a pattern with start table first begin with byte b? */
static inline int ent_first_ok(const uint8_t *first, unsigned char b)
{
    return first[b];
}

#define ENT_COMBO_MAX 32
typedef struct { uint64_t h; uint32_t off, n; } ent_trig_t;

struct ent_kb {
    ent_slot_t *slots;              /* slots_cap + ENT_SLOT_PAD, sorted (below) */
    size_t slots_n, slots_cap;
    unsigned slots_shift;           /* 64 - log2(slots_cap): a key's home is its top bits */
    ent_entry_t *entries;
    size_t entries_n, entries_cap;
    char *pool;
    size_t pool_len, pool_cap;
    ent_rule_t *rules;
    size_t rules_n, rules_cap;
    ent_trig_pair_t *trig_pairs;
    size_t trig_pairs_n, trig_pairs_cap;
    ent_trig_t *trig;
    size_t trig_cap;
    uint8_t trig_bloom[4096];       /* 4096-entry filter over trigger hashes (most
                                       tokens trigger nothing); a byte per entry,
                                       so a test is one load, not a bit extraction */
    uint64_t abbr_bloom[8];         /* 512-bit filter over ABBR words (tokenizer) */
    const ent_trig_pair_t *trig_digit, *trig_capl, *trig_upper;  /* #digit, #cap, #upper */
    size_t n_digit, n_cap, n_upper;
    uint32_t shape_flags;           /* TF_DIGIT, TF_CAP, TF_UPPER: those with rules */
    uint8_t shape_cand[32];         /* by a token's flags & 31: has one of shape_flags */
    int32_t *pair_combo;            /* per trig pair that starts a list: its combo, or -1 */
    ent_combo_t *combos;
    size_t combos_n;
    int32_t *pair_filter;           /* per trig pair that starts a list: its prefilter, or -1 */
    ent_rfilter_t *filters;
    size_t filters_n;
    uint32_t max_pairs;             /* ovector pairs the largest pattern needs */
    uint32_t match_limit, depth_limit;
    int no_entities;
    int loading_weak;
    ent_tok_t *tmp;                 /* load-time scratch */
    size_t tmp_cap;
};

/* The table is an ordered linear-probing table: a key's home slot is its
 * top bits (so homes rise with keys), every key sits at or after its home
 * with no empty slot in between, and the keys are in ascending order across
 * the whole table.  A walk from the home then stops at the first key that is
 * not smaller: a miss costs about as many probes as a hit (about two at
 * 70-75 % full), not the six of plain linear probing.  The table does not wrap:
 * ENT_SLOT_PAD slots follow the last home, the last of them always empty. */
#define ENT_SLOT_PAD 256
_Static_assert(ENT_SLOT_PAD >= 4, "ent_kb_slot reads four slots from any home");

/* A key's home slot (the table's shift is 64 - log2(slots_cap)). */
static inline size_t ent_kb_home_of(const ent_kb_t *kb, uint64_t key)
{
    return (size_t)(key >> kb->slots_shift);
}

/* The table slot of sequence hash key (ent_seq_hash), or NULL. */
static inline const ent_slot_t *ent_kb_slot(const ent_kb_t *kb, uint64_t key)
{
    const ent_slot_t *s = &kb->slots[ent_kb_home_of(kb, key)];
    /* on while 0 < s->key < key: an empty slot (0) or a larger key ends
     * it, and once it ends it stays ended (a key past an empty slot has a
     * later home, so it is larger).  So the walk's length over the first
     * four slots is a count, without the branch a walk of 0 to 3 steps
     * mispredicts; the home is below slots_cap, so they are in the table */
    uint64_t k1 = key - 1;
    size_t n = (size_t)(s[0].key - 1 < k1) + (size_t)(s[1].key - 1 < k1) +
               (size_t)(s[2].key - 1 < k1) + (size_t)(s[3].key - 1 < k1);
    s += n;
    if (__builtin_expect(n == 4, 0))
        while (s->key - 1 < k1) s++;
    return s->key == key ? s : NULL;
}

/* Start loading the table slot of sequence hash key into cache. */
static inline void ent_kb_prefetch_key(const ent_kb_t *kb, uint64_t key)
{
    __builtin_prefetch(&kb->slots[ent_kb_home_of(kb, key)]);
}

/* The same for the one-token sequence of token hash h. */
static inline void ent_kb_prefetch(const ent_kb_t *kb, uint64_t h)
{
    ent_kb_prefetch_key(kb, ent_seq_hash(ENT_SEQ_SEED, h));
}

/* ent_kb_classes, inline for the tokenizer's abbreviation test (the
 * tagger probes the same slot itself, ent_tag.c, to fill two memos). */
static inline unsigned ent_kb_classes_inline(const ent_kb_t *kb, uint64_t h)
{
    const ent_slot_t *s = ent_kb_slot(kb, ent_seq_hash(ENT_SEQ_SEED, h));
    return s ? s->cls & ~ENT_SLOT_PREFIX : 0;
}

/* The trigger filter: one entry per trigger hash, from the hash's top bits
 * spread by a multiply (a short word's low bits say little). */
static inline size_t ent_trig_bloom_bit(uint64_t h)
{
    return (size_t)((h * 0xD6E8FEB86659FD93ull) >> 52);      /* 0..4095 */
}
static inline void ent_trig_bloom_add(ent_kb_t *kb, uint64_t h)
{
    size_t b = ent_trig_bloom_bit(h);
    kb->trig_bloom[b] = 1;
}
static inline int ent_trig_bloom_has(const ent_kb_t *kb, uint64_t h)
{
    size_t b = ent_trig_bloom_bit(h);
    return kb->trig_bloom[b];
}

/* The sorted rule indexes triggered by token hash h (or ENT_TRIG_*). */
const ent_trig_pair_t *ent_kb_triggers(const ent_kb_t *kb, uint64_t h, size_t *n);

#endif
