/* The join table's changes (writers, with the join lock held): entries
   added, updated and removed, hash slots inserted and removed with
   backward-shift deletion, the address index kept sorted.  Lookups are
   inline in the header. */

#include "fd_shmem_join_tab.h"

#include <sched.h>
#include <string.h>
#include <xxhash.h>

#define SLOT_MASK  FD_SHMEM_PRIVATE_JOIN_SLOT_MASK
#define READ_SPINS (64U)  /* a reader yields after this many tries */

fd_shmem_private_join_tab_t fd_shmem_private_join_tab;

static fd_shmem_private_join_tab_t * const tab = &fd_shmem_private_join_tab;

uint64_t
fd_shmem_private_join_read_wait( void ) {
  for( unsigned spin=0U;; spin++ ) {
    uint64_t s = FD_SHMEM_PRIVATE_LOAD( &tab->seq );
    if( !( s & 1UL ) ) return s;
    if( spin>=READ_SPINS ) sched_yield();  /* the writer may have been preempted */
  }
}

/* ---- hash indexes ---- */

static size_t ent_idx( fd_shmem_private_join_ent_t const * ent ) { return (size_t)( ent - tab->ent ); }

static size_t
slot_home( uint16_t const * slots, size_t idx ) {
  fd_shmem_private_join_ent_t const * e = &tab->ent[ idx ];
  return ( slots==tab->name_slot ? (size_t)e->key_hash : fd_shmem_private_join_ptr_hash( e->info.join ) ) & SLOT_MASK;
}

static void
slot_insert( uint16_t * slots, size_t home, size_t idx ) {
  size_t s = home;
  while( slots[s] ) s = ( s+1UL ) & SLOT_MASK;
  FD_SHMEM_PRIVATE_STORE( &slots[s], (uint16_t)( idx+1UL ) );
}

/* Removes idx, then shifts later members of the probe run back so that
   lookups never need tombstones. */
static void
slot_remove( uint16_t * slots, size_t home, size_t idx ) {
  size_t s = home;
  while( slots[s]!=idx+1UL ) s = ( s+1UL ) & SLOT_MASK;
  FD_SHMEM_PRIVATE_STORE( &slots[s], (uint16_t)0 );
  for( size_t t=( s+1UL ) & SLOT_MASK; slots[t]; t=( t+1UL ) & SLOT_MASK ) {
    size_t h = slot_home( slots, slots[t]-1UL );
    /* move t into the hole s unless its home lies cyclically in (s, t] */
    int stays = ( s<t ) ? ( h>s && h<=t ) : ( h>s || h<=t );
    if( stays ) continue;
    FD_SHMEM_PRIVATE_STORE( &slots[s], slots[t] );
    FD_SHMEM_PRIVATE_STORE( &slots[t], (uint16_t)0 );
    s = t;
  }
}

/* ---- address index ---- */

static void
addr_move( size_t to, size_t from ) {
  FD_SHMEM_PRIVATE_STORE( &tab->addr_first[ to ], tab->addr_first[ from ] );
  FD_SHMEM_PRIVATE_STORE( &tab->addr_last [ to ], tab->addr_last [ from ] );
  FD_SHMEM_PRIVATE_STORE( &tab->addr_ent  [ to ], tab->addr_ent  [ from ] );
}

static void
addr_index( fd_shmem_private_join_ent_t const * ent ) {
  uintptr_t first = (uintptr_t)ent->info.shmem;
  size_t    pos   = fd_shmem_private_join_addr_upper( first, tab->addr_cnt );
  for( size_t i=tab->addr_cnt; i>pos; i-- ) addr_move( i, i-1UL );
  FD_SHMEM_PRIVATE_STORE( &tab->addr_first[ pos ], first );
  FD_SHMEM_PRIVATE_STORE( &tab->addr_last [ pos ], first + ( ent->info.page_sz*ent->info.page_cnt-1UL ) );
  FD_SHMEM_PRIVATE_STORE( &tab->addr_ent  [ pos ], (uint16_t)ent_idx( ent ) );
  FD_SHMEM_PRIVATE_STORE( &tab->addr_cnt, tab->addr_cnt+1UL );
}

static void
addr_unindex( fd_shmem_private_join_ent_t const * ent ) {
  /* starts are distinct, so ent's is the last at or below it */
  size_t pos = fd_shmem_private_join_addr_upper( (uintptr_t)ent->info.shmem, tab->addr_cnt ) - 1UL;
  for( size_t i=pos; i+1UL<tab->addr_cnt; i++ ) addr_move( i, i+1UL );
  FD_SHMEM_PRIVATE_STORE( &tab->addr_cnt, tab->addr_cnt-1UL );
}

/* ---- entries ---- */

/* The hash fd_shmem_join_info_t publishes, as the original Firedancer
   computes it: the low 32 bits of XXH64, seed 0, over the name padded
   with zero bytes to FD_SHMEM_NAME_MAX. */
static unsigned
published_hash( fd_shmem_private_name_t const * key ) {
  return (unsigned)XXH64( key->c, FD_SHMEM_NAME_MAX, 0UL );
}

static size_t
join_home( void const * join ) {
  return fd_shmem_private_join_ptr_hash( join ) & SLOT_MASK;
}

fd_shmem_private_join_ent_t *
fd_shmem_private_join_add( fd_shmem_private_name_t const * key, unsigned key_hash,
                           fd_shmem_join_info_t const * info ) {
  if( tab->ent_cnt>=FD_SHMEM_JOIN_MAX ) return NULL;
  size_t idx = 0UL;
  while( tab->ent[ idx ].info.name[0] ) idx++;
  fd_shmem_private_join_ent_t * ent = &tab->ent[ idx ];  /* all zero since its removal */
  fd_shmem_join_info_t named = *info;
  named.hash = published_hash( key );
  memcpy( named.name, key->c, FD_SHMEM_NAME_MAX );
  ent->key_hash = key_hash;
  slot_insert( tab->name_slot, key_hash & SLOT_MASK, idx );
  tab->ent_cnt++;
  fd_shmem_private_join_update( ent, &named );
  return ent;
}

void
fd_shmem_private_join_update( fd_shmem_private_join_ent_t * ent, fd_shmem_join_info_t const * info ) {
  int index_join = !ent->info.join  && info->join;
  int index_addr = !ent->info.shmem && info->shmem;
  fd_shmem_private_join_publish( ent, info );
  if( index_join ) slot_insert( tab->join_slot, join_home( info->join ), ent_idx( ent ) );
  if( index_addr ) addr_index( ent );
}

void
fd_shmem_private_join_remove( fd_shmem_private_join_ent_t * ent ) {
  size_t idx = ent_idx( ent );
  slot_remove( tab->name_slot, ent->key_hash & SLOT_MASK, idx );
  if( ent->info.join  ) slot_remove( tab->join_slot, join_home( ent->info.join ), idx );
  if( ent->info.shmem ) addr_unindex( ent );
  fd_shmem_private_join_clear( ent );
  size_t own = offsetof( fd_shmem_private_join_ent_t, key_hash );  /* the writers' fields follow info */
  memset( (char *)ent + own, 0, sizeof(*ent) - own );
  tab->ent_cnt--;
}
