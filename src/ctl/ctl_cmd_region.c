/* Region commands and their arguments: create, unlink and query. */

#include "ctl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits page_cnt over cpu_cnt subregions as evenly as possible, the
   earlier ones taking the remainder. */
static void
split_pages( size_t page_cnt, size_t cpu_cnt, size_t * sub_page_cnt ) {
  for( size_t i=0UL; i<cpu_cnt; i++ ) sub_page_cnt[i] = page_cnt/cpu_cnt + ( i < page_cnt%cpu_cnt );
}

int
ctl_cmd_create( ctl_t * ctl, ctl_args_t const * args ) {
  ctl_create_args_t const * a = &args->create;
  static size_t sub_page_cnt[ FD_SHMEM_CPU_MAX ];
  char const * type = fd_shmem_page_sz_to_cstr( a->page_sz );
  split_pages( a->page_cnt, a->cpu_cnt, sub_page_cnt );
  int err = fd_shmem_create_multi( a->name, a->page_sz, a->cpu_cnt, sub_page_cnt, a->cpu_idx, a->mode );
  if( err==EEXIST ) return ctl_fail( ctl, err, "a region of that name and page size already exists" );
  if( err==ENOENT )
    return ctl_fail( ctl, err, "no %s page directory in domain %s (see: fd_shmem_ctl init)", type, fd_shmem_path() );
  if( err ) return err;  /* ENOMEM: the library says how many pages it needs and has */
  char const * s = a->page_cnt==1UL ? "" : "s";
  if( ctl->dry_run ) printf( "would: create region %s (%s, %zu page%s over cpus %s, mode %04lo)\n", a->name, type,
                             a->page_cnt, s, a->cpu_seq, a->mode );
  else ctl_note( ctl, "created %s: %zu %s page%s", a->name, a->page_cnt, type, s );
  return 0;
}

int
ctl_cmd_unlink( ctl_t * ctl, ctl_args_t const * args ) {
  ctl_region_args_t const * a = &args->region;
  fd_shmem_info_t info = { 0 };
  int err = fd_shmem_info( a->name, a->page_sz, &info );
  if( err==ENOENT ) return ctl_fail( ctl, err, "no such region" );
  err = fd_shmem_unlink( a->name, err ? a->page_sz : info.page_sz );  /* a damaged region goes too */
  if( err==ENOENT ) return ctl_fail( ctl, err, "no such region" );
  if( !err && ctl->dry_run )
    printf( "would: unlink region %s (%s, %zu page%s)\n", a->name, fd_shmem_page_sz_to_cstr( info.page_sz ),
            info.page_cnt, info.page_cnt==1UL ? "" : "s" );
  return err;
}

/* Without arguments: the domain report.  With NAME PAGE_SZ: prints
   "ERR PAGE_CNT PAGE_SZ" (with --json, the same as an object); a missing
   region is an answer, not a failure. */
int
ctl_cmd_query( ctl_t * ctl, ctl_args_t const * args ) {
  if( !args->given ) return ctl_report( ctl );
  fd_shmem_info_t info = { 0 };
  int err = fd_shmem_info( args->region.name, args->region.page_sz, &info );
  if( err ) info.page_cnt = info.page_sz = 0UL;
  if( !ctl->json ) { printf( "%d %zu %zu\n", err, info.page_cnt, info.page_sz ); return 0; }
  printf( "{ \"name\": " );
  ctl_json_str( stdout, args->region.name );
  printf( ", \"errno\": %d, \"pages\": %zu, \"page_sz\": %zu }\n", err, info.page_cnt, info.page_sz );
  return 0;
}

/* ---- the arguments ---- */

#define BAD_NAME    "bad region name (1-39 of A-Z a-z 0-9 _ . -, starting with a letter or digit)"
#define BAD_PAGE_SZ "PAGE_SZ must be 0 (any), normal, huge, gigantic, a size such as 2M or 1G, or the size in bytes"

/* What is wrong with the numbers of a cpu sequence, NULL if nothing:
   the library reads each as decimal, the original tool read 010 as
   octal (refused here, as in counts), and a number past 64 bits is too
   large rather than malformed. */
static char const *
cpu_seq_number_problem( char const * s ) {
  for( char const * p=s; *p; ) {
    size_t digits = strspn( p, "0123456789" ), v;
    if( !digits ) { p++; continue; }
    char num[ 32 ];
    if( digits>=sizeof(num) ) return "has a number too large";
    memcpy( num, p, digits );
    num[ digits ] = '\0';
    char const * problem = ctl_dec_problem( num, &v );
    if( problem && num[0]=='0' ) return "has a number with a leading zero (octal or decimal?): write it without";
    if( problem ) return "has a number too large";
    p += digits;
  }
  return NULL;
}

/* Reads s into cpu_idx (room for FD_SHMEM_CPU_MAX) and *cpu_cnt. */
static int
parse_cpu_seq( ctl_t * ctl, char const * s, size_t * cpu_idx, size_t * cpu_cnt ) {
  if( ctl_negative( s ) ) return ctl_bad_negative( ctl, "CPU_SEQ", s, "cpu sequence" );
  char const * problem = cpu_seq_number_problem( s );
  if( problem ) return ctl_bad_arg( ctl, "CPU_SEQ", s, problem );
  int err = fd_shmem_cpu_seq_parse( s, cpu_idx, FD_SHMEM_CPU_MAX, cpu_cnt );
  if( err==E2BIG ) return ctl_bad_arg( ctl, "CPU_SEQ", s, "names more cpus than a region may span" );
  if( err ) return ctl_bad_arg( ctl, "CPU_SEQ", s, "is not a cpu sequence (e.g. 0, 0-3, 0-7/2, 1,3)" );
  for( size_t i=0UL; i<*cpu_cnt; i++ )
    if( cpu_idx[i]>=fd_shmem_cpu_cnt() )
      return ctl_fail( ctl, EINVAL, "cpu %zu does not exist (%zu cpus)", cpu_idx[i], fd_shmem_cpu_cnt() );
  return 0;
}

/* NAME PAGE_CNT PAGE_SZ. */
static int
parse_create_sizes( ctl_t * ctl, char ** argv, ctl_create_args_t * a ) {
  a->name    = argv[0];
  a->page_sz = ctl_page_sz( argv[2] );
  if( !fd_shmem_name_len( a->name ) ) return ctl_fail( ctl, EINVAL, BAD_NAME );
  int err = ctl_parse_count( ctl, "PAGE_CNT", "count", argv[1], &a->page_cnt );
  if( err ) return err;
  if( !a->page_cnt ) return ctl_bad_arg( ctl, "PAGE_CNT", argv[1], "must be at least 1" );
  if( !a->page_sz )
    return ctl_bad_arg( ctl, "PAGE_SZ", argv[2],
                    "is not a page size (normal, huge, gigantic, 4k, 2M, 1G or the size in bytes)" );
  if( a->page_cnt > (size_t)LONG_MAX/a->page_sz )  /* the most a file may hold */
    return ctl_fail( ctl, EINVAL, "PAGE_CNT \"%s\" is too large (at most %zu %s pages)", argv[1],
                     (size_t)LONG_MAX/a->page_sz, fd_shmem_page_sz_to_cstr( a->page_sz ) );
  if( !ctl_page_sz_offered( a->page_sz ) ) return ctl_not_offered( ctl, "PAGE_SZ", argv[2], a->page_sz );
  return 0;
}

/* The cpus are kept for the command (args->owned): it creates the
   region over exactly what was checked here. */
int
ctl_parse_create( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  ctl_create_args_t * a = &args->create;
  a->cpu_seq = argv[3];
  int err = parse_create_sizes( ctl, argv, a );
  if( err ) return err;
  size_t * cpu_idx = malloc( FD_SHMEM_CPU_MAX*sizeof(size_t) );
  if( !cpu_idx ) return ctl_fail( ctl, ENOMEM, "out of memory" );
  err = parse_cpu_seq( ctl, a->cpu_seq, cpu_idx, &a->cpu_cnt );
  if( !err ) err = ctl_parse_mode( ctl, "MODE", argv[4], &a->mode );
  if( err ) { free( cpu_idx ); return err; }
  a->cpu_idx = args->owned = cpu_idx;
  return 0;
}

/* NAME PAGE_SZ of unlink. */
int
ctl_parse_region( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  args->region.name = argv[0];
  if( !fd_shmem_name_len( args->region.name ) ) return ctl_fail( ctl, EINVAL, BAD_NAME );
  if( ctl_parse_page_sz_or_any( argv[1], &args->region.page_sz ) ) return ctl_fail( ctl, EINVAL, BAD_PAGE_SZ );
  return 0;
}

/* query [NAME PAGE_SZ]: a bad NAME is an answer (its error is printed),
   a bad PAGE_SZ is not. */
int
ctl_parse_query( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  if( !args->given ) return 0;
  args->region.name = argv[0];
  if( ctl_parse_page_sz_or_any( argv[1], &args->region.page_sz ) ) return ctl_fail( ctl, EINVAL, BAD_PAGE_SZ );
  return 0;
}
