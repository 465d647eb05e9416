/* ws_http.c -- a tiny HTTP/1.1 server for /healthz and /metrics (see ws_http.h). */
#include "ws_http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#define HTTP_MAX_CLIENTS 32
#define HTTP_MAX_REQUEST 8192
#define HTTP_CLIENT_TIMEOUT_MS 5000
#define HTTP_LINGER_MS 1000

typedef struct {
    int fd;                     /* -1 = free slot */
    int64_t deadline_ms;        /* dropped when still open after this */
    size_t in_len;
    char in[HTTP_MAX_REQUEST + 1];
    char *out;                  /* response being written, NULL while reading */
    size_t out_len, out_off;
    int draining;               /* response sent: discarding input until EOF */
} http_client_t;

struct ws_http {
    int listen_fd;
    int wake[2];                /* self-pipe: a byte here means "stop" */
    int port;
    int64_t accept_paused_until;  /* out of descriptors: stop polling accept */
    pthread_t thread;
    ws_http_handler_fn *handler;
    void *ud;
    http_client_t clients[HTTP_MAX_CLIENTS];
};

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void client_close(http_client_t *c) {
    if (c->fd >= 0) close(c->fd);
    free(c->out);
    c->fd = -1;
    c->out = NULL;
    c->in_len = c->out_len = c->out_off = 0;
    c->draining = 0;
}

static const char *status_text(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

/* Turns a response into the bytes to send; the connection closes after it. */
static void client_respond(http_client_t *c, ws_http_response_t *r, int head_only) {
    const char *ctype = r->content_type ? r->content_type : "text/plain; charset=utf-8";
    size_t blen = r->body ? r->len : 0;
    char hdr[512];
    int n = snprintf(hdr, sizeof hdr,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n",
                     r->status, status_text(r->status), ctype, blen,
                     r->status == 405 ? "Allow: GET, HEAD\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof hdr) n = 0;
    size_t total = (size_t)n + (head_only ? 0 : blen);
    c->out = malloc(total ? total : 1);
    if (!c->out) {
        free(r->body);
        client_close(c);
        return;
    }
    memcpy(c->out, hdr, (size_t)n);
    if (!head_only && blen) memcpy(c->out + n, r->body, blen);
    free(r->body);
    r->body = NULL;
    c->out_len = total;
    c->out_off = 0;
}

static void simple_response(http_client_t *c, int status, const char *text) {
    ws_http_response_t r = {status, NULL, NULL, 0};
    r.body = strdup(text);
    r.len = r.body ? strlen(r.body) : 0;
    client_respond(c, &r, 0);
}

/* Parses "METHOD SP TARGET SP HTTP/x.y" once the header block is complete. */
static void client_request(ws_http_t *s, http_client_t *c) {
    char *line_end = strpbrk(c->in, "\r\n");
    if (line_end) *line_end = '\0';
    char *method = c->in;
    char *sp1 = strchr(method, ' ');
    char *target = sp1 ? sp1 + 1 : NULL;
    char *sp2 = target ? strchr(target, ' ') : NULL;
    if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || target[0] != '/') {
        simple_response(c, 400, "bad request\n");
        return;
    }
    *sp1 = '\0';
    *sp2 = '\0';
    int head_only = strcmp(method, "HEAD") == 0;
    if (!head_only && strcmp(method, "GET") != 0) {
        simple_response(c, 405, "method not allowed\n");
        return;
    }
    target[strcspn(target, "?#")] = '\0';
    ws_http_response_t r = {200, NULL, NULL, 0};
    s->handler(s->ud, target, &r);
    client_respond(c, &r, head_only);
}

static void client_read(ws_http_t *s, http_client_t *c) {
    for (;;) {
        size_t room = HTTP_MAX_REQUEST - c->in_len;
        if (room == 0) {
            simple_response(c, 431, "request too large\n");
            return;
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, room, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) { client_close(c); return; }
        if (memchr(c->in + c->in_len, '\0', (size_t)n)) {
            simple_response(c, 400, "bad request\n");
            return;
        }
        c->in_len += (size_t)n;
        c->in[c->in_len] = '\0';
        /* A GET has no body: the request is complete at the blank line. */
        if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n")) {
            client_request(s, c);
            return;
        }
    }
}

static void client_write(http_client_t *c) {
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) { client_close(c); return; }
        c->out_off += (size_t)n;
    }
    /* Close gracefully: closing with unread input would send a reset that
     * can destroy the response before the client reads it. */
    shutdown(c->fd, SHUT_WR);
    free(c->out);
    c->out = NULL;
    c->draining = 1;
    int64_t linger = mono_ms() + HTTP_LINGER_MS;
    if (linger < c->deadline_ms) c->deadline_ms = linger;
}

static void client_drain(http_client_t *c) {
    char scratch[4096];
    for (;;) {
        ssize_t n = recv(c->fd, scratch, sizeof scratch, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) { client_close(c); return; }
    }
}

static void accept_clients(ws_http_t *s) {
    for (;;) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            /* Out of descriptors the connection stays queued and the socket
             * stays readable: back off instead of spinning. */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                s->accept_paused_until = mono_ms() + 200;
            return;
        }
        http_client_t *slot = NULL;
        for (int i = 0; i < HTTP_MAX_CLIENTS && !slot; i++)
            if (s->clients[i].fd < 0) slot = &s->clients[i];
        if (!slot) { close(fd); continue; } /* full: the client retries */
        slot->fd = fd;
        slot->in_len = 0;
        slot->deadline_ms = mono_ms() + HTTP_CLIENT_TIMEOUT_MS;
    }
}

static void *http_thread(void *arg) {
    ws_http_t *s = arg;
    struct pollfd pfd[2 + HTTP_MAX_CLIENTS];
    int who[2 + HTTP_MAX_CLIENTS];
    for (;;) {
        int n = 0;
        pfd[n++] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
        int64_t now = mono_ms();
        /* A negative fd is ignored by poll(). */
        pfd[n++] = (struct pollfd){.fd = now < s->accept_paused_until ? -1 : s->listen_fd,
                                   .events = POLLIN};
        for (int i = 0; i < HTTP_MAX_CLIENTS; i++) {
            http_client_t *c = &s->clients[i];
            if (c->fd < 0) continue;
            if (now > c->deadline_ms) { client_close(c); continue; }
            who[n] = i;
            pfd[n++] = (struct pollfd){.fd = c->fd, .events = c->out ? POLLOUT : POLLIN};
        }
        int r = poll(pfd, (nfds_t)n, now < s->accept_paused_until ? 200 : 1000);
        if (r < 0 && errno != EINTR) break;
        if (r <= 0) continue;
        if (pfd[0].revents) break;
        if (pfd[1].revents & POLLIN) accept_clients(s);
        for (int k = 2; k < n; k++) {
            if (!pfd[k].revents) continue;
            http_client_t *c = &s->clients[who[k]];
            if (c->fd < 0) continue;
            if (c->draining) client_drain(c);
            else if (c->out) client_write(c);
            else client_read(s, c);
            /* The response is usually written at once, without another poll. */
            if (c->fd >= 0 && c->out && c->out_off == 0) client_write(c);
            if (c->fd >= 0 && c->draining) client_drain(c);
        }
    }
    return NULL;
}

static int listen_on(const char *bind_addr, int port, int *out_port, char *err, size_t errlen) {
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(bind_addr && *bind_addr ? bind_addr : NULL, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "http: cannot resolve %s: %s", bind_addr ? bind_addr : "*",
                 gai_strerror(gai));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) { saved = errno; continue; }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0) break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "http: cannot listen on %s:%d: %s", bind_addr ? bind_addr : "*",
                 port, strerror(saved));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    *out_port = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) *out_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6) *out_port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return fd;
}

int ws_http_start(const char *bind_addr, int port, ws_http_handler_fn *handler, void *ud,
                  ws_http_t **out, char *err, size_t errlen) {
    *out = NULL;
    if (port < 0 || port > 65535 || !handler) {
        snprintf(err, errlen, "http: invalid port %d", port);
        return -1;
    }
    ws_http_t *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "http: out of memory"); return -1; }
    s->handler = handler;
    s->ud = ud;
    s->wake[0] = s->wake[1] = -1;
    for (int i = 0; i < HTTP_MAX_CLIENTS; i++) s->clients[i].fd = -1;
    s->listen_fd = listen_on(bind_addr, port, &s->port, err, errlen);
    if (s->listen_fd < 0) { free(s); return -1; }
    if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(err, errlen, "http: pipe: %s", strerror(errno));
        close(s->listen_fd);
        free(s);
        return -1;
    }
    /* The thread starts with every signal blocked so SIGTERM/SIGINT always
     * reach the main thread's handler. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread, NULL, http_thread, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        snprintf(err, errlen, "http: cannot start thread: %s", strerror(rc));
        close(s->listen_fd);
        close(s->wake[0]);
        close(s->wake[1]);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int ws_http_port(const ws_http_t *s) {
    return s ? s->port : 0;
}

void ws_http_stop(ws_http_t *s) {
    if (!s) return;
    ssize_t w;
    do w = write(s->wake[1], "x", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(s->thread, NULL);
    for (int i = 0; i < HTTP_MAX_CLIENTS; i++) client_close(&s->clients[i]);
    close(s->listen_fd);
    close(s->wake[0]);
    close(s->wake[1]);
    free(s);
}

/* ------------------------------------------------------------- probe client */

/* Waits for fd to become ready for events until deadline; 1 ready, 0 not. */
static int wait_fd(int fd, short events, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        return r > 0;
    }
}

int ws_http_get_status(const char *host, int port, const char *path, int timeout_ms,
                       char *err, size_t errlen) {
    int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 1);
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(gai));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
            (errno != EINPROGRESS || !wait_fd(fd, POLLOUT, deadline) ||
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0)) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "cannot connect to %s:%d", host, port);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, host);
    size_t off = 0, len = n > 0 && (size_t)n < sizeof req ? (size_t)n : 0;
    while (off < len) {
        if (!wait_fd(fd, POLLOUT, deadline)) break;
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    char resp[64];
    size_t got = 0;
    while (off == len && len && got < sizeof resp - 1 && !memchr(resp, '\n', got)) {
        if (!wait_fd(fd, POLLIN, deadline)) break;
        ssize_t r = recv(fd, resp + got, sizeof resp - 1 - got, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    resp[got] = '\0';
    int status = -1;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1 || status < 100 || status > 599) {
        snprintf(err, errlen, "no HTTP answer from %s:%d%s", host, port, path);
        return -1;
    }
    return status;
}
