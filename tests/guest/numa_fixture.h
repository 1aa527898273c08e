#ifndef FDSHMEM_TESTS_GUEST_NUMA_FIXTURE_H
#define FDSHMEM_TESTS_GUEST_NUMA_FIXTURE_H

/* The fixture of the multi-node tests, run as root inside a QEMU guest
   of two (or more) NUMA nodes (tests/guest/t_numa*.sh).  It learns the
   topology from sysfs, not from the library under test, and puts every
   node's hugepage pools back as they were at exit. */

#include "fdt.h"

#include <stddef.h>

#define GN_HUGE  FD_SHMEM_HUGE_PAGE_SZ
#define GN_GIANT FD_SHMEM_GIGANTIC_PAGE_SZ

/* The domain the tests create regions in (huge and gigantic mounted). */
extern char gn_domain[ 256 ];

/* Checks the machine (root with FDSHMEM_TEST_PRIVILEGED=1, nodes 0 and
   1 each with a cpu and both pools), takes the machine lock, saves
   every node's pools, empties them, and makes gn_domain; all undone at
   exit.  Returns 0, FDT_SKIP (reason printed) or 1. */
int    gn_setup( void );

/* A clean slate, for the start of each test (a failed test may have
   left regions and pools behind): every region of gn_domain removed,
   every node's pools emptied. */
void   gn_clean( void );

/* Lowest cpu of node (sysfs cpulist), or -1 when it has none. */
long   gn_node_cpu( size_t node );

/* Sets node's pool of page_sz pages to cnt (fails the test if the
   kernel gives fewer).  gn_pool_free: its free pages. */
void   gn_pool_set ( size_t page_sz, size_t node, long cnt );
long   gn_pool_free( size_t page_sz, size_t node );
/* Pages of page_sz reserved for mappings but not yet faulted (all nodes). */
long   gn_pool_resv( size_t page_sz );

/* Node of the page holding addr, asked of move_pages(2) directly
   (query mode), or a negative errno status. */
int    gn_page_node( void const * addr );

/* Fails the test unless the first and last byte of every page of
   [mem, mem+page_cnt*page_sz) are on node, by move_pages(2). */
void   gn_expect_on_node( void const * mem, size_t page_sz, size_t page_cnt, int node );

/* Files (regions and leftovers) in gn_domain's page-type directory. */
int    gn_entry_cnt( size_t page_sz );

/* Makes SIGBUS end the process with a message and exit status 99,
   failing the test. */
void   gn_sigbus_fails( void );

#endif /* FDSHMEM_TESTS_GUEST_NUMA_FIXTURE_H */
