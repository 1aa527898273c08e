/* The program debian/tests/pkg-config-program builds against the
   installed libfdshmem-dev.  It needs no privilege and no domain: it
   registers private pages as an anonymous join, joins them again by
   name, runs a pool of two groove volumes, and prints what it saw, one
   fact a line, for the test to compare with what the manual says.
   Exits 1 (saying why on stderr) when a call fails outright. */

#include <fdshmem/fd_groove_volume.h>
#include <fdshmem/fd_shmem.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int
fail( char const * what ) {
  fprintf( stderr, "pkg-config-program: %s\n", what );
  return 1;
}

/* Private pages, registered as the join "test", joined again by name. */
static int
joins( void ) {
  size_t const page_cnt = 4UL;
  char * mem = fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, page_cnt, 0UL );
  if( !mem ) return fail( "fd_shmem_acquire of 4 normal pages on cpu 0 failed" );
  int err = fd_shmem_join_anonymous( "test", FD_SHMEM_JOIN_MODE_READ_WRITE, mem, mem,
                                     FD_SHMEM_NORMAL_PAGE_SZ, page_cnt );
  if( err ) return fail( "fd_shmem_join_anonymous failed" );
  strcpy( mem, "written through the first join" );

  fd_shmem_join_info_t info;
  char const * again = fd_shmem_join( "test", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, &info );
  if( !again ) return fail( "fd_shmem_join of the anonymous join failed" );
  printf( "join of \"%s\": %s the first, %zu %s pages, ref_cnt %ld, hash 0x%08x\n",
          info.name, again==mem ? "same memory as" : "NOT the memory of", info.page_cnt,
          fd_shmem_page_sz_to_cstr( info.page_sz ), info.ref_cnt, info.hash );
  printf( "it reads \"%s\"\n", again );

  if( fd_shmem_leave( (void *)again, NULL, NULL ) ) return fail( "fd_shmem_leave failed" );
  if( fd_shmem_leave_anonymous( mem, &info ) ) return fail( "fd_shmem_leave_anonymous failed" );
  printf( "after both leaves: ref_cnt %ld, query by name: %s\n", info.ref_cnt,
          strerror( fd_shmem_join_query_by_name( "test", NULL ) ) );
  if( fd_shmem_release( mem, FD_SHMEM_NORMAL_PAGE_SZ, page_cnt ) ) return fail( "fd_shmem_release failed" );
  return 0;
}

/* A pool of two volumes (address space only: a volume is 1 GiB, and only
   the headers are touched), emptied. */
static int
groove( void ) {
  size_t const volume_max = 2UL;
  void * volumes = mmap( NULL, volume_max*FD_GROOVE_VOLUME_FOOTPRINT, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0 );
  if( volumes==MAP_FAILED ) return fail( "cannot map the address space of two volumes" );
  void * shpool = aligned_alloc( fd_groove_volume_pool_align(), fd_groove_volume_pool_footprint() );
  fd_groove_volume_pool_t ljoin[1];
  fd_groove_volume_pool_t * pool = fd_groove_volume_pool_join( ljoin, fd_groove_volume_pool_new( shpool ),
                                                                volumes, volume_max );
  if( !pool ) return fail( "cannot make and join a groove volume pool" );
  int err = fd_groove_volume_pool_add( pool, volumes, volume_max*FD_GROOVE_VOLUME_FOOTPRINT, "autopkgtest", 11UL );
  printf( "pool of %zu volumes: add: %s\n", fd_groove_volume_pool_volume_max( pool ), fd_groove_strerror( err ) );
  for( ;; ) {
    fd_groove_volume_t * v = fd_groove_volume_pool_remove_err( pool, &err );
    if( !v ) break;
    int in_place = (char *)v==(char *)volumes + v->idx*FD_GROOVE_VOLUME_FOOTPRINT;
    printf( "removed volume %lu (%s volume0), magic %lu, info \"%.*s\"\n", (unsigned long)v->idx,
            in_place ? "at its place from" : "NOT at its place from", (unsigned long)v->magic, (int)v->info_sz,
            (char const *)v->info );
  }
  printf( "then: %s\n", fd_groove_strerror( err ) );
  fd_groove_volume_pool_delete( fd_groove_volume_pool_leave( pool ) );
  free( shpool );
  munmap( volumes, volume_max*FD_GROOVE_VOLUME_FOOTPRINT );
  return 0;
}

int
main( void ) {
  printf( "page sizes: \"huge\" is %zu bytes, %zu bytes is \"%s\"\n", fd_cstr_to_shmem_page_sz( "huge" ),
          FD_SHMEM_GIGANTIC_PAGE_SZ, fd_shmem_page_sz_to_cstr( FD_SHMEM_GIGANTIC_PAGE_SZ ) );
  printf( "name lengths: \"region-1\" %zu, \"../etc\" %zu\n", fd_shmem_name_len( "region-1" ),
          fd_shmem_name_len( "../etc" ) );
  return joins() || groove();
}
