/* libFuzzer harness: fd_shmem_ctl's argument handling, in process.  The
   input split at newlines is a command line for ctl_line_parse (options,
   commands, each command's arguments: nothing runs); the whole input is
   also given to the strict number and type parsers. */

#include "../../src/ctl/ctl.h"

#include "fuzz_cstr.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WORD_MAX (64)

static void
check_values( char const * s ) {
  size_t v;
  if( !ctl_parse_dec( s, &v ) ) {
    CHECK( s[0] && strspn( s, "0123456789" )==strlen( s ) );
    errno = 0;
    CHECK( strtoull( s, NULL, 10 )==v && !errno );
  }
  unsigned long mode;
  if( !ctl_parse_octal( s, &mode, 07777UL ) ) CHECK( mode<=07777UL && s[0] && strspn( s, "01234567" )==strlen( s ) );
  size_t page_sz;
  if( !ctl_parse_pool_type( s, &page_sz ) ) CHECK( page_sz==2097152UL || page_sz==1073741824UL );
}

/* What a parsed step promises its handler. */
static void
check_step( ctl_step_t const * step ) {
  ctl_cmd_t const * cmd  = step->cmd;
  ctl_args_t const * a   = &step->args;
  CHECK( cmd && cmd==ctl_cmd_find( step->argv[0] ) );
  CHECK( step->argc-1 == cmd->argc + ( a->given ? cmd->opt_argc : 0 ) );
  if( !strcmp( cmd->name, "create" ) ) {
    ctl_create_args_t const * c = &a->create;
    CHECK( fd_shmem_name_len( c->name ) && c->page_cnt && fd_shmem_is_page_sz( c->page_sz ) && c->mode<=07777UL );
    /* the cpus kept are those of the sequence, each one that exists */
    size_t cpu_idx[ 8 ], cnt;
    int err = fd_shmem_cpu_seq_parse( c->cpu_seq, cpu_idx, 8, &cnt );
    CHECK( !err || err==E2BIG );
    CHECK( c->cpu_idx && c->cpu_idx==a->owned && c->cpu_cnt>=1UL && c->cpu_cnt<=FD_SHMEM_CPU_MAX );
    CHECK( err || ( cnt==c->cpu_cnt && !memcmp( cpu_idx, c->cpu_idx, cnt*sizeof(size_t) ) ) );
    for( size_t i=0UL; i<c->cpu_cnt; i++ ) CHECK( c->cpu_idx[i]<fd_shmem_cpu_cnt() );
  }
  if( !strcmp( cmd->name, "unlink" ) )
    CHECK( fd_shmem_name_len( a->region.name ) && ( !a->region.page_sz || fd_shmem_is_page_sz( a->region.page_sz ) ) );
  if( !strcmp( cmd->name, "alloc" ) || !strcmp( cmd->name, "free" ) )
    CHECK( a->pool.page_sz==2097152UL || a->pool.page_sz==1073741824UL );
  if( !strcmp( cmd->name, "init" ) ) CHECK( a->init.perm<=07777UL && a->init.user && a->init.group );
  if( !strcmp( cmd->name, "apply" ) || !strcmp( cmd->name, "check" ) ) CHECK( a->conf.path && a->conf.path[0] );
}

static char * default_path;

int
LLVMFuzzerTestOneInput( uint8_t const * data, size_t sz ) {
  if( !default_path ) default_path = strdup( fd_shmem_path() );
  char * s = fuzz_cstr( data, sz );
  check_values( s );

  char * argv[ WORD_MAX+2 ] = { "fd_shmem_ctl" };
  int    argc = 1;
  for( char * w=s; w && argc<=WORD_MAX; argc++ ) {
    argv[ argc ] = w;
    w = strchr( w, '\n' );
    if( w ) *w++ = '\0';
  }
  argv[ argc ] = NULL;

  ctl_t      ctl = { 0 };
  ctl_step_t steps[ WORD_MAX+2 ];
  int        step_cnt;
  int        status = ctl_line_parse( argc, argv, &ctl, steps, &step_cnt );
  switch( status ) {
  case CTL_LINE_RUN: {
    char ** at = argv+1;  /* the words other than options were moved to the front, in order */
    for( int i=0; i<step_cnt; i++ ) {
      CHECK( steps[i].argv==at );
      check_step( &steps[i] );
      at += steps[i].argc;
    }
    CHECK( at<=argv+argc );
    break;
  }
  case CTL_LINE_BAD_ARG:
    CHECK( steps[ step_cnt ].cmd && steps[ step_cnt ].argv[0] && !steps[ step_cnt ].args.owned );
    /* fall through */
  case CTL_LINE_USAGE:
    CHECK( ctl.why[0] );
    break;
  default:
    CHECK( status==CTL_LINE_HELP || status==CTL_LINE_VERSION );
  }
  ctl_steps_free( steps, step_cnt );
  CHECK( !fd_shmem_set_path( default_path ) );
  free( s );
  return 0;
}
