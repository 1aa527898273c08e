/* What the machine shows when a hugepage pool cannot be filled: why a
   page size is not offered (the sizes the kernel has, the CPU's
   pdpe1gb flag, the base page size), the free blocks of each order a
   node has (/proc/buddyinfo), and the hugetlb cgroup limit of this
   process (v1 and v2).  The pool allocator words them. */

#include "fd_shmem_sys.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_ (4096)  /* a line of cpuinfo's flags is about 1.5 KiB */

/* The huge page sizes the kernel offers, for a person ("2.0 MiB,
   1.0 GiB"), into buf; "" for none. */
static void
offered_sizes( char * buf, size_t buf_sz ) {
  buf[0] = '\0';
  DIR * d = fd_shmem_private_sys_opendir( "/sys/kernel/mm/hugepages" );
  if( !d ) return;
  size_t len = 0UL;
  for( struct dirent * e; (e = readdir( d )); ) {
    unsigned long kib;
    char          human[ 32 ];
    if( sscanf( e->d_name, "hugepages-%lukB", &kib )!=1 ) continue;
    int n = snprintf( buf+len, buf_sz-len, "%s%s", len ? ", " : "", fd_shmem_private_human( kib<<10, human,
                                                                                           sizeof(human) ) );
    if( n<0 || (size_t)n>=buf_sz-len ) break;
    len += (size_t)n;
  }
  closedir( d );
}

/* 1 if /proc/cpuinfo has flags lines (x86) and none names flag. */
static int
cpu_lacks_flag( char const * flag ) {
  FILE * f = fd_shmem_private_sys_fopen( "/proc/cpuinfo" );
  if( !f ) return 0;
  static __thread char line[ LINE_MAX_ ];
  int seen = 0, has = 0;
  size_t flag_len = strlen( flag );
  while( !has && fgets( line, sizeof(line), f ) ) {
    if( strncmp( line, "flags", 5UL ) ) continue;
    seen = 1;
    for( char * s = strstr( line, flag ); s && !has; s = strstr( s+1, flag ) )
      has = s[-1]==' ' && ( s[ flag_len ]==' ' || s[ flag_len ]=='\n' || !s[ flag_len ] );
  }
  fclose( f );
  return seen && !has;
}

void
fd_shmem_private_page_sz_absent_why( size_t page_sz, size_t numa_idx, char * buf, size_t buf_sz ) {
  char offered[ 160 ], dir[ 320 ], base[ 32 ];
  offered_sizes( offered, sizeof(offered) );
  size_t base_sz = (size_t)sysconf( _SC_PAGESIZE );
  if( !fd_shmem_private_hugepage_dir( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, dir, sizeof(dir) ) && !access( dir, F_OK ) )
    snprintf( buf, buf_sz, "the kernel offers them, but node %zu has no pool of them", numa_idx );
  else if( !offered[0] )
    snprintf( buf, buf_sz, "the kernel offers no huge pages at all (/sys/kernel/mm/hugepages is empty or absent: "
                           "a kernel built without CONFIG_HUGETLBFS)" );
  else if( page_sz==(1UL<<30) && cpu_lacks_flag( "pdpe1gb" ) )
    snprintf( buf, buf_sz, "the CPU has no 1 GiB pages: pdpe1gb is not among the flags of /proc/cpuinfo "
                           "(a virtual machine needs its host to pass the flag through, as QEMU's -cpu host does); "
                           "the kernel offers %s", offered );
  else if( base_sz!=4096UL )
    snprintf( buf, buf_sz, "this kernel's base page is %s, and with it the huge page sizes are %s",
              fd_shmem_private_human( base_sz, base, sizeof(base) ), offered );
  else
    snprintf( buf, buf_sz, "the kernel offers only %s", offered );
}

/* The order of a page of page_sz: log2 of the base pages it spans. */
static int
page_order( size_t page_sz ) {
  size_t base_sz = (size_t)sysconf( _SC_PAGESIZE );
  int order = 0;
  while( order<63 && (base_sz<<order)<page_sz ) order++;
  return order;
}

/* From /proc/buddyinfo, the pages of page_sz that node numa_idx's free
   blocks of *order (the page's order) or more could hold; *max_order
   gets the largest order the file shows.  Returns 0, ERANGE (the page
   is beyond the largest order), ENOENT (the node is not in the file) or
   the errno of the open. */
static int
buddy_pages( size_t page_sz, size_t numa_idx, size_t * pages, int * order, int * max_order ) {
  FILE * f = fd_shmem_private_sys_fopen( "/proc/buddyinfo" );
  if( !f ) return errno;
  *order     = page_order( page_sz );
  *max_order = -1;
  *pages     = 0UL;
  char line[ 512 ];
  int  seen = 0;
  while( fgets( line, sizeof(line), f ) ) {  /* "Node 0, zone   Normal   12   3 ..." */
    size_t node;
    int    at;
    if( sscanf( line, "Node %zu, zone %*s%n", &node, &at )!=1 || node!=numa_idx ) continue;
    seen = 1;
    char * s = line+at;
    for( int k=0; ; k++ ) {
      char * end;
      unsigned long long blocks = strtoull( s, &end, 10 );
      if( end==s ) break;
      s = end;
      if( k>*max_order ) *max_order = k;
      if( k>=*order && k-*order<63 ) *pages += (size_t)blocks << ( k-*order );
    }
  }
  fclose( f );
  if( !seen ) return ENOENT;
  return *order>*max_order ? ERANGE : 0;
}

void
fd_shmem_private_fragmented_why( size_t page_sz, size_t numa_idx, size_t missing, size_t mem_free, int tries,
                                 char * buf, size_t buf_sz ) {
  char   free_[ 32 ], page[ 32 ];
  size_t pages = 0UL;
  int    order = 0, max_order = 0;
  int    err = buddy_pages( page_sz, numa_idx, &pages, &order, &max_order );
  fd_shmem_private_human( mem_free, free_, sizeof(free_) );
  fd_shmem_private_human( page_sz,  page,  sizeof(page) );
  if( err==ERANGE )
    snprintf( buf, buf_sz, "the node has %s free, but a %s page is a block of order %d, beyond the largest "
              "free block the kernel keeps (order %d in /proc/buddyinfo): it must find %s of contiguous "
              "movable memory, and %d compactions did not make enough of it", free_, page, order, max_order, page,
              tries );
  else if( !err )
    snprintf( buf, buf_sz, "the node has %s free, but its free blocks of order %d (%s) or larger "
              "(/proc/buddyinfo) hold only %zu page%s, not the %zu missing: its free memory is fragmented, "
              "and %d compactions did not join enough of it", free_, order, page, pages, pages==1UL ? "" : "s",
              missing, tries );
  else
    snprintf( buf, buf_sz, "still short after %d compactions: free memory is too fragmented", tries );
}

/* The kernel's name of page_sz in hugetlb cgroup files: "2MB", "1GB". */
static void
cgroup_size_name( size_t page_sz, char * buf, size_t buf_sz ) {
  if( page_sz>=(1UL<<30) ) snprintf( buf, buf_sz, "%zuGB", page_sz>>30 );
  else if( page_sz>=(1UL<<20) ) snprintf( buf, buf_sz, "%zuMB", page_sz>>20 );
  else snprintf( buf, buf_sz, "%zuKB", page_sz>>10 );
}

/* The limit file's value: bytes, SIZE_MAX for "max"; 0 if read. */
static int
limit_read( char const * path, size_t * bytes ) {
  FILE * f = fopen( path, "re" );
  if( !f ) return errno;
  char text[ 32 ] = "";
  int ok = !!fgets( text, sizeof(text), f );
  fclose( f );
  if( !ok ) return EIO;
  if( !strncmp( text, "max", 3UL ) ) { *bytes = SIZE_MAX; return 0; }
  char * end;
  unsigned long long v = strtoull( text, &end, 10 );
  if( end==text ) return EIO;
  *bytes = (size_t)v;
  return 0;
}

int
fd_shmem_private_hugetlb_cgroup_limit( size_t page_sz, size_t * bytes, char * path, size_t path_sz ) {
  FILE * f = fd_shmem_private_sys_fopen( "/proc/self/cgroup" );
  if( !f ) return errno;
  char line[ 512 ], group[ 512 ] = "", size[ 16 ];
  int  v1 = 0;
  while( fgets( line, sizeof(line), f ) ) {  /* "0::/a/b" (v2) or "7:hugetlb:/a/b" (v1) */
    line[ strcspn( line, "\n" ) ] = '\0';
    char * c1 = strchr( line, ':' ), * c2 = c1 ? strchr( c1+1, ':' ) : NULL;
    if( !c2 ) continue;
    *c1 = '\0';
    *c2 = '\0';
    if( !strcmp( c1+1, "hugetlb" ) ) { v1 = 1; snprintf( group, sizeof(group), "%s", c2+1 ); break; }
    if( !strcmp( line, "0" ) && !c1[1] ) snprintf( group, sizeof(group), "%s", c2+1 );
  }
  fclose( f );
  if( !group[0] ) return ENOENT;
  cgroup_size_name( page_sz, size, sizeof(size) );
  /* the group's limit and each ancestor's: the lowest applies */
  *bytes = SIZE_MAX;
  for( size_t len=strlen( group ); ; ) {
    char   file[ 1024 ];
    size_t v = SIZE_MAX;
    group[ len ] = '\0';
    if( !fd_shmem_private_sys_path( file, sizeof(file), "/sys/fs/cgroup%s%s/hugetlb.%s.%s", v1 ? "/hugetlb" : "",
                                    len>1UL ? group : "", size, v1 ? "limit_in_bytes" : "max" ) &&
        !limit_read( file, &v ) && v<*bytes ) {
      *bytes = v;
      snprintf( path, path_sz, "%s", file+strlen( fd_shmem_private_sysroot() ) );
    }
    char * up = strrchr( group, '/' );
    if( !up || len<=1UL ) break;
    len = up>group ? (size_t)(up-group) : 1UL;
  }
  return *bytes==SIZE_MAX ? ENOENT : 0;
}
