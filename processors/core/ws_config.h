/* ws_config.h -- the application configuration: one JSON file (comments
 * allowed), then WIRESTREAM_* environment overrides, then --set key=value.
 *
 * Lookup without --config: $WIRESTREAM_CONFIG, ./config/wirestream.json,
 * then the default compiled in (WS_DEFAULT_CONFIG, whose relative data paths
 * resolve against WS_DATA_DIR).
 *
 * Every section is declared by a ws_config_key_t table (the same mechanism
 * processors use), so unknown keys and wrong types are errors that name the
 * key and the file, and docs/config.md is generated from the tables.
 *
 * Overrides:  WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS=h:p   -> kafka."bootstrap.servers"
 *             WIRESTREAM_OUTPUT_TOPIC=t                 -> output.topic
 *             WIRESTREAM_DELIVERY=exactly_once          -> delivery
 *             --set kafka.bootstrap.servers=h:p  --set output.topic=t
 *             --set pipeline.dedup.action=flag   (entry by name)
 */
#ifndef WS_CONFIG_H
#define WS_CONFIG_H
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "ws_article.h"
#include "ws_buf.h"
#include "ws_log.h"

typedef enum { WS_DELIVERY_AT_LEAST_ONCE = 0, WS_DELIVERY_EXACTLY_ONCE } ws_delivery_t;

typedef struct {
    char *name;          /* unique in the pipeline */
    char *processor;     /* built-in type name; defaults to name */
    char *path;          /* .so path for external processors, else NULL */
    char *drop_topic;    /* where WS_DROP records go in Kafka mode, or NULL */
    char *state_topic;   /* compacted topic for ws_record_state_put, or NULL */
    int enabled;
    cJSON *options;      /* the remaining keys, validated by the processor's table */
    cJSON *option_overrides; /* key -> string from the environment / --set, converted
                                by the processor's table (may be empty) */
} ws_entry_config_t;

typedef struct {
    char *source_file;            /* file the config came from ("<built-in>") */
    char *config_dir;             /* where relative data paths resolve: the
                                     config file's directory, or data_dir */
    int data_dir_set;             /* data_dir was given: use config_dir for
                                     every processor, no fallback */

    /* kafka: librdkafka properties passed through as-is (strings).  The
     * core does not know librdkafka: the runtime checks them (consumer/). */
    size_t kafka_n;
    char **kafka_keys;
    char **kafka_values;
    char **kafka_where;           /* per property, for errors: the config file,
                                     "environment variable WIRESTREAM_..." or "--set ..." */

    /* input */
    size_t input_topics_n;
    char **input_topics;          /* default ["articles"] */
    ws_article_opts_t article;    /* format, html, max_bytes, field names */
    char **field_names_storage;   /* unused (NULL): the config owns the strings behind article.names */

    /* output */
    char *output_topic;           /* default "articles.enriched" */
    char *dlq_topic;              /* default "articles.dlq" */
    char *compression;            /* lz4 (default) | zstd | none */

    ws_delivery_t delivery;       /* default at_least_once */
    int workers;                  /* default 1 */
    int64_t shutdown_timeout_ms;  /* default 30000 */
    int64_t transaction_interval_ms; /* exactly-once commit interval, default 100 */

    /* limits */
    int64_t record_timeout_ms;    /* time budget per record, default 2000 */
    int64_t max_entities;         /* soft limit, default 2000 */
    int64_t max_quotes;           /* soft limit, default 500 */

    /* metrics and logs */
    int64_t metrics_interval_ms;  /* default 10000 */
    int http_port;                /* 0 = off */
    char *http_bind;              /* default "127.0.0.1" */
    ws_log_format_t log_format;
    ws_log_level_t log_level;

    size_t entries_n;
    ws_entry_config_t *entries;   /* default: dedup, entities, quotes */
} ws_config_t;

/* Prototypes */
/* path NULL = the lookup order above.  sets: "key=value" strings. */
int ws_config_load(const char *path, const char *const *sets, size_t nsets,
                   ws_config_t **out, char *err, size_t errlen);
void ws_config_free(ws_config_t *c);
/* The effective config as JSON with secrets masked (check-config). */
cJSON *ws_config_to_json(const ws_config_t *c, int mask_secrets);
/* A kafka property value, or NULL. */
const char *ws_config_kafka_get(const ws_config_t *c, const char *key);
/* Names of secret-looking keys whose values are written in the config file
 * itself (not in the environment or --set), comma-separated into out.
 * Returns how many there are. */
size_t ws_config_file_secrets(const ws_config_t *c, char *out, size_t outlen);
/* The directory a built-in processor's relative data paths resolve against:
 * data_dir when set; else the config file's directory if it has the
 * processor's data folder (<dir>/<processor>/), else the data directory
 * compiled in (WS_DATA_DIR) if that has it, else the config file's directory. */
const char *ws_config_data_dir(const ws_config_t *c, const char *processor);
/* docs/config.md: the reference generated from the section tables. */
int ws_config_reference(ws_buf_t *out);

#endif
