const char *zlib_version_v2(void) { return "kulp-patched"; }
