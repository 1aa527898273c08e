/* Listing a domain's files and counting the processes that map them
   (the maps reader of sys/fd_shmem_procs.c). */

#include "fd_shmem_private.h"
#include "base/fd_shmem_errset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  fd_shmem_region_info_t info;
  dev_t                  dev;       /* the file, as /proc/PID/maps names it */
  ino_t                  ino;
  long                   last_pid;  /* the last process counted, so each counts once */
} usage_ent_t;

typedef struct {
  usage_ent_t * ent;
  size_t        cnt, max;
} usage_list_t;

static usage_ent_t *
list_push( usage_list_t * list ) {
  if( list->cnt==list->max ) {
    size_t max = list->max ? 2UL*list->max : 32UL;
    usage_ent_t * ent = realloc( list->ent, max*sizeof(*ent) );
    if( !ent ) return NULL;
    list->ent = ent;
    list->max = max;
  }
  usage_ent_t * e = &list->ent[ list->cnt++ ];
  memset( e, 0, sizeof(*e) );
  e->last_pid = -1L;
  return e;
}

static void
describe( usage_ent_t * e, char const * name, size_t page_sz, struct stat const * st ) {
  fd_shmem_region_info_t * info = &e->info;
  snprintf( info->name, sizeof(info->name), "%s", name );
  info->page_sz  = page_sz;
  info->sz       = (size_t)st->st_size;
  info->page_cnt = info->sz / page_sz;
  info->uid      = (unsigned long)st->st_uid;
  info->gid      = (unsigned long)st->st_gid;
  info->mode     = (unsigned long)( st->st_mode & 07777 );
  info->valid    = fd_shmem_name_len( name ) && S_ISREG( st->st_mode ) && info->sz && !( info->sz % page_sz );
  info->leftover = !strncmp( name, ".tmp.", 5UL ) && S_ISREG( st->st_mode );
  info->is_dir   = S_ISDIR( st->st_mode );
  e->dev         = st->st_dev;
  e->ino         = st->st_ino;
}

static int
by_name( void const * a, void const * b ) {
  return strcmp( ( (usage_ent_t const *)a )->info.name, ( (usage_ent_t const *)b )->info.name );
}

/* Appends the files of one page-type directory, sorted by name.  Only
   a directory on the file system of its page type is listed (the rule
   of region lookups); anything else holds no region. */
static int
list_type( usage_list_t * list, fd_shmem_private_domain_t const * dom, size_t t ) {
  size_t page_sz = dom->info.type[ t ].page_sz;
  if( dom->type_fd[ t ]<0 || !fd_shmem_private_fs_ok( dom->type_fd[ t ], page_sz ) ) return 0;
  int fd = openat( dom->type_fd[ t ], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC );
  DIR * d = fd<0 ? NULL : fdopendir( fd );
  if( !d ) { int err = errno; if( fd>=0 ) close( fd ); return err; }
  size_t first = list->cnt;
  int err = 0;
  struct dirent * de;
  while( !err && ( de = readdir( d ) ) ) {
    struct stat st;
    if( !strcmp( de->d_name, "." ) || !strcmp( de->d_name, ".." ) ) continue;
    if( fstatat( dirfd( d ), de->d_name, &st, AT_SYMLINK_NOFOLLOW ) ) continue;  /* gone meanwhile */
    usage_ent_t * e = list_push( list );
    if( !e ) { err = ENOMEM; break; }
    describe( e, de->d_name, page_sz, &st );
  }
  closedir( d );
  if( list->cnt>first ) qsort( list->ent+first, list->cnt-first, sizeof(usage_ent_t), by_name );
  return err;
}

typedef struct { usage_list_t * list; long pid; } maps_walk_t;

/* Maps lines are matched by device and inode: the path they show is
   the resolved one, which need not be the domain path given (a linked
   parent directory). */
static int
map_visit( void * ctx, fd_shmem_private_map_t const * map ) {
  maps_walk_t * w = ctx;
  for( size_t i=0UL; i<w->list->cnt && map->ino; i++ ) {
    usage_ent_t * e = &w->list->ent[ i ];
    if( e->last_pid==w->pid || e->ino!=(ino_t)map->ino || (unsigned long)e->dev!=map->dev ) continue;
    e->last_pid = w->pid;
    e->info.map_cnt++;
  }
  return 0;
}

static int
proc_visit( void * ctx, long pid ) {
  maps_walk_t * w = ctx;
  w->pid = pid;
  fd_shmem_private_maps_each( pid, map_visit, w );  /* exited, or not ours to read: not counted */
  return 0;
}

/* Counts, for each listed file, the processes that map it. */
static void
count_maps( usage_list_t * list ) {
  maps_walk_t w = { list, 0L };
  fd_shmem_private_procs_each( proc_visit, &w );
}

FD_SHMEM_EXPORT int
fd_shmem_domain_regions( char const * path, fd_shmem_region_func_t func, void * ctx ) {
  if( !func ) return EINVAL;
  fd_shmem_private_domain_t dom;
  int err = fd_shmem_private_domain_open( path, &dom );
  if( !err && !dom.info.exists ) err = ENOENT;
  usage_list_t list = { 0 };
  for( size_t i=0UL; i<FD_SHMEM_DOMAIN_TYPE_CNT && !err; i++ )
    err = list_type( &list, &dom, FD_SHMEM_PRIVATE_LARGEST_FIRST( i ) );
  if( !err ) count_maps( &list );
  fd_shmem_private_domain_close( &dom );
  err = FD_SHMEM_PRIVATE_ERRSET_FILTER( fd_shmem_domain_regions, err );  /* func's own returns go through as they are */
  for( size_t i=0UL; i<list.cnt && !err; i++ ) err = func( ctx, &list.ent[ i ].info );
  free( list.ent );
  return err;
}
