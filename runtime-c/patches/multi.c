/* Three functions in one patch: applied and reverted together or not at all. */
int kfix_value_multi(void) { return 50; }
int kfix_endbr_multi(void) { return 250; }
int kfix_pagecross_multi(void) { return 75; }
