/* The side of fdt.h that ties tests to the library's error table: the
   table is read from the library's own header (an X macro), so a code
   added to it without a test that provokes it fails here. */

#include "fdt.h"
#include "../src/lib/fd_shmem_errset.h"

#include <fdshmem/fd_shmem.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char const * fn;
  int const *  codes;  /* 0-terminated */
} errset_t;

#define ERRSET_ROW( fn, ... ) { #fn, (int const[]){ __VA_ARGS__, 0 } },
static errset_t const errsets[] = { FD_SHMEM_PRIVATE_ERRSETS( ERRSET_ROW ) };
#define ERRSET_CNT ( sizeof(errsets)/sizeof(errsets[0]) )

void
fdt_errcase_run( fdt_errcase_t const * c ) {
  if( c->privileged && !fdt_privileged() ) return;
  if( c->privileged==FDT_ERRCASE_NUMA && fd_shmem_numa_cnt()<2 ) return;
  int got = c->call();
  ck_assert_msg( got==c->code, "%s: want %s, got %s (%d)", c->fn, strerror( c->code ), strerror( got ), got );
}

static int
has_case( fdt_errcase_t const * cases, size_t cnt, char const * fn, int code ) {
  for( size_t i=0UL; i<cnt; i++ ) if( !strcmp( cases[i].fn, fn ) && cases[i].code==code ) return 1;
  return 0;
}

void
fdt_errcases_cover( fdt_errcase_t const * cases, size_t cnt, char const * prefix, int with_prefix ) {
  size_t fn_cnt = 0UL;
  for( size_t f=0UL; f<ERRSET_CNT; f++ ) {
    int has_prefix = !strncmp( errsets[f].fn, prefix, strlen( prefix ) );
    if( has_prefix!=with_prefix ) continue;
    fn_cnt++;
    for( int const * c=errsets[f].codes; *c; c++ )
      ck_assert_msg( has_case( cases, cnt, errsets[f].fn, *c ), "%s: no test provokes %s", errsets[f].fn,
                     strerror( *c ) );
  }
  ck_assert_uint_gt( fn_cnt, 0 );
}

int
fdt_errcase_as_nobody( int (*call)( void ) ) {
  pid_t pid = fdt_fork();
  if( !pid ) _exit( !geteuid() && fdt_become_nobody() ? 255 : call() );
  int status = 0;
  ck_assert_int_eq( waitpid( pid, &status, 0 ), pid );
  ck_assert( WIFEXITED( status ) );
  return WEXITSTATUS( status );
}
