/* Domain and hugepage pool commands (the bash script's). */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>

int
ctl_cmd_init( ctl_t * ctl, ctl_args_t const * args ) {
  int err = fd_shmem_domain_init( NULL, args->mode, args->user, args->group );
  if( err==EEXIST ) return ctl_fail( ctl, err, "%s already exists; nothing was changed", fd_shmem_path() );
  if( !err ) ctl_note( ctl, "initialized domain %s", fd_shmem_path() );
  return err;
}

typedef struct { char * at; size_t left; size_t cnt; } busy_list_t;

static int
collect_busy( void * ctx, fd_shmem_region_info_t const * info ) {
  busy_list_t * b = ctx;
  if( !info->map_cnt ) return 0;
  int n = snprintf( b->at, b->left, "%s%s (%zu process%s)", b->cnt ? ", " : "", info->name,
                    info->map_cnt, info->map_cnt==1UL ? "" : "es" );
  if( n>0 && (size_t)n<b->left ) { b->at += n; b->left -= (size_t)n; }
  b->cnt++;
  return 0;
}

int
ctl_cmd_fini( ctl_t * ctl, ctl_args_t const * args ) {
  (void)args;
  int err = fd_shmem_domain_fini( NULL );
  if( err==EBUSY ) {
    char list[ 400 ] = "";
    busy_list_t b = { list, sizeof(list), 0UL };
    fd_shmem_domain_regions( NULL, collect_busy, &b );
    return ctl_fail( ctl, err, "regions still in use, nothing was changed: %s", list );
  }
  if( err==ENOENT ) return ctl_fail( ctl, err, "no domain at %s", fd_shmem_path() );
  if( !err ) ctl_note( ctl, "removed domain %s", fd_shmem_path() );
  return err;
}

/* alloc and free (alloc 0). */
int
ctl_cmd_alloc( ctl_t * ctl, ctl_args_t const * args ) {
  size_t got = 0UL, numa = args->idx;
  char const * type = fd_shmem_page_sz_to_cstr( args->page_sz );
  int err = fd_shmem_pool_alloc( args->cnt, args->page_sz, numa, &got );
  switch( err ) {
  case 0:          ctl_note( ctl, "node %zu now has %zu %s pages", numa, got, type ); return 0;
  case ENODEV:     return ctl_fail( ctl, err, "there is no NUMA node %zu", numa );
  case EOPNOTSUPP: return ctl_fail( ctl, err, "this kernel offers no %s pages", type );
  case ENOMEM:     return ctl_fail( ctl, err, "only %zu of %zu pages could be reserved on node %zu (memory fragmented; try at boot or reserve fewer)", got, args->cnt, numa );
  default:         return err;  /* EBUSY and permission errors: the library's words */
  }
}

int
ctl_cmd_reset( ctl_t * ctl, ctl_args_t const * args ) {
  (void)args;
  int err = fd_shmem_domain_reset( NULL );
  if( err==ENOENT ) return ctl_fail( ctl, err, "no domain at %s", fd_shmem_path() );
  if( !err ) ctl_note( ctl, "removed every region of %s", fd_shmem_path() );
  return err;
}
