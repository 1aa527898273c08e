/* Fragments one NUMA node's free memory so that much of it is free but
   no free block of order 9 (a 2 MiB page) or more is left, and
   compaction cannot make one: run as root inside a QEMU guest
   (tests/guest/t_frag.sh), after vm.compact_unevictable_allowed=0.
     frag_node NODE
   Bound to NODE, it fills the node with locked 4 KiB pages (locked
   pages are unevictable, and compaction then leaves them where they
   are) until little is free, unlocks and unmaps the first half of every
   256 KiB of it, so each 2 MiB of the node keeps locked pages among the
   free ones, then takes the node's last free blocks of order 9 or more
   with locked transparent huge pages.  It prints "ready" with the
   node's free memory and its /proc/buddyinfo counts, and holds the
   memory until its stdin closes.  Exit 0, or 1 on a failure (said on
   stderr). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND_    (2)           /* linux/mempolicy.h */
#define CHUNK         (2UL<<20)     /* what is locked at a time */
#define HOLE          (128UL<<10)   /* unmapped out of every 2*HOLE */
#define FLOOR         (64UL<<20)    /* the filling stops at this much free: well above the watermarks */
#define HUGE_ORDER    (9)
#define TAKE_MAX      (256)         /* THPs in the last step */

static int node;

static void
die( char const * what ) {
  fprintf( stderr, "frag_node: %s: %s\n", what, strerror( errno ) );
  exit( 1 );
}

/* The figure named key ("MemFree") of the node's meminfo, bytes. */
static size_t
node_mem( char const * key ) {
  char path[ 96 ], line[ 256 ], name[ 64 ];
  snprintf( path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node );
  FILE * f = fopen( path, "re" );
  if( !f ) die( path );
  size_t kib = 0UL;
  while( fgets( line, sizeof(line), f ) )
    if( sscanf( line, "Node %*d %63[^:]: %zu kB", name, &kib )==2 && !strcmp( name, key ) ) break;
  fclose( f );
  return kib<<10;
}

static size_t node_free( void ) { return node_mem( "MemFree" ); }

/* The node's free blocks of each order (all zones), from /proc/buddyinfo,
   into cnt[0..11]; returns the number of blocks of HUGE_ORDER or more. */
static unsigned long
buddy( unsigned long cnt[ 12 ] ) {
  FILE * f = fopen( "/proc/buddyinfo", "re" );
  if( !f ) die( "/proc/buddyinfo" );
  memset( cnt, 0, 12*sizeof(cnt[0]) );
  char line[ 512 ];
  while( fgets( line, sizeof(line), f ) ) {
    int n, at;
    if( sscanf( line, "Node %d, zone %*s%n", &n, &at )!=1 || n!=node ) continue;
    char * s = line+at;
    for( int k=0; k<12; k++ ) {
      char * end;
      unsigned long v = strtoul( s, &end, 10 );
      if( end==s ) break;
      cnt[k] += v;
      s = end;
    }
  }
  fclose( f );
  unsigned long big = 0UL;
  for( int k=HUGE_ORDER; k<12; k++ ) big += cnt[k];
  return big;
}

/* An address range of sz bytes aligned to CHUNK, nothing in it yet. */
static char *
reserve( size_t sz, int advice ) {
  char * p = mmap( NULL, sz+CHUNK, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0 );
  if( p==MAP_FAILED ) die( "mmap" );
  char * a = (char *)( ( (unsigned long)p + CHUNK-1UL ) & ~(CHUNK-1UL) );
  if( madvise( a, sz, advice ) ) die( advice==MADV_HUGEPAGE ? "madvise(MADV_HUGEPAGE)" : "madvise(MADV_NOHUGEPAGE)" );
  return a;
}

int
main( int argc, char ** argv ) {
  if( argc!=2 ) { fprintf( stderr, "usage: frag_node NODE\n" ); return 2; }
  node = atoi( argv[1] );
  unsigned long mask = 1UL<<node, cnt[ 12 ];
  if( syscall( SYS_set_mempolicy, MPOL_BIND_, &mask, 8UL*sizeof(mask) ) ) die( "set_mempolicy" );
  size_t start_free = node_free();
  printf( "node %d: %zu MiB free, %lu free blocks of order >= %d before\n", node, start_free>>20, buddy( cnt ),
          HUGE_ORDER );

  /* fill with locked small pages */
  char * fill = reserve( start_free, MADV_NOHUGEPAGE );
  size_t filled = 0UL;
  while( filled+CHUNK<=start_free && node_free()>FLOOR ) {
    if( mlock( fill+filled, CHUNK ) ) die( "mlock" );
    filled += CHUNK;
  }
  /* free half of every 2*HOLE: free blocks of order 5 at most */
  for( size_t off=0UL; off<filled; off+=2UL*HOLE ) if( munmap( fill+off, HOLE ) ) die( "munmap" );
  printf( "node %d: locked %zu MiB, gave back half; %zu MiB free, %lu free blocks of order >= %d\n", node,
          filled>>20, node_free()>>20, buddy( cnt ), HUGE_ORDER );

  /* the blocks of order 9 or more that are left, taken as THPs until
     one cannot be had (that fault has tried compaction and reclaim
     first); free pages still on per-cpu lists can complete a block
     later, which is why frag.sh asks for more pages than that makes */
  char * take = reserve( TAKE_MAX*CHUNK, MADV_HUGEPAGE );
  int taken = 0;
  for( int got=1; got && taken<TAKE_MAX; taken++ ) {
    size_t was = node_mem( "AnonHugePages" );
    if( mlock( take+(size_t)taken*CHUNK, CHUNK ) ) die( "mlock of a THP" );
    got = node_mem( "AnonHugePages" )>was;
  }
  unsigned long big = buddy( cnt );
  printf( "ready: node %d: %zu MiB free, %lu free blocks of order >= %d (%d THPs tried); by order:", node,
          node_free()>>20, big, HUGE_ORDER, taken );
  for( int k=0; k<12; k++ ) printf( " %lu", cnt[k] );
  printf( "\n" );
  fflush( stdout );
  while( getchar()!=EOF ) {}  /* hold until stdin closes */
  return 0;
}
