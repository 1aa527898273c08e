/* What this process may do, from its effective capabilities. */

#include "fd_shmem_sys.h"

#include <stdio.h>

int
fd_shmem_private_may_mount( void ) {
  FILE * f = fd_shmem_private_sys_fopen( "/proc/self/status" );
  if( !f ) return 1;  /* cannot tell: let the kernel decide */
  char line[ 256 ];
  unsigned long long eff = ~0ULL;
  while( fgets( line, sizeof(line), f ) ) if( sscanf( line, "CapEff: %llx", &eff )==1 ) break;
  fclose( f );
  return !!( eff & ( 1ULL<<21 ) );  /* CAP_SYS_ADMIN */
}
