/* wirestream_processor.h -- the one public header for wirestream processors.
 *
 * A processor is one struct of callbacks (ws_processor_t) plus a typed config
 * table (ws_config_key_t[]).  Built-in processors are linked into the binary;
 * external ones are shared objects that export a symbol named
 * WS_PROCESSOR_SYMBOL ("ws_processor") of type ws_processor_t.  The host
 * checks abi_version at load time.
 *
 * Processors know nothing about Kafka.  They read the article and earlier
 * entries' annotations through the record API below, and add their own
 * annotations under their entry's name.  All offsets are half-open UTF-8 byte
 * offsets into the record's body.
 *
 * Threading: unless a processor sets WS_PROCESSOR_THREAD_SAFE, the host never
 * calls process() on one instance from two threads at once.  on_state() may
 * come from a different thread than process(); a processor that implements it
 * must synchronise itself.
 */
#ifndef WIRESTREAM_PROCESSOR_H
#define WIRESTREAM_PROCESSOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever ws_processor_t, ws_config_key_t or a function below changes
 * in an incompatible way.  A plugin built against another value is refused. */
#define WS_PROCESSOR_ABI 1
#define WS_PROCESSOR_SYMBOL "ws_processor"

/* ---------------------------------------------------------------- values */

/* A JSON-like value: annotations are trees of these.  Values created by a
 * processor belong to it until handed to ws_record_annotate(),
 * ws_object_set() or ws_array_push(), which take ownership (also on error).
 * Values created inside process() come from the record's arena and live only
 * until the record is reset: never keep one across calls.  Build long-lived
 * values in create(). */
typedef struct ws_value ws_value_t;

typedef enum {
    WS_VALUE_INVALID = 0,
    WS_VALUE_NULL,
    WS_VALUE_BOOL,
    WS_VALUE_NUMBER,
    WS_VALUE_STRING,
    WS_VALUE_ARRAY,
    WS_VALUE_OBJECT
} ws_value_type_t;

ws_value_t *ws_value_object(void);
ws_value_t *ws_value_array(void);
ws_value_t *ws_value_string(const char *s, size_t len);
ws_value_t *ws_value_int(int64_t n);
ws_value_t *ws_value_double(double d);
ws_value_t *ws_value_bool(int b);
ws_value_t *ws_value_null(void);
void ws_value_free(ws_value_t *v);

/* Return 0, or -1 on allocation failure (val is freed either way).  Keys
 * are unique: setting a key again replaces its value in place. */
int ws_object_set(ws_value_t *obj, const char *key, ws_value_t *val);
int ws_array_push(ws_value_t *arr, ws_value_t *val);

/* A shape: an object's keys, prepared once (in create()), for building many
 * objects with the same keys.  ws_object_make() builds one in a single
 * allocation, with the keys already rendered: about a third of the work of
 * ws_object_set() per member.  The objects are ordinary objects (get, set,
 * free as any other) and do not refer to the shape once built.
 * ws_shape_new: 0, or -1 with err filled (no keys, a NULL or repeated key,
 * more than WS_SHAPE_MAX keys, out of memory). */
#define WS_SHAPE_MAX 32
typedef struct ws_shape ws_shape_t;
int ws_shape_new(ws_shape_t **out, const char *const *keys, size_t n, char *err, size_t errlen);
void ws_shape_free(ws_shape_t *shape);
size_t ws_shape_size(const ws_shape_t *shape);
/* A new object with member i = keys[i]: vals[i], in the shape's order.
 * Takes ownership of the ws_shape_size(shape) values in vals, also on error;
 * a NULL among them (a failed ws_value_*() call) fails the whole object.
 * NULL on failure. */
ws_value_t *ws_object_make(const ws_shape_t *shape, ws_value_t *const *vals);

/* A member of an object built by ws_object_build(): val when it is not
 * NULL (a value made by ws_value_*(), taken), else a new value of `type`:
 * WS_VALUE_STRING (the len bytes at str, copied), WS_VALUE_NUMBER (the
 * integer num), WS_VALUE_BOOL (num != 0) or WS_VALUE_NULL; or, with type
 * WS_VALUE_INVALID (0), a copy of `copy`: a string, number, bool or null
 * made earlier (say a constant made once in create(); it stays the
 * caller's), which costs less than making it anew.  Anything else (such
 * as a ws_value_*() call that failed: val NULL) fails the object. */
typedef struct {
    ws_value_type_t type;
    const char *str;
    size_t len;
    int64_t num;
    ws_value_t *val;
    const ws_value_t *copy;
} ws_member_t;
/* The same object as ws_object_make() with the members' values made by
 * ws_value_string()/ws_value_int()/... one by one, and it behaves the same
 * in every way (its members are ordinary values), but inside process() the
 * object and its new values are one allocation: about half the work.
 * Takes the vals, also on error (not with a NULL shape).  NULL on
 * failure. */
ws_value_t *ws_object_build(const ws_shape_t *shape, const ws_member_t *members);
/* Appends count objects of one shape to arr, object k built from
 * members[k * n] to members[k * n + n - 1] (n = ws_shape_size(shape)):
 * what ws_array_push(arr, ws_object_build(shape, ...)) for each would do,
 * in fewer steps.  Takes all the vals, also on error (not with a NULL
 * shape).  0, or -1 on failure (arr may then hold some of the objects:
 * free it). */
int ws_array_build(ws_value_t *arr, const ws_shape_t *shape, const ws_member_t *members,
                   size_t count);
/* Room for n members in all, so pushes up to there never grow the array
 * (build a list of known length with it).  0, or -1 on allocation failure
 * or if arr is not an array; the array is unchanged then. */
int ws_array_reserve(ws_value_t *arr, size_t n);

ws_value_type_t ws_value_type(const ws_value_t *v);          /* INVALID for NULL */
const ws_value_t *ws_object_get(const ws_value_t *obj, const char *key);
/* Members in insertion order: one pass over an object reads all its fields
 * for the cost of one lookup.  The key is klen bytes, not NUL-terminated,
 * valid while obj is; NULL past the end. */
size_t ws_object_size(const ws_value_t *obj);
const ws_value_t *ws_object_at(const ws_value_t *obj, size_t i, const char **key, size_t *klen);
size_t ws_array_size(const ws_value_t *arr);
const ws_value_t *ws_array_at(const ws_value_t *arr, size_t i);
/* NUL-terminated string, or NULL if v is not a string; *len may be NULL. */
const char *ws_value_str(const ws_value_t *v, size_t *len);
double ws_value_num(const ws_value_t *v);                    /* 0 if not a number */
int ws_value_truthy(const ws_value_t *v);

/* ---------------------------------------------------------------- record */

typedef struct ws_record ws_record_t;

typedef enum {
    WS_FIELD_ID = 0,
    WS_FIELD_TITLE,
    WS_FIELD_URL,
    WS_FIELD_SOURCE,
    WS_FIELD_DATE,        /* the original date string */
    WS_FIELD_BODY,        /* byte-identical to the input body */
    WS_FIELD__COUNT
} ws_field_t;

/* The field's bytes (not necessarily NUL-terminated; body is always
 * NUL-terminated at body[len] for convenience), or NULL when absent. */
const char *ws_record_field(const ws_record_t *rec, ws_field_t f, size_t *len);

/* Kafka source metadata.  Returns 0 and fills the outputs in Kafka mode, -1
 * when the record did not come from Kafka (wirestream process). */
int ws_record_source(const ws_record_t *rec, const char **topic,
                     int32_t *partition, int64_t *offset, int64_t *timestamp_ms);

/* Milliseconds since the epoch at which the record was ingested. */
int64_t ws_record_ingest_ms(const ws_record_t *rec);

/* The annotation an earlier entry stored under key (usually that entry's
 * name), or NULL. */
const ws_value_t *ws_record_annotation(const ws_record_t *rec, const char *key);

/* Store val under key; key NULL means the calling entry's own name.  Keys of
 * article fields ("id", "body", ...), "kafka" and "truncated" are refused, and
 * so is a key an earlier entry wrote in this record: a refused write makes the
 * record this entry's error (DLQ, processor_error).  An entry's own key is
 * replaced when it writes it again.  Takes ownership of val. 0 or -1. */
int ws_record_annotate(ws_record_t *rec, const char *key, ws_value_t *val);

/* Mark the record truncated (a soft limit was hit): sets top-level
 * "truncated": true in the output. */
void ws_record_set_truncated(ws_record_t *rec);

/* Count this record as a hit for the calling entry (dedup: a duplicate was
 * found, whether dropped or only flagged).  Shown per entry in metrics. */
void ws_record_hit(ws_record_t *rec);

/* Durable state: a processor whose entry has a state topic configured may
 * write key/value pairs (value NULL = delete).  In Kafka mode these are
 * produced to the state topic and the input offset is committed only after
 * they are acknowledged; the host later feeds them (its own and other
 * instances') back through on_state().  In file mode they are discarded.
 * Returns 0, or -1 on allocation failure. */
int ws_record_state_put(ws_record_t *rec, const void *key, size_t klen,
                        const void *val, size_t vlen);

/* ---------------------------------------------------------------- config */

typedef enum {
    WS_CFG_STRING = 1,   /* const char *  (NULL when no default and unset) */
    WS_CFG_INT,          /* int64_t */
    WS_CFG_DOUBLE,       /* double */
    WS_CFG_BOOL,         /* int (0/1) */
    WS_CFG_STRLIST       /* ws_strlist_t */
} ws_config_type_t;

typedef struct {
    size_t n;
    const char *const *items;
} ws_strlist_t;

/* One config key.  The host parses the entry's JSON object with this table:
 * it rejects unknown keys and wrong types (naming the key and the file),
 * fills defaults, and writes each value at `offset` into a zeroed struct of
 * `config_size` bytes that it passes to create().  The same table generates
 * docs/processors.md.  `def` is the default as text ("0.8", "true", "a,b"),
 * NULL for none.  `choices`, for strings, is a '|'-separated list of allowed
 * values (NULL = any).  Terminate the table with a {0} entry. */
typedef struct {
    ws_config_type_t type;
    const char *name;
    const char *def;
    size_t offset;
    const char *description;
    const char *choices;
} ws_config_key_t;

/* What create() gets besides its config. */
typedef struct {
    const char *entry_name;  /* the pipeline entry's name */
    const char *config_dir;  /* directory to resolve relative data paths against */
    int has_state;           /* 1 if the host persists ws_record_state_put() writes */
} ws_create_info_t;

/* ---------------------------------------------------------------- processor */

typedef enum {
    WS_KEEP = 0,   /* pass the record on */
    WS_DROP = 1,   /* deliberately drop it; reason says why (e.g. "duplicate") */
    WS_ERROR = 2   /* failed on this record; it goes to the dead-letter topic */
} ws_result_t;

#define WS_PROCESSOR_THREAD_SAFE 0x1   /* process() may run concurrently */

typedef struct {
    int abi_version;                 /* WS_PROCESSOR_ABI */
    const char *name;                /* processor type name, e.g. "dedup" */
    const char *description;
    unsigned flags;
    const ws_config_key_t *config;   /* may be NULL: no keys */
    size_t config_size;              /* size of the struct create() receives */

    /* Return an instance, or NULL with a message in err. */
    void *(*create)(const void *config, const ws_create_info_t *info,
                    char *err, size_t errlen);
    /* reason receives the drop reason or the error text. */
    ws_result_t (*process)(void *instance, ws_record_t *rec,
                           char *reason, size_t reasonlen);
    void (*destroy)(void *instance);

    /* Optional hooks (NULL when unused). */
    void (*on_assign)(void *instance, const char *topic,
                      const int32_t *partitions, size_t n);
    void (*on_revoke)(void *instance, const char *topic,
                      const int32_t *partitions, size_t n);
    void (*flush)(void *instance);
    /* One state entry read back from the state store (val NULL = deleted). */
    void (*on_state)(void *instance, const void *key, size_t klen,
                     const void *val, size_t vlen);
} ws_processor_t;

#ifdef __cplusplus
}
#endif
#endif
