/* libFuzzer harness: the provisioning file parser. */

#include "../../src/ctl/ctl_conf.h"

#include "fuzz_cstr.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


int
LLVMFuzzerTestOneInput( uint8_t const * data, size_t sz ) {
  static ctl_conf_t conf;
  if( !sz ) return 0;
  FILE * f = fmemopen( (void *)data, sz, "r" );
  if( !f ) return 0;
  int err = ctl_conf_parse( &conf, f, "fuzz.conf", 4UL );
  fclose( f );
  CHECK( err==0 || err==EINVAL );
  if( err ) { CHECK( !strncmp( conf.err, "fuzz.conf:", 10 ) ); return 0; }
  CHECK( conf.mode<=07777UL && conf.pages_cnt<=CTL_CONF_PAGES_MAX );
  CHECK( !conf.path[0] || conf.path[0]=='/' );
  for( size_t i=0; i<conf.pages_cnt; i++ ) {
    ctl_conf_pages_t const * p = &conf.pages[i];
    CHECK( p->page_sz==2097152UL || p->page_sz==1073741824UL );
    CHECK( p->numa<4UL || p->numa==CTL_CONF_ALL_NODES );
  }
  return 0;
}
