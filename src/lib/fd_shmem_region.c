/* Named regions: lookup, atomic creation, reshaping and removal of the
   file behind a name. */

#include "fd_shmem_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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

/* 1 if the file system of fd is the one page_sz regions live on: tmpfs
   for normal pages, hugetlbfs of that page size otherwise. */
static int
region_fs_ok( int fd, size_t page_sz ) {
  struct statfs sfs;
  if( fstatfs( fd, &sfs ) ) return 0;
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ ) return sfs.f_type==TMPFS_MAGIC;
  return sfs.f_type==HUGETLBFS_MAGIC && (size_t)sfs.f_bsize==page_sz;
}

/* Looks for name under one page type.  Returns 0, ENOENT or an error.
   O_NONBLOCK keeps a planted FIFO from hanging the open; O_NOFOLLOW
   refuses symlinks; the file system is checked on what was opened. */
static int
region_find_one( char const * name, size_t page_sz, int open_flags, int * fd_out, fd_shmem_info_t * info ) {
  int dir = fd_shmem_private_open_type_dir( page_sz );
  if( dir<0 ) return errno==ENOTDIR || errno==ELOOP ? ENOENT : errno;

  struct stat st;
  int err = 0;
  int fd  = -1;
  if( fd_out ) {
    fd = openat( dir, name, open_flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK );
    if( fd<0 || fstat( fd, &st ) ) err = errno;
  } else if( fstatat( dir, name, &st, AT_SYMLINK_NOFOLLOW ) ) {
    err = errno;
  }
  if( !err && S_ISREG( st.st_mode ) && !region_fs_ok( fd_out ? fd : dir, page_sz ) ) {
    FD_SHMEM_LOG_WARN( "%s (%s pages): not on a %s file system; refusing it", name, fd_shmem_page_sz_to_cstr( page_sz ),
                       page_sz==FD_SHMEM_NORMAL_PAGE_SZ ? "tmpfs" : "hugetlbfs" );
    err = EFAULT;
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

/* ---- create / update / unlink ---- */

typedef struct {
  size_t         page_sz;
  size_t         sub_cnt;
  size_t const * sub_page_cnt;
  size_t const * sub_cpu_idx;
  size_t         page_cnt;  /* total */
  mode_t         mode;
} region_shape_t;

/* Validates create/update arguments into *shape.  Returns 0 or EINVAL. */
static int
region_shape( region_shape_t * shape, char const * name, size_t page_sz, size_t sub_cnt,
              size_t const * sub_page_cnt, size_t const * sub_cpu_idx, unsigned long mode ) {
  if( !fd_shmem_name_len( name ) || mode > 07777UL ) return EINVAL;
  shape->page_sz      = page_sz;
  shape->sub_cnt      = sub_cnt;
  shape->sub_page_cnt = sub_page_cnt;
  shape->sub_cpu_idx  = sub_cpu_idx;
  shape->mode         = (mode_t)mode;
  return fd_shmem_private_check_subs( page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, &shape->page_cnt );
}

/* Sizes the open file fd to shape, maps it and reserves, places and
   locks every page, then unmaps (the pages stay with the file). */
static int
region_fill( int fd, region_shape_t const * shape ) {
  size_t sz = shape->page_cnt*shape->page_sz;
  if( fchmod( fd, shape->mode ) || ftruncate( fd, (off_t)sz ) ) return errno;
  void * mem = mmap( NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0 );
  if( mem==MAP_FAILED ) return errno==ENOMEM || errno==EAGAIN ? ENOMEM : errno;
  int err = fd_shmem_private_place( mem, shape->page_sz, shape->sub_cnt,
                                    shape->sub_page_cnt, shape->sub_cpu_idx );
  munmap( mem, sz );
  return err;
}

/* Writes a private temporary name for a region under construction: it
   starts with '.', so it can never be looked up as a region. */
static void
region_tmp_name( char * buf, size_t buf_sz ) {
  static unsigned long seq;
  snprintf( buf, buf_sz, ".tmp.%ld.%lu", (long)getpid(),
            __atomic_fetch_add( &seq, 1UL, __ATOMIC_RELAXED ) );
}

/* Builds the region under a temporary name and publishes it with a
   rename that never replaces: a region is visible complete or not at all. */
static int
region_create_at( int dir, char const * name, region_shape_t const * shape ) {
  if( !region_fs_ok( dir, shape->page_sz ) ) {
    FD_SHMEM_LOG_WARN( "create %s: the %s page directory is not a %s mount", name, fd_shmem_page_sz_to_cstr( shape->page_sz ),
                       shape->page_sz==FD_SHMEM_NORMAL_PAGE_SZ ? "tmpfs" : "hugetlbfs" );
    return EFAULT;
  }
  struct stat st;
  if( !fstatat( dir, name, &st, AT_SYMLINK_NOFOLLOW ) ) return EEXIST;
  char tmp[ 64 ];
  region_tmp_name( tmp, sizeof(tmp) );
  int fd = openat( dir, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600 );
  if( fd<0 ) return errno;
  int err = region_fill( fd, shape );
  if( !err && renameat2( dir, tmp, dir, name, RENAME_NOREPLACE ) ) err = errno;
  if( err ) unlinkat( dir, tmp, 0 );
  close( fd );
  return err;
}

static int
region_failed( char const * what, char const * name, region_shape_t const * shape, int err ) {
  FD_SHMEM_LOG_WARN( "%s %s (%zu %s pages) failed: %s", what, name, shape->page_cnt,
                     fd_shmem_page_sz_to_cstr( shape->page_sz ), strerror( err ) );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_create_multi( char const * name, size_t page_sz, size_t sub_cnt,
                       size_t const * sub_page_cnt, size_t const * sub_cpu_idx,
                       unsigned long mode ) {
  region_shape_t shape;
  int err = region_shape( &shape, name, page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, mode );
  if( err ) return err;
  int dir = fd_shmem_private_open_type_dir( page_sz );
  if( dir<0 ) return errno;
  err = region_create_at( dir, name, &shape );
  close( dir );
  return err && err!=EEXIST ? region_failed( "create", name, &shape, err ) : err;
}

FD_SHMEM_EXPORT int
fd_shmem_update_multi( char const * name, size_t page_sz, size_t sub_cnt,
                       size_t const * sub_page_cnt, size_t const * sub_cpu_idx,
                       unsigned long mode ) {
  region_shape_t shape;
  int err = region_shape( &shape, name, page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, mode );
  if( err ) return err;
  int fd;
  fd_shmem_info_t info;
  err = fd_shmem_private_region_find( name, page_sz, O_RDWR, &fd, &info );
  if( err ) return err;
  err = region_fill( fd, &shape );
  close( fd );
  return err ? region_failed( "update", name, &shape, err ) : 0;
}

FD_SHMEM_EXPORT int
fd_shmem_create( char const * name, size_t page_sz, size_t page_cnt, size_t cpu_idx, unsigned long mode ) {
  return fd_shmem_create_multi( name, page_sz, 1UL, &page_cnt, &cpu_idx, mode );
}

FD_SHMEM_EXPORT int
fd_shmem_unlink( char const * name, size_t page_sz ) {
  if( !fd_shmem_name_len( name ) || ( page_sz && !fd_shmem_is_page_sz( page_sz ) ) ) return EINVAL;
  if( !page_sz ) {
    fd_shmem_info_t info;
    int err = fd_shmem_private_region_find( name, 0UL, 0, NULL, &info );
    if( err ) return err;
    page_sz = info.page_sz;
  }
  int dir = fd_shmem_private_open_type_dir( page_sz );
  if( dir<0 ) return errno;
  int err = unlinkat( dir, name, 0 ) ? errno : 0;
  close( dir );
  return err;
}
