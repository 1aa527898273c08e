/* The host-wide lock that serializes fd_shmem_ctl runs: flock(2) on
   /run/fdshmem/ctl.lock, one for every domain and pool (hugepage pools
   are the host's), so two commands never interleave their checks and
   changes, and each reports what it really did.  The kernel releases it
   when the holder exits or is killed.  Root makes and opens it only
   where no other user can have put or opened anything: a lock file
   another user could open is a lock that user could hold forever. */

#include "config.h"  /* first: _GNU_SOURCE, for O_PATH */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define LOCK_NAME "ctl.lock"
#define SAFE_TAIL "; nothing was changed"

#define QUIET_WAIT_MS (500)  /* a wait shorter than this goes unsaid */
#define POLL_MS       (10)

/* What makes st, found where root's directory (dir) or a regular file
   for root alone must be, unsafe to trust; NULL if nothing. */
static char const *
unsafe( struct stat const * st, int dir, char * buf, size_t buf_sz ) {
  if( S_ISLNK( st->st_mode ) ) return "it is a symbolic link";
  if( dir && !S_ISDIR( st->st_mode ) ) return "it is not a directory";
  if( !dir && !S_ISREG( st->st_mode ) ) return "it is not a regular file";
  if( st->st_uid ) {
    snprintf( buf, buf_sz, "it is owned by uid %lu, not root", (unsigned long)st->st_uid );
    return buf;
  }
  unsigned mode = (unsigned)st->st_mode & 07777U;
  if( dir && ( mode & 022U ) ) {
    snprintf( buf, buf_sz, "it is writable by group or others (mode %04o)", mode );
    return buf;
  }
  if( !dir && ( mode & 077U ) ) {
    snprintf( buf, buf_sz, "other users can open it (mode %04o)", mode );
    return buf;
  }
  return NULL;
}

static int
refuse( ctl_t * ctl, char const * path, char const * why ) {
  return ctl_fail( ctl, EPERM, "%s is not safe to lock: %s" SAFE_TAIL, path, why );
}

static int
cannot( ctl_t * ctl, char const * what, char const * path, int err ) {
  return ctl_fail( ctl, err, "cannot lock " CTL_LOCK_PATH ": %s %s: %s" SAFE_TAIL, what, path, strerror( err ) );
}

/* The lock directory, made 0755 if missing, as a descriptor that names
   it without following a link; -1 with ctl->why set if it is unsafe or
   cannot be had. */
static int
lock_dir_open( ctl_t * ctl ) {
  int dir = open( CTL_LOCK_DIR, O_PATH | O_NOFOLLOW | O_CLOEXEC );
  if( dir<0 && errno==ENOENT ) {
    if( mkdir( CTL_LOCK_DIR, 0755 ) && errno!=EEXIST ) { cannot( ctl, "mkdir", CTL_LOCK_DIR, errno ); return -1; }
    dir = open( CTL_LOCK_DIR, O_PATH | O_NOFOLLOW | O_CLOEXEC );
  }
  if( dir<0 ) { cannot( ctl, "open", CTL_LOCK_DIR, errno ); return -1; }
  struct stat st;
  char buf[ 80 ];
  char const * why = fstat( dir, &st ) ? strerror( errno ) : unsafe( &st, 1, buf, sizeof(buf) );
  if( why ) { refuse( ctl, CTL_LOCK_DIR, why ); close( dir ); return -1; }
  return dir;
}

/* The lock file in dir, made 0600 if missing; never through a link,
   never blocking on a FIFO. */
static int
lock_file_open( ctl_t * ctl, int dir ) {
  int fd = openat( dir, LOCK_NAME, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600 );
  struct stat st;
  char buf[ 80 ];
  char const * why = NULL;
  if( fd<0 ) {
    int err = errno;
    /* a link (ELOOP) or a directory (EISDIR): say which from what is there */
    if( fstatat( dir, LOCK_NAME, &st, AT_SYMLINK_NOFOLLOW ) || !( why = unsafe( &st, 0, buf, sizeof(buf) ) ) ) {
      cannot( ctl, "open", CTL_LOCK_PATH, err );
      return -1;
    }
  } else if( fstat( fd, &st ) ) why = strerror( errno );
  else                          why = unsafe( &st, 0, buf, sizeof(buf) );
  if( why ) { refuse( ctl, CTL_LOCK_PATH, why ); if( fd>=0 ) close( fd ); return -1; }
  return fd;
}

/* The pid holding the flock on the file st names (from /proc/locks),
   and its command name in comm; 0 if none is found (or it has gone). */
static int
lock_holder( struct stat const * st, char * comm, size_t comm_sz ) {
  FILE * f = fopen( "/proc/locks", "r" );
  if( !f ) return 0;
  char line[ 256 ];
  int  pid = 0;
  while( !pid && fgets( line, sizeof(line), f ) ) {
    /* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; a waiter's line has "->" before FLOCK */
    int           p;
    unsigned      maj, min;
    unsigned long ino;
    if( sscanf( line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &p, &maj, &min, &ino )==4 && p>0 &&
        maj==major( st->st_dev ) && min==minor( st->st_dev ) && ino==(unsigned long)st->st_ino ) pid = p;
  }
  fclose( f );
  comm[0] = '\0';
  if( !pid ) return 0;
  char path[ 32 ];
  snprintf( path, sizeof(path), "/proc/%d/comm", pid );
  f = fopen( path, "r" );
  if( f ) {
    if( !fgets( comm, (int)comm_sz, f ) ) comm[0] = '\0';
    comm[ strcspn( comm, "\n" ) ] = '\0';
    fclose( f );
  }
  return pid;
}

static void
say_waiting( ctl_t const * ctl, int fd ) {
  struct stat st;
  char comm[ 32 ];
  int  pid = fstat( fd, &st ) ? 0 : lock_holder( &st, comm, sizeof(comm) );
  if( pid ) ctl_note( ctl, "waiting for " CTL_LOCK_PATH ", held by pid %d (%s) ...", pid, comm[0] ? comm : "?" );
  else      ctl_note( ctl, "waiting for " CTL_LOCK_PATH ", held by another command ..." );
}

int
ctl_lock_take( ctl_t * ctl, int lock ) {
  if( geteuid() ) return 0;
  int dir = lock_dir_open( ctl );
  if( dir<0 ) return EPERM;
  int fd = lock_file_open( ctl, dir );
  close( dir );
  if( fd<0 ) return EPERM;
  int op = lock==CTL_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH;
  /* fd stays open: the lock lasts until the process ends.  Most holders
     are done within milliseconds: a wait is said only once it has lasted
     QUIET_WAIT_MS, so commands run side by side (a script, a test suite)
     print nothing about each other. */
  for( int waited=0; waited<=QUIET_WAIT_MS; waited+=POLL_MS ) {
    if( !flock( fd, op | LOCK_NB ) ) return 0;
    if( errno!=EWOULDBLOCK ) return cannot( ctl, "flock", CTL_LOCK_PATH, errno );
    nanosleep( &(struct timespec){ .tv_nsec = POLL_MS*1000000L }, NULL );
  }
  say_waiting( ctl, fd );
  while( flock( fd, op ) )
    if( errno!=EINTR ) return cannot( ctl, "flock", CTL_LOCK_PATH, errno );
  return 0;
}
