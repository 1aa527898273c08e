/* Domain and hugepage pool commands (the bash script's). */

#include "ctl.h"

#include <errno.h>
#include <stdio.h>

int
ctl_cmd_init( ctl_t * ctl, char ** argv ) {
  unsigned long mode;
  if( ctl_parse_octal( argv[0], &mode, 07777UL ) ) return ctl_fail( ctl, EINVAL, "PERM must be octal permissions, e.g. 700" );
  int err = fd_shmem_domain_init( NULL, mode, argv[1], argv[2] );
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
ctl_cmd_fini( ctl_t * ctl, char ** argv ) {
  (void)argv;
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

/* Shared by alloc and free. */
static int
pool_set( ctl_t * ctl, size_t cnt, char const * type, char const * numa_s ) {
  size_t page_sz, numa;
  if( ctl_parse_pool_type( type, &page_sz ) ) return ctl_fail( ctl, EINVAL, "TYPE must be huge or gigantic (normal pages have no pool)" );
  if( ctl_parse_dec( numa_s, &numa ) ) return ctl_fail( ctl, EINVAL, "NUMA must be a node number" );
  size_t got = 0UL;
  int err = fd_shmem_pool_alloc( cnt, page_sz, numa, &got );
  switch( err ) {
  case 0:          ctl_note( ctl, "node %zu now has %zu %s pages", numa, got, type ); return 0;
  case ENODEV:     return ctl_fail( ctl, err, "there is no NUMA node %zu", numa );
  case EOPNOTSUPP: return ctl_fail( ctl, err, "this kernel offers no %s pages", fd_shmem_page_sz_to_cstr( page_sz ) );
  case ENOMEM:     return ctl_fail( ctl, err, "only %zu of %zu pages could be reserved on node %zu (memory fragmented; try at boot or reserve fewer)", got, cnt, numa );
  default:         return err;  /* EBUSY and permission errors: the library's words */
  }
}

int
ctl_cmd_alloc( ctl_t * ctl, char ** argv ) {
  size_t cnt;
  if( ctl_parse_dec( argv[0], &cnt ) ) return ctl_fail( ctl, EINVAL, "CNT must be a number of pages" );
  return pool_set( ctl, cnt, argv[1], argv[2] );
}

int
ctl_cmd_free( ctl_t * ctl, char ** argv ) {
  return pool_set( ctl, 0UL, argv[0], argv[1] );
}

int
ctl_cmd_reset( ctl_t * ctl, char ** argv ) {
  (void)argv;
  int err = fd_shmem_domain_reset( NULL );
  if( err==ENOENT ) return ctl_fail( ctl, err, "no domain at %s", fd_shmem_path() );
  if( !err ) ctl_note( ctl, "removed every region of %s", fd_shmem_path() );
  return err;
}
