/* ws_kafka_conf.c -- librdkafka configurations for the group consumer, the
 * producer and the state-topic reader.
 *
 * Order: wirestream's defaults, then the config's `kafka` section (any
 * librdkafka property, passed through), then the few settings the delivery
 * guarantees depend on, which are forced.  Properties that belong to the
 * other client role are not passed, so librdkafka does not warn about them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "ws_rt.h"
#include "ws_log.h"

int64_t ws_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *const consumer_only[] = {
    "group.", "auto.offset.reset", "enable.auto.", "auto.commit.",
    "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
    "partition.assignment.strategy", "isolation.level", "fetch.", "queued.",
    "enable.partition.eof", "check.crcs", "coordinator.query.interval.ms",
    "consume.callback.max.messages", "allow.auto.create.topics", NULL
};
static const char *const producer_only[] = {
    "transactional.id", "transaction.timeout.ms", "enable.idempotence",
    "enable.gapless.guarantee", "queue.buffering.", "queuing.strategy",
    "linger.ms", "batch.", "compression.", "message.timeout.ms",
    "delivery.timeout.ms", "request.required.acks", "acks", "retries",
    "message.send.max.retries", "partitioner", "sticky.partitioning.linger.ms",
    "request.timeout.ms", "delivery.report.only.error", "dr_msg_cb", NULL
};

static int has_prefix(const char *k, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strncmp(k, list[i], strlen(list[i])) == 0) return 1;
    return 0;
}

int ws_kconf_set(rd_kafka_conf_t *c, const char *k, const char *v, char *err, size_t errlen)
{
    char e[256];
    if (rd_kafka_conf_set(c, k, v, e, sizeof(e)) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "kafka.%s: %s", k, e);
        return -1;
    }
    return 0;
}

const char *ws_kconf_group_id(const ws_config_t *cfg)
{
    const char *g = ws_config_kafka_get(cfg, "group.id");
    return g && *g ? g : "wirestream";
}

/* Static membership: the pod name (or any stable id) from the environment
 * wins over the config file. */
const char *ws_kconf_instance_id(const ws_config_t *cfg)
{
    const char *e = getenv("WIRESTREAM_GROUP_INSTANCE_ID");
    if (e && *e) return e;
    const char *g = ws_config_kafka_get(cfg, "group.instance.id");
    return g && *g ? g : NULL;
}

void ws_kconf_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    ws_log_level_t l = level <= LOG_ERR ? WS_LOG_ERROR
                     : level <= LOG_WARNING ? WS_LOG_WARN
                     : level <= LOG_INFO ? WS_LOG_INFO : WS_LOG_DEBUG;
    ws_log(l, "rdkafka", "%s %s: %s", rk ? rd_kafka_name(rk) : "", fac, buf);
}

/* defaults, then user properties not in skip, then forced. */
static rd_kafka_conf_t *build(const ws_rt_t *rt, const char *const *defaults,
                              const char *const *skip, const char *const *forced,
                              char *err, size_t errlen)
{
    const ws_config_t *cfg = rt->cfg;
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    for (size_t i = 0; defaults[i]; i += 2)
        if (ws_kconf_set(c, defaults[i], defaults[i + 1], err, errlen)) goto fail;
    for (size_t i = 0; i < cfg->kafka_n; i++) {
        const char *k = cfg->kafka_keys[i];
        if (has_prefix(k, skip)) continue;
        if (strcmp(k, "group.instance.id") == 0) continue;   /* set below */
        if (ws_kconf_set(c, k, cfg->kafka_values[i], err, errlen)) goto fail;
    }
    for (size_t i = 0; forced && forced[i]; i += 2)
        if (forced[i + 1] && ws_kconf_set(c, forced[i], forced[i + 1], err, errlen)) goto fail;
    if (rt->bootstrap_override &&
        ws_kconf_set(c, "bootstrap.servers", rt->bootstrap_override, err, errlen)) goto fail;
    rd_kafka_conf_set_log_cb(c, ws_kconf_log_cb);
    return c;
fail:
    rd_kafka_conf_destroy(c);
    return NULL;
}

rd_kafka_conf_t *ws_kconf_consumer(const ws_rt_t *rt, char *err, size_t errlen)
{
    static const char *const defaults[] = {
        "bootstrap.servers", "127.0.0.1:9092",
        "auto.offset.reset", "earliest",
        "auto.commit.interval.ms", "1000",
        /* librdkafka's own default.  A full prefetch queue makes 2.0.2 wait
         * about a second before it fetches again, so the queue must hold
         * more than a second of work: at 16 MB one worker emptied it in half
         * a second and then sat idle (bench/e2e.sh --floor, BENCHMARKS.md). */
        "queued.max.messages.kbytes", "65536",
        "client.id", "wirestream",
        NULL
    };
    const char *forced[] = {
        "group.id", ws_kconf_group_id(rt->cfg),
        "enable.auto.offset.store", "false",
        /* at-least-once: the background commit of stored offsets;
         * exactly-once: offsets go through the transaction only. */
        "enable.auto.commit", rt->eos ? "false" : "true",
        "group.instance.id", ws_kconf_instance_id(rt->cfg),
        NULL
    };
    return build(rt, defaults, producer_only, forced, err, errlen);
}

rd_kafka_conf_t *ws_kconf_producer(const ws_rt_t *rt, char *err, size_t errlen)
{
    const char *defaults[] = {
        "bootstrap.servers", "127.0.0.1:9092",
        "linger.ms", "5",
        "queue.buffering.max.messages", "20000",
        "queue.buffering.max.kbytes", "262144",
        "client.id", "wirestream",
        /* A killed instance's open transaction holds back read_committed
         * readers until it times out; keep that short (commits are
         * every transaction_interval_ms anyway). */
        rt->eos ? "transaction.timeout.ms" : NULL, "10000",
        NULL
    };
    const ws_config_t *cfg = rt->cfg;
    const char *comp = cfg->compression && *cfg->compression ? cfg->compression : "lz4";
    char txnid[512] = "";
    if (rt->eos) {
        const char *t = ws_config_kafka_get(cfg, "transactional.id");
        if (t && *t) {
            snprintf(txnid, sizeof(txnid), "%s", t);
        } else {
            /* Zombie fencing rides on the group generation (KIP-447), so
             * the id only has to be unique per live process. */
            const char *inst = ws_kconf_instance_id(cfg);
            char host[128] = "host";
            if (!inst) {
                FILE *f = fopen("/proc/sys/kernel/hostname", "r");
                if (f) {
                    if (fgets(host, sizeof(host), f)) host[strcspn(host, "\n")] = 0;
                    fclose(f);
                }
                snprintf(txnid, sizeof(txnid), "wirestream-%s-%s-%ld",
                         ws_kconf_group_id(cfg), host, (long)getpid());
            } else {
                snprintf(txnid, sizeof(txnid), "wirestream-%s-%s",
                         ws_kconf_group_id(cfg), inst);
            }
        }
    }
    const char *forced[] = {
        "enable.idempotence", "true",
        "acks", "all",
        "compression.codec", strcmp(comp, "none") == 0 ? "none" : comp,
        /* 0 = retry forever: a broker outage stalls instead of failing. */
        "message.timeout.ms", rt->eos ? NULL : "0",
        "transactional.id", rt->eos ? txnid : NULL,
        NULL
    };
    return build(rt, defaults, consumer_only, forced, err, errlen);
}

rd_kafka_conf_t *ws_kconf_reader(const ws_rt_t *rt, char *err, size_t errlen)
{
    static const char *const defaults[] = {
        "bootstrap.servers", "127.0.0.1:9092",
        "client.id", "wirestream-state",
        NULL
    };
    static const char *const forced[] = {
        "enable.auto.commit", "false",
        "enable.auto.offset.store", "false",
        "enable.partition.eof", "true",
        "isolation.level", "read_committed",
        "auto.offset.reset", "earliest",
        NULL
    };
    /* No group: the reader assigns itself every partition. */
    static const char *const skip[] = {
        "group.", "auto.offset.reset", "enable.auto.", "auto.commit.",
        "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
        "partition.assignment.strategy", "transactional.id",
        "transaction.timeout.ms", "enable.idempotence", "enable.gapless.guarantee",
        "queue.buffering.", "queuing.strategy", "linger.ms", "batch.", "compression.",
        "message.timeout.ms", "delivery.timeout.ms", "request.required.acks", "acks",
        "retries", "message.send.max.retries", "partitioner",
        "sticky.partitioning.linger.ms", "request.timeout.ms",
        "delivery.report.only.error", NULL
    };
    return build(rt, defaults, skip, forced, err, errlen);
}
