/* libnuma, loaded on first use.  A program that links libfdshmem but
   never asks where memory goes (fd_shmem_ctl --help, a process that
   only joins regions) neither loads it nor runs its constructor, which
   reads /proc/self/status and walks /sys/devices/system/node. */

#include "fd_shmem_sys.h"

#include <dlfcn.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>

#define LIBNUMA_SONAME "libnuma.so.1"

static pthread_once_t                   lib_once = PTHREAD_ONCE_INIT;
static fd_shmem_private_numa_lib_t      lib;
static fd_shmem_private_numa_lib_t const * lib_ready;  /* NULL: could not be loaded */

/* The address of symbol name in handle h, or NULL. */
static void *
sym( void * h, char const * name ) {
  void * p = dlsym( h, name );
  if( !p ) FD_SHMEM_PRIVATE_WARN( "%s has no %s; NUMA placement is off", LIBNUMA_SONAME, name );
  return p;
}

/* The table's types are libnuma's own. */
#define SAME_TYPE( fn, field ) \
  _Static_assert( __builtin_types_compatible_p( __typeof__( &fn ), __typeof__( lib.field ) ), #fn )
SAME_TYPE( numa_available,           available           );
SAME_TYPE( numa_num_configured_cpus, num_configured_cpus );
SAME_TYPE( numa_max_node,            max_node            );
SAME_TYPE( numa_node_of_cpu,         node_of_cpu         );
SAME_TYPE( mbind,                    mbind               );
SAME_TYPE( move_pages,               move_pages          );
SAME_TYPE( get_mempolicy,            get_mempolicy       );

static void
lib_load( void ) {
  void * h = dlopen( LIBNUMA_SONAME, RTLD_NOW | RTLD_LOCAL );
  if( !h ) {
    char const * why = dlerror();
    FD_SHMEM_PRIVATE_WARN( "cannot load %s (%s); NUMA placement is off", LIBNUMA_SONAME, why ? why : "unknown error" );
    return;
  }
  /* converted through uintptr_t: ISO C has no object-to-function pointer cast */
  lib.available           = (__typeof__( lib.available           ))(uintptr_t)sym( h, "numa_available" );
  lib.num_configured_cpus = (__typeof__( lib.num_configured_cpus ))(uintptr_t)sym( h, "numa_num_configured_cpus" );
  lib.max_node            = (__typeof__( lib.max_node            ))(uintptr_t)sym( h, "numa_max_node" );
  lib.node_of_cpu         = (__typeof__( lib.node_of_cpu         ))(uintptr_t)sym( h, "numa_node_of_cpu" );
  lib.mbind               = (__typeof__( lib.mbind               ))(uintptr_t)sym( h, "mbind" );
  lib.move_pages          = (__typeof__( lib.move_pages          ))(uintptr_t)sym( h, "move_pages" );
  lib.get_mempolicy       = (__typeof__( lib.get_mempolicy       ))(uintptr_t)sym( h, "get_mempolicy" );
  if( !lib.available || !lib.num_configured_cpus || !lib.max_node || !lib.node_of_cpu ||
      !lib.mbind || !lib.move_pages || !lib.get_mempolicy ) {
    dlclose( h );
    return;
  }
  lib_ready = &lib;  /* the handle stays open for the life of the process */
}

fd_shmem_private_numa_lib_t const *
fd_shmem_private_numa_lib( void ) {
  pthread_once( &lib_once, lib_load );
  return lib_ready;
}
