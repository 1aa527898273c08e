/* Exclusive pages: a hugetlbfs page type of a domain reserving pages of
   the machine's pool for its own files (the min_size of its mount).
   The kernel counts them as reserved, so no one else (an anonymous
   MAP_HUGETLB mapping, another mount, SysV SHM_HUGETLB) gets them,
   while the domain's files draw on them.  Linux reads min_size only
   when mounting (a remount ignores it), so a change mounts the empty
   page type afresh; one holding regions keeps what it has. */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Opens the domain at path and finds its page type page_sz (huge or
   gigantic) as *t.  The caller closes dom, whatever this returns. */
static int
reserve_open( char const * path, size_t page_sz, char const * op, fd_shmem_private_domain_t * dom, size_t * t ) {
  int err = fd_shmem_private_domain_open_for( op, path, dom );  /* dom can be closed from here on */
  if( !fd_shmem_is_page_sz( page_sz ) || page_sz==FD_SHMEM_NORMAL_PAGE_SZ )
    return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "%s: page size %zu is not huge or "
                                  "gigantic (only hugetlbfs pages can be reserved)", op, page_sz );
  *t = fd_shmem_private_page_type_idx( page_sz );
  if( err==EINVAL ) return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "%s: bad domain path", op );
  if( !err && !dom->info.exists )
    err = fd_shmem_private_fail( ENOENT, FD_SHMEM_REASON_MISSING, dom->path, NULL, "%s: no domain at %s", op,
                                 dom->path );
  return err;
}

static int
domain_reserved( char const * path, size_t page_sz, size_t * page_cnt ) {
  if( !page_cnt ) return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, NULL, NULL, "reserved: NULL page_cnt" );
  *page_cnt = 0UL;
  fd_shmem_private_domain_t dom;
  size_t t;
  int err = reserve_open( path, page_sz, "reserved", &dom, &t );
  if( !err && dom.info.type[ t ].state==FD_SHMEM_TYPE_MOUNTED ) *page_cnt = dom.type_reserved[ t ];
  fd_shmem_private_domain_close( &dom );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_reserved( char const * path, size_t page_sz, size_t * page_cnt ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_domain_reserved, domain_reserved( path, page_sz, page_cnt ),
                                            path );
}

/* Everything that could stop a change of the reservation of page type
   t from have to want pages, asked before anything is touched. */
static int
reserve_check( fd_shmem_private_domain_t const * dom, size_t t, size_t have, size_t want ) {
  fd_shmem_type_info_t const * ti   = &dom->info.type[ t ];
  char const *                 name = fd_shmem_private_type_name( ti->page_sz );
  char const *                 type = fd_shmem_page_sz_to_cstr( ti->page_sz );
  if( !fd_shmem_private_may_mount() )
    return fd_shmem_private_fail( EPERM, FD_SHMEM_REASON_NO_PRIV, dom->path, NULL, "reserve: mounting %s/%s afresh "
                                  "needs CAP_SYS_ADMIN (run as root)", dom->path, name );
  if( want>SIZE_MAX/ti->page_sz || ( ti->mount_sz && want*ti->page_sz>ti->mount_sz ) )  /* size 0: no limit */
    return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_ARG, dom->path, NULL, "reserve: %zu %s pages are more "
                                  "than %s/%s may hold (%zu MiB, the machine's memory)", want, type, dom->path, name,
                                  ti->mount_sz>>20 );
  if( !ti->empty ) {
    fd_shmem_private_figs_t figs = { .needed=want, .had=have, .page_sz=ti->page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
    return fd_shmem_private_fail( EBUSY, FD_SHMEM_REASON_HELD, dom->path, &figs, "reserve: %s/%s reserves %zu %s "
                                  "page%s and holds regions; its reservation changes only when it is mounted afresh, "
                                  "empty (unlink them, or reset the domain, then reserve %zu)", dom->path, name, have,
                                  type, FD_SHMEM_PRIVATE_S( have ), want );
  }
  size_t unclaimed;  /* free and not reserved; what the old mount reserves comes back when it goes */
  if( want>have && !fd_shmem_private_hugepage_unclaimed( ti->page_sz, &unclaimed ) && want>unclaimed+have ) {
    fd_shmem_private_figs_t figs = { .needed=want, .had=unclaimed+have, .page_sz=ti->page_sz,
                                     .numa_idx=FD_SHMEM_IDX_NULL };
    return fd_shmem_private_fail( ENOMEM, FD_SHMEM_REASON_NO_ROOM, dom->path, &figs, "reserve: %s/%s needs %zu %s "
                                  "page%s free and not reserved, the pools have %zu (grow them first)", dom->path,
                                  name, want, type, FD_SHMEM_PRIVATE_S( want ), unclaimed+have );
  }
  return 0;
}

static int
domain_reserve( char const * path, size_t page_sz, size_t page_cnt ) {
  fd_shmem_private_domain_t dom;
  size_t t;
  int err = reserve_open( path, page_sz, "reserve", &dom, &t );
  if( !err ) err = fd_shmem_private_domain_check( &dom, "reserve", 0 );
  if( !err && dom.info.type[ t ].state!=FD_SHMEM_TYPE_MOUNTED ) {
    fd_shmem_private_figs_t figs = { .had=(size_t)dom.info.type[ t ].state, .page_sz=page_sz,
                                     .numa_idx=FD_SHMEM_IDX_NULL };
    char cause[ 64 ];
    if( dom.info.type[ t ].offered ) snprintf( cause, sizeof(cause), "repair mounts it" );
    else snprintf( cause, sizeof(cause), "the kernel offers no %s pages", fd_shmem_page_sz_to_cstr( page_sz ) );
    err = fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_TYPE_STATE, dom.path, &figs, "reserve: %s/%s is %s (%s)",
                                 dom.path, fd_shmem_private_type_name( page_sz ),
                                 fd_shmem_type_state_cstr( dom.info.type[ t ].state ), cause );
  }
  size_t have = err ? 0UL : dom.type_reserved[ t ];
  if( !err && have!=page_cnt ) err = reserve_check( &dom, t, have, page_cnt );
  if( !err && have!=page_cnt && !fd_shmem_private_dry_run() ) {
    char const * name = fd_shmem_private_type_name( page_sz );
    err = fd_shmem_private_type_remount( &dom, t, page_cnt );
    if( err ) fd_shmem_private_fail( err, err==ENOMEM ? FD_SHMEM_REASON_NO_ROOM : FD_SHMEM_REASON_SYSTEM, dom.path,
                                     NULL, "reserve: mounting %s/%s afresh to reserve %zu pages: %s%s", dom.path, name,
                                     page_cnt, strerror( err ), err==EBUSY ? " (a process uses the mount)" : "" );
    else      FD_SHMEM_PRIVATE_NOTE( "reserve: %s/%s now reserves %zu %s page%s (was %zu)", dom.path, name,
                                     page_cnt, fd_shmem_page_sz_to_cstr( page_sz ), FD_SHMEM_PRIVATE_S( page_cnt ),
                                     have );
  }
  fd_shmem_private_domain_close( &dom );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_reserve( char const * path, size_t page_sz, size_t page_cnt ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_domain_reserve, domain_reserve( path, page_sz, page_cnt ),
                                            path );
}
