/* ent.h -- shared types of the entities processor: entity types, tokens,
 * mentions, and the knowledge base (lexicon + rules) built at start-up.
 *
 * Pipeline of one article:  ent_tokenize -> ent_tag (rules, gazetteer,
 * capitalised-sequence classification) -> ent_coref (aliases, acronyms,
 * canonical names).  Everything here is plain C with no wirestream types so
 * it can be unit-tested on its own; entities.c turns mentions into values. */
#ifndef ENT_H
#define ENT_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- types */

/* Entity types (OntoNotes labels).  Order matters only for ent_type_name. */
enum {
    ET_NONE = 0,
    ET_PERSON, ET_NORP, ET_FAC, ET_ORG, ET_GPE, ET_LOC, ET_PRODUCT, ET_EVENT,
    ET_WORK_OF_ART, ET_LAW, ET_LANGUAGE,
    ET_DATE, ET_TIME, ET_PERCENT, ET_MONEY, ET_QUANTITY, ET_ORDINAL, ET_CARDINAL,
    ET__COUNT
};

/* Helper classes a lexicon entry may carry instead of (or besides) a type.
 * They are matched case-insensitively and only steer classification. */
enum {
    CL_TITLE      = 1u << 0,   /* President, Treasury Secretary, Mr. */
    CL_GIVEN      = 1u << 1,   /* given names */
    CL_ORG_SUFFIX = 1u << 2,   /* Inc, Corp, Group: ends an organisation */
    CL_ORG_HEAD   = 1u << 3,   /* Department, Ministry, Foundation */
    CL_COMMON     = 1u << 4,   /* ordinary lower-case English word */
    CL_ABBR       = 1u << 5,   /* takes a period: Oct., Inc., Gen. */
    CL_LOCPREP    = 1u << 6,   /* in, at, near, from: precede places */
    CL_PERSON_NOUN= 1u << 7,   /* official, director, spokesman (apposition) */
    CL_ORG_NOUN   = 1u << 8,   /* firm, company, group, agency (apposition) */
    CL_PLACE_NOUN = 1u << 9,   /* city, town, province (apposition) */
    CL_SPEECH     = 1u << 10,  /* said, told, says: people speak */
    CL_CONNECT    = 1u << 11,  /* of, for, and, de: may join a name */
    CL_STOP       = 1u << 12,  /* never an entity on its own: I, He, The */
    CL_NAME_PART  = 1u << 13,  /* van, de, bin, al: inside personal names */
    CL_SURNAME    = 1u << 14,  /* family names */
    CL_PERSON_VERB= 1u << 15,  /* verbs with a human subject: smiled, resigned */
    CL_DEMONYM    = 1u << 16,  /* helper form of NORP */
    CL_FAC_HEAD   = 1u << 17,  /* Airport, Castle, Bridge, Stadium: ends a facility name */
    CL_NONAME     = 1u << 18,  /* acronyms that are never names: TV, CEO, GDP */
    CL_ORG_CONTEXT= 1u << 19,  /* nouns after an organisation's name: shares, unit, spokesman */
    CL_EVENT_HEAD = 1u << 20,  /* Cup, Open, Games, Championship: ends an event name */
    CL_LAW_HEAD   = 1u << 21,  /* Act, Treaty, Accord, Convention: ends a law's name */
    CL_GEO_NOUN   = 1u << 22,  /* river, lake, mount: a lower-case geographic head */
    /* bits 23-26: the function-word role (below) */
    CL_NORP_SUFFIX= 1u << 27   /* -ian, -ese, -ic: a word ending so is a people's
                                  adjective (looked up by suffix, never per token) */
};

/* Function words: a 4-bit role (not a bit set) above the classes, one per
 * word (the first file line wins), so the tagger names roles, not words. */
#define CL_FW_SHIFT 23
#define CL_FW_MASK (15u << CL_FW_SHIFT)
enum {
    FW_NONE = 0,
    FW_ARTICLE,     /* the: may follow of/for/on inside a name */
    FW_OF,          /* of: joins a head to its object, stops an apposition */
    FW_LINK,        /* for, on: join an organisation head to its object */
    FW_AT,          /* at: "director at X" */
    FW_AND,         /* and: "and the ..." starts another name */
    FW_APPOS_DET,   /* a, an, its, his, her: open an apposition */
    FW_RELATIVE,    /* who, which, that: end an apposition's head */
    FW_BASED,       /* based: "Madrid-based X" */
    FW__COUNT
};
static inline unsigned ent_cls_fw(unsigned cls) { return (cls & CL_FW_MASK) >> CL_FW_SHIFT; }

const char *ent_type_name(int type);
int ent_type_from_name(const char *s, size_t len);      /* ET_NONE if unknown */
unsigned ent_class_from_name(const char *s, size_t len); /* 0 if unknown */

/* ---------------------------------------------------------------- tokens */

enum {
    TF_WORD   = 1u << 0,   /* letters and/or digits */
    TF_CAP    = 1u << 1,   /* first letter upper case */
    TF_UPPER  = 1u << 2,   /* every letter upper case (at least one) */
    TF_LOWER  = 1u << 3,   /* first letter lower case */
    TF_DIGIT  = 1u << 4,   /* starts with a digit */
    TF_PUNCT  = 1u << 5,
    TF_SPACE  = 1u << 6,   /* whitespace before it */
    TF_NL     = 1u << 7,   /* first token of a line */
    TF_SENT   = 1u << 8,   /* first word of a sentence */
    TF_ABBR   = 1u << 9,   /* a period belongs to it (U.S., Oct., a.m.) */
    TF_POSS   = 1u << 10,  /* possessive 's or ' */
    TF_HEAD   = 1u << 11,  /* on an all-caps headline line */
    TF_HYPH   = 1u << 12,  /* hyphen or dash */
    TF_QUOTE  = 1u << 13,  /* quotation mark */
    TF_MIXED  = 1u << 14,  /* upper-case letter after the first (McCain, eBay) */
    TF_END    = 1u << 15,  /* . ! ? ending a sentence */
    TF_INITIAL= 1u << 16,  /* single capital with period: F. */
    TF_OPEN   = 1u << 17,  /* opening bracket or opening quote */
    TF_CONTR  = 1u << 18,  /* contraction: I'm, don't, we've */
    TF_HASDIGIT = 1u << 19, /* a word with a digit after its first character (P2qpm3) */
    /* bits 20-24: free */
    TF__RULE = 1u << 25,       /* tagger-internal: a rule match starts here (rule_end set) */
    TF__NAMEY_DONE = 1u << 29, /* tagger-internal: namey() asked and answered... */
    TF__NAMEY = 1u << 30       /* ... yes, the token could be part of a name */
};

typedef struct {
    uint32_t start, end;   /* byte offsets into the text */
    uint32_t hend;         /* end of the hashed part (without an abbreviation's period) */
    uint32_t flags;
    uint32_t cls;          /* tagger memo: lexicon classes of this single token
                              and which memos are filled (ent_tag.h) */
    int32_t gaz_entry;     /* tagger memo: the gazetteer match here, entry and
                              lengths packed (ent_tag.h) */
    uint64_t h;            /* hash of the case-folded token */
} ent_tok_t;

typedef struct ent_kb ent_kb_t;

/* Split text into tokens.  toks must hold at least len+1 entries.  kb may be
 * NULL (no abbreviations known).  Returns the number of tokens. */
size_t ent_tokenize(const ent_kb_t *kb, const char *text, size_t len,
                    ent_tok_t *toks);
/* The same into at most cap tokens; SIZE_MAX when they do not fit. */
size_t ent_tokenize_cap(const ent_kb_t *kb, const char *text, size_t len,
                        ent_tok_t *toks, size_t cap);
/* The same, and the indexes of the tokens that may trigger a rule (kb's
 * trigger words and #digit/#cap/#upper shapes) into cand (room for cap),
 * their number into *ncand, so the rule pass visits only those. */
size_t ent_tokenize_trig(const ent_kb_t *kb, const char *text, size_t len,
                         ent_tok_t *toks, size_t cap, uint32_t *cand, size_t *ncand);
uint64_t ent_hash_token(const char *s, size_t len);

/* ---------------------------------------------------------------- mentions */

typedef struct {
    uint32_t start, end;       /* bytes, half-open */
    uint32_t tstart, tend;     /* tokens, half-open */
    uint8_t type;
    uint8_t source;            /* ENT_SRC_* */
    const char *canon;         /* canonical name (into kb pool or text) */
    uint32_t canon_len;
    int32_t entry;             /* gazetteer entry, or -1 */
} ent_mention_t;

enum { ENT_SRC_RULE = 1, ENT_SRC_GAZ, ENT_SRC_GUESS, ENT_SRC_ALIAS };

/* ---------------------------------------------------------------- knowledge base */

typedef struct {
    const char *dir;                /* resolve relative paths against this */
    const char *const *lexicons;    /* word lists and abbreviations (loaded first) */
    size_t n_lexicons;
    const char *const *gazetteers;
    size_t n_gazetteers;
    const char *const *weak_gazetteers;   /* ambiguous names: only a fallback */
    size_t n_weak;
    const char *const *rules;
    size_t n_rules;
    uint32_t match_limit;           /* PCRE2 match limit per attempt */
    uint32_t depth_limit;
} ent_kb_opts_t;

ent_kb_t *ent_kb_load(const ent_kb_opts_t *o, char *err, size_t errlen);
void ent_kb_free(ent_kb_t *kb);
size_t ent_kb_entries(const ent_kb_t *kb);
size_t ent_kb_rules(const ent_kb_t *kb);

/* Classes (CL_*) of the case-folded token sequence hash h, 0 if none. */
unsigned ent_kb_classes(const ent_kb_t *kb, uint64_t h);

/* ---------------------------------------------------------------- tagging */

/* Per-call scratch: grows, never shrinks; one per thread or per call. */
typedef struct {
    ent_tok_t *toks;
    size_t toks_cap;
    uint32_t *cand;            /* tokens that may trigger a rule (toks_cap of them) */
    size_t cand_n;
    ent_mention_t *ments;
    size_t ments_n, ments_cap;
    void *md;                  /* pcre2_match_data */
    uint32_t md_pairs;         /* its ovector size */
    void *mctx;                /* pcre2_match_context */
    int32_t *aux;              /* per-token scratch */
    size_t aux_cap;
    void *cbuf;                /* coreference scratch */
    size_t cbuf_cap;
    char canon_buf[512];       /* canonical names made by the tagger (title-cased
                                  datelines); mentions point into it */
    size_t canon_used;
} ent_scratch_t;

void ent_scratch_free(ent_scratch_t *s);

/* Tag text: fills s->ments (sorted, non-overlapping) with canonical names
 * resolved.  Returns 0; -1 with err on allocation failure; -2 with err
 * starting "regex_limit:" when a rule hit its match limit. */
int ent_tag(const ent_kb_t *kb, const char *text, size_t len,
            ent_scratch_t *s, char *err, size_t errlen);

#endif
