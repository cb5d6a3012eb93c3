int kfix_main_value_v2(void) { return 2; }
