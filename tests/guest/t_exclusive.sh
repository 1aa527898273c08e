#!/bin/sh
# Exclusive pages in a guest of two nodes: with exclusive = yes an outside
# mapping is refused on each node while the domain's creates on each node
# are served; the reservation outlives its regions; exclusive = no
# releases it (tests/guest/exclusive.sh, 8 pages a node).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
real=$top_builddir/tests/.libs/outside_map  # the binary behind libtool's wrapper
[ -f "$real" ] || real=$top_builddir/tests/outside_map
cp "$real" "$top_srcdir/tests/guest/exclusive.sh" "$stage/" || exit 99
numa_guest 2 sh ./exclusive.sh 8
