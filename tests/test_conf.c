/* The provisioning file parser: good files and every class of bad one. */

#include "fdt.h"

#include "../src/ctl/ctl_conf.h"

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

START_TEST( bad_files ) {
  refuse( "colour = blue\n", "test.conf:1: unknown key \"colour\"" );
  refuse( "\n\npath /mnt/.fd\n", "test.conf:3: expected KEY = VALUE" );
  refuse( "= 5\n", "unknown key \"\"" );
  refuse( "path = relative/dir\n", "absolute" );
  refuse( "path =\n", "absolute" );
  refuse( "path = /\n", "absolute" );
  refuse( "path = /a b\n", "absolute" );
  refuse( "path = /a\npath = /b\n", "test.conf:2: path conflicts with line 1" );
  refuse( "mode = 0800\n", "octal" );
  refuse( "mode = 700x\n", "octal" );
  refuse( "mode = -700\n", "octal" );
  refuse( "mode = 17777\n", "octal" );
  refuse( "mode =\n", "octal" );
  refuse( "mode = 0700\nmode = 0750\n", "mode conflicts with line 1" );
  refuse( "user = a b\n", "user must be a user or group name" );
  refuse( "user = ../../x\n", "user must be" );
  refuse( "group = 0123456789012345678901234567890123\n", "group must be" );
  refuse( "user = a\nuser = b\n", "user conflicts with line 1" );
  refuse( "pages = huge 0\n", "pages needs TYPE NODE COUNT" );
  refuse( "pages = huge 0 1 2\n", "pages needs TYPE NODE COUNT" );
  refuse( "pages =\n", "pages needs" );
  refuse( "pages = normal 0 4\n", "huge or gigantic" );
  refuse( "pages = jumbo 0 4\n", "huge or gigantic" );
  refuse( "pages = huge 2 4\n", "node 2 does not exist (this machine has 2)" );
  refuse( "pages = huge -1 4\n", "node must be a node number or \"all\"" );
  refuse( "pages = huge 0x1 4\n", "node must be" );
  refuse( "pages = huge some 4\n", "node must be" );
  refuse( "pages = huge 0 -4\n", "page count must be a number" );
  refuse( "pages = huge 0 4k\n", "page count must be a number" );
  refuse( "pages = huge 0 99999999999999999999999\n", "page count must be a number" );
  refuse( "pages = huge 0 +4\n", "page count must be a number" );
  refuse( "pages = huge 0 4\npages = huge 0 5\n", "test.conf:2: pages conflicts with line 1" );
  refuse( "pages = huge all 4\npages = huge 1 5\n", "pages conflicts with line 1" );
  refuse( "pages = gigantic 1 5\npages = gigantic all 4\n", "pages conflicts with line 1" );

  char nul[] = "path = /mnt/.fd\nmode = 07\0000\n";
  FILE * f = fmemopen( nul, sizeof(nul)-1, "r" );
  ck_assert_int_eq( ctl_conf_parse( &conf, f, "test.conf", NUMA_CNT ), EINVAL );
  fclose( f );
  ck_assert_ptr_nonnull( strstr( conf.err, "test.conf:2: unexpected NUL" ) );

  char * lng = malloc( 3000 );
  memset( lng, '#', 2999 ); lng[2999] = '\0';
  refuse( lng, "test.conf:1: line longer than 1024" );
  free( lng );

  char many[ 4096 ] = "";
  for( int i=0; i<=CTL_CONF_PAGES_MAX; i++ ) strcat( many, "pages = huge 0 1\n" );
  refuse( many, "too many pages lines" );
}
END_TEST

int
main( void ) {
  Suite * s  = suite_create( "conf" );
  TCase * tc = tcase_create( "parse" );
  tcase_add_test( tc, good_files );
  tcase_add_test( tc, bad_files );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
