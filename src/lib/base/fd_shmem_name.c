/* Region names and page sizes: validation and conversion to and from
   text.  Pure functions; no state. */

#include "fd_shmem_name_key.h"

#include <string.h>
#include <strings.h>

size_t const fd_shmem_private_page_sz_desc[ FD_SHMEM_PRIVATE_PAGE_TYPE_CNT ] = {
  FD_SHMEM_GIGANTIC_PAGE_SZ, FD_SHMEM_HUGE_PAGE_SZ, FD_SHMEM_NORMAL_PAGE_SZ
};

unsigned char const fd_shmem_private_name_class[ 256 ] = {
  [ '0' ... '9' ] = FD_SHMEM_PRIVATE_NAME_ANY | FD_SHMEM_PRIVATE_NAME_FIRST,
  [ 'A' ... 'Z' ] = FD_SHMEM_PRIVATE_NAME_ANY | FD_SHMEM_PRIVATE_NAME_FIRST,
  [ 'a' ... 'z' ] = FD_SHMEM_PRIVATE_NAME_ANY | FD_SHMEM_PRIVATE_NAME_FIRST,
  [ '_' ] = FD_SHMEM_PRIVATE_NAME_ANY, [ '.' ] = FD_SHMEM_PRIVATE_NAME_ANY, [ '-' ] = FD_SHMEM_PRIVATE_NAME_ANY
};

FD_SHMEM_EXPORT size_t
fd_shmem_name_len( char const * name ) {
  return fd_shmem_private_name_check( name );
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
