/* NUMA placement of fresh mappings: bind, populate, verify. */

#include "fd_shmem_sys.h"
#include "../base/fd_shmem_errset.h"

#include <errno.h>
#include <limits.h>
#include <numaif.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MASK_WORDS  ( FD_SHMEM_NUMA_MAX / ( 8UL*sizeof(unsigned long) ) )
#define CHECK_BATCH (512UL)  /* pages verified per move_pages call */
#define CHECK_TRIES (1000)   /* asks about a batch with pages in transit */

/* 1 for a move_pages status that can be momentary: compaction migrates
   even locked pages, and a page under migration reads as absent or
   busy until it lands (on the same node). */
static int
status_transient( int status ) {
  return status==-ENOENT || status==-EBUSY;
}

/* Checks that page_cnt pages at mem are on node (NUMA kernels with
   libnuma loaded only),
   asking again about a batch while some page of it is in transit.
   Returns 0, EFAULT (elsewhere or absent) or the move_pages errno. */
static int
check_node( void const * mem, size_t page_sz, size_t page_cnt, int node ) {
  void * pages [ CHECK_BATCH ];
  int    status[ CHECK_BATCH ];
  for( size_t done=0UL; done<page_cnt; ) {
    size_t n = page_cnt-done < CHECK_BATCH ? page_cnt-done : CHECK_BATCH;
    for( size_t i=0UL; i<n; i++ ) pages[i] = (char *)mem + ( done+i )*page_sz;
    for( int tries=0;; tries++ ) {
      if( fd_shmem_private_numa_lib()->move_pages( 0, (unsigned long)n, pages, NULL, status, 0 ) ) return errno;
      int transit = 0;
      for( size_t i=0UL; i<n; i++ ) {
        if( status[i]==node ) continue;
        if( !status_transient( status[i] ) ) return EFAULT;
        transit = 1;
      }
      if( !transit ) break;
      if( tries==CHECK_TRIES ) return EFAULT;
      sched_yield();
    }
    done += n;
  }
  return 0;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  /* Linux 5.14 */
#endif

/* Faults in every page of [mem, mem+sz) without locking it, so creating
   a region needs no RLIMIT_MEMLOCK.  A shortage shows as EFAULT (the
   fault would SIGBUS: hugetlbfs pool or tmpfs size exhausted) or ENOMEM,
   and is returned as ENOMEM: never a region that SIGBUSes on first
   touch.  Kernels before 5.14 reject the advice (EINVAL): mlock then
   populates, as it always did (and locks, until the caller unmaps).
   Both are raw system calls because sanitizer runtimes intercept them
   (mlock becomes a no-op).  Returns 0 or ENOMEM. */
static int
populate( char * mem, size_t sz ) {
  if( !syscall( SYS_madvise, mem, sz, MADV_POPULATE_WRITE ) ) return 0;
  if( errno!=EINVAL ) return ENOMEM;
  return syscall( SYS_mlock, mem, sz ) ? ENOMEM : 0;
}

/* Binds one subregion to its node while it has no page yet (for a tmpfs
   file the policy goes on the file, and outlives this mapping), faults
   in its pages, which the binding puts on the node, then verifies.  Pages
   the file had before (an update) stay where they were until moved: when
   some are elsewhere, the binding is applied again with MPOL_MF_MOVE_ALL
   (needs CAP_SYS_NICE; also moves pages that joins elsewhere map), else
   MPOL_MF_MOVE (only pages mapped here alone), which migrates the pages
   now mapped here, and the check repeated.  Pages still elsewhere after
   MPOL_MF_MOVE are shared with other processes: EPERM, said so.  The
   caller's own memory policy is never touched. */
static int
place_sub( char * mem, size_t page_sz, size_t page_cnt, size_t cpu_idx, int has_numa ) {
  size_t sz = page_cnt*page_sz;
  if( !has_numa ) return populate( mem, sz );

  fd_shmem_private_numa_lib_t const * lib = fd_shmem_private_numa_lib();
  int node = (int)fd_shmem_numa_idx( cpu_idx );
  unsigned long mask[ MASK_WORDS ] = { 0UL };
  mask[ node / (int)( 8*sizeof(unsigned long) ) ] = 1UL << ( node % (int)( 8*sizeof(unsigned long) ) );
  if( lib->mbind( mem, sz, MPOL_BIND, mask, FD_SHMEM_NUMA_MAX, 0U ) ) return errno;
  if( populate( mem, sz ) ) return ENOMEM;  /* the node could not supply the pages */
  int err = check_node( mem, page_sz, page_cnt, node );
  if( err!=EFAULT ) return err;
  int no_cap = lib->mbind( mem, sz, MPOL_BIND, mask, FD_SHMEM_NUMA_MAX, MPOL_MF_MOVE_ALL ) && errno==EPERM;
  if( no_cap ) (void)lib->mbind( mem, sz, MPOL_BIND, mask, FD_SHMEM_NUMA_MAX, MPOL_MF_MOVE );
  err = check_node( mem, page_sz, page_cnt, node );
  if( err!=EFAULT ) return err;
  if( !no_cap ) return ENOMEM;
  fd_shmem_private_figs_t figs = { .numa_idx=(size_t)node };
  return fd_shmem_private_fail( EPERM, FD_SHMEM_REASON_NO_PRIV, NULL, &figs, "some pages stay off node %d: other "
                                "processes map them too (the region is joined elsewhere), and pages mapped by other "
                                "processes can be moved only with CAP_SYS_NICE", node );
}

int
fd_shmem_private_place( void * mem, size_t page_sz, size_t sub_cnt,
                        size_t const * sub_page_cnt, size_t const * sub_cpu_idx ) {
  int    has_numa = fd_shmem_private_has_numa();
  int    err      = 0;
  char * sub      = (char *)mem;
  for( size_t i=0UL; i<sub_cnt && !err; i++ ) {
    if( !sub_page_cnt[i] ) continue;
    err  = place_sub( sub, page_sz, sub_page_cnt[i], sub_cpu_idx[i], has_numa );
    sub += sub_page_cnt[i]*page_sz;
  }
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_numa_validate( void const * mem, size_t page_sz, size_t page_cnt, size_t cpu_idx ) {
  if( !mem || !fd_shmem_is_page_sz( page_sz ) || !page_cnt || page_cnt > (size_t)LONG_MAX/page_sz ||
      !fd_shmem_private_is_aligned( mem, page_sz ) || cpu_idx>=fd_shmem_cpu_cnt() ) return EINVAL;
  if( !fd_shmem_private_has_numa() ) return 0;  /* one node: everything is on it */
  int err = check_node( mem, page_sz, page_cnt, (int)fd_shmem_numa_idx( cpu_idx ) );
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_numa_validate, err );  /* a move_pages failure: EIO */
}
