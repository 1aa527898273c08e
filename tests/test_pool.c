/* Hugepage pools over a fake /sys and /proc tree (FD_SHMEM_SYSROOT, a
   seam only this test's copy of the library has), unprivileged: what is
   refused is refused before anything is written, dry runs write
   nothing, shrinking stops at the pages in use, two nodes, a node
   without 1 GiB pages.  pool_kernel.h stands in for the kernel's
   clamping of a write, so shortfalls (growing and shrinking) and the
   put back after them can be tested too.  Also the node figures a
   create or acquire of normal pages is held to.  The two nodes are
   libnuma's too: tests/fake_numa.c answers it from the fake tree. */

#include "fdt.h"
#include "pool_kernel.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUGE  FD_SHMEM_HUGE_PAGE_SZ
#define GIANT FD_SHMEM_GIGANTIC_PAGE_SZ
#define GiB   (1UL<<30)
#define MiB   (1UL<<20)
#define OLD_TIME (1000000000L)  /* every fake file's mtime before a test */

static char root[ 256 ];    /* the fake tree */
static pid_t main_pid;      /* only it removes the tree, not Check's forked tests */

/* ---- the fake tree ---- */

static void
fake_path( char * buf, size_t sz, char const * rel ) {
  snprintf( buf, sz, "%s/%s", root, rel );
}

/* Writes text to rel, making its directories, with an old mtime. */
static void
fake_put( char const * rel, char const * text ) {
  char path[ 512 ];
  fake_path( path, sizeof(path), rel );
  for( char * s = strchr( path+strlen( root )+1, '/' ); s; s = strchr( s+1, '/' ) ) {
    *s = '\0';
    mkdir( path, 0755 );
    *s = '/';
  }
  FILE * f = fopen( path, "w" );
  int bad = !f || fputs( text, f )<0;
  bad |= f && fclose( f );
  struct timespec t[2] = { { OLD_TIME, 0 }, { OLD_TIME, 0 } };
  bad |= utimensat( AT_FDCWD, path, t, 0 );
  /* also used by main, outside any test: no Check call here */
  if( bad ) { perror( path ); exit( 1 ); }
}

static void
fake_put_num( char const * rel, size_t v ) {
  char text[ 32 ];
  snprintf( text, sizeof(text), "%zu\n", v );
  fake_put( rel, text );
}

static long
fake_get( char const * rel ) {
  char path[ 512 ];
  fake_path( path, sizeof(path), rel );
  return fdt_read_long( path );
}

/* 1 when rel was not written since fake_put. */
static int
fake_untouched( char const * rel ) {
  char path[ 512 ];
  struct stat st;
  fake_path( path, sizeof(path), rel );
  return !stat( path, &st ) && st.st_mtim.tv_sec==OLD_TIME && !st.st_mtim.tv_nsec;
}

/* "sys/devices/system/node/nodeN/hugepages/hugepages-KkB/FILE" */
static char const *
node_file( size_t node, size_t page_sz, char const * file ) {
  static char buf[ 4 ][ 160 ];
  static int  next;
  char * b = buf[ next++ & 3 ];
  snprintf( b, 160, "sys/devices/system/node/node%zu/hugepages/hugepages-%zukB/%s", node, page_sz>>10, file );
  return b;
}

/* Sets node's pool: total pages, of which free are free. */
static void
fake_pool( size_t node, size_t page_sz, size_t total, size_t free_ ) {
  fake_put_num( node_file( node, page_sz, "nr_hugepages" ), total );
  fake_put_num( node_file( node, page_sz, "free_hugepages" ), free_ );
  fake_put_num( node_file( node, page_sz, "surplus_hugepages" ), 0 );
}

/* Sets the machine-wide counts of page_sz pages (free, reserved). */
static void
fake_global( size_t page_sz, size_t free_, size_t resv ) {
  char rel[ 128 ];
  snprintf( rel, sizeof(rel), "sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages", page_sz>>10 );
  fake_put_num( rel, free_ );
  snprintf( rel, sizeof(rel), "sys/kernel/mm/hugepages/hugepages-%zukB/resv_hugepages", page_sz>>10 );
  fake_put_num( rel, resv );
}

static void
fake_meminfo( size_t node, size_t total, size_t free_ ) {
  char rel[ 64 ], text[ 128 ];
  snprintf( rel, sizeof(rel), "sys/devices/system/node/node%zu/meminfo", node );
  snprintf( text, sizeof(text), "Node %zu MemTotal: %8zu kB\nNode %zu MemFree: %8zu kB\n",
            node, total>>10, node, free_>>10 );
  fake_put( rel, text );
}

/* Node 0: 8 GiB (6 free), huge and gigantic pages.  Node 1: 4 GiB (3
   free), huge pages only.  Every pool empty; no zoneinfo, buddyinfo,
   cpuinfo nor cgroup. */
static void
setup( void ) {
  char path[ 512 ];
  char const * const leftover[] = { "proc/zoneinfo", "proc/buddyinfo", "proc/cpuinfo", "proc/self/cgroup" };
  for( size_t i=0UL; i<sizeof(leftover)/sizeof(leftover[0]); i++ ) {
    fake_path( path, sizeof(path), leftover[i] );
    unlink( path );
  }
  fake_meminfo( 0, 8*GiB, 6*GiB );
  fake_meminfo( 1, 4*GiB, 3*GiB );
  fake_put( "proc/meminfo", "MemTotal: 12582912 kB\nMemFree: 9437184 kB\n" );
  fake_put( "proc/sys/vm/compact_memory", "" );
  fake_pool( 0, HUGE, 0, 0 );
  fake_pool( 0, GIANT, 0, 0 );
  fake_pool( 1, HUGE, 0, 0 );
  fake_global( HUGE, 0, 0 );
  fake_global( GIANT, 0, 0 );
  fdt_log_start();
  fd_shmem_set_dry_run( 0 );
  pool_kernel_set( -1L, -1L );
}

#define NR0 node_file( 0, HUGE, "nr_hugepages" )
#define COMPACT "proc/sys/vm/compact_memory"

#define ASSERT_LOGGED( text ) \
  ck_assert_msg( strstr( fdt_logged(), text ), "want \"%s\" in the log, got: %s", text, fdt_logged() )

/* ---- tests ---- */

START_TEST( too_big_writes_nothing ) {
  size_t got = 7;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 100000, 0, &got ), E2BIG );
  ck_assert_uint_eq( got, 0 );
  ASSERT_LOGGED( "node 0: 100000 huge pages need 195.3 GiB (209715200000 bytes), "
                 "more than the node's 8.0 GiB of memory" );
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, SIZE_MAX, 0, NULL ), E2BIG );
  ASSERT_LOGGED( "need more than 16.0 EiB, more than the node" );
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 9, 0, NULL ), E2BIG );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 2049, 1, NULL ), E2BIG );  /* node 1 has 4 GiB */
  ASSERT_LOGGED( "node 1: 2049 huge pages need 4.0 GiB (4297064448 bytes), "
                 "more than the node's 4.0 GiB of memory (4294967296 bytes)" );
  ck_assert( fake_untouched( NR0 ) );
  ck_assert( fake_untouched( node_file( 0, GIANT, "nr_hugepages" ) ) );
  ck_assert( fake_untouched( node_file( 1, HUGE, "nr_hugepages" ) ) );
  ck_assert( fake_untouched( COMPACT ) );
  ck_assert_int_eq( fake_get( NR0 ), 0 );
  /* the node's whole memory is not refused (the kernel would clamp it) */
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 8, 0, NULL ), 0 );
  ck_assert_int_eq( fake_get( node_file( 0, GIANT, "nr_hugepages" ) ), 8 );
}
END_TEST

/* A kernel that sets up its memory lazily shows a small MemTotal; the
   zones' present pages are the node's real size. */
START_TEST( lazy_memory_counts_present_pages ) {
  fake_meminfo( 0, 1*GiB, 512*MiB );
  fake_put( "proc/zoneinfo", "Node 0, zone   Normal\n  pages free 1000\n        present  2097152\n"
                             "Node 1, zone   Normal\n        present  1048576\n" );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 2048, 0, NULL ), 0 );  /* 4 GiB of 8 present */
  ck_assert_int_eq( fake_get( NR0 ), 2048 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 4097, 0, NULL ), E2BIG );
  ASSERT_LOGGED( "more than the node's 8.0 GiB of memory" );
}
END_TEST

START_TEST( bad_node_or_size ) {
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 1, 1, NULL ), EOPNOTSUPP );
  ck_assert_int_eq( fd_shmem_pool_free( GIANT, 1 ), EOPNOTSUPP );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 1, 2, NULL ), ENODEV );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 1, SIZE_MAX, NULL ), ENODEV );
  ck_assert_int_eq( fd_shmem_pool_alloc( FD_SHMEM_NORMAL_PAGE_SZ, 1, 0, NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_pool_alloc( 12345, 1, 0, NULL ), EINVAL );
  fd_shmem_set_dry_run( 1 );
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 1, 1, NULL ), EOPNOTSUPP );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 1, 2, NULL ), ENODEV );
}
END_TEST

START_TEST( two_nodes ) {
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 10, 1, &got ), 0 );
  ck_assert_uint_eq( got, 10 );
  ck_assert_int_eq( fake_get( node_file( 1, HUGE, "nr_hugepages" ) ), 10 );
  ck_assert( fake_untouched( NR0 ) );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 3, 0, &got ), 0 );
  ck_assert_int_eq( fake_get( NR0 ), 3 );
  ck_assert_int_eq( fake_get( node_file( 1, HUGE, "nr_hugepages" ) ), 10 );
}
END_TEST

/* 10 pages, 6 in use (4 free): down to 6, not below. */
START_TEST( shrink_to_in_use ) {
  fake_pool( 0, HUGE, 10, 4 );
  fake_global( HUGE, 4, 0 );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 5, 0, &got ), EBUSY );
  ck_assert_uint_eq( got, 10 );
  ASSERT_LOGGED( "node 0: cannot shrink the huge pool to 5: 6 of its 10 pages are in use" );
  ck_assert_int_eq( fd_shmem_pool_free( HUGE, 0 ), EBUSY );
  ck_assert( fake_untouched( NR0 ) );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 6, 0, &got ), 0 );
  ck_assert_uint_eq( got, 6 );
  ck_assert_int_eq( fake_get( NR0 ), 6 );
}
END_TEST

/* Free pages promised to mappings not yet touched (resv_hugepages,
   machine-wide) are kept by the kernel: 10 pages, 4 free, 3 of the
   machine's 4 free pages reserved: only 1 can go. */
START_TEST( shrink_keeps_reserved ) {
  fake_pool( 0, HUGE, 10, 4 );
  fake_global( HUGE, 4, 3 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 8, 0, NULL ), EBUSY );
  ASSERT_LOGGED( "9 of its 10 pages are in use (6 mapped, 3 kept for reservations), so it can go down to 9" );
  ck_assert( fake_untouched( NR0 ) );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 9, 0, NULL ), 0 );
  ck_assert_int_eq( fake_get( NR0 ), 9 );
}
END_TEST

START_TEST( dry_run_writes_nothing ) {
  fake_pool( 0, HUGE, 10, 4 );
  fake_global( HUGE, 4, 0 );
  ck_assert_int_eq( fd_shmem_set_dry_run( 1 ), 0 );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 20, 0, &got ), 0 );
  ck_assert_uint_eq( got, 20 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 6, 0, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 5, 0, NULL ), EBUSY );
  ck_assert_int_eq( fd_shmem_pool_free( HUGE, 0 ), EBUSY );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 100000, 0, NULL ), E2BIG );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 3, 1, NULL ), 0 );
  ck_assert( fake_untouched( NR0 ) );
  ck_assert( fake_untouched( node_file( 1, HUGE, "nr_hugepages" ) ) );
  ck_assert( fake_untouched( COMPACT ) );
  ck_assert_int_eq( fake_get( NR0 ), 10 );
  fd_shmem_set_dry_run( 0 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 20, 0, NULL ), 0 );
  ck_assert_int_eq( fake_get( NR0 ), 20 );
}
END_TEST

/* The question as a call: the same answers with no switch, nothing
   written and nothing logged; the refusal's figures in the reason. */
START_TEST( alloc_check_asks_quietly ) {
  fake_pool( 0, HUGE, 10, 4 );
  fake_global( HUGE, 4, 0 );
  ck_assert_int_eq( fd_shmem_pool_alloc_check( HUGE, 20, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_pool_alloc_check( HUGE, 6, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_pool_alloc_check( HUGE, 5, 0 ), EBUSY );
  fd_shmem_reason_t why;
  ck_assert_int_eq( fd_shmem_last_reason( &why ), 0 );
  ck_assert_int_eq( why.what, FD_SHMEM_REASON_HELD );
  ck_assert_uint_eq( why.needed, 6 );  /* the floor */
  ck_assert_uint_eq( why.had, 6 );     /* 10 pages, 4 free */
  ck_assert_int_eq( fd_shmem_pool_alloc_check( HUGE, 100000, 0 ), E2BIG );
  ck_assert_int_eq( fd_shmem_last_reason( &why ), 0 );
  ck_assert_int_eq( why.what, FD_SHMEM_REASON_NO_ROOM );
  ck_assert_uint_eq( why.needed, 100000UL*HUGE );
  ck_assert_uint_eq( why.had, 8UL<<30 );
  ck_assert_uint_eq( why.numa_idx, 0 );
  ck_assert_str_eq( fdt_logged(), "" );
  ck_assert( fake_untouched( NR0 ) );
  ck_assert( fake_untouched( COMPACT ) );
}
END_TEST

/* The kernel finds 100 pages; the 3900 missing (7.6 GiB) cannot fit in
   the node's 100 MiB free: not fragmentation, so no compaction, no
   retry; the pool goes back to 0. */
START_TEST( shortfall_beyond_free_fails_at_once ) {
  fake_meminfo( 0, 8*GiB, 100*MiB );
  pool_kernel_set( 100, 4000 );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 4000, 0, &got ), ENOMEM );
  ck_assert_uint_eq( got, 100 );
  ck_assert_int_eq( pool_kernel_compactions(), 0 );
  ck_assert( fake_untouched( COMPACT ) );
  ck_assert_int_eq( fake_get( NR0 ), 0 );
  ASSERT_LOGGED( "only 100 of 4000 huge pages could be reserved on node 0; the pool was put back to 0" );
  ASSERT_LOGGED( "more than the node's 100.0 MiB of free memory" );
}
END_TEST

/* 100 of 200: the missing 100 pages fit in 6 GiB free, so memory is
   compacted and the write repeated; here compaction helps. */
START_TEST( fragmentation_retried ) {
  pool_kernel_set( 100, 1000 );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 200, 0, &got ), 0 );
  ck_assert_uint_eq( got, 200 );
  ck_assert_int_eq( pool_kernel_compactions(), 1 );
  ck_assert_int_eq( fake_get( NR0 ), 200 );
  ck_assert_str_eq( fdt_logged(), "" );
}
END_TEST

/* Compaction does not help: bounded retries, then put back, with the
   boot-time remedy for gigantic pages. */
START_TEST( fragmentation_retries_bounded ) {
  fake_pool( 0, GIANT, 1, 1 );
  pool_kernel_set( 2, -1 );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 4, 0, &got ), ENOMEM );
  ck_assert_uint_eq( got, 2 );
  ck_assert_int_eq( pool_kernel_compactions(), 3 );
  ck_assert_int_eq( fake_get( node_file( 0, GIANT, "nr_hugepages" ) ), 1 );
  ASSERT_LOGGED( "only 2 of 4 gigantic pages could be reserved on node 0; the pool was put back to 1" );
  /* two nodes: each node's count (the fake's node 1 has no gigantic pool) */
  ck_assert_uint_eq( fd_shmem_numa_cnt(), 2 );
  ASSERT_LOGGED( "on the kernel command line, per node (node:count): hugepagesz=1G hugepages=0:4" );
}
END_TEST


static int rm_entry( char const * path, struct stat const * st, int flag, struct FTW * ftw );

/* ---- shortfalls explained: the cause the machine shows ---- */

#define ASSERT_REASON( err_, what_, words ) do {                                                     \
    fd_shmem_reason_t why_;                                                                         \
    ck_assert_int_eq( fd_shmem_last_reason( &why_ ), 0 );                                           \
    ck_assert_int_eq( why_.err, err_ );                                                             \
    ck_assert_int_eq( why_.what, what_ );                                                           \
    ck_assert_msg( strstr( why_.text, words ), "want \"%s\" in the reason, got: %s", words, why_.text ); \
  } while(0)

static void
fake_rm_dir( char const * rel ) {
  char path[ 512 ];
  fake_path( path, sizeof(path), rel );
  nftw( path, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
}

/* No hugepages-1048576kB anywhere, and a CPU without pdpe1gb: the
   kernel offers no 1 GiB pages because the CPU has none. */
START_TEST( shortfall_no_page_size_names_the_cpu ) {
  fake_rm_dir( "sys/kernel/mm/hugepages/hugepages-1048576kB" );
  fake_rm_dir( "sys/devices/system/node/node0/hugepages/hugepages-1048576kB" );
  fake_put( "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme pse pae pse36 sse2 ht syscall nx lm\n\n"
                            "processor\t: 1\nflags\t\t: fpu vme pse pae pse36 sse2 ht syscall nx lm\n" );
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 1, 0, NULL ), EOPNOTSUPP );
  ASSERT_REASON( EOPNOTSUPP, FD_SHMEM_REASON_KERNEL, "node 0: no pool of gigantic pages of 1.0 GiB: " );
  if( sysconf( _SC_PAGESIZE )==4096L )
    ASSERT_REASON( EOPNOTSUPP, FD_SHMEM_REASON_KERNEL, "the CPU has no 1 GiB pages: pdpe1gb is not among the flags "
                                                       "of /proc/cpuinfo" );
  ASSERT_REASON( EOPNOTSUPP, FD_SHMEM_REASON_KERNEL, "the kernel offers 2.0 MiB" );
  ASSERT_LOGGED( "node 0: no pool of gigantic pages of 1.0 GiB" );
  /* with the flag, only the sizes offered */
  fake_put( "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu pse pdpe1gb lm\n" );
  ck_assert_int_eq( fd_shmem_pool_alloc_check( GIANT, 1, 0 ), EOPNOTSUPP );
  if( sysconf( _SC_PAGESIZE )==4096L )
    ASSERT_REASON( EOPNOTSUPP, FD_SHMEM_REASON_KERNEL, "1.0 GiB: the kernel offers only 2.0 MiB" );
}
END_TEST

/* The size is offered, but not on node 1. */
START_TEST( shortfall_no_page_size_on_the_node ) {
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 1, 1, NULL ), EOPNOTSUPP );
  ASSERT_REASON( EOPNOTSUPP, FD_SHMEM_REASON_KERNEL, "the kernel offers them, but node 1 has no pool of them" );
}
END_TEST

/* Node 1 has 4 GiB: 2049 huge pages never fit (before any write), and a
   shortfall beyond the node's free memory says the node is too small. */
START_TEST( shortfall_small_node ) {
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 2049, 1, NULL ), E2BIG );
  ASSERT_REASON( E2BIG, FD_SHMEM_REASON_NO_ROOM, "the node's memory is too small for them; ask for a smaller count "
                                                 "(the node holds at most 2048)" );
  fake_meminfo( 1, 4*GiB, 100*MiB );
  pool_kernel_set( 100, 2000 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 2000, 1, NULL ), ENOMEM );
  ck_assert_int_eq( pool_kernel_compactions(), 0 );
  ASSERT_REASON( ENOMEM, FD_SHMEM_REASON_NO_ROOM, "the node's memory is too small for them: the 3.7 GiB missing is "
                                                  "more than the node's 100.0 MiB of free memory" );
  ASSERT_REASON( ENOMEM, FD_SHMEM_REASON_NO_ROOM, "ask for a smaller count (150 fit now)" );
  fd_shmem_reason_t why;
  ck_assert_int_eq( fd_shmem_last_reason( &why ), 0 );
  ck_assert_uint_eq( why.needed, 2000 );
  ck_assert_uint_eq( why.had, 100 );
  ck_assert_uint_eq( why.numa_idx, 1 );
  ck_assert_uint_eq( why.page_sz, HUGE );
}
END_TEST

static char notices[ 4096 ];

static void
notice_keep( void * ctx, int level, char const * msg ) {
  (void)ctx;
  size_t len = strlen( notices );
  if( level==FD_SHMEM_LOG_NOTICE ) snprintf( notices+len, sizeof(notices)-len, "%s\n", msg );
}

/* 6 GiB free on node 0, but its free blocks of order 9 or more hold 6
   huge pages (4 of order 9, 1 of order 10; node 1's are not its own):
   fragmented.  Each attempt
   at compaction is a notice. */
START_TEST( shortfall_fragmented_buddyinfo ) {
  fake_put( "proc/buddyinfo",
            "Node 0, zone      DMA      1      1      1      0      2      1      1      0      1      1      0\n"
            "Node 0, zone   Normal  90000  80000  70000  60000  50000  40000  30000  20000   9000      3      1\n"
            "Node 1, zone   Normal      0      0      0      0      0      0      0      0      0    900    900\n" );
  pool_kernel_set( 100, -1 );
  fd_shmem_set_log_func( notice_keep, NULL );
  int level = fd_shmem_set_log_level( FD_SHMEM_LOG_NOTICE );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 200, 0, NULL ), ENOMEM );
  fd_shmem_set_log_level( level );
  ck_assert_int_eq( pool_kernel_compactions(), 3 );
  if( sysconf( _SC_PAGESIZE )==4096L )
    ASSERT_REASON( ENOMEM, FD_SHMEM_REASON_NO_ROOM, "the node has 6.0 GiB free, but its free blocks of order 9 "
                   "(2.0 MiB) or larger (/proc/buddyinfo) hold only 6 pages, not the 100 missing: its free memory is "
                   "fragmented, and 3 compactions did not join enough of it" );
  ASSERT_REASON( ENOMEM, FD_SHMEM_REASON_NO_ROOM, "compact memory and try again later" );
  ASSERT_REASON( ENOMEM, FD_SHMEM_REASON_NO_ROOM, "reserve them at boot instead (fd_shmem_ctl kernel-cmdline "
                 "prints the parameters), on the kernel command line, per node (node:count): hugepagesz=2M "
                 "hugepages=0:200" );
  ck_assert_msg( strstr( notices, "node 0: 100 of 200 huge pages so far; compacting memory, attempt 1 of 3\n" ) &&
                 strstr( notices, "attempt 3 of 3\n" ), "notices: %s", notices );
  /* 1 GiB pages are order 18, beyond the largest order the file shows */
  pool_kernel_set( 1, -1 );
  ck_assert_int_eq( fd_shmem_pool_alloc( GIANT, 2, 0, NULL ), ENOMEM );
  if( sysconf( _SC_PAGESIZE )==4096L )
    ASSERT_REASON( ENOMEM, FD_SHMEM_REASON_NO_ROOM, "a 1.0 GiB page is a block of order 18, beyond the largest free "
                   "block the kernel keeps (order 10 in /proc/buddyinfo)" );
}
END_TEST

/* A hugetlb cgroup limit on this process's pages: the lowest of the
   group and its ancestors, v2 (hugetlb.2MB.max) and v1
   (hugetlb.2MB.limit_in_bytes). */
START_TEST( shortfall_cgroup_limit ) {
  fake_put( "proc/self/cgroup", "0::/fd.slice/validator.service\n" );
  fake_put( "sys/fs/cgroup/fd.slice/hugetlb.2MB.max", "104857600\n" );
  fake_put( "sys/fs/cgroup/fd.slice/validator.service/hugetlb.2MB.max", "max\n" );
  pool_kernel_set( 100, -1 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 200, 0, NULL ), ENOMEM );
  ASSERT_REASON( ENOMEM, FD_SHMEM_REASON_NO_ROOM, "this process's hugetlb cgroup allows it only 100.0 MiB of huge "
                 "pages (50, /sys/fs/cgroup/fd.slice/hugetlb.2MB.max)" );
  fake_put( "proc/self/cgroup", "12:cpuset:/\n7:hugetlb:/batch\n0::/\n" );
  fake_put( "sys/fs/cgroup/hugetlb/batch/hugetlb.2MB.limit_in_bytes", "20971520\n" );
  pool_kernel_set( 100, -1 );
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 200, 0, NULL ), ENOMEM );
  ASSERT_REASON( ENOMEM, FD_SHMEM_REASON_NO_ROOM, "allows it only 20.0 MiB of huge pages (10, "
                 "/sys/fs/cgroup/hugetlb/batch/hugetlb.2MB.limit_in_bytes)" );
}
END_TEST

/* ---- every code of the pool calls' error sets ---- */

static fd_shmem_pool_info_t pool_info;

static int query_normal( void )      { return fd_shmem_pool_query( FD_SHMEM_NORMAL_PAGE_SZ, 0, &pool_info ); }
static int query_no_node( void )     { return fd_shmem_pool_query( HUGE, 2, &pool_info ); }
static int query_no_giant( void )    { return fd_shmem_pool_query( GIANT, 1, &pool_info ); }
static int query_not_a_number( void ) {
  fake_put( node_file( 0, HUGE, "free_hugepages" ), "many\n" );
  return fd_shmem_pool_query( HUGE, 0, &pool_info );
}

static size_t reserved_cnt;
static int reserved_normal( void ) { return fd_shmem_pool_reserved( FD_SHMEM_NORMAL_PAGE_SZ, &reserved_cnt ); }
static int reserved_null( void )   { return fd_shmem_pool_reserved( HUGE, NULL ); }
static int reserved_no_giant( void ) {  /* a kernel without 1 GiB pages has no such pool at all */
  char path[ 512 ];
  fake_path( path, sizeof(path), "sys/kernel/mm/hugepages/hugepages-1048576kB/resv_hugepages" );
  unlink( path );
  return fd_shmem_pool_reserved( GIANT, &reserved_cnt );
}
static int reserved_not_a_number( void ) {
  fake_put( "sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages", "some\n" );
  return fd_shmem_pool_reserved( HUGE, &reserved_cnt );
}

static int alloc_normal( void )   { return fd_shmem_pool_alloc( FD_SHMEM_NORMAL_PAGE_SZ, 1, 0, NULL ); }
static int alloc_no_node( void )  { return fd_shmem_pool_alloc( HUGE, 1, 2, NULL ); }
static int alloc_no_giant( void ) { return fd_shmem_pool_alloc( GIANT, 1, 1, NULL ); }
static int alloc_too_big( void )  { return fd_shmem_pool_alloc( HUGE, 100000, 0, NULL ); }
static int alloc_in_use( void ) {  /* 10 pages, 5 in use */
  fake_pool( 0, HUGE, 10, 5 );
  fake_global( HUGE, 5, 0 );
  return fd_shmem_pool_alloc( HUGE, 2, 0, NULL );
}
static int alloc_short( void ) {
  pool_kernel_set( 2, -1 );
  return fd_shmem_pool_alloc( HUGE, 10, 0, NULL );
}
static int alloc_write( void ) { return fd_shmem_pool_alloc( HUGE, 4, 0, NULL ); }
static int free_write( void )  { return fd_shmem_pool_free( HUGE, 0 ); }
/* call as user nobody (or as this user) with nr_hugepages read-only,
   and 3 free pages */
static int
read_only_pool( int (*call)( void ) ) {
  fake_pool( 0, HUGE, 3, 3 );
  fake_global( HUGE, 3, 0 );
  char path[ 512 ];
  fake_path( path, sizeof(path), NR0 );
  chmod( path, 0444 );
  int err = fdt_errcase_as_nobody( call );
  chmod( path, 0644 );
  return err;
}
static int alloc_read_only( void ) { return read_only_pool( alloc_write ); }
/* EPERM is in no pool call's set: it comes out as EIO */
static int alloc_write_fails( void ) {
  pool_kernel_fail( EPERM );
  return alloc_write();
}

static int check_normal( void )   { return fd_shmem_pool_alloc_check( FD_SHMEM_NORMAL_PAGE_SZ, 1, 0 ); }
static int check_no_node( void )  { return fd_shmem_pool_alloc_check( HUGE, 1, 2 ); }
static int check_no_giant( void ) { return fd_shmem_pool_alloc_check( GIANT, 1, 1 ); }
static int check_too_big( void )  { return fd_shmem_pool_alloc_check( HUGE, 100000, 0 ); }
static int check_in_use( void ) {
  fake_pool( 0, HUGE, 10, 5 );
  fake_global( HUGE, 5, 0 );
  return fd_shmem_pool_alloc_check( HUGE, 2, 0 );
}
static int check_not_a_number( void ) {
  fake_put( node_file( 0, HUGE, "free_hugepages" ), "many\n" );
  return fd_shmem_pool_alloc_check( HUGE, 1, 0 );
}

static int free_normal( void )   { return fd_shmem_pool_free( FD_SHMEM_NORMAL_PAGE_SZ, 0 ); }
static int free_no_node( void )  { return fd_shmem_pool_free( HUGE, 2 ); }
static int free_no_giant( void ) { return fd_shmem_pool_free( GIANT, 1 ); }
static int free_in_use( void ) {
  fake_pool( 0, HUGE, 10, 5 );
  fake_global( HUGE, 5, 0 );
  return fd_shmem_pool_free( HUGE, 0 );
}
static int free_read_only( void ) { return read_only_pool( free_write ); }
static int free_write_fails( void ) {
  fake_pool( 0, HUGE, 3, 3 );
  fake_global( HUGE, 3, 0 );
  pool_kernel_fail( EPERM );
  return free_write();
}

static fdt_errcase_t const pool_cases[] = {
  { "fd_shmem_pool_query", EINVAL,     query_normal,       0 },
  { "fd_shmem_pool_query", ENODEV,     query_no_node,      0 },
  { "fd_shmem_pool_query", EOPNOTSUPP, query_no_giant,     0 },
  { "fd_shmem_pool_query", EIO,        query_not_a_number, 0 },
  { "fd_shmem_pool_alloc", EINVAL,     alloc_normal,       0 },
  { "fd_shmem_pool_alloc", ENODEV,     alloc_no_node,      0 },
  { "fd_shmem_pool_alloc", EOPNOTSUPP, alloc_no_giant,     0 },
  { "fd_shmem_pool_alloc", E2BIG,      alloc_too_big,      0 },
  { "fd_shmem_pool_alloc", EBUSY,      alloc_in_use,       0 },
  { "fd_shmem_pool_alloc", ENOMEM,     alloc_short,        0 },
  { "fd_shmem_pool_alloc", EACCES,     alloc_read_only,    0 },
  { "fd_shmem_pool_alloc", EIO,        alloc_write_fails,  0 },
  { "fd_shmem_pool_alloc_check", EINVAL,     check_normal,       0 },
  { "fd_shmem_pool_alloc_check", ENODEV,     check_no_node,      0 },
  { "fd_shmem_pool_alloc_check", EOPNOTSUPP, check_no_giant,     0 },
  { "fd_shmem_pool_alloc_check", E2BIG,      check_too_big,      0 },
  { "fd_shmem_pool_alloc_check", EBUSY,      check_in_use,       0 },
  { "fd_shmem_pool_alloc_check", EIO,        check_not_a_number, 0 },
  { "fd_shmem_pool_reserved", EINVAL,     reserved_normal,       0 },
  { "fd_shmem_pool_reserved", EINVAL,     reserved_null,         0 },
  { "fd_shmem_pool_reserved", EOPNOTSUPP, reserved_no_giant,     0 },
  { "fd_shmem_pool_reserved", EIO,        reserved_not_a_number, 0 },
  { "fd_shmem_pool_free",  EINVAL,     free_normal,        0 },
  { "fd_shmem_pool_free",  ENODEV,     free_no_node,       0 },
  { "fd_shmem_pool_free",  EOPNOTSUPP, free_no_giant,      0 },
  { "fd_shmem_pool_free",  EBUSY,      free_in_use,        0 },
  { "fd_shmem_pool_free",  EACCES,     free_read_only,     0 },
  { "fd_shmem_pool_free",  EIO,        free_write_fails,   0 },
};

/* The catch-all keeps the real error in the log. */
START_TEST( catch_all_logs_the_cause ) {
  ck_assert_int_eq( alloc_write_fails(), EIO );
  ASSERT_LOGGED( "fd_shmem_pool_alloc: unexpected error: Operation not permitted (errno 1); returned as EIO" );
}
END_TEST

START_TEST( query_reads_the_pool ) {
  fake_pool( 0, HUGE, 10, 4 );
  fake_put_num( node_file( 0, HUGE, "surplus_hugepages" ), 2 );
  fd_shmem_pool_info_t info = { 0 };
  ck_assert_int_eq( fd_shmem_pool_query( HUGE, 0, &info ), 0 );
  ck_assert_uint_eq( info.total, 10 );
  ck_assert_uint_eq( info.free, 4 );
  ck_assert_uint_eq( info.surplus, 2 );
  ck_assert_uint_eq( info.node_bytes, 8*GiB );
  ck_assert_int_eq( fd_shmem_pool_query( GIANT, 1, &info ), EOPNOTSUPP );  /* node 1: no 1 GiB pages */
  ck_assert_int_eq( fd_shmem_pool_query( HUGE, 2, &info ), ENODEV );
  ck_assert_int_eq( fd_shmem_pool_query( FD_SHMEM_NORMAL_PAGE_SZ, 0, &info ), EINVAL );
  ck_assert_int_eq( fd_shmem_pool_query( HUGE, 0, NULL ), EINVAL );
  fake_global( HUGE, 4, 3 );
  size_t reserved = 0UL;
  ck_assert_int_eq( fd_shmem_pool_reserved( HUGE, &reserved ), 0 );  /* the machine's, as the kernel counts it */
  ck_assert_uint_eq( reserved, 3 );
}
END_TEST

/* Surplus pages (overcommitted, given back as soon as they are free)
   are not the pool's: 12 pages, 2 of them surplus, is a pool of 10. */
START_TEST( same_count_writes_nothing ) {
  fake_pool( 0, HUGE, 12, 12 );
  fake_put_num( node_file( 0, HUGE, "surplus_hugepages" ), 2 );
  fake_global( HUGE, 12, 0 );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 10, 0, &got ), 0 );
  ck_assert_uint_eq( got, 10 );
  ck_assert( fake_untouched( NR0 ) );
  ck_assert_str_eq( fdt_logged(), "" );
}
END_TEST

/* Between the check and the write, 4 of the 10 free pages came into
   use: the kernel stops at 4, not 2, and the pool goes back to 10. */
START_TEST( shrink_shortfall_put_back ) {
  fake_pool( 0, HUGE, 10, 10 );
  fake_global( HUGE, 10, 0 );
  pool_kernel_keep( 4 );
  size_t got = 0;
  ck_assert_int_eq( fd_shmem_pool_alloc( HUGE, 2, 0, &got ), EBUSY );
  ck_assert_uint_eq( got, 4 );
  ck_assert_int_eq( fake_get( NR0 ), 10 );
  ASSERT_LOGGED( "node 0: the huge pool stopped at 4, not 2; the pool was put back to 10 "
                 "(the kernel freed fewer pages: some came into use meanwhile)" );
}
END_TEST

/* The seam is for this test's own copy of the library only: the built
   (and installed) libfdshmem never reads FD_SHMEM_SYSROOT. */
START_TEST( installed_library_has_no_seam ) {
  char const * top = getenv( "top_builddir" );
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/src/lib/.libs/libfdshmem.so.0", top ? top : "." );
  FILE * f = fopen( path, "rb" );
  ck_assert_msg( f, "cannot open %s", path );
  static char so[ 4<<20 ];
  size_t sz = fread( so, 1, sizeof(so), f );
  fclose( f );
  ck_assert( sz>0 && sz<sizeof(so) );
  ck_assert_msg( memmem( so, sz, "FD_SHMEM_PATH", 13 ), "%s does not look like libfdshmem", path );
  ck_assert_msg( !memmem( so, sz, "FD_SHMEM_SYSROOT", 16 ), "%s holds the test seam FD_SHMEM_SYSROOT", path );
}
END_TEST

/* ---- normal pages bound to a node ---- */

/* Node 0 can give 64 MiB (free, page cache, reclaimable slab); the
   machine has plenty available. */
static void
fake_node0_room( void ) {
  fake_put( "sys/devices/system/node/node0/meminfo",
            "Node 0 MemTotal: 8388608 kB\nNode 0 MemFree: 32768 kB\nNode 0 Active(file): 16384 kB\n"
            "Node 0 Inactive(file): 8192 kB\nNode 0 SReclaimable: 8192 kB\n" );
  fake_put( "proc/meminfo", "MemTotal: 12582912 kB\nMemFree: 9437184 kB\nMemAvailable: 9437184 kB\n" );
}

/* What the node cannot hold is refused before any page is touched (the
   kernel's answer would be the OOM killer); what it can is had. */
START_TEST( normal_pages_beyond_the_node_refused ) {
  fake_node0_room();
  size_t cpu = fd_shmem_cpu_idx( 0 ), cnt = 65UL*MiB/FD_SHMEM_NORMAL_PAGE_SZ;
  errno = 0;
  ck_assert_ptr_null( fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, cnt, cpu ) );
  ck_assert_int_eq( errno, ENOMEM );
  ASSERT_LOGGED( "acquire: needs 65.0 MiB of normal pages on node 0, which has 64.0 MiB available" );
  void * mem = fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, 1, cpu );
  ck_assert_ptr_nonnull( mem );
  ck_assert_int_eq( fd_shmem_release( mem, FD_SHMEM_NORMAL_PAGE_SZ, 1 ), 0 );

  fdt_domain_t d;
  if( fdt_domain_new( &d, 0 ) ) return;  /* no tmpfs for a domain */
  ck_assert_int_eq( fd_shmem_create( "big", FD_SHMEM_NORMAL_PAGE_SZ, cnt, cpu, 0600 ), ENOMEM );
  ASSERT_LOGGED( "create big: needs 65.0 MiB of normal pages on node 0, which has 64.0 MiB available" );
  ck_assert_int_eq( fdt_domain_entry_cnt( &d, "normal" ), 0 );
  ck_assert_int_eq( fd_shmem_create( "small", FD_SHMEM_NORMAL_PAGE_SZ, 1, cpu, 0600 ), 0 );
  fdt_domain_delete( &d );
}
END_TEST

/* Opens of the fake meminfo files (machine and node 0) seen by watch w
   since the last call.  The watch takes the closes too: inotify merges
   an event into an identical one still queued, so only open, close,
   open, ... counts every open. */
static int
meminfo_opens( int w ) {
  char buf[ 4096 ] __attribute__(( aligned( __alignof__( struct inotify_event ) ) ));
  int cnt = 0;
  for( ssize_t n; ( n = read( w, buf, sizeof(buf) ) )>0; )
    for( char * p=buf; p<buf+n; p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len )
      cnt += !!( ((struct inotify_event *)p)->mask & IN_OPEN );
  return cnt;
}

/* The room check reads each meminfo file once: a create or acquire of
   normal pages on node 0 opens /proc/meminfo and node 0's meminfo one
   time each, not once for every figure it takes from them. */
START_TEST( room_reads_each_meminfo_once ) {
  fake_node0_room();
  char node[ 512 ], machine[ 512 ];
  fake_path( node,    sizeof(node),    "sys/devices/system/node/node0/meminfo" );
  fake_path( machine, sizeof(machine), "proc/meminfo" );
  int w = inotify_init1( IN_NONBLOCK | IN_CLOEXEC );
  ck_assert_int_ge( w, 0 );
  ck_assert_int_ge( inotify_add_watch( w, node,    IN_OPEN | IN_CLOSE_NOWRITE ), 0 );
  ck_assert_int_ge( inotify_add_watch( w, machine, IN_OPEN | IN_CLOSE_NOWRITE ), 0 );
  size_t cpu = fd_shmem_cpu_idx( 0 );
  void * mem = fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, 64, cpu );
  ck_assert_ptr_nonnull( mem );
  ck_assert_int_eq( meminfo_opens( w ), 2 );
  ck_assert_int_eq( fd_shmem_release( mem, FD_SHMEM_NORMAL_PAGE_SZ, 64 ), 0 );

  fdt_domain_t d;
  if( !fdt_domain_new( &d, 0 ) ) {
    ck_assert_int_eq( fd_shmem_create( "counted", FD_SHMEM_NORMAL_PAGE_SZ, 64, cpu, 0600 ), 0 );
    ck_assert_int_eq( meminfo_opens( w ), 2 );
    fdt_domain_delete( &d );
  }
  close( w );
}
END_TEST

/* ---- the tree's life ---- */

static int
rm_entry( char const * path, struct stat const * st, int flag, struct FTW * ftw ) {
  (void)st; (void)flag; (void)ftw;
  return remove( path );
}

static void
remove_root( void ) {
  if( root[0] && getpid()==main_pid ) nftw( root, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
}

int
main( void ) {
  snprintf( root, sizeof(root), "/tmp/fdshmem-test-pool.XXXXXX" );
  if( !mkdtemp( root ) || chmod( root, 0755 ) ) { perror( root ); return 1; }  /* nobody reads it too */
  main_pid = getpid();
  atexit( remove_root );
  setenv( "FD_SHMEM_SYSROOT", root, 1 );  /* before the library's first call */
  fake_put( "sys/devices/system/node/node0/cpulist", "0\n" );  /* the topology, before it is first read */
  fake_put( "sys/devices/system/node/node1/cpulist", "1\n" );

  Suite * s  = suite_create( "pool" );
  TCase * tc = tcase_create( "fake sysfs" );
  tcase_add_checked_fixture( tc, setup, NULL );
  tcase_add_test( tc, too_big_writes_nothing );
  tcase_add_test( tc, lazy_memory_counts_present_pages );
  tcase_add_test( tc, bad_node_or_size );
  tcase_add_test( tc, two_nodes );
  tcase_add_test( tc, shrink_to_in_use );
  tcase_add_test( tc, shrink_keeps_reserved );
  tcase_add_test( tc, dry_run_writes_nothing );
  tcase_add_test( tc, alloc_check_asks_quietly );
  tcase_add_test( tc, shortfall_beyond_free_fails_at_once );
  tcase_add_test( tc, fragmentation_retried );
  tcase_add_test( tc, fragmentation_retries_bounded );
  tcase_add_test( tc, shortfall_no_page_size_names_the_cpu );
  tcase_add_test( tc, shortfall_no_page_size_on_the_node );
  tcase_add_test( tc, shortfall_small_node );
  tcase_add_test( tc, shortfall_fragmented_buddyinfo );
  tcase_add_test( tc, shortfall_cgroup_limit );
  fdt_errcases_add( tc, pool_cases, sizeof(pool_cases)/sizeof(pool_cases[0]), FDT_ERRCASES_POOL );
  tcase_add_test( tc, catch_all_logs_the_cause );
  tcase_add_test( tc, query_reads_the_pool );
  tcase_add_test( tc, same_count_writes_nothing );
  tcase_add_test( tc, shrink_shortfall_put_back );
  tcase_add_test( tc, normal_pages_beyond_the_node_refused );
  tcase_add_test( tc, room_reads_each_meminfo_once );
  suite_add_tcase( s, tc );
  TCase * lib = tcase_create( "installed library" );
  tcase_add_test( lib, installed_library_has_no_seam );
  suite_add_tcase( s, lib );
  return fdt_run( s );
}
