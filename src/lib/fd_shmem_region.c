/* Named regions: lookup, atomic creation, reshaping and removal of the
   file behind a name. */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The path of region name of page_sz, for a reason: built only on a
   failure ("" if there is none). */
static char const *
region_path( char * buf, size_t buf_sz, char const * name, size_t page_sz ) {
  if( fd_shmem_private_type_dir( page_sz, buf, buf_sz ) ) { buf[0] = '\0'; return buf; }
  size_t len = strlen( buf );
  if( (size_t)snprintf( buf+len, buf_sz-len, "/%s", name )>=buf_sz-len ) buf[0] = '\0';
  return buf;
}

/* Checks st against page_sz; fills *info.  Returns 0 or EFAULT. */
static int
region_check_stat( char const * name, size_t page_sz, struct stat const * st, fd_shmem_info_t * info ) {
  char path[ PATH_MAX ];
  if( !S_ISREG( st->st_mode ) )
    return fd_shmem_private_fail( EFAULT, FD_SHMEM_REASON_NOT_REGION, region_path( path, sizeof(path), name, page_sz ),
                                  NULL,
                                  "%s (%s pages): not a regular file; the domain is corrupted",
                                  name, fd_shmem_page_sz_to_cstr( page_sz ) );
  size_t sz = (size_t)st->st_size;
  if( !sz || sz % page_sz ) {
    fd_shmem_private_figs_t figs = { .had=sz, .page_sz=page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
    return fd_shmem_private_fail( EFAULT, FD_SHMEM_REASON_NOT_REGION, region_path( path, sizeof(path), name, page_sz ),
                                  &figs,
                                  "%s (%s pages): size %zu is not a whole number of pages; the domain is corrupted",
                                  name, fd_shmem_page_sz_to_cstr( page_sz ), sz );
  }
  info->page_sz  = page_sz;
  info->page_cnt = sz / page_sz;
  return 0;
}

/* Looks for name under one page type.  Returns 0, ENOENT or an error.
   O_NONBLOCK keeps a planted FIFO from hanging the open; O_NOFOLLOW
   refuses symlinks; the file system is checked on what was opened. */
static int
region_find_one( char const * name, size_t page_sz, int open_flags, int * fd_out, fd_shmem_info_t * info,
                 struct stat * opt_st ) {
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
  if( !err && S_ISREG( st.st_mode ) && !fd_shmem_private_fs_ok( fd_out ? fd : dir, page_sz ) ) {
    char path[ PATH_MAX ];
    err = fd_shmem_private_fail( EFAULT, FD_SHMEM_REASON_NOT_REGION, region_path( path, sizeof(path), name, page_sz ),
                                 NULL,
                                 "%s (%s pages): not on a %s file system; refusing it",
                                 name, fd_shmem_page_sz_to_cstr( page_sz ), fd_shmem_private_fs_name( page_sz ) );
  }
  if( err==ELOOP ) { /* O_NOFOLLOW met a symlink: never follow it */
    char path[ PATH_MAX ];
    err = fd_shmem_private_fail( EFAULT, FD_SHMEM_REASON_NOT_REGION, region_path( path, sizeof(path), name, page_sz ),
                                 NULL,
                                 "%s (%s pages): is a symbolic link; refusing it",
                                 name, fd_shmem_page_sz_to_cstr( page_sz ) );
  }
  if( !err ) err = region_check_stat( name, page_sz, &st, info );
  close( dir );
  if( err ) {
    if( fd>=0 ) close( fd );
    return err;
  }
  if( fd_out ) *fd_out = fd;
  if( opt_st ) *opt_st = st;
  return 0;
}

int
fd_shmem_private_region_find( char const * name, size_t page_sz, int open_flags,
                              int * fd_out, fd_shmem_info_t * info, struct stat * opt_st ) {
  if( !fd_shmem_name_len( name ) ) return EINVAL;
  if( page_sz ) {
    if( !fd_shmem_is_page_sz( page_sz ) ) return EINVAL;
    return region_find_one( name, page_sz, open_flags, fd_out, info, opt_st );
  }
  for( size_t i=0UL; i<FD_SHMEM_DOMAIN_TYPE_CNT; i++ ) {
    size_t t   = FD_SHMEM_PRIVATE_LARGEST_FIRST( i );
    int    err = region_find_one( name, fd_shmem_private_page_type[ t ].page_sz, open_flags, fd_out, info, opt_st );
    if( err!=ENOENT ) return err;
  }
  return ENOENT;
}

FD_SHMEM_EXPORT int
fd_shmem_info( char const * name, size_t page_sz, fd_shmem_info_t * opt_info ) {
  fd_shmem_info_t info;
  int err = fd_shmem_private_region_find( name, page_sz, 0, NULL, &info, NULL );
  if( !err && opt_info ) *opt_info = info;
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_info, err, NULL );
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

/* Maps the first sz bytes of fd and reserves, places and populates
   every page of shape in it, then unmaps (the pages stay with the file). */
static int
region_place( int fd, size_t sz, region_shape_t const * shape ) {
  void * mem = mmap( NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0 );
  if( mem==MAP_FAILED ) return errno==ENOMEM || errno==EAGAIN ? ENOMEM : errno;
  int err = fd_shmem_private_place( mem, shape->page_sz, shape->sub_cnt,
                                    shape->sub_page_cnt, shape->sub_cpu_idx, 0 );
  munmap( mem, sz );
  return err;
}

/* Gives the new file fd its mode and size and fills it. */
static int
region_fill( int fd, region_shape_t const * shape ) {
  size_t sz = shape->page_cnt*shape->page_sz;
  if( fchmod( fd, shape->mode ) || ftruncate( fd, (off_t)sz ) ) return errno;
  return region_place( fd, sz, shape );
}

/* Writes a private temporary name for a region under construction: it
   starts with '.', so it can never be looked up as a region. */
static void
region_tmp_name( char * buf, size_t buf_sz ) {
  static unsigned long seq;
  snprintf( buf, buf_sz, ".tmp.%ld.%lu", (long)getpid(),
            __atomic_fetch_add( &seq, 1UL, __ATOMIC_RELAXED ) );
}

/* Opens a new file for the region: unnamed (O_TMPFILE) when the file
   system allows, so a creator killed at any point leaves nothing that
   holds pages; else under a temporary name written into tmp (tmp[0]
   stays '\0' for an unnamed file).  Returns the fd or -1 (errno set). */
static int
region_open_new( int dir, char * tmp, size_t tmp_sz ) {
  tmp[0] = '\0';
  int fd = openat( dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600 );
  if( fd>=0 || ( errno!=EOPNOTSUPP && errno!=EISDIR && errno!=EINVAL ) ) return fd;
  region_tmp_name( tmp, tmp_sz );
  return openat( dir, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600 );
}

/* Gives the finished file its name; neither way ever replaces an
   existing name (EEXIST), so of racing creates exactly one wins.  An
   unnamed file is linked through /proc/self/fd: linkat's AT_EMPTY_PATH
   needs CAP_DAC_READ_SEARCH, which a non-root creator lacks. */
static int
region_publish( int dir, int fd, char const * tmp, char const * name ) {
  if( tmp[0] ) return renameat2( dir, tmp, dir, name, RENAME_NOREPLACE ) ? errno : 0;
  char self[ 64 ];
  snprintf( self, sizeof(self), "/proc/self/fd/%d", fd );
  if( !linkat( AT_FDCWD, self, dir, name, AT_SYMLINK_FOLLOW ) ) return 0;
  if( errno!=ENOENT ) return errno;  /* no /proc: try the privileged way */
  return linkat( fd, "", dir, name, AT_EMPTY_PATH ) ? errno : 0;
}

/* The checks of a create, in the order the real call meets them: the
   directory's file system and permissions, the name, the room. */
static int
region_create_check( int dir, char const * what, char const * name, region_shape_t const * shape ) {
  char path[ PATH_MAX ];
  if( !fd_shmem_private_fs_ok( dir, shape->page_sz ) ) {
    fd_shmem_private_figs_t figs = { .had=FD_SHMEM_TYPE_WRONG_FS, .page_sz=shape->page_sz,
                                     .numa_idx=FD_SHMEM_IDX_NULL };
    if( fd_shmem_private_type_dir( shape->page_sz, path, sizeof(path) ) ) path[0] = '\0';
    return fd_shmem_private_fail( EFAULT, FD_SHMEM_REASON_TYPE_STATE, path, &figs,
                                  "%s: the %s page directory is not a %s mount", what,
                                  fd_shmem_page_sz_to_cstr( shape->page_sz ),
                                  fd_shmem_private_fs_name( shape->page_sz ) );
  }
  if( faccessat( dir, ".", W_OK | X_OK, AT_EACCESS ) ) return errno;
  struct stat st;
  if( !fstatat( dir, name, &st, AT_SYMLINK_NOFOLLOW ) )  /* the caller words it: not logged */
    return fd_shmem_private_quiet_fail( EEXIST, FD_SHMEM_REASON_EXISTS,
                                        region_path( path, sizeof(path), name, shape->page_sz ), NULL,
                                        "%s: %s exists", what, name );
  return fd_shmem_private_room( dir, what, shape->page_sz, shape->sub_cnt,
                                shape->sub_page_cnt, shape->sub_cpu_idx, 0UL, NULL );
}

/* Builds the region in a file nobody can look up and publishes it
   complete: a region is visible whole or not at all.  Sets *said when
   the checks already logged why it failed (no room: how many pages it
   needs and how many are free). */
static int
region_create_at( int dir, char const * name, region_shape_t const * shape, int * said ) {
  char what[ 16+FD_SHMEM_NAME_MAX ];
  snprintf( what, sizeof(what), "create %s", name );
  int err = region_create_check( dir, what, name, shape );
  *said = err==ENOMEM || err==EFAULT;
  if( err || fd_shmem_private_dry_run() ) return err;
  char tmp[ 64 ];
  int fd = region_open_new( dir, tmp, sizeof(tmp) );
  if( fd<0 ) return errno;
  err = region_fill( fd, shape );
  if( !err ) err = region_publish( dir, fd, tmp, name );
  if( err && tmp[0] ) unlinkat( dir, tmp, 0 );
  close( fd );
  return err;
}

static int
region_failed( char const * what, char const * name, region_shape_t const * shape, int err ) {
  char path[ PATH_MAX ];
  return fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, region_path( path, sizeof(path), name, shape->page_sz ),
                                NULL,
                                "%s %s (%zu %s page%s) failed: %s", what, name, shape->page_cnt,
                                fd_shmem_page_sz_to_cstr( shape->page_sz ), FD_SHMEM_PRIVATE_S( shape->page_cnt ),
                                strerror( err ) );
}

/* create and update: what each does with a checked shape. */
typedef int region_op_t( char const * name, region_shape_t const * shape );

/* Checks the arguments into a shape, then runs op with it. */
static int
shaped( region_op_t * op, char const * name, size_t page_sz, size_t sub_cnt, size_t const * sub_page_cnt,
        size_t const * sub_cpu_idx, unsigned long mode ) {
  region_shape_t shape;
  int err = region_shape( &shape, name, page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, mode );
  return err ? err : op( name, &shape );
}

static int
create_shaped( char const * name, region_shape_t const * shape ) {
  int dir = fd_shmem_private_open_type_dir( shape->page_sz );
  if( dir<0 ) return errno;
  int said;
  int err = region_create_at( dir, name, shape, &said );
  close( dir );
  return err && err!=EEXIST && !said ? region_failed( "create", name, shape, err ) : err;
}

FD_SHMEM_EXPORT int
fd_shmem_create_multi( char const * name, size_t page_sz, size_t sub_cnt, size_t const * sub_page_cnt,
                       size_t const * sub_cpu_idx, unsigned long mode ) {
  int err = shaped( create_shaped, name, page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, mode );
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_create_multi, err, NULL );
}

/* Reshapes the open region fd of old_cnt pages; on failure it is left
   as it was (size, mode, contents up to the old size).  The file grows
   before placement (the new pages must exist to be placed); the mode
   changes and the file shrinks only once placement succeeded. */
static int
region_reshape( int fd, size_t old_cnt, region_shape_t const * shape ) {
  size_t old_sz = old_cnt*shape->page_sz;
  size_t new_sz = shape->page_cnt*shape->page_sz;
  struct stat st;
  if( fstat( fd, &st ) ) return errno;
  if( new_sz>old_sz && ftruncate( fd, (off_t)new_sz ) ) return errno;
  int err = region_place( fd, new_sz, shape );
  if( !err && fchmod( fd, shape->mode ) ) err = errno;
  if( !err && new_sz<old_sz && ftruncate( fd, (off_t)new_sz ) ) {
    err = errno;
    (void)!fchmod( fd, st.st_mode & 07777 );
  }
  if( err && new_sz>old_sz ) (void)!ftruncate( fd, (off_t)old_sz );  /* gives the new pages back */
  return err;
}

/* The room check counts the pages added and those moved to another
   node; a failed reshape puts the kept pages and the file's policy back
   where they were (fd_shmem_numa_undo.c). */
static int
update_shaped( char const * name, region_shape_t const * shape ) {
  size_t page_sz = shape->page_sz, sub_cnt = shape->sub_cnt;
  size_t const * sub_page_cnt = shape->sub_page_cnt, * sub_cpu_idx = shape->sub_cpu_idx;
  int fd;
  fd_shmem_info_t info;
  int err = fd_shmem_private_region_find( name, page_sz, O_RDWR, &fd, &info, NULL );
  if( err ) return err;
  char what[ 16+FD_SHMEM_NAME_MAX ];
  snprintf( what, sizeof(what), "update %s", name );
  size_t keep_cnt = info.page_cnt<shape->page_cnt ? info.page_cnt : shape->page_cnt;
  fd_shmem_private_numa_undo_t * undo;
  err = fd_shmem_private_numa_undo_take( &undo, fd, page_sz, keep_cnt );
  int said = 0;
  if( !err ) {
    size_t moved[ FD_SHMEM_NUMA_MAX ] = { 0UL };
    fd_shmem_private_numa_undo_moved( undo, sub_cnt, sub_page_cnt, sub_cpu_idx, moved );
    err  = fd_shmem_private_room( fd, what, page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, info.page_cnt, moved );
    said = !!err;  /* the room check said why */
  }
  if( !err && !fd_shmem_private_dry_run() ) err = fd_shmem_private_numa_undo_take_policy( undo, fd, shape->page_cnt );
  if( !err && !fd_shmem_private_dry_run() ) {
    err = region_reshape( fd, info.page_cnt, shape );
    if( err ) fd_shmem_private_numa_undo_apply( undo, fd, what );
  }
  fd_shmem_private_numa_undo_free( undo );
  close( fd );
  return err && !said ? region_failed( "update", name, shape, err ) : err;
}

FD_SHMEM_EXPORT int
fd_shmem_update_multi( char const * name, size_t page_sz, size_t sub_cnt, size_t const * sub_page_cnt,
                       size_t const * sub_cpu_idx, unsigned long mode ) {
  int err = shaped( update_shaped, name, page_sz, sub_cnt, sub_page_cnt, sub_cpu_idx, mode );
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_update_multi, err );
}

FD_SHMEM_EXPORT int
fd_shmem_create( char const * name, size_t page_sz, size_t page_cnt, size_t cpu_idx, unsigned long mode ) {
  int err = shaped( create_shaped, name, page_sz, 1UL, &page_cnt, &cpu_idx, mode );
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_create, err, NULL );
}

/* What unlinkat would find wrong, without removing: the name must be
   there and the directory writable. */
static int
region_unlink_check( int dir, char const * name ) {
  struct stat st;
  if( fstatat( dir, name, &st, AT_SYMLINK_NOFOLLOW ) ) return errno;
  return faccessat( dir, ".", W_OK | X_OK, AT_EACCESS ) ? errno : 0;
}

static int
region_unlink( char const * name, size_t page_sz ) {
  if( !fd_shmem_name_len( name ) || ( page_sz && !fd_shmem_is_page_sz( page_sz ) ) ) return EINVAL;
  if( !page_sz ) {
    fd_shmem_info_t info;
    int err = fd_shmem_private_region_find( name, 0UL, 0, NULL, &info, NULL );
    if( err ) return err;
    page_sz = info.page_sz;
  }
  int dir = fd_shmem_private_open_type_dir( page_sz );
  if( dir<0 ) return errno;
  int err;
  if( fd_shmem_private_dry_run() ) err = region_unlink_check( dir, name );
  else                             err = unlinkat( dir, name, 0 ) ? errno : 0;
  close( dir );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_unlink( char const * name, size_t page_sz ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_unlink, region_unlink( name, page_sz ), NULL );
}
