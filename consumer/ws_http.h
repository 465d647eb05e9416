/* ws_http.h -- a tiny HTTP/1.1 server on one background thread, enough for
 * /healthz and /metrics.
 *
 * One poll() loop serves several clients at once with non-blocking sockets;
 * every response closes its connection.  Only GET and HEAD are answered
 * (others get 405), requests are capped at 8 KiB and a client that does not
 * finish its request within a few seconds is dropped, so a slow or hostile
 * client can never stall the server, let alone the caller's main loop. */
#ifndef WS_HTTP_H
#define WS_HTTP_H
#include <stddef.h>

typedef struct ws_http ws_http_t;

/* What a handler fills in.  body is malloc()ed and owned by the server from
 * then on (it frees it); NULL means an empty body. */
typedef struct {
    int status;                 /* 200 unless set */
    const char *content_type;   /* "text/plain; charset=utf-8" unless set */
    char *body;
    size_t len;
} ws_http_response_t;

/* Called on the server thread for each GET or HEAD.  path has no query string. */
typedef void ws_http_handler_fn(void *ud, const char *path, ws_http_response_t *resp);

/* Prototypes */
/* Binds bind:port (port 0 = an ephemeral port, see ws_http_port) and starts
 * the thread.  Returns 0, or -1 with err filled. */
int ws_http_start(const char *bind, int port, ws_http_handler_fn *handler, void *ud,
                  ws_http_t **out, char *err, size_t errlen);
int ws_http_port(const ws_http_t *s);                   /* the port actually bound */
/* Stops the thread, closes every socket and frees s.  NULL is a no-op. */
void ws_http_stop(ws_http_t *s);
/* A minimal client for health probes (e.g. a container HEALTHCHECK without
 * curl): GET path from host:port within timeout_ms.  Returns the HTTP status
 * code, or -1 with err filled when there is no answer. */
int ws_http_get_status(const char *host, int port, const char *path, int timeout_ms,
                       char *err, size_t errlen);

#endif
