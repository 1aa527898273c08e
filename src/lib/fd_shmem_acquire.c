/* Private pages: anonymous memory placed like a region, then locked:
   unlike a region's file, these pages live only in this mapping.  When
   the current domain reserves its huge or gigantic pages (exclusive),
   the pool has none left for anonymous mappings: its processes then
   map an unlinked file of the domain's mount privately instead. */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static int
acquire_flags( size_t page_sz ) {
  return MAP_PRIVATE | MAP_ANONYMOUS | fd_shmem_private_page_type_of( page_sz )->map_flags;
}

/* 1 if locking sz more bytes is beyond this process's RLIMIT_MEMLOCK
   (asked only after a failure, to say which step failed; a process
   with CAP_IPC_LOCK is not limited, which this does not see). */
static int
lock_refused( size_t sz ) {
  struct rlimit lim;
  return !getrlimit( RLIMIT_MEMLOCK, &lim ) && lim.rlim_cur!=RLIM_INFINITY && sz>lim.rlim_cur;
}

/* sz bytes of page_sz pages drawn from the reservation of the current
   domain's mount of that size, mapped privately from a file no name
   reaches (O_TMPFILE: it goes with the mapping), or MAP_FAILED with
   why saying what stood in the way ("" when the domain reserves none). */
static void *
map_reserved( size_t page_sz, size_t sz, char * why, size_t why_sz ) {
  why[0] = '\0';
  fd_shmem_private_domain_t dom;
  if( fd_shmem_private_domain_open( NULL, &dom ) ) return MAP_FAILED;
  size_t t   = fd_shmem_private_page_type_idx( page_sz );
  void * mem = MAP_FAILED;
  if( dom.info.type[ t ].state==FD_SHMEM_TYPE_MOUNTED && dom.type_reserved[ t ] ) {
    int fd = openat( dom.type_fd[ t ], ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600 );
    if( fd>=0 && !ftruncate( fd, (off_t)sz ) ) mem = mmap( NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0 );
    if( mem==MAP_FAILED )
      snprintf( why, why_sz, "; %s/%s reserves %zu for the domain, but %s: %s", dom.path,
                fd_shmem_private_type_name( page_sz ), dom.type_reserved[ t ],
                fd<0 ? "no file can be made there" : "mapping a file there failed", strerror( errno ) );
    if( fd>=0 ) close( fd );
  }
  fd_shmem_private_domain_close( &dom );
  return mem;
}

/* fd_shmem_acquire_multi, its errno not yet filtered. */
static void *
acquire_multi( size_t page_sz, size_t sub_cnt, size_t const * sub_page_cnt, size_t const * sub_cpu_idx ) {
  size_t page_cnt;
  int err = fd_shmem_private_check_subs( page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, &page_cnt );
  if( err ) { errno = err; return NULL; }
  /* hugetlb pools refuse cleanly at mmap or fault time; normal pages
     beyond what a node holds would meet the OOM killer instead */
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ &&
      fd_shmem_private_room( -1, "acquire", page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, 0UL, NULL ) ) {
    errno = ENOMEM;
    return NULL;
  }
  size_t sz  = page_cnt*page_sz;
  void * mem = mmap( NULL, sz, PROT_READ | PROT_WRITE, acquire_flags( page_sz ), -1, 0 );
  char   no_reserve[ FD_SHMEM_PATH_MAX+160UL ] = "";
  if( mem==MAP_FAILED ) err = errno==EAGAIN ? ENOMEM : errno;
  if( mem==MAP_FAILED && err==ENOMEM && page_sz!=FD_SHMEM_NORMAL_PAGE_SZ )
    mem = map_reserved( page_sz, sz, no_reserve, sizeof(no_reserve) );
  if( mem==MAP_FAILED ) {
    fd_shmem_private_figs_t figs = { .needed=page_cnt, .page_sz=page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
    errno = fd_shmem_private_fail( err, err==ENOMEM ? FD_SHMEM_REASON_NO_ROOM : FD_SHMEM_REASON_SYSTEM, NULL, &figs,
                                   "acquire of %zu %s page%s failed: no memory%s", page_cnt,
                                   fd_shmem_page_sz_to_cstr( page_sz ), FD_SHMEM_PRIVATE_S( page_cnt ), no_reserve );
    return NULL;
  }
  err = fd_shmem_private_place( mem, page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, 1 );  /* placed and locked */
  if( err ) {
    char const * why = lock_refused( sz ) ? "could not lock them (RLIMIT_MEMLOCK?)" : "could not place them";
    munmap( mem, sz );
    errno = fd_shmem_private_fail( err, err==ENOMEM ? FD_SHMEM_REASON_NO_ROOM : FD_SHMEM_REASON_SYSTEM, NULL, NULL,
                                   "acquire of %zu %s page%s failed: %s", page_cnt, fd_shmem_page_sz_to_cstr( page_sz ),
                                   FD_SHMEM_PRIVATE_S( page_cnt ), why );
    return NULL;
  }
  return mem;
}

FD_SHMEM_EXPORT void *
fd_shmem_acquire_multi( size_t page_sz, size_t sub_cnt,
                        size_t const * sub_page_cnt, size_t const * sub_cpu_idx ) {
  void * mem = acquire_multi( page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx );
  if( !mem ) errno = FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_acquire_multi, errno );
  return mem;
}

FD_SHMEM_EXPORT void *
fd_shmem_acquire( size_t page_sz, size_t page_cnt, size_t cpu_idx ) {
  void * mem = acquire_multi( page_sz, 1UL, &page_cnt, &cpu_idx );
  if( !mem ) errno = FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_acquire, errno );
  return mem;
}

FD_SHMEM_EXPORT int
fd_shmem_release( void * mem, size_t page_sz, size_t page_cnt ) {
  if( !mem || !fd_shmem_is_page_sz( page_sz ) || !page_cnt || page_cnt > (size_t)LONG_MAX/page_sz ||
      !fd_shmem_private_is_aligned( mem, page_sz ) ) {
    errno = EINVAL;
    return -1;
  }
  if( !munmap( mem, page_cnt*page_sz ) ) return 0;
  errno = FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_release, errno );
  return -1;
}
