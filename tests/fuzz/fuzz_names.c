/* libFuzzer harness: region names, page sizes and the domain path. */

#include <fdshmem/fd_shmem.h>

#include "fuzz_cstr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


static int
name_char( char c ) {
  return ( c>='a' && c<='z' ) || ( c>='A' && c<='Z' ) || ( c>='0' && c<='9' ) || c=='_' || c=='.' || c=='-';
}

int
LLVMFuzzerTestOneInput( uint8_t const * data, size_t sz ) {
  char * s = fuzz_cstr( data, sz );

  size_t len = fd_shmem_name_len( s );
  if( len ) {
    CHECK( len==strlen( s ) && len<FD_SHMEM_NAME_MAX );
    CHECK( name_char( s[0] ) && s[0]!='_' && s[0]!='.' && s[0]!='-' );
    for( size_t i=0; i<len; i++ ) CHECK( name_char( s[i] ) );
  }

  size_t page_sz = fd_cstr_to_shmem_page_sz( s );
  CHECK( !page_sz || fd_shmem_is_page_sz( page_sz ) );
  if( page_sz ) CHECK( fd_cstr_to_shmem_page_sz( fd_shmem_page_sz_to_cstr( page_sz ) )==page_sz );
  int lg = fd_cstr_to_shmem_lg_page_sz( s );
  CHECK( lg==-1 || lg==12 || lg==21 || lg==30 );
  if( lg!=-1 ) CHECK( fd_cstr_to_shmem_lg_page_sz( fd_shmem_lg_page_sz_to_cstr( lg ) )==lg );
  CHECK( strlen( fd_shmem_page_sz_to_cstr( page_sz ) )<FD_SHMEM_PAGE_SZ_CSTR_MAX );

  if( !fd_shmem_set_path( s ) ) {
    char const * p = fd_shmem_path();
    size_t n = strlen( p );
    CHECK( p[0]=='/' && n>1 && p[n-1]!='/' && !strncmp( p, s, n ) );
  }
  free( s );
  return 0;
}
