/* ws_value.h -- host-side helpers for ws_value_t (the JSON-like annotation
 * values of wirestream_processor.h): rendering and conversion from cJSON. */
#ifndef WS_VALUE_H
#define WS_VALUE_H
#include <cjson/cJSON.h>
#include "../wirestream_processor.h"
#include "ws_buf.h"

/* Prototypes */
/* Appends v as compact JSON.  Strings are escaped as they are (processors
 * produce UTF-8 slices of validated input); non-finite numbers become null. */
int ws_value_render(const ws_value_t *v, ws_buf_t *out);
/* Deep copy of a cJSON tree (NULL on allocation failure). */
ws_value_t *ws_value_from_cjson(const cJSON *j);
/* 1 if the number was created as an integer. */
int ws_value_is_int(const ws_value_t *v);
int64_t ws_value_int_of(const ws_value_t *v);

#endif
