#!/bin/sh
# Four nodes, two of them memory only: the tool and the library say "-"
# and (size_t)-1 for a node without cpus, and the pools of every node
# are reached (numa_ctl.sh 4, numa_place's topology case).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
numa_guest 4 sh -c './numa_ctl.sh 4 && CK_RUN_CASE=topology ./numa_place'
