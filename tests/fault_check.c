/* The checks of fault_check.h. */

#include "fault_check.h"

#include <fdshmem/fd_shmem.h>

#include <dirent.h>
#include <errno.h>
#include <numaif.h>
#include <stdio.h>

int  warn_cnt;
char last_warn[ 512 ];

void
count_warnings( void * ctx, int level, char const * msg ) {
  (void)ctx;
  if( level>FD_SHMEM_LOG_WARNING ) return;
  warn_cnt++;
  snprintf( last_warn, sizeof(last_warn), "%s", msg );
}

static fdt_domain_t const * watched;

void
fault_check_domain( fdt_domain_t const * domain ) {
  watched = domain;
}

static int
fd_cnt( void ) {
  DIR * dir = opendir( "/proc/self/fd" );
  ck_assert_ptr_nonnull( dir );
  int cnt = 0;
  while( readdir( dir ) ) cnt++;
  closedir( dir );
  return cnt;
}

proc_state_t
proc_state( void ) {
  ck_assert_ptr_nonnull( watched );
  proc_state_t s = { fault_mapped_bytes(), fd_cnt(), fdt_domain_entry_cnt( watched, "normal" ), 0, 0UL };
  unsigned long mask[ 16 ] = { 0UL };
  ck_assert_int_eq( get_mempolicy( &s.policy_mode, mask, 16*8*sizeof(unsigned long), NULL, 0 ), 0 );
  s.policy_mask = mask[0];
  return s;
}

void
assert_nothing_left( proc_state_t const * before ) {
  proc_state_t after = proc_state();
  ck_assert_int_eq( after.files, before->files );
  ck_assert_int_eq( after.mapped, before->mapped );
  ck_assert_int_eq( after.fds,   before->fds );
  ck_assert_int_eq( after.policy_mode, before->policy_mode );
  ck_assert_uint_eq( after.policy_mask, before->policy_mask );
}

void
fault_setup( void ) {
  unsigned long node0 = 1UL;
  ck_assert_int_eq( set_mempolicy( MPOL_PREFERRED, &node0, 8*sizeof(node0) ), 0 );
  fd_shmem_set_log_func( count_warnings, NULL );
  fault_disarm();
}

void
fault_teardown( void ) {
  fault_disarm();
  fd_shmem_set_log_func( NULL, NULL );
  set_mempolicy( MPOL_DEFAULT, NULL, 0 );
}

fault_case_t const place_faults[] = {
  { "mmap ENOMEM",      FAULT_MMAP,       ENOMEM, ENOMEM },
  { "mmap EAGAIN",      FAULT_MMAP,       EAGAIN, ENOMEM },
  { "mbind ENOMEM",     FAULT_MBIND,      ENOMEM, ENOMEM },
  { "mbind EINVAL",     FAULT_MBIND,      EINVAL, EINVAL },
  { "move_pages EPERM", FAULT_MOVE_PAGES, EPERM,  EIO    },
};
