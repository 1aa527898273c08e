#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_PRIVATE_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_PRIVATE_H

/* Internal to libfdshmem: never installed.  The core of the library
   (this folder: domains, regions, joins, room and pools) over two
   lower layers, each its own folder and convenience library that
   links without anything above it: base (tables, names, text, log,
   error sets, the domain path string) and sys (the machine: /sys,
   /proc and libnuma). */

#include "base/fd_shmem_base.h"
#include "sys/fd_shmem_sys.h"

#include <sys/stat.h>

/* ---- region lookup (fd_shmem_region.c) ---- */

/* Finds region name (page_sz 0: largest page size first) without
   following symlinks, checks it is a regular file whose size is a
   non-zero whole number of pages and fills *info.  If fd_out is not
   NULL the file is opened with open_flags (O_NOFOLLOW|O_CLOEXEC added),
   the checks are made on the open file and *fd_out gets it; opt_st (if
   not NULL) gets the file's stat.  Returns 0,
   EINVAL (bad name or page size), ENOENT (silently), EFAULT (not a
   region: logged) or the errno of the failed call. */
int fd_shmem_private_region_find( char const * name, size_t page_sz, int open_flags,
                                  int * fd_out, fd_shmem_info_t * info, struct stat * opt_st );

/* ---- subregion layouts (fd_shmem_subs_check.c) ---- */

/* Validates sub-region arguments shared by create and acquire: page
   size, cpu indices, total page count not zero and total bytes at most
   LONG_MAX.  Returns 0 or EINVAL; *total_cnt gets the page count. */
int fd_shmem_private_check_subs( size_t page_sz, size_t sub_cnt,
                                 size_t const * sub_page_cnt, size_t const * sub_cpu_idx,
                                 size_t * total_cnt );

/* ---- the domain model (fd_shmem_domain_model.c) ---- */

/* Room for "DOMAIN/.gigantic", and the flags every page-type mount has. */
#define FD_SHMEM_PRIVATE_TYPE_PATH_MAX (FD_SHMEM_PATH_MAX+16UL)
#define FD_SHMEM_PRIVATE_MOUNT_FLAGS   (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* A domain opened for an operation: the directory and each page-type
   directory opened without following links, and what they are. */
typedef struct {
  char                   path[ FD_SHMEM_PATH_MAX+1UL ];
  char                   real[ 4096 ];                         /* path with every link resolved */
  int                    dir_fd;                               /* -1: nothing there */
  int                    dir_is_mount;                         /* the domain directory is a mount point */
  char                   not_domain[ 160 ];                    /* why the directory is no domain ("": it may be) */
  unsigned long          dir_dev;                              /* its st_dev */
  int                    type_fd [ FD_SHMEM_DOMAIN_TYPE_CNT ];  /* -1: missing or not a directory */
  unsigned long          type_dev[ FD_SHMEM_DOMAIN_TYPE_CNT ];  /* st_dev of each opened directory */
  size_t                 type_reserved[ FD_SHMEM_DOMAIN_TYPE_CNT ];  /* pages its own mount reserves (min_size) */
  fd_shmem_domain_info_t info;
} fd_shmem_private_domain_t;

/* Mounts the empty hugetlbfs page type t of dom afresh, reserving
   reserve_cnt pages for its files (min_size; 0: none), its size= then
   following the machine's memory (fd_shmem_domain.c).  It is made
   read-only first, so no region can be created between the check that
   it is empty and the unmount: one created and closed in that window
   would go with the old mount.  A new mount the kernel refuses leaves
   the old one (dom->type_reserved[t]) in its place.  Returns 0, EBUSY
   (a file there, one open for writing, or a process using the mount)
   or an errno. */
int fd_shmem_private_type_remount( fd_shmem_private_domain_t * dom, size_t t, size_t reserve_cnt );

/* The entries of directory fd other than "." and ".." (-1: unreadable). */
long fd_shmem_private_dir_entry_cnt( int fd );

/* Opens the domain at path (NULL: the current one).  Returns 0 (also
   when nothing is there), EINVAL (bad path), ENOTDIR (a symbolic link
   or not a directory) or an errno.  Close with ..._domain_close. */
int  fd_shmem_private_domain_open ( char const * path, fd_shmem_private_domain_t * dom );
void fd_shmem_private_domain_close( fd_shmem_private_domain_t * dom );

/* The same for operation op, which names the domain as a path and so
   does not follow a link to it: an ENOTDIR is logged as such. */
int  fd_shmem_private_domain_open_for( char const * op, char const * path, fd_shmem_private_domain_t * dom );

/* Checks that the opened dom is a domain operation op may act on: not
   a mount point nor on a pseudo file system (dom->not_domain), every
   page-type directory present is its own right mount, and there is at
   least one; with partial_ok a page-type directory that is empty and
   not a mount, or none at all, is accepted too, but no file beside the
   page-type directories.  Returns 0, ENOENT or EINVAL (logged, with op). */
int fd_shmem_private_domain_check( fd_shmem_private_domain_t const * dom, char const * op, int partial_ok );

/* 1 if the opened dom is a domain an interrupted init left part made
   (or a page type was lost since): nothing but page-type directories,
   one the kernel offers missing or empty and not mounted. */
int fd_shmem_private_domain_is_partial( fd_shmem_private_domain_t const * dom );

/* The name of the pseudo file system sfs describes (proc, sysfs,
   cgroup, ...: one that holds no domain), or NULL. */
struct statfs;
char const * fd_shmem_private_pseudo_fs( struct statfs const * sfs );

/* Counts the mounts strictly below canonical directory dir; first gets
   the mount point of the first one. */
size_t fd_shmem_private_mounts_below( char const * dir, char * first, size_t first_sz );

/* 1 if the file system of fd is the one page_sz regions live on. */
int fd_shmem_private_fs_ok( int fd, size_t page_sz );

/* ---- room for a region (fd_shmem_room.c) ---- */

/* Checks, before anything is allocated, that the machine can supply the
   pages a create or update (of region what, e.g. "create NAME") still
   needs: those past the first keep_cnt pages, which the file already
   has, and (opt_moved, NULL for none) opt_moved[k] kept pages an update
   moves to node k, which need room there too.  Normal pages: the tmpfs mount of page-type directory dir (none
   when dir < 0: private pages), MemAvailable, and on a NUMA machine
   each node's free and reclaimable memory.  Huge and gigantic: the
   hugetlbfs mount, the free pages of each node's pool and the pool's
   unreserved pages.  Returns 0, or
   ENOMEM with a warning giving the figures.  Figures that cannot be
   read are not checked (the kernel still refuses later). */
int fd_shmem_private_room( int dir, char const * what, size_t page_sz, size_t sub_cnt,
                           size_t const * sub_page_cnt, size_t const * sub_cpu_idx, size_t keep_cnt,
                           size_t const * opt_moved );

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_PRIVATE_H */
