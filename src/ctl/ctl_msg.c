/* The tool's messages: the reason a command fails (ctl->why) and
   progress for a person. */

#include "ctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The message of fmt, allocated (NULL: out of memory). */
static char * msg_vprintf( char const * fmt, va_list ap ) __attribute__(( format( printf, 1, 0 ) ));

static char *
msg_vprintf( char const * fmt, va_list ap ) {
  va_list again;
  va_copy( again, ap );
  int len = vsnprintf( NULL, 0, fmt, ap );
  char * msg = len<0 ? NULL : malloc( (size_t)len+1UL );
  if( msg ) vsnprintf( msg, (size_t)len+1UL, fmt, again );
  va_end( again );
  return msg;
}

char *
ctl_msg_new( char const * fmt, ... ) {
  va_list ap;
  va_start( ap, fmt );
  char * msg = msg_vprintf( fmt, ap );
  va_end( ap );
  return msg;
}

int
ctl_fail( ctl_t * ctl, int err, char const * fmt, ... ) {
  va_list ap;
  va_start( ap, fmt );
  char * msg = msg_vprintf( fmt, ap );
  va_end( ap );
  /* too long: both ends kept, the start names the value, the end the reason */
  char const * why = msg ? ctl_cut( msg, ctl->why, sizeof(ctl->why) ) : strerror( err );
  if( why!=ctl->why ) snprintf( ctl->why, sizeof(ctl->why), "%s", why );
  free( msg );
  return err;
}

void
ctl_note( ctl_t const * ctl, char const * fmt, ... ) {
  if( ctl->quiet ) return;
  va_list ap;
  va_start( ap, fmt );
  char * msg = msg_vprintf( fmt, ap );
  va_end( ap );
  fputs( "fd_shmem_ctl: ", stderr );
  ctl_put_safe( stderr, msg ? msg : "(a progress message was lost: out of memory)" );
  fputc( '\n', stderr );
  free( msg );
}
