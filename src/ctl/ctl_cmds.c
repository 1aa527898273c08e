/* The command table and the usage text built from it. */

#include "ctl.h"

#include <stdio.h>
#include <string.h>

ctl_cmd_t const ctl_cmds[] = {
  { "help",     0, 0, ctl_cmd_help,     NULL, "",                                   "print this help" },
  { "cpu-cnt",  0, 0, ctl_cmd_cpu_cnt,  NULL, "",                                   "print the number of logical cpus" },
  { "numa-cnt", 0, 0, ctl_cmd_numa_cnt, NULL, "",                                   "print the number of NUMA nodes" },
  { "cpu-idx",  1, 0, ctl_cmd_cpu_idx,  NULL, "NUMA",                               "print the lowest cpu of node NUMA, or -" },
  { "numa-idx", 1, 0, ctl_cmd_numa_idx, NULL, "CPU",                                "print the NUMA node of cpu CPU, or -" },
  { "create",   5, 0, ctl_cmd_create,   NULL, "NAME PAGE_CNT PAGE_SZ CPU_SEQ MODE", "create region NAME over the cpus of CPU_SEQ (MODE octal)" },
  { "unlink",   2, 0, ctl_cmd_unlink,   NULL, "NAME PAGE_SZ",                       "remove region NAME (PAGE_SZ 0: find it)" },
  { "query",    0, 2, ctl_cmd_report,   ctl_cmd_query_one, "[NAME PAGE_SZ]",        "domain report; with NAME PAGE_SZ: print \"ERR PAGE_CNT PAGE_SZ\"" },
  { "init",     3, 0, ctl_cmd_init,     NULL, "PERM USER GROUP",                    "create and mount the domain (root)" },
  { "fini",     0, 0, ctl_cmd_fini,     NULL, "",                                   "unmount and remove the domain (root)" },
  { "alloc",    3, 0, ctl_cmd_alloc,    NULL, "CNT TYPE NUMA",                      "set node NUMA's pool of TYPE (huge|gigantic) pages to CNT (root)" },
  { "free",     2, 0, ctl_cmd_free,     NULL, "TYPE NUMA",                          "release node NUMA's TYPE pages: alloc 0 (root)" },
  { "reset",    0, 0, ctl_cmd_reset,    NULL, "",                                   "remove every region of the domain" },
  { "apply",    0, 1, ctl_cmd_apply,    ctl_cmd_apply, "[FILE]",                    "make the machine match FILE (default " FD_SHMEM_CONF_PATH ") (root)" },
  { "check",    0, 1, ctl_cmd_check,    ctl_cmd_check, "[FILE]",                    "exit 0 if the machine matches FILE, else list what differs" },
  { NULL, 0, 0, NULL, NULL, NULL, NULL }
};

ctl_cmd_t const *
ctl_cmd_find( char const * name ) {
  for( ctl_cmd_t const * c=ctl_cmds; c->name; c++ ) if( !strcmp( c->name, name ) ) return c;
  return NULL;
}

void
ctl_usage( void ) {
  printf( "usage: fd_shmem_ctl [--shmem-path PATH] [--json] [--quiet] [--version] [--help] CMD [ARGS] [CMD [ARGS]] ...\n\n"
          "Commands run left to right; the first failure stops the run.\n\n" );
  for( ctl_cmd_t const * c=ctl_cmds; c->name; c++ )
    printf( "  %-9s %-35s %s\n", c->name, c->args, c->help );
  printf( "\nOptions: --shmem-path PATH, --json (query), --dry-run (apply), --quiet, --version, --help.\n" );
  printf( "\nPAGE_SZ / TYPE: normal, huge, gigantic or the page size in bytes.\n"
          "The domain is --shmem-path, else $FD_SHMEM_PATH, else /mnt/.fd.\n" );
}

int
ctl_cmd_help( ctl_t * ctl, char ** argv ) {
  (void)ctl; (void)argv;
  ctl_usage();
  return 0;
}
