/* The domain model: the one place that says what a domain is.  A domain
   is a directory holding one directory per page type, DOMAIN/.normal,
   .huge and .gigantic, each its own mount: tmpfs for normal pages,
   hugetlbfs of that page size otherwise.  Everything below the domain
   path is opened without following a symbolic link, and every check is
   made on what was opened. */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* FD_SHMEM_TYPE_MOUNTED if sfs is the file system page_sz regions live
   on (tmpfs for normal pages, hugetlbfs of that page size otherwise),
   else what is wrong with it. */
static int
fs_state( struct statfs const * sfs, size_t page_sz ) {
  if( sfs->f_type!=fd_shmem_private_page_type_of( page_sz )->fs_magic ) return FD_SHMEM_TYPE_WRONG_FS;
  if( page_sz!=FD_SHMEM_NORMAL_PAGE_SZ && (size_t)sfs->f_bsize!=page_sz ) return FD_SHMEM_TYPE_WRONG_PAGE_SZ;
  return FD_SHMEM_TYPE_MOUNTED;
}

int
fd_shmem_private_fs_ok( int fd, size_t page_sz ) {
  struct statfs sfs;
  return !fstatfs( fd, &sfs ) && fs_state( &sfs, page_sz )==FD_SHMEM_TYPE_MOUNTED;
}

FD_SHMEM_EXPORT char const *
fd_shmem_type_state_cstr( int state ) {
  switch( state ) {
  case FD_SHMEM_TYPE_MOUNTED:       return "mounted";
  case FD_SHMEM_TYPE_MISSING:       return "missing";
  case FD_SHMEM_TYPE_UNMOUNTED:     return "not mounted";
  case FD_SHMEM_TYPE_WRONG_FS:      return "a mount of the wrong file system";
  case FD_SHMEM_TYPE_WRONG_PAGE_SZ: return "a hugetlbfs mount of the wrong page size";
  case FD_SHMEM_TYPE_SHARED:        return "a bind mount, a file system mounted elsewhere too, or stacked mounts";
  case FD_SHMEM_TYPE_NOT_DIR:       return "not a directory (a symbolic link or a file)";
  default:                          return "unknown";
  }
}

/* 1 if the mount at point (a canonical path) with device dev is a
   domain's own: the only mount of this namespace with that device (a
   bind of /dev/shm would otherwise pass as a tmpfs of our own), showing
   its file system from the root (not a bind of part of one), and the
   only mount at that point (not stacked over another).  Not when the
   mount list could not be read. */
static fd_shmem_private_mount_t const *
own_mount( fd_shmem_private_mounts_t const * ms, dev_t dev, char const * point ) {
  size_t same_dev = 0UL, same_point = 0UL;
  fd_shmem_private_mount_t const * own = NULL;
  for( size_t i=0UL; i<ms->cnt; i++ ) {
    fd_shmem_private_mount_t const * m = &ms->ent[ i ];
    same_point += !strcmp( m->point, point );
    if( m->dev==(unsigned long)dev ) { same_dev++; own = !strcmp( m->root, "/" ) ? m : NULL; }
  }
  return same_dev==1UL && same_point==1UL ? own : NULL;
}

/* 1 if something is mounted at point (a canonical path), also a bind
   mount from the same file system; fstype gets its file system (the
   last one mounted there: what is seen). */
static int
is_mount_point( fd_shmem_private_mounts_t const * ms, char const * point, char * fstype, size_t fstype_sz ) {
  int found = 0;
  for( size_t i=0UL; i<ms->cnt; i++ ) {
    if( strcmp( ms->ent[ i ].point, point ) ) continue;
    found = 1;
    snprintf( fstype, fstype_sz, "%s", ms->ent[ i ].fstype );
  }
  return found;
}

size_t
fd_shmem_private_mounts_below( char const * dir, char * first, size_t first_sz ) {
  fd_shmem_private_mounts_t ms;
  fd_shmem_private_mounts_read( &ms );  /* none if it cannot be read */
  size_t len = strlen( dir ), cnt = 0UL;
  for( size_t i=0UL; i<ms.cnt; i++ ) {
    char const * point = ms.ent[ i ].point;
    if( strncmp( point, dir, len ) || point[ len ]!='/' ) continue;
    if( !cnt++ ) snprintf( first, first_sz, "%s", point );
  }
  fd_shmem_private_mounts_free( &ms );
  return cnt;
}

/* File systems that only show the kernel's own objects: a directory
   made there is a cgroup, a trace instance, ... never a place for a
   domain (statfs f_type; a few are not in every <linux/magic.h>). */
static struct { unsigned long magic; char const * name; } const pseudo_fs[] = {
  { PROC_SUPER_MAGIC,    "proc"        }, { SYSFS_MAGIC,          "sysfs"      },
  { CGROUP_SUPER_MAGIC,  "cgroup"      }, { CGROUP2_SUPER_MAGIC,  "cgroup2"    },
  { DEBUGFS_MAGIC,       "debugfs"     }, { TRACEFS_MAGIC,        "tracefs"    },
  { SECURITYFS_MAGIC,    "securityfs"  }, { 0x62656570UL,         "configfs"   },
  { BPF_FS_MAGIC,        "bpf"         }, { PSTOREFS_MAGIC,       "pstore"     },
  { EFIVARFS_MAGIC,      "efivarfs"    }, { DEVPTS_SUPER_MAGIC,   "devpts"     },
  { 0x19800202UL,        "mqueue"      }, { 0x65735543UL,         "fusectl"    },
  { BINFMTFS_MAGIC,      "binfmt_misc" }, { HUGETLBFS_MAGIC,      "hugetlbfs"  },
  { NSFS_MAGIC,          "nsfs"        }, { SELINUX_MAGIC,        "selinuxfs"  },
  { SMACK_MAGIC,         "smackfs"     }, { RDTGROUP_SUPER_MAGIC, "resctrl"    },
};

char const *
fd_shmem_private_pseudo_fs( struct statfs const * sfs ) {
  for( size_t i=0UL; i<sizeof(pseudo_fs)/sizeof(pseudo_fs[0]); i++ )
    if( (unsigned long)(unsigned)sfs->f_type==pseudo_fs[i].magic ) return pseudo_fs[i].name;
  return NULL;
}

/* Counts the entries of directory fd other than "." and "..", those
   named in skip (NULL-ended) aside.  -1 if it cannot be read. */
static long
dir_entry_cnt( int fd, char const * const * skip ) {
  int dup_fd = openat( fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC );
  DIR * d = dup_fd<0 ? NULL : fdopendir( dup_fd );
  if( !d ) { if( dup_fd>=0 ) close( dup_fd ); return -1L; }
  long cnt = 0L;
  for( struct dirent * e; ( e = readdir( d ) ); ) {
    int skipped = !strcmp( e->d_name, "." ) || !strcmp( e->d_name, ".." );
    for( size_t i=0UL; skip && skip[i] && !skipped; i++ ) skipped = !strcmp( e->d_name, skip[i] );
    cnt += !skipped;
  }
  closedir( d );
  return cnt;
}

/* What the opened page-type directory (st, sfs) is; *own gets the
   domain's own mount there (NULL: none). */
static int
type_state( fd_shmem_private_domain_t const * dom, fd_shmem_private_mounts_t const * ms, struct stat const * st,
            struct statfs const * sfs, size_t page_sz, fd_shmem_private_mount_t const ** own ) {
  *own = NULL;
  if( (unsigned long)st->st_dev==dom->dir_dev ) return FD_SHMEM_TYPE_UNMOUNTED;
  int state = fs_state( sfs, page_sz );
  if( state!=FD_SHMEM_TYPE_MOUNTED ) return state;
  char point[ sizeof(dom->real)+16 ];
  snprintf( point, sizeof(point), "%s/%s", dom->real, fd_shmem_private_type_name( page_sz ) );
  *own = own_mount( ms, st->st_dev, point );
  return *own ? FD_SHMEM_TYPE_MOUNTED : FD_SHMEM_TYPE_SHARED;
}

/* Opens and describes page type t of the opened domain (ms: its
   namespace's mounts; view: the open's figures of the machine). */
static int
type_open( fd_shmem_private_domain_t * dom, size_t t, fd_shmem_private_mounts_t const * ms,
           fd_shmem_private_view_t * view ) {
  fd_shmem_type_info_t * ti = &dom->info.type[ t ];
  ti->offered = fd_shmem_private_kernel_has_page_sz( ti->page_sz );
  ti->state   = FD_SHMEM_TYPE_MISSING;
  char const * name = fd_shmem_private_type_name( ti->page_sz );
  int fd = openat( dom->dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC );
  if( fd<0 ) {
    int err = errno;
    struct stat lst;
    if( err==ENOENT ) return 0;
    if( err==ELOOP || err==ENOTDIR ) { ti->state = FD_SHMEM_TYPE_NOT_DIR; return 0; }
    if( !fstatat( dom->dir_fd, name, &lst, AT_SYMLINK_NOFOLLOW ) && !S_ISDIR( lst.st_mode ) ) {
      ti->state = FD_SHMEM_TYPE_NOT_DIR;  /* a FIFO or device: the open did not get to say so */
      return 0;
    }
    return err;
  }
  struct stat st;
  struct statfs sfs;
  if( fstat( fd, &st ) || fstatfs( fd, &sfs ) ) { int err = errno; close( fd ); return err; }
  dom->type_fd [ t ] = fd;
  dom->type_dev[ t ] = (unsigned long)st.st_dev;
  fd_shmem_private_mount_t const * own;
  ti->state      = type_state( dom, ms, &st, &sfs, ti->page_sz, &own );
  dom->type_reserved[ t ] = own ? fd_shmem_private_mount_min_sz( own )/ti->page_sz : 0UL;
  ti->uid        = (unsigned long)st.st_uid;
  ti->gid        = (unsigned long)st.st_gid;
  ti->mode       = (unsigned long)( st.st_mode & 07777 );
  ti->fs_page_sz = (size_t)sfs.f_bsize;
  ti->mount_sz   = (size_t)sfs.f_blocks * (size_t)sfs.f_bsize;
  ti->want_sz    = fd_shmem_private_view_mount_sz( view, ti->page_sz );
  ti->size_stale = ti->state==FD_SHMEM_TYPE_MOUNTED && ti->mount_sz && ti->mount_sz<ti->want_sz;
  ti->empty      = !dir_entry_cnt( fd, NULL );
  return 0;
}

long
fd_shmem_private_dir_entry_cnt( int fd ) {
  return dir_entry_cnt( fd, NULL );
}

int
fd_shmem_private_domain_open_for( char const * op, char const * path, fd_shmem_private_domain_t * dom ) {
  int err = fd_shmem_private_domain_open( path, dom );
  if( err==ENOTDIR ) fd_shmem_private_fail( ENOTDIR, FD_SHMEM_REASON_NOT_DOMAIN, dom->path, NULL, "%s: %s is a "
                                            "symbolic link or not a directory; name the domain itself", op, dom->path );
  return err;
}

void
fd_shmem_private_domain_close( fd_shmem_private_domain_t * dom ) {
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( dom->type_fd[ t ]>=0 ) close( dom->type_fd[ t ] );
    dom->type_fd[ t ] = -1;
  }
  if( dom->dir_fd>=0 ) close( dom->dir_fd );
  dom->dir_fd = -1;
}

/* Opens the domain directory; ms gets the mount list once it is there. */
static int
domain_open_dir( fd_shmem_private_domain_t * dom, fd_shmem_private_mounts_t * ms ) {
  dom->dir_fd = open( dom->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC );
  if( dom->dir_fd<0 ) {
    if( errno==ENOENT ) return 0;
    if( errno==ELOOP || errno==ENOTDIR ) return ENOTDIR;
    return errno;
  }
  struct stat st, up;
  struct statfs sfs;
  if( fstat( dom->dir_fd, &st ) || fstatat( dom->dir_fd, "..", &up, 0 ) || fstatfs( dom->dir_fd, &sfs ) ) return errno;
  if( !realpath( dom->path, dom->real ) ) return errno;
  fd_shmem_private_mounts_read( ms );  /* none if it cannot be read: then no mount is a domain's own */
  char fstype[ 64 ] = "";
  dom->dir_is_mount = is_mount_point( ms, dom->real, fstype, sizeof(fstype) ) || st.st_dev!=up.st_dev;
  char const * pseudo = fd_shmem_private_pseudo_fs( &sfs );
  if( pseudo )
    snprintf( dom->not_domain, sizeof(dom->not_domain), "it is on a %s file system, where no domain can live", pseudo );
  else if( dom->dir_is_mount )
    snprintf( dom->not_domain, sizeof(dom->not_domain), "it is itself a mount point%s%s%s, not a directory init made",
              fstype[0] ? " (" : "", fstype, fstype[0] ? ")" : "" );
  dom->dir_dev      = (unsigned long)st.st_dev;
  dom->info.exists = 1;
  dom->info.uid    = (unsigned long)st.st_uid;
  dom->info.gid    = (unsigned long)st.st_gid;
  dom->info.mode   = (unsigned long)( st.st_mode & 07777 );
  return 0;
}

int
fd_shmem_private_domain_open( char const * path, fd_shmem_private_domain_t * dom ) {
  memset( dom, 0, sizeof(*dom) );
  dom->dir_fd = -1;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    dom->type_fd[ t ]            = -1;
    dom->info.type[ t ].page_sz  = fd_shmem_private_page_type[ t ].page_sz;
    dom->info.type[ t ].state    = FD_SHMEM_TYPE_MISSING;
  }
  if( fd_shmem_private_domain_path( path, dom->path, sizeof(dom->path) ) ) return EINVAL;
  fd_shmem_private_mounts_t ms   = { 0 };
  fd_shmem_private_view_t   view = { 0 };  /* /proc/meminfo, read once for every page type's size */
  int err = domain_open_dir( dom, &ms );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT && !err && dom->info.exists; t++ )
    err = type_open( dom, t, &ms, &view );
  fd_shmem_private_mounts_free( &ms );
  if( !err && dom->info.exists ) {
    char const * layout[ FD_SHMEM_DOMAIN_TYPE_CNT+1 ] = { NULL };  /* the page-type directories */
    for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) layout[ t ] = fd_shmem_private_page_type[ t ].dir;
    dom->info.others = dir_entry_cnt( dom->dir_fd, layout )!=0L;
  }
  if( err ) fd_shmem_private_domain_close( dom );
  return err;
}

FD_SHMEM_EXPORT int
fd_shmem_domain_describe( char const * path, fd_shmem_domain_info_t * info ) {
  fd_shmem_private_domain_t dom;
  int err = info ? fd_shmem_private_domain_open( path, &dom ) : EINVAL;
  if( !err && dom.not_domain[0] ) {
    fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_NOT_DOMAIN, dom.path, NULL, "%s is not a domain: %s", dom.path,
                           dom.not_domain );
    fd_shmem_private_domain_close( &dom );
    err = EINVAL;
  }
  if( !err ) {
    *info = dom.info;
    fd_shmem_private_domain_close( &dom );
  }
  return FD_SHMEM_PRIVATE_ERRSET_FILTER_ON( fd_shmem_domain_describe, err, path );
}

/* ---- the rules each operation needs ---- */

/* Log why dom is not a domain for operation op (page type ti is wrong,
   or why says what is); return EINVAL. */
static int
wrong_type( fd_shmem_private_domain_t const * dom, char const * op, fd_shmem_type_info_t const * ti ) {
  fd_shmem_private_figs_t figs = { .had=(size_t)ti->state, .page_sz=ti->page_sz, .numa_idx=FD_SHMEM_IDX_NULL };
  return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_TYPE_STATE, dom->path, &figs,
                                "%s: %s is not a domain: %s/%s is %s; nothing was changed", op, dom->path, dom->path,
                                fd_shmem_private_type_name( ti->page_sz ), fd_shmem_type_state_cstr( ti->state ) );
}

static int
not_a_domain( fd_shmem_private_domain_t const * dom, char const * op, char const * why ) {
  return fd_shmem_private_fail( EINVAL, FD_SHMEM_REASON_NOT_DOMAIN, dom->path, NULL,
                                "%s: %s is not a domain: %s; nothing was changed", op, dom->path, why );
}

int
fd_shmem_private_domain_check( fd_shmem_private_domain_t const * dom, char const * op, int partial_ok ) {
  if( !dom->info.exists )
    return fd_shmem_private_fail( ENOENT, FD_SHMEM_REASON_MISSING, dom->path, NULL, "%s: no domain at %s", op,
                                  dom->path );
  if( dom->not_domain[0] ) return not_a_domain( dom, op, dom->not_domain );
  unsigned asker = partial_ok ? FD_SHMEM_OP_FINI : FD_SHMEM_OP_RESET;  /* the rule of fini, or of reset */
  fd_shmem_domain_refusals_t r;
  fd_shmem_domain_refusals( &dom->info, &r );
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ )
    if( r.type[ t ].refused_by & asker ) return wrong_type( dom, op, &dom->info.type[ t ] );
  if( r.others.refused_by & asker )
    return not_a_domain( dom, op, "it holds files beside the page-type directories" );
  if( r.bare.refused_by & asker ) return not_a_domain( dom, op, "it has no page-type directory" );
  return 0;  /* with partial_ok, also an empty directory: what an init interrupted at its start leaves */
}

/* Part made: fini would take it, and repair has a page type to mount
   (an empty directory of a size the kernel lacks is no part: repair
   cannot complete it). */
int
fd_shmem_private_domain_is_partial( fd_shmem_private_domain_t const * dom ) {
  if( !dom->info.exists || dom->not_domain[0] ) return 0;
  fd_shmem_domain_refusals_t r;
  fd_shmem_domain_refusals( &dom->info, &r );
  if( r.others.refused_by ) return 0;
  int unmade = 0;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    if( r.type[ t ].refused_by & FD_SHMEM_OP_FINI ) return 0;
    unmade |= fd_shmem_domain_type_fix( &dom->info.type[ t ] )==FD_SHMEM_FIX_MOUNT;
  }
  return unmade;
}

/* The repair rule, written once: what a page type needs, from its
   description alone. */
FD_SHMEM_EXPORT int
fd_shmem_domain_type_fix( fd_shmem_type_info_t const * ti ) {
  if( !ti ) return FD_SHMEM_FIX_NONE;
  if( ti->size_stale )  /* the kernel ignores size= on a hugetlbfs remount: only an empty one is mounted afresh */
    return ti->page_sz==FD_SHMEM_NORMAL_PAGE_SZ || ti->empty ? FD_SHMEM_FIX_RESIZE : FD_SHMEM_FIX_HELD;
  if( ti->state==FD_SHMEM_TYPE_MOUNTED || ( ti->state==FD_SHMEM_TYPE_MISSING && !ti->offered ) )
    return FD_SHMEM_FIX_NONE;
  int fixable = ti->state==FD_SHMEM_TYPE_MISSING || ( ti->state==FD_SHMEM_TYPE_UNMOUNTED && ti->empty );
  return fixable && ti->offered ? FD_SHMEM_FIX_MOUNT : FD_SHMEM_FIX_STUCK;
}

/* What a page-type directory makes each call refuse.  fini (and
   set_owner) take a domain part made: every state init, or an init
   interrupted, leaves (an empty directory not mounted, whatever the
   kernel offers: fini only removes it).  reset needs each directory
   there mounted right.  repair refuses what type_fix calls stuck: it
   never remounts a live domain, and cannot mount a size the kernel
   lacks.  A stale mount holding regions (FD_SHMEM_FIX_HELD) refuses no
   call: it is only left unresized. */
static fd_shmem_domain_refusal_t
type_refusal( fd_shmem_type_info_t const * ti ) {
  fd_shmem_domain_refusal_t r = { 0U, FD_SHMEM_REMEDY_NONE };
  if( ti->state==FD_SHMEM_TYPE_MOUNTED || ti->state==FD_SHMEM_TYPE_MISSING ) return r;
  int part = ti->state==FD_SHMEM_TYPE_UNMOUNTED && ti->empty;
  r.refused_by = FD_SHMEM_OP_RESET | ( part ? 0U : FD_SHMEM_OP_FINI ) |
                 ( fd_shmem_domain_type_fix( ti )==FD_SHMEM_FIX_STUCK ? FD_SHMEM_OP_REPAIR : 0U );
  r.remedy     = part && ti->offered                    ? FD_SHMEM_REMEDY_REPAIR :
                 part                                   ? FD_SHMEM_REMEDY_RMDIR  :
                 ti->state==FD_SHMEM_TYPE_UNMOUNTED     ? FD_SHMEM_REMEDY_EMPTY  : FD_SHMEM_REMEDY_BY_HAND;
  return r;
}

FD_SHMEM_EXPORT void
fd_shmem_domain_refusals( fd_shmem_domain_info_t const * info, fd_shmem_domain_refusals_t * out ) {
  if( !out ) return;
  memset( out, 0, sizeof(*out) );
  if( !info || !info->exists ) return;
  int present = 0;
  for( size_t t=0UL; t<FD_SHMEM_DOMAIN_TYPE_CNT; t++ ) {
    out->type[ t ] = type_refusal( &info->type[ t ] );
    present |= info->type[ t ].state!=FD_SHMEM_TYPE_MISSING;
  }
  if( !present ) out->bare = (fd_shmem_domain_refusal_t){ FD_SHMEM_OP_RESET, FD_SHMEM_REMEDY_REPAIR };
  if( info->others )  /* repair only makes a domain, or an empty directory, whole */
    out->others = (fd_shmem_domain_refusal_t){ FD_SHMEM_OP_FINI | FD_SHMEM_OP_REPAIR, FD_SHMEM_REMEDY_EMPTY };
}
