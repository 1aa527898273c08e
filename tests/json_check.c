/* json_check: exits 0 if stdin is exactly one JSON text (RFC 8259,
   strictly: no trailing commas, no comments, no bare control bytes in
   strings, no leading zeros, valid UTF-8), 1 if not (saying where), so
   the shell tests check --json output without python3.  An empty input
   is not JSON.  "json_check --self-test" checks the checker on texts it
   must take and texts it must refuse. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX (512)

typedef struct {
  unsigned char const * s;
  size_t                len, at;
  int                   depth;
} parse_t;

static int value( parse_t * p );

static int
peek( parse_t const * p ) {
  return p->at<p->len ? p->s[ p->at ] : -1;
}

static void
skip_ws( parse_t * p ) {
  while( p->at<p->len && strchr( " \t\n\r", p->s[ p->at ] ) && p->s[ p->at ] ) p->at++;
}

static int
literal( parse_t * p, char const * word ) {
  size_t n = strlen( word );
  if( p->len-p->at<n || memcmp( p->s+p->at, word, n ) ) return 0;
  p->at += n;
  return 1;
}

static int
digits( parse_t * p ) {
  size_t start = p->at;
  while( peek( p )>='0' && peek( p )<='9' ) p->at++;
  return p->at>start;
}

static int
number( parse_t * p ) {
  if( peek( p )=='-' ) p->at++;
  if( peek( p )=='0' ) p->at++;  /* a zero stands alone: 012 is not a number */
  else if( !( peek( p )>='1' && peek( p )<='9' ) || !digits( p ) ) return 0;
  if( peek( p )=='.' ) { p->at++; if( !digits( p ) ) return 0; }
  if( peek( p )=='e' || peek( p )=='E' ) {
    p->at++;
    if( peek( p )=='+' || peek( p )=='-' ) p->at++;
    if( !digits( p ) ) return 0;
  }
  return 1;
}

/* One UTF-8 sequence of 2 to 4 bytes (lead byte c already read), no
   overlong form, no surrogate, nothing above U+10FFFF. */
static int
utf8_tail( parse_t * p, unsigned c ) {
  int      n   = c>=0xc2 && c<=0xdf ? 1 : c>=0xe0 && c<=0xef ? 2 : c>=0xf0 && c<=0xf4 ? 3 : -1;
  unsigned min = n==2 ? 0x800U : n==3 ? 0x10000U : 0x80U;
  if( n<0 ) return 0;
  unsigned cp = c & ( 0x3fU>>n );
  for( int i=0; i<n; i++ ) {
    int b = peek( p );
    if( b<0 || ( b & 0xc0 )!=0x80 ) return 0;
    cp = ( cp<<6 ) | ( (unsigned)b & 0x3fU );
    p->at++;
  }
  return cp>=min && cp<=0x10ffffU && !( cp>=0xd800U && cp<=0xdfffU );
}

static int
string( parse_t * p ) {
  if( peek( p )!='"' ) return 0;
  p->at++;
  for( ;; ) {
    int c = peek( p );
    if( c<0 || c<0x20 ) return 0;
    p->at++;
    if( c=='"' ) return 1;
    if( c>=0x80 ) { if( !utf8_tail( p, (unsigned)c ) ) return 0; continue; }
    if( c!='\\' ) continue;
    c = peek( p );
    p->at++;
    if( c=='u' ) {
      for( int i=0; i<4; i++, p->at++ ) if( !strchr( "0123456789abcdefABCDEF", peek( p ) ) || peek( p )<=0 ) return 0;
    } else if( c<0 || !strchr( "\"\\/bfnrt", c ) || !c ) return 0;
  }
}

/* open '[' or '{': comma-separated members until close, none after the last comma. */
static int
members( parse_t * p, int close, int keyed ) {
  if( ++p->depth>DEPTH_MAX ) return 0;
  p->at++;
  skip_ws( p );
  if( peek( p )==close ) { p->at++; p->depth--; return 1; }
  for( ;; ) {
    skip_ws( p );
    if( keyed ) {
      if( !string( p ) ) return 0;
      skip_ws( p );
      if( peek( p )!=':' ) return 0;
      p->at++;
    }
    if( !value( p ) ) return 0;
    skip_ws( p );
    if( peek( p )==close ) { p->at++; p->depth--; return 1; }
    if( peek( p )!=',' ) return 0;
    p->at++;
  }
}

static int
value( parse_t * p ) {
  skip_ws( p );
  switch( peek( p ) ) {
  case '{': return members( p, '}', 1 );
  case '[': return members( p, ']', 0 );
  case '"': return string( p );
  case 't': return literal( p, "true" );
  case 'f': return literal( p, "false" );
  case 'n': return literal( p, "null" );
  default:  return number( p );
  }
}

/* 1 if s[0,len) is one JSON text; else 0 with *bad at the byte where it fails. */
static int
json_ok( unsigned char const * s, size_t len, size_t * bad ) {
  parse_t p = { s, len, 0UL, 0 };
  int ok = value( &p );
  skip_ws( &p );
  *bad = p.at;
  return ok && p.at==len;
}

static int
self_test( void ) {
  static char const * const good[] = {
    "{}", " [ ] ", "0", "-0.5e+3", "\"a\\u00e9\\n\"", "{\"a\": [1, true, false, null, {\"b\": \"\xc3\xa9\"}]}\n",
    "\"\xf0\x9f\x98\x80\"", NULL };
  static char const * const bad[] = {
    "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "+1", "1e", "tru",
    "\"abc", "\"a\tb\"", "\"\\x41\"", "\"\\u12g4\"", "'a'", "[1 2]", "{} {}", "{\"a\":1}x", "\"\xc3\"",
    "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xff\"", "[1] // c", "NaN", "{\"a\":1}}",
    "\"a\x01\"", NULL };
  int fails = 0;
  size_t at;
  for( char const * const * t=good; *t; t++ )
    if( !json_ok( (unsigned char const *)*t, strlen( *t ), &at ) ) { printf( "FAIL: refused: %s\n", *t ); fails++; }
  for( char const * const * t=bad; *t; t++ )
    if( json_ok( (unsigned char const *)*t, strlen( *t ), &at ) ) { printf( "FAIL: taken: %s\n", *t ); fails++; }
  /* a NUL byte inside a string, and nesting deeper than DEPTH_MAX */
  if( json_ok( (unsigned char const *)"\"a\0b\"", 5UL, &at ) ) {
    printf( "FAIL: taken: a NUL in a string\n" );
    fails++;
  }
  static unsigned char deep[ 2*( DEPTH_MAX+1 ) ];
  memset( deep, '[', DEPTH_MAX+1 );
  memset( deep+DEPTH_MAX+1, ']', DEPTH_MAX+1 );
  if( json_ok( deep, sizeof(deep), &at ) ) { printf( "FAIL: taken: %d nested arrays\n", DEPTH_MAX+1 ); fails++; }
  printf( "%s\n", fails ? "json_check: self-test failed" : "json_check: self-test passed" );
  return !!fails;
}

int
main( int argc, char ** argv ) {
  if( argc==2 && !strcmp( argv[1], "--self-test" ) ) return self_test();
  size_t len = 0UL, cap = 4096UL;
  unsigned char * s = malloc( cap );
  for( size_t n; s && ( n = fread( s+len, 1UL, cap-len, stdin ) )>0; ) {
    len += n;
    if( len==cap ) { unsigned char * t = realloc( s, cap *= 2UL ); if( !t ) free( s ); s = t; }
  }
  if( !s ) { fputs( "json_check: out of memory\n", stderr ); return 1; }
  size_t bad;
  int ok = json_ok( s, len, &bad );
  if( !ok ) fprintf( stderr, "json_check: not JSON at byte %zu of %zu\n", bad, len );
  free( s );
  return !ok;
}
