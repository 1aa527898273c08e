#ifndef FDSHMEM_SRC_LIB_BASE_FD_SHMEM_BASE_H
#define FDSHMEM_SRC_LIB_BASE_FD_SHMEM_BASE_H

/* Internal to libfdshmem: the base layer (this folder).  Pure: tables,
   names, text, the log, error sets and the domain path string; no
   /sys or /proc access, no libnuma call, and no call to a layer above
   (the link of libprobe_base.la checks it). */

#include "config.h"
#include <fdshmem/fd_shmem.h>
#include "fd_shmem_page_type.h"

#include <stdint.h>

/* Marks a definition as part of the ABI (the build hides everything
   else; libfdshmem.sym then picks what is exported). */
#define FD_SHMEM_EXPORT __attribute__(( visibility( "default" ) ))

/* The plural ending of a count word: "1 page", "2 pages". */
#define FD_SHMEM_PRIVATE_S( n ) ( (n)==1UL ? "" : "s" )

#define FD_SHMEM_PRIVATE_DEFAULT_PATH "/mnt/.fd"

/* ---- logging (fd_shmem_log.c) ---- */

void fd_shmem_private_log( int level, char const * fmt, ... )
  __attribute__(( format( printf, 2, 3 ) ));

#define FD_SHMEM_PRIVATE_WARN( ... )  fd_shmem_private_log( FD_SHMEM_LOG_WARNING, __VA_ARGS__ )
#define FD_SHMEM_PRIVATE_NOTE( ... )  fd_shmem_private_log( FD_SHMEM_LOG_NOTICE,  __VA_ARGS__ )
#define FD_SHMEM_PRIVATE_DBG( ... )   fd_shmem_private_log( FD_SHMEM_LOG_DEBUG,   __VA_ARGS__ )

/* ---- reasons (fd_shmem_reason.c) ---- */

/* Figures of a reason (fd_shmem_reason_t needed, had, page_sz, numa_idx). */
typedef struct fd_shmem_private_figs {
  size_t needed, had, page_sz, numa_idx;
} fd_shmem_private_figs_t;

/* Records this thread's reason (what, path: NULL none, figs: NULL none)
   and logs the text at warning.  Returns err, so a site reads
   "return fd_shmem_private_fail( EINVAL, ... );". */
int fd_shmem_private_fail( int err, int what, char const * path, fd_shmem_private_figs_t const * figs,
                           char const * fmt, ... )
  __attribute__(( format( printf, 5, 6 ) ));

/* The same, not logged: a refusal the caller words itself (a region
   that exists) or a question (the check calls). */
int fd_shmem_private_quiet_fail( int err, int what, char const * path, fd_shmem_private_figs_t const * figs,
                                 char const * fmt, ... )
  __attribute__(( format( printf, 5, 6 ) ));

/* The catch-all turned sys_err into err (EIO): the reason of this call
   gets both (if the call recorded none for sys_err: a SYSTEM one on
   path domain, NULL none, with text). */
void fd_shmem_private_reason_sys_err( int err, int sys_err, char const * domain, char const * text );

/* Called as public function fn returns err: a failure whose site
   recorded no reason gets one from the code alone. */
void fd_shmem_private_reason_exit( char const * fn, int err );

/* ---- domain paths (fd_shmem_path.c) ---- */

/* Copies domain path (NULL: the current one) without trailing slashes
   into buf.  Returns 0 or EINVAL (unusable or too long). */
int fd_shmem_private_domain_path( char const * path, char * buf, size_t buf_sz );

/* Writes "DOMAIN/.TYPE" for page size page_sz into buf (buf_sz bytes).
   Returns 0, EINVAL (bad page size) or ENAMETOOLONG. */
int fd_shmem_private_type_dir( size_t page_sz, char * buf, size_t buf_sz );

/* Opens "DOMAIN/.TYPE" as an O_PATH|O_DIRECTORY descriptor without
   following a final symlink.  Returns the fd, or -1 with errno set. */
int fd_shmem_private_open_type_dir( size_t page_sz );

/* ---- page types (fd_shmem_page_type.c) ---- */

/* The page type's directory in a domain (".huge") and the file system
   mounted there, from the table; NULL for no page size. */
char const * fd_shmem_private_type_name( size_t page_sz );
char const * fd_shmem_private_fs_name  ( size_t page_sz );

/* ---- dry runs (fd_shmem_dry_run.c) ---- */

/* 1 while fd_shmem_set_dry_run is on: a call that would change the
   machine checks everything, then returns what it would return. */
int fd_shmem_private_dry_run( void );

/* ---- small helpers ---- */

static inline int
fd_shmem_private_is_aligned( void const * p, size_t a ) {
  return !( (uintptr_t)p & (uintptr_t)(a-1UL) );
}

#endif /* FDSHMEM_SRC_LIB_BASE_FD_SHMEM_BASE_H */
