/* fdtest-consumer: what a service using the domain does, run as its
   own user by fdtest-consumer.service in the systemd guest.

   usage: fdtest-consumer RESULT_FILE

   On every NUMA node it creates a region of one huge page placed on
   that node, then joins it, writes its first and last bytes and reads them back and checks where
   its page lies; on the last node it does the same with a gigantic page.
   Each region stays in the domain for the checks that follow.  One
   line per region goes to RESULT_FILE ("REGION ok" or "REGION FAIL
   why"), and the exit status is 0 only if every one is ok. */

#include <fdshmem/fd_shmem.h>

#include <stdio.h>
#include <string.h>

/* Creates, joins and checks region name: page_cnt pages of page_sz on
   the node of cpu.  Returns 0 or writes why not to out and returns 1. */
static int
try_region( FILE * out, char const * name, size_t page_sz, size_t cpu ) {
  int err = fd_shmem_create( name, page_sz, 1UL, cpu, 0600UL );
  if( err ) { fprintf( out, "%s FAIL create: %s\n", name, strerror( err ) ); return 1; }
  unsigned char * mem = fd_shmem_join( name, FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( !mem ) { fprintf( out, "%s FAIL join\n", name ); return 1; }
  volatile unsigned char * bytes = mem;  /* read back from memory, not from what the compiler knows */
  bytes[ 0 ] = 0x5a; bytes[ page_sz-1UL ] = 0xa5;
  int bad = bytes[ 0 ]!=0x5a || bytes[ page_sz-1UL ]!=0xa5;
  int where = fd_shmem_numa_validate( mem, page_sz, 1UL, cpu );
  if( fd_shmem_leave( mem, NULL, NULL ) ) bad = 1;
  if( bad || where ) {
    fprintf( out, "%s FAIL %s\n", name, where ? "page not on its node" : "read back or leave" );
    return 1;
  }
  fprintf( out, "%s ok\n", name );
  return 0;
}

int
main( int argc, char ** argv ) {
  if( argc!=2 ) { fprintf( stderr, "usage: %s RESULT_FILE\n", argv[ 0 ] ); return 2; }
  FILE * out = fopen( argv[ 1 ], "w" );
  if( !out ) { perror( argv[ 1 ] ); return 1; }
  size_t numa_cnt = fd_shmem_numa_cnt();
  int failed = 0;
  for( size_t node=0UL; node<numa_cnt; node++ ) {
    char name[ FD_SHMEM_NAME_MAX ];
    snprintf( name, sizeof name, "consumer-huge-%zu", node );
    failed |= try_region( out, name, FD_SHMEM_HUGE_PAGE_SZ, fd_shmem_cpu_idx( node ) );
  }
  char name[ FD_SHMEM_NAME_MAX ];
  snprintf( name, sizeof name, "consumer-gigantic-%zu", numa_cnt-1UL );
  failed |= try_region( out, name, FD_SHMEM_GIGANTIC_PAGE_SZ, fd_shmem_cpu_idx( numa_cnt-1UL ) );
  if( fclose( out ) ) { perror( argv[ 1 ] ); return 1; }
  return failed;
}
