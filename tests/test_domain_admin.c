/* Domain administration: every code of the error sets of describe,
   regions, init, fini, reset, repair and set_owner that needs no mount
   (errcases_domain.h; the others in test_domain_admin_priv); and mount
   and umount2 made to fail inside init, fini and repair (fault_wrap.h),
   which must undo what they did (with CAP_SYS_ADMIN; the cases that
   really mount only when privileged, with 2 MiB pages). */

#include "fdt.h"
#include "errcase_tree.h"
#include "errcases_domain.h"
#include "fault_check.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The catch-all loses nothing: the real error is in the log. */
START_TEST( catch_all_logs_the_cause ) {
  fdt_log_start();
  ck_assert_int_eq( errcase_describe_long(), EIO );
  ck_assert_str_eq( fdt_logged(),
                    "fd_shmem_domain_describe: unexpected error: File name too long (errno 36); returned as EIO\n" );
}
END_TEST

/* ---- domain init: a failed mount undoes the whole tree ---- */

/* 1 if a mount point below path is listed in /proc/self/mountinfo. */
static int
mounted_below( char const * path ) {
  FILE * f = fopen( "/proc/self/mountinfo", "r" );
  ck_assert_ptr_nonnull( f );
  char line[ 4096 ];
  int  found = 0;
  while( fgets( line, sizeof(line), f ) ) found |= !!strstr( line, path );
  fclose( f );
  return found;
}

/* Whatever init left under path, removed so a failing test still puts
   the machine back. */
static void
remove_tree( char const * path ) {
  static char const * const types[] = { ".gigantic", ".huge", ".normal" };
  for( int i=0; i<3; i++ ) {
    char sub[ 300 ];
    snprintf( sub, sizeof(sub), "%s/%s", path, types[i] );
    umount2( sub, MNT_DETACH );
    rmdir( sub );
  }
  rmdir( path );
}

static void
init_fault( int skip ) {
  char path[] = "/tmp/fdshmem-initfault.XXXXXX";
  ck_assert_ptr_nonnull( mkdtemp( path ) );
  ck_assert_int_eq( rmdir( path ), 0 );  /* init wants to make it itself */
  warn_cnt = 0;
  fault_arm( FAULT_MOUNT, skip, -1, ENODEV );
  int err   = fd_shmem_domain_init( path, 0700, NULL, NULL );
  int fired = fault_disarm();
  struct stat st;
  int left    = !lstat( path, &st );
  int mounted = mounted_below( path );
  remove_tree( path );
  /* ENODEV is not in init's error set: it comes out as the catch-all,
     and the real cause is in the log */
  ck_assert_int_eq( err, EIO );
  ck_assert_str_eq( last_warn, "fd_shmem_domain_init: unexpected error: No such device (errno 19); returned as EIO" );
  ck_assert_int_eq( fired, 1 );
  ck_assert_int_gt( warn_cnt, 1 );
  ck_assert_msg( !left,    "%s is still there", path );
  ck_assert_msg( !mounted, "%s is still mounted", path );
}

/* 1 if this process has CAP_SYS_ADMIN: without it init refuses (EPERM)
   before it would mount, so a faulted mount cannot be reached. */
static int
may_mount( void ) {
  FILE * f = fopen( "/proc/self/status", "r" );
  if( !f ) return 1;  /* cannot tell: run it */
  char line[ 256 ];
  unsigned long long eff = 0ULL;
  while( fgets( line, sizeof(line), f ) && sscanf( line, "CapEff: %llx", &eff )!=1 ) {}
  fclose( f );
  return !!( eff & ( 1ULL<<21 ) );  /* CAP_SYS_ADMIN */
}

START_TEST( init_first_mount_fails ) {
  init_fault( 0 );
}
END_TEST

/* Privileged, with 2 MiB pages (so init makes at least two mounts): the
   first mount is real, the next one fails, and the first must be
   unmounted again. */
START_TEST( init_second_mount_fails ) {
  init_fault( 1 );
}
END_TEST

/* ---- domain fini: an unmount that fails after the first one ---- */

/* A domain made by init at a new path from template path (XXXXXX). */
static void
fresh_domain( char * path ) {
  ck_assert_ptr_nonnull( mkdtemp( path ) );
  ck_assert_int_eq( rmdir( path ), 0 );
  ck_assert_int_eq( fd_shmem_domain_init( path, 0700, NULL, NULL ), 0 );
}

/* Mounts of the file systems of devices dev[0..cnt) whose mount point
   is outside path (other tests' domains may be mounted meanwhile). */
static int
mounts_outside( char const * path, dev_t const * dev, int cnt ) {
  FILE * f = fopen( "/proc/self/mountinfo", "r" );
  ck_assert_ptr_nonnull( f );
  char line[ 4096 ], point[ 4096 ];
  unsigned maj, min;
  int found = 0;
  while( fgets( line, sizeof(line), f ) ) {
    if( sscanf( line, "%*d %*d %u:%u %*s %4095s", &maj, &min, point )!=3 ) continue;
    for( int i=0; i<cnt; i++ )
      found += makedev( maj, min )==dev[i] && strncmp( point, path, strlen( path ) );
  }
  fclose( f );
  return found;
}

/* Privileged, with 2 MiB pages: fini unmounts .normal, then .huge
   fails; .normal must be mounted back with its files and its mount
   flags, no mount may be left anywhere else, and fini must then
   succeed. */
START_TEST( fini_second_unmount_fails ) {
  char path[] = "/tmp/fdshmem-finifault.XXXXXX";
  fresh_domain( path );
  char file[ 300 ];
  snprintf( file, sizeof(file), "%s/.normal/kept", path );
  FILE * f = fopen( file, "w" );
  ck_assert_ptr_nonnull( f );
  fputs( "precious", f );
  fclose( f );
  static char const * const types[] = { ".normal", ".huge", ".gigantic" };
  dev_t dev[ 3 ];
  int   dev_cnt = 0;
  for( int i=0; i<3; i++ ) {
    char sub[ 300 ];
    struct stat st;
    snprintf( sub, sizeof(sub), "%s/%s", path, types[i] );
    if( !stat( sub, &st ) ) dev[ dev_cnt++ ] = st.st_dev;
  }
  warn_cnt = 0;
  fault_arm( FAULT_UMOUNT2, 1, 1, EBUSY );
  int err   = fd_shmem_domain_fini( path );
  int fired = fault_disarm();
  char back[ 16 ] = "";
  f = fopen( file, "r" );
  if( f ) { if( !fgets( back, sizeof(back), f ) ) back[0] = '\0'; fclose( f ); }
  char normal[ 300 ];
  snprintf( normal, sizeof(normal), "%s/.normal ", path );
  int normal_mounted = mounted_below( normal );
  int outside        = mounts_outside( path, dev, dev_cnt );
  struct statvfs sv;
  snprintf( normal, sizeof(normal), "%s/.normal", path );
  unsigned long flags = statvfs( normal, &sv ) ? 0UL : sv.f_flag & ( ST_NOSUID | ST_NODEV | ST_NOEXEC );
  int again          = fd_shmem_domain_fini( path );
  remove_tree( path );
  ck_assert_int_eq( err, EBUSY );
  ck_assert_int_eq( fired, 1 );
  ck_assert_msg( normal_mounted, ".normal was not mounted back" );
  ck_assert_str_eq( back, "precious" );
  ck_assert_msg( !outside, "%d mounts of the domain were left outside it", outside );
  ck_assert_msg( flags==( ST_NOSUID | ST_NODEV | ST_NOEXEC ), ".normal came back without nosuid,nodev,noexec" );
  ck_assert_int_eq( again, 0 );
}
END_TEST

/* Privileged, with 2 MiB pages: repair mounts an empty, too small .huge
   afresh; a region another process creates just before the unmount
   must not go with the old mount. */
static char racer_file[ 320 ];
static int  racer_made;

static void
create_racing_region( char const * target ) {
  (void)target;
  int fd = open( racer_file, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600 );
  if( fd>=0 ) { racer_made = 1; close( fd ); }
}

START_TEST( resize_keeps_a_racing_region ) {
  char path[] = "/tmp/fdshmem-resizerace.XXXXXX";
  fresh_domain( path );
  char huge[ 300 ];
  snprintf( huge, sizeof(huge), "%s/.huge", path );
  ck_assert_int_eq( umount2( huge, 0 ), 0 );  /* as if mounted before memory was added */
  ck_assert_int_eq( mount( "fd_shmem", huge, "hugetlbfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "pagesize=2M,size=4M" ), 0 );
  snprintf( racer_file, sizeof(racer_file), "%s/victim", huge );
  racer_made = 0;
  fault_before_umount2( create_racing_region );
  int err = fd_shmem_domain_repair( path, NULL );
  fault_disarm();
  int kept = !access( racer_file, F_OK );
  unlink( racer_file );
  int again = fd_shmem_domain_fini( path );
  remove_tree( path );
  ck_assert_msg( !racer_made || kept, "a region created before the unmount was lost with the old mount" );
  ck_assert_msg( !racer_made, "the page type was writable while repair replaced it" );
  ck_assert_int_eq( err, 0 );
  ck_assert_int_eq( again, 0 );
}
END_TEST

static int
kernel_has_huge( void ) {
  struct stat st;
  return !stat( "/sys/kernel/mm/hugepages/hugepages-2048kB", &st );
}


int
main( void ) {
  int err = errcase_tree_new();
  if( err==1 ) return err;
  Suite * s  = suite_create( "domain_admin" );
  TCase * tc = tcase_create( "errsets" );
  if( !err ) {
    fdt_errcases_add_part( tc, errcases_domain, errcases_domain_cnt, errcases_domain_priv, errcases_domain_priv_cnt,
                           FDT_ERRCASES_DOMAIN );
    tcase_add_test( tc, catch_all_logs_the_cause );
  } else {
    fprintf( stderr, "not run: the domain error cases (no scratch tree)\n" );
  }
  suite_add_tcase( s, tc );
  TCase * tf = tcase_create( "faults" );
  tcase_add_checked_fixture( tf, fault_setup, fault_teardown );
  if( may_mount() ) tcase_add_test( tf, init_first_mount_fails );
  else fprintf( stderr, "not run: init_first_mount_fails: needs CAP_SYS_ADMIN (init refuses before it mounts)\n" );
  if( fdt_privileged() && kernel_has_huge() ) {
    fdt_machine_lock();  /* these mount */
    tcase_add_test( tf, init_second_mount_fails );
    tcase_add_test( tf, fini_second_unmount_fails );
    tcase_add_test( tf, resize_keeps_a_racing_region );
  } else {
    fprintf( stderr, "not run: init_second_mount_fails, fini_second_unmount_fails, resize_keeps_a_racing_region: "
                     "need root, FDSHMEM_TEST_PRIVILEGED=1 and 2 MiB pages\n" );
  }
  suite_add_tcase( s, tf );
  return fdt_run( s );
}
