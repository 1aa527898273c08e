/* The closed error sets of fd_shmem_errset.h: one 0-terminated array per
   function, and the filter every listed function returns through. */

#include "fd_shmem_base.h"
#include "fd_shmem_errset.h"

#include <string.h>

#define FD_SHMEM_PRIVATE_ERRSET_DEFINE( fn, ... ) int const fd_shmem_private_errset_##fn[] = { __VA_ARGS__, 0 };
FD_SHMEM_PRIVATE_ERRSETS( FD_SHMEM_PRIVATE_ERRSET_DEFINE )

int
fd_shmem_private_errset_filter( char const * fn, int const * set, int err ) {
  if( !err ) return 0;
  for( int const * p=set; *p; p++ ) if( *p==err ) return err;
  FD_SHMEM_PRIVATE_WARN( "%s: unexpected error: %s (errno %d); returned as EIO", fn, strerror( err ), err );
  return EIO;
}
