#!/bin/sh
# A page size the kernel does not offer, run as root inside a QEMU guest
# whose CPU lacks pdpe1gb (tests/guest/t_nogiga.sh); busybox sh.
# alloc and free of gigantic pages are refused before anything is
# written, once, in the library's words: no 1 GiB pages without the CPU
# flag, and what the kernel offers instead.
# shellcheck source=tests/guest/checks.sh
. "$(dirname "$0")/checks.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if grep -qw pdpe1gb /proc/cpuinfo || [ -e /sys/kernel/mm/hugepages/hugepages-1048576kB ]; then
  fail "the guest's CPU has pdpe1gb, or its kernel 1 GiB pages: $(ls /sys/kernel/mm/hugepages)"; exit 1
fi
pools=$(cat /sys/devices/system/node/node*/hugepages/*/nr_hugepages)

# refused NODE TYPE ARGS...: the tool run with ARGS fails (exit 1) with
# one line of stderr that names TYPE and gives the library's cause and
# remedy for NODE
refused() {
  node=$1 type=$2; shift 2
  checks=$((checks + 2))
  "$CTL" "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" = 1 ] || fail "fd_shmem_ctl $*: exit $got, want 1"
  if ! grep -Eq "^fd_shmem_ctl: $*: TYPE \"$type\": node $node: no pool of gigantic pages of 1\.0 GiB: the CPU \
has no 1 GiB pages: pdpe1gb is not among the flags of /proc/cpuinfo \(a virtual machine needs its host to pass the \
flag through, as QEMU's -cpu host does\); the kernel offers 2\.0 MiB\$" "$tmp/err" || [ "$(wc -l <"$tmp/err")" != 1 ]
  then
    fail "fd_shmem_ctl $*: not the library's cause, once:"; cat "$tmp/err"
  fi
}
refused 0 gigantic alloc 1 gigantic 0
refused 1 1G free 1G 1
checks=$((checks + 1))
[ "$(cat /sys/devices/system/node/node*/hugepages/*/nr_hugepages)" = "$pools" ] || fail "a pool changed"

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
