/* Regions as root (privileged: root and FDSHMEM_TEST_PRIVILEGED=1, else
   the whole program is skipped), in two rounds, each in its own domain
   with a hugetlbfs mount and its own number of free 2 MiB pages:
   - safety: sizes checked against the machine before anything is
     allocated, a creator killed mid-create pins nothing, a failed update
     changes nothing, and creating needs no locked-memory allowance;
   - huge: hugepage-backed regions, the same name under two page types, a small mount, the memlock limit, placement kept
     through compaction; and the codes of the region error sets that
     need someone else's file or two NUMA nodes (errcases_region.h).
   Everything borrowed from the machine is given back on every path. */

#include "fdt.h"
#include "errcase_tree.h"
#include "errcases_region.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>
#include <fcntl.h>
#include <fdshmem/fd_shmem.h>
#include <mntent.h>
#include <numaif.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NORMAL     FD_SHMEM_NORMAL_PAGE_SZ
#define HUGE       FD_SHMEM_HUGE_PAGE_SZ
#define FREE_PAGES 10  /* free 2 MiB pages in the safety round */
#define SMALL_FREE 4   /* in the huge round */

static fdt_domain_t domain;

/* ======== the safety round ======== */

static long
meminfo_kb( char const * key ) {
  FILE * f = fopen( "/proc/meminfo", "r" );
  ck_assert_ptr_nonnull( f );
  char line[ 256 ];
  long v = -1L;
  size_t len = strlen( key );
  while( fgets( line, sizeof(line), f ) )
    if( !strncmp( line, key, len ) && line[len]==':' ) v = strtol( line+len+1, NULL, 10 );
  fclose( f );
  return v;
}

/* ---- 2. sizes checked against the machine ---- */

/* A temporary memory cgroup made by main (so it goes even when a test
   fails or times out): "" when none could be had, and then why. */
static char cgroup[ 256 ];
static char cgroup_why[ 1024 ];
static char memory_enabled_in[ 512 ];  /* the subtree_control cgroup_make wrote +memory to, "" if none */

static int
write_str( char const * path, char const * s ) {
  FILE * f = fopen( path, "w" );
  if( !f ) return -1;
  int bad = fputs( s, f )<0;
  bad |= fclose( f );
  return bad ? -1 : 0;
}

/* 1 if the whitespace-separated list in file dir/name holds word. */
static int
file_has_word( char const * dir, char const * name, char const * word ) {
  char path[ 512 ], w[ 64 ];
  snprintf( path, sizeof(path), "%s/%s", dir, name );
  FILE * f = fopen( path, "r" );
  if( !f ) return 0;
  int found = 0;
  while( !found && fscanf( f, "%63s", w )==1 ) found = !strcmp( w, word );
  fclose( f );
  return found;
}

/* The mount point of the cgroup v2 hierarchy ("2") or of the v1 memory
   controller ("1") into dir, or "" if /proc/self/mounts has none. */
static void
cgroup_mount( char const * version, char * dir, size_t dir_sz ) {
  dir[0] = '\0';
  FILE * f = setmntent( "/proc/self/mounts", "r" );
  if( !f ) return;
  for( struct mntent * m; !dir[0] && ( m = getmntent( f ) ); ) {
    if( !strcmp( version, "2" ) ? !strcmp( m->mnt_type, "cgroup2" )
                                : !strcmp( m->mnt_type, "cgroup" ) && hasmntopt( m, "memory" ) )
      snprintf( dir, dir_sz, "%s", m->mnt_dir );
  }
  endmntent( f );
}

/* Takes back the +memory cgroup_make wrote, if it did. */
static void
memory_undo( void ) {
  if( memory_enabled_in[0] ) (void)write_str( memory_enabled_in, "-memory" );
  memory_enabled_in[0] = '\0';
}

/* Removes cgroup: kills what is left in it (a child of a test that
   timed out), waits until it is empty (that takes a moment), undoes
   +memory if cgroup_make wrote it. */
static void
cgroup_remove( void ) {
  if( !cgroup[0] ) return;
  char path[ 512 ];
  snprintf( path, sizeof(path), "%s/cgroup.procs", cgroup );
  for( int i=0; i<500 && rmdir( cgroup ) && errno==EBUSY; i++ ) {
    FILE * f = fopen( path, "r" );
    for( long pid; f && fscanf( f, "%ld", &pid )==1; ) kill( (pid_t)pid, SIGKILL );
    if( f ) fclose( f );
    usleep( 10000 );
  }
  cgroup[0] = '\0';
  memory_undo();
}

/* Makes cgroup, limited to 256 MiB (and no swap where v2 can say so),
   so a create that faulted in its pages gets OOM-killed, not the
   machine.  cgroup v2 where its memory controller is, else v1.  The v2
   cgroup is a child of the hierarchy's root: the test runs as root, and
   the cgroup it runs in (a systemd session or service) holds processes,
   so it can have no child with a controller of its own. */
static void
cgroup_make( void ) {
  char v2[ 128 ], v1[ 128 ], path[ 512 ];
  cgroup_mount( "2", v2, sizeof(v2) );
  cgroup_mount( "1", v1, sizeof(v1) );
  char const * limit_file;
  if( v2[0] && file_has_word( v2, "cgroup.controllers", "memory" ) ) {
    if( !file_has_word( v2, "cgroup.subtree_control", "memory" ) ) {
      snprintf( path, sizeof(path), "%s/cgroup.subtree_control", v2 );
      if( write_str( path, "+memory" ) ) {
        snprintf( cgroup_why, sizeof(cgroup_why), "cannot enable memory in %s: %s", path, strerror( errno ) );
        return;
      }
      snprintf( memory_enabled_in, sizeof(memory_enabled_in), "%s", path );
    }
    snprintf( cgroup, sizeof(cgroup), "%s/fdshmem-test-XXXXXX", v2 );
    limit_file = "memory.max";
  } else if( v1[0] ) {
    snprintf( cgroup, sizeof(cgroup), "%s/fdshmem-test-XXXXXX", v1 );
    limit_file = "memory.limit_in_bytes";
  } else {
    snprintf( cgroup_why, sizeof(cgroup_why), "no memory cgroup: %s",
              v2[0] ? "cgroup v2 has no memory controller and no cgroup v1 memory is mounted"
                    : "neither cgroup v2 nor the cgroup v1 memory controller is mounted" );
    return;
  }
  if( !mkdtemp( cgroup ) ) {
    snprintf( cgroup_why, sizeof(cgroup_why), "cannot make a cgroup like %s: %s", cgroup, strerror( errno ) );
    cgroup[0] = '\0';
    memory_undo();
    return;
  }
  snprintf( path, sizeof(path), "%s/%s", cgroup, limit_file );
  int bad = write_str( path, "268435456" );
  if( !bad && !strcmp( limit_file, "memory.max" ) ) {
    snprintf( path, sizeof(path), "%s/memory.swap.max", cgroup );
    if( !access( path, F_OK ) ) bad = write_str( path, "0" );
  }
  if( bad ) {
    snprintf( cgroup_why, sizeof(cgroup_why), "cannot write %s: %s", path, strerror( errno ) );
    cgroup_remove();
  }
}

/* Moves pid into cgroup.  Returns 0 or -1. */
static int
cgroup_enter( pid_t pid ) {
  char path[ 512 ], num[ 32 ];
  snprintf( path, sizeof(path), "%s/cgroup.procs", cgroup );
  snprintf( num, sizeof(num), "%ld\n", (long)pid );
  return write_str( path, num );
}

/* In the child: creates 2x the machine's memory of normal pages in the
   current domain, for real and as a dry run.  Returns a step number. */
static int
create_twice_memory( char const * want_in_warning ) {
  size_t cnt = (size_t)meminfo_kb( "MemTotal" )/2UL;  /* 2x memory in 4 KiB pages */
  fdt_log_start();
  if( fd_shmem_create( "double", NORMAL, cnt, 0, 0600 )!=ENOMEM ) return 1;
  if( !strstr( fdt_logged(), "create double: needs " ) || !strstr( fdt_logged(), " GiB of normal pages; the .normal mount has " ) ||
      !strstr( fdt_logged(), want_in_warning ) || !strstr( fdt_logged(), " GiB available" ) ) return 2;
  if( fd_shmem_info( "double", 0, NULL )!=ENOENT ) return 3;
  fd_shmem_set_dry_run( 1 );
  int err = fd_shmem_create( "double", NORMAL, cnt, 0, 0600 );
  fd_shmem_set_dry_run( 0 );
  return err==ENOMEM ? 0 : 4;
}

/* Runs create_twice_memory in a child inside a small memory cgroup.
   Returns 0, or 1 with the failure written into why (no ck_assert, so
   the caller can undo its setup first). */
static int
oversized_in_cgroup( char const * want_in_warning, char * why, size_t why_sz ) {
  int go[ 2 ];
  if( pipe( go ) ) { snprintf( why, why_sz, "pipe: %s", strerror( errno ) ); return 1; }
  long avail_before = meminfo_kb( "MemAvailable" );
  pid_t pid = fdt_fork();
  if( !pid ) {
    char c;
    close( go[1] );
    if( read( go[0], &c, 1 )!=1 ) _exit( 9 );  /* wait until in the cgroup */
    _exit( create_twice_memory( want_in_warning ) );
  }
  close( go[0] );
  int entered = cgroup_enter( pid );
  int enter_errno = errno;
  if( entered ) kill( pid, SIGKILL );  /* never run it outside the cgroup */
  (void)!write( go[1], "g", 1 );
  close( go[1] );
  int status;
  waitpid( pid, &status, 0 );
  long avail_after = meminfo_kb( "MemAvailable" );
  if( entered ) snprintf( why, why_sz, "cannot move the child into %s: %s", cgroup, strerror( enter_errno ) );
  else if( WIFSIGNALED( status ) ) snprintf( why, why_sz, "create killed by signal %d (OOM in its cgroup?)", WTERMSIG( status ) );
  else if( !WIFEXITED( status ) || WEXITSTATUS( status ) ) snprintf( why, why_sz, "oversized create: failed at step %d", WEXITSTATUS( status ) );
  else if( labs( avail_after-avail_before )>=(1L<<20) ) snprintf( why, why_sz, "MemAvailable %ld kB -> %ld kB", avail_before, avail_after );
  else return 0;
  return 1;
}

/* Larger than the .normal tmpfs mount (half of memory by default). */
START_TEST( normal_beyond_mount ) {
  char why[ 512 ];
  ck_assert_msg( !oversized_in_cgroup( " free and the machine ", why, sizeof(why) ), "%s", why );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 0 );  /* no name, no temporary file */
}
END_TEST

/* A mount with room for 4x memory: MemAvailable is what refuses. */
START_TEST( normal_beyond_memory ) {
  char path[] = "/tmp/fdshmem-bigmount.XXXXXX", sub[ 300 ], opts[ 64 ];
  ck_assert_ptr_nonnull( mkdtemp( path ) );
  snprintf( sub, sizeof(sub), "%s/.normal", path );
  snprintf( opts, sizeof(opts), "size=%ldk,mode=0700", 4L*meminfo_kb( "MemTotal" ) );
  int made = !mkdir( sub, 0700 ) && !mount( "fdshmem-test", sub, "tmpfs", MS_NOSUID | MS_NODEV, opts );
  fdt_domain_t big = { .path = "" };
  snprintf( big.path, sizeof(big.path), "%s", path );
  int entries = -1, failed = 0;
  char why[ 512 ] = "";
  if( made && !fd_shmem_set_path( path ) ) {
    failed  = oversized_in_cgroup( " free and the machine ", why, sizeof(why) );
    entries = fdt_domain_entry_cnt( &big, "normal" );
  }
  fd_shmem_set_path( domain.path );
  umount2( sub, MNT_DETACH );
  rmdir( sub );
  rmdir( path );
  ck_assert_msg( made, "could not mount a large tmpfs" );
  ck_assert_msg( !failed, "%s", why );
  ck_assert_int_eq( entries, 0 );
}
END_TEST

/* More huge pages than the node has free: refused before any file. */
START_TEST( huge_beyond_node ) {
  fdt_log_start();
  ck_assert_int_eq( fd_shmem_create( "toomany", HUGE, FREE_PAGES+1, 0, 0600 ), ENOMEM );
  fd_shmem_set_log_func( NULL, NULL );
  char want[ 128 ];
  snprintf( want, sizeof(want), "create toomany: needs %d huge pages on node %zu, %d free",
            FREE_PAGES+1, fd_shmem_numa_idx( 0 ), FREE_PAGES );
  ck_assert_msg( strstr( fdt_logged(), want ), "warning \"%s\", wanted \"%s\"", fdt_logged(), want );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "huge" ), 0 );
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), FREE_PAGES );
}
END_TEST

/* Pages promised to a mapping not yet touched still count as free in
   the pool; the check leaves them to their mapping. */
START_TEST( huge_reserved_pages_are_taken ) {
  char dir[ 300 ];
  snprintf( dir, sizeof(dir), "%s/.huge", domain.path );
  int fd = open( dir, O_TMPFILE | O_RDWR, 0600 );
  ck_assert_int_ge( fd, 0 );
  ck_assert_int_eq( ftruncate( fd, 3*(off_t)HUGE ), 0 );
  void * resv = mmap( NULL, 3*HUGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0 );  /* reserves 3 */
  ck_assert_ptr_ne( resv, MAP_FAILED );
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), FREE_PAGES );
  fdt_log_start();
  int err_over = fd_shmem_create( "over", HUGE, FREE_PAGES-2, 0, 0600 );
  int err_fit  = fd_shmem_create( "fit",  HUGE, FREE_PAGES-3, 0, 0600 );
  fd_shmem_set_log_func( NULL, NULL );
  fd_shmem_unlink( "fit", HUGE );
  munmap( resv, 3*HUGE );
  close( fd );
  ck_assert_int_eq( err_over, ENOMEM );
  ck_assert_msg( strstr( fdt_logged(), "needs 8 huge pages on node" ) && strstr( fdt_logged(), ", 7 free" ), "%s", fdt_logged() );
  ck_assert_int_eq( err_fit, 0 );
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), FREE_PAGES );
}
END_TEST

/* ---- 3. a creator killed mid-create ---- */

/* Traces child pid (stopped, PTRACE_TRACEME) system call by system
   call and kills it at the first munmap or move_pages entered once
   page_cnt pages of the pool are taken: its pages are placed, its
   region not yet published.  Returns 1 if it was killed there. */
static int
kill_mid_create( pid_t pid, long free_before, long page_cnt ) {
  int status;
  if( waitpid( pid, &status, 0 )!=pid || !WIFSTOPPED( status ) ) return 0;
  ptrace( PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL );
  for( ;; ) {
    if( ptrace( PTRACE_SYSCALL, pid, 0, 0 ) || waitpid( pid, &status, 0 )!=pid || !WIFSTOPPED( status ) ) return 0;
    if( WSTOPSIG( status )!=( SIGTRAP | 0x80 ) ) continue;
    struct __ptrace_syscall_info info;
    if( ptrace( PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info )<=0 ) return 0;
    if( info.op!=PTRACE_SYSCALL_INFO_ENTRY ) continue;
    if( info.entry.nr!=SYS_munmap && info.entry.nr!=SYS_move_pages ) continue;
    if( fdt_read_long( FDT_HUGE_FREE_PATH )!=free_before-page_cnt ) continue;
    kill( pid, SIGKILL );
    return 1;
  }
}

START_TEST( killed_create_pins_nothing ) {
  long free_before = fdt_read_long( FDT_HUGE_FREE_PATH );
  pid_t pid = fdt_fork();
  if( !pid ) {
    if( ptrace( PTRACE_TRACEME, 0, 0, 0 ) ) _exit( 1 );
    raise( SIGSTOP );
    _exit( fd_shmem_create( "killed", HUGE, 3, 0, 0600 ) ? 2 : 3 );
  }
  int killed = kill_mid_create( pid, free_before, 3 );
  if( !killed ) kill( pid, SIGKILL );
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert_msg( killed, "the create was not caught with its pages placed" );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "huge" ), 0 );  /* no name, no temporary file */
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), free_before );    /* its pages are back */
}
END_TEST

/* ---- 4. a failed update changes nothing ---- */

static char *
join_rw( char const * name ) {
  char * m = fd_shmem_join( name, FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( m );
  return m;
}

START_TEST( failed_update_keeps_region ) {
  ck_assert_int_eq( fd_shmem_create( "keep", HUGE, 2, 0, 0640 ), 0 );
  char * m = join_rw( "keep" );
  for( size_t i=0; i<2*HUGE; i+=4096 ) m[i] = (char)( i/4096*7 );
  ck_assert_int_eq( fd_shmem_leave( m, NULL, NULL ), 0 );

  size_t cnt[] = { FREE_PAGES+1 }, idx[] = { 0 };
  ck_assert_int_eq( fd_shmem_update_multi( "keep", HUGE, 1, cnt, idx, 0600 ), ENOMEM );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "keep", HUGE, &info ), 0 );
  ck_assert_uint_eq( info.page_cnt, 2 );
  char path[ 400 ];
  struct stat st;
  snprintf( path, sizeof(path), "%s/.huge/keep", domain.path );
  ck_assert_int_eq( stat( path, &st ), 0 );
  ck_assert_uint_eq( st.st_mode & 07777, 0640 );
  m = join_rw( "keep" );
  for( size_t i=0; i<2*HUGE; i+=4096 ) FDT_CHECK( m[i]==(char)( i/4096*7 ) );
  ck_assert_int_eq( fd_shmem_leave( m, NULL, NULL ), 0 );
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), FREE_PAGES-2 );
  ck_assert_int_eq( fd_shmem_unlink( "keep", 0 ), 0 );
}
END_TEST

/* ---- 5. creating as another user, with a small lock limit ---- */

#define LOCK_LIMIT (8L<<20)

/* In the child, as nobody with an 8 MiB lock limit: creates 16 MiB of
   huge pages, then joins them (the join cannot lock them and says
   why).  Returns a step number. */
static int
create_as_nobody( void ) {
  struct rlimit lim = { LOCK_LIMIT, LOCK_LIMIT };
  if( setrlimit( RLIMIT_MEMLOCK, &lim ) || fdt_become_nobody() ) return 1;
  fdt_log_start();
  if( fd_shmem_create( "unlocked", HUGE, 8, 0, 0600 ) ) return 2;
  char * m = fd_shmem_join( "unlocked", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( !m ) return 3;
#ifndef __SANITIZE_ADDRESS__  /* the sanitizer runtime's mlock never fails */
  if( !strstr( fdt_logged(), "join unlocked: cannot lock its 16.0 MiB: RLIMIT_MEMLOCK is 8.0 MiB" ) ||
      !strstr( fdt_logged(), "LimitMEMLOCK=" ) || !strstr( fdt_logged(), "ulimit -l" ) || !strstr( fdt_logged(), "CAP_IPC_LOCK" ) )
    return 4;
#endif
  m[0] = 1;
  return fd_shmem_leave( m, NULL, NULL ) ? 5 : 0;
}

START_TEST( nobody_creates_without_memlock ) {
  struct passwd * nobody = getpwnam( "nobody" );
  ck_assert_ptr_nonnull( nobody );
  char huge[ 300 ];
  snprintf( huge, sizeof(huge), "%s/.huge", domain.path );
  ck_assert_int_eq( chmod( domain.path, 0755 ), 0 );
  ck_assert_int_eq( chown( huge, nobody->pw_uid, nobody->pw_gid ), 0 );  /* nobody's page directory */
  pid_t pid = fdt_fork();
  if( !pid ) _exit( create_as_nobody() );
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  long free_after = fdt_read_long( FDT_HUGE_FREE_PATH );
  char * m = fd_shmem_join( "unlocked", FD_SHMEM_JOIN_MODE_READ_ONLY, 0, NULL, NULL, NULL );
  /* touched first: move_pages sees only pages mapped in this process,
     and the join's mlock, which maps them, is a no-op under ASan */
  for( size_t i=0; m && i<8; i++ ) (void)*(char volatile *)( m+i*HUGE );
  int placed = m ? fd_shmem_numa_validate( m, HUGE, 8, 0 ) : -1;
  if( m ) fd_shmem_leave( m, NULL, NULL );
  fd_shmem_unlink( "unlocked", HUGE );
  (void)!chown( huge, 0, 0 );
  chmod( domain.path, 0700 );
  ck_assert_msg( WIFEXITED( status ) && !WEXITSTATUS( status ), "as nobody: failed at step %d", WEXITSTATUS( status ) );
  ck_assert_int_eq( free_after, FREE_PAGES-8 );
  ck_assert_int_eq( placed, 0 );
}
END_TEST

/* ======== the huge round ======== */

START_TEST( huge_region ) {
  ck_assert_int_eq( fd_shmem_create( "big", HUGE, 2, 0, 0600 ), 0 );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "big", 0, &info ), 0 );
  ck_assert_uint_eq( info.page_sz, HUGE );
  ck_assert_uint_eq( info.page_cnt, 2 );
  /* the pages are really taken from the pool at create time */
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), SMALL_FREE-2 );

  char * m = fd_shmem_join( "big", FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  ck_assert_ptr_nonnull( m );
  ck_assert( !( (uintptr_t)m % HUGE ) );
  m[0] = 1; m[2*HUGE-1] = 2;
  ck_assert_int_eq( fd_shmem_numa_validate( m, HUGE, 2, 0 ), 0 );
  ck_assert_int_eq( fd_shmem_leave( m, NULL, NULL ), 0 );
  ck_assert_int_eq( fd_shmem_unlink( "big", 0 ), 0 );
}
END_TEST

START_TEST( huge_region_too_big ) {
  int mode_before, mode_after;
  unsigned long mask[ 16 ] = { 1UL };
  ck_assert_int_eq( set_mempolicy( MPOL_PREFERRED, mask, 1024 ), 0 );
  ck_assert_int_eq( get_mempolicy( &mode_before, mask, 1024, NULL, 0 ), 0 );

  ck_assert_int_eq( fd_shmem_create( "toobig", HUGE, SMALL_FREE+1, 0, 0600 ), ENOMEM );
  ck_assert_int_eq( fd_shmem_info( "toobig", 0, NULL ), ENOENT );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "huge" ), 0 );  /* not even a temporary file */
  ck_assert_int_eq( fdt_read_long( FDT_HUGE_FREE_PATH ), SMALL_FREE );

  ck_assert_int_eq( get_mempolicy( &mode_after, mask, 1024, NULL, 0 ), 0 );
  ck_assert_int_eq( mode_after, mode_before );
  ck_assert_int_eq( mode_after, MPOL_PREFERRED );
}
END_TEST

START_TEST( same_name_two_types ) {
  ck_assert_int_eq( fd_shmem_create( "both", HUGE, 1, 0, 0600 ), 0 );
  ck_assert_int_eq( fd_shmem_create( "both", FD_SHMEM_NORMAL_PAGE_SZ, 3, 0, 0600 ), 0 );
  fd_shmem_info_t info;
  ck_assert_int_eq( fd_shmem_info( "both", 0, &info ), 0 );  /* the largest page size wins */
  ck_assert_uint_eq( info.page_sz, HUGE );
  ck_assert_uint_eq( info.page_cnt, 1 );
  ck_assert_int_eq( fd_shmem_info( "both", FD_SHMEM_NORMAL_PAGE_SZ, &info ), 0 );
  ck_assert_uint_eq( info.page_cnt, 3 );
  ck_assert_int_eq( fd_shmem_unlink( "both", 0 ), 0 );      /* the largest goes first */
  ck_assert_int_eq( fd_shmem_info( "both", 0, &info ), 0 );
  ck_assert_uint_eq( info.page_sz, FD_SHMEM_NORMAL_PAGE_SZ );
  ck_assert_int_eq( fd_shmem_unlink( "both", 0 ), 0 );
  ck_assert_int_eq( fd_shmem_info( "both", 0, &info ), ENOENT );
}
END_TEST

/* A hugetlbfs mount limited to one page: a two-page create fails and
   leaves nothing behind, a one-page create still works. */
START_TEST( small_mount_refuses ) {
  fdt_domain_t small = { .path = "/tmp/fdshmem-small.XXXXXX" };
  char sub[ 300 ];
  ck_assert_ptr_nonnull( mkdtemp( small.path ) );
  snprintf( sub, sizeof(sub), "%s/.huge", small.path );
  ck_assert_int_eq( mkdir( sub, 0700 ), 0 );
  ck_assert_int_eq( mount( "fdshmem-test", sub, "hugetlbfs", 0, "pagesize=2M,size=2M" ), 0 );
  ck_assert_int_eq( fd_shmem_set_path( small.path ), 0 );
  int err_big = fd_shmem_create( "toolarge", HUGE, 2, 0, 0600 );
  int left    = fdt_domain_entry_cnt( &small, "huge" );
  int err_one = fd_shmem_create( "fits", HUGE, 1, 0, 0600 );
  fd_shmem_unlink( "fits", 0 );
  umount2( sub, MNT_DETACH );
  rmdir( sub );
  rmdir( small.path );
  ck_assert_int_eq( fd_shmem_set_path( domain.path ), 0 );
  ck_assert_msg( err_big==ENOMEM || err_big==ENOSPC, "create beyond the mount size: %d", err_big );
  ck_assert_int_eq( left, 0 );
  ck_assert_int_eq( err_one, 0 );
}
END_TEST

/* An unprivileged process whose locked-memory limit is too small:
   create needs no lock and works; acquire, which locks its private
   pages, fails with ENOMEM and leaves nothing. */
START_TEST( memlock_limit_refuses ) {
  /* open the domain to everyone for the test, as init would for a group */
  char dir[ 300 ], huge[ 300 ];
  snprintf( dir,  sizeof(dir),  "%s/.normal", domain.path );
  snprintf( huge, sizeof(huge), "%s/.huge",   domain.path );
  ck_assert_int_eq( chmod( domain.path, 0755 ), 0 );
  ck_assert_int_eq( chmod( dir, 0777 ), 0 );
  ck_assert_int_eq( chmod( huge, 0777 ), 0 );
  pid_t pid = fdt_fork();
  if( !pid ) {
    struct rlimit lim = { 64*1024, 64*1024 };
    if( setrlimit( RLIMIT_MEMLOCK, &lim ) || fdt_become_nobody() ) _exit( 10 );
    if( fd_shmem_create( "unlocked", FD_SHMEM_NORMAL_PAGE_SZ, 64, 0, 0600 ) ) _exit( 11 );  /* 256 KiB > 64 KiB */
    if( fd_shmem_unlink( "unlocked", 0 ) ) _exit( 12 );
    errno = 0;
    if( fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, 64, 0 ) || errno!=ENOMEM ) _exit( 13 );
    void * mem = fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, 4, 0 );  /* within the limit */
    _exit( !mem || fd_shmem_release( mem, FD_SHMEM_NORMAL_PAGE_SZ, 4 ) ? 14 : 0 );
  }
  int status;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  chmod( huge, 0700 );
  chmod( dir, 0700 );
  chmod( domain.path, 0700 );
  ck_assert_msg( WIFEXITED( status ) && !WEXITSTATUS( status ), "unprivileged child failed at step %d", WEXITSTATUS( status ) );
  ck_assert_int_eq( fdt_domain_entry_cnt( &domain, "normal" ), 0 );
}
END_TEST

/* The kernel's compaction migrates even locked pages, and a page in
   transit reads as absent for a moment: placement must wait for it,
   not call the region short of memory. */
START_TEST( placement_survives_compaction ) {
  pid_t pid = fdt_fork();
  if( !pid ) {
    for( ;; ) {
      FILE * f = fopen( "/proc/sys/vm/compact_memory", "w" );
      if( !f ) _exit( 1 );
      fputs( "1\n", f );
      fclose( f );
    }
  }
  int failed = 0;
  for( int i=0; i<20000; i++ ) {
    void * mem = fd_shmem_acquire( FD_SHMEM_NORMAL_PAGE_SZ, 64, 0 );
    if( !mem ) { failed++; continue; }
    fd_shmem_release( mem, FD_SHMEM_NORMAL_PAGE_SZ, 64 );
  }
  for( int i=0; i<2000; i++ ) {
    if( fd_shmem_create( "moving", FD_SHMEM_NORMAL_PAGE_SZ, 64, 0, 0600 ) ) { failed++; continue; }
    fd_shmem_unlink( "moving", 0 );
  }
  kill( pid, SIGKILL );
  waitpid( pid, NULL, 0 );
  ck_assert_int_eq( failed, 0 );
}
END_TEST


/* Runs the safety round in a domain of its own.  Returns the suite's
   status, or FDT_SKIP: the two room cases without a memory cgroup. */
static int
safety_round( void ) {
  int err = fdt_huge_domain_new( &domain, FREE_PAGES );
  if( err ) return err;
  Suite * s  = suite_create( "region_priv safety" );
  TCase * tc = tcase_create( "safety" );
  tcase_set_timeout( tc, 60 );
  cgroup_make();
  if( cgroup[0] ) {
    tcase_add_test( tc, normal_beyond_mount );
    tcase_add_test( tc, normal_beyond_memory );
  }
  tcase_add_test( tc, huge_beyond_node );
  tcase_add_test( tc, huge_reserved_pages_are_taken );
  tcase_add_test( tc, killed_create_pins_nothing );
  tcase_add_test( tc, failed_update_keeps_region );
  tcase_add_test( tc, nobody_creates_without_memlock );
  suite_add_tcase( s, tc );
  int status = fdt_run( s );
  int skipped = !cgroup[0];
  cgroup_remove();
  fdt_domain_delete( &domain );
  if( skipped ) fprintf( stderr, "SKIP: normal_beyond_mount, normal_beyond_memory: %s\n", cgroup_why );
  return status==EXIT_SUCCESS && skipped ? FDT_SKIP : status;
}

static int
huge_round( void ) {
  int err = fdt_huge_domain_new( &domain, SMALL_FREE );
  if( err ) return err;
  int tree = errcase_tree_new();
  if( tree==1 ) return 1;
  Suite * s  = suite_create( "region_priv huge" );
  TCase * tc = tcase_create( "huge" );
  tcase_set_timeout( tc, 120 );
  tcase_add_test( tc, huge_region );
  tcase_add_test( tc, huge_region_too_big );
  tcase_add_test( tc, same_name_two_types );
  tcase_add_test( tc, small_mount_refuses );
  tcase_add_test( tc, memlock_limit_refuses );
  tcase_add_test( tc, placement_survives_compaction );
  suite_add_tcase( s, tc );
  /* Last: the error cases point the library at the scratch tree. */
  TCase * te = tcase_create( "errsets" );
  if( !tree )
    fdt_errcases_add_part( te, errcases_region_priv, errcases_region_priv_cnt, errcases_region, errcases_region_cnt,
                           FDT_ERRCASES_REGION );
  else
    fprintf( stderr, "not run: the privileged region error cases (no scratch tree)\n" );
  suite_add_tcase( s, te );
  int status = fdt_run( s );
  fdt_domain_delete( &domain );
  return status;
}

int
main( void ) {
  int safety = safety_round();
  if( safety!=EXIT_SUCCESS && safety!=FDT_SKIP ) return safety;
  int huge = huge_round();
  if( huge!=EXIT_SUCCESS ) return huge;
  return safety;
}
