/* ws_log.c -- structured log lines on stderr (JSON or logfmt). */
#include "ws_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ws_buf.h"

static ws_log_format_t log_format = WS_LOG_JSON;
static ws_log_level_t log_min = WS_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void ws_log_setup(ws_log_format_t format, ws_log_level_t min_level) {
    log_format = format;
    log_min = min_level;
}

int ws_log_level_parse(const char *s, ws_log_level_t *out) {
    if (!s) return -1;
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, level_names[i]) == 0) { *out = (ws_log_level_t)i; return 0; }
    }
    if (strcasecmp(s, "warning") == 0) { *out = WS_LOG_WARN; return 0; }
    return -1;
}

int ws_log_format_parse(const char *s, ws_log_format_t *out) {
    if (!s) return -1;
    if (strcasecmp(s, "json") == 0) { *out = WS_LOG_JSON; return 0; }
    if (strcasecmp(s, "logfmt") == 0) { *out = WS_LOG_LOGFMT; return 0; }
    return -1;
}

static int contains(const char *s, const char *needle) {
    return strcasestr(s, needle) != NULL;
}

int ws_log_key_is_secret(const char *key) {
    if (!key) return 0;
    if (strncasecmp(key, "sasl.", 5) == 0 && strcasecmp(key, "sasl.mechanism") != 0 &&
        strcasecmp(key, "sasl.mechanisms") != 0)
        return 1;
    if (strncasecmp(key, "ssl.key.", 8) == 0) return 1;
    if (contains(key, "password") || contains(key, "passwd") || contains(key, "secret") ||
        contains(key, "credential"))
        return 1;
    /* "token" and "private" only as a whole word: "api_token" is a secret,
     * "max_tokens" is not. */
    const char *p = key;
    while (*p) {
        size_t n = strcspn(p, "._-");
        if ((n == 5 && strncasecmp(p, "token", 5) == 0) || (n == 7 && strncasecmp(p, "private", 7) == 0))
            return 1;
        p += n;
        if (*p) p++;
    }
    return 0;
}

static void format_ts(char *out, size_t n) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000L) % 1000);
}

/* JSON rendering of an arbitrary cJSON value, masking secret keys. */
static void json_value(ws_buf_t *b, const cJSON *v, int masked);

static void json_number(ws_buf_t *b, double d) {
    if (d != d || d > 1e308 || d < -1e308) { ws_buf_appends(b, "null"); return; }
    if (d < 9e15 && d > -9e15 && d == (double)(long long)d)   /* range first: no UB cast */
        ws_buf_printf(b, "%lld", (long long)d);
    else {
        /* Shortest text that reads back as the same double. */
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%.15g", d);
        if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof tmp, "%.17g", d);
        ws_buf_appends(b, tmp);
    }
}

static void json_value(ws_buf_t *b, const cJSON *v, int masked) {
    if (masked) { ws_buf_appends(b, "\"***\""); return; }
    if (cJSON_IsString(v)) {
        ws_buf_append_json_string(b, v->valuestring, strlen(v->valuestring));
    } else if (cJSON_IsNumber(v)) {
        json_number(b, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        ws_buf_appends(b, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsArray(v)) {
        ws_buf_appendc(b, '[');
        int first = 1;
        for (const cJSON *c = v->child; c; c = c->next) {
            if (!first) ws_buf_appendc(b, ',');
            first = 0;
            json_value(b, c, 0);
        }
        ws_buf_appendc(b, ']');
    } else if (cJSON_IsObject(v)) {
        ws_buf_appendc(b, '{');
        int first = 1;
        for (const cJSON *c = v->child; c; c = c->next) {
            if (!first) ws_buf_appendc(b, ',');
            first = 0;
            ws_buf_append_json_string(b, c->string, strlen(c->string));
            ws_buf_appendc(b, ':');
            json_value(b, c, ws_log_key_is_secret(c->string));
        }
        ws_buf_appendc(b, '}');
    } else {
        ws_buf_appends(b, "null");
    }
}

/* logfmt: bare values when they have no space, quote or '=', else quoted. */
static void logfmt_string(ws_buf_t *b, const char *s) {
    int bare = *s != '\0';
    for (const char *p = s; *p && bare; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '=' || *p == '\\') bare = 0;
    if (bare) ws_buf_appends(b, s);
    else ws_buf_append_json_string(b, s, strlen(s));
}

static void logfmt_fields(ws_buf_t *b, const char *prefix, const cJSON *obj) {
    for (const cJSON *c = obj->child; c; c = c->next) {
        char key[256];
        if (prefix) snprintf(key, sizeof key, "%s.%s", prefix, c->string ? c->string : "");
        else snprintf(key, sizeof key, "%s", c->string ? c->string : "");
        if (cJSON_IsObject(c) && !ws_log_key_is_secret(c->string)) {
            logfmt_fields(b, key, c);
            continue;
        }
        ws_buf_appendc(b, ' ');
        ws_buf_appends(b, key);
        ws_buf_appendc(b, '=');
        if (ws_log_key_is_secret(c->string)) ws_buf_appends(b, "***");
        else if (cJSON_IsString(c)) logfmt_string(b, c->valuestring);
        else if (cJSON_IsNumber(c)) json_number(b, c->valuedouble);
        else if (cJSON_IsBool(c)) ws_buf_appends(b, cJSON_IsTrue(c) ? "true" : "false");
        else if (cJSON_IsArray(c)) {
            ws_buf_t tmp;
            ws_buf_init(&tmp);
            json_value(&tmp, c, 0);
            logfmt_string(b, tmp.data);
            ws_buf_free(&tmp);
        } else ws_buf_appends(b, "null");
    }
}

void ws_log_event(ws_log_level_t level, const char *component, const char *msg,
                  const cJSON *fields) {
    if (level < log_min) return;
    if ((unsigned)level > WS_LOG_ERROR) level = WS_LOG_ERROR;
    char ts[64];
    format_ts(ts, sizeof ts);
    if (!component) component = "wirestream";
    if (!msg) msg = "";
    ws_buf_t b;
    ws_buf_init(&b);
    if (log_format == WS_LOG_LOGFMT) {
        ws_buf_printf(&b, "ts=%s level=%s component=", ts, level_names[level]);
        logfmt_string(&b, component);
        ws_buf_appends(&b, " msg=");
        logfmt_string(&b, msg);
        if (fields && cJSON_IsObject(fields)) logfmt_fields(&b, NULL, fields);
    } else {
        ws_buf_printf(&b, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":", ts, level_names[level]);
        ws_buf_append_json_string(&b, component, strlen(component));
        ws_buf_appends(&b, ",\"msg\":");
        ws_buf_append_json_string(&b, msg, strlen(msg));
        if (fields && cJSON_IsObject(fields)) {
            for (const cJSON *c = fields->child; c; c = c->next) {
                if (!c->string) continue;
                /* The four standard keys always come from the arguments. */
                if (!strcmp(c->string, "ts") || !strcmp(c->string, "level") ||
                    !strcmp(c->string, "component") || !strcmp(c->string, "msg"))
                    continue;
                ws_buf_appendc(&b, ',');
                ws_buf_append_json_string(&b, c->string, strlen(c->string));
                ws_buf_appendc(&b, ':');
                json_value(&b, c, ws_log_key_is_secret(c->string));
            }
        }
        ws_buf_appendc(&b, '}');
    }
    ws_buf_appendc(&b, '\n');
    pthread_mutex_lock(&log_lock);
    fwrite(b.data, 1, b.len, stderr);
    fflush(stderr);
    pthread_mutex_unlock(&log_lock);
    ws_buf_free(&b);
}

void ws_log(ws_log_level_t level, const char *component, const char *fmt, ...) {
    if (level < log_min) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ws_log_event(level, component, msg, NULL);
}
