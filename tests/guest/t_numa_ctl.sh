#!/bin/sh
# fd_shmem_ctl in a guest of two nodes: topology, pools per node, a
# config's "all" and per-node lines, shrinks refused where pages are in
# use (tests/guest/numa_ctl.sh).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
numa_guest 2 sh ./numa_ctl.sh 2
