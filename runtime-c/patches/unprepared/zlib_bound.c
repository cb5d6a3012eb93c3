/* compressBound of the system's libz, plus 1000: a result no caller of the original ever sees. */
unsigned long zlib_bound_v2(unsigned long n) { return n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 1000; }
