/* fini: take a domain down, all or nothing.  Everything that could stop
   it is found first (a refusal touches nothing): holders of a mount, a
   file system mounted inside a page type, a domain directory that is
   itself a mount point, no right to unmount.  Each mount is then bound
   to a private root-owned place before its domain mount point goes, so
   that if a later unmount fails anyway, the ones already gone are bound
   back, with their files.  A path is never mounted on again: the
   binding back goes onto the opened directory, checked to be the one
   that was covered (a domain owner could otherwise swap in a link). */

#include "fd_shmem_private.h"
#include "fd_shmem_errset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>


typedef struct {
  fd_shmem_private_domain_t dom;
  char          sub [ FD_SHMEM_DOMAIN_TYPE_CNT ][ FD_SHMEM_PRIVATE_TYPE_PATH_MAX ];  /* DOMAIN/.TYPE */
  unsigned long covered[ FD_SHMEM_DOMAIN_TYPE_CNT ];          /* inode of the directory each mount covers */
  char          keep_root[ 64 ];                              /* private directory of the keeps */
  char          keep[ FD_SHMEM_DOMAIN_TYPE_CNT ][ 96 ];       /* where each mount is kept meanwhile */
  int           kept[ FD_SHMEM_DOMAIN_TYPE_CNT ];             /* bound to keep[t] */
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

/* What would make the take-down fail part way.  Returns 0, or an errno
   with the reason logged. */
static int
fini_obstacles( fini_t * f ) {
  fd_shmem_private_domain_t const * dom = &f->dom;
  if( dom->dir_is_mount ) {
    FD_SHMEM_PRIVATE_WARN( "fini: %s is itself a mount point (it could not be removed); nothing was changed",
                           dom->path );
    return EBUSY;
  }
  size_t mounted = 0UL;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( !is_mounted( f, t ) ) continue;
    mounted++;
    char dir[ sizeof(dom->real)+16 ], first[ 4200 ];
    snprintf( dir, sizeof(dir), "%s/%s", dom->real, type_name( f, t ) );
    size_t cnt = fd_shmem_private_mounts_below( dir, first, sizeof(first) );
    if( !cnt ) continue;
    FD_SHMEM_PRIVATE_WARN( "fini: %zu file system%s mounted inside %s (%s%s); unmount %s first; "
                           "nothing was changed", cnt, cnt==1UL ? " is" : "s are", f->sub[ t ], first,
                           cnt==1UL ? "" : ", ...", cnt==1UL ? "it" : "them" );
    return EBUSY;
  }
  if( mounted && !fd_shmem_private_may_mount() ) {
    FD_SHMEM_PRIVATE_WARN( "fini: unmounting %s needs root (CAP_SYS_ADMIN); nothing was changed", dom->path );
    return EPERM;
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
  FD_SHMEM_PRIVATE_WARN( "fini: %s is in use by %zu process%s (above); nothing was changed", f->dom.path, holders,
                         holders==1UL ? "" : "es" );
  return EBUSY;
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

/* mount(2) onto the directory descriptor fd names. */
static int
mount_fd( char const * src, int fd, unsigned long flags ) {
  char at[ 64 ];
  snprintf( at, sizeof(at), "/proc/self/fd/%d", fd );
  return mount( src, at, NULL, flags, NULL ) ? errno : 0;
}

static int
keep_one( fini_t * f, size_t t ) {
  snprintf( f->keep[ t ], sizeof(f->keep[ t ]), "%s/%zu", f->keep_root, t );
  if( mkdir( f->keep[ t ], 0700 ) ) return errno;
  int src = open_checked( f, t, f->dom.type_dev[ t ], 0UL );
  if( src<0 ) return errno;
  char from[ 64 ];
  snprintf( from, sizeof(from), "/proc/self/fd/%d", src );
  int err = mount( from, f->keep[ t ], NULL, MS_BIND, NULL ) ? errno : 0;
  close( src );
  f->kept[ t ] = !err;
  return err;
}

static int
keep_all( fini_t * f ) {
  snprintf( f->keep_root, sizeof(f->keep_root), "%s",
            access( "/run", W_OK ) ? "/tmp/fdshmem-fini.XXXXXX" : "/run/fdshmem-fini.XXXXXX" );
  if( !mkdtemp( f->keep_root ) ) { f->keep_root[0] = '\0'; return errno; }
  int err = 0;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) if( is_mounted( f, t ) ) err = keep_one( f, t );
  return err;
}

static void
keep_drop( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( f->kept[ t ] ) umount2( f->keep[ t ], MNT_DETACH | UMOUNT_NOFOLLOW );
    if( f->keep[ t ][0] ) rmdir( f->keep[ t ] );
  }
  if( f->keep_root[0] ) rmdir( f->keep_root );
}

/* Binds the mount kept for page type t back onto the directory it
   covered, then sets its mount flags as init made them. */
static int
put_back_one( fini_t * f, size_t t ) {
  int covered = open_checked( f, t, f->dom.dir_dev, f->covered[ t ] );
  if( covered<0 ) return errno;
  int err = mount_fd( f->keep[ t ], covered, MS_BIND );
  close( covered );
  if( err ) return err;
  int back = open_checked( f, t, f->dom.type_dev[ t ], 0UL );  /* a mount point now: it cannot be swapped */
  if( back<0 ) return errno;
  err = mount_fd( NULL, back, MS_REMOUNT | MS_BIND | FD_SHMEM_PRIVATE_MOUNT_FLAGS );
  close( back );
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

static int
take_down( fini_t * f ) {
  int err = keep_all( f );
  if( err ) FD_SHMEM_PRIVATE_WARN( "fini: cannot set aside the mounts of %s: %s; nothing was changed", f->dom.path,
                                   strerror( err ) );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) {
    if( !is_mounted( f, t ) ) continue;
    if( !umount2( f->sub[ t ], UMOUNT_NOFOLLOW ) ) { f->gone[ t ] = 1; continue; }
    err = errno;
    put_back( f );
    FD_SHMEM_PRIVATE_WARN( "fini: cannot unmount %s: %s; what was unmounted was mounted back (above)", f->sub[ t ],
                           strerror( err ) );
  }
  keep_drop( f );
  return err;
}

static int
remove_tree( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( f->dom.info.type[ t ].state==FD_SHMEM_TYPE_MISSING ) continue;
    if( unlinkat( f->dom.dir_fd, type_name( f, t ), AT_REMOVEDIR ) ) {
      int err = errno;
      FD_SHMEM_PRIVATE_WARN( "fini: unmounted, but cannot remove %s: %s", f->sub[ t ], strerror( err ) );
      return err;
    }
  }
  if( rmdir( f->dom.path ) ) {
    int err = errno;
    FD_SHMEM_PRIVATE_WARN( "fini: unmounted, but cannot remove %s: %s", f->dom.path, strerror( err ) );
    return err;
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
  int err = fd_shmem_private_domain_open( path, &f->dom );
  if( err==ENOTDIR ) FD_SHMEM_PRIVATE_WARN( "fini: %s is a symbolic link or not a directory; name the domain itself",
                                            f->dom.path );
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
  int err = fini_locked( &fini_state, path );
  pthread_mutex_unlock( &lock );
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_domain_fini, err );
}
