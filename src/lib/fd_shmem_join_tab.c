/* The join table's changes (writers, with the join lock held): entries
   added and removed, hash slots inserted and removed with backward-shift
   deletion, the address index kept sorted.  Lookups are inline in the
   header. */

#include "fd_shmem_join_tab.h"

#include <sched.h>
#include <stddef.h>

#define SLOT_MASK  FD_SHMEM_PRIVATE_JOIN_SLOT_MASK
#define READ_SPINS (64U)  /* a reader yields after this many tries */

_Static_assert( offsetof( fd_shmem_join_info_t, name ) % 8UL==0UL, "name is word aligned" );
_Static_assert( FD_SHMEM_NAME_MAX % 8UL==0UL, "name is whole words" );

join_tab_t fd_shmem_private_join_tab;

static join_tab_t * const tab = &fd_shmem_private_join_tab;

uint64_t
fd_shmem_private_join_read_wait( void ) {
  for( unsigned spin=0U;; spin++ ) {
    uint64_t s = SHARED_LOAD( &tab->seq );
    if( !( s & 1UL ) ) return s;
    if( spin>=READ_SPINS ) sched_yield();  /* the writer may have been preempted */
  }
}

/* ---- hash indexes ---- */

static size_t ent_idx( join_ent_t const * ent ) { return (size_t)( ent - tab->ent ); }

static size_t
slot_home( uint16_t const * slots, size_t idx ) {
  join_ent_t const * e = &tab->ent[ idx ];
  return ( slots==tab->name_slot ? (size_t)e->info.hash : fd_shmem_private_join_ptr_hash( e->info.join ) ) & SLOT_MASK;
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

static void
addr_move( size_t to, size_t from ) {
  SHARED_STORE( &tab->addr_first[ to ], tab->addr_first[ from ] );
  SHARED_STORE( &tab->addr_last [ to ], tab->addr_last [ from ] );
  SHARED_STORE( &tab->addr_ent  [ to ], tab->addr_ent  [ from ] );
}

void
fd_shmem_private_join_index_addr( join_ent_t * ent ) {
  uintptr_t first = (uintptr_t)ent->info.shmem;
  size_t    pos   = fd_shmem_private_join_addr_upper( first, tab->addr_cnt );
  for( size_t i=tab->addr_cnt; i>pos; i-- ) addr_move( i, i-1UL );
  SHARED_STORE( &tab->addr_first[ pos ], first );
  SHARED_STORE( &tab->addr_last [ pos ], first + ( ent->info.page_sz*ent->info.page_cnt-1UL ) );
  SHARED_STORE( &tab->addr_ent  [ pos ], (uint16_t)ent_idx( ent ) );
  SHARED_STORE( &tab->addr_cnt, tab->addr_cnt+1UL );
  ent->in_addr_idx = 1;
}

static void
addr_unindex( join_ent_t const * ent ) {
  /* starts are distinct, so ent's is the last at or below it */
  size_t pos = fd_shmem_private_join_addr_upper( (uintptr_t)ent->info.shmem, tab->addr_cnt ) - 1UL;
  for( size_t i=pos; i+1UL<tab->addr_cnt; i++ ) addr_move( i, i+1UL );
  SHARED_STORE( &tab->addr_cnt, tab->addr_cnt-1UL );
}

/* ---- entries ---- */

join_ent_t *
fd_shmem_private_join_add( fd_shmem_private_name_t const * key, unsigned hash ) {
  if( tab->ent_cnt>=FD_SHMEM_JOIN_MAX ) return NULL;
  size_t idx = 0UL;
  while( tab->ent[ idx ].used ) idx++;
  join_ent_t * ent = &tab->ent[ idx ];  /* all zero since its removal */
  ent->used = 1;
  SHARED_STORE( &ent->info.hash, hash );
  fd_shmem_private_name_word_t * name = (fd_shmem_private_name_word_t *)ent->info.name;
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_NAME_WORD_CNT; i++ ) SHARED_STORE( &name[i], key->w[i] );
  slot_insert( tab->name_slot, hash & SLOT_MASK, idx );
  tab->ent_cnt++;
  return ent;
}

void
fd_shmem_private_join_index_join( join_ent_t * ent ) {
  slot_insert( tab->join_slot, fd_shmem_private_join_ptr_hash( ent->info.join ) & SLOT_MASK, ent_idx( ent ) );
  ent->in_join_idx = 1;
}

void
fd_shmem_private_join_remove( join_ent_t * ent ) {
  size_t idx = ent_idx( ent );
  slot_remove( tab->name_slot, ent->info.hash & SLOT_MASK, idx );
  if( ent->in_join_idx ) slot_remove( tab->join_slot, fd_shmem_private_join_ptr_hash( ent->info.join ) & SLOT_MASK, idx );
  if( ent->in_addr_idx ) addr_unindex( ent );

  fd_shmem_join_info_t * info = &ent->info;
  SHARED_STORE( &info->ref_cnt,  0L   );
  SHARED_STORE( &info->join,     NULL );
  SHARED_STORE( &info->shmem,    NULL );
  SHARED_STORE( &info->page_sz,  0UL  );
  SHARED_STORE( &info->page_cnt, 0UL  );
  SHARED_STORE( &info->mode,     0    );
  SHARED_STORE( &info->hash,     0U   );
  fd_shmem_private_name_word_t * name = (fd_shmem_private_name_word_t *)info->name;
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_NAME_WORD_CNT; i++ ) SHARED_STORE( &name[i], 0UL );
  ent->used        = 0;
  ent->anon        = 0;
  ent->in_join_idx = 0;
  ent->in_addr_idx = 0;
  tab->ent_cnt--;
}
