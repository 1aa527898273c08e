/* Domain operations: init, fini, reset, repair and owner, each over the
   domain model (fd_shmem_domain_model.c).  Each checks everything
   first, then acts, and undoes what it did when a step fails. */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define NO_ID       ((unsigned long)-1)

static void
type_path( char * buf, size_t buf_sz, char const * path, size_t page_sz ) {
  snprintf( buf, buf_sz, "%s/%s", path, fd_shmem_private_type_name( page_sz ) );
}

/* Mounts page type page_sz on target as init does: mode 0700, size the
   machine's memory rounded down to whole pages; a hugetlbfs mount
   reserves reserve_cnt pages of the pool for its files (min_size, 0:
   none). */
static int
type_mount( char const * target, size_t page_sz, size_t reserve_cnt ) {
  char opts[ 160 ];
  size_t sz = fd_shmem_private_mount_sz( page_sz );
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ ) snprintf( opts, sizeof(opts), "mode=0700,size=%zu", sz );
  else if( !reserve_cnt ) snprintf( opts, sizeof(opts), "mode=0700,pagesize=%zu,size=%zu", page_sz, sz );
  else snprintf( opts, sizeof(opts), "mode=0700,pagesize=%zu,size=%zu,min_size=%zu", page_sz, sz, reserve_cnt*page_sz );
  int failed = mount( "fd_shmem", target, fd_shmem_private_fs_name( page_sz ), FD_SHMEM_PRIVATE_MOUNT_FLAGS, opts );
  return failed ? errno : 0;
}

/* ---- owners ---- */

static int
parse_id( char const * s, unsigned long * id ) {
  char * end;
  errno = 0;
  unsigned long v = strtoul( s, &end, 10 );
  if( s[0]<'0' || s[0]>'9' || *end || errno || v>=(unsigned long)(uid_t)-1 ) return EINVAL;
  *id = v;
  return 0;
}

static int
resolve_name( char const * name, int is_group, unsigned long * id ) {
  char buf[ 4096 ];
  if( is_group ) {
    struct group gr, * res = NULL;
    if( getgrnam_r( name, &gr, buf, sizeof(buf), &res ) || !res ) return EINVAL;
    *id = (unsigned long)res->gr_gid;
  } else {
    struct passwd pw, * res = NULL;
    if( getpwnam_r( name, &pw, buf, sizeof(buf), &res ) || !res ) return EINVAL;
    *id = (unsigned long)res->pw_uid;
  }
  return 0;
}

/* A name, or all digits for an id when no such name exists (as
   chown(1) reads it). */
static int
resolve_one( char const * name, int is_group, unsigned long * id ) {
  *id = NO_ID;
  if( !name || !name[0] ) return 0;
  int digits = strspn( name, "0123456789" )==strlen( name );
  if( !resolve_name( name, is_group, id ) ) return 0;
  return digits ? parse_id( name, id ) : EINVAL;
}

static int
owner_resolve( char const * user, char const * group, unsigned long * uid, unsigned long * gid ) {
  if( !uid || !gid ) return EINVAL;
  if( resolve_one( user, 0, uid ) )  return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL,
                                                                   "no such user \"%s\"", user );
  if( resolve_one( group, 1, gid ) ) return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL,
                                                                   "no such group \"%s\"", group );
  return 0;
}

FD_SHMEM_EXPORT int
fd_shmem_owner_resolve( char const * user, char const * group, unsigned long * uid, unsigned long * gid ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_owner_resolve, owner_resolve( user, group, uid, gid ) );
}

/* 1 if fd's owner or mode differ from what is wanted (NO_ID: any). */
static int
owner_differs( int fd, unsigned long uid, unsigned long gid, unsigned long mode ) {
  struct stat st;
  if( fstat( fd, &st ) ) return 1;
  return ( uid!=NO_ID && (unsigned long)st.st_uid!=uid ) || ( gid!=NO_ID && (unsigned long)st.st_gid!=gid ) ||
         (unsigned long)( st.st_mode & 07777 )!=mode;
}

static int
owner_set( int fd, unsigned long uid, unsigned long gid, unsigned long mode ) {
  if( fchown( fd, (uid_t)uid, (gid_t)gid ) || fchmod( fd, (mode_t)mode ) ) return errno;
  return 0;
}

static int
domain_set_owner( char const * path, unsigned long mode, char const * user, char const * group, int * opt_changed,
                  int dry ) {
  unsigned long uid, gid;
  if( opt_changed ) *opt_changed = 0;
  if( mode>07777UL )
    return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "owner: bad mode %lo", mode );
  if( fd_shmem_owner_resolve( user, group, &uid, &gid ) ) return EINVAL;
  fd_shmem_private_domain_t dom;
  int err = fd_shmem_private_domain_open( path, &dom );
  if( !err ) err = fd_shmem_private_domain_check( &dom, "owner", 1 );
  int fds[ 1+FD_SHMEM_DOMAIN_TYPE_CNT ], cnt = 0, changed = 0;
  if( !err ) {
    fds[ cnt++ ] = dom.dir_fd;
    for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
      if( dom.info.type[ t ].state==FD_SHMEM_TYPE_MOUNTED ) fds[ cnt++ ] = dom.type_fd[ t ];
  }
  for( int i=0; i<cnt; i++ ) changed |= owner_differs( fds[i], uid, gid, mode );
  if( opt_changed ) *opt_changed = changed;
  for( int i=0; i<cnt && changed && !err && !dry; i++ ) err = owner_set( fds[i], uid, gid, mode );
  if( err && err!=EINVAL && err!=ENOENT )
    fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, dom.path, NULL, "owner: %s: %s", dom.path, strerror( err ) );
  fd_shmem_private_domain_close( &dom );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_set_owner( char const * path, unsigned long mode, char const * user, char const * group,
                           int * opt_changed ) {
  int err = domain_set_owner( path, mode, user, group, opt_changed, fd_shmem_private_dry_run() );
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_domain_set_owner, err );
}

/* ---- init ---- */

typedef struct {
  char          path[ FD_SHMEM_PATH_MAX+1UL ];
  unsigned long mode, uid, gid;
  int           made[ FD_SHMEM_DOMAIN_TYPE_CNT ];  /* 1 dir made, 2 mounted */
} domain_plan_t;

/* Whether init could make path: its parent is a writable directory and
   this process may mount (asked first, so a dry run can tell). */
static int
plan_may_make( char const * path ) {
  char parent[ FD_SHMEM_PATH_MAX+1UL ];
  snprintf( parent, sizeof(parent), "%s", path );
  char * slash = strrchr( parent, '/' );
  if( slash==parent ) slash[1] = '\0';
  else                slash[0] = '\0';
  struct stat st;
  struct statfs sfs;
  int err = stat( parent, &st ) ? errno : !S_ISDIR( st.st_mode ) ? ENOTDIR : statfs( parent, &sfs ) ? errno : 0;
  char const * pseudo = err ? NULL : fd_shmem_private_pseudo_fs( &sfs );
  if( pseudo ) {
    return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_NOT_DOMAIN, path, NULL,
                                  "init: %s would be on the %s file system of %s, where no domain can live; "
                                  "nothing was changed", path, pseudo, parent );
  }
  if( !err && access( parent, W_OK | X_OK ) ) err = errno;
  if( err ) return fd_shmem_private_fail( err, err==ENOENT ? FD_SHMEM_REASON_MISSING : FD_SHMEM_REASON_SYSTEM, parent,
                                          NULL, "init: cannot make %s in %s: %s", path, parent, strerror( err ) );
  if( !fd_shmem_private_may_mount() ) {
    return fd_shmem_private_fail( EPERM, FD_SHMEM_REASON_NO_PRIV, path, NULL,
                                  "init: mounting needs CAP_SYS_ADMIN, which this process lacks (root has it, unless a "
                                  "container or user namespace took it away)" );
  }
  return 0;
}

/* init's refusal of a path that exists, with what would help: a
   domain, whole or part made (as an interrupted init leaves it), is
   removed by fini or completed by apply; anything else is no domain and
   init never takes it over. */
static int
plan_exists( char const * path ) {
  fd_shmem_private_domain_t dom;
  int err = fd_shmem_private_domain_open( path, &dom );
  char why[ 256 ] = "";
  if( err ) snprintf( why, sizeof(why), "%s",
                      err==ENOTDIR ? "it is a symbolic link or not a directory" : strerror( err ) );
  else if( dom.not_domain[0] ) snprintf( why, sizeof(why), "%s", dom.not_domain );
  else if( dom.info.others ) snprintf( why, sizeof(why), "it holds files beside the page-type directories" );
  fd_shmem_domain_refusals_t r;
  fd_shmem_domain_refusals( err ? NULL : &dom.info, &r );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !why[0]; t++ ) {  /* a domain is what fini would take down */
    fd_shmem_type_info_t const * ti = &dom.info.type[ t ];
    if( r.type[ t ].refused_by & FD_SHMEM_OP_FINI )
      snprintf( why, sizeof(why), "its %s is %s", fd_shmem_private_type_name( ti->page_sz ),
                fd_shmem_type_state_cstr( ti->state ) );
  }
  int partial = !why[0] && fd_shmem_private_domain_is_partial( &dom );
  fd_shmem_private_domain_close( &dom );
  int const exists = FD_SHMEM_REASON_EXISTS;
  if( why[0] )
    return fd_shmem_private_fail( EEXIST, exists, path, NULL, "init: %s already exists and is not a domain: %s; "
                                  "nothing was changed (init makes a new directory: name a path that does not exist)",
                                  path, why );
  if( partial )
    return fd_shmem_private_fail( EEXIST, exists, path, NULL, "init: %s already exists, part made (an interrupted "
                                  "init leaves it so); nothing was changed (fd_shmem_ctl --shmem-path %s fini removes "
                                  "it, or apply completes it)", path, path );
  return fd_shmem_private_fail( EEXIST, exists, path, NULL, "init: %s already exists: it is a domain; nothing was "
                                "changed (to make it afresh: fd_shmem_ctl --shmem-path %s fini, then init)",
                                path, path );
}

static int
plan_init( domain_plan_t * plan, char const * path, unsigned long mode, char const * user, char const * group ) {
  memset( plan, 0, sizeof(*plan) );
  if( fd_shmem_private_domain_path( path, plan->path, sizeof(plan->path) ) )
    return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL,
                                  "init: bad domain path (an absolute path is needed)" );
  if( mode>07777UL )
    return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "init: bad mode %lo", mode );
  plan->mode = mode;
  if( fd_shmem_owner_resolve( user, group, &plan->uid, &plan->gid ) ) return EINVAL;
  struct stat st;
  if( !lstat( plan->path, &st ) ) return plan_exists( plan->path );
  return plan_may_make( plan->path );
}

/* Makes and mounts one page type.  Returns 0 or an errno (logged). */
static int
init_type( domain_plan_t * plan, size_t t ) {
  size_t page_sz = fd_shmem_private_page_type[ t ].page_sz;
  char sub[ FD_SHMEM_PRIVATE_TYPE_PATH_MAX ];
  type_path( sub, sizeof(sub), plan->path, page_sz );
  if( !fd_shmem_private_kernel_has_page_sz( page_sz ) ) {
    FD_SHMEM_PRIVATE_NOTE( "init: the kernel offers no %s pages; skipping %s",
                           fd_shmem_page_sz_to_cstr( page_sz ), sub );
    return 0;
  }
  if( mkdir( sub, 0700 ) ) {
    int err = errno;
    return fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, sub, NULL, "init: mkdir %s: %s", sub, strerror( err ) );
  }
  plan->made[ t ] = 1;
  int err = type_mount( sub, page_sz, 0UL );
  if( err ) return fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, sub, NULL, "init: mount %s on %s: %s",
                                          fd_shmem_private_fs_name( page_sz ), sub, strerror( err ) );
  plan->made[ t ] = 2;
  return 0;
}

static int
init_owner( char const * p, domain_plan_t const * plan ) {
  int fd = open( p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC );
  int err = fd<0 ? errno : owner_set( fd, plan->uid, plan->gid, plan->mode );
  if( fd>=0 ) close( fd );
  if( err )
    fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, p, NULL, "init: chown/chmod %s: %s", p, strerror( err ) );
  return err;
}

static void
init_rollback( domain_plan_t const * plan ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    char sub[ FD_SHMEM_PRIVATE_TYPE_PATH_MAX ];
    type_path( sub, sizeof(sub), plan->path, fd_shmem_private_page_type[ t ].page_sz );
    if( plan->made[ t ]==2 ) umount2( sub, MNT_DETACH | UMOUNT_NOFOLLOW );
    if( plan->made[ t ] ) rmdir( sub );
  }
  rmdir( plan->path );
}

static int
domain_init( char const * path, unsigned long mode, char const * user, char const * group, int dry ) {
  domain_plan_t plan;
  int err = plan_init( &plan, path, mode, user, group );
  if( err || dry ) return err;
  if( mkdir( plan.path, 0700 ) ) {
    err = errno;
    return fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, plan.path, NULL, "init: mkdir %s: %s", plan.path,
                                  strerror( err ) );
  }
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) err = init_type( &plan, t );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) {
    if( plan.made[ t ]!=2 ) continue;
    char sub[ FD_SHMEM_PRIVATE_TYPE_PATH_MAX ];
    type_path( sub, sizeof(sub), plan.path, fd_shmem_private_page_type[ t ].page_sz );
    err = init_owner( sub, &plan );
  }
  if( !err ) err = init_owner( plan.path, &plan );
  if( err ) init_rollback( &plan );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_init( char const * path, unsigned long mode, char const * user, char const * group ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_domain_init,
                                            domain_init( path, mode, user, group, fd_shmem_private_dry_run() ), path );
}

/* ---- reset ---- */

static int
reset_type( fd_shmem_private_domain_t const * dom, size_t t ) {
  int fd = openat( dom->type_fd[ t ], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC );
  DIR * d = fd<0 ? NULL : fdopendir( fd );
  if( !d ) { int err = errno; if( fd>=0 ) close( fd ); return err; }
  int err = 0;
  for( struct dirent * e; ( e = readdir( d ) ); ) {
    if( e->d_type==DT_DIR ) {  /* ".", "..", and directories: no region is one */
      if( strcmp( e->d_name, "." ) && strcmp( e->d_name, ".." ) )
        FD_SHMEM_PRIVATE_WARN( "reset: left the directory %s/%s/%s (not a region)", dom->path,
                               fd_shmem_private_type_name( dom->info.type[ t ].page_sz ), e->d_name );
      continue;
    }
    if( unlinkat( dirfd( d ), e->d_name, 0 ) && !err ) {
      err = errno;
      fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, dom->path, NULL, "reset: cannot remove %s/%s/%s: %s",
                             dom->path, fd_shmem_private_type_name( dom->info.type[ t ].page_sz ), e->d_name,
                             strerror( err ) );
    }
  }
  closedir( d );
  return err;
}

/* A dry run's answer for the removal of every file of directory fd:
   it needs write and search on the directory and, where the directory
   is sticky and not ours, every file to be ours (root may do all). */
static int
reset_permitted( int fd ) {
  if( faccessat( fd, ".", W_OK | X_OK, AT_EACCESS ) ) return errno;
  struct stat dir_st;
  if( fstat( fd, &dir_st ) ) return errno;
  uid_t me = geteuid();
  if( !( dir_st.st_mode & S_ISVTX ) || !me || dir_st.st_uid==me ) return 0;
  int dup_fd = openat( fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC );
  DIR * d = dup_fd<0 ? NULL : fdopendir( dup_fd );
  if( !d ) { int err = errno; if( dup_fd>=0 ) close( dup_fd ); return err; }
  int err = 0;
  for( struct dirent * e; !err && ( e = readdir( d ) ); ) {
    struct stat st;
    if( e->d_type==DT_DIR || fstatat( dirfd( d ), e->d_name, &st, AT_SYMLINK_NOFOLLOW ) ) continue;
    if( st.st_uid!=me ) err = EPERM;
  }
  closedir( d );
  return err;
}

static int
domain_reset( char const * path ) {
  fd_shmem_private_domain_t dom;
  int err = fd_shmem_private_domain_open_for( "reset", path, &dom );
  if( !err ) err = fd_shmem_private_domain_check( &dom, "reset", 0 );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) {
    fd_shmem_type_info_t const * ti = &dom.info.type[ t ];
    if( ti->state!=FD_SHMEM_TYPE_MOUNTED ) continue;
    if( !fd_shmem_private_dry_run() ) { err = reset_type( &dom, t ); continue; }
    if( !ti->empty ) err = reset_permitted( dom.type_fd[ t ] );
  }
  fd_shmem_private_domain_close( &dom );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_reset( char const * path ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_domain_reset, domain_reset( path ), path );
}

/* ---- repair ---- */

/* Mounts the opened empty directory fd (never a path a link could
   redirect: the target is the descriptor itself) and gives the new
   mount the owner and mode of the domain directory. */
static int
repair_mount_fd( fd_shmem_private_domain_t const * dom, int fd, size_t page_sz, size_t reserve_cnt ) {
  char target[ 64 ];
  snprintf( target, sizeof(target), "/proc/self/fd/%d", fd );
  int err = type_mount( target, page_sz, reserve_cnt );
  if( err ) return err;
  char sub[ FD_SHMEM_PRIVATE_TYPE_PATH_MAX ];
  type_path( sub, sizeof(sub), dom->path, page_sz );
  int mounted = open( sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC );
  err = mounted<0 ? errno : owner_set( mounted, dom->info.uid, dom->info.gid, dom->info.mode );
  if( mounted>=0 ) close( mounted );
  return err;
}

/* Remounts the mount at /proc/self/fd/fd, read-only or read-write, with
   options opts (NULL: the others kept as they are). */
static int
remount_fd( int fd, int read_only, char const * opts ) {
  char target[ 64 ];
  snprintf( target, sizeof(target), "/proc/self/fd/%d", fd );
  unsigned long flags = MS_REMOUNT | FD_SHMEM_PRIVATE_MOUNT_FLAGS | ( read_only ? MS_RDONLY : 0UL );
  return mount( NULL, target, NULL, flags, opts ) ? errno : 0;
}

int
fd_shmem_private_type_remount( fd_shmem_private_domain_t * dom, size_t t, size_t reserve_cnt ) {
  size_t       page_sz = dom->info.type[ t ].page_sz;
  char const * name    = fd_shmem_private_type_name( page_sz );
  int err = remount_fd( dom->type_fd[ t ], 1, NULL );  /* EBUSY: a file is open for writing */
  if( err ) return err;
  if( fd_shmem_private_dir_entry_cnt( dom->type_fd[ t ] ) ) {  /* a region came meanwhile: keep it */
    remount_fd( dom->type_fd[ t ], 0, NULL );
    return EBUSY;
  }
  char sub[ FD_SHMEM_PRIVATE_TYPE_PATH_MAX ];
  type_path( sub, sizeof(sub), dom->path, page_sz );
  close( dom->type_fd[ t ] );  /* our own hold on it must go before the unmount */
  dom->type_fd[ t ] = -1;
  int unmounted = !umount2( sub, UMOUNT_NOFOLLOW );  /* not: a process uses it (EBUSY) */
  if( !unmounted ) err = errno;
  int fd = openat( dom->dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC );  /* what is there now */
  if( fd<0 ) return unmounted ? errno : err;
  if( unmounted ) {
    err = repair_mount_fd( dom, fd, page_sz, reserve_cnt );
    /* refused (the pool lost the pages meanwhile): the old mount comes back, empty as it was */
    if( err && reserve_cnt!=dom->type_reserved[ t ] ) repair_mount_fd( dom, fd, page_sz, dom->type_reserved[ t ] );
  } else {
    remount_fd( fd, 0, NULL );  /* the old mount stays, writable again */
  }
  close( fd );
  return err;
}

/* A mount sized for less memory than the machine has now (memory was
   hot-added) gets the new size.  tmpfs takes it live.  hugetlbfs
   accepts a remount and ignores its size= (no reconfigure on Linux
   6.18, measured), so an empty, unused one is mounted afresh, and one
   holding regions is left (EBUSY) until they are gone. */
static int
resize_type( fd_shmem_private_domain_t * dom, size_t t, size_t * cnt ) {
  fd_shmem_type_info_t const * ti = &dom->info.type[ t ];
  char const * name = fd_shmem_private_type_name( ti->page_sz );
  char human_now[ 32 ], human_want[ 32 ];
  fd_shmem_private_human( ti->mount_sz, human_now, sizeof(human_now) );
  fd_shmem_private_human( ti->want_sz, human_want, sizeof(human_want) );
  int is_tmpfs = ti->page_sz==FD_SHMEM_NORMAL_PAGE_SZ;
  if( fd_shmem_domain_type_fix( ti )==FD_SHMEM_FIX_HELD ) {
    fd_shmem_private_figs_t figs = { .needed=ti->want_sz, .had=ti->mount_sz, .page_sz=ti->page_sz,
                                     .numa_idx=FD_SHMEM_IDX_NULL };
    return fd_shmem_private_fail( EBUSY, FD_SHMEM_REASON_HELD, dom->path, &figs, "repair: %s/%s is sized for %s of the "
                                  "machine's %s; a hugetlbfs mount cannot be resized while it holds regions (reset or "
                                  "unlink them, then repair)", dom->path, name, human_now, human_want );
  }
  (*cnt)++;
  if( fd_shmem_private_dry_run() ) return 0;
  char opts[ 64 ];
  snprintf( opts, sizeof(opts), "size=%zu", ti->want_sz );
  int err = is_tmpfs ? remount_fd( dom->type_fd[ t ], 0, opts )
                     : fd_shmem_private_type_remount( dom, t, dom->type_reserved[ t ] );  /* keeps its reservation */
  if( err ) fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, dom->path, NULL, "repair: resizing %s/%s to %s: %s",
                                   dom->path, name, human_want, strerror( err ) );
  else      FD_SHMEM_PRIVATE_NOTE( "repair: %s/%s now holds up to %s (was %s)",
                                   dom->path, name, human_want, human_now );
  return err;
}

static int
repair_type( fd_shmem_private_domain_t * dom, size_t t, size_t * cnt ) {
  fd_shmem_type_info_t const * ti = &dom->info.type[ t ];
  char const * name = fd_shmem_private_type_name( ti->page_sz );
  int fix = fd_shmem_domain_type_fix( ti );
  if( fix==FD_SHMEM_FIX_RESIZE || fix==FD_SHMEM_FIX_HELD ) return resize_type( dom, t, cnt );
  if( fix==FD_SHMEM_FIX_NONE ) return 0;
  if( fix==FD_SHMEM_FIX_STUCK ) {
    fd_shmem_private_figs_t figs = { .had=(size_t)ti->state, .page_sz=ti->page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
    if( ti->state==FD_SHMEM_TYPE_UNMOUNTED && ti->empty )  /* stuck only as the kernel lacks the page size */
      return fd_shmem_private_fail( EBUSY, FD_SHMEM_REASON_TYPE_STATE, dom->path, &figs, "repair: %s/%s is not "
                                    "mounted, and the kernel offers no %s pages to mount there (remove the empty "
                                    "directory)", dom->path, name, fd_shmem_page_sz_to_cstr( ti->page_sz ) );
    return fd_shmem_private_fail( EBUSY, FD_SHMEM_REASON_TYPE_STATE, dom->path, &figs, "repair: %s/%s is %s%s; a live "
                                  "domain is never remounted (fini, then init, rebuilds it)", dom->path, name,
                                  fd_shmem_type_state_cstr( ti->state ),
                                  ti->state==FD_SHMEM_TYPE_UNMOUNTED ? " and not empty" : "" );
  }
  (*cnt)++;
  if( fd_shmem_private_dry_run() ) return 0;
  if( ti->state==FD_SHMEM_TYPE_MISSING && mkdirat( dom->dir_fd, name, 0700 ) ) return errno;
  int fd = openat( dom->dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC );
  if( fd<0 ) return errno;
  int err = repair_mount_fd( dom, fd, ti->page_sz, 0UL );
  close( fd );
  if( err ) fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, dom->path, NULL, "repair: mounting %s/%s: %s",
                                   dom->path, name, strerror( err ) );
  else      FD_SHMEM_PRIVATE_NOTE( "repair: mounted %s/%s", dom->path, name );
  return err;
}

static int
domain_repair( char const * path, size_t * opt_cnt ) {
  size_t cnt = 0UL;
  if( opt_cnt ) *opt_cnt = 0UL;
  fd_shmem_private_domain_t dom;
  int err = fd_shmem_private_domain_open( path, &dom );
  if( !err && !dom.info.exists )
    err = fd_shmem_private_fail( ENOENT, FD_SHMEM_REASON_MISSING, dom.path, NULL, "repair: no domain at %s", dom.path );
  if( !err && ( dom.not_domain[0] || dom.info.others ) ) {  /* only a domain, or an empty directory, is made whole */
    err = fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_NOT_DOMAIN, dom.path, NULL,
                                 "repair: %s is not a domain: %s; nothing was changed", dom.path,
                                 dom.not_domain[0] ? dom.not_domain
                                                   : "it holds files beside the page-type directories" );
  }
  int busy = 0;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) {
    int e = repair_type( &dom, t, &cnt );
    if( e==EBUSY ) busy = 1;
    else err = e;
  }
  fd_shmem_private_domain_close( &dom );
  if( opt_cnt ) *opt_cnt = cnt;
  return err ? err : busy ? EBUSY : 0;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_repair( char const * path, size_t * opt_cnt ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_domain_repair, domain_repair( path, opt_cnt ) );
}

/* ---- the plan: what init, set_owner and repair would do ---- */

FD_SHMEM_EXPORT int
fd_shmem_domain_plan( char const * path, unsigned long mode, char const * user, char const * group,
                      fd_shmem_domain_plan_t * plan ) {
  if( !plan ) return EINVAL;
  memset( plan, 0, sizeof(*plan) );
  plan->info_err = fd_shmem_domain_describe( path, &plan->info );
  if( plan->info_err ) return 0;
  if( !plan->info.exists ) {  /* each answer asked as its call with dry set, never the process-wide switch */
    plan->init_err = FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_domain_init,
                                                        domain_init( path, mode, user, group, 1 ), path );
    return 0;
  }
  plan->owner_err = FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_domain_set_owner,
                                                    domain_set_owner( path, mode, user, group,
                                                                      &plan->owner_differs, 1 ) );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
    plan->fix[ t ] = fd_shmem_domain_type_fix( &plan->info.type[ t ] );
  fd_shmem_domain_refusals( &plan->info, &plan->refusals );
  return 0;
}
