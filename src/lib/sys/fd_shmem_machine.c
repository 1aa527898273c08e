/* What the machine has: memory figures from /proc/meminfo and the
   per-node meminfo files, in bytes, the page sizes the kernel offers,
   the size of a page-type mount, and sizes written for a person. */

#include "fd_shmem_sys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
fd_shmem_private_meminfo( size_t numa_idx, char const * key, size_t * bytes ) {
  char path[ 256 ], line[ 256 ], want[ 64 ];
  char const * root = fd_shmem_private_sysroot();
  if( numa_idx==FD_SHMEM_PRIVATE_ALL_NODES ) {
    snprintf( path, sizeof(path), "%s/proc/meminfo", root );
    snprintf( want, sizeof(want), "%s:", key );
  } else {
    snprintf( path, sizeof(path), "%s/sys/devices/system/node/node%zu/meminfo", root, numa_idx );
    snprintf( want, sizeof(want), "Node %zu %s:", numa_idx, key );
  }
  FILE * f = fopen( path, "re" );
  if( !f ) return errno==ENOENT ? ENODEV : errno;
  size_t want_len = strlen( want ), kb = 0UL;
  int found = 0;
  while( !found && fgets( line, sizeof(line), f ) )
    found = !strncmp( line, want, want_len ) && sscanf( line+want_len, " %zu kB", &kb )==1;
  fclose( f );
  if( !found ) return ENOENT;
  *bytes = kb<<10;
  return 0;
}

int
fd_shmem_private_hugepage_figure( size_t page_sz, size_t numa_idx, char const * field, size_t * v ) {
  char path[ 256 ];
  char const * root = fd_shmem_private_sysroot();
  if( numa_idx==FD_SHMEM_PRIVATE_ALL_NODES )
    snprintf( path, sizeof(path), "%s/sys/kernel/mm/hugepages/hugepages-%zukB/%s", root, page_sz>>10, field );
  else
    snprintf( path, sizeof(path), "%s/sys/devices/system/node/node%zu/hugepages/hugepages-%zukB/%s",
              root, numa_idx, page_sz>>10, field );
  FILE * f = fopen( path, "re" );
  if( !f ) return errno;
  int ok = fscanf( f, "%zu", v )==1;
  fclose( f );
  return ok ? 0 : EIO;
}

int
fd_shmem_private_hugepage_unclaimed( size_t page_sz, size_t * v ) {
  size_t free_, resv = 0UL;
  int err = fd_shmem_private_hugepage_figure( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, "free_hugepages", &free_ );
  if( err ) return err;
  if( fd_shmem_private_hugepage_figure( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, "resv_hugepages", &resv ) ) resv = 0UL;
  *v = free_>resv ? free_-resv : 0UL;
  return 0;
}

size_t
fd_shmem_private_mount_sz( size_t page_sz ) {
  size_t mem = 0UL;
  fd_shmem_private_meminfo( FD_SHMEM_PRIVATE_ALL_NODES, "MemTotal", &mem );
  return mem - mem % page_sz;
}

int
fd_shmem_private_kernel_has_page_sz( size_t page_sz ) {
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ ) return 1;
  char dir[ 256 ];
  snprintf( dir, sizeof(dir), "%s/sys/kernel/mm/hugepages/hugepages-%zukB", fd_shmem_private_sysroot(), page_sz>>10 );
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

int
fd_shmem_private_may_mount( void ) {
  FILE * f = fopen( "/proc/self/status", "re" );
  if( !f ) return 1;  /* cannot tell: let the kernel decide */
  char line[ 256 ];
  unsigned long long eff = ~0ULL;
  while( fgets( line, sizeof(line), f ) ) if( sscanf( line, "CapEff: %llx", &eff )==1 ) break;
  fclose( f );
  return !!( eff & ( 1ULL<<21 ) );  /* CAP_SYS_ADMIN */
}
