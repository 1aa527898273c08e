#!/bin/sh
# fd_shmem_ctl's fini, init, apply, alloc and reset killed at every step
# and after stepped delays, in a guest of two nodes (tests/guest/kill.sh,
# which kills them through the host's strace, copied in).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
strace=$(command -v strace) || { echo "SKIP: no strace (apt-get install strace)"; exit 77; }
mkdir -p "$stage/bin" && cp "$strace" "$stage/bin/" && cp "$top_srcdir/tests/guest/kill.sh" "$stage/" || exit 99
numa_guest 2 sh ./kill.sh
