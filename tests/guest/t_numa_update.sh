#!/bin/sh
# Updates that move a region's pages between nodes, in a guest of two
# nodes (tests/guest/numa_update.c).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
numa_guest 2 ./numa_update
