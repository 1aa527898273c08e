/* Named regions: lookup of the file behind a name. */

#include "fd_shmem_private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Checks st against page_sz; fills *info.  Returns 0 or EFAULT. */
static int
region_check_stat( char const * name, size_t page_sz, struct stat const * st, fd_shmem_info_t * info ) {
  if( !S_ISREG( st->st_mode ) ) {
    FD_SHMEM_LOG_WARN( "%s (%s pages): not a regular file; the domain is corrupted",
                       name, fd_shmem_page_sz_to_cstr( page_sz ) );
    return EFAULT;
  }
  size_t sz = (size_t)st->st_size;
  if( !sz || sz % page_sz ) {
    FD_SHMEM_LOG_WARN( "%s (%s pages): size %zu is not a whole number of pages; the domain is corrupted",
                       name, fd_shmem_page_sz_to_cstr( page_sz ), sz );
    return EFAULT;
  }
  info->page_sz  = page_sz;
  info->page_cnt = sz / page_sz;
  return 0;
}

/* Looks for name under one page type.  Returns 0, ENOENT or an error. */
static int
region_find_one( char const * name, size_t page_sz, int open_flags, int * fd_out, fd_shmem_info_t * info ) {
  int dir = fd_shmem_private_open_type_dir( page_sz );
  if( dir<0 ) return errno==ENOTDIR || errno==ELOOP ? ENOENT : errno;

  struct stat st;
  int err = 0;
  int fd  = -1;
  if( fd_out ) {
    fd = openat( dir, name, open_flags | O_NOFOLLOW | O_CLOEXEC );
    if( fd<0 || fstat( fd, &st ) ) err = errno;
  } else if( fstatat( dir, name, &st, AT_SYMLINK_NOFOLLOW ) ) {
    err = errno;
  }
  if( err==ELOOP ) { /* O_NOFOLLOW met a symlink: never follow it */
    FD_SHMEM_LOG_WARN( "%s (%s pages): is a symbolic link; refusing it", name, fd_shmem_page_sz_to_cstr( page_sz ) );
    err = EFAULT;
  }
  if( !err ) err = region_check_stat( name, page_sz, &st, info );
  close( dir );
  if( err ) {
    if( fd>=0 ) close( fd );
    return err;
  }
  if( fd_out ) *fd_out = fd;
  return 0;
}

int
fd_shmem_private_region_find( char const * name, size_t page_sz, int open_flags,
                              int * fd_out, fd_shmem_info_t * info ) {
  if( !fd_shmem_name_len( name ) ) return EINVAL;
  if( page_sz ) {
    if( !fd_shmem_is_page_sz( page_sz ) ) return EINVAL;
    return region_find_one( name, page_sz, open_flags, fd_out, info );
  }
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_PAGE_TYPE_CNT; i++ ) {
    int err = region_find_one( name, fd_shmem_private_page_sz_desc[i], open_flags, fd_out, info );
    if( err!=ENOENT ) return err;
  }
  return ENOENT;
}

FD_SHMEM_EXPORT int
fd_shmem_info( char const * name, size_t page_sz, fd_shmem_info_t * opt_info ) {
  fd_shmem_info_t info;
  int err = fd_shmem_private_region_find( name, page_sz, 0, NULL, &info );
  if( !err && opt_info ) *opt_info = info;
  return err;
}
