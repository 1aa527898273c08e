/* fdshmem_bench: times the library's operations against the raw system
   calls (or primitives) they are built from, measured in the same run.

   usage: fdshmem_bench [--json] [--quick]

   Each row and its floor are timed alternately, REPEATS times each,
   every time over many back-to-back iterations with CLOCK_MONOTONIC;
   a row shows the medians of both and the median of the per-repeat
   ratios, so that a slow patch of a shared machine hits both sides.
   The single-threaded rows run pinned to one CPU (a migration would
   land on one side only); the pool's threads may use them all.  The domain is a
   temporary directory under /dev/shm (tmpfs); as root, with free 2 MiB
   pages, a hugetlbfs mount is added for the huge-create row, and with
   16, a second domain reserving 8 (exclusive) for the excl-create row.  --quick
   runs few iterations: a smoke test of the benchmark and its checks,
   not a measurement. */

#include "config.h"

#include "../tests/fdt_clock.h"

#include <sched.h>

#include <fdshmem/fd_groove_volume.h>
#include <fdshmem/fd_shmem.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPEATS (7)
#define NORMAL  FD_SHMEM_NORMAL_PAGE_SZ
#define HUGE    FD_SHMEM_HUGE_PAGE_SZ
#define GIB     FD_GROOVE_VOLUME_FOOTPRINT

static int    opt_json, opt_quick;
static char   dom[ 128 ];
static int    dom_huge;     /* .huge is a hugetlbfs mount of ours */
static char   dom_x[ 128 ]; /* a second domain whose .huge reserves its pages (exclusive), "" if none */
static char   ctl_path[ 512 ];
static int    rows_printed;
static cpu_set_t all_cpus;  /* the affinity this program started with */

typedef void (*op_t)( void * ctx );

static int
cmp_double( void const * a, void const * b ) {
  double x = *(double const *)a, y = *(double const *)b;
  return ( x>y ) - ( x<y );
}

static double
median( double * v ) {
  qsort( v, REPEATS, sizeof(double), cmp_double );
  return v[ REPEATS/2 ];
}

/* Mean ns per call of op over iters calls. */
static double
time_op( op_t op, void * ctx, long iters ) {
  double t0 = fdt_now_ns();
  for( long i=0; i<iters; i++ ) op( ctx );
  return ( fdt_now_ns()-t0 )/(double)iters;
}

typedef struct { double ns, floor_ns, ratio; } result_t;

/* op against its floor, alternately, REPEATS times each. */
static result_t
compare( op_t op, void * ctx, op_t floor, void * floor_ctx, long iters ) {
  if( opt_quick ) iters = iters>10L ? 10L : iters;
  double t[ REPEATS ], f[ REPEATS ], q[ REPEATS ];
  op( ctx );  /* warm up */
  floor( floor_ctx );
  for( int r=0; r<REPEATS; r++ ) {
    f[r] = time_op( floor, floor_ctx, iters );
    t[r] = time_op( op, ctx, iters );
    q[r] = t[r]/f[r];
  }
  return (result_t){ median( t ), median( f ), median( q ) };
}

static void
die( char const * what ) {
  fprintf( stderr, "fdshmem_bench: %s failed (%s)\n", what, strerror( errno ) );
  exit( 1 );
}

/* ns per operation as text: GB/s when bytes>0, else ns or us. */
static void
fmt_value( char * buf, size_t sz, double ns, size_t bytes ) {
  if( bytes )        snprintf( buf, sz, "%.2f GB/s", (double)bytes/ns );
  else if( ns>=1e4 ) snprintf( buf, sz, "%.1f us", ns/1e3 );
  else               snprintf( buf, sz, "%.1f ns", ns );
}

/* One output row; bytes>0 also reports GB/s. */
static void
row( char const * name, result_t r, char const * floor_name, size_t bytes ) {
  if( opt_json ) {
    printf( "%s\n  { \"row\": \"%s\", \"ns\": %.1f", rows_printed ? "," : "[", name, r.ns );
    if( bytes ) printf( ", \"gbps\": %.2f", (double)bytes/r.ns );
    printf( ", \"floor\": \"%s\", \"floor_ns\": %.1f, \"ratio\": %.2f }", floor_name, r.floor_ns, r.ratio );
  } else {
    char val[ 48 ], flo[ 48 ];
    fmt_value( val, sizeof(val), r.ns, bytes );
    fmt_value( flo, sizeof(flo), r.floor_ns, bytes );
    printf( "%-14s %12s   floor %-26s %12s   ratio %5.2f\n", name, val, floor_name, flo, r.ratio );
  }
  rows_printed++;
  fflush( stdout );
}


/* ---- create / join / acquire and their floors ---- */

typedef struct { size_t page_sz, page_cnt; char const * name; char path[ 256 ]; void * join; } region_ctx_t;

static void
op_create( void * vctx ) {
  region_ctx_t * c = vctx;
  if( fd_shmem_create( c->name, c->page_sz, c->page_cnt, 0, 0600 ) ) die( "fd_shmem_create" );
  if( fd_shmem_unlink( c->name, c->page_sz ) ) die( "fd_shmem_unlink" );
}

static void
op_create_raw( void * vctx ) {
  region_ctx_t * c = vctx;
  size_t sz = c->page_sz*c->page_cnt;
  int fd = open( c->path, O_RDWR | O_CREAT | O_EXCL, 0600 );
  if( fd<0 || ftruncate( fd, (off_t)sz ) ) die( "raw create" );
  void * m = mmap( NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0 );
  if( m==MAP_FAILED || mlock( m, sz ) ) die( "raw mmap/mlock" );
  munmap( m, sz );
  close( fd );
  unlink( c->path );
}

static void
op_join( void * vctx ) {
  region_ctx_t * c = vctx;
  void * j = fd_shmem_join( c->name, FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( !j || fd_shmem_leave( j, NULL, NULL ) ) die( "join/leave" );
}

static void
op_join_raw( void * vctx ) {
  region_ctx_t * c = vctx;
  size_t sz = c->page_sz*c->page_cnt;
  int fd = open( c->path, O_RDWR );
  if( fd<0 ) die( "raw open" );
  void * m = mmap( NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0 );
  if( m==MAP_FAILED || mlock( m, sz ) ) die( "raw mmap/mlock" );
  munmap( m, sz );
  close( fd );
}

static void
op_acquire( void * vctx ) {
  region_ctx_t * c = vctx;
  void * m = fd_shmem_acquire( c->page_sz, c->page_cnt, 0 );
  if( !m || fd_shmem_release( m, c->page_sz, c->page_cnt ) ) die( "acquire/release" );
}

static void
op_acquire_raw( void * vctx ) {
  region_ctx_t * c = vctx;
  size_t sz = c->page_sz*c->page_cnt;
  void * m = mmap( NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 );
  if( m==MAP_FAILED || mlock( m, sz ) ) die( "raw anonymous mmap/mlock" );
  munmap( m, sz );
}

static region_ctx_t
region_ctx( char const * name, size_t page_sz, size_t page_cnt ) {
  region_ctx_t c = { page_sz, page_cnt, name, "", NULL };
  snprintf( c.path, sizeof(c.path), "%s/.%s/raw-%s", dom, fd_shmem_page_sz_to_cstr( page_sz ), name );
  return c;
}

static void
bench_create( char const * row_name, size_t page_cnt, long iters, int gbps ) {
  region_ctx_t c = region_ctx( row_name, NORMAL, page_cnt );
  row( row_name, compare( op_create, &c, op_create_raw, &c, iters ), "open+ftruncate+mmap+mlock",
       gbps ? page_cnt*NORMAL : 0UL );
}

static void
bench_join( char const * row_name, size_t page_cnt, long iters, int gbps ) {
  region_ctx_t c = region_ctx( row_name, NORMAL, page_cnt );
  if( fd_shmem_create( c.name, NORMAL, page_cnt, 0, 0600 ) ) die( "fd_shmem_create" );
  char path[ 256 ];
  snprintf( path, sizeof(path), "%s/.normal/%s", dom, c.name );
  snprintf( c.path, sizeof(c.path), "%s", path );
  row( row_name, compare( op_join, &c, op_join_raw, &c, iters ), "open+mmap+mlock+munmap",
       gbps ? page_cnt*NORMAL : 0UL );
  fd_shmem_unlink( c.name, NORMAL );
}

/* ---- the hot paths against an uncontended mutex pair ---- */

static pthread_mutex_t floor_lock = PTHREAD_MUTEX_INITIALIZER;
static void
op_mutex( void * ctx ) {
  (void)ctx;
  pthread_mutex_lock( &floor_lock );
  pthread_mutex_unlock( &floor_lock );
}

typedef struct { char const * name; void * join; } again_ctx_t;

static void
op_join_again( void * vctx ) {
  again_ctx_t * c = vctx;
  void * j = fd_shmem_join( c->name, FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( j!=c->join || fd_shmem_leave( j, NULL, NULL ) ) die( "join again" );
}

static void
op_query_name( void * vctx ) {
  again_ctx_t * c = vctx;
  if( fd_shmem_join_query_by_name( c->name, NULL ) ) die( "query" );
}

static void
op_query_join( void * vctx ) {
  again_ctx_t * c = vctx;
  if( fd_shmem_join_query_by_join( c->join, NULL ) ) die( "query" );
}

static void
op_query_addr( void * vctx ) {
  again_ctx_t * c = vctx;
  if( fd_shmem_join_query_by_addr( (char *)c->join+100, 8, NULL ) ) die( "query" );
}

#define HOT_REGION_CNT (32)

/* The same operations spread over every joined region: each call moves
   on to the next of the HOT_REGION_CNT regions, so no lookup sees the
   same key twice in a row. */
typedef struct { again_ctx_t region[ HOT_REGION_CNT ]; unsigned next; } cycle_ctx_t;

static again_ctx_t *
cycle_next( cycle_ctx_t * c ) {
  again_ctx_t * r = &c->region[ c->next ];
  c->next = ( c->next+1U ) % HOT_REGION_CNT;
  return r;
}

static void op_cycle_join_again( void * vctx ) { op_join_again( cycle_next( vctx ) ); }
static void op_cycle_query_name( void * vctx ) { op_query_name( cycle_next( vctx ) ); }
static void op_cycle_query_addr( void * vctx ) { op_query_addr( cycle_next( vctx ) ); }
static void op_cycle_query_join( void * vctx ) { op_query_join( cycle_next( vctx ) ); }

static void
bench_hot_paths( void ) {
  char        names[ HOT_REGION_CNT ][ 16 ];
  cycle_ctx_t all = { .next = 0U };
  for( int i=0; i<HOT_REGION_CNT; i++ ) {
    snprintf( names[i], sizeof(names[i]), "hot%d", i );
    if( fd_shmem_create( names[i], NORMAL, 1, 0, 0600 ) ) die( "create" );
    void * join = fd_shmem_join( names[i], FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
    if( !join ) die( "join" );
    all.region[i] = (again_ctx_t){ names[i], join };
  }
  again_ctx_t c = all.region[ HOT_REGION_CNT/2 ];
  long iters = 1000000L;
  row( "join-again", compare( op_join_again, &c, op_mutex, NULL, iters ), "mutex lock+unlock", 0UL );
  row( "query-name", compare( op_query_name, &c, op_mutex, NULL, iters ), "mutex lock+unlock", 0UL );
  row( "query-addr", compare( op_query_addr, &c, op_mutex, NULL, iters ), "mutex lock+unlock", 0UL );
  row( "query-join", compare( op_query_join, &c, op_mutex, NULL, iters ), "mutex lock+unlock", 0UL );
  row( "join32-again", compare( op_cycle_join_again, &all, op_mutex, NULL, iters ), "mutex lock+unlock", 0UL );
  row( "query32-name", compare( op_cycle_query_name, &all, op_mutex, NULL, iters ), "mutex lock+unlock", 0UL );
  row( "query32-addr", compare( op_cycle_query_addr, &all, op_mutex, NULL, iters ), "mutex lock+unlock", 0UL );
  row( "query32-join", compare( op_cycle_query_join, &all, op_mutex, NULL, iters ), "mutex lock+unlock", 0UL );
  for( int i=0; i<HOT_REGION_CNT; i++ ) {
    fd_shmem_leave( all.region[i].join, NULL, NULL );
    fd_shmem_unlink( names[i], NORMAL );
  }
}

/* ---- groove pool ---- */

static _Alignas(128) uint8_t shpool[ 128 ];
static uint64_t cas_word;

static void
op_cas_pair( void * ctx ) {
  (void)ctx;
  uint64_t v = __atomic_load_n( &cas_word, __ATOMIC_RELAXED );
  __atomic_compare_exchange_n( &cas_word, &v, v+1UL, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED );
  v = __atomic_load_n( &cas_word, __ATOMIC_RELAXED );
  __atomic_compare_exchange_n( &cas_word, &v, v+1UL, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED );
}

static void
op_pool_pair( void * vctx ) {
  fd_groove_volume_pool_t * pool = vctx;
  void * v = fd_groove_volume_pool_remove( pool );
  if( !v || fd_groove_volume_pool_add( pool, v, GIB, NULL, 0 ) ) die( "pool remove/add" );
}

typedef struct { fd_groove_volume_pool_t * pool; long ops; double stop; } mt_ctx_t;

static void *
pool_thread( void * vctx ) {
  mt_ctx_t * c = vctx;
  while( fdt_now_ns()<c->stop ) {
    for( int i=0; i<256; i++ ) {
      void * v = fd_groove_volume_pool_remove( c->pool );
      if( !v ) continue;
      if( fd_groove_volume_pool_add( c->pool, v, GIB, NULL, 0 ) ) die( "pool add" );
      c->ops += 2;
    }
  }
  return NULL;
}

/* Total remove+add operations per second with thread_cnt threads;
   checks afterwards that every volume is in the pool exactly once. */
static double
pool_mt( fd_groove_volume_pool_t * pool, size_t volume_cnt, int thread_cnt ) {
  double rates[ REPEATS ];
  for( int r=0; r<REPEATS; r++ ) {
    mt_ctx_t  ctx[ 8 ];
    pthread_t tid[ 8 ];
    double t0 = fdt_now_ns(), stop = t0 + ( opt_quick ? 2e6 : 2e8 );
    pthread_attr_t attr;
    pthread_attr_init( &attr );
    pthread_attr_setaffinity_np( &attr, sizeof(all_cpus), &all_cpus );
    for( int t=0; t<thread_cnt; t++ ) {
      ctx[t] = (mt_ctx_t){ pool, 0L, stop };
      if( pthread_create( &tid[t], &attr, pool_thread, &ctx[t] ) ) die( "pthread_create" );
    }
    pthread_attr_destroy( &attr );
    long ops = 0L;
    for( int t=0; t<thread_cnt; t++ ) { pthread_join( tid[t], NULL ); ops += ctx[t].ops; }
    rates[r] = (double)ops / ( ( fdt_now_ns()-t0 )/1e9 );
  }
  char * vol0 = fd_groove_volume_pool_volume0( pool ), seen[ 64 ] = { 0 };
  size_t got = 0;
  for( char * v; ( v = fd_groove_volume_pool_remove( pool ) ); got++ ) {
    size_t i = (size_t)( v-vol0 )/GIB;
    if( i>=volume_cnt || seen[i]++ ) {
      fprintf( stderr, "fdshmem_bench: pool lost track of volume %zu\n", i );
      exit( 1 );
    }
  }
  if( got!=volume_cnt ) {
    fprintf( stderr, "fdshmem_bench: %zu of %zu volumes came back\n", got, volume_cnt );
    exit( 1 );
  }
  fd_groove_volume_pool_add( pool, vol0, volume_cnt*GIB, NULL, 0 );
  return median( rates );
}

static void
bench_pool( void ) {
  size_t volume_cnt = 16;
  char * vol0 = mmap( NULL, volume_cnt*GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0 );
  if( vol0==MAP_FAILED ) die( "volume mapping" );
  fd_groove_volume_pool_t pool[1];
  if( !fd_groove_volume_pool_join( pool, fd_groove_volume_pool_new( shpool ), vol0, volume_cnt ) ) die( "pool join" );
  if( fd_groove_volume_pool_add( pool, vol0, volume_cnt*GIB, NULL, 0 ) ) die( "pool add" );
  row( "pool-pair", compare( op_pool_pair, pool, op_cas_pair, NULL, 10000000L ), "CAS pair", 0UL );
  for( int t=2; t<=4; t+=2 ) {
    double rate = pool_mt( pool, volume_cnt, t );
    char name[ 32 ];
    snprintf( name, sizeof(name), "pool-mt-%d", t );
    if( opt_json ) printf( ",\n  { \"row\": \"%s\", \"ops_per_s\": %.0f }", name, rate );
    else           printf( "%-14s %11.1f M ops/s (remove+add, total, volumes verified)\n", name, rate/1e6 );
  }
  munmap( vol0, volume_cnt*GIB );
}

/* ---- huge pages (root, when free pages exist) ---- */

/* The same create in a domain whose mount reserves the pages (it draws
   on that reservation: the room check then also reads the mount's
   min_size) against the plain domain; both switch the path. */
typedef struct { char const * path; region_ctx_t * c; } in_domain_t;

static void
op_create_in( void * vctx ) {
  in_domain_t * d = vctx;
  if( fd_shmem_set_path( d->path ) ) die( "fd_shmem_set_path" );
  op_create( d->c );
}

static void
bench_exclusive( region_ctx_t * c ) {
  if( !dom_x[0] ) {
    if( !opt_json ) printf( "%-14s (skipped: needs root and 16 free 2 MiB pages)\n", "excl-create" );
    return;
  }
  in_domain_t x = { dom_x, c }, plain = { dom, c };
  row( "excl-create", compare( op_create_in, &x, op_create_in, &plain, 20 ), "the same, no reservation", 0UL );
  if( fd_shmem_set_path( dom ) ) die( "fd_shmem_set_path" );
}

static void
bench_huge( void ) {
  if( !dom_huge ) {
    if( !opt_json ) printf( "%-14s (skipped: needs root and 8 free 2 MiB pages)\n", "huge-create" );
    return;
  }
  region_ctx_t c = region_ctx( "hugebench", HUGE, 8 );
  row( "huge-create", compare( op_create, &c, op_create_raw, &c, 20 ), "open+ftruncate+mmap+mlock", 0UL );
  bench_exclusive( &c );
}

/* ---- tool start-up ---- */

typedef struct { char const * path; char * const * argv; } exec_ctx_t;

static void
op_exec( void * vctx ) {
  exec_ctx_t * c = vctx;
  pid_t pid = fork();
  if( pid<0 ) die( "fork" );
  if( !pid ) { execv( c->path, c->argv ); _exit( 127 ); }
  int status;
  if( waitpid( pid, &status, 0 )!=pid || !WIFEXITED( status ) || WEXITSTATUS( status ) ) die( "exec" );
}

static void
bench_ctl( void ) {
  if( access( ctl_path, X_OK ) ) {
    if( !opt_json ) printf( "%-14s (skipped: %s not built)\n", "ctl-startup", ctl_path );
    return;
  }
  char * ctl_argv[] = { ctl_path, NULL }, * true_argv[] = { "/bin/true", NULL };
  exec_ctx_t ctl = { ctl_path, ctl_argv }, tru = { "/bin/true", true_argv };
  row( "ctl-startup", compare( op_exec, &ctl, op_exec, &tru, 200 ), "/bin/true", 0UL );
}

/* ---- set-up ---- */

/* Removes the files of one of the bench's page-type directories (its
   .normal is a plain directory, which fd_shmem_domain_reset rightly
   refuses as no domain). */
static void
empty_dir( char const * sub ) {
  DIR * d = opendir( sub );
  if( !d ) return;
  for( struct dirent * e; ( e = readdir( d ) ); ) if( e->d_type!=DT_DIR ) unlinkat( dirfd( d ), e->d_name, 0 );
  closedir( d );
}

static void
domain_cleanup( void ) {
  char sub[ 200 ];
  snprintf( sub, sizeof(sub), "%s/.normal", dom );
  empty_dir( sub );
  rmdir( sub );
  snprintf( sub, sizeof(sub), "%s/.huge", dom );
  empty_dir( sub );
  if( dom_huge ) umount2( sub, MNT_DETACH );
  rmdir( sub );
  rmdir( dom );
}

/* dom_x: a domain of its own whose .huge reserves 8 pages, made and
   reserved by the library as apply does (exclusive = yes). */
static void
exclusive_setup( void ) {
  snprintf( dom_x, sizeof(dom_x), "/tmp/fdshmem-bench-x.XXXXXX" );
  if( !mkdtemp( dom_x ) ) die( "mkdtemp" );
  rmdir( dom_x );  /* init makes it */
  if( fd_shmem_domain_init( dom_x, 0700, NULL, NULL ) ) { dom_x[0] = '\0'; return; }
  if( fd_shmem_domain_reserve( dom_x, HUGE, 8UL ) ) { fd_shmem_domain_fini( dom_x ); dom_x[0] = '\0'; }
}

static void
exclusive_cleanup( void ) {
  if( dom_x[0] ) fd_shmem_domain_fini( dom_x );
}

static void
domain_setup( void ) {
  snprintf( dom, sizeof(dom), "/dev/shm/fdshmem-bench.XXXXXX" );
  if( !mkdtemp( dom ) ) die( "mkdtemp" );
  atexit( domain_cleanup );
  char sub[ 200 ];
  snprintf( sub, sizeof(sub), "%s/.normal", dom );
  if( mkdir( sub, 0700 ) ) die( "mkdir" );
  fd_shmem_pool_info_t pool;
  if( !geteuid() && !fd_shmem_pool_query( HUGE, 0, &pool ) && pool.free>=8 ) {
    snprintf( sub, sizeof(sub), "%s/.huge", dom );
    dom_huge = !mkdir( sub, 0700 ) && !mount( "fdshmem-bench", sub, "hugetlbfs", 0, "pagesize=2M" );
    if( dom_huge && pool.free>=16 ) { atexit( exclusive_cleanup ); exclusive_setup(); }
  }
  if( fd_shmem_set_path( dom ) ) die( "fd_shmem_set_path" );
}

int
main( int argc, char ** argv ) {
  for( int i=1; i<argc; i++ ) {
    if( !strcmp( argv[i], "--json" ) ) opt_json = 1;
    else if( !strcmp( argv[i], "--quick" ) ) opt_quick = 1;
    else { fprintf( stderr, "usage: %s [--json] [--quick]\n", argv[0] ); return 2; }
  }
  /* The tool's real binary in the build tree (not libtool's wrapper
     script, whose shell would be timed too); the wrapper that started
     this program set the library path it needs. */
  char self[ 400 ];
  ssize_t n = readlink( "/proc/self/exe", self, sizeof(self)-1 );
  self[ n>0 ? n : 0 ] = '\0';
  char * slash = strrchr( self, '/' );
  if( slash ) *slash = '\0';
  int in_libs = slash && strstr( self, "/.libs" )==self+strlen( self )-6;
  snprintf( ctl_path, sizeof(ctl_path),
            in_libs ? "%s/../../src/ctl/.libs/fd_shmem_ctl" : "%s/../src/ctl/fd_shmem_ctl", self );
  fd_shmem_set_log_level( FD_SHMEM_LOG_ERR );
  if( sched_getaffinity( 0, sizeof(all_cpus), &all_cpus ) ) die( "sched_getaffinity" );
  cpu_set_t one;
  CPU_ZERO( &one );
  CPU_SET( sched_getcpu(), &one );
  if( sched_setaffinity( 0, sizeof(one), &one ) ) die( "sched_setaffinity" );
  domain_setup();
  if( !opt_json ) printf( "fdshmem_bench: medians of %d alternating repeats%s, domain %s\n", REPEATS,
                          opt_quick ? " (quick: not a measurement)" : "", dom );

  bench_create( "create-small", 64, 2000, 0 );
  bench_create( "create-large", 65536, 5, 1 );
  bench_join( "join-first", 64, 2000, 0 );
  bench_join( "join-large", 65536, 5, 1 );
  bench_hot_paths();
  region_ctx_t acq = region_ctx( "acquire", NORMAL, 64 );
  row( "acquire", compare( op_acquire, &acq, op_acquire_raw, &acq, 2000 ), "mmap+mlock+munmap", 0UL );
  bench_pool();
  bench_huge();
  bench_ctl();
  if( opt_json ) printf( "\n]\n" );
  return 0;
}
