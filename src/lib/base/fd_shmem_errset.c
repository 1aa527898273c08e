/* The closed error sets of fd_shmem_errset.h: one 0-terminated array per
   function, and the filter every listed function returns through (it
   also closes the call's reason: fd_shmem_reason.c). */

#include "fd_shmem_base.h"
#include "fd_shmem_errset.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define FD_SHMEM_PRIVATE_ERRSET_DEFINE( fn, ... ) int const fd_shmem_private_errset_##fn[] = { __VA_ARGS__, 0 };
FD_SHMEM_PRIVATE_ERRSETS( FD_SHMEM_PRIVATE_ERRSET_DEFINE )

int
fd_shmem_private_errset_filter( char const * fn, int const * set, int err, int on_domain, char const * domain ) {
  int listed = !err;
  for( int const * p=set; !listed && *p; p++ ) listed = *p==err;
  if( !listed ) {
    char text[ 256 ];
    snprintf( text, sizeof(text), "%s: unexpected error: %s (errno %d); returned as EIO", fn, strerror( err ), err );
    FD_SHMEM_PRIVATE_WARN( "%s", text );
    char path[ PATH_MAX ];  /* the catch-all of a call about a domain says which */
    if( !on_domain || fd_shmem_private_domain_path( domain, path, sizeof(path) ) ) path[0] = '\0';
    fd_shmem_private_reason_sys_err( EIO, err, path, text );
    err = EIO;
  }
  fd_shmem_private_reason_exit( fn, err );
  return err;
}
