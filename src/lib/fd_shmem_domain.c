/* Domain set-up and tear-down: the mounts behind each page type. */

#include "fd_shmem_private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define TMPFS_FS_MAGIC     (0x01021994L)
#define HUGETLBFS_FS_MAGIC (0x958458f6L)
#define NO_ID              ((unsigned long)-1)
#define DOM_BUF            (FD_SHMEM_PRIVATE_PATH_MAX+1UL)  /* a domain path */
#define SUB_BUF            (DOM_BUF+16UL)                    /* ... plus "/.gigantic" */

typedef struct {
  char          path[ DOM_BUF ];
  unsigned long mode, uid, gid;
  size_t        mem_total;        /* bytes, from /proc/meminfo */
  int           made[ FD_SHMEM_PRIVATE_PAGE_TYPE_CNT ];  /* 1 dir made, 2 mounted */
} domain_plan_t;

static void
type_path( char * buf, size_t buf_sz, char const * path, size_t page_sz ) {
  snprintf( buf, buf_sz, "%s/.%s", path, fd_shmem_page_sz_to_cstr( page_sz ) );
}

/* 1 if the kernel offers pages of page_sz (normal pages always). */
static int
kernel_has_page_sz( size_t page_sz ) {
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ ) return 1;
  char dir[ 256 ];
  snprintf( dir, sizeof(dir), "%s/sys/kernel/mm/hugepages/hugepages-%zukB", fd_shmem_private_sysroot(), page_sz>>10 );
  return !access( dir, F_OK );
}

static size_t
mem_total_bytes( void ) {
  char path[ 256 ];
  snprintf( path, sizeof(path), "%s/proc/meminfo", fd_shmem_private_sysroot() );
  FILE * f = fopen( path, "re" );
  size_t kb = 0UL;
  char line[ 256 ];
  while( f && fgets( line, sizeof(line), f ) ) if( sscanf( line, "MemTotal: %zu kB", &kb )==1 ) break;
  if( f ) fclose( f );
  return kb<<10;
}

/* Resolves a user or group name ("" or NULL: unchanged).  Returns 0 or
   EINVAL (unknown). */
static int
resolve_id( char const * name, int is_group, unsigned long * id ) {
  *id = NO_ID;
  if( !name || !name[0] ) return 0;
  char buf[ 4096 ];
  if( is_group ) {
    struct group gr, * res = NULL;
    if( getgrnam_r( name, &gr, buf, sizeof(buf), &res ) || !res ) return EINVAL;
    *id = (unsigned long)res->gr_gid;
  } else {
    struct passwd pw, * res = NULL;
    if( getpwnam_r( name, &pw, buf, sizeof(buf), &res ) || !res ) return EINVAL;
    *id = (unsigned long)res->pw_uid;
  }
  return 0;
}

static int
plan_init( domain_plan_t * plan, char const * path, unsigned long mode, char const * user, char const * group ) {
  memset( plan, 0, sizeof(*plan) );
  if( fd_shmem_private_domain_path( path, plan->path, DOM_BUF ) ) {
    FD_SHMEM_LOG_WARN( "init: bad domain path (an absolute path is needed)" );
    return EINVAL;
  }
  if( mode>07777UL ) { FD_SHMEM_LOG_WARN( "init: bad mode %lo", mode ); return EINVAL; }
  plan->mode = mode;
  if( resolve_id( user, 0, &plan->uid ) )  { FD_SHMEM_LOG_WARN( "init: no such user \"%s\"", user );   return EINVAL; }
  if( resolve_id( group, 1, &plan->gid ) ) { FD_SHMEM_LOG_WARN( "init: no such group \"%s\"", group ); return EINVAL; }
  plan->mem_total = mem_total_bytes();
  struct stat st;
  if( !lstat( plan->path, &st ) ) { FD_SHMEM_LOG_WARN( "init: %s already exists", plan->path ); return EEXIST; }
  return 0;
}

/* Makes and mounts one page type.  Returns 0 or an errno (logged). */
static int
mount_type( domain_plan_t * plan, size_t i ) {
  size_t page_sz = fd_shmem_private_page_sz_desc[ i ];
  char sub[ SUB_BUF ], opts[ 128 ];
  type_path( sub, sizeof(sub), plan->path, page_sz );
  if( !kernel_has_page_sz( page_sz ) ) {
    FD_SHMEM_LOG_NOTE( "init: the kernel offers no %s pages; skipping %s", fd_shmem_page_sz_to_cstr( page_sz ), sub );
    return 0;
  }
  if( mkdir( sub, 0700 ) ) { int err = errno; FD_SHMEM_LOG_WARN( "init: mkdir %s: %s", sub, strerror( err ) ); return err; }
  plan->made[ i ] = 1;
  size_t sz = plan->mem_total - plan->mem_total % page_sz;
  if( page_sz==FD_SHMEM_NORMAL_PAGE_SZ ) snprintf( opts, sizeof(opts), "mode=0700,size=%zu", sz );
  else snprintf( opts, sizeof(opts), "mode=0700,pagesize=%zu,size=%zu", page_sz, sz );
  char const * fstype = page_sz==FD_SHMEM_NORMAL_PAGE_SZ ? "tmpfs" : "hugetlbfs";
  if( mount( "fd_shmem", sub, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, opts ) ) {
    int err = errno;
    FD_SHMEM_LOG_WARN( "init: mount %s on %s: %s", fstype, sub, strerror( err ) );
    return err;
  }
  plan->made[ i ] = 2;
  return 0;
}

static int
own_and_mode( char const * p, domain_plan_t const * plan ) {
  if( chown( p, (uid_t)plan->uid, (gid_t)plan->gid ) || chmod( p, (mode_t)plan->mode ) ) {
    int err = errno;
    FD_SHMEM_LOG_WARN( "init: chown/chmod %s: %s", p, strerror( err ) );
    return err;
  }
  return 0;
}

static void
rollback( domain_plan_t const * plan ) {
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_PAGE_TYPE_CNT; i++ ) {
    char sub[ SUB_BUF ];
    type_path( sub, sizeof(sub), plan->path, fd_shmem_private_page_sz_desc[ i ] );
    if( plan->made[ i ]==2 ) umount2( sub, MNT_DETACH );
    if( plan->made[ i ] ) rmdir( sub );
  }
  rmdir( plan->path );
}

FD_SHMEM_EXPORT int
fd_shmem_domain_init( char const * path, unsigned long mode, char const * user, char const * group ) {
  domain_plan_t plan;
  int err = plan_init( &plan, path, mode, user, group );
  if( err ) return err;
  if( mkdir( plan.path, 0700 ) ) {
    err = errno;
    FD_SHMEM_LOG_WARN( "init: mkdir %s: %s", plan.path, strerror( err ) );
    return err;
  }
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_PAGE_TYPE_CNT && !err; i++ ) err = mount_type( &plan, i );
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_PAGE_TYPE_CNT && !err; i++ ) {
    if( plan.made[ i ]!=2 ) continue;
    char sub[ SUB_BUF ];
    type_path( sub, sizeof(sub), plan.path, fd_shmem_private_page_sz_desc[ i ] );
    err = own_and_mode( sub, &plan );
  }
  if( !err ) err = own_and_mode( plan.path, &plan );
  if( err ) rollback( &plan );
  return err;
}

/* ---- fini ---- */

/* 1 if dir is the root of a mount of the file system expected for
   page_sz (its device differs from its parent's and the type matches). */
static int
is_type_mount( char const * dir, size_t page_sz ) {
  struct stat st, parent;
  struct statfs sfs;
  char up[ SUB_BUF+4UL ];
  snprintf( up, sizeof(up), "%s/..", dir );
  if( lstat( dir, &st ) || stat( up, &parent ) || statfs( dir, &sfs ) ) return 0;
  long want = page_sz==FD_SHMEM_NORMAL_PAGE_SZ ? TMPFS_FS_MAGIC : HUGETLBFS_FS_MAGIC;
  return S_ISDIR( st.st_mode ) && st.st_dev!=parent.st_dev && (long)sfs.f_type==want &&
         ( page_sz==FD_SHMEM_NORMAL_PAGE_SZ || (size_t)sfs.f_bsize==page_sz );
}

/* Checks that path is a domain: every page-type directory present is its
   mount, and there is at least one.  Returns the number of them, or 0. */
static size_t
domain_type_cnt( char const * path ) {
  size_t cnt = 0UL;
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_PAGE_TYPE_CNT; i++ ) {
    char sub[ SUB_BUF ];
    size_t page_sz = fd_shmem_private_page_sz_desc[ i ];
    type_path( sub, sizeof(sub), path, page_sz );
    if( access( sub, F_OK ) ) continue;
    if( !is_type_mount( sub, page_sz ) ) {
      FD_SHMEM_LOG_WARN( "%s is not a domain: %s is not a %s mount", path, sub,
                         page_sz==FD_SHMEM_NORMAL_PAGE_SZ ? "tmpfs" : "hugetlbfs" );
      return 0UL;
    }
    cnt++;
  }
  if( !cnt ) FD_SHMEM_LOG_WARN( "%s is not a domain (no page-type mounts)", path );
  return cnt;
}

static int
log_in_use( void * ctx, fd_shmem_region_info_t const * info ) {
  size_t * busy = ctx;
  if( !info->map_cnt ) return 0;
  FD_SHMEM_LOG_WARN( "region %s (%s pages) is mapped by %zu process%s", info->name,
                     fd_shmem_page_sz_to_cstr( info->page_sz ), info->map_cnt, info->map_cnt==1UL ? "" : "es" );
  (*busy)++;
  return 0;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_fini( char const * path ) {
  char dom[ DOM_BUF ];
  if( fd_shmem_private_domain_path( path, dom, DOM_BUF ) ) return EINVAL;
  struct stat st;
  if( lstat( dom, &st ) ) { int err = errno; FD_SHMEM_LOG_WARN( "fini: %s: %s", dom, strerror( err ) ); return err; }
  if( !domain_type_cnt( dom ) ) return EINVAL;
  size_t busy = 0UL;
  int err = fd_shmem_domain_regions( dom, log_in_use, &busy );
  if( err ) return err;
  if( busy ) return EBUSY;
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_PAGE_TYPE_CNT; i++ ) {
    char sub[ SUB_BUF ];
    type_path( sub, sizeof(sub), dom, fd_shmem_private_page_sz_desc[ i ] );
    if( access( sub, F_OK ) ) continue;
    if( umount( sub ) || rmdir( sub ) ) {
      err = errno;
      FD_SHMEM_LOG_WARN( "fini: cannot remove %s: %s", sub, strerror( err ) );
      return err;
    }
  }
  if( rmdir( dom ) ) { err = errno; FD_SHMEM_LOG_WARN( "fini: rmdir %s: %s", dom, strerror( err ) ); }
  return err;
}

/* ---- reset ---- */

static int
reset_type( char const * sub ) {
  DIR * d = opendir( sub );
  if( !d ) return errno==ENOENT ? 0 : errno;
  int err = 0;
  struct dirent * e;
  while( ( e = readdir( d ) ) ) {
    if( e->d_type==DT_DIR ) continue;  /* ".", ".." and anything else that is no region file */
    if( unlinkat( dirfd( d ), e->d_name, 0 ) && !err ) {
      err = errno;
      FD_SHMEM_LOG_WARN( "reset: cannot remove %s/%s: %s", sub, e->d_name, strerror( err ) );
    }
  }
  closedir( d );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_reset( char const * path ) {
  char dom[ DOM_BUF ];
  if( fd_shmem_private_domain_path( path, dom, DOM_BUF ) ) return EINVAL;
  struct stat st;
  if( stat( dom, &st ) ) { int err = errno; FD_SHMEM_LOG_WARN( "reset: %s: %s", dom, strerror( err ) ); return err; }
  int err = 0;
  for( size_t i=0UL; i<FD_SHMEM_PRIVATE_PAGE_TYPE_CNT; i++ ) {
    char sub[ SUB_BUF ];
    type_path( sub, sizeof(sub), dom, fd_shmem_private_page_sz_desc[ i ] );
    int e = reset_type( sub );
    if( e && !err ) err = e;
  }
  return err;
}
