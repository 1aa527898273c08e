/* What the commands' argument parsers share: how a bad argument is
   refused, counts, modes and page sizes on the line, and asking the
   library quietly.  Each command's parser is in its command's file;
   the strict values are in ctl_words.c. */

#include "ctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SHOWN_MAX   (80)  /* bytes of a bad argument quoted back */

/* Fails naming the argument what, its value (escaped) and problem
   (which reads after the value, or starts with ':'). */
int
ctl_bad_arg( ctl_t * ctl, char const * what, char const * s, char const * problem ) {
  char buf[ SHOWN_MAX+4 ];
  return ctl_fail( ctl, EINVAL, "%s \"%s\"%s%s", what, ctl_cut( s, buf, sizeof(buf) ),
                   problem[0]==':' ? "" : " ", problem );
}

/* A '-' and a digit: the option parser passed it on as a word, for
   the value's own name to refuse it. */
int
ctl_negative( char const * s ) {
  return s[0]=='-' && isdigit( (unsigned char)s[1] );
}

/* Refuses s, a negative number, as not a noun. */
int
ctl_bad_negative( ctl_t * ctl, char const * what, char const * s, char const * noun ) {
  char problem[ 64 ];
  snprintf( problem, sizeof(problem), "is not a %s: numbers cannot be negative", noun );
  return ctl_bad_arg( ctl, what, s, problem );
}

int
ctl_parse_count( ctl_t * ctl, char const * what, char const * noun, char const * s, size_t * out ) {
  if( ctl_negative( s ) ) return ctl_bad_negative( ctl, what, s, noun );
  char const * problem = ctl_dec_problem( s, out );
  return problem ? ctl_bad_arg( ctl, what, s, problem ) : 0;
}

int
ctl_parse_mode( ctl_t * ctl, char const * what, char const * s, unsigned long * mode ) {
  if( ctl_negative( s ) ) return ctl_bad_negative( ctl, what, s, "mode" );
  int err = ctl_parse_octal( s, mode, 07777UL );
  if( err==ERANGE ) return ctl_bad_arg( ctl, what, s, "is too large (octal permissions, at most 7777)" );
  if( err ) return ctl_bad_arg( ctl, what, s, "is not octal permissions (e.g. 600)" );
  return 0;
}

/* 1 unless the kernel is known to offer no pages of page_sz: no node
   has a pool of that size. */
int
ctl_page_sz_offered( size_t page_sz ) {
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ ) return 1;
  fd_shmem_pool_info_t info;
  for( size_t n=0UL; n<fd_shmem_numa_cnt(); n++ )
    if( fd_shmem_pool_query( page_sz, n, &info )!=EOPNOTSUPP ) return 1;
  return 0;
}

int
ctl_not_offered( ctl_t * ctl, char const * what, char const * s, size_t page_sz ) {
  return ctl_fail( ctl, EINVAL, "%s \"%s\": this kernel offers no %s pages", what, s,
                   fd_shmem_page_sz_to_cstr( page_sz ) );
}

/* PAGE_SZ where "0" means any type. */
int
ctl_parse_page_sz_or_any( char const * s, size_t * page_sz ) {
  if( !strcmp( s, "0" ) ) { *page_sz = 0UL; return 0; }
  *page_sz = ctl_page_sz( s );
  return *page_sz ? 0 : EINVAL;
}
