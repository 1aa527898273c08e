/* The machine as the library reads it, over a fake /sys and /proc tree
   (FD_SHMEM_SYSROOT, the test seam of this program's own copy of the
   library, and tests/fake_numa.c for libnuma), unprivileged: every read
   goes through the seam.  Fake processes map, hold open and sit in the
   real files of a real domain; a fake mount list makes the domain a
   mount point or mounts something below it; a fake status takes
   CAP_SYS_ADMIN away; two fake nodes hold a region's pages to node 1. */

#include "fdt.h"
#include "../src/lib/fd_shmem_private.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MiB (1UL<<20)

/* pids no real process can have (above PID_MAX_LIMIT) */
#define PID_A 5000001L
#define PID_B 5000002L
#define PID_C 5000003L

static char root[ 256 ];    /* the fake tree */
static pid_t main_pid;      /* only it removes the tree, not Check's forked tests */

/* ---- the fake tree ---- */

/* Writes text to rel, making its directories. */
static void
fake_put( char const * rel, char const * text ) {
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/%s", root, rel );
  for( char * s = strchr( path+strlen( root )+1, '/' ); s; s = strchr( s+1, '/' ) ) {
    *s = '\0';
    mkdir( path, 0755 );
    *s = '/';
  }
  FILE * f = fopen( path, "w" );
  int bad = !f || fputs( text, f )<0;
  bad |= f && fclose( f );
  /* also used by main, outside any test: no Check call here */
  if( bad ) { perror( path ); exit( 1 ); }
}

/* Makes rel a symbolic link to target (a link of /proc/PID/...). */
static void
fake_link( char const * rel, char const * target ) {
  fake_put( rel, "" );
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/%s", root, rel );
  ck_assert_int_eq( unlink( path ), 0 );
  ck_assert_int_eq( symlink( target, path ), 0 );
}

static int
rm_entry( char const * path, struct stat const * st, int flag, struct FTW * ftw ) {
  (void)st; (void)flag; (void)ftw;
  return remove( path );
}

static void
fake_rm( char const * rel ) {
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/%s", root, rel );
  nftw( path, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
}

/* A fake process pid named comm with the given maps lines. */
static void
fake_proc( long pid, char const * comm, char const * maps ) {
  char rel[ 64 ];
  snprintf( rel, sizeof(rel), "proc/%ld/comm", pid );
  fake_put( rel, comm );
  snprintf( rel, sizeof(rel), "proc/%ld/maps", pid );
  fake_put( rel, maps );
  snprintf( rel, sizeof(rel), "proc/%ld/task/%ld/fd/0", pid, pid );
  fake_link( rel, "/dev/null" );
}

/* A maps line mapping file path (shown as shown). */
static void
map_line( char * buf, size_t buf_sz, char const * path, char const * shown ) {
  struct stat st;
  ck_assert_int_eq( stat( path, &st ), 0 );
  snprintf( buf, buf_sz, "7f0000000000-7f0000001000 rw-s 00000000 %02x:%02x %lu                      %s\n",
            major( st.st_dev ), minor( st.st_dev ), (unsigned long)st.st_ino, shown );
}

/* Node 0: cpus 0-1, node 1: cpus 2-3, each with 1 GiB of free memory;
   may mount; no mounts, no processes. */
static void
fake_machine( void ) {
  for( int node=0; node<2; node++ ) {
    char rel[ 64 ], text[ 256 ];
    snprintf( rel, sizeof(rel), "sys/devices/system/node/node%d/cpulist", node );
    fake_put( rel, node ? "2-3\n" : "0-1\n" );
    snprintf( rel, sizeof(rel), "sys/devices/system/node/node%d/meminfo", node );
    snprintf( text, sizeof(text), "Node %d MemTotal: 4194304 kB\nNode %d MemFree: 1048576 kB\n"
              "Node %d Active(file): 0 kB\nNode %d Inactive(file): 0 kB\nNode %d SReclaimable: 0 kB\n",
              node, node, node, node, node );
    fake_put( rel, text );
  }
  fake_put( "proc/meminfo", "MemTotal: 8388608 kB\nMemFree: 2097152 kB\nMemAvailable: 2097152 kB\n" );
  fake_put( "proc/self/status", "Name:\ttest_sys\nCapEff:\t000001ffffffffff\n" );
  fake_put( "proc/self/mountinfo", "" );
}

static void
setup( void ) {
  fake_rm( "proc" );
  fake_machine();
  fdt_log_start();
  fd_shmem_set_dry_run( 0 );
}

#define ASSERT_LOGGED( text ) \
  ck_assert_msg( strstr( fdt_logged(), text ), "want \"%s\" in the log, got: %s", text, fdt_logged() )

/* ---- processes: the region listing and the holder scan ---- */

static int
keep_map_cnt( void * ctx, fd_shmem_region_info_t const * info ) {
  if( !strcmp( info->name, "r" ) ) *(size_t *)ctx = info->map_cnt;
  return 0;
}

/* Two fake processes map region r (one of them twice), a third maps
   something else: r is mapped by 2. */
START_TEST( regions_count_fake_maps ) {
  fdt_domain_t d;
  if( fdt_domain_new( &d, 0 ) ) return;
  ck_assert_int_eq( fd_shmem_create( "r", FD_SHMEM_NORMAL_PAGE_SZ, 1, 0, 0600 ), 0 );
  char file[ 300 ], line[ 512 ], two[ 1024 ];
  snprintf( file, sizeof(file), "%s/.normal/r", d.path );
  map_line( line, sizeof(line), file, file );
  fake_proc( PID_A, "a\n", line );
  snprintf( two, sizeof(two), "%s%s", line, line );
  fake_proc( PID_B, "b\n", two );
  map_line( line, sizeof(line), "/dev/null", "/dev/null" );
  fake_proc( PID_C, "c\n", line );
  size_t map_cnt = 99;
  ck_assert_int_eq( fd_shmem_domain_regions( d.path, keep_map_cnt, &map_cnt ), 0 );
  ck_assert_uint_eq( map_cnt, 2 );
  fdt_domain_delete( &d );
}
END_TEST

/* The holder scan names what each fake process holds in the domain:
   a mapping (by device, whatever its shown path), a descriptor, a
   working directory; and counts the processes. */
START_TEST( holders_named_from_fake_proc ) {
  fdt_domain_t d;
  if( fdt_domain_new( &d, 0 ) ) return;
  ck_assert_int_eq( fd_shmem_create( "r", FD_SHMEM_NORMAL_PAGE_SZ, 1, 0, 0600 ), 0 );
  char dir[ 300 ], file[ 320 ], line[ 512 ], rel[ 96 ];
  snprintf( dir, sizeof(dir), "%s/.normal", d.path );
  snprintf( file, sizeof(file), "%s/r", dir );
  map_line( line, sizeof(line), file, "/gone/r (deleted)" );
  fake_proc( PID_A, "holder\n", line );
  fake_proc( PID_B, "opener\n", "" );
  snprintf( rel, sizeof(rel), "proc/%ld/task/%ld/fd/7", PID_B, PID_B );
  fake_link( rel, file );
  fake_proc( PID_C, "sitter\n", "" );
  snprintf( rel, sizeof(rel), "proc/%ld/task/%ld/cwd", PID_C, PID_C );
  fake_link( rel, dir );

  struct stat st;
  ck_assert_int_eq( stat( dir, &st ), 0 );
  unsigned long dev = (unsigned long)st.st_dev;
  char const * dir_name = dir;
  ck_assert_uint_eq( fd_shmem_private_holders( "fini", &dev, &dir_name, 1 ), 3 );
  char want[ 512 ];
  snprintf( want, sizeof(want), "fini: pid %ld (holder) maps /gone/r (deleted)\n", PID_A );
  ASSERT_LOGGED( want );
  snprintf( want, sizeof(want), "fini: pid %ld (opener) has descriptor 7 open on %s\n", PID_B, file );
  ASSERT_LOGGED( want );
  snprintf( want, sizeof(want), "fini: pid %ld (sitter) has its working directory in %s\n", PID_C, dir );
  ASSERT_LOGGED( want );
  fdt_domain_delete( &d );
}
END_TEST

/* A name holds any byte: the library's message keeps it as it is, and
   its default sink (standard error) shows it escaped once, by the one
   rule (control bytes, 0x7f and above, backslash). */
START_TEST( holder_names_escaped_once ) {
  fdt_domain_t d;
  if( fdt_domain_new( &d, 0 ) ) return;
  ck_assert_int_eq( fd_shmem_create( "r", FD_SHMEM_NORMAL_PAGE_SZ, 1, 0, 0600 ), 0 );
  char dir[ 300 ], file[ 320 ], line[ 512 ];
  snprintf( dir, sizeof(dir), "%s/.normal", d.path );
  snprintf( file, sizeof(file), "%s/r", dir );
  map_line( line, sizeof(line), file, "/x\\y\tcaf\xc3\xa9" );
  fake_proc( PID_A, "e\x1b[2Jvil\n", line );
  struct stat st;
  ck_assert_int_eq( stat( dir, &st ), 0 );
  unsigned long dev = (unsigned long)st.st_dev;
  char const * dir_name = dir;

  ck_assert_uint_eq( fd_shmem_private_holders( "fini", &dev, &dir_name, 1 ), 1 );
  char want[ 512 ];
  snprintf( want, sizeof(want), "fini: pid %ld (e\x1b[2Jvil) maps /x\\y\tcaf\xc3\xa9\n", PID_A );
  ASSERT_LOGGED( want );

  char err_path[ 320 ];
  snprintf( err_path, sizeof(err_path), "%s/stderr", root );
  int err_fd = open( err_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600 );
  int saved  = dup( 2 );
  ck_assert( err_fd>=0 && saved>=0 );
  fd_shmem_set_log_func( NULL, NULL );
  dup2( err_fd, 2 );
  fd_shmem_private_holders( "fini", &dev, &dir_name, 1 );
  dup2( saved, 2 );
  close( saved );
  char shown[ 512 ] = "";
  ck_assert_int_gt( pread( err_fd, shown, sizeof(shown)-1UL, 0 ), 0 );
  close( err_fd );
  snprintf( want, sizeof(want), "fd_shmem: fini: pid %ld (e\\x1b[2Jvil) maps /x\\x5cy\\x09caf\\xc3\\xa9\n", PID_A );
  ck_assert_str_eq( shown, want );
  fdt_domain_delete( &d );
}
END_TEST

/* ---- mounts ---- */

/* The domain directory (its name with a space, which mountinfo writes
   as \040) is itself a mount point: no domain. */
START_TEST( mount_point_is_no_domain ) {
  fdt_domain_t d;
  if( fdt_domain_new( &d, 0 ) ) return;
  char dom[ 300 ], real[ 4096 ], line[ 4200 ];
  snprintf( dom, sizeof(dom), "%s/with space", d.path );
  ck_assert_int_eq( mkdir( dom, 0700 ), 0 );
  ck_assert_ptr_nonnull( realpath( d.path, real ) );
  fd_shmem_domain_info_t info;
  ck_assert_int_eq( fd_shmem_domain_describe( dom, &info ), 0 );  /* no mount list: a plain directory */
  snprintf( line, sizeof(line), "30 1 0:5 / /dev rw - devtmpfs udev rw\n"
                                "99 30 0:77 / %s/with\\040space rw,relatime shared:1 - tmpfs tmpfs rw\n", real );
  fake_put( "proc/self/mountinfo", line );
  ck_assert_int_eq( fd_shmem_domain_describe( dom, &info ), EINVAL );
  ASSERT_LOGGED( "with space is not a domain: it is itself a mount point (tmpfs), not a directory init made" );
  rmdir( dom );
  fdt_domain_delete( &d );
}
END_TEST

/* What is mounted below a directory, escapes undone: a space, a tab, a
   backslash. */
START_TEST( mounts_below_read_from_the_list ) {
  fake_put( "proc/self/mountinfo",
            "30 1 0:5 / /dev rw - devtmpfs udev rw\n"
            "98 30 0:76 / /srv/a\\040b rw - tmpfs tmpfs rw\n"
            "99 98 0:77 / /srv/a\\040b/.normal/in\\011\\134x rw - tmpfs tmpfs rw\n"
            "100 98 0:78 / /srv/a\\040b/.normal/y rw - tmpfs tmpfs rw\n"
            "101 30 0:79 / /srv/a\\040b/.normalx rw - tmpfs tmpfs rw\n" );
  char first[ 256 ] = "";
  ck_assert_uint_eq( fd_shmem_private_mounts_below( "/srv/a b/.normal", first, sizeof(first) ), 2 );
  ck_assert_str_eq( first, "/srv/a b/.normal/in\t\\x" );
  ck_assert_uint_eq( fd_shmem_private_mounts_below( "/srv/a b/.huge", first, sizeof(first) ), 0 );
}
END_TEST

/* ---- capabilities ---- */

/* init plans its mounts only with CAP_SYS_ADMIN, as /proc/self/status
   says (a dry run, so nothing is made either way). */
START_TEST( init_needs_cap_sys_admin ) {
  fdt_domain_t d;
  if( fdt_domain_new( &d, 0 ) ) return;
  char dom[ 300 ];
  snprintf( dom, sizeof(dom), "%s/new", d.path );
  fd_shmem_set_dry_run( 1 );
  fake_put( "proc/self/status", "Name:\ttest_sys\nCapEff:\t0000000000000000\n" );
  ck_assert_int_eq( fd_shmem_domain_init( dom, 0700, NULL, NULL ), EPERM );
  ASSERT_LOGGED( "init: mounting needs CAP_SYS_ADMIN, which this process lacks" );
  fdt_log_start();
  fake_put( "proc/self/status", "Name:\ttest_sys\nCapEff:\t000001ffffffffff\n" );
  ck_assert_int_eq( fd_shmem_domain_init( dom, 0700, NULL, NULL ), 0 );
  ck_assert_str_eq( fdt_logged(), "" );
  ck_assert_int_eq( access( dom, F_OK ), -1 );
  fd_shmem_set_dry_run( 0 );
  fdt_domain_delete( &d );
}
END_TEST

/* fini needs a mounted domain: root only.  Refused, nothing changed. */
START_TEST( fini_needs_cap_sys_admin ) {
  fdt_domain_t d;
  ck_assert_int_eq( fdt_domain_new( &d, 1 ), 0 );
  static char mounts[ 1<<20 ];  /* the real mount list: the domain's own mounts are seen as such */
  FILE * f = fopen( "/proc/self/mountinfo", "re" );
  ck_assert_ptr_nonnull( f );
  mounts[ fread( mounts, 1, sizeof(mounts)-1UL, f ) ] = '\0';
  fclose( f );
  fake_put( "proc/self/mountinfo", mounts );
  fake_put( "proc/self/status", "Name:\ttest_sys\nCapEff:\t0000000000000000\n" );
  ck_assert_int_eq( fd_shmem_domain_fini( d.path ), EPERM );
  ASSERT_LOGGED( "needs CAP_SYS_ADMIN, which this process lacks" );
  char normal[ 300 ];
  snprintf( normal, sizeof(normal), "%s/.normal", d.path );
  ck_assert_int_eq( access( normal, F_OK ), 0 );
  fdt_domain_delete( &d );
}
END_TEST

/* ---- NUMA nodes ---- */

START_TEST( two_fake_nodes ) {
  ck_assert_uint_eq( fd_shmem_numa_cnt(), 2 );
  ck_assert_uint_eq( fd_shmem_cpu_cnt(), 4 );
  ck_assert_uint_eq( fd_shmem_numa_idx( 1 ), 0 );
  ck_assert_uint_eq( fd_shmem_numa_idx( 2 ), 1 );
  ck_assert_uint_eq( fd_shmem_cpu_idx( 1 ), 2 );
  ck_assert_uint_eq( fd_shmem_cpu_idx( 2 ), FD_SHMEM_IDX_NULL );
}
END_TEST

/* Node 1 can give 64 MiB: 65 MiB held to it is refused before any page
   is touched, by acquire and by create. */
START_TEST( room_on_node_1 ) {
  fake_put( "sys/devices/system/node/node1/meminfo",
            "Node 1 MemTotal: 4194304 kB\nNode 1 MemFree: 32768 kB\nNode 1 Active(file): 16384 kB\n"
            "Node 1 Inactive(file): 8192 kB\nNode 1 SReclaimable: 8192 kB\n" );
  size_t cnt = 65UL*MiB/FD_SHMEM_NORMAL_PAGE_SZ;
  errno = 0;
  ck_assert_ptr_null( fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, cnt, 2 ) );
  ck_assert_int_eq( errno, ENOMEM );
  ASSERT_LOGGED( "acquire: needs 65.0 MiB of normal pages on node 1, which has 64.0 MiB available" );
  fdt_domain_t d;
  if( fdt_domain_new( &d, 0 ) ) return;
  ck_assert_int_eq( fd_shmem_create( "big", FD_SHMEM_NORMAL_PAGE_SZ, cnt, 3, 0600 ), ENOMEM );
  ASSERT_LOGGED( "create big: needs 65.0 MiB of normal pages on node 1, which has 64.0 MiB available" );
  ck_assert_int_eq( fdt_domain_entry_cnt( &d, "normal" ), 0 );
  fdt_domain_delete( &d );
}
END_TEST

/* ---- the tree's life ---- */

static void
remove_root( void ) {
  if( root[0] && getpid()==main_pid ) nftw( root, rm_entry, 16, FTW_DEPTH | FTW_PHYS );
}

int
main( void ) {
  snprintf( root, sizeof(root), "/tmp/fdshmem-test-sys.XXXXXX" );
  if( !mkdtemp( root ) || chmod( root, 0755 ) ) { perror( root ); return 1; }
  main_pid = getpid();
  atexit( remove_root );
  setenv( "FD_SHMEM_SYSROOT", root, 1 );  /* before the library's first call */
  fake_machine();                          /* the nodes, before the topology is first read */

  Suite * s = suite_create( "sys" );
  TCase * procs = tcase_create( "fake proc" );
  tcase_add_checked_fixture( procs, setup, NULL );
  tcase_add_test( procs, regions_count_fake_maps );
  tcase_add_test( procs, holders_named_from_fake_proc );
  tcase_add_test( procs, holder_names_escaped_once );
  suite_add_tcase( s, procs );
  TCase * mounts = tcase_create( "fake mountinfo" );
  tcase_add_checked_fixture( mounts, setup, NULL );
  tcase_add_test( mounts, mount_point_is_no_domain );
  tcase_add_test( mounts, mounts_below_read_from_the_list );
  suite_add_tcase( s, mounts );
  TCase * caps = tcase_create( "fake status" );
  tcase_add_checked_fixture( caps, setup, NULL );
  tcase_add_test( caps, init_needs_cap_sys_admin );
  suite_add_tcase( s, caps );
  TCase * mounted = tcase_create( "fake status, real mounts" );
  tcase_add_checked_fixture( mounted, setup, NULL );
  tcase_set_timeout( mounted, 600 );  /* the machine lock may wait for other programs' privileged tests */
  if( fdt_privileged() ) tcase_add_test( mounted, fini_needs_cap_sys_admin );
  suite_add_tcase( s, mounted );
  TCase * numa = tcase_create( "fake nodes" );
  tcase_add_checked_fixture( numa, setup, NULL );
  tcase_add_test( numa, two_fake_nodes );
  tcase_add_test( numa, room_on_node_1 );
  suite_add_tcase( s, numa );
  return fdt_run( s );
}
