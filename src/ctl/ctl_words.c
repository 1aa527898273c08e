/* The words of fd_shmem_ctl: strict numbers, modes and page sizes,
   and how a value is quoted back.  A leaf: it calls only the public
   library API. */

#include "ctl_words.h"
#include "../lib/base/fd_shmem_escape.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <fdshmem/fd_shmem.h>

static int
parse_base( char const * s, unsigned base, size_t * out ) {
  if( !s || !s[0] ) return EINVAL;
  size_t v = 0UL;
  int big = 0;
  for( ; *s; s++ ) {
    unsigned d = (unsigned)( *s-'0' );
    if( d>=base ) return EINVAL;
    if( v > ( SIZE_MAX-d )/base ) big = 1;  /* keep going: junk later is still "not a number" */
    v = v*base + d;
  }
  if( big ) return ERANGE;
  *out = v;
  return 0;
}

char const *
ctl_dec_problem( char const * s, size_t * out ) {
  switch( parse_base( s, 10U, out ) ) {
  case 0:      break;
  case ERANGE: return "is too large";
  default:     return "is not a number";
  }
  /* The original tool reads 010 as octal 8, a decimal reader as 10:
     refusing it is the only answer that cannot surprise. */
  if( s[0]=='0' && s[1] ) return "has a leading zero (octal or decimal?): write it without";
  return NULL;
}

char const *
ctl_size_problem( char const * s, size_t * out ) {
  static char const units[] = "kmgt";
  size_t digits = strspn( s, "0123456789" );
  char   num[ 24 ];
  if( !digits || digits>=sizeof(num) ) return digits ? "is too large" : "is not a size (bytes, or 512M, 2G)";
  memcpy( num, s, digits );
  num[ digits ] = '\0';
  size_t v, mul = 1UL;
  char const * problem = ctl_dec_problem( num, &v );
  if( problem ) return problem;
  char const * u = s+digits;
  if( *u ) {
    char const * at = strchr( units, tolower( (unsigned char)*u ) );
    if( !at || !*at || ( u[1] && strcasecmp( u+1, "b" ) && strcasecmp( u+1, "ib" ) ) )
      return "has no known unit (k, M, G or T)";
    mul = 1UL<<( 10*( at-units+1 ) );
  }
  if( v>SIZE_MAX/mul ) return "is too large";
  *out = v*mul;
  return NULL;
}

int
ctl_parse_dec( char const * s, size_t * out ) {
  return ctl_dec_problem( s, out ) ? EINVAL : 0;
}

int
ctl_parse_octal( char const * s, unsigned long * out, unsigned long max ) {
  size_t v;
  int err = parse_base( s, 8U, &v );
  if( !err && v>max ) err = ERANGE;
  if( err ) return err;
  *out = (unsigned long)v;
  return 0;
}

/* Page sizes as the kernel and mount(8) write them: a number and a unit
   of k, M or G, with or without B or iB, in any case. */
static size_t
page_sz_with_unit( char const * s ) {
  static struct { char const * unit; size_t mul; } const units[] = {
    { "k", 1UL<<10 }, { "kb", 1UL<<10 }, { "kib", 1UL<<10 },
    { "m", 1UL<<20 }, { "mb", 1UL<<20 }, { "mib", 1UL<<20 },
    { "g", 1UL<<30 }, { "gb", 1UL<<30 }, { "gib", 1UL<<30 },
  };
  size_t digits = strspn( s, "0123456789" );
  if( !digits || digits>7 || s[0]=='0' ) return 0UL;
  size_t v = 0UL;
  for( size_t i=0; i<digits; i++ ) v = v*10UL + (size_t)( s[i]-'0' );
  for( size_t u=0; u<sizeof(units)/sizeof(units[0]); u++ )
    if( !strcasecmp( s+digits, units[u].unit ) && fd_shmem_is_page_sz( v*units[u].mul ) ) return v*units[u].mul;
  return 0UL;
}

size_t
ctl_page_sz( char const * s ) {
  size_t sz = fd_cstr_to_shmem_page_sz( s );
  return sz ? sz : page_sz_with_unit( s );
}

int
ctl_parse_pool_type( char const * s, size_t * page_sz ) {
  size_t sz = ctl_page_sz( s );
  if( !sz ) return EINVAL;
  if( sz==FD_SHMEM_NORMAL_PAGE_SZ ) return EDOM;
  *page_sz = sz;
  return 0;
}

char const *
ctl_pool_type_problem( int err ) {
  return err==EDOM ? ": normal pages have no pool (TYPE is huge or gigantic)"
                   : "is not a page type (huge, gigantic, 2M, 1G or the size in bytes)";
}

void
ctl_put_safe( FILE * f, char const * s ) {
  fd_shmem_escape_put( f, s );
}

char const *
ctl_cut( char const * s, char * buf, size_t buf_sz ) {
  size_t len = strlen( s );
  if( len<buf_sz ) return s;
  size_t head = ( buf_sz-4UL )/2UL, tail = buf_sz-4UL-head;  /* both ends of a path say the most */
  snprintf( buf, buf_sz, "%.*s...%s", (int)head, s, s+len-tail );
  return buf;
}

char const *
ctl_printable( char const * s, char * buf, size_t buf_sz ) {
  fd_shmem_escape( buf, buf_sz, &s );
  return buf;
}
