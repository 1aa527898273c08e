/* Private pages and NUMA topology, unprivileged. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <limits.h>
#include <numaif.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define NORMAL FD_SHMEM_NORMAL_PAGE_SZ

START_TEST( topology ) {
  size_t numa_cnt = fd_shmem_numa_cnt();
  size_t cpu_cnt  = fd_shmem_cpu_cnt();
  ck_assert_uint_ge( numa_cnt, 1 );
  ck_assert_uint_le( numa_cnt, FD_SHMEM_NUMA_MAX );
  ck_assert_uint_ge( cpu_cnt, 1 );
  ck_assert_uint_le( cpu_cnt, FD_SHMEM_CPU_MAX );
  ck_assert_uint_eq( cpu_cnt, (size_t)sysconf( _SC_NPROCESSORS_CONF ) );
  for( size_t c=0; c<cpu_cnt; c++ ) {
    size_t n = fd_shmem_numa_idx( c );
    ck_assert_uint_lt( n, numa_cnt );
    ck_assert_uint_le( fd_shmem_cpu_idx( n ), c );  /* the lowest cpu of the node */
    ck_assert_uint_eq( fd_shmem_numa_idx( fd_shmem_cpu_idx( n ) ), n );
  }
  ck_assert_uint_eq( FD_SHMEM_IDX_NULL, SIZE_MAX );  /* the original's (size_t)-1 */
  ck_assert_uint_eq( fd_shmem_numa_idx( cpu_cnt ), FD_SHMEM_IDX_NULL );
  ck_assert_uint_eq( fd_shmem_numa_idx( SIZE_MAX ), FD_SHMEM_IDX_NULL );
  ck_assert_uint_eq( fd_shmem_cpu_idx( numa_cnt ), FD_SHMEM_IDX_NULL );
  ck_assert_uint_eq( fd_shmem_cpu_idx( SIZE_MAX ), FD_SHMEM_IDX_NULL );
}
END_TEST

START_TEST( acquire_release ) {
  char * m = fd_shmem_acquire( NORMAL, 16, 0 );
  ck_assert_ptr_nonnull( m );
  ck_assert( !( (uintptr_t)m % NORMAL ) );
  memset( m, 0xab, 16*4096 );
  ck_assert_int_eq( fd_shmem_numa_validate( m, NORMAL, 16, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_release( m, NORMAL, 16 ), 0 );

  size_t cpu = fd_shmem_cpu_cnt()-1;
  size_t cnt[] = { 1, 0, 3 };
  size_t idx[] = { 0, SIZE_MAX, cpu };
  m = fd_shmem_acquire_multi( NORMAL, 3, cnt, idx );
  ck_assert_ptr_nonnull( m );
  ck_assert_int_eq( fd_shmem_numa_validate( m, NORMAL, 1, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_numa_validate( m+4096, NORMAL, 3, cpu ), 0 );
  ck_assert_int_eq( fd_shmem_release( m, NORMAL, 4 ), 0 );
}
END_TEST

START_TEST( acquire_invalid ) {
  size_t bad_sz[] = { 0, 1, 8192, SIZE_MAX };
  for( size_t i=0; i<sizeof(bad_sz)/sizeof(bad_sz[0]); i++ ) {
    errno = 0;
    ck_assert_ptr_null( fd_shmem_acquire( bad_sz[i], 1, 0 ) );
    ck_assert_int_eq( errno, EINVAL );
  }
  ck_assert_ptr_null( fd_shmem_acquire( NORMAL, 0, 0 ) );
  ck_assert_ptr_null( fd_shmem_acquire( NORMAL, (size_t)LONG_MAX/4096+1, 0 ) );
  ck_assert_ptr_null( fd_shmem_acquire( NORMAL, 1, fd_shmem_cpu_cnt() ) );
  size_t cnt[] = { 1, SIZE_MAX };
  size_t idx[] = { 0, 0 };
  ck_assert_ptr_null( fd_shmem_acquire_multi( NORMAL, 2, cnt, idx ) );
  ck_assert_ptr_null( fd_shmem_acquire_multi( NORMAL, 0, cnt, idx ) );
  ck_assert_ptr_null( fd_shmem_acquire_multi( NORMAL, 1, NULL, idx ) );
  ck_assert_ptr_null( fd_shmem_acquire_multi( NORMAL, 1, cnt, NULL ) );
  ck_assert_int_eq( errno, EINVAL );

  char * m = fd_shmem_acquire( NORMAL, 2, 0 );
  ck_assert_ptr_nonnull( m );
  ck_assert_int_eq( fd_shmem_release( NULL, NORMAL, 2 ), -1 );
  ck_assert_int_eq( errno, EINVAL );
  ck_assert_int_eq( fd_shmem_release( m+1, NORMAL, 2 ), -1 );
  ck_assert_int_eq( fd_shmem_release( m, 8192, 1 ), -1 );
  ck_assert_int_eq( fd_shmem_release( m, NORMAL, 0 ), -1 );
  ck_assert_int_eq( fd_shmem_release( m, NORMAL, SIZE_MAX ), -1 );
  ck_assert_int_eq( fd_shmem_release( m, FD_SHMEM_HUGE_PAGE_SZ, 1 ), -1 );  /* misaligned for huge */
  ck_assert_int_eq( fd_shmem_release( m, NORMAL, 2 ), 0 );
}
END_TEST

START_TEST( mempolicy_kept ) {
  int  mode_before, mode_after;
  unsigned long mask_before[ 16 ], mask_after[ 16 ];
  ck_assert_int_eq( get_mempolicy( &mode_before, mask_before, 1024, NULL, 0 ), 0 );
  char * m = fd_shmem_acquire( NORMAL, 4, 0 );
  ck_assert_ptr_nonnull( m );
  ck_assert_int_eq( get_mempolicy( &mode_after, mask_after, 1024, NULL, 0 ), 0 );
  ck_assert_int_eq( mode_after, mode_before );
  ck_assert( !memcmp( mask_before, mask_after, sizeof(mask_before) ) );
  ck_assert_int_eq( fd_shmem_release( m, NORMAL, 4 ), 0 );
  /* and after a failure */
  ck_assert_ptr_null( fd_shmem_acquire( NORMAL, 1, fd_shmem_cpu_cnt() ) );
  ck_assert_int_eq( get_mempolicy( &mode_after, mask_after, 1024, NULL, 0 ), 0 );
  ck_assert_int_eq( mode_after, mode_before );
}
END_TEST

int
main( void ) {
  Suite * s  = suite_create( "pages" );
  TCase * tc = tcase_create( "pages" );
  tcase_add_test( tc, topology );
  tcase_add_test( tc, acquire_release );
  tcase_add_test( tc, acquire_invalid );
  tcase_add_test( tc, mempolicy_kept );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
