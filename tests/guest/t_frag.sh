#!/bin/sh
# A shortfall of 2 MiB pages on a node whose free memory is fragmented,
# in a guest of two nodes (tests/guest/frag.sh, tests/guest/frag_node.c).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
cp "$top_builddir/tests/guest/frag_node" "$top_srcdir/tests/guest/frag.sh" "$stage/" || exit 99
numa_guest 2 sh ./frag.sh
