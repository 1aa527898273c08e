#ifndef FDSHMEM_SRC_CTL_CTL_WORDS_H
#define FDSHMEM_SRC_CTL_CTL_WORDS_H

/* The words of fd_shmem_ctl (ctl_words.c), shared by the command line
   and the provisioning file. */

#include <stddef.h>
#include <stdio.h>

/* Strict parsers: the whole string, no sign, no junk, no
   overflow.  ctl_dec_problem returns NULL with *out set, or what is
   wrong with s ("is too large", ...) to follow its quoted value in a
   message; a leading zero is refused (octal or decimal is a guess).
   ctl_parse_dec returns 0 or EINVAL; ctl_parse_octal 0, EINVAL or
   ERANGE (above max). */
char const * ctl_dec_problem( char const * s, size_t * out );
/* A size in bytes: a decimal number, with a unit of k, M, G or T (B or
   iB after it, any case: powers of 1024) or none; NULL, or its problem
   as ctl_dec_problem gives it. */
char const * ctl_size_problem( char const * s, size_t * out );
int          ctl_parse_dec  ( char const * s, size_t * out );
int          ctl_parse_octal( char const * s, unsigned long * out, unsigned long max );
/* A page size as a type name, a byte count, or a size with a unit as
   the kernel writes it (4k, 2M, 2048kB, 1G, 1GB, any case); 0 if s is
   none of these. */
size_t       ctl_page_sz( char const * s );
/* A huge or gigantic page size as ctl_page_sz reads it: 0, EINVAL (not
   a page size) or EDOM (normal: it has no pool); ctl_pool_type_problem
   says which, to follow the quoted value. */
int          ctl_parse_pool_type  ( char const * s, size_t * page_sz );
char const * ctl_pool_type_problem( int err );

/* Copies s into buf (buf_sz bytes, at least 5) escaped by the one
   rule of base/fd_shmem_escape.h (control bytes, bytes of 0x7f and
   above and backslashes as \xHH), so a file name cannot forge a line of
   output and an invisible byte (a UTF-8 BOM, a no-break space) shows;
   returns buf. */
char const * ctl_printable( char const * s, char * buf, size_t buf_sz );

/* Writes s to f escaped as ctl_printable does: every line of
   diagnostics goes through it, and only it (messages hold values raw),
   so a name a domain's user chose cannot reach root's terminal raw or
   pass for another. */
void ctl_put_safe( FILE * f, char const * s );

/* s, or its first and last bytes around "..." written to buf (buf_sz
   bytes in all): a value quoted back in a message at a bounded length. */
char const * ctl_cut( char const * s, char * buf, size_t buf_sz );

#endif /* FDSHMEM_SRC_CTL_CTL_WORDS_H */
