/* Logging: every message of the library goes through one replaceable
   callback, filtered by a level read once from FD_SHMEM_LOG. */

#include "fd_shmem_base.h"
#include "fd_shmem_escape.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_once_t      log_once  = PTHREAD_ONCE_INIT;
static pthread_mutex_t     log_lock  = PTHREAD_MUTEX_INITIALIZER;
static int                 log_level = FD_SHMEM_LOG_WARNING;
static fd_shmem_log_func_t log_func;  /* NULL: default */
static void *              log_ctx;

/* Messages hold names as they are (a path, a process name: any byte);
   the default sink shows them by the one escaping rule. */
static void
log_default( void * ctx, int level, char const * msg ) {
  (void)ctx; (void)level;
  flockfile( stderr );  /* the line whole among threads */
  fputs( "fd_shmem: ", stderr );
  fd_shmem_escape_put( stderr, msg );
  fputc( '\n', stderr );
  funlockfile( stderr );
}

/* Parses a level name or digit; -1 if it is neither. */
static int
log_level_from_cstr( char const * s ) {
  static char const * const names[8] = { "none", NULL, NULL, "err", "warning", "notice", "info", "debug" };
  if( s[0]>='0' && s[0]<='7' && !s[1] ) return s[0]-'0';
  for( int i=0; i<8; i++ ) if( names[i] && !strcasecmp( s, names[i] ) ) return i;
  return -1;
}

static void
log_boot( void ) {
  char const * env = secure_getenv( "FD_SHMEM_LOG" );
  if( !env || !env[0] ) return;
  int level = log_level_from_cstr( env );
  if( level>=0 ) __atomic_store_n( &log_level, level, __ATOMIC_RELAXED );
}

FD_SHMEM_EXPORT void
fd_shmem_set_log_func( fd_shmem_log_func_t func, void * ctx ) {
  pthread_mutex_lock( &log_lock );
  log_func = func;
  log_ctx  = ctx;
  pthread_mutex_unlock( &log_lock );
}

FD_SHMEM_EXPORT int
fd_shmem_set_log_level( int level ) {
  pthread_once( &log_once, log_boot );
  if( level<FD_SHMEM_LOG_NONE || level>FD_SHMEM_LOG_DEBUG ) return -1;
  return __atomic_exchange_n( &log_level, level, __ATOMIC_RELAXED );
}

void
fd_shmem_private_log( int level, char const * fmt, ... ) {
  pthread_once( &log_once, log_boot );
  if( level > __atomic_load_n( &log_level, __ATOMIC_RELAXED ) ) return;

  /* Whole, however long the paths in it: no message is cut before its
     reason.  Most fit on the stack; a longer one is allocated (only if
     even that fails is it cut, and says so). */
  char    buf[ 1024 ];
  char *  msg = buf;
  va_list ap;
  va_start( ap, fmt );
  int len = vsnprintf( buf, sizeof(buf), fmt, ap );
  va_end( ap );
  if( len<0 ) return;
  if( (size_t)len>=sizeof(buf) ) {
    msg = malloc( (size_t)len+1UL );
    if( msg ) {
      va_start( ap, fmt );
      vsnprintf( msg, (size_t)len+1UL, fmt, ap );
      va_end( ap );
    } else {
      static char const cut[] = "... (cut: out of memory)";
      msg = buf;
      memcpy( buf+sizeof(buf)-sizeof(cut), cut, sizeof(cut) );
    }
  }

  pthread_mutex_lock( &log_lock );
  fd_shmem_log_func_t func = log_func ? log_func : log_default;
  void *              ctx  = log_ctx;
  pthread_mutex_unlock( &log_lock );
  func( ctx, level, msg );
  if( msg!=buf ) free( msg );
}
