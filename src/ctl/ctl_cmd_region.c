/* Region commands: create, unlink and query. */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>

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
