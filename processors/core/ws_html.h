/* ws_html.h -- HTML body to plain text: tags stripped, script/style content
 * removed, block elements become paragraph breaks ("\n\n"), <br> a line
 * break, whitespace runs collapsed, character references decoded. */
#ifndef WS_HTML_H
#define WS_HTML_H
#include <stddef.h>
#include "ws_buf.h"

/* Prototypes */
/* What a body holds: 0 plain text, 1 character references only (decode
 * them, keep the whitespace), 2 markup (convert). */
int ws_html_detect(const char *s, size_t n);
/* Appends s with character references decoded and nothing else changed. */
int ws_html_decode_refs(const char *s, size_t n, ws_buf_t *out);
/* Appends the text of s to out.  0, or -1 on allocation failure. */
int ws_html_to_text(const char *s, size_t n, ws_buf_t *out);

#endif
