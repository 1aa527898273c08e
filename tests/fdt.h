#ifndef FDSHMEM_TESTS_FDT_H
#define FDSHMEM_TESTS_FDT_H

/* Shared helpers of the Check test programs.  Included first by each,
   so config.h (feature macros) comes before any system header. */

#include "config.h"

#include "fdt_clock.h"

#include <check.h>
#include <stddef.h>
#include <sys/types.h>

#define FDT_SKIP (77)  /* automake's "skipped" exit status */

/* For hot loops: Check records every ck_assert (a write to a pipe in
   fork mode); this only calls into Check when the condition fails. */
#define FDT_CHECK( cond ) do { if( !( cond ) ) ck_abort_msg( "%s:%d: %s", __FILE__, __LINE__, #cond ); } while( 0 )

/* 1 when the tests may mount file systems and change the hugepage pool:
   running as root with FDSHMEM_TEST_PRIVILEGED=1. */
int fdt_privileged( void );

/* Privileged tests run one at a time: fdt_machine_lock blocks until
   this process holds FDT_MACHINE_LOCK (kept until exit).
   fdt_domain_new takes it for privileged domains.  Taking it again
   does nothing. */
#define FDT_MACHINE_LOCK "/tmp/fdshmem-test.lock"
void fdt_machine_lock( void );

/* The tests' count of free 2 MiB pages: node 0's. */
#define FDT_HUGE_FREE_PATH "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages"
#define FDT_NODE_MAX       64  /* nodes whose pools fdt_hugepages_make_free sizes */

/* A temporary domain.  Unprivileged: a directory under /dev/shm (tmpfs)
   with .normal.  Privileged: a directory under /tmp with .normal a fresh
   tmpfs mount and, when the kernel offers 2 MiB pages, .huge a hugetlbfs
   mount.  fd_shmem_set_path points at it.  Everything is undone by
   fdt_domain_delete, which also runs at exit. */
typedef struct {
  char path[ 256 ];
  int  privileged;
  int  has_huge;            /* .huge exists (a hugetlbfs mount) */
  long saved_nr_hugepages[ FDT_NODE_MAX ];  /* each node's 2 MiB pool, -1: untouched */
} fdt_domain_t;

/* Returns 0, or FDT_SKIP when the machine cannot host a domain, or 1 on
   failure (message printed). */
int  fdt_domain_new( fdt_domain_t * d, int privileged );
void fdt_domain_delete( fdt_domain_t * d );

/* Privileged only: makes exactly free_cnt 2 MiB pages free on top of
   those in use by others, all on node 0, where the tests create (on
   other nodes, free pages could serve a reservation the tests expect
   node 0 to serve).  Returns the number of free pages obtained (may be
   less), or -1.  The original pool sizes are restored by
   fdt_domain_delete. */
long fdt_hugepages_make_free( fdt_domain_t * d, long free_cnt );

/* fork(2) for tests.  The child gets 0 having written nothing to
   Check: a child killed in the middle of writing Check's record (every
   ck_assert writes one, even when it passes) would corrupt the test's
   result for the parent.  A failed fork fails the test in the parent. */
pid_t fdt_fork( void );

/* For a forked child: drops root to user nobody, with no supplementary
   group, so permissions and limits apply to it.  Returns 0, or -1 if
   that fails. */
int fdt_become_nobody( void );

/* For suites that need root and 2 MiB pages: a privileged domain with
   exactly free_cnt free huge pages.  Returns 0, FDT_SKIP (reason
   printed) or 1. */
int fdt_huge_domain_new( fdt_domain_t * d, long free_cnt );

/* Reads a number from a /proc or /sys file; -1 on failure. */
long fdt_read_long( char const * path );
/* Writes v and a newline to path: 0, or -1 on failure. */
int  fdt_write_long( char const * path, long v );

/* Entries of d's page-type directory DOMAIN/.TYPE ("." and ".." aside),
   or -1 if it cannot be read. */
int    fdt_domain_entry_cnt( fdt_domain_t const * d, char const * type );

/* The library's warnings, one per line: fdt_log_start routes them to
   a buffer and empties it; fdt_logged reads it. */
void         fdt_log_start( void );
char const * fdt_logged( void );

/* ---- closed error sets (fdt_errset.c) ---- */

/* One code a test provokes: call() makes public function fn fail and
   returns what it returned, which must be code. */
typedef struct {
  char const * fn;
  int          code;
  int       (* call)( void );
  int          privileged;  /* 1: needs fdt_privileged(), FDT_ERRCASE_NUMA: and two NUMA nodes */
} fdt_errcase_t;
#define FDT_ERRCASE_NUMA 2

/* The areas, each one test program (and its _priv program) that
   provokes the codes of its functions: names and text (test_base),
   regions (test_region), joins (test_join), private pages (test_pages:
   acquire, release and numa_validate need a system call to fail, so it
   links fault_wrap.h),
   domain administration (test_domain_admin), pools (test_pool), the groove
   pool (test_groove, whose codes, FD_GROOVE_ERR_*, are negative) and
   reasons (test_reasons: fd_shmem_last_reason, fd_shmem_domain_plan).
   fdt_errset.c maps each function to its area by name. */
typedef enum {
  FDT_ERRCASES_BASE, FDT_ERRCASES_REGION, FDT_ERRCASES_JOIN, FDT_ERRCASES_PAGES, FDT_ERRCASES_DOMAIN,
  FDT_ERRCASES_POOL, FDT_ERRCASES_GROOVE, FDT_ERRCASES_REASONS
} fdt_errcases_owner_t;

/* Adds to tc one test per case of cases[0..cnt) that this run can run
   (its call must return its code); a case that needs privilege or two
   nodes the run lacks is not added, and said so on stderr, so it counts
   neither as a pass nor as coverage of this run.  Adds one test that
   asserts the cases provoke every code that the library's error tables
   (src/lib/base/fd_shmem_errset.h) list for each function of owner.
   One table per test program. */
void fdt_errcases_add( TCase * tc, fdt_errcase_t const * cases, size_t cnt, fdt_errcases_owner_t owner );

/* The same for an area whose cases are split over two programs (the
   privileged ones in its _priv program): runs cases, and checks the
   coverage over the union of cases and also, the other program's table. */
void fdt_errcases_add_part( TCase * tc, fdt_errcase_t const * cases, size_t cnt, fdt_errcase_t const * also,
                            size_t also_cnt, fdt_errcases_owner_t owner );

/* Runs call() in a child process as user nobody (when root; as this
   user otherwise) and returns what it returned (0..255). */
int fdt_errcase_as_nobody( int (*call)( void ) );

/* Runs suite s (honouring CK_FORK), returns the process exit status. */
int  fdt_run( Suite * s );

#endif /* FDSHMEM_TESTS_FDT_H */
