/* A second patch of the same function, stacked on zlib_bound: plus 2000. */
unsigned long zlib_bound_v3(unsigned long n) { return n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 2000; }
