/* test_limits.c -- every kind of limit-breaking input ends with its reason
 * (hard limits: the record fails and would go to the DLQ) or a truncated
 * record (soft limits: kept, list cut, "truncated": true), and none hangs.
 *
 * Each case goes the way a Kafka message does: ws_article_parse with the
 * config's input options, then ws_pipeline_run, then ws_record_render. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ws_article.h"
#include "ws_buf.h"
#include "ws_config.h"
#include "ws_log.h"
#include "ws_pipeline.h"
#include "ws_record_host.h"
#include "ws_test.h"

static char dir[64];

static const char *path_in(const char *name) {
    static char p[4][160];
    static int slot;
    char *s = p[slot++ & 3];
    snprintf(s, sizeof p[0], "%s/%s", dir, name);
    return s;
}

static void put(const char *name, const char *text) {
    FILE *f = fopen(path_in(name), "w");
    if (!f) { perror(name); exit(2); }
    fputs(text, f);
    fclose(f);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: independent of how loaded the machine is. */
static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One loaded config and its pipeline. */
typedef struct {
    ws_config_t *cfg;
    ws_pipeline_t *p;
    ws_record_t *rec;
    ws_buf_t out;
} rig_t;

static int rig_open(rig_t *r, const char *config_text, const char *const *sets, size_t nsets) {
    char err[2048];
    memset(r, 0, sizeof *r);
    put("wirestream.json", config_text);
    if (ws_config_load(path_in("wirestream.json"), sets, nsets, &r->cfg, err, sizeof err) < 0 ||
        ws_pipeline_new(r->cfg, NULL, 0, 0, &r->p, err, sizeof err) < 0) {
        fprintf(stderr, "  setup failed: %s\n", err);
        ws_config_free(r->cfg);
        r->cfg = NULL;
        return -1;
    }
    r->rec = ws_record_new();
    ws_buf_init(&r->out);
    return 0;
}

static void rig_close(rig_t *r) {
    ws_record_free(r->rec);
    ws_buf_free(&r->out);
    ws_pipeline_free(r->p);
    ws_config_free(r->cfg);
}

/* Runs one raw message.  Returns the reason code ("keep" when the record
 * is kept; its JSON is then parsed into *json). */
static const char *feed(rig_t *r, const char *msg, size_t len, cJSON **json) {
    static char code[64];
    ws_article_t a;
    const char *reason = NULL;
    char err[512];
    if (json) *json = NULL;
    if (ws_article_parse(&r->cfg->article, msg, len, &a, &reason, err, sizeof err) < 0) {
        snprintf(code, sizeof code, "%s", reason ? reason : "?");
        return code;
    }
    ws_record_reset(r->rec);
    ws_record_take_article(r->rec, &a);
    ws_outcome_t o;
    ws_pipeline_run(r->p, r->rec, &o);
    if (o.result != WS_KEEP) {
        snprintf(code, sizeof code, "%s", o.reason_code ? o.reason_code : "?");
        return code;
    }
    ws_buf_reset(&r->out);
    if (ws_record_render(r->rec, &r->out) < 0) return "render_failed";
    if (json) *json = cJSON_ParseWithLength(r->out.data, r->out.len);
    return "keep";
}

static const char *feeds(rig_t *r, const char *msg, cJSON **json) {
    return feed(r, msg, strlen(msg), json);
}

static char *json_article(const char *body) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "limits-1");
    cJSON_AddStringToObject(o, "body", body);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* ---------------------------------------------------------------- hard */

TEST(too_large) {
    rig_t r;
    const char *sets[] = {"input.max_bytes=1000"};
    if (rig_open(&r, "{\"pipeline\": [{\"name\": \"example\"}]}", sets, 1) < 0) { CHECK(0); return; }
    char *big = malloc(4001);
    memset(big, 'a', 4000);
    big[4000] = '\0';
    memcpy(big, "{\"body\":\"", 9);
    memcpy(big + 3998, "\"}", 2);
    CHECK_STR(feed(&r, big, 4000, NULL), WS_REASON_TOO_LARGE);
    /* Exactly at the limit is fine; one byte over is not. */
    memcpy(big + 998, "\"}", 2);
    CHECK_STR(feed(&r, big, 1000, NULL), "keep");
    memcpy(big + 998, "a\"}", 3);
    CHECK_STR(feed(&r, big, 1001, NULL), WS_REASON_TOO_LARGE);
    /* Plain text is measured the same way. */
    memset(big, 'b', 4000);
    CHECK_STR(feed(&r, big, 4000, NULL), WS_REASON_TOO_LARGE);
    free(big);
    rig_close(&r);
}

static char *nested(int depth) {
    /* {"id":"d","body":"x","meta": [[[...]]] } with depth-1 arrays inside the root */
    size_t n = (size_t)depth * 2 + 64;
    char *s = malloc(n);
    size_t k = (size_t)snprintf(s, n, "{\"id\":\"d\",\"body\":\"x\",\"meta\":");
    for (int i = 0; i < depth - 1; i++) s[k++] = '[';
    for (int i = 0; i < depth - 1; i++) s[k++] = ']';
    s[k++] = '}';
    s[k] = '\0';
    return s;
}

TEST(too_deep) {
    rig_t r;
    const char *sets[] = {"input.max_json_depth=8"};
    if (rig_open(&r, "{\"pipeline\": [{\"name\": \"example\"}]}", sets, 1) < 0) { CHECK(0); return; }
    char *ok = nested(4), *deep = nested(40);
    CHECK_STR(feeds(&r, ok, NULL), "keep");
    CHECK_STR(feeds(&r, deep, NULL), WS_REASON_TOO_DEEP);
    free(ok);
    free(deep);
    rig_close(&r);
    /* The default limit stops hostile nesting (a million levels) quickly
     * and without recursion deep enough to overflow the stack. */
    if (rig_open(&r, "{\"pipeline\": [{\"name\": \"example\"}]}", NULL, 0) < 0) { CHECK(0); return; }
    char *hostile = nested(1000000);
    double t0 = now_s();
    CHECK_STR(feeds(&r, hostile, NULL), WS_REASON_TOO_DEEP);
    CHECK(now_s() - t0 < 5.0);
    free(hostile);
    rig_close(&r);
}

/* A rule with nested quantifiers: exponential backtracking on a run of
 * words with no digit after it. */
static const char *slow_rule =
    "# catastrophic on purpose (test_limits.c)\n"
    "CARDINAL\t#cap\t(?:[A-Za-z]+\\s?)+[0-9]\n";

TEST(regex_limit) {
    put("slow.rules", slow_rule);
    put("gaz.tsv", "Ada Quill\tPERSON\tAda Quill\n");
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "{\"pipeline\": [{\"name\": \"entities\", \"lexicons\": [], \"gazetteers\": [\"%s\"],"
             " \"weak_gazetteers\": [], \"rules\": [\"%s\"], \"match_limit\": 20000}]}",
             path_in("gaz.tsv"), path_in("slow.rules"));
    rig_t r;
    if (rig_open(&r, cfg, NULL, 0) < 0) { CHECK(0); return; }
    double t0 = now_s();
    char *msg = json_article("Aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm "
                             "nnnn oooo pppp qqqq rrrr ssss tttt uuuu vvvv wwww xxxx yyyy zzzz");
    CHECK_STR(feeds(&r, msg, NULL), WS_REASON_REGEX_LIMIT);
    CHECK(now_s() - t0 < 10.0);
    free(msg);
    /* The same rule on harmless text is fine. */
    msg = json_article("Ada Quill counted 7 boats.");
    CHECK_STR(feeds(&r, msg, NULL), "keep");
    free(msg);
    rig_close(&r);
}

TEST(timeout) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"limits\": {\"record_timeout_ms\": 100},"
             " \"pipeline\": [{\"name\": \"slow\", \"path\": \"%s\", \"sleep_ms\": 400},"
             "              {\"name\": \"example\"}]}", WS_SLOW_PLUGIN);
    rig_t r;
    if (rig_open(&r, cfg, NULL, 0) < 0) { CHECK(0); return; }
    CHECK_STR(feeds(&r, "{\"id\":\"t1\",\"body\":\"a WS-SLOW record\"}", NULL), WS_REASON_TIMEOUT);
    CHECK_STR(feeds(&r, "{\"id\":\"t2\",\"body\":\"a quick record\"}", NULL), "keep");
    rig_close(&r);
    /* 0 switches the budget off. */
    const char *sets[] = {"limits.record_timeout_ms=0"};
    if (rig_open(&r, cfg, sets, 1) < 0) { CHECK(0); return; }
    CHECK_STR(feeds(&r, "{\"id\":\"t3\",\"body\":\"a WS-SLOW record\"}", NULL), "keep");
    rig_close(&r);
}

/* Bodies near the size limit built to make per-token work run on to the
 * end of the text ("1 1 1 ...", "$1 $1 ...", "1-1-1-..."): the shipped
 * pipeline must stay linear in the body, not stall a partition for minutes.
 * Each 1 MB body takes well under a second of CPU in a release build and a
 * few under ASan; quadratic behaviour (once ~20 s per body here, minutes at
 * the 4 MB default limit) fails the CPU-time bound. */
TEST(hostile_bodies_finish) {
    char cfgpath[512];
    snprintf(cfgpath, sizeof cfgpath, "%s/config/wirestream.json", WS_SOURCE_DIR);
    FILE *f = fopen(cfgpath, "r");
    if (!f) { CHECK(0); return; }
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *sets[] = {"limits.record_timeout_ms=0", "pipeline.dedup.action=flag"};
    rig_t r;
    if (rig_open(&r, text, sets, 2) < 0) { CHECK(0); return; }
    static const char *const units[] = {"1 ", "$1 ", "1-", "1,", "A ", "Mr. A ", "\"a\" said A. ",
                                        "Jan 1, 2020, 10:30 a.m. 5% "};
    size_t target = 1u << 20;
    char *body = malloc(target + 64);
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t ul = strlen(units[u]), k = 0;
        while (k + ul <= target) { memcpy(body + k, units[u], ul); k += ul; }
        body[k] = '\0';
        char *msg = json_article(body);
        double t0 = cpu_s();
        const char *got = feeds(&r, msg, NULL);
        double secs = cpu_s() - t0;
        if (strcmp(got, "keep") != 0 || secs > 10.0)
            fprintf(stderr, "  body of \"%s\" x %zu: %s after %.1f s of CPU\n", units[u], k / ul, got, secs);
        CHECK(strcmp(got, "keep") == 0);
        CHECK(secs < 10.0);
        free(msg);
    }
    free(body);
    rig_close(&r);
}

/* ---------------------------------------------------------------- soft */

static int list_size(const cJSON *root, const char *key) {
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, key);
    return cJSON_IsArray(l) ? cJSON_GetArraySize(l) : -1;
}

static int truncated(const cJSON *root) {
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "truncated"));
}

static const char *people_gaz =
    "Ada Quill\tPERSON\tAda Quill\n"
    "Bram Oduya\tPERSON\tBram Oduya\n"
    "Cleo Varga\tPERSON\tCleo Varga\n"
    "Dev Halloran\tPERSON\tDev Halloran\n"
    "Esme Tolland\tPERSON\tEsme Tolland\n"
    "Finn Marsh\tPERSON\tFinn Marsh\n";

static const char *crowd =
    "Ada Quill met Bram Oduya and Cleo Varga; then Dev Halloran, Esme Tolland and "
    "Finn Marsh joined them.";

static void entities_cfg(char *cfg, size_t n, const char *extra) {
    snprintf(cfg, n,
             "{%s \"pipeline\": [{\"name\": \"entities\", \"lexicons\": [], \"gazetteers\": [\"%s\"],"
             " \"weak_gazetteers\": [], \"rules\": []}]}",
             extra, path_in("people.tsv"));
}

TEST(entities_truncated) {
    put("people.tsv", people_gaz);
    char cfg[2048];
    entities_cfg(cfg, sizeof cfg, "");
    rig_t r;
    char *msg = json_article(crowd);
    /* Under the limit: all six (at least: the tagger may find more), not truncated. */
    if (rig_open(&r, cfg, NULL, 0) < 0) { CHECK(0); free(msg); return; }
    cJSON *j = NULL;
    CHECK_STR(feeds(&r, msg, &j), "keep");
    CHECK(j && list_size(j, "entities") >= 6 && !truncated(j));
    cJSON_Delete(j);
    rig_close(&r);
    /* The entry's own option. */
    const char *sets[] = {"pipeline.entities.max_entities=2"};
    if (rig_open(&r, cfg, sets, 1) < 0) { CHECK(0); free(msg); return; }
    CHECK_STR(feeds(&r, msg, &j), "keep");
    CHECK(j && list_size(j, "entities") == 2 && truncated(j));
    cJSON_Delete(j);
    rig_close(&r);
    free(msg);
}

TEST(limits_section_truncates) {
    /* limits.max_entities / limits.max_quotes (docs/config.md) apply to
     * entries that do not set their own. */
    put("people.tsv", people_gaz);
    char cfg[2048];
    entities_cfg(cfg, sizeof cfg, "\"limits\": {\"max_entities\": 3},");
    rig_t r;
    char *msg = json_article(crowd);
    if (rig_open(&r, cfg, NULL, 0) < 0) { CHECK(0); free(msg); return; }
    cJSON *j = NULL;
    CHECK_STR(feeds(&r, msg, &j), "keep");
    CHECK(j && list_size(j, "entities") == 3 && truncated(j));
    cJSON_Delete(j);
    rig_close(&r);
    free(msg);
}

static const char *chatter =
    "\"One,\" said Ada Quill. \"Two,\" said Bram Oduya. \"Three,\" said Cleo Varga. "
    "\"Four,\" said Dev Halloran. \"Five,\" said Esme Tolland.";

TEST(quotes_truncated) {
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"pipeline\": [{\"name\": \"quotes\", \"data_dir\": \"%s/config/quotes\"}]}",
             WS_SOURCE_DIR);
    rig_t r;
    char *msg = json_article(chatter);
    if (rig_open(&r, cfg, NULL, 0) < 0) { CHECK(0); free(msg); return; }
    cJSON *j = NULL;
    CHECK_STR(feeds(&r, msg, &j), "keep");
    CHECK(j && list_size(j, "quotes") == 5 && !truncated(j));
    cJSON_Delete(j);
    rig_close(&r);
    const char *sets[] = {"pipeline.quotes.max_quotes=2"};
    if (rig_open(&r, cfg, sets, 1) < 0) { CHECK(0); free(msg); return; }
    CHECK_STR(feeds(&r, msg, &j), "keep");
    CHECK(j && list_size(j, "quotes") == 2 && truncated(j));
    cJSON_Delete(j);
    rig_close(&r);
    /* And through the limits section. */
    const char *sets2[] = {"limits.max_quotes=1"};
    if (rig_open(&r, cfg, sets2, 1) < 0) { CHECK(0); free(msg); return; }
    CHECK_STR(feeds(&r, msg, &j), "keep");
    CHECK(j && list_size(j, "quotes") == 1 && truncated(j));
    cJSON_Delete(j);
    rig_close(&r);
    free(msg);
}

static void cleanup(void) {
    static const char *const names[] = {"wirestream.json", "slow.rules", "gaz.tsv", "people.tsv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(path_in(names[i]));
    rmdir(dir);
}

int main(void) {
    ws_log_setup(WS_LOG_LOGFMT, WS_LOG_ERROR);
    snprintf(dir, sizeof dir, "/tmp/ws_limits_XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    RUN(too_large);
    RUN(too_deep);
    RUN(regex_limit);
    RUN(timeout);
    RUN(hostile_bodies_finish);
    RUN(entities_truncated);
    RUN(limits_section_truncates);
    RUN(quotes_truncated);
    cleanup();
    return ws_test_done();
}
