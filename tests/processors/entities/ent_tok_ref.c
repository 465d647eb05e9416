/* ent_tok_ref.c -- the tokenizer built without its fast paths, as the
 * reference the unit test compares the real one against: every token
 * then goes through the general code.  Same source, renamed entry points. */
#define ENT_TOK_FAST 0
#define ent_tokenize ent_ref_tokenize
#define ent_tokenize_cap ent_ref_tokenize_cap
#define ent_tokenize_trig ent_ref_tokenize_trig
#define ent_hash_token ent_ref_hash_token
#include "ent_tok.c"
