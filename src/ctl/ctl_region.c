/* Topology and region commands (the original tool's). */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define NO_IDX ((size_t)-1)

static void
print_idx( size_t idx ) {
  if( idx==NO_IDX ) puts( "-" );
  else              printf( "%zu\n", idx );
}

int ctl_cmd_cpu_cnt ( ctl_t * ctl, char ** argv ) { (void)ctl; (void)argv; printf( "%zu\n", fd_shmem_cpu_cnt()  ); return 0; }
int ctl_cmd_numa_cnt( ctl_t * ctl, char ** argv ) { (void)ctl; (void)argv; printf( "%zu\n", fd_shmem_numa_cnt() ); return 0; }

int
ctl_cmd_cpu_idx( ctl_t * ctl, char ** argv ) {
  size_t numa;
  if( ctl_parse_dec( argv[0], &numa ) ) return ctl_fail( ctl, EINVAL, "NUMA must be a node number" );
  print_idx( fd_shmem_cpu_idx( numa ) );
  return 0;
}

int
ctl_cmd_numa_idx( ctl_t * ctl, char ** argv ) {
  size_t cpu;
  if( ctl_parse_dec( argv[0], &cpu ) ) return ctl_fail( ctl, EINVAL, "CPU must be a cpu number" );
  print_idx( fd_shmem_numa_idx( cpu ) );
  return 0;
}

/* Splits page_cnt over cpu_cnt subregions as evenly as possible, the
   earlier ones taking the remainder. */
static void
split_pages( size_t page_cnt, size_t cpu_cnt, size_t * sub_page_cnt ) {
  for( size_t i=0UL; i<cpu_cnt; i++ ) sub_page_cnt[i] = page_cnt/cpu_cnt + ( i < page_cnt%cpu_cnt );
}

int
ctl_cmd_create( ctl_t * ctl, char ** argv ) {
  char const * name = argv[0];
  size_t page_cnt, page_sz = fd_cstr_to_shmem_page_sz( argv[2] ), cpu_cnt;
  unsigned long mode;
  static size_t cpu_idx[ FD_SHMEM_CPU_MAX ], sub_page_cnt[ FD_SHMEM_CPU_MAX ];
  if( !fd_shmem_name_len( name ) )
    return ctl_fail( ctl, EINVAL, "bad region name (1-39 of A-Z a-z 0-9 _ . -, starting with a letter or digit)" );
  if( ctl_parse_dec( argv[1], &page_cnt ) || !page_cnt ) return ctl_fail( ctl, EINVAL, "PAGE_CNT must be a positive number" );
  if( !page_sz ) return ctl_fail( ctl, EINVAL, "PAGE_SZ must be normal, huge, gigantic or a page size in bytes" );
  int err = fd_shmem_cpu_seq_parse( argv[3], cpu_idx, FD_SHMEM_CPU_MAX, &cpu_cnt );
  if( err ) return ctl_fail( ctl, err, "bad CPU_SEQ (e.g. 0, 0-3, 0-7/2, 1,3)" );
  for( size_t i=0UL; i<cpu_cnt; i++ )
    if( cpu_idx[i]>=fd_shmem_cpu_cnt() ) return ctl_fail( ctl, EINVAL, "cpu %zu does not exist (%zu cpus)", cpu_idx[i], fd_shmem_cpu_cnt() );
  if( ctl_parse_octal( argv[4], &mode, 07777UL ) ) return ctl_fail( ctl, EINVAL, "MODE must be octal permissions, e.g. 600" );
  split_pages( page_cnt, cpu_cnt, sub_page_cnt );
  err = fd_shmem_create_multi( name, page_sz, cpu_cnt, sub_page_cnt, cpu_idx, mode );
  if( err==EEXIST ) return ctl_fail( ctl, err, "a region of that name and page size already exists" );
  if( err==ENOMEM ) return ctl_fail( ctl, err, "not enough free %s pages (see: fd_shmem_ctl query)", fd_shmem_page_sz_to_cstr( page_sz ) );
  if( err==ENOENT ) return ctl_fail( ctl, err, "no %s page directory in domain %s (see: fd_shmem_ctl init)", fd_shmem_page_sz_to_cstr( page_sz ), fd_shmem_path() );
  if( !err ) ctl_note( ctl, "created %s: %zu %s pages", name, page_cnt, fd_shmem_page_sz_to_cstr( page_sz ) );
  return err;
}

int
ctl_cmd_unlink( ctl_t * ctl, char ** argv ) {
  int err = fd_shmem_unlink( argv[0], fd_cstr_to_shmem_page_sz( argv[1] ) );
  if( err==ENOENT ) return ctl_fail( ctl, err, "no such region" );
  if( err==EINVAL ) return ctl_fail( ctl, err, "bad region name" );
  return err;
}

/* Prints "ERR PAGE_CNT PAGE_SZ"; a missing region is an answer, not a
   failure. */
int
ctl_cmd_query_one( ctl_t * ctl, char ** argv ) {
  (void)ctl;
  fd_shmem_info_t info = { 0 };
  int err = fd_shmem_info( argv[0], fd_cstr_to_shmem_page_sz( argv[1] ), &info );
  if( err ) info.page_cnt = info.page_sz = 0UL;
  printf( "%d %zu %zu\n", err, info.page_cnt, info.page_sz );
  return 0;
}
