int kfix_value_v4(void) { return 4; }
