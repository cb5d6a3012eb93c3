/* libkplain's functions, redirected without padding: one plain, one after endbr64. */

int kplain_value_v2(void) { return 2; }
int kplain_cet_v2(int x) { return x * 3 + 2; }
