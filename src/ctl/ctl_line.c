/* fd_shmem_ctl's command line: options, then commands with their
   arguments, all parsed and checked before anything runs. */

#include "ctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number of words after argv[0] that belong to command cmd; sets
   *given when that is its optional form. */
static int
cmd_argc( ctl_cmd_t const * cmd, char ** argv, int left, int * given ) {
  *given = cmd->opt_argc && left>1 && !ctl_cmd_find( argv[1] );
  return cmd->argc + ( *given ? cmd->opt_argc : 0 );
}

static int
parse_options( int argc, char ** argv, ctl_t * ctl ) {
  static struct option const opts[] = {
    { "shmem-path", required_argument, NULL, 'p' },
    { "json",       no_argument,       NULL, 'j' },
    { "quiet",      no_argument,       NULL, 'q' },
    { "dry-run",    no_argument,       NULL, 'n' },
    { "version",    no_argument,       NULL, 'V' },
    { "help",       no_argument,       NULL, 'h' },
    { NULL, 0, NULL, 0 }
  };
  /* An unusable FD_SHMEM_PATH is refused as the same --shmem-path is,
     never replaced by the default (empty means unset). */
  char const * env = getenv( "FD_SHMEM_PATH" );
  if( env && env[0] && fd_shmem_set_path( env ) ) {
    ctl_fail( ctl, 0, "FD_SHMEM_PATH \"%.200s%s\": an absolute directory path (no . or .. in it) is needed", env, strlen( env )>200 ? "..." : "" );
    return CTL_LINE_USAGE;
  }
  ctl->path_given = env && env[0];
  optind = 0;  /* a full getopt reset, for callers that parse twice */
  opterr = 0;  /* the messages are ours */
  for( int c; ( c = getopt_long( argc, argv, "+", opts, NULL ) )!=-1; ) {
    switch( c ) {
    case 'p':
      if( fd_shmem_set_path( optarg ) ) {
        ctl_fail( ctl, 0, "--shmem-path \"%.200s%s\": an absolute directory path (no . or .. in it) is needed", optarg, strlen( optarg )>200 ? "..." : "" );
        return CTL_LINE_USAGE;
      }
      ctl->path_given = 1;
      break;
    case 'j': ctl->json    = 1; break;
    case 'q': ctl->quiet   = 1; break;
    case 'n': ctl->dry_run = 1; break;
    case 'V': return CTL_LINE_VERSION;
    case 'h': return CTL_LINE_HELP;
    default:  /* '?': an unknown option, or --shmem-path without its value */
      ctl_fail( ctl, 0, "unknown option or missing value: \"%s\" (try: fd_shmem_ctl --help)", argv[optind-1] );
      return CTL_LINE_USAGE;
    }
  }
  return CTL_LINE_RUN;
}

int
ctl_line_parse( int argc, char ** argv, ctl_t * ctl, ctl_step_t * steps, int * step_cnt ) {
  *step_cnt = 0;
  int status = parse_options( argc, argv, ctl );
  if( status!=CTL_LINE_RUN ) return status;
  for( int i=optind; i<argc; ) {
    ctl_cmd_t const * cmd = ctl_cmd_find( argv[i] );
    if( !cmd ) {
      ctl_fail( ctl, 0, "unknown command \"%s\" (try: fd_shmem_ctl help)", argv[i] );
      return CTL_LINE_USAGE;
    }
    ctl_step_t * step = &steps[ *step_cnt ];
    memset( step, 0, sizeof(*step) );
    int n = cmd_argc( cmd, argv+i, argc-i, &step->args.given );
    if( argc-i-1<n ) {
      ctl_fail( ctl, 0, "%s: needs %d argument%s: %s %s", cmd->name, n, n==1 ? "" : "s", cmd->name, cmd->args );
      return CTL_LINE_USAGE;
    }
    step->cmd  = cmd;
    step->argv = argv+i;
    step->argc = n+1;
    if( cmd->parse && cmd->parse( ctl, argv+i+1, &step->args ) ) return CTL_LINE_BAD_ARG;
    ( *step_cnt )++;
    i += n+1;
  }
  return CTL_LINE_RUN;
}
