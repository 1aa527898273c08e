#ifndef FDSHMEM_TESTS_POOL_KERNEL_H
#define FDSHMEM_TESTS_POOL_KERNEL_H

/* The kernel side of a fake sysfs tree, for test_pool (linked from the
   library's sources with -Wl,--wrap=write).  A plain file keeps any
   count written to it; the kernel gives only the pages it can find and
   frees only the pages nobody uses.  With a limit set, a write of N to
   a file named nr_hugepages stores min(N, limit), and a write to
   compact_memory is counted and may raise the limit (memory that was
   fragmented, now compacted); with a count kept, it stores at least
   that many. */

/* limit: most pages a write can reach (-1: no limit).  compacted: the
   limit after a compaction (-1: compaction does not help).  Also ends
   pool_kernel_keep. */
void pool_kernel_set( long limit, long compacted );

/* kept: fewest pages a write can leave (pages that came into use since
   the library looked; -1: none). */
void pool_kernel_keep( long kept );

/* Writes to compact_memory since the last pool_kernel_set. */
int  pool_kernel_compactions( void );

#endif /* FDSHMEM_TESTS_POOL_KERNEL_H */
