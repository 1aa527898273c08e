#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_ERRSET_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_ERRSET_H

/* The closed error sets: for each public function that returns an errno
   value (or leaves one in errno: acquire and release, which keep the
   original's shape), every code it may return besides 0.  Where a code
   comes from elsewhere (a system call, a helper), the public return (or
   errno) goes through FD_SHMEM_PRIVATE_ERRSET_FILTER, which lets a
   listed code through and turns any other into EIO, logging the real
   one: the list below is the function's ABI, not a description of it.
   The cpu sequence parser, the join queries, the anonymous joins,
   fd_shmem_last_reason and fd_shmem_domain_plan (its answers are data)
   return only literal codes of their sets, and no system call's error
   can reach them: they need no filter and have no EIO.  tests/test_abi.sh reads this file (one X
   line per function) and checks each man page's ERRORS section and each
   header comment against it; the Check program of each area (names in
   tests/test_base.c, regions in test_region.c, joins in test_join.c,
   private pages in test_pages.c, domains in test_domain_admin.c, pools
   in test_pool.c, the groove in test_groove.c, reasons in
   test_reasons.c, with their _priv programs) provokes every code of its
   functions (tests/fdt_errset.c says which area owns which function). */

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
  X( fd_shmem_domain_reserved,  EINVAL, ENOENT, ENOTDIR, EACCES, EIO ) \
  X( fd_shmem_domain_reserve,   EINVAL, ENOENT, ENOTDIR, EBUSY, ENOMEM, EACCES, EPERM, EIO ) \
  X( fd_shmem_pool_query,       EINVAL, ENODEV, EOPNOTSUPP, EIO ) \
  X( fd_shmem_pool_alloc,       EINVAL, ENODEV, EOPNOTSUPP, E2BIG, EBUSY, ENOMEM, EACCES, EIO ) \
  X( fd_shmem_pool_free,        EINVAL, ENODEV, EOPNOTSUPP, EBUSY, EACCES, EIO ) \
  X( fd_shmem_pool_alloc_check, EINVAL, ENODEV, EOPNOTSUPP, E2BIG, EBUSY, EIO ) \
  X( fd_shmem_pool_reserved,    EINVAL, EOPNOTSUPP, EIO ) \
  X( fd_shmem_acquire_multi,    EINVAL, ENOMEM, EIO ) \
  X( fd_shmem_acquire,          EINVAL, ENOMEM, EIO ) \
  X( fd_shmem_release,          EINVAL, EIO ) \
  X( fd_shmem_numa_validate,    EINVAL, EFAULT, EIO ) \
  X( fd_shmem_cpu_seq_parse,    EINVAL, E2BIG ) \
  X( fd_shmem_join_query_by_name, EINVAL, ENOENT ) \
  X( fd_shmem_join_query_by_join, EINVAL, ENOENT ) \
  X( fd_shmem_join_query_by_addr, EINVAL, ENOENT ) \
  X( fd_shmem_join_anonymous,   EINVAL ) \
  X( fd_shmem_leave_anonymous,  EINVAL ) \
  X( fd_shmem_last_reason,      EINVAL, ENOENT ) \
  X( fd_shmem_domain_plan,      EINVAL )

/* The groove pool's codes (fd_groove_volume.h) are not errno values and
   its calls make no system call: each returns only literal codes, so
   there is no filter and no catch-all.  The table closes their sets in
   the same way for test_abi.sh and the tests (fd_groove_volume_pool_
   remove_err: what it stores in *opt_err). */
#define FD_GROOVE_PRIVATE_ERRSETS( X ) \
  X( fd_groove_volume_pool_add,        FD_GROOVE_ERR_INVAL ) \
  X( fd_groove_volume_pool_remove_err, FD_GROOVE_ERR_EMPTY, FD_GROOVE_ERR_CORRUPT, FD_GROOVE_ERR_INVAL )

#define FD_SHMEM_PRIVATE_ERRSET_DECLARE( fn, ... ) extern int const fd_shmem_private_errset_##fn[];
FD_SHMEM_PRIVATE_ERRSETS( FD_SHMEM_PRIVATE_ERRSET_DECLARE )

/* err if it is 0 or in set (0-terminated), else EIO: the catch-all for
   an unexpected system error, whose real errno is logged (a warning
   naming fn, the last line the call logs) and kept in the call's reason
   so that nothing is lost.  on_domain: the call is about domain (NULL:
   the current one), which a catch-all reason names. */
int fd_shmem_private_errset_filter( char const * fn, int const * set, int err, int on_domain, char const * domain );

/* What public function fn returns for err. */
#define FD_SHMEM_PRIVATE_ERRSET_FILTER( fn, err ) \
  fd_shmem_private_errset_filter( #fn, fd_shmem_private_errset_##fn, (err), 0, NULL )
/* The same for a function about domain (NULL: the current one). */
#define FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fn, err, domain ) \
  fd_shmem_private_errset_filter( #fn, fd_shmem_private_errset_##fn, (err), 1, (domain) )

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_ERRSET_H */
