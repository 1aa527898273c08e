/* Every code in the error sets of the region, domain, owner, path, cpu
   sequence and join-table calls (src/lib/base/fd_shmem_errset.h), provoked:
   one case per function and code, and a check that no listed code lacks
   a case.  Most cases need
   no privilege: bad arguments, links, files where directories belong,
   and permissions (run as user nobody when the test is root).  EIO, the
   catch-all, comes from a path component longer than NAME_MAX (the
   system's ENAMETOOLONG is in no set).  The few cases that need a real
   mount run as root with FDSHMEM_TEST_PRIVILEGED=1; the mount is gone
   at the end of each.  The one that moves pages between nodes runs on
   two nodes only (in a guest: tests/guest/suites.sh tests/test_errsets). */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define NORMAL   FD_SHMEM_NORMAL_PAGE_SZ
#define HUGE_CNT ( (size_t)1<<38 )  /* a PiB of normal pages: more than any machine has */
#define TMPFS_MAGIC_NUMBER 0x01021994L

static char  dir[ 256 ];  /* this test's scratch tree, mode 0755, off tmpfs */
static char  shm[ 256 ];  /* a scratch domain on tmpfs (/dev/shm) */
static pid_t main_pid;    /* only it removes the trees, not Check's forked tests */

/* top/rel (eight at a time). */
static char const *
under( char const * top, char const * rel ) {
  static char buf[ 8 ][ 1024 ];
  static int  next;
  char * b = buf[ next++ & 7 ];
  snprintf( b, sizeof(buf[0]), "%s/%s", top, rel );
  return b;
}

static char const * at( char const * rel ) { return under( dir, rel ); }

/* Both return 0 or -1 (and say why): they run outside tests too. */
static int
make_dir( char const * rel, mode_t mode ) {
  int bad = mkdir( at( rel ), mode ) || chmod( at( rel ), mode );  /* chmod: past the umask */
  if( bad ) perror( at( rel ) );
  return bad ? -1 : 0;
}

static int
make_file_sz( char const * path, off_t sz ) {
  int fd = open( path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644 );
  int bad = fd<0 || ftruncate( fd, sz );
  if( bad ) perror( path );
  if( fd>=0 ) close( fd );
  return bad ? -1 : 0;
}

static int make_file( char const * rel ) { return make_file_sz( at( rel ), 0 ); }

/* The scratch tree every case may use:
     real/          a directory; link -> real
     file           a regular file
     missing        nothing
     locked/        mode 0000: nobody may read it
     open/          mode 0777, empty: nobody may make things in it
     notdom/x       a directory holding a file and no page type
     pdom/.normal/  a partial domain: an empty page-type directory, not a mount
     busy/.TYPE/x   every page type a plain directory holding a file
     adom/.normal/  mode 0000: nobody may look in it
   and long, a component longer than NAME_MAX.  On tmpfs, the domain shm:
     .normal/       holding exists (one page), odd (100 bytes) and ro (one
                    page, mode 0444)
     ro/.normal/    mode 0555, holding x
     sdom/.normal/  sticky (mode 01777), holding root's s
   The modes refuse the owner too, so the cases hold for a test run as a
   normal user; the two that need someone else's file run in the
   privileged suite.  Made once, by main: no case changes what another
   one uses.  Returns 0 or -1. */
static int
make_tree( char const * parent ) {
  snprintf( dir, sizeof(dir), "%s/fdshmem-test-errsets.XXXXXX", parent );
  if( !mkdtemp( dir ) || chmod( dir, 0755 ) || symlink( "real", at( "link" ) ) ) { perror( dir ); return -1; }
  int bad = make_dir( "real", 0755 ) || make_file( "file" ) || make_dir( "locked", 0000 ) ||
            make_dir( "open", 0777 ) || make_dir( "notdom", 0755 ) || make_file( "notdom/x" ) ||
            make_dir( "pdom", 0755 ) || make_dir( "pdom/.normal", 0755 ) || make_dir( "busy", 0755 ) ||
            make_dir( "adom", 0755 ) || make_dir( "adom/.normal", 0000 );
  char const * const types[] = { ".normal", ".huge", ".gigantic" };
  for( int t=0; t<3 && !bad; t++ ) {
    char sub[ 64 ];
    snprintf( sub, sizeof(sub), "busy/%s", types[t] );
    bad = make_dir( sub, 0755 );
    snprintf( sub, sizeof(sub), "busy/%s/x", types[t] );
    bad = bad || make_file( sub );
  }
  snprintf( shm, sizeof(shm), "/dev/shm/fdshmem-test-errsets.XXXXXX" );
  if( bad || !mkdtemp( shm ) || chmod( shm, 0755 ) ) { perror( shm ); return -1; }
  bad = mkdir( under( shm, ".normal" ), 0755 ) || chmod( under( shm, ".normal" ), 0755 ) ||
        make_file_sz( under( shm, ".normal/exists" ), (off_t)NORMAL ) ||
        make_file_sz( under( shm, ".normal/odd" ), 100 ) ||
        make_file_sz( under( shm, ".normal/ro" ), (off_t)NORMAL ) || chmod( under( shm, ".normal/ro" ), 0444 ) ||
        mkdir( under( shm, "ro" ), 0755 ) || mkdir( under( shm, "ro/.normal" ), 0755 ) ||
        make_file_sz( under( shm, "ro/.normal/x" ), 0 ) || chmod( under( shm, "ro/.normal" ), 0555 ) ||
        mkdir( under( shm, "sdom" ), 0755 ) || mkdir( under( shm, "sdom/.normal" ), 0755 ) ||
        chmod( under( shm, "sdom/.normal" ), 01777 ) || make_file_sz( under( shm, "sdom/.normal/s" ), 0 );
  if( bad ) perror( shm );
  return bad ? -1 : 0;
}

/* Where the scratch tree goes: the first of $TMPDIR, /var/tmp and (not
   as root: nobody may be unable to reach it) the build tree that is not
   a tmpfs, since pdom/.normal must not be one.  /tmp is not asked: it is
   a tmpfs on Debian 13 and Fedora.  NULL if none is. */
static char const *
tree_parent( void ) {
  char const * const candidates[] = { getenv( "TMPDIR" ), "/var/tmp", geteuid() ? "." : NULL };
  for( size_t i=0UL; i<sizeof(candidates)/sizeof(candidates[0]); i++ ) {
    struct statfs sfs;
    if( candidates[i] && candidates[i][0] && !statfs( candidates[i], &sfs ) && sfs.f_type!=TMPFS_MAGIC_NUMBER &&
        !access( candidates[i], W_OK | X_OK ) )
      return candidates[i];
  }
  return NULL;
}

static int
rm_entry( char const * path, struct stat const * st, int flag, struct FTW * ftw ) {
  (void)st; (void)flag; (void)ftw;
  return remove( path );
}

static void
remove_trees( void ) {
  if( getpid()!=main_pid ) return;
  if( dir[0] ) nftw( dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
  if( !shm[0] ) return;
  chmod( under( shm, "ro/.normal" ), 0755 );  /* so a normal user can empty it */
  nftw( shm, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
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

static int cpu_seq_open_range( void ) {
  size_t cpus[ 4 ], cnt;
  return fd_shmem_cpu_seq_parse( "0-", cpus, 4, &cnt );
}
static int cpu_seq_too_many( void ) {
  size_t cpus[ 2 ], cnt;
  return fd_shmem_cpu_seq_parse( "0-3", cpus, 2, &cnt );
}

/* The join calls, on nothing joined. */
static fd_shmem_join_info_t join_info;
static int query_name_bad( void )     { return fd_shmem_join_query_by_name( "bad/name", &join_info ); }
static int query_name_nothere( void ) { return fd_shmem_join_query_by_name( "nothere", &join_info ); }
static int query_join_null( void )    { return fd_shmem_join_query_by_join( NULL, &join_info ); }
static int query_join_nothere( void ) { return fd_shmem_join_query_by_join( &join_info, &join_info ); }
static int query_addr_wraps( void )   { return fd_shmem_join_query_by_addr( (void *)UINTPTR_MAX, 2, &join_info ); }
static int query_addr_nothere( void ) { return fd_shmem_join_query_by_addr( &join_info, 1, &join_info ); }
static int anon_null_join( void ) {
  static char page[ NORMAL ] __attribute__(( aligned( NORMAL ) ));
  return fd_shmem_join_anonymous( "anon", FD_SHMEM_JOIN_MODE_READ_WRITE, NULL, page, NORMAL, 1 );
}
static int anon_leave_nothere( void ) { return fd_shmem_leave_anonymous( &join_info, NULL ); }

/* Region calls, in domain (fd_shmem_set_path), on normal pages. */
static int create_multi_in( char const * domain, char const * name, size_t cnt ) {
  size_t cpu = 0;
  fd_shmem_set_path( domain );
  return fd_shmem_create_multi( name, NORMAL, 1, &cnt, &cpu, 0600 );
}
static int create_in( char const * domain, char const * name, size_t cnt ) {
  fd_shmem_set_path( domain );
  return fd_shmem_create( name, NORMAL, cnt, 0, 0600 );
}
static int update_in( char const * domain, char const * name, size_t cnt ) {
  size_t cpu = 0;
  fd_shmem_set_path( domain );
  return fd_shmem_update_multi( name, NORMAL, 1, &cnt, &cpu, 0600 );
}
static int unlink_in( char const * domain, char const * name, size_t page_sz ) {
  fd_shmem_set_path( domain );
  return fd_shmem_unlink( name, page_sz );
}
static int info_in( char const * domain, char const * name ) {
  fd_shmem_set_path( domain );
  return fd_shmem_info( name, 0, NULL );
}

static int create_multi_bad_name( void ) { return create_multi_in( shm, "bad/name", 1 ); }
static int create_multi_exists( void )   { return create_multi_in( shm, "exists", 1 ); }
static int create_multi_missing( void )  { return create_multi_in( at( "missing" ), "r", 1 ); }
static int create_multi_not_fs( void )   { return create_multi_in( at( "pdom" ), "r", 1 ); }  /* not tmpfs */
static int create_multi_ro( void )       { return create_multi_in( under( shm, "ro" ), "r", 1 ); }
static int create_multi_too_big( void )  { return create_multi_in( shm, "r", HUGE_CNT ); }
static int create_multi_long( void )     { return create_multi_in( long_path(), "r", 1 ); }
static int create_bad_name( void ) { return create_in( shm, "bad/name", 1 ); }
static int create_exists( void )   { return create_in( shm, "exists", 1 ); }
static int create_missing( void )  { return create_in( at( "missing" ), "r", 1 ); }
static int create_not_fs( void )   { return create_in( at( "pdom" ), "r", 1 ); }
static int create_ro( void )       { return create_in( under( shm, "ro" ), "r", 1 ); }
static int create_too_big( void )  { return create_in( shm, "r", HUGE_CNT ); }
static int create_long( void )     { return create_in( long_path(), "r", 1 ); }
static int update_bad_name( void ) { return update_in( shm, "bad/name", 1 ); }
static int update_nothere( void )  { return update_in( shm, "nothere", 1 ); }
static int update_odd( void )      { return update_in( shm, "odd", 1 ); }
static int update_ro( void )       { return update_in( shm, "ro", 2 ); }
static int update_too_big( void )  { return update_in( shm, "exists", HUGE_CNT ); }
static int update_long( void )     { return update_in( long_path(), "exists", 1 ); }
static int unlink_bad_name( void ) { return unlink_in( shm, "bad/name", 0 ); }
static int unlink_nothere( void )  { return unlink_in( shm, "nothere", NORMAL ); }
static int unlink_odd( void )      { return unlink_in( shm, "odd", 0 ); }
static int unlink_ro( void )       { return unlink_in( under( shm, "ro" ), "x", NORMAL ); }
static int unlink_sticky( void )   { return unlink_in( under( shm, "sdom" ), "s", NORMAL ); }
static int unlink_long( void )     { return unlink_in( long_path(), "exists", NORMAL ); }
static int info_bad_name( void )   { return info_in( shm, "bad/name" ); }
static int info_nothere( void )    { return info_in( shm, "nothere" ); }
static int info_odd( void )        { return info_in( shm, "odd" ); }
static int info_hidden( void )     { return info_in( at( "adom" ), "r" ); }
static int info_long( void )       { return info_in( long_path(), "r" ); }

/* A cpu on another node than cpu 0's (0 on one node). */
static size_t
cpu_elsewhere( void ) {
  for( size_t c=0UL; c<fd_shmem_cpu_cnt(); c++ ) if( fd_shmem_numa_idx( c )!=fd_shmem_numa_idx( 0 ) ) return c;
  return 0UL;
}
static int update_moving( void ) {
  size_t cnt = 2, cpu = cpu_elsewhere();
  fd_shmem_set_path( shm );
  return fd_shmem_update_multi( "moving", NORMAL, 1, &cnt, &cpu, 0666 );
}
/* Region "moving" on cpu 0's node, its second page mapped by another
   process: nobody (no CAP_SYS_NICE) cannot move it to another node. */
static int as_nobody_update_joined( void ) {
  int go[ 2 ], hold[ 2 ];
  fd_shmem_set_path( shm );
  if( fd_shmem_create( "moving", NORMAL, 2, 0, 0666 ) || pipe( go ) || pipe( hold ) ) return -1;
  pid_t pid = fdt_fork();
  if( !pid ) {
    close( go[0] ); close( hold[1] );
    int    fd  = open( under( shm, ".normal/moving" ), O_RDONLY | O_CLOEXEC );
    void * mem = fd<0 ? MAP_FAILED : mmap( NULL, NORMAL, PROT_READ, MAP_SHARED, fd, (off_t)NORMAL );
    char   c   = mem!=MAP_FAILED && !*(char volatile *)mem;  /* mapped in */
    (void)!write( go[1], &c, 1 );
    (void)!read( hold[0], &c, 1 );
    _exit( 0 );
  }
  close( go[1] ); close( hold[0] );
  char c = 0;
  int err = read( go[0], &c, 1 )==1 && c ? fdt_errcase_as_nobody( update_moving ) : -1;
  close( hold[1] );  /* the other process unmaps and ends */
  waitpid( pid, NULL, 0 );
  close( go[0] );
  fd_shmem_unlink( "moving", NORMAL );
  return err;
}

static int as_nobody_create_multi( void ) { return fdt_errcase_as_nobody( create_multi_ro ); }
static int as_nobody_create( void )       { return fdt_errcase_as_nobody( create_ro ); }
static int as_nobody_update( void )       { return fdt_errcase_as_nobody( update_ro ); }
static int as_nobody_unlink( void )       { return fdt_errcase_as_nobody( unlink_ro ); }
static int as_nobody_unlink_sticky( void ) { return fdt_errcase_as_nobody( unlink_sticky ); }
static int as_nobody_info( void )         { return fdt_errcase_as_nobody( info_hidden ); }

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
  { "fd_shmem_create_multi",     EINVAL,  create_multi_bad_name,  0 },
  { "fd_shmem_create_multi",     EEXIST,  create_multi_exists,    0 },
  { "fd_shmem_create_multi",     ENOENT,  create_multi_missing,   0 },
  { "fd_shmem_create_multi",     EFAULT,  create_multi_not_fs,    0 },
  { "fd_shmem_create_multi",     EACCES,  as_nobody_create_multi, 0 },
  { "fd_shmem_create_multi",     ENOMEM,  create_multi_too_big,   0 },
  { "fd_shmem_create_multi",     EIO,     create_multi_long,      0 },

  { "fd_shmem_create",           EINVAL,  create_bad_name,        0 },
  { "fd_shmem_create",           EEXIST,  create_exists,          0 },
  { "fd_shmem_create",           ENOENT,  create_missing,         0 },
  { "fd_shmem_create",           EFAULT,  create_not_fs,          0 },
  { "fd_shmem_create",           EACCES,  as_nobody_create,       0 },
  { "fd_shmem_create",           ENOMEM,  create_too_big,         0 },
  { "fd_shmem_create",           EIO,     create_long,            0 },

  { "fd_shmem_update_multi",     EINVAL,  update_bad_name,        0 },
  { "fd_shmem_update_multi",     ENOENT,  update_nothere,         0 },
  { "fd_shmem_update_multi",     EFAULT,  update_odd,             0 },
  { "fd_shmem_update_multi",     EACCES,  as_nobody_update,       0 },
  { "fd_shmem_update_multi",     EPERM,   as_nobody_update_joined, FDT_ERRCASE_NUMA },
  { "fd_shmem_update_multi",     ENOMEM,  update_too_big,         0 },
  { "fd_shmem_update_multi",     EIO,     update_long,            0 },

  { "fd_shmem_unlink",           EINVAL,  unlink_bad_name,        0 },
  { "fd_shmem_unlink",           ENOENT,  unlink_nothere,         0 },
  { "fd_shmem_unlink",           EFAULT,  unlink_odd,             0 },
  { "fd_shmem_unlink",           EACCES,  as_nobody_unlink,       0 },
  { "fd_shmem_unlink",           EPERM,   as_nobody_unlink_sticky, 1 },
  { "fd_shmem_unlink",           EIO,     unlink_long,            0 },

  { "fd_shmem_info",             EINVAL,  info_bad_name,          0 },
  { "fd_shmem_info",             ENOENT,  info_nothere,           0 },
  { "fd_shmem_info",             EFAULT,  info_odd,               0 },
  { "fd_shmem_info",             EACCES,  as_nobody_info,         0 },
  { "fd_shmem_info",             EIO,     info_long,              0 },

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
  { "fd_shmem_domain_set_owner", EPERM,   as_nobody_owner_eperm,  1 },
  { "fd_shmem_domain_set_owner", EIO,     owner_long,             0 },

  { "fd_shmem_cpu_seq_parse",    EINVAL,  cpu_seq_open_range,     0 },
  { "fd_shmem_cpu_seq_parse",    E2BIG,   cpu_seq_too_many,       0 },

  { "fd_shmem_join_query_by_name", EINVAL, query_name_bad,        0 },
  { "fd_shmem_join_query_by_name", ENOENT, query_name_nothere,    0 },
  { "fd_shmem_join_query_by_join", EINVAL, query_join_null,       0 },
  { "fd_shmem_join_query_by_join", ENOENT, query_join_nothere,    0 },
  { "fd_shmem_join_query_by_addr", EINVAL, query_addr_wraps,      0 },
  { "fd_shmem_join_query_by_addr", ENOENT, query_addr_nothere,    0 },
  { "fd_shmem_join_anonymous",   EINVAL,  anon_null_join,         0 },
  { "fd_shmem_leave_anonymous",  EINVAL,  anon_leave_nothere,     0 },
};

/* The catch-all loses nothing: the real error is in the log. */
START_TEST( catch_all_logs_the_cause ) {
  fdt_log_start();
  ck_assert_int_eq( describe_long(), EIO );
  ck_assert_str_eq( fdt_logged(),
                    "fd_shmem_domain_describe: unexpected error: File name too long (errno 36); returned as EIO\n" );
}
END_TEST

/* An update beyond the machine is refused by the room check, which says
   what it lacks, before anything maps the new size. */
START_TEST( update_too_big_says_why ) {
  fdt_log_start();
  ck_assert_int_eq( update_too_big(), ENOMEM );
  ck_assert_msg( strstr( fdt_logged(), "update exists: needs 1024.0 TiB of normal pages" ), "logged: %s", fdt_logged() );
}
END_TEST

int
main( void ) {
  main_pid = getpid();
  if( fdt_privileged() ) fdt_machine_lock();  /* held by every test, forked or not */
  atexit( remove_trees );
  char const * parent = tree_parent();
  if( !parent ) {
    fprintf( stderr, "SKIP: no place off tmpfs for the scratch tree: $TMPDIR, /var/tmp%s\n",
             geteuid() ? " and the build tree are tmpfs or not writable" : " are tmpfs or not writable" );
    return FDT_SKIP;
  }
  if( make_tree( parent ) ) return 1;
  Suite * s  = suite_create( "errsets" );
  TCase * tc = tcase_create( "domain" );
  fdt_errcases_add( tc, cases, sizeof(cases)/sizeof(cases[0]), FDT_ERRCASES_ERRSETS );
  tcase_add_test( tc, catch_all_logs_the_cause );
  tcase_add_test( tc, update_too_big_says_why );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
