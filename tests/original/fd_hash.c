/* fd_hash of the fd_util stand-in: XXH64, from the distro's xxHash
   library, as the original's fd_hash computes it. */

#include "fd_util.h"

#include <xxhash.h>

ulong
fd_hash( ulong seed, void const * buf, ulong sz ) {
  return (ulong)XXH64( buf, (size_t)sz, (XXH64_hash_t)seed );
}
