/* "kernel-cmdline [FILE]": the kernel parameters that reserve the
   file's pages at boot, before memory fragments (the one time 1 GiB
   pages can be counted on).  The per-node form, hugepages=N:C,...,
   needs Linux 5.16 or later; one node, or "all" lines alone, get the
   plain total, which every kernel takes. */

#include "ctl.h"
#include "ctl_conf_read.h"
#include "../lib/base/fd_shmem_page_type.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CMDLINE_MAX     (64 + 24*FD_SHMEM_NUMA_MAX)
#define KERNEL_LINE_MAX (2047UL)  /* x86's COMMAND_LINE_SIZE, less its NUL */
#define KEEP_MIN        (1UL<<30) /* what a node keeps for the kernel and programs: 1 GiB, */
#define KEEP_SHIFT      (5)       /* or 1/32 of its memory if that is more (the file's headroom replaces it) */

/* The page types of the library's table (index t), which each loop
   takes largest first: the order of the line.  Normal pages have no
   pool, so no line asks for them and they add nothing. */
#define TYPE( i ) FD_SHMEM_PRIVATE_LARGEST_FIRST( i )
#define PAGE_SZ( t ) ( fd_shmem_private_page_type[ t ].page_sz )

/* The file, and what it asks of each node at boot, worked out once. */
static struct {
  ctl_conf_t conf;
  size_t     mem [ FD_SHMEM_NUMA_MAX ];             /* MemTotal; 0: no memory (no hugepage pools there) */
  size_t     want[ FD_SHMEM_DOMAIN_TYPE_CNT ][ FD_SHMEM_NUMA_MAX ];  /* by page type */
  unsigned   line[ FD_SHMEM_DOMAIN_TYPE_CNT ][ FD_SHMEM_NUMA_MAX ];  /* the line that asks it */
  int        own [ FD_SHMEM_DOMAIN_TYPE_CNT ][ FD_SHMEM_NUMA_MAX ];  /* ... names the node, not "all" */
} boot;  /* big: kept off the stack */

/* Fills boot.mem, want, line and own: an "all" line covers only the
   nodes that have memory. */
static void
boot_plan( void ) {
  memset( boot.own, 0, sizeof(boot.own) );
  for( size_t i=0; i<boot.conf.pages_cnt; i++ ) {
    ctl_conf_pages_t const * r = &boot.conf.pages[i];
    if( r->numa!=CTL_CONF_ALL_NODES ) boot.own[ fd_shmem_private_page_type_idx( r->page_sz ) ][ r->numa ] = 1;
  }
  for( size_t n=0; n<fd_shmem_numa_cnt(); n++ ) {
    fd_shmem_pool_info_t p;
    boot.mem[n] = fd_shmem_pool_query( FD_SHMEM_HUGE_PAGE_SZ, n, &p ) ? 0UL : p.node_bytes;
    for( size_t i=0; i<FD_SHMEM_DOMAIN_TYPE_CNT; i++ ) {
      size_t t = TYPE( i ), cnt = 0UL;
      boot.line[t][n] = 0U;
      int asked = ctl_conf_want( &boot.conf, PAGE_SZ( t ), n, &cnt, &boot.line[t][n] );
      boot.want[t][n] = asked && ( boot.mem[n] || boot.own[t][n] ) ? cnt : 0UL;
    }
  }
}

size_t
ctl_headroom( ctl_conf_t const * conf, size_t node_bytes ) {
  if( conf && conf->line_of[ CTL_CONF_HEADROOM ] ) return conf->headroom;
  return node_bytes>>KEEP_SHIFT > KEEP_MIN ? node_bytes>>KEEP_SHIFT : KEEP_MIN;
}

void
ctl_node_pools( size_t numa, size_t const * want, ctl_node_pools_t * np ) {
  np->mem = np->now = np->after = 0UL;
  for( size_t t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    fd_shmem_pool_info_t p;
    if( PAGE_SZ( t )==FD_SHMEM_NORMAL_PAGE_SZ || fd_shmem_pool_query( PAGE_SZ( t ), numa, &p ) ) continue;
    size_t cnt = !want || want[t]==CTL_POOL_AS_NOW ? p.total : want[t];
    np->mem    = p.node_bytes;
    np->now   += p.total*PAGE_SZ( t );
    np->after += cnt>np->mem/PAGE_SZ( t ) ? np->mem+1UL : cnt*PAGE_SZ( t );  /* more than the node: refused */
  }
}

char const *
ctl_headroom_rule( ctl_conf_t const * conf, size_t keep, char * buf, size_t buf_sz ) {
  if( !conf || !conf->line_of[ CTL_CONF_HEADROOM ] ) return "1 GiB or 1/32 of the node, the larger";
  snprintf( buf, buf_sz, "headroom = %zu MiB", keep>>20 );
  return buf;
}

int
ctl_headroom_check( ctl_t * ctl, ctl_conf_t const * conf, char const * fname, size_t numa, size_t const * want ) {
  ctl_node_pools_t np;
  ctl_node_pools( numa, want, &np );
  size_t mem = np.mem, after = np.after, keep = ctl_headroom( conf, mem );
  if( after<=np.now || after>mem || mem-after>=keep ) return 0;  /* only a grow is refused */
  int own = conf && conf->line_of[ CTL_CONF_HEADROOM ];
  char rule[ 64 ];
  return ctl_fail( ctl, E2BIG, "node %zu: its pools would take %zu MiB of its %zu MiB, leaving %zu MiB, less than "
                   "the %zu MiB it keeps for the kernel and programs (%s%s%s); set headroom = SIZE in %s to change "
                   "that; nothing was done", numa, after>>20, mem>>20, ( mem-after )>>20, keep>>20,
                   ctl_headroom_rule( conf, keep, rule, sizeof(rule) ), own ? " in " : "", own ? fname : "", fname );
}

/* Refuses what would leave node n too little memory to boot: every
   type's pages together, against its memory less what it keeps. */
static int
check_node( ctl_t * ctl, char const * fname, size_t n ) {
  size_t mem = boot.mem[n], bytes = 0UL, part;
  for( size_t i=0; i<FD_SHMEM_DOMAIN_TYPE_CNT; i++ ) {
    size_t t = TYPE( i );
    if( !boot.want[t][n] ) continue;
    if( !mem ) return ctl_fail( ctl, EINVAL, "%s:%u: node %zu has no memory to hold pages", fname, boot.line[t][n], n );
    if( __builtin_mul_overflow( boot.want[t][n], PAGE_SZ( t ), &part ) ||
        __builtin_add_overflow( bytes, part, &bytes ) )
      return ctl_fail( ctl, E2BIG, "node %zu: the page counts are too large", n );
  }
  size_t keep = ctl_headroom( &boot.conf, mem );
  if( !bytes || ( bytes<=mem && mem-bytes>=keep ) ) return 0;
  return ctl_fail( ctl, E2BIG, "node %zu: the pages come to %zu MiB of its %zu MiB; at boot it must keep at least "
                   "%zu MiB for the kernel and programs (fewer pages, then kernel-cmdline again)", n,
                   bytes>>20, mem>>20, keep>>20 );
}

void
ctl_cmdline_type( char * line, size_t line_sz, char const * sz_word, size_t const * cnt, size_t numa_cnt,
                  int per_node ) {
  static char nodes[ CMDLINE_MAX ];
  size_t total = 0UL, used = 0UL, len = 0UL;
  nodes[0] = '\0';
  for( size_t n=0; n<numa_cnt; n++ ) {
    if( !cnt[n] ) continue;
    total += cnt[n];  /* no overflow: the caller bounded each node's bytes */
    int w = snprintf( nodes+len, sizeof(nodes)-len, "%s%zu:%zu", used++ ? "," : "", n, cnt[n] );
    if( w<0 || (size_t)w>=sizeof(nodes)-len ) { len = sizeof(nodes)-1UL; break; }  /* cut: too long for a kernel */
    len += (size_t)w;
  }
  if( !used ) return;
  size_t at = strlen( line );
  if( per_node && numa_cnt>1 ) snprintf( line+at, line_sz-at, " hugepagesz=%s hugepages=%s", sz_word, nodes );
  else                         snprintf( line+at, line_sz-at, " hugepagesz=%s hugepages=%zu", sz_word, total );
}

int
ctl_cmd_kernel_cmdline( ctl_t * ctl, ctl_args_t const * args ) {
  int err = ctl_conf_read( ctl, &boot.conf, args->conf.path );
  if( err ) return err;
  boot_plan();
  size_t numa_cnt = fd_shmem_numa_cnt();
  for( size_t n=0; !err && n<numa_cnt; n++ ) err = check_node( ctl, args->conf.path, n );
  if( err ) return err;
  static char line[ 2*CMDLINE_MAX ];
  line[0] = '\0';
  for( size_t i=0; i<FD_SHMEM_DOMAIN_TYPE_CNT; i++ ) {
    size_t t = TYPE( i );
    int per_node = 0;
    for( size_t n=0; n<numa_cnt; n++ ) per_node |= boot.own[t][n];
    ctl_cmdline_type( line, sizeof(line), fd_shmem_private_page_type[ t ].boot_word, boot.want[t], numa_cnt, per_node );
  }
  if( strlen( line )>KERNEL_LINE_MAX )
    return ctl_fail( ctl, E2BIG, "the parameters take %zu bytes, more than a kernel command line holds (%lu); "
                     "name fewer nodes (pages = TYPE all COUNT)", strlen( line )-1UL, KERNEL_LINE_MAX );
  if( !line[0] ) {
    ctl_note( ctl, "%s reserves no pages: no kernel parameters are needed", args->conf.path );
    return 0;
  }
  printf( "%s\n", line+1 );
  fflush( stdout );
  ctl_note( ctl, "add them to the kernel command line, see fd_shmem_ctl(8): on Debian in a file of "
            "/etc/default/grub.d/ (GRUB_CMDLINE_LINUX_DEFAULT), then update-grub; "
            "on Fedora with grubby --update-kernel=ALL --args=\"...\"" );
  return 0;
}

/* ---- the arguments ---- */

/* kernel-cmdline [FILE]: the file. */
int
ctl_parse_file( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  return ctl_parse_conf_file( ctl, argv, args, 0 );
}
