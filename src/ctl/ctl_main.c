/* fd_shmem_ctl: checks the whole command line, then runs its commands
   left to right and stops at the first failure, naming the command and
   why on one line of stderr. */

#include "ctl.h"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_FAILED (1)  /* a command failed, or has a bad argument */
#define EXIT_USAGE  (2)  /* the command line is malformed */

static char last_log[ CTL_WHY_MAX ];  /* the library's last warning */

static void
capture_log( void * ctx, int level, char const * msg ) {
  ctl_t const * ctl = ctx;
  if( level<=FD_SHMEM_LOG_WARNING ) { snprintf( last_log, sizeof(last_log), "%s", msg ); return; }
  if( !ctl->quiet ) fprintf( stderr, "fd_shmem_ctl: %s\n", msg );
}

/* The library's last word, less a leading "CMD: " that would repeat the
   command already named. */
static char const *
library_why( char const * cmd ) {
  size_t len = strlen( cmd );
  if( !strncmp( last_log, cmd, len ) && !strncmp( last_log+len, ": ", 2 ) ) return last_log+len+2;
  return last_log;
}

/* One line: the command as typed, then why it failed. */
static void
report_failure( ctl_t const * ctl, int err, ctl_step_t const * step ) {
  char const * lib = library_why( step->argv[0] );
  fputs( "fd_shmem_ctl: ", stderr );
  for( int i=0; i<step->argc; i++ ) fprintf( stderr, i ? " %s" : "%s", step->argv[i][0] ? step->argv[i] : "\"\"" );
  if( !ctl->why[0] && ( err==EPERM || err==EACCES ) ) {
    fprintf( stderr, ": permission denied: run as root%s%s%s\n", lib[0] ? " (" : "", lib, lib[0] ? ")" : "" );
    return;
  }
  fprintf( stderr, ": %s\n", ctl->why[0] ? ctl->why : lib[0] ? lib : strerror( err ) );
}

static int
run_steps( ctl_t * ctl, ctl_step_t const * steps, int step_cnt ) {
  for( int i=0; i<step_cnt; i++ ) {
    ctl->why[0] = '\0';
    last_log[0] = '\0';
    int err = steps[i].cmd->run( ctl, &steps[i].args );
    if( err ) { report_failure( ctl, err, &steps[i] ); return EXIT_FAILED; }
  }
  return 0;
}

int
main( int argc, char ** argv ) {
  ctl_t        ctl   = { 0 };
  ctl_step_t * steps = calloc( (size_t)argc, sizeof(ctl_step_t) );
  if( !steps ) { perror( "fd_shmem_ctl" ); return EXIT_FAILED; }
  int step_cnt, status = EXIT_USAGE;
  switch( ctl_line_parse( argc, argv, &ctl, steps, &step_cnt ) ) {
  case CTL_LINE_HELP:    ctl_usage(); status = 0; break;
  case CTL_LINE_VERSION: printf( "fd_shmem_ctl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION ); status = 0; break;
  case CTL_LINE_USAGE:   fprintf( stderr, "fd_shmem_ctl: %s\n", ctl.why ); break;
  case CTL_LINE_BAD_ARG: report_failure( &ctl, EINVAL, &steps[ step_cnt ] ); status = EXIT_FAILED; break;
  case CTL_LINE_RUN:
    fd_shmem_set_log_func( capture_log, &ctl );
    fd_shmem_set_log_level( FD_SHMEM_LOG_NOTICE );  /* notices are progress a sysadmin wants to see */
    status = run_steps( &ctl, steps, step_cnt );
    break;
  }
  free( steps );
  return status;
}
