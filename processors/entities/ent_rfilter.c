/* ent_rfilter.c -- the rule prefilter (see ent_rfilter.h).
 *
 * Three steps, all at load time: each pattern is parsed into a small syntax
 * tree of byte sets, sequences, alternatives and repeats; the trees become
 * one Thompson NFA with an accepting state per rule; the NFA becomes a DFA
 * whose state is (the NFA states still alive, the rules already accepted).
 * A rule that has accepted is dropped from the live set, and a state with
 * nothing live is final, so the walk at a token is a few bytes long.
 *
 * The language read from a pattern is a superset of what PCRE2 can match:
 * lookarounds, \b, \B and anchors match the empty string; \p{..}, '.' and
 * negated classes take any character; a class with a non-ASCII member takes
 * any non-ASCII character (a lead byte and up to three continuation bytes);
 * caseless letters take both cases and any non-ASCII character (Unicode
 * folds K and S with U+212A and U+017F).  Anything else the parser does not
 * know (back references, recursion, conditionals, verbs, callouts, \Q,
 * extended mode, caseless non-ASCII) leaves the rule unjudged: always called.
 * So is a rule with an unbounded repeat inside an unbounded repeat, the
 * shape that backtracks catastrophically: it keeps meeting PCRE2's match
 * limit (and its regex_limit report) rather than being skipped. */
#include <stdlib.h>
#include <string.h>
#include "ent_rfilter.h"

#define MAX_PATTERN 4096        /* longer patterns are not judged (recursion depth) */
#define MAX_NODES 20000
#define MAX_NSTATES 60000
#define MAX_DSTATES 8192        /* < BUILD_DONE */
#define MAX_CODE 65535u         /* a transition's largest value (ent_rfilter.h) */
#define BUILD_DONE 0x8000u      /* the build's table (state numbers): next state is final */
#define MAX_WORK 200000000ull   /* NFA steps a build may take (a hostile rule file) */
#define LIVE_CAP 2048           /* states with something undecided (see build_dfa) */
#define MAX_DEPTH 64            /* deeper group nesting is not judged */
#define MAX_EDEPTH 512          /* nor longer chains of items or alternatives */
#define REP_CAP 16              /* X{m,n}: m above this is cut to it, n above it is open */

enum { N_EMPTY, N_SET, N_SEQ, N_ALT, N_REP };
enum { E_BAD, E_CHAR, E_SET, E_EMPTY };

typedef struct { uint8_t b[32]; } bset_t;

typedef struct {
    uint8_t kind, inf;          /* inf: contains an unbounded repeat */
    int a, b;                   /* children; N_SET: a = set */
    int min, max;               /* N_REP; max -1 = unbounded */
} node_t;

typedef struct {
    int set, out;               /* set >= 0: a byte edge to out */
    int e0, e1;                 /* epsilon edges, -1 none */
    int acc;                    /* rule accepted here, or -1 */
    int rule;                   /* the rule this state belongs to */
} nstate_t;

typedef struct {
    const unsigned char *s;
    size_t pos, len;
    int bad, nested;
    node_t *nodes;
    size_t nn, ncap;
    bset_t *sets;
    size_t ns, scap;
    nstate_t *st;
    size_t nst, stcap;
    int rule;                   /* rule whose states are being made */
    int depth;                  /* group nesting */
    int edepth;                 /* emit's recursion */
} bld_t;

/* a, an array of *cap elements of size bytes, with room for need: the
 * array as it is, or moved to a doubled one (first elements at least) with
 * *cap updated.  NULL when out of memory (a is left as it was). */
static void *grow(void *a, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap) return a;
    size_t c = *cap ? *cap * 2 : first;
    while (c < need) c *= 2;
    void *n = realloc(a, c * size);
    if (n) *cap = c;
    return n;
}

/* ---------------------------------------------------------------- tree */

static int new_set(bld_t *p)
{
    bset_t *s = grow(p->sets, &p->scap, p->ns + 1, sizeof *s, 64);
    if (!s) { p->bad = 1; return -1; }
    p->sets = s;
    memset(&p->sets[p->ns], 0, sizeof p->sets[0]);
    return (int)p->ns++;
}

static void set_add(bld_t *p, int s, int c) { p->sets[s].b[c >> 3] |= (uint8_t)(1u << (c & 7)); }
static int set_has(const bset_t *s, int c) { return (s->b[c >> 3] >> (c & 7)) & 1; }

static int mk(bld_t *p, int kind, int a, int b)
{
    if (p->bad || ((kind == N_SEQ || kind == N_ALT) && (a < 0 || b < 0))) { p->bad = 1; return -1; }
    if (p->nn >= MAX_NODES) { p->bad = 1; return -1; }
    node_t *nodes = grow(p->nodes, &p->ncap, p->nn + 1, sizeof *nodes, 256);
    if (!nodes) { p->bad = 1; return -1; }
    p->nodes = nodes;
    node_t *n = &p->nodes[p->nn];
    memset(n, 0, sizeof *n);
    n->kind = (uint8_t)kind;
    n->a = a;
    n->b = b;
    if (kind == N_SEQ || kind == N_ALT) n->inf = p->nodes[a].inf | p->nodes[b].inf;
    return (int)p->nn++;
}

static int mk_empty(bld_t *p) { return mk(p, N_EMPTY, -1, -1); }

static int mk_rep(bld_t *p, int a, int min, int max)
{
    if (p->bad || a < 0) { p->bad = 1; return -1; }
    if (max < 0 && p->nodes[a].inf) p->nested = 1;
    int n = mk(p, N_REP, a, -1);
    if (n < 0) return -1;
    p->nodes[n].min = min;
    p->nodes[n].max = max;
    p->nodes[n].inf = (uint8_t)(max < 0 || p->nodes[a].inf);
    return n;
}

/* Any non-ASCII character: a byte 0x80-0xff, then up to three 0x80-0xbf. */
static int mk_nonascii(bld_t *p)
{
    int lead = new_set(p), cont = new_set(p);
    if (p->bad) return -1;
    for (int c = 0x80; c < 0x100; c++) set_add(p, lead, c);
    for (int c = 0x80; c < 0xc0; c++) set_add(p, cont, c);
    int l = mk(p, N_SET, lead, -1), k = mk(p, N_SET, cont, -1);
    return mk(p, N_SEQ, l, mk_rep(p, k, 0, 3));
}

/* A one-character class: the ASCII bytes of set s, and any non-ASCII
 * character when na. */
static int mk_class(bld_t *p, int s, int na)
{
    int n = mk(p, N_SET, s, -1);
    return na ? mk(p, N_ALT, n, mk_nonascii(p)) : n;
}

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static int hexval(int c)
{
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int peek(const bld_t *p) { return p->pos < p->len ? p->s[p->pos] : -1; }

/* Length of the UTF-8 character at p->pos (a lead byte >= 0x80), 0 if bad. */
static size_t utf8_len(const bld_t *p)
{
    unsigned c = p->s[p->pos];
    size_t n = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (c >= 0xf8 || !n || p->pos + n > p->len) return 0;
    for (size_t i = 1; i < n; i++)
        if ((p->s[p->pos + i] & 0xc0) != 0x80) return 0;
    return n;
}

/* An escape after its backslash: a character (*cp, ASCII), a class (*set
 * with *na) or an assertion. */
static int escape(bld_t *p, int in_class, int *cp, int *set, int *na)
{
    int c = peek(p);
    if (c < 0) return E_BAD;
    p->pos++;
    *na = 0;
    switch (c) {
    case 'd': case 'D': case 's': case 'S': case 'w': case 'W': {
        /* ASCII only: the patterns are compiled without PCRE2_UCP */
        int s = new_set(p);
        if (s < 0) return E_BAD;
        int lc = c | 0x20, neg = c != lc;
        for (int b = 0; b < 128; b++) {
            int in = lc == 'd' ? is_digit(b) : lc == 's' ? ((b >= 9 && b <= 13) || b == ' ')
                                                          : (is_alnum(b) || b == '_');
            if (in != neg) set_add(p, s, b);
        }
        *na = neg;
        *set = s;
        return E_SET;
    }
    case 'p': case 'P': {
        if (peek(p) == '{') {
            while (p->pos < p->len && p->s[p->pos] != '}') p->pos++;
            if (p->pos >= p->len) return E_BAD;
            p->pos++;
        } else if (is_alpha(peek(p))) {
            p->pos++;
        } else {
            return E_BAD;
        }
        int s = new_set(p);
        if (s < 0) return E_BAD;
        for (int b = 0; b < 128; b++) set_add(p, s, b);
        *na = 1;
        *set = s;
        return E_SET;
    }
    case 'b':
        if (in_class) { *cp = 8; return E_CHAR; }
        return E_EMPTY;
    case 'B': case 'A': case 'z': case 'Z': case 'G':
        return in_class ? E_BAD : E_EMPTY;
    case 't': *cp = 9; return E_CHAR;
    case 'n': *cp = 10; return E_CHAR;
    case 'r': *cp = 13; return E_CHAR;
    case 'f': *cp = 12; return E_CHAR;
    case 'e': *cp = 27; return E_CHAR;
    case 'a': *cp = 7; return E_CHAR;
    case 'x': {
        int v = 0, nd = 0;
        if (peek(p) == '{') {
            p->pos++;
            while (hexval(peek(p)) >= 0 && nd < 8) { v = v * 16 + hexval(peek(p)); p->pos++; nd++; }
            if (peek(p) != '}') return E_BAD;
            p->pos++;
        } else {
            while (hexval(peek(p)) >= 0 && nd < 2) { v = v * 16 + hexval(peek(p)); p->pos++; nd++; }
        }
        if (!nd || v > 127) return E_BAD;
        *cp = v;
        return E_CHAR;
    }
    default:
        if (c < 128 && !is_alnum(c)) { *cp = c; return E_CHAR; }
        return E_BAD;
    }
}

/* Both cases of the letters in set s; returns whether it has any letter. */
static int fold_set(bld_t *p, int s)
{
    int any = 0;
    for (int c = 'a'; c <= 'z'; c++) {
        if (set_has(&p->sets[s], c) || set_has(&p->sets[s], c - 32)) {
            set_add(p, s, c);
            set_add(p, s, c - 32);
            any = 1;
        }
    }
    return any;
}

static int parse_class(bld_t *p, int ic)
{
    int s = new_set(p), na = 0, neg = 0, first = 1;
    if (s < 0) return -1;
    if (peek(p) == '^') { neg = 1; p->pos++; }
    for (;;) {
        int c = peek(p), lo;
        if (c < 0) return p->bad = 1, -1;
        if (c == ']' && !first) { p->pos++; break; }
        first = 0;
        if (c == '[' && p->pos + 1 < p->len &&
            (p->s[p->pos + 1] == ':' || p->s[p->pos + 1] == '.' || p->s[p->pos + 1] == '='))
            return p->bad = 1, -1;
        if (c == '\\') {
            p->pos++;
            int es = -1, ena = 0;
            int k = escape(p, 1, &lo, &es, &ena);
            if (k == E_SET) {
                for (int b = 0; b < 32; b++) p->sets[s].b[b] |= p->sets[es].b[b];
                na |= ena;
                continue;
            }
            if (k != E_CHAR) return p->bad = 1, -1;
        } else if (c >= 0x80) {
            size_t n = utf8_len(p);
            if (!n || ic) return p->bad = 1, -1;      /* caseless non-ASCII may fold to ASCII */
            p->pos += n;
            lo = -1;
            na = 1;
        } else {
            p->pos++;
            lo = c;
        }
        if (peek(p) == '-' && p->pos + 1 < p->len && p->s[p->pos + 1] != ']') {
            p->pos++;
            int hi, d = peek(p);
            if (d == '\\') {
                p->pos++;
                int es, ena;
                if (escape(p, 1, &hi, &es, &ena) != E_CHAR) return p->bad = 1, -1;
            } else if (d >= 0x80) {
                size_t n = utf8_len(p);
                if (!n || ic) return p->bad = 1, -1;
                p->pos += n;
                hi = 0x80;
                na = 1;
            } else {
                p->pos++;
                hi = d;
            }
            if (lo < 0) continue;                   /* a non-ASCII range: na covers it */
            if (hi < lo) return p->bad = 1, -1;
            for (int b = lo; b <= hi && b < 128; b++) set_add(p, s, b);
        } else if (lo >= 0) {
            set_add(p, s, lo);
        }
    }
    if (ic && fold_set(p, s)) na = 1;
    if (neg) {
        for (int b = 0; b < 16; b++) p->sets[s].b[b] = (uint8_t)~p->sets[s].b[b];
        for (int b = 16; b < 32; b++) p->sets[s].b[b] = 0;
        na = 1;
    }
    return mk_class(p, s, na);
}

static int lit(bld_t *p, int c, int ic)
{
    int s = new_set(p);
    if (s < 0) return -1;
    set_add(p, s, c);
    return mk_class(p, s, ic && fold_set(p, s));
}

static int parse_alt(bld_t *p, int ic);

static int parse_group(bld_t *p, int *ic)
{
    int inner = *ic, look = 0;
    p->pos++;                                       /* ( */
    if (peek(p) == '*') return p->bad = 1, -1;      /* verbs */
    if (peek(p) == '?') {
        p->pos++;
        int c = peek(p);
        if (c == ':' || c == '>' || c == '|') {
            p->pos++;
        } else if (c == '=' || c == '!') {
            p->pos++;
            look = 1;
        } else if (c == '<' || c == '\'' || c == 'P') {
            p->pos++;
            if (c == 'P') {
                if (peek(p) != '<') return p->bad = 1, -1;
                p->pos++;
            }
            int d = peek(p);
            if (c == '<' && (d == '=' || d == '!')) {
                p->pos++;
                look = 1;
            } else {
                int close = c == '\'' ? '\'' : '>';
                size_t n0 = p->pos;
                while (p->pos < p->len && (is_alnum(p->s[p->pos]) || p->s[p->pos] == '_')) p->pos++;
                if (p->pos == n0 || peek(p) != close) return p->bad = 1, -1;
                p->pos++;
            }
        } else {
            /* option letters: only i changes what matches here */
            int on = 1, nic = *ic;
            while ((c = peek(p)) >= 0 && c != ')' && c != ':') {
                if (c == '-' && on) on = 0;
                else if (c == '^' && on) nic = 0;
                else if (c == 'i') nic = on;
                else if (c != 'm' && c != 's' && c != 'n' && c != 'U' && c != 'J') return p->bad = 1, -1;
                p->pos++;
            }
            if (c == ')') {                         /* the rest of the group */
                p->pos++;
                *ic = nic;
                return mk_empty(p);
            }
            if (c != ':') return p->bad = 1, -1;
            p->pos++;
            inner = nic;
        }
    }
    if (++p->depth > MAX_DEPTH) return p->bad = 1, -1;
    int n = parse_alt(p, inner);
    p->depth--;
    if (p->bad || peek(p) != ')') return p->bad = 1, -1;
    p->pos++;
    return look ? mk_empty(p) : n;
}

static int parse_atom(bld_t *p, int *ic)
{
    int c = peek(p);
    if (c == '(') return parse_group(p, ic);
    if (c == '[') { p->pos++; return parse_class(p, *ic); }
    if (c == '\\') {
        p->pos++;
        int cp = 0, s = -1, na = 0;
        switch (escape(p, 0, &cp, &s, &na)) {
        case E_CHAR: return lit(p, cp, *ic);
        case E_SET: return mk_class(p, s, na);
        case E_EMPTY: return mk_empty(p);
        default: return p->bad = 1, -1;
        }
    }
    if (c == '.') {
        p->pos++;
        int s = new_set(p);
        if (s < 0) return -1;
        for (int b = 0; b < 128; b++) set_add(p, s, b);
        return mk_class(p, s, 1);
    }
    if (c == '^' || c == '$') { p->pos++; return mk_empty(p); }
    if (c == '*' || c == '+' || c == '?' || c == '{') return p->bad = 1, -1;
    if (c >= 0x80) {
        size_t n = utf8_len(p);
        if (!n || *ic) return p->bad = 1, -1;
        int seq = -1;
        for (size_t i = 0; i < n; i++) {
            int s = new_set(p);
            if (s < 0) return -1;
            set_add(p, s, p->s[p->pos + i]);
            int b = mk(p, N_SET, s, -1);
            seq = seq < 0 ? b : mk(p, N_SEQ, seq, b);
        }
        p->pos += n;
        return seq;
    }
    p->pos++;
    return lit(p, c, *ic);
}

static int read_num(bld_t *p)
{
    int v = -1;
    while (is_digit(peek(p))) {
        v = (v < 0 ? 0 : v) * 10 + (peek(p) - '0');
        if (v > 65535) return -2;
        p->pos++;
    }
    return v;
}

static int parse_quant(bld_t *p, int a)
{
    int c = peek(p), min, max;
    if (c == '?') { min = 0; max = 1; p->pos++; }
    else if (c == '*') { min = 0; max = -1; p->pos++; }
    else if (c == '+') { min = 1; max = -1; p->pos++; }
    else if (c == '{') {
        p->pos++;
        min = read_num(p);
        if (min < 0) return p->bad = 1, -1;         /* {,n} or a literal brace: not judged */
        max = min;
        if (peek(p) == ',') {
            p->pos++;
            max = read_num(p);
            if (max == -2) return p->bad = 1, -1;
        }
        if (peek(p) != '}' || (max >= 0 && max < min)) return p->bad = 1, -1;
        p->pos++;
    } else {
        return a;
    }
    if (peek(p) == '+' || peek(p) == '?') p->pos++;     /* possessive, lazy: same language */
    return mk_rep(p, a, min, max);
}

static int parse_seq(bld_t *p, int *ic)
{
    int seq = -1;
    while (!p->bad) {
        int c = peek(p);
        if (c < 0 || c == '|' || c == ')') break;
        int a = parse_atom(p, ic);
        if (p->bad) break;
        a = parse_quant(p, a);
        if (p->bad) break;
        if (p->nodes[a].kind == N_EMPTY) continue;     /* an assertion: nothing to walk */
        seq = seq < 0 ? a : mk(p, N_SEQ, seq, a);
    }
    return seq < 0 ? mk_empty(p) : seq;
}

/* Alternatives; an option set inside one, (?i), holds for the rest of the
 * group, later alternatives included (as in PCRE2). */
static int parse_alt(bld_t *p, int ic)
{
    int left = parse_seq(p, &ic);
    while (!p->bad && peek(p) == '|') {
        p->pos++;
        int r = parse_seq(p, &ic);
        left = mk(p, N_ALT, left, r);
    }
    return left;
}

/* ---------------------------------------------------------------- NFA */

static int nstate(bld_t *p)
{
    if (p->nst >= MAX_NSTATES) { p->bad = 1; return -1; }
    nstate_t *st = grow(p->st, &p->stcap, p->nst + 1, sizeof *st, 1024);
    if (!st) { p->bad = 1; return -1; }
    p->st = st;
    nstate_t *s = &p->st[p->nst];
    s->set = s->out = s->e0 = s->e1 = s->acc = -1;
    s->rule = p->rule;
    return (int)p->nst++;
}

/* The fragment of node n: returns its entry state, *out its exit (a state
 * with no edges yet).  -1 on failure. */
static int emit_node(bld_t *p, int n, int *out);

static int emit(bld_t *p, int n, int *out)
{
    /* sequences and alternatives are chains as long as the pattern: a
     * bound on the recursion keeps the stack small (deeper: not judged) */
    if (p->bad || n < 0 || p->edepth >= MAX_EDEPTH) return p->bad = 1, -1;
    p->edepth++;
    int r = emit_node(p, n, out);
    p->edepth--;
    return r;
}

static int emit_node(bld_t *p, int n, int *out)
{
    node_t nd = p->nodes[n];
    int s, t, i1, i2, o1, o2;
    switch (nd.kind) {
    case N_EMPTY:
        s = nstate(p);
        *out = s;
        return s;
    case N_SET:
        s = nstate(p);
        t = nstate(p);
        if (t < 0) return -1;
        p->st[s].set = nd.a;
        p->st[s].out = t;
        *out = t;
        return s;
    case N_SEQ:
        i1 = emit(p, nd.a, &o1);
        i2 = emit(p, nd.b, &o2);
        if (i1 < 0 || i2 < 0) return -1;
        p->st[o1].e0 = i2;
        *out = o2;
        return i1;
    case N_ALT:
        s = nstate(p);
        t = nstate(p);
        i1 = emit(p, nd.a, &o1);
        i2 = emit(p, nd.b, &o2);
        if (t < 0 || i1 < 0 || i2 < 0) return -1;
        p->st[s].e0 = i1;
        p->st[s].e1 = i2;
        p->st[o1].e0 = t;
        p->st[o2].e0 = t;
        *out = t;
        return s;
    case N_REP: {
        /* a superset: fewer required copies, more allowed ones */
        int min = nd.min > REP_CAP ? REP_CAP : nd.min;
        int max = nd.max > REP_CAP ? -1 : nd.max;
        s = nstate(p);
        int cur = s;
        for (int k = 0; k < min; k++) {
            i1 = emit(p, nd.a, &o1);
            if (i1 < 0 || cur < 0) return -1;
            p->st[cur].e0 = i1;
            cur = o1;
        }
        t = nstate(p);
        if (t < 0 || cur < 0) return -1;
        if (max < 0) {
            i1 = emit(p, nd.a, &o1);
            if (i1 < 0) return -1;
            p->st[cur].e0 = i1;
            p->st[cur].e1 = t;
            p->st[o1].e0 = i1;
            p->st[o1].e1 = t;
        } else {
            for (int k = min; k < max; k++) {
                i1 = emit(p, nd.a, &o1);
                if (i1 < 0) return -1;
                p->st[cur].e0 = i1;
                p->st[cur].e1 = t;
                cur = o1;
            }
            p->st[cur].e0 = t;
        }
        *out = t;
        return s;
    }
    }
    return -1;
}

/* ---------------------------------------------------------------- DFA */

typedef struct {
    uint32_t acc;
    uint32_t off, n;            /* live NFA states with a byte edge: kpool[off..off+n) */
} dstate_t;

typedef struct {
    bld_t *p;
    dstate_t *ds;
    size_t nds;
    int *kpool;
    size_t kn, kcap;
    int32_t *hash;              /* open addressing over dstates; -1 empty */
    size_t hcap;
    uint32_t *mark;             /* closure visit stamps per NFA state */
    uint32_t stamp;
    int *stack, *tmp;
    size_t nlive;               /* states with n > 0 */
    size_t live_cap;            /* at most so many (LIVE_CAP, or fewer for wide rows) */
    uint64_t work;              /* NFA states visited so far */
    uint64_t *bits;             /* closure's sorting bitmap, all zero between calls */
} dfa_t;

static uint64_t dhash(uint32_t acc, const int *k, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ acc;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint64_t)(unsigned)k[i]) * 0x100000001B3ull;
    return h ^ (h >> 31);
}

/* Close seeds[0..n) over epsilon edges; the live byte-edge states go to
 * d->tmp (sorted, without the rules accepted), the count is returned and
 * *acc gains the rules accepted on the way. */
static size_t closure(dfa_t *d, const int *seeds, size_t n, uint32_t *acc)
{
    bld_t *p = d->p;
    size_t sp = 0, k = 0;
    d->stamp++;
    for (size_t i = 0; i < n; i++) {
        if (d->mark[seeds[i]] == d->stamp) continue;
        d->mark[seeds[i]] = d->stamp;
        d->stack[sp++] = seeds[i];
    }
    d->work += n;
    while (sp) {
        const nstate_t *s = &p->st[d->stack[--sp]];
        d->work++;
        if (s->acc >= 0) *acc |= 1u << s->acc;
        if (s->set >= 0) d->tmp[k++] = (int)(s - p->st);
        int e[2] = {s->e0, s->e1};
        for (int j = 0; j < 2; j++) {
            if (e[j] < 0 || d->mark[e[j]] == d->stamp) continue;
            d->mark[e[j]] = d->stamp;
            d->stack[sp++] = e[j];
        }
    }
    /* sorted (the state's key) through a bitmap: the depth-first order is
     * close to reversed, the worst for a simple sort */
    size_t lo = SIZE_MAX, hi = 0, m = 0;
    for (size_t i = 0; i < k; i++) {
        int q = d->tmp[i];
        if ((*acc >> p->st[q].rule) & 1) continue;     /* accepted: nothing left to decide */
        size_t w = (size_t)q >> 6;
        d->bits[w] |= 1ull << (q & 63);
        if (w < lo) lo = w;
        if (w > hi) hi = w;
    }
    for (size_t w = lo; w <= hi && lo != SIZE_MAX; w++) {
        while (d->bits[w]) {
            d->tmp[m++] = (int)(w * 64 + (size_t)__builtin_ctzll(d->bits[w]));
            d->bits[w] &= d->bits[w] - 1;
        }
    }
    return m;
}

/* The DFA state (acc, d->tmp[0..n)), made if new; -1 when too many, -2
 * when too many with something undecided (n > 0). */
static int dstate_get(dfa_t *d, uint32_t acc, size_t n)
{
    uint64_t h = dhash(acc, d->tmp, n);
    size_t mask = d->hcap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        int32_t x = d->hash[i];
        if (x < 0) {
            if (d->nds >= MAX_DSTATES) return -1;
            if (n && d->nlive >= d->live_cap) return -2;
            d->nlive += n != 0;
            if (d->kn + n > d->kcap) {   /* kpool may still be NULL when n is 0 */
                int *nk = grow(d->kpool, &d->kcap, d->kn + n, sizeof *nk, 4096);
                if (!nk) return -1;
                d->kpool = nk;
            }
            if (n) memcpy(d->kpool + d->kn, d->tmp, n * sizeof *d->tmp);
            d->ds[d->nds].acc = acc;
            d->ds[d->nds].off = (uint32_t)d->kn;
            d->ds[d->nds].n = (uint32_t)n;
            d->kn += n;
            d->hash[i] = (int32_t)d->nds;
            return (int)d->nds++;
        }
        const dstate_t *s = &d->ds[x];
        if (s->acc == acc && s->n == n && (!n || memcmp(d->kpool + s->off, d->tmp, n * sizeof *d->tmp) == 0))
            return x;
    }
}

/* Byte classes: bytes no set of the NFA tells apart share a class.  Each
 * distinct set refines the partition once (most sets are one literal
 * character, made again for every occurrence). */
static int byte_classes(const bld_t *p, uint8_t cls[256], int rep[256])
{
    int ncls = 1;
    memset(cls, 0, 256);
    size_t hcap = 64;
    while (hcap < p->ns * 2) hcap *= 2;
    int *seen = malloc(hcap * sizeof *seen);
    if (!seen) return -1;
    for (size_t i = 0; i < hcap; i++) seen[i] = -1;
    for (size_t k = 0; k < p->nst; k++) {
        if (p->st[k].set < 0) continue;
        const bset_t *s = &p->sets[p->st[k].set];
        uint64_t h = 0;
        for (int i = 0; i < 32; i++) h = (h ^ s->b[i]) * 0x100000001B3ull;
        size_t j = (size_t)(h ^ (h >> 29)) & (hcap - 1);
        while (seen[j] >= 0 && memcmp(&p->sets[seen[j]], s, sizeof *s) != 0) j = (j + 1) & (hcap - 1);
        if (seen[j] >= 0) continue;                 /* this set refined it already */
        seen[j] = p->st[k].set;
        int map[512], nn = 0;
        for (int i = 0; i < 2 * ncls; i++) map[i] = -1;
        for (int b = 0; b < 256; b++) {
            int key = cls[b] * 2 + set_has(s, b);
            if (map[key] < 0) map[key] = nn++;
            cls[b] = (uint8_t)map[key];
        }
        ncls = nn;
        if (ncls > 255) { free(seen); return -1; }
    }
    free(seen);
    for (int c = 0; c < ncls; c++) rep[c] = -1;
    for (int b = 0; b < 256; b++)
        if (rep[cls[b]] < 0) rep[cls[b]] = b;
    return ncls;
}

static int build_dfa(bld_t *p, const int *starts, size_t nstarts, ent_rfilter_t *f)
{
    int rep[256];
    int ncls = byte_classes(p, f->cls, rep);
    if (ncls < 0) return -1;
    dfa_t d = {0};
    d.p = p;
    /* rows padded to whole units; the live rows' offsets in units, then the
     * final states, must fit a transition (with 255 classes, 895 rows) */
    uint32_t rowbytes = (uint32_t)(ncls * sizeof *f->next + ENT_RFILTER_UNIT - 1) / ENT_RFILTER_UNIT *
                        ENT_RFILTER_UNIT;
    d.live_cap = (size_t)(MAX_CODE + 1 - MAX_DSTATES) * ENT_RFILTER_UNIT / rowbytes;
    if (d.live_cap > LIVE_CAP) d.live_cap = LIVE_CAP;
    d.hcap = 1;
    while (d.hcap < MAX_DSTATES * 2) d.hcap *= 2;
    d.hash = malloc(d.hcap * sizeof *d.hash);
    d.ds = malloc(MAX_DSTATES * sizeof *d.ds);
    d.mark = calloc(p->nst, sizeof *d.mark);
    d.stack = malloc(p->nst * sizeof *d.stack);
    d.tmp = malloc(p->nst * sizeof *d.tmp);
    int *seeds = malloc(p->nst * sizeof *seeds);
    uint16_t *next = malloc((size_t)MAX_DSTATES * (size_t)ncls * sizeof *next);
    d.bits = calloc(p->nst / 64 + 1, sizeof *d.bits);
    /* per NFA state with a byte edge: the classes its set takes */
    uint32_t *cl_off = malloc((p->nst + 1) * sizeof *cl_off);
    uint8_t *cl = NULL;
    int *bhead = malloc((size_t)ncls * sizeof *bhead), *bnext = NULL, *bval = NULL;
    size_t bcap = 0;
    int rc = -1;
    if (!d.hash || !d.ds || !d.mark || !d.stack || !d.tmp || !seeds || !next || !d.bits ||
        !cl_off || !bhead) goto out;
    size_t ncl = 0;
    for (size_t k = 0; k < p->nst; k++) {
        cl_off[k] = (uint32_t)ncl;
        if (p->st[k].set < 0) continue;
        for (int c = 0; c < ncls; c++) ncl += set_has(&p->sets[p->st[k].set], rep[c]);
    }
    cl_off[p->nst] = (uint32_t)ncl;
    cl = malloc(ncl ? ncl : 1);
    if (!cl) goto out;
    for (size_t k = 0, j = 0; k < p->nst; k++) {
        if (p->st[k].set < 0) continue;
        for (int c = 0; c < ncls; c++)
            if (set_has(&p->sets[p->st[k].set], rep[c])) cl[j++] = (uint8_t)c;
    }
    memset(d.hash, 0xff, d.hcap * sizeof *d.hash);
    uint32_t acc = 0;
    size_t n = closure(&d, starts, nstarts, &acc);
    if (dstate_get(&d, acc, n) != 0) goto out;
    /* breadth first: states are numbered as they are found */
    for (size_t x = 0; x < d.nds; x++) {
        if (d.work > MAX_WORK) goto out;            /* too costly: no filter */
        /* the live states' next states, bucketed by the class that leads there */
        size_t need = 0;
        for (uint32_t i = 0; i < d.ds[x].n; i++) {
            int q = d.kpool[d.ds[x].off + i];
            need += cl_off[q + 1] - cl_off[q];
        }
        if (need > bcap) {
            size_t cap = need * 2;
            int *nn = realloc(bnext, cap * sizeof *nn);
            if (!nn) goto out;
            bnext = nn;
            int *nv = realloc(bval, cap * sizeof *nv);
            if (!nv) goto out;
            bval = nv;
            bcap = cap;
        }
        for (int c = 0; c < ncls; c++) bhead[c] = -1;
        size_t ne = 0;
        for (uint32_t i = 0; i < d.ds[x].n; i++) {
            int q = d.kpool[d.ds[x].off + i];
            for (uint32_t j = cl_off[q]; j < cl_off[q + 1]; j++) {
                bval[ne] = p->st[q].out;
                bnext[ne] = bhead[cl[j]];
                bhead[cl[j]] = (int)ne++;
            }
        }
        d.work += need + (uint64_t)ncls;
        int none = -1;          /* the state of a class no live state takes */
        for (int c = 0; c < ncls; c++) {
            uint32_t a = d.ds[x].acc;
            size_t ns = 0, m;
            int y;
            if (bhead[c] < 0 && none >= 0) {
                next[x * (size_t)ncls + (size_t)c] = (uint16_t)(none | BUILD_DONE);
                continue;
            }
            for (int e = bhead[c]; e >= 0; e = bnext[e]) seeds[ns++] = bval[e];
            m = closure(&d, seeds, ns, &a);
            y = dstate_get(&d, a, m);
            if (y == -2) {
                /* Enough states: the rules still undecided here are taken
                 * as matching (the answer stays a superset).  Breadth
                 * first, so this only cuts the longest, rarest walks. */
                for (size_t k = 0; k < m; k++) a |= 1u << p->st[d.tmp[k]].rule;
                m = 0;
                y = dstate_get(&d, a, 0);
            }
            if (y < 0) goto out;
            if (bhead[c] < 0) none = y;
            next[x * (size_t)ncls + (size_t)c] = (uint16_t)(y | (m ? 0 : BUILD_DONE));
        }
    }
    /* Renumbered: the states with something undecided first, in the order
     * found, then the final ones.  Only the first have rows (a walk stops at
     * a final state), so the rows a walk reads lie together, near the start.
     * Then encoded for the walk (ent_rfilter.h): a row's offset in units, or
     * fin + the final state. */
    {
        uint16_t *id = malloc(d.nds * sizeof *id);
        f->mask = malloc(d.nds * sizeof *f->mask);
        uint32_t total_live = 0;
        for (size_t x = 0; x < d.nds; x++) total_live += d.ds[x].n != 0;
        size_t rowlen = rowbytes / sizeof *f->next;
        f->next = calloc((total_live ? total_live : 1) * rowlen, sizeof *f->next);
        if (!id || !f->mask || !f->next) {
            free(id);
            goto out;
        }
        uint32_t nlive = 0, nfin = 0, unit = rowbytes / ENT_RFILTER_UNIT;
        uint32_t fin = total_live * unit;       /* <= MAX_CODE + 1 - MAX_DSTATES: see live_cap */
        for (size_t x = 0; x < d.nds; x++) {
            id[x] = (uint16_t)(d.ds[x].n ? nlive++ : total_live + nfin++);
            f->mask[id[x]] = d.ds[x].acc;
        }
        /* rows of the live states only, in their new order */
        size_t w = 0;
        for (size_t x = 0; x < d.nds; x++) {
            if (!d.ds[x].n) continue;
            for (size_t c = 0; c < (size_t)ncls; c++) {
                uint16_t y = next[x * (size_t)ncls + c];
                uint32_t t = id[y & ~BUILD_DONE];
                f->next[w * rowlen + c] = (uint16_t)((y & BUILD_DONE) ? fin + t - total_live : t * unit);
            }
            w++;
        }
        f->nstates = (uint32_t)d.nds;
        f->nlive = total_live;
        f->ncls = (uint16_t)ncls;
        f->rowbytes = rowbytes;
        f->fin = fin;
        f->start = (uint16_t)(d.ds[0].n ? id[0] * unit : fin + id[0] - total_live);
        free(id);
    }
    rc = 0;
out:
    free(next);
    free(seeds);
    free(cl_off);
    free(cl);
    free(bhead);
    free(bnext);
    free(bval);
    free(d.bits);
    free(d.hash);
    free(d.ds);
    free(d.mark);
    free(d.stack);
    free(d.tmp);
    free(d.kpool);
    return rc;
}

/* ---------------------------------------------------------------- API */

int ent_rfilter_build(ent_rfilter_t *f, const char *const *src, size_t n)
{
    memset(f, 0, sizeof *f);
    if (n == 0 || n > ENT_RFILTER_MAX_RULES) return -1;
    bld_t p = {0};
    int starts[ENT_RFILTER_MAX_RULES];
    size_t nstarts = 0;
    for (size_t r = 0; r < n; r++) {
        size_t nn = p.nn, ns = p.ns, nst = p.nst;
        p.s = (const unsigned char *)src[r];
        p.len = strlen(src[r]);
        p.pos = 0;
        p.bad = p.nested = p.depth = p.edepth = 0;
        p.rule = (int)r;
        int root = -1, in = -1, out = -1;
        if (p.len <= MAX_PATTERN) {
            root = parse_alt(&p, 0);
            if (!p.bad && p.pos != p.len) p.bad = 1;        /* an unmatched ) */
            if (!p.bad && !p.nested) in = emit(&p, root, &out);
        }
        if (p.bad || p.nested || in < 0) {
            /* not judged: forget what this rule made */
            f->always |= 1u << r;
            p.nn = nn;
            p.ns = ns;
            p.nst = nst;
            continue;
        }
        p.st[out].acc = (int)r;
        starts[nstarts++] = in;
    }
    int rc = -1;
    if (nstarts) rc = build_dfa(&p, starts, nstarts, f);
    free(p.nodes);
    free(p.sets);
    free(p.st);
    if (rc < 0) {
        ent_rfilter_free(f);
        return -1;
    }
    return 0;
}

void ent_rfilter_free(ent_rfilter_t *f)
{
    free(f->next);
    free(f->mask);
    memset(f, 0, sizeof *f);
}
