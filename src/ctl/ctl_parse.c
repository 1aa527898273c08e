/* Strict argument parsing for fd_shmem_ctl. */

#include "ctl.h"

#include <errno.h>
#include <stdint.h>

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
