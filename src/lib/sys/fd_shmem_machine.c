/* What the machine has: the page sizes the kernel offers, the size of
   a page-type mount, and sizes written for a person. */

#include "fd_shmem_sys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

size_t
fd_shmem_private_mount_sz( size_t page_sz ) {
  fd_shmem_private_mem_t m;
  size_t mem = fd_shmem_private_mem_read( FD_SHMEM_PRIVATE_ALL_NODES, &m ) || m.total==FD_SHMEM_PRIVATE_NO_FIGURE
               ? 0UL : m.total;
  return mem - mem % page_sz;
}

int
fd_shmem_private_kernel_has_page_sz( size_t page_sz ) {
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ ) return 1;
  char dir[ 256 ];
  if( fd_shmem_private_hugepage_dir( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, dir, sizeof(dir) ) ) return 0;
  return !access( dir, F_OK );
}

char const *
fd_shmem_private_human( size_t bytes, char * buf, size_t buf_sz ) {
  static char const * const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  double v = (double)bytes;
  size_t u = 0UL;
  while( v>=1024.0 && u<6UL ) { v /= 1024.0; u++; }
  if( !u ) snprintf( buf, buf_sz, "%zu B", bytes );
  else     snprintf( buf, buf_sz, "%.1f %s", v, unit[u] );
  return buf;
}
