/* Hugepage-backed regions and private pages.  Privileged: it mounts a
   hugetlbfs domain and borrows 2 MiB pages from the machine's pool,
   giving everything back on every path. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE FD_SHMEM_HUGE_PAGE_SZ
#define FREE_PAGES 4

static fdt_domain_t domain;


START_TEST( huge_region ) {
  ck_assert_int_eq( fd_shmem_create( "big", HUGE, 2, 0, 0600 ), 0 );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "big", 0, &info ), 0 );
  ck_assert_uint_eq( info.page_sz, HUGE );
  ck_assert_uint_eq( info.page_cnt, 2 );
  /* the pages are really taken from the pool at create time */
  ck_assert_int_eq( fdt_read_long( "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages" ), FREE_PAGES-2 );

  char * m = fd_shmem_join( "big", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( m );
  ck_assert( !( (uintptr_t)m % HUGE ) );
  m[0] = 1; m[2*HUGE-1] = 2;
  ck_assert_int_eq( fd_shmem_numa_validate( m, HUGE, 2, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_leave( m, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "big", 0 ), 0 );
}
END_TEST

START_TEST( huge_region_too_big ) {
  int mode_before, mode_after;
  unsigned long mask[ 16 ] = { 1UL };
  ck_assert_int_eq( set_mempolicy( MPOL_PREFERRED, mask, 1024 ), 0 );
  ck_assert_int_eq( get_mempolicy( &mode_before, mask, 1024, NULL, 0 ), 0 );

  ck_assert_int_eq( fd_shmem_create( "toobig", HUGE, FREE_PAGES+1, 0, 0600 ), ENOMEM );
  ck_assert_int_eq( fd_shmem_info( "toobig", 0, NULL ), ENOENT );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "huge" ), 0 );  /* not even a temporary file */
  ck_assert_int_eq( fdt_read_long( "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages" ), FREE_PAGES );

  ck_assert_int_eq( get_mempolicy( &mode_after, mask, 1024, NULL, 0 ), 0 );
  ck_assert_int_eq( mode_after, mode_before );
  ck_assert_int_eq( mode_after, MPOL_PREFERRED );
}
END_TEST

START_TEST( huge_acquire ) {
  char * m = fd_shmem_acquire( HUGE, 2, 0 );
  ck_assert_ptr_nonnull( m );
  ck_assert( !( (uintptr_t)m % HUGE ) );
  memset( m, 1, 2*HUGE );
  ck_assert_int_eq( fd_shmem_numa_validate( m, HUGE, 2, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_release( m, HUGE, 2 ), 0 );
  errno = 0;
  ck_assert_ptr_null( fd_shmem_acquire( HUGE, FREE_PAGES+1, 0 ) );
  ck_assert_int_eq( errno, ENOMEM );
  ck_assert_int_eq( fdt_read_long( "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages" ), FREE_PAGES );
}
END_TEST

START_TEST( same_name_two_types ) {
  ck_assert_int_eq( fd_shmem_create( "both", HUGE, 1, 0, 0600 ), 0 );
  ck_assert_int_eq( fd_shmem_create( "both", FD_SHMEM_NORMAL_PAGE_SZ, 3, 0, 0600 ), 0 );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "both", 0, &info ), 0 );  /* the largest page size wins */
  ck_assert_uint_eq( info.page_sz, HUGE );
  ck_assert_uint_eq( info.page_cnt, 1 );
  ck_assert_int_eq( fd_shmem_info( "both", FD_SHMEM_NORMAL_PAGE_SZ, &info ), 0 );
  ck_assert_uint_eq( info.page_cnt, 3 );
  ck_assert_int_eq( fd_shmem_unlink( "both", 0 ), 0 );      /* the largest goes first */
  ck_assert_int_eq( fd_shmem_info( "both", 0, &info ), 0 );
  ck_assert_uint_eq( info.page_sz, FD_SHMEM_NORMAL_PAGE_SZ );
  ck_assert_int_eq( fd_shmem_unlink( "both", 0 ), 0 );
  ck_assert_int_eq( fd_shmem_info( "both", 0, &info ), ENOENT );
}
END_TEST

int
main( void ) {
  if( !fdt_privileged() ) {
    fprintf( stderr, "SKIP: needs root and FDSHMEM_TEST_PRIVILEGED=1\n" );
    return FDT_SKIP;
  }
  int err = fdt_domain_new( &domain, 1 );
  if( err ) return err;
  if( !domain.has_huge ) {
    fprintf( stderr, "SKIP: this kernel offers no 2 MiB pages\n" );
    return FDT_SKIP;
  }
  long got = fdt_hugepages_make_free( &domain, FREE_PAGES );
  if( got!=FREE_PAGES ) {
    fprintf( stderr, "SKIP: could not free up %d huge pages (got %ld)\n", FREE_PAGES, got );
    return FDT_SKIP;
  }
  Suite * s  = suite_create( "priv" );
  TCase * tc = tcase_create( "huge" );
  tcase_add_test( tc, huge_region );
  tcase_add_test( tc, huge_region_too_big );
  tcase_add_test( tc, huge_acquire );
  tcase_add_test( tc, same_name_two_types );
  suite_add_tcase( s, tc );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
