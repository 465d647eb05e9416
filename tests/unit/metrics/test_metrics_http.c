/* test_metrics_http.c -- /healthz and /metrics over a real socket on an
 * ephemeral 127.0.0.1 port: status codes, a metric line, several clients at
 * once (one of them silent), and a clean stop. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fake_pipeline.h"
#include "ws_http.h"
#include "ws_metrics.h"

#define FAKE_NOW_START 5000000
#include "metrics_check.h"

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct timeval tv = {5, 0};     /* a hung server fails the test, not the suite */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends raw on fd, reads to EOF into out; returns the status code or -1. */
static int exchange(int fd, const char *raw, char *out, size_t outlen) {
    size_t len = strlen(raw), off = 0;
    while (off < len) {
        ssize_t n = send(fd, raw + off, len - off, MSG_NOSIGNAL);
        if (n <= 0) { close(fd); return -1; }
        off += (size_t)n;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = recv(fd, out + got, outlen - 1 - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
        if (got == outlen - 1) break;
    }
    out[got] = '\0';
    close(fd);
    int status = -1;
    if (sscanf(out, "HTTP/1.1 %d", &status) != 1) return -1;
    return status;
}

static int get(int port, const char *path, char *out, size_t outlen) {
    char req[256];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    int fd = connect_to(port);
    if (fd < 0) return -1;
    return exchange(fd, req, out, outlen);
}

static const char *body_of(const char *resp) {
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? b + 4 : "";
}

int main(void) {
    static const char *const procs[] = {"dedup", "entities"};
    ws_pipeline_t p;
    fake_pipeline_init(&p, procs, 2);
    p.e[0].in = 4;
    ws_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.metrics_interval_ms = 1000;
    cfg.http_port = 0;                      /* off: ws_metrics_http_start is a no-op */
    char err[256] = "";
    ws_metrics_t *m = ws_metrics_new(&cfg, &p, err, sizeof err);
    if (!m) { fprintf(stderr, "%s\n", err); return 1; }
    ws_metrics_set_clock(m, fake_clock, NULL);
    CHECK(ws_metrics_http_start(m, err, sizeof err) == 0);
    CHECK(ws_metrics_http_port(m) == 0);

    if (ws_metrics_http_start_on(m, "127.0.0.1", 0, err, sizeof err) != 0) {
        fprintf(stderr, "http start: %s\n", err);
        return 1;
    }
    int port = ws_metrics_http_port(m);
    CHECK(port > 0);

    for (int i = 0; i < 4; i++) ws_metrics_in(m, 25);
    ws_metrics_partition(m, "raw", 0, 30, 18);

    static char resp[65536];
    CHECK(get(port, "/healthz", resp, sizeof resp) == 200);
    CHECK(strstr(body_of(resp), "\"status\":\"ok\"") != NULL);
    CHECK(strstr(resp, "Content-Length: ") != NULL);

    CHECK(get(port, "/metrics?x=1", resp, sizeof resp) == 200);
    CHECK(strstr(resp, "Content-Type: text/plain; version=0.0.4") != NULL);
    CHECK(strstr(body_of(resp), "\nwirestream_messages_in_total 4\n") != NULL);
    CHECK(strstr(body_of(resp), "\nwirestream_lag{topic=\"raw\",partition=\"0\"} 12\n") != NULL);
    CHECK(strstr(body_of(resp), "wirestream_entry_in_total{entry=\"dedup\",processor=\"dedup\"} 4\n") != NULL);

    CHECK(get(port, "/nope", resp, sizeof resp) == 404);
    /* The probe client (for `wirestream healthcheck`-style use). */
    CHECK(ws_http_get_status("127.0.0.1", port, "/healthz", 2000, err, sizeof err) == 200);
    CHECK(ws_http_get_status("localhost", port, "/nope", 2000, err, sizeof err) == 404);
    int fd = connect_to(port);
    CHECK(exchange(fd, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", resp, sizeof resp) == 405);
    fd = connect_to(port);
    CHECK(exchange(fd, "garbage\r\n\r\n", resp, sizeof resp) == 400);
    fd = connect_to(port);
    CHECK(exchange(fd, "HEAD /healthz HTTP/1.1\r\n\r\n", resp, sizeof resp) == 200);
    CHECK(*body_of(resp) == '\0');

    /* A client that connects and says nothing must not hold up the others,
     * and neither must a request split over two writes. */
    int silent = connect_to(port);
    CHECK(silent >= 0);
    int split = connect_to(port);
    CHECK(split >= 0);
    CHECK(send(split, "GET /hea", 8, MSG_NOSIGNAL) == 8);
    int fds[6];
    for (int i = 0; i < 6; i++) fds[i] = connect_to(port);
    for (int i = 0; i < 6; i++) {
        CHECK(fds[i] >= 0);
        if (fds[i] >= 0)
            CHECK(exchange(fds[i], "GET /healthz HTTP/1.1\r\n\r\n", resp, sizeof resp) == 200);
    }
    CHECK(exchange(split, "lthz HTTP/1.0\r\n\r\n", resp, sizeof resp) == 200);

    /* A request larger than the cap is refused, not buffered forever. */
    static char big[10000];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "GET /", 5);
    fd = connect_to(port);
    CHECK(exchange(fd, big, resp, sizeof resp) == 431);

    /* Garbage, truncated requests and abrupt closes leave the server serving. */
    unsigned seed = 12345;
    for (int round = 0; round < 50; round++) {
        char junk[600];
        size_t jl = (size_t)(rand_r(&seed) % (int)sizeof junk);
        for (size_t i = 0; i < jl; i++) junk[i] = (char)(rand_r(&seed) & 0xff);
        if (round % 3 == 0 && jl > 4) memcpy(junk, "GET ", 4);
        fd = connect_to(port);
        if (fd < 0) { CHECK(0); break; }
        if (jl) send(fd, junk, jl, MSG_NOSIGNAL);
        if (round % 2) close(fd);      /* hang up without waiting */
        else { junk[0] = 0; send(fd, "\r\n\r\n", 4, MSG_NOSIGNAL); char sink[512]; recv(fd, sink, sizeof sink, 0); close(fd); }
    }
    CHECK(get(port, "/healthz", resp, sizeof resp) == 200);

    /* Stalled main loop: 503. */
    atomic_fetch_add(&fake_now, 31000);
    CHECK(get(port, "/healthz", resp, sizeof resp) == 503);
    CHECK(strstr(body_of(resp), "\"status\":\"stalled\"") != NULL);
    ws_metrics_tick(m);
    CHECK(get(port, "/healthz", resp, sizeof resp) == 200);

    /* Free stops the server: the port no longer accepts. */
    ws_metrics_free(m);
    if (silent >= 0) close(silent);
    fd = connect_to(port);
    CHECK(fd < 0);
    if (fd >= 0) close(fd);
    CHECK(ws_http_get_status("127.0.0.1", port, "/healthz", 500, err, sizeof err) == -1);
    CHECK(strstr(err, "cannot connect") != NULL);

    if (failures) {
        fprintf(stderr, "test_metrics_http: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_metrics_http: ok\n");
    return 0;
}
