/* fd_shmem_ctl: runs its commands left to right and stops at the first
   failure, naming the command and why on one line of stderr. */

#include "ctl.h"

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_FAILED (1)  /* a command failed */
#define EXIT_USAGE  (2)  /* the command line is wrong */

static char last_log[ CTL_WHY_MAX ];  /* the library's last warning */

static void
capture_log( void * ctx, int level, char const * msg ) {
  ctl_t const * ctl = ctx;
  if( level<=FD_SHMEM_LOG_WARNING ) { snprintf( last_log, sizeof(last_log), "%s", msg ); return; }
  if( !ctl->quiet ) fprintf( stderr, "fd_shmem_ctl: %s\n", msg );
}

int
ctl_fail( ctl_t * ctl, int err, char const * fmt, ... ) {
  va_list ap;
  va_start( ap, fmt );
  vsnprintf( ctl->why, sizeof(ctl->why), fmt, ap );
  va_end( ap );
  return err;
}

void
ctl_note( ctl_t const * ctl, char const * fmt, ... ) {
  if( ctl->quiet ) return;
  va_list ap;
  va_start( ap, fmt );
  fputs( "fd_shmem_ctl: ", stderr );
  vfprintf( stderr, fmt, ap );
  fputc( '\n', stderr );
  va_end( ap );
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
report_failure( ctl_t const * ctl, int err, char ** argv, int argc ) {
  char const * lib = library_why( argv[0] );
  fputs( "fd_shmem_ctl: ", stderr );
  for( int i=0; i<argc; i++ ) fprintf( stderr, i ? " %s" : "%s", argv[i][0] ? argv[i] : "\"\"" );
  if( !ctl->why[0] && ( err==EPERM || err==EACCES ) ) {
    fprintf( stderr, ": permission denied: run as root%s%s%s\n", lib[0] ? " (" : "", lib, lib[0] ? ")" : "" );
    return;
  }
  fprintf( stderr, ": %s\n", ctl->why[0] ? ctl->why : lib[0] ? lib : strerror( err ) );
}

/* The number of arguments argv[1..] that belong to command cmd, and
   whether they make up its optional form. */
static int
cmd_argc( ctl_cmd_t const * cmd, char ** argv, int left, int * opt ) {
  *opt = cmd->opt_argc && left>1 && !ctl_cmd_find( argv[1] );
  return cmd->argc + ( *opt ? cmd->opt_argc : 0 );
}

static int
run_commands( ctl_t * ctl, char ** argv, int argc ) {
  for( int i=0; i<argc; ) {
    ctl_cmd_t const * cmd = ctl_cmd_find( argv[i] );
    if( !cmd ) { fprintf( stderr, "fd_shmem_ctl: unknown command \"%s\" (try: fd_shmem_ctl help)\n", argv[i] ); return EXIT_USAGE; }
    int opt;
    int n = cmd_argc( cmd, argv+i, argc-i, &opt );
    if( argc-i-1<n ) {
      fprintf( stderr, "fd_shmem_ctl: %s: needs %d argument%s: %s %s\n", cmd->name, n, n==1 ? "" : "s", cmd->name, cmd->args );
      return EXIT_USAGE;
    }
    char * args[ 8 ] = { NULL };
    for( int a=0; a<n; a++ ) args[a] = argv[ i+1+a ];
    ctl->why[0] = '\0';
    last_log[0] = '\0';
    int err = ( opt ? cmd->run_opt : cmd->run )( ctl, args );
    if( err ) { report_failure( ctl, err, argv+i, n+1 ); return EXIT_FAILED; }
    i += n+1;
  }
  return 0;
}

int
main( int argc, char ** argv ) {
  static struct option const opts[] = {
    { "shmem-path", required_argument, NULL, 'p' },
    { "json",       no_argument,       NULL, 'j' },
    { "quiet",      no_argument,       NULL, 'q' },
    { "dry-run",    no_argument,       NULL, 'n' },
    { "version",    no_argument,       NULL, 'V' },
    { "help",       no_argument,       NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  ctl_t ctl = { 0 };
  for( int c; ( c = getopt_long( argc, argv, "+", opts, NULL ) )!=-1; ) {
    switch( c ) {
    case 'p':
      if( fd_shmem_set_path( optarg ) ) {
        fprintf( stderr, "fd_shmem_ctl: --shmem-path \"%s\": an absolute directory path is needed\n", optarg );
        return EXIT_USAGE;
      }
      break;
    case 'j': ctl.json  = 1; break;
    case 'q': ctl.quiet = 1; break;
    case 'n': ctl.dry_run = 1; break;
    case 'V': printf( "fd_shmem_ctl (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION ); return 0;
    case 'h': ctl_usage(); return 0;
    default:  return EXIT_USAGE;
    }
  }
  fd_shmem_set_log_func( capture_log, &ctl );
  fd_shmem_set_log_level( FD_SHMEM_LOG_NOTICE );  /* notices are progress a sysadmin wants to see */
  return run_commands( &ctl, argv+optind, argc-optind );
}
