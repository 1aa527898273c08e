/* The provisioning file parser: good files and every class of bad one. */

#include "fdt.h"

#include "../src/ctl/ctl_conf.h"
#include "../src/ctl/ctl.h"
#include "../src/ctl/ctl_conf_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUMA_CNT (2UL)  /* the parser is told the machine's node count */

static ctl_conf_t conf;

static int
parse( char const * text ) {
  FILE * f = fmemopen( (void *)text, strlen( text ), "r" );
  ck_assert_ptr_nonnull( f );
  int err = ctl_conf_parse( &conf, f, "test.conf", NUMA_CNT );
  fclose( f );
  return err;
}

/* text must be refused with an error naming line and saying why. */
static void
refuse( char const * text, char const * where_what ) {
  ck_assert_msg( parse( text )==EINVAL, "accepted: %s", text );
  ck_assert_msg( strstr( conf.err, where_what ), "error \"%s\" lacks \"%s\"", conf.err, where_what );
}

START_TEST( good_files ) {
  ck_assert_int_eq( parse( "" ), 0 );  /* empty: defaults, nothing reserved */
  ck_assert_str_eq( conf.path, "" );
  ck_assert_uint_eq( conf.mode, 0700 );
  ck_assert_uint_eq( conf.pages_cnt, 0 );

  ck_assert_int_eq( parse( "# comment only\n\n   \n\t# indented comment\n" ), 0 );
  ck_assert_int_eq( parse( "path  = /mnt/.fd          # the domain\n"
                           "mode  = 0750\n"
                           "user  = firedancer        # empty = root\n"
                           "group=fd-group\n"
                           "pages = huge 0 512        # type, node, count\n"
                           "pages =\tgigantic  all  4\r\n"
                           "path = /mnt/.fd\n" ), 0 );  /* a repeat that agrees is fine */
  ck_assert_str_eq( conf.path, "/mnt/.fd" );
  ck_assert_uint_eq( conf.mode, 0750 );
  ck_assert_str_eq( conf.user, "firedancer" );
  ck_assert_str_eq( conf.group, "fd-group" );
  ck_assert_uint_eq( conf.pages_cnt, 2 );
  ck_assert_uint_eq( conf.pages[0].page_sz, 2097152 );
  ck_assert_uint_eq( conf.pages[0].numa, 0 );
  ck_assert_uint_eq( conf.pages[0].cnt, 512 );
  ck_assert_uint_eq( conf.pages[0].line, 5 );
  ck_assert_uint_eq( conf.pages[1].page_sz, 1073741824 );
  ck_assert_uint_eq( conf.pages[1].numa, CTL_CONF_ALL_NODES );
  ck_assert_uint_eq( conf.pages[1].cnt, 4 );

  ck_assert_int_eq( parse( "user =\ngroup =   # root\npages = huge 1 0\npages = huge 1 0\n" ), 0 );
  ck_assert_str_eq( conf.user, "" );
  ck_assert_int_eq( parse( "pages = 2097152 0 8\npages = HUGE 1 8\n" ), 0 );  /* sizes as bytes, any case */
}
END_TEST

/* Page sizes as the kernel and mount(8) write them. */
START_TEST( size_words ) {
  static char const * const huge[]     = { "2M", "2MB", "2m", "2mb", "2048kB", "2048KB", "2048k", "2MiB", "2097152" };
  static char const * const gigantic[] = { "1G", "1GB", "1g", "1gb", "1048576kB", "1024M", "1GiB", "1073741824" };
  char text[ 128 ];
  for( size_t i=0; i<sizeof(huge)/sizeof(huge[0]); i++ ) {
    snprintf( text, sizeof(text), "pages = %s 0 8\n", huge[i] );
    ck_assert_msg( !parse( text ) && conf.pages[0].page_sz==2097152UL, "%s: %s", huge[i], conf.err );
  }
  for( size_t i=0; i<sizeof(gigantic)/sizeof(gigantic[0]); i++ ) {
    snprintf( text, sizeof(text), "pages = %s 1 2\n", gigantic[i] );
    ck_assert_msg( !parse( text ) && conf.pages[0].page_sz==1073741824UL, "%s: %s", gigantic[i], conf.err );
  }
  static char const * const bad[] = { "2", "2T", "2MBB", "M", "0M", "2 M", "1.0G", "2048", "4194304kB", "-2M" };
  for( size_t i=0; i<sizeof(bad)/sizeof(bad[0]); i++ ) {
    snprintf( text, sizeof(text), "pages = %s 0 8\n", bad[i] );
    ck_assert_msg( parse( text )==EINVAL, "accepted %s", bad[i] );
  }
}
END_TEST

/* A node's own line wins over an "all" line of its type, in either
   order; equal lines are kept once. */
START_TEST( node_overrides_all ) {
  size_t cnt = 0;
  unsigned line = 0;
  ck_assert_int_eq( parse( "pages = huge all 512\npages = huge 1 1024\n" ), 0 );
  ck_assert( ctl_conf_want( &conf, 2097152UL, 0, &cnt, &line ) && cnt==512 && line==1 );
  ck_assert( ctl_conf_want( &conf, 2097152UL, 1, &cnt, &line ) && cnt==1024 && line==2 );
  ck_assert( !ctl_conf_want( &conf, 1073741824UL, 0, &cnt, NULL ) );  /* no gigantic line */
  ck_assert_int_eq( parse( "pages = gigantic 0 3\npages = gigantic all 1\n" ), 0 );
  ck_assert( ctl_conf_want( &conf, 1073741824UL, 0, &cnt, NULL ) && cnt==3 );
  ck_assert( ctl_conf_want( &conf, 1073741824UL, 1, &cnt, NULL ) && cnt==1 );
  ck_assert_int_eq( parse( "pages = huge 0 4\npages = 2M 0 4\npages = huge all 2\npages = huge all 2\n" ), 0 );
  ck_assert_uint_eq( conf.pages_cnt, 2 );
  ck_assert( ctl_conf_want( &conf, 2097152UL, 0, &cnt, NULL ) && cnt==4 );
  ck_assert( ctl_conf_want( &conf, 2097152UL, 1, &cnt, NULL ) && cnt==2 );
}
END_TEST

START_TEST( empty_and_paths ) {
  ck_assert( !parse( "# all commented out\n#path = /mnt/.fd\n\n" ) && ctl_conf_empty( &conf ) );
  ck_assert( !parse( "mode = 0700\n" ) && !ctl_conf_empty( &conf ) );
  ck_assert( !parse( "pages = huge 0 0\n" ) && !ctl_conf_empty( &conf ) );
  ck_assert( !parse( "path = /x/dom/\n" ) );
  ck_assert_str_eq( conf.path, "/x/dom" );
  ck_assert( !parse( "path = //x///dom//\npath = /x/dom\n" ) );  /* the same path: no conflict */
  ck_assert_str_eq( conf.path, "/x/dom" );
  char p[ 16 ] = "///";
  ctl_path_tidy( p );
  ck_assert_str_eq( p, "/" );
  ck_assert_uint_eq( conf.line_of[ CTL_CONF_PATH ], 1 );
}
END_TEST

START_TEST( bad_files ) {
  refuse( "colour = blue\n", "test.conf:1: unknown key \"colour\"" );
  refuse( "\n\npath /mnt/.fd\n", "test.conf:3: expected KEY = VALUE" );
  refuse( "= 5\n", "unknown key \"\"" );
  refuse( "path = relative/dir\n", "absolute" );
  refuse( "path =\n", "absolute" );
  refuse( "path = /\n", "absolute" );
  refuse( "path = /a b\n", "holds a space or a byte that is not printable ASCII" );
  refuse( "path = /a\xc2\xa0\n", "test.conf:1: path \"/a\xc2\xa0\" holds a space" );  /* a no-break space (the tool escapes it) */
  refuse( "path = /a\npath = /b\n", "test.conf:2: path conflicts with line 1" );
  refuse( "mode = 0800\n", "octal" );
  refuse( "mode = 700x\n", "octal" );
  refuse( "mode = -700\n", "octal" );
  refuse( "mode = 17777\n", "mode \"17777\" is too large" );
  refuse( "mode =\n", "octal" );
  refuse( "mode = 0700\nmode = 0750\n", "mode conflicts with line 1" );
  refuse( "user = a b\n", "user must be a user name or number, not \"a b\"" );
  refuse( "\xef\xbb\xbfpath = /x\n", "test.conf:1: unknown key \"\xef\xbb\xbfpath\"" );  /* a UTF-8 BOM */
  refuse( "pages = huge\xc2\xa0" "0 4\n", "not \"huge\xc2\xa0" "0 4\"" );
  refuse( "user = ../../x\n", "user must be" );
  refuse( "group = 0123456789012345678901234567890123\n", "group must be" );
  refuse( "user = a\nuser = b\n", "user conflicts with line 1" );
  refuse( "pages = huge 0\n", "pages needs TYPE NODE COUNT" );
  refuse( "pages = huge 0 1 2\n", "pages needs TYPE NODE COUNT" );
  refuse( "pages =\n", "pages needs" );
  refuse( "pages = normal 0 4\n", "page type \"normal\": normal pages have no pool" );
  refuse( "pages = 4k 0 4\n", "normal pages have no pool" );
  refuse( "pages = jumbo 0 4\n", "page type \"jumbo\" is not a page type" );
  refuse( "pages = 3M 0 4\n", "is not a page type" );
  refuse( "pages = 02M 0 4\n", "is not a page type" );
  refuse( "pages = huge 2 4\n", "node 2 does not exist (this machine has 2)" );
  refuse( "pages = huge -1 4\n", "node \"-1\" is not a number (a node number or \"all\")" );
  refuse( "pages = huge 0x1 4\n", "node \"0x1\" is not a number" );
  refuse( "pages = huge some 4\n", "node \"some\" is not a number" );
  refuse( "pages = huge 01 4\n", "node \"01\" has a leading zero" );
  refuse( "pages = huge 0 -4\n", "page count \"-4\" is not a number" );
  refuse( "pages = huge 0 4k\n", "page count \"4k\" is not a number" );
  refuse( "pages = huge 0 99999999999999999999999\n", "page count \"99999999999999999999999\" is too large" );
  refuse( "pages = huge 0 +4\n", "page count \"+4\" is not a number" );
  refuse( "pages = huge 0 010\n", "test.conf:1: page count \"010\" has a leading zero" );
  refuse( "pages = huge 0 4\npages = huge 0 5\n", "test.conf:2: pages conflicts with line 1" );
  refuse( "pages = huge all 4\npages = huge all 5\n", "test.conf:2: pages conflicts with line 1" );

  char nul[] = "path = /mnt/.fd\nmode = 07\0000\n";
  FILE * f = fmemopen( nul, sizeof(nul)-1, "r" );
  ck_assert_int_eq( ctl_conf_parse( &conf, f, "test.conf", NUMA_CNT ), EINVAL );
  fclose( f );
  ck_assert_ptr_nonnull( strstr( conf.err, "test.conf:2: unexpected NUL" ) );

  char * lng = malloc( 9000 );
  memset( lng, '#', 8999 ); lng[8999] = '\0';
  refuse( lng, "test.conf:1: line longer than 8192" );
  free( lng );

}
END_TEST

/* A line per type and node of the largest machine, and "all" lines,
   all kept. */
START_TEST( every_node_of_a_big_machine ) {
  size_t sz = 40UL*CTL_CONF_PAGES_MAX, n = 0UL;
  char * text = malloc( sz );
  ck_assert_ptr_nonnull( text );
  for( size_t t=0; t<2; t++ ) {
    for( size_t k=0; k<FD_SHMEM_NUMA_MAX; k++ )
      n += (size_t)snprintf( text+n, sz-n, "pages = %s %zu 1\n", t ? "1G" : "2M", k );
    n += (size_t)snprintf( text+n, sz-n, "pages = %s all 2\n", t ? "1G" : "2M" );
  }
  FILE * f = fmemopen( text, n, "r" );
  ck_assert_int_eq( ctl_conf_parse( &conf, f, "big.conf", FD_SHMEM_NUMA_MAX ), 0 );
  fclose( f );
  free( text );
  ck_assert_uint_eq( conf.pages_cnt, CTL_CONF_PAGES_MAX );
}
END_TEST

/* kernel-cmdline's parameters for a type, per node or as a total. */
START_TEST( cmdline_forms ) {
  char line[ 256 ] = "";
  size_t two[ 2 ] = { 4, 4 }, one_of_two[ 2 ] = { 0, 3 }, none[ 2 ] = { 0, 0 };
  ctl_cmdline_type( line, sizeof(line), "1G", two, 2, 1 );
  ck_assert_str_eq( line, " hugepagesz=1G hugepages=0:4,1:4" );
  ctl_cmdline_type( line, sizeof(line), "2M", two, 2, 0 );  /* "all" lines only: the total */
  ck_assert_str_eq( line, " hugepagesz=1G hugepages=0:4,1:4 hugepagesz=2M hugepages=8" );
  line[0] = '\0';
  ctl_cmdline_type( line, sizeof(line), "2M", one_of_two, 2, 1 );  /* a node without pages is left out */
  ck_assert_str_eq( line, " hugepagesz=2M hugepages=1:3" );
  line[0] = '\0';
  ctl_cmdline_type( line, sizeof(line), "2M", none, 2, 1 );
  ck_assert_str_eq( line, "" );
  ctl_cmdline_type( line, sizeof(line), "1G", two, 1, 1 );  /* one node: the total, which any kernel takes */
  ck_assert_str_eq( line, " hugepagesz=1G hugepages=4" );
}
END_TEST

/* headroom = SIZE: a size with or without a unit, set once; it
   replaces the rule (1 GiB or 1/32 of the node, the larger) that apply,
   alloc and kernel-cmdline share. */
/* exclusive = yes or no, set once; nothing else is taken for either. */
START_TEST( exclusive ) {
  ck_assert_int_eq( parse( "pages = huge 0 4\n" ), 0 );
  ck_assert_int_eq( conf.exclusive, 0 );  /* the default */
  ck_assert_int_eq( parse( "exclusive = yes\n" ), 0 );
  ck_assert_int_eq( conf.exclusive, 1 );
  ck_assert( !ctl_conf_empty( &conf ) );
  ck_assert_int_eq( parse( "exclusive=no # none kept\n" ), 0 );
  ck_assert_int_eq( conf.exclusive, 0 );
  ck_assert_int_eq( parse( "exclusive = yes\nexclusive = yes\n" ), 0 );
  refuse( "exclusive = yes\nexclusive = no\n", "test.conf:2: exclusive conflicts with line 1" );
  refuse( "exclusive = YES\n", "test.conf:1: exclusive \"YES\" is not yes or no" );
  refuse( "exclusive = true\n", "exclusive \"true\" is not yes or no" );
  refuse( "exclusive = 1\n", "exclusive \"1\" is not yes or no" );
  refuse( "exclusive =\n", "exclusive \"\" is not yes or no" );
  refuse( "exclusive = yes please\n", "exclusive \"yes please\" is not yes or no" );
}
END_TEST

START_TEST( headroom ) {
  ck_assert_int_eq( parse( "" ), 0 );
  ck_assert_uint_eq( ctl_headroom( &conf, 8UL<<30 ), 1UL<<30 );     /* a small node keeps 1 GiB */
  ck_assert_uint_eq( ctl_headroom( &conf, 256UL<<30 ), 8UL<<30 );   /* a big one 1/32 of it */
  ck_assert_uint_eq( ctl_headroom( NULL, 64UL<<30 ), 2UL<<30 );
  ck_assert_int_eq( parse( "headroom = 256M\n" ), 0 );
  ck_assert_uint_eq( conf.headroom, 256UL<<20 );
  ck_assert_uint_eq( ctl_headroom( &conf, 256UL<<30 ), 256UL<<20 );
  ck_assert_int_eq( parse( "headroom = 0\n" ), 0 );  /* a machine built for it may keep nothing */
  ck_assert_uint_eq( ctl_headroom( &conf, 8UL<<30 ), 0UL );
  ck_assert_int_eq( parse( "headroom = 2GiB\nheadroom = 2048MB\n" ), 0 );  /* the same size twice */
  ck_assert_uint_eq( conf.headroom, 2UL<<30 );
  ck_assert_int_eq( parse( "headroom = 1536k\n" ), 0 );
  ck_assert_uint_eq( conf.headroom, 1536UL<<10 );
  refuse( "headroom = 1G\nheadroom = 2G\n", "test.conf:2: headroom conflicts with line 1" );
  refuse( "headroom = lots\n", "test.conf:1: headroom \"lots\" is not a size" );
  refuse( "headroom = 1X\n", "headroom \"1X\" has no known unit" );
  refuse( "headroom = 1Gx\n", "headroom \"1Gx\" has no known unit" );
  refuse( "headroom = 01G\n", "leading zero" );
  refuse( "headroom = 99999999999T\n", "is too large" );
  refuse( "headroom = -1G\n", "is not a size" );
  refuse( "colour = 1\n", "(path, mode, user, group, pages, headroom, exclusive)" );
}
END_TEST

int
main( void ) {
  Suite * s  = suite_create( "conf" );
  TCase * tc = tcase_create( "parse" );
  tcase_add_test( tc, good_files );
  tcase_add_test( tc, bad_files );
  tcase_add_test( tc, size_words );
  tcase_add_test( tc, node_overrides_all );
  tcase_add_test( tc, empty_and_paths );
  tcase_add_test( tc, every_node_of_a_big_machine );
  tcase_add_test( tc, cmdline_forms );
  tcase_add_test( tc, headroom );
  tcase_add_test( tc, exclusive );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
