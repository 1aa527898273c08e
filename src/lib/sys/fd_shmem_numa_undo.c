/* What an update must put back if it fails, read before it changes
   anything: the node of each page the region keeps and, for a tmpfs
   file, the memory policy the file holds over the range the update
   binds (a hugetlbfs policy lives on the mapping and goes with it). */

#include "fd_shmem_sys.h"

#include <errno.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MASK_WORDS ( FD_SHMEM_NUMA_MAX / ( 8UL*sizeof(unsigned long) ) )

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  /* Linux 5.14 */
#endif

struct fd_shmem_private_numa_undo {
  size_t page_sz;
  size_t keep_cnt;   /* pages kept: node[0..keep_cnt) */
  size_t pol_cnt;    /* pages whose policy is recorded (0: hugetlbfs) */
  int *  node;
  size_t run_cnt;
  struct undo_run {  /* pages [first, first+cnt) had policy mode over mask */
    size_t        first, cnt;
    int           mode;
    unsigned long mask[ MASK_WORDS ];
  } * run;
};

/* The errno of a query here: EPERM, which an update keeps for pages
   other processes map, is unexpected from it and becomes EIO (logged). */
static int
undo_errno( char const * call ) {
  int err = errno;
  if( err!=EPERM ) return err;
  char text[ 256 ];
  snprintf( text, sizeof(text), "%s: unexpected error: %s (errno %d); returned as EIO", call, strerror( err ), err );
  FD_SHMEM_PRIVATE_WARN( "%s", text );
  fd_shmem_private_reason_sys_err( EIO, err, NULL, text );
  return EIO;
}

/* Maps the first cnt pages of fd and maps in the first keep_cnt of
   them, which the file has (reading allocates nothing): move_pages sees
   only pages mapped in this process.  Returns the mapping or NULL. */
static char *
undo_map( int fd, size_t page_sz, size_t cnt, size_t keep_cnt ) {
  void * mem = mmap( NULL, cnt*page_sz, PROT_READ, MAP_SHARED, fd, 0 );
  if( mem==MAP_FAILED ) return NULL;
  if( keep_cnt && syscall( SYS_madvise, mem, keep_cnt*page_sz, MADV_POPULATE_READ ) ) {
    volatile char sink;  /* kernels before 5.14: fault each page in by reading it */
    for( size_t i=0UL; i<keep_cnt; i++ ) sink = ( (char volatile *)mem )[ i*page_sz ];
    (void)sink;
  }
  return (char *)mem;
}

static size_t
undo_map_cnt( fd_shmem_private_numa_undo_t const * u ) {
  return u->pol_cnt>u->keep_cnt ? u->pol_cnt : u->keep_cnt;
}

/* Records the policy of each page of mem in runs of equal policy. */
static int
undo_read_policy( fd_shmem_private_numa_undo_t * u, char * mem ) {
  u->run = calloc( u->pol_cnt ? u->pol_cnt : 1UL, sizeof(u->run[0]) );
  if( !u->run ) return ENOMEM;
  for( size_t i=0UL; i<u->pol_cnt; i++ ) {
    struct undo_run r = { .first = i, .cnt = 1UL };
    if( fd_shmem_private_numa_lib()->get_mempolicy( &r.mode, r.mask, FD_SHMEM_NUMA_MAX, mem + i*u->page_sz,
                                                    MPOL_F_ADDR ) )
      return undo_errno( "get_mempolicy" );
    struct undo_run * last = u->run_cnt ? &u->run[ u->run_cnt-1UL ] : NULL;
    if( last && last->mode==r.mode && !memcmp( last->mask, r.mask, sizeof(r.mask) ) ) last->cnt++;
    else u->run[ u->run_cnt++ ] = r;
  }
  return 0;
}

int
fd_shmem_private_numa_undo_take( fd_shmem_private_numa_undo_t ** out, int fd, size_t page_sz,
                                 size_t keep_cnt ) {
  *out = NULL;
  if( !fd_shmem_private_has_numa() ) return 0;
  fd_shmem_private_numa_undo_t * u = calloc( 1UL, sizeof(*u) );
  if( !u ) return ENOMEM;
  u->page_sz  = page_sz;
  u->keep_cnt = keep_cnt;
  int    err  = 0;
  char * mem  = undo_map( fd, page_sz, keep_cnt ? keep_cnt : 1UL, keep_cnt );
  void ** pages = calloc( keep_cnt ? keep_cnt : 1UL, sizeof(void *) );
  u->node = calloc( keep_cnt ? keep_cnt : 1UL, sizeof(int) );
  if( !mem ) err = errno==EAGAIN ? ENOMEM : errno;
  else if( !pages || !u->node ) err = ENOMEM;
  if( !err ) {
    for( size_t i=0UL; i<keep_cnt; i++ ) pages[i] = mem + i*page_sz;
    if( keep_cnt && fd_shmem_private_numa_lib()->move_pages( 0, (unsigned long)keep_cnt, pages, NULL, u->node, 0 ) )
      err = undo_errno( "move_pages" );
  }
  free( pages );
  if( mem ) munmap( mem, ( keep_cnt ? keep_cnt : 1UL )*page_sz );
  if( err ) fd_shmem_private_numa_undo_free( u );
  else      *out = u;
  return err;
}

int
fd_shmem_private_numa_undo_take_policy( fd_shmem_private_numa_undo_t * u, int fd, size_t new_cnt ) {
  if( !u || u->page_sz!=FD_SHMEM_NORMAL_PAGE_SZ || !new_cnt ) return 0;
  u->pol_cnt = new_cnt;
  char * mem = undo_map( fd, u->page_sz, new_cnt, 0UL );
  if( !mem ) { u->pol_cnt = 0UL; return errno==EAGAIN ? ENOMEM : errno; }
  int err = undo_read_policy( u, mem );
  munmap( mem, new_cnt*u->page_sz );
  return err;
}

void
fd_shmem_private_numa_undo_moved( fd_shmem_private_numa_undo_t const * u, size_t sub_cnt,
                                  size_t const * sub_page_cnt, size_t const * sub_cpu_idx, size_t * moved ) {
  if( !u ) return;
  size_t page = 0UL;
  for( size_t i=0UL; i<sub_cnt && page<u->keep_cnt; i++ ) {
    int node = (int)fd_shmem_numa_idx( sub_cpu_idx[i] );
    for( size_t j=0UL; j<sub_page_cnt[i] && page<u->keep_cnt; j++, page++ )
      if( u->node[ page ]!=node ) moved[ node ]++;
  }
}

/* Moves the kept pages of mem back to their nodes (every page mapped
   here: see undo_map).  Returns how many are not back. */
static size_t
undo_move_back( fd_shmem_private_numa_undo_t const * u, char * mem ) {
  size_t  cnt    = u->keep_cnt;
  void ** pages  = calloc( cnt, sizeof(void *) );
  int *   status = calloc( cnt, sizeof(int) );
  size_t  left   = cnt;
  fd_shmem_private_numa_lib_t const * lib = fd_shmem_private_numa_lib();
  if( pages && status ) {
    for( size_t i=0UL; i<cnt; i++ ) pages[i] = mem + i*u->page_sz;
    if( lib->move_pages( 0, (unsigned long)cnt, pages, u->node, status, MPOL_MF_MOVE_ALL ) && errno==EPERM )
      (void)lib->move_pages( 0, (unsigned long)cnt, pages, u->node, status, MPOL_MF_MOVE );
    if( !lib->move_pages( 0, (unsigned long)cnt, pages, NULL, status, 0 ) )
      for( size_t i=0UL; i<cnt; i++ ) left -= status[i]==u->node[i];
  }
  free( pages );
  free( status );
  return left;
}

/* Gives the file range under [mem, mem+sz) policy r.  MPOL_DEFAULT is
   set over a policy of this mapping's own: the kernel skips a mapping
   whose (own, default) policy already equals the new one, and would
   leave the file's policy in place. */
static int
undo_policy( char * mem, size_t sz, struct undo_run const * r ) {
  fd_shmem_private_numa_lib_t const * lib = fd_shmem_private_numa_lib();
  if( r->mode!=MPOL_DEFAULT ) return (int)lib->mbind( mem, sz, r->mode, r->mask, FD_SHMEM_NUMA_MAX, 0U );
  if( lib->mbind( mem, sz, MPOL_LOCAL, NULL, 0UL, 0U ) ) return -1;
  return (int)lib->mbind( mem, sz, MPOL_DEFAULT, NULL, 0UL, 0U );
}

void
fd_shmem_private_numa_undo_apply( fd_shmem_private_numa_undo_t const * u, int fd, char const * what ) {
  if( !u ) return;
  char * mem = undo_map( fd, u->page_sz, undo_map_cnt( u ), u->keep_cnt );
  if( !mem ) {
    FD_SHMEM_PRIVATE_WARN( "%s: cannot map the region to put its pages and policy back (%s)", what, strerror( errno ) );
    return;
  }
  for( size_t i=0UL; i<u->run_cnt; i++ )
    if( undo_policy( mem + u->run[i].first*u->page_sz, u->run[i].cnt*u->page_sz, &u->run[i] ) )
      FD_SHMEM_PRIVATE_WARN( "%s: cannot put back the policy of pages %zu..%zu (%s)", what, u->run[i].first,
                             u->run[i].first+u->run[i].cnt-1UL, strerror( errno ) );
  size_t left = u->keep_cnt ? undo_move_back( u, mem ) : 0UL;
  if( left ) FD_SHMEM_PRIVATE_WARN( "%s: %zu page%s could not be moved back to %s node", what, left,
                                    FD_SHMEM_PRIVATE_S( left ), left==1UL ? "its" : "their" );
  munmap( mem, undo_map_cnt( u )*u->page_sz );
}

void
fd_shmem_private_numa_undo_free( fd_shmem_private_numa_undo_t * u ) {
  if( !u ) return;
  free( u->node );
  free( u->run );
  free( u );
}
