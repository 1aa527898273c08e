#ifndef FDSHMEM_TESTS_FAULT_CHECK_H
#define FDSHMEM_TESTS_FAULT_CHECK_H

/* What the fault tests (fault_wrap.h) check after a call made to fail:
   it logged a warning, and it left nothing behind: no file in the
   domain's .normal, no mapping (by the wrappers' ledger: sanitizers map
   memory of their own), no open descriptor, the caller's memory policy
   untouched.  And the placement faults that create, update and acquire
   are each tried with. */

#include "fdt.h"
#include "fault_wrap.h"

#include <stddef.h>

/* Warnings the library logged since the test last zeroed warn_cnt, and
   the latest of them (count_warnings is the log function). */
extern int  warn_cnt;
extern char last_warn[ 512 ];
void count_warnings( void * ctx, int level, char const * msg );

/* The domain whose .normal proc_state counts (set by main). */
void fault_check_domain( fdt_domain_t const * domain );

typedef struct {
  long          mapped;  /* bytes the library holds mapped */
  int           fds;
  int           files;  /* entries of the domain's .normal */
  int           policy_mode;
  unsigned long policy_mask;
} proc_state_t;

proc_state_t proc_state( void );
void         assert_nothing_left( proc_state_t const * before );

/* Checked fixture of a fault test case: the caller's memory policy
   before every test is not the default (so a path that changes it
   shows), warnings are counted, nothing is armed. */
void fault_setup( void );
void fault_teardown( void );

typedef struct {
  char const * what;
  fault_call_t call;
  int          err;   /* injected */
  int          want;  /* returned (acquire: errno); EPERM is in no closed set */
} fault_case_t;

/* Placement makes one mbind and one move_pages call per subregion (on a
   kernel with NUMA: one node is enough). */
#define PLACE_FAULT_CNT (5)
extern fault_case_t const place_faults[ PLACE_FAULT_CNT ];

#endif /* FDSHMEM_TESTS_FAULT_CHECK_H */
