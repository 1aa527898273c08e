/* Every code of the region calls' error sets (create, create_multi,
   update_multi, unlink, info), provoked in the scratch tree
   (errcase_tree.h): bad names, missing or odd files, files where
   directories belong, permissions (as user nobody when the test is
   root), a size beyond any machine and, for EIO, the catch-all, a path
   component longer than NAME_MAX.  Two need someone else's file or two
   nodes: errcases_region_priv, run by test_region_priv (the one that
   moves pages between nodes in a guest: tests/guest/suites.sh). */

#include "fdt.h"
#include "errcase_tree.h"
#include "errcases_region.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NORMAL FD_SHMEM_NORMAL_PAGE_SZ

static char const * under( char const * top, char const * rel ) { return errcase_tree_under( top, rel ); }
static char const * at( char const * rel ) { return under( errcase_tree_dir(), rel ); }
static char const * long_path_then( char const * tail ) { return errcase_tree_long_path_then( tail ); }
static char const * long_path( void ) { return long_path_then( "" ); }
#define HUGE_CNT ( (size_t)1<<38 )  /* a PiB of normal pages: more than any machine has */

static char const * shm( void ) { return errcase_tree_shm(); }
static char const * shm_at( char const * rel ) { return under( shm(), rel ); }

/* Region calls, in domain (fd_shmem_set_path), on normal pages. */
static int create_multi_in( char const * domain, char const * name, size_t cnt ) {
  size_t cpu = 0;
  fd_shmem_set_path( domain );
  return fd_shmem_create_multi( name, NORMAL, 1, &cnt, &cpu, 0600 );
}
static int create_in( char const * domain, char const * name, size_t cnt ) {
  fd_shmem_set_path( domain );
  return fd_shmem_create( name, NORMAL, cnt, 0, 0600 );
}
static int update_in( char const * domain, char const * name, size_t cnt ) {
  size_t cpu = 0;
  fd_shmem_set_path( domain );
  return fd_shmem_update_multi( name, NORMAL, 1, &cnt, &cpu, 0600 );
}
static int unlink_in( char const * domain, char const * name, size_t page_sz ) {
  fd_shmem_set_path( domain );
  return fd_shmem_unlink( name, page_sz );
}
static int info_in( char const * domain, char const * name ) {
  fd_shmem_set_path( domain );
  return fd_shmem_info( name, 0, NULL );
}

static int create_multi_bad_name( void ) { return create_multi_in( shm(), "bad/name", 1 ); }
static int create_multi_exists( void )   { return create_multi_in( shm(), "exists", 1 ); }
static int create_multi_missing( void )  { return create_multi_in( at( "missing" ), "r", 1 ); }
static int create_multi_not_fs( void )   { return create_multi_in( at( "pdom" ), "r", 1 ); }  /* not tmpfs */
static int create_multi_ro( void )       { return create_multi_in( shm_at( "ro" ), "r", 1 ); }
static int create_multi_too_big( void )  { return create_multi_in( shm(), "r", HUGE_CNT ); }
static int create_multi_long( void )     { return create_multi_in( long_path(), "r", 1 ); }
static int create_bad_name( void ) { return create_in( shm(), "bad/name", 1 ); }
static int create_exists( void )   { return create_in( shm(), "exists", 1 ); }
static int create_missing( void )  { return create_in( at( "missing" ), "r", 1 ); }
static int create_not_fs( void )   { return create_in( at( "pdom" ), "r", 1 ); }
static int create_ro( void )       { return create_in( shm_at( "ro" ), "r", 1 ); }
static int create_too_big( void )  { return create_in( shm(), "r", HUGE_CNT ); }
static int create_long( void )     { return create_in( long_path(), "r", 1 ); }
static int update_bad_name( void ) { return update_in( shm(), "bad/name", 1 ); }
static int update_nothere( void )  { return update_in( shm(), "nothere", 1 ); }
static int update_odd( void )      { return update_in( shm(), "odd", 1 ); }
static int update_ro( void )       { return update_in( shm(), "ro", 2 ); }
int errcase_update_too_big( void ) { return update_in( shm(), "exists", HUGE_CNT ); }
static int update_long( void )     { return update_in( long_path(), "exists", 1 ); }
static int unlink_bad_name( void ) { return unlink_in( shm(), "bad/name", 0 ); }
static int unlink_nothere( void )  { return unlink_in( shm(), "nothere", NORMAL ); }
static int unlink_odd( void )      { return unlink_in( shm(), "odd", 0 ); }
static int unlink_ro( void )       { return unlink_in( shm_at( "ro" ), "x", NORMAL ); }
static int unlink_sticky( void )   { return unlink_in( shm_at( "sdom" ), "s", NORMAL ); }
static int unlink_long( void )     { return unlink_in( long_path(), "exists", NORMAL ); }
static int info_bad_name( void )   { return info_in( shm(), "bad/name" ); }
static int info_nothere( void )    { return info_in( shm(), "nothere" ); }
static int info_odd( void )        { return info_in( shm(), "odd" ); }
static int info_hidden( void )     { return info_in( at( "adom" ), "r" ); }
static int info_long( void )       { return info_in( long_path(), "r" ); }

/* A cpu on another node than cpu 0's (0 on one node). */
static size_t
cpu_elsewhere( void ) {
  for( size_t c=0UL; c<fd_shmem_cpu_cnt(); c++ ) if( fd_shmem_numa_idx( c )!=fd_shmem_numa_idx( 0 ) ) return c;
  return 0UL;
}
static int update_moving( void ) {
  size_t cnt = 2, cpu = cpu_elsewhere();
  fd_shmem_set_path( shm() );
  return fd_shmem_update_multi( "moving", NORMAL, 1, &cnt, &cpu, 0666 );
}
/* Region "moving" on cpu 0's node, its second page mapped by another
   process: nobody (no CAP_SYS_NICE) cannot move it to another node. */
static int as_nobody_update_joined( void ) {
  int go[ 2 ], hold[ 2 ];
  fd_shmem_set_path( shm() );
  if( fd_shmem_create( "moving", NORMAL, 2, 0, 0666 ) || pipe( go ) || pipe( hold ) ) return -1;
  pid_t pid = fdt_fork();
  if( !pid ) {
    close( go[0] ); close( hold[1] );
    int    fd  = open( shm_at( ".normal/moving" ), O_RDONLY | O_CLOEXEC );
    void * mem = fd<0 ? MAP_FAILED : mmap( NULL, NORMAL, PROT_READ, MAP_SHARED, fd, (off_t)NORMAL );
    char   c   = mem!=MAP_FAILED && !*(char volatile *)mem;  /* mapped in */
    (void)!write( go[1], &c, 1 );
    (void)!read( hold[0], &c, 1 );
    _exit( 0 );
  }
  close( go[1] ); close( hold[0] );
  char c = 0;
  int err = read( go[0], &c, 1 )==1 && c ? fdt_errcase_as_nobody( update_moving ) : -1;
  close( hold[1] );  /* the other process unmaps and ends */
  waitpid( pid, NULL, 0 );
  close( go[0] );
  fd_shmem_unlink( "moving", NORMAL );
  return err;
}

static int as_nobody_create_multi( void ) { return fdt_errcase_as_nobody( create_multi_ro ); }
static int as_nobody_create( void )       { return fdt_errcase_as_nobody( create_ro ); }
static int as_nobody_update( void )       { return fdt_errcase_as_nobody( update_ro ); }
static int as_nobody_unlink( void )       { return fdt_errcase_as_nobody( unlink_ro ); }
static int as_nobody_unlink_sticky( void ) { return fdt_errcase_as_nobody( unlink_sticky ); }
static int as_nobody_info( void )         { return fdt_errcase_as_nobody( info_hidden ); }


fdt_errcase_t const errcases_region[] = {
  { "fd_shmem_create_multi",     EINVAL,  create_multi_bad_name,  0 },
  { "fd_shmem_create_multi",     EEXIST,  create_multi_exists,    0 },
  { "fd_shmem_create_multi",     ENOENT,  create_multi_missing,   0 },
  { "fd_shmem_create_multi",     EFAULT,  create_multi_not_fs,    0 },
  { "fd_shmem_create_multi",     EACCES,  as_nobody_create_multi, 0 },
  { "fd_shmem_create_multi",     ENOMEM,  create_multi_too_big,   0 },
  { "fd_shmem_create_multi",     EIO,     create_multi_long,      0 },
  { "fd_shmem_create",           EINVAL,  create_bad_name,        0 },
  { "fd_shmem_create",           EEXIST,  create_exists,          0 },
  { "fd_shmem_create",           ENOENT,  create_missing,         0 },
  { "fd_shmem_create",           EFAULT,  create_not_fs,          0 },
  { "fd_shmem_create",           EACCES,  as_nobody_create,       0 },
  { "fd_shmem_create",           ENOMEM,  create_too_big,         0 },
  { "fd_shmem_create",           EIO,     create_long,            0 },
  { "fd_shmem_update_multi",     EINVAL,  update_bad_name,        0 },
  { "fd_shmem_update_multi",     ENOENT,  update_nothere,         0 },
  { "fd_shmem_update_multi",     EFAULT,  update_odd,             0 },
  { "fd_shmem_update_multi",     EACCES,  as_nobody_update,       0 },
  { "fd_shmem_update_multi",     ENOMEM,  errcase_update_too_big, 0 },
  { "fd_shmem_update_multi",     EIO,     update_long,            0 },
  { "fd_shmem_unlink",           EINVAL,  unlink_bad_name,        0 },
  { "fd_shmem_unlink",           ENOENT,  unlink_nothere,         0 },
  { "fd_shmem_unlink",           EFAULT,  unlink_odd,             0 },
  { "fd_shmem_unlink",           EACCES,  as_nobody_unlink,       0 },
  { "fd_shmem_unlink",           EIO,     unlink_long,            0 },
  { "fd_shmem_info",             EINVAL,  info_bad_name,          0 },
  { "fd_shmem_info",             ENOENT,  info_nothere,           0 },
  { "fd_shmem_info",             EFAULT,  info_odd,               0 },
  { "fd_shmem_info",             EACCES,  as_nobody_info,         0 },
  { "fd_shmem_info",             EIO,     info_long,              0 },
};
size_t const errcases_region_cnt = sizeof(errcases_region)/sizeof(errcases_region[0]);

fdt_errcase_t const errcases_region_priv[] = {
  { "fd_shmem_update_multi",     EPERM,   as_nobody_update_joined, FDT_ERRCASE_NUMA },
  { "fd_shmem_unlink",           EPERM,   as_nobody_unlink_sticky, 1 },
};
size_t const errcases_region_priv_cnt = sizeof(errcases_region_priv)/sizeof(errcases_region_priv[0]);
