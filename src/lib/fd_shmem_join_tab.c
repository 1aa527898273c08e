/* The join table: a fixed array of entries, two open-addressing hash
   indexes (name, handle) with linear probing and backward-shift
   deletion, and the mappings' address ranges sorted by start.  See the
   header for who may touch what, and how. */

#include "fd_shmem_join_tab.h"

#include <sched.h>
#include <stddef.h>

#define SLOT_CNT  (512UL)  /* power of two, over twice FD_SHMEM_JOIN_MAX */
#define SLOT_MASK (SLOT_CNT-1UL)
#define NAME_WORD_CNT ( FD_SHMEM_NAME_MAX/8UL )
#define READ_SPINS (64U)   /* a reader yields after this many tries */

/* info.name is read and written a word at a time */
typedef uint64_t __attribute__(( may_alias )) name_word_t;
_Static_assert( offsetof( fd_shmem_join_info_t, name ) % 8UL==0UL, "name is word aligned" );
_Static_assert( FD_SHMEM_NAME_MAX % 8UL==0UL, "name is whole words" );

join_ent_t fd_shmem_private_join_ent[ FD_SHMEM_JOIN_MAX ];

static uint64_t  seq;                       /* odd while a writer changes the table */
static size_t    ent_cnt;                   /* writers only */
static uint16_t  name_slot[ SLOT_CNT ];     /* 1 + entry index; 0: empty */
static uint16_t  join_slot[ SLOT_CNT ];
static size_t    addr_cnt;                  /* mappings indexed by address ... */
static uintptr_t addr_first[ FD_SHMEM_JOIN_MAX ];  /* ... their first byte, ascending */
static uintptr_t addr_last [ FD_SHMEM_JOIN_MAX ];  /* ... their last byte */
static uint16_t  addr_ent  [ FD_SHMEM_JOIN_MAX ];  /* ... their entry index */

/* ---- hashing ---- */

unsigned
fd_shmem_private_join_hash( fd_shmem_private_name_t const * key, size_t len ) {
  uint64_t h = 0x9e3779b97f4a7c15UL ^ (uint64_t)len;
  for( size_t i=0UL; i<( len+7UL )/8UL; i++ ) {
    h  = ( h ^ key->w[i] ) * 0xff51afd7ed558ccdUL;
    h ^= h >> 32;
  }
  return (unsigned)h;
}

static size_t
ptr_hash( void const * p ) {
  uint64_t x = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15UL;
  return (size_t)( x >> 40 );
}

/* ---- sequence lock ---- */

void fd_shmem_private_join_write_begin( void ) { SHARED_STORE( &seq, seq+1UL ); }
void fd_shmem_private_join_write_end  ( void ) { SHARED_STORE( &seq, seq+1UL ); }

uint64_t
fd_shmem_private_join_read_begin( void ) {
  for( unsigned spin=0U;; spin++ ) {
    uint64_t s = SHARED_LOAD( &seq );
    if( !( s & 1UL ) ) return s;
    if( spin>=READ_SPINS ) sched_yield();  /* the writer may have been preempted */
  }
}

int
fd_shmem_private_join_read_done( uint64_t s ) {
  return SHARED_LOAD( &seq )==s;
}

/* ---- hash indexes (writers) ---- */

static size_t ent_idx( join_ent_t const * ent ) { return (size_t)( ent - fd_shmem_private_join_ent ); }

static size_t
slot_home( uint16_t const * slots, size_t idx ) {
  join_ent_t const * e = &fd_shmem_private_join_ent[ idx ];
  return ( slots==name_slot ? (size_t)e->info.hash : ptr_hash( e->info.join ) ) & SLOT_MASK;
}

static void
slot_insert( uint16_t * slots, size_t home, size_t idx ) {
  size_t s = home;
  while( slots[s] ) s = ( s+1UL ) & SLOT_MASK;
  SHARED_STORE( &slots[s], (uint16_t)( idx+1UL ) );
}

/* Removes idx, then shifts later members of the probe run back so that
   lookups never need tombstones. */
static void
slot_remove( uint16_t * slots, size_t home, size_t idx ) {
  size_t s = home;
  while( slots[s]!=idx+1UL ) s = ( s+1UL ) & SLOT_MASK;
  SHARED_STORE( &slots[s], (uint16_t)0 );
  for( size_t t=( s+1UL ) & SLOT_MASK; slots[t]; t=( t+1UL ) & SLOT_MASK ) {
    size_t h = slot_home( slots, slots[t]-1UL );
    /* move t into the hole s unless its home lies cyclically in (s, t] */
    int stays = ( s<t ) ? ( h>s && h<=t ) : ( h>s || h<=t );
    if( stays ) continue;
    SHARED_STORE( &slots[s], slots[t] );
    SHARED_STORE( &slots[t], (uint16_t)0 );
    s = t;
  }
}

/* ---- address index ---- */

/* Position of the first mapping that starts above a, among cnt. */
static size_t
addr_upper( uintptr_t a, size_t cnt ) {
  size_t lo = 0UL, hi = cnt;
  while( lo<hi ) {
    size_t mid = ( lo+hi )/2UL;
    if( SHARED_LOAD( &addr_first[ mid ] )<=a ) lo = mid+1UL;
    else                                      hi = mid;
  }
  return lo;
}

static void
addr_move( size_t to, size_t from ) {
  SHARED_STORE( &addr_first[ to ], addr_first[ from ] );
  SHARED_STORE( &addr_last [ to ], addr_last [ from ] );
  SHARED_STORE( &addr_ent  [ to ], addr_ent  [ from ] );
}

void
fd_shmem_private_join_index_addr( join_ent_t * ent ) {
  uintptr_t first = (uintptr_t)ent->info.shmem;
  size_t    pos   = addr_upper( first, addr_cnt );
  for( size_t i=addr_cnt; i>pos; i-- ) addr_move( i, i-1UL );
  SHARED_STORE( &addr_first[ pos ], first );
  SHARED_STORE( &addr_last [ pos ], first + ( ent->info.page_sz*ent->info.page_cnt-1UL ) );
  SHARED_STORE( &addr_ent  [ pos ], (uint16_t)ent_idx( ent ) );
  SHARED_STORE( &addr_cnt, addr_cnt+1UL );
  ent->in_addr_idx = 1;
}

static void
addr_unindex( join_ent_t const * ent ) {
  size_t pos = addr_upper( (uintptr_t)ent->info.shmem, addr_cnt ) - 1UL;  /* starts are distinct */
  for( size_t i=pos; i+1UL<addr_cnt; i++ ) addr_move( i, i+1UL );
  SHARED_STORE( &addr_cnt, addr_cnt-1UL );
}

/* ---- entries (writers) ---- */

join_ent_t *
fd_shmem_private_join_add( fd_shmem_private_name_t const * key, unsigned hash ) {
  if( ent_cnt>=FD_SHMEM_JOIN_MAX ) return NULL;
  size_t idx = 0UL;
  while( fd_shmem_private_join_ent[ idx ].used ) idx++;
  join_ent_t * ent = &fd_shmem_private_join_ent[ idx ];  /* all zero since its removal */
  ent->used = 1;
  SHARED_STORE( &ent->info.hash, hash );
  name_word_t * name = (name_word_t *)ent->info.name;
  for( size_t i=0UL; i<NAME_WORD_CNT; i++ ) SHARED_STORE( &name[i], key->w[i] );
  slot_insert( name_slot, hash & SLOT_MASK, idx );
  ent_cnt++;
  return ent;
}

void
fd_shmem_private_join_index_join( join_ent_t * ent ) {
  slot_insert( join_slot, ptr_hash( ent->info.join ) & SLOT_MASK, ent_idx( ent ) );
  ent->in_join_idx = 1;
}

void
fd_shmem_private_join_remove( join_ent_t * ent ) {
  size_t idx = ent_idx( ent );
  slot_remove( name_slot, ent->info.hash & SLOT_MASK, idx );
  if( ent->in_join_idx ) slot_remove( join_slot, ptr_hash( ent->info.join ) & SLOT_MASK, idx );
  if( ent->in_addr_idx ) addr_unindex( ent );

  fd_shmem_join_info_t * info = &ent->info;
  SHARED_STORE( &info->ref_cnt,  0L   );
  SHARED_STORE( &info->join,     NULL );
  SHARED_STORE( &info->shmem,    NULL );
  SHARED_STORE( &info->page_sz,  0UL  );
  SHARED_STORE( &info->page_cnt, 0UL  );
  SHARED_STORE( &info->mode,     0    );
  SHARED_STORE( &info->hash,     0U   );
  name_word_t * name = (name_word_t *)info->name;
  for( size_t i=0UL; i<NAME_WORD_CNT; i++ ) SHARED_STORE( &name[i], 0UL );
  ent->used        = 0;
  ent->anon        = 0;
  ent->in_join_idx = 0;
  ent->in_addr_idx = 0;
  ent_cnt--;
}

/* ---- lookups (writers and readers) ---- */

static int
name_is( join_ent_t const * e, fd_shmem_private_name_t const * key ) {
  name_word_t const * name = (name_word_t const *)e->info.name;
  uint64_t diff = 0UL;
  for( size_t i=0UL; i<NAME_WORD_CNT; i++ ) diff |= SHARED_LOAD( &name[i] ) ^ key->w[i];
  return !diff;
}

/* Probes are bounded: a reader racing a writer may see any mix of slot
   states (and is then told to start again). */
join_ent_t *
fd_shmem_private_join_by_name( fd_shmem_private_name_t const * key, unsigned hash ) {
  size_t s = hash & SLOT_MASK;
  for( size_t probe=0UL; probe<SLOT_CNT; probe++, s=( s+1UL ) & SLOT_MASK ) {
    unsigned v = SHARED_LOAD( &name_slot[s] );
    if( !v ) return NULL;
    join_ent_t * e = &fd_shmem_private_join_ent[ v-1U ];
    if( SHARED_LOAD( &e->info.hash )==hash && name_is( e, key ) ) return e;
  }
  return NULL;
}

join_ent_t *
fd_shmem_private_join_by_join( void const * join ) {
  size_t s = ptr_hash( join ) & SLOT_MASK;
  for( size_t probe=0UL; probe<SLOT_CNT; probe++, s=( s+1UL ) & SLOT_MASK ) {
    unsigned v = SHARED_LOAD( &join_slot[s] );
    if( !v ) return NULL;
    join_ent_t * e = &fd_shmem_private_join_ent[ v-1U ];
    if( SHARED_LOAD( &e->info.join )==join ) return e;
  }
  return NULL;
}

/* Mappings never overlap, so only the last one starting at or below a1
   can reach a0. */
join_ent_t *
fd_shmem_private_join_by_addr( uintptr_t a0, uintptr_t a1 ) {
  size_t pos = addr_upper( a1, SHARED_LOAD( &addr_cnt ) );
  if( !pos || SHARED_LOAD( &addr_last[ pos-1UL ] )<a0 ) return NULL;
  return &fd_shmem_private_join_ent[ SHARED_LOAD( &addr_ent[ pos-1UL ] ) ];
}

void
fd_shmem_private_join_snapshot( join_ent_t const * ent, fd_shmem_join_info_t * out ) {
  fd_shmem_join_info_t const * info = &ent->info;
  out->ref_cnt  = SHARED_LOAD( &info->ref_cnt  );
  out->join     = SHARED_LOAD( &info->join     );
  out->shmem    = SHARED_LOAD( &info->shmem    );
  out->page_sz  = SHARED_LOAD( &info->page_sz  );
  out->page_cnt = SHARED_LOAD( &info->page_cnt );
  out->mode     = SHARED_LOAD( &info->mode     );
  out->hash     = SHARED_LOAD( &info->hash     );
  name_word_t const * name = (name_word_t const *)info->name;
  name_word_t       * copy = (name_word_t       *)out->name;
  for( size_t i=0UL; i<NAME_WORD_CNT; i++ ) copy[i] = SHARED_LOAD( &name[i] );
}
