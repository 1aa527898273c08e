/* Hugepage pools on the real machine (root, FDSHMEM_TEST_PRIVILEGED=1):
   impossible counts refused at once with nothing written, a grow the
   machine can meet, and shrinking down to exactly the pages in use
   while a region and a private mapping hold some.  Node 0's pools of
   both sizes are put back as they were at exit, whatever happened. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HUGE  FD_SHMEM_HUGE_PAGE_SZ
#define GIANT FD_SHMEM_GIGANTIC_PAGE_SZ
#define NODE0 "/sys/devices/system/node/node0/hugepages/hugepages-"
#define NR_HUGE  NODE0 "2048kB/nr_hugepages"
#define NR_GIANT NODE0 "1048576kB/nr_hugepages"

static fdt_domain_t domain;
static long         saved_huge = -1L, saved_giant = -1L;
static pid_t        main_pid;  /* Check's forked test processes restore nothing */

static void
setup( void ) {
  fdt_log_start();
}

static void
restore( char const * path, long v ) {
  if( v<0L ) return;
  FILE * f = fopen( path, "w" );
  int bad = !f || fprintf( f, "%ld\n", v )<0;
  bad |= f && fclose( f );
  if( bad || fdt_read_long( path )!=v ) fprintf( stderr, "WARNING: could not put %s back to %ld\n", path, v );
}

/* Regions first (their pages go back to the pool), then the pools. */
static void
restore_machine( void ) {
  if( getpid()!=main_pid ) return;
  fdt_domain_delete( &domain );
  restore( NR_HUGE, saved_huge );
  restore( NR_GIANT, saved_giant );
}

START_TEST( impossible_counts_refused_at_once ) {
  long before = fdt_read_long( NR_HUGE );
  double t0 = fdt_now_ns();
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 100000, 0, &got ), E2BIG );
  ck_assert_uint_eq( got, (size_t)before );
  ck_assert_msg( strstr( fdt_logged(), "node 0: 100000 huge pages need 195.3 GiB (209715200000 bytes), more than the node's " ), "log: %s", fdt_logged() );
  if( saved_giant>=0L ) {
    ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, SIZE_MAX, 0, NULL ), E2BIG );
    ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 1000000, 0, NULL ), E2BIG );
    ck_assert_int_eq( fdt_read_long( NR_GIANT ), saved_giant );
  }
  double ms = ( fdt_now_ns()-t0 )/1e6;
  ck_assert_msg( ms<500.0, "refusing took %.0f ms: the kernel was asked", ms );
  ck_assert_int_eq( fdt_read_long( NR_HUGE ), before );
}
END_TEST

START_TEST( grow_met ) {
  size_t want = (size_t)fdt_read_long( NR_HUGE ) + 8UL, got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, want, 0, &got ), 0 );
  ck_assert_uint_eq( got, want );
  ck_assert_int_eq( fdt_read_long( NR_HUGE ), (long)want );
  ck_assert_str_eq( fdt_logged(), "" );
}
END_TEST

/* A 3-page region and a 2-page private mapping hold 5 pages of a pool
   of base+5+4: it shrinks to exactly what is in use, not one below. */
START_TEST( shrink_down_to_in_use ) {
  fd_shmem_pool_info_t p;
  ck_assert_int_eq( fd_shmem_pool_query( HUGE, 0, &p ), 0 );
  size_t base = p.total - p.free;  /* in use by others before the test */
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, base+9UL, 0, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_create( "pool-held", HUGE, 3, 0, 0600 ), 0 );
  void * mem = fd_shmem_acquire( HUGE, 2, 0 );
  ck_assert_ptr_nonnull( mem );
  ck_assert_int_eq( fd_shmem_pool_query( HUGE, 0, &p ), 0 );
  size_t in_use = p.total - p.free;
  ck_assert_uint_eq( in_use, base+5UL );

  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, in_use-1UL, 0, NULL ), EBUSY );
  ck_assert_msg( strstr( fdt_logged(), "pool-held (3 pages)" ), "log: %s", fdt_logged() );
  ck_assert_int_eq( fd_shmem_pool_free( HUGE, 0 ), EBUSY );
  ck_assert_int_eq( fdt_read_long( NR_HUGE ), (long)( base+9UL ) );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, in_use, 0, &got ), 0 );
  ck_assert_uint_eq( got, in_use );
  ck_assert_int_eq( fdt_read_long( NR_HUGE ), (long)in_use );

  ck_assert_int_eq( fd_shmem_release( mem, HUGE, 2 ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "pool-held", HUGE ), 0 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, base, 0, NULL ), 0 );  /* freed pages can go now */
}
END_TEST

START_TEST( dry_run_on_the_machine ) {
  long before = fdt_read_long( NR_HUGE );
  fd_shmem_set_dry_run( 1 );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, (size_t)before+4UL, 0, &got ), 0 );
  ck_assert_uint_eq( got, (size_t)before+4UL );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 100000, 0, NULL ), E2BIG );
  fd_shmem_set_dry_run( 0 );
  ck_assert_int_eq( fdt_read_long( NR_HUGE ), before );
}
END_TEST

int
main( void ) {
  if( !fdt_privileged() ) { fprintf( stderr, "SKIP: needs root and FDSHMEM_TEST_PRIVILEGED=1\n" ); return FDT_SKIP; }
  int err = fdt_domain_new( &domain, 1 );  /* takes the machine lock */
  if( err ) return err;
  if( !domain.has_huge ) { fprintf( stderr, "SKIP: no 2 MiB pages\n" ); fdt_domain_delete( &domain ); return FDT_SKIP; }
  main_pid    = getpid();
  saved_huge  = fdt_read_long( NR_HUGE );
  saved_giant = fdt_read_long( NR_GIANT );
  atexit( restore_machine );  /* runs before the domain's own (registered earlier) */

  Suite * s  = suite_create( "pool_priv" );
  TCase * tc = tcase_create( "machine" );
  tcase_set_timeout( tc, 60 );
  tcase_add_checked_fixture( tc, setup, NULL );
  tcase_add_test( tc, impossible_counts_refused_at_once );
  tcase_add_test( tc, grow_met );
  tcase_add_test( tc, shrink_down_to_in_use );
  tcase_add_test( tc, dry_run_on_the_machine );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
