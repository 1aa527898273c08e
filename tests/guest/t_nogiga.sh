#!/bin/sh
# A page size the kernel lacks: gigantic pages in a guest of two nodes
# whose CPU has no pdpe1gb flag (tests/guest/nogiga.sh).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
cp "$top_srcdir/tests/guest/nogiga.sh" "$stage/" || exit 99
"$top_srcdir/tests/guest/run" --nodes 2 --timeout 900 --qemu-arg -cpu --qemu-arg max,-erms,-pdpe1gb "$stage" -- \
  sh ./nogiga.sh
