/* The groove volume pool: a lock-free stack of volume indices.

   The shared pool object holds one 64-bit word, the stack top: the index
   of the top volume in the low IDX_BITS bits (IDX_NULL when empty) and a
   version counter above it, bumped by every change so that a stale
   compare-and-swap never succeeds (ABA).  Each volume's `next` field
   holds the index of the volume below it.  Volume headers are touched
   with atomic accesses wherever another thread may race on them. */

#include "../base/fd_shmem_base.h"

#include <fdshmem/fd_groove_volume.h>

#include <stddef.h>
#include <string.h>

_Static_assert( sizeof(fd_groove_volume_t)==FD_GROOVE_VOLUME_FOOTPRINT, "volume size" );
_Static_assert( _Alignof(fd_groove_volume_t)==FD_GROOVE_VOLUME_ALIGN, "volume alignment" );
_Static_assert( offsetof(fd_groove_volume_t, magic  )==0UL,   "magic offset" );
_Static_assert( offsetof(fd_groove_volume_t, idx    )==8UL,   "idx offset" );
_Static_assert( offsetof(fd_groove_volume_t, next   )==16UL,  "next offset" );
_Static_assert( offsetof(fd_groove_volume_t, info_sz)==24UL,  "info_sz offset" );
_Static_assert( offsetof(fd_groove_volume_t, info   )==32UL,  "info offset" );
_Static_assert( offsetof(fd_groove_volume_t, data   )==512UL, "data offset" );
_Static_assert( FD_GROOVE_VOLUME_INFO_MAX==480UL, "info max" );
_Static_assert( FD_GROOVE_VOLUME_DATA_MAX==( 1UL<<30 )-512UL, "data max" );
_Static_assert( FD_GROOVE_VOLUME_MAGIC==0xfd67007e701c3300UL, "magic" );

#define LG_FOOTPRINT (30)
#define IDX_BITS     (24)  /* 2^24 GiB is far beyond any address space */
#define IDX_NULL     ( ( 1UL<<IDX_BITS )-1UL )
#define POOL_MAGIC   (0xfd67007e70011000UL)
#define POOL_ALIGN   (128UL)  /* its own cache line pair: no false sharing */

typedef struct {
  uint64_t magic;
  uint64_t top;  /* version << IDX_BITS | index */
} pool_shmem_t;

static uint64_t top_idx( uint64_t top ) { return top & IDX_NULL; }
static uint64_t top_new( uint64_t old, uint64_t idx ) { return ( ( old>>IDX_BITS )+1UL )<<IDX_BITS | idx; }

static fd_groove_volume_t *
volume_at( fd_groove_volume_pool_t const * join, uint64_t idx ) {
  return (fd_groove_volume_t *)( (char *)join->private_volume0 + ( idx<<LG_FOOTPRINT ) );
}

FD_SHMEM_EXPORT size_t fd_groove_volume_pool_align    ( void ) { return POOL_ALIGN; }
FD_SHMEM_EXPORT size_t fd_groove_volume_pool_footprint( void ) { return POOL_ALIGN; }

FD_SHMEM_EXPORT void *
fd_groove_volume_pool_new( void * shmem ) {
  if( !shmem || !fd_shmem_private_is_aligned( shmem, POOL_ALIGN ) ) return NULL;
  pool_shmem_t * pool = shmem;
  pool->top = IDX_NULL;
  __atomic_store_n( &pool->magic, POOL_MAGIC, __ATOMIC_RELEASE );
  return shmem;
}

FD_SHMEM_EXPORT fd_groove_volume_pool_t *
fd_groove_volume_pool_join( void * ljoin, void * shpool, void * volume0, size_t volume_max ) {
  if( !ljoin || !fd_shmem_private_is_aligned( ljoin, _Alignof(fd_groove_volume_pool_t) ) ) return NULL;
  if( !shpool || !fd_shmem_private_is_aligned( shpool, POOL_ALIGN ) ) return NULL;
  if( __atomic_load_n( &( (pool_shmem_t *)shpool )->magic, __ATOMIC_ACQUIRE )!=POOL_MAGIC ) return NULL;
  if( !volume0 || !fd_shmem_private_is_aligned( volume0, FD_GROOVE_VOLUME_ALIGN ) ) return NULL;
  if( !volume_max || volume_max>=IDX_NULL ) return NULL;
  if( (uintptr_t)volume0 + ( volume_max<<LG_FOOTPRINT ) - 1UL < (uintptr_t)volume0 ) return NULL; /* wraps */
  fd_groove_volume_pool_t * join = ljoin;
  join->private_shpool     = shpool;
  join->private_volume0    = volume0;
  join->private_volume_max = volume_max;
  return join;
}

FD_SHMEM_EXPORT void *
fd_groove_volume_pool_leave( fd_groove_volume_pool_t * join ) {
  return join;
}

FD_SHMEM_EXPORT void *
fd_groove_volume_pool_delete( void * shpool ) {
  if( !shpool || !fd_shmem_private_is_aligned( shpool, POOL_ALIGN ) ) return NULL;
  pool_shmem_t * pool = shpool;
  if( __atomic_load_n( &pool->magic, __ATOMIC_ACQUIRE )!=POOL_MAGIC ) return NULL;
  __atomic_store_n( &pool->magic, 0UL, __ATOMIC_RELEASE );
  return shpool;
}

FD_SHMEM_EXPORT void *
fd_groove_volume_pool_volume0( fd_groove_volume_pool_t * join ) {
  return join ? join->private_volume0 : NULL;
}

FD_SHMEM_EXPORT size_t
fd_groove_volume_pool_volume_max( fd_groove_volume_pool_t const * join ) {
  return join ? join->private_volume_max : 0UL;
}

/* The header's info[] is written in 32-byte chunks: it sits 32 bytes
   into a 4096-aligned volume, so every chunk is aligned. */
#define INFO_CHUNK_CNT ( FD_GROOVE_VOLUME_INFO_MAX/32UL )
typedef uint64_t __attribute__(( vector_size( 32 ), may_alias )) info_chunk_t;
_Static_assert( FD_GROOVE_VOLUME_INFO_MAX%32UL==0UL && offsetof(fd_groove_volume_t, info)%32UL==0UL, "info chunks" );

/* Zeroes all of info[] with a fixed, fully unrolled run of aligned
   stores.  A memset there, of a variable or of the full length alike,
   is what -O2 for generic x86-64 expands to `rep stosq`, whose start-up
   cost was most of an add; unrolled, the loop is also not turned back
   into that memset.  Baseline x86-64 makes each chunk two 16-byte
   stores; info_zero_avx2 below, one 32-byte store. */
static inline __attribute__(( always_inline )) void
info_zero_chunks( fd_groove_volume_t * v ) {
  info_chunk_t * chunk = (info_chunk_t *)v->info;
#pragma GCC unroll 16
  for( size_t i=0UL; i<INFO_CHUNK_CNT; i++ ) chunk[i] = (info_chunk_t){ 0UL, 0UL, 0UL, 0UL };
}

/* The AVX2 variant is picked at run time from what glibc's dynamic
   loader found at start-up (<sys/platform/x86.h>): no CPUID here, and
   no ifunc resolver, which would run libgcc's CPUID probing at every
   program start (tens of microseconds in a VM) and crashes sanitizer
   builds, whose runtime is not up yet when it runs.  Sanitizer builds
   and other platforms keep the baseline. */
#if defined( __SANITIZE_ADDRESS__ ) || defined( __SANITIZE_THREAD__ )
#define INFO_ZERO_BASELINE_ONLY 1
#elif defined( __has_feature )
#if __has_feature( address_sanitizer ) || __has_feature( thread_sanitizer ) || __has_feature( memory_sanitizer )
#define INFO_ZERO_BASELINE_ONLY 1
#endif
#endif
#if !defined( __x86_64__ ) || !defined( __has_include )
#define INFO_ZERO_BASELINE_ONLY 1
#elif !__has_include( <sys/platform/x86.h> )
#define INFO_ZERO_BASELINE_ONLY 1
#endif

#ifdef INFO_ZERO_BASELINE_ONLY

static void info_zero( fd_groove_volume_t * v ) { info_zero_chunks( v ); }

#else

#include <sys/platform/x86.h>

__attribute__(( target( "avx2" ) )) static void info_zero_avx2( fd_groove_volume_t * v ) { info_zero_chunks( v ); }
static void info_zero_sse2( fd_groove_volume_t * v ) { info_zero_chunks( v ); }

static int avx2_state = -1;  /* not asked yet; then 0 or 1 */

static void
info_zero( fd_groove_volume_t * v ) {
  int avx2 = __atomic_load_n( &avx2_state, __ATOMIC_RELAXED );
  if( avx2<0 ) {
    avx2 = !!CPU_FEATURE_ACTIVE( AVX2 );  /* the CPU has it and the kernel saves its registers */
    __atomic_store_n( &avx2_state, avx2, __ATOMIC_RELAXED );
  }
  if( avx2 ) info_zero_avx2( v );
  else       info_zero_sse2( v );
}

#endif

/* Copies the caller's info, 1..INFO_MAX bytes, over the zeroed info[].
   GCC knows that bound and would expand the copy inline as `rep movsq`
   too; hiding it from the optimizer leaves a call to the C library's
   memcpy, which picks its code for the CPU at run time. */
static void
info_copy( fd_groove_volume_t * v, uint8_t const * info, size_t info_sz ) {
  __asm__( "" : "+r"( info_sz ) );
  memcpy( v->info, info, info_sz );
}

/* Writes the header of a volume entering the pool; the empty magic goes
   last, with release order, so a reader that sees it sees the rest. */
static void
volume_init( fd_groove_volume_t * v, uint64_t idx, uint8_t const * info, size_t info_sz ) {
  v->idx     = idx;
  v->info_sz = info_sz;
  info_zero( v );
  if( info_sz ) info_copy( v, info, info_sz );
  __atomic_store_n( &v->magic, ~FD_GROOVE_VOLUME_MAGIC, __ATOMIC_RELEASE );
}

FD_SHMEM_EXPORT int
fd_groove_volume_pool_add( fd_groove_volume_pool_t * join, void * mem, size_t footprint,
                           void const * info, size_t info_sz ) {
  if( !footprint ) return FD_GROOVE_SUCCESS;
  if( !join || !mem ) return FD_GROOVE_ERR_INVAL;
  uintptr_t off = (uintptr_t)mem - (uintptr_t)join->private_volume0;
  size_t    cnt = footprint>>LG_FOOTPRINT;
  if( (uintptr_t)mem<(uintptr_t)join->private_volume0 || ( off | footprint ) & ( FD_GROOVE_VOLUME_FOOTPRINT-1UL ) )
    return FD_GROOVE_ERR_INVAL;
  uint64_t i0 = off>>LG_FOOTPRINT;
  if( i0>=join->private_volume_max || cnt>join->private_volume_max-i0 ) return FD_GROOVE_ERR_INVAL;

  if( !info ) info_sz = 0UL;
  if( info_sz>FD_GROOVE_VOLUME_INFO_MAX ) info_sz = FD_GROOVE_VOLUME_INFO_MAX;
  for( uint64_t i=0UL; i<cnt; i++ ) {
    fd_groove_volume_t * v = volume_at( join, i0+i );
    volume_init( v, i0+i, info, info_sz );
    if( i+1UL<cnt ) __atomic_store_n( &v->next, i0+i+1UL, __ATOMIC_RELAXED );
  }

  /* Splice the chain i0 -> ... -> i0+cnt-1 on top, in one CAS. */
  pool_shmem_t *       pool = join->private_shpool;
  fd_groove_volume_t * last = volume_at( join, i0+cnt-1UL );
  uint64_t old = __atomic_load_n( &pool->top, __ATOMIC_RELAXED );
  do {
    __atomic_store_n( &last->next, top_idx( old ), __ATOMIC_RELAXED );
  } while( !__atomic_compare_exchange_n( &pool->top, &old, top_new( old, i0 ), 1,
                                         __ATOMIC_RELEASE, __ATOMIC_RELAXED ) );
  return FD_GROOVE_SUCCESS;
}

static int
volume_header_ok( fd_groove_volume_t const * v, uint64_t idx ) {
  return __atomic_load_n( &v->magic, __ATOMIC_ACQUIRE )==~FD_GROOVE_VOLUME_MAGIC &&
         v->idx==idx && v->info_sz<=FD_GROOVE_VOLUME_INFO_MAX;
}

/* Both exported removes share this (a call from one to the other would
   go through the PLT). */
static void *
pool_remove( fd_groove_volume_pool_t * join, int * err ) {
  if( !join ) { *err = FD_GROOVE_ERR_INVAL; return NULL; }
  pool_shmem_t * pool = join->private_shpool;
  uint64_t old = __atomic_load_n( &pool->top, __ATOMIC_ACQUIRE );
  for(;;) {
    uint64_t idx = top_idx( old );
    if( idx==IDX_NULL ) { *err = FD_GROOVE_ERR_EMPTY; return NULL; }
    if( idx>=join->private_volume_max ) { *err = FD_GROOVE_ERR_CORRUPT; return NULL; }
    fd_groove_volume_t * v = volume_at( join, idx );
    uint64_t next = __atomic_load_n( &v->next, __ATOMIC_RELAXED );
    if( next!=IDX_NULL && next>=join->private_volume_max ) {
      /* a bad link, unless the top moved meanwhile and the read was stale */
      uint64_t now = __atomic_load_n( &pool->top, __ATOMIC_ACQUIRE );
      if( now==old ) { *err = FD_GROOVE_ERR_CORRUPT; return NULL; }
      old = now;
      continue;
    }
    if( !__atomic_compare_exchange_n( &pool->top, &old, top_new( old, next ), 1,
                                      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE ) ) continue;
    /* v is ours now */
    if( !volume_header_ok( v, idx ) ) { *err = FD_GROOVE_ERR_CORRUPT; return NULL; }
    __atomic_store_n( &v->magic, 0UL, __ATOMIC_RELAXED );
    *err = FD_GROOVE_SUCCESS;
    return v;
  }
}

FD_SHMEM_EXPORT void *
fd_groove_volume_pool_remove_err( fd_groove_volume_pool_t * join, int * opt_err ) {
  int err_local;
  return pool_remove( join, opt_err ? opt_err : &err_local );
}

FD_SHMEM_EXPORT void *
fd_groove_volume_pool_remove( fd_groove_volume_pool_t * join ) {
  int err;
  void * v = pool_remove( join, &err );
  if( err==FD_GROOVE_ERR_CORRUPT )
    FD_SHMEM_PRIVATE_WARN( "groove volume pool: corrupt volume at the top; not handed out" );
  return v;
}

FD_SHMEM_EXPORT char const *
fd_groove_strerror( int err ) {
  switch( err ) {
  case FD_GROOVE_SUCCESS:     return "success";
  case FD_GROOVE_ERR_INVAL:   return "bad input arguments";
  case FD_GROOVE_ERR_AGAIN:   return "try again later";
  case FD_GROOVE_ERR_CORRUPT: return "corruption detected";
  case FD_GROOVE_ERR_EMPTY:   return "pool empty";
  case FD_GROOVE_ERR_FULL:    return "pool full";
  case FD_GROOVE_ERR_KEY:     return "key not found";
  default:                    return "unknown";
  }
}
