/* The check of a subregion layout (page size, counts per cpu) that
   create and acquire share. */

#include "fd_shmem_private.h"

#include <errno.h>
#include <limits.h>

int
fd_shmem_private_check_subs( size_t page_sz, size_t sub_cnt,
                             size_t const * sub_page_cnt, size_t const * sub_cpu_idx,
                             size_t * total_cnt ) {
  if( !fd_shmem_is_page_sz( page_sz ) || !sub_cnt || !sub_page_cnt || !sub_cpu_idx ) return EINVAL;
  size_t cpu_cnt = fd_shmem_cpu_cnt();
  size_t max_cnt = (size_t)LONG_MAX / page_sz;
  size_t total   = 0UL;
  for( size_t i=0UL; i<sub_cnt; i++ ) {
    if( sub_page_cnt[i] > max_cnt - total ) return EINVAL;
    if( sub_page_cnt[i] && sub_cpu_idx[i]>=cpu_cnt ) return EINVAL;
    total += sub_page_cnt[i];
  }
  if( !total ) return EINVAL;
  *total_cnt = total;
  return 0;
}
