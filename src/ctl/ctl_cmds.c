/* The command table and the usage text built from it. */

#include "ctl.h"

#include <stdio.h>
#include <string.h>

ctl_cmd_t const ctl_cmds[] = {
  { "help", CTL_LOCK_NONE, 0, 0, NULL, ctl_cmd_help,
    "", "print this help" },
  { "cpu-cnt", CTL_LOCK_SHARED, 0, 0, NULL, ctl_cmd_cpu_cnt,
    "", "print the number of logical cpus" },
  { "numa-cnt", CTL_LOCK_SHARED, 0, 0, NULL, ctl_cmd_numa_cnt,
    "", "print the number of NUMA nodes" },
  { "cpu-idx", CTL_LOCK_SHARED, 1, 0, ctl_parse_numa, ctl_cmd_cpu_idx,
    "NUMA", "print the lowest cpu of node NUMA, or -" },
  { "numa-idx", CTL_LOCK_SHARED, 1, 0, ctl_parse_cpu, ctl_cmd_numa_idx,
    "CPU", "print the NUMA node of cpu CPU, or -" },
  { "create", CTL_LOCK_SHARED, 5, 0, ctl_parse_create, ctl_cmd_create,
    "NAME PAGE_CNT PAGE_SZ CPU_SEQ MODE", "create region NAME over the cpus of CPU_SEQ (MODE octal)" },
  { "unlink", CTL_LOCK_SHARED, 2, 0, ctl_parse_region, ctl_cmd_unlink,
    "NAME PAGE_SZ", "remove region NAME (PAGE_SZ 0: find it)" },
  { "query", CTL_LOCK_SHARED, 0, 2, ctl_parse_query, ctl_cmd_query,
    "[NAME PAGE_SZ]", "domain report; with NAME PAGE_SZ: print \"ERR PAGE_CNT PAGE_SZ\"" },
  { "init", CTL_LOCK_EXCLUSIVE, 3, 0, ctl_parse_init, ctl_cmd_init,
    "PERM USER GROUP", "create and mount the domain (root)" },
  { "fini", CTL_LOCK_EXCLUSIVE, 0, 0, NULL, ctl_cmd_fini,
    "", "unmount and remove the domain (root)" },
  { "alloc", CTL_LOCK_EXCLUSIVE, 3, 0, ctl_parse_alloc, ctl_cmd_alloc,
    "CNT TYPE NUMA", "set node NUMA's pool of TYPE (huge|gigantic) pages to CNT (root)" },
  { "free", CTL_LOCK_EXCLUSIVE, 2, 0, ctl_parse_free, ctl_cmd_alloc,
    "TYPE NUMA", "release node NUMA's TYPE pages: alloc 0 (root)" },
  { "reset", CTL_LOCK_EXCLUSIVE, 0, 0, NULL, ctl_cmd_reset,
    "", "remove every region of the domain" },
  { "apply", CTL_LOCK_EXCLUSIVE, 0, 1, ctl_parse_conf, ctl_cmd_apply,
    "[FILE]", "make the machine match FILE (default " FD_SHMEM_CONF_PATH ") (root)" },
  { "check", CTL_LOCK_SHARED, 0, 1, ctl_parse_conf, ctl_cmd_check,
    "[FILE]", "exit 0 if the machine matches FILE, else list what differs" },
  { "kernel-cmdline", CTL_LOCK_SHARED, 0, 1, ctl_parse_file, ctl_cmd_kernel_cmdline,
    "[FILE]", "print the kernel parameters that reserve FILE's pages at boot" },
  { "metrics", CTL_LOCK_SHARED, 0, 1, ctl_parse_metrics, ctl_cmd_metrics,
    "[FILE]", "print the pools, domain, regions and differences from FILE for Prometheus" },
  { NULL, CTL_LOCK_NONE, 0, 0, NULL, NULL, NULL, NULL }
};

ctl_cmd_t const *
ctl_cmd_find( char const * name ) {
  for( ctl_cmd_t const * c=ctl_cmds; c->name; c++ ) if( !strcmp( c->name, name ) ) return c;
  return NULL;
}

void
ctl_usage( void ) {
  printf( "usage: fd_shmem_ctl [--shmem-path PATH] [--json] [--dry-run] [--quiet] [--version] [--help]"
          " CMD [ARGS] [CMD [ARGS]] ...\n\n"
          "Commands run left to right; the first failure stops the run.\n\n" );
  for( ctl_cmd_t const * c=ctl_cmds; c->name; c++ )
    printf( "  %-14s %-35s %s\n", c->name, c->args, c->help );
  printf( "\nOptions (anywhere on the line; -- ends them): --shmem-path PATH, --json (query, check),\n"
          "--dry-run (every command: check, print what would be done, change nothing), --quiet, --version, --help.\n" );
  printf( "\nPAGE_SZ / TYPE: normal, huge, gigantic, a size as the kernel writes it (4k, 2M, 2048kB, 1G)\n"
          "or the page size in bytes.  Numbers are decimal, without a leading zero; MODE and PERM are octal.\n"
          "The domain is --shmem-path, else $FD_SHMEM_PATH, else /mnt/.fd.\n" );
}

int
ctl_cmd_help( ctl_t * ctl, ctl_args_t const * args ) {
  (void)ctl; (void)args;
  ctl_usage();
  return 0;
}
