#include "pool_kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t __real_write( int fd, void const * buf, size_t n );

static long limit = -1L, compacted = -1L, kept = -1L;
static int  compactions;

void
pool_kernel_set( long limit_, long compacted_ ) {
  limit       = limit_;
  compacted   = compacted_;
  kept        = -1L;
  compactions = 0;
}

void
pool_kernel_keep( long kept_ ) {
  kept = kept_;
}

int
pool_kernel_compactions( void ) {
  return compactions;
}

static int
ends_with( char const * s, char const * tail ) {
  size_t a = strlen( s ), b = strlen( tail );
  return a>=b && !strcmp( s+a-b, tail );
}

/* The file fd names, or "" (sockets, pipes, anything unreadable). */
static void
fd_target( int fd, char * buf, size_t sz ) {
  char link[ 64 ];
  snprintf( link, sizeof(link), "/proc/self/fd/%d", fd );
  ssize_t len = readlink( link, buf, sz-1UL );
  buf[ len>0 ? len : 0 ] = '\0';
}

ssize_t __wrap_write( int fd, void const * buf, size_t n );

ssize_t
__wrap_write( int fd, void const * buf, size_t n ) {
  if( limit<0L && kept<0L ) return __real_write( fd, buf, n );
  char target[ 512 ], text[ 32 ];
  fd_target( fd, target, sizeof(target) );
  if( ends_with( target, "/compact_memory" ) ) {
    compactions++;
    if( compacted>=0L ) limit = compacted;
  }
  if( !ends_with( target, "/nr_hugepages" ) || n>=sizeof(text) ) return __real_write( fd, buf, n );
  memcpy( text, buf, n );
  text[ n ] = '\0';
  long pages = strtol( text, NULL, 10 );
  if( limit>=0L && pages>limit ) pages = limit;
  if( kept >=0L && pages<kept  ) pages = kept;
  int len = snprintf( text, sizeof(text), "%ld\n", pages );
  /* like the kernel: the whole write is taken, the pool is what it could be */
  return __real_write( fd, text, (size_t)len )<0 ? -1 : (ssize_t)n;
}
