/* What each page type is called: its directory in a domain and the
   file system it is mounted as. */

#include "fd_shmem_base.h"

char const *
fd_shmem_private_type_name( size_t page_sz ) {
  switch( page_sz ) {
  case FD_SHMEM_NORMAL_PAGE_SZ:   return ".normal";
  case FD_SHMEM_HUGE_PAGE_SZ:     return ".huge";
  case FD_SHMEM_GIGANTIC_PAGE_SZ: return ".gigantic";
  default:                        return NULL;
  }
}

char const *
fd_shmem_private_fs_name( size_t page_sz ) {
  return page_sz==FD_SHMEM_NORMAL_PAGE_SZ ? "tmpfs" : "hugetlbfs";
}
