/* ws_value.c -- JSON-like values for annotations.
 *
 * Arrays and objects are vectors (O(1) indexing: quotes walks the entities
 * list by index); objects keep insertion order, which is the output order,
 * and look keys up linearly (annotation objects are small).
 *
 * Allocation count matters: entities builds hundreds of small objects per
 * article and the record frees them all on reset (malloc/free were ~25% of
 * the pipeline's time, docs/BENCHMARKS.md).  So a string's bytes live in its
 * node's allocation, and an object's keys are packed into one buffer per
 * object (slots hold offsets, as the buffer moves when it grows). */
#include "ws_value.h"

#include "ws_article.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ws_value_t *v;
    size_t koff;      /* objects: the key's offset in kbuf (NUL-terminated) */
} slot_t;

struct ws_value {
    ws_value_type_t type;
    int is_int;
    union {
        int b;
        int64_t i;
        double d;
        struct { char *p; size_t len; } s;
        struct { slot_t *slots; char *kbuf; size_t n, cap, klen, kcap; } c;
    } u;
};

static ws_value_t *value_new(ws_value_type_t t) {
    ws_value_t *v = calloc(1, sizeof *v);
    if (v) v->type = t;
    return v;
}

ws_value_t *ws_value_object(void) { return value_new(WS_VALUE_OBJECT); }
ws_value_t *ws_value_array(void) { return value_new(WS_VALUE_ARRAY); }
ws_value_t *ws_value_null(void) { return value_new(WS_VALUE_NULL); }

ws_value_t *ws_value_string(const char *s, size_t len) {
    if (len > (size_t)-1 - sizeof(ws_value_t) - 1) return NULL;
    ws_value_t *v = malloc(sizeof *v + len + 1);
    if (!v) return NULL;
    memset(v, 0, sizeof *v);
    v->type = WS_VALUE_STRING;
    v->u.s.p = (char *)(v + 1);
    if (len) memcpy(v->u.s.p, s, len);
    v->u.s.p[len] = '\0';
    v->u.s.len = len;
    return v;
}

ws_value_t *ws_value_int(int64_t n) {
    ws_value_t *v = value_new(WS_VALUE_NUMBER);
    if (v) { v->is_int = 1; v->u.i = n; }
    return v;
}

ws_value_t *ws_value_double(double d) {
    ws_value_t *v = value_new(WS_VALUE_NUMBER);
    if (v) v->u.d = d;
    return v;
}

ws_value_t *ws_value_bool(int b) {
    ws_value_t *v = value_new(WS_VALUE_BOOL);
    if (v) v->u.b = b ? 1 : 0;
    return v;
}

void ws_value_free(ws_value_t *v) {
    if (!v) return;
    if (v->type == WS_VALUE_ARRAY || v->type == WS_VALUE_OBJECT) {
        for (size_t i = 0; i < v->u.c.n; i++) ws_value_free(v->u.c.slots[i].v);
        free(v->u.c.slots);
        free(v->u.c.kbuf);
    }
    free(v);   /* a string's bytes are part of the node */
}

static const char *key_at(const ws_value_t *obj, size_t i) {
    return obj->u.c.kbuf + obj->u.c.slots[i].koff;
}

static size_t key_len(const ws_value_t *obj, size_t i) {
    size_t end = i + 1 < obj->u.c.n ? obj->u.c.slots[i + 1].koff : obj->u.c.klen;
    return end - obj->u.c.slots[i].koff - 1;
}

/* Objects start with 8 slots: a typical annotation object (an entity
 * mention, a quote) then never grows. */
static int container_grow(ws_value_t *c) {
    if (c->u.c.n < c->u.c.cap) return 0;
    size_t cap = c->u.c.cap ? c->u.c.cap * 2 : c->type == WS_VALUE_OBJECT ? 8 : 4;
    if (cap > (size_t)-1 / sizeof(slot_t)) return -1;
    slot_t *slots = realloc(c->u.c.slots, cap * sizeof *slots);
    if (!slots) return -1;
    c->u.c.slots = slots;
    c->u.c.cap = cap;
    return 0;
}

/* Appends key (klen bytes, then a NUL) to obj's key buffer; 0 or -1. */
static int key_append(ws_value_t *obj, const char *key, size_t klen, size_t *off) {
    size_t n = klen + 1;
    if (n > (size_t)-1 / 2 - obj->u.c.klen) return -1;
    if (obj->u.c.klen + n > obj->u.c.kcap) {
        size_t cap = obj->u.c.kcap ? obj->u.c.kcap : 64;
        while (cap < obj->u.c.klen + n) cap *= 2;
        char *b = realloc(obj->u.c.kbuf, cap);
        if (!b) return -1;
        obj->u.c.kbuf = b;
        obj->u.c.kcap = cap;
    }
    memcpy(obj->u.c.kbuf + obj->u.c.klen, key, n);
    *off = obj->u.c.klen;
    obj->u.c.klen += n;
    return 0;
}

int ws_object_set(ws_value_t *obj, const char *key, ws_value_t *val) {
    if (!obj || obj->type != WS_VALUE_OBJECT || !key || !val) {
        ws_value_free(val);
        return -1;
    }
    /* Replace an existing key; lengths first, they rarely match. */
    size_t klen = strlen(key);
    for (size_t i = 0; i < obj->u.c.n; i++) {
        if (key_len(obj, i) == klen && memcmp(key_at(obj, i), key, klen) == 0) {
            ws_value_free(obj->u.c.slots[i].v);
            obj->u.c.slots[i].v = val;
            return 0;
        }
    }
    size_t off;
    if (container_grow(obj) < 0 || key_append(obj, key, klen, &off) < 0) {
        ws_value_free(val);
        return -1;
    }
    obj->u.c.slots[obj->u.c.n].koff = off;
    obj->u.c.slots[obj->u.c.n++].v = val;
    return 0;
}

int ws_array_push(ws_value_t *arr, ws_value_t *val) {
    if (!arr || arr->type != WS_VALUE_ARRAY || !val || container_grow(arr) < 0) {
        ws_value_free(val);
        return -1;
    }
    arr->u.c.slots[arr->u.c.n].koff = 0;
    arr->u.c.slots[arr->u.c.n++].v = val;
    return 0;
}

ws_value_type_t ws_value_type(const ws_value_t *v) {
    return v ? v->type : WS_VALUE_INVALID;
}

const ws_value_t *ws_object_get(const ws_value_t *obj, const char *key) {
    if (!obj || obj->type != WS_VALUE_OBJECT || !key) return NULL;
    for (size_t i = 0; i < obj->u.c.n; i++)
        if (strcmp(key_at(obj, i), key) == 0) return obj->u.c.slots[i].v;
    return NULL;
}

size_t ws_array_size(const ws_value_t *arr) {
    return arr && arr->type == WS_VALUE_ARRAY ? arr->u.c.n : 0;
}

const ws_value_t *ws_array_at(const ws_value_t *arr, size_t i) {
    if (!arr || arr->type != WS_VALUE_ARRAY || i >= arr->u.c.n) return NULL;
    return arr->u.c.slots[i].v;
}

const char *ws_value_str(const ws_value_t *v, size_t *len) {
    if (!v || v->type != WS_VALUE_STRING) return NULL;
    if (len) *len = v->u.s.len;
    return v->u.s.p;
}

double ws_value_num(const ws_value_t *v) {
    if (!v || v->type != WS_VALUE_NUMBER) return 0;
    return v->is_int ? (double)v->u.i : v->u.d;
}

int ws_value_is_int(const ws_value_t *v) {
    return v && v->type == WS_VALUE_NUMBER && v->is_int;
}

int64_t ws_value_int_of(const ws_value_t *v) {
    if (!v || v->type != WS_VALUE_NUMBER) return 0;
    return v->is_int ? v->u.i : (int64_t)v->u.d;
}

int ws_value_truthy(const ws_value_t *v) {
    if (!v) return 0;
    switch (v->type) {
    case WS_VALUE_BOOL: return v->u.b;
    case WS_VALUE_NUMBER: return v->is_int ? v->u.i != 0 : v->u.d != 0;
    case WS_VALUE_STRING: return v->u.s.len != 0;
    case WS_VALUE_ARRAY:
    case WS_VALUE_OBJECT: return 1;
    default: return 0;
    }
}

/* Integer to decimal without printf: rendering is on the hot path. */
static int append_int(ws_buf_t *b, int64_t n) {
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    if (n < 0) *--p = '-';
    return ws_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

static int append_double(ws_buf_t *b, double d) {
    if (!isfinite(d)) return ws_buf_appends(b, "null");
    if (d == floor(d) && fabs(d) < 9e15) return append_int(b, (int64_t)d);
    /* Shortest of %.15g / %.17g that reads back exactly. */
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", d);
    if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof tmp, "%.17g", d);
    return ws_buf_appends(b, tmp);
}

/* Strings come from processors, which may slice text in the middle of a
 * UTF-8 sequence by mistake; the output must stay valid JSON text, so bad
 * bytes become U+FFFD. */
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

int ws_value_render(const ws_value_t *v, ws_buf_t *out) {
    if (!v) return ws_buf_append(out, "null", 4);
    switch (v->type) {
    case WS_VALUE_NULL: return ws_buf_append(out, "null", 4);
    case WS_VALUE_BOOL: return v->u.b ? ws_buf_append(out, "true", 4) : ws_buf_append(out, "false", 5);
    case WS_VALUE_NUMBER: return v->is_int ? append_int(out, v->u.i) : append_double(out, v->u.d);
    case WS_VALUE_STRING: return render_string(out, v->u.s.p, v->u.s.len);
    case WS_VALUE_ARRAY:
    case WS_VALUE_OBJECT: {
        int obj = v->type == WS_VALUE_OBJECT;
        if (ws_buf_appendc(out, obj ? '{' : '[') < 0) return -1;
        for (size_t i = 0; i < v->u.c.n; i++) {
            if (i && ws_buf_appendc(out, ',') < 0) return -1;
            if (obj && (render_string(out, key_at(v, i), key_len(v, i)) < 0 ||
                        ws_buf_appendc(out, ':') < 0))
                return -1;
            if (ws_value_render(v->u.c.slots[i].v, out) < 0) return -1;
        }
        return ws_buf_appendc(out, obj ? '}' : ']');
    }
    default: return ws_buf_append(out, "null", 4);
    }
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
