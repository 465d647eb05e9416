/* ws_configmap.c -- typed config tables: validation, defaults, docs. */
#include "ws_configmap.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws_log.h"

void ws_configmap_store_init(ws_configmap_store_t *s) { memset(s, 0, sizeof *s); }

void ws_configmap_store_free(ws_configmap_store_t *s) {
    for (size_t i = 0; i < s->n; i++) free(s->ptrs[i]);
    free(s->ptrs);
    memset(s, 0, sizeof *s);
}

void *ws_configmap_alloc(ws_configmap_store_t *s, size_t n) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        void **p = realloc(s->ptrs, cap * sizeof *p);
        if (!p) return NULL;
        s->ptrs = p;
        s->cap = cap;
    }
    void *m = calloc(1, n ? n : 1);
    if (m) s->ptrs[s->n++] = m;
    return m;
}

char *ws_configmap_strdup(ws_configmap_store_t *s, const char *str) {
    size_t n = strlen(str);
    char *d = ws_configmap_alloc(s, n + 1);
    if (d) memcpy(d, str, n + 1);
    return d;
}

const ws_config_key_t *ws_configmap_find(const ws_config_key_t *table, const char *name) {
    for (const ws_config_key_t *k = table; k && k->name; k++)
        if (strcmp(k->name, name) == 0) return k;
    return NULL;
}

const char *ws_configmap_type_name(ws_config_type_t t) {
    switch (t) {
    case WS_CFG_STRING: return "string";
    case WS_CFG_INT: return "integer";
    case WS_CFG_DOUBLE: return "number";
    case WS_CFG_BOOL: return "boolean";
    case WS_CFG_STRLIST: return "list of strings";
    }
    return "?";
}

static int choice_ok(const char *choices, const char *v) {
    if (!choices) return 1;
    size_t n = strlen(v);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == n && strncmp(p, v, n) == 0) return 1;
        if (!bar) break;
        p = bar + 1;
    }
    return 0;
}

/* Text conversions: used for defaults and overrides. */
static int text_int(const char *s, int64_t *out) {
    char *e;
    errno = 0;
    long long v = strtoll(s, &e, 10);
    if (errno || e == s || *e) return -1;
    *out = v;
    return 0;
}

static int text_double(const char *s, double *out) {
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (errno || e == s || *e || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static int text_bool(const char *s, int *out) {
    if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* Comma-separated list (items trimmed, empty items skipped), or a JSON
 * array of strings when the text starts with '['. */
static int text_list(ws_configmap_store_t *st, const char *s, ws_strlist_t *out) {
    size_t n = 0;
    if (s[0] == '[') {
        cJSON *a = cJSON_Parse(s);
        int ok = cJSON_IsArray(a);
        for (const cJSON *c = ok ? a->child : NULL; c; c = c->next) ok &= cJSON_IsString(c) ? 1 : 0;
        if (ok) {
            const char **items = ws_configmap_alloc(st, ((size_t)cJSON_GetArraySize(a) + 1) * sizeof *items);
            size_t k = 0;
            for (const cJSON *c = a->child; items && c; c = c->next)
                if (!(items[k++] = ws_configmap_strdup(st, c->valuestring))) items = NULL;
            cJSON_Delete(a);
            if (!items) return -1;
            out->n = k;
            out->items = items;
            return 0;
        }
        cJSON_Delete(a);
    }
    for (const char *p = s; *p; p++) if (*p == ',') n++;
    const char **items = ws_configmap_alloc(st, (n + 2) * sizeof *items);
    if (!items) return -1;
    size_t k = 0;
    const char *p = s;
    for (;;) {
        const char *c = strchr(p, ',');
        const char *e = c ? c : p + strlen(p);
        const char *b = p;
        while (b < e && (*b == ' ' || *b == '\t')) b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if (e > b) {
            char *it = ws_configmap_alloc(st, (size_t)(e - b) + 1);
            if (!it) return -1;
            memcpy(it, b, (size_t)(e - b));
            items[k++] = it;
        }
        if (!c) break;
        p = c + 1;
    }
    out->n = k;
    out->items = items;
    return 0;
}

static int from_text(const ws_config_key_t *k, const char *text, void *dst,
                     ws_configmap_store_t *st) {
    char *at = (char *)dst + k->offset;
    switch (k->type) {
    case WS_CFG_STRING: {
        if (!choice_ok(k->choices, text)) return -1;
        char *s = ws_configmap_strdup(st, text);
        if (!s) return -1;
        memcpy(at, &s, sizeof s);
        return 0;
    }
    case WS_CFG_INT: {
        int64_t v;
        if (text_int(text, &v) < 0) return -1;
        memcpy(at, &v, sizeof v);
        return 0;
    }
    case WS_CFG_DOUBLE: {
        double v;
        if (text_double(text, &v) < 0) return -1;
        memcpy(at, &v, sizeof v);
        return 0;
    }
    case WS_CFG_BOOL: {
        int v;
        if (text_bool(text, &v) < 0) return -1;
        memcpy(at, &v, sizeof v);
        return 0;
    }
    case WS_CFG_STRLIST: {
        ws_strlist_t l;
        if (text_list(st, text, &l) < 0) return -1;
        memcpy(at, &l, sizeof l);
        return 0;
    }
    }
    return -1;
}

int ws_configmap_check_text(const ws_config_key_t *k, const char *text, char *err, size_t errlen) {
    int64_t i;
    double d;
    int b;
    int ok = 1;
    switch (k->type) {
    case WS_CFG_STRING: ok = choice_ok(k->choices, text); break;
    case WS_CFG_INT: ok = text_int(text, &i) == 0; break;
    case WS_CFG_DOUBLE: ok = text_double(text, &d) == 0; break;
    case WS_CFG_BOOL: ok = text_bool(text, &b) == 0; break;
    case WS_CFG_STRLIST: ok = 1; break;
    }
    if (ok) return 0;
    if (k->type == WS_CFG_STRING)
        snprintf(err, errlen, "key \"%s\": \"%s\" is not one of %s", k->name, text, k->choices);
    else
        snprintf(err, errlen, "key \"%s\": \"%s\" is not a valid %s", k->name, text,
                 ws_configmap_type_name(k->type));
    return -1;
}

static const char *json_type_name(const cJSON *v) {
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsNull(v)) return "null";
    return "invalid";
}

static int from_json(const ws_config_key_t *k, const cJSON *v, void *dst,
                     ws_configmap_store_t *st, const char *where, char *err, size_t errlen) {
    char *at = (char *)dst + k->offset;
    if (cJSON_IsNull(v)) {
        /* null means "not set": the default, or nothing. */
        if (k->def) return from_text(k, k->def, dst, st);
        static const char zero[sizeof(ws_strlist_t)];
        size_t sz = k->type == WS_CFG_STRING ? sizeof(char *) : k->type == WS_CFG_INT ? sizeof(int64_t)
                  : k->type == WS_CFG_DOUBLE ? sizeof(double) : k->type == WS_CFG_BOOL ? sizeof(int)
                  : sizeof(ws_strlist_t);
        memcpy(at, zero, sz);
        return 0;
    }
    switch (k->type) {
    case WS_CFG_STRING:
        if (!cJSON_IsString(v)) break;
        if (!choice_ok(k->choices, v->valuestring)) {
            snprintf(err, errlen, "%s: key \"%s\": \"%s\" is not one of %s", where, k->name,
                     v->valuestring, k->choices);
            return -1;
        }
        return from_text(k, v->valuestring, dst, st);
    case WS_CFG_INT: {
        if (!cJSON_IsNumber(v)) break;
        double d = v->valuedouble;
        if (d != floor(d) || d > 9.2e18 || d < -9.2e18) {
            snprintf(err, errlen, "%s: key \"%s\" must be an integer", where, k->name);
            return -1;
        }
        int64_t i = (int64_t)d;
        memcpy(at, &i, sizeof i);
        return 0;
    }
    case WS_CFG_DOUBLE: {
        if (!cJSON_IsNumber(v)) break;
        double d = v->valuedouble;
        memcpy(at, &d, sizeof d);
        return 0;
    }
    case WS_CFG_BOOL: {
        if (!cJSON_IsBool(v)) break;
        int b = cJSON_IsTrue(v) ? 1 : 0;
        memcpy(at, &b, sizeof b);
        return 0;
    }
    case WS_CFG_STRLIST: {
        if (!cJSON_IsArray(v)) break;
        int n = cJSON_GetArraySize(v);
        const char **items = ws_configmap_alloc(st, ((size_t)n + 1) * sizeof *items);
        if (!items) goto oom;
        size_t i = 0;
        for (const cJSON *c = v->child; c; c = c->next) {
            if (!cJSON_IsString(c)) {
                snprintf(err, errlen, "%s: key \"%s\" must be a list of strings (item %zu is %s)",
                         where, k->name, i, json_type_name(c));
                return -1;
            }
            if (!(items[i++] = ws_configmap_strdup(st, c->valuestring))) goto oom;
        }
        ws_strlist_t l = {i, items};
        memcpy(at, &l, sizeof l);
        return 0;
    }
    }
    snprintf(err, errlen, "%s: key \"%s\" must be %s %s, not %s", where, k->name,
             k->type == WS_CFG_INT ? "an" : "a", ws_configmap_type_name(k->type), json_type_name(v));
    return -1;
oom:
    snprintf(err, errlen, "%s: out of memory", where);
    return -1;
}

static int skipped(const char *const *skip, const char *name) {
    for (; skip && *skip; skip++)
        if (strcmp(*skip, name) == 0) return 1;
    return 0;
}

int ws_configmap_apply(const ws_config_key_t *table, const cJSON *obj,
                       const cJSON *text_overrides, const char *const *skip,
                       void *dst, ws_configmap_store_t *store,
                       const char *where, const char *override_where,
                       char *err, size_t errlen) {
    if (!where) where = "config";
    if (!override_where) override_where = "override";
    for (const ws_config_key_t *k = table; k && k->name; k++) {
        if (!k->def) continue;
        if (from_text(k, k->def, dst, store) < 0) {
            snprintf(err, errlen, "%s: key \"%s\": bad built-in default \"%s\"", where, k->name, k->def);
            return -1;
        }
    }
    if (obj && !cJSON_IsObject(obj)) {
        snprintf(err, errlen, "%s: must be an object, not %s", where, json_type_name(obj));
        return -1;
    }
    for (const cJSON *v = obj ? obj->child : NULL; v; v = v->next) {
        if (skipped(skip, v->string)) continue;
        const ws_config_key_t *k = ws_configmap_find(table, v->string);
        if (!k) {
            snprintf(err, errlen, "%s: unknown key \"%s\"", where, v->string);
            return -1;
        }
        if (from_json(k, v, dst, store, where, err, errlen) < 0) return -1;
    }
    for (const cJSON *v = text_overrides ? text_overrides->child : NULL; v; v = v->next) {
        const ws_config_key_t *k = ws_configmap_find(table, v->string);
        if (!k) {
            snprintf(err, errlen, "%s: unknown key \"%s\"", override_where, v->string);
            return -1;
        }
        if (!cJSON_IsString(v)) continue;
        char msg[256];
        if (ws_configmap_check_text(k, v->valuestring, msg, sizeof msg) < 0) {
            snprintf(err, errlen, "%s: %s", override_where, msg);
            return -1;
        }
        if (from_text(k, v->valuestring, dst, store) < 0) {
            snprintf(err, errlen, "%s: out of memory", override_where);
            return -1;
        }
    }
    return 0;
}

cJSON *ws_configmap_value_json(const ws_config_key_t *k, const void *src, int mask) {
    const char *at = (const char *)src + k->offset;
    if (mask && ws_log_key_is_secret(k->name)) return cJSON_CreateString("***");
    switch (k->type) {
    case WS_CFG_STRING: {
        const char *s;
        memcpy(&s, at, sizeof s);
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
    }
    case WS_CFG_INT: {
        int64_t v;
        memcpy(&v, at, sizeof v);
        return cJSON_CreateNumber((double)v);
    }
    case WS_CFG_DOUBLE: {
        double v;
        memcpy(&v, at, sizeof v);
        return cJSON_CreateNumber(v);
    }
    case WS_CFG_BOOL: {
        int v;
        memcpy(&v, at, sizeof v);
        return cJSON_CreateBool(v);
    }
    case WS_CFG_STRLIST: {
        ws_strlist_t l;
        memcpy(&l, at, sizeof l);
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; a && i < l.n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(l.items[i]));
        return a;
    }
    }
    return cJSON_CreateNull();
}

/* Markdown cells must not break the table. */
static void cell(ws_buf_t *out, const char *s) {
    for (; s && *s; s++) {
        if (*s == '|') ws_buf_appends(out, "\\|");
        else if (*s == '\n') ws_buf_appendc(out, ' ');
        else ws_buf_appendc(out, *s);
    }
}

int ws_configmap_doc(const ws_config_key_t *table, const char *prefix, ws_buf_t *out) {
    ws_buf_appends(out, "| key | type | default | description |\n|---|---|---|---|\n");
    for (const ws_config_key_t *k = table; k && k->name; k++) {
        ws_buf_appends(out, "| `");
        if (prefix && *prefix) { ws_buf_appends(out, prefix); ws_buf_appendc(out, '.'); }
        ws_buf_appends(out, k->name);
        ws_buf_appends(out, "` | ");
        ws_buf_appends(out, ws_configmap_type_name(k->type));
        if (k->choices) { ws_buf_appends(out, ": `"); cell(out, k->choices); ws_buf_appendc(out, '`'); }
        ws_buf_appends(out, " | ");
        if (k->def && k->type == WS_CFG_STRLIST) {
            /* Shown as the JSON list a user would write. */
            ws_buf_appends(out, "`[");
            const char *p = k->def;
            int first = 1;
            while (*p) {
                const char *c = strchr(p, ',');
                size_t l = c ? (size_t)(c - p) : strlen(p);
                while (l && *p == ' ') { p++; l--; }
                if (l) {
                    if (!first) ws_buf_appends(out, ", ");
                    first = 0;
                    ws_buf_appendc(out, '"');
                    char tmp[256];
                    snprintf(tmp, sizeof tmp, "%.*s", (int)(l < 255 ? l : 255), p);
                    cell(out, tmp);
                    ws_buf_appendc(out, '"');
                }
                if (!c) break;
                p = c + 1;
            }
            ws_buf_appends(out, "]`");
        } else if (k->def) {
            ws_buf_appendc(out, '`');
            if (k->type == WS_CFG_STRING) ws_buf_appendc(out, '"');
            cell(out, k->def);
            if (k->type == WS_CFG_STRING) ws_buf_appendc(out, '"');
            ws_buf_appendc(out, '`');
        } else {
            ws_buf_appends(out, "none");
        }
        ws_buf_appends(out, " | ");
        cell(out, k->description);
        ws_buf_appends(out, " |\n");
    }
    return 0;
}
