/* What --json writes beyond the report itself: strings, and the error
   object a failed command leaves on stdout in place of its output. */

#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ctl_json_str( FILE * f, char const * s ) {
  size_t shown_sz = 4UL*strlen( s )+8UL;  /* each byte may become \xHH */
  char * shown    = malloc( shown_sz );
  if( shown ) ctl_printable( s, shown, shown_sz );
  fputc( '"', f );
  for( char const * c=shown ? shown : "(out of memory)"; *c; c++ ) {
    if( *c=='"' || *c=='\\' ) fputc( '\\', f );
    fputc( *c, f );
  }
  fputc( '"', f );
  free( shown );
}

void
ctl_json_error( char ** argv, int argc, int err, char const * message ) {
  char * command = NULL;
  size_t len = 0UL;
  FILE * words = open_memstream( &command, &len );
  for( int i=0; words && i<argc; i++ ) fprintf( words, "%s%s", i ? " " : "", argv[i] );
  if( words ) fclose( words );
  printf( "{\n  \"error\": {\n    \"command\": " );
  ctl_json_str( stdout, command ? command : argv[0] );
  printf( ",\n    \"errno\": %d,\n    \"message\": ", err );
  ctl_json_str( stdout, message );
  printf( "\n  }\n}\n" );
  fflush( stdout );
  free( command );
}
