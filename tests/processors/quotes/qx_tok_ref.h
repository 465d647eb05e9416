/* qx_tok_ref.h -- a plain byte-by-byte restatement of qx_tokenize(), the
 * reference for the tokenizer test (tests only). */
#ifndef QX_TOK_REF_H
#define QX_TOK_REF_H

#include "qx_tok.h"

int qx_tokenize_ref(const qx_lex_t *lx, const char *b, size_t len, const qx_quotes_t *qs, uint32_t ps,
                    uint32_t pe, qx_toks_t *tk);

#endif
