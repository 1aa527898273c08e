#ifndef FDSHMEM_SRC_LIB_SYS_FD_SHMEM_SYS_H
#define FDSHMEM_SRC_LIB_SYS_FD_SHMEM_SYS_H

/* Internal to libfdshmem: the sys layer (this folder), the machine:
   /sys, /proc and libnuma.  It calls only itself and base (the link of
   libprobe_sys.la checks it).  Every read of /sys and /proc is made
   under the sysroot of fd_shmem_sysroot.c, the test seam's gate
   (tests/test_sys proves it on a fake tree; tests/test_layers.sh
   checks that no file outside this folder names such a path). */

#include "../base/fd_shmem_base.h"

#include <dirent.h>
#include <stdio.h>

/* ---- libnuma (fd_shmem_numa_lib.c) and the topology (fd_shmem_numa.c) ---- */

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

/* ---- the gate to /sys and /proc, and the test seam (fd_shmem_sysroot.c) ---- */

/* Prefix for /sys and /proc paths: "" in the installed library; a
   test build may point it at a fake tree (the test seam,
   fd_shmem_sysroot.c). */
char const * fd_shmem_private_sysroot( void );

/* The path fmt ("/proc/%ld/maps", ...) names, under the sysroot, into
   buf; 0 or ENAMETOOLONG. */
int fd_shmem_private_sys_path( char * buf, size_t buf_sz, char const * fmt, ... )
  __attribute__(( format( printf, 3, 4 ) ));

/* fopen (read, close on exec) and opendir of the path fmt names under
   the sysroot; NULL with errno set on failure. */
FILE * fd_shmem_private_sys_fopen  ( char const * fmt, ... ) __attribute__(( format( printf, 1, 2 ) ));
DIR *  fd_shmem_private_sys_opendir( char const * fmt, ... ) __attribute__(( format( printf, 1, 2 ) ));

/* ---- processes (fd_shmem_procs.c): the one /proc walk and maps reader ---- */

/* One file mapping of a process, from its /proc/PID/maps line
   "start-end perms offset MAJ:MIN inode path": dev and ino as the
   kernel gives them, path as shown (" (deleted)" when unlinked; ""
   for none). */
typedef struct {
  unsigned long dev;
  unsigned long ino;
  char const *  path;
} fd_shmem_private_map_t;

/* Calls fn( ctx, pid ) for each process of /proc until fn returns
   non-zero.  Returns 0, or the errno of opening /proc. */
int fd_shmem_private_procs_each( int (*fn)( void * ctx, long pid ), void * ctx );

/* Calls fn( ctx, map ) for each line of process pid's maps until fn
   returns non-zero.  Returns 0, or the errno of the open (the process
   exited, or is not ours to read). */
int fd_shmem_private_maps_each( long pid, int (*fn)( void * ctx, fd_shmem_private_map_t const * map ), void * ctx );

/* The name of process pid (/proc/PID/comm) into buf, "?" if it cannot
   be read; returns buf. */
char const * fd_shmem_private_proc_comm( long pid, char * buf, size_t buf_sz );

/* ---- the mounts of this namespace (fd_shmem_mountinfo.c) ---- */

/* One mount, from its /proc/self/mountinfo line, escapes undone. */
typedef struct {
  unsigned long dev;
  char const *  root;    /* the part of its file system shown ("/": all of it) */
  char const *  point;   /* where it is mounted */
  char const *  fstype;
  char const *  super;   /* the file system's own options ("rw,pagesize=2M,min_size=8388608") */
} fd_shmem_private_mount_t;

/* The whole mount list, read and parsed once. */
typedef struct {
  fd_shmem_private_mount_t * ent;
  size_t                     cnt;
  char *                     text;  /* the file, which ent's strings point into */
} fd_shmem_private_mounts_t;

/* Reads the mount list into *m (empty when it cannot be read).  Returns
   0, or the errno of the read (ENOMEM). */
int  fd_shmem_private_mounts_read( fd_shmem_private_mounts_t * m );
void fd_shmem_private_mounts_free( fd_shmem_private_mounts_t * m );

/* The bytes a hugetlbfs mount reserves for its own files (its min_size
   option), 0 when it sets none. */
size_t fd_shmem_private_mount_min_sz( fd_shmem_private_mount_t const * m );

/* The same for the mount of device dev, read from the mount list now
   (0: none, no such mount, or the list cannot be read). */
size_t fd_shmem_private_dev_min_sz( unsigned long dev );

/* ---- capabilities (fd_shmem_caps.c) ---- */

/* 1 if this process may mount and unmount (CAP_SYS_ADMIN in
   /proc/self/status); 1 too when that cannot be read (the kernel then
   decides). */
int fd_shmem_private_may_mount( void );

/* ---- NUMA placement (fd_shmem_numa_place.c) ---- */

/* Reserves and places the pages of fresh mapping mem: for each
   non-empty subregion, mbinds it to the node of its cpu, faults the
   pages in under that binding, then verifies with move_pages.  Without
   lock the pages are faulted in by MADV_POPULATE_WRITE and not locked
   (no RLIMIT_MEMLOCK needed); with lock, mlock faults them in and they
   stay locked.  The caller's memory policy is never changed.
   Returns 0 or an errno value (ENOMEM when a node lacks pages, or, with
   lock, when the lock is refused). */
int fd_shmem_private_place( void * mem, size_t page_sz, size_t sub_cnt,
                            size_t const * sub_page_cnt, size_t const * sub_cpu_idx, int lock );

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

/* ---- holders of a domain's mounts (fd_shmem_holders.c) ---- */

/* Logs (with op) every process that maps a file of, has a descriptor
   open in, or has its working or root directory in any of the dev_cnt
   file systems dev[] (dir[] names them).  Returns the number of
   processes found. */
size_t fd_shmem_private_holders( char const * op, unsigned long const * dev,
                                 char const * const * dir, size_t dev_cnt );

/* ---- memory figures and hugepage pools (fd_shmem_figures.c) ---- */

#define FD_SHMEM_PRIVATE_ALL_NODES ((size_t)-1)
#define FD_SHMEM_PRIVATE_NO_FIGURE ((size_t)-1)  /* a key the file did not have */

/* The meminfo figures of a node, or of the machine, in bytes. */
typedef struct {
  size_t total, free, available, active_file, inactive_file, sreclaimable;
} fd_shmem_private_mem_t;

/* Reads the meminfo of node numa_idx, or of the whole machine for
   FD_SHMEM_PRIVATE_ALL_NODES, in one read; a key the file lacks is
   FD_SHMEM_PRIVATE_NO_FIGURE (a node has no MemAvailable).  Returns 0,
   ENODEV (no such node) or the errno of the read. */
int fd_shmem_private_mem_read( size_t numa_idx, fd_shmem_private_mem_t * m );

#define FD_SHMEM_PRIVATE_VIEW_NODES (8)

typedef struct { int read, err; fd_shmem_private_mem_t mem; } fd_shmem_private_view_mem_t;

/* What one call has read of the machine: zero it on the stack of the
   call (fd_shmem_private_view_t v = { 0 };) and ask it; each file is
   read on the first question only.  Past VIEW_NODES nodes it reads
   again. */
typedef struct {
  fd_shmem_private_view_mem_t machine;
  size_t                      node_cnt;
  size_t                      node_idx[ FD_SHMEM_PRIVATE_VIEW_NODES ];
  fd_shmem_private_view_mem_t node[ FD_SHMEM_PRIVATE_VIEW_NODES ];
  fd_shmem_private_view_mem_t spare;
} fd_shmem_private_view_t;

/* *out gets the figures of node numa_idx (or the machine's) from view v,
   read if v has not read them yet.  Returns what the read returned. */
int fd_shmem_private_view_mem( fd_shmem_private_view_t * v, size_t numa_idx, fd_shmem_private_mem_t const ** out );

/* Writes the sysfs directory of the page_sz pool of node numa_idx, or
   of the machine for FD_SHMEM_PRIVATE_ALL_NODES (.../hugepages-NkB),
   into buf.  Returns 0, EINVAL (a page size with no pool: normal) or
   ENAMETOOLONG. */
int fd_shmem_private_hugepage_dir( size_t page_sz, size_t numa_idx, char * buf, size_t buf_sz );

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

/* ---- a node beyond its meminfo (fd_shmem_zones.c) ---- */

/* 1 if node numa_idx is in sysfs. */
int fd_shmem_private_node_exists( size_t numa_idx );

/* Bytes of memory present in the zones of node numa_idx by
   /proc/zoneinfo (0 if it cannot be read). */
size_t fd_shmem_private_node_present_bytes( size_t numa_idx );

/* Asks the kernel to compact all memory (/proc/sys/vm/compact_memory).
   Returns 0 or the errno of the write. */
int fd_shmem_private_compact_memory( void );

/* ---- why a pool falls short (fd_shmem_shortfall.c) ---- */

/* Why node numa_idx has no pool of page_sz pages, as a clause into buf:
   the kernel offers the size on other nodes, offers no huge pages at
   all, the CPU lacks 1 GiB pages (no pdpe1gb in /proc/cpuinfo), the
   base page is not 4 KiB, or only the sizes it names. */
void fd_shmem_private_page_sz_absent_why( size_t page_sz, size_t numa_idx, char * buf, size_t buf_sz );

/* Why node numa_idx's free memory (mem_free) holds no room for the
   missing pages of page_sz after tries compactions, as a clause into
   buf, from /proc/buddyinfo: the pages its free blocks of the page's
   order or more could hold, or that the order is beyond the largest
   block the buddy allocator keeps free (gigantic pages). */
void fd_shmem_private_fragmented_why( size_t page_sz, size_t numa_idx, size_t missing, size_t mem_free, int tries,
                                      char * buf, size_t buf_sz );

/* The lowest hugetlb cgroup limit on this process's page_sz pages
   (hugetlb.<size>.max in v2, hugetlb.<size>.limit_in_bytes in v1, of
   its group and each ancestor) in *bytes, its file into path.  Returns
   0, ENOENT (no limit) or the errno of reading /proc/self/cgroup. */
int fd_shmem_private_hugetlb_cgroup_limit( size_t page_sz, size_t * bytes, char * path, size_t path_sz );

/* ---- the machine (fd_shmem_machine.c) ---- */

/* Writes bytes for a person ("22.4 GiB") into buf; returns buf. */
char const * fd_shmem_private_human( size_t bytes, char * buf, size_t buf_sz );

/* The size= of a page-type mount: the machine's memory rounded down to
   whole pages of page_sz.  The view_ form takes the machine's memory
   from view (a call that sizes several page types reads /proc/meminfo
   once); the other reads it. */
size_t fd_shmem_private_view_mount_sz( fd_shmem_private_view_t * view, size_t page_sz );
size_t fd_shmem_private_mount_sz( size_t page_sz );

/* 1 if the kernel offers pages of page_sz (normal pages always). */
int fd_shmem_private_kernel_has_page_sz( size_t page_sz );

#endif /* FDSHMEM_SRC_LIB_SYS_FD_SHMEM_SYS_H */
