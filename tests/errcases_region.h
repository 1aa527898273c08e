#ifndef FDSHMEM_TESTS_ERRCASES_REGION_H
#define FDSHMEM_TESTS_ERRCASES_REGION_H

/* The region calls' error cases (errcases_region.c), in the scratch tree
   of errcase_tree.h: test_region runs errcases_region, test_region_priv
   errcases_region_priv, and each checks the coverage of the area over
   both tables. */

#include "fdt.h"

extern fdt_errcase_t const errcases_region[];
extern size_t const        errcases_region_cnt;
extern fdt_errcase_t const errcases_region_priv[];
extern size_t const        errcases_region_priv_cnt;

/* An update of region "exists" to a PiB: ENOMEM from the room check. */
int errcase_update_too_big( void );

#endif /* FDSHMEM_TESTS_ERRCASES_REGION_H */
