/* Calls the library's static function kfix_hidden through a pointer the runtime fills in:
 * a `#sym:ref` line whose sym is a function (#kfix_hidden:kfix_hidden_ptr in fnref.dsc). */
int (*kfix_hidden_ptr)(int);
int kfix_value_fnref(void) { return kfix_hidden_ptr(41); }
