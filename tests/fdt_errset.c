/* The side of fdt.h that ties tests to the library's error table: the
   table is read from the library's own header (an X macro), so a code
   added to it without a test that provokes it fails here. */

#include "fdt.h"
#include "../src/lib/base/fd_shmem_errset.h"

#include <fdshmem/fd_groove_volume.h>
#include <fdshmem/fd_shmem.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char const * fn;
  int const *  codes;  /* 0-terminated */
} errset_t;

#define ERRSET_ROW( fn, ... ) { #fn, (int const[]){ __VA_ARGS__, 0 } },
static errset_t const errsets[] = { FD_SHMEM_PRIVATE_ERRSETS( ERRSET_ROW ) FD_GROOVE_PRIVATE_ERRSETS( ERRSET_ROW ) };
#define ERRSET_CNT ( sizeof(errsets)/sizeof(errsets[0]) )

/* An errno value or (negative) a groove code, in words. */
static char const * code_cstr( int code ) { return code<0 ? fd_groove_strerror( code ) : strerror( code ); }

/* The test program's table, as fdt_errcases_add was given it (forked
   tests inherit it). */
static fdt_errcase_t const * the_cases;
static size_t                the_cnt;
static fdt_errcases_owner_t  the_owner;

START_TEST( errcase_provoked ) {
  fdt_errcase_t const * c = &the_cases[ _i ];
  if( c->privileged && !fdt_privileged() ) return;
  if( c->privileged==FDT_ERRCASE_NUMA && fd_shmem_numa_cnt()<2 ) return;
  int got = c->call();
  ck_assert_msg( got==c->code, "%s: want %s, got %s (%d)", c->fn, code_cstr( c->code ), code_cstr( got ), got );
}
END_TEST

static int
has_case( fdt_errcase_t const * cases, size_t cnt, char const * fn, int code ) {
  for( size_t i=0UL; i<cnt; i++ ) if( !strcmp( cases[i].fn, fn ) && cases[i].code==code ) return 1;
  return 0;
}

/* The functions not test_errsets', by name prefix. */
static struct {
  char const *         prefix;
  fdt_errcases_owner_t owner;
} const owners[] = {
  { "fd_shmem_pool_",         FDT_ERRCASES_POOL   },
  { "fd_shmem_acquire",       FDT_ERRCASES_FAULTS },
  { "fd_shmem_release",       FDT_ERRCASES_FAULTS },
  { "fd_shmem_numa_validate", FDT_ERRCASES_FAULTS },
  { "fd_groove_",             FDT_ERRCASES_GROOVE },
  { "fd_shmem_last_reason",   FDT_ERRCASES_REASONS },
  { "fd_shmem_domain_plan",   FDT_ERRCASES_REASONS },
};

static fdt_errcases_owner_t
owner_of( char const * fn ) {
  for( size_t i=0UL; i<sizeof(owners)/sizeof(owners[0]); i++ )
    if( !strncmp( fn, owners[i].prefix, strlen( owners[i].prefix ) ) ) return owners[i].owner;
  return FDT_ERRCASES_ERRSETS;
}

START_TEST( errcases_cover_the_table ) {
  size_t fn_cnt = 0UL;
  for( size_t f=0UL; f<ERRSET_CNT; f++ ) {
    if( owner_of( errsets[f].fn )!=the_owner ) continue;
    fn_cnt++;
    for( int const * c=errsets[f].codes; *c; c++ )
      ck_assert_msg( has_case( the_cases, the_cnt, errsets[f].fn, *c ), "%s: no test provokes %s", errsets[f].fn,
                     code_cstr( *c ) );
  }
  ck_assert_uint_gt( fn_cnt, 0 );
}
END_TEST

void
fdt_errcases_add( TCase * tc, fdt_errcase_t const * cases, size_t cnt, fdt_errcases_owner_t owner ) {
  the_cases = cases;
  the_cnt   = cnt;
  the_owner = owner;
  tcase_add_loop_test( tc, errcase_provoked, 0, (int)cnt );
  tcase_add_test( tc, errcases_cover_the_table );
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
