/* Region names: the character classes and the length check.  Pure;
   no state. */

#include "fd_shmem_name_key.h"

unsigned char const fd_shmem_private_name_class[ 256 ] = {
  [ '0' ... '9' ] = FD_SHMEM_PRIVATE_NAME_ANY | FD_SHMEM_PRIVATE_NAME_FIRST,
  [ 'A' ... 'Z' ] = FD_SHMEM_PRIVATE_NAME_ANY | FD_SHMEM_PRIVATE_NAME_FIRST,
  [ 'a' ... 'z' ] = FD_SHMEM_PRIVATE_NAME_ANY | FD_SHMEM_PRIVATE_NAME_FIRST,
  [ '_' ] = FD_SHMEM_PRIVATE_NAME_ANY, [ '.' ] = FD_SHMEM_PRIVATE_NAME_ANY, [ '-' ] = FD_SHMEM_PRIVATE_NAME_ANY
};

FD_SHMEM_EXPORT size_t
fd_shmem_name_len( char const * name ) {
  return fd_shmem_private_name_check( name );
}
