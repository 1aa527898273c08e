/* fini: take a domain down, all or nothing.  Every holder of a mount is
   found first (a refusal touches nothing).  Each mount is then bound to
   a private root-owned place before its domain mount point goes, so
   that if a later unmount fails, the ones already gone are bound back
   with their files, as they were. */

#include "fd_shmem_private.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUB_BUF     (FD_SHMEM_PRIVATE_PATH_MAX+16UL)
#define MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

typedef struct {
  fd_shmem_private_domain_t dom;
  char   sub [ FD_SHMEM_DOMAIN_TYPE_CNT ][ SUB_BUF ];  /* DOMAIN/.TYPE */
  char   keep_root[ 64 ];                               /* private directory of the keeps */
  char   keep[ FD_SHMEM_DOMAIN_TYPE_CNT ][ 96 ];       /* where each mount is kept meanwhile */
  int    kept[ FD_SHMEM_DOMAIN_TYPE_CNT ];             /* bound to keep[t] */
  int    gone[ FD_SHMEM_DOMAIN_TYPE_CNT ];             /* unmounted from sub[t] */
} fini_t;

static int
is_mounted( fini_t const * f, size_t t ) {
  return f->dom.info.type[ t ].state==FD_SHMEM_TYPE_MOUNTED;
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
  FD_SHMEM_LOG_WARN( "fini: %s is in use by %zu process%s (above); nothing was changed", f->dom.path, holders,
                     holders==1UL ? "" : "es" );
  return EBUSY;
}

static int
keep_all( fini_t * f ) {
  snprintf( f->keep_root, sizeof(f->keep_root), "%s", access( "/run", W_OK ) ? "/tmp/fdshmem-fini.XXXXXX" : "/run/fdshmem-fini.XXXXXX" );
  if( !mkdtemp( f->keep_root ) ) { f->keep_root[0] = '\0'; return errno; }
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( !is_mounted( f, t ) ) continue;
    snprintf( f->keep[ t ], sizeof(f->keep[ t ]), "%s/%zu", f->keep_root, t );
    if( mkdir( f->keep[ t ], 0700 ) ) return errno;
    if( mount( f->sub[ t ], f->keep[ t ], NULL, MS_BIND, NULL ) ) { int err = errno; rmdir( f->keep[ t ] ); return err; }
    f->kept[ t ] = 1;
  }
  return 0;
}

static void
keep_drop( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( f->kept[ t ] ) umount2( f->keep[ t ], MNT_DETACH | UMOUNT_NOFOLLOW );
    if( f->keep[ t ][0] ) rmdir( f->keep[ t ] );
  }
  if( f->keep_root[0] ) rmdir( f->keep_root );
}

/* Binds every mount already taken away back where it was. */
static void
put_back( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( !f->gone[ t ] ) continue;
    int ok = !mount( f->keep[ t ], f->sub[ t ], NULL, MS_BIND, NULL ) &&
             !mount( NULL, f->sub[ t ], NULL, MS_REMOUNT | MS_BIND | MOUNT_FLAGS, NULL );
    if( ok ) FD_SHMEM_LOG_WARN( "fini: mounted %s back as it was", f->sub[ t ] );
    else     FD_SHMEM_LOG_WARN( "fini: could not mount %s back: %s", f->sub[ t ], strerror( errno ) );
  }
}

static int
take_down( fini_t * f ) {
  int err = keep_all( f );
  if( err ) FD_SHMEM_LOG_WARN( "fini: cannot set aside the mounts of %s: %s; nothing was changed", f->dom.path, strerror( err ) );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err; t++ ) {
    if( !is_mounted( f, t ) ) continue;
    if( umount2( f->sub[ t ], UMOUNT_NOFOLLOW ) ) {
      err = errno;
      FD_SHMEM_LOG_WARN( "fini: cannot unmount %s: %s", f->sub[ t ], strerror( err ) );
      put_back( f );
    } else {
      f->gone[ t ] = 1;
    }
  }
  keep_drop( f );
  return err;
}

static int
remove_tree( fini_t * f ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( f->dom.info.type[ t ].state==FD_SHMEM_TYPE_MISSING ) continue;
    if( rmdir( f->sub[ t ] ) ) {
      int err = errno;
      FD_SHMEM_LOG_WARN( "fini: unmounted, but cannot remove %s: %s", f->sub[ t ], strerror( err ) );
      return err;
    }
  }
  if( rmdir( f->dom.path ) ) {
    int err = errno;
    FD_SHMEM_LOG_WARN( "fini: unmounted, but cannot remove %s: %s", f->dom.path, strerror( err ) );
    return err;
  }
  return 0;
}

static fini_t fini_state;  /* big; fini is serialized by its lock */

FD_SHMEM_EXPORT int
fd_shmem_domain_fini( char const * path ) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock( &lock );
  fini_t * f = &fini_state;
  memset( f, 0, sizeof(*f) );
  int err = fd_shmem_private_domain_open( path, &f->dom );
  if( err==ENOTDIR ) FD_SHMEM_LOG_WARN( "fini: %s is a symbolic link or not a directory; name the domain itself", f->dom.path );
  if( !err ) err = fd_shmem_private_domain_check( &f->dom, "fini", 1 );
  fd_shmem_private_domain_close( &f->dom );  /* our own descriptors would hold the mounts */
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    int n = snprintf( f->sub[ t ], SUB_BUF, "%s/%s", f->dom.path, fd_shmem_private_type_name( f->dom.info.type[ t ].page_sz ) );
    if( n<0 || (size_t)n>=SUB_BUF ) err = EINVAL;  /* cannot happen: the path is at most FD_SHMEM_PRIVATE_PATH_MAX */
  }
  if( !err ) err = fini_holders( f );
  if( !err && !fd_shmem_private_dry_run() ) {
    err = take_down( f );
    if( !err ) err = remove_tree( f );
  }
  pthread_mutex_unlock( &lock );
  return err;
}
