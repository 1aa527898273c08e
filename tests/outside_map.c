/* Test helper: takes hugepages the way a process outside any domain
   does, or through fd_shmem_acquire, and says in its exit status how
   that went (for the exclusive-pages tests).
     outside_map map TYPE N [NODE]    maps N pages of TYPE (huge or
                                      gigantic) anonymously with
                                      MAP_HUGETLB, bound to NODE if given
                                      (mbind MPOL_BIND), and touches each
     outside_map acquire TYPE N NODE  fd_shmem_acquire of N pages of TYPE
                                      on the first cpu of NODE, then
                                      fd_shmem_release
   Exit: 0 done; 1 an unexpected failure (said on stderr); 2 a usage
   error; 3 mmap refused with ENOMEM; 4 SIGBUS touching a page; 5
   fd_shmem_acquire failed (its reason on stdout). */

#define _GNU_SOURCE
#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <limits.h>
#include <linux/mempolicy.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXIT_UNEXPECTED (1)
#define EXIT_USAGE      (2)
#define EXIT_REFUSED    (3)
#define EXIT_SIGBUS     (4)
#define EXIT_ACQUIRE    (5)

#define NODE_NONE       ((size_t)-1)
#define NODEMASK_LONGS  (FD_SHMEM_NUMA_MAX/(8UL*sizeof(unsigned long)))

static int
usage( char const * why ) {
  fprintf( stderr, "outside_map: %s\n"
                   "usage: outside_map map TYPE N [NODE] | outside_map acquire TYPE N NODE\n"
                   "       (TYPE huge or gigantic, N pages > 0, NODE a node index)\n", why );
  return EXIT_USAGE;
}

/* A decimal number in [min,max] into *out; 0 if cstr is anything else. */
static int
parse_count( char const * cstr, size_t min, size_t max, size_t * out ) {
  if( !cstr[0] || strspn( cstr, "0123456789" )!=strlen( cstr ) || strlen( cstr )>9 ) return 0;
  size_t v = strtoul( cstr, NULL, 10 );
  if( v<min || v>max ) return 0;
  *out = v;
  return 1;
}

static sigjmp_buf touch_fault;

static void
on_sigbus( int sig ) {
  (void)sig;
  siglongjmp( touch_fault, 1 );
}

/* Binds [mem,mem+sz) to node alone; 0 or an errno. */
static int
bind_to_node( void * mem, size_t sz, size_t node ) {
  unsigned long mask[ NODEMASK_LONGS ] = { 0 };
  size_t        bits = 8UL*sizeof(unsigned long);
  mask[ node/bits ] = 1UL << ( node%bits );
  /* the kernel reads maxnode-1 bits */
  if( syscall( SYS_mbind, mem, sz, MPOL_BIND, mask, FD_SHMEM_NUMA_MAX+1UL, 0U ) ) return errno;
  return 0;
}

/* Writes a byte in each page; the index of the page that raised SIGBUS,
   or page_cnt when every page was touched. */
static size_t
touch_pages( char * mem, size_t page_sz, size_t page_cnt ) {
  struct sigaction sa;
  memset( &sa, 0, sizeof(sa) );
  sa.sa_handler = on_sigbus;
  sigemptyset( &sa.sa_mask );
  sigaction( SIGBUS, &sa, NULL );
  volatile size_t page = 0;
  if( sigsetjmp( touch_fault, 1 ) ) return page;
  for( ; page<page_cnt; page++ ) ((char volatile *)mem)[ page*page_sz ] = 1;
  return page_cnt;
}

static int
outside_map( size_t page_sz, size_t page_cnt, size_t node ) {
  char const * type = fd_shmem_page_sz_to_cstr( page_sz );
  size_t       sz   = page_sz*page_cnt;
  int          lg   = page_sz==FD_SHMEM_HUGE_PAGE_SZ ? FD_SHMEM_HUGE_LG_PAGE_SZ : FD_SHMEM_GIGANTIC_LG_PAGE_SZ;
  void * mem = mmap( NULL, sz, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | ( lg << MAP_HUGE_SHIFT ), -1, 0 );
  if( mem==MAP_FAILED ) {
    int err = errno;
    printf( "mmap of %zu %s pages refused: %s\n", page_cnt, type, strerror( err ) );
    return err==ENOMEM ? EXIT_REFUSED : EXIT_UNEXPECTED;
  }
  int err = node==NODE_NONE ? 0 : bind_to_node( mem, sz, node );
  if( err ) {
    fprintf( stderr, "outside_map: mbind to node %zu failed: %s\n", node, strerror( err ) );
    munmap( mem, sz );
    return EXIT_UNEXPECTED;
  }
  size_t touched = touch_pages( mem, page_sz, page_cnt );
  munmap( mem, sz );
  if( touched<page_cnt ) {
    printf( "mapped %zu %s pages; SIGBUS touching page %zu\n", page_cnt, type, touched );
    return EXIT_SIGBUS;
  }
  printf( "mapped and touched %zu %s pages\n", page_cnt, type );
  return 0;
}

static int
acquire( size_t page_sz, size_t page_cnt, size_t node ) {
  char const * type = fd_shmem_page_sz_to_cstr( page_sz );
  size_t       cpu  = fd_shmem_cpu_idx( node );
  if( cpu==FD_SHMEM_IDX_NULL ) return usage( "NODE has no cpu, or does not exist" );
  void * mem = fd_shmem_acquire( page_sz, page_cnt, cpu );
  if( !mem ) {
    int               err = errno;
    fd_shmem_reason_t why;
    printf( "fd_shmem_acquire of %zu %s pages on cpu %zu failed: %s\n", page_cnt, type, cpu,
            fd_shmem_last_reason( &why ) ? strerror( err ) : why.text );
    return EXIT_ACQUIRE;
  }
  size_t touched = touch_pages( mem, page_sz, page_cnt );  /* acquire promises pages that are there */
  if( touched<page_cnt ) {
    printf( "acquired %zu %s pages; SIGBUS touching page %zu\n", page_cnt, type, touched );
    return EXIT_SIGBUS;
  }
  if( fd_shmem_release( mem, page_sz, page_cnt ) ) {
    fprintf( stderr, "outside_map: fd_shmem_release failed: %s\n", strerror( errno ) );
    return EXIT_UNEXPECTED;
  }
  printf( "acquired and released %zu %s pages on cpu %zu\n", page_cnt, type, cpu );
  return 0;
}

int
main( int argc, char ** argv ) {
  if( argc<4 || argc>5 ) return usage( "wrong number of arguments" );
  int is_map = !strcmp( argv[1], "map" );
  if( !is_map && strcmp( argv[1], "acquire" ) ) return usage( "the mode is map or acquire" );
  size_t page_sz = !strcmp( argv[2], "huge"     ) ? FD_SHMEM_HUGE_PAGE_SZ
                 : !strcmp( argv[2], "gigantic" ) ? FD_SHMEM_GIGANTIC_PAGE_SZ : 0UL;
  if( !page_sz ) return usage( "TYPE is huge or gigantic" );
  size_t page_cnt;
  if( !parse_count( argv[3], 1UL, (size_t)LONG_MAX/page_sz, &page_cnt ) ) return usage( "N is a page count > 0" );
  size_t node = NODE_NONE;
  if( argc==5 && !parse_count( argv[4], 0UL, FD_SHMEM_NUMA_MAX-1UL, &node ) ) return usage( "NODE is a node index" );
  if( !is_map && node==NODE_NONE ) return usage( "acquire needs NODE" );
  return is_map ? outside_map( page_sz, page_cnt, node ) : acquire( page_sz, page_cnt, node );
}
