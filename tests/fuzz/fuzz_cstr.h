#ifndef FDSHMEM_TESTS_FUZZ_FUZZ_CSTR_H
#define FDSHMEM_TESTS_FUZZ_FUZZ_CSTR_H

/* Shared by the harnesses: fuzz input as a NUL-terminated string (the
   caller frees it), and an assertion that works in any build. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK( c ) do { if( !( c ) ) abort(); } while( 0 )

static inline char *
fuzz_cstr( uint8_t const * data, size_t sz ) {
  char * s = malloc( sz+1 );
  if( !s ) abort();
  memcpy( s, data, sz );
  s[sz] = '\0';
  return s;
}

int LLVMFuzzerTestOneInput( uint8_t const * data, size_t sz );

#endif /* FDSHMEM_TESTS_FUZZ_FUZZ_CSTR_H */
