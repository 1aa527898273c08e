/* "kernel-cmdline [FILE]": the kernel parameters that reserve the
   file's pages at boot, before memory fragments (the one time 1 GiB
   pages can be counted on).  The per-node form, hugepages=N:C,...,
   needs Linux 5.16 or later; one node, or "all" lines alone, get the
   plain total, which every kernel takes. */

#include "ctl.h"
#include "ctl_conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CMDLINE_MAX     (64 + 24*FD_SHMEM_NUMA_MAX)
#define KERNEL_LINE_MAX (2047UL)  /* x86's COMMAND_LINE_SIZE, less its NUL */
#define KEEP_MIN        (1UL<<30) /* what a node keeps for the kernel and programs: 1 GiB, */
#define KEEP_SHIFT      (5)       /* or 1/32 of its memory if that is more */

static ctl_conf_t   conf;  /* big: kept off the stack */
static size_t const types[] = { FD_SHMEM_GIGANTIC_PAGE_SZ, FD_SHMEM_HUGE_PAGE_SZ };
static char const * const type_words[] = { "1G", "2M" };

/* The memory the kernel manages on the node (MemTotal), 0 if it has
   none (no hugepage pools there). */
static size_t
node_bytes( size_t numa ) {
  fd_shmem_pool_info_t p;
  return fd_shmem_pool_query( FD_SHMEM_HUGE_PAGE_SZ, numa, &p ) ? 0UL : p.node_bytes;
}

/* 1 if the file names node numa for page_sz on a line of its own. */
static int
has_node_line( size_t page_sz, size_t numa ) {
  for( size_t i=0; i<conf.pages_cnt; i++ )
    if( conf.pages[i].page_sz==page_sz && conf.pages[i].numa==numa ) return 1;
  return 0;
}

/* The pages of page_sz wanted on node numa at boot: an "all" line
   covers the nodes that have memory only. */
static size_t
want_at_boot( size_t page_sz, size_t numa ) {
  size_t cnt = 0UL;
  if( !ctl_conf_want( &conf, page_sz, numa, &cnt, NULL ) ) return 0UL;
  return node_bytes( numa ) || has_node_line( page_sz, numa ) ? cnt : 0UL;
}

/* Refuses what would leave node numa too little memory to boot: every
   type's pages together, against the node's memory less what it keeps. */
static int
check_node( ctl_t * ctl, char const * fname, size_t numa ) {
  size_t mem = node_bytes( numa ), bytes = 0UL, part, cnt;
  for( size_t t=0; t<2; t++ ) {
    unsigned line;
    if( !mem && want_at_boot( types[t], numa ) && ctl_conf_want( &conf, types[t], numa, &cnt, &line ) )
      return ctl_fail( ctl, EINVAL, "%s:%u: node %zu has no memory to hold pages", fname, line, numa );
    if( __builtin_mul_overflow( want_at_boot( types[t], numa ), types[t], &part ) ||
        __builtin_add_overflow( bytes, part, &bytes ) ) bytes = SIZE_MAX;
  }
  if( !bytes ) return 0;
  size_t keep = mem>>KEEP_SHIFT > KEEP_MIN ? mem>>KEEP_SHIFT : KEEP_MIN;
  if( bytes<=mem && mem-bytes>=keep ) return 0;
  if( bytes==SIZE_MAX ) return ctl_fail( ctl, E2BIG, "node %zu: the page counts are too large", numa );
  return ctl_fail( ctl, E2BIG, "node %zu: the pages come to %zu MiB of its %zu MiB; at boot it must keep at least "
                   "%zu MiB for the kernel and programs (fewer pages, then kernel-cmdline again)", numa,
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

/* Appends the parameters of type t of the file. */
static void
append_type( char * line, size_t line_sz, size_t t ) {
  static size_t cnt[ FD_SHMEM_NUMA_MAX ];
  size_t numa_cnt = fd_shmem_numa_cnt();
  int    per_node = 0;
  for( size_t n=0; n<numa_cnt; n++ ) {
    cnt[n]    = want_at_boot( types[t], n );
    per_node |= has_node_line( types[t], n );
  }
  ctl_cmdline_type( line, line_sz, type_words[t], cnt, numa_cnt, per_node );
}

int
ctl_cmd_kernel_cmdline( ctl_t * ctl, ctl_args_t const * args ) {
  int err = ctl_conf_read( ctl, &conf, args->file );
  for( size_t n=0; !err && n<fd_shmem_numa_cnt(); n++ ) err = check_node( ctl, args->file, n );
  if( err ) return err;
  static char line[ 2*CMDLINE_MAX ];
  line[0] = '\0';
  for( size_t t=0; t<2; t++ ) append_type( line, sizeof(line), t );
  if( strlen( line )>KERNEL_LINE_MAX )
    return ctl_fail( ctl, E2BIG, "the parameters take %zu bytes, more than a kernel command line holds (%lu); "
                     "name fewer nodes (pages = TYPE all COUNT)", strlen( line )-1UL, KERNEL_LINE_MAX );
  if( !line[0] ) { ctl_note( ctl, "%s reserves no pages: no kernel parameters are needed", args->file ); return 0; }
  printf( "%s\n", line+1 );
  fflush( stdout );
  ctl_note( ctl, "add them to the kernel command line, see fd_shmem_ctl(8): on Debian in a file of "
            "/etc/default/grub.d/ (GRUB_CMDLINE_LINUX_DEFAULT), then update-grub; "
            "on Fedora with grubby --update-kernel=ALL --args=\"...\"" );
  return 0;
}
