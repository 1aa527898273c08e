/* libFuzzer harness: cpu sequences, checked against a naive reading. */

#include <fdshmem/fd_shmem.h>

#include "fuzz_cstr.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX (64UL)

int
LLVMFuzzerTestOneInput( uint8_t const * data, size_t sz ) {
  char * s = fuzz_cstr( data, sz );
  size_t cpu[ MAX ], cnt = 12345;
  int err = fd_shmem_cpu_seq_parse( s, cpu, MAX, &cnt );
  CHECK( err==0 || err==EINVAL || err==E2BIG );
  if( err ) CHECK( cnt==0 );
  else {
    CHECK( cnt>=1 && cnt<=MAX );
    /* every cpu is spelled in the input, and only these characters are */
    for( char const * p=s; *p; p++ ) CHECK( strchr( "0123456789,-/: \t\n\r\v\f", *p ) );
    if( !strpbrk( s, "-" ) ) {  /* a plain list: the items, in order */
      size_t i = 0;
      for( char * tok=strtok( s, "," ); tok; tok=strtok( NULL, "," ) )
        CHECK( i<cnt && strtoull( tok, NULL, 10 )==cpu[ i++ ] );
      CHECK( i==cnt );
    }
  }
  free( s );
  return 0;
}
