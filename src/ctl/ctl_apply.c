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

typedef enum { ACT_INIT, ACT_REPAIR, ACT_OWNER, ACT_POOL } act_kind_t;

/* What to do when the kernel cannot find 1 GiB of contiguous memory. */
#define GIGANTIC_REMEDY "1 GiB pages are best reserved at boot: see fd_shmem_ctl kernel-cmdline"

typedef struct {
  act_kind_t kind;
  size_t     page_sz, numa, cnt;
  int        grows;           /* a pool to grow (not to shrink) */
  int        short_gigantic;  /* a gigantic pool to grow: the running kernel may fail it */
  unsigned   types;           /* repair: the page types (bit t of FD_SHMEM_DOMAIN_TYPE_CNT) it must fix */
  char       what[ TEXT_MAX ];
} act_t;

typedef struct {
  ctl_conf_t             conf;    /* user and group "root" where the file names none */
  char                   path[ FD_SHMEM_PATH_MAX+1UL ];
  fd_shmem_domain_plan_t lib;     /* what the library found at path, and would do with it */
  act_t      act[ PLAN_MAX ];
  size_t     act_cnt;
  char       stuck[ STUCK_MAX ][ TEXT_MAX ];  /* differences no action fixes */
  size_t     stuck_cnt;
} plan_t;

static act_t *
plan_add( plan_t * plan, act_kind_t kind ) {
  if( plan->act_cnt==PLAN_MAX ) return NULL;
  act_t * a = &plan->act[ plan->act_cnt++ ];
  memset( a, 0, sizeof(*a) );
  a->kind = kind;
  return a;
}

static void plan_stuck( plan_t * plan, char const * fmt, ... ) __attribute__(( format( printf, 2, 3 ) ));

static void
plan_stuck( plan_t * plan, char const * fmt, ... ) {
  if( plan->stuck_cnt==STUCK_MAX ) return;
  va_list ap;
  va_start( ap, fmt );
  vsnprintf( plan->stuck[ plan->stuck_cnt++ ], sizeof(plan->stuck[0]), fmt, ap );
  va_end( ap );
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
    case FD_SHMEM_FIX_HELD:
      plan_stuck( plan, "%s/.%s is sized for %zu MiB, the machine now has %zu MiB; a hugetlbfs mount holding regions "
                  "cannot be resized (once they are gone, apply again)", plan->path, type, ti->mount_sz>>20,
                  ti->want_sz>>20 );
      break;
    case FD_SHMEM_FIX_STUCK:
      if( plan->lib.refusals.type[ t ].remedy==FD_SHMEM_REMEDY_RMDIR )
        plan_stuck( plan, "%s/.%s is not mounted, and this kernel offers no %s pages to mount there (remove the "
                    "empty directory)", plan->path, type, type );
      else
        plan_stuck( plan, "%s/.%s is %s%s; apply never remounts a live domain (unmount it by hand, then apply)",
                    plan->path, type, fd_shmem_type_state_cstr( ti->state ),
                    ti->state==FD_SHMEM_TYPE_UNMOUNTED ? " and holds files" : "" );
      break;
    default: break;
    }
  }
  if( !types ) return 0;
  act_t * a = plan_add( plan, ACT_REPAIR );
  if( !a ) return 0;
  a->types = types;
  snprintf( a->what, sizeof(a->what), "%s%s%s%s%s in %s", mount[0] ? "mount " : "", mount,
            mount[0] && resize[0] ? "; " : "", resize[0] ? "resize to the machine's memory " : "", resize,
            plan->path );
  return !!mount[0];
}

static void
plan_domain( plan_t * plan ) {
  fd_shmem_domain_info_t const * info = &plan->lib.info;
  int err = plan->lib.info_err;
  if( err ) {
    plan_stuck( plan, "%s: %s%s", plan->path, err==ENOTDIR ? "a symbolic link or not a directory" : strerror( err ),
                ( err==EACCES || err==EPERM ) && geteuid() ? " (run as root)" : "" );
    return;
  }
  if( !info->exists ) {
    act_t * a = plan_add( plan, ACT_INIT );
    snprintf( a->what, sizeof(a->what), "init domain %s (mode %04lo, owner %s:%s)", plan->path, plan->conf.mode,
              plan->conf.user, plan->conf.group );
    return;
  }
  int mounted = plan_types( plan );
  int differs = mounted || owner_differs( plan );
  if( differs<0 ) { plan_stuck( plan, "cannot check the owner and mode of %s (above)", plan->path ); return; }
  if( !differs ) return;
  act_t * a = plan_add( plan, ACT_OWNER );
  if( a ) snprintf( a->what, sizeof(a->what), "set owner %s:%s and mode %04lo on %s", plan->conf.user,
                    plan->conf.group, plan->conf.mode, plan->path );
}

static void
plan_pool( plan_t * plan, size_t page_sz, size_t numa, size_t want ) {
  char const * type = fd_shmem_page_sz_to_cstr( page_sz );
  fd_shmem_pool_info_t p;
  int err = fd_shmem_pool_query( page_sz, numa, &p );
  if( err==EOPNOTSUPP ) { plan_stuck( plan, "this kernel offers no %s pages", type ); return; }
  if( err ) { plan_stuck( plan, "node %zu: cannot read its %s pool (%s)", numa, type, strerror( err ) ); return; }
  if( p.total==want ) return;
  err = fd_shmem_pool_alloc_check( page_sz, want, numa );  /* the library's own rules: in use, too large */
  if( err==EBUSY || err==E2BIG ) ctl_warnings_add_reason( err );  /* its figures and holders */
  if( err==EBUSY ) {
    plan_stuck( plan, "node %zu: %s pages in use; the pool cannot go down to %zu (now %zu)", numa, type, want,
                p.total );
    return;
  }
  if( err==E2BIG ) {
    plan_stuck( plan, "node %zu: %zu %s page%s need%s more memory than the node has", numa, want, type,
                want==1UL ? "" : "s", want==1UL ? "s" : "" );
    return;
  }
  act_t * a = plan_add( plan, ACT_POOL );
  if( !a ) return;
  a->page_sz = page_sz; a->numa = numa; a->cnt = want;
  a->grows          = want>p.total;
  a->short_gigantic = page_sz==FD_SHMEM_GIGANTIC_PAGE_SZ && a->grows;
  snprintf( a->what, sizeof(a->what), "set node %zu %s pages to %zu (now %zu)", numa, type, want, p.total );
}

/* The pool actions, in the order they run: every shrink first (what
   they free may be what a grow needs), then the grows, each in the
   order planned: gigantic pools before huge ones (largest first), as
   2 MiB pages taken first can split the only free, aligned GiB of a
   node.  Normal pages have no pool: no line asks them. */
static void
plan_pools( plan_t * plan ) {
  size_t first = plan->act_cnt;
  for( size_t i=0; i<FD_SHMEM_DOMAIN_TYPE_CNT; i++ )
    for( size_t n=0; n<fd_shmem_numa_cnt(); n++ ) {
      size_t page_sz = fd_shmem_private_page_type[ FD_SHMEM_PRIVATE_LARGEST_FIRST( i ) ].page_sz, want;
      if( ctl_conf_want( &plan->conf, page_sz, n, &want, NULL ) ) plan_pool( plan, page_sz, n, want );
    }
  for( size_t i=first+1UL; i<plan->act_cnt; i++ ) {  /* a stable insertion sort on grows */
    if( plan->act[i].grows ) continue;
    act_t shrink = plan->act[i];
    size_t j = i;
    for( ; j>first && plan->act[j-1].grows; j-- ) plan->act[j] = plan->act[j-1];
    plan->act[j] = shrink;
  }
}

static int
plan_make( ctl_t * ctl, plan_t * plan, char const * fname ) {
  memset( plan, 0, sizeof(*plan) );
  int err = ctl_conf_read( ctl, &plan->conf, fname );
  if( err || ctl_conf_empty( &plan->conf ) ) return err;  /* a file that sets nothing leaves the plan empty */
  err = plan_check_names( ctl, plan, fname );
  if( err ) return err;
  plan_domain( plan );
  plan_pools( plan );
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
  case ACT_POOL:   return fd_shmem_pool_alloc( a->page_sz, a->cnt, a->numa, NULL );
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
    ctl_put_safe( stderr, plan.stuck[i] );
    fputc( '\n', stderr );
  }
}

/* apply by a user who may not change the machine (also in a dry run):
   what it would do, then one line that says so, before anything is
   tried. */
static int
apply_needs_root( ctl_t * ctl ) {
  for( size_t i=0; i<plan.act_cnt; i++ ) printf( "would: %s\n", plan.act[i].what );
  print_not_done();
  return ctl_fail( ctl, EPERM, "%zu change%s needed: run as root (nothing was done)", plan.act_cnt,
                   plan.act_cnt==1 ? "" : "s" );
}

/* The plan for the file args names, for apply and check.  *done is set
   when the file configures nothing, which is said between before and
   after: the command has nothing more to do. */
static int
plan_for_args( ctl_t * ctl, ctl_args_t const * args, char const * before, char const * after, int * done ) {
  int err = plan_make( ctl, &plan, args->conf.path );
  *done = err || ctl_conf_empty( &plan.conf );
  if( !err && *done ) printf( "%snothing configured in %s%s\n", before, args->conf.path, after );
  return err;
}

int
ctl_cmd_apply( ctl_t * ctl, ctl_args_t const * args ) {
  char const * fname = args->conf.path;
  int done, err = plan_for_args( ctl, args, "", ": nothing to do", &done );
  if( done ) return err;
  if( !plan.act_cnt && !plan.stuck_cnt ) { printf( "nothing to do: the machine matches %s\n", fname ); return 0; }
  if( plan.act_cnt && geteuid() ) return apply_needs_root( ctl );
  size_t failed = 0;
  for( size_t i=0; i<plan.act_cnt; i++ ) {
    printf( "%s: %s\n", ctl->dry_run ? "would" : "apply", plan.act[i].what );
    fflush( stdout );
    err = ctl_real_err( act_run( &plan, &plan.act[i], ctl->dry_run ) );  /* EROFS, not the library's EIO */
    ctl_warnings_flush( ctl );  /* the library's words about this action, in order */
    if( !err ) continue;
    char remedy[ 400 ];
    plan_stuck( &plan, "%s: failed (%s)%s%s", plan.act[i].what, strerror( err ), plan.act[i].short_gigantic ? "; " : "",
                plan.act[i].short_gigantic ? gigantic_remedy( remedy, sizeof(remedy) ) : "" );
    failed++;
  }
  print_not_done();
  if( !plan.stuck_cnt ) return 0;
  return ctl_fail( ctl, failed ? EIO : EBUSY, "%zu of the file's requirements %s not met (see above)", plan.stuck_cnt,
                   plan.stuck_cnt==1 ? "is" : "are" );
}

int
ctl_cmd_check( ctl_t * ctl, ctl_args_t const * args ) {
  char const * fname = args->conf.path;
  int done, err = plan_for_args( ctl, args, "ok: ", "", &done );
  if( done ) return err;
  for( size_t i=0; i<plan.act_cnt; i++ )
    printf( "differs: %s%s%s\n", plan.act[i].what, plan.act[i].short_gigantic ? "; " : "",
            plan.act[i].short_gigantic ? GIGANTIC_REMEDY : "" );
  for( size_t i=0; i<plan.stuck_cnt; i++ ) printf( "differs: %s\n", plan.stuck[i] );
  size_t n = plan.act_cnt + plan.stuck_cnt;
  if( !n ) { printf( "ok: the machine matches %s\n", fname ); return 0; }
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
