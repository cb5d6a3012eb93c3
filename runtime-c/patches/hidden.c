/* Replaces the library's static kfix_hidden(x) = x + 1. */
int kfix_hidden_v2(int x) { return x + 2; }
