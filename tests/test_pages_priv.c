/* Private pages on 2 MiB pages (privileged: root and
   FDSHMEM_TEST_PRIVILEGED=1, else the whole program is skipped, as it is
   on a kernel without 2 MiB pages): acquired from a pool of exactly
   SMALL_FREE free pages, placed, released, and refused beyond it with
   the pool left as it was. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define HUGE       FD_SHMEM_HUGE_PAGE_SZ
#define SMALL_FREE 4  /* free 2 MiB pages */

static fdt_domain_t domain;

START_TEST( huge_acquire ) {
  char * m = fd_shmem_acquire( HUGE, 2, 0 );
  ck_assert_ptr_nonnull( m );
  ck_assert( !( (uintptr_t)m % HUGE ) );
  memset( m, 1, 2*HUGE );
  ck_assert_int_eq( fd_shmem_numa_validate( m, HUGE, 2, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_release( m, HUGE, 2 ), 0 );
  errno = 0;
  ck_assert_ptr_null( fd_shmem_acquire( HUGE, SMALL_FREE+1, 0 ) );
  ck_assert_int_eq( errno, ENOMEM );
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), SMALL_FREE );
}
END_TEST

int
main( void ) {
  int err = fdt_huge_domain_new( &domain, SMALL_FREE );  /* takes the machine lock */
  if( err ) return err;
  Suite * s  = suite_create( "pages_priv" );
  TCase * tc = tcase_create( "huge" );
  tcase_set_timeout( tc, 60 );
  tcase_add_test( tc, huge_acquire );
  suite_add_tcase( s, tc );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
