/* Regions on normal pages in an unprivileged temporary domain: create,
   update, info, unlink, and every way to call them wrong; processes
   racing to create one name, joins racing an unlink; failures injected
   into create and update (fault_wrap.h), and a read-only page-type
   directory; and every code of the region calls' error sets
   (errcases_region.h; the privileged ones in test_region_priv). */

#include "fdt.h"
#include "errcase_tree.h"
#include "errcases_region.h"
#include "fault_check.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NORMAL FD_SHMEM_NORMAL_PAGE_SZ
#define RACERS (8)

static fdt_domain_t domain;

static void
region_path( char * buf, size_t sz, char const * type, char const * name ) {
  snprintf( buf, sz, "%s/.%s/%s", domain.path, type, name );
}


START_TEST( create_info_unlink ) {
  ck_assert_int_eq( fd_shmem_create( "r1", NORMAL, 3, 0, 0640 ), 0 );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "r1", NORMAL, &info ), 0 );
  ck_assert_uint_eq( info.page_sz, NORMAL );
  ck_assert_uint_eq( info.page_cnt, 3 );
  ck_assert_int_eq( fd_shmem_info( "r1", 0, &info ), 0 );  /* discovered */
  ck_assert_uint_eq( info.page_sz, NORMAL );
  ck_assert_int_eq( fd_shmem_info( "r1", 0, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_info( "r1", FD_SHMEM_HUGE_PAGE_SZ, &info ), ENOENT );

  char path[ 400 ];
  region_path( path, sizeof(path), "normal", "r1" );
  struct stat st;
  ck_assert_int_eq( stat( path, &st ), 0 );
  ck_assert_int_eq( (int)st.st_size, 3*4096 );

  ck_assert_int_eq( fd_shmem_create( "r1", NORMAL, 1, 0, 0600 ), EEXIST );
  ck_assert_int_eq( fd_shmem_unlink( "r1", NORMAL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "r1", NORMAL ), ENOENT );
  ck_assert_int_eq( fd_shmem_unlink( "r1", 0 ), ENOENT );
  ck_assert_int_eq( fd_shmem_info( "r1", 0, &info ), ENOENT );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 0 );
}
END_TEST

START_TEST( create_mode_ignores_umask ) {
  unsigned long modes[] = { 0600, 0644, 0660, 0777, 0400 };
  mode_t masks[] = { 077, 0, 022 };
  for( size_t m=0; m<sizeof(masks)/sizeof(masks[0]); m++ ) {
    umask( masks[m] );
    for( size_t i=0; i<sizeof(modes)/sizeof(modes[0]); i++ ) {
      ck_assert_int_eq( fd_shmem_create( "moded", NORMAL, 1, 0, modes[i] ), 0 );
      char path[ 400 ];
      region_path( path, sizeof(path), "normal", "moded" );
      struct stat st;
      ck_assert_int_eq( stat( path, &st ), 0 );
      ck_assert_uint_eq( st.st_mode & 07777, modes[i] );
      ck_assert_int_eq( fd_shmem_unlink( "moded", 0 ), 0 );
    }
  }
}
END_TEST

START_TEST( create_multi_and_update ) {
  size_t cpu  = fd_shmem_cpu_cnt()-1;
  size_t cnt[] = { 2, 0, 5 };          /* the empty subregion is skipped */
  size_t idx[] = { 0, 999999, cpu };   /* so its cpu index is never looked at */
  ck_assert_int_eq( fd_shmem_create_multi( "multi", NORMAL, 3, cnt, idx, 0600 ), 0 );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "multi", NORMAL, &info ), 0 );
  ck_assert_uint_eq( info.page_cnt, 7 );

  /* update reshapes in place without zeroing */
  char path[ 400 ];
  region_path( path, sizeof(path), "normal", "multi" );
  int fd = open( path, O_RDWR );
  ck_assert_int_ge( fd, 0 );
  ck_assert_int_eq( (int)pwrite( fd, "keep", 4, 100 ), 4 );
  size_t cnt2[] = { 9 };
  size_t idx2[] = { 0 };
  /* all on cpu 0's node now: on two nodes, pages move, a join's too */
  void * join = fd_shmem_join( "multi", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( join );
  ck_assert_int_eq( fd_shmem_update_multi( "multi", NORMAL, 1, cnt2, idx2, 0640 ), 0 );
  ck_assert_int_eq( fd_shmem_leave( join, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_info( "multi", NORMAL, &info ), 0 );
  ck_assert_uint_eq( info.page_cnt, 9 );
  char buf[ 4 ];
  ck_assert_int_eq( (int)pread( fd, buf, 4, 100 ), 4 );
  ck_assert( !memcmp( buf, "keep", 4 ) );
  struct stat st;
  ck_assert_int_eq( fstat( fd, &st ), 0 );
  ck_assert_uint_eq( st.st_mode & 07777, 0640 );
  close( fd );
  ck_assert_int_eq( fd_shmem_update_multi( "nothere", NORMAL, 1, cnt2, idx2, 0640 ), ENOENT );
  ck_assert_int_eq( fd_shmem_update_multi( "multi", NORMAL, 1, cnt2, idx2, 010000 ), EINVAL );
  ck_assert_int_eq( fd_shmem_unlink( "multi", NORMAL ), 0 );
}
END_TEST

START_TEST( create_invalid ) {
  static char const * const bad_names[] = { NULL, "", "a/b", "..", ".", "../x", "_x", "-x", ".x", "a b", "a\n",
    "0123456789012345678901234567890123456789" };
  for( size_t i=0; i<sizeof(bad_names)/sizeof(bad_names[0]); i++ ) {
    ck_assert_int_eq( fd_shmem_create( bad_names[i], NORMAL, 1, 0, 0600 ), EINVAL );
    ck_assert_int_eq( fd_shmem_unlink( bad_names[i], NORMAL ), EINVAL );
    ck_assert_int_eq( fd_shmem_info( bad_names[i], NORMAL, NULL ), EINVAL );
  }
  size_t bad_sz[] = { 1, 4095, 8192, 1UL<<20, 4194304, SIZE_MAX };
  for( size_t i=0; i<sizeof(bad_sz)/sizeof(bad_sz[0]); i++ ) {
    ck_assert_int_eq( fd_shmem_create( "x", bad_sz[i], 1, 0, 0600 ), EINVAL );
    ck_assert_int_eq( fd_shmem_unlink( "x", bad_sz[i] ), EINVAL );
    ck_assert_int_eq( fd_shmem_info( "x", bad_sz[i], NULL ), EINVAL );
  }
  ck_assert_int_eq( fd_shmem_create( "x", 0, 1, 0, 0600 ), EINVAL );         /* create needs a page size */
  ck_assert_int_eq( fd_shmem_create( "x", NORMAL, 0, 0, 0600 ), EINVAL );    /* zero pages */
  ck_assert_int_eq( fd_shmem_create( "x", NORMAL, (size_t)LONG_MAX/4096+1, 0, 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create( "x", NORMAL, SIZE_MAX, 0, 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create( "x", NORMAL, 1, fd_shmem_cpu_cnt(), 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create( "x", NORMAL, 1, SIZE_MAX, 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create( "x", NORMAL, 1, 0, 010000 ), EINVAL );  /* wider than permission bits */
  ck_assert_int_eq( fd_shmem_create( "x", NORMAL, 1, 0, ~0UL ), EINVAL );

  size_t cnt[] = { SIZE_MAX/2, SIZE_MAX/2 };  /* the sum overflows */
  size_t idx[] = { 0, 0 };
  ck_assert_int_eq( fd_shmem_create_multi( "x", NORMAL, 2, cnt, idx, 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create_multi( "x", NORMAL, 0, cnt, idx, 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create_multi( "x", NORMAL, 1, NULL, idx, 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create_multi( "x", NORMAL, 1, cnt, NULL, 0600 ), EINVAL );
  size_t zeros[] = { 0, 0 };
  ck_assert_int_eq( fd_shmem_create_multi( "x", NORMAL, 2, zeros, idx, 0600 ), EINVAL );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 0 );  /* nothing was left behind */
}
END_TEST

START_TEST( info_rejects_bad_files ) {
  char path[ 400 ];
  region_path( path, sizeof(path), "normal", "odd" );
  int fd = open( path, O_CREAT | O_EXCL | O_WRONLY, 0600 );
  ck_assert_int_ge( fd, 0 );
  ck_assert_int_eq( ftruncate( fd, 4096+1 ), 0 );  /* not a page multiple */
  close( fd );
  ck_assert_int_eq( fd_shmem_info( "odd", NORMAL, NULL ), EFAULT );
  ck_assert_int_eq( fd_shmem_info( "odd", 0, NULL ), EFAULT );
  ck_assert_int_eq( fd_shmem_unlink( "odd", NORMAL ), 0 );

  region_path( path, sizeof(path), "normal", "empty" );
  fd = open( path, O_CREAT | O_EXCL | O_WRONLY, 0600 );
  ck_assert_int_ge( fd, 0 );
  close( fd );
  ck_assert_int_eq( fd_shmem_info( "empty", NORMAL, NULL ), EFAULT );
  ck_assert_int_eq( fd_shmem_unlink( "empty", NORMAL ), 0 );

  /* a symlink is never followed, even to a perfectly good region */
  ck_assert_int_eq( fd_shmem_create( "target", NORMAL, 1, 0, 0600 ), 0 );
  region_path( path, sizeof(path), "normal", "link" );
  ck_assert_int_eq( symlink( "target", path ), 0 );
  ck_assert_int_eq( fd_shmem_info( "link", NORMAL, NULL ), EFAULT );
  ck_assert_int_eq( fd_shmem_create( "link", NORMAL, 1, 0, 0600 ), EEXIST );
  ck_assert_int_eq( fd_shmem_unlink( "link", NORMAL ), 0 );  /* removes the link itself */
  ck_assert_int_eq( fd_shmem_info( "target", NORMAL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "target", NORMAL ), 0 );

  region_path( path, sizeof(path), "normal", "dir" );
  ck_assert_int_eq( mkdir( path, 0700 ), 0 );
  ck_assert_int_eq( fd_shmem_info( "dir", NORMAL, NULL ), EFAULT );
  ck_assert_int_eq( rmdir( path ), 0 );
}
END_TEST

START_TEST( missing_domain ) {
  ck_assert_int_eq( fd_shmem_set_path( "/nonexistent/fdshmem-domain" ), 0 );
  ck_assert_int_eq( fd_shmem_info( "x", 0, NULL ), ENOENT );
  ck_assert_int_eq( fd_shmem_create( "x", NORMAL, 1, 0, 0600 ), ENOENT );
  ck_assert_int_eq( fd_shmem_unlink( "x", NORMAL ), ENOENT );
  ck_assert_int_eq( fd_shmem_create( "x", FD_SHMEM_GIGANTIC_PAGE_SZ, 1, 0, 0600 ), ENOENT );
  ck_assert_int_eq( fd_shmem_set_path( domain.path ), 0 );
}
END_TEST

START_TEST( created_pages_are_placed ) {
  ck_assert_int_eq( fd_shmem_create( "placed", NORMAL, 8, 0, 0600 ), 0 );
  char path[ 400 ];
  region_path( path, sizeof(path), "normal", "placed" );
  int fd = open( path, O_RDWR );
  ck_assert_int_ge( fd, 0 );
  void * mem = mmap( NULL, 8*4096, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0 );
  ck_assert_ptr_ne( mem, MAP_FAILED );
  close( fd );
  ck_assert_int_eq( fd_shmem_numa_validate( mem, NORMAL, 8, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_numa_validate( NULL, NORMAL, 8, 0 ), EINVAL );
  ck_assert_int_eq( fd_shmem_numa_validate( (char *)mem+1, NORMAL, 8, 0 ), EINVAL );
  ck_assert_int_eq( fd_shmem_numa_validate( mem, 8192, 8, 0 ), EINVAL );
  ck_assert_int_eq( fd_shmem_numa_validate( mem, NORMAL, 0, 0 ), EINVAL );
  ck_assert_int_eq( fd_shmem_numa_validate( mem, NORMAL, SIZE_MAX, 0 ), EINVAL );
  ck_assert_int_eq( fd_shmem_numa_validate( mem, NORMAL, 8, fd_shmem_cpu_cnt() ), EINVAL );
  munmap( mem, 8*4096 );
  ck_assert_int_eq( fd_shmem_unlink( "placed", 0 ), 0 );
}
END_TEST

START_TEST( hostile_files ) {
  char path[ 400 ], dir[ 300 ];
  /* a FIFO must be refused, not block the join that opens it */
  region_path( path, sizeof(path), "normal", "fifo" );
  ck_assert_int_eq( mkfifo( path, 0600 ), 0 );
  ck_assert_int_eq( fd_shmem_info( "fifo", 0, NULL ), EFAULT );
  ck_assert_ptr_null( fd_shmem_join( "fifo", FD_SHMEM_JOIN_MODE_READ_ONLY, 0, NULL, NULL, NULL ) );
  ck_assert_int_eq( fd_shmem_unlink( "fifo", NORMAL ), 0 );

  /* a page-type directory on the wrong file system: here a plain
     directory on tmpfs standing in for .huge, which must be hugetlbfs */
  snprintf( dir, sizeof(dir), "%s/.huge", domain.path );
  ck_assert_int_eq( mkdir( dir, 0700 ), 0 );
  region_path( path, sizeof(path), "huge", "fake" );
  int fd = open( path, O_CREAT | O_EXCL | O_WRONLY, 0600 );
  ck_assert_int_ge( fd, 0 );
  ck_assert_int_eq( ftruncate( fd, 2*(off_t)FD_SHMEM_HUGE_PAGE_SZ ), 0 );
  close( fd );
  ck_assert_int_eq( fd_shmem_info( "fake", FD_SHMEM_HUGE_PAGE_SZ, NULL ), EFAULT );
  ck_assert_int_eq( fd_shmem_info( "fake", 0, NULL ), EFAULT );
  ck_assert_ptr_null( fd_shmem_join( "fake", FD_SHMEM_JOIN_MODE_READ_ONLY, 0, NULL, NULL, NULL ) );
  ck_assert_int_eq( fd_shmem_create( "new", FD_SHMEM_HUGE_PAGE_SZ, 1, 0, 0600 ), EFAULT );
  ck_assert_int_eq( unlink( path ), 0 );
  ck_assert_int_eq( rmdir( dir ), 0 );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 0 );
}
END_TEST

/* A dry run makes the real call's checks and returns its result, but
   creates, changes and removes nothing. */
START_TEST( dry_run_changes_nothing ) {
  char path[ 400 ];
  struct stat st;
  region_path( path, sizeof(path), "normal", "real" );
  ck_assert_int_eq( fd_shmem_create( "real", NORMAL, 2, 0, 0600 ), 0 );
  ck_assert_int_eq( fd_shmem_set_dry_run( 1 ), 0 );

  ck_assert_int_eq( fd_shmem_create( "dry", NORMAL, 3, 0, 0640 ), 0 );
  ck_assert_int_eq( fd_shmem_info( "dry", 0, NULL ), ENOENT );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 1 );  /* no temporary file either */
  ck_assert_int_eq( fd_shmem_create( "real", NORMAL, 1, 0, 0600 ), EEXIST );
  ck_assert_int_eq( fd_shmem_create( "a/b", NORMAL, 1, 0, 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create( "dry", 8192, 1, 0, 0600 ), EINVAL );
  ck_assert_int_eq( fd_shmem_create( "dry", FD_SHMEM_HUGE_PAGE_SZ, 1, 0, 0600 ), ENOENT );  /* no .huge */

  size_t cnt[] = { 5 }, idx[] = { 0 };
  ck_assert_int_eq( fd_shmem_update_multi( "real", NORMAL, 1, cnt, idx, 0644 ), 0 );
  ck_assert_int_eq( stat( path, &st ), 0 );
  ck_assert_int_eq( (int)st.st_size, 2*4096 );
  ck_assert_uint_eq( st.st_mode & 07777, 0600 );
  ck_assert_int_eq( fd_shmem_update_multi( "nothere", NORMAL, 1, cnt, idx, 0644 ), ENOENT );

  ck_assert_int_eq( fd_shmem_unlink( "real", NORMAL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "real", 0 ), 0 );
  ck_assert_int_eq( stat( path, &st ), 0 );  /* still there */
  ck_assert_int_eq( fd_shmem_unlink( "nothere", NORMAL ), ENOENT );
  ck_assert_int_eq( fd_shmem_unlink( "nothere", 0 ), ENOENT );

  ck_assert_int_eq( fd_shmem_set_dry_run( 0 ), 1 );
  ck_assert_int_eq( fd_shmem_unlink( "real", NORMAL ), 0 );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 0 );
}
END_TEST

/* ---- races ---- */

/* Waits for pid; returns its exit status, or 128+signal. */
static int
reap( pid_t pid ) {
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  return WIFEXITED( status ) ? WEXITSTATUS( status ) : 128 + WTERMSIG( status );
}

START_TEST( create_race_one_winner ) {
  int go[2];
  ck_assert_int_eq( pipe( go ), 0 );
  pid_t pid[ RACERS ];
  for( int i=0; i<RACERS; i++ ) {
    pid[i] = fdt_fork();
    if( !pid[i] ) {
      char c;
      close( go[1] );
      if( read( go[0], &c, 1 )!=0 ) _exit( 99 );  /* everyone starts when the pipe closes */
      _exit( fd_shmem_create( "race", NORMAL, 64, 0, 0600 ) );
    }
  }
  close( go[0] );
  close( go[1] );
  int won = 0, lost = 0;
  for( int i=0; i<RACERS; i++ ) {
    int st = reap( pid[i] );
    won  += st==0;
    lost += st==EEXIST;
  }
  ck_assert_int_eq( won, 1 );
  ck_assert_int_eq( lost, RACERS-1 );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "race", 0, &info ), 0 );
  ck_assert_uint_eq( info.page_cnt, 64 );
  ck_assert_int_eq( fd_shmem_unlink( "race", 0 ), 0 );
}
END_TEST

/* Joins racing an unlink-and-recreate loop either get a whole mapping
   or fail cleanly.  Each joiner keeps going until it has JOIN_WANT whole
   joins (or a generous deadline passes); the churn runs until every
   joiner is done, so no speed of either side is assumed. */
#define JOIN_WANT (50)

START_TEST( unlink_under_joins ) {
  ck_assert_int_eq( fd_shmem_create( "churn", NORMAL, 8, 0, 0600 ), 0 );
  pid_t pid[ 3 ];
  for( int i=0; i<3; i++ ) {
    pid[i] = fdt_fork();
    if( !pid[i] ) {
      fd_shmem_set_log_level( FD_SHMEM_LOG_NONE );  /* failed joins are expected here */
      double deadline = fdt_now_ns() + 60e9;
      int ok = 0;
      while( ok<JOIN_WANT && fdt_now_ns()<deadline ) {
        fd_shmem_join_info_t info;
        volatile char * m = fd_shmem_join( "churn", FD_SHMEM_JOIN_MODE_READ_ONLY, 0, NULL, NULL, &info );
        if( !m ) continue;
        if( info.page_cnt!=8 ) _exit( 2 );
        (void)m[ 8*4096-1 ];  /* the whole mapping is there */
        if( fd_shmem_leave( (void *)m, NULL, NULL ) ) _exit( 3 );
        ok++;
      }
      _exit( ok==JOIN_WANT ? 0 : 4 );
    }
  }
  int status[ 3 ], running = 3;
  while( running ) {
    ck_assert_int_eq( fd_shmem_unlink( "churn", 0 ), 0 );
    ck_assert_int_eq( fd_shmem_create( "churn", NORMAL, 8, 0, 0600 ), 0 );
    struct timespec present = { 0, 20000 };  /* let the name be seen now and then */
    nanosleep( &present, NULL );
    for( int i=0; i<3; i++ ) {
      if( !pid[i] || waitpid( pid[i], &status[i], WNOHANG )!=pid[i] ) continue;
      pid[i] = 0;
      running--;
    }
  }
  for( int i=0; i<3; i++ ) ck_assert_msg( WIFEXITED( status[i] ) && !WEXITSTATUS( status[i] ), "joiner %d failed (%d)", i, WEXITSTATUS( status[i] ) );
  ck_assert_int_eq( fd_shmem_unlink( "churn", 0 ), 0 );
}
END_TEST

/* ---- the error sets ---- */

/* An update beyond the machine is refused by the room check, which says
   what it lacks, before anything maps the new size. */
/* ---- failure paths no real cause reaches on demand (fault_wrap.h) ----

   mmap, mbind and move_pages made to fail inside create and update: each
   must return its error, log it, and leave nothing behind
   (fault_check.h). */

#define PAGE_CNT (4UL)

START_TEST( create_fault ) {
  fault_case_t const * c = &place_faults[ _i ];
  /* the same create works without the fault */
  ck_assert_int_eq( fd_shmem_create( "victim", NORMAL, PAGE_CNT, 0, 0600 ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "victim", 0 ), 0 );

  proc_state_t before = proc_state();
  warn_cnt = 0;
  fault_arm( c->call, 0, 1, c->err );
  int err = fd_shmem_create( "victim", NORMAL, PAGE_CNT, 0, 0600 );
  ck_assert_int_eq( fault_disarm(), 1 );
  ck_assert_msg( err==c->want, "%s: create returned %d, wanted %d", c->what, err, c->want );
  ck_assert_int_gt( warn_cnt, 0 );
  ck_assert_int_eq( fd_shmem_info( "victim", 0, NULL ), ENOENT );
  assert_nothing_left( &before );

  ck_assert_int_eq( fd_shmem_create( "victim", NORMAL, PAGE_CNT, 0, 0600 ), 0 );  /* and works again */
  ck_assert_int_eq( fd_shmem_unlink( "victim", 0 ), 0 );
}
END_TEST

/* An update whose placement fails leaves the region as it was: size,
   mode and contents, whether it was to grow or to shrink. */
static void
update_fault( size_t new_cnt ) {
  char path[ 400 ];
  snprintf( path, sizeof(path), "%s/.normal/reshaped", domain.path );
  ck_assert_int_eq( fd_shmem_create( "reshaped", NORMAL, PAGE_CNT, 0, 0640 ), 0 );
  int fd = open( path, O_RDWR );
  ck_assert_int_ge( fd, 0 );
  for( off_t off=0; off<(off_t)( PAGE_CNT*NORMAL ); off+=(off_t)NORMAL )
    ck_assert_int_eq( (int)pwrite( fd, &off, sizeof(off), off ), (int)sizeof(off) );
  for( size_t i=0; i<PLACE_FAULT_CNT; i++ ) {
    if( place_faults[i].call==FAULT_MMAP ) continue;  /* the mapping is tried in create_fault */
    fault_arm( place_faults[i].call, 0, 1, place_faults[i].err );
    size_t idx = 0;
    int err = fd_shmem_update_multi( "reshaped", NORMAL, 1, &new_cnt, &idx, 0600 );
    ck_assert_int_eq( fault_disarm(), 1 );
    ck_assert_msg( err==place_faults[i].want, "%s: update returned %d", place_faults[i].what, err );
    struct stat st;
    ck_assert_int_eq( fstat( fd, &st ), 0 );
    ck_assert_int_eq( (long)st.st_size, (long)( PAGE_CNT*NORMAL ) );
    ck_assert_uint_eq( st.st_mode & 07777, 0640 );
    for( off_t off=0, v; off<(off_t)( PAGE_CNT*NORMAL ); off+=(off_t)NORMAL ) {
      ck_assert_int_eq( (int)pread( fd, &v, sizeof(v), off ), (int)sizeof(v) );
      ck_assert_int_eq( (long)v, (long)off );
    }
  }
  close( fd );
  ck_assert_int_eq( fd_shmem_unlink( "reshaped", 0 ), 0 );
}

/* A failed update puts the file's memory policy back: a region file no
   create bound (the default policy) is default again after an update
   whose placement check fails (the fault skips the update's own first
   query, which reads where the pages are). */
START_TEST( update_fault_restores_policy ) {
  char path[ 400 ];
  snprintf( path, sizeof(path), "%s/.normal/plain", domain.path );
  int fd = open( path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600 );
  ck_assert_int_ge( fd, 0 );
  ck_assert_int_eq( ftruncate( fd, (off_t)( PAGE_CNT*NORMAL ) ), 0 );
  for( off_t off=0; off<(off_t)( PAGE_CNT*NORMAL ); off+=(off_t)NORMAL )
    ck_assert_int_eq( (int)pwrite( fd, &off, sizeof(off), off ), (int)sizeof(off) );
  fault_arm( FAULT_MOVE_PAGES, 1, 1, EIO );
  size_t cnt = 2*PAGE_CNT, idx = 0;
  int err = fd_shmem_update_multi( "plain", NORMAL, 1, &cnt, &idx, 0600 );
  ck_assert_msg( err==EIO, "update returned %d (%s)", err, last_warn );
  ck_assert_int_eq( fault_disarm(), 1 );
  char * mem = mmap( NULL, PAGE_CNT*NORMAL, PROT_READ, MAP_SHARED, fd, 0 );
  ck_assert_ptr_ne( mem, MAP_FAILED );
  for( size_t i=0; i<PAGE_CNT; i++ ) {
    int mode = -1;
    ck_assert_int_eq( (int)get_mempolicy( &mode, NULL, 0, mem + i*NORMAL, MPOL_F_ADDR ), 0 );
    ck_assert_msg( mode==MPOL_DEFAULT, "page %zu: policy %d after the failed update, was MPOL_DEFAULT", i, mode );
  }
  munmap( mem, PAGE_CNT*NORMAL );
  close( fd );
  ck_assert_int_eq( fd_shmem_unlink( "plain", NORMAL ), 0 );
}
END_TEST

START_TEST( update_grow_fault ) {
  update_fault( 2*PAGE_CNT );
}
END_TEST

START_TEST( update_shrink_fault ) {
  update_fault( PAGE_CNT/2 );
}
END_TEST

/* ---- a real cause: the page-type directory is not writable ---- */

START_TEST( read_only_directory ) {
  char dir[ 300 ];
  snprintf( dir, sizeof(dir), "%s/.normal", domain.path );
  ck_assert_int_eq( chmod( domain.path, 0755 ), 0 );
  ck_assert_int_eq( chmod( dir, 0555 ), 0 );
  pid_t pid = fdt_fork();
  if( !pid ) {
    if( !geteuid() && fdt_become_nobody() ) _exit( 10 );  /* root writes anywhere */
    if( fd_shmem_create( "denied", NORMAL, PAGE_CNT, 0, 0600 )!=EACCES ) _exit( 11 );
    if( fd_shmem_info( "denied", 0, NULL )!=ENOENT ) _exit( 12 );
    fd_shmem_set_dry_run( 1 );  /* a dry run finds the same refusal */
    if( fd_shmem_create( "denied", NORMAL, PAGE_CNT, 0, 0600 )!=EACCES ) _exit( 13 );
    _exit( 0 );
  }
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  chmod( dir, 0700 );
  chmod( domain.path, 0700 );
  ck_assert_msg( WIFEXITED( status ) && !WEXITSTATUS( status ), "child failed at step %d", WEXITSTATUS( status ) );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 0 );
}
END_TEST

START_TEST( update_too_big_says_why ) {
  fdt_log_start();
  ck_assert_int_eq( errcase_update_too_big(), ENOMEM );
  ck_assert_msg( strstr( fdt_logged(), "update exists: needs 1024.0 TiB of normal pages" ), "logged: %s", fdt_logged() );
}
END_TEST

int
main( void ) {
  int err = fdt_domain_new( &domain, 0 );
  if( err ) return err;
  Suite * s  = suite_create( "region" );
  TCase * tc = tcase_create( "normal" );
  tcase_add_test( tc, create_info_unlink );
  tcase_add_test( tc, create_mode_ignores_umask );
  tcase_add_test( tc, create_multi_and_update );
  tcase_add_test( tc, create_invalid );
  tcase_add_test( tc, info_rejects_bad_files );
  tcase_add_test( tc, missing_domain );
  tcase_add_test( tc, created_pages_are_placed );
  tcase_add_test( tc, hostile_files );
  tcase_add_test( tc, dry_run_changes_nothing );
  tcase_add_test( tc, read_only_directory );
  suite_add_tcase( s, tc );
  fault_check_domain( &domain );
  TCase * tf = tcase_create( "faults" );
  tcase_add_checked_fixture( tf, fault_setup, fault_teardown );
  tcase_add_loop_test( tf, create_fault, 0, PLACE_FAULT_CNT );
  tcase_add_test( tf, update_grow_fault );
  tcase_add_test( tf, update_shrink_fault );
  tcase_add_test( tf, update_fault_restores_policy );
  suite_add_tcase( s, tf );
  TCase * tr = tcase_create( "races" );
  tcase_set_timeout( tr, 120 );
  tcase_add_test( tr, create_race_one_winner );
  tcase_add_test( tr, unlink_under_joins );
  suite_add_tcase( s, tr );
  /* Last: the error cases point the library at the scratch tree. */
  err = errcase_tree_new();
  if( err==1 ) return err;
  TCase * te = tcase_create( "errsets" );
  if( !err ) {
    fdt_errcases_add_part( te, errcases_region, errcases_region_cnt, errcases_region_priv, errcases_region_priv_cnt,
                           FDT_ERRCASES_REGION );
    tcase_add_test( te, update_too_big_says_why );
  } else {
    fprintf( stderr, "not run: the region error cases (no scratch tree)\n" );
  }
  suite_add_tcase( s, te );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
