/* ent_tok_swar.c -- the tokenizer with its word windows classified eight
 * bytes at a time in a 64-bit word (ENT_TOK_WIN 1, what machines without
 * SSE2 build), so x86 tests run that code too.  Renamed entry points. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ENT_TOK_WIN 1
#else
#define ENT_TOK_WIN 0
#endif
#define ent_tokenize ent_swar_tokenize
#define ent_tokenize_cap ent_swar_tokenize_cap
#define ent_tokenize_trig ent_swar_tokenize_trig
#define ent_hash_token ent_swar_hash_token
#include "ent_tok.c"
