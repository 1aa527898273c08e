/* The test seam, and its only place.  The test programs that build
   their own copy of the library from its sources (tests/test_pool)
   compile it with -DFD_SHMEM_TEST_SEAMS: then FD_SHMEM_SYSROOT, read
   once, prefixes every /sys and /proc path the library reads or
   writes, so the pool code runs unprivileged over a fake tree.  The
   installed library has no such variable: it always uses the real
   /sys and /proc (test_pool checks that its .so does not name it). */

#include "fd_shmem_sys.h"

#include <pthread.h>
#include <stdlib.h>

#ifdef FD_SHMEM_TEST_SEAMS
static pthread_once_t sysroot_once = PTHREAD_ONCE_INIT;
static char const *   sysroot      = "";

static void
sysroot_read( void ) {
  char const * root = secure_getenv( "FD_SHMEM_SYSROOT" );
  if( root ) sysroot = root;
}

char const *
fd_shmem_private_sysroot( void ) {
  pthread_once( &sysroot_once, sysroot_read );
  return sysroot;
}
#else
char const *
fd_shmem_private_sysroot( void ) {
  return "";
}
#endif
