/* original_bench: one harness, written against the fixed prototypes of
   the SPEC (section 2.0 and 4), built twice by bench/original.sh: once
   against libfdshmem, once against the original's fd_shmem and groove
   objects (-DORIGINAL_BENCH_BOOT: the original wants fd_boot first).
   It times each row once and prints "ROW NS" lines, ns per operation;
   original.sh alternates the two programs and takes the medians.

   usage: original_bench MS   (each row runs for about MS milliseconds;
                               the domain is FD_SHMEM_PATH, with a .normal
                               directory on tmpfs) */

#include <fdshmem/fd_groove_volume.h>
#include <fdshmem/fd_shmem.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifdef ORIGINAL_BENCH_BOOT
void fd_boot( int * pargc, char *** pargv );
void fd_halt( void );
#endif

#define PAGES  (64UL)
#define NORMAL (4096UL)
#define GIB    (1UL<<30)

static double budget_ns;

static void
die( char const * what ) {
  fprintf( stderr, "original_bench: %s failed\n", what );
  exit( 1 );
}

static double
now_ns( void ) {
  struct timespec ts;
  clock_gettime( CLOCK_MONOTONIC, &ts );
  return (double)ts.tv_sec*1e9 + (double)ts.tv_nsec;
}

typedef void (*op_t)( void * ctx );

/* Prints name and the mean ns per call of op, called (after one call to
   warm up) in ever larger batches until the time budget is spent. */
static void
row( char const * name, op_t op, void * ctx ) {
  op( ctx );
  long   done = 0L;
  double t0   = now_ns(), t = t0;
  for( long batch=1L; t-t0<budget_ns; batch*=2L ) {
    for( long i=0L; i<batch; i++ ) op( ctx );
    done += batch;
    t     = now_ns();
  }
  printf( "%s %.1f\n", name, ( t-t0 )/(double)done );
}

static size_t const page_cnt[1] = { PAGES };
static size_t const cpu_idx [1] = { 0UL };

static void
op_create( void * ctx ) {
  (void)ctx;
  if( fd_shmem_create_multi( "obench_c", NORMAL, 1UL, page_cnt, cpu_idx, 0600UL ) ) die( "create" );
  if( fd_shmem_unlink( "obench_c", NORMAL ) ) die( "unlink" );
}

static void
op_join( void * ctx ) {
  (void)ctx;
  void * join = fd_shmem_join( "obench_j", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( !join || fd_shmem_leave( join, NULL, NULL ) ) die( "join/leave" );
}

static void
op_queries( void * ctx ) {
  fd_shmem_join_info_t info;
  if( fd_shmem_join_query_by_name( "obench_j", &info ) ||
      fd_shmem_join_query_by_join( ctx, &info ) ||
      fd_shmem_join_query_by_addr( (char *)info.shmem+NORMAL, 1UL, &info ) ) die( "queries" );
}

static void
op_acquire( void * ctx ) {
  (void)ctx;
  void * mem = fd_shmem_acquire_multi( NORMAL, 1UL, page_cnt, cpu_idx );
  if( !mem || fd_shmem_release( mem, NORMAL, PAGES ) ) die( "acquire/release" );
}

static void
op_pool( void * ctx ) {
  fd_groove_volume_pool_t * pool = ctx;
  void * v = fd_groove_volume_pool_remove( pool );
  if( !v || fd_groove_volume_pool_add( pool, v, GIB, NULL, 0UL ) ) die( "pool remove/add" );
}

int
main( int argc, char ** argv ) {
#ifdef ORIGINAL_BENCH_BOOT
  fd_boot( &argc, &argv );
#endif
  if( argc!=2 || ( budget_ns = atof( argv[1] )*1e6 )<=0.0 ) {
    fprintf( stderr, "usage: original_bench MS\n" );
    return 2;
  }

  row( "create", op_create, NULL );

  if( fd_shmem_create_multi( "obench_j", NORMAL, 1UL, page_cnt, cpu_idx, 0600UL ) ) die( "create" );
  row( "join-first", op_join, NULL );
  void * join = fd_shmem_join( "obench_j", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( !join ) die( "join" );
  row( "rejoin", op_join, NULL );
  row( "queries", op_queries, join );
  if( fd_shmem_leave( join, NULL, NULL ) || fd_shmem_unlink( "obench_j", NORMAL ) ) die( "leave/unlink" );

  row( "acquire", op_acquire, NULL );

  /* the pool over 4 volumes of address space (only their headers get pages) */
  size_t volume_cnt = 4UL;
  char * map = mmap( NULL, (volume_cnt+1UL)*GIB, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0 );
  if( map==MAP_FAILED ) die( "volume mapping" );
  char * vol0 = (char *)( ( (uintptr_t)map + GIB-1UL ) & ~(uintptr_t)( GIB-1UL ) );
  static _Alignas(4096) uint8_t shpool[ 4096 ];
  static _Alignas(128)  uint8_t ljoin [ 256 ];  /* more than either library's join needs */
  fd_groove_volume_pool_t * pool = fd_groove_volume_pool_join( ljoin, fd_groove_volume_pool_new( shpool ),
                                                               vol0, volume_cnt );
  if( !pool || fd_groove_volume_pool_add( pool, vol0, volume_cnt*GIB, NULL, 0UL ) ) die( "pool join/add" );
  row( "groove-pool", op_pool, pool );

#ifdef ORIGINAL_BENCH_BOOT
  fd_halt();
#endif
  return 0;
}
