/* ent_tok_bytes.c -- the tokenizer with its word windows classified a byte
 * at a time (ENT_TOK_WIN 0, the portable fallback), so x86 tests run that
 * code too.  Renamed entry points. */
#define ENT_TOK_WIN 0
#define ent_tokenize ent_bytes_tokenize
#define ent_tokenize_cap ent_bytes_tokenize_cap
#define ent_tokenize_trig ent_bytes_tokenize_trig
#define ent_hash_token ent_bytes_hash_token
#include "ent_tok.c"
