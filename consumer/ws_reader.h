/* ws_reader.h -- reads every partition of some topics from a given offset,
 * outside any consumer group (the state-topic reader, the demo's output
 * printer).  Uses librdkafka's partition-level consume API, which needs no
 * group.id and commits nothing. */
#ifndef WS_READER_H
#define WS_READER_H
#include <stddef.h>
#include <librdkafka/rdkafka.h>

typedef struct ws_reader ws_reader_t;

/* Prototypes */
/* conf is consumed (also on error).  start: RD_KAFKA_OFFSET_BEGINNING... */
ws_reader_t *ws_reader_new(rd_kafka_conf_t *conf, const char *const *topics, size_t n,
                           int64_t start, char *err, size_t errlen);
int ws_reader_partitions(const ws_reader_t *r);
/* A message or event (check ->err), or NULL on timeout; destroy it. */
rd_kafka_message_t *ws_reader_poll(ws_reader_t *r, int timeout_ms);
void ws_reader_free(ws_reader_t *r);

#endif
