/* Domain administration on real domains (privileged: root and
   FDSHMEM_TEST_PRIVILEGED=1, else the whole program is skipped): creates
   killed at random moments leave temporaries that reset removes, a reset
   under joins keeps the mappings, a reservation (exclusive pages) keeps
   huge pages for the domain alone, and the codes of the domain error sets
   that need a mount or someone else's file (errcases_domain.h). */

#include "fdt.h"
#include "errcase_tree.h"
#include "errcases_domain.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NORMAL    FD_SHMEM_NORMAL_PAGE_SZ
#define HUGE      FD_SHMEM_HUGE_PAGE_SZ
#define RESV_PATH "/sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages"
#define KILL_CNT  (300)
#define VICTIM_SZ (512UL)  /* pages: wide enough to be killed halfway */

static fdt_domain_t domain;

/* Waits for pid; returns its exit status, or 128+signal. */
static int
reap( pid_t pid ) {
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  return WIFEXITED( status ) ? WEXITSTATUS( status ) : 128 + WTERMSIG( status );
}

typedef struct { size_t leftovers, invalid_listed; } walk_t;

static int
count_files( void * ctx, fd_shmem_region_info_t const * info ) {
  walk_t * w = ctx;
  w->leftovers++;
  w->invalid_listed += !info->valid;
  return 0;
}

/* A create killed at any moment leaves no region or a complete one;
   leftover temporaries are invisible, listed, and removed by reset. */

/* Nanoseconds from fork to the end of an uninterrupted create. */
static long
create_span_ns( void ) {
  double t0 = fdt_now_ns();
  pid_t pid = fdt_fork();
  if( !pid ) _exit( fd_shmem_create( "victim", NORMAL, VICTIM_SZ, 0, 0600 ) );
  ck_assert_int_eq( reap( pid ), 0 );
  long span = (long)( fdt_now_ns()-t0 );
  ck_assert_int_eq( fd_shmem_unlink( "victim", 0 ), 0 );
  return span;
}

START_TEST( create_killed_anywhere ) {
  struct timespec seed;
  clock_gettime( CLOCK_MONOTONIC, &seed );
  srand( (unsigned)seed.tv_nsec );
  long span = create_span_ns();  /* kill points spread over all of it, and a bit past */
  int complete = 0, absent = 0;
  for( int k=0; k<KILL_CNT; k++ ) {
    pid_t pid = fdt_fork();
    if( !pid ) _exit( fd_shmem_create( "victim", NORMAL, VICTIM_SZ, 0, 0600 ) );
    struct timespec ts = { 0, rand() % ( span + span/4 + 1 ) };
    nanosleep( &ts, NULL );
    kill( pid, SIGKILL );
    reap( pid );
    fd_shmem_info_t info;
    int err = fd_shmem_info( "victim", 0, &info );
    ck_assert_msg( err==0 || err==ENOENT, "kill point %d: info says %d", k, err );
    if( err ) { absent++; continue; }
    ck_assert_uint_eq( info.page_cnt, VICTIM_SZ );  /* never half made */
    void * j = fd_shmem_join( "victim", FD_SHMEM_JOIN_MODE_READ_ONLY, 0, NULL, NULL, NULL );
    ck_assert_ptr_nonnull( j );
    ck_assert_int_eq( fd_shmem_leave( j, NULL, NULL ), 0 );
    ck_assert_int_eq( fd_shmem_unlink( "victim", 0 ), 0 );
    complete++;
  }
  ck_assert_int_eq( complete+absent, KILL_CNT );
  printf( "create killed at %d random points over %ld us: %d complete, %d absent\n", KILL_CNT, span/1000, complete, absent );

  walk_t w = { 0, 0 };
  ck_assert_int_eq( fd_shmem_domain_regions( domain.path, count_files, &w ), 0 );
  ck_assert_uint_eq( w.invalid_listed, w.leftovers );  /* only temporaries are left, all marked */
  printf( "leftover temporaries listed: %zu\n", w.leftovers );
  ck_assert_int_eq( fd_shmem_domain_reset( domain.path ), 0 );
  w = (walk_t){ 0, 0 };
  ck_assert_int_eq( fd_shmem_domain_regions( domain.path, count_files, &w ), 0 );
  ck_assert_uint_eq( w.leftovers, 0 );
}
END_TEST

START_TEST( reset_under_joins ) {
  ck_assert_int_eq( fd_shmem_create( "kept", NORMAL, 2, 0, 0600 ), 0 );
  char * m = fd_shmem_join( "kept", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( m );
  strcpy( m, "still here" );
  ck_assert_int_eq( fd_shmem_domain_reset( domain.path ), 0 );
  ck_assert_int_eq( fd_shmem_info( "kept", 0, NULL ), ENOENT );  /* the name went */
  ck_assert_str_eq( m, "still here" );                           /* the mapping did not */
  m[ 2*4096-1 ] = 1;
  ck_assert_int_eq( fd_shmem_leave( m, NULL, NULL ), 0 );
}
END_TEST

/* 1 if a process outside the domain can map and touch cnt 2 MiB pages
   anonymously (what a reservation must refuse it). */
static int
outsider_maps( size_t cnt ) {
  void * m = mmap( NULL, cnt*HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0 );
  if( m==MAP_FAILED ) { ck_assert_int_eq( errno, ENOMEM ); return 0; }
  memset( m, 1, cnt*HUGE );
  munmap( m, cnt*HUGE );
  return 1;
}

static size_t
reserved_now( void ) {
  size_t cnt = ~0UL;
  ck_assert_int_eq( fd_shmem_domain_reserved( NULL, HUGE, &cnt ), 0 );
  return cnt;
}

/* The domain reserves the whole free pool: outsiders get nothing, the
   domain's creates and acquires are served, the reservation outlives
   its regions and cannot change under one, and 0 gives it back. */
START_TEST( reserve_keeps_pages_for_the_domain ) {
  if( !domain.has_huge ) return;
  ck_assert_int_eq( fdt_hugepages_make_free( &domain, 2L ), 2L );
  long resv0 = fdt_read_long( RESV_PATH );
  ck_assert_uint_eq( reserved_now(), 0UL );
  ck_assert( outsider_maps( 1UL ) );

  ck_assert_int_eq( fd_shmem_domain_reserve( NULL, HUGE, 2UL ), 0 );
  ck_assert_uint_eq( reserved_now(), 2UL );
  ck_assert_int_eq( fdt_read_long( RESV_PATH ), resv0+2L );
  ck_assert( !outsider_maps( 1UL ) );
  ck_assert_int_eq( fd_shmem_domain_reserve( NULL, HUGE, 2UL ), 0 );  /* as it is: nothing to do */

  for( int round=0; round<2; round++ ) {  /* regions come and go */
    ck_assert_int_eq( fd_shmem_create( "mine", HUGE, 2UL, 0UL, 0600 ), 0 );
    ck_assert_int_eq( fd_shmem_domain_reserve( NULL, HUGE, 1UL ), EBUSY );  /* a mount with a region stays */
    ck_assert_uint_eq( reserved_now(), 2UL );
    ck_assert_int_eq( fd_shmem_unlink( "mine", HUGE ), 0 );
    ck_assert_uint_eq( reserved_now(), 2UL );
    ck_assert_int_eq( fdt_read_long( RESV_PATH ), resv0+2L );
    ck_assert( !outsider_maps( 1UL ) );
  }

  char * mem = fd_shmem_acquire( HUGE, 2UL, 0UL );  /* private pages from the domain's reservation */
  ck_assert_ptr_nonnull( mem );
  memset( mem, 7, 2UL*HUGE );
  ck_assert_int_eq( fd_shmem_release( mem, HUGE, 2UL ), 0 );
  ck_assert_int_eq( fdt_read_long( RESV_PATH ), resv0+2L );

  ck_assert_int_eq( fd_shmem_domain_reserve( NULL, HUGE, 3UL ), ENOMEM );  /* the pool has 2 */
  ck_assert_uint_eq( reserved_now(), 2UL );
  fd_shmem_set_dry_run( 1 );
  ck_assert_int_eq( fd_shmem_domain_reserve( NULL, HUGE, 0UL ), 0 );
  fd_shmem_set_dry_run( 0 );
  ck_assert_uint_eq( reserved_now(), 2UL );

  ck_assert_int_eq( fd_shmem_domain_reserve( NULL, HUGE, 0UL ), 0 );
  ck_assert_uint_eq( reserved_now(), 0UL );
  ck_assert_int_eq( fdt_read_long( RESV_PATH ), resv0 );
  ck_assert( outsider_maps( 2UL ) );

  /* this domain has no .gigantic: refused, with the cause the machine shows */
  int offered = !access( "/sys/kernel/mm/hugepages/hugepages-1048576kB", F_OK );
  fdt_log_start();
  ck_assert_int_eq( fd_shmem_domain_reserve( NULL, FD_SHMEM_GIGANTIC_PAGE_SZ, 1UL ), EINVAL );
  char const * want = offered ? "repair mounts it" : "the kernel offers no gigantic pages";
  ck_assert_msg( strstr( fdt_logged(), want ), "want \"%s\" in: %s", want, fdt_logged() );
}
END_TEST

int
main( void ) {
  if( !fdt_privileged() ) {
    fprintf( stderr, "SKIP: needs root and FDSHMEM_TEST_PRIVILEGED=1\n" );
    return FDT_SKIP;
  }
  fdt_machine_lock();  /* held by every test, forked or not: the error cases mount */
  int err = fdt_domain_new( &domain, 1 );
  /* the pools as found, saved in this process, which puts them back at
     exit: the tests that grow them run in forked children */
  if( !err && domain.has_huge && fdt_hugepages_make_free( &domain, 0L )<0L ) err = 1;
  if( !err ) err = errcase_tree_new();
  if( err ) return err;
  Suite * s  = suite_create( "domain_admin_priv" );
  TCase * tc = tcase_create( "real" );
  tcase_set_timeout( tc, 120 );
  tcase_add_test( tc, create_killed_anywhere );
  tcase_add_test( tc, reset_under_joins );
  tcase_add_test( tc, reserve_keeps_pages_for_the_domain );
  suite_add_tcase( s, tc );
  TCase * te = tcase_create( "errsets" );
  fdt_errcases_add_part( te, errcases_domain_priv, errcases_domain_priv_cnt, errcases_domain, errcases_domain_cnt,
                         FDT_ERRCASES_DOMAIN );
  suite_add_tcase( s, te );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
