/* test_value_arena.c -- values built in a record's arena behave exactly like
 * malloc'd ones: same reads, same rendering, same ownership rules, and any
 * mix of the two is freed exactly once.  ctest runs this binary with
 * WS_VALUE_ARENA=1 and =0; under ASan the second run checks ownership and
 * leaks of every node, the first the arena's own bookkeeping. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_util.h"
#include "ws_config.h"
#include "ws_pipeline.h"
#include "ws_record_host.h"
#include "ws_test.h"
#include "ws_value.h"

static int arenas_on;   /* WS_VALUE_ARENA allows arenas in this run */

static char *render_value(const ws_value_t *v) {
    ws_buf_t b;
    ws_buf_init(&b);
    if (ws_value_render(v, &b) < 0) { ws_buf_free(&b); return strdup("(render failed)"); }
    char *s = strdup(b.data);
    ws_buf_free(&b);
    return s;
}

/* A tree that exercises every node type, inline and grown containers,
 * long and escaped keys, and strings of every rendering class. */
static ws_value_t *sample_tree(void) {
    ws_value_t *o = ws_value_object();
    ws_value_t *list = ws_value_array();
    for (int i = 0; i < 300; i++) {             /* grows the slots many times */
        ws_value_t *m = ws_value_object();
        ws_object_set(m, "text", ws_value_string("Ada Lovelace", 12));
        ws_object_set(m, "start", ws_value_int(i));
        ws_object_set(m, "end", ws_value_int(-i));
        ws_array_push(list, m);
    }
    ws_object_set(o, "list", list);
    ws_object_set(o, "plain", ws_value_string("caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d", 12));
    ws_object_set(o, "escaped", ws_value_string("say \"hi\"\n\\\x01", 11));
    ws_object_set(o, "cut", ws_value_string("caf\xc3", 4));             /* bad UTF-8 */
    ws_object_set(o, "empty", ws_value_string("", 0));
    ws_object_set(o, "d", ws_value_double(0.1));
    ws_object_set(o, "n", ws_value_null());
    ws_object_set(o, "t", ws_value_bool(1));
    ws_object_set(o, "f", ws_value_bool(0));
    /* Keys past the inline slots and key bytes, and keys needing escapes. */
    char key[200];   /* up to 160 key bytes: past the inline 64 */
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof key, "key_%02d_%.*s", i, i * 8,
                 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
                 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
        ws_object_set(o, key, ws_value_int(i));
    }
    ws_object_set(o, "q\"uo\\te\n", ws_value_int(1));
    ws_object_set(o, "caf\xc3\xa9", ws_value_int(2));
    ws_object_set(o, "bad\xff", ws_value_int(3));
    /* A long string: its own chunk in an arena. */
    size_t big = 40 * 1024;
    char *text = malloc(big);
    for (size_t i = 0; i < big; i++) text[i] = (char)('a' + i % 26);
    ws_object_set(o, "big", ws_value_string(text, big));
    free(text);
    ws_object_set(o, "plain", ws_value_string("replaced", 8));    /* replace in place */
    return o;
}

static void check_sample(const ws_value_t *o) {
    CHECK(ws_array_size(ws_object_get(o, "list")) == 300);
    const ws_value_t *m = ws_array_at(ws_object_get(o, "list"), 299);
    CHECK_STR(ws_value_str(ws_object_get(m, "text"), NULL), "Ada Lovelace");
    CHECK(ws_value_num(ws_object_get(m, "end")) == -299);
    CHECK(ws_value_is_int(ws_object_get(m, "start")));
    CHECK_STR(ws_value_str(ws_object_get(o, "plain"), NULL), "replaced");
    CHECK(ws_value_num(ws_object_get(o, "key_03_abcdefghijklmnopqrstuvwx")) == 3);
    CHECK(ws_value_num(ws_object_get(o, "key_00_")) == 0);
    CHECK(ws_value_num(ws_object_get(o, "q\"uo\\te\n")) == 1);
    CHECK(ws_value_num(ws_object_get(o, "caf\xc3\xa9")) == 2);
    CHECK(ws_object_get(o, "caf") == NULL);
    CHECK(ws_object_get(o, "key_1") == NULL);
    size_t n = 0;
    CHECK(ws_value_str(ws_object_get(o, "big"), &n) != NULL && n == 40 * 1024);
    CHECK(ws_value_truthy(ws_object_get(o, "t")) && !ws_value_truthy(ws_object_get(o, "f")));
    CHECK(!ws_value_truthy(ws_object_get(o, "empty")));
}

TEST(arena_and_malloc_values_read_and_render_the_same) {
    ws_value_t *heap = sample_tree();
    check_sample(heap);
    char *want = render_value(heap);
    ws_value_free(heap);
    CHECK_HAS(want, "\"plain\":\"replaced\"");
    CHECK_HAS(want, "\"escaped\":\"say \\\"hi\\\"\\n\\\\\\u0001\",");
    CHECK_HAS(want, "\"cut\":\"caf\xef\xbf\xbd\"");
    CHECK_HAS(want, "\"q\\\"uo\\\\te\\n\":1,\"caf\xc3\xa9\":2,\"bad\xef\xbf\xbd\":3");
    CHECK_HAS(want, "\"d\":0.1,\"n\":null,\"t\":true,\"f\":false");
    CHECK_HAS(want, "{\"text\":\"Ada Lovelace\",\"start\":299,\"end\":-299}]");

    ws_value_arena_t *a = ws_value_arena_new();
    CHECK((a != NULL) == arenas_on);
    for (int round = 0; round < 3; round++) {     /* reuse after reset */
        ws_value_arena_t *prev = ws_value_arena_enter(a);
        ws_value_t *o = sample_tree();
        ws_value_arena_leave(prev);
        CHECK(ws_value_in_arena(o) == arenas_on);
        CHECK((ws_value_arena_used(a) > 40 * 1024) == arenas_on);
        check_sample(o);
        char *got = render_value(o);
        CHECK(strcmp(got, want) == 0);   /* (too long to print) */
        free(got);
        ws_value_free(o);                 /* a no-op on arena values */
        ws_value_arena_reset(a);
        CHECK(ws_value_arena_used(a) == 0);
    }
    ws_value_arena_free(a);
    free(want);
}

/* Mixed ownership: a malloc'd value handed to an arena container, an arena
 * value in a malloc'd container, replacements and refusals of both.  Under
 * ASan any double free or leak here fails the run. */
TEST(mixed_ownership_is_freed_exactly_once) {
    ws_value_t *made_early = ws_value_object();        /* as in create(): malloc */
    ws_object_set(made_early, "k", ws_value_string("v", 1));
    ws_value_t *heap_list = ws_value_array();
    ws_value_t *replaced_heap = ws_value_string("old", 3);
    CHECK(!ws_value_in_arena(made_early));

    ws_value_arena_t *a = ws_value_arena_new();
    ws_value_arena_t *prev = ws_value_arena_enter(a);
    ws_value_t *o = ws_value_object();
    CHECK(ws_object_set(o, "early", made_early) == 0);            /* heap into arena */
    CHECK(ws_object_set(o, "r", replaced_heap) == 0);
    CHECK(ws_object_set(o, "r", ws_value_string("new", 3)) == 0); /* drops a heap value */
    CHECK(ws_array_push(heap_list, ws_value_int(7)) == 0);        /* arena into heap */
    CHECK(ws_object_set(o, NULL, ws_value_int(1)) == -1);         /* refused: freed */
    CHECK(ws_array_push(o, ws_value_string("x", 1)) == -1);       /* not an array */
    CHECK(ws_object_set(o, "refused_heap", NULL) == -1);
    ws_value_arena_leave(prev);
    CHECK(ws_array_push(o, ws_value_int(5)) == -1);               /* heap value refused by arena obj */
    CHECK(ws_object_set(o, "late", ws_value_string("late", 4)) == 0);   /* heap into arena, no arena current */
    CHECK_STR(ws_value_str(ws_object_get(ws_object_get(o, "early"), "k"), NULL), "v");
    CHECK_STR(ws_value_str(ws_object_get(o, "r"), NULL), "new");
    CHECK_STR(ws_value_str(ws_object_get(o, "late"), NULL), "late");
    CHECK(ws_value_num(ws_array_at(heap_list, 0)) == 7);
    char *s = render_value(o);
    CHECK_STR(s, "{\"early\":{\"k\":\"v\"},\"r\":\"new\",\"late\":\"late\"}");
    free(s);
    ws_value_free(heap_list);    /* frees the list, skips its arena element */
    ws_value_free(o);            /* arena: no-op (heap): frees all */
    ws_value_arena_reset(a);     /* frees made_early, replaced_heap and "late" */
    ws_value_arena_free(a);
}

/* The record owns the arena: values a processor builds during the pipeline
 * come from it, annotations of either kind render, and reset/free release
 * everything (ASan/LSan check the malloc'd ones). */
TEST(record_arena_through_the_pipeline) {
    const char *path = write_temp(0, "{\"pipeline\": [{\"name\": \"ex\", \"processor\": \"example\", "
                                     "\"keyword\": \"storm\"}]}");
    ws_config_t *c = NULL;
    char err[1024];
    CHECK(ws_config_load(path, NULL, 0, &c, err, sizeof err) == 0);
    unlink(path);
    if (!c) return;
    ws_pipeline_t *p = NULL;
    CHECK(ws_pipeline_new(c, NULL, 0, 0, &p, err, sizeof err) == 0);
    ws_config_free(c);
    if (!p) return;
    ws_record_t *r = ws_record_new();
    CHECK((ws_record_arena(r) != NULL) == arenas_on);
    ws_value_t *early = ws_value_array();                 /* made outside process() */
    ws_array_push(early, ws_value_string("outside", 7));
    for (int i = 0; i < 50; i++) {
        ws_article_opts_t o;
        ws_article_opts_default(&o);
        ws_article_t art;
        const char *reason;
        const char *body = i % 2 ? "{\"body\":\"A storm, then a storm.\"}" : "{\"body\":\"Calm.\"}";
        ws_record_reset(r);
        CHECK(ws_article_parse(&o, body, strlen(body), &art, &reason, err, sizeof err) == 0);
        ws_record_take_article(r, &art);
        ws_outcome_t out;
        ws_pipeline_run(p, r, &out);
        CHECK(out.result == WS_KEEP);
        const ws_value_t *ann = ws_record_annotation(r, "ex");
        CHECK(ws_value_in_arena(ann) == arenas_on);
        CHECK(ws_value_num(ws_object_get(ann, "count")) == (i % 2 ? 2 : 0));
        if (i == 10) {
            ws_record_set_entry(r, "host");
            CHECK(ws_record_annotate(r, NULL, early) == 0);   /* a malloc'd annotation */
            ws_record_set_entry(r, NULL);
        }
        ws_buf_t b;
        ws_buf_init(&b);
        CHECK(ws_record_render(r, &b) == 0);
        CHECK_HAS(b.data, i % 2 ? "\"count\":2" : "\"count\":0");
        if (i == 10) CHECK_HAS(b.data, "\"host\":[\"outside\"]");
        ws_buf_free(&b);
    }
    CHECK(ws_value_arena_enter(NULL) == NULL);   /* the pipeline left no arena current */
    ws_record_free(r);
    ws_pipeline_free(p);
}

/* A record's worth of values: a list of n small mentions, built in a. */
static ws_value_t *mention_list_in(ws_value_arena_t *a, size_t n) {
    ws_value_arena_t *prev = ws_value_arena_enter(a);
    ws_value_t *list = ws_value_array();
    for (size_t i = 0; i < n; i++) {
        ws_value_t *m = ws_value_object();
        ws_object_set(m, "text", ws_value_string("United States", 13));
        ws_object_set(m, "start", ws_value_int((int64_t)i));
        ws_array_push(list, m);
    }
    ws_value_arena_leave(prev);
    return list;
}

/* Many records' worth of values in one arena: memory is recycled, not
 * grown without bound (the kept chunk stays the same after warm-up). */
TEST(arena_memory_is_recycled) {
    if (!arenas_on) return;
    ws_value_arena_t *a = ws_value_arena_new();
    size_t first = 0;
    for (int round = 0; round < 200; round++) {
        ws_value_t *list = mention_list_in(a, 500);
        if (round == 0) first = ws_value_arena_used(a);
        CHECK(ws_value_arena_used(a) == first);
        CHECK(ws_array_size(list) == 500);
        ws_value_arena_reset(a);
    }
    ws_value_arena_free(a);
}

/* Random bytes as keys and strings (controls, quotes, backslashes, valid
 * and broken UTF-8): the output is always valid UTF-8 and parses as JSON,
 * and valid UTF-8 comes back unchanged -- whichever path a string takes. */
TEST(any_bytes_render_as_json_that_reads_back) {
    static const char pool[] = "aZ \"\\\n\x01\x1f\x7f\xc3\xa9\xe2\x80\x9c\xf0\x9f\x98\x80"
                               "\xed\xa0\x80\xc0\xaf\xff\xf4\x90\x80\x80\xe2\x82";
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    ws_value_arena_t *a = ws_value_arena_new();
    int failures = 0;
    for (int it = 0; it < 20000 && failures < 5; it++) {
        char s[48];
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
        size_t n = seed % 40;
        for (size_t i = 0; i < n; i++) {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            char c = (seed & 1) ? pool[(seed >> 1) % (sizeof pool - 1)] : (char)(seed >> 9);
            s[i] = c ? c : 'x';
        }
        s[n] = '\0';
        ws_value_arena_t *prev = ws_value_arena_enter((it & 1) ? a : NULL);
        ws_value_t *o = ws_value_object();
        ws_object_set(o, s, ws_value_string(s, n));
        ws_value_arena_leave(prev);
        char *text = render_value(o);
        cJSON *j = cJSON_Parse(text);
        int ok = ws_utf8_valid(text, strlen(text)) && j && cJSON_IsObject(j) && j->child &&
                 cJSON_IsString(j->child);
        if (ok && ws_utf8_valid(s, n))
            ok = strcmp(j->child->string, s) == 0 && strcmp(j->child->valuestring, s) == 0;
        if (!ok) {
            failures++;
            fprintf(stderr, "  random string %d renders as %s\n", it, text);
        }
        CHECK(ok);
        cJSON_Delete(j);
        free(text);
        ws_value_free(o);
        if (it % 512 == 0) ws_value_arena_reset(a);
    }
    ws_value_arena_free(a);
}

/* Keys are matched by length and their first bytes before the rest: keys
 * that agree in length and in any 8 bytes must still be told apart, and a
 * repeated key must replace the value in place, whatever its length. */
TEST(keys_that_share_bytes_stay_distinct) {
    static const char *const keys[] = {
        "", "a", "b", "ab", "ba", "abc", "abd", "abcd", "abce", "xbcd", "abcde", "abXde",
        "abcdef", "abcXef", "abcdefg", "abcXefg", "abcdefgh", "abcdefgX",
        "abcdefghi", "abcdefghj", "abcdefgh_start", "abcdefgh_end", "abcdefgh_endX",
        "speaker_start", "speaker_end", "\xc3\xa9", "\xc3\xaa", "a\"b", "a\\b",
        "0123456789abcdef0123", "0123456789abcdef0124", "1123456789abcdef0123",
    };
    size_t nk = sizeof keys / sizeof *keys;
    ws_value_arena_t *a = ws_value_arena_new();
    ws_value_arena_t *prev = ws_value_arena_enter(a);
    ws_value_t *o = ws_value_object();
    for (size_t i = 0; i < nk; i++) CHECK(ws_object_set(o, keys[i], ws_value_int((int64_t)i)) == 0);
    for (size_t i = 0; i < nk; i++) {
        const ws_value_t *v = ws_object_get(o, keys[i]);
        CHECK(v && ws_value_num(v) == (double)i);
    }
    CHECK(ws_object_get(o, "abcdefgh_en") == NULL && ws_object_get(o, "abcdefghk") == NULL &&
          ws_object_get(o, "abXd") == NULL && ws_object_get(o, "c") == NULL);
    /* Overwrite every other key (a copy, not the same pointer): the order
     * stays the insertion order and no member is added. */
    for (size_t i = 0; i < nk; i += 2) {
        char k[64];
        snprintf(k, sizeof k, "%s", keys[i]);
        CHECK(ws_object_set(o, k, ws_value_int(1000 + (int64_t)i)) == 0);
    }
    ws_buf_t b, want;
    ws_buf_init(&b);
    ws_buf_init(&want);
    CHECK(ws_value_render(o, &b) == 0);
    ws_buf_appendc(&want, '{');
    for (size_t i = 0; i < nk; i++) {
        if (i) ws_buf_appendc(&want, ',');
        ws_buf_append_json_string(&want, keys[i], strlen(keys[i]));
        ws_buf_printf(&want, ":%d", (int)(i % 2 ? i : 1000 + i));
    }
    ws_buf_appendc(&want, '}');
    CHECK_STR(b.data, want.data);
    ws_buf_free(&b);
    ws_buf_free(&want);
    ws_value_free(o);
    ws_value_arena_leave(prev);
    ws_value_arena_free(a);
}

/* Integers of every width, and leaves of every kind inside containers,
 * render as printf would. */
TEST(numbers_and_leaves_render_exactly) {
    ws_value_t *arr = ws_value_array();
    ws_buf_t want;
    ws_buf_init(&want);
    ws_buf_appendc(&want, '[');
    int64_t v = 1;
    for (int i = 0; i < 19; i++, v = i < 19 ? v * 10 : v) {
        int64_t xs[] = {v - 1, v, v + 1, -v, -(v - 1), v / 10 * 9};
        for (size_t j = 0; j < sizeof xs / sizeof *xs; j++) {
            ws_array_push(arr, ws_value_int(xs[j]));
            ws_buf_printf(&want, "%s%lld", want.len > 1 ? "," : "", (long long)xs[j]);
        }
    }
    ws_array_push(arr, ws_value_int(INT64_MIN));
    ws_array_push(arr, ws_value_int(INT64_MAX));
    ws_array_push(arr, ws_value_bool(1));
    ws_array_push(arr, ws_value_bool(0));
    ws_array_push(arr, ws_value_null());
    ws_array_push(arr, ws_value_string("", 0));
    ws_array_push(arr, ws_value_string("q\"", 2));
    ws_array_push(arr, ws_value_double(0.5));
    ws_array_push(arr, ws_value_object());
    ws_array_push(arr, ws_value_array());
    ws_buf_printf(&want, ",%lld,%lld,true,false,null,\"\",\"q\\\"\",0.5,{},[]]",
                  (long long)INT64_MIN, (long long)INT64_MAX);
    ws_buf_t b;
    ws_buf_init(&b);
    CHECK(ws_value_render(arr, &b) == 0);
    CHECK_STR(b.data, want.data);
    ws_buf_free(&b);
    ws_buf_free(&want);
    ws_value_free(arr);
}


/* Keys of every length from 0 to 40 bytes, at every alignment, on the heap
 * with nothing after their NUL (ASan catches a read past the block that
 * is not an aligned word's): set, got back through a copy at another
 * alignment, replaced by a copy, and rendered as the JSON escaper would.
 * Key bytes come from every class: lowercase (the fast test), digits,
 * capitals, spaces, quotes, backslashes, controls and UTF-8. */
TEST(keys_at_every_length_and_alignment) {
    static const char *const pieces[] = {"a", "z", "_", "0", "Q", " ", "\"", "\\", "\x01", "\x1f",
                                         "~", "]", "\xc3\xa9", "{"};
    size_t np = sizeof pieces / sizeof *pieces;
    uint64_t seed = 0x2545f4914f6cdd1dull;
    int bad = 0;
    for (int round = 0; round < 4 && bad < 5; round++) {
        ws_value_arena_t *a = ws_value_arena_new();
        ws_value_arena_t *prev = ws_value_arena_enter(round & 1 ? a : NULL);
        ws_value_t *o = ws_value_object();
        char *keys[41 * 8];
        size_t nk = 0;
        for (size_t len = 0; len <= 40; len++) {
            for (size_t off = 0; off < 8; off++) {
                char k[48];
                size_t n = 0;
                while (n < len) {
                    seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
                    /* mostly lowercase in rounds 0-1, any class in 2-3 */
                    const char *pc = round < 2 && (seed & 7) ? "abcdefghijklmnopqrstuvwxyz_" + (seed >> 8) % 27
                                                            : pieces[(seed >> 8) % np];
                    size_t pl = round < 2 && (seed & 7) ? 1 : strlen(pc);
                    if (n + pl > len) pl = 1, pc = "k";
                    memcpy(k + n, pc, pl);
                    n += pl;
                }
                k[n] = '\0';
                /* the key at offset off of a block that ends at its NUL */
                char *blk = malloc(off + n + 1);
                memcpy(blk + off, k, n + 1);
                int dup = -1;
                for (size_t i = 0; i < nk; i++)
                    if (strcmp(keys[i] + 8, k) == 0) dup = (int)i;
                CHECK(ws_object_set(o, blk + off, ws_value_int((int64_t)nk)) == 0);
                free(blk);
                if (dup >= 0) continue;   /* a repeat: replaced, checked below */
                keys[nk] = malloc(8 + n + 1);
                memcpy(keys[nk] + 8, k, n + 1);
                nk++;
            }
        }
        /* Every key reads back its last value, through a copy at each offset. */
        for (size_t i = 0; i < nk && bad < 5; i++) {
            const char *k = keys[i] + 8;
            size_t n = strlen(k);
            for (size_t off = 0; off < 8; off++) {
                char *blk = malloc(off + n + 1);
                memcpy(blk + off, k, n + 1);
                const ws_value_t *v = ws_object_get(o, blk + off);
                int ok = v != NULL;
                if (ok && off == 0) {
                    /* the value is the index of the last set of this key */
                    ok = ws_value_num(v) >= (double)i;
                }
                if (!ok) {
                    bad++;
                    fprintf(stderr, "  key of %zu bytes at offset %zu not found\n", n, off);
                }
                CHECK(ok);
                free(blk);
            }
        }
        /* Iteration gives every key, byte for byte, in insertion order,
         * with the value ws_object_get finds for it. */
        CHECK(ws_object_size(o) == nk);
        for (size_t i = 0; i < nk; i++) {
            const char *k = NULL;
            size_t kl = 0;
            const ws_value_t *v = ws_object_at(o, i, &k, &kl);
            const char *want_k = keys[i] + 8;
            CHECK(v != NULL && k != NULL && kl == strlen(want_k) && memcmp(k, want_k, kl) == 0);
            CHECK(v == ws_object_get(o, want_k));
        }
        CHECK(ws_object_at(o, nk, NULL, NULL) == NULL);
        CHECK(ws_object_size(ws_object_get(o, "nope")) == 0);
        /* A key one byte longer or shorter than a stored one is not found
         * unless it is stored itself. */
        CHECK(ws_object_get(o, "abcdefghijklmnopqrstuvwxyz_abcdefghijklmnopqrstuvwxyz") == NULL);
        /* Rendering: members in insertion order, keys escaped as the buffer
         * escaper does (all keys here are valid UTF-8). */
        ws_buf_t b, want;
        ws_buf_init(&b);
        ws_buf_init(&want);
        CHECK(ws_value_render(o, &b) == 0);
        ws_buf_appendc(&want, '{');
        for (size_t i = 0; i < nk; i++) {
            if (i) ws_buf_appendc(&want, ',');
            ws_buf_append_json_string(&want, keys[i] + 8, strlen(keys[i] + 8));
            ws_buf_printf(&want, ":%d", (int)ws_value_num(ws_object_get(o, keys[i] + 8)));
        }
        ws_buf_appendc(&want, '}');
        CHECK_STR(b.data, want.data);
        CHECK(ws_utf8_valid(b.data, b.len));
        ws_buf_free(&b);
        ws_buf_free(&want);
        for (size_t i = 0; i < nk; i++) free(keys[i]);
        ws_value_free(o);
        ws_value_arena_leave(prev);
        ws_value_arena_free(a);
    }
}

/* Strings of every length up to 70 with one byte of each class at every
 * position (the 16-byte scan's blocks, tails and overlaps): valid ones
 * render exactly as the JSON escaper writes them, invalid ones as valid
 * UTF-8 JSON -- with arenas and without. */
TEST(strings_of_every_length_and_class) {
    static const char *const odd[] = {"\"", "\\", "\n", "\x1f", "\x7f", " ", "\xc3\xa9",
                                      "\xe2\x80\x9c", "\xff", "\xc3", "\xed\xa0\x80"};
    size_t no = sizeof odd / sizeof *odd;
    ws_value_arena_t *a = ws_value_arena_new();
    int bad = 0;
    for (int arena = 0; arena < 2; arena++) {
        for (size_t len = 0; len <= 70 && bad < 5; len++) {
            for (size_t o = 0; o <= no && bad < 5; o++) {
                for (size_t at = 0; at < (o < no ? len : 1) || (len == 0 && at == 0); at++) {
                    char s[80];
                    size_t n = 0;
                    for (size_t i = 0; i < len && n < len; i++) {
                        if (o < no && i == at) {
                            size_t ol = strlen(odd[o]);
                            if (n + ol > len) break;
                            memcpy(s + n, odd[o], ol);
                            n += ol;
                        } else {
                            s[n++] = (char)('a' + i % 26);
                        }
                    }
                    ws_value_arena_t *prev = ws_value_arena_enter(arena ? a : NULL);
                    ws_value_t *arr = ws_value_array();
                    ws_array_push(arr, ws_value_string(s, n));
                    ws_value_arena_leave(prev);
                    ws_buf_t b, want;
                    ws_buf_init(&b);
                    ws_buf_init(&want);
                    CHECK(ws_value_render(arr, &b) == 0);
                    int ok = ws_utf8_valid(b.data, b.len);
                    if (ws_utf8_valid(s, n)) {
                        ws_buf_appendc(&want, '[');
                        ws_buf_append_json_string(&want, s, n);
                        ws_buf_appendc(&want, ']');
                        ok = ok && strcmp(b.data, want.data) == 0;
                    } else {
                        cJSON *j = cJSON_Parse(b.data);
                        ok = ok && j && cJSON_IsArray(j) && cJSON_IsString(j->child);
                        cJSON_Delete(j);
                    }
                    size_t sl = 0;
                    const char *got = ws_value_str(ws_array_at(arr, 0), &sl);
                    ok = ok && got && sl == n && memcmp(got, s, n) == 0 && got[n] == '\0';
                    if (!ok) {
                        bad++;
                        fprintf(stderr, "  string of %zu bytes (class %zu at %zu) renders as %s\n",
                                n, o, at, b.data);
                    }
                    CHECK(ok);
                    ws_buf_free(&b);
                    ws_buf_free(&want);
                    ws_value_free(arr);
                    if (len == 0) break;
                }
            }
            ws_value_arena_reset(a);
        }
    }
    ws_value_arena_free(a);
}

/* Records bigger than the arena's largest chunk reuse the chunks kept over
 * resets instead of allocating fresh ones each time, and what an arena
 * keeps stays bounded however big one record was. */
TEST(arena_reuses_chunks_and_stays_bounded) {
    if (!arenas_on) return;
    ws_value_arena_t *a = ws_value_arena_new();
    size_t held = 0;
    for (int round = 0; round < 30; round++) {
        /* ~2.5 MB of values a record: more than one chunk's worth; every
         * tenth record ~12 MB, more than an arena keeps. */
        size_t nobj = round % 10 == 9 ? 40000 : 8000;
        ws_value_t *list = mention_list_in(a, nobj);
        CHECK(ws_array_size(list) == nobj);
        size_t used = ws_value_arena_used(a);
        ws_value_arena_reset(a);
        size_t r = ws_value_arena_reserved(a);
        CHECK(r <= 4u * 1024 * 1024);   /* KEEP_MAX */
        /* A record that fits in what an arena keeps leaves its chunks for
         * the next one (not just the biggest). */
        if (nobj == 8000) CHECK(used > 1024 * 1024 && r >= used);
        /* Two records of the same size in a row hold the same chunks:
         * nothing new is allocated for the second and nothing dropped. */
        if (round > 0 && round % 10 != 9 && round % 10 != 0) CHECK(r == held);
        held = r;
    }
    ws_value_arena_free(a);
}

/* Shapes: an object made from a shape reads, renders and changes exactly
 * as the same object built key by key, in an arena or not, with values
 * from the arena or malloc'd; bad shapes are refused with a reason; a
 * failed value fails the object and nothing leaks. */
/* Member i's value in the shape tests: an int, a string or a bool. */
static ws_value_t *shape_val(const char *const *keys, size_t i, int salt) {
    return i % 3 == 0 ? ws_value_int((int64_t)i * 7 + salt)
         : i % 3 == 1 ? ws_value_string(keys[i], strlen(keys[i]))
                      : ws_value_bool((int)(i + (size_t)salt) & 1);
}

static ws_value_t *shape_vals_set(const char *const *keys, size_t n, int salt) {
    ws_value_t *o = ws_value_object();
    for (size_t i = 0; i < n; i++) ws_object_set(o, keys[i], shape_val(keys, i, salt));
    return o;
}

static ws_value_t *shape_vals_make(const ws_shape_t *sh, const char *const *keys, size_t n, int salt) {
    ws_value_t *v[WS_SHAPE_MAX];
    for (size_t i = 0; i < n; i++) v[i] = shape_val(keys, i, salt);
    return ws_object_make(sh, v);
}

TEST(shaped_objects_equal_objects_set_key_by_key) {
    /* tag-only keys, keys kept as bytes (> 8, > 16, past the 64 inline key
     * bytes in all), and keys that need escaping */
    static const char *const keys[] = {
        "text", "type", "canonical", "start", "end", "a_rather_long_key_name_over_16",
        "Upper", "q\"uo\\te", "caf\xc3\xa9", "x", "another_key_of_twenty_six", "k12345678"};
    const size_t nk = sizeof keys / sizeof keys[0];
    char err[128];
    for (int mode = 0; mode < 3; mode++) {
        /* 0: no arena; 1: in an arena; 2: malloc'd values into an arena object */
        for (size_t n = 1; n <= nk; n++) {
            ws_shape_t *sh = NULL;
            CHECK(ws_shape_new(&sh, keys, n, err, sizeof err) == 0);
            CHECK(ws_shape_size(sh) == n);
            ws_value_arena_t *a = mode ? ws_value_arena_new() : NULL;
            ws_value_t *made;
            if (mode == 2) {
                ws_value_t *v[WS_SHAPE_MAX];
                for (size_t i = 0; i < n; i++) v[i] = ws_value_int((int64_t)i * 7 + 1);
                ws_value_arena_t *prev = ws_value_arena_enter(a);
                made = ws_object_make(sh, v);
                ws_value_arena_leave(prev);
            }
            ws_value_arena_t *prev = ws_value_arena_enter(a);
            if (mode != 2) made = shape_vals_make(sh, keys, n, 1);
            ws_value_t *set = mode == 2 ? ws_value_object() : shape_vals_set(keys, n, 1);
            if (mode == 2)
                for (size_t i = 0; i < n; i++) ws_object_set(set, keys[i], ws_value_int((int64_t)i * 7 + 1));
            CHECK(made != NULL && ws_value_type(made) == WS_VALUE_OBJECT);
            char *rm = render_value(made), *rs = render_value(set);
            CHECK_STR(rm, rs);
            free(rm);
            free(rs);
            CHECK(ws_object_size(made) == n);
            for (size_t i = 0; i < n; i++) {
                const char *k;
                size_t kl;
                const ws_value_t *v = ws_object_at(made, i, &k, &kl);
                CHECK(v != NULL && kl == strlen(keys[i]) && memcmp(k, keys[i], kl) == 0);
                CHECK(v == ws_object_get(made, keys[i]));
            }
            /* Changing it afterwards: a replaced key, then enough new keys to
             * grow its slots and key bytes past what the shape gave it. */
            ws_object_set(made, keys[0], ws_value_string("replaced", 8));
            ws_object_set(set, keys[0], ws_value_string("replaced", 8));
            for (int i = 0; i < 12; i++) {
                char k[64];
                snprintf(k, sizeof k, "added_member_number_%02d", i);
                ws_object_set(made, k, ws_value_int(i));
                ws_object_set(set, k, ws_value_int(i));
            }
            rm = render_value(made);
            rs = render_value(set);
            CHECK_STR(rm, rs);
            free(rm);
            free(rs);
            ws_value_free(made);
            ws_value_free(set);
            ws_value_arena_leave(prev);
            if (a) ws_value_arena_free(a);
            ws_shape_free(sh);
        }
    }
    /* Refused shapes, each with a reason. */
    ws_shape_t *sh = (ws_shape_t *)&err;   /* must be reset to NULL */
    const char *dup[] = {"start", "end", "start"};
    err[0] = 0;
    CHECK(ws_shape_new(&sh, dup, 3, err, sizeof err) == -1 && sh == NULL && err[0]);
    const char *withnull[] = {"start", NULL};
    err[0] = 0;
    CHECK(ws_shape_new(&sh, withnull, 2, err, sizeof err) == -1 && sh == NULL && err[0]);
    err[0] = 0;
    CHECK(ws_shape_new(&sh, keys, 0, err, sizeof err) == -1 && err[0]);
    const char *many[WS_SHAPE_MAX + 1];
    char names[WS_SHAPE_MAX + 1][8];
    for (int i = 0; i <= WS_SHAPE_MAX; i++) {
        snprintf(names[i], sizeof names[i], "k%d", i);
        many[i] = names[i];
    }
    CHECK(ws_shape_new(&sh, many, WS_SHAPE_MAX, err, sizeof err) == 0 && sh);
    ws_shape_free(sh);
    err[0] = 0;
    CHECK(ws_shape_new(&sh, many, WS_SHAPE_MAX + 1, err, sizeof err) == -1 && err[0]);
    /* A NULL value (a failed ws_value_*()) fails the object; the others are
     * freed (LSan checks this in the WS_VALUE_ARENA=0 run). */
    CHECK(ws_shape_new(&sh, keys, 3, err, sizeof err) == 0);
    ws_value_t *v[3] = {ws_value_string("kept?", 5), NULL, ws_value_int(3)};
    CHECK(ws_object_make(sh, v) == NULL);
    CHECK(ws_object_make(NULL, v) == NULL);   /* nothing to free: v[0], v[2] are gone */
    ws_shape_free(sh);
    ws_shape_free(NULL);
    CHECK(ws_shape_size(NULL) == 0);
}

/* ws_object_build: the same object as ws_object_make of the same values
 * made one by one (the general path), read member by member (type, flags
 * as seen through the API, bytes, arena or not) and rendered, before and
 * after changes; in an arena (many objects, so that chunks fill up and
 * the slow paths run too) and without one; with given values, long and
 * escaped strings, and a failed member failing the object. */
static const char *const build_strs[] = {
    "", "a", "US", "ORG", "GPE", "PERSON", "Washington", "fifteen bytes!!", "sixteen bytes!!!",
    "United Nations Security Council", "q\"uote", "back\\slash", "tab\there", "caf\xc3\xa9",
    "bad \xc3 utf8", "\xe2\x80\x9cquoted\xe2\x80\x9d", "ctl\x01", "emoji \xf0\x9f\x98\x80"};
#define N_BUILD_STRS (sizeof build_strs / sizeof build_strs[0])

static char long_str[5000];
/* Leaves made outside any arena, copied by members (ws_member_t.copy). */
static ws_value_t *copy_src[8];

static void copy_src_init(void) {
    ws_value_arena_t *prev = ws_value_arena_enter(NULL);
    copy_src[0] = ws_value_string("PERSON", 6);
    copy_src[1] = ws_value_string("needs \"escaping\"", 16);
    copy_src[2] = ws_value_string(long_str, 300);
    copy_src[3] = ws_value_int(-42);
    copy_src[4] = ws_value_double(2.5);
    copy_src[5] = ws_value_bool(1);
    copy_src[6] = ws_value_null();
    copy_src[7] = ws_value_string("", 0);
    ws_value_arena_leave(prev);
}

/* Member j of object k: a string (short, long, escaped), an int, a bool,
 * null, or a given value (arena or, with heap set, malloc'd). */
static ws_member_t build_member(size_t k, size_t j, int heap) {
    ws_member_t m = {0};
    switch ((k + j) % 9) {
    case 0: case 1: case 2: {
        size_t s = (k * 7 + j) % (N_BUILD_STRS + 3);
        m.type = WS_VALUE_STRING;
        if (s < N_BUILD_STRS) {
            m.str = build_strs[s];
            m.len = strlen(build_strs[s]);
        } else {   /* around BUILD_STR_MAX (4096) and past a chunk's quarter */
            m.str = long_str;
            m.len = s == N_BUILD_STRS ? 4096 : s == N_BUILD_STRS + 1 ? 4097 : 100 + k % 50;
        }
        break;
    }
    case 3: case 4: m.type = WS_VALUE_NUMBER; m.num = (int64_t)(k * 1000003u) - 70000; break;
    case 5: m.type = WS_VALUE_BOOL; m.num = (int64_t)(k % 3); break;
    case 6: m.type = WS_VALUE_NULL; break;
    case 7: {   /* a given value: the type field is ignored */
        ws_value_arena_t *prev = heap ? ws_value_arena_enter(NULL) : NULL;
        m.val = k % 2 ? ws_value_double(0.5 + (double)k) : ws_value_string("given", 5);
        if (heap) ws_value_arena_leave(prev);
        m.type = WS_VALUE_OBJECT;
        break;
    }
    default:   /* a copy of a prepared leaf */
        m.type = WS_VALUE_INVALID;
        m.copy = copy_src[(k + 3 * j) % 8];
        break;
    }
    return m;
}

/* The general path's value for a member (a copy of a given value). */
static ws_value_t *member_ref(const ws_member_t *m) {
    const ws_value_t *c = m->val ? m->val : m->copy;
    if (c) {
        size_t l;
        const char *s = ws_value_str(c, &l);
        switch (ws_value_type(c)) {
        case WS_VALUE_STRING: return ws_value_string(s, l);
        case WS_VALUE_BOOL: return ws_value_bool(ws_value_truthy(c));
        case WS_VALUE_NULL: return ws_value_null();
        default: return ws_value_is_int(c) ? ws_value_int(ws_value_int_of(c)) : ws_value_double(ws_value_num(c));
        }
    }
    switch (m->type) {
    case WS_VALUE_STRING: return ws_value_string(m->str, m->len);
    case WS_VALUE_NUMBER: return ws_value_int(m->num);
    case WS_VALUE_BOOL: return ws_value_bool(m->num != 0);
    default: return ws_value_null();
    }
}

static void check_same_member(const ws_value_t *a, const ws_value_t *b, int arena) {
    CHECK(ws_value_type(a) == ws_value_type(b));
    CHECK(ws_value_is_int(a) == ws_value_is_int(b));
    CHECK(ws_value_int_of(a) == ws_value_int_of(b));
    CHECK(ws_value_truthy(a) == ws_value_truthy(b));
    CHECK(ws_value_num(a) == ws_value_num(b));
    size_t la = 0, lb = 0;
    const char *sa = ws_value_str(a, &la), *sb = ws_value_str(b, &lb);
    CHECK((sa == NULL) == (sb == NULL));
    if (sa && sb) CHECK(la == lb && memcmp(sa, sb, la) == 0 && sa[la] == '\0');
    CHECK(ws_value_in_arena(a) == arena);
    char *ra = render_value(a), *rb = render_value(b);
    CHECK_STR(ra, rb);
    free(ra);
    free(rb);
}

TEST(built_objects_equal_objects_made_from_values) {
    memset(long_str, 'x', sizeof long_str);
    long_str[3] = '"';   /* long strings need escaping too */
    copy_src_init();
    static const char *const keys[] = {"text", "type", "canonical", "start", "end",
                                       "a_rather_long_key_name_over_16", "q\"uo\\te", "k9"};
    char err[128];
    for (int mode = 0; mode < 3; mode++) {
        /* 0: no arena; 1: in an arena; 2: in an arena, given values malloc'd */
        for (size_t n = 1; n <= 8; n++) {
            ws_shape_t *sh = NULL;
            CHECK(ws_shape_new(&sh, keys, n, err, sizeof err) == 0);
            ws_value_arena_t *a = mode ? ws_value_arena_new() : NULL;
            ws_value_arena_t *prev = ws_value_arena_enter(a);
            size_t nobj = mode ? 3000 : 200;
            ws_value_t *built_list = ws_value_array(), *ref_list = ws_value_array();
            CHECK(ws_array_reserve(built_list, nobj) == 0);
            for (size_t k = 0; k < nobj; k++) {
                ws_member_t m[8];
                ws_value_t *v[8];
                for (size_t j = 0; j < n; j++) {
                    m[j] = build_member(k, j, mode == 2);
                    v[j] = member_ref(&m[j]);
                }
                ws_value_t *ref = ws_object_make(sh, v);
                ws_value_t *built = ws_object_build(sh, m);
                CHECK(built != NULL && ref != NULL);
                if (!built || !ref) { ws_value_free(built); ws_value_free(ref); continue; }
                CHECK(ws_value_type(built) == WS_VALUE_OBJECT && ws_object_size(built) == n);
                CHECK(ws_value_in_arena(built) == (a != NULL));
                for (size_t j = 0; j < n; j++) {
                    const char *kb, *kr;
                    size_t lb, lr;
                    const ws_value_t *b = ws_object_at(built, j, &kb, &lb);
                    const ws_value_t *r = ws_object_at(ref, j, &kr, &lr);
                    CHECK(lb == lr && memcmp(kb, kr, lb) == 0);
                    CHECK(b == ws_object_get(built, keys[j]));
                    if (m[j].val) CHECK(b == m[j].val);   /* given values are taken as they are */
                    check_same_member(b, r, a != NULL && !(m[j].val && mode == 2));
                }
                char *rb = render_value(built), *rr = render_value(ref);
                CHECK_STR(rb, rr);
                free(rb);
                free(rr);
                if (k % 5 == 0) {   /* changed afterwards: replaced, grown, a part freed */
                    for (ws_value_t *o = built;; o = ref) {
                        ws_object_set(o, keys[0], ws_value_string("replaced", 8));
                        ws_object_set(o, "added_member", ws_value_int((int64_t)k));
                        if (o == ref) break;
                    }
                    rb = render_value(built);
                    rr = render_value(ref);
                    CHECK_STR(rb, rr);
                    free(rb);
                    free(rr);
                }
                CHECK(ws_array_push(built_list, built) == 0);
                CHECK(ws_array_push(ref_list, ref) == 0);
            }
            CHECK(ws_array_size(built_list) == nobj && ws_array_size(ref_list) == nobj);
            char *rb = render_value(built_list), *rr = render_value(ref_list);
            CHECK_STR(rb, rr);
            free(rb);
            free(rr);
            ws_value_free(built_list);
            ws_value_free(ref_list);
            ws_value_arena_leave(prev);
            if (a) ws_value_arena_free(a);
            ws_shape_free(sh);
        }
    }
    /* A failed member (type left invalid, no value) fails the object; the
     * given values are freed (LSan checks this in the WS_VALUE_ARENA=0 run). */
    ws_shape_t *sh = NULL;
    CHECK(ws_shape_new(&sh, keys, 3, err, sizeof err) == 0);
    for (int mode = 0; mode < 2; mode++) {
        ws_value_arena_t *a = mode ? ws_value_arena_new() : NULL;
        ws_value_arena_t *prev = ws_value_arena_enter(a);
        ws_member_t bad[3] = {{.val = ws_value_string("taken", 5)},
                              {.type = WS_VALUE_INVALID},
                              {.type = WS_VALUE_STRING, .str = "x", .len = 1}};
        CHECK(ws_object_build(sh, bad) == NULL);
        ws_member_t bad2[3] = {{.type = WS_VALUE_NUMBER, .num = 1},
                               {.type = WS_VALUE_ARRAY},
                               {.val = ws_value_int(2)}};
        CHECK(ws_object_build(sh, bad2) == NULL);
        CHECK(ws_object_build(NULL, bad2) == NULL);
        ws_member_t bad3[3] = {{.type = WS_VALUE_NUMBER, .num = 1},
                               {.type = WS_VALUE_INVALID, .copy = NULL},
                               {.val = ws_value_int(2)}};
        CHECK(ws_object_build(sh, bad3) == NULL);
        /* an empty string may come with no bytes at all, as in ws_value_string */
        ws_member_t empty[3] = {{.type = WS_VALUE_STRING, .str = NULL, .len = 0},
                                {.type = WS_VALUE_NUMBER, .num = 7},
                                {.type = WS_VALUE_STRING, .str = "", .len = 0}};
        ws_value_t *eo = ws_object_build(sh, empty);
        CHECK(eo != NULL && ws_value_str(ws_object_get(eo, keys[0]), NULL) != NULL);
        char *er = render_value(eo);
        CHECK_STR(er, "{\"text\":\"\",\"type\":7,\"canonical\":\"\"}");
        free(er);
        ws_value_free(eo);
        ws_value_t *arr = ws_value_array();
        ws_member_t bad4[3] = {{.type = WS_VALUE_INVALID, .copy = arr},   /* not a leaf */
                               {.type = WS_VALUE_NULL},
                               {.val = ws_value_int(2)}};
        CHECK(ws_object_build(sh, bad4) == NULL);
        ws_value_free(arr);
        ws_value_arena_leave(prev);
        if (a) ws_value_arena_free(a);
    }
    ws_shape_free(sh);
    for (size_t i = 0; i < 8; i++) CHECK(ws_value_type(copy_src[i]) != WS_VALUE_INVALID);   /* still the caller's */
}

/* ws_array_build appends what pushing ws_object_build's objects one by one
 * gives (arena or not, over chunk ends, after members already there), and
 * a failed member fails it with every value freed. */
TEST(array_build_appends_what_pushes_of_built_objects_give) {
    static const char *const keys[] = {"text", "type", "canonical", "start", "end"};
    char err[128];
    ws_shape_t *sh = NULL;
    CHECK(ws_shape_new(&sh, keys, 5, err, sizeof err) == 0);
    enum { NOBJ = 2500 };
    ws_member_t *mb = calloc(NOBJ * 5, sizeof *mb), *mr = calloc(NOBJ * 5, sizeof *mr);
    for (int mode = 0; mode < 2; mode++) {
        ws_value_arena_t *a = mode ? ws_value_arena_new() : NULL;
        ws_value_arena_t *prev = ws_value_arena_enter(a);
        ws_value_t *built = ws_value_array(), *ref = ws_value_array();
        ws_array_push(built, ws_value_string("already there", 13));
        ws_array_push(ref, ws_value_string("already there", 13));
        for (size_t k = 0; k < NOBJ; k++)
            for (size_t j = 0; j < 5; j++) {
                mb[k * 5 + j] = build_member(k, j, 0);
                mr[k * 5 + j] = mb[k * 5 + j];
                if (mb[k * 5 + j].val) mr[k * 5 + j].val = member_ref(&mb[k * 5 + j]);
            }
        for (size_t k = 0; k < NOBJ; k += 100) {   /* in batches, as a processor would */
            CHECK(ws_array_build(built, sh, mb + k * 5, 100) == 0);
            for (size_t i = k; i < k + 100; i++) ws_array_push(ref, ws_object_build(sh, mr + i * 5));
        }
        CHECK(ws_array_size(built) == NOBJ + 1);
        char *rb = render_value(built), *rr = render_value(ref);
        CHECK_STR(rb, rr);
        free(rb);
        free(rr);
        CHECK(ws_array_build(built, sh, mb, 0) == 0 && ws_array_size(built) == NOBJ + 1);
        /* a failed member in the third object: -1, and nothing leaks */
        ws_member_t bad[15];
        for (size_t j = 0; j < 15; j++)
            bad[j] = j == 11 ? (ws_member_t){.type = WS_VALUE_INVALID}
                             : (ws_member_t){.val = ws_value_int((int64_t)j)};
        CHECK(ws_array_build(built, sh, bad, 3) == -1);
        for (size_t j = 0; j < 15; j++) bad[j] = (ws_member_t){.val = ws_value_int((int64_t)j)};
        ws_value_t *obj = ws_value_object();
        CHECK(ws_array_build(obj, sh, bad, 3) == -1);   /* not an array: the values are freed */
        ws_value_free(obj);
        ws_value_free(built);
        ws_value_free(ref);
        ws_value_arena_leave(prev);
        if (a) ws_value_arena_free(a);
    }
    free(mb);
    free(mr);
    ws_shape_free(sh);
    for (size_t i = 0; i < 8; i++) ws_value_free(copy_src[i]);
}

/* Short strings are read 16 bytes at a time when that stays within a page:
 * a string that ends just before an unmapped page is built as well (no
 * fault), and equals the general path's string at every length and offset. */
TEST(built_strings_that_end_at_a_page_end) {
    long pg = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(map != MAP_FAILED);
    if (map == MAP_FAILED) return;
    CHECK(mprotect(map + pg, (size_t)pg, PROT_NONE) == 0);
    static const char *const keys[] = {"text"};
    char err[128];
    ws_shape_t *sh = NULL;
    CHECK(ws_shape_new(&sh, keys, 1, err, sizeof err) == 0);
    ws_value_arena_t *a = ws_value_arena_new();
    ws_value_arena_t *prev = ws_value_arena_enter(a);
    const char fill[] = "Ab\"\\\n\xc3\xa9 xyz0123456789";
    for (size_t len = 0; len < 20; len++)
        for (size_t back = len; back < len + 20; back++) {   /* ends back - len bytes before the page end */
            char *s = map + pg - back;
            for (size_t i = 0; i < len; i++) s[i] = fill[(i + back) % (sizeof fill - 1)];
            ws_member_t m = {.type = WS_VALUE_STRING, .str = s, .len = len};
            ws_value_t *o = ws_object_build(sh, &m);
            ws_value_t *ref = ws_value_string(s, len);
            CHECK(o != NULL && ref != NULL);
            if (o && ref) check_same_member(ws_object_get(o, "text"), ref, a != NULL);
            ws_value_free(o);
            ws_value_free(ref);
        }
    ws_value_arena_leave(prev);
    ws_value_arena_free(a);
    ws_shape_free(sh);
    munmap(map, 2 * (size_t)pg);
}

/* Strings built into objects equal ws_value_string's at every length (the
 * one-load short way, the 16-byte steps of longer ones) and byte class
 * (plain, escaped, non-ASCII, bad UTF-8, a special byte at any place), in
 * shapes of 3, 4, 5 and 6 keys; a member given the same bytes pointer and
 * length as the string member before it (a canonical name that is the
 * text) reads, renders and is replaced as a copy of its own would be. */
/* The end of one built-against-reference case: both arrays, the members,
 * the arena (left, then freed) and the shape. */
static void build_case_end(ws_value_t *built, ws_value_t *ref, ws_member_t *mb,
                           ws_value_arena_t *prev, ws_value_arena_t *a, ws_shape_t *sh) {
    ws_value_free(built);
    ws_value_free(ref);
    free(mb);
    ws_value_arena_leave(prev);
    if (a) ws_value_arena_free(a);
    ws_shape_free(sh);
}

static uint32_t lcg_next(uint32_t *st) {
    *st = *st * 1664525u + 1013904223u;
    return *st >> 8;
}

TEST(built_strings_of_every_length_and_repeated_members) {
    static const unsigned char pool[] = {'a', 'B', ' ', '7', '"', '\\', '\n', 0x01, 0x1f, 0x7f,
                                         0xc3, 0xa9, 0xe2, 0x80, 0x9c, 0xf0, 0x9f, 0x98, 0xff};
    static const char *const keys[] = {"text", "type", "canonical", "start", "end", "extra"};
    char err[128];
    uint32_t st = 12345;
    char *text = malloc(64 * 1024);
    for (size_t i = 0; i < 64 * 1024; i++) {   /* mostly ASCII letters, some of every class */
        uint32_t r = lcg_next(&st);
        text[i] = (char)(r % 8 == 0 ? pool[(r >> 4) % sizeof pool] : 'a' + (char)((r >> 4) % 26));
    }
    char *copy = malloc(64 * 1024);   /* the same bytes elsewhere */
    memcpy(copy, text, 64 * 1024);
    ws_value_arena_t *prev0 = ws_value_arena_enter(NULL);
    ws_value_t *type_leaf = ws_value_string("PERSON", 6);
    ws_value_arena_leave(prev0);
    for (int mode = 0; mode < 2; mode++) {
        for (size_t n = 3; n <= 6; n++) {
            ws_shape_t *sh = NULL;
            CHECK(ws_shape_new(&sh, keys, n, err, sizeof err) == 0);
            ws_value_arena_t *a = mode ? ws_value_arena_new() : NULL;
            ws_value_arena_t *prev = ws_value_arena_enter(a);
            enum { NOBJ = 1500 };
            ws_member_t *mb = calloc(NOBJ * n, sizeof *mb);
            ws_value_t *built = ws_value_array(), *ref = ws_value_array();
            for (size_t k = 0; k < NOBJ; k++) {
                ws_member_t *m = mb + k * n;
                size_t len = k % 90, off = lcg_next(&st) % (64 * 1024 - 100);
                m[0] = (ws_member_t){.type = WS_VALUE_STRING, .str = text + off, .len = len};
                m[1] = (ws_member_t){.type = WS_VALUE_INVALID, .copy = type_leaf};
                switch (k % 5) {   /* the same bytes (at the same place or not), or not quite */
                case 0: case 1: m[2] = m[0]; break;
                case 2: m[2] = (ws_member_t){.type = WS_VALUE_STRING, .str = text + off, .len = len / 2}; break;
                case 3: m[2] = (ws_member_t){.type = WS_VALUE_STRING, .str = text + off + 1, .len = len}; break;
                default: m[2] = (ws_member_t){.type = WS_VALUE_STRING, .str = copy + off, .len = len}; break;
                }
                if (n > 3) m[3] = (ws_member_t){.type = WS_VALUE_NUMBER, .num = (int64_t)off};
                if (n > 4) m[4] = m[k % 3 ? 0 : 2];   /* a repeat after a number */
                if (n > 5) m[5] = (ws_member_t){.type = WS_VALUE_STRING, .str = text + off, .len = len};
                ws_value_t *v[6];
                for (size_t j = 0; j < n; j++) v[j] = member_ref(&m[j]);
                ws_array_push(ref, ws_object_make(sh, v));
            }
            for (size_t k = 0; k < NOBJ; k += 32)
                CHECK(ws_array_build(built, sh, mb + k * n, NOBJ - k < 32 ? NOBJ - k : 32) == 0);
            CHECK(ws_array_size(built) == NOBJ && ws_array_size(ref) == NOBJ);
            for (size_t k = 0; k < NOBJ; k++) {
                const ws_value_t *bo = ws_array_at(built, k), *ro = ws_array_at(ref, k);
                for (size_t j = 0; j < n; j++)
                    check_same_member(ws_object_at(bo, j, NULL, NULL), ws_object_at(ro, j, NULL, NULL), a != NULL);
            }
            char *rb = render_value(built), *rr = render_value(ref);
            CHECK_STR(rb, rr);
            free(rb);
            free(rr);
            /* replacing a member leaves its repeat as it was */
            for (size_t k = 0; k < NOBJ; k += 7) {
                ws_object_set((ws_value_t *)ws_array_at(built, k), keys[0], ws_value_string("new", 3));
                ws_object_set((ws_value_t *)ws_array_at(ref, k), keys[0], ws_value_string("new", 3));
            }
            rb = render_value(built);
            rr = render_value(ref);
            CHECK_STR(rb, rr);
            free(rb);
            free(rr);
            build_case_end(built, ref, mb, prev, a, sh);
        }
    }
    ws_value_free(type_leaf);
    free(text);
    free(copy);
}

/* Copy members (ws_member_t.copy) of many sources, more than a run
 * remembers and some of them at addresses that share its slots, built in
 * runs of every length: each reads and renders as a copy of its source
 * would; replacing one leaves the others as they were; and a source freed
 * after a call, its address then given to a leaf of other contents, is
 * copied anew by the next call. */
TEST(copy_members_of_many_sources_in_runs) {
    static const char *const keys[] = {"text", "type", "canonical", "start", "end"};
    char err[128];
    enum { NSRC = 40, NOBJ = 600 };
    uint32_t st = 777;
    for (int mode = 0; mode < 2; mode++) {
        ws_value_arena_t *prev0 = ws_value_arena_enter(NULL);
        ws_value_t *src[NSRC];
        for (size_t i = 0; i < NSRC; i++) {   /* strings short and long, numbers, leaves */
            char b[64];
            int l = snprintf(b, sizeof b, i % 7 == 0 ? "a longer source string number %zu" : "T%zu", i);
            src[i] = i % 5 == 3 ? ws_value_int((int64_t)i * 1000 - 7)
                   : i % 11 == 5 ? ws_value_bool((int)(i & 1))
                   : i == 13 ? ws_value_null()
                   : ws_value_string(b, (size_t)l);
        }
        ws_value_arena_leave(prev0);
        for (size_t n = 3; n <= 5; n++) {
            ws_shape_t *sh = NULL;
            CHECK(ws_shape_new(&sh, keys, n, err, sizeof err) == 0);
            ws_value_arena_t *a = mode ? ws_value_arena_new() : NULL;
            ws_value_arena_t *prev = ws_value_arena_enter(a);
            ws_member_t *mb = calloc(NOBJ * n, sizeof *mb);
            ws_value_t *built = ws_value_array(), *ref = ws_value_array();
            for (size_t k = 0; k < NOBJ; k++) {
                ws_member_t *m = mb + k * n;
                uint32_t r = lcg_next(&st);
                m[0] = (ws_member_t){.type = WS_VALUE_STRING, .str = "text", .len = 1 + r % 4};
                m[1] = (ws_member_t){.type = WS_VALUE_INVALID, .copy = src[r % NSRC]};
                m[2] = (ws_member_t){.type = WS_VALUE_INVALID, .copy = src[(r >> 8) % 3]};
                if (n > 3) m[3] = (ws_member_t){.type = WS_VALUE_NUMBER, .num = (int64_t)k};
                if (n > 4) m[4] = m[1];   /* the same source twice in one object */
                ws_value_t *v[5];
                for (size_t j = 0; j < n; j++) v[j] = member_ref(&m[j]);
                ws_array_push(ref, ws_object_make(sh, v));
            }
            for (size_t k = 0, run = 1; k < NOBJ; k += run, run = run % 70 + 1)
                CHECK(ws_array_build(built, sh, mb + k * n, NOBJ - k < run ? NOBJ - k : run) == 0);
            CHECK(ws_array_size(built) == NOBJ);
            for (size_t k = 0; k < NOBJ; k++)
                for (size_t j = 0; j < n; j++)
                    check_same_member(ws_object_at(ws_array_at(built, k), j, NULL, NULL),
                                      ws_object_at(ws_array_at(ref, k), j, NULL, NULL), a != NULL);
            for (size_t k = 0; k < NOBJ; k += 3) {   /* replace a member that others may share */
                ws_object_set((ws_value_t *)ws_array_at(built, k), keys[1], ws_value_string("new", 3));
                ws_object_set((ws_value_t *)ws_array_at(ref, k), keys[1], ws_value_string("new", 3));
            }
            char *rb = render_value(built), *rr = render_value(ref);
            CHECK_STR(rb, rr);
            free(rb);
            free(rr);
            /* a NULL copy fails its object: the run's first, or its second
             * after one that copied nothing or a source */
            for (int c = 0; c < 3; c++) {
                ws_member_t bad[2 * 5];
                for (size_t j = 0; j < 2 * n; j++)
                    bad[j] = (ws_member_t){.type = WS_VALUE_NUMBER, .num = (int64_t)j};
                size_t obj = c == 0 ? 0 : 1;
                bad[obj * n + 1] = (ws_member_t){.type = WS_VALUE_INVALID, .copy = NULL};
                if (c == 2) bad[1] = (ws_member_t){.type = WS_VALUE_INVALID, .copy = src[4]};
                ws_value_t *tmp = ws_value_array();
                CHECK(ws_array_build(tmp, sh, bad, 2) == -1);
                ws_value_free(tmp);
                CHECK(ws_object_build(sh, bad + obj * n) == NULL);
            }
            /* a source freed and its address reused by other contents */
            for (int round = 0; round < 4; round++) {
                ws_value_arena_t *p1 = ws_value_arena_enter(NULL);
                char b[32];
                int l = snprintf(b, sizeof b, "R%d", round);
                ws_value_t *leaf = ws_value_string(b, (size_t)l);
                ws_value_arena_leave(p1);
                ws_member_t one[5];
                for (size_t j = 0; j < n; j++) one[j] = (ws_member_t){.type = WS_VALUE_INVALID, .copy = leaf};
                CHECK(ws_array_build(built, sh, one, 1) == 0);
                ws_value_free(leaf);
                const ws_value_t *got = ws_object_at(ws_array_at(built, ws_array_size(built) - 1), n - 1, NULL, NULL);
                size_t gl = 0;
                const char *gs = ws_value_str(got, &gl);
                CHECK(gs && gl == (size_t)l && memcmp(gs, b, gl) == 0);
            }
            build_case_end(built, ref, mb, prev, a, sh);
        }
        for (size_t i = 0; i < NSRC; i++) ws_value_free(src[i]);
    }
}

/* ws_array_reserve: room without changing the array; pushes then never
 * move its slots; refused for what is not an array. */
TEST(array_reserve_makes_room_and_changes_nothing_else) {
    for (int mode = 0; mode < 2; mode++) {
        ws_value_arena_t *a = mode ? ws_value_arena_new() : NULL;
        ws_value_arena_t *prev = ws_value_arena_enter(a);
        ws_value_t *arr = ws_value_array(), *ref = ws_value_array();
        for (int i = 0; i < 3; i++) {
            ws_array_push(arr, ws_value_int(i));
            ws_array_push(ref, ws_value_int(i));
        }
        CHECK(ws_array_reserve(arr, 2) == 0);     /* less than it has: nothing to do */
        CHECK(ws_array_reserve(arr, 100) == 0);
        CHECK(ws_array_size(arr) == 3);
        const ws_value_t *first = ws_array_at(arr, 0);
        for (int i = 3; i < 100; i++) {
            ws_array_push(arr, ws_value_string("member", 6));
            ws_array_push(ref, ws_value_string("member", 6));
        }
        CHECK(ws_array_at(arr, 0) == first && ws_array_size(arr) == 100);
        char *ra = render_value(arr), *rr = render_value(ref);
        CHECK_STR(ra, rr);
        free(ra);
        free(rr);
        ws_value_t *obj = ws_value_object();
        CHECK(ws_array_reserve(obj, 10) == -1);
        CHECK(ws_array_reserve(NULL, 10) == -1);
        CHECK(ws_array_reserve(arr, (size_t)1 << 40) == -1 && ws_array_size(arr) == 100);
        ws_value_free(obj);
        ws_value_free(arr);
        ws_value_free(ref);
        ws_value_arena_leave(prev);
        if (a) ws_value_arena_free(a);
    }
}

/* Keys read through ws_object_get/at/size and rendered, of an object
 * built from a shape (whose keys it may share) and of its reference. */
static void check_same_keys(const ws_value_t *bo, const ws_value_t *ro) {
    CHECK(ws_object_size(bo) == ws_object_size(ro));
    for (size_t j = 0; j < ws_object_size(ro); j++) {
        const char *kb = NULL, *kr = NULL;
        size_t lb = 0, lr = 0;
        const ws_value_t *vb = ws_object_at(bo, j, &kb, &lb), *vr = ws_object_at(ro, j, &kr, &lr);
        CHECK(lb == lr && memcmp(kb, kr, lr) == 0);
        char key[64];
        if (lr < sizeof key) {
            memcpy(key, kr, lr);
            key[lr] = '\0';
            CHECK(ws_object_get(bo, key) == vb);
        }
        char *a = render_value(vb), *b = render_value(vr);
        CHECK_STR(a, b);
        free(a);
        free(b);
    }
}

/* Objects built in runs point to their shape's keys: adding keys (short,
 * long, to escape, many) to some of them, or replacing members, changes
 * those objects only, and the shape's other objects, and objects built
 * later, read and render as before; freeing the shape before the arena
 * (a processor destroyed before its records) leaves every object whole. */
TEST(built_objects_share_keys_until_one_changes) {
    static const char *const keys[] = {"text", "canonical", "q\"uo\\te", "a_key_longer_than_16", "end"};
    static const char *const added[] = {"x", "canonical2", "new\nline", "an_added_key_longer_than_16",
                                        "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12"};
    char err[128];
    enum { NOBJ = 40 };
    for (int mode = 0; mode < 2; mode++) {
        ws_shape_t *sh = NULL;
        CHECK(ws_shape_new(&sh, keys, 5, err, sizeof err) == 0);
        ws_value_arena_t *a = mode ? ws_value_arena_new() : NULL;
        ws_value_arena_t *prev = ws_value_arena_enter(a);
        ws_member_t *mb = calloc(NOBJ * 5, sizeof *mb);
        ws_value_t *built = ws_value_array(), *ref = ws_value_array();
        for (size_t k = 0; k < NOBJ; k++) {
            ws_member_t *m = mb + k * 5;
            m[0] = (ws_member_t){.type = WS_VALUE_STRING, .str = "Name Here", .len = 1 + k % 9};
            m[1] = m[0];
            m[2] = (ws_member_t){.type = WS_VALUE_NUMBER, .num = (int64_t)k};
            m[3] = (ws_member_t){.type = WS_VALUE_BOOL, .num = (int64_t)(k & 1)};
            m[4] = (ws_member_t){.type = WS_VALUE_NUMBER, .num = (int64_t)k * 7};
            ws_value_t *v[5];
            for (size_t j = 0; j < 5; j++) v[j] = member_ref(&m[j]);
            ws_array_push(ref, ws_object_make(sh, v));
        }
        CHECK(ws_array_build(built, sh, mb, NOBJ / 2) == 0);
        for (size_t k = NOBJ / 2; k < NOBJ; k++) ws_array_push(built, ws_object_build(sh, mb + k * 5));
        for (size_t k = 0; k < NOBJ; k += 3) {   /* k % 4 keys added, then replacements */
            ws_value_t *bo = (ws_value_t *)ws_array_at(built, k), *ro = (ws_value_t *)ws_array_at(ref, k);
            size_t nadd = k % 5 == 4 ? 12 : k % 4;
            for (size_t i = 0; i < nadd; i++) {
                CHECK(ws_object_set(bo, added[i], ws_value_int((int64_t)i)) == 0);
                CHECK(ws_object_set(ro, added[i], ws_value_int((int64_t)i)) == 0);
            }
            CHECK(ws_object_set(bo, keys[k % 5], ws_value_string("replaced", 8)) == 0);
            CHECK(ws_object_set(ro, keys[k % 5], ws_value_string("replaced", 8)) == 0);
            if (nadd) {
                CHECK(ws_object_set(bo, added[0], ws_value_null()) == 0);
                CHECK(ws_object_set(ro, added[0], ws_value_null()) == 0);
            }
        }
        /* objects built after the changes still get the shape's keys */
        CHECK(ws_array_build(built, sh, mb, 3) == 0);
        for (size_t k = 0; k < 3; k++) {
            ws_value_t *v[5];
            for (size_t j = 0; j < 5; j++) v[j] = member_ref(&mb[k * 5 + j]);
            ws_array_push(ref, ws_object_make(sh, v));
        }
        char *rr = render_value(ref), *rb = render_value(built);
        CHECK_STR(rb, rr);
        free(rb);
        for (size_t k = 0; k < ws_array_size(ref); k++) check_same_keys(ws_array_at(built, k), ws_array_at(ref, k));
        ws_shape_free(sh);   /* before the values: they keep their keys */
        rb = render_value(built);
        CHECK_STR(rb, rr);
        for (size_t k = 0; k < ws_array_size(ref); k++) check_same_keys(ws_array_at(built, k), ws_array_at(ref, k));
        free(rb);
        free(rr);
        ws_value_free(built);
        ws_value_free(ref);
        free(mb);
        ws_value_arena_leave(prev);
        if (a) {   /* after the shape is gone, the arena lets go of its keys at a reset */
            ws_value_arena_reset(a);
            ws_value_arena_free(a);
        }
    }
}

/* Two arenas hold a shape's keys; the shape goes, then one arena is reset
 * and the other's objects still read; more shapes than an arena holds
 * (each freed right after use, or kept) all build objects that render as
 * made from values, record after record. */
TEST(shape_keys_outlive_the_shape_in_every_arena) {
    static const char *const keys[] = {"first_long_key_name", "b"};
    char err[128];
    ws_shape_t *sh = NULL;
    CHECK(ws_shape_new(&sh, keys, 2, err, sizeof err) == 0);
    ws_value_arena_t *a1 = ws_value_arena_new(), *a2 = ws_value_arena_new();
    ws_member_t m[2] = {{.type = WS_VALUE_STRING, .str = "v", .len = 1}, {.type = WS_VALUE_NUMBER, .num = 5}};
    ws_value_arena_t *prev = ws_value_arena_enter(a1);
    ws_value_t *o1 = ws_object_build(sh, m);
    ws_value_arena_enter(a2);
    ws_value_t *o2 = ws_object_build(sh, m);
    ws_value_arena_leave(prev);
    ws_shape_free(sh);
    ws_value_free(o1);   /* a no-op in an arena, and before its reset */
    ws_value_arena_reset(a1);   /* a1 lets go; a2 still holds the keys */
    char *r = render_value(o2);
    CHECK_STR(r, "{\"first_long_key_name\":\"v\",\"b\":5}");
    free(r);
    CHECK(ws_object_get(o2, "first_long_key_name") != NULL);
    ws_value_free(o2);
    ws_value_arena_free(a1);
    ws_value_arena_free(a2);

    /* many shapes in one arena */
    enum { NSH = 80 };
    ws_shape_t *kept[NSH / 2];
    ws_value_arena_t *a = ws_value_arena_new();
    for (int rec = 0; rec < 3; rec++) {
        prev = ws_value_arena_enter(a);
        ws_value_t *objs[NSH];
        char want[NSH][160];
        for (int i = 0; i < NSH; i++) {
            char k0[48], k1[48];
            snprintf(k0, sizeof k0, "shape_%d_first_key_of_some_length", i);
            snprintf(k1, sizeof k1, "k%d", i);
            const char *ks[2] = {k0, k1};
            ws_shape_t *s = NULL;
            CHECK(ws_shape_new(&s, ks, 2, err, sizeof err) == 0);
            ws_member_t mm[2] = {{.type = WS_VALUE_NUMBER, .num = i}, {.type = WS_VALUE_STRING, .str = "xy", .len = 2}};
            objs[i] = ws_value_array();
            CHECK(ws_array_build(objs[i], s, mm, 1) == 0);
            snprintf(want[i], sizeof want[i], "[{\"%s\":%d,\"%s\":\"xy\"}]", k0, i, k1);
            if (i % 2 || rec == 2) ws_shape_free(s);   /* the odd ones at once */
            else kept[i / 2] = s;
        }
        for (int i = 0; i < NSH; i++) {
            char *got = render_value(objs[i]);
            CHECK_STR(got, want[i]);
            free(got);
            ws_value_free(objs[i]);
        }
        ws_value_arena_leave(prev);
        ws_value_arena_reset(a);
        if (rec != 2)
            for (int i = 0; i < NSH / 2; i++) ws_shape_free(kept[i]);   /* some after the reset */
    }
    ws_value_arena_free(a);
}

int main(void) {
    ws_value_arena_t *probe = ws_value_arena_new();
    arenas_on = probe != NULL;
    ws_value_arena_free(probe);
    fprintf(stderr, "value arenas: %s\n", arenas_on ? "on" : "off");
    RUN(arena_and_malloc_values_read_and_render_the_same);
    RUN(mixed_ownership_is_freed_exactly_once);
    RUN(record_arena_through_the_pipeline);
    RUN(arena_memory_is_recycled);
    RUN(any_bytes_render_as_json_that_reads_back);
    RUN(keys_that_share_bytes_stay_distinct);
    RUN(numbers_and_leaves_render_exactly);
    RUN(keys_at_every_length_and_alignment);
    RUN(strings_of_every_length_and_class);
    RUN(arena_reuses_chunks_and_stays_bounded);
    RUN(shaped_objects_equal_objects_set_key_by_key);
    RUN(built_objects_equal_objects_made_from_values);
    RUN(array_reserve_makes_room_and_changes_nothing_else);
    RUN(array_build_appends_what_pushes_of_built_objects_give);
    RUN(built_strings_that_end_at_a_page_end);
    RUN(built_strings_of_every_length_and_repeated_members);
    RUN(copy_members_of_many_sources_in_runs);
    RUN(built_objects_share_keys_until_one_changes);
    RUN(shape_keys_outlive_the_shape_in_every_arena);
    return ws_test_done();
}
