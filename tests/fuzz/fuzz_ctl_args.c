/* libFuzzer harness: fd_shmem_ctl's strict number and type parsers. */

#include "../../src/ctl/ctl.h"

#include "fuzz_cstr.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


int
LLVMFuzzerTestOneInput( uint8_t const * data, size_t sz ) {
  char * s = fuzz_cstr( data, sz );
  size_t v;
  if( !ctl_parse_dec( s, &v ) ) {
    CHECK( s[0] && strspn( s, "0123456789" )==strlen( s ) );
    errno = 0;
    CHECK( strtoull( s, NULL, 10 )==v && !errno );
  }
  unsigned long mode;
  if( !ctl_parse_octal( s, &mode, 07777UL ) ) CHECK( mode<=07777UL && s[0] && strspn( s, "01234567" )==strlen( s ) );
  size_t page_sz;
  if( !ctl_parse_pool_type( s, &page_sz ) ) CHECK( page_sz==2097152UL || page_sz==1073741824UL );
  free( s );
  return 0;
}
