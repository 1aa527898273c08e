/* fini: take a domain down, all or nothing.  Everything that could stop
   it is found first (a refusal touches nothing): holders of a mount, a
   file system mounted inside a page type, a domain directory that is
   itself a mount point, no right to unmount, a kernel that cannot hold
   a mount detached.  A detached copy of each mount is then held before
   its domain mount point goes, so that if a later unmount fails anyway,
   the ones already gone are moved back, with their files.  A copy is in
   no mount table and dies with this process: fini killed at any point
   leaves each mount in the domain or gone, never set aside elsewhere.
   A path is never mounted on again: the move back goes onto the opened
   directory, checked to be the one that was covered (a domain owner
   could otherwise swap in a link). */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* FD_SHMEM_PRIVATE_MOUNT_FLAGS as statvfs reports them. */
#define MOUNT_ST_FLAGS (ST_NOSUID | ST_NODEV | ST_NOEXEC)

typedef struct {
  fd_shmem_private_domain_t dom;
  char          sub [ FD_SHMEM_DOMAIN_TYPE_CNT ][ FD_SHMEM_PRIVATE_TYPE_PATH_MAX ];  /* DOMAIN/.TYPE */
  unsigned long covered[ FD_SHMEM_DOMAIN_TYPE_CNT ];          /* inode of the directory each mount covers */
  int           clone[ FD_SHMEM_DOMAIN_TYPE_CNT ];            /* detached copy of each mount, -1: none */
  int           gone[ FD_SHMEM_DOMAIN_TYPE_CNT ];             /* unmounted from sub[t] */
} fini_t;

static int
is_mounted( fini_t const * f, size_t t ) {
  return f->dom.info.type[ t ].state==FD_SHMEM_TYPE_MOUNTED;
}

static char const *
type_name( fini_t const * f, size_t t ) {
  return fd_shmem_private_type_name( f->dom.info.type[ t ].page_sz );
}

/* Reads, from the domain directory itself, the inode of each page-type
   directory under its mount (readdir does not cross mounts). */
static int
read_covered( fini_t * f ) {
  int fd = openat( f->dom.dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC );
  DIR * d = fd<0 ? NULL : fdopendir( fd );
  if( !d ) { int err = errno; if( fd>=0 ) close( fd ); return err; }
  for( struct dirent * e; ( e = readdir( d ) ); )
    for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
      if( !strcmp( e->d_name, type_name( f, t ) ) ) f->covered[ t ] = (unsigned long)e->d_ino;
  closedir( d );
  return 0;
}

/* 0 if open_tree and move_mount can be called: given no descriptor,
   each fails with EBADF once past the kernel's and seccomp's own
   refusals (ENOSYS, EPERM).  Else the errno of the refusal. */
static int
detach_refused( void ) {
  if( syscall( SYS_open_tree, -1, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH )<0 && errno!=EBADF )
    return errno;
  if( syscall( SYS_move_mount, -1, "", -1, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH )<0 && errno!=EBADF )
    return errno;
  return 0;
}

/* What would make the take-down fail part way.  Returns 0, or an errno
   with the reason logged. */
static int
fini_obstacles( fini_t * f ) {
  fd_shmem_private_domain_t const * dom = &f->dom;
  size_t mounted = 0UL;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( !is_mounted( f, t ) ) continue;
    mounted++;
    char dir[ sizeof(dom->real)+16 ], first[ 4200 ];
    snprintf( dir, sizeof(dir), "%s/%s", dom->real, type_name( f, t ) );
    size_t cnt = fd_shmem_private_mounts_below( dir, first, sizeof(first) );
    if( !cnt ) continue;
    fd_shmem_private_figs_t figs = { .had=cnt, .numa_idx=FD_SHMEM_IDX_NULL };
    return fd_shmem_private_fail( EBUSY, FD_SHMEM_REASON_HELD, f->sub[ t ], &figs,
                                  "fini: %zu file system%s mounted inside %s (%s%s); unmount %s first; "
                                  "nothing was changed", cnt, cnt==1UL ? " is" : "s are", f->sub[ t ], first,
                                  cnt==1UL ? "" : ", ...", cnt==1UL ? "it" : "them" );
  }
  if( mounted && !fd_shmem_private_may_mount() ) {
    return fd_shmem_private_fail( EPERM, FD_SHMEM_REASON_NO_PRIV, dom->path, NULL, "fini: unmounting %s needs "
                                  "CAP_SYS_ADMIN, which this process lacks (root has it, unless a container or user "
                                  "namespace took it away); nothing was changed", dom->path );
  }
  int err = mounted ? detach_refused() : 0;
  if( err ) {
    return fd_shmem_private_fail( EPERM, FD_SHMEM_REASON_KERNEL, dom->path, NULL, "fini: this kernel cannot hold a "
                                  "mount detached (open_tree, move_mount: %s; they need Linux 5.2 or later, not "
                                  "blocked by seccomp), so %s cannot be taken down safely; nothing was changed",
                                  strerror( err ), dom->path );
  }
  /* the directories must be removable once unmounted: the domain's own
     (read-only or immutable would say so only after the unmounts) and
     its parent's (a mount point domain was refused by the check) */
  char const * dir_of[ 2 ] = { ".", ".." };
  for( int i=0; i<2; i++ ) {
    if( !faccessat( dom->dir_fd, dir_of[ i ], W_OK | X_OK, AT_EACCESS ) ) continue;
    err = errno;
    return fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, dom->path, NULL,
                                  "fini: %s could not be removed%s: %s; nothing was changed", dom->path,
                                  i ? " from its parent directory" : "", strerror( err ) );
  }
  return read_covered( f );
}

/* Refuses (EBUSY, holders logged) while any process holds a mount. */
static int
fini_holders( fini_t * f ) {
  unsigned long dev[ FD_SHMEM_DOMAIN_TYPE_CNT ];
  char const *  dir[ FD_SHMEM_DOMAIN_TYPE_CNT ];
  size_t cnt = 0UL;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( !is_mounted( f, t ) ) continue;
    dev[ cnt ] = f->dom.type_dev[ t ];
    dir[ cnt ] = f->sub[ t ];
    cnt++;
  }
  size_t holders = fd_shmem_private_holders( "fini", dev, dir, cnt );
  if( !holders ) return 0;
  fd_shmem_private_figs_t figs = { .had=holders, .numa_idx=FD_SHMEM_IDX_NULL };
  return fd_shmem_private_fail( EBUSY, FD_SHMEM_REASON_HELD, f->dom.path, &figs,
                                "fini: %s is in use by %zu process%s (above); nothing was changed", f->dom.path,
                                holders, holders==1UL ? "" : "es" );
}

/* Opens DOMAIN/.TYPE without following a link; -1 unless it is a
   directory on device dev (and, if ino is not 0, that inode). */
static int
open_checked( fini_t const * f, size_t t, unsigned long dev, unsigned long ino ) {
  int fd = openat( f->dom.dir_fd, type_name( f, t ), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC );
  struct stat st;
  if( fd<0 ) return -1;
  if( fstat( fd, &st ) || (unsigned long)st.st_dev!=dev || ( ino && (unsigned long)st.st_ino!=ino ) ) {
    close( fd );
    errno = ESTALE;
    return -1;
  }
  return fd;
}

/* Takes a detached copy of the mount of page type t: a mount in no
   mount table, held only by the descriptor clone[t]. */
static int
hold_one( fini_t * f, size_t t ) {
  int src = open_checked( f, t, f->dom.type_dev[ t ], 0UL );
  if( src<0 ) return errno;
  f->clone[ t ] = (int)syscall( SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH );
  int err = f->clone[ t ]<0 ? errno : 0;
  close( src );  /* it would keep the mount busy */
  return err;
}

static void
drop_clones( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( f->clone[ t ]>=0 ) close( f->clone[ t ] );  /* the kernel dissolves the copy */
    f->clone[ t ] = -1;
  }
}

/* Moves the copy of page type t back onto the directory it covered,
   checked to be that one, then makes sure it has the flags init gave
   it (a copy keeps them). */
static int
put_back_one( fini_t * f, size_t t ) {
  int covered = open_checked( f, t, f->dom.dir_dev, f->covered[ t ] );
  if( covered<0 ) return errno;
  int err = syscall( SYS_move_mount, f->clone[ t ], "", covered, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH )
            ? errno : 0;
  close( covered );
  if( err ) return err;
  int back = open_checked( f, t, f->dom.type_dev[ t ], 0UL );  /* a mount point now: it cannot be swapped */
  struct statvfs sv;
  if( back<0 || fstatvfs( back, &sv ) ) err = errno;
  else if( ( sv.f_flag & MOUNT_ST_FLAGS )!=MOUNT_ST_FLAGS ) {
    char at[ 64 ];
    snprintf( at, sizeof(at), "/proc/self/fd/%d", back );
    err = mount( NULL, at, NULL, MS_REMOUNT | MS_BIND | FD_SHMEM_PRIVATE_MOUNT_FLAGS, NULL ) ? errno : 0;
  }
  if( back>=0 ) close( back );
  return err;
}

static void
put_back( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( !f->gone[ t ] ) continue;
    int err = put_back_one( f, t );
    if( !err ) FD_SHMEM_PRIVATE_WARN( "fini: mounted %s back as it was", f->sub[ t ] );
    else       FD_SHMEM_PRIVATE_WARN( "fini: could not mount %s back: %s; its files are lost", f->sub[ t ],
                                      strerror( err ) );
  }
}

/* Holds a copy of every mount, then unmounts them from the domain.  A
   copy is in no mount table: if this process dies, the kernel drops it
   with its files, so a mount is at any moment either in the domain or
   gone, never set aside somewhere no command looks. */
static int
take_down( fini_t * f ) {
  int err = 0;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) {
    if( !is_mounted( f, t ) ) continue;
    err = hold_one( f, t );
    if( err ) fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, f->sub[ t ], NULL,
                                     "fini: cannot hold a copy of %s: %s; nothing was changed", f->sub[ t ],
                                     strerror( err ) );
  }
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) {
    if( !is_mounted( f, t ) ) continue;
    if( !umount2( f->sub[ t ], UMOUNT_NOFOLLOW ) ) { f->gone[ t ] = 1; continue; }
    err = errno;
    put_back( f );
    fd_shmem_private_fail( err, err==EBUSY ? FD_SHMEM_REASON_HELD : FD_SHMEM_REASON_SYSTEM, f->sub[ t ], NULL,
                           "fini: cannot unmount %s: %s; what was unmounted was mounted back (above)", f->sub[ t ],
                           strerror( err ) );
  }
  drop_clones( f );
  return err;
}

static int
remove_tree( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( f->dom.info.type[ t ].state==FD_SHMEM_TYPE_MISSING ) continue;
    if( unlinkat( f->dom.dir_fd, type_name( f, t ), AT_REMOVEDIR ) ) {
      int err = errno;
      return fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, f->sub[ t ], NULL,
                                    "fini: unmounted, but cannot remove %s: %s", f->sub[ t ], strerror( err ) );
    }
  }
  if( rmdir( f->dom.path ) ) {
    int err = errno;
    return fd_shmem_private_fail( err, FD_SHMEM_REASON_SYSTEM, f->dom.path, NULL,
                                  "fini: unmounted, but cannot remove %s: %s", f->dom.path, strerror( err ) );
  }
  return 0;
}

/* Closes the page-type directories (our own descriptors would hold the
   mounts), keeping the domain directory open. */
static void
close_types( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( f->dom.type_fd[ t ]>=0 ) close( f->dom.type_fd[ t ] );
    f->dom.type_fd[ t ] = -1;
  }
}

static int
fini_locked( fini_t * f, char const * path ) {
  int err = fd_shmem_private_domain_open_for( "fini", path, &f->dom );
  if( !err ) err = fd_shmem_private_domain_check( &f->dom, "fini", 1 );
  close_types( f );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ )
    snprintf( f->sub[ t ], sizeof(f->sub[ t ]), "%.*s/%s", (int)FD_SHMEM_PATH_MAX, f->dom.path,
              type_name( f, t ) );
  if( !err ) err = fini_obstacles( f );
  if( !err ) err = fini_holders( f );
  if( !err && !fd_shmem_private_dry_run() ) {
    err = take_down( f );
    if( !err ) err = remove_tree( f );
  }
  fd_shmem_private_domain_close( &f->dom );
  return err;
}

static fini_t fini_state;  /* big; fini is serialized by its lock */

FD_SHMEM_EXPORT int
fd_shmem_domain_fini( char const * path ) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock( &lock );
  memset( &fini_state, 0, sizeof(fini_state) );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) fini_state.clone[ t ] = -1;
  int err = fini_locked( &fini_state, path );
  pthread_mutex_unlock( &lock );
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_domain_fini, err, path );
}
