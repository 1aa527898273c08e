/* What the library says while a command runs.  Notices are progress and
   go straight to stderr; warnings are kept, whole, and all of them reach
   stderr (unless --quiet) whether the command fails or not.  Why a call
   failed comes from its reason (fd_shmem_last_reason), not its words. */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WARN_MAX (64)

static char * warn[ WARN_MAX ];  /* each allocated; NULL if memory ran out (the line is then said lost) */
static size_t warn_cnt;

/* The library's reason for the last failure (fd_shmem_last_reason),
   read when the tool reports one.  Static: it is large. */
static fd_shmem_reason_t reason;

/* 1 if the library's last failure is the one the tool met (the call
   returned err), and fills reason. */
static int
reason_is( int err ) {
  return !fd_shmem_last_reason( &reason ) && reason.err==err;
}

/* Keeps msg as the library's warnings are kept. */
static void
keep( char const * msg ) {
  if( warn_cnt==WARN_MAX ) {  /* keep the latest */
    free( warn[0] );
    memmove( warn, warn+1, sizeof(warn[0])*( WARN_MAX-1 ) );
    warn_cnt--;
  }
  warn[ warn_cnt++ ] = strdup( msg );
}

static void
capture( void * ctx, int level, char const * msg ) {
  ctl_t const * ctl = ctx;
  if( level>FD_SHMEM_LOG_WARNING ) {
    if( !ctl->quiet ) { fputs( "fd_shmem_ctl: ", stderr ); ctl_put_safe( stderr, msg ); fputc( '\n', stderr ); }
    return;
  }
  keep( msg );
}

void
ctl_log_capture( ctl_t * ctl ) {
  fd_shmem_set_log_func( capture, ctl );
}

int
ctl_real_err( int err ) {
  return err==EIO && reason_is( EIO ) && reason.sys_err ? reason.sys_err : err;
}

char const *
ctl_reason_words( int err ) {
  return reason_is( err ) && reason.worded ? reason.text : "";
}

void
ctl_warnings_add_reason( int err ) {
  char const * words = ctl_reason_words( err );
  if( words[0] ) keep( words );
}

static char const *
warning( size_t i ) {
  return warn[i] ? warn[i] : "(a message of the library was lost: out of memory)";
}

/* The index of the last kept warning that is text, or WARN_MAX. */
static size_t
warning_at( char const * text ) {
  for( size_t i=warn_cnt; text && i; i-- ) if( warn[ i-1UL ] && !strcmp( warn[ i-1UL ], text ) ) return i-1UL;
  return WARN_MAX;
}

/* Writes the warnings (unless --quiet) but the one at skip and, if
   skip_last, the last (a catch-all's line, said in other words), and
   forgets them all, with the library's reason. */
static void
print_warnings( ctl_t const * ctl, size_t skip, int skip_last ) {
  for( size_t i=0UL; i<warn_cnt && !ctl->quiet; i++ ) {
    if( i==skip || ( skip_last && i==warn_cnt-1UL ) ) continue;
    fputs( "fd_shmem_ctl: ", stderr );
    ctl_put_safe( stderr, warning( i ) );
    fputc( '\n', stderr );
  }
  for( size_t i=0UL; i<warn_cnt; i++ ) free( warn[i] );
  warn_cnt = 0UL;
  fd_shmem_reason_clear();
}

void
ctl_warnings_flush( ctl_t const * ctl ) {
  print_warnings( ctl, WARN_MAX, 0 );
}

void
ctl_warnings_drop_last( void ) {
  if( fd_shmem_last_reason( &reason ) ) return;
  size_t at = warning_at( reason.text );
  if( at==WARN_MAX ) return;
  free( warn[ at ] );
  memmove( warn+at, warn+at+1UL, sizeof(warn[0])*( warn_cnt-at-1UL ) );
  warn_cnt--;
}

/* The library's words for the failure, less a leading "CMD: " that
   would repeat the command already named; "" if it has none. */
static char const *
library_why( char const * cmd, int err ) {
  char const * text = ctl_reason_words( err );
  size_t len = strlen( cmd );
  if( !strncmp( text, cmd, len ) && !strncmp( text+len, ": ", 2 ) ) return text+len+2;
  return text;
}

char const *
ctl_remedy( int err ) {
  switch( err ) {
  case EROFS:        return "remount it read-write, then run the command again";
  case ENAMETOOLONG: return "a name in the path is longer than 255 bytes, or the path longer than 4095: "
                            "use a shorter path";
  case EPERM:
  case EACCES:       return "refused to root: a capability may be missing (a container or a user namespace), "
                            "or the file is immutable (lsattr) or on a read-only mount";
  default:           return NULL;
  }
}

/* The reason a failed command gives, allocated (NULL: out of memory);
   *lib is set to the library's words it says, if any.  Fills reason. */
static char *
failure_reason( ctl_t const * ctl, int err, char const * cmd, char const ** lib ) {
  int mine = reason_is( err );
  int real = mine && err==EIO ? reason.sys_err : 0;  /* the library's EIO stands for it */
  int sys  = real ? real : err;
  *lib = ctl->why[0] ? "" : library_why( cmd, err );
  if( ctl->why[0] ) return ctl_msg_new( "%s", ctl->why );
  char const * said = (*lib)[0] ? *lib : strerror( sys );
  if( ( sys==EPERM || sys==EACCES ) && geteuid() )
    return (*lib)[0] ? ctl_msg_new( "permission denied: run as root (%s)", *lib )
                     : ctl_msg_new( "permission denied: run as root" );
  /* a remedy for a system error, not for a refusal of the library's own */
  char const * fix  = !(*lib)[0] || reason.what==FD_SHMEM_REASON_SYSTEM ? ctl_remedy( sys ) : NULL;
  char const * path = !(*lib)[0] && real && reason.path[0] ? reason.path : NULL;  /* say where */
  if( path && fix ) return ctl_msg_new( "domain %s: %s (%s)", path, said, fix );
  if( path )        return ctl_msg_new( "domain %s: %s", path, said );
  if( fix )         return ctl_msg_new( "%s (%s)", said, fix );
  return ctl_msg_new( "%s", said );
}

void
ctl_report_failure( ctl_t const * ctl, int err, char ** argv, int argc ) {
  char const * lib;
  char *       why = failure_reason( ctl, err, argv[0], &lib );
  int          sys = ctl_real_err( err );
  /* not the reason again, nor the catch-all's line (the reason's own, or the call's last after the
     library's words): the last line says the error in words */
  int catch_all = sys!=err;
  int own_line  = lib[0] || ( catch_all && !reason.worded );
  print_warnings( ctl, own_line ? warning_at( reason.text ) : WARN_MAX, catch_all && reason.worded );
  fflush( stdout );  /* what the command printed comes first in a log */
  fputs( "fd_shmem_ctl: ", stderr );
  for( int i=0; i<argc; i++ ) {
    if( i ) fputc( ' ', stderr );
    ctl_put_safe( stderr, argv[i][0] ? argv[i] : "\"\"" );
  }
  fputs( ": ", stderr );
  ctl_put_safe( stderr, why ? why : strerror( err ) );
  fputc( '\n', stderr );
  if( ctl->json && !ctl->json_said ) ctl_json_error( argv, argc, sys, why ? why : strerror( err ) );
  free( why );
}
