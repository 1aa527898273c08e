/* Every code of the domain calls' error sets (describe, regions, init,
   fini, reset, repair, set_owner, reserve, reserved), provoked in the scratch tree
   (errcase_tree.h): bad arguments, links, files where directories
   belong, permissions (as user nobody when the test is root) and, for
   EIO, the catch-all, a path component longer than NAME_MAX.  Eight need
   a real mount, a hugepage pool or someone else's file: errcases_domain_priv, run by
   test_domain_admin_priv; the mount is gone at the end of each. */

#include "fdt.h"
#include "errcase_tree.h"
#include "errcases_domain.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static char const * under( char const * top, char const * rel ) { return errcase_tree_under( top, rel ); }
static char const * at( char const * rel ) { return under( errcase_tree_dir(), rel ); }
static char const * long_path_then( char const * tail ) { return errcase_tree_long_path_then( tail ); }
static char const * long_path( void ) { return long_path_then( "" ); }

static int with_domain( mode_t mode, int (*call)( void ) ) { return errcase_tree_with_domain( mode, call ); }

static int nop( void * ctx, fd_shmem_region_info_t const * info ) { (void)ctx; (void)info; return 0; }

static fd_shmem_domain_info_t info;
static int describe_null( void )   { return fd_shmem_domain_describe( at( "real" ), NULL ); }
static int describe_link( void )   { return fd_shmem_domain_describe( at( "link" ), &info ); }
static int describe_locked( void ) { return fd_shmem_domain_describe( at( "locked" ), &info ); }
int errcase_describe_long( void ) { return fd_shmem_domain_describe( long_path(), &info ); }

static int regions_null( void )    { return fd_shmem_domain_regions( at( "real" ), NULL, NULL ); }
static int regions_missing( void ) { return fd_shmem_domain_regions( at( "missing" ), nop, NULL ); }
static int regions_link( void )    { return fd_shmem_domain_regions( at( "link" ), nop, NULL ); }
static int regions_locked( void )  { return fd_shmem_domain_regions( at( "locked" ), nop, NULL ); }
static int regions_long( void )    { return fd_shmem_domain_regions( long_path(), nop, NULL ); }

static int init_relative( void ) { return fd_shmem_domain_init( "relative/dom", 0700, NULL, NULL ); }
static int init_exists( void )   { return fd_shmem_domain_init( at( "real" ), 0700, NULL, NULL ); }
static int init_orphan( void )   { return fd_shmem_domain_init( at( "missing/dom" ), 0700, NULL, NULL ); }
static int init_in_file( void )  { return fd_shmem_domain_init( at( "file/dom" ), 0700, NULL, NULL ); }
static int init_locked( void )   { return fd_shmem_domain_init( at( "locked/dom" ), 0700, NULL, NULL ); }
static int init_no_root( void )  { return fd_shmem_domain_init( at( "open/dom" ), 0700, NULL, NULL ); }
static int init_long( void )     { return fd_shmem_domain_init( long_path_then( "/dom" ), 0700, NULL, NULL ); }

static int fini_notdom( void )  { return fd_shmem_domain_fini( at( "notdom" ) ); }
static int fini_missing( void ) { return fd_shmem_domain_fini( at( "missing" ) ); }
static int fini_link( void )    { return fd_shmem_domain_fini( at( "link" ) ); }
static int fini_locked( void )  { return fd_shmem_domain_fini( at( "locked" ) ); }
static int fini_long( void )    { return fd_shmem_domain_fini( long_path() ); }
static int fini_mdom( void )    { return fd_shmem_domain_fini( at( "mdom" ) ); }
static int fini_mdom_held( void ) {
  int fd = open( at( "mdom/.normal/f" ), O_RDONLY | O_CLOEXEC );  /* this process holds the mount */
  int err = fini_mdom();
  close( fd );
  return err;
}
static int fini_mdom_as_nobody( void ) { return fdt_errcase_as_nobody( fini_mdom ); }
static int fini_held( void )    { return with_domain( 0755, fini_mdom_held ); }
static int fini_no_root( void ) { return with_domain( 0755, fini_mdom_as_nobody ); }

static int reset_notdom( void )  { return fd_shmem_domain_reset( at( "notdom" ) ); }
static int reset_missing( void ) { return fd_shmem_domain_reset( at( "missing" ) ); }
static int reset_link( void )    { return fd_shmem_domain_reset( at( "link" ) ); }
static int reset_locked( void )  { return fd_shmem_domain_reset( at( "locked" ) ); }
static int reset_long( void )    { return fd_shmem_domain_reset( long_path() ); }
static int reset_mdom( void )    { return fd_shmem_domain_reset( at( "mdom" ) ); }
static int reset_mdom_as_nobody( void ) { return fdt_errcase_as_nobody( reset_mdom ); }
/* root's file in root's 0755 directory; in a sticky one */
static int reset_not_writable( void ) { return with_domain( 0755, reset_mdom_as_nobody ); }
static int reset_sticky( void )       { return with_domain( 01777, reset_mdom_as_nobody ); }

static int repair_notdom( void )  { return fd_shmem_domain_repair( at( "notdom" ), NULL ); }
static int repair_missing( void ) { return fd_shmem_domain_repair( at( "missing" ), NULL ); }
static int repair_link( void )    { return fd_shmem_domain_repair( at( "link" ), NULL ); }
static int repair_busy( void )    { return fd_shmem_domain_repair( at( "busy" ), NULL ); }
static int repair_locked( void )  { return fd_shmem_domain_repair( at( "locked" ), NULL ); }
static int repair_open( void )    { return fd_shmem_domain_repair( at( "open" ), NULL ); }
static int repair_long( void )    { return fd_shmem_domain_repair( long_path(), NULL ); }

static int owner_bad_mode( void ) { return fd_shmem_domain_set_owner( at( "pdom" ), 010000, NULL, NULL, NULL ); }
static int owner_missing( void )  { return fd_shmem_domain_set_owner( at( "missing" ), 0700, NULL, NULL, NULL ); }
static int owner_link( void )     { return fd_shmem_domain_set_owner( at( "link" ), 0700, NULL, NULL, NULL ); }
static int owner_locked( void )   { return fd_shmem_domain_set_owner( at( "locked" ), 0700, NULL, NULL, NULL ); }
static int owner_pdom( void )     { return fd_shmem_domain_set_owner( at( "pdom" ), 0700, NULL, NULL, NULL ); }
static int owner_long( void )     { return fd_shmem_domain_set_owner( long_path(), 0700, NULL, NULL, NULL ); }

#define HUGE FD_SHMEM_HUGE_PAGE_SZ
static size_t reserved_cnt;
static int reserved_normal( void )  { return fd_shmem_domain_reserved( at( "real" ), FD_SHMEM_NORMAL_PAGE_SZ,
                                                                       &reserved_cnt ); }
static int reserved_null( void )    { return fd_shmem_domain_reserved( at( "real" ), HUGE, NULL ); }
static int reserved_missing( void ) { return fd_shmem_domain_reserved( at( "missing" ), HUGE, &reserved_cnt ); }
static int reserved_link( void )    { return fd_shmem_domain_reserved( at( "link" ), HUGE, &reserved_cnt ); }
static int reserved_locked( void )  { return fd_shmem_domain_reserved( at( "locked" ), HUGE, &reserved_cnt ); }
static int reserved_long( void )    { return fd_shmem_domain_reserved( long_path(), HUGE, &reserved_cnt ); }

static int reserve_bad_size( void ) { return fd_shmem_domain_reserve( at( "real" ), 4096UL*3UL, 1UL ); }
static int reserve_notdom( void )   { return fd_shmem_domain_reserve( at( "notdom" ), HUGE, 1UL ); }
static int reserve_missing( void )  { return fd_shmem_domain_reserve( at( "missing" ), HUGE, 1UL ); }
static int reserve_link( void )     { return fd_shmem_domain_reserve( at( "link" ), HUGE, 1UL ); }
static int reserve_locked( void )   { return fd_shmem_domain_reserve( at( "locked" ), HUGE, 1UL ); }
static int reserve_long( void )     { return fd_shmem_domain_reserve( long_path(), HUGE, 1UL ); }

/* In the current domain (a privileged one with .huge mounted): a file
   in the mount; more pages than the pool has free; not root. */
static int
reserve_held( void ) {
  char file[ 512 ];
  snprintf( file, sizeof(file), "%s/.huge/held", fd_shmem_path() );
  int fd = open( file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600 );
  int err = fd<0 ? -1 : fd_shmem_domain_reserve( NULL, HUGE, 1UL );
  if( fd>=0 ) { close( fd ); unlink( file ); }
  return err;
}
static int
reserve_too_many( void ) {
  long free_ = fdt_read_long( "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages" );
  return free_<0L ? -1 : fd_shmem_domain_reserve( NULL, HUGE, (size_t)free_+1UL );
}
static int reserve_rdom( void ) { return fd_shmem_domain_reserve( at( "rdom" ), HUGE, 1UL ); }
static int
reserve_not_root( void ) {  /* a domain others may read: not being root is what stops them */
  if( fd_shmem_domain_init( at( "rdom" ), 0755, NULL, NULL ) ) return -1;
  int err = fdt_errcase_as_nobody( reserve_rdom );
  return fd_shmem_domain_fini( at( "rdom" ) ) ? -1 : err;
}

static int as_nobody_describe( void ) { return fdt_errcase_as_nobody( describe_locked ); }
static int as_nobody_regions( void )  { return fdt_errcase_as_nobody( regions_locked ); }
static int as_nobody_init( void )     { return fdt_errcase_as_nobody( init_locked ); }
static int as_nobody_init_eperm( void ) { return fdt_errcase_as_nobody( init_no_root ); }
static int as_nobody_fini( void )     { return fdt_errcase_as_nobody( fini_locked ); }
static int as_nobody_reset( void )    { return fdt_errcase_as_nobody( reset_locked ); }
static int as_nobody_repair( void )   { return fdt_errcase_as_nobody( repair_locked ); }
static int as_nobody_repair_eperm( void ) { return fdt_errcase_as_nobody( repair_open ); }
static int as_nobody_reserved( void ) { return fdt_errcase_as_nobody( reserved_locked ); }
static int as_nobody_reserve( void )  { return fdt_errcase_as_nobody( reserve_locked ); }
static int as_nobody_owner( void )    { return fdt_errcase_as_nobody( owner_locked ); }
static int as_nobody_owner_eperm( void ) { return fdt_errcase_as_nobody( owner_pdom ); }


fdt_errcase_t const errcases_domain[] = {
  { "fd_shmem_domain_describe",  EINVAL,  describe_null,          0 },
  { "fd_shmem_domain_describe",  ENOTDIR, describe_link,          0 },
  { "fd_shmem_domain_describe",  EACCES,  as_nobody_describe,     0 },
  { "fd_shmem_domain_describe",  EIO,     errcase_describe_long,  0 },
  { "fd_shmem_domain_regions",   EINVAL,  regions_null,           0 },
  { "fd_shmem_domain_regions",   ENOENT,  regions_missing,        0 },
  { "fd_shmem_domain_regions",   ENOTDIR, regions_link,           0 },
  { "fd_shmem_domain_regions",   EACCES,  as_nobody_regions,      0 },
  { "fd_shmem_domain_regions",   EIO,     regions_long,           0 },
  { "fd_shmem_domain_init",      EINVAL,  init_relative,          0 },
  { "fd_shmem_domain_init",      EEXIST,  init_exists,            0 },
  { "fd_shmem_domain_init",      ENOENT,  init_orphan,            0 },
  { "fd_shmem_domain_init",      ENOTDIR, init_in_file,           0 },
  { "fd_shmem_domain_init",      EACCES,  as_nobody_init,         0 },
  { "fd_shmem_domain_init",      EPERM,   as_nobody_init_eperm,   0 },
  { "fd_shmem_domain_init",      EIO,     init_long,              0 },
  { "fd_shmem_domain_fini",      EINVAL,  fini_notdom,            0 },
  { "fd_shmem_domain_fini",      ENOENT,  fini_missing,           0 },
  { "fd_shmem_domain_fini",      ENOTDIR, fini_link,              0 },
  { "fd_shmem_domain_fini",      EACCES,  as_nobody_fini,         0 },
  { "fd_shmem_domain_fini",      EIO,     fini_long,              0 },
  { "fd_shmem_domain_reset",     EINVAL,  reset_notdom,           0 },
  { "fd_shmem_domain_reset",     ENOENT,  reset_missing,          0 },
  { "fd_shmem_domain_reset",     ENOTDIR, reset_link,             0 },
  { "fd_shmem_domain_reset",     EACCES,  as_nobody_reset,        0 },
  { "fd_shmem_domain_reset",     EIO,     reset_long,             0 },
  { "fd_shmem_domain_repair",    EINVAL,  repair_notdom,          0 },
  { "fd_shmem_domain_repair",    ENOENT,  repair_missing,         0 },
  { "fd_shmem_domain_repair",    ENOTDIR, repair_link,            0 },
  { "fd_shmem_domain_repair",    EBUSY,   repair_busy,            0 },
  { "fd_shmem_domain_repair",    EACCES,  as_nobody_repair,       0 },
  { "fd_shmem_domain_repair",    EPERM,   as_nobody_repair_eperm, 0 },
  { "fd_shmem_domain_repair",    EIO,     repair_long,            0 },
  { "fd_shmem_domain_set_owner", EINVAL,  owner_bad_mode,         0 },
  { "fd_shmem_domain_set_owner", ENOENT,  owner_missing,          0 },
  { "fd_shmem_domain_set_owner", ENOTDIR, owner_link,             0 },
  { "fd_shmem_domain_set_owner", EACCES,  as_nobody_owner,        0 },
  { "fd_shmem_domain_set_owner", EIO,     owner_long,             0 },
  { "fd_shmem_domain_reserved",  EINVAL,  reserved_normal,        0 },
  { "fd_shmem_domain_reserved",  EINVAL,  reserved_null,          0 },
  { "fd_shmem_domain_reserved",  ENOENT,  reserved_missing,       0 },
  { "fd_shmem_domain_reserved",  ENOTDIR, reserved_link,          0 },
  { "fd_shmem_domain_reserved",  EACCES,  as_nobody_reserved,     0 },
  { "fd_shmem_domain_reserved",  EIO,     reserved_long,          0 },
  { "fd_shmem_domain_reserve",   EINVAL,  reserve_bad_size,       0 },
  { "fd_shmem_domain_reserve",   EINVAL,  reserve_notdom,         0 },
  { "fd_shmem_domain_reserve",   ENOENT,  reserve_missing,        0 },
  { "fd_shmem_domain_reserve",   ENOTDIR, reserve_link,           0 },
  { "fd_shmem_domain_reserve",   EACCES,  as_nobody_reserve,      0 },
  { "fd_shmem_domain_reserve",   EIO,     reserve_long,           0 },
};
size_t const errcases_domain_cnt = sizeof(errcases_domain)/sizeof(errcases_domain[0]);

fdt_errcase_t const errcases_domain_priv[] = {
  { "fd_shmem_domain_fini",      EBUSY,   fini_held,              1 },
  { "fd_shmem_domain_fini",      EPERM,   fini_no_root,           1 },
  { "fd_shmem_domain_reset",     EACCES,  reset_not_writable,     1 },
  { "fd_shmem_domain_reset",     EPERM,   reset_sticky,           1 },
  { "fd_shmem_domain_set_owner", EPERM,   as_nobody_owner_eperm,  1 },
  { "fd_shmem_domain_reserve",   EBUSY,   reserve_held,           1 },
  { "fd_shmem_domain_reserve",   ENOMEM,  reserve_too_many,       1 },
  { "fd_shmem_domain_reserve",   EPERM,   reserve_not_root,       1 },
};
size_t const errcases_domain_priv_cnt = sizeof(errcases_domain_priv)/sizeof(errcases_domain_priv[0]);
