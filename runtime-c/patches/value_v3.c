int kfix_value_v3(void) { return 3; }
