/* qx.h -- quote extraction internals: word lexicon, quote-mark scanner,
 * attribution.  Pure functions over a body and an entity list, so they are
 * unit-tested without the record API; quotes.c is the processor glue. */
#ifndef QX_H
#define QX_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- lexicon */

/* Word classes read from the data files (a word may carry several). */
enum {
    QX_W_CUE = 1u << 0,          /* a cue verb form: said, told, adding */
    QX_W_CUE_HEAD = 1u << 1,     /* first word of a multi-word cue */
    QX_W_PRON_PERSON = 1u << 2,  /* he, she, I */
    QX_W_PRON_GROUP = 1u << 3,   /* they, we: a PERSON group or an ORG */
    QX_W_PRON_ORG = 1u << 4,     /* it */
    QX_W_RELATIVE = 1u << 5,     /* who, which: point back to the antecedent */
    QX_W_NOUN = 1u << 6,         /* heads of speaker descriptions: official */
    QX_W_DET = 1u << 7,          /* a, the, several: open a description */
    QX_W_ABBREV = 1u << 8,       /* Mr, Sen, Gov: the period does not end a sentence */
    QX_W_MINOR = 1u << 9,        /* of, the, and: lower case allowed in titles */
    QX_W_SKIP = 1u << 10,        /* also, was, Thursday: between subject and cue */
    QX_W_ELISION = 1u << 11,     /* tis, em: 'tis is an apostrophe, not a mark */
    QX_W_TITLE = 1u << 12,       /* President, Sen: a title before a name */
    QX_W_CUE_PREP = 1u << 13,    /* according to: the speaker follows */
    QX_W_NOSPEAK = 1u << 14,     /* there, this, that: never a speaker */
    QX_W_POSSESSIVE = 1u << 15,  /* his, their: the next word is a noun */
    QX_W_SUBORD = 1u << 16       /* when, after: opens a subordinate clause */
};
#define QX_W_PRONOUN (QX_W_PRON_PERSON | QX_W_PRON_GROUP | QX_W_PRON_ORG)

typedef struct qx_lex qx_lex_t;

/* Longest abbreviation looked up before a period ("Sept", "Blvd"); longer
 * words end sentences without a lookup.  Entries in [abbreviations] longer
 * than this are never consulted. */
#define QX_ABBREV_MAX 6

/* Loads every known data file in dir.  Returns NULL with a message. */
qx_lex_t *qx_lex_load(const char *dir, char *err, size_t errlen);
void qx_lex_free(qx_lex_t *lx);
/* Classes of the word s[0..n) (ASCII case-folded; 0 when unknown). */
uint32_t qx_lex_word(const qx_lex_t *lx, const char *s, size_t n);
/* Same for a multi-word phrase written with single spaces. */
uint32_t qx_lex_phrase(const qx_lex_t *lx, const char *s, size_t n);

/* ---------------------------------------------------------------- entities */

typedef enum {
    QX_E_OTHER = 0, QX_E_PERSON, QX_E_ORG, QX_E_GPE, QX_E_NORP
} qx_etype_t;

/* The speaker-relevant class of an entity type label ("PERSON" ...). */
qx_etype_t qx_etype_of(const char *label);

typedef struct {
    uint32_t start, end;          /* byte offsets into body */
    qx_etype_t type;
    const char *canon;            /* canonical name (may be NULL) */
    size_t canon_len;
    int ready;                    /* QX_EF_* bits: the fields set so far */
} qx_ent_t;

/* The fields of an entity besides start, for qx_entlist_t.fill. */
enum { QX_EF_END = 1, QX_EF_TYPE = 2, QX_EF_CANON = 4, QX_EF_ALL = 7 };

/* Entity mentions sorted by start.  Only start must be set up front: when
 * fill is not NULL, the extractor calls it for the few entries and fields
 * it looks at (want: QX_EF_* bits not yet in e->ready), since reading a
 * whole annotation costs more than extracting the quotes. */
typedef struct {
    qx_ent_t *e;
    size_t n;
    void (*fill)(void *arg, size_t i, qx_ent_t *e, int want);
    void *arg;
} qx_entlist_t;

/* ---------------------------------------------------------------- output */

#define QX_MAX_SPANS 16

typedef enum {
    QX_SP_NONE = 0, QX_SP_ENTITY, QX_SP_PRONOUN, QX_SP_NAME, QX_SP_DESC
} qx_spkind_t;

typedef struct {
    uint32_t span[QX_MAX_SPANS][2];   /* content pieces, marks excluded */
    uint32_t outer[QX_MAX_SPANS][2];  /* the same pieces with their marks */
    int nspans;
    int partial;
    int title;                        /* all Title Case: not emitted */
    int unclosed;                     /* ran to a paragraph end unclosed */
    uint32_t open, close_end;         /* outer marks of the first/last piece */
    uint32_t para, last_para;         /* paragraph of the first/last piece */
    uint32_t par_s, par_e;            /* the first piece's paragraph [par_s, par_e), as
                                       * qx_scan_marks found it; 0, 0 when not known */
    /* attribution */
    qx_spkind_t sp_kind;
    uint32_t sp_start, sp_end;        /* speaker mention in body */
    const char *name;                 /* canonical name or NULL */
    size_t name_len;
    int inherited;                    /* speaker taken from an earlier quote */
    uint32_t cue_start, cue_end;      /* cue == none when cue_end == 0 */
} qx_quote_t;

typedef struct {
    qx_quote_t *q;
    size_t n, cap;
    size_t limit;    /* scanning stops after this many (0 = QX_RAW_LIMIT) */
    int truncated;   /* set when it did */
} qx_quotes_t;

/* Raw quotes kept per article by default: bounds memory on bodies made of
 * quote marks (a raw quote is a few hundred bytes). */
#define QX_RAW_LIMIT 20000

typedef struct {
    int keep_unattributed;   /* emit partial quotes that have no cue */
} qx_opts_t;

/* Finds and attributes the quotes of body[0..len).  ents (complete
 * entries) must be sorted by start.  out is reset first; the caller frees
 * out->q.  0, or -1 on allocation failure. */
int qx_extract(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
               size_t len, qx_ent_t *ents, size_t nents,
               qx_quotes_t *out);

/* The two halves of qx_extract: scan marks first, and read the entity list
 * only when there are quotes to attribute.  qx_attribute() filters out and
 * attributes the quotes that qx_scan_marks() left in out. */
int qx_attribute(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
                 size_t len, qx_entlist_t *ents, qx_quotes_t *out);

/* Working memory of qx_attribute (token windows, per-quote facts), kept by
 * a caller that runs it often so that no call allocates once warm.  One
 * scratch serves one call at a time. */
typedef struct qx_scratch qx_scratch_t;
qx_scratch_t *qx_scratch_new(void);
void qx_scratch_free(qx_scratch_t *sx);
/* Bytes the scratch holds (a caller may drop one that grew on a huge body). */
size_t qx_scratch_bytes(const qx_scratch_t *sx);
/* qx_extract with the caller's scratch (NULL: allocate per call). */
int qx_extract_sx(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
                  size_t len, qx_ent_t *ents, size_t nents, qx_quotes_t *out, qx_scratch_t *sx);
/* qx_attribute with the caller's scratch (NULL: allocate per call). */
int qx_attribute_sx(const qx_lex_t *lx, const qx_opts_t *opt, const char *body,
                    size_t len, qx_entlist_t *ents, qx_quotes_t *out, qx_scratch_t *sx);

/* ---------------------------------------------------------------- internal */

/* Quote-mark scanning (qx_marks.c): appends raw quotes, one piece each
 * except multi-paragraph quotes, with title and unclosed set.  Bodies of
 * UINT32_MAX bytes or more are not scanned. */
int qx_scan_marks(const qx_lex_t *lx, const char *body, size_t len,
                  qx_quotes_t *out);
int qx_quotes_push(qx_quotes_t *qs, const qx_quote_t *q);

/* UTF-8 helpers shared by the scanner and the tokenizer. */
int qx_is_space_high(const char *s, size_t len, size_t i, size_t *clen);
int qx_is_dash_at(const char *s, size_t len, size_t i, size_t *clen);

/* A space at s[i] (ASCII, nbsp, en/em/thin spaces): 1 with its byte
 * length in *clen.  The ASCII test is inline: the scanner and the
 * tokenizer ask at nearly every token. */
static inline int qx_is_space_at(const char *s, size_t len, size_t i, size_t *clen)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
        if (c == ' ' || (c >= '\t' && c <= '\r')) {   /* \t \n \v \f \r */
            *clen = 1;
            return 1;
        }
        return 0;
    }
    return qx_is_space_high(s, len, i, clen);
}

#endif
