/* Private pages: anonymous memory placed like a region, then locked:
   unlike a region's file, these pages live only in this mapping. */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
acquire_flags( size_t page_sz ) {
  return MAP_PRIVATE | MAP_ANONYMOUS | fd_shmem_private_page_type_of( page_sz )->map_flags;
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
  if( mem==MAP_FAILED ) {
    err = errno==EAGAIN ? ENOMEM : errno;
    fd_shmem_private_figs_t figs = { .needed=page_cnt, .page_sz=page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
    errno = fd_shmem_private_fail( err, err==ENOMEM ? FD_SHMEM_REASON_NO_ROOM : FD_SHMEM_REASON_SYSTEM, NULL, &figs,
                                   "acquire of %zu %s page%s failed: no memory", page_cnt,
                                   fd_shmem_page_sz_to_cstr( page_sz ), FD_SHMEM_PRIVATE_S( page_cnt ) );
    return NULL;
  }
  err = fd_shmem_private_place( mem, page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx );
  char const * why = "could not place them";
  /* a raw system call: sanitizer runtimes make mlock a no-op */
  if( !err && syscall( SYS_mlock, mem, sz ) ) { err = ENOMEM; why = "could not lock them (RLIMIT_MEMLOCK?)"; }
  if( err ) {
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
