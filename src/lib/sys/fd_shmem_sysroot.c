/* The gate every read of /sys and /proc goes through, and the test
   seam's only place.  The test programs that build the library from its
   sources with -DFD_SHMEM_TEST_SEAMS read FD_SHMEM_SYSROOT once: it
   then prefixes every such path, so the library runs unprivileged over
   a fake tree.  The installed library has no such variable: it always
   uses the real /sys and /proc (test_pool checks that its .so does not
   name it).  /proc/self/fd/N handles on the library's own descriptors
   are no read of the machine and do not come here. */

#include "fd_shmem_sys.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
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

/* The path of fmt under the sysroot into buf; 0 or ENAMETOOLONG. */
__attribute__(( format( printf, 3, 0 ) )) static int
sys_vpath( char * buf, size_t buf_sz, char const * fmt, va_list ap ) {
  int root = snprintf( buf, buf_sz, "%s", fd_shmem_private_sysroot() );
  if( root<0 || (size_t)root>=buf_sz ) return ENAMETOOLONG;
  int len = vsnprintf( buf+root, buf_sz-(size_t)root, fmt, ap );
  return len<0 || (size_t)len>=buf_sz-(size_t)root ? ENAMETOOLONG : 0;
}

int
fd_shmem_private_sys_path( char * buf, size_t buf_sz, char const * fmt, ... ) {
  va_list ap;
  va_start( ap, fmt );
  int err = sys_vpath( buf, buf_sz, fmt, ap );
  va_end( ap );
  return err;
}

FILE *
fd_shmem_private_sys_fopen( char const * fmt, ... ) {
  char path[ 512 ];
  va_list ap;
  va_start( ap, fmt );
  int err = sys_vpath( path, sizeof(path), fmt, ap );
  va_end( ap );
  if( err ) { errno = err; return NULL; }
  return fopen( path, "re" );
}

DIR *
fd_shmem_private_sys_opendir( char const * fmt, ... ) {
  char path[ 512 ];
  va_list ap;
  va_start( ap, fmt );
  int err = sys_vpath( path, sizeof(path), fmt, ap );
  va_end( ap );
  if( err ) { errno = err; return NULL; }
  return opendir( path );
}
