/* The groove volume pool over gigantic volumes on two NUMA nodes, in a
   QEMU guest (tests/guest/t_numa_groove.sh): a region of two 1 GiB
   volumes, one per node, holds the pool's volumes; a second program
   (this one, run as a peer) joins the same regions at other addresses
   and takes volumes out, each on its node, its writes seen by the
   first; then both processes take and give back volumes at once and
   no volume is ever handed to two of them. */

#include "numa_fixture.h"

#include <fdshmem/fd_groove_volume.h>
#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HAMMER_NS (3e9)  /* how long both processes take and give back volumes */
#define HOLD   (200)   /* owner checks while a volume is held */
#define GATE_OFF (2048UL) /* the start gate, in the pool's page past the pool object */

typedef struct {
  fd_groove_volume_pool_t ljoin[1];
  fd_groove_volume_pool_t * pool;
  char * vols;    /* the gigantic region: volume 0 on node 0, volume 1 on node 1 */
  void * shpool;  /* the normal-page region holding the pool object */
} side_t;

/* Joins the two regions and the pool (formatted first when fresh). */
static int
side_join( side_t * s, int fresh ) {
  s->vols   = fd_shmem_join( "vols", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  s->shpool = fd_shmem_join( "gpool", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( !s->vols || !s->shpool ) return -1;
  if( fresh && !fd_groove_volume_pool_new( s->shpool ) ) return -1;
  s->pool = fd_groove_volume_pool_join( s->ljoin, s->shpool, s->vols, 2UL );
  return s->pool ? 0 : -1;
}

static void
side_leave( side_t * s ) {
  fd_groove_volume_pool_leave( s->pool );
  fd_shmem_leave( s->shpool, NULL, NULL );
  fd_shmem_leave( s->vols, NULL, NULL );
}

/* 0 when volume v is idx, emptied by remove, and on node, by the
   library and by move_pages. */
static int
volume_ok( fd_groove_volume_t const * v, uint64_t idx, int node ) {
  return v && v->magic==0UL && v->idx==idx &&
         !fd_shmem_numa_validate( v, GN_GIANT, 1, (size_t)gn_node_cpu( (size_t)node ) ) &&
         gn_page_node( v )==node && gn_page_node( (char const *)v+GN_GIANT-1UL )==node ? 0 : -1;
}

/* ---- the peer: a second program on the same pool ---- */

/* Takes both volumes (lowest first), marks them, gives volume 1 back. */
static int
peer_take( side_t * s ) {
  fd_groove_volume_t * v0 = fd_groove_volume_pool_remove( s->pool );
  fd_groove_volume_t * v1 = fd_groove_volume_pool_remove( s->pool );
  if( volume_ok( v0, 0UL, 0 ) ) return 10;
  if( volume_ok( v1, 1UL, 1 ) ) return 11;
  if( fd_groove_volume_pool_remove( s->pool ) ) return 12;
  if( (char *)v0!=s->vols ) return 13;  /* this process's own address of volume 0 */
  memcpy( v0->data, "peer", 4 );
  memcpy( v1->data, "peer", 4 );
  return fd_groove_volume_pool_add( s->pool, v1, FD_GROOVE_VOLUME_FOOTPRINT, "back", 4 ) ? 14 : 0;
}

/* Takes and gives back volumes from the cpu of node me-1, holding each
   a moment; owner words in the data show a volume handed to two
   processes at once.  Returns the volumes taken, or -1. */
static long
hammer( side_t * s, uint64_t me ) {
  cpu_set_t cpus;
  CPU_ZERO( &cpus );
  CPU_SET( (int)gn_node_cpu( me-1UL ), &cpus );
  if( sched_setaffinity( 0, sizeof(cpus), &cpus ) ) return -1L;
  /* both start together: the gate, a word past the pool object in its page */
  uint64_t * gate = (uint64_t *)( (char *)s->shpool + GATE_OFF );
  __atomic_add_fetch( gate, 1UL, __ATOMIC_ACQ_REL );
  while( __atomic_load_n( gate, __ATOMIC_ACQUIRE )<2UL ) sched_yield();
  long got = 0L;
  for( double end = fdt_now_ns()+HAMMER_NS; fdt_now_ns()<end; ) {
    int err;
    fd_groove_volume_t * v = fd_groove_volume_pool_remove_err( s->pool, &err );
    if( err!=FD_GROOVE_SUCCESS && err!=FD_GROOVE_ERR_EMPTY ) return -1L;
    if( !v ) continue;
    uint64_t * owner = (uint64_t *)v->data + 1;
    if( v->magic || __atomic_exchange_n( owner, me, __ATOMIC_ACQ_REL ) ) return -1L;
    for( int j=0; j<HOLD; j++ ) if( __atomic_load_n( owner, __ATOMIC_ACQUIRE )!=me ) return -1L;
    __atomic_store_n( owner, 0UL, __ATOMIC_RELEASE );
    if( fd_groove_volume_pool_add( s->pool, v, FD_GROOVE_VOLUME_FOOTPRINT, NULL, 0 ) ) return -1L;
    got++;
  }
  return got;
}

static int
peer_main( char const * what, char const * domain ) {
  side_t s;
  if( fd_shmem_set_path( domain ) || side_join( &s, 0 ) ) return 2;
  int status = !strcmp( what, "take" ) ? peer_take( &s ) : hammer( &s, 2UL )>0L ? 0 : 20;
  side_leave( &s );
  return status;
}

/* ---- the tests ---- */

static side_t side;

static void
setup( void ) {
  gn_sigbus_fails();
  gn_clean();  /* a failed test leaves its regions */
  gn_pool_set( GN_GIANT, 0UL, 1L );
  gn_pool_set( GN_GIANT, 1UL, 1L );
  size_t cnt[] = { 1, 1 }, cpu[] = { (size_t)gn_node_cpu( 0UL ), (size_t)gn_node_cpu( 1UL ) };
  ck_assert_uint_le( fd_groove_volume_pool_footprint(), GATE_OFF );
  size_t pool_pages = 1UL;  /* the pool object and the gate */
  ck_assert_int_eq( fd_shmem_create_multi( "vols", GN_GIANT, 2, cnt, cpu, 0600 ), 0 );
  ck_assert_int_eq( fd_shmem_create( "gpool", FD_SHMEM_NORMAL_PAGE_SZ, pool_pages, cpu[0], 0600 ), 0 );
  ck_assert_int_eq( side_join( &side, 1 ), 0 );
  ck_assert_int_eq( fd_groove_volume_pool_add( side.pool, side.vols, 2UL*FD_GROOVE_VOLUME_FOOTPRINT, "numa", 4 ),
                    FD_GROOVE_SUCCESS );
}

static void
teardown( void ) {
  ck_assert_ptr_nonnull( fd_groove_volume_pool_delete( side.shpool ) );
  side_leave( &side );
  ck_assert_int_eq( fd_shmem_unlink( "vols", GN_GIANT ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "gpool", FD_SHMEM_NORMAL_PAGE_SZ ), 0 );
}

/* Runs this program as a peer doing what; returns its exit status. */
static pid_t
peer_start( char const * what ) {
  pid_t pid = fdt_fork();
  if( !pid ) {
    execl( "/proc/self/exe", "numa_groove", "--peer", what, gn_domain, (char *)NULL );
    _exit( 3 );
  }
  return pid;
}

static int
peer_wait( pid_t pid ) {
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert_msg( WIFEXITED( status ), "the peer died: status 0x%x", status );
  return WEXITSTATUS( status );
}

START_TEST( volumes_cross_processes_on_their_nodes ) {
  ck_assert_int_eq( peer_wait( peer_start( "take" ) ), 0 );
  fd_groove_volume_t * v0 = (fd_groove_volume_t *)side.vols;
  fd_groove_volume_t * v1 = (fd_groove_volume_t *)( side.vols + FD_GROOVE_VOLUME_FOOTPRINT );
  ck_assert( !memcmp( v0->data, "peer", 4 ) );  /* written by the peer at its own address */
  fd_groove_volume_t * v = fd_groove_volume_pool_remove( side.pool );
  ck_assert_ptr_eq( v, v1 );                      /* the one it gave back */
  ck_assert_int_eq( volume_ok( v, 1UL, 1 ), 0 );
  ck_assert_uint_eq( v->info_sz, 4 );
  ck_assert( !memcmp( v->info, "back", 4 ) );
  ck_assert( !memcmp( v->data, "peer", 4 ) );
  ck_assert_ptr_null( fd_groove_volume_pool_remove( side.pool ) );  /* volume 0 is still out */
  ck_assert_int_eq( fd_groove_volume_pool_add( side.pool, v0, 2UL*FD_GROOVE_VOLUME_FOOTPRINT, NULL, 0 ), 0 );
  ck_assert_ptr_eq( fd_groove_volume_pool_remove( side.pool ), v0 );
  ck_assert_int_eq( volume_ok( v0, 0UL, 0 ), 0 );
}
END_TEST

START_TEST( two_processes_never_share_a_volume ) {
  pid_t pid = peer_start( "hammer" );
  long got    = hammer( &side, 1UL );
  int  peer_st = peer_wait( pid );
  ck_assert_msg( got>0L, "this process met a volume held by the other, or a corrupt pool" );
  ck_assert_msg( !peer_st, "the peer met a volume held by the other, or a corrupt pool (exit %d)", peer_st );
  fd_groove_volume_t * v0 = fd_groove_volume_pool_remove( side.pool );
  fd_groove_volume_t * v1 = fd_groove_volume_pool_remove( side.pool );
  ck_assert_ptr_null( fd_groove_volume_pool_remove( side.pool ) );  /* both back, and only both */
  ck_assert_ptr_nonnull( v0 );
  ck_assert_ptr_nonnull( v1 );
  ck_assert_int_eq( volume_ok( v0, v0->idx, (int)v0->idx ), 0 );
  ck_assert_int_eq( volume_ok( v1, v1->idx, (int)v1->idx ), 0 );
  ck_assert_uint_ne( v0->idx, v1->idx );
}
END_TEST

int
main( int argc, char ** argv ) {
  if( argc==4 && !strcmp( argv[1], "--peer" ) ) return peer_main( argv[2], argv[3] );
  int err = gn_setup();
  if( err ) return err;
  Suite * s  = suite_create( "numa_groove" );
  TCase * tc = tcase_create( "groove" );
  tcase_set_timeout( tc, 600 );
  tcase_add_checked_fixture( tc, setup, teardown );
  tcase_add_test( tc, volumes_cross_processes_on_their_nodes );
  tcase_add_test( tc, two_processes_never_share_a_volume );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
