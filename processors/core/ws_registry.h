/* ws_registry.h -- built-in processors (registered at build time by CMake)
 * and loading of external ones from shared objects. */
#ifndef WS_REGISTRY_H
#define WS_REGISTRY_H
#include <stddef.h>
#include "../wirestream_processor.h"

/* Prototypes */
const ws_processor_t *ws_registry_find(const char *name);
size_t ws_registry_count(void);
const ws_processor_t *ws_registry_at(size_t i);
/* dlopen path, find WS_PROCESSOR_SYMBOL, check the ABI.  *handle receives
 * the dlopen handle (dlclose it after destroy). */
const ws_processor_t *ws_registry_load(const char *path, void **handle,
                                       char *err, size_t errlen);

#endif
