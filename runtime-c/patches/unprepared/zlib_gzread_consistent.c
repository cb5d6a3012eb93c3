/* gzread of the system's libz, answering -42: packed with --consistent (its file name says so),
 * it is applied only when no thread is inside the original gzread. */
int zlib_gzread_v2(void *file, void *buf, unsigned len) {
  (void)file;
  (void)buf;
  (void)len;
  return -42;
}
