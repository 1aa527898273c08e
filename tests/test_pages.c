/* Private pages and NUMA topology, unprivileged: acquire, release and
   numa_validate; mmap, mbind, move_pages and munmap made to fail inside
   them (fault_wrap.h), which must return their error, log it and leave
   nothing behind (fault_check.h); libnuma that cannot be loaded; and
   every code of the closed sets of acquire, release and numa_validate,
   provoked. */

#include "fdt.h"
#include "fault_check.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <limits.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NORMAL   FD_SHMEM_NORMAL_PAGE_SZ
#define PAGE_CNT (4UL)

static fdt_domain_t domain;  /* for the libnuma test, and to show a fault leaves no file */

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

/* ---- failure paths no real cause reaches on demand ---- */

START_TEST( acquire_fault ) {
  fault_case_t const * c = &place_faults[ _i ];
  void * mem = fd_shmem_acquire( NORMAL, PAGE_CNT, 0 );
  ck_assert_ptr_nonnull( mem );
  ck_assert_int_eq( fd_shmem_release( mem, NORMAL, PAGE_CNT ), 0 );

  proc_state_t before = proc_state();
  warn_cnt = 0;
  fault_arm( c->call, 0, 1, c->err );
  errno = 0;
  mem = fd_shmem_acquire( NORMAL, PAGE_CNT, 0 );
  int err = errno;
  ck_assert_int_eq( fault_disarm(), 1 );
  ck_assert_ptr_null( mem );
  ck_assert_msg( err==c->want, "%s: acquire set errno %d, wanted %d", c->what, err, c->want );
  ck_assert_int_gt( warn_cnt, 0 );
  assert_nothing_left( &before );

  mem = fd_shmem_acquire( NORMAL, PAGE_CNT, 0 );
  ck_assert_ptr_nonnull( mem );
  ck_assert_int_eq( fd_shmem_release( mem, NORMAL, PAGE_CNT ), 0 );
}
END_TEST

/* ---- the closed error sets of acquire, release and numa_validate ---- */

#define TOO_MANY ( (size_t)1<<38 )  /* a PiB of normal pages: more than any machine has */

/* What acquire_multi / acquire leaves in errno (0: it worked, the pages
   are given back). */
static int
acquire_multi_errno( size_t sub_cnt, size_t page_cnt ) {
  size_t cpu = 0;
  errno = 0;
  void * mem = fd_shmem_acquire_multi( NORMAL, sub_cnt, &page_cnt, &cpu );
  if( mem ) return fd_shmem_release( mem, NORMAL, page_cnt ) ? -1 : 0;
  return errno;
}
static int
acquire_errno( size_t page_cnt ) {
  errno = 0;
  void * mem = fd_shmem_acquire( NORMAL, page_cnt, 0 );
  if( mem ) return fd_shmem_release( mem, NORMAL, page_cnt ) ? -1 : 0;
  return errno;
}
static void move_pages_fails( void ) { fault_arm( FAULT_MOVE_PAGES, 0, -1, EPERM ); }

static int acquire_multi_no_sub( void )   { return acquire_multi_errno( 0, 1 ); }
static int acquire_multi_too_many( void ) { return acquire_multi_errno( 1, TOO_MANY ); }
static int acquire_multi_unplaced( void ) { move_pages_fails(); return acquire_multi_errno( 1, PAGE_CNT ); }
static int acquire_no_page( void )        { return acquire_errno( 0 ); }
static int acquire_too_many( void )       { return acquire_errno( TOO_MANY ); }
static int acquire_unplaced( void )       { move_pages_fails(); return acquire_errno( PAGE_CNT ); }

static int release_null( void ) { return fd_shmem_release( NULL, NORMAL, 1 ) ? errno : 0; }
/* munmap refusing (as it does when splitting a mapping would pass
   vm.max_map_count): its ENOMEM is in no set */
static int release_refused( void ) {
  void * mem = fd_shmem_acquire( NORMAL, PAGE_CNT, 0 );
  ck_assert_ptr_nonnull( mem );
  fault_arm( FAULT_MUNMAP, 0, 1, ENOMEM );
  int err = fd_shmem_release( mem, NORMAL, PAGE_CNT ) ? errno : 0;
  ck_assert_int_eq( fd_shmem_release( mem, NORMAL, PAGE_CNT ), 0 );
  return err;
}

static int validate_null( void ) { return fd_shmem_numa_validate( NULL, NORMAL, 1, 0 ); }
/* pages never touched: not present anywhere */
static int validate_absent( void ) {
  void * mem = mmap( NULL, PAGE_CNT*NORMAL, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 );
  ck_assert_ptr_ne( mem, MAP_FAILED );
  int err = fd_shmem_numa_validate( mem, NORMAL, PAGE_CNT, 0 );
  munmap( mem, PAGE_CNT*NORMAL );
  return err;
}
static int validate_unasked( void ) {
  void * mem = fd_shmem_acquire( NORMAL, PAGE_CNT, 0 );
  ck_assert_ptr_nonnull( mem );
  move_pages_fails();
  int err = fd_shmem_numa_validate( mem, NORMAL, PAGE_CNT, 0 );
  fault_disarm();
  ck_assert_int_eq( fd_shmem_release( mem, NORMAL, PAGE_CNT ), 0 );
  return err;
}

static fdt_errcase_t const errcases[] = {
  { "fd_shmem_acquire_multi", EINVAL, acquire_multi_no_sub,   0 },
  { "fd_shmem_acquire_multi", ENOMEM, acquire_multi_too_many, 0 },
  { "fd_shmem_acquire_multi", EIO,    acquire_multi_unplaced, 0 },
  { "fd_shmem_acquire",       EINVAL, acquire_no_page,        0 },
  { "fd_shmem_acquire",       ENOMEM, acquire_too_many,       0 },
  { "fd_shmem_acquire",       EIO,    acquire_unplaced,       0 },
  { "fd_shmem_release",       EINVAL, release_null,           0 },
  { "fd_shmem_release",       EIO,    release_refused,        0 },
  { "fd_shmem_numa_validate", EINVAL, validate_null,          0 },
  { "fd_shmem_numa_validate", EFAULT, validate_absent,        0 },
  { "fd_shmem_numa_validate", EIO,    validate_unasked,       0 },
};

/* The catch-all loses nothing: the real errno is in the log. */
START_TEST( errno_catch_all_logs_the_cause ) {
  ck_assert_int_eq( acquire_unplaced(), EIO );
  ck_assert_str_eq( last_warn,
                    "fd_shmem_acquire: unexpected error: Operation not permitted (errno 1); returned as EIO" );
}
END_TEST

/* libnuma that cannot be loaded: the library works as on one node and
   says why once.  The loader runs once per process, so this runs in a
   fresh one (this program, started again with the argument below). */
#define NO_LIBNUMA_ARG "--without-libnuma"

static int
run_without_libnuma( void ) {
  if( fdt_domain_new( &domain, 0 ) ) return 10;
  fd_shmem_set_log_func( count_warnings, NULL );
  fault_arm( FAULT_DLOPEN, 0, -1, 0 );
  int step = 0;
  if( ++step, fd_shmem_numa_cnt()!=1UL ) goto out;
  if( ++step, fd_shmem_cpu_cnt()!=(size_t)sysconf( _SC_NPROCESSORS_CONF ) ) goto out;
  if( ++step, fd_shmem_create( "unplaced", NORMAL, PAGE_CNT, 0, 0600 ) ) goto out;
  void * mem = fd_shmem_acquire( NORMAL, PAGE_CNT, 0 );
  if( ++step, !mem || fd_shmem_numa_validate( mem, NORMAL, PAGE_CNT, 0 ) ) goto out;
  if( ++step, fd_shmem_release( mem, NORMAL, PAGE_CNT ) || fd_shmem_unlink( "unplaced", 0 ) ) goto out;
  if( ++step, warn_cnt!=1 || fault_disarm()!=1 ) goto out;  /* one attempt, one warning */
  step = 0;
out:
  fdt_domain_delete( &domain );
  return step;
}

START_TEST( libnuma_missing ) {
  /* the path read, not /proc/self/exe itself: under valgrind only the
     link is made to name this program */
  char self[ 4096 ];
  ssize_t n = readlink( "/proc/self/exe", self, sizeof(self)-1UL );
  ck_assert_int_gt( n, 0 );
  self[ n ] = '\0';
  pid_t pid = fdt_fork();
  if( !pid ) {
    execl( self, "test_pages", NO_LIBNUMA_ARG, (char *)NULL );
    _exit( 127 );
  }
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert_msg( WIFEXITED( status ) && !WEXITSTATUS( status ), "without libnuma: failed at step %d", WEXITSTATUS( status ) );
}
END_TEST

int
main( int argc, char ** argv ) {
  if( argc>1 && !strcmp( argv[1], NO_LIBNUMA_ARG ) ) return run_without_libnuma();
  int err = fdt_domain_new( &domain, 0 );
  if( err ) return err;
  Suite * s  = suite_create( "pages" );
  TCase * tc = tcase_create( "pages" );
  tcase_add_test( tc, topology );
  tcase_add_test( tc, acquire_release );
  tcase_add_test( tc, acquire_invalid );
  tcase_add_test( tc, mempolicy_kept );
  tcase_add_test( tc, libnuma_missing );
  suite_add_tcase( s, tc );
  fault_check_domain( &domain );
  TCase * tf = tcase_create( "faults" );
  tcase_add_checked_fixture( tf, fault_setup, fault_teardown );
  tcase_add_loop_test( tf, acquire_fault, 0, PLACE_FAULT_CNT );
  fdt_errcases_add( tf, errcases, sizeof(errcases)/sizeof(errcases[0]), FDT_ERRCASES_PAGES );
  tcase_add_test( tf, errno_catch_all_logs_the_cause );
  suite_add_tcase( s, tf );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
