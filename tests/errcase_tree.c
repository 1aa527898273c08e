/* The scratch tree of the error cases (errcase_tree.h). */

#include "fdt.h"
#include "errcase_tree.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fdshmem/fd_shmem.h>

#define NORMAL FD_SHMEM_NORMAL_PAGE_SZ
#define TMPFS_MAGIC_NUMBER 0x01021994L

static char  dir[ 256 ];  /* the scratch tree, mode 0755, off tmpfs */
static char  shm[ 256 ];  /* a scratch domain on tmpfs (/dev/shm) */
static pid_t main_pid;    /* only it removes the trees, not Check's forked tests */

char const * errcase_tree_dir( void ) { return dir; }
char const * errcase_tree_shm( void ) { return shm; }

char const *
errcase_tree_under( char const * top, char const * rel ) {
  static char buf[ 8 ][ 1024 ];
  static int  next;
  char * b = buf[ next++ & 7 ];
  snprintf( b, sizeof(buf[0]), "%s/%s", top, rel );
  return b;
}

static char const * under( char const * top, char const * rel ) { return errcase_tree_under( top, rel ); }
static char const * at( char const * rel ) { return under( dir, rel ); }

/* Both return 0 or -1 (and say why): they run outside tests too. */
static int
make_dir( char const * rel, mode_t mode ) {
  int bad = mkdir( at( rel ), mode ) || chmod( at( rel ), mode );  /* chmod: past the umask */
  if( bad ) perror( at( rel ) );
  return bad ? -1 : 0;
}

static int
make_file_sz( char const * path, off_t sz ) {
  int fd = open( path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644 );
  int bad = fd<0 || ftruncate( fd, sz );
  if( bad ) perror( path );
  if( fd>=0 ) close( fd );
  return bad ? -1 : 0;
}

static int make_file( char const * rel ) { return make_file_sz( at( rel ), 0 ); }

/* The scratch tree every case may use:
     real/          a directory; link -> real
     file           a regular file
     missing        nothing
     locked/        mode 0000: nobody may read it
     open/          mode 0777, empty: nobody may make things in it
     notdom/x       a directory holding a file and no page type
     pdom/.normal/  a partial domain: an empty page-type directory, not a mount
     busy/.TYPE/x   every page type a plain directory holding a file
     adom/.normal/  mode 0000: nobody may look in it
   and long, a component longer than NAME_MAX.  On tmpfs, the domain shm:
     .normal/       holding exists (one page), odd (100 bytes) and ro (one
                    page, mode 0444)
     ro/.normal/    mode 0555, holding x
     sdom/.normal/  sticky (mode 01777), holding root's s
   The modes refuse the owner too, so the cases hold for a test run as a
   normal user; the two that need someone else's file run in the
   privileged suite.  Made once, by main: no case changes what another
   one uses.  Returns 0 or -1. */
static int
make_tree( char const * parent ) {
  snprintf( dir, sizeof(dir), "%s/fdshmem-test-errsets.XXXXXX", parent );
  if( !mkdtemp( dir ) || chmod( dir, 0755 ) || symlink( "real", at( "link" ) ) ) { perror( dir ); return -1; }
  int bad = make_dir( "real", 0755 ) || make_file( "file" ) || make_dir( "locked", 0000 ) ||
            make_dir( "open", 0777 ) || make_dir( "notdom", 0755 ) || make_file( "notdom/x" ) ||
            make_dir( "pdom", 0755 ) || make_dir( "pdom/.normal", 0755 ) || make_dir( "busy", 0755 ) ||
            make_dir( "adom", 0755 ) || make_dir( "adom/.normal", 0000 );
  char const * const types[] = { ".normal", ".huge", ".gigantic" };
  for( int t=0; t<3 && !bad; t++ ) {
    char sub[ 64 ];
    snprintf( sub, sizeof(sub), "busy/%s", types[t] );
    bad = make_dir( sub, 0755 );
    snprintf( sub, sizeof(sub), "busy/%s/x", types[t] );
    bad = bad || make_file( sub );
  }
  snprintf( shm, sizeof(shm), "/dev/shm/fdshmem-test-errsets.XXXXXX" );
  if( bad || !mkdtemp( shm ) || chmod( shm, 0755 ) ) { perror( shm ); return -1; }
  bad = mkdir( under( shm, ".normal" ), 0755 ) || chmod( under( shm, ".normal" ), 0755 ) ||
        make_file_sz( under( shm, ".normal/exists" ), (off_t)NORMAL ) ||
        make_file_sz( under( shm, ".normal/odd" ), 100 ) ||
        make_file_sz( under( shm, ".normal/ro" ), (off_t)NORMAL ) || chmod( under( shm, ".normal/ro" ), 0444 ) ||
        mkdir( under( shm, "ro" ), 0755 ) || mkdir( under( shm, "ro/.normal" ), 0755 ) ||
        make_file_sz( under( shm, "ro/.normal/x" ), 0 ) || chmod( under( shm, "ro/.normal" ), 0555 ) ||
        mkdir( under( shm, "sdom" ), 0755 ) || mkdir( under( shm, "sdom/.normal" ), 0755 ) ||
        chmod( under( shm, "sdom/.normal" ), 01777 ) || make_file_sz( under( shm, "sdom/.normal/s" ), 0 );
  if( bad ) perror( shm );
  return bad ? -1 : 0;
}

/* Where the scratch tree goes: the first of $TMPDIR, /var/tmp and (not
   as root: nobody may be unable to reach it) the build tree that is not
   a tmpfs, since pdom/.normal must not be one.  /tmp is not asked: it is
   a tmpfs on Debian 13 and Fedora.  NULL if none is. */
static char const *
tree_parent( void ) {
  char const * const candidates[] = { getenv( "TMPDIR" ), "/var/tmp", geteuid() ? "." : NULL };
  for( size_t i=0UL; i<sizeof(candidates)/sizeof(candidates[0]); i++ ) {
    struct statfs sfs;
    if( candidates[i] && candidates[i][0] && !statfs( candidates[i], &sfs ) && sfs.f_type!=TMPFS_MAGIC_NUMBER &&
        !access( candidates[i], W_OK | X_OK ) )
      return candidates[i];
  }
  return NULL;
}

static int
rm_entry( char const * path, struct stat const * st, int flag, struct FTW * ftw ) {
  (void)st; (void)flag; (void)ftw;
  return remove( path );
}

static void
remove_trees( void ) {
  if( getpid()!=main_pid ) return;
  if( dir[0] ) nftw( dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
  if( !shm[0] ) return;
  chmod( under( shm, "ro/.normal" ), 0755 );  /* so a normal user can empty it */
  nftw( shm, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
}

char const *
errcase_tree_long_path_then( char const * tail ) {
  char rel[ 400 ];
  memset( rel, 'a', 300 );
  snprintf( rel+300, sizeof(rel)-300, "%s", tail );
  return at( rel );
}

int
errcase_tree_with_domain( mode_t mode, int (*call)( void ) ) {
  char opts[ 32 ];
  snprintf( opts, sizeof(opts), "mode=%o,size=1M", (unsigned)mode );
  int err = -1;
  if( !make_dir( "mdom", 0755 ) && !make_dir( "mdom/.normal", 0755 ) &&
      !mount( "fdshmem-test", at( "mdom/.normal" ), "tmpfs", MS_NOSUID | MS_NODEV, opts ) ) {
    if( !make_file( "mdom/.normal/f" ) ) err = call();
    umount2( at( "mdom/.normal" ), MNT_DETACH );
  }
  nftw( at( "mdom" ), rm_entry, 16, FTW_DEPTH | FTW_PHYS );
  return err;
}

int
errcase_tree_new( void ) {
  main_pid = getpid();
  atexit( remove_trees );
  char const * parent = tree_parent();
  if( !parent ) {
    fprintf( stderr, "SKIP: no place off tmpfs for the scratch tree: $TMPDIR, /var/tmp%s\n",
             geteuid() ? " and the build tree are tmpfs or not writable" : " are tmpfs or not writable" );
    return FDT_SKIP;
  }
  return make_tree( parent ) ? 1 : 0;
}
