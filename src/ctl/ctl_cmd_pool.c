/* Hugepage pool commands and their arguments: alloc and free (alloc
   0).  Under --dry-run the library makes every check and changes
   nothing; the command then says what it would have done. */

#include "ctl.h"
#include "ctl_conf_read.h"
#include "../lib/base/fd_shmem_page_type.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int
ctl_cmd_alloc( ctl_t * ctl, ctl_args_t const * args ) {
  ctl_pool_args_t const * a = &args->pool;
  size_t numa = a->numa_idx;
  char const * type = fd_shmem_page_sz_to_cstr( a->page_sz );
  fd_shmem_pool_info_t before = { 0 };
  int err = fd_shmem_pool_query( a->page_sz, numa, &before );
  /* a pool gone since the line was checked: the library says why */
  if( !err || err==EOPNOTSUPP ) err = fd_shmem_pool_alloc( a->page_sz, a->cnt, numa, NULL );
  if( err==ENODEV ) return ctl_fail( ctl, err, "there is no NUMA node %zu", numa );
  if( err ) return err;  /* the library's words: what is in use, what the machine has, why a size is missing */
  char const * s = a->cnt==1UL ? "" : "s";
  if( before.total==a->cnt )
    ctl_note( ctl, "node %zu already has %zu %s page%s: nothing to change", numa, a->cnt, type, s );
  else if( ctl->dry_run ) printf( "would: set node %zu %s pages to %zu (now %zu)\n", numa, type, a->cnt, before.total );
  else ctl_note( ctl, "node %zu now has %zu %s page%s", numa, a->cnt, type, s );
  return 0;
}

/* ---- the arguments ---- */

/* EINVAL, said with the library's words (what the kernel, the CPU or
   the node lacks): node a->numa_idx has no pool of a->page_sz.  The
   argument named is TYPE when no node has one, else NUMA. */
static int
no_pool( ctl_t * ctl, char ** argv, ctl_pool_args_t const * a ) {
  int offered = ctl_page_sz_offered( a->page_sz );
  int err     = fd_shmem_pool_alloc_check( a->page_sz, a->cnt, a->numa_idx );
  char const * why = ctl_reason_words( err );
  if( err!=EOPNOTSUPP ) why = "the kernel offers no such pages";  /* the pool came meanwhile */
  return ctl_fail( ctl, EINVAL, "%s \"%s\": %s", offered ? "NUMA" : "TYPE", argv[ offered ? 1 : 0 ], why );
}

/* TYPE NUMA of alloc and free: a node the machine has, with a pool of
   that type.  *now gets the pool (a sysfs file the library cannot read
   is left for the command to report). */
static int
parse_pool( ctl_t * ctl, char ** argv, ctl_pool_args_t * a, fd_shmem_pool_info_t * now ) {
  int err = ctl_parse_pool_type( argv[0], &a->page_sz );
  if( err ) return ctl_bad_arg( ctl, "TYPE", argv[0], ctl_pool_type_problem( err ) );
  err = ctl_parse_count( ctl, "NUMA", "node number", argv[1], &a->numa_idx );
  if( err ) return err;
  size_t numa_cnt = fd_shmem_numa_cnt();
  err = a->numa_idx<numa_cnt ? fd_shmem_pool_query( a->page_sz, a->numa_idx, now ) : ENODEV;
  if( err==ENODEV )
    return ctl_fail( ctl, EINVAL, "NUMA \"%s\": there is no NUMA node %zu (the machine has %zu node%s)", argv[1],
                     a->numa_idx, numa_cnt, numa_cnt==1UL ? "" : "s" );
  if( err==EOPNOTSUPP ) return no_pool( ctl, argv, a );
  if( err ) memset( now, 0, sizeof(*now) );
  return 0;
}

/* Whether a->cnt pages fit in the node's memory, by the library's own
   rule (only a grow can be too large), said in its words: the figures,
   the count the node holds. */
static int
check_fits( ctl_t * ctl, char const * word, ctl_pool_args_t const * a, fd_shmem_pool_info_t const * now ) {
  if( a->cnt<=now->total ) return 0;
  if( fd_shmem_pool_alloc_check( a->page_sz, a->cnt, a->numa_idx )!=E2BIG ) return 0;
  return ctl_fail( ctl, EINVAL, "CNT \"%s\": %s", word, ctl_reason_words( E2BIG ) );
}

/* Whether the node keeps its headroom (the default file's, where it
   sets one) once the pool is a->cnt. */
static int
check_headroom( ctl_t * ctl, ctl_pool_args_t const * a ) {
  static ctl_conf_t conf;  /* big: kept off the stack */
  struct stat st;
  int has_file = !stat( FD_SHMEM_CONF_PATH, &st );
  if( has_file ) {
    int err = ctl_conf_read( ctl, &conf, FD_SHMEM_CONF_PATH );
    if( err ) return err;
  }
  size_t want[ FD_SHMEM_DOMAIN_TYPE_CNT ];
  for( size_t t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) want[t] = CTL_POOL_AS_NOW;
  want[ fd_shmem_private_page_type_idx( a->page_sz ) ] = a->cnt;
  return ctl_headroom_check( ctl, has_file ? &conf : NULL, FD_SHMEM_CONF_PATH, a->numa_idx, want );
}

int
ctl_parse_alloc( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  fd_shmem_pool_info_t now;
  int err = ctl_parse_count( ctl, "CNT", "count", argv[0], &args->pool.cnt );
  if( !err ) err = parse_pool( ctl, argv+1, &args->pool, &now );
  if( !err ) err = check_fits( ctl, argv[0], &args->pool, &now );
  return err ? err : check_headroom( ctl, &args->pool );
}

int
ctl_parse_free( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  fd_shmem_pool_info_t now;
  args->pool.cnt = 0UL;
  return parse_pool( ctl, argv, &args->pool, &now );
}
