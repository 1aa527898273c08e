/* The groove volume pool: layout, bad arguments, the original's
   randomized add/remove scenario, corruption, and concurrency between
   threads and between processes mapping it at different addresses,
   and each code of the pool calls' closed sets.
   Volumes live in lazily backed mappings: only headers are touched. */

#include "fdt.h"

#include <fdshmem/fd_groove_volume.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GIB         FD_GROOVE_VOLUME_FOOTPRINT
#define VOLUME_CNT  (4UL)
#define EMPTY_MAGIC (~FD_GROOVE_VOLUME_MAGIC)

static void * volumes_map( size_t cnt ) {
  void * m = mmap( NULL, cnt*GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0 );
  ck_assert_ptr_ne( m, MAP_FAILED );
  return m;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15UL;
static uint64_t rng( void ) {  /* xorshift64*: reproducible */
  rng_state ^= rng_state>>12; rng_state ^= rng_state<<25; rng_state ^= rng_state>>27;
  return rng_state*0x2545f4914f6cdd1dUL;
}

static _Alignas(128) uint8_t shpool_mem[ 256 ];

START_TEST( layout_and_strerror ) {
  ck_assert_uint_eq( sizeof(fd_groove_volume_t), 1UL<<30 );
  ck_assert_uint_eq( _Alignof(fd_groove_volume_t), 4096 );
  ck_assert_uint_eq( offsetof(fd_groove_volume_t, magic), 0 );
  ck_assert_uint_eq( offsetof(fd_groove_volume_t, idx), 8 );
  ck_assert_uint_eq( offsetof(fd_groove_volume_t, next), 16 );
  ck_assert_uint_eq( offsetof(fd_groove_volume_t, info_sz), 24 );
  ck_assert_uint_eq( offsetof(fd_groove_volume_t, info), 32 );
  ck_assert_uint_eq( offsetof(fd_groove_volume_t, data), 512 );
  ck_assert_uint_eq( FD_GROOVE_VOLUME_DATA_MAX, (1UL<<30)-512 );
  ck_assert_str_eq( fd_groove_strerror( FD_GROOVE_SUCCESS ), "success" );
  int codes[] = { FD_GROOVE_ERR_INVAL, FD_GROOVE_ERR_AGAIN, FD_GROOVE_ERR_CORRUPT, FD_GROOVE_ERR_EMPTY,
                  FD_GROOVE_ERR_FULL, FD_GROOVE_ERR_KEY };
  for( int i=0; i<6; i++ ) {
    ck_assert_int_eq( codes[i], -1-i );
    ck_assert_str_ne( fd_groove_strerror( codes[i] ), "unknown" );
  }
  ck_assert_str_eq( fd_groove_strerror( 1 ), "unknown" );
  ck_assert_str_eq( fd_groove_strerror( -7 ), "unknown" );
}
END_TEST

START_TEST( bad_arguments ) {
  char * vol0 = volumes_map( VOLUME_CNT );
  size_t align = fd_groove_volume_pool_align(), fp = fd_groove_volume_pool_footprint();
  ck_assert( align && !( align & (align-1) ) && fp && fp<=sizeof(shpool_mem) );
  ck_assert_ptr_null( fd_groove_volume_pool_new( NULL ) );
  ck_assert_ptr_null( fd_groove_volume_pool_new( shpool_mem+1 ) );
  fd_groove_volume_pool_t pool[1];
  ck_assert_ptr_null( fd_groove_volume_pool_join( pool, shpool_mem, vol0, VOLUME_CNT ) );  /* not formatted */
  ck_assert_ptr_eq( fd_groove_volume_pool_new( shpool_mem ), shpool_mem );
  ck_assert_ptr_null( fd_groove_volume_pool_join( NULL, shpool_mem, vol0, VOLUME_CNT ) );
  ck_assert_ptr_null( fd_groove_volume_pool_join( (char *)pool+1, shpool_mem, vol0, VOLUME_CNT ) );
  ck_assert_ptr_null( fd_groove_volume_pool_join( pool, NULL, vol0, VOLUME_CNT ) );
  ck_assert_ptr_null( fd_groove_volume_pool_join( pool, shpool_mem+1, vol0, VOLUME_CNT ) );
  ck_assert_ptr_null( fd_groove_volume_pool_join( pool, shpool_mem, NULL, VOLUME_CNT ) );
  ck_assert_ptr_null( fd_groove_volume_pool_join( pool, shpool_mem, vol0+1, VOLUME_CNT ) );
  ck_assert_ptr_null( fd_groove_volume_pool_join( pool, shpool_mem, vol0, 0 ) );
  ck_assert_ptr_null( fd_groove_volume_pool_join( pool, shpool_mem, vol0, SIZE_MAX ) );
  ck_assert_ptr_null( fd_groove_volume_pool_join( pool, shpool_mem, (void *)(UINTPTR_MAX & ~4095UL), 2 ) ); /* wraps */
  ck_assert_ptr_eq( fd_groove_volume_pool_join( pool, shpool_mem, vol0, VOLUME_CNT ), pool );
  ck_assert_ptr_eq( fd_groove_volume_pool_volume0( pool ), vol0 );
  ck_assert_uint_eq( fd_groove_volume_pool_volume_max( pool ), VOLUME_CNT );

  /* add: a zero footprint is a no-op whatever the rest */
  ck_assert_int_eq( fd_groove_volume_pool_add( NULL, NULL, 0, NULL, 0 ), FD_GROOVE_SUCCESS );
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, (void *)1, 0, NULL, 99999 ), FD_GROOVE_SUCCESS );
  ck_assert_int_eq( fd_groove_volume_pool_add( NULL, vol0, GIB, NULL, 0 ), FD_GROOVE_ERR_INVAL );
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, NULL, GIB, NULL, 0 ), FD_GROOVE_ERR_INVAL );
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0-GIB, GIB, NULL, 0 ), FD_GROOVE_ERR_INVAL );      /* below */
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0+4096, GIB, NULL, 0 ), FD_GROOVE_ERR_INVAL );     /* unaligned start */
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0, GIB+4096, NULL, 0 ), FD_GROOVE_ERR_INVAL );     /* unaligned end */
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0, GIB/2, NULL, 0 ), FD_GROOVE_ERR_INVAL );
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0, (VOLUME_CNT+1)*GIB, NULL, 0 ), FD_GROOVE_ERR_INVAL ); /* past the end */
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0+VOLUME_CNT*GIB, GIB, NULL, 0 ), FD_GROOVE_ERR_INVAL );
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0+GIB, SIZE_MAX & ~(GIB-1), NULL, 0 ), FD_GROOVE_ERR_INVAL ); /* overflow */
  int err = 1;
  ck_assert_ptr_null( fd_groove_volume_pool_remove_err( pool, &err ) );  /* nothing was added */
  ck_assert_int_eq( err, FD_GROOVE_ERR_EMPTY );
  ck_assert_ptr_null( fd_groove_volume_pool_remove_err( NULL, &err ) );
  ck_assert_int_eq( err, FD_GROOVE_ERR_INVAL );
  ck_assert_ptr_null( fd_groove_volume_pool_remove( NULL ) );
  ck_assert_ptr_null( fd_groove_volume_pool_volume0( NULL ) );
  ck_assert_uint_eq( fd_groove_volume_pool_volume_max( NULL ), 0 );

  ck_assert_ptr_null( fd_groove_volume_pool_leave( NULL ) );
  ck_assert_ptr_eq( fd_groove_volume_pool_leave( pool ), pool );
  ck_assert_ptr_null( fd_groove_volume_pool_delete( NULL ) );
  ck_assert_ptr_null( fd_groove_volume_pool_delete( shpool_mem+1 ) );
  ck_assert_ptr_eq( fd_groove_volume_pool_delete( shpool_mem ), shpool_mem );
  ck_assert_ptr_null( fd_groove_volume_pool_delete( shpool_mem ) );  /* no longer a pool */
  munmap( vol0, VOLUME_CNT*GIB );
}
END_TEST

/* The original's scenario: remove from an empty pool gives NULL; add a
   random range with random info; each volume of it has the right
   header and comes back out in ascending order. */
START_TEST( randomized_rounds ) {
  char * vol0 = volumes_map( VOLUME_CNT );
  fd_groove_volume_pool_t pool[1];
  ck_assert_ptr_nonnull( fd_groove_volume_pool_new( shpool_mem ) );
  ck_assert_ptr_nonnull( fd_groove_volume_pool_join( pool, shpool_mem, vol0, VOLUME_CNT ) );
  uint8_t info[ 600 ];
  for( long round=0; round<100000; round++ ) {
    FDT_CHECK( !fd_groove_volume_pool_remove( pool ) );
    size_t i0 = (size_t)( rng() % VOLUME_CNT );
    size_t i1 = i0 + 1 + (size_t)( rng() % ( VOLUME_CNT-i0 ) );
    size_t info_sz = (size_t)( rng() % sizeof(info) );
    for( size_t b=0; b<info_sz; b++ ) info[b] = (uint8_t)rng();
    int null_info = !( rng() % 8 );
    FDT_CHECK( fd_groove_volume_pool_add( pool, vol0+i0*GIB, (i1-i0)*GIB, null_info ? NULL : info, info_sz )==FD_GROOVE_SUCCESS );
    size_t want_sz = null_info ? 0 : info_sz>480 ? 480 : info_sz;
    for( size_t i=i0; i<i1; i++ ) {
      fd_groove_volume_t * v = (fd_groove_volume_t *)( vol0+i*GIB );
      FDT_CHECK( v->magic==EMPTY_MAGIC );
      FDT_CHECK( v->idx==i );
      FDT_CHECK( v->info_sz==want_sz );
      FDT_CHECK( !memcmp( v->info, info, want_sz ) );
      for( size_t b=want_sz; b<480; b++ ) FDT_CHECK( !v->info[b] );
    }
    for( size_t i=i0; i<i1; i++ ) {
      fd_groove_volume_t * v = fd_groove_volume_pool_remove( pool );
      FDT_CHECK( (char *)v==vol0+i*GIB );
      FDT_CHECK( !v->magic );
    }
  }
  munmap( vol0, VOLUME_CNT*GIB );
}
END_TEST

/* Every info size over a header the user scribbled on: the info is
   copied, each byte past it is zero, and nothing outside info[] moves
   (the header is written in wide chunks). */
START_TEST( info_zeroed_past_size ) {
  char * vol0 = volumes_map( 1 );
  fd_groove_volume_pool_t pool[1];
  ck_assert_ptr_nonnull( fd_groove_volume_pool_join( pool, fd_groove_volume_pool_new( shpool_mem ), vol0, 1 ) );
  fd_groove_volume_t * v = (fd_groove_volume_t *)vol0;
  uint8_t info[ 490 ];
  for( size_t b=0; b<sizeof(info); b++ ) info[b] = (uint8_t)( 1+b%255 );
  for( size_t info_sz=0; info_sz<=sizeof(info); info_sz++ ) {
    memset( v, 0xa5, 1024 );
    FDT_CHECK( fd_groove_volume_pool_add( pool, vol0, GIB, info, info_sz )==FD_GROOVE_SUCCESS );
    size_t kept = info_sz>480 ? 480 : info_sz;
    FDT_CHECK( v->info_sz==kept );
    FDT_CHECK( !memcmp( v->info, info, kept ) );
    for( size_t b=kept; b<480; b++ ) FDT_CHECK( !v->info[b] );
    for( size_t b=0; b<512; b++ ) FDT_CHECK( v->data[b]==0xa5 );
    FDT_CHECK( fd_groove_volume_pool_remove( pool )==v );
  }
  munmap( vol0, GIB );
}
END_TEST

START_TEST( corruption_detected ) {
  char * vol0 = volumes_map( VOLUME_CNT );
  fd_groove_volume_pool_t pool[1];
  ck_assert_ptr_nonnull( fd_groove_volume_pool_new( shpool_mem ) );
  ck_assert_ptr_nonnull( fd_groove_volume_pool_join( pool, shpool_mem, vol0, VOLUME_CNT ) );
  int err;

  /* a wrong magic on the top volume */
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0, 2*GIB, NULL, 0 ), FD_GROOVE_SUCCESS );
  ( (fd_groove_volume_t *)vol0 )->magic = FD_GROOVE_VOLUME_MAGIC;
  ck_assert_ptr_null( fd_groove_volume_pool_remove_err( pool, &err ) );
  ck_assert_int_eq( err, FD_GROOVE_ERR_CORRUPT );
  ck_assert_ptr_eq( fd_groove_volume_pool_remove_err( pool, &err ), vol0+GIB );  /* the rest is fine */
  ck_assert_int_eq( err, FD_GROOVE_SUCCESS );

  /* a wrong index */
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0+2*GIB, GIB, NULL, 0 ), FD_GROOVE_SUCCESS );
  ( (fd_groove_volume_t *)( vol0+2*GIB ) )->idx = 3;
  ck_assert_ptr_null( fd_groove_volume_pool_remove_err( pool, &err ) );
  ck_assert_int_eq( err, FD_GROOVE_ERR_CORRUPT );

  /* an oversized info_sz */
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0+3*GIB, GIB, NULL, 0 ), FD_GROOVE_SUCCESS );
  ( (fd_groove_volume_t *)( vol0+3*GIB ) )->info_sz = 481;
  ck_assert_ptr_null( fd_groove_volume_pool_remove( pool ) );

  /* a link out of range: reported, and the pool is left as it is */
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0, GIB, NULL, 0 ), FD_GROOVE_SUCCESS );
  ( (fd_groove_volume_t *)vol0 )->next = VOLUME_CNT+5;
  ck_assert_ptr_null( fd_groove_volume_pool_remove_err( pool, &err ) );
  ck_assert_int_eq( err, FD_GROOVE_ERR_CORRUPT );
  ck_assert_ptr_null( fd_groove_volume_pool_remove_err( pool, &err ) );
  ck_assert_int_eq( err, FD_GROOVE_ERR_CORRUPT );
  munmap( vol0, VOLUME_CNT*GIB );
}
END_TEST

/* ---- the closed sets (src/lib/base/fd_shmem_errset.h), one case per code ---- */

static int add_null_join( void ) {
  char * vol0 = volumes_map( 1 );
  int err = fd_groove_volume_pool_add( NULL, vol0, GIB, NULL, 0 );
  munmap( vol0, GIB );
  return err;
}

/* What remove_err stores for a pool of one volume whose magic is magic
   (0: no volume added). */
static int remove_err_of( uint64_t magic ) {
  char * vol0 = volumes_map( 1 );
  fd_groove_volume_pool_t pool[1];
  ck_assert_ptr_nonnull( fd_groove_volume_pool_new( shpool_mem ) );
  ck_assert_ptr_nonnull( fd_groove_volume_pool_join( pool, shpool_mem, vol0, 1 ) );
  if( magic ) {
    ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0, GIB, NULL, 0 ), FD_GROOVE_SUCCESS );
    ( (fd_groove_volume_t *)vol0 )->magic = magic;
  }
  int err = FD_GROOVE_SUCCESS;
  ck_assert_ptr_null( fd_groove_volume_pool_remove_err( pool, &err ) );
  munmap( vol0, GIB );
  return err;
}
static int remove_err_empty( void )   { return remove_err_of( 0 ); }
static int remove_err_corrupt( void ) { return remove_err_of( FD_GROOVE_VOLUME_MAGIC ); }  /* not the empty magic */
static int remove_err_null( void ) {
  int err = FD_GROOVE_SUCCESS;
  ck_assert_ptr_null( fd_groove_volume_pool_remove_err( NULL, &err ) );
  return err;
}

static fdt_errcase_t const errcases[] = {
  { "fd_groove_volume_pool_add",        FD_GROOVE_ERR_INVAL,   add_null_join,      0 },
  { "fd_groove_volume_pool_remove_err", FD_GROOVE_ERR_EMPTY,   remove_err_empty,   0 },
  { "fd_groove_volume_pool_remove_err", FD_GROOVE_ERR_CORRUPT, remove_err_corrupt, 0 },
  { "fd_groove_volume_pool_remove_err", FD_GROOVE_ERR_INVAL,   remove_err_null,    0 },
};

/* ---- concurrency ---- */

#define OWNER_OFF (512UL)  /* a word of each volume's data marks its holder */

typedef struct {
  fd_groove_volume_pool_t * pool;
  uint64_t                  me;
  double                    stop_ns;
  long                      rounds, violations;
} worker_t;


/* Takes volumes and puts them back until the deadline; a volume found
   already held, or whose mark changed while held, is a violation. */
static void
hammer( worker_t * w ) {
  char * vol0 = fd_groove_volume_pool_volume0( w->pool );
  while( fdt_now_ns()<w->stop_ns ) {
    char * v = fd_groove_volume_pool_remove( w->pool );
    if( !v ) continue;
    uint64_t * owner = (uint64_t *)( v+OWNER_OFF );
    if( __atomic_exchange_n( owner, w->me, __ATOMIC_ACQ_REL ) ) w->violations++;
    for( volatile int spin=0; spin<50; spin++ ) {}
    if( __atomic_exchange_n( owner, 0UL, __ATOMIC_ACQ_REL )!=w->me ) w->violations++;
    if( fd_groove_volume_pool_add( w->pool, v, GIB, &w->me, sizeof(w->me) ) ) w->violations++;
    if( (size_t)( v-vol0 ) % GIB ) w->violations++;
    w->rounds++;
  }
}

static void * hammer_thread( void * arg ) { hammer( arg ); return NULL; }

/* Empties the pool: every volume comes out exactly once. */
static void
drain_check( fd_groove_volume_pool_t * pool, size_t cnt ) {
  char * vol0 = fd_groove_volume_pool_volume0( pool );
  int seen[ 64 ] = { 0 };
  size_t got = 0;
  for( char * v; ( v = fd_groove_volume_pool_remove( pool ) ); got++ ) {
    size_t i = (size_t)( v-vol0 )/GIB;
    ck_assert_uint_lt( i, cnt );
    ck_assert_int_eq( seen[i]++, 0 );
  }
  ck_assert_uint_eq( got, cnt );
}

#define MT_VOLUMES (8UL)

START_TEST( threads ) {
  char * vol0 = volumes_map( MT_VOLUMES );
  fd_groove_volume_pool_t pool[1];
  ck_assert_ptr_nonnull( fd_groove_volume_pool_new( shpool_mem ) );
  ck_assert_ptr_nonnull( fd_groove_volume_pool_join( pool, shpool_mem, vol0, MT_VOLUMES ) );
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, vol0, MT_VOLUMES*GIB, NULL, 0 ), FD_GROOVE_SUCCESS );
  worker_t w[4];
  pthread_t tid[4];
  double stop = fdt_now_ns() + 1e9;
  for( int t=0; t<4; t++ ) {
    w[t] = (worker_t){ .pool = pool, .me = (uint64_t)t+1, .stop_ns = stop };
    ck_assert_int_eq( pthread_create( &tid[t], NULL, hammer_thread, &w[t] ), 0 );
  }
  long rounds = 0;
  for( int t=0; t<4; t++ ) {
    ck_assert_int_eq( pthread_join( tid[t], NULL ), 0 );
    ck_assert_int_eq( w[t].violations, 0 );
    rounds += w[t].rounds;
  }
  ck_assert_int_gt( rounds, 1000 );
  drain_check( pool, MT_VOLUMES );
  munmap( vol0, MT_VOLUMES*GIB );
}
END_TEST

/* Two processes, each mapping the pool object and the volumes at its own
   addresses (a shared memfd mapped twice). */
START_TEST( processes ) {
  size_t sz = 2*4096 + MT_VOLUMES*GIB;  /* pool page, results page, volumes */
  int fd = memfd_create( "groove-test", MFD_CLOEXEC );
  ck_assert_int_ge( fd, 0 );
  ck_assert_int_eq( ftruncate( fd, (off_t)sz ), 0 );
  char * a = mmap( NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0 );
  ck_assert_ptr_ne( a, MAP_FAILED );
  fd_groove_volume_pool_t pool[1];
  ck_assert_ptr_nonnull( fd_groove_volume_pool_new( a ) );
  ck_assert_ptr_nonnull( fd_groove_volume_pool_join( pool, a, a+2*4096, MT_VOLUMES ) );
  ck_assert_int_eq( fd_groove_volume_pool_add( pool, a+2*4096, MT_VOLUMES*GIB, NULL, 0 ), FD_GROOVE_SUCCESS );
  double stop = fdt_now_ns() + 1e9;

  pid_t pid = fdt_fork();
  if( !pid ) {
    char * b = mmap( NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0 );
    if( b==MAP_FAILED || b==a ) _exit( 1 );
    fd_groove_volume_pool_t cpool[1];
    if( !fd_groove_volume_pool_join( cpool, b, b+2*4096, MT_VOLUMES ) ) _exit( 2 );
    worker_t w = { .pool = cpool, .me = 2, .stop_ns = stop };
    hammer( &w );
    ( (long *)( b+4096 ) )[0] = w.violations;
    ( (long *)( b+4096 ) )[1] = w.rounds;
    _exit( 0 );
  }
  worker_t w = { .pool = pool, .me = 1, .stop_ns = stop };
  hammer( &w );
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert( WIFEXITED( status ) && !WEXITSTATUS( status ) );
  ck_assert_int_eq( w.violations, 0 );
  ck_assert_int_eq( ( (long *)( a+4096 ) )[0], 0 );
  ck_assert_int_gt( w.rounds + ( (long *)( a+4096 ) )[1], 1000 );
  drain_check( pool, MT_VOLUMES );
  munmap( a, sz );
  close( fd );
}
END_TEST

int
main( void ) {
  Suite * s  = suite_create( "groove" );
  TCase * tc = tcase_create( "pool" );
  tcase_set_timeout( tc, 120 );
  tcase_add_test( tc, layout_and_strerror );
  tcase_add_test( tc, bad_arguments );
  tcase_add_test( tc, randomized_rounds );
  tcase_add_test( tc, info_zeroed_past_size );
  tcase_add_test( tc, corruption_detected );
  tcase_add_test( tc, threads );
  tcase_add_test( tc, processes );
  fdt_errcases_add( tc, errcases, sizeof(errcases)/sizeof(errcases[0]), FDT_ERRCASES_GROOVE );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
