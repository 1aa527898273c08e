/* Reasons as data: the failure a call leaves in its thread, and the one
   helper every failure site records it through (it logs the same text). */

#include "fd_shmem_base.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Written only on failure: a call that succeeds pays nothing.  fresh
   says the reason was recorded by the call now returning (the errset
   filter consumes it at the public exit). */
static __thread fd_shmem_reason_t last;
static __thread int               have;
static __thread int               fresh;

static void
record( int err, int what, char const * path, fd_shmem_private_figs_t const * figs ) {
  last.what     = what;
  last.err      = err;
  last.sys_err  = 0;
  last.worded   = 1;
  last.needed   = figs ? figs->needed   : 0UL;
  last.had      = figs ? figs->had      : 0UL;
  last.page_sz  = figs ? figs->page_sz  : 0UL;
  last.numa_idx = figs ? figs->numa_idx : FD_SHMEM_IDX_NULL;
  size_t len = path ? strnlen( path, sizeof(last.path)-1UL ) : 0UL;
  memcpy( last.path, path ? path : "", len );
  last.path[ len ] = '\0';
  have  = 1;
  fresh = 1;
}

/* Returns 1 if the text was cut. */
__attribute__(( format( printf, 5, 0 ) )) static int
note( int err, int what, char const * path, fd_shmem_private_figs_t const * figs, char const * fmt, va_list ap ) {
  record( err, what, path, figs );
  int len = vsnprintf( last.text, sizeof(last.text), fmt, ap );
  if( len<0 ) last.text[0] = '\0';
  return len>=(int)sizeof(last.text);
}

int
fd_shmem_private_fail( int err, int what, char const * path, fd_shmem_private_figs_t const * figs,
                       char const * fmt, ... ) {
  va_list ap;
  va_start( ap, fmt );
  int cut = note( err, what, path, figs, fmt, ap );
  va_end( ap );
  if( !cut ) { FD_SHMEM_PRIVATE_WARN( "%s", last.text ); return err; }
  char * whole = NULL;  /* the log gets it whole, however long */
  va_start( ap, fmt );
  if( vasprintf( &whole, fmt, ap )<0 ) whole = NULL;
  va_end( ap );
  FD_SHMEM_PRIVATE_WARN( "%s", whole ? whole : last.text );
  free( whole );
  return err;
}

int
fd_shmem_private_quiet_fail( int err, int what, char const * path, fd_shmem_private_figs_t const * figs,
                             char const * fmt, ... ) {
  va_list ap;
  va_start( ap, fmt );
  note( err, what, path, figs, fmt, ap );
  va_end( ap );
  return err;
}

void
fd_shmem_private_reason_sys_err( int err, int sys_err, char const * domain, char const * text ) {
  if( !fresh || last.err!=sys_err ) {  /* the call's own reason is about another code */
    record( err, FD_SHMEM_REASON_SYSTEM, domain, NULL );
    snprintf( last.text, sizeof(last.text), "%s", text );
    last.worded = 0;
  }
  last.err     = err;
  last.sys_err = sys_err;
}

/* What a code means when the site that returned it recorded nothing. */
static int
what_of_err( int err ) {
  switch( err ) {
  case EINVAL:     return FD_SHMEM_REASON_ARG;
  case EEXIST:     return FD_SHMEM_REASON_EXISTS;
  case ENOENT:
  case ENODEV:     return FD_SHMEM_REASON_MISSING;
  case ENOTDIR:    return FD_SHMEM_REASON_NOT_DOMAIN;
  case EFAULT:     return FD_SHMEM_REASON_NOT_REGION;
  case EBUSY:      return FD_SHMEM_REASON_HELD;
  case EACCES:
  case EPERM:      return FD_SHMEM_REASON_NO_PRIV;
  case ENOMEM:
  case E2BIG:      return FD_SHMEM_REASON_NO_ROOM;
  case EOPNOTSUPP: return FD_SHMEM_REASON_KERNEL;
  default:         return FD_SHMEM_REASON_SYSTEM;
  }
}

void
fd_shmem_private_reason_exit( char const * fn, int err ) {
  if( !err ) { fresh = 0; return; }
  if( !fresh || last.err!=err ) {
    record( err, what_of_err( err ), NULL, NULL );
    snprintf( last.text, sizeof(last.text), "%s: %s", fn, strerror( err ) );
    last.worded = 0;
  }
  fresh = 0;
}

FD_SHMEM_EXPORT int
fd_shmem_last_reason( fd_shmem_reason_t * out ) {
  if( !out ) return EINVAL;
  if( !have ) {
    memset( out, 0, sizeof(*out) );
    out->numa_idx = FD_SHMEM_IDX_NULL;
    return ENOENT;
  }
  *out = last;
  return 0;
}

FD_SHMEM_EXPORT void
fd_shmem_reason_clear( void ) {
  have  = 0;
  fresh = 0;
}

FD_SHMEM_EXPORT char const *
fd_shmem_reason_what_cstr( int what ) {
  static char const * const words[] = {
    [FD_SHMEM_REASON_NONE      ] = "none",
    [FD_SHMEM_REASON_ARG       ] = "bad argument",
    [FD_SHMEM_REASON_NO_ROOM   ] = "no room",
    [FD_SHMEM_REASON_NOT_DOMAIN] = "not a domain",
    [FD_SHMEM_REASON_TYPE_STATE] = "page type in the wrong state",
    [FD_SHMEM_REASON_EXISTS    ] = "exists",
    [FD_SHMEM_REASON_MISSING   ] = "missing",
    [FD_SHMEM_REASON_HELD      ] = "held",
    [FD_SHMEM_REASON_NO_PRIV   ] = "not permitted",
    [FD_SHMEM_REASON_KERNEL    ] = "not offered by the kernel",
    [FD_SHMEM_REASON_NOT_REGION] = "not a region",
    [FD_SHMEM_REASON_SYSTEM    ] = "system error",
  };
  if( what<0 || (size_t)what>=sizeof(words)/sizeof(words[0]) ) return "unknown";
  return words[ what ];
}
