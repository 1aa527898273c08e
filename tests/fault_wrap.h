#ifndef FDSHMEM_TESTS_FAULT_WRAP_H
#define FDSHMEM_TESTS_FAULT_WRAP_H

/* Fault injection for the test programs linked with FAULT_WRAP_LINK
   (Makefile.am: -Wl,--wrap for each call below; mbind and move_pages
   through dlsym, as the library finds them): an armed call fails with
   the chosen errno instead of reaching the kernel. */

typedef enum {
  FAULT_MMAP,          /* mmap without MAP_FIXED */
  FAULT_MMAP_FIXED,    /* mmap with MAP_FIXED */
  FAULT_MUNMAP,        /* a failed munmap unmaps nothing */
  FAULT_MBIND,
  FAULT_MOVE_PAGES,
  FAULT_MOUNT,
  FAULT_UMOUNT2,
  FAULT_DLOPEN,        /* the library loading libnuma */
  FAULT_CALL_CNT
} fault_call_t;

/* From now on, calls to call number skip+1 .. skip+fail_cnt fail with
   err (fail_cnt -1: every call after the first skip).  Arming replaces
   the previous plan for that call. */
void fault_arm( fault_call_t call, int skip, int fail_cnt, int err );

/* Bytes mapped through the wrapped mmap and not yet given back with
   munmap: what the code under test holds.  A MAP_FIXED mmap replaces
   part of a reservation already counted, so it adds nothing. */
long fault_mapped_bytes( void );

/* Runs fn( target ) at the start of every umount2 until fault_disarm:
   what another process might do just before an unmount. */
void fault_before_umount2( void (*fn)( char const * target ) );

/* Disarms every call; returns how many calls were made to fail since
   the last fault_disarm. */
int  fault_disarm( void );

#endif /* FDSHMEM_TESTS_FAULT_WRAP_H */
