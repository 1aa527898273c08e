/* Parser of the provisioning file: "KEY = VALUE" lines, '#' comments. */

#include "ctl_conf.h"
#include "ctl_words.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static char const * const key_names[ CTL_CONF_KEY_CNT ] = { "path", "mode", "user", "group", "pages",
                                                                            "headroom", "exclusive" };

#define SHOWN_MAX (60)  /* bytes of a bad value quoted back (the tool escapes what it prints) */

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

#define SHOWN_BUF (SHOWN_MAX+4)

void
ctl_path_tidy( char * path ) {
  size_t n = 0UL;
  for( char const * s=path; *s; s++ ) if( !( s[0]=='/' && s[1]=='/' ) ) path[ n++ ] = *s;
  if( n>1UL && path[ n-1 ]=='/' ) n--;
  path[ n ] = '\0';
}

static int
id_name_ok( char const * s ) {
  if( strlen( s )>32 ) return 0;  /* useradd's limit */
  for( ; *s; s++ )
    if( !( ( *s>='a' && *s<='z' ) || ( *s>='A' && *s<='Z' ) || ( *s>='0' && *s<='9' ) ||
           *s=='_' || *s=='-' || *s=='.' ) ) return 0;
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

/* Printable ASCII only: a no-break space or a control byte in a path
   is a typo nobody can see. */
static int
path_bytes_ok( char const * s ) {
  for( ; *s; s++ ) if( (unsigned char)*s<=0x20 || (unsigned char)*s>=0x7f ) return 0;
  return 1;
}

static int
parse_path( parse_t * p, char * val ) {
  char b[ SHOWN_BUF ];
  if( val[0]!='/' || !val[ strspn( val, "/" ) ] )
    return fail( p, "path must be an absolute directory path, not \"%s\"", ctl_cut( val, b, sizeof(b) ) );
  if( !path_bytes_ok( val ) )
    return fail( p, "path \"%s\" holds a space or a byte that is not printable ASCII", ctl_cut( val, b, sizeof(b) ) );
  ctl_path_tidy( val );
  return set_scalar( p, CTL_CONF_PATH, p->conf->path, sizeof(p->conf->path), val );
}

static int
parse_mode( parse_t * p, char const * val ) {
  char old[ 16 ];
  snprintf( old, sizeof(old), "%lo", p->conf->mode );
  unsigned long mode;
  char b[ SHOWN_BUF ];
  int err = ctl_parse_octal( val, &mode, 07777UL );
  if( err==ERANGE )
    return fail( p, "mode \"%s\" is too large (octal permissions, at most 7777)", ctl_cut( val, b, sizeof(b) ) );
  if( err ) return fail( p, "mode must be octal permissions such as 0700, not \"%s\"", ctl_cut( val, b, sizeof(b) ) );
  char now[ 16 ];
  snprintf( now, sizeof(now), "%lo", mode );
  if( p->conf->line_of[ CTL_CONF_MODE ] && strcmp( old, now ) )
    return fail( p, "mode conflicts with line %u", p->conf->line_of[ CTL_CONF_MODE ] );
  p->conf->mode = mode;
  if( !p->conf->line_of[ CTL_CONF_MODE ] ) p->conf->line_of[ CTL_CONF_MODE ] = p->line;
  return 0;
}

static int
parse_id( parse_t * p, int key, char const * val ) {
  char b[ SHOWN_BUF ];
  if( !id_name_ok( val ) )
    return fail( p, "%s must be a %s name or number, not \"%s\"", key_names[ key ],
                 key==CTL_CONF_USER ? "user" : "group", ctl_cut( val, b, sizeof(b) ) );
  ctl_conf_t * c = p->conf;
  return key==CTL_CONF_USER ? set_scalar( p, key, c->user,  sizeof(c->user),  val )
                       : set_scalar( p, key, c->group, sizeof(c->group), val );
}

/* Two lines for the same type and node must agree, as must two "all"
   lines of a type; a node's own line may differ from an "all" line (it
   wins for that node).  Returns 1 if req repeats a line already kept. */
static int
pages_seen( parse_t * p, ctl_conf_pages_t const * req ) {
  for( size_t i=0; i<p->conf->pages_cnt; i++ ) {
    ctl_conf_pages_t const * o = &p->conf->pages[i];
    if( o->page_sz!=req->page_sz || o->numa!=req->numa ) continue;
    if( o->cnt!=req->cnt ) return fail( p, "pages conflicts with line %u", o->line );
    return 1;
  }
  return 0;
}

static int
parse_pages( parse_t * p, char * val ) {
  char b[ SHOWN_BUF ];
  char all[ CTL_CONF_LINE_MAX+1 ];
  snprintf( all, sizeof(all), "%s", val );
  char * tok[4] = { 0 };
  int n = 0;
  for( char * s=strtok( val, " \t" ); s && n<4; s=strtok( NULL, " \t" ) ) tok[ n++ ] = s;
  if( n!=3 )
    return fail( p, "pages needs TYPE NODE COUNT, e.g. pages = huge 0 512, not \"%s\"", ctl_cut( all, b, sizeof(b) ) );
  ctl_conf_pages_t req = { .line = p->line };
  int err = ctl_parse_pool_type( tok[0], &req.page_sz );
  if( err ) {
    char const * problem = ctl_pool_type_problem( err );
    return fail( p, "page type \"%s\"%s%s", ctl_cut( tok[0], b, sizeof(b) ), problem[0]==':' ? "" : " ", problem );
  }
  char const * problem;
  if( !strcmp( tok[1], "all" ) ) req.numa = CTL_CONF_ALL_NODES;
  else if( ( problem = ctl_dec_problem( tok[1], &req.numa ) ) )
    return fail( p, "node \"%s\" %s (a node number or \"all\")", ctl_cut( tok[1], b, sizeof(b) ), problem );
  else if( req.numa>=p->numa_cnt )
    return fail( p, "node %zu does not exist (this machine has %zu)", req.numa, p->numa_cnt );
  if( ( problem = ctl_dec_problem( tok[2], &req.cnt ) ) )
    return fail( p, "page count \"%s\" %s", ctl_cut( tok[2], b, sizeof(b) ), problem );
  err = pages_seen( p, &req );
  if( err ) return err==1 ? 0 : err;
  p->conf->pages[ p->conf->pages_cnt++ ] = req;
  if( !p->conf->line_of[ CTL_CONF_PAGES ] ) p->conf->line_of[ CTL_CONF_PAGES ] = p->line;
  return 0;
}

static int
parse_headroom( parse_t * p, char const * val ) {
  char b[ SHOWN_BUF ];
  size_t bytes;
  char const * problem = ctl_size_problem( val, &bytes );
  if( problem ) return fail( p, "headroom \"%s\" %s", ctl_cut( val, b, sizeof(b) ), problem );
  unsigned * line = &p->conf->line_of[ CTL_CONF_HEADROOM ];
  if( *line && p->conf->headroom!=bytes ) return fail( p, "headroom conflicts with line %u", *line );
  p->conf->headroom = bytes;
  if( !*line ) *line = p->line;
  return 0;
}

/* yes or no, nothing else: a guess at "true" or "1" could leave pages
   open to others that the admin meant to keep. */
static int
parse_exclusive( parse_t * p, char const * val ) {
  char b[ SHOWN_BUF ];
  int yes = !strcmp( val, "yes" );
  if( !yes && strcmp( val, "no" ) )
    return fail( p, "exclusive \"%s\" is not yes or no", ctl_cut( val, b, sizeof(b) ) );
  unsigned * line = &p->conf->line_of[ CTL_CONF_EXCLUSIVE ];
  if( *line && p->conf->exclusive!=yes ) return fail( p, "exclusive conflicts with line %u", *line );
  p->conf->exclusive = yes;
  if( !*line ) *line = p->line;
  return 0;
}

int
ctl_conf_want( ctl_conf_t const * conf, size_t page_sz, size_t numa, size_t * cnt, unsigned * line ) {
  ctl_conf_pages_t const * best = NULL;
  for( size_t i=0; i<conf->pages_cnt; i++ ) {
    ctl_conf_pages_t const * r = &conf->pages[i];
    if( r->page_sz!=page_sz ) continue;
    if( r->numa==numa ) { best = r; break; }
    if( r->numa==CTL_CONF_ALL_NODES ) best = r;
  }
  if( !best ) return 0;
  *cnt = best->cnt;
  if( line ) *line = best->line;
  return 1;
}

int
ctl_conf_empty( ctl_conf_t const * conf ) {
  for( int k=0; k<CTL_CONF_KEY_CNT; k++ ) if( conf->line_of[k] ) return 0;
  return 1;
}

static int
parse_line( parse_t * p, char * line ) {
  char * hash = strchr( line, '#' );
  if( hash ) *hash = '\0';
  char * s = trim( line );
  if( !*s ) return 0;
  char * eq = strchr( s, '=' );
  char b[ SHOWN_BUF ];
  if( !eq ) return fail( p, "expected KEY = VALUE, not \"%s\"", ctl_cut( s, b, sizeof(b) ) );
  *eq = '\0';
  char * key = trim( s ), * val = trim( eq+1 );
  for( int k=0; k<CTL_CONF_KEY_CNT; k++ ) {
    if( strcmp( key, key_names[k] ) ) continue;
    switch( k ) {
    case CTL_CONF_PATH:  return parse_path( p, val );
    case CTL_CONF_MODE:  return parse_mode( p, val );
    case CTL_CONF_PAGES: return parse_pages( p, val );
    case CTL_CONF_HEADROOM: return parse_headroom( p, val );
    case CTL_CONF_EXCLUSIVE: return parse_exclusive( p, val );
    default:             return parse_id( p, k, val );
    }
  }
  return fail( p, "unknown key \"%s\" (path, mode, user, group, pages, headroom, exclusive)",
               ctl_cut( key, b, sizeof(b) ) );
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
