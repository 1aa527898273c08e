/* Domain administration, unprivileged: every code of the error sets of
   describe, regions, init, fini, reset, repair and set_owner that needs
   no mount (errcases_domain.h; the others in test_domain_admin_priv). */

#include "fdt.h"
#include "errcase_tree.h"
#include "errcases_domain.h"

#include <fdshmem/fd_shmem.h>

#include <errno.h>

/* The catch-all loses nothing: the real error is in the log. */
START_TEST( catch_all_logs_the_cause ) {
  fdt_log_start();
  ck_assert_int_eq( errcase_describe_long(), EIO );
  ck_assert_str_eq( fdt_logged(),
                    "fd_shmem_domain_describe: unexpected error: File name too long (errno 36); returned as EIO\n" );
}
END_TEST

int
main( void ) {
  int err = errcase_tree_new();
  if( err ) return err;
  Suite * s  = suite_create( "domain_admin" );
  TCase * tc = tcase_create( "errsets" );
  fdt_errcases_add_part( tc, errcases_domain, errcases_domain_cnt, errcases_domain_priv, errcases_domain_priv_cnt,
                         FDT_ERRCASES_DOMAIN );
  tcase_add_test( tc, catch_all_logs_the_cause );
  suite_add_tcase( s, tc );
  return fdt_run( s );
}
