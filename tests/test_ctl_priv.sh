#!/bin/sh
# The whole domain lifecycle with fd_shmem_ctl, as root, on a temporary
# path: init, alloc, create, query (text and JSON), refusals while a
# region is mapped, reset, free, fini.  The hugepage pool and the mounts
# are put back on every path.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
HOLD="$top_builddir/tests/fdt_hold"
dom=$(mktemp -u /tmp/fdshmem-ctl.XXXXXX)
export FD_SHMEM_PATH="$dom"
holder=

restore() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  awk -v d="$dom/" 'index($2, d) == 1 { print $2 }' /proc/mounts | while IFS= read -r m; do umount -l "$m"; done
  rm -rf "$dom" "$tmp" "$tmp.fifo"
  echo "$pool_before" > "$pool"
}
trap restore EXIT

want=$((pool_before + 4))
expect 1 "" "init 700 no-such-user-x root: USER \"no-such-user-x\": no such user" -- init 700 no-such-user-x root
[ ! -e "$dom" ] || { echo "FAIL: a refused init left $dom"; fails=$((fails + 1)); }
# the whole line is resolved before any of it runs: no pages are
# reserved for a line whose init names no such user, or whose second
# alloc no such node
more=$((pool_before + 2)) nodes=$("$CTL" numa-cnt)
pool_unchanged() {
  checks=$((checks + 1))
  [ "$(cat "$pool")" = "$pool_before" ] || { echo "FAIL: the pool went to $(cat "$pool")"; fails=$((fails + 1)); }
}
expect 1 "" "init 700 no-such-user-x root: USER \"no-such-user-x\": no such user" -- \
  alloc "$more" huge 0 init 700 no-such-user-x root
pool_unchanged
[ ! -e "$dom" ] || { echo "FAIL: a refused line left $dom"; fails=$((fails + 1)); }
expect 1 "" "alloc 1 huge $nodes: NUMA \"$nodes\": there is no NUMA node $nodes" -- \
  alloc "$more" huge 0 alloc 1 huge "$nodes"
pool_unchanged
expect 0 "" "initialized domain" -- init 700 root root
if [ ! -e /sys/kernel/mm/hugepages/hugepages-1048576kB ]; then
  grep -q "no gigantic pages; skipping" "$tmp/err" || { echo "FAIL: the gigantic skip was not reported"; fails=$((fails + 1)); }
  [ ! -e "$dom/.gigantic" ] || { echo "FAIL: .gigantic made without 1 GiB pages"; fails=$((fails + 1)); }
fi
grep -q " $dom/.normal tmpfs " /proc/mounts || { echo "FAIL: .normal is not a tmpfs mount"; fails=$((fails + 1)); }
grep -q " $dom/.huge hugetlbfs " /proc/mounts || { echo "FAIL: .huge is not a hugetlbfs mount"; fails=$((fails + 1)); }
[ "$(stat -c %a "$dom")" = 700 ] || { echo "FAIL: domain mode"; fails=$((fails + 1)); }
expect 1 "" "init 700 root root: .*already exists: it is a domain; nothing was changed" -- init 700 root root
[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "FAIL: the refusal was said more than once:"; cat "$tmp/err"; fails=$((fails + 1)); }

expect 1 "" "init 700 root no-such-group-x: GROUP" -- create early 1 normal 0 600 init 700 root no-such-group-x
[ ! -e "$dom/.normal/early" ] || { echo "FAIL: a refused line created a region"; fails=$((fails + 1)); }
expect 0 "" "node 0 now has $want huge pages" -- alloc "$want" huge 0
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: pool is $(cat "$pool"), want $want"; fails=$((fails + 1)); }
expect 0 "" "" -- --quiet create big 2 huge 0 600 create small 3 normal 0 640
expect 0 "big +huge +2 +4194304 +root +root 0600 +0" "" -- query
expect 0 "huge +0 +$want +$((want - 2)) " "" -- query
expect 0 "\"name\": \"small\"" "" -- --json query
json_ok "--json query"

# a process maps "big": shrinking and fini are refused, nothing changes
mkfifo "$tmp.fifo"
"$HOLD" big <"$tmp.fifo" >"$tmp/hold" &
holder=$!
exec 8>"$tmp.fifo"
wait_ready "$tmp/hold"
expect 0 "big +huge +2 +4194304 +root +root 0600 +1" "" -- query
expect 0 "\"processes\": 1" "" -- --json query
expect 1 "" "alloc 0 huge 0: .*in use" -- alloc 0 huge 0
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: a refused shrink changed the pool"; fails=$((fails + 1)); }
expect 1 "" "fini: $dom is in use by 1 process \(above\); nothing was changed" -- fini
grep -Eq "fini: pid $holder \((lt-)?fdt_hold\) maps $dom/.huge/big" "$tmp/err" || { echo "FAIL: fini did not name the holder"; cat "$tmp/err"; fails=$((fails + 1)); }
[ -e "$dom/.huge/big" ] || { echo "FAIL: a refused fini touched the domain"; fails=$((fails + 1)); }
exec 8>&-
wait "$holder"; holder=

expect 0 "" "" -- --quiet reset
expect 0 "no regions" "" -- query
expect 0 "" "node 0 now has $pool_before huge pages" -- free huge 0 alloc "$pool_before" huge 0
expect 0 "" "removed domain" -- fini
[ ! -e "$dom" ] || { echo "FAIL: fini left $dom"; fails=$((fails + 1)); }
expect 1 "" "fini: " -- fini

# an unprivileged user is told why init fails (the build tree may not be
# readable by nobody: run copies from a world-readable directory)
if command -v setpriv >/dev/null 2>&1; then
  checks=$((checks + 1))
  nb="$tmp/nobody"
  mkdir "$nb" && chmod 755 "$tmp" "$nb"
  cp "$top_builddir/src/ctl/.libs/fd_shmem_ctl" "$top_builddir"/src/lib/.libs/libfdshmem.so* "$nb/"
  if setpriv --reuid=nobody --regid=nogroup --clear-groups env LD_LIBRARY_PATH="$nb" \
       "$nb/fd_shmem_ctl" --shmem-path /mnt/fdshmem-nobody init 700 "" "" 2>"$tmp/err"; then
    echo "FAIL: init as nobody succeeded"; fails=$((fails + 1))
  elif ! grep -q "init 700 \"\" \"\": permission denied: run as root" "$tmp/err"; then
    echo "FAIL: init as nobody did not say why:"; cat "$tmp/err"; fails=$((fails + 1))
  fi
fi
finish
