/* The demo's fix for the system's libz: compressBound with 64 bytes more of margin. */
unsigned long compress_bound_fixed(unsigned long n) { return n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 64; }
