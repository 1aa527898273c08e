/* The join table: a fixed array of entries, two open-addressing hash
   indexes (name, handle) with linear probing and backward-shift
   deletion, and an array of entries sorted by address. */

#include "fd_shmem_join_tab.h"

#include <string.h>

#define SLOT_CNT  (512UL)  /* power of two, over twice FD_SHMEM_JOIN_MAX */
#define SLOT_MASK (SLOT_CNT-1UL)
#define NO_ENT    (0xffffU)

join_ent_t fd_shmem_private_join_ent[ FD_SHMEM_JOIN_MAX ];

static size_t   ent_cnt;
static uint16_t name_slot[ SLOT_CNT ];           /* entry index or NO_ENT */
static uint16_t join_slot[ SLOT_CNT ];
static uint16_t addr_sorted[ FD_SHMEM_JOIN_MAX ];  /* entries by info.shmem */
static size_t   addr_cnt;
static int      slots_ready;

unsigned
fd_shmem_private_join_hash( char const * name ) {
  unsigned h = 2166136261U;
  for( ; *name; name++ ) h = ( h ^ (unsigned char)*name ) * 16777619U;
  return h;
}

static size_t
ptr_hash( void const * p ) {
  uint64_t x = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15UL;
  return (size_t)( x >> 40 );
}

static void
slots_init( void ) {
  if( slots_ready ) return;
  for( size_t i=0UL; i<SLOT_CNT; i++ ) name_slot[i] = join_slot[i] = NO_ENT;
  slots_ready = 1;
}

static size_t ent_idx( join_ent_t const * ent ) { return (size_t)( ent - fd_shmem_private_join_ent ); }

static size_t
slot_home( uint16_t const * slots, size_t idx ) {
  join_ent_t const * e = &fd_shmem_private_join_ent[ idx ];
  return ( slots==name_slot ? (size_t)e->info.hash : ptr_hash( e->info.join ) ) & SLOT_MASK;
}

static void
slot_insert( uint16_t * slots, size_t home, size_t idx ) {
  size_t s = home;
  while( slots[s]!=NO_ENT ) s = ( s+1UL ) & SLOT_MASK;
  slots[s] = (uint16_t)idx;
}

/* Removes idx, then shifts later members of the probe run back so that
   lookups never need tombstones. */
static void
slot_remove( uint16_t * slots, size_t home, size_t idx ) {
  size_t s = home;
  while( slots[s]!=idx ) s = ( s+1UL ) & SLOT_MASK;
  slots[s] = NO_ENT;
  for( size_t t=( s+1UL ) & SLOT_MASK; slots[t]!=NO_ENT; t=( t+1UL ) & SLOT_MASK ) {
    size_t h = slot_home( slots, slots[t] );
    /* move t into the hole s unless its home lies cyclically in (s, t] */
    int stays = ( s<t ) ? ( h>s && h<=t ) : ( h>s || h<=t );
    if( stays ) continue;
    slots[s] = slots[t];
    slots[t] = NO_ENT;
    s = t;
  }
}

size_t fd_shmem_private_join_cnt( void ) { return ent_cnt; }

join_ent_t *
fd_shmem_private_join_add( char const * name ) {
  slots_init();
  if( ent_cnt>=FD_SHMEM_JOIN_MAX ) return NULL;
  size_t idx = 0UL;
  while( fd_shmem_private_join_ent[ idx ].used ) idx++;
  join_ent_t * ent = &fd_shmem_private_join_ent[ idx ];
  memset( ent, 0, sizeof(*ent) );
  ent->used      = 1;
  ent->info.hash = fd_shmem_private_join_hash( name );
  strncpy( ent->info.name, name, FD_SHMEM_NAME_MAX-1UL );
  slot_insert( name_slot, ent->info.hash & SLOT_MASK, idx );
  ent_cnt++;
  return ent;
}

void
fd_shmem_private_join_index_join( join_ent_t * ent ) {
  slot_insert( join_slot, ptr_hash( ent->info.join ) & SLOT_MASK, ent_idx( ent ) );
  ent->in_join_idx = 1;
}

/* Position of the first sorted entry whose mapping starts above a. */
static size_t
addr_upper( uintptr_t a ) {
  size_t lo = 0UL, hi = addr_cnt;
  while( lo<hi ) {
    size_t mid = ( lo+hi )/2UL;
    if( (uintptr_t)fd_shmem_private_join_ent[ addr_sorted[mid] ].info.shmem <= a ) lo = mid+1UL;
    else                                                                          hi = mid;
  }
  return lo;
}

void
fd_shmem_private_join_index_addr( join_ent_t * ent ) {
  size_t pos = addr_upper( (uintptr_t)ent->info.shmem );
  memmove( addr_sorted+pos+1UL, addr_sorted+pos, ( addr_cnt-pos )*sizeof(addr_sorted[0]) );
  addr_sorted[ pos ] = (uint16_t)ent_idx( ent );
  addr_cnt++;
  ent->in_addr_idx = 1;
}

void
fd_shmem_private_join_remove( join_ent_t * ent ) {
  size_t idx = ent_idx( ent );
  slot_remove( name_slot, ent->info.hash & SLOT_MASK, idx );
  if( ent->in_join_idx ) slot_remove( join_slot, ptr_hash( ent->info.join ) & SLOT_MASK, idx );
  if( ent->in_addr_idx ) {
    size_t pos = 0UL;
    while( addr_sorted[ pos ]!=idx ) pos++;
    memmove( addr_sorted+pos, addr_sorted+pos+1UL, ( addr_cnt-pos-1UL )*sizeof(addr_sorted[0]) );
    addr_cnt--;
  }
  memset( ent, 0, sizeof(*ent) );
  ent_cnt--;
}

join_ent_t *
fd_shmem_private_join_by_name( char const * name ) {
  if( !slots_ready ) return NULL;
  unsigned h = fd_shmem_private_join_hash( name );
  for( size_t s=h & SLOT_MASK; name_slot[s]!=NO_ENT; s=( s+1UL ) & SLOT_MASK ) {
    join_ent_t * e = &fd_shmem_private_join_ent[ name_slot[s] ];
    if( e->info.hash==h && !strcmp( e->info.name, name ) ) return e;
  }
  return NULL;
}

join_ent_t *
fd_shmem_private_join_by_join( void const * join ) {
  if( !slots_ready ) return NULL;
  for( size_t s=ptr_hash( join ) & SLOT_MASK; join_slot[s]!=NO_ENT; s=( s+1UL ) & SLOT_MASK ) {
    join_ent_t * e = &fd_shmem_private_join_ent[ join_slot[s] ];
    if( e->info.join==join ) return e;
  }
  return NULL;
}

/* Mappings never overlap, so only the last one starting at or below a1
   can reach a0. */
join_ent_t *
fd_shmem_private_join_by_addr( uintptr_t a0, uintptr_t a1 ) {
  size_t pos = addr_upper( a1 );
  if( !pos ) return NULL;
  join_ent_t * e = &fd_shmem_private_join_ent[ addr_sorted[ pos-1UL ] ];
  uintptr_t last = (uintptr_t)e->info.shmem + e->info.page_sz*e->info.page_cnt - 1UL;
  return last>=a0 ? e : NULL;
}
