/* Memory figures of the machine and of each node, each file read with
   one open and one read(2) and every key taken in one pass, and the
   sysfs directory of a hugepage pool, built here alone.  A call that
   needs figures keeps them in a view on its stack, so it reads each
   file once (fd_shmem_private_view_t); nothing is kept across calls:
   the figures change, and the checks exist to see that. */

#include "fd_shmem_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MEMINFO_BUF (8192)  /* /proc/meminfo is about 1.6 KiB, a node's about 1.2 KiB */

/* The keys taken, and where each goes. */
static struct { char const * key; size_t off; } const mem_keys[] = {
  { "MemTotal",       offsetof( fd_shmem_private_mem_t, total         ) },
  { "MemFree",        offsetof( fd_shmem_private_mem_t, free          ) },
  { "MemAvailable",   offsetof( fd_shmem_private_mem_t, available     ) },
  { "Active(file)",   offsetof( fd_shmem_private_mem_t, active_file   ) },
  { "Inactive(file)", offsetof( fd_shmem_private_mem_t, inactive_file ) },
  { "SReclaimable",   offsetof( fd_shmem_private_mem_t, sreclaimable  ) },
};

/* Reads all of path (up to buf_sz-1 bytes) into buf, NUL-terminated.
   Returns 0 or an errno value.  A read shorter than asked ends it: the
   kernel's meminfo and sysfs files give all they have at once, so this
   spares the read that would only see the end of the file. */
static int
read_all( char const * path, char * buf, size_t buf_sz ) {
  int fd = open( path, O_RDONLY | O_CLOEXEC );
  if( fd<0 ) return errno;
  size_t len = 0UL;
  int    err = 0;
  while( len<buf_sz-1UL ) {
    size_t  want = buf_sz-1UL-len;
    ssize_t n    = read( fd, buf+len, want );
    if( n<0 && errno==EINTR ) continue;
    if( n<0 ) err = errno;
    if( n<=0 ) break;
    len += (size_t)n;
    if( (size_t)n<want ) break;
  }
  close( fd );
  buf[ len ] = '\0';
  return err;
}

/* Takes each line "KEY: N kB" (a node's lines start "Node K ") of text
   whose KEY is in mem_keys into m, in bytes. */
static void
parse_meminfo( char * text, fd_shmem_private_mem_t * m ) {
  for( char * line=text; line && *line; ) {
    char * end   = strchr( line, '\n' );
    char * colon = strchr( line, ':' );
    if( end ) *end = '\0';
    if( colon ) {
      *colon = '\0';
      char const * key = strrchr( line, ' ' );
      key = key ? key+1 : line;
      for( size_t i=0UL; i<sizeof(mem_keys)/sizeof(mem_keys[0]); i++ )
        if( !strcmp( key, mem_keys[i].key ) ) {
          *(size_t *)( (char *)m + mem_keys[i].off ) = (size_t)strtoull( colon+1, NULL, 10 ) << 10;
          break;
        }
    }
    line = end ? end+1 : NULL;
  }
}

int
fd_shmem_private_mem_read( size_t numa_idx, fd_shmem_private_mem_t * m ) {
  char path[ 256 ], text[ MEMINFO_BUF ];
  char const * root = fd_shmem_private_sysroot();
  if( numa_idx==FD_SHMEM_PRIVATE_ALL_NODES ) snprintf( path, sizeof(path), "%s/proc/meminfo", root );
  else snprintf( path, sizeof(path), "%s/sys/devices/system/node/node%zu/meminfo", root, numa_idx );
  for( size_t i=0UL; i<sizeof(mem_keys)/sizeof(mem_keys[0]); i++ )
    *(size_t *)( (char *)m + mem_keys[i].off ) = FD_SHMEM_PRIVATE_NO_FIGURE;
  int err = read_all( path, text, sizeof(text) );
  if( err ) return err==ENOENT ? ENODEV : err;
  parse_meminfo( text, m );
  return 0;
}

int
fd_shmem_private_view_mem( fd_shmem_private_view_t * v, size_t numa_idx, fd_shmem_private_mem_t const ** out ) {
  fd_shmem_private_view_mem_t * slot = NULL;
  if( numa_idx==FD_SHMEM_PRIVATE_ALL_NODES ) slot = &v->machine;
  for( size_t i=0UL; !slot && i<v->node_cnt; i++ ) if( v->node_idx[i]==numa_idx ) slot = &v->node[i];
  if( !slot && v->node_cnt<FD_SHMEM_PRIVATE_VIEW_NODES ) {
    v->node_idx[ v->node_cnt ] = numa_idx;
    slot = &v->node[ v->node_cnt++ ];
  }
  if( !slot ) {  /* more nodes than the view holds: the spare slot, read every time */
    slot = &v->spare;
    slot->read = 0;
  }
  if( !slot->read ) {
    slot->err  = fd_shmem_private_mem_read( numa_idx, &slot->mem );
    slot->read = 1;
  }
  *out = &slot->mem;
  return slot->err;
}

int
fd_shmem_private_hugepage_dir( size_t page_sz, size_t numa_idx, char * buf, size_t buf_sz ) {
  char const * name = fd_shmem_private_pool_dir_name( page_sz );
  if( !name ) return EINVAL; /* normal pages, or no page size: no pool */
  char const * root = fd_shmem_private_sysroot();
  int n;
  if( numa_idx==FD_SHMEM_PRIVATE_ALL_NODES )
    n = snprintf( buf, buf_sz, "%s/sys/kernel/mm/hugepages/%s", root, name );
  else
    n = snprintf( buf, buf_sz, "%s/sys/devices/system/node/node%zu/hugepages/%s", root, numa_idx, name );
  return n<0 || (size_t)n>=buf_sz ? ENAMETOOLONG : 0;
}

int
fd_shmem_private_hugepage_figure( size_t page_sz, size_t numa_idx, char const * field, size_t * v ) {
  char path[ 320 ], text[ 32 ];
  int err = fd_shmem_private_hugepage_dir( page_sz, numa_idx, path, sizeof(path)-64UL );
  if( err ) return err;
  strncat( path, "/", 2 );
  strncat( path, field, 62 );
  err = read_all( path, text, sizeof(text) );
  if( err ) return err;
  char * end;
  errno = 0;
  unsigned long long n = strtoull( text, &end, 10 );
  if( end==text || errno ) return EIO;
  *v = (size_t)n;
  return 0;
}

int
fd_shmem_private_hugepage_unclaimed( size_t page_sz, size_t * v ) {
  size_t free_, resv = 0UL;
  int err = fd_shmem_private_hugepage_figure( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, "free_hugepages", &free_ );
  if( err ) return err;
  if( fd_shmem_private_hugepage_figure( page_sz, FD_SHMEM_PRIVATE_ALL_NODES, "resv_hugepages", &resv ) ) resv = 0UL;
  *v = free_>resv ? free_-resv : 0UL;
  return 0;
}
