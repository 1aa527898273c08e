/* Test helper: holds something of a domain, says "ready", and keeps it
   until killed or until its standard input closes.
     fdt_hold NAME          joins region NAME (a mapping)
     fdt_hold --cwd DIR     a second thread, with its own working
                            directory (unshare CLONE_FS), sits in DIR */

#define _GNU_SOURCE
#include <fdshmem/fd_shmem.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
wait_for_eof( void ) {
  for( char c; read( 0, &c, 1 )>0; ) {}
}

static char const * thread_dir;
static int          thread_ok;

static void *
sit_in_dir( void * arg ) {
  (void)arg;
  thread_ok = !unshare( CLONE_FS ) && !chdir( thread_dir );
  wait_for_eof();
  return NULL;
}

int
main( int argc, char ** argv ) {
  if( argc==3 && !strcmp( argv[1], "--cwd" ) ) {
    pthread_t t;
    thread_dir = argv[2];
    if( pthread_create( &t, NULL, sit_in_dir, NULL ) ) return 1;
    for( int i=0; i<1000 && !thread_ok; i++ ) usleep( 1000 );
    if( !thread_ok ) return 1;
    puts( "ready" );
    fflush( stdout );
    pthread_join( t, NULL );
    return 0;
  }
  if( argc!=2 ) { fprintf( stderr, "usage: fdt_hold NAME | fdt_hold --cwd DIR\n" ); return 2; }
  void * join = fd_shmem_join( argv[1], FD_SHMEM_JOIN_MODE_READ_WRITE, 0, NULL, NULL, NULL );
  if( !join ) return 1;
  puts( "ready" );
  fflush( stdout );
  wait_for_eof();
  return fd_shmem_leave( join, NULL, NULL );
}
