#ifndef FDSHMEM_TESTS_ORIGINAL_FD_UTIL_H
#define FDSHMEM_TESTS_ORIGINAL_FD_UTIL_H

/* A stand-in for the part of Firedancer's fd_util that its own shmem and
   groove volume tests use beyond the fd_shmem / groove volume API, so
   those tests build unchanged against libfdshmem (tests/original/run.sh).
   Written for this project; only the names and the behaviour the tests
   rely on follow the original.  x86_64 Linux only: ulong is size_t. */

#include <limits.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <fdshmem/fd_shmem.h>

#define FD_HAS_HOSTED 1

typedef unsigned char  uchar;
typedef unsigned int   uint;
typedef unsigned long  ulong;

#define FD_STATIC_ASSERT( c, tag ) _Static_assert( c, #tag )
#define FD_LIKELY( c )             __builtin_expect( !!(c), 1 )
#define FD_UNLIKELY( c )           __builtin_expect( !!(c), 0 )
#define FD_TL                      __thread

/* The original's log names are as long as region names. */
#define FD_LOG_NAME_MAX (40UL)

/* ---- boot, logging, checks (fd_util.c) -------------------------------- */

void fd_boot( int * pargc, char *** pargv );
/* Ends the program's checks: with FD_TEST_KEEP_GOING=1 set, exits 1 if
   any FD_TEST failed (after listing the failing lines). */
void fd_halt( void );

#define FD_LOG_LEVEL_NOTICE  (0)
#define FD_LOG_LEVEL_WARNING (1)
#define FD_LOG_LEVEL_ERR     (2)

/* The message is built by fd_log_private_fmt (a per-thread buffer) and
   written with its level and place; ERR then exits 1, as the original. */
char const * fd_log_private_fmt( char const * fmt, ... ) __attribute__(( format( printf, 1, 2 ) ));
void         fd_log_private_emit( int level, char const * file, int line, char const * msg );

/* Usage as in the original: FD_LOG_NOTICE(( "fmt", args )). */
#define FD_LOG_NOTICE( a )  fd_log_private_emit( FD_LOG_LEVEL_NOTICE,  __FILE__, __LINE__, fd_log_private_fmt a )
#define FD_LOG_WARNING( a ) fd_log_private_emit( FD_LOG_LEVEL_WARNING, __FILE__, __LINE__, fd_log_private_fmt a )
#define FD_LOG_ERR( a )     fd_log_private_emit( FD_LOG_LEVEL_ERR,     __FILE__, __LINE__, fd_log_private_fmt a )

/* A failed check ends the program like FD_LOG_ERR, unless the
   environment has FD_TEST_KEEP_GOING=1: then each failing line is
   reported once, counted, and the program goes on (fd_halt exits 1). */
void fd_test_private_fail( char const * file, int line, char const * cond );
#define FD_TEST( c ) do { if( FD_UNLIKELY( !(c) ) ) fd_test_private_fail( __FILE__, __LINE__, #c ); } while(0)

/* The logical cpu the program was started on. */
ulong fd_log_cpu_id( void );

/* ---- command line (fd_util.c) ------------------------------------------- */

/* Value of the last "KEY VAL" pair of the command line (all such pairs
   are removed from it), else of environment variable env_key (if not
   NULL), else def.  A value that is not a number (ulong) gives def. */
char const * fd_env_strip_cmdline_cstr ( int * pargc, char *** pargv, char const * key,
                                         char const * env_key, char const * def );
ulong        fd_env_strip_cmdline_ulong( int * pargc, char *** pargv, char const * key,
                                         char const * env_key, ulong def );

/* ---- hashing (fd_hash.c) ------------------------------------------------ */

/* XXH64 of buf[0..sz) with seed, as the original's fd_hash. */
ulong fd_hash( ulong seed, void const * buf, ulong sz );

/* ---- bits, characters, memory ------------------------------------------- */

static inline ulong fd_ulong_min( ulong a, ulong b ) { return a<b ? a : b; }
static inline int   fd_ulong_is_aligned( ulong x, ulong a ) { return !(x & (a-1UL)); }
static inline ulong fd_ulong_align_up( ulong x, ulong a ) { return (x + a-1UL) & ~(a-1UL); }

#define fd_swap_if( c, a, b ) do {                                   \
    __typeof__(a) fd_swap_if_tmp_ = (a); int fd_swap_if_c_ = !!(c);  \
    if( fd_swap_if_c_ ) { (a) = (b); (b) = fd_swap_if_tmp_; }        \
  } while(0)

static inline int
fd_isalnum( int c ) {
  return ( c>='0' && c<='9' ) || ( c>='A' && c<='Z' ) || ( c>='a' && c<='z' );
}

static inline void * fd_memset( void * d, int c, ulong sz ) { return memset( d, c, sz ); }

/* ---- random numbers ------------------------------------------------------- */

/* A counter-based generator: the n-th draw of sequence seq is a mix of
   (seq, n).  Only its interface follows the original; the streams
   differ. */
typedef struct { ulong seq; ulong idx; } fd_rng_t;

static inline void *
fd_rng_new( void * mem, uint seq, ulong idx ) {
  fd_rng_t * rng = (fd_rng_t *)mem;
  rng->seq = (ulong)seq;
  rng->idx = idx;
  return mem;
}
static inline fd_rng_t * fd_rng_join  ( void * mem )     { return (fd_rng_t *)mem; }
static inline void *     fd_rng_leave ( fd_rng_t * rng ) { return (void *)rng; }
static inline void *     fd_rng_delete( void * mem )     { return mem; }

static inline ulong
fd_rng_ulong( fd_rng_t * rng ) {
  /* splitmix64's finalizer over a per-sequence offset counter */
  ulong x = ( rng->seq * 0xd1b54a32d192ed03UL ) + ( ++rng->idx * 0x9e3779b97f4a7c15UL );
  x = ( x ^ (x>>30) ) * 0xbf58476d1ce4e5b9UL;
  x = ( x ^ (x>>27) ) * 0x94d049bb133111ebUL;
  return x ^ (x>>31);
}
static inline uint  fd_rng_uint ( fd_rng_t * rng ) { return (uint)( fd_rng_ulong( rng )>>32 ); }
static inline uchar fd_rng_uchar( fd_rng_t * rng ) { return (uchar)( fd_rng_ulong( rng )>>56 ); }
/* Non-negative, as the original's. */
static inline int   fd_rng_int  ( fd_rng_t * rng ) { return (int)( fd_rng_ulong( rng )>>33 ); }

/* Uniform in [0,n) (0 when n is 0). */
static inline ulong
fd_rng_ulong_roll( fd_rng_t * rng, ulong n ) {
  return (ulong)( ( (unsigned __int128)fd_rng_ulong( rng ) * n ) >> 64 );
}
static inline uint fd_rng_uint_roll( fd_rng_t * rng, uint n ) { return (uint)fd_rng_ulong_roll( rng, (ulong)n ); }

#endif /* FDSHMEM_TESTS_ORIGINAL_FD_UTIL_H */
