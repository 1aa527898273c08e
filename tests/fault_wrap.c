/* The --wrap side of fault_wrap.h (munmap also keeps the mapped-bytes
   ledger; dlsym, to hand the library faulty libnuma calls).  Check runs
   each test in its own process, and faults are armed only while one
   thread runs, so the plans are plain globals; the ledger is atomic, as
   the join tests map from many threads. */

#include "config.h"

#include "fault_wrap.h"

#include <errno.h>
#include <numaif.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

typedef struct {
  int skip;      /* calls still let through before failing */
  int fail_cnt;  /* calls still to fail; -1 forever, 0 disarmed */
  int err;
} fault_plan_t;

static fault_plan_t plan[ FAULT_CALL_CNT ];
static void (*before_umount2)( char const * target );
static int          fired;
static long         mapped_bytes;

long
fault_mapped_bytes( void ) {
  return __atomic_load_n( &mapped_bytes, __ATOMIC_RELAXED );
}

void
fault_arm( fault_call_t call, int skip, int fail_cnt, int err ) {
  plan[ call ] = (fault_plan_t){ skip, fail_cnt, err };
}

int
fault_disarm( void ) {
  for( int i=0; i<FAULT_CALL_CNT; i++ ) plan[ i ] = (fault_plan_t){ 0, 0, 0 };
  before_umount2 = NULL;
  int n = fired;
  fired = 0;
  return n;
}

/* 1 (errno set) if this call of call must fail. */
static int
fault_hit( fault_call_t call ) {
  fault_plan_t * p = &plan[ call ];
  if( !p->fail_cnt ) return 0;
  if( p->skip ) { p->skip--; return 0; }
  if( p->fail_cnt>0 ) p->fail_cnt--;
  fired++;
  errno = p->err;
  return 1;
}

void * __real_mmap( void * addr, size_t len, int prot, int flags, int fd, off_t off );
void * __wrap_mmap( void * addr, size_t len, int prot, int flags, int fd, off_t off );
void *
__wrap_mmap( void * addr, size_t len, int prot, int flags, int fd, off_t off ) {
  if( fault_hit( flags & MAP_FIXED ? FAULT_MMAP_FIXED : FAULT_MMAP ) ) return MAP_FAILED;
  void * mem = __real_mmap( addr, len, prot, flags, fd, off );
  if( mem!=MAP_FAILED && !( flags & MAP_FIXED ) ) __atomic_add_fetch( &mapped_bytes, (long)len, __ATOMIC_RELAXED );
  return mem;
}

int __real_munmap( void * addr, size_t len );
int __wrap_munmap( void * addr, size_t len );
int
__wrap_munmap( void * addr, size_t len ) {
  if( fault_hit( FAULT_MUNMAP ) ) return -1;
  int err = __real_munmap( addr, len );
  if( !err ) __atomic_sub_fetch( &mapped_bytes, (long)len, __ATOMIC_RELAXED );
  return err;
}

/* The library reaches libnuma through dlopen and dlsym: its mbind and
   move_pages are swapped for these, which call this program's own
   libnuma. */
static long
fault_mbind( void * addr, unsigned long len, int mode, unsigned long const * mask, unsigned long max, unsigned flags ) {
  if( fault_hit( FAULT_MBIND ) ) return -1L;
  return mbind( addr, len, mode, mask, max, flags );
}

static long
fault_move_pages( int pid, unsigned long cnt, void ** pages, int const * nodes, int * status, int flags ) {
  if( fault_hit( FAULT_MOVE_PAGES ) ) return -1L;
  return move_pages( pid, cnt, pages, nodes, status, flags );
}

void * __real_dlsym( void * handle, char const * name );
void * __wrap_dlsym( void * handle, char const * name );
void *
__wrap_dlsym( void * handle, char const * name ) {
  if( !strcmp( name, "mbind"      ) ) return (void *)(uintptr_t)fault_mbind;
  if( !strcmp( name, "move_pages" ) ) return (void *)(uintptr_t)fault_move_pages;
  return __real_dlsym( handle, name );
}

void * __real_dlopen( char const * file, int flags );
void * __wrap_dlopen( char const * file, int flags );
void *
__wrap_dlopen( char const * file, int flags ) {
  if( fault_hit( FAULT_DLOPEN ) ) return NULL;
  return __real_dlopen( file, flags );
}

int __real_mount( char const * src, char const * dst, char const * type, unsigned long flags, void const * data );
int __wrap_mount( char const * src, char const * dst, char const * type, unsigned long flags, void const * data );
int
__wrap_mount( char const * src, char const * dst, char const * type, unsigned long flags, void const * data ) {
  if( fault_hit( FAULT_MOUNT ) ) return -1;
  return __real_mount( src, dst, type, flags, data );
}

void
fault_before_umount2( void (*fn)( char const * target ) ) {
  before_umount2 = fn;
}

int __real_umount2( char const * target, int flags );
int __wrap_umount2( char const * target, int flags );
int
__wrap_umount2( char const * target, int flags ) {
  if( before_umount2 ) before_umount2( target );
  if( fault_hit( FAULT_UMOUNT2 ) ) return -1;
  return __real_umount2( target, flags );
}
