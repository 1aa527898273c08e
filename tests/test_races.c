/* Processes racing on one domain: creates of one name, creates killed at
   random moments, unlinks under joins, a reset under joins. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NORMAL    FD_SHMEM_NORMAL_PAGE_SZ
#define RACERS    (8)
#define KILL_CNT  (300)
#define VICTIM_SZ (512UL)  /* pages: wide enough to be killed halfway */

static fdt_domain_t domain;

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

typedef struct { size_t leftovers, invalid_listed; } walk_t;

static int
count_files( void * ctx, fd_shmem_region_info_t const * info ) {
  walk_t * w = ctx;
  w->leftovers++;
  w->invalid_listed += !info->valid;
  return 0;
}

/* A create killed at any moment leaves no region or a complete one;
   leftover temporaries are invisible, listed, and removed by reset. */

/* Nanoseconds from fork to the end of an uninterrupted create. */
static long
create_span_ns( void ) {
  double t0 = fdt_now_ns();
  pid_t pid = fdt_fork();
  if( !pid ) _exit( fd_shmem_create( "victim", NORMAL, VICTIM_SZ, 0, 0600 ) );
  ck_assert_int_eq( reap( pid ), 0 );
  long span = (long)( fdt_now_ns()-t0 );
  ck_assert_int_eq( fd_shmem_unlink( "victim", 0 ), 0 );
  return span;
}

START_TEST( create_killed_anywhere ) {
  struct timespec seed;
  clock_gettime( CLOCK_MONOTONIC, &seed );
  srand( (unsigned)seed.tv_nsec );
  long span = create_span_ns();  /* kill points spread over all of it, and a bit past */
  int complete = 0, absent = 0;
  for( int k=0; k<KILL_CNT; k++ ) {
    pid_t pid = fdt_fork();
    if( !pid ) _exit( fd_shmem_create( "victim", NORMAL, VICTIM_SZ, 0, 0600 ) );
    struct timespec ts = { 0, rand() % ( span + span/4 + 1 ) };
    nanosleep( &ts, NULL );
    kill( pid, SIGKILL );
    reap( pid );
    fd_shmem_info_t info;
    int err = fd_shmem_info( "victim", 0, &info );
    ck_assert_msg( err==0 || err==ENOENT, "kill point %d: info says %d", k, err );
    if( err ) { absent++; continue; }
    ck_assert_uint_eq( info.page_cnt, VICTIM_SZ );  /* never half made */
    void * j = fd_shmem_join( "victim", FD_SHMEM_JOIN_MODE_READ_ONLY, 0, NULL, NULL, NULL );
    ck_assert_ptr_nonnull( j );
    ck_assert_int_eq( fd_shmem_leave( j, NULL, NULL ), 0 );
    ck_assert_int_eq( fd_shmem_unlink( "victim", 0 ), 0 );
    complete++;
  }
  ck_assert_int_eq( complete+absent, KILL_CNT );
  printf( "create killed at %d random points over %ld us: %d complete, %d absent\n", KILL_CNT, span/1000, complete, absent );

  walk_t w = { 0, 0 };
  ck_assert_int_eq( fd_shmem_domain_regions( domain.path, count_files, &w ), 0 );
  ck_assert_uint_eq( w.invalid_listed, w.leftovers );  /* only temporaries are left, all marked */
  printf( "leftover temporaries listed: %zu\n", w.leftovers );
  if( !domain.privileged ) return;  /* reset acts only on a real domain: its own mounts */
  ck_assert_int_eq( fd_shmem_domain_reset( domain.path ), 0 );
  w = (walk_t){ 0, 0 };
  ck_assert_int_eq( fd_shmem_domain_regions( domain.path, count_files, &w ), 0 );
  ck_assert_uint_eq( w.leftovers, 0 );
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

START_TEST( reset_under_joins ) {
  ck_assert_int_eq( fd_shmem_create( "kept", NORMAL, 2, 0, 0600 ), 0 );
  char * m = fd_shmem_join( "kept", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( m );
  strcpy( m, "still here" );
  ck_assert_int_eq( fd_shmem_domain_reset( domain.path ), 0 );
  ck_assert_int_eq( fd_shmem_info( "kept", 0, NULL ), ENOENT );  /* the name went */
  ck_assert_str_eq( m, "still here" );                           /* the mapping did not */
  m[ 2*4096-1 ] = 1;
  ck_assert_int_eq( fd_shmem_leave( m, NULL, NULL ), 0 );
}
END_TEST

int
main( void ) {
  int err = fdt_domain_new( &domain, fdt_privileged() );
  if( err ) return err;
  Suite * s  = suite_create( "races" );
  TCase * tc = tcase_create( "races" );
  tcase_set_timeout( tc, 120 );
  tcase_add_test( tc, create_race_one_winner );
  tcase_add_test( tc, create_killed_anywhere );
  tcase_add_test( tc, unlink_under_joins );
  if( domain.privileged ) tcase_add_test( tc, reset_under_joins );
  suite_add_tcase( s, tc );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
