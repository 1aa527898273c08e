/* "apply [FILE]" and "check [FILE]": make the machine match the
   provisioning file, or tell whether it does.  Both first compute the
   same plan from the library's description of the domain and pools:
   the actions that would bring the machine in line, and the differences
   no action may fix (a page type mounted wrongly, pages in use, page
   sizes the kernel lacks).  apply attempts every action, and fails at
   the end naming each one it could not do. */

#include "ctl.h"
#include "ctl_conf_read.h"
#include "../lib/base/fd_shmem_page_type.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PLAN_MAX  (128)
#define STUCK_MAX (32)
#define TEXT_MAX  (FD_SHMEM_PATH_MAX+400UL)  /* a line naming a domain path */

typedef enum { ACT_INIT, ACT_REPAIR, ACT_OWNER, ACT_POOL, ACT_RESERVE } act_kind_t;

/* What to do when the kernel cannot find 1 GiB of contiguous memory. */
#define GIGANTIC_REMEDY "1 GiB pages are best reserved at boot: see fd_shmem_ctl kernel-cmdline"

#define NO_NODE (~0UL)

/* A wanted or present value: a count or size (num), words, or unknown. */
typedef struct {
  int    set, is_num;
  size_t num;
  char   str[ 96 ];
} value_t;

/* One difference between the machine and the file, as data: check
   prints it as text or JSON, apply as the line of an action or of what
   it left. */
typedef struct {
  char const * kind;     /* machine-readable, listed in fd_shmem_ctl(8) */
  size_t       numa;     /* NO_NODE: not about one node */
  size_t       page_sz;  /* 0: not about one page type */
  unsigned     types;    /* the page types (bit t) of a difference about several of them */
  value_t      wanted, present;
  char         text[ TEXT_MAX ];
} diff_t;

typedef struct {
  act_kind_t kind;
  size_t     page_sz, numa, cnt;
  int        grows;           /* a pool to grow (not to shrink) */
  int        short_gigantic;  /* a gigantic pool to grow: the running kernel may fail it */
  unsigned   types;           /* repair: the page types (bit t of FD_SHMEM_DOMAIN_TYPE_CNT) it must fix */
  int        needs_earlier;   /* it counts on an action before it (a mount, a reservation let go), which a dry
                                 run does not do: then it is not checked */
  diff_t     d;               /* d.text: what the action does */
} act_t;

typedef struct {
  ctl_conf_t             conf;    /* user and group "root" where the file names none */
  char                   path[ FD_SHMEM_PATH_MAX+1UL ];
  fd_shmem_domain_plan_t lib;     /* what the library found at path, and would do with it */
  act_t      act[ PLAN_MAX ];
  size_t     act_cnt;
  diff_t     stuck[ STUCK_MAX ];  /* differences no action fixes */
  size_t     stuck_cnt;
} plan_t;

static void
value_num( value_t * v, size_t num ) {
  v->set = 1; v->is_num = 1; v->num = num;
}

static void value_str( value_t * v, char const * fmt, ... ) __attribute__(( format( printf, 2, 3 ) ));

static void
value_str( value_t * v, char const * fmt, ... ) {
  v->set = 1; v->is_num = 0;
  va_list ap;
  va_start( ap, fmt );
  vsnprintf( v->str, sizeof(v->str), fmt, ap );
  va_end( ap );
}

static void
diff_set( diff_t * d, char const * kind, size_t numa, size_t page_sz ) {
  d->kind = kind; d->numa = numa; d->page_sz = page_sz;
}

static act_t *
plan_add( plan_t * plan, act_kind_t kind ) {
  if( plan->act_cnt==PLAN_MAX ) return NULL;
  act_t * a = &plan->act[ plan->act_cnt++ ];
  memset( a, 0, sizeof(*a) );
  a->kind = kind;
  return a;
}

static diff_t *plan_stuck( plan_t * plan, char const * kind, size_t numa, size_t page_sz, char const * fmt, ... )
  __attribute__(( format( printf, 5, 6 ) ));

/* A difference no action fixes, with its text; the caller may add its
   values (a full list gives a scratch entry nobody shows). */
static diff_t *
plan_stuck( plan_t * plan, char const * kind, size_t numa, size_t page_sz, char const * fmt, ... ) {
  static diff_t scratch;
  diff_t * d = plan->stuck_cnt==STUCK_MAX ? &scratch : &plan->stuck[ plan->stuck_cnt++ ];
  memset( d, 0, sizeof(*d) );
  diff_set( d, kind, numa, page_sz );
  va_list ap;
  va_start( ap, fmt );
  vsnprintf( d->text, sizeof(d->text), fmt, ap );
  va_end( ap );
  return d;
}

/* The library's reason, that names why the path is no domain, as the
   reason the command fails (nothing was done). */
static int
refused_path( ctl_t * ctl, char const * fname, char const * done ) {
  int err = ctl_fail( ctl, EINVAL, "%s: %s%s", fname, ctl_reason_words( EINVAL ), done );
  ctl_warnings_drop_last();
  return err;
}

/* Refuses, before anything is done, a path that is no domain and that
   init would not make one: a directory of other files, or a path on a
   pseudo file system (init, asked in a dry run, says so). */
static int
plan_check_new( ctl_t * ctl, plan_t * plan, char const * fname ) {
  if( plan->lib.info.others )
    return ctl_fail( ctl, EINVAL, "%s: %s exists but is not a domain: it holds files beside the page-type directories; "
                     "nothing was done", fname, plan->path );
  if( plan->lib.info.exists ) return 0;
  int err = plan->lib.init_err;
  if( err==EINVAL ) return refused_path( ctl, fname, "" );  /* its words end "nothing was changed" */
  if( err ) ctl_warnings_drop_last();  /* not root, no parent yet: the init action itself will say so */
  return 0;
}

/* Checks what the file names: its path, and the owner; and refuses,
   before anything is done, a path that is no domain. */
static int
plan_check_names( ctl_t * ctl, plan_t * plan, char const * fname ) {
  int err = ctl_conf_check_names( ctl, &plan->conf, fname );
  if( err ) return err;
  char const * path = plan->conf.path;
  snprintf( plan->path, sizeof(plan->path), "%s", path[0] ? path : fd_shmem_path() );
  ctl_path_tidy( plan->path );
  fd_shmem_domain_plan( plan->path, plan->conf.mode, plan->conf.user, plan->conf.group, &plan->lib );
  if( plan->lib.info_err==EINVAL && !ctl_reason_words( EINVAL )[0] )
    return ctl_fail( ctl, EINVAL, "%s: unusable path %s (an absolute path, no . or .. in it)", fname, plan->path );
  if( plan->lib.info_err==EINVAL ) return refused_path( ctl, fname, "; nothing was done" );  /* a mount point, ... */
  return plan->lib.info_err ? 0 : plan_check_new( ctl, plan, fname );
}

/* 1 if owner or mode differ from the file's, 0 if not, -1 if the
   library could not tell. */
static int
owner_differs( plan_t const * plan ) {
  return plan->lib.owner_err ? -1 : plan->lib.owner_differs;
}

static void
list_add( char * list, size_t list_sz, char const * type ) {
  size_t n = strlen( list );
  snprintf( list+n, list_sz-n, "%s.%s", n ? ", " : "", type );
}

/* Each page type, as the library's repair rule has it
   (fd_shmem_domain_type_fix): nothing to do, a mount, a resize (memory
   was hot-added), or left: a stale hugetlbfs holding regions, or a
   state apply never touches on a live domain.  Returns 1 if a mount
   was planned (a fresh mount takes the owner of the domain directory:
   the owner is set after it). */
static int
plan_types( plan_t * plan ) {
  fd_shmem_domain_info_t const * info = &plan->lib.info;
  char mount[ 64 ] = "", resize[ 64 ] = "";
  unsigned types = 0U;
  for( int t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    fd_shmem_type_info_t const * ti = &info->type[ t ];
    char const * type = fd_shmem_page_sz_to_cstr( ti->page_sz );
    switch( plan->lib.fix[ t ] ) {
    case FD_SHMEM_FIX_MOUNT:  list_add( mount, sizeof(mount), type );   types |= 1U<<t; break;
    case FD_SHMEM_FIX_RESIZE: list_add( resize, sizeof(resize), type ); types |= 1U<<t; break;
    case FD_SHMEM_FIX_HELD: {
      diff_t * d = plan_stuck( plan, "mount-size-held", NO_NODE, ti->page_sz, "%s/.%s is sized for %zu MiB, the "
                               "machine now has %zu MiB; a hugetlbfs mount holding regions cannot be resized (once "
                               "they are gone, apply again)", plan->path, type, ti->mount_sz>>20, ti->want_sz>>20 );
      value_num( &d->wanted, ti->want_sz ); value_num( &d->present, ti->mount_sz );
      break;
    }
    case FD_SHMEM_FIX_STUCK: {
      diff_t * d;
      if( plan->lib.refusals.type[ t ].remedy==FD_SHMEM_REMEDY_RMDIR ) {
        d = plan_stuck( plan, "type-dir-unoffered", NO_NODE, ti->page_sz, "%s/.%s is not mounted, and this kernel "
                        "offers no %s pages to mount there (remove the empty directory)", plan->path, type, type );
        value_str( &d->wanted, "no directory" ); value_str( &d->present, "empty directory" );
      } else {
        d = plan_stuck( plan, "mount-wrong", NO_NODE, ti->page_sz, "%s/.%s is %s%s; apply never remounts a live "
                        "domain (unmount it by hand, then apply)", plan->path, type,
                        fd_shmem_type_state_cstr( ti->state ),
                        ti->state==FD_SHMEM_TYPE_UNMOUNTED ? " and holds files" : "" );
        value_str( &d->wanted, "mounted" ); value_str( &d->present, "%s", fd_shmem_type_state_cstr( ti->state ) );
      }
      break;
    }
    default: break;
    }
  }
  if( !types ) return 0;
  act_t * a = plan_add( plan, ACT_REPAIR );
  if( !a ) return 0;
  a->types = types;
  diff_set( &a->d, "mount", NO_NODE, 0UL );
  a->d.types = types;
  value_str( &a->d.wanted, "%s", mount[0] ? "mounted" : "sized to the machine's memory" );
  value_str( &a->d.present, "%s%s%s", mount[0] ? "not mounted" : "", mount[0] && resize[0] ? "; " : "",
             resize[0] ? "sized below the machine's memory" : "" );
  snprintf( a->d.text, sizeof(a->d.text), "%s%s%s%s%s in %s", mount[0] ? "mount " : "", mount,
            mount[0] && resize[0] ? "; " : "", resize[0] ? "resize to the machine's memory " : "", resize,
            plan->path );
  return !!mount[0];
}

static void
plan_domain( plan_t * plan ) {
  fd_shmem_domain_info_t const * info = &plan->lib.info;
  int err = plan->lib.info_err;
  if( err ) {
    diff_t * d = plan_stuck( plan, "domain-unreadable", NO_NODE, 0UL, "%s: %s%s", plan->path,
                             err==ENOTDIR ? "a symbolic link or not a directory" : strerror( err ),
                             ( err==EACCES || err==EPERM ) && geteuid() ? " (run as root)" : "" );
    value_str( &d->wanted, "a domain directory" );
    value_str( &d->present, "%s", err==ENOTDIR ? "a symbolic link or not a directory" : strerror( err ) );
    return;
  }
  if( !info->exists ) {
    act_t * a = plan_add( plan, ACT_INIT );
    diff_set( &a->d, "domain-missing", NO_NODE, 0UL );
    value_str( &a->d.wanted, "%s", plan->path ); value_str( &a->d.present, "nothing" );
    snprintf( a->d.text, sizeof(a->d.text), "init domain %s (mode %04lo, owner %s:%s)", plan->path, plan->conf.mode,
              plan->conf.user, plan->conf.group );
    return;
  }
  int mounted = plan_types( plan );
  int differs = mounted || owner_differs( plan );
  if( differs<0 ) {
    diff_t * d = plan_stuck( plan, "owner-unreadable", NO_NODE, 0UL, "cannot check the owner and mode of %s (above)",
                             plan->path );
    value_str( &d->wanted, "%s:%s %04lo", plan->conf.user, plan->conf.group, plan->conf.mode );
    return;
  }
  if( !differs ) return;
  act_t * a = plan_add( plan, ACT_OWNER );
  if( !a ) return;
  diff_set( &a->d, "owner", NO_NODE, 0UL );
  value_str( &a->d.wanted, "%s:%s %04lo", plan->conf.user, plan->conf.group, plan->conf.mode );
  value_str( &a->d.present, "%lu:%lu %04lo", info->uid, info->gid, info->mode & 07777UL );
  snprintf( a->d.text, sizeof(a->d.text), "set owner %s:%s and mode %04lo on %s", plan->conf.user,
            plan->conf.group, plan->conf.mode, plan->path );
}

/* 1 if the pool refused a shrink (EBUSY) only for pages the kernel
   keeps for reservations, that unreserving pages let go before it
   (a lessened reservation of the domain) make free. */
static int
freed_by_unreserving( size_t want, size_t unreserving ) {
  static fd_shmem_reason_t r;  /* big: kept off the stack */
  return unreserving && !fd_shmem_last_reason( &r ) && r.what==FD_SHMEM_REASON_HELD && r.needed<=want+unreserving;
}

static void
plan_pool( plan_t * plan, size_t page_sz, size_t numa, size_t want, size_t unreserving ) {
  char const * type = fd_shmem_page_sz_to_cstr( page_sz );
  fd_shmem_pool_info_t p;
  int err = fd_shmem_pool_query( page_sz, numa, &p );
  diff_t * d;
  if( err==EOPNOTSUPP ) {
    d = plan_stuck( plan, "page-size-unoffered", numa, page_sz, "this kernel offers no %s pages", type );
    value_num( &d->wanted, want );
    return;
  }
  if( err ) {
    d = plan_stuck( plan, "pool-unreadable", numa, page_sz, "node %zu: cannot read its %s pool (%s)", numa, type,
                    strerror( err ) );
    value_num( &d->wanted, want );
    return;
  }
  if( p.total==want ) return;
  err = fd_shmem_pool_alloc_check( page_sz, want, numa );  /* the library's own rules: in use, too large */
  int needs_earlier = err==EBUSY && freed_by_unreserving( want, unreserving );
  if( needs_earlier ) err = 0;
  if( err==EBUSY || err==E2BIG ) ctl_warnings_add_reason( err );  /* its figures and holders */
  if( err==EBUSY || err==E2BIG ) {
    if( err==EBUSY )
      d = plan_stuck( plan, "pool-in-use", numa, page_sz, "node %zu: %s pages in use; the pool cannot go down to %zu "
                      "(now %zu)", numa, type, want, p.total );
    else
      d = plan_stuck( plan, "pool-too-large", numa, page_sz, "node %zu: %zu %s page%s need%s more memory than the "
                      "node has", numa, want, type, want==1UL ? "" : "s", want==1UL ? "s" : "" );
    value_num( &d->wanted, want ); value_num( &d->present, p.total );
    return;
  }
  act_t * a = plan_add( plan, ACT_POOL );
  if( !a ) return;
  a->page_sz = page_sz; a->numa = numa; a->cnt = want; a->needs_earlier = needs_earlier;
  a->grows          = want>p.total;
  a->short_gigantic = page_sz==FD_SHMEM_GIGANTIC_PAGE_SZ && a->grows;
  diff_set( &a->d, "pool", numa, page_sz );
  value_num( &a->d.wanted, want ); value_num( &a->d.present, p.total );
  snprintf( a->d.text, sizeof(a->d.text), "set node %zu %s pages to %zu (now %zu)", numa, type, want, p.total );
}

/* The pool actions, in the order they run: every shrink first (what
   they free may be what a grow needs), then the grows, each in the
   order planned: gigantic pools before huge ones (largest first), as
   2 MiB pages taken first can split the only free, aligned GiB of a
   node.  Normal pages have no pool: no line asks them. */
static void
plan_pools( plan_t * plan ) {
  size_t first = plan->act_cnt;
  for( size_t i=0; i<FD_SHMEM_DOMAIN_TYPE_CNT; i++ ) {
    size_t page_sz = fd_shmem_private_page_type[ FD_SHMEM_PRIVATE_LARGEST_FIRST( i ) ].page_sz, want;
    size_t unreserving = 0UL;  /* what a lessened reservation planned before the pools lets go */
    for( size_t k=0; k<first; k++ )
      if( plan->act[k].kind==ACT_RESERVE && plan->act[k].page_sz==page_sz )
        unreserving += plan->act[k].d.present.num - plan->act[k].cnt;
    for( size_t n=0; n<fd_shmem_numa_cnt(); n++ )
      if( ctl_conf_want( &plan->conf, page_sz, n, &want, NULL ) ) plan_pool( plan, page_sz, n, want, unreserving );
  }
  for( size_t i=first+1UL; i<plan->act_cnt; i++ ) {  /* a stable insertion sort on grows */
    if( plan->act[i].grows ) continue;
    act_t shrink = plan->act[i];
    size_t j = i;
    for( ; j>first && plan->act[j-1].grows; j-- ) plan->act[j] = plan->act[j-1];
    plan->act[j] = shrink;
  }
}

/* Whether the plan changes the reservation of page type t from have to
   want pages, and how: one that lessens runs before the pools shrink
   (the kernel keeps reserved pages), one that grows after they grow. */
static void
plan_reservation( plan_t * plan, size_t t, int grows ) {
  fd_shmem_domain_info_t const * info    = &plan->lib.info;
  size_t                         page_sz = fd_shmem_private_page_type[ t ].page_sz;
  char const *                   type    = fd_shmem_page_sz_to_cstr( page_sz );
  fd_shmem_pool_info_t           p;
  if( fd_shmem_pool_query( page_sz, 0UL, &p )==EOPNOTSUPP ) return;  /* the pools' difference says it */
  size_t want = 0UL, have = 0UL, cnt;
  for( size_t n=0; n<fd_shmem_numa_cnt() && plan->conf.exclusive; n++ )
    if( ctl_conf_want( &plan->conf, page_sz, n, &cnt, NULL ) ) want += cnt;
  int mounted = info->exists && info->type[ t ].state==FD_SHMEM_TYPE_MOUNTED;
  if( mounted && fd_shmem_domain_reserved( plan->path, page_sz, &have ) ) return;  /* as describe: unreadable */
  if( want==have || ( want>have )!=grows ) return;
  if( mounted && !info->type[ t ].empty ) {
    diff_t * d = plan_stuck( plan, "reservation-held", NO_NODE, page_sz, "%s/.%s reserves %zu %s page%s, the file "
                             "wants %zu (exclusive = %s); a hugetlbfs mount holding regions keeps its reservation "
                             "(once they are gone, apply again)", plan->path, type, have, type, have==1UL ? "" : "s",
                             want, plan->conf.exclusive ? "yes" : "no" );
    value_num( &d->wanted, want ); value_num( &d->present, have );
    return;
  }
  act_t * a = plan_add( plan, ACT_RESERVE );
  if( !a ) return;
  a->page_sz = page_sz; a->cnt = want; a->needs_earlier = !mounted;
  diff_set( &a->d, "reservation", NO_NODE, page_sz );
  value_num( &a->d.wanted, want ); value_num( &a->d.present, have );
  if( want ) snprintf( a->d.text, sizeof(a->d.text), "reserve %zu %s page%s for %s/.%s (exclusive; now %zu)", want,
                       type, want==1UL ? "" : "s", plan->path, type, have );
  else       snprintf( a->d.text, sizeof(a->d.text), "release the %zu %s page%s %s/.%s reserves (exclusive = no)",
                       have, type, have==1UL ? "" : "s", plan->path, type );
}

static void
plan_reservations( plan_t * plan, int grows ) {
  if( plan->lib.info_err ) return;
  for( size_t t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
    if( fd_shmem_private_page_type[ t ].sys_dir ) plan_reservation( plan, t, grows );  /* the types with a pool */
}

/* The pools of node n as the file sets them: want[t] pages of each page
   type t of the library's table, CTL_POOL_AS_NOW where it names none. */
static void
file_pools( plan_t const * plan, size_t n, size_t * want ) {
  for( size_t t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
    if( !ctl_conf_want( &plan->conf, fd_shmem_private_page_type[ t ].page_sz, n, &want[t], NULL ) )
      want[t] = CTL_POOL_AS_NOW;
}

/* Each node whose pools, as the file sets them (as they are where it
   names none), would leave it less than its headroom: a difference no
   action fixes (apply refuses such a pool to grow, and sets no pool the
   file names not).  A pool too large for its node is said already. */
static void
plan_headroom( plan_t * plan, char const * fname ) {
  for( size_t n=0; n<fd_shmem_numa_cnt(); n++ ) {
    size_t want[ FD_SHMEM_DOMAIN_TYPE_CNT ];
    file_pools( plan, n, want );
    ctl_node_pools_t np;
    ctl_node_pools( n, want, &np );
    size_t keep = ctl_headroom( &plan->conf, np.mem );
    if( !np.mem || np.after>np.mem || np.mem-np.after>=keep ) continue;
    int  own = !!plan->conf.line_of[ CTL_CONF_HEADROOM ];
    char rule[ 64 ];
    diff_t * d = plan_stuck( plan, "headroom", n, 0UL, "node %zu: its pools%s leave %zu MiB of its %zu MiB, less than "
                             "the %zu MiB it keeps for the kernel and programs (%s); fewer pages, or %sheadroom = SIZE "
                             "in %s", n, np.after==np.now ? "" : " as the file sets them would",
                             ( np.mem-np.after )>>20, np.mem>>20, keep>>20,
                             ctl_headroom_rule( &plan->conf, keep, rule, sizeof(rule) ), own ? "a lower " : "", fname );
    value_num( &d->wanted, keep ); value_num( &d->present, np.mem-np.after );
  }
}

/* A pool the library refuses to shrink names the regions that hold its
   pages in the current domain: while the file's pools are planned and
   set, that is the file's domain (then the one before is put back). */
static char path_before[ FD_SHMEM_PATH_MAX+1UL ];

static void
domain_enter( plan_t const * plan ) {
  snprintf( path_before, sizeof(path_before), "%s", fd_shmem_path() );
  fd_shmem_set_path( plan->path );  /* checked by plan_check_names */
}

static void
domain_leave( void ) {
  fd_shmem_set_path( path_before );
}

static int
plan_make( ctl_t * ctl, plan_t * plan, char const * fname ) {
  memset( plan, 0, sizeof(*plan) );
  int err = ctl_conf_read( ctl, &plan->conf, fname );
  if( err || ctl_conf_empty( &plan->conf ) ) return err;  /* a file that sets nothing leaves the plan empty */
  err = plan_check_names( ctl, plan, fname );
  if( err ) return err;
  plan_domain( plan );
  plan_reservations( plan, 0 );
  domain_enter( plan );
  plan_pools( plan );
  domain_leave();
  plan_reservations( plan, 1 );
  plan_headroom( plan, fname );
  return 0;
}

/* The repair goes over every page type; its EBUSY may be only for the
   types planned as not done, so the action failed only if the library
   still has something to do (fd_shmem_domain_type_fix) with one of the
   types it was to fix. */
static int
repair_run( plan_t const * plan, act_t const * a, int dry_run ) {
  int err = fd_shmem_domain_repair( plan->path, NULL );
  if( err!=EBUSY ) return err;
  if( dry_run ) return 0;  /* nothing was tried: what it left is what was planned so */
  fd_shmem_domain_info_t now;
  if( fd_shmem_domain_describe( plan->path, &now ) ) return err;
  for( int t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
    if( ( a->types & ( 1U<<t ) ) && fd_shmem_domain_type_fix( &now.type[ t ] )!=FD_SHMEM_FIX_NONE ) return err;
  return 0;
}

static int
act_run( plan_t const * plan, act_t const * a, int dry_run ) {
  switch( a->kind ) {
  case ACT_INIT:   return fd_shmem_domain_init( plan->path, plan->conf.mode, plan->conf.user, plan->conf.group );
  case ACT_REPAIR: return repair_run( plan, a, dry_run );
  case ACT_OWNER:
    /* in a dry run the mounts of the repair before it are not there to be checked */
    if( dry_run && a!=plan->act && a[-1].kind==ACT_REPAIR && a[-1].types ) return 0;
    return fd_shmem_domain_set_owner( plan->path, plan->conf.mode, plan->conf.user, plan->conf.group, NULL );
  case ACT_POOL: {
    if( dry_run && a->needs_earlier ) return 0;
    domain_enter( plan );
    int err = fd_shmem_pool_alloc( a->page_sz, a->cnt, a->numa, NULL );
    domain_leave();
    return err;
  }
  case ACT_RESERVE:
    return dry_run && a->needs_earlier ? 0 : fd_shmem_domain_reserve( plan->path, a->page_sz, a->cnt );
  }
  return EINVAL;
}

static plan_t plan;  /* big: kept off the stack */

/* What to do when a gigantic pool falls short: reserve the pages at
   boot.  On a machine of several nodes, the per-node parameters: each
   node with memory as the file asks, or as it is now where the file
   names it not (a node left out gets none at boot). */
static char const *
gigantic_remedy( char * buf, size_t buf_sz ) {
  size_t numa_cnt = fd_shmem_numa_cnt();
  if( numa_cnt<2UL ) return GIGANTIC_REMEDY;
  static size_t cnt[ FD_SHMEM_NUMA_MAX ];
  for( size_t n=0UL; n<numa_cnt; n++ ) {
    fd_shmem_pool_info_t p;
    int err = fd_shmem_pool_query( FD_SHMEM_GIGANTIC_PAGE_SZ, n, &p );
    if( err || !p.node_bytes ) { cnt[n] = 0UL; continue; }
    if( !ctl_conf_want( &plan.conf, FD_SHMEM_GIGANTIC_PAGE_SZ, n, &cnt[n], NULL ) ) cnt[n] = p.total - p.surplus;
  }
  char line[ 256 ] = "";
  ctl_cmdline_type( line, sizeof(line), fd_shmem_private_page_type_of( FD_SHMEM_GIGANTIC_PAGE_SZ )->boot_word, cnt,
                    numa_cnt, 1 );
  snprintf( buf, buf_sz, "1 GiB pages are best reserved at boot, per node (node:count) on the kernel command line:%s "
            "(fd_shmem_ctl kernel-cmdline prints the whole line)", line );
  return buf;
}

static void
print_not_done( void ) {
  fflush( stdout );
  for( size_t i=0; i<plan.stuck_cnt; i++ ) {
    fputs( "fd_shmem_ctl: apply: not done: ", stderr );
    ctl_put_safe( stderr, plan.stuck[i].text );
    fputc( '\n', stderr );
  }
}

/* apply by a user who may not change the machine (also in a dry run):
   what it would do, then one line that says so, before anything is
   tried. */
static int
apply_needs_root( ctl_t * ctl ) {
  for( size_t i=0; i<plan.act_cnt; i++ ) printf( "would: %s\n", plan.act[i].d.text );
  print_not_done();
  return ctl_fail( ctl, EPERM, "%zu change%s needed: run as root (nothing was done)", plan.act_cnt,
                   plan.act_cnt==1 ? "" : "s" );
}

/* The plan for the file args names, for apply and check.  *done is set
   when the file configures nothing, which is said between before and
   after (unless before is NULL): the command has nothing more to do. */
static int
plan_for_args( ctl_t * ctl, ctl_args_t const * args, char const * before, char const * after, int * done ) {
  int err = plan_make( ctl, &plan, args->conf.path );
  *done = err || ctl_conf_empty( &plan.conf );
  if( !err && *done && before ) printf( "%snothing configured in %s%s\n", before, args->conf.path, after );
  return err;
}

/* Refuses, before anything is done, pools that would leave a node less
   than its headroom: each node's pools as the file sets them. */
static int
apply_headroom( ctl_t * ctl, char const * fname ) {
  for( size_t n=0; n<fd_shmem_numa_cnt(); n++ ) {
    size_t want[ FD_SHMEM_DOMAIN_TYPE_CNT ];
    file_pools( &plan, n, want );
    int err = ctl_headroom_check( ctl, &plan.conf, fname, n, want );
    if( err ) return err;
  }
  return 0;
}

int
ctl_cmd_apply( ctl_t * ctl, ctl_args_t const * args ) {
  char const * fname = args->conf.path;
  int done, err = plan_for_args( ctl, args, "", ": nothing to do", &done );
  if( done ) return err;
  err = apply_headroom( ctl, fname );
  if( err ) return err;
  if( !plan.act_cnt && !plan.stuck_cnt ) { printf( "nothing to do: the machine matches %s\n", fname ); return 0; }
  if( plan.act_cnt && geteuid() ) return apply_needs_root( ctl );
  size_t failed = 0;
  for( size_t i=0; i<plan.act_cnt; i++ ) {
    printf( "%s: %s\n", ctl->dry_run ? "would" : "apply", plan.act[i].d.text );
    fflush( stdout );
    err = ctl_real_err( act_run( &plan, &plan.act[i], ctl->dry_run ) );  /* EROFS, not the library's EIO */
    ctl_warnings_flush( ctl );  /* the library's words about this action, in order */
    if( !err ) continue;
    char remedy[ 400 ];
    act_t const * a = &plan.act[i];
    diff_t * d = plan_stuck( &plan, "failed", a->d.numa, a->d.page_sz, "%s: failed (%s)%s%s", a->d.text,
                             strerror( err ), a->short_gigantic ? "; " : "",
                             a->short_gigantic ? gigantic_remedy( remedy, sizeof(remedy) ) : "" );
    d->wanted = a->d.wanted;
    failed++;
  }
  print_not_done();
  if( !plan.stuck_cnt ) return 0;
  return ctl_fail( ctl, failed ? EIO : EBUSY, "%zu of the file's requirements %s not met (see above)", plan.stuck_cnt,
                   plan.stuck_cnt==1 ? "is" : "are" );
}

/* check's line for a difference: an action's with the remedy for a
   gigantic pool to grow (fits TEXT_MAX+200). */
static void
diff_line( char * line, size_t line_sz, diff_t const * d, int short_gigantic ) {
  snprintf( line, line_sz, "differs: %s%s%s", d->text, short_gigantic ? "; " : "",
            short_gigantic ? GIGANTIC_REMEDY : "" );
}

static void
json_value( char const * name, value_t const * v ) {
  printf( ", \"%s\": ", name );
  if( !v->set )         printf( "null" );
  else if( v->is_num )  printf( "%zu", v->num );
  else                  ctl_json_str( stdout, v->str );
}

static void
json_diff( diff_t const * d, char const * line, int first ) {
  printf( "%s\n    { \"kind\": \"%s\"", first ? "" : ",", d->kind );
  if( d->numa!=NO_NODE ) printf( ", \"node\": %zu", d->numa );
  if( d->page_sz ) printf( ", \"page_type\": \"%s\"", fd_shmem_page_sz_to_cstr( d->page_sz ) );
  if( d->types ) {
    printf( ", \"page_types\": [" );
    char const * sep = "";
    for( int t=0; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
      if( d->types & ( 1U<<t ) ) {
        printf( "%s\"%s\"", sep, fd_shmem_page_sz_to_cstr( plan.lib.info.type[ t ].page_sz ) );
        sep = ", ";
      }
    printf( "]" );
  }
  json_value( "wanted", &d->wanted );
  json_value( "present", &d->present );
  printf( ", \"text\": " );
  ctl_json_str( stdout, line );
  printf( " }" );
}

/* Each difference, the actions' then the ones no action fixes, as text
   lines or, with --json, as the list of the object; returns how many. */
static size_t
print_differences( ctl_t const * ctl ) {
  static char line[ TEXT_MAX+200UL ];
  size_t n = plan.act_cnt + plan.stuck_cnt;
  if( ctl->json ) printf( "{\n  \"ok\": %s,\n  \"differences\": [", n ? "false" : "true" );
  for( size_t i=0; i<n; i++ ) {
    int            is_act = i<plan.act_cnt;
    diff_t const * d      = is_act ? &plan.act[i].d : &plan.stuck[ i-plan.act_cnt ];
    diff_line( line, sizeof(line), d, is_act && plan.act[i].short_gigantic );
    if( ctl->json ) json_diff( d, line, !i );
    else { ctl_put_safe( stdout, line ); fputc( '\n', stdout ); }
  }
  if( ctl->json ) printf( "%s]\n}\n", n ? "\n  " : "" );
  return n;
}

int
ctl_cmd_check( ctl_t * ctl, ctl_args_t const * args ) {
  char const * fname = args->conf.path;
  int done, err = plan_for_args( ctl, args, ctl->json ? NULL : "ok: ", "", &done );
  if( done && ( err || !ctl->json ) ) return err;
  size_t n = print_differences( ctl );
  if( !n ) { if( !done && !ctl->json ) printf( "ok: the machine matches %s\n", fname ); return 0; }
  ctl->json_said = ctl->json;  /* the object says it: no error object after it */
  return ctl_fail( ctl, EAGAIN, "the machine differs from %s in %zu way%s", fname, n, n==1 ? "" : "s" );
}

/* For metrics: the number of differences check would list (0 for a
   file that sets nothing). */
int
ctl_check_differences( ctl_t * ctl, char const * fname, size_t * cnt ) {
  int err = plan_make( ctl, &plan, fname );
  *cnt = err ? 0UL : plan.act_cnt + plan.stuck_cnt;
  return err;
}

/* ---- the arguments ---- */

/* apply [FILE], check [FILE]: the file, its path against the one the
   line names, and its user and group. */
int
ctl_parse_conf( ctl_t * ctl, char ** argv, ctl_args_t * args ) {
  return ctl_parse_conf_file( ctl, argv, args, 1 );
}
