/* Parser for cpu sequences such as "0-3,8,10-20/2". */

#include "fd_shmem_base.h"

#include <errno.h>
#include <stdint.h>

static char const *
skip_space( char const * p ) {
  while( *p==' ' || *p=='\t' || *p=='\n' || *p=='\r' || *p=='\v' || *p=='\f' ) p++;
  return p;
}

/* Parses a decimal number at *pp (after optional whitespace) into *out.
   Returns 0, or EINVAL when there is no digit or the value overflows. */
static int
parse_num( char const ** pp, size_t * out ) {
  char const * p = skip_space( *pp );
  if( *p<'0' || *p>'9' ) return EINVAL;
  size_t v = 0UL;
  for( ; *p>='0' && *p<='9'; p++ ) {
    size_t d = (size_t)( *p-'0' );
    if( v > ( SIZE_MAX-d )/10UL ) return EINVAL;
    v = v*10UL + d;
  }
  *pp  = skip_space( p );
  *out = v;
  return 0;
}

/* Appends lo, lo+stride, ... <= hi.  Returns 0 or E2BIG. */
static int
emit_range( size_t lo, size_t hi, size_t stride, size_t * cpu_idx, size_t cpu_max, size_t * cnt ) {
  for( size_t c=lo;; c+=stride ) {
    if( *cnt>=cpu_max ) return E2BIG;
    cpu_idx[ (*cnt)++ ] = c;
    if( hi-c < stride ) return 0;
  }
}

/* Parses one item "N", "A-B", "A-B/S" or "A-B:S" at *pp. */
static int
parse_item( char const ** pp, size_t * cpu_idx, size_t cpu_max, size_t * cnt ) {
  size_t lo, hi, stride = 1UL;
  if( parse_num( pp, &lo ) ) return EINVAL;
  hi = lo;
  if( **pp=='-' ) {
    (*pp)++;
    if( parse_num( pp, &hi ) || hi<lo ) return EINVAL;
    if( **pp=='/' || **pp==':' ) {
      (*pp)++;
      if( parse_num( pp, &stride ) || !stride ) return EINVAL;
    }
  }
  return emit_range( lo, hi, stride, cpu_idx, cpu_max, cnt );
}

FD_SHMEM_EXPORT int
fd_shmem_cpu_seq_parse( char const * cstr, size_t * cpu_idx, size_t cpu_max, size_t * cnt ) {
  if( !cnt ) return EINVAL;
  *cnt = 0UL;
  if( !cstr || ( !cpu_idx && cpu_max ) ) return EINVAL;
  char const * p = cstr;
  for(;;) {
    int err = parse_item( &p, cpu_idx, cpu_max, cnt );
    if( !err && *p==',' ) { p++; continue; }
    if( !err && *p ) err = EINVAL;
    if( err ) *cnt = 0UL;
    return err;
  }
}
