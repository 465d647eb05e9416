/* ws_watermark.c -- per-partition contiguous done prefix (see ws_watermark.h). */
#include <stdlib.h>
#include <string.h>
#include "ws_watermark.h"

ws_wm_part_t *ws_wm_part_new(const char *topic, int32_t partition,
                             void (*free_ctx)(void *))
{
    ws_wm_part_t *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->topic = strdup(topic);
    if (!p->topic) { free(p); return NULL; }
    pthread_mutex_init(&p->mu, NULL);
    p->partition = partition;
    p->done = -1;
    p->stored = -1;
    p->free_ctx = free_ctx;
    return p;
}

static void msg_free(ws_wm_part_t *p, ws_wm_msg_t *m)
{
    if (m->ctx && p->free_ctx) p->free_ctx(m->ctx);
    free(m);
}

/* Called without the lock held, when nobody else can reach p. */
static void part_free(ws_wm_part_t *p)
{
    for (size_t i = 0; i < p->len; i++)
        msg_free(p, p->q[(p->head + i) % p->cap]);
    free(p->q);
    pthread_mutex_destroy(&p->mu);
    free(p->topic);
    free(p);
}

void ws_wm_part_detach(ws_wm_part_t *p)
{
    pthread_mutex_lock(&p->mu);
    p->closed = 1;
    p->detached = 1;
    int idle = p->busy == 0;
    pthread_mutex_unlock(&p->mu);
    if (idle) part_free(p);
}

static int ring_grow(ws_wm_part_t *p)
{
    size_t ncap = p->cap ? p->cap * 2 : 64;
    ws_wm_msg_t **nq = malloc(ncap * sizeof(*nq));
    if (!nq) return -1;
    for (size_t i = 0; i < p->len; i++) nq[i] = p->q[(p->head + i) % p->cap];
    free(p->q);
    p->q = nq;
    p->cap = ncap;
    p->head = 0;
    return 0;
}

ws_wm_msg_t *ws_wm_add(ws_wm_part_t *p, int64_t offset, void *ctx)
{
    ws_wm_msg_t *m = calloc(1, sizeof(*m));
    if (!m) return NULL;
    m->part = p;
    m->offset = offset;
    m->pending = 1;
    m->ctx = ctx;
    pthread_mutex_lock(&p->mu);
    if (p->closed || (p->len == p->cap && ring_grow(p) != 0)) {
        pthread_mutex_unlock(&p->mu);
        m->ctx = NULL;   /* the caller still owns ctx */
        free(m);
        return NULL;
    }
    /* A fresh or drained partition is done up to this message. */
    if (p->len == 0) p->done = offset;
    p->q[(p->head + p->len) % p->cap] = m;
    p->len++;
    p->busy++;
    pthread_mutex_unlock(&p->mu);
    return m;
}

void ws_wm_retain(ws_wm_msg_t *m)
{
    pthread_mutex_lock(&m->part->mu);
    m->pending++;
    pthread_mutex_unlock(&m->part->mu);
}

/* Pops the done prefix; the lock is held. */
static void advance(ws_wm_part_t *p)
{
    while (p->len > 0) {
        ws_wm_msg_t *h = p->q[p->head];
        if (h->pending > 0 || h->failed) break;
        p->done = h->offset + 1;
        p->head = (p->head + 1) % p->cap;
        p->len--;
        msg_free(p, h);
    }
}

int ws_wm_release(ws_wm_msg_t *m, int ok)
{
    ws_wm_part_t *p = m->part;
    int completed = 0;
    pthread_mutex_lock(&p->mu);
    if (!ok) m->failed = 1;
    void *ctx = NULL;
    if (--m->pending == 0) {
        completed = !m->failed;
        p->busy--;
        /* Nothing in flight needs the context any more; free it now rather
         * than when the prefix reaches it (a stuck head would hoard them). */
        ctx = m->ctx;
        m->ctx = NULL;
        advance(p);
    }
    int gone = p->detached && p->busy == 0;
    void (*free_ctx)(void *) = p->free_ctx;
    pthread_mutex_unlock(&p->mu);
    if (ctx && free_ctx) free_ctx(ctx);
    if (gone) part_free(p);
    return completed;
}

void ws_wm_close(ws_wm_part_t *p)
{
    pthread_mutex_lock(&p->mu);
    p->closed = 1;
    pthread_mutex_unlock(&p->mu);
}

size_t ws_wm_busy(ws_wm_part_t *p)
{
    pthread_mutex_lock(&p->mu);
    size_t n = p->busy;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int64_t ws_wm_done(ws_wm_part_t *p)
{
    pthread_mutex_lock(&p->mu);
    int64_t d = p->done;
    pthread_mutex_unlock(&p->mu);
    return d;
}

int64_t ws_wm_take_store(ws_wm_part_t *p)
{
    pthread_mutex_lock(&p->mu);
    int64_t d = -1;
    if (p->done >= 0 && p->done != p->stored) d = p->stored = p->done;
    pthread_mutex_unlock(&p->mu);
    return d;
}
