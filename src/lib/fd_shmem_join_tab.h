#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H

/* The process's table of joins: a fixed array of entries, two
   open-addressing hash indexes (name, handle) with linear probing, and
   the mappings' address ranges sorted by start.  The lookups are
   inline: they are the hot path of join, leave and the queries.

   The rules by which threads share it (the locks live in
   fd_shmem_join.c):

   - join_lock (a mutex) serializes the writers: adding, publishing,
     indexing and removing entries, and marking them busy.  A writer
     changes the table only inside a write section (write_begin /
     write_end; the sequence number is odd meanwhile).  join_cond, with
     join_lock, wakes the threads waiting for a busy entry.
   - Lock order: join_lock comes first, and the only lock ever taken
     under it is the log's (a message may be logged with join_lock held,
     so a log function must not join or leave).  path_lock
     (fd_shmem_path.c) is taken only with join_lock released, when a join
     looks its region up.
   - Readers (the queries, iteration, a leave looking up its handle)
     take no lock: they look up and copy inside FD_SHMEM_PRIVATE_JOIN_READ,
     which starts over when a writer was inside meanwhile (a sequence
     lock).  Every field a reader loads is stored with
     FD_SHMEM_PRIVATE_STORE and loaded with FD_SHMEM_PRIVATE_LOAD (plain
     moves on x86-64: they keep a reader's loads between its two reads of
     the sequence number, and make the races a reader throws away
     defined).  An entry's info is stored only by
     fd_shmem_private_join_publish (every field) and _clear, and copied
     only by _snapshot; a _Static_assert ties the three to the fields of
     fd_shmem_join_info_t.
   - The exception: info.ref_cnt of a settled entry (ref_cnt >= 1,
     findable by handle) changes outside write sections, by atomic
     read-modify-write (by plain store in a process with one thread,
     where nobody else can touch it); a reader may see either value and
     nothing else depends on it.  The lockless leave is safe because its
     caller holds a reference, so the entry can be neither removed nor
     reused under it, and its compare-and-swap never takes the count
     below 1, so the last leave always comes to the lock.  Marking an
     entry busy swaps ref_cnt to -1 atomically, after which no lockless
     leave succeeds; publish stores ref_cnt only while the entry is busy
     or not yet findable by handle.
   - Busy (ref_cnt -1, busy_owner set): one thread works on the entry
     without join_lock, which is never held across a system call that
     maps memory nor across a user callback: the first join maps and
     runs join_func, the last leave runs leave_func, an upgrade remaps
     read-write.  Other threads wanting the entry wait on join_cond; the
     same thread coming back to it is a cycle, and fails.  So a callback
     may join, leave and query other regions and iterate, but not join
     or leave its own region.
   - The entry's fields after info are the writers' own, under
     join_lock. */

#include "fd_shmem_private.h"
#include "base/fd_shmem_name_key.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#define FD_SHMEM_PRIVATE_LOAD( p )     __atomic_load_n( (p), __ATOMIC_ACQUIRE )
#define FD_SHMEM_PRIVATE_STORE( p, v ) __atomic_store_n( (p), (v), __ATOMIC_RELEASE )

#define FD_SHMEM_PRIVATE_JOIN_SLOT_CNT  (512UL)  /* power of two, over twice FD_SHMEM_JOIN_MAX */
#define FD_SHMEM_PRIVATE_JOIN_SLOT_MASK (FD_SHMEM_PRIVATE_JOIN_SLOT_CNT-1UL)
#define FD_SHMEM_PRIVATE_NAME_WORD_CNT  (FD_SHMEM_NAME_MAX/8UL)

/* 128 bytes, a power of two: finding an entry from its slot is one
   shift on the lookups' critical path (112 took a multiply's worth).
   An entry is in use while info.name is not empty, indexed by handle
   while info.join is set and by address while info.shmem is. */
typedef struct __attribute__(( aligned( 128 ) )) {
  fd_shmem_join_info_t info;          /* first: iteration steps by entry; shared with readers */
  unsigned             key_hash;      /* the name index's hash (base/fd_shmem_name_key.h), not info.hash */
  unsigned char        anon;          /* registered by fd_shmem_join_anonymous */
  unsigned char        dump;          /* the first join's dump argument */
  pthread_t            busy_owner;    /* the thread that made it busy */
  long                 busy_ref_cnt;  /* references held while busy (an upgrade) */
  dev_t                file_dev;      /* the mapped file, so an upgrade maps the same one */
  ino_t                file_ino;
} fd_shmem_private_join_ent_t;

_Static_assert( sizeof(fd_shmem_private_join_ent_t)==128UL, "an entry is 128 bytes" );

typedef struct {
  uint64_t   seq;                                           /* odd while a writer changes the table */
  size_t     ent_cnt;                                       /* writers only */
  uint16_t   name_slot[ FD_SHMEM_PRIVATE_JOIN_SLOT_CNT ];   /* 1 + entry index; 0: empty */
  uint16_t   join_slot[ FD_SHMEM_PRIVATE_JOIN_SLOT_CNT ];
  size_t     addr_cnt;                                      /* mappings indexed by address ... */
  uintptr_t  addr_first[ FD_SHMEM_JOIN_MAX ];               /* ... their first byte, ascending */
  uintptr_t  addr_last [ FD_SHMEM_JOIN_MAX ];               /* ... their last byte */
  uint16_t   addr_ent  [ FD_SHMEM_JOIN_MAX ];               /* ... their entry index */
  fd_shmem_private_join_ent_t ent[ FD_SHMEM_JOIN_MAX ];
} fd_shmem_private_join_tab_t;

extern fd_shmem_private_join_tab_t fd_shmem_private_join_tab;

/* info.name is read and written a word at a time */
typedef uint64_t __attribute__(( may_alias )) fd_shmem_private_name_word_t;

/* The fields of fd_shmem_join_info_t besides name, which publish and
   snapshot copy one by one; the assert fails when a field is added to
   the struct and not here. */
#define FD_SHMEM_PRIVATE_JOIN_INFO_FIELDS( X ) \
  X( ref_cnt ) X( join ) X( shmem ) X( page_sz ) X( page_cnt ) X( mode ) X( hash )
#define FD_SHMEM_PRIVATE_JOIN_INFO_SZ( f ) + sizeof( ( (fd_shmem_join_info_t *)0 )->f )
_Static_assert( sizeof(fd_shmem_join_info_t)==
                0UL FD_SHMEM_PRIVATE_JOIN_INFO_FIELDS( FD_SHMEM_PRIVATE_JOIN_INFO_SZ ) + FD_SHMEM_NAME_MAX,
                "publish and snapshot copy every field of fd_shmem_join_info_t" );
_Static_assert( offsetof( fd_shmem_join_info_t, name ) % 8UL==0UL, "name is word aligned" );
_Static_assert( FD_SHMEM_NAME_MAX % 8UL==0UL, "name is whole words" );

/* ---- writers, with the join lock held (fd_shmem_join_tab.c) ---- */

/* A free entry named key, indexed by name and updated with info (whose
   name and hash it fills in), or NULL when the table is full.  In a
   write section. */
fd_shmem_private_join_ent_t * fd_shmem_private_join_add( fd_shmem_private_name_t const * key, unsigned key_hash,
                                                         fd_shmem_join_info_t const * info );
/* Removes ent from every index and clears it.  In a write section. */
void fd_shmem_private_join_remove( fd_shmem_private_join_ent_t * ent );
/* Publishes info for the entry, then indexes it by info.join and by
   [info.shmem, +page_sz*page_cnt) where it was not and they are set.  In
   a write section. */
void fd_shmem_private_join_update( fd_shmem_private_join_ent_t * ent, fd_shmem_join_info_t const * info );

static inline void
fd_shmem_private_join_write_begin( void ) {
  FD_SHMEM_PRIVATE_STORE( &fd_shmem_private_join_tab.seq, fd_shmem_private_join_tab.seq+1UL );
}

static inline void
fd_shmem_private_join_write_end( void ) {
  FD_SHMEM_PRIVATE_STORE( &fd_shmem_private_join_tab.seq, fd_shmem_private_join_tab.seq+1UL );
}

/* Stores every field of info into ent's (the one way it changes, with
   the ref_cnt exception above). */
static inline void
fd_shmem_private_join_publish( fd_shmem_private_join_ent_t * ent, fd_shmem_join_info_t const * info ) {
#define FD_SHMEM_PRIVATE_JOIN_STORE_FIELD( f ) FD_SHMEM_PRIVATE_STORE( &ent->info.f, info->f );
  FD_SHMEM_PRIVATE_JOIN_INFO_FIELDS( FD_SHMEM_PRIVATE_JOIN_STORE_FIELD )
#undef FD_SHMEM_PRIVATE_JOIN_STORE_FIELD
  fd_shmem_private_name_word_t const * from = (fd_shmem_private_name_word_t const *)info->name;
  fd_shmem_private_name_word_t       * to   = (fd_shmem_private_name_word_t       *)ent->info.name;
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_NAME_WORD_CNT; i++ ) FD_SHMEM_PRIVATE_STORE( &to[i], from[i] );
}

static inline void
fd_shmem_private_join_clear( fd_shmem_private_join_ent_t * ent ) {
  fd_shmem_join_info_t const zero = { 0 };
  fd_shmem_private_join_publish( ent, &zero );
}

/* ---- readers without the lock ---- */

/* The sequence number to give read_done, once no writer is inside. */
uint64_t fd_shmem_private_join_read_wait( void );

static inline uint64_t
fd_shmem_private_join_read_begin( void ) {
  uint64_t s = FD_SHMEM_PRIVATE_LOAD( &fd_shmem_private_join_tab.seq );
  return ( s & 1UL ) ? fd_shmem_private_join_read_wait() : s;
}

/* 1 when no writer changed the table since read_begin returned seq. */
static inline int
fd_shmem_private_join_read_done( uint64_t seq ) {
  return FD_SHMEM_PRIVATE_LOAD( &fd_shmem_private_join_tab.seq )==seq;
}

/* Runs the statements (lookups and copies) until no writer was inside
   the table meanwhile: what they leave behind is then consistent. */
#define FD_SHMEM_PRIVATE_JOIN_READ( ... ) do {                                          \
    uint64_t fd_shmem_private_seq_;                                                     \
    do { fd_shmem_private_seq_ = fd_shmem_private_join_read_begin(); __VA_ARGS__; }     \
    while( !fd_shmem_private_join_read_done( fd_shmem_private_seq_ ) );                 \
  } while( 0 )

/* Copies ent's info into *out (the mirror of publish). */
static inline void
fd_shmem_private_join_snapshot( fd_shmem_private_join_ent_t const * ent, fd_shmem_join_info_t * out ) {
#define FD_SHMEM_PRIVATE_JOIN_LOAD_FIELD( f ) out->f = FD_SHMEM_PRIVATE_LOAD( &ent->info.f );
  FD_SHMEM_PRIVATE_JOIN_INFO_FIELDS( FD_SHMEM_PRIVATE_JOIN_LOAD_FIELD )
#undef FD_SHMEM_PRIVATE_JOIN_LOAD_FIELD
  fd_shmem_private_name_word_t const * from = (fd_shmem_private_name_word_t const *)ent->info.name;
  fd_shmem_private_name_word_t       * to   = (fd_shmem_private_name_word_t       *)out->name;
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_NAME_WORD_CNT; i++ ) to[i] = FD_SHMEM_PRIVATE_LOAD( &from[i] );
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
static inline fd_shmem_private_join_ent_t *
fd_shmem_private_join_by_name( fd_shmem_private_name_t const * key, size_t len, unsigned key_hash ) {
  fd_shmem_private_join_tab_t * tab = &fd_shmem_private_join_tab;
  size_t s = key_hash & FD_SHMEM_PRIVATE_JOIN_SLOT_MASK;
  for( size_t probe=0UL; probe<FD_SHMEM_PRIVATE_JOIN_SLOT_CNT; probe++ ) {
    unsigned v = FD_SHMEM_PRIVATE_LOAD( &tab->name_slot[s] );
    if( !v ) return NULL;
    fd_shmem_private_join_ent_t * e = &tab->ent[ v-1U ];
    fd_shmem_private_name_word_t const * name = (fd_shmem_private_name_word_t const *)e->info.name;
    uint64_t diff = FD_SHMEM_PRIVATE_LOAD( &name[0] ) ^ key->w[0];
    for( size_t i=1UL; !diff && i<=len/8UL; i++ ) diff |= FD_SHMEM_PRIVATE_LOAD( &name[i] ) ^ key->w[i];
    if( !diff ) return e;
    s = ( s+1UL ) & FD_SHMEM_PRIVATE_JOIN_SLOT_MASK;
  }
  return NULL;
}

static inline fd_shmem_private_join_ent_t *
fd_shmem_private_join_by_join( void const * join ) {
  fd_shmem_private_join_tab_t * tab = &fd_shmem_private_join_tab;
  size_t s = fd_shmem_private_join_ptr_hash( join ) & FD_SHMEM_PRIVATE_JOIN_SLOT_MASK;
  for( size_t probe=0UL; probe<FD_SHMEM_PRIVATE_JOIN_SLOT_CNT; probe++ ) {
    unsigned v = FD_SHMEM_PRIVATE_LOAD( &tab->join_slot[s] );
    if( !v ) return NULL;
    fd_shmem_private_join_ent_t * e = &tab->ent[ v-1U ];
    if( FD_SHMEM_PRIVATE_LOAD( &e->info.join )==join ) return e;
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
    if( FD_SHMEM_PRIVATE_LOAD( &fd_shmem_private_join_tab.addr_first[ mid ] )<=a ) lo = mid+1UL;
    else                                                                            hi = mid;
  }
  return lo;
}

/* The entry whose mapping overlaps [a0,a1] (inclusive), or NULL.
   Mappings never overlap, so only the last one starting at or below a1
   can reach a0. */
static inline fd_shmem_private_join_ent_t *
fd_shmem_private_join_by_addr( uintptr_t a0, uintptr_t a1 ) {
  fd_shmem_private_join_tab_t * tab = &fd_shmem_private_join_tab;
  size_t pos = fd_shmem_private_join_addr_upper( a1, FD_SHMEM_PRIVATE_LOAD( &tab->addr_cnt ) );
  if( !pos || FD_SHMEM_PRIVATE_LOAD( &tab->addr_last[ pos-1UL ] )<a0 ) return NULL;
  return &tab->ent[ FD_SHMEM_PRIVATE_LOAD( &tab->addr_ent[ pos-1UL ] ) ];
}

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H */
