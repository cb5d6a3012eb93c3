/* Reaches the library's private `static int counter` through a pointer the runtime
 * fills in (#counter:kfix_counter_ref in counter.dsc). */
int *kfix_counter_ref;
int kfix_counter_v2(void) { *kfix_counter_ref += 100; return *kfix_counter_ref; }
