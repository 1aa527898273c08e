/* fd_hash of the fd_util stand-in: XXH64 (the public xxHash 64-bit
   algorithm), little-endian reads. */

#include "fd_util.h"

#define PRIME1 (0x9e3779b185ebca87UL)
#define PRIME2 (0xc2b2ae3d27d4eb4fUL)
#define PRIME3 (0x165667b19e3779f9UL)
#define PRIME4 (0x85ebca77c2b2ae63UL)
#define PRIME5 (0x27d4eb2f165667c5UL)

static inline ulong rotl( ulong x, int r ) { return (x<<r) | (x>>(64-r)); }

static inline ulong read64( uchar const * p ) { ulong v; memcpy( &v, p, 8UL ); return v; }
static inline ulong read32( uchar const * p ) { uint  v; memcpy( &v, p, 4UL ); return (ulong)v; }

/* One lane of a stripe folded into an accumulator. */
static inline ulong
lane( ulong acc, ulong in ) {
  return rotl( acc + in*PRIME2, 31 ) * PRIME1;
}

static inline ulong
merge( ulong h, ulong acc ) {
  return ( h ^ lane( 0UL, acc ) )*PRIME1 + PRIME4;
}

ulong
fd_hash( ulong seed, void const * buf, ulong sz ) {
  uchar const * p   = (uchar const *)buf;
  uchar const * end = p + sz;
  ulong h;

  if( sz>=32UL ) {
    ulong acc[4] = { seed + PRIME1 + PRIME2, seed + PRIME2, seed, seed - PRIME1 };
    for( ; end-p>=32; p+=32 )
      for( int i=0; i<4; i++ ) acc[i] = lane( acc[i], read64( p + 8*i ) );
    h = rotl( acc[0], 1 ) + rotl( acc[1], 7 ) + rotl( acc[2], 12 ) + rotl( acc[3], 18 );
    for( int i=0; i<4; i++ ) h = merge( h, acc[i] );
  } else {
    h = seed + PRIME5;
  }
  h += sz;

  for( ; end-p>=8; p+=8 ) h = rotl( h ^ lane( 0UL, read64( p ) ), 27 )*PRIME1 + PRIME4;
  if( end-p>=4 ) { h = rotl( h ^ ( read32( p )*PRIME1 ), 23 )*PRIME2 + PRIME3; p += 4; }
  for( ; p<end; p++ ) h = rotl( h ^ ( (ulong)*p*PRIME5 ), 11 )*PRIME1;

  /* final mix */
  h ^= h>>33; h *= PRIME2;
  h ^= h>>29; h *= PRIME3;
  h ^= h>>32;
  return h;
}
