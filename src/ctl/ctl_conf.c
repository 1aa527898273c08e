/* Parser of the provisioning file: "KEY = VALUE" lines, '#' comments. */

#include "ctl_conf.h"
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

enum { KEY_PATH, KEY_MODE, KEY_USER, KEY_GROUP, KEY_PAGES, KEY_CNT };
static char const * const key_names[ KEY_CNT ] = { "path", "mode", "user", "group", "pages" };

typedef struct {
  ctl_conf_t * conf;
  char const * fname;
  unsigned     line;
  size_t       numa_cnt;
} parse_t;

static int fail( parse_t * p, char const * fmt, ... ) __attribute__(( format( printf, 2, 3 ) ));

static int
fail( parse_t * p, char const * fmt, ... ) {
  int n = snprintf( p->conf->err, sizeof(p->conf->err), "%s:%u: ", p->fname, p->line );
  va_list ap;
  va_start( ap, fmt );
  if( n>0 && (size_t)n<sizeof(p->conf->err) ) vsnprintf( p->conf->err+n, sizeof(p->conf->err)-(size_t)n, fmt, ap );
  va_end( ap );
  return EINVAL;
}

static char *
trim( char * s ) {
  while( *s==' ' || *s=='\t' ) s++;
  size_t n = strlen( s );
  while( n && ( s[n-1]==' ' || s[n-1]=='\t' || s[n-1]=='\r' ) ) s[--n] = '\0';
  return s;
}

static int
id_name_ok( char const * s ) {
  if( strlen( s )>=32 ) return 0;
  for( ; *s; s++ )
    if( !( ( *s>='a' && *s<='z' ) || ( *s>='A' && *s<='Z' ) || ( *s>='0' && *s<='9' ) || *s=='_' || *s=='-' || *s=='.' ) ) return 0;
  return 1;
}

/* A scalar key set twice must say the same thing both times. */
static int
set_scalar( parse_t * p, int key, char * dst, size_t dst_sz, char const * val ) {
  ctl_conf_t * c = p->conf;
  if( c->line_of[ key ] && strcmp( dst, val ) )
    return fail( p, "%s conflicts with line %u", key_names[ key ], c->line_of[ key ] );
  if( strlen( val )>=dst_sz ) return fail( p, "%s is too long", key_names[ key ] );
  strcpy( dst, val );
  if( !c->line_of[ key ] ) c->line_of[ key ] = p->line;
  return 0;
}

static int
parse_path( parse_t * p, char const * val ) {
  if( val[0]!='/' || !val[ strspn( val, "/" ) ] || strchr( val, ' ' ) || strchr( val, '\t' ) )
    return fail( p, "path must be an absolute directory path" );
  return set_scalar( p, KEY_PATH, p->conf->path, sizeof(p->conf->path), val );
}

static int
parse_mode( parse_t * p, char const * val ) {
  char old[ 16 ];
  snprintf( old, sizeof(old), "%lo", p->conf->mode );
  unsigned long mode;
  if( ctl_parse_octal( val, &mode, 07777UL ) ) return fail( p, "mode must be octal permissions such as 0700" );
  char now[ 16 ];
  snprintf( now, sizeof(now), "%lo", mode );
  if( p->conf->line_of[ KEY_MODE ] && strcmp( old, now ) )
    return fail( p, "mode conflicts with line %u", p->conf->line_of[ KEY_MODE ] );
  p->conf->mode = mode;
  if( !p->conf->line_of[ KEY_MODE ] ) p->conf->line_of[ KEY_MODE ] = p->line;
  return 0;
}

static int
parse_id( parse_t * p, int key, char const * val ) {
  if( !id_name_ok( val ) ) return fail( p, "%s must be a user or group name", key_names[ key ] );
  ctl_conf_t * c = p->conf;
  return key==KEY_USER ? set_scalar( p, key, c->user,  sizeof(c->user),  val )
                       : set_scalar( p, key, c->group, sizeof(c->group), val );
}

/* Two requests for the same type and node must agree; "all" covers
   every node. */
static int
pages_conflict( parse_t * p, ctl_conf_pages_t const * req ) {
  for( size_t i=0; i<p->conf->pages_cnt; i++ ) {
    ctl_conf_pages_t const * o = &p->conf->pages[i];
    int overlap = o->page_sz==req->page_sz &&
                  ( o->numa==req->numa || o->numa==CTL_CONF_ALL_NODES || req->numa==CTL_CONF_ALL_NODES );
    if( overlap && o->cnt!=req->cnt ) return fail( p, "pages conflicts with line %u", o->line );
  }
  return 0;
}

static int
parse_pages( parse_t * p, char * val ) {
  char * tok[4] = { 0 };
  int n = 0;
  for( char * s=strtok( val, " \t" ); s && n<4; s=strtok( NULL, " \t" ) ) tok[ n++ ] = s;
  if( n!=3 ) return fail( p, "pages needs TYPE NODE COUNT, e.g. pages = huge 0 512" );
  ctl_conf_pages_t req = { .line = p->line };
  if( ctl_parse_pool_type( tok[0], &req.page_sz ) ) return fail( p, "page type must be huge or gigantic, not \"%s\"", tok[0] );
  if( !strcmp( tok[1], "all" ) ) req.numa = CTL_CONF_ALL_NODES;
  else if( ctl_parse_dec( tok[1], &req.numa ) ) return fail( p, "node must be a node number or \"all\", not \"%s\"", tok[1] );
  else if( req.numa>=p->numa_cnt ) return fail( p, "node %zu does not exist (this machine has %zu)", req.numa, p->numa_cnt );
  if( ctl_parse_dec( tok[2], &req.cnt ) ) return fail( p, "page count must be a number, not \"%s\"", tok[2] );
  if( pages_conflict( p, &req ) ) return EINVAL;
  if( p->conf->pages_cnt==CTL_CONF_PAGES_MAX ) return fail( p, "too many pages lines (at most %d)", CTL_CONF_PAGES_MAX );
  p->conf->pages[ p->conf->pages_cnt++ ] = req;
  return 0;
}

static int
parse_line( parse_t * p, char * line ) {
  char * hash = strchr( line, '#' );
  if( hash ) *hash = '\0';
  char * s = trim( line );
  if( !*s ) return 0;
  char * eq = strchr( s, '=' );
  if( !eq ) return fail( p, "expected KEY = VALUE" );
  *eq = '\0';
  char * key = trim( s ), * val = trim( eq+1 );
  for( int k=0; k<KEY_CNT; k++ ) {
    if( strcmp( key, key_names[k] ) ) continue;
    switch( k ) {
    case KEY_PATH:  return parse_path( p, val );
    case KEY_MODE:  return parse_mode( p, val );
    case KEY_PAGES: return parse_pages( p, val );
    default:        return parse_id( p, k, val );
    }
  }
  return fail( p, "unknown key \"%s\" (path, mode, user, group, pages)", key );
}

/* Reads one line (its newline dropped) into buf, which has room for
   CTL_CONF_LINE_MAX bytes and a NUL.  Returns its length, -1 at the end
   of the file, -2 for a line too long (read no further), -3 for a line
   holding a NUL byte. */
static long
read_line( FILE * f, char * buf ) {
  long n = 0L;
  int  c, nul = 0;
  while( ( c = getc( f ) )!=EOF && c!='\n' ) {
    if( n==CTL_CONF_LINE_MAX ) return -2L;
    nul |= !c;
    buf[ n++ ] = (char)c;
  }
  if( c==EOF && !n ) return -1L;
  buf[ n ] = '\0';
  return nul ? -3L : n;
}

int
ctl_conf_parse( ctl_conf_t * conf, FILE * f, char const * fname, size_t numa_cnt ) {
  memset( conf, 0, sizeof(*conf) );
  conf->mode = 0700UL;
  parse_t p = { conf, fname, 0U, numa_cnt };
  static char line[ CTL_CONF_LINE_MAX+1 ];
  int err = 0;
  for( long n; !err && ( n = read_line( f, line ) )!=-1L; ) {
    p.line++;
    if( n==-2L )      err = fail( &p, "line longer than %d characters", CTL_CONF_LINE_MAX );
    else if( n==-3L ) err = fail( &p, "unexpected NUL byte" );
    else              err = parse_line( &p, line );
  }
  if( !err && ferror( f ) ) err = fail( &p, "read error" );
  return err;
}
