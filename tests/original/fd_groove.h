#ifndef FDSHMEM_TESTS_ORIGINAL_FD_GROOVE_H
#define FDSHMEM_TESTS_ORIGINAL_FD_GROOVE_H

/* Stand-in for the original's groove umbrella header: of groove, only
   the volume pool is in libfdshmem. */

#include "fd_util.h"
#include <fdshmem/fd_groove_volume.h>

#endif /* FDSHMEM_TESTS_ORIGINAL_FD_GROOVE_H */
