/* A node beyond its meminfo: whether it exists, the memory its zones
   hold (/proc/zoneinfo), and asking the kernel to compact memory, which
   the pool allocator does before retrying a short allocation. */

#include "fd_shmem_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
fd_shmem_private_node_exists( size_t numa_idx ) {
  char path[ 320 ];
  if( fd_shmem_private_sys_path( path, sizeof(path), "/sys/devices/system/node/node%zu", numa_idx ) ) return 0;
  return !access( path, F_OK );
}

size_t
fd_shmem_private_node_present_bytes( size_t numa_idx ) {
  FILE * f = fd_shmem_private_sys_fopen( "/proc/zoneinfo" );
  if( !f ) return 0UL;
  char   line[ 256 ];
  size_t node = (size_t)-1, pages = 0UL, n;
  while( fgets( line, sizeof(line), f ) ) {
    if( sscanf( line, "Node %zu,", &n )==1 ) node = n;
    else if( node==numa_idx && sscanf( line, " present %zu", &n )==1 ) pages += n;
  }
  fclose( f );
  return pages * (size_t)sysconf( _SC_PAGESIZE );
}

int
fd_shmem_private_compact_memory( void ) {
  char path[ 320 ];
  int err = fd_shmem_private_sys_path( path, sizeof(path), "/proc/sys/vm/compact_memory" );
  if( err ) return err;
  int fd = open( path, O_WRONLY | O_CLOEXEC );
  if( fd<0 ) return errno;
  err = write( fd, "1\n", 2UL )<0 ? errno : 0;
  close( fd );
  return err;
}
