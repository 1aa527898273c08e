/* Reasons as data: after a failure, fd_shmem_last_reason gives what
   failed, on which path, with which figures, for each family of calls;
   the reason calls themselves, used right and wrong; one per thread. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NORMAL FD_SHMEM_NORMAL_PAGE_SZ

static fdt_domain_t domain;

/* The reason of the call just made, which must have failed with err. */
static fd_shmem_reason_t why;

static void
reason_of( int err, int what ) {
  ck_assert_int_eq( fd_shmem_last_reason( &why ), 0 );
  ck_assert_msg( why.what==what, "what is %d (%s), want %d (%s); text: %s", why.what,
                 fd_shmem_reason_what_cstr( why.what ), what, fd_shmem_reason_what_cstr( what ), why.text );
  ck_assert_int_eq( why.err, err );
  ck_assert_int_eq( why.sys_err, 0 );
  ck_assert( why.text[0] );
  ck_assert( why.worded || what==FD_SHMEM_REASON_ARG || what==FD_SHMEM_REASON_MISSING );
}

static void
path_is( char const * want ) {
  ck_assert_str_eq( why.path, want );
}

static char const *
in_domain( char const * rel ) {
  static char buf[ 512 ];
  snprintf( buf, sizeof(buf), "%s/%s", domain.path, rel );
  return buf;
}

START_TEST( reason_calls ) {
  fd_shmem_reason_clear();
  fd_shmem_reason_t r = { .what = -1 };
  ck_assert_int_eq( fd_shmem_last_reason( &r ), ENOENT );
  ck_assert_int_eq( r.what, FD_SHMEM_REASON_NONE );
  ck_assert_uint_eq( r.numa_idx, FD_SHMEM_IDX_NULL );
  ck_assert_int_eq( fd_shmem_last_reason( NULL ), EINVAL );
  ck_assert_str_eq( fd_shmem_reason_what_cstr( FD_SHMEM_REASON_NO_ROOM ), "no room" );
  ck_assert_str_eq( fd_shmem_reason_what_cstr( FD_SHMEM_REASON_NONE ), "none" );
  ck_assert_str_eq( fd_shmem_reason_what_cstr( -1 ), "unknown" );
  ck_assert_str_eq( fd_shmem_reason_what_cstr( 1000 ), "unknown" );
  for( int w=FD_SHMEM_REASON_NONE; w<=FD_SHMEM_REASON_SYSTEM; w++ )
    ck_assert_str_ne( fd_shmem_reason_what_cstr( w ), "unknown" );
}
END_TEST

/* A success leaves the reason in place, like errno; clear forgets it. */
START_TEST( kept_until_the_next_failure ) {
  ck_assert_int_eq( fd_shmem_create( "bad/name", NORMAL, 1, 0, 0600 ), EINVAL );
  reason_of( EINVAL, FD_SHMEM_REASON_ARG );
  ck_assert_int_eq( fd_shmem_create( "kept", NORMAL, 1, 0, 0600 ), 0 );
  reason_of( EINVAL, FD_SHMEM_REASON_ARG );
  ck_assert_int_eq( fd_shmem_unlink( "kept", NORMAL ), 0 );
  fd_shmem_reason_clear();
  ck_assert_int_eq( fd_shmem_last_reason( &why ), ENOENT );
}
END_TEST

/* The region exists: a reason with its path, and no log line (the
   caller words it). */
START_TEST( create_exists ) {
  ck_assert_int_eq( fd_shmem_create( "twice", NORMAL, 1, 0, 0600 ), 0 );
  fdt_log_start();
  ck_assert_int_eq( fd_shmem_create( "twice", NORMAL, 1, 0, 0600 ), EEXIST );
  ck_assert_str_eq( fdt_logged(), "" );
  reason_of( EEXIST, FD_SHMEM_REASON_EXISTS );
  path_is( in_domain( ".normal/twice" ) );
  ck_assert_int_eq( fd_shmem_unlink( "twice", NORMAL ), 0 );
}
END_TEST

/* More normal pages than the mount or the machine has: both figures. */
START_TEST( create_no_room ) {
  size_t cnt = 1UL<<36;  /* 256 TiB */
  fdt_log_start();
  ck_assert_int_eq( fd_shmem_create( "huge_ask", NORMAL, cnt, 0, 0600 ), ENOMEM );
  reason_of( ENOMEM, FD_SHMEM_REASON_NO_ROOM );
  ck_assert_uint_eq( why.needed, cnt*NORMAL );
  ck_assert_uint_lt( why.had, why.needed );
  ck_assert_uint_gt( why.had, 0 );
  ck_assert_uint_eq( why.page_sz, NORMAL );
  ck_assert_msg( strstr( fdt_logged(), why.text ), "the log has no line \"%s\": %s", why.text, fdt_logged() );
}
END_TEST

/* A file of a page type that is no region. */
START_TEST( info_not_a_region ) {
  int fd = open( in_domain( ".normal/odd" ), O_WRONLY | O_CREAT | O_EXCL, 0600 );
  ck_assert_int_ge( fd, 0 );
  ck_assert_int_eq( write( fd, "abc", 3 ), 3 );
  close( fd );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "odd", NORMAL, &info ), EFAULT );
  reason_of( EFAULT, FD_SHMEM_REASON_NOT_REGION );
  path_is( in_domain( ".normal/odd" ) );
  ck_assert_uint_eq( why.had, 3 );
  ck_assert_uint_eq( why.page_sz, NORMAL );
  ck_assert_int_eq( unlink( in_domain( ".normal/odd" ) ), 0 );

  ck_assert_int_eq( symlink( "/etc/passwd", in_domain( ".normal/link" ) ), 0 );
  ck_assert_int_eq( fd_shmem_info( "link", NORMAL, &info ), EFAULT );
  reason_of( EFAULT, FD_SHMEM_REASON_NOT_REGION );
  path_is( in_domain( ".normal/link" ) );
  ck_assert_int_eq( unlink( in_domain( ".normal/link" ) ), 0 );
}
END_TEST

/* Domain calls: nothing there, not a domain, exists already. */
START_TEST( domain_reasons ) {
  char const * none = "/nonexistent/fdshmem-reasons";
  ck_assert_int_eq( fd_shmem_domain_repair( none, NULL ), ENOENT );
  reason_of( ENOENT, FD_SHMEM_REASON_MISSING );
  path_is( none );

  /* /dev/shm is a mount point: never a domain */
  fd_shmem_domain_info_t info;
  ck_assert_int_eq( fd_shmem_domain_describe( "/dev/shm", &info ), EINVAL );
  reason_of( EINVAL, FD_SHMEM_REASON_NOT_DOMAIN );
  path_is( "/dev/shm" );

  /* the test domain's .normal is a plain directory, not a mount */
  ck_assert_int_eq( fd_shmem_domain_reset( domain.path ), EINVAL );
  reason_of( EINVAL, FD_SHMEM_REASON_TYPE_STATE );
  path_is( domain.path );
  ck_assert_uint_eq( why.page_sz, NORMAL );
  ck_assert_uint_eq( why.had, FD_SHMEM_TYPE_UNMOUNTED );

  ck_assert_int_eq( fd_shmem_domain_init( domain.path, 0755, NULL, NULL ), EEXIST );
  reason_of( EEXIST, FD_SHMEM_REASON_EXISTS );
  path_is( domain.path );

  unsigned long uid, gid;
  ck_assert_int_eq( fd_shmem_owner_resolve( "no-such-user-fdshmem", NULL, &uid, &gid ), EINVAL );
  reason_of( EINVAL, FD_SHMEM_REASON_ARG );
  ck_assert_ptr_nonnull( strstr( why.text, "no-such-user-fdshmem" ) );
}
END_TEST

/* The catch-all: EIO, the system's errno behind it, and the domain it
   is about; no words of a site, only the catch-all's line. */
START_TEST( catch_all_keeps_the_errno ) {
  char path[ 600 ];  /* the domain's path is under 256 bytes */
  snprintf( path, sizeof(path), "%s/%0300d/d", domain.path, 0 );
  fdt_log_start();
  ck_assert_int_eq( fd_shmem_domain_reset( path ), EIO );
  ck_assert_int_eq( fd_shmem_last_reason( &why ), 0 );
  ck_assert_int_eq( why.what, FD_SHMEM_REASON_SYSTEM );
  ck_assert_int_eq( why.err, EIO );
  ck_assert_int_eq( why.sys_err, ENAMETOOLONG );
  ck_assert_int_eq( why.worded, 0 );
  path_is( path );
  ck_assert_msg( strstr( fdt_logged(), why.text ), "the log has no line \"%s\": %s", why.text, fdt_logged() );
}
END_TEST

/* Joins return NULL: the reason is how the caller learns which failure. */
START_TEST( join_reasons ) {
  ck_assert_ptr_null( fd_shmem_join( "no_such_region", FD_SHMEM_JOIN_MODE_READ_ONLY, 0, NULL, NULL, NULL ) );
  reason_of( ENOENT, FD_SHMEM_REASON_MISSING );
  ck_assert_ptr_null( fd_shmem_join( "bad/name", FD_SHMEM_JOIN_MODE_READ_ONLY, 0, NULL, NULL, NULL ) );
  reason_of( EINVAL, FD_SHMEM_REASON_ARG );
}
END_TEST

/* Pools and private pages: codes without a site's words still say what. */
START_TEST( pool_and_acquire_reasons ) {
  fd_shmem_pool_info_t pi;
  ck_assert_int_eq( fd_shmem_pool_query( FD_SHMEM_HUGE_PAGE_SZ, 100000UL, &pi ), ENODEV );
  reason_of( ENODEV, FD_SHMEM_REASON_MISSING );
  ck_assert_int_eq( fd_shmem_pool_alloc( NORMAL, 1UL, 0UL, NULL ), EINVAL );
  reason_of( EINVAL, FD_SHMEM_REASON_ARG );
  errno = 0;
  ck_assert_ptr_null( fd_shmem_acquire( 12345UL, 1UL, 0UL ) );
  ck_assert_int_eq( errno, EINVAL );
  reason_of( EINVAL, FD_SHMEM_REASON_ARG );
}
END_TEST

/* The repair rule, asked of the library: every state of a page type. */
START_TEST( type_fix_rule ) {
  size_t const huge = FD_SHMEM_HUGE_PAGE_SZ;
  struct { fd_shmem_type_info_t ti; int fix; } const cases[] = {
    { { .page_sz=NORMAL, .state=FD_SHMEM_TYPE_MOUNTED,   .offered=1 },                  FD_SHMEM_FIX_NONE   },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_MISSING,   .offered=0 },                  FD_SHMEM_FIX_NONE   },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_MISSING,   .offered=1 },                  FD_SHMEM_FIX_MOUNT  },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_UNMOUNTED, .offered=1, .empty=1 },        FD_SHMEM_FIX_MOUNT  },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_UNMOUNTED, .offered=1, .empty=0 },        FD_SHMEM_FIX_STUCK  },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_UNMOUNTED, .offered=0, .empty=1 },        FD_SHMEM_FIX_STUCK  },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_WRONG_FS,  .offered=1, .empty=1 },        FD_SHMEM_FIX_STUCK  },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_SHARED,    .offered=1 },                  FD_SHMEM_FIX_STUCK  },
    { { .page_sz=NORMAL, .state=FD_SHMEM_TYPE_MOUNTED,   .offered=1, .size_stale=1 },   FD_SHMEM_FIX_RESIZE },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_MOUNTED,   .offered=1, .size_stale=1, .empty=1 }, FD_SHMEM_FIX_RESIZE },
    { { .page_sz=huge,   .state=FD_SHMEM_TYPE_MOUNTED,   .offered=1, .size_stale=1 },   FD_SHMEM_FIX_HELD   },
  };
  for( size_t i=0UL; i<sizeof(cases)/sizeof(cases[0]); i++ )
    ck_assert_msg( fd_shmem_domain_type_fix( &cases[i].ti )==cases[i].fix, "case %zu: %d, want %d", i,
                   fd_shmem_domain_type_fix( &cases[i].ti ), cases[i].fix );
  ck_assert_int_eq( fd_shmem_domain_type_fix( NULL ), FD_SHMEM_FIX_NONE );
}
END_TEST

/* The refusal rules, asked of the library: what fini, reset and repair
   refuse for each state of a page type, and what clears it.  Repair
   refuses exactly what type_fix calls stuck: an empty directory of a
   size the kernel lacks is not "mounted by apply". */
START_TEST( refusal_rules ) {
  size_t const huge = FD_SHMEM_HUGE_PAGE_SZ;
  unsigned const F = FD_SHMEM_OP_FINI, R = FD_SHMEM_OP_RESET, A = FD_SHMEM_OP_REPAIR;
  struct { fd_shmem_type_info_t ti; unsigned refused_by; int remedy; } const cases[] = {
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_MOUNTED,   .offered=1 },           0U,      FD_SHMEM_REMEDY_NONE    },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_MOUNTED,   .offered=1, .size_stale=1 }, 0U, FD_SHMEM_REMEDY_NONE    },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_MISSING,   .offered=0 },           0U,      FD_SHMEM_REMEDY_NONE    },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_MISSING,   .offered=1 },           0U,      FD_SHMEM_REMEDY_NONE    },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_UNMOUNTED, .offered=1, .empty=1 }, R,       FD_SHMEM_REMEDY_REPAIR  },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_UNMOUNTED, .offered=0, .empty=1 }, R|A,     FD_SHMEM_REMEDY_RMDIR   },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_UNMOUNTED, .offered=1, .empty=0 }, F|R|A,   FD_SHMEM_REMEDY_EMPTY   },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_WRONG_FS,  .offered=1, .empty=1 }, F|R|A,   FD_SHMEM_REMEDY_BY_HAND },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_SHARED,    .offered=1 },           F|R|A,   FD_SHMEM_REMEDY_BY_HAND },
    { { .page_sz=huge, .state=FD_SHMEM_TYPE_NOT_DIR,   .offered=1 },           F|R|A,   FD_SHMEM_REMEDY_BY_HAND },
  };
  for( size_t i=0UL; i<sizeof(cases)/sizeof(cases[0]); i++ ) {
    fd_shmem_domain_info_t info = { .exists=1 };
    for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) info.type[ t ].state = FD_SHMEM_TYPE_MOUNTED;
    info.type[ 1 ] = cases[i].ti;
    fd_shmem_domain_refusals_t r;
    fd_shmem_domain_refusals( &info, &r );
    ck_assert_msg( r.type[ 1 ].refused_by==cases[i].refused_by && r.type[ 1 ].remedy==cases[i].remedy,
                   "case %zu: refused_by %u remedy %d, want %u %d", i, r.type[ 1 ].refused_by, r.type[ 1 ].remedy,
                   cases[i].refused_by, cases[i].remedy );
    ck_assert_int_eq( !!( r.type[ 1 ].refused_by & A ), fd_shmem_domain_type_fix( &cases[i].ti )==FD_SHMEM_FIX_STUCK );
    ck_assert_uint_eq( r.bare.refused_by | r.others.refused_by | r.type[ 0 ].refused_by, 0U );
  }
  fd_shmem_domain_info_t info = { .exists=1, .others=1 };  /* no page-type directory, and a stray file */
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) info.type[ t ].state = FD_SHMEM_TYPE_MISSING;
  fd_shmem_domain_refusals_t r;
  fd_shmem_domain_refusals( &info, &r );
  ck_assert_uint_eq( r.bare.refused_by, R );
  ck_assert_int_eq( r.bare.remedy, FD_SHMEM_REMEDY_REPAIR );
  ck_assert_uint_eq( r.others.refused_by, F|A );
  ck_assert_int_eq( r.others.remedy, FD_SHMEM_REMEDY_EMPTY );
  info.exists = 0;  /* nothing there: nothing refused */
  fd_shmem_domain_refusals( &info, &r );
  ck_assert_uint_eq( r.bare.refused_by | r.others.refused_by, 0U );
  fd_shmem_domain_refusals( NULL, &r );
  fd_shmem_domain_refusals( &info, NULL );
}
END_TEST

/* The question as a call: what init, set_owner and repair would do,
   with the dry-run switch left off and nothing changed. */
START_TEST( domain_plan_answers ) {
  fd_shmem_domain_plan_t plan;
  char fresh[ 512 ];
  snprintf( fresh, sizeof(fresh), "%s/.normal/new", domain.path );
  ck_assert_int_eq( fd_shmem_domain_plan( fresh, 0700, NULL, NULL, &plan ), 0 );
  ck_assert_int_eq( plan.info_err, 0 );
  ck_assert_int_eq( plan.info.exists, 0 );
  ck_assert_int_eq( plan.init_err, geteuid() ? EPERM : 0 );  /* not root: mounting needs CAP_SYS_ADMIN */
  struct stat st;
  ck_assert_int_ne( stat( fresh, &st ), 0 );  /* nothing made */

  ck_assert_int_eq( fd_shmem_domain_plan( "/dev/shm", 0700, NULL, NULL, &plan ), 0 );
  ck_assert_int_eq( plan.info_err, EINVAL );  /* a mount point */
  reason_of( EINVAL, FD_SHMEM_REASON_NOT_DOMAIN );

  /* the test domain: .normal is a plain empty directory, repair would mount it */
  ck_assert_int_eq( fd_shmem_domain_plan( domain.path, 0700, NULL, NULL, &plan ), 0 );
  ck_assert_int_eq( plan.info_err, 0 );
  ck_assert_int_eq( plan.info.exists, 1 );
  ck_assert_int_eq( plan.fix[ 0 ], FD_SHMEM_FIX_MOUNT );
  ck_assert_uint_eq( plan.refusals.type[ 0 ].refused_by, FD_SHMEM_OP_RESET );  /* fini and repair take it */
  ck_assert_int_eq( plan.refusals.type[ 0 ].remedy, FD_SHMEM_REMEDY_REPAIR );
  ck_assert_int_eq( plan.owner_err, 0 );
  ck_assert_int_eq( stat( domain.path, &st ), 0 );
  ck_assert_int_eq( plan.owner_differs, ( st.st_mode & 07777 )!=0700 );
  ck_assert_int_eq( fd_shmem_domain_plan( domain.path, st.st_mode & 07777, NULL, NULL, &plan ), 0 );
  ck_assert_int_eq( plan.owner_differs, 0 );
  ck_assert_int_eq( fd_shmem_domain_plan( domain.path, 0, NULL, NULL, NULL ), EINVAL );
}
END_TEST

static void *
fail_in_thread( void * arg ) {
  (void)arg;
  fd_shmem_reason_t r;
  long ok = fd_shmem_last_reason( &r )==ENOENT;  /* a new thread starts with none */
  ok &= fd_shmem_create( "bad/name", NORMAL, 1, 0, 0600 )==EINVAL;
  ok &= !fd_shmem_last_reason( &r ) && r.what==FD_SHMEM_REASON_ARG;
  return (void *)ok;
}

START_TEST( one_per_thread ) {
  fd_shmem_reason_clear();
  pthread_t t;
  void * ok;
  ck_assert_int_eq( pthread_create( &t, NULL, fail_in_thread, NULL ), 0 );
  ck_assert_int_eq( pthread_join( t, &ok ), 0 );
  ck_assert( ok );
  ck_assert_int_eq( fd_shmem_last_reason( &why ), ENOENT );  /* the other thread's failure is its own */
}
END_TEST

static int null_out( void )  { return fd_shmem_last_reason( NULL ); }
static int plan_null( void ) { return fd_shmem_domain_plan( NULL, 0700, NULL, NULL, NULL ); }
static int none_yet( void )  { fd_shmem_reason_t r; fd_shmem_reason_clear(); return fd_shmem_last_reason( &r ); }

static fdt_errcase_t const errcases[] = {
  { "fd_shmem_last_reason", EINVAL, null_out, 0 },
  { "fd_shmem_last_reason", ENOENT, none_yet, 0 },
  { "fd_shmem_domain_plan", EINVAL, plan_null, 0 },
};

int
main( void ) {
  int err = fdt_domain_new( &domain, 0 );
  if( err ) return err;
  Suite * s  = suite_create( "reasons" );
  TCase * tc = tcase_create( "reasons" );
  tcase_add_test( tc, reason_calls );
  tcase_add_test( tc, kept_until_the_next_failure );
  tcase_add_test( tc, create_exists );
  tcase_add_test( tc, create_no_room );
  tcase_add_test( tc, info_not_a_region );
  tcase_add_test( tc, domain_reasons );
  tcase_add_test( tc, catch_all_keeps_the_errno );
  tcase_add_test( tc, join_reasons );
  tcase_add_test( tc, pool_and_acquire_reasons );
  tcase_add_test( tc, one_per_thread );
  tcase_add_test( tc, type_fix_rule );
  tcase_add_test( tc, refusal_rules );
  tcase_add_test( tc, domain_plan_answers );
  fdt_errcases_add( tc, errcases, sizeof(errcases)/sizeof(errcases[0]), FDT_ERRCASES_REASONS );
  suite_add_tcase( s, tc );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}
