#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H

/* The process's table of joins, with constant-time lookup by name and
   by handle and logarithmic lookup by address.

   Writers hold the join lock (fd_shmem_join.c) and make every change
   inside a write section.  Readers may skip the lock: they look up and
   copy between fd_shmem_private_join_read_begin and a successful
   fd_shmem_private_join_read_done, and start again otherwise (a sequence
   lock).  So that such a reader never races a writer, every field a
   reader loads is stored with SHARED_STORE and loaded with SHARED_LOAD;
   acquire loads and release stores also keep a reader's loads between
   its two reads of the sequence number, and cost nothing on x86-64. */

#include "fd_shmem_private.h"

#include <pthread.h>

#define SHARED_LOAD( p )     __atomic_load_n( (p), __ATOMIC_ACQUIRE )
#define SHARED_STORE( p, v ) __atomic_store_n( (p), (v), __ATOMIC_RELEASE )

typedef struct {
  fd_shmem_join_info_t info;   /* first: iteration hands out &ent->info; shared with readers */
  /* the rest is only touched under the join lock */
  int                  used;
  int                  anon;   /* registered by fd_shmem_join_anonymous */
  int                  in_join_idx;
  int                  in_addr_idx;
  pthread_t            busy_owner;  /* thread running a callback (info.ref_cnt==-1) */
} join_ent_t;

extern join_ent_t fd_shmem_private_join_ent[ FD_SHMEM_JOIN_MAX ];

/* The join's hash of a name key of len characters: the same in every
   process. */
unsigned     fd_shmem_private_join_hash( fd_shmem_private_name_t const * key, size_t len );

/* Writers, with the join lock held. */
void         fd_shmem_private_join_write_begin( void );
void         fd_shmem_private_join_write_end( void );

/* A free entry named key (info.name, info.hash set) and indexed by name,
   or NULL when the table is full. */
join_ent_t * fd_shmem_private_join_add( fd_shmem_private_name_t const * key, unsigned hash );
void         fd_shmem_private_join_remove( join_ent_t * ent );
/* Indexes ent by info.join / by [info.shmem, +page_sz*page_cnt). */
void         fd_shmem_private_join_index_join( join_ent_t * ent );
void         fd_shmem_private_join_index_addr( join_ent_t * ent );

/* Readers without the lock: read_begin returns the sequence number to
   give read_done, which is 1 when nothing changed meanwhile. */
uint64_t     fd_shmem_private_join_read_begin( void );
int          fd_shmem_private_join_read_done( uint64_t seq );

/* Lookups, for writers and readers alike. */
join_ent_t * fd_shmem_private_join_by_name( fd_shmem_private_name_t const * key, unsigned hash );
join_ent_t * fd_shmem_private_join_by_join( void const * join );
/* The entry whose mapping overlaps [a0,a1] (inclusive), or NULL. */
join_ent_t * fd_shmem_private_join_by_addr( uintptr_t a0, uintptr_t a1 );
/* Copies ent's info into *out. */
void         fd_shmem_private_join_snapshot( join_ent_t const * ent, fd_shmem_join_info_t * out );

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H */
