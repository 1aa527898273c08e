#ifndef FDSHMEM_TESTS_ERRCASES_DOMAIN_H
#define FDSHMEM_TESTS_ERRCASES_DOMAIN_H

/* The domain calls' error cases (errcases_domain.c), in the scratch tree
   of errcase_tree.h: test_domain_admin runs errcases_domain,
   test_domain_admin_priv errcases_domain_priv, and each checks the
   coverage of the area over both tables. */

#include "fdt.h"

extern fdt_errcase_t const errcases_domain[];
extern size_t const        errcases_domain_cnt;
extern fdt_errcase_t const errcases_domain_priv[];
extern size_t const        errcases_domain_priv_cnt;

/* fd_shmem_domain_describe of a path with a component past NAME_MAX: EIO. */
int errcase_describe_long( void );

#endif /* FDSHMEM_TESTS_ERRCASES_DOMAIN_H */
