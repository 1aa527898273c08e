/* NUMA topology, read once from libnuma (on the first question about
   it) and cached. */

#include "fd_shmem_sys.h"

#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

static pthread_once_t topo_once = PTHREAD_ONCE_INIT;
static int      topo_has_numa;
static size_t   topo_numa_cnt = 1UL;
static size_t   topo_cpu_cnt  = 1UL;
static uint16_t topo_cpu_numa[ FD_SHMEM_CPU_MAX  ];  /* node of each cpu */
static uint16_t topo_numa_cpu[ FD_SHMEM_NUMA_MAX ];  /* lowest cpu of each node, or UINT16_MAX */

static size_t
clamp_cnt( long cnt, size_t max ) {
  if( cnt<1L ) return 1UL;
  return (size_t)cnt>max ? max : (size_t)cnt;
}

/* Node ids can be sparse, so the node count is the highest id plus one;
   a cpu that libnuma cannot place is reported on node 0. */
static void
topo_load( void ) {
  fd_shmem_private_numa_lib_t const * numa = fd_shmem_private_numa_lib();
  int has_numa = numa && numa->available()>=0;
  topo_has_numa = has_numa;
  topo_cpu_cnt  = clamp_cnt( has_numa ? (long)numa->num_configured_cpus() : sysconf( _SC_NPROCESSORS_CONF ),
                             FD_SHMEM_CPU_MAX );
  topo_numa_cnt = clamp_cnt( has_numa ? (long)numa->max_node()+1L : 1L, FD_SHMEM_NUMA_MAX );

  for( size_t n=0UL; n<FD_SHMEM_NUMA_MAX; n++ ) topo_numa_cpu[ n ] = UINT16_MAX;
  for( size_t c=0UL; c<topo_cpu_cnt; c++ ) {
    int node = has_numa ? numa->node_of_cpu( (int)c ) : 0;
    if( node<0 || (size_t)node>=topo_numa_cnt ) node = 0;
    topo_cpu_numa[ c ] = (uint16_t)node;
    if( topo_numa_cpu[ node ]==UINT16_MAX ) topo_numa_cpu[ node ] = (uint16_t)c;
  }
}

int
fd_shmem_private_has_numa( void ) {
  pthread_once( &topo_once, topo_load );
  return topo_has_numa;
}

FD_SHMEM_EXPORT size_t
fd_shmem_numa_cnt( void ) {
  pthread_once( &topo_once, topo_load );
  return topo_numa_cnt;
}

FD_SHMEM_EXPORT size_t
fd_shmem_cpu_cnt( void ) {
  pthread_once( &topo_once, topo_load );
  return topo_cpu_cnt;
}

FD_SHMEM_EXPORT size_t
fd_shmem_numa_idx( size_t cpu_idx ) {
  pthread_once( &topo_once, topo_load );
  return cpu_idx<topo_cpu_cnt ? (size_t)topo_cpu_numa[ cpu_idx ] : FD_SHMEM_IDX_NULL;
}

FD_SHMEM_EXPORT size_t
fd_shmem_cpu_idx( size_t numa_idx ) {
  pthread_once( &topo_once, topo_load );
  if( numa_idx>=topo_numa_cnt || topo_numa_cpu[ numa_idx ]==UINT16_MAX ) return FD_SHMEM_IDX_NULL;
  return (size_t)topo_numa_cpu[ numa_idx ];
}
