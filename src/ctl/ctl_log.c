/* What the library says while a command runs.  Notices are progress and
   go straight to stderr; warnings are kept, whole, so that the last one
   can name why a command failed, and all of them reach stderr (unless
   --quiet) whether the command fails or not. */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WARN_MAX (64)

static char * warn[ WARN_MAX ];       /* each allocated; NULL if memory ran out (the line is then said lost) */
static int    warn_errno[ WARN_MAX ]; /* the real code of a catch-all line (catch_all_errno), else 0 */
static size_t warn_cnt;
static int    unexpected_err;         /* the system's code behind the library's last EIO (0: none seen) */

/* The library returns EIO for a code outside a function's closed set and
   logs the real one in this form (fd_shmem_errset.c): "FN: unexpected
   error: TEXT (errno N); returned as EIO".  Returns N, or 0 if msg is
   another message. */
static int
catch_all_errno( char const * msg ) {
  static char const tail[] = "; returned as EIO";
  size_t len = strlen( msg );
  char const * num = strstr( msg, ": unexpected error: " ) ? strrchr( msg, '(' ) : NULL;
  int err = 0, end = 0;
  if( !num || len<sizeof(tail) || strcmp( msg+len-sizeof(tail)+1UL, tail ) ) return 0;
  if( sscanf( num, "(errno %d)%n", &err, &end )!=1 || num+end!=msg+len-sizeof(tail)+1UL ) return 0;
  return err>0 ? err : 0;
}

static void
capture( void * ctx, int level, char const * msg ) {
  ctl_t const * ctl = ctx;
  if( level>FD_SHMEM_LOG_WARNING ) {
    if( !ctl->quiet ) { fputs( "fd_shmem_ctl: ", stderr ); ctl_put_safe( stderr, msg ); fputc( '\n', stderr ); }
    return;
  }
  int err = catch_all_errno( msg );
  if( err ) unexpected_err = err;  /* a failure's last line says it in words instead (ctl_report_failure) */
  if( warn_cnt==WARN_MAX ) {  /* keep the latest */
    free( warn[0] );
    memmove( warn, warn+1, sizeof(warn[0])*( WARN_MAX-1 ) );
    memmove( warn_errno, warn_errno+1, sizeof(warn_errno[0])*( WARN_MAX-1 ) );
    warn_cnt--;
  }
  warn_errno[ warn_cnt ] = err;
  warn[ warn_cnt++ ]     = strdup( msg );
}

void
ctl_log_capture( ctl_t * ctl ) {
  fd_shmem_set_log_func( capture, ctl );
}

int
ctl_real_err( int err ) {
  return err==EIO && unexpected_err ? unexpected_err : err;
}

static char const *
warning( size_t i ) {
  return warn[i] ? warn[i] : "(a message of the library was lost: out of memory)";
}

/* Writes the warnings (unless --quiet) but the one at skip (if any) and
   the catch-all lines of code said (said in other words), and forgets
   them all. */
static void
print_warnings( ctl_t const * ctl, size_t skip, int said ) {
  for( size_t i=0UL; i<warn_cnt && !ctl->quiet; i++ ) {
    if( i==skip || ( said && warn_errno[i]==said ) ) continue;
    fputs( "fd_shmem_ctl: ", stderr );
    ctl_put_safe( stderr, warning( i ) );
    fputc( '\n', stderr );
  }
  for( size_t i=0UL; i<warn_cnt; i++ ) free( warn[i] );
  warn_cnt       = 0UL;
  unexpected_err = 0;
}

void
ctl_warnings_flush( ctl_t const * ctl ) {
  print_warnings( ctl, WARN_MAX, 0 );
}

void
ctl_warnings_drop_last( void ) {
  if( warn_cnt ) free( warn[ --warn_cnt ] );
}

/* The last warning that is not a catch-all line: its index, or WARN_MAX. */
static size_t
last_word_at( void ) {
  for( size_t i=warn_cnt; i; i-- ) if( !warn_errno[ i-1UL ] ) return i-1UL;
  return WARN_MAX;
}

char const *
ctl_warnings_last( void ) {
  return warn_cnt ? warning( warn_cnt-1UL ) : "";
}

/* The library's last word, less a leading "CMD: " that would repeat the
   command already named; "" if it said nothing.  When the failure is a
   system error the library let through as EIO (real), only a warning
   that names that error is the reason. */
static char const *
library_why( char const * cmd, int real ) {
  size_t at = last_word_at();
  if( at==WARN_MAX ) return "";
  char const * last = warning( at );
  if( real && !strstr( last, strerror( real ) ) ) return "";
  size_t len = strlen( cmd );
  if( !strncmp( last, cmd, len ) && !strncmp( last+len, ": ", 2 ) ) return last+len+2;
  return last;
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

/* The commands whose plain system errors are about the domain path. */
static int
on_domain( char const * cmd ) {
  static char const * const cmds[] = { "init", "fini", "reset", "create", "unlink", "query", NULL };
  for( char const * const * c=cmds; *c; c++ ) if( !strcmp( cmd, *c ) ) return 1;
  return 0;
}

/* The reason a failed command gives, allocated (NULL: out of memory);
   *lib is set to the library's warning it says, if any. */
static char *
failure_reason( ctl_t const * ctl, int err, char const * cmd, char const ** lib ) {
  int real = unexpected_err && err==EIO ? unexpected_err : 0;  /* the library's EIO stands for it */
  int sys  = real ? real : err;
  *lib = ctl->why[0] ? "" : library_why( cmd, real );
  if( ctl->why[0] ) return ctl_msg_new( "%s", ctl->why );
  char const * said = (*lib)[0] ? *lib : strerror( sys );
  if( ( sys==EPERM || sys==EACCES ) && geteuid() )
    return (*lib)[0] ? ctl_msg_new( "permission denied: run as root (%s)", *lib )
                     : ctl_msg_new( "permission denied: run as root" );
  /* a remedy for the system error, unless the library's reason is another one (a refusal of its own) */
  char const * fix  = !(*lib)[0] || strstr( *lib, strerror( sys ) ) ? ctl_remedy( sys ) : NULL;
  char const * path = !(*lib)[0] && real && on_domain( cmd ) ? fd_shmem_path() : NULL;  /* say where */
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
  print_warnings( ctl, lib[0] ? last_word_at() : WARN_MAX, sys!=err ? sys : 0 );  /* not the reason again */
  fflush( stdout );  /* what the command printed comes first in a log */
  fputs( "fd_shmem_ctl: ", stderr );
  for( int i=0; i<argc; i++ ) {
    if( i ) fputc( ' ', stderr );
    ctl_put_safe( stderr, argv[i][0] ? argv[i] : "\"\"" );
  }
  fputs( ": ", stderr );
  ctl_put_safe( stderr, why ? why : strerror( err ) );
  fputc( '\n', stderr );
  if( ctl->json ) ctl_json_error( argv, argc, sys, why ? why : strerror( err ) );
  free( why );
}
