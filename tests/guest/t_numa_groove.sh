#!/bin/sh
# The groove volume pool over one gigantic volume per node, shared by two
# programs, in a guest of two nodes (tests/guest/numa_groove.c).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
numa_guest 2 ./numa_groove
