/* NUMA placement on a machine of two nodes, in a QEMU guest
   (tests/guest/t_numa_place.sh): the topology calls agree with sysfs;
   every page of every subregion of a region or of private pages, huge
   and gigantic, lies on its node (by the library's check and by
   move_pages(2) asked directly); a node short of pages refuses create
   and acquire with ENOMEM, leaves no file, takes nothing from the other
   node and never SIGBUSes; a creator killed mid-placement leaves no
   file and gives its pages back; creates larger than a node or than the
   machine fail cleanly. */

#include "numa_fixture.h"

#include <fdshmem/fd_shmem.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NORMAL FD_SHMEM_NORMAL_PAGE_SZ
#define NO_IDX ((size_t)-1)

static size_t
cpu_of( int node ) {
  return (size_t)gn_node_cpu( (size_t)node );
}

/* Highest nodeN under /sys/devices/system/node, plus one. */
static size_t
sysfs_node_cnt( void ) {
  DIR * d = opendir( "/sys/devices/system/node" );
  ck_assert_ptr_nonnull( d );
  size_t cnt = 0UL, n;
  for( struct dirent * e; ( e = readdir( d ) ); )
    if( sscanf( e->d_name, "node%zu", &n )==1 && n+1UL>cnt ) cnt = n+1UL;
  closedir( d );
  return cnt;
}

/* The node sysfs puts cpu in (its nodeN link), or NO_IDX. */
static size_t
sysfs_node_of_cpu( size_t cpu ) {
  char path[ 96 ];
  snprintf( path, sizeof(path), "/sys/devices/system/cpu/cpu%zu", cpu );
  DIR * d = opendir( path );
  ck_assert_ptr_nonnull( d );
  size_t node = NO_IDX, n;
  for( struct dirent * e; ( e = readdir( d ) ); )
    if( sscanf( e->d_name, "node%zu", &n )==1 ) node = n;
  closedir( d );
  return node;
}

START_TEST( topology_matches_sysfs ) {
  size_t node_cnt = sysfs_node_cnt();
  size_t cpu_cnt  = (size_t)sysconf( _SC_NPROCESSORS_CONF );
  ck_assert_uint_ge( node_cnt, 2 );
  ck_assert_uint_eq( fd_shmem_numa_cnt(), node_cnt );
  ck_assert_uint_eq( fd_shmem_cpu_cnt(), cpu_cnt );
  for( size_t n=0UL; n<node_cnt; n++ ) {
    long cpu = gn_node_cpu( n );  /* -1: a node of memory only, or no node */
    ck_assert_msg( fd_shmem_cpu_idx( n )==( cpu<0L ? NO_IDX : (size_t)cpu ), "fd_shmem_cpu_idx( %zu ) = %zu, sysfs: %ld",
                   n, fd_shmem_cpu_idx( n ), cpu );
  }
  for( size_t c=0UL; c<cpu_cnt; c++ )
    ck_assert_msg( fd_shmem_numa_idx( c )==sysfs_node_of_cpu( c ), "fd_shmem_numa_idx( %zu ) = %zu, sysfs: %zu",
                   c, fd_shmem_numa_idx( c ), sysfs_node_of_cpu( c ) );
  ck_assert_uint_eq( fd_shmem_numa_idx( cpu_cnt ), NO_IDX );
  ck_assert_uint_eq( fd_shmem_cpu_idx( node_cnt ), NO_IDX );
}
END_TEST

/* ---- placement of every subregion ---- */

typedef struct {
  size_t page_sz;
  size_t sub_cnt;
  size_t page_cnt[ 3 ];
  int    node    [ 3 ];
} layout_t;

/* Subregions alternate nodes, so a region bound whole to one node or a
   subregion placed on its neighbour's node shows. */
static layout_t const layouts[] = {
  { GN_HUGE,  3, { 2, 3, 1 }, { 1, 0, 1 } },
  { GN_GIANT, 2, { 1, 1 },    { 0, 1 } },
};

static void
layout_pools( layout_t const * l ) {
  for( int node=0; node<2; node++ ) gn_pool_set( l->page_sz, (size_t)node, l->page_sz==GN_HUGE ? 8L : 1L );
}

static void
layout_cpus( layout_t const * l, size_t * cpu ) {
  for( size_t i=0UL; i<l->sub_cnt; i++ ) cpu[i] = cpu_of( l->node[i] );
}

/* The pages each node gave: its free count fell by the layout's pages there. */
static void
expect_taken( layout_t const * l, long const * free_before ) {
  for( int node=0; node<2; node++ ) {
    long want = free_before[ node ];
    for( size_t i=0UL; i<l->sub_cnt; i++ ) want -= l->node[i]==node ? (long)l->page_cnt[i] : 0L;
    ck_assert_int_eq( gn_pool_free( l->page_sz, (size_t)node ), want );
  }
}

/* Every subregion on its node, by move_pages and by the library, whose
   check refuses the other node. */
static void
expect_layout( layout_t const * l, char * mem ) {
  for( size_t i=0UL; i<l->sub_cnt; i++ ) {
    size_t sz = l->page_cnt[i]*l->page_sz;
    for( size_t off=0UL; off<sz; off+=l->page_sz ) mem[ off ] = 1;  /* present, no SIGBUS */
    gn_expect_on_node( mem, l->page_sz, l->page_cnt[i], l->node[i] );
    ck_assert_int_eq( fd_shmem_numa_validate( mem, l->page_sz, l->page_cnt[i], cpu_of( l->node[i] ) ), 0 );
    ck_assert_int_eq( fd_shmem_numa_validate( mem, l->page_sz, l->page_cnt[i], cpu_of( !l->node[i] ) ), EFAULT );
    mem += sz;
  }
}

static size_t
layout_total( layout_t const * l ) {
  size_t total = 0UL;
  for( size_t i=0UL; i<l->sub_cnt; i++ ) total += l->page_cnt[i];
  return total;
}

START_TEST( create_multi_places_each_subregion ) {
  layout_t const * l = &layouts[ _i ];
  size_t cpu[ 3 ];
  long   free_before[ 2 ];
  layout_pools( l );
  layout_cpus( l, cpu );
  for( int node=0; node<2; node++ ) free_before[ node ] = gn_pool_free( l->page_sz, (size_t)node );
  ck_assert_int_eq( fd_shmem_create_multi( "multi", l->page_sz, l->sub_cnt, l->page_cnt, cpu, 0600 ), 0 );
  expect_taken( l, free_before );  /* reserved at create, before any join */
  char * mem = fd_shmem_join( "multi", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( mem );
  expect_layout( l, mem );
  expect_taken( l, free_before );
  ck_assert_int_eq( fd_shmem_leave( mem, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "multi", l->page_sz ), 0 );
  for( int node=0; node<2; node++ ) ck_assert_int_eq( gn_pool_free( l->page_sz, (size_t)node ), free_before[ node ] );
}
END_TEST

START_TEST( acquire_multi_places_each_subregion ) {
  layout_t const * l = &layouts[ _i ];
  size_t cpu[ 3 ];
  long   free_before[ 2 ];
  layout_pools( l );
  layout_cpus( l, cpu );
  for( int node=0; node<2; node++ ) free_before[ node ] = gn_pool_free( l->page_sz, (size_t)node );
  char * mem = fd_shmem_acquire_multi( l->page_sz, l->sub_cnt, l->page_cnt, cpu );
  ck_assert_ptr_nonnull( mem );
  expect_taken( l, free_before );
  expect_layout( l, mem );
  ck_assert_int_eq( fd_shmem_release( mem, l->page_sz, layout_total( l ) ), 0 );
  for( int node=0; node<2; node++ ) ck_assert_int_eq( gn_pool_free( l->page_sz, (size_t)node ), free_before[ node ] );
}
END_TEST

/* ---- a node short of pages ---- */

static size_t const page_szs[] = { GN_HUGE, GN_GIANT };

/* Nothing left by a refused create or acquire: no file, no reservation,
   and the other node's pages all free (nothing was taken there). */
static void
expect_untouched( size_t page_sz, int node, long free_there ) {
  ck_assert_int_eq( fd_shmem_info( "short", 0, NULL ), ENOENT );
  ck_assert_int_eq( gn_entry_cnt( page_sz ), 0 );  /* not even a temporary file */
  ck_assert_int_eq( gn_pool_free( page_sz, (size_t)node ), free_there );
  ck_assert_int_eq( gn_pool_resv( page_sz ), 0 );
}

/* _i: bit 0 the page size, bit 1 which node is empty. */
START_TEST( empty_node_refuses_without_fallback ) {
  size_t page_sz = page_szs[ _i & 1 ];
  int    empty   = _i>>1, full = !empty;
  long   plenty  = page_sz==GN_HUGE ? 16L : 1L;
  gn_pool_set( page_sz, (size_t)empty, 0L );
  gn_pool_set( page_sz, (size_t)full, plenty );

  ck_assert_int_eq( fd_shmem_create( "short", page_sz, 1, cpu_of( empty ), 0600 ), ENOMEM );
  expect_untouched( page_sz, full, plenty );
  errno = 0;
  ck_assert_ptr_null( fd_shmem_acquire( page_sz, 1, cpu_of( empty ) ) );
  ck_assert_int_eq( errno, ENOMEM );
  expect_untouched( page_sz, full, plenty );
  size_t cnt[] = { 1, 1 }, cpu[] = { cpu_of( full ), cpu_of( empty ) };
  ck_assert_int_eq( fd_shmem_create_multi( "short", page_sz, 2, cnt, cpu, 0600 ), ENOMEM );
  expect_untouched( page_sz, full, plenty );
  ck_assert_ptr_null( fd_shmem_acquire_multi( page_sz, 2, cnt, cpu ) );
  expect_untouched( page_sz, full, plenty );

  /* the full node still serves: the refusal was about the node */
  ck_assert_int_eq( fd_shmem_create( "short", page_sz, 1, cpu_of( full ), 0600 ), 0 );
  char * mem = fd_shmem_join( "short", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( mem );
  mem[0] = 1;
  gn_expect_on_node( mem, page_sz, 1, full );
  ck_assert_int_eq( fd_shmem_leave( mem, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "short", page_sz ), 0 );
}
END_TEST

/* Two huge pages free on the node, plenty on the other: three are
   refused, two are had. */
START_TEST( node_with_too_few_refuses ) {
  int node = _i, other = !_i;
  gn_pool_set( GN_HUGE, (size_t)node, 2L );
  gn_pool_set( GN_HUGE, (size_t)other, 16L );
  ck_assert_int_eq( fd_shmem_create( "short", GN_HUGE, 3, cpu_of( node ), 0600 ), ENOMEM );
  expect_untouched( GN_HUGE, other, 16L );
  ck_assert_int_eq( gn_pool_free( GN_HUGE, (size_t)node ), 2L );
  errno = 0;
  ck_assert_ptr_null( fd_shmem_acquire( GN_HUGE, 3, cpu_of( node ) ) );
  ck_assert_int_eq( errno, ENOMEM );
  expect_untouched( GN_HUGE, other, 16L );
  ck_assert_int_eq( gn_pool_free( GN_HUGE, (size_t)node ), 2L );

  char * mem = fd_shmem_acquire( GN_HUGE, 2, cpu_of( node ) );
  ck_assert_ptr_nonnull( mem );
  gn_expect_on_node( mem, GN_HUGE, 2, node );
  ck_assert_int_eq( fd_shmem_release( mem, GN_HUGE, 2 ), 0 );
  ck_assert_int_eq( fd_shmem_create( "short", GN_HUGE, 2, cpu_of( node ), 0600 ), 0 );
  ck_assert_int_eq( gn_pool_free( GN_HUGE, (size_t)node ), 0L );
  ck_assert_int_eq( gn_pool_free( GN_HUGE, (size_t)other ), 16L );
  ck_assert_int_eq( fd_shmem_unlink( "short", GN_HUGE ), 0 );
}
END_TEST

/* ---- a creator killed while it places its pages ---- */

/* _i 0: 400 huge pages on node 0; 1: a gigantic page on node 1.  The
   child is killed once the node's pool has started to give pages (for
   the huge pages: before it gave them all).  A name seen while pages
   were still to be placed is a half-built region made visible. */
START_TEST( create_killed_mid_placement_leaves_nothing ) {
  size_t page_sz = _i ? GN_GIANT : GN_HUGE;
  int    node    = _i;
  long   cnt     = _i ? 1L : 400L;
  gn_pool_set( page_sz, (size_t)node, cnt );
  pid_t pid = fdt_fork();
  if( !pid ) _exit( fd_shmem_create( "killed", page_sz, (size_t)cnt, cpu_of( node ), 0600 ) ? 1 : 0 );
  int started = 0, half_seen = 0;
  for( int i=0; i<200000 && !started; i++ ) {
    int  named = fd_shmem_info( "killed", page_sz, NULL )==0;
    long free_ = gn_pool_free( page_sz, (size_t)node );
    half_seen |= named && free_>0L && cnt>1L;
    started    = free_<cnt && ( cnt==1L || free_>0L );
    if( !started ) usleep( 100 );
  }
  kill( pid, SIGKILL );
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert_msg( !half_seen, "the region's name was visible before its pages were placed" );
  ck_assert_msg( started && WIFSIGNALED( status ), "the create was not killed mid-placement (status 0x%x)", status );
  ck_assert_int_eq( fd_shmem_info( "killed", 0, NULL ), ENOENT );
  ck_assert_int_eq( gn_entry_cnt( page_sz ), 0 );
  ck_assert_int_eq( gn_pool_free( page_sz, (size_t)node ), cnt );  /* every page back */
  ck_assert_int_eq( gn_pool_resv( page_sz ), 0 );
}
END_TEST

/* ---- more than a node or the machine has ---- */

static size_t
node_bytes( int node ) {
  char path[ 96 ], line[ 128 ];
  snprintf( path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node );
  FILE * f = fopen( path, "r" );
  ck_assert_ptr_nonnull( f );
  size_t kb = 0UL;
  while( fgets( line, sizeof(line), f ) ) if( sscanf( line, "Node %*d MemTotal: %zu kB", &kb )==1 ) break;
  fclose( f );
  ck_assert_uint_gt( kb, 0 );
  return kb<<10;
}

/* Every node's memory, memory-only nodes too. */
static size_t
machine_bytes( void ) {
  size_t bytes = 0UL;
  for( int node=0; node<(int)fd_shmem_numa_cnt(); node++ ) {
    char path[ 96 ];
    snprintf( path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node );
    if( !access( path, F_OK ) ) bytes += node_bytes( node );
  }
  return bytes;
}

/* Runs what in a child, so that an OOM kill shows as a failure of this
   test rather than as the end of the suite; what returns the errno. */
static void
expect_enomem_in_child( int (*what)( size_t ), size_t bytes, char const * desc ) {
  pid_t pid = fdt_fork();
  if( !pid ) _exit( what( bytes )==ENOMEM ? 0 : 1 );
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert_msg( !WIFSIGNALED( status ), "%s of %zu MiB: killed by signal %d (the OOM killer?)", desc, bytes>>20,
                 WIFSIGNALED( status ) ? WTERMSIG( status ) : 0 );
  ck_assert_msg( WIFEXITED( status ) && !WEXITSTATUS( status ), "%s of %zu MiB: not ENOMEM", desc, bytes>>20 );
  ck_assert_int_eq( fd_shmem_info( "huge", 0, NULL ), ENOENT );
  ck_assert_int_eq( gn_entry_cnt( NORMAL ), 0 );
}

static int
create_normal_on_node0( size_t bytes ) {
  return fd_shmem_create( "huge", NORMAL, bytes/NORMAL, cpu_of( 0 ), 0600 );
}

static int
acquire_normal_on_node0( size_t bytes ) {
  errno = 0;
  void * mem = fd_shmem_acquire( NORMAL, bytes/NORMAL, cpu_of( 0 ) );
  return mem ? 0 : errno;
}

START_TEST( oversized_creates_fail ) {
  gn_pool_set( GN_HUGE, 0UL, 8L );
  gn_pool_set( GN_GIANT, 1UL, 1L );
  size_t twice = 2UL*machine_bytes();
  ck_assert_int_eq( fd_shmem_create( "huge", GN_HUGE, twice/GN_HUGE, cpu_of( 0 ), 0600 ), ENOMEM );
  ck_assert_int_eq( fd_shmem_create( "huge", GN_GIANT, twice/GN_GIANT, cpu_of( 1 ), 0600 ), ENOMEM );
  size_t cnt[] = { twice/GN_HUGE/2UL, twice/GN_HUGE/2UL }, cpu[] = { cpu_of( 0 ), cpu_of( 1 ) };
  ck_assert_int_eq( fd_shmem_create_multi( "huge", GN_HUGE, 2, cnt, cpu, 0600 ), ENOMEM );
  errno = 0;
  ck_assert_ptr_null( fd_shmem_acquire( GN_GIANT, twice/GN_GIANT, cpu_of( 1 ) ) );
  ck_assert_int_eq( errno, ENOMEM );
  ck_assert_int_eq( gn_entry_cnt( GN_HUGE ), 0 );
  ck_assert_int_eq( gn_entry_cnt( GN_GIANT ), 0 );
  ck_assert_int_eq( gn_pool_free( GN_HUGE, 0UL ), 8L );
  ck_assert_int_eq( gn_pool_free( GN_GIANT, 1UL ), 1L );
  expect_enomem_in_child( create_normal_on_node0, twice, "a create of normal pages" );
  expect_enomem_in_child( acquire_normal_on_node0, twice, "an acquire of normal pages" );
}
END_TEST

/* More normal pages than node 0 has, fewer than the machine has: the
   node cannot hold them, whatever the other node has free. */
START_TEST( more_than_the_node_fails ) {
  size_t bytes = node_bytes( 0 ) + ( 512UL<<20 );
  ck_assert_uint_lt( bytes, machine_bytes() );
  if( !_i ) expect_enomem_in_child( create_normal_on_node0, bytes, "a create of normal pages on node 0" );
  else      expect_enomem_in_child( acquire_normal_on_node0, bytes, "an acquire of normal pages on node 0" );
}
END_TEST

/* Each test starts with no region and every pool empty. */
static void
setup( void ) {
  gn_sigbus_fails();
  gn_clean();
}

static TCase *
tcase( char const * name ) {
  TCase * tc = tcase_create( name );
  tcase_set_timeout( tc, 600 );
  tcase_add_checked_fixture( tc, setup, NULL );
  return tc;
}

int
main( void ) {
  int err = gn_setup();
  if( err ) return err;
  Suite * s  = suite_create( "numa_place" );
  TCase * tc = tcase( "topology" );
  tcase_add_test( tc, topology_matches_sysfs );
  suite_add_tcase( s, tc );
  tc = tcase( "placement" );
  tcase_add_loop_test( tc, create_multi_places_each_subregion, 0, 2 );
  tcase_add_loop_test( tc, acquire_multi_places_each_subregion, 0, 2 );
  suite_add_tcase( s, tc );
  tc = tcase( "shortage" );
  tcase_add_loop_test( tc, empty_node_refuses_without_fallback, 0, 4 );
  tcase_add_loop_test( tc, node_with_too_few_refuses, 0, 2 );
  suite_add_tcase( s, tc );
  tc = tcase( "kill" );
  tcase_add_loop_test( tc, create_killed_mid_placement_leaves_nothing, 0, 2 );
  suite_add_tcase( s, tc );
  tc = tcase( "oversized" );
  tcase_add_test( tc, oversized_creates_fail );
  tcase_add_loop_test( tc, more_than_the_node_fails, 0, 2 );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
