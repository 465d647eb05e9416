/* Placeholder so the tree links while the real quotes processor is written.
 * The processor's author deletes this file when theirs lands. */
#include "wirestream_processor.h"

static void *create(const void *c, const ws_create_info_t *i, char *e, size_t n)
{ (void)c; (void)i; (void)e; (void)n; static int x; return &x; }
static ws_result_t process(void *s, ws_record_t *r, char *e, size_t n)
{ (void)s; (void)r; (void)e; (void)n; return WS_KEEP; }
static void destroy(void *s) { (void)s; }

const ws_processor_t ws_builtin_quotes = {
    .abi_version = WS_PROCESSOR_ABI, .name = "quotes", .description = "placeholder",
    .create = create, .process = process, .destroy = destroy,
};
