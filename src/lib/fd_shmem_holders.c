/* Who holds a domain's mounts: every process that maps a file of one
   (its name may be gone: "(deleted)"), has a descriptor open in one, or
   has its working or root directory inside.  Found by device number
   from /proc, so a deleted or renamed file is still seen. */

#include "fd_shmem_private.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define HOLDER_LOG_MAX (20UL)  /* lines logged; the rest are counted */

typedef struct {
  char const *          op;
  unsigned long const * dev;
  char const * const *  dir;
  size_t                dev_cnt;
  long                  pid;
  char                  comm[ 64 ];
  int                   held;     /* this process holds something */
  size_t                logged;
} holder_scan_t;

/* The directory named for device dev, or NULL if none of ours. */
static char const *
held_dir( holder_scan_t const * s, unsigned long dev ) {
  for( size_t i=0UL; i<s->dev_cnt; i++ ) if( s->dev[i]==dev ) return s->dir[i];
  return NULL;
}

static void
holder_log( holder_scan_t * s, char const * what, char const * where ) {
  s->held = 1;
  if( s->logged++<HOLDER_LOG_MAX )
    FD_SHMEM_LOG_WARN( "%s: pid %ld (%s) %s %s", s->op, s->pid, s->comm, what, where );
}

static void
scan_dirs( holder_scan_t * s ) {
  static char const * const link[]  = { "cwd", "root" };
  static char const * const what[]  = { "has its working directory in", "has its root directory in" };
  for( int i=0; i<2; i++ ) {
    char path[ 64 ];
    struct stat st;
    snprintf( path, sizeof(path), "/proc/%ld/%s", s->pid, link[i] );
    char const * dir = stat( path, &st ) ? NULL : held_dir( s, (unsigned long)st.st_dev );
    if( dir ) holder_log( s, what[i], dir );
  }
}

static void
scan_fds( holder_scan_t * s ) {
  char path[ 64 ];
  snprintf( path, sizeof(path), "/proc/%ld/fd", s->pid );
  DIR * d = opendir( path );
  if( !d ) return;
  for( struct dirent * e; ( e = readdir( d ) ); ) {
    struct stat st;
    if( !isdigit( (unsigned char)e->d_name[0] ) || fstatat( dirfd( d ), e->d_name, &st, 0 ) ) continue;
    if( !held_dir( s, (unsigned long)st.st_dev ) ) continue;
    char target[ 512 ] = "", what[ 320 ];
    ssize_t n = readlinkat( dirfd( d ), e->d_name, target, sizeof(target)-1UL );
    if( n>0 ) target[ n ] = '\0';
    snprintf( what, sizeof(what), "has descriptor %s open on", e->d_name );
    holder_log( s, what, target );
  }
  closedir( d );
}

/* Maps lines: "start-end perms offset MAJ:MIN inode path"; each mapped
   file is logged once per process. */
static void
scan_maps( holder_scan_t * s ) {
  char path[ 64 ], line[ 4600 ], last[ 4600 ] = "";
  snprintf( path, sizeof(path), "/proc/%ld/maps", s->pid );
  FILE * f = fopen( path, "re" );
  if( !f ) return;
  while( fgets( line, sizeof(line), f ) ) {
    unsigned maj, min;
    int off = 0;
    if( sscanf( line, "%*s %*s %*s %x:%x %*u %n", &maj, &min, &off )!=2 || !off ) continue;
    if( !held_dir( s, (unsigned long)makedev( maj, min ) ) ) continue;
    char * file = line+off;
    file[ strcspn( file, "\n" ) ] = '\0';
    if( !strcmp( file, last ) ) continue;
    snprintf( last, sizeof(last), "%s", file );
    holder_log( s, "maps", file );
  }
  fclose( f );
}

static void
read_comm( holder_scan_t * s ) {
  char path[ 64 ];
  snprintf( path, sizeof(path), "/proc/%ld/comm", s->pid );
  snprintf( s->comm, sizeof(s->comm), "?" );
  FILE * f = fopen( path, "re" );
  if( !f ) return;
  if( fgets( s->comm, sizeof(s->comm), f ) ) s->comm[ strcspn( s->comm, "\n" ) ] = '\0';
  fclose( f );
}

size_t
fd_shmem_private_holders( char const * op, unsigned long const * dev, char const * const * dir, size_t dev_cnt ) {
  holder_scan_t s = { .op = op, .dev = dev, .dir = dir, .dev_cnt = dev_cnt };
  DIR * proc = opendir( "/proc" );
  if( !proc ) return 0UL;
  size_t cnt = 0UL;
  for( struct dirent * e; ( e = readdir( proc ) ); ) {
    if( !isdigit( (unsigned char)e->d_name[0] ) ) continue;
    s.pid  = strtol( e->d_name, NULL, 10 );
    s.held = 0;
    read_comm( &s );
    scan_dirs( &s );
    scan_fds( &s );
    scan_maps( &s );
    cnt += (size_t)s.held;
  }
  closedir( proc );
  if( s.logged>HOLDER_LOG_MAX )
    FD_SHMEM_LOG_WARN( "%s: ... and %zu more", op, s.logged-HOLDER_LOG_MAX );
  return cnt;
}
