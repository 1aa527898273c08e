/* fdshmem_demo_peer: two processes join the same named regions and
   exchange data through them.

   usage: fdshmem_demo_peer NAME [NAME ...]

   For each region (which must exist in the domain selected by
   FD_SHMEM_PATH), the program forks: parent and child both join it, the
   parent writes a greeting the child reads back, then they bounce a
   counter between them and report the round-trip time. */

#include <fdshmem/fd_shmem.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS (20000UL)

/* Layout the two processes agree on at the start of the region. */
typedef struct {
  uint64_t turn;          /* odd: child's turn, even: parent's */
  char     greeting[ 64 ];
} exchange_t;

static double
now_ns( void ) {
  struct timespec ts;
  clock_gettime( CLOCK_MONOTONIC, &ts );
  return (double)ts.tv_sec*1e9 + (double)ts.tv_nsec;
}

/* Spins until it is turn want; 0, or -1 after 10 s (the peer died). */
static int
wait_turn( exchange_t * x, uint64_t want ) {
  double deadline = now_ns() + 10e9;
  for( unsigned long spin=0UL; __atomic_load_n( &x->turn, __ATOMIC_ACQUIRE )!=want; spin++ ) {
    if( !( spin & 0xffffUL ) && now_ns()>deadline ) {
      fprintf( stderr, "pid %ld: the other process stopped answering\n", (long)getpid() );
      return -1;
    }
  }
  return 0;
}

static void
describe( char const * who, fd_shmem_join_info_t const * info ) {
  printf( "  %-6s pid %-7ld joined %-12s at %p: %zu %s page(s), %zu bytes\n",
          who, (long)getpid(), info->name, info->shmem, info->page_cnt,
          fd_shmem_page_sz_to_cstr( info->page_sz ), info->page_cnt*info->page_sz );
  fflush( stdout );
}

/* The child: joins, checks the greeting, answers every even turn. */
static int
child( char const * name ) {
  fd_shmem_join_info_t info;
  exchange_t * x = fd_shmem_join( name, FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, &info );
  if( !x ) { fprintf( stderr, "child: cannot join %s\n", name ); return 1; }
  describe( "child", &info );
  if( wait_turn( x, 1UL ) ) return 1;
  printf( "  child  read \"%s\"\n", x->greeting );
  fflush( stdout );
  for( uint64_t t=1UL; t<2UL*ROUNDS; t+=2UL ) {
    if( wait_turn( x, t ) ) return 1;
    __atomic_store_n( &x->turn, t+1UL, __ATOMIC_RELEASE );
  }
  return fd_shmem_leave( x, NULL, NULL );
}

/* The parent: joins, writes the greeting, drives the ping-pong. */
static int
parent( char const * name, pid_t pid ) {
  fd_shmem_join_info_t info;
  exchange_t * x = fd_shmem_join( name, FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, &info );
  if( !x ) { fprintf( stderr, "parent: cannot join %s\n", name ); return 1; }
  describe( "parent", &info );
  snprintf( x->greeting, sizeof(x->greeting), "hello from pid %ld through %s", (long)getpid(), name );
  double t0 = now_ns();
  __atomic_store_n( &x->turn, 1UL, __ATOMIC_RELEASE );
  int lost = 0;
  for( uint64_t t=2UL; t<=2UL*ROUNDS && !lost; t+=2UL ) {
    lost = wait_turn( x, t );
    if( !lost && t<2UL*ROUNDS ) __atomic_store_n( &x->turn, t+1UL, __ATOMIC_RELEASE );
  }
  double dt = now_ns() - t0;
  int status = 0;
  if( lost ) kill( pid, SIGKILL );
  waitpid( pid, &status, 0 );
  printf( "  parent %lu round trips through %s: %.0f ns each\n", ROUNDS, name, dt/(double)ROUNDS );
  int bad = fd_shmem_leave( x, NULL, NULL );
  return lost || bad || !WIFEXITED( status ) || WEXITSTATUS( status );
}

int
main( int argc, char ** argv ) {
  if( argc<2 ) { fprintf( stderr, "usage: %s NAME [NAME ...]\n", argv[0] ); return 2; }
  for( int i=1; i<argc; i++ ) {
    printf( "region %s:\n", argv[i] );
    fflush( stdout );
    pid_t pid = fork();
    if( pid<0 ) { perror( "fork" ); return 1; }
    if( !pid ) {
      prctl( PR_SET_PDEATHSIG, SIGKILL );  /* never outlive the parent */
      _exit( child( argv[i] ) );
    }
    if( parent( argv[i], pid ) ) return 1;
  }
  return 0;
}
