#ifndef FDSHMEM_SRC_LIB_FD_SHMEM_NAME_KEY_H
#define FDSHMEM_SRC_LIB_FD_SHMEM_NAME_KEY_H

/* Region names as the join table holds them: checked and copied into
   whole, zero-padded words in one pass, so that names compare and hash
   a word at a time.  Inline: this is the start of every join and
   query by name.  Those check a name's bytes only when it is not in the
   join table already. */

#include "fd_shmem_base.h"

#include <string.h>

typedef union {
  char     c[ FD_SHMEM_NAME_MAX ];
  uint64_t w[ FD_SHMEM_NAME_MAX/8UL ];
} fd_shmem_private_name_t;

/* Which bytes may appear in a name: NAME_ANY anywhere, NAME_FIRST also
   first (letters and digits).  Defined in fd_shmem_name.c. */
#define FD_SHMEM_PRIVATE_NAME_ANY   (1U)
#define FD_SHMEM_PRIVATE_NAME_FIRST (2U)
extern unsigned char const fd_shmem_private_name_class[ 256 ];

#if __BYTE_ORDER__==__ORDER_LITTLE_ENDIAN__
#define FD_SHMEM_PRIVATE_LE16( x ) (x)
#define FD_SHMEM_PRIVATE_LE32( x ) (x)
#define FD_SHMEM_PRIVATE_LE64( x ) (x)
#else
#define FD_SHMEM_PRIVATE_LE16( x ) __builtin_bswap16( x )
#define FD_SHMEM_PRIVATE_LE32( x ) __builtin_bswap32( x )
#define FD_SHMEM_PRIVATE_LE64( x ) __builtin_bswap64( x )
#endif

/* The n bytes at p (1<=n<=7) zero-padded to a word as memory holds it,
   read with two overlapping loads: no byte outside [p,p+n) is read,
   and no byte-by-byte stores precede the word reads of the key. */
static inline uint64_t
fd_shmem_private_name_tail( unsigned char const * p, size_t n ) {
  uint64_t v;  /* byte i of the name in bits 8i..8i+7 */
  if( n>=4UL ) {
    uint32_t a, b;
    memcpy( &a, p, 4UL );
    memcpy( &b, p+n-4UL, 4UL );
    v = (uint64_t)FD_SHMEM_PRIVATE_LE32( a ) | (uint64_t)FD_SHMEM_PRIVATE_LE32( b ) << ( 8UL*( n-4UL ) );
  } else if( n>=2UL ) {
    uint16_t a, b;
    memcpy( &a, p, 2UL );
    memcpy( &b, p+n-2UL, 2UL );
    v = (uint64_t)FD_SHMEM_PRIVATE_LE16( a ) | (uint64_t)FD_SHMEM_PRIVATE_LE16( b ) << ( 8UL*( n-2UL ) );
  } else {
    v = p[0];
  }
  return FD_SHMEM_PRIVATE_LE64( v );
}

/* The length of name if it is a valid region name, else 0 (what
   fd_shmem_name_len returns). */
static inline size_t
fd_shmem_private_name_check( char const * name ) {
  unsigned char const * p     = (unsigned char const *)name;
  unsigned char const * klass = fd_shmem_private_name_class;
  if( !p || !( klass[ p[0] ] & FD_SHMEM_PRIVATE_NAME_FIRST ) ) return 0UL;
  size_t len = 1UL;
  while( len<FD_SHMEM_NAME_MAX && klass[ p[len] ] ) len++;
  if( len>=FD_SHMEM_NAME_MAX || p[len] ) return 0UL;  /* too long, or a byte not allowed */
  return len;
}

/* The name index's hash of a name (not the one fd_shmem_join_info_t
   publishes) takes in the key's words one after another. */
static inline uint64_t
fd_shmem_private_name_hash_word( uint64_t h, uint64_t word ) {
  h = ( h ^ word ) * 0xff51afd7ed558ccdUL;
  return h ^ ( h>>32 );
}

/* Sanitizer builds read a name byte by byte: they check every load
   against the object it falls in. */
#if defined( __SANITIZE_ADDRESS__ ) || defined( __SANITIZE_THREAD__ )
#define FD_SHMEM_PRIVATE_NAME_WORD_READS (0)
#elif defined( __has_feature )
#if __has_feature( address_sanitizer ) || __has_feature( thread_sanitizer ) || __has_feature( memory_sanitizer )
#define FD_SHMEM_PRIVATE_NAME_WORD_READS (0)
#endif
#endif
#ifndef FD_SHMEM_PRIVATE_NAME_WORD_READS
#define FD_SHMEM_PRIVATE_NAME_WORD_READS (1)
#endif

#define FD_SHMEM_PRIVATE_PAGE_MIN (4096UL)  /* no page is smaller */

/* The next word of a name at p, zero-padded from its terminator on, as
   memory holds it; *n gets the count of bytes before the terminator (8
   when there is none among them).  When the 8 bytes at p lie in one
   page they are read at once: bytes after the terminator may be read,
   but never a page the name does not touch (what the C library's
   string functions do), and they are masked off. */
static inline uint64_t
fd_shmem_private_name_word( unsigned char const * p, size_t * n ) {
  if( FD_SHMEM_PRIVATE_NAME_WORD_READS &&
      ( (uintptr_t)p & ( FD_SHMEM_PRIVATE_PAGE_MIN-1UL ) )<=FD_SHMEM_PRIVATE_PAGE_MIN-8UL ) {
    uint64_t v;
    memcpy( &v, p, 8UL );
    v = FD_SHMEM_PRIVATE_LE64( v );  /* byte i in bits 8i..8i+7 */
    uint64_t zero = ( v - 0x0101010101010101UL ) & ~v & 0x8080808080808080UL;  /* lowest is exact */
    if( !zero ) { *n = 8UL; return FD_SHMEM_PRIVATE_LE64( v ); }
    size_t len = (size_t)__builtin_ctzll( zero )/8UL;
    *n = len;
    return FD_SHMEM_PRIVATE_LE64( v & ( ( 1UL << ( 8UL*len ) ) - 1UL ) );
  }
  size_t len = 0UL;
  while( len<8UL && p[len] ) len++;
  *n = len;
  if( len==8UL ) { uint64_t v; memcpy( &v, p, 8UL ); return v; }
  return len ? fd_shmem_private_name_tail( p, len ) : 0UL;
}

/* Copies name into *key without checking its bytes, and hashes it into
   *hash on the way (from the words in hand: reading them back from *key
   would wait on the stores).  The hash needs no length: names hold no
   zero byte, so their padded words tell them apart.  Returns its
   length, or 0 if name is NULL, empty or too long (*key and *hash are
   then unspecified).  Every name in the join table was checked when it
   went in, so a lookup that finds this key needs no check of its own. */
static inline size_t
fd_shmem_private_name_copy( char const * name, fd_shmem_private_name_t * key, unsigned * hash ) {
  if( !name ) return 0UL;
  unsigned char const * p = (unsigned char const *)name;
  *key = (fd_shmem_private_name_t){ .w = { 0UL } };
  uint64_t h = 0x9e3779b97f4a7c15UL;
  for( size_t i=0UL; i<FD_SHMEM_NAME_MAX/8UL; i++ ) {
    size_t   n;
    uint64_t word = fd_shmem_private_name_word( p+8UL*i, &n );
    key->w[i] = word;
    h = fd_shmem_private_name_hash_word( h, word );
    if( n<8UL ) {
      size_t len = 8UL*i + n;
      *hash = (unsigned)h;
      return len;
    }
  }
  return 0UL;  /* no terminator among the first FD_SHMEM_NAME_MAX bytes */
}

/* Checks name, then copies and hashes it as above.  Returns its length,
   or 0 if it is not a valid name. */
static inline size_t
fd_shmem_private_name_key( char const * name, fd_shmem_private_name_t * key, unsigned * hash ) {
  return fd_shmem_private_name_check( name ) ? fd_shmem_private_name_copy( name, key, hash ) : 0UL;
}

#endif /* FDSHMEM_SRC_LIB_FD_SHMEM_NAME_KEY_H */
