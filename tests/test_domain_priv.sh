#!/bin/sh
# fd_shmem_ctl against hostile and damaged domains, as root: symbolic
# links at every level, a plain directory, a bind mount of another
# tmpfs, a hugetlbfs of the wrong page size, a working directory, an
# open descriptor and a deleted-but-mapped region holding a mount, an
# unmount that fails half way, and --dry-run of every command.  Nothing
# outside a domain may change, and a refusal changes nothing.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
HOLD="$top_builddir/tests/fdt_hold"
dom=$(mktemp -u /tmp/fdshmem-dom.XXXXXX)
export FD_SHMEM_PATH="$dom"
gigantic=/sys/kernel/mm/hugepages/hugepages-1048576kB
pids=

restore() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  awk -v d="$dom/" -v t="$tmp/" 'index($2, d) == 1 || index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
    while IFS= read -r m; do
      umount -l "$m"
    done
  rm -rf "$dom" "$tmp"
  echo "$pool_before" > "$pool"
}
trap restore EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
intact() {  # intact DIR: the victim files are all still there
  checks=$((checks + 1))
  { [ -f "$1/keep1" ] && [ -f "$1/keep2" ]; } || fail "files outside the domain were removed from $1"
}
err_has() {
  checks=$((checks + 1))
  grep -Eq -- "$1" "$tmp/err" || { fail "stderr lacks /$1/:"; cat "$tmp/err"; }
}
mounted() { grep -q " $1 $2 " /proc/mounts; }

victim="$tmp/victim"
mkdir "$victim" && touch "$victim/keep1" "$victim/keep2"

# 1. .normal a symbolic link to a directory: reset and fini refuse
mkdir "$dom" && ln -s "$victim" "$dom/.normal"
expect 1 "" "reset: $dom is not a domain: $dom/.normal is not a directory" -- reset
intact "$victim"
expect 1 "" "fini: $dom is not a domain: $dom/.normal is not a directory" -- fini
intact "$victim"
expect 1 "" "not a directory" -- --dry-run reset
[ -L "$dom/.normal" ] || fail "a refused fini removed the link"

# 2. a plain directory that is not a mount
rm "$dom/.normal" && mkdir "$dom/.normal" && touch "$dom/.normal/keep1" "$dom/.normal/keep2"
expect 1 "" "reset: $dom is not a domain: $dom/.normal is not mounted" -- reset
intact "$dom/.normal"

# 3. a bind mount of another tmpfs (its own files must survive)
other="$tmp/other"
mkdir "$other" && mount -t tmpfs fdshmem-test-other "$other" && touch "$other/keep1" "$other/keep2"
rm -rf "$dom/.normal" && mkdir "$dom/.normal" && mount --bind "$other" "$dom/.normal"
expect 1 "" "reset: $dom is not a domain: $dom/.normal is a bind mount" -- reset
intact "$other"
expect 1 "" "fini: $dom is not a domain: $dom/.normal is a bind mount" -- fini
intact "$other"
mounted "$dom/.normal" tmpfs || fail "a refused fini unmounted the bind mount"
umount "$dom/.normal" && rmdir "$dom/.normal" "$dom" && umount "$other"

# 4. a real domain named through a symbolic link
expect 0 "" "" -- --quiet init 700 root root
ln -s "$dom" "$tmp/link"
expect 1 "" "reset: $tmp/link is a symbolic link or not a directory; name the domain itself" -- --shmem-path "$tmp/link" reset
expect 1 "" "symbolic link" -- --shmem-path "$tmp/link" fini
mounted "$dom/.normal" tmpfs || fail "fini through a link touched the domain"

# 4b. a path that reaches the domain through "." or ".." is refused
expect 2 "" "an absolute directory path \(no . or .. in it\) is needed" -- --shmem-path "$tmp/link/." fini
expect 2 "" "no . or .. in it" -- --shmem-path "$dom/../$(basename "$dom")" reset
mounted "$dom/.normal" tmpfs || fail "a refused path touched the domain"

# 5. a link inside a page type is removed itself, never followed
expect 0 "" "" -- --quiet create r 2 normal 0 600
ln -s "$victim/keep1" "$dom/.normal/evil"
expect 0 "would: unlink region r \(normal, 2 pages\)" "" -- --dry-run reset
[ -e "$dom/.normal/r" ] || fail "--dry-run reset removed a region"
mkdir "$dom/.normal/adir"
touch "$dom/.normal/$(printf 'evil\nwould: unlink region FAKE')"
expect 0 "would: leave the directory adir \(not a region\)" "" -- --dry-run reset
! grep -q "^would: unlink region FAKE" "$tmp/out" || fail "a file name forged a line of output"
checks=$((checks + 1))
grep -qF 'would: unlink file evil\x0awould: unlink region FAKE (not a valid region)' "$tmp/out" || fail "the forged name is not shown escaped"
expect 0 "" "reset: left the directory $dom/.normal/adir \(not a region\)" -- reset
rmdir "$dom/.normal/adir"
intact "$victim"
{ [ ! -e "$dom/.normal/r" ] && [ ! -L "$dom/.normal/evil" ]; } || fail "reset left files in the domain"

# 6-8. holders of a mount: fini refuses, names each, changes nothing
expect 0 "" "" -- --quiet alloc $((pool_before + 2)) huge 0 create r 1 normal 0 600 create big 1 huge 0 600
( cd "$dom/.normal" && exec sleep 600 ) &
cwd_pid=$!; pids="$pids $cwd_pid"
( exec 7<"$dom/.normal/r"; exec sleep 600 ) &
fd_pid=$!; pids="$pids $fd_pid"
mkfifo "$tmp/fifo"
"$HOLD" big <"$tmp/fifo" >"$tmp/hold" &
hold_pid=$!; pids="$pids $hold_pid"
exec 8>"$tmp/fifo"
wait_ready "$tmp/hold"
expect 0 "" "" -- --quiet unlink big huge   # the name goes; the mapping stays "(deleted)"
expect 1 "" "fini: $dom is in use by 3 processes \(above\); nothing was changed" -- fini
err_has "fini: pid $cwd_pid \(sleep\) has its working directory in $dom/.normal"
err_has "fini: pid $fd_pid \(sleep\) has descriptor 7 open on $dom/.normal/r"
err_has "fini: pid $hold_pid \((lt-)?fdt_hold\) maps $dom/.huge/big \(deleted\)"
expect 1 "" "in use by 3 processes" -- --dry-run fini
{ mounted "$dom/.normal" tmpfs && mounted "$dom/.huge" hugetlbfs && [ -e "$dom/.normal/r" ]; } ||
  fail "a refused fini changed the domain"
kill $cwd_pid $fd_pid; exec 8>&-; wait $cwd_pid $fd_pid $hold_pid 2>/dev/null; pids=

# a thread with a working directory of its own (unshare CLONE_FS)
: >"$tmp/hold"  # else wait_ready may see the last holder's "ready" before this one's shell truncates it
"$HOLD" --cwd "$dom/.huge" <"$tmp/fifo" >"$tmp/hold" &
hold_pid=$!; pids="$hold_pid"
exec 8>"$tmp/fifo"
wait_ready "$tmp/hold"
expect 1 "" "fini: $dom is in use by 1 process \(above\); nothing was changed" -- fini
err_has "fini: pid $hold_pid \((lt-)?fdt_hold\) has its working directory in $dom/.huge"
exec 8>&-; wait $hold_pid 2>/dev/null; pids=

# 9. --dry-run changes nothing and says what would be done
expect 0 "would: set node 0 huge pages to $((pool_before + 5))" "" -- --dry-run alloc $((pool_before + 5)) huge 0
[ "$(cat "$pool")" = $((pool_before + 2)) ] || fail "--dry-run alloc changed the pool"
expect 0 "would: set node 0 huge pages to 0 \(now $((pool_before + 2))\)" "" -- --dry-run free huge 0
[ "$(cat "$pool")" = $((pool_before + 2)) ] || fail "--dry-run free changed the pool"
expect 1 "" "already exists" -- --dry-run init 700 root root
expect 0 "would: init domain $tmp/new" "^fd_shmem_ctl: --shmem-path $tmp/new overrides FD_SHMEM_PATH=$dom\$" -- \
  --shmem-path "$tmp/new" --dry-run init 700 root root
[ ! -e "$tmp/new" ] || fail "--dry-run init made the domain"
expect 1 "" "init 700 root root: cannot make $tmp/no/new in $tmp/no: No such file or directory" -- --shmem-path "$tmp/no/new" --dry-run init 700 root root
expect 0 "would: unmount and remove domain $dom" "" -- --dry-run fini
{ mounted "$dom/.normal" tmpfs && [ -e "$dom/.normal/r" ]; } || fail "--dry-run fini changed the domain"

# 10. a file system mounted inside a page type would make an unmount
# fail half way: found first, nothing changed (the put-back itself is
# tested with an injected failure in test_domain_admin)
mkdir "$dom/.huge/sub" && mount -t tmpfs fdshmem-test-sub "$dom/.huge/sub"
expect 1 "" "fini: 1 file system is mounted inside $dom/.huge \($dom/.huge/sub\); unmount it first; nothing was changed" -- fini
expect 1 "" "mounted inside" -- --dry-run fini
{ mounted "$dom/.normal" tmpfs && mounted "$dom/.huge" hugetlbfs && [ -e "$dom/.normal/r" ]; } ||
  fail "a refused fini changed the domain"
umount "$dom/.huge/sub" && rmdir "$dom/.huge/sub"

expect 0 "" "" -- --quiet reset free huge 0

# 11. a .gigantic of the wrong page size is no domain to fini
if [ -d "$gigantic" ] && [ -d "$dom/.gigantic" ]; then
  umount "$dom/.gigantic" && mount -t hugetlbfs -o pagesize=2M fdshmem-test "$dom/.gigantic"
  expect 1 "" "fini: $dom is not a domain: $dom/.gigantic is a hugetlbfs mount of the wrong page size" -- fini
  expect 0 "\.gigantic +a hugetlbfs mount of the wrong page size" "" -- query
  umount "$dom/.gigantic"
fi

# 11a. a domain reached through a linked parent directory: the report
# still counts the processes that map a region (by device and inode,
# not by the path /proc shows, which is the resolved one)
ln -s "$(dirname "$dom")" "$tmp/parent"
via="$tmp/parent/$(basename "$dom")"
"$CTL" --quiet create r 2 normal 0 600
: >"$tmp/hold"  # else wait_ready may see the last holder's "ready" before this one's shell truncates it
"$HOLD" r <"$tmp/fifo" >"$tmp/hold" &
hold_pid=$!; pids="$hold_pid"
exec 8>"$tmp/fifo"
wait_ready "$tmp/hold"
expect 0 "^r +normal +2 +8192 +root +root 0600 +1$" \
  "^fd_shmem_ctl: --shmem-path $via overrides FD_SHMEM_PATH=$dom\$" -- \
  --shmem-path "$via" query
exec 8>&-; wait $hold_pid 2>/dev/null; pids=
"$CTL" --quiet unlink r normal

# 11b. a domain directory that is itself a mount point could not be
# removed after its page types are gone: refused first
mdom="$tmp/mdom"
mkdir "$mdom" && mount -t tmpfs fdshmem-test-mdom "$mdom" && mkdir "$mdom/.normal" && mount -t tmpfs fdshmem-test "$mdom/.normal"
expect 1 "" "fini: $mdom is not a domain: it is itself a mount point \(tmpfs\)[^;]*; nothing was changed" -- \
  --shmem-path "$mdom" fini
mounted "$mdom/.normal" tmpfs || fail "fini of a mount-point domain unmounted something"
umount "$mdom/.normal" && umount "$mdom" && rmdir "$mdom"

# 12. a damaged domain (page types unmounted by hand) is taken down
umount "$dom/.huge"
expect 0 "\.huge +not mounted" "" -- query
expect 1 "" "reset: $dom is not a domain: $dom/.huge is not mounted" -- reset
expect 0 "" "removed domain $dom" -- fini
[ ! -e "$dom" ] || fail "fini left the damaged domain"
finish
