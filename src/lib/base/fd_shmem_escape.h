#ifndef FDSHMEM_SRC_LIB_BASE_FD_SHMEM_ESCAPE_H
#define FDSHMEM_SRC_LIB_BASE_FD_SHMEM_ESCAPE_H

/* The one escaper: how a text that may hold a name someone else chose
   (a file, a domain path, a process name: any byte but NUL) is shown.
   Control bytes, bytes of 0x7f and above and the backslash are written
   as \xHH, so a name cannot forge a line, pass for an escape or hide a
   byte (a UTF-8 BOM, a no-break space).  Used where text leaves for a
   person, once: the library's default log sink and fd_shmem_ctl's
   output.  Inline and standalone (no library symbol), because the tool
   links only the library's public API. */

#include <stddef.h>
#include <stdio.h>

/* Writes as much of *s as fits into buf (buf_sz of at least 5 bytes,
   NUL-terminated; an escape is never cut), escaped, and moves *s past
   what it wrote.  Returns the length written. */
static inline size_t
fd_shmem_escape( char * buf, size_t buf_sz, char const ** s ) {
  static char const hex[] = "0123456789abcdef";
  size_t n = 0UL;
  for( ; **s; (*s)++ ) {
    unsigned char c = (unsigned char)**s;
    int escaped = c<0x20 || c>=0x7f || c=='\\';
    if( n+( escaped ? 4UL : 1UL )>=buf_sz ) break;
    if( !escaped ) { buf[ n++ ] = (char)c; continue; }
    buf[ n++ ] = '\\';
    buf[ n++ ] = 'x';
    buf[ n++ ] = hex[ c>>4 ];
    buf[ n++ ] = hex[ c&0xf ];
  }
  buf[ n ] = '\0';
  return n;
}

/* Writes all of s to f, escaped. */
static inline void
fd_shmem_escape_put( FILE * f, char const * s ) {
  char buf[ 256 ];
  while( *s ) {
    fd_shmem_escape( buf, sizeof(buf), &s );
    fputs( buf, f );
  }
}

#endif /* FDSHMEM_SRC_LIB_BASE_FD_SHMEM_ESCAPE_H */
