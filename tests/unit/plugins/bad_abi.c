/* bad_abi.c -- a plugin that claims a processor ABI this host does not speak. */
#include "wirestream_processor.h"

static void *create(const void *c, const ws_create_info_t *i, char *e, size_t n) {
    (void)c; (void)i; (void)e; (void)n;
    return (void *)1;
}
static ws_result_t process(void *s, ws_record_t *r, char *e, size_t n) {
    (void)s; (void)r; (void)e; (void)n;
    return WS_KEEP;
}
static void destroy(void *s) { (void)s; }

const ws_processor_t ws_processor = {
    .abi_version = 999, .name = "bad_abi", .description = "wrong ABI",
    .create = create, .process = process, .destroy = destroy,
};
