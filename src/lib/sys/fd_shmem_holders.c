/* Who holds a domain's mounts: every process that maps a file of one
   (its name may be gone: "(deleted)"), has a descriptor open in one, or
   has its working or root directory inside.  Found by device number
   from /proc (fd_shmem_procs.c and the gate), so a deleted or renamed
   file is still seen.  Names go into the log as they are: its sink
   escapes them (base/fd_shmem_escape.h). */

#include "fd_shmem_sys.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kcmp.h>

#define HOLDER_LOG_MAX  (20UL)  /* lines logged; the rest are counted */
#define HOLDER_SEEN_MAX (64UL)  /* holdings remembered per process, so threads sharing one are named once */

typedef struct {
  char const *          op;
  unsigned long const * dev;
  char const * const *  dir;
  size_t                dev_cnt;
  long                  pid;
  long                  tid;         /* the thread of pid scan_dirs and scan_fds look at */
  char                  comm[ 64 ];
  int                   held;        /* this process holds something */
  size_t                logged;
  size_t                cnt;         /* processes found holding something */
  uint64_t              seen[ HOLDER_SEEN_MAX ];  /* hashes of what this process was named for */
  size_t                seen_cnt;
} holder_scan_t;

/* 1 if this holding of the current process was named already. */
static int
seen_before( holder_scan_t * s, char const * what, char const * where ) {
  uint64_t h = 1469598103934665603ULL;  /* FNV-1a over both strings */
  for( char const * p=what;  *p; p++ ) h = ( h ^ (unsigned char)*p )*1099511628211ULL;
  for( char const * p=where; *p; p++ ) h = ( h ^ (unsigned char)*p )*1099511628211ULL;
  for( size_t i=0UL; i<s->seen_cnt; i++ ) if( s->seen[i]==h ) return 1;
  if( s->seen_cnt<HOLDER_SEEN_MAX ) s->seen[ s->seen_cnt++ ] = h;
  return 0;
}

/* The directory named for device dev, or NULL if none of ours. */
static char const *
held_dir( holder_scan_t const * s, unsigned long dev ) {
  for( size_t i=0UL; i<s->dev_cnt; i++ ) if( s->dev[i]==dev ) return s->dir[i];
  return NULL;
}

static void
holder_log( holder_scan_t * s, char const * what, char const * where ) {
  s->held = 1;
  if( seen_before( s, what, where ) ) return;
  if( s->logged++<HOLDER_LOG_MAX )
    FD_SHMEM_PRIVATE_WARN( "%s: pid %ld (%s) %s %s", s->op, s->pid, s->comm, what, where );
}

static void
scan_dirs( holder_scan_t * s ) {
  static char const * const link[]  = { "cwd", "root" };
  static char const * const what[]  = { "has its working directory in", "has its root directory in" };
  for( int i=0; i<2; i++ ) {
    char path[ 512 ];
    struct stat st;
    if( fd_shmem_private_sys_path( path, sizeof(path), "/proc/%ld/task/%ld/%s", s->pid, s->tid, link[i] ) ) continue;
    char const * dir = stat( path, &st ) ? NULL : held_dir( s, (unsigned long)st.st_dev );
    if( dir ) holder_log( s, what[i], dir );
  }
}

static void
scan_fds( holder_scan_t * s ) {
  DIR * d = fd_shmem_private_sys_opendir( "/proc/%ld/task/%ld/fd", s->pid, s->tid );
  if( !d ) return;
  for( struct dirent * e; ( e = readdir( d ) ); ) {
    struct stat st;
    if( !isdigit( (unsigned char)e->d_name[0] ) || fstatat( dirfd( d ), e->d_name, &st, 0 ) ) continue;
    if( !held_dir( s, (unsigned long)st.st_dev ) ) continue;
    char target[ PATH_MAX ] = "", what[ 320 ];
    ssize_t n = readlinkat( dirfd( d ), e->d_name, target, sizeof(target)-1UL );
    if( n>0 ) target[ n ] = '\0';
    snprintf( what, sizeof(what), "has descriptor %s open on", e->d_name );
    holder_log( s, what, target );
  }
  closedir( d );
}

static int
map_visit( void * ctx, fd_shmem_private_map_t const * map ) {
  holder_scan_t * s = ctx;  /* each file is named once per process: holder_log skips repeats */
  if( held_dir( s, map->dev ) ) holder_log( s, "maps", map->path );
  return 0;
}

/* 1 if thread tid shares its what (KCMP_FS: working and root
   directories, KCMP_FILES: descriptors) with its leader, which is then
   scanned already; 0 if not or if the kernel will not tell. */
static int
shares_with_leader( long pid, long tid, int what ) {
  return syscall( SYS_kcmp, (pid_t)pid, (pid_t)tid, what, 0UL, 0UL )==0;
}

/* Working and root directories and descriptors of every thread: a
   thread may have its own (unshare CLONE_FS or CLONE_FILES). */
static void
scan_tasks( holder_scan_t * s ) {
  DIR * d = fd_shmem_private_sys_opendir( "/proc/%ld/task", s->pid );
  if( !d ) return;
  for( struct dirent * e; ( e = readdir( d ) ); ) {
    if( !isdigit( (unsigned char)e->d_name[0] ) ) continue;
    long tid = s->tid = strtol( e->d_name, NULL, 10 );
    if( tid==s->pid || !shares_with_leader( s->pid, tid, KCMP_FS ) )    scan_dirs( s );
    if( tid==s->pid || !shares_with_leader( s->pid, tid, KCMP_FILES ) ) scan_fds( s );
  }
  closedir( d );
}

static int
proc_visit( void * ctx, long pid ) {
  holder_scan_t * s = ctx;
  s->pid      = pid;
  s->held     = 0;
  s->seen_cnt = 0UL;
  fd_shmem_private_proc_comm( pid, s->comm, sizeof(s->comm) );
  fd_shmem_private_maps_each( pid, map_visit, s );
  scan_tasks( s );
  s->cnt += (size_t)s->held;
  return 0;
}

size_t
fd_shmem_private_holders( char const * op, unsigned long const * dev, char const * const * dir, size_t dev_cnt ) {
  holder_scan_t s = { .op = op, .dev = dev, .dir = dir, .dev_cnt = dev_cnt };
  fd_shmem_private_procs_each( proc_visit, &s );
  if( s.logged>HOLDER_LOG_MAX )
    FD_SHMEM_PRIVATE_WARN( "%s: ... and %zu more", op, s.logged-HOLDER_LOG_MAX );
  return s.cnt;
}
