#ifndef FDSHMEM_TESTS_FDT_CLOCK_H
#define FDSHMEM_TESTS_FDT_CLOCK_H

/* The clock of the tests and the benchmarks: one header without Check,
   so bench/ includes it too.  (examples/ keeps its own: the demo is a
   program for users to read and copy, built with the public header
   alone.) */

#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
static inline double
fdt_now_ns( void ) {
  struct timespec ts;
  clock_gettime( CLOCK_MONOTONIC, &ts );
  return (double)ts.tv_sec*1e9 + (double)ts.tv_nsec;
}

#endif /* FDSHMEM_TESTS_FDT_CLOCK_H */
