/* Per-node pools of huge and gigantic pages, through sysfs. */

#include "fd_shmem_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define COMPACT_TRIES (3)

/* Writes the sysfs directory of node numa_idx's page_sz pool into buf.
   Returns 0, EINVAL, ENODEV or EOPNOTSUPP. */
static int
pool_dir( size_t page_sz, size_t numa_idx, char * buf, size_t buf_sz ) {
  if( page_sz!=FD_SHMEM_HUGE_PAGE_SZ && page_sz!=FD_SHMEM_GIGANTIC_PAGE_SZ ) return EINVAL;
  char const * root = fd_shmem_private_sysroot();
  snprintf( buf, buf_sz, "%s/sys/devices/system/node/node%zu", root, numa_idx );
  if( access( buf, F_OK ) ) return ENODEV;
  snprintf( buf, buf_sz, "%s/sys/devices/system/node/node%zu/hugepages/hugepages-%zukB", root, numa_idx, page_sz>>10 );
  return access( buf, F_OK ) ? EOPNOTSUPP : 0;
}

/* Reads one decimal number from dir/file.  Returns 0 or an errno. */
static int
read_count( char const * dir, char const * file, size_t * out ) {
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/%s", dir, file );
  FILE * f = fopen( path, "re" );
  if( !f ) return errno;
  int ok = fscanf( f, "%zu", out )==1;
  fclose( f );
  return ok ? 0 : EIO;
}

/* Writes text to path with a single write.  Returns 0 or an errno. */
static int
write_text( char const * path, char const * text ) {
  int fd = open( path, O_WRONLY | O_CLOEXEC );
  if( fd<0 ) return errno;
  ssize_t n = write( fd, text, strlen( text ) );
  int err = n<0 ? errno : 0;
  close( fd );
  return err;
}

static int
write_count( char const * dir, size_t cnt ) {
  char path[ 512 ], text[ 32 ];
  snprintf( path, sizeof(path), "%s/nr_hugepages", dir );
  snprintf( text, sizeof(text), "%zu\n", cnt );
  return write_text( path, text );
}

static void
compact_memory( void ) {
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/proc/sys/vm/compact_memory", fd_shmem_private_sysroot() );
  int err = write_text( path, "1\n" );
  if( err ) FD_SHMEM_LOG_DBG( "compacting memory failed: %s", strerror( err ) );
}

FD_SHMEM_EXPORT int
fd_shmem_pool_query( size_t page_sz, size_t numa_idx, fd_shmem_pool_info_t * info ) {
  char dir[ 512 ];
  int err = pool_dir( page_sz, numa_idx, dir, sizeof(dir) );
  if( err || !info ) return err ? err : EINVAL;
  err = read_count( dir, "nr_hugepages", &info->total );
  if( !err ) err = read_count( dir, "free_hugepages", &info->free );
  if( !err ) err = read_count( dir, "surplus_hugepages", &info->surplus );
  return err;
}

/* Sets the pool to cnt, compacting and retrying when the kernel falls
   short.  *got gets the count reached.  Returns 0 or ENOMEM / errno. */
static int
pool_set( char const * dir, size_t cnt, size_t * got ) {
  for( int attempt=0;; attempt++ ) {
    int err = write_count( dir, cnt );
    if( !err ) err = read_count( dir, "nr_hugepages", got );
    if( err ) return err;
    if( *got==cnt ) return 0;
    if( attempt==COMPACT_TRIES ) return ENOMEM;
    compact_memory();
  }
}

FD_SHMEM_EXPORT int
fd_shmem_pool_alloc( size_t page_cnt, size_t page_sz, size_t numa_idx, size_t * opt_got ) {
  char dir[ 512 ];
  int err = pool_dir( page_sz, numa_idx, dir, sizeof(dir) );
  if( err ) return err;
  fd_shmem_pool_info_t before;
  err = fd_shmem_pool_query( page_sz, numa_idx, &before );
  if( err ) return err;
  if( opt_got ) *opt_got = before.total;
  if( page_cnt<before.total && before.total!=before.free ) {
    FD_SHMEM_LOG_WARN( "node %zu: %zu of %zu %s pages are in use; not shrinking the pool",
                       numa_idx, before.total-before.free, before.total, fd_shmem_page_sz_to_cstr( page_sz ) );
    return EBUSY;
  }
  size_t got = 0UL;
  err = pool_set( dir, page_cnt, &got );
  if( opt_got ) *opt_got = got;
  if( err==ENOMEM ) {
    FD_SHMEM_LOG_WARN( "node %zu: only %zu of %zu %s pages could be reserved; pool put back to %zu",
                       numa_idx, got, page_cnt, fd_shmem_page_sz_to_cstr( page_sz ), before.total );
    size_t back;
    pool_set( dir, before.total, &back );
  }
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_pool_free( size_t page_sz, size_t numa_idx ) {
  return fd_shmem_pool_alloc( 0UL, page_sz, numa_idx, NULL );
}
