/* The side of fdt.h that ties tests to the library's error table: the
   table is read from the library's own header (an X macro), so a code
   added to it without a test that provokes it fails here. */

#include "fdt.h"
#include "../src/lib/base/fd_shmem_errset.h"

#include <fdshmem/fd_groove_volume.h>
#include <fdshmem/fd_shmem.h>

#include <stdio.h>
#include <stdlib.h>
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

/* The test program's table as fdt_errcases_add_part was given it, the
   indexes of the cases this run can run, and the other program's table
   of the area (forked tests inherit them all). */
static fdt_errcase_t const * the_cases;
static size_t                the_cnt;
static fdt_errcase_t const * the_also;
static size_t                the_also_cnt;
static fdt_errcases_owner_t  the_owner;
static size_t *              run_idx;  /* lives as long as the process */

START_TEST( errcase_provoked ) {
  fdt_errcase_t const * c = &the_cases[ run_idx[ _i ] ];
  int got = c->call();
  ck_assert_msg( got==c->code, "%s: want %s, got %s (%d)", c->fn, code_cstr( c->code ), code_cstr( got ), got );
}
END_TEST

/* Why this run cannot run c, or NULL if it can. */
static char const *
cannot_run( fdt_errcase_t const * c ) {
  if( c->privileged && !fdt_privileged() ) return "needs root and FDSHMEM_TEST_PRIVILEGED=1";
  if( c->privileged==FDT_ERRCASE_NUMA && fd_shmem_numa_cnt()<2 ) return "needs two NUMA nodes";
  return NULL;
}

static int
has_case( fdt_errcase_t const * cases, size_t cnt, char const * fn, int code ) {
  for( size_t i=0UL; i<cnt; i++ ) if( !strcmp( cases[i].fn, fn ) && cases[i].code==code ) return 1;
  return 0;
}

/* Each function's area, by name prefix (the first that matches). */
static struct {
  char const *         prefix;
  fdt_errcases_owner_t owner;
} const owners[] = {
  { "fd_shmem_set_path",        FDT_ERRCASES_BASE   },
  { "fd_shmem_owner_resolve",   FDT_ERRCASES_BASE   },
  { "fd_shmem_cpu_seq_parse",   FDT_ERRCASES_BASE   },
  { "fd_shmem_create",          FDT_ERRCASES_REGION },
  { "fd_shmem_update_multi",    FDT_ERRCASES_REGION },
  { "fd_shmem_unlink",          FDT_ERRCASES_REGION },
  { "fd_shmem_info",            FDT_ERRCASES_REGION },
  { "fd_shmem_join_",           FDT_ERRCASES_JOIN   },
  { "fd_shmem_leave_anonymous", FDT_ERRCASES_JOIN   },
  { "fd_shmem_acquire",         FDT_ERRCASES_PAGES  },
  { "fd_shmem_release",         FDT_ERRCASES_PAGES  },
  { "fd_shmem_numa_validate",   FDT_ERRCASES_PAGES  },
  { "fd_shmem_last_reason",     FDT_ERRCASES_REASONS }, /* before fd_shmem_domain_: first match wins */
  { "fd_shmem_domain_plan",     FDT_ERRCASES_REASONS },
  { "fd_shmem_domain_",         FDT_ERRCASES_DOMAIN },
  { "fd_shmem_pool_",           FDT_ERRCASES_POOL   },
  { "fd_groove_",               FDT_ERRCASES_GROOVE },
};
#define NO_OWNER ( (fdt_errcases_owner_t)-1 )

static fdt_errcases_owner_t
owner_of( char const * fn ) {
  for( size_t i=0UL; i<sizeof(owners)/sizeof(owners[0]); i++ )
    if( !strncmp( fn, owners[i].prefix, strlen( owners[i].prefix ) ) ) return owners[i].owner;
  return NO_OWNER;
}

START_TEST( errcases_cover_the_table ) {
  size_t fn_cnt = 0UL;
  for( size_t f=0UL; f<ERRSET_CNT; f++ ) {
    fdt_errcases_owner_t owner = owner_of( errsets[f].fn );
    ck_assert_msg( owner!=NO_OWNER, "%s: no area of the tests owns it (tests/fdt_errset.c)", errsets[f].fn );
    if( owner!=the_owner ) continue;
    fn_cnt++;
    for( int const * c=errsets[f].codes; *c; c++ )
      ck_assert_msg( has_case( the_cases, the_cnt, errsets[f].fn, *c ) ||
                     has_case( the_also, the_also_cnt, errsets[f].fn, *c ),
                     "%s: no test provokes %s", errsets[f].fn, code_cstr( *c ) );
  }
  ck_assert_uint_gt( fn_cnt, 0 );
}
END_TEST

void
fdt_errcases_add_part( TCase * tc, fdt_errcase_t const * cases, size_t cnt, fdt_errcase_t const * also,
                       size_t also_cnt, fdt_errcases_owner_t owner ) {
  the_cases    = cases;
  the_cnt      = cnt;
  the_also     = also;
  the_also_cnt = also_cnt;
  the_owner    = owner;
  run_idx = malloc( ( cnt ? cnt : 1UL )*sizeof(size_t) );
  if( !run_idx ) abort();
  size_t run_cnt = 0UL;
  for( size_t i=0UL; i<cnt; i++ ) {
    char const * why = cannot_run( &cases[i] );
    if( why ) fprintf( stderr, "not run: %s %s: %s\n", cases[i].fn, code_cstr( cases[i].code ), why );
    else run_idx[ run_cnt++ ] = i;
  }
  tcase_add_loop_test( tc, errcase_provoked, 0, (int)run_cnt );
  tcase_add_test( tc, errcases_cover_the_table );
}

void
fdt_errcases_add( TCase * tc, fdt_errcase_t const * cases, size_t cnt, fdt_errcases_owner_t owner ) {
  fdt_errcases_add_part( tc, cases, cnt, NULL, 0UL, owner );
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
