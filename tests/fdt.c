#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <fcntl.h>
#include <dirent.h>
#include <grp.h>
#include <sys/file.h>

#define TMPFS_MAGIC_NUMBER  0x01021994L
#define HUGE_SYSFS_DIR      "/sys/kernel/mm/hugepages/hugepages-2048kB"

static fdt_domain_t * cleanup_domain;  /* the domain to undo at exit */
static pid_t          cleanup_pid;     /* only by the process that made it, not Check's children */

int
fdt_privileged( void ) {
  char const * env = getenv( "FDSHMEM_TEST_PRIVILEGED" );
  return !geteuid() && env && !strcmp( env, "1" );
}

pid_t
fdt_fork( void ) {
  pid_t pid = fork();
  if( pid ) ck_assert_msg( pid>0, "fork: %s", strerror( errno ) );
  return pid;
}

int
fdt_become_nobody( void ) {
  struct passwd * nobody = getpwnam( "nobody" );
  /* setgroups first: root's supplementary groups would otherwise stay and
     grant what nobody may not do. */
  return nobody && !setgroups( 0, NULL ) && !setgid( nobody->pw_gid ) && !setuid( nobody->pw_uid ) ? 0 : -1;
}

long
fdt_read_long( char const * path ) {
  FILE * f = fopen( path, "r" );
  if( !f ) return -1L;
  long v = -1L;
  if( fscanf( f, "%ld", &v )!=1 ) v = -1L;
  fclose( f );
  return v;
}

int
fdt_write_long( char const * path, long v ) {
  FILE * f = fopen( path, "w" );
  if( !f ) return -1;
  int bad = fprintf( f, "%ld\n", v )<0;
  bad |= fclose( f );
  return bad ? -1 : 0;
}

static void
node_huge_path( char * buf, size_t buf_sz, int node, char const * file ) {
  snprintf( buf, buf_sz, "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/%s", node, file );
}

/* Removes every file directly inside dir (regions), then dir. */
static void
remove_dir( char const * dir ) {
  DIR * d = opendir( dir );
  if( d ) {
    struct dirent * e;
    while( ( e = readdir( d ) ) ) {
      if( !strcmp( e->d_name, "." ) || !strcmp( e->d_name, ".." ) ) continue;
      unlinkat( dirfd( d ), e->d_name, 0 );
    }
    closedir( d );
  }
  rmdir( dir );
}

static int
make_sub( fdt_domain_t * d, char const * type, char const * fstype, char const * opts ) {
  char sub[ 300 ];
  snprintf( sub, sizeof(sub), "%s/.%s", d->path, type );
  if( mkdir( sub, 0700 ) ) { perror( sub ); return 1; }
  if( fstype && mount( "fdshmem-test", sub, fstype, MS_NOSUID | MS_NODEV, opts ) ) {
    perror( "mount" );
    return 1;
  }
  return 0;
}

static void
delete_at_exit( void ) {
  if( cleanup_domain && getpid()==cleanup_pid ) fdt_domain_delete( cleanup_domain );
}

/* Privileged tests share the machine's hugepage pool: they take turns,
   holding this lock until they exit (shell tests use flock(1) on it). */
void
fdt_machine_lock( void ) {
  static int held;  /* once: a second open file would wait for the first */
  if( held ) return;
  int fd = open( FDT_MACHINE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600 );
  if( fd<0 || flock( fd, LOCK_EX ) ) perror( FDT_MACHINE_LOCK );
  held = 1;
  /* fd stays open (and locked) until the process exits */
}

int
fdt_domain_new( fdt_domain_t * d, int privileged ) {
  memset( d, 0, sizeof(*d) );
  if( privileged ) fdt_machine_lock();
  d->privileged = privileged;
  for( int node=0; node<FDT_NODE_MAX; node++ ) d->saved_nr_hugepages[ node ] = -1L;
  struct statfs sfs;
  if( !privileged && ( statfs( "/dev/shm", &sfs ) || sfs.f_type!=TMPFS_MAGIC_NUMBER ) ) {
    fprintf( stderr, "SKIP: /dev/shm is not a tmpfs\n" );
    return FDT_SKIP;
  }
  snprintf( d->path, sizeof(d->path), "%s/fdshmem-test.XXXXXX", privileged ? "/tmp" : "/dev/shm" );
  if( !mkdtemp( d->path ) ) { perror( "mkdtemp" ); d->path[0] = '\0'; return 1; }
  cleanup_domain = d;
  cleanup_pid    = getpid();
  atexit( delete_at_exit );

  if( make_sub( d, "normal", privileged ? "tmpfs" : NULL, "mode=0700" ) ) return 1;
  if( privileged && !access( HUGE_SYSFS_DIR, F_OK ) ) {
    if( make_sub( d, "huge", "hugetlbfs", "pagesize=2M,mode=0700" ) ) return 1;
    d->has_huge = 1;
  }
  if( fd_shmem_set_path( d->path ) ) { fprintf( stderr, "fd_shmem_set_path failed\n" ); return 1; }
  return 0;
}

static void
undo_sub( fdt_domain_t * d, char const * type ) {
  char sub[ 300 ];
  snprintf( sub, sizeof(sub), "%s/.%s", d->path, type );
  remove_dir( sub );      /* regions first, so hugetlbfs pages go back */
  if( d->privileged ) umount2( sub, MNT_DETACH );
  rmdir( sub );
}

void
fdt_domain_delete( fdt_domain_t * d ) {
  if( !d->path[0] ) return;
  undo_sub( d, "normal" );
  if( d->has_huge ) undo_sub( d, "huge" );
  rmdir( d->path );
  d->path[0] = '\0';
  for( int node=0; node<FDT_NODE_MAX; node++ ) {
    if( d->saved_nr_hugepages[ node ]<0L ) continue;
    char nr[ 128 ];
    node_huge_path( nr, sizeof(nr), node, "nr_hugepages" );
    if( fdt_write_long( nr, d->saved_nr_hugepages[ node ] ) )
      fprintf( stderr, "WARNING: could not restore %s to %ld\n", nr, d->saved_nr_hugepages[ node ] );
    d->saved_nr_hugepages[ node ] = -1L;
  }
  if( cleanup_domain==d ) cleanup_domain = NULL;
}

long
fdt_hugepages_make_free( fdt_domain_t * d, long free_cnt ) {
  if( !d->privileged || !d->has_huge ) return -1L;
  for( int node=0; node<FDT_NODE_MAX; node++ ) {
    char nr[ 128 ], fr[ 128 ];
    node_huge_path( nr, sizeof(nr), node, "nr_hugepages" );
    node_huge_path( fr, sizeof(fr), node, "free_hugepages" );
    long total = fdt_read_long( nr );
    long free_ = fdt_read_long( fr );
    if( total<0L || free_<0L ) {
      if( !node ) return -1L;
      continue;  /* no such node */
    }
    if( d->saved_nr_hugepages[ node ]<0L ) d->saved_nr_hugepages[ node ] = total;
    if( fdt_write_long( nr, total - free_ + ( node ? 0L : free_cnt ) ) ) return -1L;
  }
  return fdt_read_long( FDT_HUGE_FREE_PATH );
}

int
fdt_domain_entry_cnt( fdt_domain_t const * d, char const * type ) {
  char sub[ 300 ];
  snprintf( sub, sizeof(sub), "%s/.%s", d->path, type );
  DIR * dir = opendir( sub );
  if( !dir ) return -1;
  int cnt = 0;
  struct dirent * e;
  while( ( e = readdir( dir ) ) ) cnt += strcmp( e->d_name, "." ) && strcmp( e->d_name, ".." );
  closedir( dir );
  return cnt;
}

int
fdt_run( Suite * s ) {
  SRunner * sr = srunner_create( s );
  srunner_run_all( sr, CK_NORMAL );
  int failed = srunner_ntests_failed( sr );
  srunner_free( sr );
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static char logged[ 4096 ];

static void
log_keep( void * ctx, int level, char const * msg ) {
  (void)ctx;
  size_t len = strlen( logged );
  if( level<=FD_SHMEM_LOG_WARNING ) snprintf( logged+len, sizeof(logged)-len, "%s\n", msg );
}

void
fdt_log_start( void ) {
  logged[0] = '\0';
  fd_shmem_set_log_func( log_keep, NULL );
}

char const *
fdt_logged( void ) {
  return logged;
}

int
fdt_huge_domain_new( fdt_domain_t * d, long free_cnt ) {
  if( !fdt_privileged() ) {
    fprintf( stderr, "SKIP: needs root and FDSHMEM_TEST_PRIVILEGED=1\n" );
    return FDT_SKIP;
  }
  int err = fdt_domain_new( d, 1 );
  if( err ) return err;
  if( !d->has_huge ) {
    fprintf( stderr, "SKIP: this kernel offers no 2 MiB pages\n" );
    return FDT_SKIP;
  }
  long got = fdt_hugepages_make_free( d, free_cnt );
  if( got!=free_cnt ) {
    fprintf( stderr, "SKIP: could not free up %ld huge pages (got %ld)\n", free_cnt, got );
    return FDT_SKIP;
  }
  return 0;
}
