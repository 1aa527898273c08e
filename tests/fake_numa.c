/* libnuma, answered from the fake tree (FD_SHMEM_SYSROOT): what a test
   program built from the library's sources with the test seam links
   in with -Wl,--wrap=dlopen,--wrap=dlsym.  The library keeps loading
   libnuma by name; here that load gives a handle on this file instead,
   so the real libnuma (whose constructor reads the real /sys) is never
   loaded.  The topology comes from the fake tree's
   sys/devices/system/node/nodeN/cpulist files, read on each call; the
   policy calls go to the kernel as they are.  Without FD_SHMEM_SYSROOT
   both calls pass through. */

#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static char fake_handle;  /* the handle dlopen gives for libnuma */

/* 1 if cpu is in list ("0-3,8,10-11"). */
static int
cpulist_has( char const * list, int cpu ) {
  for( char const * p=list; *p; ) {
    char * end;
    long lo = strtol( p, &end, 10 ), hi = lo;
    if( end==p ) break;
    if( *end=='-' ) { p = end+1; hi = strtol( p, &end, 10 ); }
    if( cpu>=lo && cpu<=hi ) return 1;
    p = *end==',' ? end+1 : end;
    if( !isdigit( (unsigned char)*p ) ) break;
  }
  return 0;
}

/* Node node's cpulist into buf; 0, or -1 if the node has none. */
static int
node_cpulist( int node, char * buf, size_t buf_sz ) {
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/sys/devices/system/node/node%d/cpulist", getenv( "FD_SHMEM_SYSROOT" ), node );
  FILE * f = fopen( path, "re" );
  if( !f ) return -1;
  int ok = !!fgets( buf, (int)buf_sz, f );
  fclose( f );
  return ok ? 0 : -1;
}

static int fake_available( void ) { return 0; }

static int
fake_max_node( void ) {
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/sys/devices/system/node", getenv( "FD_SHMEM_SYSROOT" ) );
  DIR * d = opendir( path );
  int max = 0;
  for( struct dirent * e; d && ( e = readdir( d ) ); ) {
    if( strncmp( e->d_name, "node", 4UL ) || !isdigit( (unsigned char)e->d_name[4] ) ) continue;
    int node = atoi( e->d_name+4 );
    if( node>max ) max = node;
  }
  if( d ) closedir( d );
  return max;
}

static int
fake_node_of_cpu( int cpu ) {
  char list[ 256 ];
  for( int node=0; node<=fake_max_node(); node++ )
    if( !node_cpulist( node, list, sizeof(list) ) && cpulist_has( list, cpu ) ) return node;
  return -1;
}

static int
fake_num_configured_cpus( void ) {
  int cnt = 0;
  while( fake_node_of_cpu( cnt )>=0 ) cnt++;
  return cnt;
}

static long
fake_mbind( void * start, unsigned long len, int mode, unsigned long const * nmask, unsigned long maxnode,
            unsigned flags ) {
  return syscall( SYS_mbind, start, len, mode, nmask, maxnode, flags );
}

static long
fake_move_pages( int pid, unsigned long count, void ** pages, int const * nodes, int * status, int flags ) {
  return syscall( SYS_move_pages, pid, count, pages, nodes, status, flags );
}

static long
fake_get_mempolicy( int * mode, unsigned long * nmask, unsigned long maxnode, void * addr, unsigned flags ) {
  return syscall( SYS_get_mempolicy, mode, nmask, maxnode, addr, flags );
}

void * __real_dlopen( char const * file, int flags );
void * __wrap_dlopen( char const * file, int flags );
void *
__wrap_dlopen( char const * file, int flags ) {
  if( getenv( "FD_SHMEM_SYSROOT" ) && file && !strcmp( file, "libnuma.so.1" ) ) return &fake_handle;
  return __real_dlopen( file, flags );
}

void * __real_dlsym( void * handle, char const * name );
void * __wrap_dlsym( void * handle, char const * name );
void *
__wrap_dlsym( void * handle, char const * name ) {
  static struct { char const * name; void * fn; } const table[] = {
    { "numa_available",           (void *)(uintptr_t)fake_available           },
    { "numa_num_configured_cpus", (void *)(uintptr_t)fake_num_configured_cpus },
    { "numa_max_node",            (void *)(uintptr_t)fake_max_node            },
    { "numa_node_of_cpu",         (void *)(uintptr_t)fake_node_of_cpu         },
    { "mbind",                    (void *)(uintptr_t)fake_mbind               },
    { "move_pages",               (void *)(uintptr_t)fake_move_pages          },
    { "get_mempolicy",            (void *)(uintptr_t)fake_get_mempolicy       },
  };
  if( handle!=&fake_handle ) return __real_dlsym( handle, name );
  for( size_t i=0UL; i<sizeof(table)/sizeof(table[0]); i++ ) if( !strcmp( name, table[i].name ) ) return table[i].fn;
  return NULL;
}
