#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H

/* The process's table of joins: a fixed array of entries, two
   open-addressing hash indexes (name, handle) with linear probing, and
   the mappings' address ranges sorted by start.

   Writers hold the join lock (fd_shmem_join.c) and make every change
   inside a write section.  Readers may skip the lock: they look up and
   copy between fd_shmem_private_join_read_begin and a successful
   fd_shmem_private_join_read_done, and start again otherwise (a sequence
   lock).  So that such a reader never races a writer, every field a
   reader loads is stored with SHARED_STORE and loaded with SHARED_LOAD;
   acquire loads and release stores also keep a reader's loads between
   its two reads of the sequence number, and cost nothing on x86-64.

   The lookups are inline: they are the hot path of join, leave and the
   queries. */

#include "fd_shmem_name_key.h"

#include <pthread.h>

#define SHARED_LOAD( p )     __atomic_load_n( (p), __ATOMIC_ACQUIRE )
#define SHARED_STORE( p, v ) __atomic_store_n( (p), (v), __ATOMIC_RELEASE )

#define FD_SHMEM_PRIVATE_JOIN_SLOT_CNT  (512UL)  /* power of two, over twice FD_SHMEM_JOIN_MAX */
#define FD_SHMEM_PRIVATE_JOIN_SLOT_MASK (FD_SHMEM_PRIVATE_JOIN_SLOT_CNT-1UL)
#define FD_SHMEM_PRIVATE_NAME_WORD_CNT  (FD_SHMEM_NAME_MAX/8UL)

/* 128 bytes, a power of two: finding an entry from its slot is one
   shift on the lookups' critical path (112 took a multiply's worth). */
typedef struct __attribute__(( aligned( 128 ) )) {
  fd_shmem_join_info_t info;   /* first: iteration hands out &ent->info; shared with readers */
  /* the rest is only touched under the join lock */
  int                  used;
  int                  anon;   /* registered by fd_shmem_join_anonymous */
  int                  in_join_idx;
  int                  in_addr_idx;
  pthread_t            busy_owner;  /* thread running a callback (info.ref_cnt==-1) */
} join_ent_t;

typedef struct {
  uint64_t   seq;                                           /* odd while a writer changes the table */
  size_t     ent_cnt;                                       /* writers only */
  uint16_t   name_slot[ FD_SHMEM_PRIVATE_JOIN_SLOT_CNT ];   /* 1 + entry index; 0: empty */
  uint16_t   join_slot[ FD_SHMEM_PRIVATE_JOIN_SLOT_CNT ];
  size_t     addr_cnt;                                      /* mappings indexed by address ... */
  uintptr_t  addr_first[ FD_SHMEM_JOIN_MAX ];               /* ... their first byte, ascending */
  uintptr_t  addr_last [ FD_SHMEM_JOIN_MAX ];               /* ... their last byte */
  uint16_t   addr_ent  [ FD_SHMEM_JOIN_MAX ];               /* ... their entry index */
  join_ent_t ent[ FD_SHMEM_JOIN_MAX ];
} join_tab_t;

extern join_tab_t fd_shmem_private_join_tab;

/* info.name is read and written a word at a time */
typedef uint64_t __attribute__(( may_alias )) fd_shmem_private_name_word_t;

/* ---- writers, with the join lock held (fd_shmem_join_tab.c) ---- */

/* A free entry named key (info.name, info.hash set) and indexed by name,
   or NULL when the table is full. */
join_ent_t * fd_shmem_private_join_add( fd_shmem_private_name_t const * key, unsigned hash );
void         fd_shmem_private_join_remove( join_ent_t * ent );
/* Indexes ent by info.join / by [info.shmem, +page_sz*page_cnt). */
void         fd_shmem_private_join_index_join( join_ent_t * ent );
void         fd_shmem_private_join_index_addr( join_ent_t * ent );

static inline void
fd_shmem_private_join_write_begin( void ) {
  SHARED_STORE( &fd_shmem_private_join_tab.seq, fd_shmem_private_join_tab.seq+1UL );
}

static inline void
fd_shmem_private_join_write_end( void ) {
  SHARED_STORE( &fd_shmem_private_join_tab.seq, fd_shmem_private_join_tab.seq+1UL );
}

/* ---- readers without the lock ---- */

/* The sequence number to give read_done, once no writer is inside. */
uint64_t fd_shmem_private_join_read_wait( void );

static inline uint64_t
fd_shmem_private_join_read_begin( void ) {
  uint64_t s = SHARED_LOAD( &fd_shmem_private_join_tab.seq );
  return ( s & 1UL ) ? fd_shmem_private_join_read_wait() : s;
}

/* 1 when no writer changed the table since read_begin returned seq. */
static inline int
fd_shmem_private_join_read_done( uint64_t seq ) {
  return SHARED_LOAD( &fd_shmem_private_join_tab.seq )==seq;
}

/* ---- lookups, for writers and readers alike ---- */

static inline size_t
fd_shmem_private_join_ptr_hash( void const * p ) {
  return (size_t)( ( (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15UL ) >> 40 );
}

/* Probes are bounded: a reader racing a writer may see any mix of slot
   states (and is then told to start again). */
/* key holds a name of len characters: names are zero-padded, so the
   words up to the one holding its terminator decide.  The first word
   sorts out a slot as well as the hash would, and is needed anyway. */
static inline join_ent_t *
fd_shmem_private_join_by_name( fd_shmem_private_name_t const * key, size_t len, unsigned hash ) {
  join_tab_t * tab = &fd_shmem_private_join_tab;
  size_t s = hash & FD_SHMEM_PRIVATE_JOIN_SLOT_MASK;
  for( size_t probe=0UL; probe<FD_SHMEM_PRIVATE_JOIN_SLOT_CNT; probe++ ) {
    unsigned v = SHARED_LOAD( &tab->name_slot[s] );
    if( !v ) return NULL;
    join_ent_t * e = &tab->ent[ v-1U ];
    fd_shmem_private_name_word_t const * name = (fd_shmem_private_name_word_t const *)e->info.name;
    uint64_t diff = SHARED_LOAD( &name[0] ) ^ key->w[0];
    for( size_t i=1UL; !diff && i<=len/8UL; i++ ) diff |= SHARED_LOAD( &name[i] ) ^ key->w[i];
    if( !diff ) return e;
    s = ( s+1UL ) & FD_SHMEM_PRIVATE_JOIN_SLOT_MASK;
  }
  return NULL;
}

static inline join_ent_t *
fd_shmem_private_join_by_join( void const * join ) {
  join_tab_t * tab = &fd_shmem_private_join_tab;
  size_t s = fd_shmem_private_join_ptr_hash( join ) & FD_SHMEM_PRIVATE_JOIN_SLOT_MASK;
  for( size_t probe=0UL; probe<FD_SHMEM_PRIVATE_JOIN_SLOT_CNT; probe++ ) {
    unsigned v = SHARED_LOAD( &tab->join_slot[s] );
    if( !v ) return NULL;
    join_ent_t * e = &tab->ent[ v-1U ];
    if( SHARED_LOAD( &e->info.join )==join ) return e;
    s = ( s+1UL ) & FD_SHMEM_PRIVATE_JOIN_SLOT_MASK;
  }
  return NULL;
}

/* Position of the first mapping that starts above a, among cnt. */
static inline size_t
fd_shmem_private_join_addr_upper( uintptr_t a, size_t cnt ) {
  size_t lo = 0UL, hi = cnt;
  while( lo<hi ) {
    size_t mid = ( lo+hi )/2UL;
    if( SHARED_LOAD( &fd_shmem_private_join_tab.addr_first[ mid ] )<=a ) lo = mid+1UL;
    else                                                                  hi = mid;
  }
  return lo;
}

/* The entry whose mapping overlaps [a0,a1] (inclusive), or NULL.
   Mappings never overlap, so only the last one starting at or below a1
   can reach a0. */
static inline join_ent_t *
fd_shmem_private_join_by_addr( uintptr_t a0, uintptr_t a1 ) {
  join_tab_t * tab = &fd_shmem_private_join_tab;
  size_t pos = fd_shmem_private_join_addr_upper( a1, SHARED_LOAD( &tab->addr_cnt ) );
  if( !pos || SHARED_LOAD( &tab->addr_last[ pos-1UL ] )<a0 ) return NULL;
  return &tab->ent[ SHARED_LOAD( &tab->addr_ent[ pos-1UL ] ) ];
}

/* Copies ent's info into *out. */
static inline void
fd_shmem_private_join_snapshot( join_ent_t const * ent, fd_shmem_join_info_t * out ) {
  fd_shmem_join_info_t const * info = &ent->info;
  out->ref_cnt  = SHARED_LOAD( &info->ref_cnt  );
  out->join     = SHARED_LOAD( &info->join     );
  out->shmem    = SHARED_LOAD( &info->shmem    );
  out->page_sz  = SHARED_LOAD( &info->page_sz  );
  out->page_cnt = SHARED_LOAD( &info->page_cnt );
  out->mode     = SHARED_LOAD( &info->mode     );
  out->hash     = SHARED_LOAD( &info->hash     );
  fd_shmem_private_name_word_t const * name = (fd_shmem_private_name_word_t const *)info->name;
  fd_shmem_private_name_word_t       * copy = (fd_shmem_private_name_word_t       *)out->name;
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_NAME_WORD_CNT; i++ ) copy[i] = SHARED_LOAD( &name[i] );
}

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H */
