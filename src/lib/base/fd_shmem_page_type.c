/* Page types by name and size: the public conversions to and from
   text, and what each is called in a domain, all read from the table
   (fd_shmem_page_type.h).  Pure functions; no state. */

#include "fd_shmem_base.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

FD_SHMEM_EXPORT int
fd_shmem_is_page_sz( size_t page_sz ) {
  return !!fd_shmem_private_page_type_of( page_sz );
}

/* The entry cstr names: its word in any case, or in plain decimal its
   size in bytes (as_lg 0) or log2 (as_lg 1).  NULL for none. */
static fd_shmem_private_page_type_t const *
type_named( char const * cstr, int as_lg ) {
  for( size_t t=0UL; cstr && t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    fd_shmem_private_page_type_t const * pt = &fd_shmem_private_page_type[ t ];
    char num[ 24 ];
    if( as_lg ) snprintf( num, sizeof(num), "%d",  pt->lg_page_sz );
    else        snprintf( num, sizeof(num), "%zu", pt->page_sz );
    if( !strcasecmp( cstr, pt->word ) || !strcmp( cstr, num ) ) return pt;
  }
  return NULL;
}

FD_SHMEM_EXPORT size_t
fd_cstr_to_shmem_page_sz( char const * cstr ) {
  fd_shmem_private_page_type_t const * pt = type_named( cstr, 0 );
  return pt ? pt->page_sz : FD_SHMEM_UNKNOWN_PAGE_SZ;
}

FD_SHMEM_EXPORT int
fd_cstr_to_shmem_lg_page_sz( char const * cstr ) {
  fd_shmem_private_page_type_t const * pt = type_named( cstr, 1 );
  return pt ? pt->lg_page_sz : FD_SHMEM_UNKNOWN_LG_PAGE_SZ;
}

FD_SHMEM_EXPORT char const *
fd_shmem_page_sz_to_cstr( size_t page_sz ) {
  fd_shmem_private_page_type_t const * pt = fd_shmem_private_page_type_of( page_sz );
  return pt ? pt->word : "unknown";
}

FD_SHMEM_EXPORT char const *
fd_shmem_lg_page_sz_to_cstr( int lg_page_sz ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
    if( fd_shmem_private_page_type[ t ].lg_page_sz==lg_page_sz ) return fd_shmem_private_page_type[ t ].word;
  return "unknown";
}

char const *
fd_shmem_private_type_name( size_t page_sz ) {
  fd_shmem_private_page_type_t const * pt = fd_shmem_private_page_type_of( page_sz );
  return pt ? pt->dir : NULL;
}

char const *
fd_shmem_private_fs_name( size_t page_sz ) {
  fd_shmem_private_page_type_t const * pt = fd_shmem_private_page_type_of( page_sz );
  return pt ? pt->fs : NULL;
}
