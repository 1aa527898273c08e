/* fd_shmem_ctl: checks the whole command line, takes the host-wide lock
   the line needs (ctl_lock.c), then runs its commands left to right and
   stops at the first failure, naming the command and why on one line of
   stderr. */

#include "ctl.h"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_FAILED (1)  /* a command failed, or has a bad argument */
#define EXIT_USAGE  (2)  /* the command line is malformed */

/* The lock the line needs: the strongest its commands ask for; a dry
   run only reads. */
static int
line_lock( ctl_t const * ctl, ctl_step_t const * steps, int step_cnt ) {
  int lock = CTL_LOCK_NONE;
  for( int i=0; i<step_cnt; i++ ) if( steps[i].cmd->lock>lock ) lock = steps[i].cmd->lock;
  return ctl->dry_run && lock==CTL_LOCK_EXCLUSIVE ? CTL_LOCK_SHARED : lock;
}

static void
say( ctl_t const * ctl ) {
  fputs( "fd_shmem_ctl: ", stderr );
  ctl_put_safe( stderr, ctl->why );
  fputc( '\n', stderr );
}

static int
run_steps( ctl_t * ctl, ctl_step_t const * steps, int step_cnt ) {
  int lock = line_lock( ctl, steps, step_cnt );
  if( lock!=CTL_LOCK_NONE && ctl_lock_take( ctl, lock ) ) { say( ctl ); return EXIT_FAILED; }
  for( int i=0; i<step_cnt; i++ ) {
    ctl->why[0] = '\0';
    int err = steps[i].cmd->run( ctl, &steps[i].args );
    if( err ) { ctl_report_failure( ctl, err, steps[i].argv, steps[i].argc ); return EXIT_FAILED; }
    fflush( stdout );  /* each command's output before the next one's messages, also in a log */
    ctl_warnings_flush( ctl );
  }
  return 0;
}

int
main( int argc, char ** argv ) {
  ctl_t        ctl   = { 0 };
  ctl_step_t * steps = calloc( (size_t)argc, sizeof(ctl_step_t) );
  if( !steps ) { perror( "fd_shmem_ctl" ); return EXIT_FAILED; }
  int step_cnt, status = EXIT_USAGE;
  ctl_log_capture( &ctl );  /* before the library's first word */
  switch( ctl_line_parse( argc, argv, &ctl, steps, &step_cnt ) ) {
  case CTL_LINE_HELP:    ctl_usage(); status = 0; break;
  case CTL_LINE_VERSION: printf( "fd_shmem_ctl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION ); status = 0; break;
  case CTL_LINE_USAGE: say( &ctl ); break;
  case CTL_LINE_BAD_ARG:
    ctl_report_failure( &ctl, EINVAL, steps[ step_cnt ].argv, steps[ step_cnt ].argc );
    status = EXIT_FAILED;
    break;
  case CTL_LINE_RUN:
    fd_shmem_set_log_level( FD_SHMEM_LOG_NOTICE );  /* notices are progress a sysadmin wants to see */
    fd_shmem_set_dry_run( ctl.dry_run );
    status = run_steps( &ctl, steps, step_cnt );
    break;
  }
  ctl_steps_free( steps, step_cnt );
  free( steps );
  return status;
}
