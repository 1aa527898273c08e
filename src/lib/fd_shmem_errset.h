#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_ERRSET_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_ERRSET_H

/* The closed error sets: for each public function that returns an errno
   value, every code it may return besides 0.  A function's public return goes through
   FD_SHMEM_PRIVATE_ERRSET_FILTER, which lets a listed code through and turns
   any other into EIO, logging the real one: the list below is the
   function's ABI, not a description of it.  tests/test_abi.sh reads this
   file (one X line per function) and checks each man page's ERRORS
   section against it; tests/test_errsets.c provokes every code. */

#include <errno.h>

#define FD_SHMEM_PRIVATE_ERRSETS( X ) \
  X( fd_shmem_create_multi,     EINVAL, EEXIST, ENOENT, EFAULT, EACCES, ENOMEM, EIO ) \
  X( fd_shmem_create,           EINVAL, EEXIST, ENOENT, EFAULT, EACCES, ENOMEM, EIO ) \
  X( fd_shmem_update_multi,     EINVAL, ENOENT, EFAULT, EACCES, EPERM, ENOMEM, EIO ) \
  X( fd_shmem_unlink,           EINVAL, ENOENT, EFAULT, EACCES, EPERM, EIO ) \
  X( fd_shmem_info,             EINVAL, ENOENT, EFAULT, EACCES, EIO ) \
  X( fd_shmem_set_path,         EINVAL ) \
  X( fd_shmem_owner_resolve,    EINVAL ) \
  X( fd_shmem_domain_describe,  EINVAL, ENOTDIR, EACCES, EIO ) \
  X( fd_shmem_domain_regions,   EINVAL, ENOENT, ENOTDIR, EACCES, EIO ) \
  X( fd_shmem_domain_init,      EINVAL, EEXIST, ENOENT, ENOTDIR, EACCES, EPERM, EIO ) \
  X( fd_shmem_domain_fini,      EINVAL, ENOENT, ENOTDIR, EBUSY, EACCES, EPERM, EIO ) \
  X( fd_shmem_domain_reset,     EINVAL, ENOENT, ENOTDIR, EACCES, EPERM, EIO ) \
  X( fd_shmem_domain_repair,    EINVAL, ENOENT, ENOTDIR, EBUSY, EACCES, EPERM, EIO ) \
  X( fd_shmem_domain_set_owner, EINVAL, ENOENT, ENOTDIR, EACCES, EPERM, EIO ) \
  X( fd_shmem_pool_query,       EINVAL, ENODEV, EOPNOTSUPP, EIO ) \
  X( fd_shmem_pool_alloc,       EINVAL, ENODEV, EOPNOTSUPP, E2BIG, EBUSY, ENOMEM, EACCES, EIO ) \
  X( fd_shmem_pool_free,        EINVAL, ENODEV, EOPNOTSUPP, EBUSY, EACCES, EIO )

#define FD_SHMEM_PRIVATE_ERRSET_DECLARE( fn, ... ) extern int const fd_shmem_private_errset_##fn[];
FD_SHMEM_PRIVATE_ERRSETS( FD_SHMEM_PRIVATE_ERRSET_DECLARE )

/* err if it is 0 or in set (0-terminated), else EIO: the catch-all for
   an unexpected system error, whose real errno is logged (a warning
   naming fn) so that nothing is lost. */
int fd_shmem_private_errset_filter( char const * fn, int const * set, int err );

/* What public function fn returns for err. */
#define FD_SHMEM_PRIVATE_ERRSET_FILTER( fn, err ) \
  fd_shmem_private_errset_filter( #fn, fd_shmem_private_errset_##fn, (err) )

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_ERRSET_H */
