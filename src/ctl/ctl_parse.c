/* Argument parsing for fd_shmem_ctl: strict values, then each
   command's arguments. */

#include "ctl.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static int
parse_base( char const * s, unsigned base, size_t * out ) {
  if( !s || !s[0] ) return EINVAL;
  size_t v = 0UL;
  for( ; *s; s++ ) {
    unsigned d = (unsigned)( *s-'0' );
    if( d>=base ) return EINVAL;
    if( v > ( SIZE_MAX-d )/base ) return EINVAL;
    v = v*base + d;
  }
  *out = v;
  return 0;
}

int
ctl_parse_dec( char const * s, size_t * out ) {
  return parse_base( s, 10U, out );
}

int
ctl_parse_octal( char const * s, unsigned long * out, unsigned long max ) {
  size_t v;
  if( parse_base( s, 8U, &v ) || v>max ) return EINVAL;
  *out = (unsigned long)v;
  return 0;
}

int
ctl_parse_pool_type( char const * s, size_t * page_sz ) {
  size_t sz = fd_cstr_to_shmem_page_sz( s );
  if( sz!=FD_SHMEM_HUGE_PAGE_SZ && sz!=FD_SHMEM_GIGANTIC_PAGE_SZ ) return EINVAL;
  *page_sz = sz;
  return 0;
}

/* ---- each command's arguments ---- */

#define BAD_NAME    "bad region name (1-39 of A-Z a-z 0-9 _ . -, starting with a letter or digit)"
#define BAD_PAGE_SZ "PAGE_SZ must be 0 (any), normal, huge, gigantic or a page size in bytes"

/* PAGE_SZ where "0" means any type. */
static int
parse_page_sz_or_any( char const * s, size_t * page_sz ) {
  if( !strcmp( s, "0" ) ) { *page_sz = 0UL; return 0; }
  *page_sz = fd_cstr_to_shmem_page_sz( s );
  return *page_sz ? 0 : EINVAL;
}

int
ctl_parse_numa( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  if( ctl_parse_dec( argv[0], &args->idx ) ) return ctl_fail( ctl, EINVAL, "NUMA must be a node number" );
  return 0;
}

int
ctl_parse_cpu( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  if( ctl_parse_dec( argv[0], &args->idx ) ) return ctl_fail( ctl, EINVAL, "CPU must be a cpu number" );
  return 0;
}

int
ctl_parse_create( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  static size_t cpu_idx[ FD_SHMEM_CPU_MAX ];  /* scratch: only checked here */
  size_t cpu_cnt;
  args->name    = argv[0];
  args->page_sz = fd_cstr_to_shmem_page_sz( argv[2] );
  args->cpu_seq = argv[3];
  if( !fd_shmem_name_len( args->name ) ) return ctl_fail( ctl, EINVAL, BAD_NAME );
  if( ctl_parse_dec( argv[1], &args->cnt ) || !args->cnt ) return ctl_fail( ctl, EINVAL, "PAGE_CNT must be a positive number" );
  if( !args->page_sz ) return ctl_fail( ctl, EINVAL, "PAGE_SZ must be normal, huge, gigantic or a page size in bytes" );
  int err = fd_shmem_cpu_seq_parse( args->cpu_seq, cpu_idx, FD_SHMEM_CPU_MAX, &cpu_cnt );
  if( err ) return ctl_fail( ctl, err, "bad CPU_SEQ (e.g. 0, 0-3, 0-7/2, 1,3)" );
  for( size_t i=0UL; i<cpu_cnt; i++ )
    if( cpu_idx[i]>=fd_shmem_cpu_cnt() ) return ctl_fail( ctl, EINVAL, "cpu %zu does not exist (%zu cpus)", cpu_idx[i], fd_shmem_cpu_cnt() );
  if( ctl_parse_octal( argv[4], &args->mode, 07777UL ) ) return ctl_fail( ctl, EINVAL, "MODE must be octal permissions, e.g. 600" );
  return 0;
}

/* NAME PAGE_SZ of unlink. */
int
ctl_parse_region( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  args->name = argv[0];
  if( !fd_shmem_name_len( args->name ) ) return ctl_fail( ctl, EINVAL, BAD_NAME );
  if( parse_page_sz_or_any( argv[1], &args->page_sz ) ) return ctl_fail( ctl, EINVAL, BAD_PAGE_SZ );
  return 0;
}

/* query [NAME PAGE_SZ]: a bad NAME is an answer (its error is printed),
   a bad PAGE_SZ is not. */
int
ctl_parse_query( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  if( !args->given ) return 0;
  args->name = argv[0];
  if( parse_page_sz_or_any( argv[1], &args->page_sz ) ) return ctl_fail( ctl, EINVAL, BAD_PAGE_SZ );
  return 0;
}

int
ctl_parse_init( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  if( ctl_parse_octal( argv[0], &args->mode, 07777UL ) ) return ctl_fail( ctl, EINVAL, "PERM must be octal permissions, e.g. 700" );
  args->user  = argv[1];
  args->group = argv[2];
  return 0;
}

/* TYPE NUMA of alloc and free. */
static int
parse_pool( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  if( ctl_parse_pool_type( argv[0], &args->page_sz ) ) return ctl_fail( ctl, EINVAL, "TYPE must be huge or gigantic (normal pages have no pool)" );
  return ctl_parse_numa( ctl, argv+1, args );
}

int
ctl_parse_alloc( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  if( ctl_parse_dec( argv[0], &args->cnt ) ) return ctl_fail( ctl, EINVAL, "CNT must be a number of pages" );
  return parse_pool( ctl, argv+1, args );
}

int
ctl_parse_free( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  args->cnt = 0UL;
  return parse_pool( ctl, argv, args );
}

int
ctl_parse_file( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  args->file = args->given ? argv[0] : FD_SHMEM_CONF_PATH;
  if( !args->file[0] ) return ctl_fail( ctl, EINVAL, "FILE must not be empty" );
  return 0;
}
