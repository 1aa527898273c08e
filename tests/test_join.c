/* Joins in an unprivileged temporary domain: reference counts,
   callbacks and cycles, queries, anonymous joins, the join limit,
   sharing with another process, read-only faults, threads, walks during
   joins and leaves, the published hash, read-only joins upgraded to
   read-write, the domain path read while it is set; mmap made to fail
   inside a join (fault_wrap.h); and every code of the error sets of the
   join queries and anonymous joins. */

#include "fdt.h"
#include "fault_check.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#define NORMAL FD_SHMEM_NORMAL_PAGE_SZ
#define RW     FD_SHMEM_JOIN_MODE_READ_WRITE
#define RO     FD_SHMEM_JOIN_MODE_READ_ONLY

static fdt_domain_t domain;

static void
make_region( char const * name, size_t page_cnt ) {
  ck_assert_int_eq( fd_shmem_create( name, NORMAL, page_cnt, 0, 0600 ), 0 );
}

START_TEST( join_refcount ) {
  make_region( "rc", 4 );
  fd_shmem_join_info_t info;
  char * a = fd_shmem_join( "rc", RW, 0, NULL, NULL, &info );
  ck_assert_ptr_nonnull( a );
  ck_assert_ptr_eq( info.join, a );
  ck_assert_ptr_eq( info.shmem, a );  /* without a callback the handle is the mapping */
  ck_assert_int_eq( info.ref_cnt, 1 );
  ck_assert_uint_eq( info.page_sz, NORMAL );
  ck_assert_uint_eq( info.page_cnt, 4 );
  ck_assert_int_eq( info.mode, RW );
  ck_assert_str_eq( info.name, "rc" );
  ck_assert( !( (uintptr_t)a % NORMAL ) );
  a[0] = 'x'; a[4*4096-1] = 'y';

  char * b = fd_shmem_join( "rc", RO, 1, NULL, NULL, &info );  /* read-only into a read-write join: fine */
  ck_assert_ptr_eq( a, b );
  ck_assert_int_eq( info.ref_cnt, 2 );
  ck_assert_int_eq( fd_shmem_leave( b, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "rc", &info ), 0 );
  ck_assert_int_eq( info.ref_cnt, 1 );
  ck_assert_int_eq( fd_shmem_leave( a, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "rc", &info ), ENOENT );
  ck_assert_int_eq( fd_shmem_leave( a, NULL, NULL ), 1 );  /* no longer joined */

  /* the bytes live in the region, not the mapping */
  a = fd_shmem_join( "rc", RO, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( a );
  ck_assert_int_eq( a[0], 'x' );
  ck_assert_int_eq( a[4*4096-1], 'y' );
  ck_assert_int_eq( fd_shmem_leave( a, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "rc", 0 ), 0 );
}
END_TEST

START_TEST( join_invalid ) {
  make_region( "inv", 1 );
  ck_assert_ptr_null( fd_shmem_join( NULL,   RW, 0, NULL, NULL, NULL ) );
  ck_assert_ptr_null( fd_shmem_join( "",     RW, 0, NULL, NULL, NULL ) );
  ck_assert_ptr_null( fd_shmem_join( "../x", RW, 0, NULL, NULL, NULL ) );
  ck_assert_ptr_null( fd_shmem_join( "a/b",  RW, 0, NULL, NULL, NULL ) );
  ck_assert_ptr_null( fd_shmem_join( "inv",  2,  0, NULL, NULL, NULL ) );
  ck_assert_ptr_null( fd_shmem_join( "inv",  -1, 0, NULL, NULL, NULL ) );
  ck_assert_ptr_null( fd_shmem_join( "missing", RW, 0, NULL, NULL, NULL ) );
  ck_assert_int_eq( fd_shmem_leave( NULL, NULL, NULL ), 1 );
  int x;
  ck_assert_int_eq( fd_shmem_leave( &x, NULL, NULL ), 1 );
  ck_assert_int_eq( fd_shmem_join_query_by_name( NULL, NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "a b", NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_query_by_join( NULL, NULL ), EINVAL );
  ck_assert( fd_shmem_iter_done( fd_shmem_iter_begin() ) );  /* failures left nothing joined */

  /* with a region joined, names near its own are still checked: a hit
     is the only lookup that skips the check */
  char * j = fd_shmem_join( "inv", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( j );
  char too_long[ 41 ];
  memset( too_long, 'a', 40 ); too_long[ 40 ] = '\0';
  char const * bad[] = { "inv/", "-inv", ".inv", "in v", "inv\n", too_long };
  for( size_t i=0; i<sizeof(bad)/sizeof(bad[0]); i++ ) {
    ck_assert_int_eq( fd_shmem_join_query_by_name( bad[i], NULL ), EINVAL );
    ck_assert_ptr_null( fd_shmem_join( bad[i], RW, 0, NULL, NULL, NULL ) );
    ck_assert_ptr_null( fd_shmem_join( bad[i], 7, 0, NULL, NULL, NULL ) );
  }
  ck_assert_int_eq( fd_shmem_join_query_by_name( too_long+1, NULL ), ENOENT );  /* 39 bytes: valid, not joined */
  ck_assert_int_eq( fd_shmem_join_query_by_name( "inv", NULL ), 0 );
  ck_assert_int_eq( fd_shmem_leave( j, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "inv", 0 ), 0 );
}
END_TEST

START_TEST( query_edges ) {
  make_region( "q", 2 );
  char * m = fd_shmem_join( "q", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( m );
  size_t sz = 2*4096;
  fd_shmem_join_info_t info;
  ck_assert_int_eq( fd_shmem_join_query_by_addr( m, 1, &info ), 0 );
  ck_assert_ptr_eq( info.shmem, m );
  ck_assert_int_eq( fd_shmem_join_query_by_addr( m+sz-1, 1, NULL ), 0 );    /* last byte */
  ck_assert_int_eq( fd_shmem_join_query_by_addr( m+sz, 1, NULL ), ENOENT ); /* one past */
  ck_assert_int_eq( fd_shmem_join_query_by_addr( m-1, 1, NULL ), ENOENT );  /* one before */
  ck_assert_int_eq( fd_shmem_join_query_by_addr( m-1, 2, NULL ), 0 );       /* straddles the start */
  ck_assert_int_eq( fd_shmem_join_query_by_addr( m-4096, 3*4096+sz, NULL ), 0 ); /* covers it */
  ck_assert_int_eq( fd_shmem_join_query_by_addr( m, 0, NULL ), ENOENT );    /* empty range */
  ck_assert_int_eq( fd_shmem_join_query_by_addr( (void *)(UINTPTR_MAX-10), 12, NULL ), EINVAL ); /* wraps */
  ck_assert_int_eq( fd_shmem_join_query_by_addr( (void *)(UINTPTR_MAX-10), 11, NULL ), ENOENT ); /* ends at the top */
  ck_assert_int_eq( fd_shmem_join_query_by_addr( NULL, 1, NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_join_query_by_join( m, &info ), 0 );
  ck_assert_str_eq( info.name, "q" );
  ck_assert_int_eq( fd_shmem_join_query_by_join( m+1, NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "q", NULL ), 0 );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "Q", NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_leave( m, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_join_query_by_addr( m, 1, NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_unlink( "q", 0 ), 0 );
}
END_TEST

/* Names are read a word at a time where that stays inside the pages
   they touch: a name ending right before an unreadable page, at every
   length and alignment, is still joined and found, and a longer name
   or one without a terminator there is still refused. */
START_TEST( names_before_a_hole ) {
  size_t page = (size_t)sysconf( _SC_PAGESIZE );
  char * buf  = mmap( NULL, 2*page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 );
  ck_assert_ptr_ne( buf, MAP_FAILED );
  ck_assert_int_eq( mprotect( buf+page, page, PROT_NONE ), 0 );
  char * end = buf+page;
  for( size_t len=1; len<FD_SHMEM_NAME_MAX; len++ ) {
    char name[ FD_SHMEM_NAME_MAX ];
    for( size_t i=0; i<len; i++ ) name[i] = (char)( 'a' + ( len+i )%26 );
    name[ len ] = '\0';
    make_region( name, 1 );
    char * at = memcpy( end-len-1, name, len+1 );  /* its terminator is the page's last byte */
    void * j  = fd_shmem_join( at, RW, 0, NULL, NULL, NULL );
    ck_assert_ptr_nonnull( j );
    for( size_t off=0; off<8; off++ ) {
      char * moved = memcpy( end-len-1-off, name, len+1 );
      ck_assert_int_eq( fd_shmem_join_query_by_name( moved, NULL ), 0 );
    }
    memcpy( at, name, len+1 );
    at[ len-1 ] = ( at[ len-1 ]=='z' ) ? 'y' : 'z';  /* a name not joined, at the page's end */
    ck_assert_int_eq( fd_shmem_join_query_by_name( at, NULL ), ENOENT );
    ck_assert_int_eq( fd_shmem_leave( j, NULL, NULL ), 0 );
    ck_assert_int_eq( fd_shmem_join_query_by_name( name, NULL ), ENOENT );
    ck_assert_int_eq( fd_shmem_unlink( name, 0 ), 0 );
  }
  char * tail = end-FD_SHMEM_NAME_MAX;  /* 40 letters up to the hole, no terminator */
  memset( tail, 'a', FD_SHMEM_NAME_MAX );
  ck_assert_int_eq( fd_shmem_join_query_by_name( tail, NULL ), EINVAL );
  ck_assert_ptr_null( fd_shmem_join( tail, RW, 0, NULL, NULL, NULL ) );
  end[ -1 ] = '\0';  /* 39 letters: valid, not joined */
  ck_assert_int_eq( fd_shmem_join_query_by_name( tail, NULL ), ENOENT );
  ck_assert_int_eq( munmap( buf, 2*page ), 0 );
}
END_TEST

/* Names that share their first words (one the other's prefix, or
   differing only in a later word) each find their own join, and a left
   one is not found through the other. */
START_TEST( names_sharing_words ) {
  static char const * const names[] = {
    "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnoq",
    "abcdefghijklmnopqrstuvwxyz0123456789abc", "abcdefghijklmnopqrstuvwxyz0123456789abd"
  };
  size_t cnt = sizeof(names)/sizeof(names[0]);
  void * join[ 6 ];
  for( size_t i=0; i<cnt; i++ ) {
    make_region( names[i], 1 );
    join[i] = fd_shmem_join( names[i], RW, 0, NULL, NULL, NULL );
    ck_assert_ptr_nonnull( join[i] );
  }
  for( size_t i=0; i<cnt; i++ ) {
    fd_shmem_join_info_t info;
    ck_assert_int_eq( fd_shmem_join_query_by_name( names[i], &info ), 0 );
    ck_assert_ptr_eq( info.join, join[i] );
    ck_assert_str_eq( info.name, names[i] );
  }
  for( size_t i=0; i<cnt; i+=2 ) ck_assert_int_eq( fd_shmem_leave( join[i], NULL, NULL ), 0 );
  for( size_t i=0; i<cnt; i++ ) {
    fd_shmem_join_info_t info;
    int err = fd_shmem_join_query_by_name( names[i], &info );
    ck_assert_int_eq( err, i%2 ? 0 : ENOENT );
    if( i%2 ) ck_assert_ptr_eq( info.join, join[i] );
  }
  for( size_t i=1; i<cnt; i+=2 ) ck_assert_int_eq( fd_shmem_leave( join[i], NULL, NULL ), 0 );
  for( size_t i=0; i<cnt; i++ ) ck_assert_int_eq( fd_shmem_unlink( names[i], 0 ), 0 );
}
END_TEST

/* ---- callbacks ---- */

typedef struct {
  int    join_calls, leave_calls;
  long   ref_seen;
  void * inner;   /* a handle the callback got for another region */
  int    cycle_join_failed, cycle_leave_failed;
} cb_ctx_t;

static void *
cb_join( void * vctx, fd_shmem_join_info_t const * info ) {
  cb_ctx_t * ctx = vctx;
  ctx->join_calls++;
  ctx->ref_seen = info->ref_cnt;
  fd_shmem_join_info_t now;
  ck_assert_int_eq( fd_shmem_join_query_by_name( info->name, &now ), 0 );
  ck_assert_int_eq( now.ref_cnt, -1 );
  /* joining ourselves is a cycle; joining another region is fine */
  ctx->cycle_join_failed = !fd_shmem_join( info->name, RW, 0, NULL, NULL, NULL );
  ctx->inner = fd_shmem_join( "inner", RW, 0, NULL, NULL, NULL );
  return (char *)info->shmem + 64;  /* a handle distinct from the mapping */
}

static void *
cb_leave( void * vctx, fd_shmem_join_info_t const * info ) {
  cb_ctx_t * ctx = vctx;
  ctx->leave_calls++;
  ctx->ref_seen = info->ref_cnt;
  ctx->cycle_leave_failed = fd_shmem_leave( info->join, NULL, NULL )==1;
  ck_assert_int_eq( fd_shmem_leave( ctx->inner, NULL, NULL ), 0 );
  return NULL;
}

START_TEST( callbacks_and_cycles ) {
  make_region( "outer", 1 );
  make_region( "inner", 1 );
  cb_ctx_t ctx = { 0 };
  fd_shmem_join_info_t info;
  char * h = fd_shmem_join( "outer", RW, 0, cb_join, &ctx, &info );
  ck_assert_ptr_nonnull( h );
  ck_assert_int_eq( ctx.join_calls, 1 );
  ck_assert_int_eq( ctx.ref_seen, -1 );
  ck_assert( ctx.cycle_join_failed );
  ck_assert_ptr_nonnull( ctx.inner );
  ck_assert_ptr_eq( h, (char *)info.shmem + 64 );
  ck_assert_int_eq( info.ref_cnt, 1 );

  ck_assert_ptr_eq( fd_shmem_join( "outer", RW, 0, cb_join, &ctx, NULL ), h );
  ck_assert_int_eq( ctx.join_calls, 1 );  /* only the first join calls back */
  ck_assert_int_eq( fd_shmem_leave( h, cb_leave, &ctx ), 0 );
  ck_assert_int_eq( ctx.leave_calls, 0 );  /* only the last leave calls back */
  ck_assert_int_eq( fd_shmem_leave( h, cb_leave, &ctx ), 0 );
  ck_assert_int_eq( ctx.leave_calls, 1 );
  ck_assert_int_eq( ctx.ref_seen, -1 );
  ck_assert( ctx.cycle_leave_failed );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "inner", NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "outer", NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_unlink( "outer", 0 ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "inner", 0 ), 0 );
}
END_TEST

static void * cb_null( void * ctx, fd_shmem_join_info_t const * info ) { *(void const **)ctx = info->shmem; return NULL; }

START_TEST( callback_failure_undoes ) {
  make_region( "nullcb", 1 );
  void * mapped = NULL;
  ck_assert_ptr_null( fd_shmem_join( "nullcb", RW, 0, cb_null, &mapped, NULL ) );
  ck_assert_ptr_nonnull( mapped );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "nullcb", NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_join_query_by_addr( mapped, 1, NULL ), ENOENT );
  /* the mapping is gone: the address range is free again */
  void * p = mmap( mapped, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0 );
  ck_assert_ptr_eq( p, mapped );
  munmap( p, 4096 );
  ck_assert_int_eq( fd_shmem_unlink( "nullcb", 0 ), 0 );
}
END_TEST

/* ---- anonymous joins ---- */

START_TEST( anonymous ) {
  size_t sz = 4*4096;
  char * mem = mmap( NULL, 2*sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 );
  ck_assert_ptr_ne( mem, MAP_FAILED );
  int h1, h2;
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon", RW, &h1, mem, NORMAL, 4 ), 0 );
  fd_shmem_join_info_t info;
  ck_assert_int_eq( fd_shmem_join_query_by_addr( mem+sz-1, 1, &info ), 0 );
  ck_assert_ptr_eq( info.join, &h1 );
  ck_assert_int_eq( info.ref_cnt, 1 );

  /* every rejection */
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon",  RW, &h2, mem+sz, NORMAL, 4 ), EINVAL ); /* name taken */
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h1, mem+sz, NORMAL, 4 ), EINVAL ); /* handle taken */
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h2, mem+4096, NORMAL, 4 ), EINVAL ); /* overlaps */
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h2, mem+sz+1, NORMAL, 1 ), EINVAL ); /* misaligned */
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h2, mem+sz, NORMAL, 0 ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h2, mem+sz, 8192, 1 ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h2, mem+sz, FD_SHMEM_HUGE_PAGE_SZ, 1 ), EINVAL ); /* misaligned for huge */
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", 7,  &h2, mem+sz, NORMAL, 1 ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, NULL, mem+sz, NORMAL, 1 ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h2, NULL, NORMAL, 1 ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( "a/b",   RW, &h2, mem+sz, NORMAL, 1 ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( NULL,    RW, &h2, mem+sz, NORMAL, 1 ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h2, mem+sz, NORMAL, SIZE_MAX ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon2", RW, &h2, (void *)(UINTPTR_MAX & ~4095UL), NORMAL, 2 ), EINVAL ); /* wraps */

  /* a later join by name finds it and counts */
  ck_assert_ptr_eq( fd_shmem_join( "anon", RW, 0, NULL, NULL, NULL ), &h1 );
  ck_assert_int_eq( fd_shmem_leave_anonymous( &h1, NULL ), EINVAL );  /* ref count is 2 */
  ck_assert_int_eq( fd_shmem_leave( &h1, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_leave( &h1, NULL, NULL ), 1 );  /* the last reference is the anonymous one */
  ck_assert_int_eq( fd_shmem_leave_anonymous( NULL, NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_leave_anonymous( &h2, NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_leave_anonymous( &h1, &info ), 0 );
  ck_assert_int_eq( info.ref_cnt, 0 );
  ck_assert_ptr_eq( info.shmem, mem );
  ck_assert_int_eq( fd_shmem_leave_anonymous( &h1, NULL ), EINVAL );
  mem[0] = 1;  /* still mapped: leave_anonymous never unmaps */

  /* a read-write join of a read-only anonymous join is not remapped: it
     counts a reference, and the mode stays (as in the original) */
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon_ro", RO, &h1, mem, NORMAL, 1 ), 0 );
  ck_assert_ptr_eq( fd_shmem_join( "anon_ro", RW, 0, NULL, NULL, &info ), &h1 );
  ck_assert_int_eq( info.ref_cnt, 2 );
  ck_assert_int_eq( info.mode, RO );
  ck_assert_ptr_eq( info.shmem, mem );
  ck_assert_int_eq( fd_shmem_leave( &h1, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_leave_anonymous( &h1, NULL ), 0 );

  /* a real join cannot be ended as anonymous */
  make_region( "real", 1 );
  void * r = fd_shmem_join( "real", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( r );
  ck_assert_int_eq( fd_shmem_leave_anonymous( r, NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_join_anonymous( "anon3", RW, &h2, r, NORMAL, 1 ), EINVAL ); /* overlaps a join */
  ck_assert_int_eq( fd_shmem_leave( r, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "real", 0 ), 0 );
  munmap( mem, 2*sz );
}
END_TEST

/* ---- limits and iteration ---- */

START_TEST( join_limit_and_iter ) {
  /* anonymous joins fill the table cheaply; one slot stays for a real join */
  size_t n = FD_SHMEM_JOIN_MAX;
  char * mem = mmap( NULL, (n+1)*4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 );
  ck_assert_ptr_ne( mem, MAP_FAILED );
  char name[ 24 ];
  for( size_t i=0; i<n-1; i++ ) {
    snprintf( name, sizeof(name), "a%zu", i );
    ck_assert_int_eq( fd_shmem_join_anonymous( name, RW, mem+i*4096, mem+i*4096, NORMAL, 1 ), 0 );
  }
  make_region( "last", 1 );
  void * last = fd_shmem_join( "last", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( last );
  ck_assert_int_eq( fd_shmem_join_anonymous( "over", RW, mem+n*4096, mem+n*4096, NORMAL, 1 ), EINVAL );
  make_region( "over", 1 );
  ck_assert_ptr_null( fd_shmem_join( "over", RW, 0, NULL, NULL, NULL ) );

  size_t cnt = 0, found_last = 0;
  for( fd_shmem_join_info_t const * it = fd_shmem_iter_begin(); !fd_shmem_iter_done( it ); it = fd_shmem_iter_next( it ) ) {
    cnt++;
    found_last += !strcmp( it->name, "last" );
  }
  ck_assert_uint_eq( cnt, n );
  ck_assert_uint_eq( found_last, 1 );

  /* every entry is still found by name, handle and address */
  for( size_t i=0; i<n-1; i+=17 ) {
    snprintf( name, sizeof(name), "a%zu", i );
    fd_shmem_join_info_t info;
    ck_assert_int_eq( fd_shmem_join_query_by_name( name, &info ), 0 );
    ck_assert_ptr_eq( info.join, mem+i*4096 );
    ck_assert_int_eq( fd_shmem_join_query_by_addr( mem+i*4096+100, 1, &info ), 0 );
    ck_assert_str_eq( info.name, name );
  }
  ck_assert_int_eq( fd_shmem_leave( last, NULL, NULL ), 0 );
  for( size_t i=0; i<n-1; i++ ) ck_assert_int_eq( fd_shmem_leave_anonymous( mem+i*4096, NULL ), 0 );
  ck_assert( fd_shmem_iter_done( fd_shmem_iter_begin() ) );
  ck_assert_int_eq( fd_shmem_unlink( "last", 0 ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "over", 0 ), 0 );
  munmap( mem, (n+1)*4096 );
}
END_TEST

/* ---- other processes ---- */

START_TEST( fork_shares_bytes ) {
  make_region( "shared", 1 );
  char * m = fd_shmem_join( "shared", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( m );
  strcpy( m, "from parent" );
  pid_t pid = fdt_fork();
  if( !pid ) {
    /* a fresh join in the child, as a separate program would do: the
       inherited one is left first so the child maps its own */
    fd_shmem_leave( m, NULL, NULL );
    char * c = fd_shmem_join( "shared", RW, 0, NULL, NULL, NULL );
    if( !c || strcmp( c, "from parent" ) ) _exit( 1 );
    strcpy( c+100, "from child" );
    _exit( fd_shmem_leave( c, NULL, NULL ) );
  }
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert( WIFEXITED( status ) && !WEXITSTATUS( status ) );
  ck_assert_str_eq( m+100, "from child" );
  ck_assert_int_eq( fd_shmem_leave( m, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "shared", 0 ), 0 );
}
END_TEST

#define SEGV_EXIT (42)
static void on_segv( int sig ) { (void)sig; _exit( SEGV_EXIT ); }

START_TEST( read_only_faults ) {
  make_region( "ro", 1 );
  pid_t pid = fdt_fork();
  if( !pid ) {
    /* our own handler, so a sanitizer's cannot turn the fault into a report */
    struct sigaction sa = { .sa_handler = on_segv };
    sigaction( SIGSEGV, &sa, NULL );
    volatile char * r = fd_shmem_join( "ro", RO, 0, NULL, NULL, NULL );
    if( !r ) _exit( 1 );
    (void)r[0];  /* reading is fine */
    r[0] = 1;    /* writing must fault */
    _exit( 2 );
  }
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert_msg( WIFEXITED( status ) && WEXITSTATUS( status )==SEGV_EXIT, "a write to a read-only join did not fault" );
  ck_assert_int_eq( fd_shmem_unlink( "ro", 0 ), 0 );
}
END_TEST

/* ---- threads ---- */

#define THREAD_CNT   (4)
#define THREAD_ITERS (2000)

static void *
thread_main( void * arg ) {
  long id = (long)arg;
  char own[ 24 ];
  snprintf( own, sizeof(own), "t%ld", id );
  for( int i=0; i<THREAD_ITERS; i++ ) {
    char const * name = ( i & 1 ) ? "common" : own;
    char * h = fd_shmem_join( name, RW, 0, NULL, NULL, NULL );
    if( !h ) return (void *)1;
    __atomic_fetch_add( (long *)h, 1L, __ATOMIC_RELAXED );
    if( fd_shmem_join_query_by_addr( h, 1, NULL ) ) return (void *)2;
    if( fd_shmem_leave( h, NULL, NULL ) ) return (void *)3;
  }
  return NULL;
}

START_TEST( threads_join_leave ) {
  make_region( "common", 1 );
  char own[ 24 ];
  for( long t=0; t<THREAD_CNT; t++ ) { snprintf( own, sizeof(own), "t%ld", t ); make_region( own, 1 ); }
  pthread_t tid[ THREAD_CNT ];
  for( long t=0; t<THREAD_CNT; t++ ) ck_assert_int_eq( pthread_create( &tid[t], NULL, thread_main, (void *)t ), 0 );
  for( long t=0; t<THREAD_CNT; t++ ) {
    void * ret;
    ck_assert_int_eq( pthread_join( tid[t], &ret ), 0 );
    ck_assert_ptr_null( ret );
  }
  ck_assert( fd_shmem_iter_done( fd_shmem_iter_begin() ) );  /* every reference went */
  long * c = fd_shmem_join( "common", RO, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( c );
  ck_assert_int_eq( *c, THREAD_CNT*THREAD_ITERS/2 );  /* no increment was lost to a remap */
  ck_assert_int_eq( fd_shmem_leave( c, NULL, NULL ), 0 );
  for( long t=0; t<THREAD_CNT; t++ ) { snprintf( own, sizeof(own), "t%ld", t ); ck_assert_int_eq( fd_shmem_unlink( own, 0 ), 0 ); }
  ck_assert_int_eq( fd_shmem_unlink( "common", 0 ), 0 );
}
END_TEST

/* Reference counts kept while the process had one thread (plain
   stores, later joins without the lock) stay right once threads start
   counting atomically, and an entry left meanwhile is not found under
   its old name, handle or address. */
#define HANDOFF_THREADS (3)
#define HANDOFF_ITERS   (20000L)

static void *
handoff_main( void * name ) {
  for( long i=0; i<HANDOFF_ITERS; i++ ) {
    void * j = fd_shmem_join( name, RW, 0, NULL, NULL, NULL );
    if( !j || fd_shmem_leave( j, NULL, NULL ) ) return (void *)1;
  }
  return NULL;
}

START_TEST( refs_one_thread_then_many ) {
  make_region( "ho", 1 );
  make_region( "gone", 1 );
  fd_shmem_join_info_t info;
  char * a = fd_shmem_join( "ho", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( a );
  ck_assert_ptr_eq( fd_shmem_join( "ho", RW, 0, NULL, NULL, &info ), a );
  ck_assert_int_eq( info.ref_cnt, 2 );
  char * g = fd_shmem_join( "gone", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( g );
  ck_assert_int_eq( fd_shmem_leave( g, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "gone", NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_join_query_by_join( g, NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_join_query_by_addr( g, 1, NULL ), ENOENT );

  pthread_t tid[ HANDOFF_THREADS ];
  for( long t=0; t<HANDOFF_THREADS; t++ ) ck_assert_int_eq( pthread_create( &tid[t], NULL, handoff_main, "ho" ), 0 );
  ck_assert_ptr_null( handoff_main( "ho" ) );
  for( long t=0; t<HANDOFF_THREADS; t++ ) {
    void * ret;
    ck_assert_int_eq( pthread_join( tid[t], &ret ), 0 );
    ck_assert_ptr_null( ret );
  }
  ck_assert_int_eq( fd_shmem_join_query_by_name( "ho", &info ), 0 );
  ck_assert_int_eq( info.ref_cnt, 2 );
  ck_assert_int_eq( fd_shmem_leave( a, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_leave( a, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "ho", NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_unlink( "ho", 0 ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "gone", 0 ), 0 );
}
END_TEST

/* Queries and walks take no lock: while some threads join and leave (so
   entries are reused for other names and addresses), others query by
   name, by handle and by address, or walk the joins, and every answer
   must describe one real join.  Region qK has K+1 pages, so a snapshot
   mixing two joins shows. */
#define CHURN_REGIONS (6)
#define CHURN_NS      (1e9)

typedef struct { double stop_ns; long answers, bad; } churn_t;

static void
churn_name( char * buf, size_t sz, long k ) { snprintf( buf, sz, "q%ld", k ); }

/* 1 when info is a mapped join of a churn region, consistent in itself:
   settled, or busy in its first join (no handle yet) or last leave. */
static int
churn_info_ok( fd_shmem_join_info_t const * info ) {
  char want[ 24 ];
  long k = (long)info->page_cnt - 1L;
  if( k<0L || k>=CHURN_REGIONS ) return 0;
  churn_name( want, sizeof(want), k );
  int handle_ok = info->ref_cnt>=1L  ? info->join==info->shmem :
                  info->ref_cnt==-1L ? !info->join || info->join==info->shmem : 0;
  return handle_ok && info->shmem && !strcmp( info->name, want ) && info->page_sz==NORMAL && info->mode==RW;
}

static void *
churn_joiner( void * arg ) {
  churn_t * c = arg;
  unsigned seed = (unsigned)(uintptr_t)arg;
  char name[ 24 ];
  while( fdt_now_ns()<c->stop_ns ) {
    churn_name( name, sizeof(name), (long)( rand_r( &seed ) % CHURN_REGIONS ) );
    void * h = fd_shmem_join( name, RW, 0, NULL, NULL, NULL );
    if( !h || fd_shmem_leave( h, NULL, NULL ) ) c->bad++;
  }
  return NULL;
}

static void *
churn_reader( void * arg ) {
  churn_t * c = arg;
  unsigned seed = (unsigned)(uintptr_t)arg;
  char name[ 24 ];
  while( fdt_now_ns()<c->stop_ns ) {
    long k = (long)( rand_r( &seed ) % CHURN_REGIONS );
    churn_name( name, sizeof(name), k );
    fd_shmem_join_info_t by_name, by_join, by_addr;
    int err = fd_shmem_join_query_by_name( name, &by_name );
    if( err==ENOENT || ( !err && !by_name.shmem ) ) continue;  /* not joined, or not mapped yet */
    if( err || !churn_info_ok( &by_name ) || (long)by_name.page_cnt!=k+1L ) { c->bad++; continue; }
    c->answers++;
    /* the join may be gone by now and its handle and range reused: any
       answer must still be one whole join holding them */
    if( by_name.join ) {
      err = fd_shmem_join_query_by_join( by_name.join, &by_join );
      if( !err ) c->answers++;
      if( err ? err!=ENOENT : !churn_info_ok( &by_join ) || by_join.join!=by_name.join ) c->bad++;
    }
    char const * probe = (char const *)by_name.shmem + 4096UL*(size_t)k;  /* its last page */
    err = fd_shmem_join_query_by_addr( probe, 1, &by_addr );
    if( !err ) c->answers++;
    char const * first = by_addr.shmem;
    if( err ? err!=ENOENT : !churn_info_ok( &by_addr ) || probe<first || probe>=first+by_addr.page_cnt*4096UL ) c->bad++;
  }
  return NULL;
}

/* Walks the joins over and over: every entry must be one whole join of
   a churn region (or one being mapped, without a mapping yet), and q0,
   held throughout, in every walk exactly once. */
static void *
churn_walker( void * arg ) {
  churn_t * c = arg;
  while( fdt_now_ns()<c->stop_ns ) {
    long held_seen = 0L;
    fd_shmem_join_info_t const * it;
    for( it = fd_shmem_iter_begin(); !fd_shmem_iter_done( it ); it = fd_shmem_iter_next( it ) ) {
      int mapping = it->ref_cnt==-1L && !it->shmem && !it->join && it->name[0]=='q';
      if( !mapping && !churn_info_ok( it ) ) c->bad++;
      held_seen += !strcmp( it->name, "q0" ) && it->ref_cnt!=-1L;
    }
    c->answers++;
    if( held_seen<1L ) c->bad++;  /* a second q0 is only ever a busy one */
  }
  return NULL;
}

/* Runs 2 churn_joiner threads and 2 of look (the checks) for CHURN_NS,
   with q0 held throughout, and checks they found nothing wrong. */
static void
churn( void * (*look)( void * ), long min_answers ) {
  char name[ 24 ];
  for( long k=0L; k<CHURN_REGIONS; k++ ) { churn_name( name, sizeof(name), k ); make_region( name, (size_t)k+1UL ); }
  void * held = fd_shmem_join( "q0", RW, 0, NULL, NULL, NULL );  /* one always there to find */
  ck_assert_ptr_nonnull( held );
  enum { JOINERS = 2, LOOKERS = 2 };
  churn_t   c[ JOINERS+LOOKERS ];
  pthread_t tid[ JOINERS+LOOKERS ];
  double stop = fdt_now_ns() + CHURN_NS;
  for( int t=0; t<JOINERS+LOOKERS; t++ ) {
    c[t] = (churn_t){ .stop_ns = stop };
    ck_assert_int_eq( pthread_create( &tid[t], NULL, t<JOINERS ? churn_joiner : look, &c[t] ), 0 );
  }
  long answers = 0L, bad = 0L;
  for( int t=0; t<JOINERS+LOOKERS; t++ ) {
    ck_assert_int_eq( pthread_join( tid[t], NULL ), 0 );
    answers += c[t].answers;
    bad     += c[t].bad;
  }
  ck_assert_msg( bad==0L, "%ld inconsistent answers or failed joins", bad );
  ck_assert_int_gt( answers, min_answers );
  ck_assert_int_eq( fd_shmem_leave( held, NULL, NULL ), 0 );
  ck_assert( fd_shmem_iter_done( fd_shmem_iter_begin() ) );
  for( long k=0L; k<CHURN_REGIONS; k++ ) { churn_name( name, sizeof(name), k ); ck_assert_int_eq( fd_shmem_unlink( name, 0 ), 0 ); }
}

START_TEST( queries_during_churn ) {
  churn( churn_reader, 1000L );
}
END_TEST

START_TEST( iteration_during_churn ) {
  churn( churn_walker, 100L );
}
END_TEST

/* ---- the published hash ---- */

/* What the original Firedancer publishes: the low 32 bits of XXH64,
   seed 0, over the name zero-padded to FD_SHMEM_NAME_MAX bytes. */
static unsigned
fd_hash( char const * name ) {
  char padded[ FD_SHMEM_NAME_MAX ] = { 0 };
  memcpy( padded, name, strlen( name ) );
  return (unsigned)XXH64( padded, sizeof(padded), 0 );
}

START_TEST( hash_is_xxh64 ) {
  ck_assert_uint_eq( fd_hash( "test_shmem_0" ), 0x326def66U );  /* values from the original */
  ck_assert_uint_eq( fd_hash( "test" ),         0x29481342U );
  char longest[ FD_SHMEM_NAME_MAX ];
  memset( longest, 'z', sizeof(longest)-1UL ); longest[ sizeof(longest)-1UL ] = '\0';
  char const * names[] = { "test_shmem_0", "test", "a", "eight_ch", "nine_char", longest };
  for( size_t i=0; i<sizeof(names)/sizeof(names[0]); i++ ) {
    make_region( names[i], 1 );
    fd_shmem_join_info_t info, again;
    void * j = fd_shmem_join( names[i], RO, 0, NULL, NULL, &info );
    ck_assert_ptr_nonnull( j );
    ck_assert_uint_eq( info.hash, fd_hash( names[i] ) );
    ck_assert_int_eq( fd_shmem_join_query_by_join( j, &again ), 0 );
    ck_assert_uint_eq( again.hash, info.hash );
    ck_assert_int_eq( fd_shmem_leave( j, NULL, NULL ), 0 );
    if( !i ) ck_assert_uint_eq( info.hash, 0x326def66U );
    ck_assert_int_eq( fd_shmem_unlink( names[i], 0 ), 0 );
  }
  /* an anonymous join publishes the same hash */
  char * mem = mmap( NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 );
  ck_assert_ptr_ne( mem, MAP_FAILED );
  ck_assert_int_eq( fd_shmem_join_anonymous( "test", RW, mem, mem, NORMAL, 1 ), 0 );
  fd_shmem_join_info_t info;
  ck_assert_int_eq( fd_shmem_join_query_by_name( "test", &info ), 0 );
  ck_assert_uint_eq( info.hash, 0x29481342U );
  ck_assert_int_eq( fd_shmem_leave_anonymous( mem, NULL ), 0 );
  munmap( mem, 4096 );
}
END_TEST

/* ---- read-write joins of read-only ones ---- */

static void *
handle_past_64( void * ctx, fd_shmem_join_info_t const * info ) {
  (void)ctx;
  return (char *)info->shmem + 64;
}

START_TEST( upgrade_in_place ) {
  make_region( "up", 2 );
  fd_shmem_join_info_t info;
  char * h = fd_shmem_join( "up", RO, 0, handle_past_64, NULL, &info );
  ck_assert_ptr_nonnull( h );
  char const * mem = info.shmem;
  ck_assert_int_eq( info.mode, RO );
  char * again = fd_shmem_join( "up", RW, 0, NULL, NULL, &info );  /* no callback: not the first join */
  ck_assert_ptr_eq( again, h );
  ck_assert_ptr_eq( info.shmem, mem );
  ck_assert_int_eq( info.mode, RW );
  ck_assert_int_eq( info.ref_cnt, 2 );
  ((char *)info.shmem)[ 2*4096-1 ] = 'w';  /* a write works now, through the old pointers too */
  h[0] = 'v';
  ck_assert_int_eq( mem[64], 'v' );
  ck_assert_int_eq( fd_shmem_join_query_by_addr( mem, 1, &info ), 0 );
  ck_assert_int_eq( info.mode, RW );

  /* read-only joins of it now hand out the read-write handle */
  ck_assert_ptr_eq( fd_shmem_join( "up", RO, 0, NULL, NULL, &info ), h );
  ck_assert_int_eq( info.mode, RW );
  ck_assert_int_eq( info.ref_cnt, 3 );
  for( int i=0; i<3; i++ ) ck_assert_int_eq( fd_shmem_leave( h, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "up", NULL ), ENOENT );

  char * r = fd_shmem_join( "up", RO, 0, NULL, NULL, NULL );  /* the writes reached the region */
  ck_assert_ptr_nonnull( r );
  ck_assert_int_eq( r[64], 'v' );
  ck_assert_int_eq( r[ 2*4096-1 ], 'w' );
  ck_assert_int_eq( fd_shmem_leave( r, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "up", 0 ), 0 );
}
END_TEST

/* The read-only join r of "gone" must be as it was: one reference,
   read-only, the same bytes. */
static void
check_still_read_only( char const * r ) {
  fd_shmem_join_info_t info;
  ck_assert_int_eq( fd_shmem_join_query_by_join( r, &info ), 0 );
  ck_assert_int_eq( info.ref_cnt, 1 );
  ck_assert_int_eq( info.mode, RO );
  ck_assert_int_eq( r[0], 'o' );
}

START_TEST( upgrade_failures_keep_the_read_only_join ) {
  make_region( "gone", 1 );
  char * w = fd_shmem_join( "gone", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( w );
  w[0] = 'o';
  ck_assert_int_eq( fd_shmem_leave( w, NULL, NULL ), 0 );
  char const * r = fd_shmem_join( "gone", RO, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( r );

  /* another file under the same name is not the region joined */
  ck_assert_int_eq( fd_shmem_unlink( "gone", 0 ), 0 );
  make_region( "gone", 1 );
  ck_assert_ptr_null( fd_shmem_join( "gone", RW, 0, NULL, NULL, NULL ) );
  check_still_read_only( r );
  /* nor is no file at all */
  ck_assert_int_eq( fd_shmem_unlink( "gone", 0 ), 0 );
  ck_assert_ptr_null( fd_shmem_join( "gone", RW, 0, NULL, NULL, NULL ) );
  check_still_read_only( r );
  ck_assert_int_eq( fd_shmem_leave( (void *)r, NULL, NULL ), 0 );
}
END_TEST

/* A process that may only read the file: the read-write open fails with
   EACCES, so the join fails and the read-only one stays (in a child that
   gives up root, if need be). */
START_TEST( upgrade_refused_without_write_access ) {
  ck_assert_int_eq( fd_shmem_create( "ro_only", NORMAL, 1, 0, 0444 ), 0 );
  char normal[ 512 ];
  snprintf( normal, sizeof(normal), "%s/.normal", domain.path );
  ck_assert_int_eq( chmod( domain.path, 0755 ), 0 );
  ck_assert_int_eq( chmod( normal, 0755 ), 0 );
  pid_t pid = fdt_fork();
  if( !pid ) {
    if( !geteuid() && fdt_become_nobody() ) _exit( 1 );
    char const * r = fd_shmem_join( "ro_only", RO, 0, NULL, NULL, NULL );
    if( !r ) _exit( 2 );
    if( fd_shmem_join( "ro_only", RW, 0, NULL, NULL, NULL ) ) _exit( 3 );
    fd_shmem_join_info_t info;
    if( fd_shmem_join_query_by_join( r, &info ) || info.ref_cnt!=1L || info.mode!=RO || r[0] ) _exit( 4 );
    _exit( fd_shmem_leave( (void *)r, NULL, NULL ) ? 5 : 0 );
  }
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert_int_eq( chmod( normal, 0700 ), 0 );
  ck_assert_int_eq( chmod( domain.path, 0700 ), 0 );
  ck_assert_msg( WIFEXITED( status ) && !WEXITSTATUS( status ), "child status %d", status );
  ck_assert_int_eq( fd_shmem_unlink( "ro_only", 0 ), 0 );
}
END_TEST

/* Threads read every byte of a read-only join while another upgrades
   it: they must never fault (the test would crash) nor see other
   bytes.  ThreadSanitizer takes the mmap that replaces the mapping for
   a write of the whole range, while the kernel swaps it under its mmap
   lock (a read meanwhile faults in the same page): it is told to ignore
   the readers' reads of the region. */
#if defined( __SANITIZE_THREAD__ )
void AnnotateIgnoreReadsBegin( char const * file, int line );
void AnnotateIgnoreReadsEnd  ( char const * file, int line );
#define REGION_READS_BEGIN() AnnotateIgnoreReadsBegin( __FILE__, __LINE__ )
#define REGION_READS_END()   AnnotateIgnoreReadsEnd  ( __FILE__, __LINE__ )
#else
#define REGION_READS_BEGIN() ( (void)0 )
#define REGION_READS_END()   ( (void)0 )
#endif

#define UPGRADE_ROUNDS (40)
#define UPGRADE_PAGES  (16UL)

typedef struct { unsigned char const * mem; int stop; long passes, bad; } upgrade_reader_t;

static unsigned char pattern( size_t i ) { return (unsigned char)( i*131UL + i/4096UL ); }

static void *
upgrade_reader( void * arg ) {
  upgrade_reader_t * c = arg;
  while( !__atomic_load_n( &c->stop, __ATOMIC_ACQUIRE ) ) {
    long bad = 0L;
    REGION_READS_BEGIN();
    for( size_t i=0; i<UPGRADE_PAGES*4096UL; i+=61UL ) bad += ((unsigned char const volatile *)c->mem)[i]!=pattern( i );
    REGION_READS_END();
    c->bad += bad;
    __atomic_store_n( &c->passes, c->passes+1L, __ATOMIC_RELAXED );
  }
  return NULL;
}

START_TEST( upgrade_under_readers ) {
  make_region( "busy_up", UPGRADE_PAGES );
  unsigned char * w = fd_shmem_join( "busy_up", RW, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( w );
  for( size_t i=0; i<UPGRADE_PAGES*4096UL; i++ ) w[i] = pattern( i );
  ck_assert_int_eq( fd_shmem_leave( w, NULL, NULL ), 0 );
  enum { READERS = 2 };
  for( int round=0; round<UPGRADE_ROUNDS; round++ ) {
    unsigned char const * r = fd_shmem_join( "busy_up", RO, 0, NULL, NULL, NULL );
    ck_assert_ptr_nonnull( r );
    upgrade_reader_t c[ READERS ];
    pthread_t        tid[ READERS ];
    for( int t=0; t<READERS; t++ ) {
      c[t] = (upgrade_reader_t){ .mem = r };
      ck_assert_int_eq( pthread_create( &tid[t], NULL, upgrade_reader, &c[t] ), 0 );
    }
    while( !__atomic_load_n( &c[0].passes, __ATOMIC_RELAXED ) ) sched_yield();  /* reading already */
    unsigned char * u = fd_shmem_join( "busy_up", RW, 0, NULL, NULL, NULL );
    ck_assert_ptr_eq( u, r );
    size_t unread = (size_t)round*61UL + 1UL;  /* a byte the readers skip */
    u[ unread ] = pattern( unread );            /* writable, and the same bytes */
    long passes = __atomic_load_n( &c[0].passes, __ATOMIC_RELAXED );
    while( __atomic_load_n( &c[0].passes, __ATOMIC_RELAXED )<passes+2L ) sched_yield();  /* reading after it too */
    for( int t=0; t<READERS; t++ ) {
      __atomic_store_n( &c[t].stop, 1, __ATOMIC_RELEASE );
      ck_assert_int_eq( pthread_join( tid[t], NULL ), 0 );
      ck_assert_int_eq( c[t].bad, 0 );
    }
    ck_assert_int_eq( fd_shmem_leave( u, NULL, NULL ), 0 );
    ck_assert_int_eq( fd_shmem_leave( u, NULL, NULL ), 0 );
  }
  ck_assert_int_eq( fd_shmem_unlink( "busy_up", 0 ), 0 );
}
END_TEST

/* ---- the domain path ---- */

/* While one thread sets the path back and forth, another's copy from
   fd_shmem_path is always one whole path, and stays as it was. */
typedef struct { char const * a, * b; int stop; long reads, bad; } path_race_t;

static void *
path_reader( void * arg ) {
  path_race_t * c = arg;
  while( !__atomic_load_n( &c->stop, __ATOMIC_ACQUIRE ) ) {
    char const * p = fd_shmem_path();
    char copy[ 256 ];
    snprintf( copy, sizeof(copy), "%s", p );
    int whole = !strcmp( copy, c->a ) || !strcmp( copy, c->b );
    sched_yield();
    c->bad += !whole || strcmp( p, copy );
    __atomic_store_n( &c->reads, c->reads+1L, __ATOMIC_RELAXED );
  }
  return NULL;
}

START_TEST( path_read_while_set ) {
  char other[ 300 ];
  snprintf( other, sizeof(other), "%s/a/much/longer/path/than/the/domain/itself", domain.path );
  path_race_t c = { .a = domain.path, .b = other };
  pthread_t tid;
  ck_assert_int_eq( pthread_create( &tid, NULL, path_reader, &c ), 0 );
  /* Sets until the reader has read 200 times; past 20000 sets, once it has read at all: on a loaded machine
     the reader may start only after thousands of sets (the tcase timeout bounds the wait). */
  for( long i=0L;; i++ ) {
    long reads = __atomic_load_n( &c.reads, __ATOMIC_RELAXED );
    if( ( i>=200L && reads>=200L ) || ( i>=20000L && reads>0L ) ) break;
    ck_assert_int_eq( fd_shmem_set_path( i & 1L ? domain.path : other ), 0 );
  }
  __atomic_store_n( &c.stop, 1, __ATOMIC_RELEASE );
  ck_assert_int_eq( pthread_join( tid, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_set_path( domain.path ), 0 );
  ck_assert_int_eq( c.bad, 0 );
  ck_assert_int_gt( c.reads, 0 );
  ck_assert_str_eq( fd_shmem_path(), domain.path );
}
END_TEST

/* ---- failure paths (fault_wrap.h): the join fails, logs, and leaves
   nothing behind (fault_check.h) ---- */

#define PAGE_CNT (4UL)

/* the address reservation, then the mapping itself */
static fault_case_t const join_faults[] = {
  { "every reservation mmap ENOMEM", FAULT_MMAP,       ENOMEM, 0 },
  { "MAP_FIXED mmap ENOMEM",         FAULT_MMAP_FIXED, ENOMEM, 0 },
  { "MAP_FIXED mmap EACCES",         FAULT_MMAP_FIXED, EACCES, 0 },
};
#define JOIN_FAULT_CNT ( (int)( sizeof(join_faults)/sizeof(join_faults[0]) ) )

START_TEST( join_fault ) {
  fault_case_t const * c = &join_faults[ _i ];
  ck_assert_int_eq( fd_shmem_create( "shared", NORMAL, PAGE_CNT, 0, 0600 ), 0 );
  void * mem = fd_shmem_join( "shared", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( mem );
  ck_assert_int_eq( fd_shmem_leave( mem, NULL, NULL ), 0 );

  proc_state_t before = proc_state();
  warn_cnt = 0;
  fault_arm( c->call, 0, -1, c->err );
  mem = fd_shmem_join( "shared", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_int_ge( fault_disarm(), 1 );
  ck_assert_msg( !mem, "%s: the join succeeded", c->what );
  ck_assert_int_gt( warn_cnt, 0 );
  ck_assert_int_eq( fd_shmem_join_query_by_name( "shared", NULL ), ENOENT );  /* no half-made join */
  assert_nothing_left( &before );

  mem = fd_shmem_join( "shared", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( mem );
  ck_assert_int_eq( fd_shmem_leave( mem, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "shared", 0 ), 0 );
}
END_TEST

/* ---- the error sets, one call per code ---- */

/* The join calls, on nothing joined. */
static fd_shmem_join_info_t join_info;
static int query_name_bad( void )     { return fd_shmem_join_query_by_name( "bad/name", &join_info ); }
static int query_name_nothere( void ) { return fd_shmem_join_query_by_name( "nothere", &join_info ); }
static int query_join_null( void )    { return fd_shmem_join_query_by_join( NULL, &join_info ); }
static int query_join_nothere( void ) { return fd_shmem_join_query_by_join( &join_info, &join_info ); }
static int query_addr_wraps( void )   { return fd_shmem_join_query_by_addr( (void *)UINTPTR_MAX, 2, &join_info ); }
static int query_addr_nothere( void ) { return fd_shmem_join_query_by_addr( &join_info, 1, &join_info ); }
static int anon_null_join( void ) {
  static char page[ NORMAL ] __attribute__(( aligned( NORMAL ) ));
  return fd_shmem_join_anonymous( "anon", FD_SHMEM_JOIN_MODE_READ_WRITE, NULL, page, NORMAL, 1 );
}
static int anon_leave_nothere( void ) { return fd_shmem_leave_anonymous( &join_info, NULL ); }

static fdt_errcase_t const errcases[] = {
  { "fd_shmem_join_query_by_name", EINVAL, query_name_bad,        0 },
  { "fd_shmem_join_query_by_name", ENOENT, query_name_nothere,    0 },
  { "fd_shmem_join_query_by_join", EINVAL, query_join_null,       0 },
  { "fd_shmem_join_query_by_join", ENOENT, query_join_nothere,    0 },
  { "fd_shmem_join_query_by_addr", EINVAL, query_addr_wraps,      0 },
  { "fd_shmem_join_query_by_addr", ENOENT, query_addr_nothere,    0 },
  { "fd_shmem_join_anonymous",   EINVAL,  anon_null_join,         0 },
  { "fd_shmem_leave_anonymous",  EINVAL,  anon_leave_nothere,     0 },
};

int
main( void ) {
  int err = fdt_domain_new( &domain, 0 );
  if( err ) return err;
  Suite * s  = suite_create( "join" );
  TCase * tc = tcase_create( "join" );
  tcase_set_timeout( tc, 60 );
  tcase_add_test( tc, join_refcount );
  tcase_add_test( tc, join_invalid );
  tcase_add_test( tc, query_edges );
  tcase_add_test( tc, names_before_a_hole );
  tcase_add_test( tc, names_sharing_words );
  tcase_add_test( tc, callbacks_and_cycles );
  tcase_add_test( tc, callback_failure_undoes );
  tcase_add_test( tc, anonymous );
  tcase_add_test( tc, join_limit_and_iter );
  tcase_add_test( tc, fork_shares_bytes );
  tcase_add_test( tc, read_only_faults );
  tcase_add_test( tc, threads_join_leave );
  tcase_add_test( tc, refs_one_thread_then_many );
  tcase_add_test( tc, queries_during_churn );
  tcase_add_test( tc, iteration_during_churn );
  tcase_add_test( tc, hash_is_xxh64 );
  tcase_add_test( tc, upgrade_in_place );
  tcase_add_test( tc, upgrade_failures_keep_the_read_only_join );
  tcase_add_test( tc, upgrade_refused_without_write_access );
  tcase_add_test( tc, upgrade_under_readers );
  tcase_add_test( tc, path_read_while_set );
  fdt_errcases_add( tc, errcases, sizeof(errcases)/sizeof(errcases[0]), FDT_ERRCASES_JOIN );
  suite_add_tcase( s, tc );
  fault_check_domain( &domain );
  TCase * tf = tcase_create( "faults" );
  tcase_add_checked_fixture( tf, fault_setup, fault_teardown );
  tcase_add_loop_test( tf, join_fault, 0, JOIN_FAULT_CNT );
  suite_add_tcase( s, tf );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
