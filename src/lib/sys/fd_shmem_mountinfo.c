/* The mounts of this namespace, from /proc/self/mountinfo, read and
   parsed once into a list: a domain open asks several questions of it
   (is this mount a domain's own, is that directory a mount point). */

#include "fd_shmem_sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

/* Undoes mountinfo's octal escapes (\040 for a space, ...) in place. */
static void
unescape( char * s ) {
  char * out = s;
  for( ; *s; s++ ) {
    if( s[0]=='\\' && s[1]>='0' && s[1]<='3' && s[2]>='0' && s[2]<='7' && s[3]>='0' && s[3]<='7' ) {
      *out++ = (char)( ( s[1]-'0' )*64 + ( s[2]-'0' )*8 + ( s[3]-'0' ) );
      s += 3;
    } else {
      *out++ = *s;
    }
  }
  *out = '\0';
}

/* Splits line "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] -
   FSTYPE SOURCE SUPER" (its fields cut in place) into m; 0, or -1 if it
   is not such a line. */
static int
mount_parse( char * line, fd_shmem_private_mount_t * m ) {
  char * field[ 5 ];
  for( int i=0; i<5; i++ ) if( !( field[i] = strsep( &line, " " ) ) || !line ) return -1;
  char * dash = strstr( line, " - " );
  if( !dash ) return -1;
  char * rest = dash+3;
  unsigned maj, min;
  if( sscanf( field[2], "%u:%u", &maj, &min )!=2 ) return -1;
  unescape( field[3] );
  unescape( field[4] );
  m->dev    = (unsigned long)makedev( maj, min );
  m->root   = field[3];
  m->point  = field[4];
  m->fstype = strsep( &rest, " " );
  strsep( &rest, " " );  /* the source */
  m->super  = rest ? rest : "";
  return 0;
}

/* The whole of f, NUL-terminated, or NULL (out of memory or a read error). */
static char *
read_all( FILE * f ) {
  size_t len = 0UL, max = 16384UL;
  char * text = malloc( max );
  while( text ) {
    len += fread( text+len, 1UL, max-len-1UL, f );
    if( len<max-1UL ) break;
    char * more = realloc( text, 2UL*max );
    if( !more ) { free( text ); return NULL; }
    text = more;
    max *= 2UL;
  }
  if( text && ferror( f ) ) { free( text ); return NULL; }
  if( text ) text[ len ] = '\0';
  return text;
}

int
fd_shmem_private_mounts_read( fd_shmem_private_mounts_t * m ) {
  memset( m, 0, sizeof(*m) );
  FILE * f = fd_shmem_private_sys_fopen( "/proc/self/mountinfo" );
  if( !f ) return errno;
  m->text = read_all( f );
  fclose( f );
  if( !m->text ) return ENOMEM;
  size_t line_cnt = 1UL;
  for( char const * p=m->text; *p; p++ ) line_cnt += *p=='\n';
  m->ent = malloc( line_cnt*sizeof(m->ent[0]) );
  if( !m->ent ) { fd_shmem_private_mounts_free( m ); return ENOMEM; }
  for( char * rest=m->text, * line; ( line = strsep( &rest, "\n" ) ); )
    if( line[0] && !mount_parse( line, &m->ent[ m->cnt ] ) ) m->cnt++;
  return 0;
}

void
fd_shmem_private_mounts_free( fd_shmem_private_mounts_t * m ) {
  free( m->ent );
  free( m->text );
  memset( m, 0, sizeof(*m) );
}

size_t
fd_shmem_private_mount_min_sz( fd_shmem_private_mount_t const * m ) {
  static char const key[] = "min_size=";
  for( char const * opt=m->super; opt; opt=strchr( opt, ',' ), opt=opt ? opt+1 : NULL ) {
    if( strncmp( opt, key, sizeof(key)-1UL ) ) continue;
    char * end;
    errno = 0;
    unsigned long long v = strtoull( opt+sizeof(key)-1UL, &end, 10 );
    return ( errno || ( *end && *end!=',' ) ) ? 0UL : (size_t)v;
  }
  return 0UL;
}

size_t
fd_shmem_private_dev_min_sz( unsigned long dev ) {
  fd_shmem_private_mounts_t ms;
  fd_shmem_private_mounts_read( &ms );  /* none if it cannot be read */
  size_t sz = 0UL;
  for( size_t i=0UL; i<ms.cnt && !sz; i++ )
    if( ms.ent[ i ].dev==dev ) sz = fd_shmem_private_mount_min_sz( &ms.ent[ i ] );
  fd_shmem_private_mounts_free( &ms );
  return sz;
}
