/* Hugepage pool commands: alloc and free (alloc 0).  Under --dry-run
   the library makes every check and changes nothing; the command then
   says what it would have done. */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>

int
ctl_cmd_alloc( ctl_t * ctl, ctl_args_t const * args ) {
  ctl_pool_args_t const * a = &args->pool;
  size_t numa = a->numa_idx;
  char const * type = fd_shmem_page_sz_to_cstr( a->page_sz );
  fd_shmem_pool_info_t before = { 0 };
  int err = fd_shmem_pool_query( a->page_sz, numa, &before );
  if( !err ) err = fd_shmem_pool_alloc( a->page_sz, a->cnt, numa, NULL );
  switch( err ) {
  case 0:          break;
  case ENODEV:     return ctl_fail( ctl, err, "there is no NUMA node %zu", numa );
  case EOPNOTSUPP: return ctl_fail( ctl, err, "this kernel offers no %s pages", type );
  default:         return err;  /* the library's words: what is in use, what the machine has */
  }
  char const * s = a->cnt==1UL ? "" : "s";
  if( before.total==a->cnt )
    ctl_note( ctl, "node %zu already has %zu %s page%s: nothing to change", numa, a->cnt, type, s );
  else if( ctl->dry_run ) printf( "would: set node %zu %s pages to %zu (now %zu)\n", numa, type, a->cnt, before.total );
  else ctl_note( ctl, "node %zu now has %zu %s page%s", numa, a->cnt, type, s );
  return 0;
}
