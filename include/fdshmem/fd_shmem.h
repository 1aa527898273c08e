#ifndef FDSHMEM_FD_SHMEM_H
#define FDSHMEM_FD_SHMEM_H

/* libfdshmem: named, NUMA-placed shared memory regions backed by normal
   (4 KiB), huge (2 MiB) or gigantic (1 GiB) pages.

   A domain is a directory (default /mnt/.fd, FD_SHMEM_PATH or
   fd_shmem_set_path() override) holding one mount per page type:
   .normal (tmpfs), .huge and .gigantic (hugetlbfs).  A named region is
   the file DOMAIN/.TYPE/NAME.  Every call is thread-safe; the library
   initializes itself on first use.

   Errors are errno values returned directly (never through errno)
   unless a function says otherwise.  Where a function's comment says
   "Returns 0 or one of:" (or, for a call that reports through errno,
   "errno set to one of:"), the list is closed: it can report no other
   code.  EIO in such a list is the catch-all, an unexpected system
   error: whatever the system said is logged (a warning naming the
   function and the real errno) and EIO reported in its place.  The
   join, leave, acquire and release calls keep the original library's
   shape: fd_shmem_join returns NULL (no code), fd_shmem_leave 1 (no
   code), fd_shmem_acquire NULL with errno set, fd_shmem_release -1 with
   errno set.  A function with no such list reports no code: its comment
   says what its failure return means. */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FD_SHMEM_JOIN_MAX             (255UL)
#define FD_SHMEM_JOIN_MODE_READ_ONLY  (0)
#define FD_SHMEM_JOIN_MODE_READ_WRITE (1)

#define FD_SHMEM_NUMA_MAX             (1024UL)
#define FD_SHMEM_CPU_MAX              (1024UL)
/* "No such index": what fd_shmem_numa_idx and fd_shmem_cpu_idx return
   for an invalid argument. */
#define FD_SHMEM_IDX_NULL             ((size_t)-1)

/* Longest domain path in bytes (a buffer for one needs one more), so
   that "/.gigantic/" and a region name still fit in PATH_MAX. */
#define FD_SHMEM_PATH_MAX             (4000UL)

/* Region names: 1..39 of [A-Za-z0-9_.-], first alphanumeric. */
#define FD_SHMEM_NAME_MAX             (40UL)
#define FD_SHMEM_PAGE_SZ_CSTR_MAX     (9UL)

#define FD_SHMEM_UNKNOWN_LG_PAGE_SZ   (-1)
#define FD_SHMEM_NORMAL_LG_PAGE_SZ    (12)
#define FD_SHMEM_HUGE_LG_PAGE_SZ      (21)
#define FD_SHMEM_GIGANTIC_LG_PAGE_SZ  (30)

#define FD_SHMEM_UNKNOWN_PAGE_SZ      (0UL)
#define FD_SHMEM_NORMAL_PAGE_SZ       (4096UL)
#define FD_SHMEM_HUGE_PAGE_SZ         (2097152UL)
#define FD_SHMEM_GIGANTIC_PAGE_SZ     (1073741824UL)

/* ---- Joins ------------------------------------------------------------ */

/* A snapshot of one join.  ref_cnt is -1 while a join or leave callback
   of that region runs, or while a read-only join of it becomes
   read-write.  hash is the original Firedancer's: the low 32 bits of
   XXH64 with seed 0 over name zero-padded to FD_SHMEM_NAME_MAX bytes
   ("test" gives 0x29481342), the same in every process. */
typedef struct fd_shmem_join_info {
  long     ref_cnt;
  void *   join;      /* the handle returned by fd_shmem_join */
  void *   shmem;     /* first byte of the mapping */
  size_t   page_sz;
  size_t   page_cnt;
  int      mode;      /* FD_SHMEM_JOIN_MODE_* */
  unsigned hash;      /* hash of the name, see above */
  char     name[ FD_SHMEM_NAME_MAX ];
} fd_shmem_join_info_t;

typedef void * (*fd_shmem_joinleave_func_t)( void * ctx, fd_shmem_join_info_t const * info );

/* fd_shmem_join maps the named region (first join) or bumps its reference
   count (later joins) and returns the handle, or NULL on failure, with
   no code (errno is not meaningful; the reason is logged).
   The first join maps MAP_SHARED at a random, free, page-size-aligned
   address, mlocks it and, unless dump is non-zero, marks it
   MADV_DONTDUMP.  A failed mlock is not fatal: the join goes on with
   unlocked pages and logs why (an RLIMIT_MEMLOCK below the region's
   size is named, with the limit, the size and the ways to raise it:
   LimitMEMLOCK= in the systemd unit, ulimit -l, CAP_IPC_LOCK).  join_func (may be NULL: the handle is then the mapping)
   is called on the first join with info->ref_cnt == -1; its return value
   is the handle, NULL fails the join and undoes the mapping.  Joining or
   leaving the same region from inside its own callback is a cycle and
   fails.  At most FD_SHMEM_JOIN_MAX regions are joined at once.
   A read-only join of a region joined read-write returns the read-write
   handle.  A read-write join of a region joined read-only upgrades that
   join in place: the same file is opened read-write and mapped over the
   same address range, so the handle, the mapping and every pointer into
   it stay valid (other threads may read it meanwhile), the reference
   count goes up and mode becomes read-write; if that fails (EACCES on
   the open, the name now holds another file, ...) the join fails and
   the read-only join stays as it was.  An anonymous join is never
   remapped: a read-write join of a read-only one counts a reference and
   returns its handle, its mode unchanged (as the original does). */
void * fd_shmem_join( char const * name, int mode, int dump,
                      fd_shmem_joinleave_func_t join_func, void * ctx,
                      fd_shmem_join_info_t * opt_info );

/* fd_shmem_leave drops one reference of handle join; the last leave calls
   leave_func (may be NULL) and unmaps.  Returns 0 on success, 1 on
   failure, with no code (logged): NULL or unknown handle, a cycle, the
   last reference of an anonymous join (fd_shmem_leave_anonymous ends
   it), a failed munmap (the join is gone even then). */
int fd_shmem_leave( void * join, fd_shmem_joinleave_func_t leave_func, void * ctx );

/* Queries of the current joins; opt_info, if non-NULL, gets a snapshot
   on success.  They never log.  Returns 0 or one of: EINVAL (bad name,
   NULL handle, range that wraps), ENOENT (not joined; a zero-size range
   overlaps nothing). */
int fd_shmem_join_query_by_name( char const * name, fd_shmem_join_info_t * opt_info );
int fd_shmem_join_query_by_join( void const * join, fd_shmem_join_info_t * opt_info );
int fd_shmem_join_query_by_addr( void const * addr, size_t sz, fd_shmem_join_info_t * opt_info );

/* fd_shmem_join_anonymous registers memory obtained elsewhere (page_cnt
   pages of page_sz at mem, aligned to page_sz) as a join of name with
   handle join and reference count 1.  It maps nothing.  Returns 0 or
   one of: EINVAL (bad name, mode, page size or count; NULL join or mem;
   misaligned mem; handle, name or memory already registered; no room). */
int fd_shmem_join_anonymous( char const * name, int mode, void * join, void * mem,
                             size_t page_sz, size_t page_cnt );
/* fd_shmem_leave_anonymous unregisters anonymous join join (reference
   count 1); opt_info gets the final snapshot (ref_cnt 0).  It unmaps
   nothing.  Returns 0 or one of: EINVAL (NULL or unknown handle, not
   anonymous, other references held). */
int fd_shmem_leave_anonymous( void * join, fd_shmem_join_info_t * opt_info );

/* Iteration over the current joins:
     for( it = fd_shmem_iter_begin(); !fd_shmem_iter_done( it ); it = fd_shmem_iter_next( it ) ) ...
   Each entry is a snapshot of one join, held in a buffer of the calling
   thread until its next fd_shmem_iter_begin or _next, so other threads
   (and the walk itself) may join and leave meanwhile: a join made or
   ended during the walk may or may not be seen, every other one is seen
   once.  One walk at a time per thread.  Nothing here fails: begin and
   next return NULL at the end of the walk (next also for an iter not
   from this thread's walk), and done is 1 exactly for NULL. */
fd_shmem_join_info_t const * fd_shmem_iter_begin( void );
fd_shmem_join_info_t const * fd_shmem_iter_next ( fd_shmem_join_info_t const * iter );
int                          fd_shmem_iter_done ( fd_shmem_join_info_t const * iter );

/* ---- NUMA topology (libnuma; one node 0 without kernel NUMA) ---------- */

size_t fd_shmem_numa_cnt( void );
size_t fd_shmem_cpu_cnt ( void );
/* NUMA node of logical cpu cpu_idx, or FD_SHMEM_IDX_NULL if invalid. */
size_t fd_shmem_numa_idx( size_t cpu_idx );
/* Lowest logical cpu of node numa_idx, or FD_SHMEM_IDX_NULL if invalid
   or the node has no cpu. */
size_t fd_shmem_cpu_idx ( size_t numa_idx );
/* Whether every page of mem (page_cnt pages of page_sz) is on the node
   of cpu_idx (always, on a kernel without NUMA).  Returns 0 or one of:
   EINVAL (bad arguments), EFAULT (a page is elsewhere or not present),
   EIO (move_pages failed). */
int    fd_shmem_numa_validate( void const * mem, size_t page_sz, size_t page_cnt, size_t cpu_idx );

/* ---- Regions (administration) ----------------------------------------- */

typedef struct fd_shmem_info {
  size_t page_sz;
  size_t page_cnt;
} fd_shmem_info_t;

/* fd_shmem_create_multi creates region name of sub_cnt consecutive
   subregions, subregion i having sub_page_cnt[i] pages of page_sz on the
   NUMA node of cpu sub_cpu_idx[i], with file mode mode (umask ignored).
   Before anything is allocated the size is checked against the machine:
   normal pages against the free space of the .normal mount and
   MemAvailable, huge and gigantic pages against the mount and the free,
   unreserved pages of each node's pool.  Then the file is made unnamed
   (O_TMPFILE; a temporary ".tmp.*" name where the file system refuses
   it), its pages are reserved and placed (faulted in without mlock, so
   no RLIMIT_MEMLOCK is needed) and verified, and only then is it linked
   under name, never replacing one: a region is visible complete or not
   at all, and a creator killed at any point leaves no file and no pages.
   Returns 0 or one of: EINVAL (bad name, page size, mode, cpu index,
   zero or oversized total), EEXIST, ENOENT (no such domain or page
   type), EFAULT (the page-type directory is not the right file system),
   EACCES (it is not writable), ENOMEM (the machine or a node lacks the
   pages; logged with the figures; no file is left behind), EIO.
   Under fd_shmem_set_dry_run every check is made and its result
   returned, and nothing is created. */
int fd_shmem_create_multi( char const * name, size_t page_sz, size_t sub_cnt,
                           size_t const * sub_page_cnt, size_t const * sub_cpu_idx,
                           unsigned long mode );
/* Same arguments: reshapes an existing region in place (not zeroed),
   moving the pages it keeps to the nodes of their new subregions, with
   the same size checks (for the pages it adds and those it moves).  A
   failure leaves the region as it was: size, mode, contents, the node
   of each page and the policy later faults follow.  A dry run checks
   and changes nothing.  Returns 0 or one of: EINVAL, ENOENT (no such
   region), EFAULT (not a usable region), EACCES, EPERM (pages to move
   are mapped by other processes too, and the caller lacks
   CAP_SYS_NICE), ENOMEM, EIO. */
int fd_shmem_update_multi( char const * name, size_t page_sz, size_t sub_cnt,
                           size_t const * sub_page_cnt, size_t const * sub_cpu_idx,
                           unsigned long mode );
/* The single-subregion fd_shmem_create_multi.  Returns 0 or one of:
   EINVAL, EEXIST, ENOENT, EFAULT, EACCES, ENOMEM, EIO. */
int fd_shmem_create( char const * name, size_t page_sz, size_t page_cnt,
                     size_t cpu_idx, unsigned long mode );

/* Removes the name; pages go when the last mapping does.  page_sz 0
   finds the region (largest page size first).  A dry run checks that
   the name exists and its directory is writable, and removes nothing.
   Returns 0 or one of: EINVAL, ENOENT, EFAULT (page_sz 0 found no
   usable region), EACCES (the directory is not writable), EPERM (a
   sticky directory and someone else's region), EIO. */
int fd_shmem_unlink( char const * name, size_t page_sz );

/* Page size and count of a region (page_sz 0: discover, largest first).
   Returns 0 or one of: EINVAL, ENOENT (silently), EFAULT (not a regular
   file, or size not a page multiple: corrupted domain), EACCES (the
   page-type directory cannot be searched), EIO. */
int fd_shmem_info( char const * name, size_t page_sz, fd_shmem_info_t * opt_info );

/* ---- Private pages ---------------------------------------------------- */

/* Private anonymous pages, placed like create, then locked (mlock:
   RLIMIT_MEMLOCK applies).  Return the memory, or NULL with errno set
   to one of: EINVAL (bad page size, NULL arrays, no subregion or zero
   pages in all, a size over LONG_MAX, a bad cpu index), ENOMEM (not
   enough pages, or they cannot be locked), EIO.  Nothing stays mapped
   on failure. */
void * fd_shmem_acquire_multi( size_t page_sz, size_t sub_cnt,
                               size_t const * sub_page_cnt, size_t const * sub_cpu_idx );
void * fd_shmem_acquire( size_t page_sz, size_t page_cnt, size_t cpu_idx );
/* Unmaps what fd_shmem_acquire returned.  Returns 0, or -1 with errno
   set to one of: EINVAL (NULL or misaligned mem, bad page size, zero or
   overflowing page count), EIO (munmap failed). */
int    fd_shmem_release( void * mem, size_t page_sz, size_t page_cnt );

/* ---- Names, page sizes, cpu sequences --------------------------------- */

/* Length of a valid region name, 0 if name is invalid (or NULL). */
size_t       fd_shmem_name_len( char const * name );
/* 1 for 4096, 2097152 or 1073741824, else 0. */
int          fd_shmem_is_page_sz( size_t page_sz );
/* "normal"/"huge"/"gigantic" (any case) or 4096/2097152/1073741824;
   0 if unknown. */
size_t       fd_cstr_to_shmem_page_sz( char const * cstr );
/* "normal"/"huge"/"gigantic" (any case) or 12/21/30; -1 if unknown. */
int          fd_cstr_to_shmem_lg_page_sz( char const * cstr );
/* "normal", "huge", "gigantic" or "unknown". */
char const * fd_shmem_page_sz_to_cstr( size_t page_sz );
char const * fd_shmem_lg_page_sz_to_cstr( int lg_page_sz );

/* fd_shmem_cpu_seq_parse parses a cpu sequence: comma-separated items,
   each N, A-B (inclusive, B >= A) or A-B/S or A-B:S (stride S > 0);
   whitespace is ignored.  Writes the cpus in order to cpu_idx[0..*cnt);
   on error *cnt is 0 and nothing is meaningful in cpu_idx.  Returns 0
   or one of: EINVAL (malformed, overflowing, empty; NULL cstr or cnt;
   NULL cpu_idx with cpu_max > 0), E2BIG (more than cpu_max cpus). */
int fd_shmem_cpu_seq_parse( char const * cstr, size_t * cpu_idx, size_t cpu_max, size_t * cnt );

/* ---- Domain path ------------------------------------------------------ */

/* Selects the domain: an absolute path, trailing slashes ignored.
   Returns 0 or one of: EINVAL (NULL, relative, "/", a "." or ".."
   component, longer than FD_SHMEM_PATH_MAX). */
int          fd_shmem_set_path( char const * path );
/* The current domain path, copied for the calling thread: the string
   stays as it is until this thread calls fd_shmem_path again, whatever
   other threads set meanwhile. */
char const * fd_shmem_path( void );

/* ---- Domain administration (root) ------------------------------------- */

/* path NULL means the current domain (fd_shmem_path()).  Failures are
   also explained through the log callback. */

/* fd_shmem_domain_init creates directory path (which must not exist;
   its parent must) and mounts .normal (tmpfs), .huge and .gigantic
   (hugetlbfs, pagesize 2M / 1G, size MemTotal rounded down to whole
   pages); a page size the kernel does not offer is skipped with a notice
   and gets no directory.  Then the tree gets owner user:group (NULL or
   "" leaves it unchanged) and permissions mode.  Everything is checked
   before anything is touched, and a failure undoes what was done.
   A path on a pseudo file system (proc, sysfs, cgroup, ...) is refused;
   an existing one is refused with what it is logged (a domain, one part
   made as an interrupted init leaves it, or no domain).  Returns 0 or
   one of: EINVAL (bad path or mode, unknown user or group, a pseudo
   file system), EEXIST (path exists), ENOENT (no parent directory), ENOTDIR
   (the parent is not a directory), EACCES (the parent is not writable),
   EPERM (not root: mounting needs CAP_SYS_ADMIN), EIO. */
int fd_shmem_domain_init( char const * path, unsigned long mode, char const * user, char const * group );

/* fd_shmem_domain_fini unmounts every page type and removes the tree.
   A partial domain (page types missing, or empty directories that are
   not mounts) is taken down too.  Before anything is touched it finds
   every process that holds a mount (maps a file of it, even one whose
   name is gone; has a descriptor open in it; has its working or root
   directory inside) and refuses with EBUSY, each holder logged.  If an
   unmount still fails, the page types already unmounted are mounted back
   with their files, and the error is returned.  Returns 0 or one of:
   EINVAL (bad path; not a domain: a mount point, on a pseudo file
   system, a page type of the wrong kind, or other files in the
   directory), ENOENT (nothing there), ENOTDIR (a
   symbolic link or not a directory), EBUSY (a holder; a mount inside;
   an unmount refused), EACCES (the domain cannot be read), EPERM (not
   root), EIO. */
int fd_shmem_domain_fini( char const * path );

/* fd_shmem_domain_reset unlinks every file of every page type (regions
   and leftovers of interrupted creates), through the opened mounts.  It
   refuses (EINVAL, nothing removed) unless every page-type directory
   present is its own mount of the right file system and page size.
   Returns 0 or one of: EINVAL (bad path, not a domain), ENOENT,
   ENOTDIR, EACCES (the domain cannot be read, or a file not removed:
   the directory is not writable), EPERM (a file not removed: a sticky
   directory and someone else's file), EIO. */
int fd_shmem_domain_reset( char const * path );

/* What a domain's page-type directory DOMAIN/.TYPE is, as
   fd_shmem_domain_describe finds it (no symbolic link is followed). */
#define FD_SHMEM_TYPE_MOUNTED       (0)  /* its own mount: right file system and page size */
#define FD_SHMEM_TYPE_MISSING       (1)  /* no such directory */
#define FD_SHMEM_TYPE_UNMOUNTED     (2)  /* a directory that is not a mount */
#define FD_SHMEM_TYPE_WRONG_FS      (3)  /* a mount of another file system */
#define FD_SHMEM_TYPE_WRONG_PAGE_SZ (4)  /* hugetlbfs with another page size */
#define FD_SHMEM_TYPE_SHARED        (5)  /* a bind mount, a file system also mounted elsewhere, or stacked mounts */
#define FD_SHMEM_TYPE_NOT_DIR       (6)  /* a symbolic link or another non-directory */

/* Words for a state ("mounted", "not mounted", ...); "unknown" if bad. */
char const * fd_shmem_type_state_cstr( int state );

#define FD_SHMEM_DOMAIN_TYPE_CNT (3)  /* normal, huge, gigantic, in this order */

typedef struct fd_shmem_type_info {
  size_t        page_sz;        /* FD_SHMEM_{NORMAL,HUGE,GIGANTIC}_PAGE_SZ */
  int           state;          /* FD_SHMEM_TYPE_* */
  int           offered;        /* the kernel offers pages of this size */
  int           empty;          /* the directory holds no file */
  unsigned long uid, gid, mode; /* of the directory (not MISSING / NOT_DIR) */
  size_t        fs_page_sz;     /* page size of the file system found there */
  size_t        mount_sz;       /* bytes the mount may hold (its size=) */
  size_t        want_sz;        /* the size= init would give it now: the machine's memory in whole pages */
  int           size_stale;     /* mounted with a size= below want_sz (memory was added; size= 0, no limit,
                                   is never stale): repair resizes it */
} fd_shmem_type_info_t;

typedef struct fd_shmem_domain_info {
  int                  exists;  /* path is a directory (0: nothing there) */
  int                  others;  /* entries beside the page-type directories */
  unsigned long        uid, gid, mode;
  fd_shmem_type_info_t type[ FD_SHMEM_DOMAIN_TYPE_CNT ];
} fd_shmem_domain_info_t;

/* fd_shmem_domain_describe fills *info for the domain at path (NULL:
   the current one).  Nothing there is not an error (info->exists 0).
   Returns 0 or one of: EINVAL (bad path, NULL info; not a domain and
   never one: a mount point, or on a pseudo file system, logged),
   ENOTDIR (path is a symbolic link or not a directory), EACCES (it
   cannot be read), EIO. */
int fd_shmem_domain_describe( char const * path, fd_shmem_domain_info_t * info );

/* fd_shmem_domain_repair mounts each page type the kernel offers whose
   directory is missing or is an empty directory that is not a mount
   (nothing can be using a mount that is not there), as init would.  A
   wrong file system or page size is never remounted: it is logged and
   returned as EBUSY after the rest is done.  A mount sized for less
   memory than the machine has (want_sz) is resized: tmpfs live, an
   empty hugetlbfs mounted afresh (the kernel ignores size= on its
   remount), one holding regions left (EBUSY).  Only a domain, or an
   empty directory, is repaired: a directory with other files is refused
   (EINVAL).  opt_cnt (if not NULL) gets the number of page types
   mounted or resized.  Returns 0 or one of: EINVAL (bad path; other
   files), ENOENT (no domain), ENOTDIR, EBUSY, EACCES (the domain cannot
   be read or written), EPERM (not root: mounting needs CAP_SYS_ADMIN),
   EIO. */
int fd_shmem_domain_repair( char const * path, size_t * opt_cnt );

/* What fd_shmem_domain_repair does with a page type, as
   fd_shmem_domain_type_fix answers from its description alone (the one
   place the rule is written: repair follows it, and tools ask it). */
#define FD_SHMEM_FIX_NONE   (0)  /* nothing: mounted right, or a size the kernel lacks */
#define FD_SHMEM_FIX_MOUNT  (1)  /* mounted: missing, or an empty directory that is not a mount */
#define FD_SHMEM_FIX_RESIZE (2)  /* resized to want_sz: tmpfs live, an empty hugetlbfs mounted afresh */
#define FD_SHMEM_FIX_HELD   (3)  /* left: a stale hugetlbfs holding regions (until they are gone; EBUSY) */
#define FD_SHMEM_FIX_STUCK  (4)  /* left: a state a live domain is never remounted from (EBUSY) */

/* One of FD_SHMEM_FIX_* for ti (as fd_shmem_domain_describe filled it);
   FD_SHMEM_FIX_NONE for NULL. */
int fd_shmem_domain_type_fix( fd_shmem_type_info_t const * ti );

/* Which administrative calls refuse a domain for one thing in it, and
   what clears it, as fd_shmem_domain_refusals answers from its
   description alone (the one place the rules of fini, reset and repair
   are written: they follow it, and tools ask it). */
#define FD_SHMEM_OP_FINI   (1U)  /* fd_shmem_domain_fini (and set_owner) */
#define FD_SHMEM_OP_RESET  (2U)  /* fd_shmem_domain_reset */
#define FD_SHMEM_OP_REPAIR (4U)  /* fd_shmem_domain_repair: EINVAL for the domain, EBUSY for a page type */

#define FD_SHMEM_REMEDY_NONE    (0)  /* nothing is refused for it */
#define FD_SHMEM_REMEDY_REPAIR  (1)  /* repair mounts it (fini removes a domain no more than begun) */
#define FD_SHMEM_REMEDY_EMPTY   (2)  /* move its files out, then repair or fini */
#define FD_SHMEM_REMEDY_RMDIR   (3)  /* remove the empty directory by hand: the kernel lacks that page size */
#define FD_SHMEM_REMEDY_BY_HAND (4)  /* unmount or remove it by hand: no call touches it */

typedef struct fd_shmem_domain_refusal {
  unsigned refused_by;  /* FD_SHMEM_OP_* of the calls it makes refuse the domain (0: none) */
  int      remedy;      /* FD_SHMEM_REMEDY_* */
} fd_shmem_domain_refusal_t;

typedef struct fd_shmem_domain_refusals {
  fd_shmem_domain_refusal_t type[ FD_SHMEM_DOMAIN_TYPE_CNT ];  /* each page-type directory */
  fd_shmem_domain_refusal_t bare;    /* the domain directory holds no page-type directory */
  fd_shmem_domain_refusal_t others;  /* it holds files beside the page-type directories */
} fd_shmem_domain_refusals_t;

/* fd_shmem_domain_refusals fills *out for the domain info describes
   (all zero when info is NULL or no domain is there; nothing when out
   is NULL). */
void fd_shmem_domain_refusals( fd_shmem_domain_info_t const * info, fd_shmem_domain_refusals_t * out );

/* What the administrative calls would do with a domain, asked without
   the dry-run switch (fd_shmem_domain_plan). */
typedef struct fd_shmem_domain_plan {
  int                    info_err;       /* what fd_shmem_domain_describe returned (0: info holds the domain) */
  fd_shmem_domain_info_t info;
  int                    init_err;       /* no domain there: what fd_shmem_domain_init would return (0: done) */
  int                    owner_err;      /* a domain there: what fd_shmem_domain_set_owner would return */
  int                    owner_differs;  /* ... and 1 if it would change an owner or a mode */
  int                    fix[ FD_SHMEM_DOMAIN_TYPE_CNT ];  /* a domain there: fd_shmem_domain_type_fix of each type */
  fd_shmem_domain_refusals_t refusals;  /* a domain there: fd_shmem_domain_refusals of info */
} fd_shmem_domain_plan_t;

/* fd_shmem_domain_plan fills *plan with what describe finds at path
   (NULL: the current domain) and what init (no domain there) or
   set_owner, repair, fini and reset (a domain there) would do with mode,
   user and group, changing nothing; it does not read the dry-run switch.  Each
   answer is a code in *plan, and a refusal leaves its reason
   (fd_shmem_last_reason), the last asked.  Returns 0 or one of: EINVAL
   (NULL plan). */
int fd_shmem_domain_plan( char const * path, unsigned long mode, char const * user, char const * group,
                          fd_shmem_domain_plan_t * plan );

/* fd_shmem_owner_resolve turns a user and a group, each a name or a
   decimal id (NULL or "": unchanged, (unsigned long)-1), into ids.
   Returns 0 or one of: EINVAL (unknown user or group, a bad id, NULL
   uid or gid). */
int fd_shmem_owner_resolve( char const * user, char const * group,
                            unsigned long * uid, unsigned long * gid );

/* fd_shmem_domain_set_owner gives the domain directory and each
   page-type mount owner user:group (as fd_shmem_owner_resolve; unchanged
   where NULL or "") and permissions mode, never following a link.
   opt_changed (if not NULL) gets 1 if anything differed.  Returns 0 or
   one of: EINVAL (bad path, mode, user or group; not a domain), ENOENT
   (nothing there), ENOTDIR, EACCES (the domain cannot be read), EPERM
   (not root, nor the owner), EIO. */
int fd_shmem_domain_set_owner( char const * path, unsigned long mode, char const * user,
                               char const * group, int * opt_changed );

/* Exclusive pages.  fd_shmem_domain_reserve makes the domain's mount of
   page_sz pages (huge or gigantic) reserve page_cnt pages of the
   machine's pool for the domain's files (hugetlbfs min_size; 0: no
   reservation).  The kernel counts them as reserved: no one outside
   the domain (an anonymous MAP_HUGETLB mapping, another hugetlbfs
   mount, SysV SHM_HUGETLB) can take them, while regions of the domain,
   and fd_shmem_acquire in a process whose domain it is, draw on them.
   The reservation is of the machine's pool, not of a node's: it keeps
   each node's pages for the domain only when the domain reserves the
   whole pool of its size (outsiders then get no page on any node);
   with pages left to others, an outsider may still take a node's free
   pages that a create bound there would want.  Linux reads min_size
   only when mounting, so a change mounts the empty page type afresh:
   a mount holding files (regions) keeps its reservation (EBUSY).  The
   pool must hold the pages free and unreserved (ENOMEM).  Asking for
   what is there already changes nothing; under the dry-run switch
   everything is checked and nothing changed.  Returns 0 or one of:
   EINVAL (bad path or page size, a count the mount cannot hold, not a
   domain or the page type not mounted), ENOENT (no domain), ENOTDIR,
   EBUSY (the mount holds files, or a process uses it), ENOMEM (too few
   pages free), EACCES (the domain cannot be read), EPERM (not root:
   mounting needs CAP_SYS_ADMIN), EIO. */
int fd_shmem_domain_reserve( char const * path, size_t page_sz, size_t page_cnt );

/* fd_shmem_domain_reserved sets *page_cnt to the pages the domain's
   mount of page_sz reserves (0: none, or not mounted).  Returns 0 or
   one of: EINVAL (bad path or page size, NULL page_cnt), ENOENT (no
   domain), ENOTDIR, EACCES, EIO. */
int fd_shmem_domain_reserved( char const * path, size_t page_sz, size_t * page_cnt );

/* One file of a domain, as listed by fd_shmem_domain_regions. */
typedef struct fd_shmem_region_info {
  char          name[ 256 ];
  int           valid;     /* 0: not a usable region (bad name, not a regular file, odd size) */
  int           leftover;  /* the temporary file of an interrupted create (reset removes it) */
  int           is_dir;    /* a directory: no region, and reset leaves it */
  size_t        page_sz;
  size_t        page_cnt;
  size_t        sz;        /* bytes */
  unsigned long uid, gid, mode;
  size_t        map_cnt;   /* processes that currently map it */
} fd_shmem_region_info_t;

typedef int (*fd_shmem_region_func_t)( void * ctx, fd_shmem_region_info_t const * info );

/* Calls func for each file of each page type of the domain, largest page
   size first, in name order.  A non-zero return from func stops the walk
   and is returned as it is.  Otherwise returns 0 or one of: EINVAL
   (bad path, NULL func), ENOENT (no such domain), ENOTDIR, EACCES (the
   domain cannot be read), EIO. */
int fd_shmem_domain_regions( char const * path, fd_shmem_region_func_t func, void * ctx );

/* A NUMA node's pool of huge or gigantic pages. */
typedef struct fd_shmem_pool_info {
  size_t total;       /* nr_hugepages */
  size_t free;
  size_t surplus;
  size_t node_bytes;  /* the memory the kernel manages on the node: its MemTotal (0: unknown) */
} fd_shmem_pool_info_t;

/* Returns 0 or one of: EINVAL (normal or bad page size, NULL info),
   ENODEV (no such node), EOPNOTSUPP (the kernel has no pages of that
   size), EIO (a sysfs file unreadable or not a number). */
int fd_shmem_pool_query( size_t page_sz, size_t numa_idx, fd_shmem_pool_info_t * info );

/* fd_shmem_pool_reserved sets *page_cnt to the pages of the machine's
   pool of page_sz promised and not yet used: to mappings made and not
   yet touched, and to hugetlbfs mounts that reserve pages (a domain's
   exclusive pages, fd_shmem_domain_reserve).  The kernel keeps this
   count for the machine only, not per node.  Returns 0 or one of:
   EINVAL (normal or bad page size, NULL page_cnt), EOPNOTSUPP (the
   kernel has no pages of that size), EIO (unreadable or not a
   number). */
int fd_shmem_pool_reserved( size_t page_sz, size_t * page_cnt );

/* fd_shmem_pool_alloc sets node numa_idx's pool of page_sz pages to
   page_cnt.  Everything is checked before anything is written: a count
   whose bytes exceed the node's memory is refused (E2BIG); shrinking is
   allowed down to the pages the kernel cannot free (in use, or kept
   free for reservations) and refused below (EBUSY, the holding regions
   of the current domain logged).  When the kernel comes up short of a
   grow, memory is compacted and the write retried a few times, but only
   while the missing pages would fit in the node's free memory (each
   attempt a NOTICE); then the pool is put back as it was and ENOMEM
   returned, the reason (NO_ROOM: needed the pages asked, had those
   found) naming the cause the machine shows: a node too small, free
   memory in no block of the page's order, and a hugetlb cgroup limit
   if one applies; an EOPNOTSUPP says why the size is not offered.
   opt_got (if not
   NULL) gets the count reached (on a refusal: the count as it is; in a
   dry run: the count it would be).  Returns 0 or one of: EINVAL
   (normal or bad page size), ENODEV, EOPNOTSUPP, E2BIG, EBUSY, ENOMEM,
   EACCES (the pool cannot be written: not root), EIO. */
int fd_shmem_pool_alloc( size_t page_sz, size_t page_cnt, size_t numa_idx, size_t * opt_got );
/* fd_shmem_pool_alloc_check answers, changing nothing and logging
   nothing, whether fd_shmem_pool_alloc( page_sz, page_cnt, numa_idx )
   would pass its checks: the count fits the node's memory, a shrink
   stays above the pages the kernel cannot free.  A refusal leaves its
   reason (fd_shmem_last_reason: NO_ROOM with the bytes needed and the
   node's; HELD with the lowest count and the pages in use); whether
   the kernel then finds the pages, and the caller may write the pool,
   it cannot tell.  It does not read the dry-run switch.  Returns 0 or
   one of: EINVAL (normal or bad page size), ENODEV, EOPNOTSUPP, E2BIG,
   EBUSY, EIO. */
int fd_shmem_pool_alloc_check( size_t page_sz, size_t page_cnt, size_t numa_idx );

/* fd_shmem_pool_alloc with 0 pages.  Returns 0 or one of: EINVAL,
   ENODEV, EOPNOTSUPP, EBUSY, EACCES, EIO. */
int fd_shmem_pool_free ( size_t page_sz, size_t numa_idx );

/* ---- Dry runs ---------------------------------------------------------- */

/* fd_shmem_set_dry_run( 1 ) makes every call that would change the
   machine (domain init, fini, reset, repair and owner; pool alloc and
   free; region create, update and unlink) make all its checks and return
   what it would have returned, changing nothing.  The switch is
   process-wide (meant for administration tools).  Returns the previous
   setting (0 or 1). */
int fd_shmem_set_dry_run( int on );

/* ---- Reasons ---------------------------------------------------------- */

/* What a failure was about (fd_shmem_reason_t what). */
#define FD_SHMEM_REASON_NONE       (0)   /* no failure recorded in this thread */
#define FD_SHMEM_REASON_ARG        (1)   /* a bad argument (name, mode, size, user, ...) */
#define FD_SHMEM_REASON_NO_ROOM    (2)   /* needed exceeds had: memory or pages (page_sz and numa_idx say where) */
#define FD_SHMEM_REASON_NOT_DOMAIN (3)   /* path is not a domain (text says why) */
#define FD_SHMEM_REASON_TYPE_STATE (4)   /* domain path's page_sz directory is in state had (FD_SHMEM_TYPE_*) */
#define FD_SHMEM_REASON_EXISTS     (5)   /* path (init) or the region (create) exists already */
#define FD_SHMEM_REASON_MISSING    (6)   /* nothing there: no domain, region or node */
#define FD_SHMEM_REASON_HELD       (7)   /* had processes or pages hold it; needed: the floor, if any */
#define FD_SHMEM_REASON_NO_PRIV    (8)   /* not permitted: a capability or a file permission */
#define FD_SHMEM_REASON_KERNEL     (9)   /* the kernel lacks it (a page size, a feature) */
#define FD_SHMEM_REASON_NOT_REGION (10)  /* path is not a usable region file */
#define FD_SHMEM_REASON_SYSTEM     (11)  /* a system call failed (sys_err) */

#define FD_SHMEM_REASON_PATH_MAX (4352UL)  /* bytes of fd_shmem_reason_t path, with its 0 */
#define FD_SHMEM_REASON_TEXT_MAX (8192UL)  /* bytes of fd_shmem_reason_t text, with its 0 */

/* Why the last failing call of this thread failed. */
typedef struct fd_shmem_reason {
  int    what;      /* FD_SHMEM_REASON_* */
  int    err;       /* the code the call returned (or left in errno) */
  int    sys_err;   /* the system's errno behind an EIO catch-all (0: none) */
  int    worded;    /* 1: text says this failure in words; 0: only its code is known (text: the code's
                       words, or the catch-all's line) */
  size_t needed;    /* figures, as what says (0: none); bytes for normal */
  size_t had;       /*   pages and memory, else pages */
  size_t page_sz;   /* the page size it is about (0: none) */
  size_t numa_idx;  /* the node it is about (FD_SHMEM_IDX_NULL: none) */
  char   path[ FD_SHMEM_REASON_PATH_MAX ];  /* the path it is about, raw bytes ("": none) */
  char   text[ FD_SHMEM_REASON_TEXT_MAX ];  /* the sentence the log got, raw bytes (cut if longer) */
} fd_shmem_reason_t;

/* fd_shmem_last_reason copies into *out the reason of the last call of
   this thread that failed and records one (the calls with an error set
   in their manual page, and the joins), like errno: valid right after
   the failure, kept until the next one.  A success leaves it.  Returns 0
   or one of: EINVAL (NULL out), ENOENT (no failure in this thread since
   it began or since fd_shmem_reason_clear; *out gets what
   FD_SHMEM_REASON_NONE). */
int fd_shmem_last_reason( fd_shmem_reason_t * out );

/* Forgets this thread's last reason. */
void fd_shmem_reason_clear( void );

/* Words for what ("no room", "not a domain", ...); "unknown" if bad. */
char const * fd_shmem_reason_what_cstr( int what );

/* ---- Logging ---------------------------------------------------------- */

/* Message levels (syslog numbering). */
#define FD_SHMEM_LOG_NONE    (0)
#define FD_SHMEM_LOG_ERR     (3)
#define FD_SHMEM_LOG_WARNING (4)
#define FD_SHMEM_LOG_NOTICE  (5)
#define FD_SHMEM_LOG_INFO    (6)
#define FD_SHMEM_LOG_DEBUG   (7)

typedef void (*fd_shmem_log_func_t)( void * ctx, int level, char const * msg );

/* Replaces the log callback; NULL restores the default, which writes
   "fd_shmem: MSG" lines to stderr. */
void fd_shmem_set_log_func( fd_shmem_log_func_t func, void * ctx );
/* Messages above level are dropped; FD_SHMEM_LOG_NONE silences all.
   Default FD_SHMEM_LOG_WARNING, or the FD_SHMEM_LOG environment variable
   (none, err, warning, notice, info, debug or 0..7).  Returns the
   previous level, or -1 (level unchanged) if level is out of range. */
int  fd_shmem_set_log_level( int level );

#ifdef __cplusplus
}
#endif

#endif /* FDSHMEM_FD_SHMEM_H */
