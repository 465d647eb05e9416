/* no_symbol.c -- a valid shared object that is not a wirestream processor
 * (it exports no ws_processor symbol). */
int not_a_processor(int x);
int not_a_processor(int x) { return x + 1; }
