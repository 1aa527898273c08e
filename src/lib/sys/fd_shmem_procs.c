/* The processes of the machine, from /proc: the one walk over them and
   the one reader of their maps, which both the holder scan and the
   region listing use. */

#include "fd_shmem_sys.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

int
fd_shmem_private_procs_each( int (*fn)( void * ctx, long pid ), void * ctx ) {
  DIR * proc = fd_shmem_private_sys_opendir( "/proc" );
  if( !proc ) return errno;
  for( struct dirent * e; ( e = readdir( proc ) ); ) {
    if( !isdigit( (unsigned char)e->d_name[0] ) ) continue;
    if( fn( ctx, strtol( e->d_name, NULL, 10 ) ) ) break;
  }
  closedir( proc );
  return 0;
}

int
fd_shmem_private_maps_each( long pid, int (*fn)( void * ctx, fd_shmem_private_map_t const * map ), void * ctx ) {
  FILE * f = fd_shmem_private_sys_fopen( "/proc/%ld/maps", pid );
  if( !f ) return errno;
  char * line = NULL;
  size_t line_sz = 0UL;
  while( getline( &line, &line_sz, f )>0 ) {  /* whole lines: a long path never splits one */
    unsigned maj, min;
    unsigned long ino;
    int off = 0;
    if( sscanf( line, "%*s %*s %*s %x:%x %lu %n", &maj, &min, &ino, &off )!=3 || !off ) continue;
    line[ off+(int)strcspn( line+off, "\n" ) ] = '\0';
    fd_shmem_private_map_t map = { (unsigned long)makedev( maj, min ), ino, line+off };
    if( fn( ctx, &map ) ) break;
  }
  free( line );
  fclose( f );
  return 0;
}

char const *
fd_shmem_private_proc_comm( long pid, char * buf, size_t buf_sz ) {
  snprintf( buf, buf_sz, "?" );
  FILE * f = fd_shmem_private_sys_fopen( "/proc/%ld/comm", pid );
  if( !f ) return buf;
  if( fgets( buf, (int)buf_sz, f ) ) buf[ strcspn( buf, "\n" ) ] = '\0';
  fclose( f );
  return buf;
}
