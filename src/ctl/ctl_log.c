/* What the library says while a command runs.  Notices are progress and
   go straight to stderr; warnings are kept, so that the last one can
   name why a command failed, and all of them reach stderr (unless
   --quiet) whether the command fails or not. */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WARN_MAX (64)

static char   warn[ WARN_MAX ][ CTL_WHY_MAX ];
static size_t warn_cnt;

static void
capture( void * ctx, int level, char const * msg ) {
  ctl_t const * ctl = ctx;
  if( level>FD_SHMEM_LOG_WARNING ) {
    if( !ctl->quiet ) { fputs( "fd_shmem_ctl: ", stderr ); ctl_put_safe( stderr, msg ); fputc( '\n', stderr ); }
    return;
  }
  if( warn_cnt==WARN_MAX ) memmove( warn[0], warn[1], sizeof(warn[0])*( WARN_MAX-1 ) );  /* keep the latest */
  else warn_cnt++;
  snprintf( warn[ warn_cnt-1 ], sizeof(warn[0]), "%s", msg );
}

void
ctl_log_capture( ctl_t * ctl ) {
  fd_shmem_set_log_func( capture, ctl );
}

static void
print_warnings( ctl_t const * ctl, size_t cnt ) {
  for( size_t i=0UL; i<cnt && !ctl->quiet; i++ ) {
    fputs( "fd_shmem_ctl: ", stderr );
    ctl_put_safe( stderr, warn[i] );
    fputc( '\n', stderr );
  }
}

void
ctl_warnings_flush( ctl_t const * ctl ) {
  print_warnings( ctl, warn_cnt );
  warn_cnt = 0UL;
}

void
ctl_warnings_drop_last( void ) {
  if( warn_cnt ) warn_cnt--;
}

/* The library's last word, less a leading "CMD: " that would repeat the
   command already named. */
static char const *
library_why( char const * cmd ) {
  if( !warn_cnt ) return "";
  char const * last = warn[ warn_cnt-1 ];
  size_t len = strlen( cmd );
  if( !strncmp( last, cmd, len ) && !strncmp( last+len, ": ", 2 ) ) return last+len+2;
  return last;
}

void
ctl_report_failure( ctl_t const * ctl, int err, char ** argv, int argc ) {
  char const * lib = ctl->why[0] ? "" : library_why( argv[0] );
  print_warnings( ctl, lib[0] ? warn_cnt-1UL : warn_cnt );  /* the last one may be the reason itself */
  warn_cnt = 0UL;
  fflush( stdout );  /* what the command printed comes first in a log */
  fputs( "fd_shmem_ctl: ", stderr );
  for( int i=0; i<argc; i++ ) {
    if( i ) fputc( ' ', stderr );
    ctl_put_safe( stderr, argv[i][0] ? argv[i] : "\"\"" );
  }
  if( !ctl->why[0] && ( err==EPERM || err==EACCES ) ) {
    fputs( ": permission denied: run as root", stderr );
    if( lib[0] ) { fputs( " (", stderr ); ctl_put_safe( stderr, lib ); fputc( ')', stderr ); }
    fputc( '\n', stderr );
    return;
  }
  fputs( ": ", stderr );
  ctl_put_safe( stderr, ctl->why[0] ? ctl->why : lib[0] ? lib : strerror( err ) );
  fputc( '\n', stderr );
}
