#ifndef FDSHMEM_FD_GROOVE_VOLUME_H
#define FDSHMEM_FD_GROOVE_VOLUME_H

/* The groove volume pool: a lock-free pool of 1 GiB volumes living in
   shared memory.  The pool object and the volumes may be mapped at
   different addresses in each process: volumes are linked by index,
   never by pointer.  Every pool operation is safe from any number of
   threads and processes at once and never blocks. */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FD_GROOVE_VOLUME_ALIGN     (4096UL)
#define FD_GROOVE_VOLUME_FOOTPRINT (1073741824UL)
#define FD_GROOVE_VOLUME_MAGIC     (0xfd67007e701c3300UL)  /* may hold data; ~MAGIC: empty (in the pool) */
#define FD_GROOVE_VOLUME_INFO_MAX  (480UL)
#define FD_GROOVE_VOLUME_DATA_MAX  (FD_GROOVE_VOLUME_FOOTPRINT - 512UL)

/* Return codes: 0 success, negative errors.  Where a comment below says
   "FD_GROOVE_SUCCESS or one of:", the list is closed: no other code
   comes back (the pool makes no system call, so there is no catch-all).
   AGAIN, FULL and KEY are reserved: no function returns them; they keep
   the original pool's numbering (and fd_groove_strerror names them). */
#define FD_GROOVE_SUCCESS     (0)
#define FD_GROOVE_ERR_INVAL   (-1)
#define FD_GROOVE_ERR_AGAIN   (-2)  /* reserved */
#define FD_GROOVE_ERR_CORRUPT (-3)
#define FD_GROOVE_ERR_EMPTY   (-4)
#define FD_GROOVE_ERR_FULL    (-5)  /* reserved */
#define FD_GROOVE_ERR_KEY     (-6)  /* reserved */

/* A volume: exactly FD_GROOVE_VOLUME_FOOTPRINT bytes, 4096-aligned,
   living at volume0 + idx*FOOTPRINT.  Offsets are ABI. */
typedef struct fd_groove_volume {
  uint64_t magic;                                  /*   0 */
  uint64_t idx;                                    /*   8 */
  uint64_t next;                                   /*  16: pool link (private to the pool) */
  uint64_t info_sz;                                /*  24: 0..INFO_MAX */
  uint8_t  info[ FD_GROOVE_VOLUME_INFO_MAX ];      /*  32 */
  uint8_t  data[ FD_GROOVE_VOLUME_DATA_MAX ];      /* 512 */
}
#ifdef __GNUC__
__attribute__(( aligned( 4096 ) ))
#endif
fd_groove_volume_t;

/* A process's join of a pool.  Complete so that a caller can declare
   `fd_groove_volume_pool_t pool[1];`; the fields are the pool's own. */
typedef struct fd_groove_volume_pool {
  void * private_shpool;
  void * private_volume0;
  size_t private_volume_max;
} fd_groove_volume_pool_t;

/* Alignment and size of the shared pool object. */
size_t fd_groove_volume_pool_align    ( void );
size_t fd_groove_volume_pool_footprint( void );

/* Formats shmem (footprint bytes, aligned) as an empty pool.  Returns
   shmem, or NULL if shmem is NULL or misaligned. */
void * fd_groove_volume_pool_new( void * shmem );

/* Joins the pool at shpool, whose volumes are volume0[0..volume_max) as
   mapped in this process, into the local join ljoin.  Returns ljoin as
   a join, or NULL (NULL or misaligned ljoin / shpool / volume0, shpool
   not a pool, volume_max 0 or more than the address space can hold). */
fd_groove_volume_pool_t *
fd_groove_volume_pool_join( void * ljoin, void * shpool, void * volume0, size_t volume_max );

/* Returns the ljoin memory of join, or NULL if join is NULL. */
void * fd_groove_volume_pool_leave( fd_groove_volume_pool_t * join );

/* Unformats the pool at shpool.  Returns shpool, or NULL if it is not a
   pool.  No join may be in use. */
void * fd_groove_volume_pool_delete( void * shpool );

void * fd_groove_volume_pool_volume0   ( fd_groove_volume_pool_t * join );
size_t fd_groove_volume_pool_volume_max( fd_groove_volume_pool_t const * join );

/* fd_groove_volume_pool_add puts the volumes of [mem, mem+footprint) in
   the pool.  footprint 0 succeeds and does nothing.  Otherwise the range
   must lie in [volume0, volume0 + volume_max*FOOTPRINT) with both ends on
   FOOTPRINT boundaries from volume0.  Each volume gets its idx, the info
   (NULL info means size 0; at most INFO_MAX bytes are kept; the rest of
   info[] is zeroed) and the empty magic, written last.  Later removes
   hand the volumes out lowest address first.
   Returns FD_GROOVE_SUCCESS or one of: FD_GROOVE_ERR_INVAL (NULL join
   or mem, a range outside the pool or not on volume boundaries). */
int fd_groove_volume_pool_add( fd_groove_volume_pool_t * join, void * mem, size_t footprint,
                               void const * info, size_t info_sz );

/* fd_groove_volume_pool_remove takes a volume out of the pool and returns
   it with its magic cleared to 0, or NULL when the pool is empty or its
   top is corrupt (a volume whose header is not an empty volume of that
   index, or a bad link, is never handed out).
   fd_groove_volume_pool_remove (NULL join: NULL too) says nothing of
   why; fd_groove_volume_pool_remove_err is the same, and *opt_err (if
   not NULL) gets FD_GROOVE_SUCCESS or one of: FD_GROOVE_ERR_EMPTY,
   FD_GROOVE_ERR_CORRUPT, FD_GROOVE_ERR_INVAL (NULL join). */
void * fd_groove_volume_pool_remove    ( fd_groove_volume_pool_t * join );
void * fd_groove_volume_pool_remove_err( fd_groove_volume_pool_t * join, int * opt_err );

/* A short description of an FD_GROOVE_* code ("unknown" otherwise). */
char const * fd_groove_strerror( int err );

#ifdef __cplusplus
}
#endif

#endif /* FDSHMEM_FD_GROOVE_VOLUME_H */
