#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H

/* The process's table of joins, with constant-time lookup by name and
   by handle and logarithmic lookup by address.  Not thread-safe: the
   caller (fd_shmem_join.c) holds its lock around every call. */

#include "fd_shmem_private.h"

#include <pthread.h>

typedef struct {
  fd_shmem_join_info_t info;   /* first: iteration hands out &ent->info */
  int                  used;
  int                  anon;   /* registered by fd_shmem_join_anonymous */
  int                  in_join_idx;
  int                  in_addr_idx;
  pthread_t            busy_owner;  /* thread running a callback (info.ref_cnt==-1) */
} join_ent_t;

extern join_ent_t fd_shmem_private_join_ent[ FD_SHMEM_JOIN_MAX ];

/* FNV-1a of the name: the join's hash, the same in every process. */
unsigned     fd_shmem_private_join_hash( char const * name );

size_t       fd_shmem_private_join_cnt( void );
/* A free entry with info.name, info.hash set and indexed by name, or NULL
   when the table is full. */
join_ent_t * fd_shmem_private_join_add( char const * name );
void         fd_shmem_private_join_remove( join_ent_t * ent );
/* Indexes ent by info.join / by [info.shmem, +page_sz*page_cnt). */
void         fd_shmem_private_join_index_join( join_ent_t * ent );
void         fd_shmem_private_join_index_addr( join_ent_t * ent );

join_ent_t * fd_shmem_private_join_by_name( char const * name );
join_ent_t * fd_shmem_private_join_by_join( void const * join );
/* The entry whose mapping overlaps [a0,a1] (inclusive), or NULL. */
join_ent_t * fd_shmem_private_join_by_addr( uintptr_t a0, uintptr_t a1 );

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_JOIN_TAB_H */
