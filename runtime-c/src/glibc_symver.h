/* Binds libpulp.so to symbol versions that glibc 2.17 already has.
 *
 * libpulp.so is preloaded into programs built elsewhere, against whatever glibc their image
 * carries. If it needs a symbol version that glibc lacks, the loader refuses it and the program
 * does not start at all. The linker binds each call to the newest version of the build machine's
 * glibc: dlopen and pthread_create became GLIBC_2.34 when glibc 2.34 moved libdl and libpthread
 * into libc.so.6, pthread_sigmask GLIBC_2.32. Newer glibc still exports the old versions, so
 * naming them here costs nothing there; older glibc finds them in libdl.so.2 and
 * libpthread.so.0, which the Makefile therefore links by name.
 *
 * The Makefile includes this file first in every runtime source (-include). Each version below is
 * the oldest that glibc for x86-64 exports (`objdump -T libc.so.6`). A call to another function
 * whose default version is newer than 2.17 makes the build fail (tests/glibc_versions.sh names
 * it): pin it here. */
#ifndef KULP_GLIBC_SYMVER_H
#define KULP_GLIBC_SYMVER_H

#include <features.h> /* defines __GLIBC__, which nothing else has defined yet */

#if defined(__x86_64__) && defined(__GLIBC__)
__asm__(".symver dladdr1, dladdr1@GLIBC_2.3.3");
__asm__(".symver dlclose, dlclose@GLIBC_2.2.5");
__asm__(".symver dlerror, dlerror@GLIBC_2.2.5");
__asm__(".symver dlinfo, dlinfo@GLIBC_2.3.3");
__asm__(".symver dlopen, dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym, dlsym@GLIBC_2.2.5");
__asm__(".symver pthread_attr_setstacksize, pthread_attr_setstacksize@GLIBC_2.2.5");
__asm__(".symver pthread_create, pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_sigmask, pthread_sigmask@GLIBC_2.2.5");
#endif

#endif
