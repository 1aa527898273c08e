/* Every code in the error sets of the domain, owner and path calls
   (src/lib/fd_shmem_errset.h), provoked: one case per function and
   code, and a check that no listed code lacks a case.  Most cases need
   no privilege: bad arguments, links, files where directories belong,
   and permissions (run as user nobody when the test is root).  EIO, the
   catch-all, comes from a path component longer than NAME_MAX (the
   system's ENAMETOOLONG is in no set).  The few cases that need a real
   mount run as root with FDSHMEM_TEST_PRIVILEGED=1; the mount is gone
   at the end of each. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static char  dir[ 256 ];  /* this test's scratch tree, mode 0755 */
static pid_t main_pid;    /* only it removes the tree, not Check's forked tests */

/* dir/rel (four at a time). */
static char const *
at( char const * rel ) {
  static char buf[ 4 ][ 1024 ];
  static int  next;
  char * b = buf[ next++ & 3 ];
  snprintf( b, sizeof(buf[0]), "%s/%s", dir, rel );
  return b;
}

/* Both return 0 or -1 (and say why): they run outside tests too. */
static int
make_dir( char const * rel, mode_t mode ) {
  int bad = mkdir( at( rel ), mode ) || chmod( at( rel ), mode );  /* chmod: past the umask */
  if( bad ) perror( at( rel ) );
  return bad ? -1 : 0;
}

static int
make_file( char const * rel ) {
  int fd = open( at( rel ), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644 );
  if( fd<0 ) { perror( at( rel ) ); return -1; }
  close( fd );
  return 0;
}

/* The scratch tree every case may use:
     real/          a directory; link -> real
     file           a regular file
     missing        nothing
     locked/        mode 0000: nobody may read it
     open/          mode 0777, empty: nobody may make things in it
     notdom/x       a directory holding a file and no page type
     pdom/.normal/  a partial domain: an empty page-type directory, not a mount
     busy/.TYPE/x   every page type a plain directory holding a file
   and long, a component longer than NAME_MAX.  Made once, by main: no
   case changes what another one uses.  Returns 0 or -1. */
static int
make_tree( void ) {
  snprintf( dir, sizeof(dir), "/tmp/fdshmem-test-errsets.XXXXXX" );
  if( !mkdtemp( dir ) || chmod( dir, 0755 ) || symlink( "real", at( "link" ) ) ) { perror( dir ); return -1; }
  int bad = make_dir( "real", 0755 ) || make_file( "file" ) || make_dir( "locked", 0000 ) ||
            make_dir( "open", 0777 ) || make_dir( "notdom", 0755 ) || make_file( "notdom/x" ) ||
            make_dir( "pdom", 0755 ) || make_dir( "pdom/.normal", 0755 ) || make_dir( "busy", 0755 );
  char const * const types[] = { ".normal", ".huge", ".gigantic" };
  for( int t=0; t<3 && !bad; t++ ) {
    char sub[ 64 ];
    snprintf( sub, sizeof(sub), "busy/%s", types[t] );
    bad = make_dir( sub, 0755 );
    snprintf( sub, sizeof(sub), "busy/%s/x", types[t] );
    bad = bad || make_file( sub );
  }
  return bad ? -1 : 0;
}

static int
rm_entry( char const * path, struct stat const * st, int flag, struct FTW * ftw ) {
  (void)st; (void)flag; (void)ftw;
  return remove( path );
}

static void
remove_tree( void ) {
  if( dir[0] && getpid()==main_pid ) nftw( dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
}

/* dir/NAME, NAME 300 bytes long, then tail. */
static char const *
long_path_then( char const * tail ) {
  char rel[ 400 ];
  memset( rel, 'a', 300 );
  snprintf( rel+300, sizeof(rel)-300, "%s", tail );
  return at( rel );
}

static char const * long_path( void ) { return long_path_then( "" ); }

/* Privileged: runs call with dir/mdom a live domain: a tmpfs of mode
   mode on dir/mdom/.normal holding root's file f.  Everything is undone
   before it returns what call returned (-1: the domain could not be
   made). */
static int
with_domain( mode_t mode, int (*call)( void ) ) {
  char opts[ 32 ];
  snprintf( opts, sizeof(opts), "mode=%o,size=1M", (unsigned)mode );
  int err = -1;
  if( !make_dir( "mdom", 0755 ) && !make_dir( "mdom/.normal", 0755 ) &&
      !mount( "fdshmem-test", at( "mdom/.normal" ), "tmpfs", MS_NOSUID | MS_NODEV, opts ) ) {
    if( !make_file( "mdom/.normal/f" ) ) err = call();
    umount2( at( "mdom/.normal" ), MNT_DETACH );
  }
  nftw( at( "mdom" ), rm_entry, 16, FTW_DEPTH | FTW_PHYS );
  return err;
}

/* ---- the calls, one per case ---- */

static int nop( void * ctx, fd_shmem_region_info_t const * info ) { (void)ctx; (void)info; return 0; }

static int path_null( void ) { return fd_shmem_set_path( NULL ); }
static int owner_unknown( void ) {
  unsigned long uid, gid;
  return fd_shmem_owner_resolve( "fdshmem-no-such-user", NULL, &uid, &gid );
}

static fd_shmem_domain_info_t info;
static int describe_null( void )   { return fd_shmem_domain_describe( at( "real" ), NULL ); }
static int describe_link( void )   { return fd_shmem_domain_describe( at( "link" ), &info ); }
static int describe_locked( void ) { return fd_shmem_domain_describe( at( "locked" ), &info ); }
static int describe_long( void )   { return fd_shmem_domain_describe( long_path(), &info ); }

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

static int as_nobody_describe( void ) { return fdt_errcase_as_nobody( describe_locked ); }
static int as_nobody_regions( void )  { return fdt_errcase_as_nobody( regions_locked ); }
static int as_nobody_init( void )     { return fdt_errcase_as_nobody( init_locked ); }
static int as_nobody_init_eperm( void ) { return fdt_errcase_as_nobody( init_no_root ); }
static int as_nobody_fini( void )     { return fdt_errcase_as_nobody( fini_locked ); }
static int as_nobody_reset( void )    { return fdt_errcase_as_nobody( reset_locked ); }
static int as_nobody_repair( void )   { return fdt_errcase_as_nobody( repair_locked ); }
static int as_nobody_repair_eperm( void ) { return fdt_errcase_as_nobody( repair_open ); }
static int as_nobody_owner( void )    { return fdt_errcase_as_nobody( owner_locked ); }
static int as_nobody_owner_eperm( void ) { return fdt_errcase_as_nobody( owner_pdom ); }

static fdt_errcase_t const cases[] = {
  { "fd_shmem_set_path",         EINVAL,  path_null,              0 },
  { "fd_shmem_owner_resolve",    EINVAL,  owner_unknown,          0 },

  { "fd_shmem_domain_describe",  EINVAL,  describe_null,          0 },
  { "fd_shmem_domain_describe",  ENOTDIR, describe_link,          0 },
  { "fd_shmem_domain_describe",  EACCES,  as_nobody_describe,     0 },
  { "fd_shmem_domain_describe",  EIO,     describe_long,          0 },

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
  { "fd_shmem_domain_fini",      EBUSY,   fini_held,              1 },
  { "fd_shmem_domain_fini",      EACCES,  as_nobody_fini,         0 },
  { "fd_shmem_domain_fini",      EPERM,   fini_no_root,           1 },
  { "fd_shmem_domain_fini",      EIO,     fini_long,              0 },

  { "fd_shmem_domain_reset",     EINVAL,  reset_notdom,           0 },
  { "fd_shmem_domain_reset",     ENOENT,  reset_missing,          0 },
  { "fd_shmem_domain_reset",     ENOTDIR, reset_link,             0 },
  { "fd_shmem_domain_reset",     EACCES,  as_nobody_reset,        0 },
  { "fd_shmem_domain_reset",     EACCES,  reset_not_writable,     1 },
  { "fd_shmem_domain_reset",     EPERM,   reset_sticky,           1 },
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
  { "fd_shmem_domain_set_owner", EPERM,   as_nobody_owner_eperm,  0 },
  { "fd_shmem_domain_set_owner", EIO,     owner_long,             0 },
};
#define CASE_CNT ( (int)( sizeof(cases)/sizeof(cases[0]) ) )

START_TEST( provoke ) {
  fdt_errcase_run( &cases[ _i ] );
}
END_TEST

/* The table lists nothing these cases do not provoke (the pool calls
   are test_pool's). */
START_TEST( every_code_provoked ) {
  fdt_errcases_cover( cases, (size_t)CASE_CNT, "fd_shmem_pool_", 0 );
}
END_TEST

/* The catch-all loses nothing: the real error is in the log. */
START_TEST( catch_all_logs_the_cause ) {
  fdt_log_start();
  ck_assert_int_eq( describe_long(), EIO );
  ck_assert_str_eq( fdt_logged(),
                    "fd_shmem_domain_describe: unexpected error: File name too long (errno 36); returned as EIO\n" );
}
END_TEST

int
main( void ) {
  main_pid = getpid();
  if( fdt_privileged() ) fdt_machine_lock();  /* held by every test, forked or not */
  atexit( remove_tree );
  if( make_tree() ) return 1;
  Suite * s  = suite_create( "errsets" );
  TCase * tc = tcase_create( "domain" );
  tcase_add_loop_test( tc, provoke, 0, CASE_CNT );
  tcase_add_test( tc, every_code_provoked );
  tcase_add_test( tc, catch_all_logs_the_cause );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
