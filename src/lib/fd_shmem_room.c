/* Whether the machine has room for a region, asked before anything is
   allocated: a create the machine cannot hold fails at once with
   ENOMEM instead of faulting its pages in until the OOM killer (normal
   pages) or the pool (huge pages) stops it. */

#include "fd_shmem_private.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/* Free blocks of the mount under dir in bytes, or SIZE_MAX when it has
   no size limit (tmpfs and hugetlbfs then report no blocks at all). */
static size_t
mount_free( int dir ) {
  struct statfs sfs;
  if( fstatfs( dir, &sfs ) || !sfs.f_blocks ) return SIZE_MAX;
  return (size_t)sfs.f_bavail*(size_t)sfs.f_bsize;
}

/* ---- normal pages: the tmpfs mount, the machine's and each node's memory ---- */

/* Bytes node can still give: its free memory plus the page cache and
   slab the kernel may reclaim there (the kernel sums MemAvailable for
   the whole machine only).  SIZE_MAX when a figure cannot be read. */
static size_t
node_available( fd_shmem_private_view_t * view, size_t node ) {
  fd_shmem_private_mem_t const * m;
  if( fd_shmem_private_view_mem( view, node, &m ) ) return SIZE_MAX;
  size_t const part[] = { m->free, m->active_file, m->inactive_file, m->sreclaimable };
  size_t sum = 0UL;
  for( size_t i=0UL; i<sizeof(part)/sizeof(part[0]); i++ ) {
    if( part[i]==FD_SHMEM_PRIVATE_NO_FIGURE ) return SIZE_MAX;
    sum += part[i];
  }
  return sum;
}

/* ", N of them moved from other nodes" when an update moves pages to a
   node, else "": the figure a message about that node adds. */
static char const *
moved_note( size_t moved, char * buf, size_t buf_sz ) {
  if( !moved ) return "";
  snprintf( buf, buf_sz, " (%zu of them moved there from other nodes)", moved );
  return buf;
}

/* Normal pages bound to a node come from that node alone, and past what
   it has the kernel answers the faults with the OOM killer, not with an
   error: a node that cannot hold its pages is refused here. */
static int
room_normal_nodes( fd_shmem_private_view_t * view, char const * what, size_t const * need, size_t const * moved ) {
  if( !fd_shmem_private_has_numa() ) return 0;
  for( size_t k=0UL; k<FD_SHMEM_NUMA_MAX; k++ ) {
    size_t bytes = need[k]*FD_SHMEM_NORMAL_PAGE_SZ, avail;
    if( !need[k] || bytes<=( avail = node_available( view, k ) ) ) continue;
    char n[ 32 ], a[ 32 ], m[ 64 ];
    fd_shmem_private_figs_t figs = { .needed=bytes, .had=avail, .page_sz=FD_SHMEM_NORMAL_PAGE_SZ, .numa_idx=k };
    return fd_shmem_private_fail( ENOMEM, FD_SHMEM_REASON_NO_ROOM, NULL, &figs,
                                  "%s: needs %s of normal pages on node %zu, which has %s available%s", what,
                                  fd_shmem_private_human( bytes, n, sizeof(n) ), k,
                                  fd_shmem_private_human( avail, a, sizeof(a) ), moved_note( moved[k], m, sizeof(m) ) );
  }
  return 0;
}

/* dir < 0: private pages, no mount.  The mount must hold the added
   pages; the machine must give those and the moved ones. */
static int
room_normal( fd_shmem_private_view_t * view, int dir, char const * what, size_t const * need, size_t const * moved,
             size_t added, size_t total ) {
  size_t mount = dir<0 ? SIZE_MAX : mount_free( dir );
  fd_shmem_private_mem_t const * fig;
  size_t avail = fd_shmem_private_view_mem( view, FD_SHMEM_PRIVATE_ALL_NODES, &fig ) ? SIZE_MAX : fig->available;
  size_t bytes = total*FD_SHMEM_NORMAL_PAGE_SZ;
  if( added*FD_SHMEM_NORMAL_PAGE_SZ>mount ) bytes = added*FD_SHMEM_NORMAL_PAGE_SZ;
  else if( bytes<=avail ) return room_normal_nodes( view, what, need, moved );
  char n[ 32 ], m[ 48 ], a[ 32 ];
  fd_shmem_private_human( bytes, n, sizeof(n) );
  if( mount==SIZE_MAX ) snprintf( m, sizeof(m), "no size limit" );
  else                  snprintf( m, sizeof(m), "%s free", fd_shmem_private_human( mount, a, sizeof(a) ) );
  fd_shmem_private_human( avail, a, sizeof(a) );
  fd_shmem_private_figs_t figs = { .needed=bytes, .had=avail<mount ? avail : mount, .page_sz=FD_SHMEM_NORMAL_PAGE_SZ,
                                   .numa_idx=FD_SHMEM_IDX_NULL };
  if( dir<0 ) return fd_shmem_private_fail( ENOMEM, FD_SHMEM_REASON_NO_ROOM, NULL, &figs,
                                            "%s: needs %s of normal pages; the machine has %s available", what, n, a );
  return fd_shmem_private_fail( ENOMEM, FD_SHMEM_REASON_NO_ROOM, NULL, &figs, "%s: needs %s of normal pages; the "
                                ".normal mount has %s and the machine %s available", what, n, m, a );
}

/* ---- huge and gigantic pages: the mount and each node's pool ---- */

/* Pages the pool can still give out: free minus those promised to
   existing mappings (the kernel reserves a shared mapping's pages at
   mmap time but takes them from the free count only when touched),
   plus what overcommit may add as surplus pages. */
static size_t
pool_unreserved( size_t page_sz ) {
  size_t unreserved, over = 0UL, surplus = 0UL;
  if( fd_shmem_private_hugepage_unclaimed( page_sz, &unreserved ) ) return SIZE_MAX;
  fd_shmem_private_hugepage_figure( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, "nr_overcommit_hugepages", &over );
  fd_shmem_private_hugepage_figure( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, "surplus_hugepages", &surplus );
  return unreserved + ( over>surplus ? over-surplus : 0UL );
}

/* The pages the hugetlbfs mount under dir reserves for its files and
   has not used yet (a domain's exclusive pages, counted as reserved in
   the pool): its creates draw on them.  0 without a reservation. */
static size_t
mount_reserve_left( int dir, size_t page_sz ) {
  struct stat st;
  struct statfs sfs;
  if( dir<0 || fstat( dir, &st ) || fstatfs( dir, &sfs ) ) return 0UL;
  size_t reserved = fd_shmem_private_dev_min_sz( (unsigned long)st.st_dev )/page_sz;
  size_t used     = sfs.f_blocks>sfs.f_bfree ? (size_t)( sfs.f_blocks-sfs.f_bfree ) : 0UL;  /* pages, with size= */
  return reserved>used ? reserved-used : 0UL;
}

/* need[k] gets the pages node k must newly supply: those of each
   subregion past the first keep_cnt pages of the region (an update
   keeps the pages the file already has). */
static void
need_per_node( size_t * need, size_t sub_cnt, size_t const * sub_page_cnt, size_t const * sub_cpu_idx,
               size_t keep_cnt ) {
  int has_numa = fd_shmem_private_has_numa();
  for( size_t i=0UL; i<sub_cnt; i++ ) {
    size_t cnt  = sub_page_cnt[i];
    size_t kept = cnt<keep_cnt ? cnt : keep_cnt;
    keep_cnt -= kept;
    if( cnt>kept ) need[ has_numa ? fd_shmem_numa_idx( sub_cpu_idx[i] ) : 0UL ] += cnt-kept;
  }
}

/* A moved huge page needs a free one on its new node: hugetlb migration
   would otherwise take a fresh page from the node's normal memory and
   quietly shift the per-node pool sizes. */
static int
room_node( size_t page_sz, char const * what, size_t node, size_t need, size_t moved, size_t unreserved ) {
  size_t free_ = SIZE_MAX;
  if( fd_shmem_private_has_numa() ) fd_shmem_private_hugepage_figure( page_sz, node, "free_hugepages", &free_ );
  if( free_>unreserved ) free_ = unreserved;
  if( need<=free_ ) return 0;
  char m[ 64 ];
  fd_shmem_private_figs_t figs = { .needed=need, .had=free_, .page_sz=page_sz, .numa_idx=node };
  return fd_shmem_private_fail( ENOMEM, FD_SHMEM_REASON_NO_ROOM, NULL, &figs,
                                "%s: needs %zu %s page%s on node %zu, %zu free%s", what, need,
                                fd_shmem_page_sz_to_cstr( page_sz ), FD_SHMEM_PRIVATE_S( need ), node, free_,
                                moved_note( moved, m, sizeof(m) ) );
}

/* The mount must hold the added pages; the pools must give those and
   the moved ones. */
static int
room_pool( int dir, char const * what, size_t page_sz, size_t const * need, size_t const * moved,
           size_t added, size_t total ) {
  size_t mount = mount_free( dir );
  if( mount!=SIZE_MAX && added>mount/page_sz ) {
    char const * type = fd_shmem_page_sz_to_cstr( page_sz );
    fd_shmem_private_figs_t figs = { .needed=added, .had=mount/page_sz, .page_sz=page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
    return fd_shmem_private_fail( ENOMEM, FD_SHMEM_REASON_NO_ROOM, NULL, &figs,
                                  "%s: needs %zu %s page%s; the .%s mount has %zu free", what, added,
                                  type, FD_SHMEM_PRIVATE_S( added ), type, mount/page_sz );
  }
  size_t unreserved = pool_unreserved( page_sz );
  if( unreserved==SIZE_MAX ) return 0;  /* no pool figures: let the kernel decide */
  if( total>unreserved ) unreserved += mount_reserve_left( dir, page_sz );  /* read only when it matters */
  for( size_t k=0UL; k<FD_SHMEM_NUMA_MAX; k++ )
    if( need[k] && room_node( page_sz, what, k, need[k], moved[k], unreserved ) ) return ENOMEM;
  if( total<=unreserved ) return 0;
  fd_shmem_private_figs_t figs = { .needed=total, .had=unreserved, .page_sz=page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
  return fd_shmem_private_fail( ENOMEM, FD_SHMEM_REASON_NO_ROOM, NULL, &figs,
                                "%s: needs %zu %s page%s, %zu free and not reserved on the machine", what, total,
                                fd_shmem_page_sz_to_cstr( page_sz ), FD_SHMEM_PRIVATE_S( total ), unreserved );
}

int
fd_shmem_private_room( int dir, char const * what, size_t page_sz, size_t sub_cnt,
                       size_t const * sub_page_cnt, size_t const * sub_cpu_idx, size_t keep_cnt,
                       size_t const * opt_moved ) {
  size_t need[ FD_SHMEM_NUMA_MAX ] = { 0UL }, moved[ FD_SHMEM_NUMA_MAX ] = { 0UL };
  need_per_node( need, sub_cnt, sub_page_cnt, sub_cpu_idx, keep_cnt );
  size_t added = 0UL, total = 0UL;
  for( size_t k=0UL; k<FD_SHMEM_NUMA_MAX; k++ ) {
    added   += need[k];
    moved[k] = opt_moved ? opt_moved[k] : 0UL;
    need[k] += moved[k];
    total   += need[k];
  }
  if( !total ) return 0;
  if( page_sz!=FD_SHMEM_NORMAL_PAGE_SZ ) return room_pool( dir, what, page_sz, need, moved, added, total );
  fd_shmem_private_view_t view = { 0 };  /* this call's figures: each file read once */
  return room_normal( &view, dir, what, need, moved, added, total );
}
