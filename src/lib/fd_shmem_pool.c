/* Per-node pools of huge and gigantic pages, through sysfs.

   fd_shmem_pool_alloc makes every check it can before writing anything:
   the node and page size exist, the count fits in the node's memory, a
   shrink stays at or above what the kernel cannot free.  Only then is
   nr_hugepages written; a shortfall is retried (after compaction) only
   while the missing pages could fit in the node's free memory, that is
   while fragmentation can be the cause.  A shortfall is explained by
   what the machine shows (fd_shmem_shortfall.c): a node too small, free
   memory in no block of the page's order, a hugetlb cgroup limit. */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define COMPACT_TRIES (3)
#define PATH_BUF      (512)
#define HUMAN_BUF     (32)

/* One call of fd_shmem_pool_alloc: the request and the pool before it. */
typedef struct {
  size_t                  cnt, page_sz, numa_idx;
  char const *            type;      /* "huge" or "gigantic" */
  char                    dir[ PATH_BUF ];
  fd_shmem_pool_info_t    now;
  size_t                  persistent; /* now.total - now.surplus: what a write sets */
  fd_shmem_private_view_t before;     /* the figures read before any write, each once */
  int                     quiet;      /* asked by fd_shmem_pool_alloc_check: a refusal is recorded, not logged */
} pool_req_t;

typedef int (* pool_say_t)( int err, int what, char const * path, fd_shmem_private_figs_t const * figs,
                            char const * fmt, ... ) __attribute__(( format( printf, 5, 6 ) ));

/* How r's checks say a refusal: logged, or only recorded. */
static pool_say_t
pool_say( pool_req_t const * r ) {
  return r->quiet ? fd_shmem_private_quiet_fail : fd_shmem_private_fail;
}

/* Writes the sysfs directory of node numa_idx's page_sz pool into buf.
   Returns 0, EINVAL, ENODEV or EOPNOTSUPP. */
static int
pool_dir( size_t page_sz, size_t numa_idx, char * buf, size_t buf_sz ) {
  if( !fd_shmem_private_pool_dir_name( page_sz ) ) return EINVAL;
  if( !fd_shmem_private_node_exists( numa_idx ) ) return ENODEV;
  if( fd_shmem_private_hugepage_dir( page_sz, numa_idx, buf, buf_sz ) ) return ENODEV;
  return access( buf, F_OK ) ? EOPNOTSUPP : 0;
}

/* Writes text to path with a single write.  Returns 0 or an errno. */
static int
write_text( char const * path, char const * text ) {
  int fd = open( path, O_WRONLY | O_CLOEXEC );
  if( fd<0 ) return errno;
  ssize_t n = write( fd, text, strlen( text ) );
  int err = n<0 ? errno : 0;
  close( fd );
  return err;
}

static void
compact_memory( void ) {
  int err = fd_shmem_private_compact_memory();
  if( err ) FD_SHMEM_PRIVATE_DBG( "compacting memory failed: %s", strerror( err ) );
}

/* ---- the node's memory ---- */

/* The node's memory: MemTotal of its meminfo, or the memory present in
   its zones if that is more.  A kernel that initializes its memory
   lazily (deferred_init=lazy) counts in MemTotal only what it has set
   up so far, which can be a fraction of the node; the hugepage
   allocator sets up the rest on demand, so it must not be refused. */
static int
node_mem_bytes( fd_shmem_private_view_t * view, size_t numa_idx, size_t * bytes ) {
  fd_shmem_private_mem_t const * m;
  int err = fd_shmem_private_view_mem( view, numa_idx, &m );
  if( err ) return err;
  if( m->total==FD_SHMEM_PRIVATE_NO_FIGURE ) return ENOENT;
  *bytes = m->total;
  size_t present = fd_shmem_private_node_present_bytes( numa_idx );
  if( present>*bytes ) *bytes = present;
  return 0;
}

/* Fills info from the pool's files and view's figures of the node. */
static int
pool_query( fd_shmem_private_view_t * view, size_t page_sz, size_t numa_idx, fd_shmem_pool_info_t * info ) {
  char dir[ PATH_BUF ];
  int err = pool_dir( page_sz, numa_idx, dir, sizeof(dir) );
  if( err || !info ) return err ? err : EINVAL;
  err = fd_shmem_private_hugepage_figure( page_sz, numa_idx, "nr_hugepages", &info->total );
  if( !err ) err = fd_shmem_private_hugepage_figure( page_sz, numa_idx, "free_hugepages", &info->free );
  if( !err ) err = fd_shmem_private_hugepage_figure( page_sz, numa_idx, "surplus_hugepages", &info->surplus );
  fd_shmem_private_mem_t const * m;
  info->node_bytes = 0UL;  /* 0 when it cannot be read */
  if( !err && !fd_shmem_private_view_mem( view, numa_idx, &m ) && m->total!=FD_SHMEM_PRIVATE_NO_FIGURE )
    info->node_bytes = m->total;
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_pool_query( size_t page_sz, size_t numa_idx, fd_shmem_pool_info_t * info ) {
  fd_shmem_private_view_t view = { 0 };
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_pool_query, pool_query( &view, page_sz, numa_idx, info ) );
}

/* The kernel counts reserved pages machine-wide only. */
static int
pool_reserved( size_t page_sz, size_t * page_cnt ) {
  if( !fd_shmem_private_pool_dir_name( page_sz ) || !page_cnt ) return EINVAL;
  int err = fd_shmem_private_hugepage_figure( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, "resv_hugepages", page_cnt );
  return err==ENOENT ? EOPNOTSUPP : err;  /* no such pool: the kernel lacks the page size */
}

FD_SHMEM_EXPORT int
fd_shmem_pool_reserved( size_t page_sz, size_t * page_cnt ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_pool_reserved, pool_reserved( page_sz, page_cnt ) );
}

/* E2BIG, said, when r's pages would need more than the node has. */
static int
check_fits( pool_req_t * r ) {
  size_t mem, bytes;
  int err = node_mem_bytes( &r->before, r->numa_idx, &mem );
  if( err ) return pool_say( r )( err, FD_SHMEM_REASON_SYSTEM, NULL, NULL,
                                  "node %zu: cannot read its memory size: %s", r->numa_idx, strerror( err ) );
  int over = __builtin_mul_overflow( r->cnt, r->page_sz, &bytes );
  if( !over && bytes<=mem ) return 0;
  char want[ HUMAN_BUF ], have[ HUMAN_BUF ];
  /* the exact figures too: rounded, 24.0 GiB may stand for either side */
  char exact[ 48 ] = "";
  if( !over ) snprintf( exact, sizeof(exact), " (%zu bytes)", bytes );
  fd_shmem_private_figs_t figs = { .needed=over ? SIZE_MAX : bytes, .had=mem, .page_sz=r->page_sz,
                                   .numa_idx=r->numa_idx };
  return pool_say( r )( E2BIG, FD_SHMEM_REASON_NO_ROOM, NULL, &figs,
                      "node %zu: %zu %s page%s need%s %s%s%s, more than the node's %s of memory (%zu bytes): "
                      "the node's memory is too small for them; ask for a smaller count (the node holds at most "
                      "%zu), or put the rest on another node",
                      r->numa_idx, r->cnt, r->type, FD_SHMEM_PRIVATE_S( r->cnt ), r->cnt==1UL ? "s" : "",
                      over ? "more than " : "",
                      fd_shmem_private_human( over ? SIZE_MAX : bytes, want, sizeof(want) ), exact,
                      fd_shmem_private_human( mem, have, sizeof(have) ), mem, mem/r->page_sz );
}

/* ---- shrinking ---- */

/* The lowest count the node's pool can be set to: the kernel frees
   only free pages of the node, and not those needed for reservations. */
static size_t
shrink_floor( pool_req_t const * r ) {
  size_t freeable = r->now.free, spare;
  if( fd_shmem_private_hugepage_unclaimed( r->page_sz, &spare ) ) spare = 0UL;
  if( spare<freeable ) freeable = spare;
  return r->persistent>freeable ? r->persistent-freeable : 0UL;
}

#define HOLDERS_MAX (256)  /* bytes of region names in a warning */

typedef struct {
  size_t page_sz;
  size_t cnt;
  int    more;  /* names left out for room */
  char   text[ HOLDERS_MAX+8 ];  /* + ", ..." */
  size_t len;
} holders_t;

static int
add_holder( void * ctx, fd_shmem_region_info_t const * info ) {
  holders_t * h = ctx;
  if( !info->valid || info->page_sz!=h->page_sz ) return 0;
  size_t left = HOLDERS_MAX - h->len;
  int n = snprintf( h->text+h->len, left, "%s%s (%zu page%s)", h->cnt ? ", " : "",
                    info->name, info->page_cnt, info->page_cnt==1UL ? "" : "s" );
  if( n>0 && (size_t)n<left ) h->len += (size_t)n;
  else { h->text[ h->len ] = '\0'; h->more = 1; }  /* no half names */
  h->cnt++;
  return 0;
}

/* Names the current domain's regions of r's page size into h. */
static void
find_holders( pool_req_t const * r, holders_t * h ) {
  memset( h, 0, sizeof(*h) );
  h->page_sz = r->page_sz;
  if( fd_shmem_domain_regions( NULL, add_holder, h ) || !h->cnt )
    snprintf( h->text, sizeof(h->text), "none in domain %s (private mappings or other domains hold them)",
              fd_shmem_path() );
  else if( h->more )
    strcpy( h->text+h->len, ", ..." );
}

/* EBUSY, said, when r shrinks the pool below what cannot be freed. */
static int
check_shrink( pool_req_t const * r ) {
  if( r->cnt>=r->persistent ) return 0;
  size_t floor_ = shrink_floor( r );
  if( r->cnt>=floor_ ) return 0;
  size_t used = r->now.total - r->now.free;
  size_t resv = floor_>used ? floor_-used : 0UL;
  holders_t h;
  find_holders( r, &h );
  fd_shmem_private_figs_t figs = { .needed=floor_, .had=used, .page_sz=r->page_sz, .numa_idx=r->numa_idx };
  return pool_say( r )( EBUSY, FD_SHMEM_REASON_HELD, NULL, &figs,
                      "node %zu: cannot shrink the %s pool to %zu: %zu of its %zu pages are in use "
                      "(%zu mapped, %zu kept for reservations), so it can go down to %zu; "
                      "%s regions: %s", r->numa_idx, r->type, r->cnt, floor_, r->now.total,
                      floor_-resv, resv, floor_, r->type, h.text );
}

/* ---- writing ---- */

/* Writes cnt to the node's pool; *got gets the count reached. */
static int
pool_write( pool_req_t const * r, size_t cnt, size_t * got ) {
  char path[ PATH_BUF+32 ], text[ 32 ];
  snprintf( path, sizeof(path), "%s/nr_hugepages", r->dir );
  snprintf( text, sizeof(text), "%zu\n", cnt );
  fd_shmem_pool_info_t now;
  fd_shmem_private_view_t after = { 0 };  /* the write changed the figures: read them again */
  int err = write_text( path, text );
  if( !err ) err = pool_query( &after, r->page_sz, r->numa_idx, &now );
  if( !err ) *got = now.total - now.surplus;
  return err;
}

/* 1 when the pages still missing would fit in the node's free memory:
   then the shortfall can be fragmentation, which compaction helps.
   Reclaimable memory is not counted: the kernel's own allocation of
   the pages has already reclaimed what it could before coming up short. */
static int
shortfall_fits( pool_req_t const * r, size_t got, size_t * mem_free ) {
  fd_shmem_private_mem_t m;  /* read afresh: a write came before */
  *mem_free = 0UL;
  if( fd_shmem_private_mem_read( r->numa_idx, &m ) || m.free==FD_SHMEM_PRIVATE_NO_FIGURE ) return 0;
  *mem_free = m.free;
  return (r->cnt-got) <= *mem_free / r->page_sz;
}

/* Why a grow stopped short. */
typedef struct {
  int    fragmented;  /* 0: the missing pages are more than the node's free memory */
  size_t mem_free;    /* the node's free memory at the last look */
} shortfall_t;

/* 1 when a short grow is worth compacting and writing again; if not,
   sf says why. */
static int
may_retry( pool_req_t const * r, size_t got, int tries, shortfall_t * sf ) {
  sf->fragmented = shortfall_fits( r, got, &sf->mem_free );
  return sf->fragmented && tries<COMPACT_TRIES;
}

/* Grows the pool toward r->cnt, compacting and retrying (bounded) while
   the shortfall can be fragmentation; each retry is a notice (progress
   for a terminal).  Returns 0 (*got may still be short) or the errno of
   a failed write. */
static int
pool_grow( pool_req_t const * r, size_t * got, shortfall_t * sf ) {
  int err = pool_write( r, r->cnt, got );
  for( int tries=0; !err && *got<r->cnt && may_retry( r, *got, tries, sf ); tries++ ) {
    FD_SHMEM_PRIVATE_NOTE( "node %zu: %zu of %zu %s pages so far; compacting memory, attempt %d of %d",
                           r->numa_idx, *got, r->cnt, r->type, tries+1, COMPACT_TRIES );
    compact_memory();
    err = pool_write( r, r->cnt, got );
  }
  return err;
}

#define HINT_MAX (256)  /* bytes of the boot parameters in a warning */

/* The kernel parameters that reserve r's pages at boot.  On a machine
   of one node, the count.  On more, the per-node form (hugepages=N:C,
   Linux 5.16 and later): a plain count would be spread over the nodes,
   and a node left out gets none, so every node is named with its pool
   as it is now, r's node with the count asked. */
static void
boot_hint( pool_req_t const * r, char * buf, size_t buf_sz ) {
  char const * sz       = fd_shmem_private_page_type_of( r->page_sz )->boot_word;
  size_t       numa_cnt = fd_shmem_numa_cnt();
  size_t       len      = (size_t)snprintf( buf, buf_sz, "hugepagesz=%s hugepages=", sz );
  if( numa_cnt==1UL ) { snprintf( buf+len, buf_sz-len, "%zu", r->cnt ); return; }
  char const * sep = "";
  fd_shmem_private_view_t view = { 0 };
  for( size_t n=0UL; n<numa_cnt; n++ ) {
    fd_shmem_pool_info_t p;
    size_t cnt = n==r->numa_idx ? r->cnt : pool_query( &view, r->page_sz, n, &p ) ? 0UL : p.total - p.surplus;
    if( !cnt ) continue;
    int w = snprintf( buf+len, buf_sz-len, "%s%zu:%zu", sep, n, cnt );
    if( w<0 || (size_t)w>=buf_sz-len ) { snprintf( buf+buf_sz-5UL, 5UL, ",..." ); return; }  /* no half a node */
    len += (size_t)w;
    sep  = ",";
  }
}

#define CAUSE_MAX (512)

/* The cause of a short grow, as the machine shows it, and the remedy
   that fits it, into cause and remedy. */
static void
explain( pool_req_t const * r, size_t got, shortfall_t const * sf, char * cause, size_t cause_sz,
         char * remedy, size_t remedy_sz ) {
  char a[ HUMAN_BUF ], b[ HUMAN_BUF ];
  size_t missing = r->cnt-got, fit = got + sf->mem_free/r->page_sz;
  fd_shmem_private_human( missing*r->page_sz, a, sizeof(a) );
  fd_shmem_private_human( sf->mem_free, b, sizeof(b) );
  if( !sf->fragmented ) {
    snprintf( cause, cause_sz, "the node's memory is too small for them: the %s missing is more than "
              "the node's %s of free memory", a, b );
    snprintf( remedy, remedy_sz, "ask for a smaller count (%zu fit now) or free memory on the node, or", fit );
    return;
  }
  fd_shmem_private_fragmented_why( r->page_sz, r->numa_idx, missing, sf->mem_free, COMPACT_TRIES, cause, cause_sz );
  snprintf( remedy, remedy_sz, "compact memory and try again later (sysctl -w vm.compact_memory=1), "
            "ask for a smaller count, or" );
}

/* A note when this process's hugetlb cgroup allows fewer bytes of r's
   pages than the pool is asked for (it limits mappings, not the pool),
   into buf; "" when none applies. */
static void
cgroup_note( pool_req_t const * r, char * buf, size_t buf_sz ) {
  size_t limit;
  char   file[ 320 ], human[ HUMAN_BUF ];
  buf[0] = '\0';
  if( fd_shmem_private_hugetlb_cgroup_limit( r->page_sz, &limit, file, sizeof(file) ) ) return;
  if( limit/r->page_sz>=r->cnt ) return;
  snprintf( buf, buf_sz, "; besides, this process's hugetlb cgroup allows it only %s of %s pages (%zu, %s): "
            "its mappings beyond that fail even when the pool holds the pages",
            fd_shmem_private_human( limit, human, sizeof(human) ), r->type, limit/r->page_sz, file );
}

/* Puts the pool back to what it was after a failed change, and says so
   in one warning (a caller may keep only the last one); a short grow
   is a failure with its cause.  Returns ENOMEM (short grow) or EBUSY. */
static int
pool_put_back( pool_req_t const * r, size_t got, shortfall_t const * sf ) {
  size_t back = got;
  int err = pool_write( r, r->persistent, &back );
  char const * fail = err ? strerror( err ) : "";
  char const * sep  = err ? ": " : "";
  if( r->cnt<r->persistent ) {
    FD_SHMEM_PRIVATE_WARN( "node %zu: the %s pool stopped at %zu, not %zu; the pool was put back to %zu%s%s "
                           "(the kernel freed fewer pages: some came into use meanwhile)",
                           r->numa_idx, r->type, got, r->cnt, back, sep, fail );
    return EBUSY;
  }
  char hint[ HINT_MAX ], cause[ CAUSE_MAX ], remedy[ CAUSE_MAX ], note[ CAUSE_MAX ];
  boot_hint( r, hint, sizeof(hint) );
  explain( r, got, sf, cause, sizeof(cause), remedy, sizeof(remedy) );
  cgroup_note( r, note, sizeof(note) );
  fd_shmem_private_figs_t figs = { .needed=r->cnt, .had=got, .page_sz=r->page_sz, .numa_idx=r->numa_idx };
  return fd_shmem_private_fail( ENOMEM, FD_SHMEM_REASON_NO_ROOM, NULL, &figs,
                                "only %zu of %zu %s page%s could be reserved on node %zu; "
                                "the pool was put back to %zu%s%s (%s)%s; %s reserve them at boot instead "
                                "(fd_shmem_ctl kernel-cmdline prints the parameters), on the kernel command line%s: %s",
                                got, r->cnt, r->type, FD_SHMEM_PRIVATE_S( r->cnt ), r->numa_idx, back, sep, fail,
                                cause, note, remedy, fd_shmem_numa_cnt()>1UL ? ", per node (node:count)" : "", hint );
}

/* ---- the call ---- */

/* EOPNOTSUPP, said with why: r's node has no pool of its page size. */
static int
no_page_sz( pool_req_t const * r ) {
  char why[ CAUSE_MAX ], human[ HUMAN_BUF ];
  fd_shmem_private_page_sz_absent_why( r->page_sz, r->numa_idx, why, sizeof(why) );
  fd_shmem_private_figs_t figs = { .page_sz=r->page_sz, .numa_idx=r->numa_idx };
  return pool_say( r )( EOPNOTSUPP, FD_SHMEM_REASON_KERNEL, NULL, &figs, "node %zu: no pool of %s pages of %s: %s",
                        r->numa_idx, fd_shmem_page_sz_to_cstr( r->page_sz ),
                        fd_shmem_private_human( r->page_sz, human, sizeof(human) ), why );
}

/* Fills r and makes every check that needs no write. */
static int
pool_check( pool_req_t * r ) {
  int err = pool_dir( r->page_sz, r->numa_idx, r->dir, sizeof(r->dir) );
  if( err==EOPNOTSUPP ) return no_page_sz( r );
  if( !err ) err = pool_query( &r->before, r->page_sz, r->numa_idx, &r->now );
  if( err ) return err;
  r->type       = fd_shmem_page_sz_to_cstr( r->page_sz );
  r->persistent = r->now.total - r->now.surplus;
  err = check_fits( r );
  if( !err ) err = check_shrink( r );
  return err;
}

/* A dry run's answer for the write: 0, or the errno it would fail with
   for want of permission. */
static int
dry_write( pool_req_t const * r ) {
  char path[ PATH_BUF+32 ];
  snprintf( path, sizeof(path), "%s/nr_hugepages", r->dir );
  return access( path, W_OK ) ? errno : 0;
}

static int
pool_alloc( size_t page_sz, size_t page_cnt, size_t numa_idx, size_t * opt_got ) {
  pool_req_t r = { .cnt = page_cnt, .page_sz = page_sz, .numa_idx = numa_idx };
  size_t got_buf, * got = opt_got ? opt_got : &got_buf;
  int err = pool_check( &r );
  *got = r.persistent;
  if( err || r.cnt==r.persistent ) return err;
  if( fd_shmem_private_dry_run() ) {
    err = dry_write( &r );
    if( !err ) *got = r.cnt;
    return err;
  }
  shortfall_t sf = { 0 };
  err = r.cnt>r.persistent ? pool_grow( &r, got, &sf ) : pool_write( &r, r.cnt, got );
  if( err || *got==r.cnt ) return err;
  return pool_put_back( &r, *got, &sf );
}

FD_SHMEM_EXPORT int
fd_shmem_pool_alloc( size_t page_sz, size_t page_cnt, size_t numa_idx, size_t * opt_got ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_pool_alloc, pool_alloc( page_sz, page_cnt, numa_idx, opt_got ) );
}

FD_SHMEM_EXPORT int
fd_shmem_pool_alloc_check( size_t page_sz, size_t page_cnt, size_t numa_idx ) {
  pool_req_t r = { .cnt = page_cnt, .page_sz = page_sz, .numa_idx = numa_idx, .quiet = 1 };
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_pool_alloc_check, pool_check( &r ) );
}

FD_SHMEM_EXPORT int
fd_shmem_pool_free( size_t page_sz, size_t numa_idx ) {
  return FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_pool_free, pool_alloc( page_sz, 0UL, numa_idx, NULL ) );
}
