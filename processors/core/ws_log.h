/* ws_log.h -- structured logs on stderr: one line per event, JSON or logfmt.
 *
 * Every line carries ts (RFC 3339 UTC, ms), level, component and msg.  Extra
 * fields come from a cJSON object; logfmt flattens nested keys with dots.
 * Values of keys that look secret (password, secret, sasl.*, ssl.key.*,
 * token) are masked before printing.  Thread-safe: lines never interleave. */
#ifndef WS_LOG_H
#define WS_LOG_H
#include <cjson/cJSON.h>

typedef enum { WS_LOG_DEBUG = 0, WS_LOG_INFO, WS_LOG_WARN, WS_LOG_ERROR } ws_log_level_t;
typedef enum { WS_LOG_JSON = 0, WS_LOG_LOGFMT } ws_log_format_t;

/* Prototypes */
void ws_log_setup(ws_log_format_t format, ws_log_level_t min_level);
int ws_log_level_parse(const char *s, ws_log_level_t *out);     /* 0 or -1 */
int ws_log_format_parse(const char *s, ws_log_format_t *out);   /* 0 or -1 */
/* fields may be NULL; it is not freed. */
void ws_log_event(ws_log_level_t level, const char *component, const char *msg,
                  const cJSON *fields);
void ws_log(ws_log_level_t level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 1 if a config key names a secret that must never be printed. */
int ws_log_key_is_secret(const char *key);

#endif
