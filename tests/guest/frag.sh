#!/bin/sh
# A hugepage shortfall from fragmentation, run as root inside a QEMU
# guest of two nodes (tests/guest/t_frag.sh); busybox sh.
# With vm.compact_unevictable_allowed=0, frag_node leaves node 1 with
# much free memory and no free block of order 9 that compaction can
# make; alloc of 2 MiB pages there must then name that cause (from
# /proc/buddyinfo) and its remedy once, show its compaction attempts,
# and put the pool back.  Once the memory is let go, the same alloc
# succeeds.  The sysctl and node 1's pool are restored at the end.
# shellcheck source=tests/guest/checks.sh
. "$(dirname "$0")/checks.sh"
sysnode=/sys/devices/system/node
pool=$sysnode/node1/hugepages/hugepages-2048kB/nr_hugepages
unevictable=/proc/sys/vm/compact_unevictable_allowed
if [ ! -e "$pool" ] || [ ! -e "$unevictable" ]; then
  echo "SKIP: needs node 1 with 2 MiB pages, and $unevictable"; exit 77
fi
exec 9>/tmp/fdshmem-test.lock
flock 9 2>/dev/null || true

tmp=$(mktemp -d)
pool_was=$(cat "$pool") unevictable_was=$(cat "$unevictable") holder=
release() {  # closes frag_node's stdin: it exits and its memory is free
  [ -n "$holder" ] || return 0
  exec 8>&-
  wait "$holder"
  holder=
}
restore() {
  release
  echo "$unevictable_was" >"$unevictable"
  echo "$pool_was" >"$pool"
  rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 1' HUP INT TERM

# has FILE REGEX [COUNT]: lines of FILE matching (COUNT of them, default at least one)
has() {
  checks=$((checks + 1))
  n=$(grep -Ec -- "$2" "$1")
  if [ -n "${3:-}" ]; then [ "$n" = "$3" ]; else [ "$n" -ge 1 ]; fi ||
    { fail "$(basename "$1") has $n lines matching /$2/, want ${3:-some}:"; cat "$1"; }
}

# ---- fragment node 1: free memory, but no free block of order 9 ----
echo 0 >"$unevictable"  # locked pages stay where they are
mkfifo "$tmp/hold"
./frag_node 1 <"$tmp/hold" >"$tmp/frag" 2>&1 &
holder=$!
exec 8>"$tmp/hold"
waited=0
until grep -q '^ready' "$tmp/frag"; do
  if ! kill -0 "$holder" 2>/dev/null || [ "$waited" -ge 300 ]; then
    cat "$tmp/frag"; fail "frag_node did not get ready"; exit 1
  fi
  sleep 1; waited=$((waited + 1))
done
cat "$tmp/frag"
grep -q "^ready: .* 0 free blocks of order >= 9" "$tmp/frag" ||
  { fail "node 1 kept free blocks of order 9 or more"; exit 1; }
grep '^Node 1,' /proc/buddyinfo

# ---- the shortfall: its cause and remedy, once; the pool put back ----
# More pages than the kernel can make: draining its per-cpu lists and
# compacting can still complete a block or two.
pages=32
run 1 alloc "$pages" huge 1
cat "$tmp/err"
has "$tmp/err" "node 1: [0-9]+ of $pages huge pages so far; compacting memory, attempt 3 of 3\$"
has "$tmp/err" "only [0-9]+ of $pages huge pages could be reserved on node 1; the pool was put back to $pool_was" 1
has "$tmp/err" "the node has [0-9.]+ [GM]iB free, but its free blocks of order 9 \(2\.0 MiB\) or larger \
\(/proc/buddyinfo\) hold only [0-9]+ pages?, not the [0-9]+ missing: its free memory is fragmented, and 3 compactions \
did not join enough of it\); compact memory and try again later \(sysctl -w vm\.compact_memory=1\), ask for a smaller \
count, or reserve them at boot instead \(fd_shmem_ctl kernel-cmdline prints the parameters\), on the kernel command \
line, per node \(node:count\): hugepagesz=2M hugepages=(.*,)?1:$pages"
has "$tmp/err" "fragmented" 1
checks=$((checks + 1))
[ "$(cat "$pool")" = "$pool_was" ] || fail "node 1's pool is $(cat "$pool") after the shortfall, want $pool_was"

# ---- the memory let go: the same pages can be had ----
release
run 0 alloc "$pages" huge 1
has "$tmp/err" "node 1 now has $pages huge pages"
run 0 alloc "$pool_was" huge 1

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
