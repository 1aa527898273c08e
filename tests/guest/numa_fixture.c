#include "numa_fixture.h"

#include <fdshmem/fd_shmem.h>

#include <dirent.h>
#include <errno.h>
#include <numaif.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NODE_DIR  "/sys/devices/system/node"
#define NODE_MAX  (64)

char         gn_domain[ 256 ];
static long  saved[ 2 ][ NODE_MAX ];  /* [huge, gigantic][node], -1: no such pool */
static pid_t main_pid;               /* Check's forked test processes restore nothing */

static void
pool_path( char * buf, size_t sz, size_t page_sz, size_t node, char const * file ) {
  snprintf( buf, sz, NODE_DIR "/node%zu/hugepages/hugepages-%zukB/%s", node, page_sz>>10, file );
}

static long
pool_read( size_t page_sz, size_t node, char const * file ) {
  char path[ 256 ];
  pool_path( path, sizeof(path), page_sz, node, file );
  return fdt_read_long( path );
}

/* A 1 GiB page needs a free aligned GiB: when the kernel comes up
   short, memory is compacted and the write tried again. */
static int
pool_write( size_t page_sz, size_t node, long cnt ) {
  char path[ 256 ];
  pool_path( path, sizeof(path), page_sz, node, "nr_hugepages" );
  for( int tries=0; tries<5; tries++ ) {
    if( fdt_write_long( path, cnt ) ) return -1;
    if( pool_read( page_sz, node, "nr_hugepages" )==cnt ) return 0;
    fdt_write_long( "/proc/sys/vm/compact_memory", 1L );
  }
  return -1;
}

long
gn_node_cpu( size_t node ) {
  char path[ 128 ];
  snprintf( path, sizeof(path), NODE_DIR "/node%zu/cpulist", node );
  return fdt_read_long( path );  /* "0-3,8": 0; an empty list: -1 */
}

void
gn_pool_set( size_t page_sz, size_t node, long cnt ) {
  ck_assert_msg( !pool_write( page_sz, node, cnt ), "node %zu: could not set %s pages to %ld (got %ld)", node,
                 fd_shmem_page_sz_to_cstr( page_sz ), cnt, pool_read( page_sz, node, "nr_hugepages" ) );
}

long
gn_pool_free( size_t page_sz, size_t node ) {
  return pool_read( page_sz, node, "free_hugepages" );
}

long
gn_pool_resv( size_t page_sz ) {
  char path[ 128 ];
  snprintf( path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB/resv_hugepages", page_sz>>10 );
  return fdt_read_long( path );
}

int
gn_page_node( void const * addr ) {
  void * page   = (void *)addr;
  int    status = -1;
  if( move_pages( 0, 1UL, &page, NULL, &status, 0 ) ) return -errno;
  return status;
}

void
gn_expect_on_node( void const * mem, size_t page_sz, size_t page_cnt, int node ) {
  for( size_t i=0UL; i<page_cnt; i++ ) {
    char const * page = (char const *)mem + i*page_sz;
    int first = gn_page_node( page ), last = gn_page_node( page+page_sz-1UL );
    ck_assert_msg( first==node && last==node, "page %zu of %zu (%s) at %p: move_pages says node %d / %d, want %d",
                   i, page_cnt, fd_shmem_page_sz_to_cstr( page_sz ), (void const *)page, first, last, node );
  }
}

int
gn_entry_cnt( size_t page_sz ) {
  char dir[ 300 ];
  snprintf( dir, sizeof(dir), "%s/.%s", gn_domain, fd_shmem_page_sz_to_cstr( page_sz ) );
  DIR * d = opendir( dir );
  if( !d ) return -1;
  int cnt = 0;
  for( struct dirent * e; ( e = readdir( d ) ); ) cnt += strcmp( e->d_name, "." ) && strcmp( e->d_name, ".." );
  closedir( d );
  return cnt;
}

static void
on_sigbus( int sig, siginfo_t * si, void * uc ) {
  (void)sig; (void)uc;
  char msg[ 96 ];
  int len = snprintf( msg, sizeof(msg), "FAIL: SIGBUS at %p: a page was promised and is not there\n", si->si_addr );
  (void)!write( 2, msg, (size_t)len );
  _exit( 99 );
}

void
gn_sigbus_fails( void ) {
  struct sigaction sa;
  memset( &sa, 0, sizeof(sa) );
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags     = SA_SIGINFO;
  sigaction( SIGBUS, &sa, NULL );
}

void
gn_clean( void ) {
  ck_assert_int_eq( fd_shmem_domain_reset( gn_domain ), 0 );
  for( size_t node=0UL; node<NODE_MAX; node++ )
    for( int t=0; t<2; t++ )
      if( saved[ t ][ node ]>=0L ) gn_pool_set( t ? GN_GIANT : GN_HUGE, node, 0L );
}

/* Regions first (their pages go back to the pools), then the pools. */
static void
restore_machine( void ) {
  if( getpid()!=main_pid ) return;
  if( gn_domain[0] ) {
    fd_shmem_domain_reset( gn_domain );
    if( fd_shmem_domain_fini( gn_domain ) ) fprintf( stderr, "WARNING: could not remove domain %s\n", gn_domain );
  }
  for( size_t node=0UL; node<NODE_MAX; node++ ) {
    for( int t=0; t<2; t++ ) {
      size_t page_sz = t ? GN_GIANT : GN_HUGE;
      if( saved[ t ][ node ]>=0L && pool_write( page_sz, node, saved[ t ][ node ] ) )
        fprintf( stderr, "WARNING: could not put node %zu's %s pool back to %ld\n", node,
                 fd_shmem_page_sz_to_cstr( page_sz ), saved[ t ][ node ] );
    }
  }
}

static int
skip( char const * why ) {
  fprintf( stderr, "SKIP: %s\n", why );
  return FDT_SKIP;
}

int
gn_setup( void ) {
  if( !fdt_privileged() ) return skip( "needs root and FDSHMEM_TEST_PRIVILEGED=1" );
  if( gn_node_cpu( 0UL )<0L || gn_node_cpu( 1UL )<0L ) return skip( "needs NUMA nodes 0 and 1, each with a cpu" );
  for( size_t node=0UL; node<2UL; node++ )
    if( pool_read( GN_HUGE, node, "nr_hugepages" )<0L || pool_read( GN_GIANT, node, "nr_hugepages" )<0L )
      return skip( "needs 2 MiB and 1 GiB pages on nodes 0 and 1" );
  fdt_machine_lock();
  main_pid = getpid();
  for( size_t node=0UL; node<NODE_MAX; node++ )
    for( int t=0; t<2; t++ ) saved[ t ][ node ] = pool_read( t ? GN_GIANT : GN_HUGE, node, "nr_hugepages" );
  atexit( restore_machine );
  for( size_t node=0UL; node<NODE_MAX; node++ )
    for( int t=0; t<2; t++ )
      if( saved[ t ][ node ]>0L && pool_write( t ? GN_GIANT : GN_HUGE, node, 0L ) ) {
        fprintf( stderr, "node %zu's pool holds pages in use\n", node );
        return 1;
      }
  snprintf( gn_domain, sizeof(gn_domain), "/tmp/fdshmem-numa.%ld", (long)getpid() );
  int err = fd_shmem_domain_init( gn_domain, 0700UL, NULL, NULL );
  if( err ) { fprintf( stderr, "domain init: %s\n", strerror( err ) ); gn_domain[0] = '\0'; return 1; }
  if( fd_shmem_set_path( gn_domain ) ) return 1;
  return 0;
}
