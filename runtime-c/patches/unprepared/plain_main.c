/* plain_main_value of the kfix-plain program itself, an ordinary executable. */
int plain_main_value_v2(void) { return 20; }
