/* Boot, logging, checks and command-line helpers of the fd_util
   stand-in (fd_util.h). */

#define _GNU_SOURCE
#include "fd_util.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static ulong boot_cpu;
static int   keep_going;

/* The distinct failing lines seen in keep-going mode, with counts. */
#define FAIL_LINE_MAX (256)
static struct { char const * file; int line; ulong cnt; } fail_line[ FAIL_LINE_MAX ];
static int   fail_line_cnt;
static ulong fail_total;

void
fd_boot( int * pargc, char *** pargv ) {
  (void)pargc; (void)pargv;
  int cpu = sched_getcpu();
  boot_cpu = cpu<0 ? 0UL : (ulong)cpu;
  char const * k = getenv( "FD_TEST_KEEP_GOING" );
  keep_going = k && !strcmp( k, "1" );
}

void
fd_halt( void ) {
  if( !fail_total ) return;
  fprintf( stderr, "FAIL SUMMARY: %lu failed checks at %d lines\n", fail_total, fail_line_cnt );
  for( int i=0; i<fail_line_cnt; i++ )
    fprintf( stderr, "FAIL SUMMARY:   %s:%d failed %lu times\n",
             fail_line[i].file, fail_line[i].line, fail_line[i].cnt );
  exit( 1 );
}

char const *
fd_log_private_fmt( char const * fmt, ... ) {
  static __thread char buf[ 4096 ];
  va_list ap;
  va_start( ap, fmt );
  vsnprintf( buf, sizeof(buf), fmt, ap );
  va_end( ap );
  return buf;
}

void
fd_log_private_emit( int level, char const * file, int line, char const * msg ) {
  static char const * const word[] = { "NOTICE ", "WARNING", "ERR    " };
  fprintf( stderr, "%s %s(%d): %s\n", word[ level ], file, line, msg );
  if( level==FD_LOG_LEVEL_ERR ) exit( 1 );
}

void
fd_test_private_fail( char const * file, int line, char const * cond ) {
  if( !keep_going ) fd_log_private_emit( FD_LOG_LEVEL_ERR, file, line, fd_log_private_fmt( "FAIL: %s", cond ) );
  fail_total++;
  for( int i=0; i<fail_line_cnt; i++ )
    if( fail_line[i].line==line && !strcmp( fail_line[i].file, file ) ) { fail_line[i].cnt++; return; }
  fd_log_private_emit( FD_LOG_LEVEL_WARNING, file, line, fd_log_private_fmt( "FAIL: %s (going on)", cond ) );
  if( fail_line_cnt<FAIL_LINE_MAX ) {
    fail_line[ fail_line_cnt ].file = file;
    fail_line[ fail_line_cnt ].line = line;
    fail_line[ fail_line_cnt ].cnt  = 1UL;
    fail_line_cnt++;
  }
}

ulong fd_log_cpu_id( void ) { return boot_cpu; }

/* Removes every "key VAL" pair from the command line; returns the last
   VAL, or NULL. */
static char const *
strip_pairs( int * pargc, char *** pargv, char const * key ) {
  if( !pargc || !pargv || !key ) return NULL;
  char ** argv = *pargv;
  char const * val = NULL;
  int kept = 1;  /* argv[0] stays */
  for( int i=1; i<*pargc; i++ ) {
    if( i+1<*pargc && !strcmp( argv[i], key ) ) { val = argv[i+1]; i++; continue; }
    argv[ kept++ ] = argv[i];
  }
  argv[ kept ] = NULL;
  *pargc = kept;
  return val;
}

char const *
fd_env_strip_cmdline_cstr( int * pargc, char *** pargv, char const * key, char const * env_key,
                           char const * def ) {
  char const * val = strip_pairs( pargc, pargv, key );
  if( !val && env_key ) val = getenv( env_key );
  return val ? val : def;
}

ulong
fd_env_strip_cmdline_ulong( int * pargc, char *** pargv, char const * key, char const * env_key, ulong def ) {
  char const * val = fd_env_strip_cmdline_cstr( pargc, pargv, key, env_key, NULL );
  if( !val || !*val ) return def;
  char * end;
  errno = 0;
  ulong v = strtoul( val, &end, 0 );
  return ( *end || errno ) ? def : v;
}
