/* Region names and page sizes: validation and conversion to and from
   text.  Pure functions; no state. */

#include "fd_shmem_private.h"

#include <string.h>
#include <strings.h>

size_t const fd_shmem_private_page_sz_desc[ FD_SHMEM_PRIVATE_PAGE_TYPE_CNT ] = {
  FD_SHMEM_GIGANTIC_PAGE_SZ, FD_SHMEM_HUGE_PAGE_SZ, FD_SHMEM_NORMAL_PAGE_SZ
};

static int
name_alnum( unsigned char c ) {
  return (unsigned)( ( c | 0x20U ) - 'a' ) < 26U || (unsigned)( c - '0' ) < 10U;
}

static int
name_char_ok( unsigned char c ) {
  return name_alnum( c ) || c=='_' || c=='.' || c=='-';
}

size_t
fd_shmem_private_name_key( char const * name, fd_shmem_private_name_t * key ) {
  if( !name || !name_alnum( (unsigned char)name[0] ) ) return 0UL;
  for( size_t i=0UL; i<FD_SHMEM_NAME_MAX/8UL; i++ ) key->w[i] = 0UL;
  size_t len = 0UL;
  for( ; name[len]; len++ ) {
    if( len>=FD_SHMEM_NAME_MAX-1UL || !name_char_ok( (unsigned char)name[len] ) ) return 0UL;
    key->c[len] = name[len];
  }
  return len;
}

FD_SHMEM_EXPORT size_t
fd_shmem_name_len( char const * name ) {
  fd_shmem_private_name_t key;
  return fd_shmem_private_name_key( name, &key );
}

FD_SHMEM_EXPORT int
fd_shmem_is_page_sz( size_t page_sz ) {
  return page_sz==FD_SHMEM_NORMAL_PAGE_SZ || page_sz==FD_SHMEM_HUGE_PAGE_SZ ||
         page_sz==FD_SHMEM_GIGANTIC_PAGE_SZ;
}

static int
lg_from_page_sz( size_t page_sz ) {
  switch( page_sz ) {
  case FD_SHMEM_NORMAL_PAGE_SZ:   return FD_SHMEM_NORMAL_LG_PAGE_SZ;
  case FD_SHMEM_HUGE_PAGE_SZ:     return FD_SHMEM_HUGE_LG_PAGE_SZ;
  case FD_SHMEM_GIGANTIC_PAGE_SZ: return FD_SHMEM_GIGANTIC_LG_PAGE_SZ;
  default:                        return FD_SHMEM_UNKNOWN_LG_PAGE_SZ;
  }
}

/* The page size named by cstr ("normal", "huge", "gigantic", any case),
   or 0. */
static size_t
page_sz_from_type_name( char const * cstr ) {
  if( !strcasecmp( cstr, "normal"   ) ) return FD_SHMEM_NORMAL_PAGE_SZ;
  if( !strcasecmp( cstr, "huge"     ) ) return FD_SHMEM_HUGE_PAGE_SZ;
  if( !strcasecmp( cstr, "gigantic" ) ) return FD_SHMEM_GIGANTIC_PAGE_SZ;
  return FD_SHMEM_UNKNOWN_PAGE_SZ;
}

FD_SHMEM_EXPORT size_t
fd_cstr_to_shmem_page_sz( char const * cstr ) {
  if( !cstr ) return FD_SHMEM_UNKNOWN_PAGE_SZ;
  size_t page_sz = page_sz_from_type_name( cstr );
  if( page_sz ) return page_sz;
  if( !strcmp( cstr, "4096"       ) ) return FD_SHMEM_NORMAL_PAGE_SZ;
  if( !strcmp( cstr, "2097152"    ) ) return FD_SHMEM_HUGE_PAGE_SZ;
  if( !strcmp( cstr, "1073741824" ) ) return FD_SHMEM_GIGANTIC_PAGE_SZ;
  return FD_SHMEM_UNKNOWN_PAGE_SZ;
}

FD_SHMEM_EXPORT int
fd_cstr_to_shmem_lg_page_sz( char const * cstr ) {
  if( !cstr ) return FD_SHMEM_UNKNOWN_LG_PAGE_SZ;
  size_t page_sz = page_sz_from_type_name( cstr );
  if( page_sz ) return lg_from_page_sz( page_sz );
  if( !strcmp( cstr, "12" ) ) return FD_SHMEM_NORMAL_LG_PAGE_SZ;
  if( !strcmp( cstr, "21" ) ) return FD_SHMEM_HUGE_LG_PAGE_SZ;
  if( !strcmp( cstr, "30" ) ) return FD_SHMEM_GIGANTIC_LG_PAGE_SZ;
  return FD_SHMEM_UNKNOWN_LG_PAGE_SZ;
}

FD_SHMEM_EXPORT char const *
fd_shmem_page_sz_to_cstr( size_t page_sz ) {
  switch( page_sz ) {
  case FD_SHMEM_NORMAL_PAGE_SZ:   return "normal";
  case FD_SHMEM_HUGE_PAGE_SZ:     return "huge";
  case FD_SHMEM_GIGANTIC_PAGE_SZ: return "gigantic";
  default:                        return "unknown";
  }
}

FD_SHMEM_EXPORT char const *
fd_shmem_lg_page_sz_to_cstr( int lg_page_sz ) {
  switch( lg_page_sz ) {
  case FD_SHMEM_NORMAL_LG_PAGE_SZ:   return "normal";
  case FD_SHMEM_HUGE_LG_PAGE_SZ:     return "huge";
  case FD_SHMEM_GIGANTIC_LG_PAGE_SZ: return "gigantic";
  default:                           return "unknown";
  }
}
