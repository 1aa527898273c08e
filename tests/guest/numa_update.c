/* Updates that move a region's pages between nodes, on a machine of two
   nodes, in a QEMU guest (tests/guest/t_numa_update.sh): an update with
   room moves every page; one without CAP_SYS_NICE while another process
   maps part of the region fails with EPERM and says why; a failed update
   leaves the pages where they were (those it had moved are moved back)
   and the file's policy as it was (a page faulted later still goes to
   the old node); an update whose target
   node lacks free pages for the pages it moves is refused before it
   moves any. */

#include "numa_fixture.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NORMAL FD_SHMEM_NORMAL_PAGE_SZ
#define CNT    (4UL)

static size_t const page_szs[] = { NORMAL, GN_HUGE };

static size_t
cpu_of( int node ) {
  return (size_t)gn_node_cpu( (size_t)node );
}

static void
pools_for( size_t page_sz, long node0, long node1 ) {
  if( page_sz==NORMAL ) return;
  gn_pool_set( page_sz, 0UL, node0 );
  gn_pool_set( page_sz, 1UL, node1 );
}

/* Creates region "moved" of CNT pages on node 0. */
static void
create_on_node0( size_t page_sz ) {
  ck_assert_int_eq( fd_shmem_create( "moved", page_sz, CNT, cpu_of( 0 ), 0600 ), 0 );
}

static int
update_to( size_t page_sz, int node ) {
  size_t cnt = CNT, cpu = cpu_of( node );
  return fd_shmem_update_multi( "moved", page_sz, 1, &cnt, &cpu, 0600 );
}

/* Every page of the region on node; for normal pages also the file's
   policy (what a page faulted later gets): a punched page, touched
   again, comes back on node. */
static void
expect_region_on( size_t page_sz, int node ) {
  char * mem = fd_shmem_join( "moved", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( mem );
  for( size_t i=0UL; i<CNT; i++ ) ck_assert_int_eq( mem[ i*page_sz ], (char)( i+1UL ) );  /* contents kept */
  gn_expect_on_node( mem, page_sz, CNT, node );
  if( page_sz==NORMAL ) {
    int mode = -1;
    unsigned long mask[ 16 ] = { 0UL };
    ck_assert_int_eq( get_mempolicy( &mode, mask, 8UL*sizeof(mask), mem, MPOL_F_ADDR ), 0 );
    ck_assert_int_eq( mode, MPOL_BIND );
    ck_assert_uint_eq( mask[0], 1UL<<node );
    char path[ 512 ];
    snprintf( path, sizeof(path), "%s/.normal/moved", gn_domain );
    int fd = open( path, O_RDWR | O_CLOEXEC );
    ck_assert_int_ge( fd, 0 );
    ck_assert_int_eq( fallocate( fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)( ( CNT-1UL )*page_sz ),
                                 (off_t)page_sz ), 0 );
    close( fd );
    mem[ ( CNT-1UL )*page_sz ] = (char)CNT;
    gn_expect_on_node( mem + ( CNT-1UL )*page_sz, page_sz, 1UL, node );
  }
  ck_assert_int_eq( fd_shmem_leave( mem, NULL, NULL ), 0 );
}

static void
fill( size_t page_sz ) {
  char * mem = fd_shmem_join( "moved", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( mem );
  for( size_t i=0UL; i<CNT; i++ ) mem[ i*page_sz ] = (char)( i+1UL );
  ck_assert_int_eq( fd_shmem_leave( mem, NULL, NULL ), 0 );
}

START_TEST( update_with_room_moves_every_page ) {
  size_t page_sz = page_szs[ _i ];
  pools_for( page_sz, (long)CNT, (long)CNT );
  create_on_node0( page_sz );
  fill( page_sz );
  ck_assert_int_eq( update_to( page_sz, 1 ), 0 );
  expect_region_on( page_sz, 1 );
  if( page_sz!=NORMAL ) ck_assert_int_eq( gn_pool_free( page_sz, 0UL ), (long)CNT );  /* the old pages went back */
}
END_TEST

/* Drops CAP_SYS_NICE (effective and permitted) from this process: root
   then moves pages like any other user. */
static void
drop_cap_sys_nice( void ) {
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct   data[ 2 ];
  ck_assert_int_eq( (int)syscall( SYS_capget, &hdr, data ), 0 );
  data[ CAP_SYS_NICE/32 ].effective &= ~( 1U << ( CAP_SYS_NICE%32 ) );
  data[ CAP_SYS_NICE/32 ].permitted &= ~( 1U << ( CAP_SYS_NICE%32 ) );
  ck_assert_int_eq( (int)syscall( SYS_capset, &hdr, data ), 0 );
}

/* Another process that maps the last page of the region (only: the
   others an update without CAP_SYS_NICE can move, and a failure must
   move back) until *hold_fd closes. */
static pid_t
join_elsewhere( size_t page_sz, int * hold_fd ) {
  int go[ 2 ], hold[ 2 ];
  ck_assert_int_eq( pipe( go ), 0 );
  ck_assert_int_eq( pipe( hold ), 0 );
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/.%s/moved", gn_domain, fd_shmem_page_sz_to_cstr( page_sz ) );
  pid_t pid = fdt_fork();
  if( !pid ) {
    close( go[0] ); close( hold[1] );
    int    fd  = open( path, O_RDONLY | O_CLOEXEC );
    void * mem = fd<0 ? MAP_FAILED : mmap( NULL, page_sz, PROT_READ, MAP_SHARED, fd, (off_t)( ( CNT-1UL )*page_sz ) );
    char   c   = mem!=MAP_FAILED && *(char volatile *)mem==(char)CNT;  /* mapped in */
    (void)!write( go[1], &c, 1 );
    (void)!read( hold[0], &c, 1 );
    _exit( 0 );
  }
  close( go[1] ); close( hold[0] );
  char c = 0;
  ck_assert_int_eq( (int)read( go[0], &c, 1 ), 1 );
  ck_assert_int_eq( c, 1 );
  close( go[0] );
  *hold_fd = hold[1];
  return pid;
}

/* Child statuses of the update made without CAP_SYS_NICE. */
#define UPD_EPERM_SAID  (0)
#define UPD_OTHER_CODE  (1)
#define UPD_NOT_SAID    (2)

static int
update_without_cap_sys_nice( size_t page_sz ) {
  pid_t pid = fdt_fork();
  if( !pid ) {
    drop_cap_sys_nice();
    fdt_log_start();
    int err = update_to( page_sz, 1 );
    if( err ) fprintf( stderr, "update without CAP_SYS_NICE: %s; log:\n%s", strerror( err ), fdt_logged() );
    if( err!=EPERM ) _exit( UPD_OTHER_CODE );
    _exit( strstr( fdt_logged(), "only with CAP_SYS_NICE" ) ? UPD_EPERM_SAID : UPD_NOT_SAID );
  }
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert( WIFEXITED( status ) );
  return WEXITSTATUS( status );
}

/* A region of page_sz pages on node 0, joined by another process while
   an update without CAP_SYS_NICE moves it: what the update returned
   (UPD_*). */
static int
update_while_joined_elsewhere( size_t page_sz ) {
  pools_for( page_sz, (long)CNT, (long)CNT );
  create_on_node0( page_sz );
  fill( page_sz );
  int hold;
  pid_t joiner = join_elsewhere( page_sz, &hold );
  int got = update_without_cap_sys_nice( page_sz );
  close( hold );
  ck_assert_int_eq( waitpid( joiner, NULL, 0 ), joiner );
  return got;
}

/* _i: the page size.  What the update returns and says. */
START_TEST( update_of_joined_region_without_cap_sys_nice_says_eperm ) {
  int got = update_while_joined_elsewhere( page_szs[ _i ] );
  ck_assert_msg( got!=UPD_OTHER_CODE, "the update did not fail with EPERM" );
  ck_assert_msg( got!=UPD_NOT_SAID, "the log does not say that moving needs CAP_SYS_NICE" );
}
END_TEST

/* _i: the page size.  What the failed update of the test above leaves. */
START_TEST( failed_update_leaves_placement_and_policy ) {
  size_t page_sz = page_szs[ _i ];
  (void)update_while_joined_elsewhere( page_sz );
  expect_region_on( page_sz, 0 );
}
END_TEST

/* Node 1 has one free huge page fewer than the update moves there:
   refused by the room check with the figures, and no page moved. */
START_TEST( update_beyond_target_node_refused_before_moving ) {
  pools_for( GN_HUGE, (long)CNT, (long)CNT-1L );
  create_on_node0( GN_HUGE );
  fill( GN_HUGE );
  fdt_log_start();
  ck_assert_int_eq( update_to( GN_HUGE, 1 ), ENOMEM );
  char want[ 128 ];
  snprintf( want, sizeof(want), "update moved: needs %lu huge pages on node 1, %lu free", CNT, CNT-1UL );
  ck_assert_msg( strstr( fdt_logged(), want ), "log lacks \"%s\":\n%s", want, fdt_logged() );
  ck_assert_int_eq( gn_pool_free( GN_HUGE, 1UL ), (long)CNT-1L );
  expect_region_on( GN_HUGE, 0 );
}
END_TEST

static void
setup( void ) {
  gn_sigbus_fails();
  gn_clean();
}

int
main( void ) {
  int err = gn_setup();
  if( err ) return err;
  Suite * s  = suite_create( "numa_update" );
  TCase * tc = tcase_create( "update" );
  tcase_set_timeout( tc, 600 );
  tcase_add_checked_fixture( tc, setup, NULL );
  tcase_add_loop_test( tc, update_with_room_moves_every_page, 0, 2 );
  tcase_add_loop_test( tc, update_of_joined_region_without_cap_sys_nice_says_eperm, 0, 2 );
  tcase_add_loop_test( tc, failed_update_leaves_placement_and_policy, 0, 2 );
  tcase_add_test( tc, update_beyond_target_node_refused_before_moving );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
