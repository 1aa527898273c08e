/* The second process of debian/tests/root-domain: joins a region of the
   domain FD_SHMEM_PATH names, as any program using libfdshmem would.

     region-peer NAME put TEXT   writes TEXT at the start of the region
     region-peer NAME get        prints what is there

   Either way it first prints the join's name, page count and page size,
   then leaves.  Exits 1, saying why, when the join fails. */

#include <fdshmem/fd_shmem.h>

#include <stdio.h>
#include <string.h>

int
main( int argc, char ** argv ) {
  int put = argc==4 && !strcmp( argv[2], "put" );
  if( !put && !( argc==3 && !strcmp( argv[2], "get" ) ) ) {
    fprintf( stderr, "usage: region-peer NAME put TEXT | region-peer NAME get\n" );
    return 2;
  }
  fd_shmem_join_info_t info;
  char * mem = fd_shmem_join( argv[1], put ? FD_SHMEM_JOIN_MODE_READ_WRITE : FD_SHMEM_JOIN_MODE_READ_ONLY, 0,
                              NULL, NULL, &info );
  if( !mem ) { fprintf( stderr, "region-peer: cannot join %s (logged above)\n", argv[1] ); return 1; }
  printf( "joined %s: %zu %s pages\n", info.name, info.page_cnt, fd_shmem_page_sz_to_cstr( info.page_sz ) );
  if( put ) snprintf( mem, 256, "%s", argv[3] );
  else      printf( "it holds \"%.255s\"\n", mem );
  return fd_shmem_leave( mem, NULL, NULL );
}
