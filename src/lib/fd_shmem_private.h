#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_PRIVATE_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_PRIVATE_H

/* Internal to libfdshmem: never installed. */

#include "config.h"
#include <fdshmem/fd_shmem.h>

#include <sys/stat.h>

/* Marks a definition as part of the ABI (the build hides everything
   else; libfdshmem.sym then picks what is exported). */
#define FD_SHMEM_EXPORT __attribute__(( visibility( "default" ) ))

/* The plural ending of a count word: "1 page", "2 pages". */
#define FD_SHMEM_PRIVATE_S( n ) ( (n)==1UL ? "" : "s" )

#define FD_SHMEM_PRIVATE_DEFAULT_PATH "/mnt/.fd"

/* Page types in lookup order for page_sz 0: largest first. */
#define FD_SHMEM_PRIVATE_PAGE_TYPE_CNT (3UL)
extern size_t const fd_shmem_private_page_sz_desc[ FD_SHMEM_PRIVATE_PAGE_TYPE_CNT ];

/* ---- logging (fd_shmem_log.c) ---- */

void fd_shmem_private_log( int level, char const * fmt, ... )
  __attribute__(( format( printf, 2, 3 ) ));

#define FD_SHMEM_PRIVATE_WARN( ... )  fd_shmem_private_log( FD_SHMEM_LOG_WARNING, __VA_ARGS__ )
#define FD_SHMEM_PRIVATE_NOTE( ... )  fd_shmem_private_log( FD_SHMEM_LOG_NOTICE,  __VA_ARGS__ )
#define FD_SHMEM_PRIVATE_DBG( ... )   fd_shmem_private_log( FD_SHMEM_LOG_DEBUG,   __VA_ARGS__ )

/* The libnuma calls the library makes, loaded on first use
   (fd_shmem_numa_lib.c).  Types come from numa.h and numaif.h. */
typedef struct {
  int  (*available)( void );
  int  (*num_configured_cpus)( void );
  int  (*max_node)( void );
  int  (*node_of_cpu)( int cpu );
  long (*mbind)( void * start, unsigned long len, int mode, unsigned long const * nmask,
                 unsigned long maxnode, unsigned flags );
  long (*move_pages)( int pid, unsigned long count, void ** pages, int const * nodes,
                      int * status, int flags );
  long (*get_mempolicy)( int * mode, unsigned long * nmask, unsigned long maxnode, void * addr, unsigned flags );
} fd_shmem_private_numa_lib_t;

/* libnuma's entry points, or NULL (logged once) if it cannot be loaded:
   the library then works as on a machine with one node. */
fd_shmem_private_numa_lib_t const * fd_shmem_private_numa_lib( void );

/* 1 when libnuma is loaded and the kernel supports NUMA policies; the
   topology is read on the first call of this or any topology query. */
int fd_shmem_private_has_numa( void );

/* Prefix for /sys and /proc paths: "" in the installed library; a
   test build may point it at a fake tree (the test seam,
   fd_shmem_sysroot.c). */
char const * fd_shmem_private_sysroot( void );

/* ---- domain paths (fd_shmem_path.c) ---- */

/* Copies domain path (NULL: the current one) without trailing slashes
   into buf.  Returns 0 or EINVAL (unusable or too long). */
int fd_shmem_private_domain_path( char const * path, char * buf, size_t buf_sz );

/* Writes "DOMAIN/.TYPE" for page size page_sz into buf (buf_sz bytes).
   Returns 0, EINVAL (bad page size) or ENAMETOOLONG. */
int fd_shmem_private_type_dir( size_t page_sz, char * buf, size_t buf_sz );

/* Opens "DOMAIN/.TYPE" as an O_PATH|O_DIRECTORY descriptor without
   following a final symlink.  Returns the fd, or -1 with errno set. */
int fd_shmem_private_open_type_dir( size_t page_sz );

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

/* ---- subregion layouts (fd_shmem_subs_check.c) and NUMA placement
   (fd_shmem_numa_place.c) ---- */

/* Validates sub-region arguments shared by create and acquire: page
   size, cpu indices, total page count not zero and total bytes at most
   LONG_MAX.  Returns 0 or EINVAL; *total_cnt gets the page count. */
int fd_shmem_private_check_subs( size_t page_sz, size_t sub_cnt,
                                 size_t const * sub_page_cnt, size_t const * sub_cpu_idx,
                                 size_t * total_cnt );

/* Reserves and places the pages of fresh mapping mem: for each
   non-empty subregion, mbinds it to the node of its cpu, faults the
   pages in under that binding (MADV_POPULATE_WRITE; no lock, so no
   RLIMIT_MEMLOCK needed), then verifies with move_pages.  The
   caller's memory policy is never changed.
   Returns 0 or an errno value (ENOMEM when a node lacks pages). */
int fd_shmem_private_place( void * mem, size_t page_sz, size_t sub_cnt,
                            size_t const * sub_page_cnt, size_t const * sub_cpu_idx );

/* ---- undoing a failed update (fd_shmem_numa_undo.c) ---- */

/* The placement of the first keep_cnt pages of region file fd and, for
   normal pages, the policy the file holds over its first new_cnt
   pages: what a failed update puts back. */
typedef struct fd_shmem_private_numa_undo fd_shmem_private_numa_undo_t;

/* Reads the placement into a new *out (NULL, and nothing to do, on a
   machine without NUMA).  Returns 0 or an errno value. */
int  fd_shmem_private_numa_undo_take( fd_shmem_private_numa_undo_t ** out, int fd, size_t page_sz,
                                      size_t keep_cnt );

/* Adds the policy over the first new_cnt pages (normal pages only),
   once the room check has allowed them.  Returns 0 or an errno value. */
int  fd_shmem_private_numa_undo_take_policy( fd_shmem_private_numa_undo_t * u, int fd, size_t new_cnt );

/* moved[k] += the kept pages the subregions put on node k that are
   elsewhere now: pages node k must supply for an update. */
void fd_shmem_private_numa_undo_moved( fd_shmem_private_numa_undo_t const * u, size_t sub_cnt,
                                       size_t const * sub_page_cnt, size_t const * sub_cpu_idx, size_t * moved );

/* Puts the policy back and moves the kept pages back to their nodes;
   warns (for region what) about whatever it could not put back. */
void fd_shmem_private_numa_undo_apply( fd_shmem_private_numa_undo_t const * u, int fd, char const * what );

void fd_shmem_private_numa_undo_free( fd_shmem_private_numa_undo_t * u );

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
  fd_shmem_domain_info_t info;
} fd_shmem_private_domain_t;

/* The size= of a page-type mount: the machine's memory rounded down to
   whole pages of page_sz. */
size_t fd_shmem_private_mount_sz( size_t page_sz );

/* The entries of directory fd other than "." and ".." (-1: unreadable). */
long fd_shmem_private_dir_entry_cnt( int fd );

/* Opens the domain at path (NULL: the current one).  Returns 0 (also
   when nothing is there), EINVAL (bad path), ENOTDIR (a symbolic link
   or not a directory) or an errno.  Close with ..._domain_close. */
int  fd_shmem_private_domain_open ( char const * path, fd_shmem_private_domain_t * dom );
void fd_shmem_private_domain_close( fd_shmem_private_domain_t * dom );

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

/* ".normal", ".huge", ".gigantic" (NULL for another size), and the file
   system each lives on. */
char const * fd_shmem_private_type_name( size_t page_sz );
char const * fd_shmem_private_fs_name  ( size_t page_sz );

/* 1 if the kernel offers pages of page_sz (normal pages always). */
int fd_shmem_private_kernel_has_page_sz( size_t page_sz );

/* 1 if the file system of fd is the one page_sz regions live on. */
int fd_shmem_private_fs_ok( int fd, size_t page_sz );

/* ---- holders of a domain's mounts (fd_shmem_holders.c) ---- */

/* Logs (with op) every process that maps a file of, has a descriptor
   open in, or has its working or root directory in any of the dev_cnt
   file systems dev[] (dir[] names them).  Returns the number of
   processes found. */
size_t fd_shmem_private_holders( char const * op, unsigned long const * dev,
                                 char const * const * dir, size_t dev_cnt );

/* ---- the machine (fd_shmem_machine.c) ---- */

#define FD_SHMEM_PRIVATE_ALL_NODES ((size_t)-1)

/* Reads meminfo field key ("MemTotal", "MemFree", "MemAvailable", ...)
   of node numa_idx, or of the whole machine for
   FD_SHMEM_PRIVATE_ALL_NODES, in bytes.  Returns 0, ENODEV (no such
   node), ENOENT (no such field) or the errno of the open. */
int fd_shmem_private_meminfo( size_t numa_idx, char const * key, size_t * bytes );

/* Reads field ("free_hugepages", "nr_hugepages", ...) of the page_sz
   pool of node numa_idx, or of the whole machine for
   FD_SHMEM_PRIVATE_ALL_NODES.  Returns 0, EIO (not a number) or the
   errno of the open. */
int fd_shmem_private_hugepage_figure( size_t page_sz, size_t numa_idx, char const * field, size_t * v );

/* Free page_sz pages of the machine that no reservation claims (free
   minus resv_hugepages: the kernel keeps pages promised to mappings not
   yet touched, and may take them from any node).  Returns 0 or the
   errno of reading free_hugepages. */
int fd_shmem_private_hugepage_unclaimed( size_t page_sz, size_t * v );

/* 1 if this process may mount and unmount (CAP_SYS_ADMIN). */
int fd_shmem_private_may_mount( void );

/* Writes bytes for a person ("22.4 GiB") into buf; returns buf. */
char const * fd_shmem_private_human( size_t bytes, char * buf, size_t buf_sz );

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

/* ---- dry runs (fd_shmem_dry_run.c) ---- */

/* 1 while fd_shmem_set_dry_run is on: a call that would change the
   machine checks everything, then returns what it would return. */
int fd_shmem_private_dry_run( void );

/* ---- small helpers ---- */

static inline int
fd_shmem_private_is_aligned( void const * p, size_t a ) {
  return !( (uintptr_t)p & (uintptr_t)(a-1UL) );
}

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_PRIVATE_H */
