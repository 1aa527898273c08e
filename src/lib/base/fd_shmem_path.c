/* The domain path: FD_SHMEM_PATH, else the default, until
   fd_shmem_set_path.
   (Each part of the library sets itself up on first use: the log
   level, libnuma and the topology in their own files.)

   One rule for the path: path_buf is read and written only with
   path_lock held.  fd_shmem_path hands out a copy made for the calling
   thread, so a fd_shmem_set_path in another thread never changes a
   string someone is reading.  path_lock is taken alone (no other lock is
   held or taken with it). */

#include "fd_shmem_base.h"
#include "fd_shmem_errset.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t  boot_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t path_lock = PTHREAD_MUTEX_INITIALIZER;
static char            path_buf[ FD_SHMEM_PATH_MAX+1UL ] = FD_SHMEM_PRIVATE_DEFAULT_PATH;
static __thread char   path_copy[ sizeof(path_buf) ];  /* what fd_shmem_path returns to this thread */

/* 1 if the first len bytes of path hold a "." or ".." component: such
   a path names the domain through another (a link in "dom/link/."
   would be followed), so it is refused. */
static int
has_dot_component( char const * path, size_t len ) {
  for( size_t i=0UL; i<len; i++ ) {
    if( path[i]!='/' || path[i+1UL]!='.' ) continue;
    size_t n = path[i+2UL]=='.' ? 3UL : 2UL;
    if( i+n==len || path[i+n]=='/' ) return 1;
  }
  return 0;
}

/* Length of path without trailing slashes, or 0 if it is unusable as a
   domain (NULL, relative, only slashes, "." or ".." in it, too long). */
static size_t
path_len_trimmed( char const * path ) {
  if( !path || path[0]!='/' ) return 0UL;
  size_t len = strlen( path );
  while( len>1UL && path[len-1UL]=='/' ) len--;
  if( len<=1UL || len>FD_SHMEM_PATH_MAX || has_dot_component( path, len ) ) return 0UL;
  return len;
}

static int
path_store( char const * path ) {
  size_t len = path_len_trimmed( path );
  if( !len ) return EINVAL;
  pthread_mutex_lock( &path_lock );
  memcpy( path_buf, path, len );
  path_buf[ len ] = '\0';
  pthread_mutex_unlock( &path_lock );
  return 0;
}

/* Reads FD_SHMEM_PATH into the domain path: run once (path_boot). */
static void
path_from_env( void ) {
  char const * env = secure_getenv( "FD_SHMEM_PATH" );
  if( env && env[0] && path_store( env ) )
    FD_SHMEM_PRIVATE_WARN( "ignoring FD_SHMEM_PATH \"%s\": not an absolute directory path; using %s",
                           env, FD_SHMEM_PRIVATE_DEFAULT_PATH );  /* this runs before any set_path */
}

int
fd_shmem_private_domain_path( char const * path, char * buf, size_t buf_sz ) {
  if( !path ) path = fd_shmem_path();
  size_t len = path_len_trimmed( path );
  if( !len || len>=buf_sz ) return EINVAL;
  memcpy( buf, path, len );
  buf[ len ] = '\0';
  return 0;
}

/* Every read or change of the domain path starts here, from whichever
   thread comes first: the environment gives the first path, and a
   fd_shmem_set_path made after it is never overridden by it. */
static void
path_boot( void ) {
  pthread_once( &boot_once, path_from_env );
}

FD_SHMEM_EXPORT int
fd_shmem_set_path( char const * path ) {
  path_boot();
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_set_path, path_store( path ) );
}

FD_SHMEM_EXPORT char const *
fd_shmem_path( void ) {
  path_boot();
  pthread_mutex_lock( &path_lock );
  memcpy( path_copy, path_buf, sizeof(path_copy) );
  pthread_mutex_unlock( &path_lock );
  return path_copy;
}

int
fd_shmem_private_type_dir( size_t page_sz, char * buf, size_t buf_sz ) {
  if( !fd_shmem_is_page_sz( page_sz ) ) return EINVAL;
  char const * type     = fd_shmem_private_type_name( page_sz );
  size_t       type_len = strlen( type );
  path_boot();
  pthread_mutex_lock( &path_lock );
  size_t len  = strlen( path_buf );
  int    fits = len+1UL+type_len<buf_sz;
  if( fits ) {  /* copied, not snprintf'd: a join by name may build three of these */
    memcpy( buf, path_buf, len );
    buf[ len ] = '/';
    memcpy( buf+len+1UL, type, type_len+1UL );
  }
  pthread_mutex_unlock( &path_lock );
  return fits ? 0 : ENAMETOOLONG;
}

int
fd_shmem_private_open_type_dir( size_t page_sz ) {
  char dir[ FD_SHMEM_PATH_MAX+32UL ];
  int err = fd_shmem_private_type_dir( page_sz, dir, sizeof(dir) );
  if( err ) { errno = err; return -1; }
  return open( dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC );
}
