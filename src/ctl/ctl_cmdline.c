/* "kernel-cmdline [FILE]": the kernel parameters that reserve the
   file's pages at boot, before memory fragments (the one time 1 GiB
   pages can be counted on).  The per-node form, hugepages=N:C,...,
   needs Linux 5.16 or later. */

#include "ctl.h"
#include "ctl_conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CMDLINE_MAX  (64 + 24*FD_SHMEM_NUMA_MAX)
#define KERNEL_LINE_MAX (2047UL)  /* x86's COMMAND_LINE_SIZE, less its NUL */

static ctl_conf_t conf;  /* big: kept off the stack */

/* 1 if the file names node n for this type on a line of its own. */
static int
has_node_line( size_t page_sz ) {
  for( size_t i=0; i<conf.pages_cnt; i++ )
    if( conf.pages[i].page_sz==page_sz && conf.pages[i].numa!=CTL_CONF_ALL_NODES ) return 1;
  return 0;
}

/* Refuses a count the node could never hold (the library's own rule,
   asked in a dry run): at boot it would leave the kernel no memory. */
static int
check_fits( ctl_t * ctl, size_t page_sz, size_t numa, size_t cnt ) {
  int was = fd_shmem_set_dry_run( 1 );
  int err = fd_shmem_pool_alloc( cnt, page_sz, numa, NULL );
  fd_shmem_set_dry_run( was );
  return err==E2BIG || err==EOPNOTSUPP ? err : 0;  /* in use, or not root: no matter for the next boot */
}

/* Appends " hugepagesz=SZ hugepages=..." for one page type; "all" alone
   gives the total, which the kernel spreads evenly over the nodes. */
static int
append_type( ctl_t * ctl, char * line, size_t line_sz, size_t page_sz, char const * sz_word ) {
  size_t numa_cnt = fd_shmem_numa_cnt(), total = 0UL, n_used = 0UL;
  static char nodes[ CMDLINE_MAX ];
  nodes[0] = '\0';
  for( size_t n=0; n<numa_cnt; n++ ) {
    size_t cnt;
    if( !ctl_conf_want( &conf, page_sz, n, &cnt, NULL ) || !cnt ) continue;
    int err = check_fits( ctl, page_sz, n, cnt );
    if( err ) return err;
    if( __builtin_add_overflow( total, cnt, &total ) )
      return ctl_fail( ctl, ERANGE, "%s page count too large", sz_word );
    size_t len = strlen( nodes );
    snprintf( nodes+len, sizeof(nodes)-len, "%s%zu:%zu", n_used++ ? "," : "", n, cnt );
  }
  if( !n_used ) return 0;
  size_t len = strlen( line );
  if( has_node_line( page_sz ) ) snprintf( line+len, line_sz-len, " hugepagesz=%s hugepages=%s", sz_word, nodes );
  else                           snprintf( line+len, line_sz-len, " hugepagesz=%s hugepages=%zu", sz_word, total );
  return 0;
}

int
ctl_cmd_kernel_cmdline( ctl_t * ctl, ctl_args_t const * args ) {
  int err = ctl_conf_read( ctl, &conf, args->file );
  if( err ) return err;
  static char line[ 2*CMDLINE_MAX ];
  line[0] = '\0';
  err = append_type( ctl, line, sizeof(line), FD_SHMEM_GIGANTIC_PAGE_SZ, "1G" );
  if( !err ) err = append_type( ctl, line, sizeof(line), FD_SHMEM_HUGE_PAGE_SZ, "2M" );
  if( err ) return err;
  if( strlen( line+1 )>KERNEL_LINE_MAX )
    return ctl_fail( ctl, E2BIG, "the parameters take %zu bytes, more than a kernel command line holds (%lu); "
                     "name fewer nodes (pages = TYPE all COUNT)", strlen( line+1 ), KERNEL_LINE_MAX );
  if( !line[0] ) { ctl_note( ctl, "%s reserves no pages: no kernel parameters are needed", args->file ); return 0; }
  printf( "%s\n", line+1 );
  fflush( stdout );
  ctl_note( ctl, "add them to the kernel command line, see fd_shmem_ctl(8): on Debian in a file of "
            "/etc/default/grub.d/ (GRUB_CMDLINE_LINUX_DEFAULT), then update-grub; "
            "on Fedora with grubby --update-kernel=ALL --args=\"...\"" );
  return 0;
}
