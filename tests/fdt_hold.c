/* Test helper: joins a region, says "ready", and holds the mapping until
   killed or until its standard input closes. */

#include <fdshmem/fd_shmem.h>

#include <stdio.h>
#include <unistd.h>

int
main( int argc, char ** argv ) {
  if( argc!=2 ) { fprintf( stderr, "usage: fdt_hold NAME\n" ); return 2; }
  void * join = fd_shmem_join( argv[1], FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( !join ) return 1;
  puts( "ready" );
  fflush( stdout );
  char c;
  while( read( 0, &c, 1 )>0 ) {}
  return fd_shmem_leave( join, NULL, NULL );
}
