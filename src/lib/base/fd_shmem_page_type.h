#ifndef FDSHMEM_SRC_LIB_BASE_FD_SHMEM_PAGE_TYPE_H
#define FDSHMEM_SRC_LIB_BASE_FD_SHMEM_PAGE_TYPE_H

/* The page-type table: every fact about a page type, written once
   (tests/test_rules.sh fails on a second copy in src/).  Entry t is
   page type t everywhere: smallest first, the order of the public
   fd_shmem_domain_info_t type[], counted by FD_SHMEM_DOMAIN_TYPE_CNT.

   Only this header holds it, so that the admin tool, which links the
   shared library (where private symbols are hidden), reads the same
   table: it needs nothing but the public header and the system's. */

#include <fdshmem/fd_shmem.h>

#include <linux/magic.h>
#include <stddef.h>
#include <sys/mman.h>

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26  /* older C libraries lack it */
#endif

typedef struct {
  size_t       page_sz;
  int          lg_page_sz;
  char const * word;       /* its name, as the public calls write and read it */
  char const * dir;        /* its directory in a domain */
  char const * fs;         /* the file system mounted there (mount's type) ... */
  long         fs_magic;   /* ... and its statfs f_type */
  char const * sys_dir;    /* its pools' directory below .../hugepages/ in sysfs; NULL: it has no pool */
  char const * boot_word;  /* its size as the kernel's hugepagesz= takes it; NULL: no pool */
  int          map_flags;  /* mmap flags for anonymous pages of it (beside MAP_PRIVATE | MAP_ANONYMOUS) */
} fd_shmem_private_page_type_t;

static fd_shmem_private_page_type_t const fd_shmem_private_page_type[ FD_SHMEM_DOMAIN_TYPE_CNT ] = {
  { .page_sz = FD_SHMEM_NORMAL_PAGE_SZ, .lg_page_sz = FD_SHMEM_NORMAL_LG_PAGE_SZ, .word = "normal",
    .dir = ".normal", .fs = "tmpfs", .fs_magic = TMPFS_MAGIC,
    .sys_dir = NULL, .boot_word = NULL, .map_flags = 0 },
  { .page_sz = FD_SHMEM_HUGE_PAGE_SZ, .lg_page_sz = FD_SHMEM_HUGE_LG_PAGE_SZ, .word = "huge",
    .dir = ".huge", .fs = "hugetlbfs", .fs_magic = HUGETLBFS_MAGIC,
    .sys_dir = "hugepages-2048kB", .boot_word = "2M",
    .map_flags = MAP_HUGETLB | FD_SHMEM_HUGE_LG_PAGE_SZ<<MAP_HUGE_SHIFT },
  { .page_sz = FD_SHMEM_GIGANTIC_PAGE_SZ, .lg_page_sz = FD_SHMEM_GIGANTIC_LG_PAGE_SZ, .word = "gigantic",
    .dir = ".gigantic", .fs = "hugetlbfs", .fs_magic = HUGETLBFS_MAGIC,
    .sys_dir = "hugepages-1048576kB", .boot_word = "1G",
    .map_flags = MAP_HUGETLB | FD_SHMEM_GIGANTIC_LG_PAGE_SZ<<MAP_HUGE_SHIFT },
};

/* The table index of the i-th page type tried by a lookup that names
   no page size: largest first. */
#define FD_SHMEM_PRIVATE_LARGEST_FIRST( i ) ( FD_SHMEM_DOMAIN_TYPE_CNT-1UL-(i) )

/* The entry of page_sz, or NULL if it is no page size. */
static inline fd_shmem_private_page_type_t const *
fd_shmem_private_page_type_of( size_t page_sz ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
    if( fd_shmem_private_page_type[ t ].page_sz==page_sz ) return &fd_shmem_private_page_type[ t ];
  return NULL;
}

/* The table index of page_sz, or FD_SHMEM_DOMAIN_TYPE_CNT if none. */
static inline size_t
fd_shmem_private_page_type_idx( size_t page_sz ) {
  fd_shmem_private_page_type_t const * pt = fd_shmem_private_page_type_of( page_sz );
  return pt ? (size_t)( pt - fd_shmem_private_page_type ) : (size_t)FD_SHMEM_DOMAIN_TYPE_CNT;
}

/* page_sz's sysfs pool directory name ("hugepages-2048kB"), or NULL if
   it has no pool (normal pages, or no page size). */
static inline char const *
fd_shmem_private_pool_dir_name( size_t page_sz ) {
  fd_shmem_private_page_type_t const * pt = fd_shmem_private_page_type_of( page_sz );
  return pt ? pt->sys_dir : NULL;
}

#endif /* FDSHMEM_SRC_LIB_BASE_FD_SHMEM_PAGE_TYPE_H */
