int kfix_endbr_v2(void) { return 200; }
