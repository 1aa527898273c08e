#!/bin/sh
# The privileged test programs and tool scripts of `make check`, unchanged,
# as root in a guest of two NUMA nodes (3 GiB and one cpu each) where 2 MiB
# and 1 GiB pages can be reserved on either node (tests/guest/suites.sh).
: "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top_srcdir/tests/guest/stage.sh" "$tmp/t" || exit 99
"$top_srcdir/tests/guest/run" --timeout 400 "$tmp/t" -- sh tests/guest/suites.sh
