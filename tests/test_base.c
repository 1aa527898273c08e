/* Names, page sizes, cpu sequences, owners, the domain path and logging,
   and every code of the error sets of set_path, owner_resolve and
   cpu_seq_parse. */

#include "fdt.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

START_TEST( name_valid ) {
  ck_assert_uint_eq( fd_shmem_name_len( "a" ), 1 );
  ck_assert_uint_eq( fd_shmem_name_len( "Z9_.-x" ), 6 );
  ck_assert_uint_eq( fd_shmem_name_len( "0" ), 1 );
  char longest[ FD_SHMEM_NAME_MAX ];
  memset( longest, 'n', FD_SHMEM_NAME_MAX-1 );
  longest[ FD_SHMEM_NAME_MAX-1 ] = '\0';
  ck_assert_uint_eq( fd_shmem_name_len( longest ), FD_SHMEM_NAME_MAX-1 );
}
END_TEST

START_TEST( name_invalid ) {
  static char const * const bad[] = {
    "", "_a", ".a", "-a", "..", ".", "a/b", "/a", "a b", " a", "a\n", "a\x01",
    "a*", "a\xc3\xa9", "a\\b", "a:b"
  };
  for( size_t i=0; i<sizeof(bad)/sizeof(bad[0]); i++ )
    ck_assert_msg( !fd_shmem_name_len( bad[i] ), "accepted \"%s\"", bad[i] );
  ck_assert_uint_eq( fd_shmem_name_len( NULL ), 0 );
  char too_long[ FD_SHMEM_NAME_MAX+1 ];
  memset( too_long, 'n', FD_SHMEM_NAME_MAX );
  too_long[ FD_SHMEM_NAME_MAX ] = '\0';
  ck_assert_uint_eq( fd_shmem_name_len( too_long ), 0 );
}
END_TEST

START_TEST( page_sz_parse ) {
  ck_assert_uint_eq( fd_cstr_to_shmem_page_sz( "normal" ),   FD_SHMEM_NORMAL_PAGE_SZ );
  ck_assert_uint_eq( fd_cstr_to_shmem_page_sz( "HUGE" ),     FD_SHMEM_HUGE_PAGE_SZ );
  ck_assert_uint_eq( fd_cstr_to_shmem_page_sz( "Gigantic" ), FD_SHMEM_GIGANTIC_PAGE_SZ );
  ck_assert_uint_eq( fd_cstr_to_shmem_page_sz( "4096" ),       FD_SHMEM_NORMAL_PAGE_SZ );
  ck_assert_uint_eq( fd_cstr_to_shmem_page_sz( "2097152" ),    FD_SHMEM_HUGE_PAGE_SZ );
  ck_assert_uint_eq( fd_cstr_to_shmem_page_sz( "1073741824" ), FD_SHMEM_GIGANTIC_PAGE_SZ );
  static char const * const bad[] = { NULL, "", "norm", "normal ", " huge", "4097", "04096",
                                      "12", "21", "30", "-4096", "4096x", "0", "hugepage" };
  for( size_t i=0; i<sizeof(bad)/sizeof(bad[0]); i++ )
    ck_assert_msg( fd_cstr_to_shmem_page_sz( bad[i] )==FD_SHMEM_UNKNOWN_PAGE_SZ, "accepted %s", bad[i] ? bad[i] : "NULL" );
}
END_TEST

START_TEST( lg_page_sz_parse ) {
  ck_assert_int_eq( fd_cstr_to_shmem_lg_page_sz( "NORMAL" ),   FD_SHMEM_NORMAL_LG_PAGE_SZ );
  ck_assert_int_eq( fd_cstr_to_shmem_lg_page_sz( "huge" ),     FD_SHMEM_HUGE_LG_PAGE_SZ );
  ck_assert_int_eq( fd_cstr_to_shmem_lg_page_sz( "gigantic" ), FD_SHMEM_GIGANTIC_LG_PAGE_SZ );
  ck_assert_int_eq( fd_cstr_to_shmem_lg_page_sz( "12" ), 12 );
  ck_assert_int_eq( fd_cstr_to_shmem_lg_page_sz( "21" ), 21 );
  ck_assert_int_eq( fd_cstr_to_shmem_lg_page_sz( "30" ), 30 );
  static char const * const bad[] = { NULL, "", "4096", "13", "012", "21 ", "-12", "giant" };
  for( size_t i=0; i<sizeof(bad)/sizeof(bad[0]); i++ )
    ck_assert_int_eq( fd_cstr_to_shmem_lg_page_sz( bad[i] ), FD_SHMEM_UNKNOWN_LG_PAGE_SZ );
}
END_TEST

START_TEST( page_sz_to_cstr ) {
  ck_assert_str_eq( fd_shmem_page_sz_to_cstr( 4096UL ),        "normal" );
  ck_assert_str_eq( fd_shmem_page_sz_to_cstr( 2097152UL ),     "huge" );
  ck_assert_str_eq( fd_shmem_page_sz_to_cstr( 1073741824UL ),  "gigantic" );
  ck_assert_str_eq( fd_shmem_page_sz_to_cstr( 0UL ),           "unknown" );
  ck_assert_str_eq( fd_shmem_page_sz_to_cstr( 8192UL ),        "unknown" );
  ck_assert_str_eq( fd_shmem_lg_page_sz_to_cstr( 12 ), "normal" );
  ck_assert_str_eq( fd_shmem_lg_page_sz_to_cstr( 21 ), "huge" );
  ck_assert_str_eq( fd_shmem_lg_page_sz_to_cstr( 30 ), "gigantic" );
  ck_assert_str_eq( fd_shmem_lg_page_sz_to_cstr( -1 ), "unknown" );
  ck_assert_str_eq( fd_shmem_lg_page_sz_to_cstr( 13 ), "unknown" );
  ck_assert_uint_lt( strlen( fd_shmem_page_sz_to_cstr( FD_SHMEM_GIGANTIC_PAGE_SZ ) ), FD_SHMEM_PAGE_SZ_CSTR_MAX );
  ck_assert( fd_shmem_is_page_sz( 4096UL ) && fd_shmem_is_page_sz( 2097152UL ) && fd_shmem_is_page_sz( 1073741824UL ) );
  ck_assert( !fd_shmem_is_page_sz( 0UL ) && !fd_shmem_is_page_sz( 8192UL ) && !fd_shmem_is_page_sz( SIZE_MAX ) );
}
END_TEST

/* Parses s and compares with the expected list. */
static void
seq_expect( char const * s, size_t const * want, size_t want_cnt ) {
  size_t got[ 64 ], cnt = 99;
  ck_assert_msg( !fd_shmem_cpu_seq_parse( s, got, 64, &cnt ), "rejected \"%s\"", s );
  ck_assert_uint_eq( cnt, want_cnt );
  for( size_t i=0; i<cnt; i++ ) ck_assert_uint_eq( got[i], want[i] );
}

START_TEST( cpu_seq_valid ) {
  seq_expect( "3", (size_t[]){ 3 }, 1 );
  seq_expect( "0-3", (size_t[]){ 0, 1, 2, 3 }, 4 );
  seq_expect( "1-1", (size_t[]){ 1 }, 1 );
  seq_expect( " 0 - 6 / 3 , 9 ", (size_t[]){ 0, 3, 6, 9 }, 4 );
  seq_expect( "0-7:4,2", (size_t[]){ 0, 4, 2 }, 3 );
  seq_expect( "5,5", (size_t[]){ 5, 5 }, 2 );
  seq_expect( "0-5/10", (size_t[]){ 0 }, 1 );
  /* the top of the range does not overflow the stride loop */
  size_t got[ 4 ], cnt;
  ck_assert_int_eq( fd_shmem_cpu_seq_parse( "18446744073709551614-18446744073709551615/7", got, 4, &cnt ), 0 );
  ck_assert_uint_eq( cnt, 1 );
}
END_TEST

START_TEST( cpu_seq_invalid ) {
  static char const * const bad[] = {
    "", " ", ",", "1,", ",1", "1,,2", "-1", "1-", "3-1", "1-3/", "1-3/0", "1-3:0", "1/2",
    "a", "1x", "1 2", "1-2-3", "+1", "1-3/2/2", "18446744073709551616", "99999999999999999999999",
    "0x1", "1.5"
  };
  for( size_t i=0; i<sizeof(bad)/sizeof(bad[0]); i++ ) {
    size_t got[ 8 ], cnt = 5;
    ck_assert_msg( fd_shmem_cpu_seq_parse( bad[i], got, 8, &cnt )==EINVAL, "accepted \"%s\"", bad[i] );
    ck_assert_uint_eq( cnt, 0 );
  }
  size_t got[ 8 ], cnt = 5;
  ck_assert_int_eq( fd_shmem_cpu_seq_parse( NULL, got, 8, &cnt ), EINVAL );
  ck_assert_int_eq( fd_shmem_cpu_seq_parse( "1", NULL, 8, &cnt ), EINVAL );
  ck_assert_int_eq( fd_shmem_cpu_seq_parse( "1", got, 8, NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_cpu_seq_parse( "0-8", got, 8, &cnt ), E2BIG );
  ck_assert_uint_eq( cnt, 0 );
  ck_assert_int_eq( fd_shmem_cpu_seq_parse( "0-18446744073709551615", got, 8, &cnt ), E2BIG );
  ck_assert_int_eq( fd_shmem_cpu_seq_parse( "0-7", got, 8, &cnt ), 0 );
  ck_assert_uint_eq( cnt, 8 );
}
END_TEST

/* Owners by name or number, as chown(1) takes them. */
START_TEST( owner_resolve ) {
  unsigned long uid = 7, gid = 7;
  ck_assert_int_eq( fd_shmem_owner_resolve( "root", "root", &uid, &gid ), 0 );
  ck_assert( uid==0 && gid==0 );
  ck_assert_int_eq( fd_shmem_owner_resolve( "65534", "0", &uid, &gid ), 0 );
  ck_assert( uid==65534 && gid==0 );
  ck_assert_int_eq( fd_shmem_owner_resolve( NULL, "", &uid, &gid ), 0 );  /* unchanged */
  ck_assert( uid==(unsigned long)-1 && gid==(unsigned long)-1 );
  static char const * const bad[] = { "nosuchuser-fdshmem", "12x", "-1", " 1", "4294967295", "99999999999999999999" };
  for( size_t i=0; i<sizeof(bad)/sizeof(bad[0]); i++ ) {
    ck_assert_msg( fd_shmem_owner_resolve( bad[i], NULL, &uid, &gid )==EINVAL, "user %s", bad[i] );
    ck_assert_msg( fd_shmem_owner_resolve( NULL, bad[i], &uid, &gid )==EINVAL, "group %s", bad[i] );
  }
  ck_assert_int_eq( fd_shmem_owner_resolve( "root", "root", NULL, &gid ), EINVAL );
  ck_assert_int_eq( fd_shmem_owner_resolve( "root", "root", &uid, NULL ), EINVAL );
}
END_TEST

START_TEST( path_set ) {
  unsetenv( "FD_SHMEM_PATH" );
  ck_assert_str_eq( fd_shmem_path(), "/mnt/.fd" );
  ck_assert_int_eq( fd_shmem_set_path( "/tmp/x///" ), 0 );
  ck_assert_str_eq( fd_shmem_path(), "/tmp/x" );
  ck_assert_int_eq( fd_shmem_set_path( NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_set_path( "" ), EINVAL );
  ck_assert_int_eq( fd_shmem_set_path( "relative" ), EINVAL );
  ck_assert_int_eq( fd_shmem_set_path( "/" ), EINVAL );
  ck_assert_int_eq( fd_shmem_set_path( "///" ), EINVAL );
  char * huge = malloc( 5000 );
  memset( huge, 'a', 4999 ); huge[0] = '/'; huge[4999] = '\0';
  ck_assert_int_eq( fd_shmem_set_path( huge ), EINVAL );
  free( huge );
  ck_assert_str_eq( fd_shmem_path(), "/tmp/x" );  /* failures leave it alone */
}
END_TEST

static int  log_seen_level;
static char log_seen_msg[ 256 ];
static void
log_capture( void * ctx, int level, char const * msg ) {
  ck_assert_ptr_eq( ctx, &log_seen_level );
  log_seen_level = level;
  strncpy( log_seen_msg, msg, sizeof(log_seen_msg)-1 );
}

START_TEST( log_callback ) {
  fd_shmem_set_log_func( log_capture, &log_seen_level );
  ck_assert_int_eq( fd_shmem_set_log_level( FD_SHMEM_LOG_WARNING ), FD_SHMEM_LOG_WARNING );
  ck_assert_int_eq( fd_shmem_set_log_level( 8 ), -1 );
  ck_assert_int_eq( fd_shmem_set_log_level( -1 ), -1 );
  ck_assert_int_eq( fd_shmem_set_path( "/nonexistent-fdshmem" ), 0 );
  ck_assert_int_eq( fd_shmem_info( "a", 4096UL, NULL ), ENOENT );  /* an existence check is silent */
  ck_assert_int_eq( log_seen_level, 0 );
  ck_assert_int_eq( fd_shmem_info( "a", 4097UL, NULL ), EINVAL );
  ck_assert_int_eq( fd_shmem_set_log_level( FD_SHMEM_LOG_NONE ), FD_SHMEM_LOG_WARNING );
  fd_shmem_set_log_func( NULL, NULL );
}
END_TEST

START_TEST( log_env_path ) {
  /* FD_SHMEM_PATH is read once, on first use: run in a fresh process */
  fd_shmem_set_log_func( log_capture, &log_seen_level );
  setenv( "FD_SHMEM_PATH", "rel", 1 );
  ck_assert_str_eq( fd_shmem_path(), "/mnt/.fd" );  /* a relative path is ignored, with a warning */
  ck_assert_int_eq( log_seen_level, FD_SHMEM_LOG_WARNING );
  ck_assert_ptr_nonnull( strstr( log_seen_msg, "FD_SHMEM_PATH" ) );
}
END_TEST

/* ---- the error sets, one call per code ---- */

static int path_null( void ) { return fd_shmem_set_path( NULL ); }
static int owner_unknown( void ) {
  unsigned long uid, gid;
  return fd_shmem_owner_resolve( "fdshmem-no-such-user", NULL, &uid, &gid );
}
static int cpu_seq_open_range( void ) {
  size_t cpus[ 4 ], cnt;
  return fd_shmem_cpu_seq_parse( "0-", cpus, 4, &cnt );
}
static int cpu_seq_too_many( void ) {
  size_t cpus[ 2 ], cnt;
  return fd_shmem_cpu_seq_parse( "0-3", cpus, 2, &cnt );
}

static fdt_errcase_t const errcases[] = {
  { "fd_shmem_set_path",         EINVAL,  path_null,              0 },
  { "fd_shmem_owner_resolve",    EINVAL,  owner_unknown,          0 },
  { "fd_shmem_cpu_seq_parse",    EINVAL,  cpu_seq_open_range,     0 },
  { "fd_shmem_cpu_seq_parse",    E2BIG,   cpu_seq_too_many,       0 },
};

int
main( void ) {
  Suite * s  = suite_create( "base" );
  TCase * tc = tcase_create( "core" );
  tcase_add_test( tc, name_valid );
  tcase_add_test( tc, name_invalid );
  tcase_add_test( tc, page_sz_parse );
  tcase_add_test( tc, lg_page_sz_parse );
  tcase_add_test( tc, page_sz_to_cstr );
  tcase_add_test( tc, cpu_seq_valid );
  tcase_add_test( tc, cpu_seq_invalid );
  tcase_add_test( tc, owner_resolve );
  fdt_errcases_add( tc, errcases, sizeof(errcases)/sizeof(errcases[0]), FDT_ERRCASES_BASE );
  suite_add_tcase( s, tc );

  /* These depend on the library's one-time boot, so each needs a fresh
     process: they only run in fork mode. */
  TCase * tp = tcase_create( "boot" );
  char const * fork_env = getenv( "CK_FORK" );
  if( !fork_env || strcmp( fork_env, "no" ) ) {
    tcase_add_test( tp, path_set );
    tcase_add_test( tp, log_callback );
    tcase_add_test( tp, log_env_path );
  }
  suite_add_tcase( s, tp );
  return fdt_run( s );
}
