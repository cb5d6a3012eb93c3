int kfix_pagecross_v2(void) { return 70; }
int kfix_unaligned_v2(void) { return 90; }
