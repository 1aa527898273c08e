/* Hugepage-backed regions and private pages.  Privileged: it mounts a
   hugetlbfs domain and borrows 2 MiB pages from the machine's pool,
   giving everything back on every path. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
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
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), FREE_PAGES-2 );

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
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), FREE_PAGES );

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
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), FREE_PAGES );
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

/* A hugetlbfs mount limited to one page: a two-page create fails and
   leaves nothing behind, a one-page create still works. */
START_TEST( small_mount_refuses ) {
  fdt_domain_t small = { .path = "/tmp/fdshmem-small.XXXXXX" };
  char sub[ 300 ];
  ck_assert_ptr_nonnull( mkdtemp( small.path ) );
  snprintf( sub, sizeof(sub), "%s/.huge", small.path );
  ck_assert_int_eq( mkdir( sub, 0700 ), 0 );
  ck_assert_int_eq( mount( "fdshmem-test", sub, "hugetlbfs", 0, "pagesize=2M,size=2M" ), 0 );
  ck_assert_int_eq( fd_shmem_set_path( small.path ), 0 );
  int err_big = fd_shmem_create( "toolarge", HUGE, 2, 0, 0600 );
  int left    = fdt_domain_entry_cnt( &small, "huge" );
  int err_one = fd_shmem_create( "fits", HUGE, 1, 0, 0600 );
  fd_shmem_unlink( "fits", 0 );
  umount2( sub, MNT_DETACH );
  rmdir( sub );
  rmdir( small.path );
  ck_assert_int_eq( fd_shmem_set_path( domain.path ), 0 );
  ck_assert_msg( err_big==ENOMEM || err_big==ENOSPC, "create beyond the mount size: %d", err_big );
  ck_assert_int_eq( left, 0 );
  ck_assert_int_eq( err_one, 0 );
}
END_TEST

/* An unprivileged process whose locked-memory limit is too small:
   create needs no lock and works; acquire, which locks its private
   pages, fails with ENOMEM and leaves nothing. */
START_TEST( memlock_limit_refuses ) {
  /* open the domain to everyone for the test, as init would for a group */
  char dir[ 300 ], huge[ 300 ];
  snprintf( dir,  sizeof(dir),  "%s/.normal", domain.path );
  snprintf( huge, sizeof(huge), "%s/.huge",   domain.path );
  ck_assert_int_eq( chmod( domain.path, 0755 ), 0 );
  ck_assert_int_eq( chmod( dir, 0777 ), 0 );
  ck_assert_int_eq( chmod( huge, 0777 ), 0 );
  pid_t pid = fdt_fork();
  if( !pid ) {
    struct rlimit lim = { 64*1024, 64*1024 };
    if( setrlimit( RLIMIT_MEMLOCK, &lim ) || fdt_become_nobody() ) _exit( 10 );
    if( fd_shmem_create( "unlocked", FD_SHMEM_NORMAL_PAGE_SZ, 64, 0, 0600 ) ) _exit( 11 );  /* 256 KiB > 64 KiB */
    if( fd_shmem_unlink( "unlocked", 0 ) ) _exit( 12 );
    errno = 0;
    if( fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, 64, 0 ) || errno!=ENOMEM ) _exit( 13 );
    void * mem = fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, 4, 0 );  /* within the limit */
    _exit( !mem || fd_shmem_release( mem, FD_SHMEM_NORMAL_PAGE_SZ, 4 ) ? 14 : 0 );
  }
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  chmod( huge, 0700 );
  chmod( dir, 0700 );
  chmod( domain.path, 0700 );
  ck_assert_msg( WIFEXITED( status ) && !WEXITSTATUS( status ), "unprivileged child failed at step %d", WEXITSTATUS( status ) );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 0 );
}
END_TEST

/* The kernel's compaction migrates even locked pages, and a page in
   transit reads as absent for a moment: placement must wait for it,
   not call the region short of memory. */
START_TEST( placement_survives_compaction ) {
  pid_t pid = fdt_fork();
  if( !pid ) {
    for( ;; ) {
      FILE * f = fopen( "/proc/sys/vm/compact_memory", "w" );
      if( !f ) _exit( 1 );
      fputs( "1\n", f );
      fclose( f );
    }
  }
  int failed = 0;
  for( int i=0; i<20000; i++ ) {
    void * mem = fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, 64, 0 );
    if( !mem ) { failed++; continue; }
    fd_shmem_release( mem, FD_SHMEM_NORMAL_PAGE_SZ, 64 );
  }
  for( int i=0; i<2000; i++ ) {
    if( fd_shmem_create( "moving", FD_SHMEM_NORMAL_PAGE_SZ, 64, 0, 0600 ) ) { failed++; continue; }
    fd_shmem_unlink( "moving", 0 );
  }
  kill( pid, SIGKILL );
  waitpid( pid, NULL, 0 );
  ck_assert_int_eq( failed, 0 );
}
END_TEST


int
main( void ) {
  int err = fdt_huge_domain_new( &domain, FREE_PAGES );
  if( err ) return err;
  Suite * s  = suite_create( "priv" );
  TCase * tc = tcase_create( "huge" );
  tcase_set_timeout( tc, 120 );
  tcase_add_test( tc, huge_region );
  tcase_add_test( tc, huge_region_too_big );
  tcase_add_test( tc, huge_acquire );
  tcase_add_test( tc, same_name_two_types );
  tcase_add_test( tc, small_mount_refuses );
  tcase_add_test( tc, memlock_limit_refuses );
  tcase_add_test( tc, placement_survives_compaction );
  suite_add_tcase( s, tc );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
