/* "apply [FILE]" and "check [FILE]": make the machine match the
   provisioning file, or tell whether it does.  Both first compute the
   same plan: the actions that would bring the machine in line, and the
   differences no action can fix right now (pages in use, page sizes the
   kernel lacks). */

#include "ctl.h"
#include "ctl_conf.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define PLAN_MAX (128)

typedef enum { ACT_INIT, ACT_OWNER, ACT_POOL } act_kind_t;

typedef struct {
  act_kind_t kind;
  size_t     page_sz, numa, cnt;
  char       what[ 4400 ];  /* room for the longest domain path */
} act_t;

typedef struct {
  ctl_conf_t conf;
  char       path[ 4001 ];
  long       uid, gid;         /* wanted owner of the tree */
  act_t      act[ PLAN_MAX ];
  size_t     act_cnt;
  char       stuck[ 32 ][ 200 ];  /* differences no action fixes now */
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

static void
plan_stuck( plan_t * plan, char const * msg ) {
  if( plan->stuck_cnt<sizeof(plan->stuck)/sizeof(plan->stuck[0]) )
    snprintf( plan->stuck[ plan->stuck_cnt++ ], sizeof(plan->stuck[0]), "%s", msg );
}

/* Reads and checks the file; resolves the owner. */
static int
plan_load( ctl_t * ctl, plan_t * plan, char const * fname ) {
  FILE * f = fopen( fname, "re" );
  if( !f ) return ctl_fail( ctl, errno, "cannot read %s: %s", fname, strerror( errno ) );
  int err = ctl_conf_parse( &plan->conf, f, fname, fd_shmem_numa_cnt() );
  fclose( f );
  if( err ) return ctl_fail( ctl, err, "%s", plan->conf.err );
  if( plan->conf.path[0] && fd_shmem_set_path( plan->conf.path ) )
    return ctl_fail( ctl, EINVAL, "%s: unusable path %s", fname, plan->conf.path );
  snprintf( plan->path, sizeof(plan->path), "%s", fd_shmem_path() );
  struct passwd * pw = plan->conf.user[0]  ? getpwnam( plan->conf.user )  : NULL;
  struct group  * gr = plan->conf.group[0] ? getgrnam( plan->conf.group ) : NULL;
  if( plan->conf.user[0] && !pw )  return ctl_fail( ctl, EINVAL, "%s: no such user \"%s\"", fname, plan->conf.user );
  if( plan->conf.group[0] && !gr ) return ctl_fail( ctl, EINVAL, "%s: no such group \"%s\"", fname, plan->conf.group );
  plan->uid = pw ? (long)pw->pw_uid : 0L;
  plan->gid = gr ? (long)gr->gr_gid : 0L;
  return 0;
}

/* 1 if dir has the wanted owner and mode. */
static int
owner_ok( plan_t const * plan, char const * dir ) {
  struct stat st;
  return !stat( dir, &st ) && (long)st.st_uid==plan->uid && (long)st.st_gid==plan->gid &&
         (unsigned long)( st.st_mode & 07777 )==plan->conf.mode;
}

/* A page type the kernel offers must be mounted with the right file
   system; apply does not remount a live domain (regions would go), so
   a broken mount is reported for the administrator. */
static void
mount_check( plan_t * plan, char const * sub, size_t page_sz ) {
  char msg[ 200 ], up[ 4110 ];
  char const * type = fd_shmem_page_sz_to_cstr( page_sz );
  fd_shmem_pool_info_t pool;
  int offered = page_sz==FD_SHMEM_NORMAL_PAGE_SZ || fd_shmem_pool_query( page_sz, 0, &pool )!=EOPNOTSUPP;
  struct stat st, parent;
  struct statfs sfs;
  snprintf( up, sizeof(up), "%s/..", sub );
  int present = !stat( sub, &st );
  if( !present ) {
    if( !offered ) return;
    snprintf( msg, sizeof(msg), "%s page directory missing (fd_shmem_ctl fini, then apply, rebuilds the domain)", type );
    plan_stuck( plan, msg );
    return;
  }
  long want = page_sz==FD_SHMEM_NORMAL_PAGE_SZ ? TMPFS_MAGIC : HUGETLBFS_MAGIC;
  int mounted = !stat( up, &parent ) && st.st_dev!=parent.st_dev && !statfs( sub, &sfs ) && (long)sfs.f_type==want;
  if( mounted ) return;
  snprintf( msg, sizeof(msg), "%s page directory is not a %s mount", type, page_sz==FD_SHMEM_NORMAL_PAGE_SZ ? "tmpfs" : "hugetlbfs" );
  plan_stuck( plan, msg );
}

static void
plan_domain( plan_t * plan ) {
  struct stat st;
  if( lstat( plan->path, &st ) ) {
    act_t * a = plan_add( plan, ACT_INIT );
    snprintf( a->what, sizeof(a->what), "init domain %s (mode %04lo, owner %s:%s)", plan->path, plan->conf.mode,
              plan->conf.user[0] ? plan->conf.user : "root", plan->conf.group[0] ? plan->conf.group : "root" );
    return;
  }
  int ok = owner_ok( plan, plan->path );
  static size_t const types[] = { FD_SHMEM_NORMAL_PAGE_SZ, FD_SHMEM_HUGE_PAGE_SZ, FD_SHMEM_GIGANTIC_PAGE_SZ };
  for( int t=0; t<3; t++ ) {
    char sub[ 4100 ];
    snprintf( sub, sizeof(sub), "%s/.%s", plan->path, fd_shmem_page_sz_to_cstr( types[t] ) );
    if( !access( sub, F_OK ) ) ok &= owner_ok( plan, sub );
    mount_check( plan, sub, types[t] );
  }
  if( ok ) return;
  act_t * a = plan_add( plan, ACT_OWNER );
  snprintf( a->what, sizeof(a->what), "set owner %s:%s and mode %04lo on %s", plan->conf.user[0] ? plan->conf.user : "root",
            plan->conf.group[0] ? plan->conf.group : "root", plan->conf.mode, plan->path );
}

static void
plan_pool( plan_t * plan, size_t page_sz, size_t numa, size_t want ) {
  char const * type = fd_shmem_page_sz_to_cstr( page_sz );
  char msg[ 200 ];
  fd_shmem_pool_info_t p;
  int err = fd_shmem_pool_query( page_sz, numa, &p );
  if( err==EOPNOTSUPP ) { snprintf( msg, sizeof(msg), "this kernel offers no %s pages", type ); plan_stuck( plan, msg ); return; }
  if( err ) { snprintf( msg, sizeof(msg), "node %zu: cannot read its %s pool (%s)", numa, type, strerror( err ) ); plan_stuck( plan, msg ); return; }
  if( p.total==want ) return;
  if( want<p.total && p.total!=p.free ) {
    snprintf( msg, sizeof(msg), "node %zu: %zu %s pages in use; the pool stays at %zu (want %zu)",
              numa, p.total-p.free, type, p.total, want );
    plan_stuck( plan, msg );
    return;
  }
  act_t * a = plan_add( plan, ACT_POOL );
  if( !a ) return;
  a->page_sz = page_sz; a->numa = numa; a->cnt = want;
  snprintf( a->what, sizeof(a->what), "set node %zu %s pages to %zu (now %zu)", numa, type, want, p.total );
}

static void
plan_pools( plan_t * plan ) {
  for( size_t i=0; i<plan->conf.pages_cnt; i++ ) {
    ctl_conf_pages_t const * r = &plan->conf.pages[i];
    if( r->numa!=CTL_CONF_ALL_NODES ) { plan_pool( plan, r->page_sz, r->numa, r->cnt ); continue; }
    for( size_t n=0; n<fd_shmem_numa_cnt(); n++ ) plan_pool( plan, r->page_sz, n, r->cnt );
  }
}

static int
plan_make( ctl_t * ctl, plan_t * plan, char const * fname ) {
  memset( plan, 0, sizeof(*plan) );
  int err = plan_load( ctl, plan, fname );
  if( err ) return err;
  plan_domain( plan );
  plan_pools( plan );
  return 0;
}

static int
chown_chmod( plan_t const * plan, char const * dir ) {
  if( access( dir, F_OK ) ) return 0;
  if( chown( dir, (uid_t)plan->uid, (gid_t)plan->gid ) || chmod( dir, (mode_t)plan->conf.mode ) ) return errno;
  return 0;
}

static int
act_run( ctl_t * ctl, plan_t const * plan, act_t const * a ) {
  size_t got = 0;
  int err = 0;
  switch( a->kind ) {
  case ACT_INIT:
    return fd_shmem_domain_init( plan->path, plan->conf.mode, plan->conf.user, plan->conf.group );
  case ACT_OWNER: {
    static char const * const types[] = { "", "/.normal", "/.huge", "/.gigantic" };
    for( int t=0; t<4 && !err; t++ ) {
      char dir[ 4100 ];
      snprintf( dir, sizeof(dir), "%s%s", plan->path, types[t] );
      err = chown_chmod( plan, dir );
    }
    return err;
  }
  case ACT_POOL:
    err = fd_shmem_pool_alloc( a->cnt, a->page_sz, a->numa, &got );
    if( err==ENOMEM )
      return ctl_fail( ctl, err, "only %zu of %zu %s pages could be reserved on node %zu (memory fragmented; try at boot or reserve fewer)",
                       got, a->cnt, fd_shmem_page_sz_to_cstr( a->page_sz ), a->numa );
    return err;
  }
  return EINVAL;
}

static plan_t plan;  /* big: kept off the stack */

int
ctl_cmd_apply( ctl_t * ctl, ctl_args_t const * args ) {
  char const * fname = args->file;
  int err = plan_make( ctl, &plan, fname );
  if( err ) return err;
  if( !plan.act_cnt && !plan.stuck_cnt ) { printf( "nothing to do: the machine matches %s\n", fname ); return 0; }
  for( size_t i=0; i<plan.act_cnt; i++ ) {
    printf( "%s: %s\n", ctl->dry_run ? "would" : "apply", plan.act[i].what );
    fflush( stdout );
    if( ctl->dry_run ) continue;
    err = act_run( ctl, &plan, &plan.act[i] );
    if( err ) return ctl->why[0] ? err : ctl_fail( ctl, err, "%s: %s", plan.act[i].what, strerror( err ) );
  }
  for( size_t i=0; i<plan.stuck_cnt; i++ ) fprintf( stderr, "fd_shmem_ctl: apply: cannot fix now: %s\n", plan.stuck[i] );
  if( plan.stuck_cnt ) return ctl_fail( ctl, EBUSY, "%zu difference%s left (see above)", plan.stuck_cnt, plan.stuck_cnt==1 ? "" : "s" );
  return 0;
}

int
ctl_cmd_check( ctl_t * ctl, ctl_args_t const * args ) {
  char const * fname = args->file;
  int err = plan_make( ctl, &plan, fname );
  if( err ) return err;
  for( size_t i=0; i<plan.act_cnt; i++ ) printf( "differs: %s\n", plan.act[i].what );
  for( size_t i=0; i<plan.stuck_cnt; i++ ) printf( "differs: %s\n", plan.stuck[i] );
  size_t n = plan.act_cnt + plan.stuck_cnt;
  if( !n ) { printf( "ok: the machine matches %s\n", fname ); return 0; }
  return ctl_fail( ctl, EAGAIN, "the machine differs from %s in %zu way%s", fname, n, n==1 ? "" : "s" );
}
