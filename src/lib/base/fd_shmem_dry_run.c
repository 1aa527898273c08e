/* The process-wide dry-run switch of the administrative calls. */

#include "fd_shmem_base.h"

static int dry_run;

FD_SHMEM_EXPORT int
fd_shmem_set_dry_run( int on ) {
  return __atomic_exchange_n( &dry_run, !!on, __ATOMIC_RELAXED );
}

int
fd_shmem_private_dry_run( void ) {
  return __atomic_load_n( &dry_run, __ATOMIC_RELAXED );
}
