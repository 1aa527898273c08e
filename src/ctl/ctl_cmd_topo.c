/* Topology commands and their arguments: cpu-cnt, numa-cnt, cpu-idx,
   numa-idx. */

#include "ctl.h"

#include <stdio.h>

/* idx, or "-" for the library's answer of no such node or cpu. */
static void
print_idx( size_t idx ) {
  if( idx==FD_SHMEM_IDX_NULL ) puts( "-" );
  else              printf( "%zu\n", idx );
}

int
ctl_cmd_cpu_cnt( ctl_t * ctl, ctl_args_t const * args ) {
  (void)ctl; (void)args;
  printf( "%zu\n", fd_shmem_cpu_cnt() );
  return 0;
}

int
ctl_cmd_numa_cnt( ctl_t * ctl, ctl_args_t const * args ) {
  (void)ctl; (void)args;
  printf( "%zu\n", fd_shmem_numa_cnt() );
  return 0;
}

int
ctl_cmd_cpu_idx( ctl_t * ctl, ctl_args_t const * args ) {
  (void)ctl;
  print_idx( fd_shmem_cpu_idx( args->topo.idx ) );
  return 0;
}

int
ctl_cmd_numa_idx( ctl_t * ctl, ctl_args_t const * args ) {
  (void)ctl;
  print_idx( fd_shmem_numa_idx( args->topo.idx ) );
  return 0;
}

/* ---- the arguments ---- */

int
ctl_parse_numa( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  return ctl_parse_count( ctl, "NUMA", "node number", argv[0], &args->topo.idx );
}

int
ctl_parse_cpu( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  return ctl_parse_count( ctl, "CPU", "cpu number", argv[0], &args->topo.idx );
}
