#!/bin/sh
# fd_shmem_ctl apply and check, as root, on a temporary path with a
# scratch file: from nothing, again (no change), after manual changes
# (repaired), an impossible request, --dry-run, check's exit codes, and
# check --json beside the text form.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
dom=$(mktemp -u /tmp/fdshmem-apply.XXXXXX)
restore() {
  awk -v d="$dom/" 'index($2, d) == 1 { print $2 }' /proc/mounts | while IFS= read -r m; do umount -l "$m"; done
  awk -v d="$tmp/" 'index($2, d) == 1 { print $2 }' /proc/mounts | while IFS= read -r m; do umount -l "$m"; done
  rm -rf "$dom" "$tmp"
  echo "$pool_before" > "$pool"
}
trap restore EXIT

want=$((pool_before + 3))
conf="$tmp/fdshmem.conf"
cat >"$conf" <<CONF
path  = $dom
mode  = 0750
group = nogroup
pages = huge 0 $want
CONF

expect 1 "differs: init domain $dom" "differs from" -- check "$conf"
check_json_agrees "domain-missing pool" check "$conf"
pool_json="\"kind\": \"pool\", \"node\": 0, \"page_type\": \"huge\", \"wanted\": $want, \"present\": $pool_before"
out_has "^    \{ $pool_json, "
expect 0 "would: init domain $dom" "" -- --dry-run apply "$conf"
out_has "^would: set node 0 huge pages to $want"
{ [ ! -e "$dom" ] && [ "$(cat "$pool")" = "$pool_before" ]; } ||
  { echo "FAIL: --dry-run changed something"; fails=$((fails + 1)); }
expect 0 "^apply: init domain $dom" "" -- --quiet apply "$conf"
out_has "^apply: set node 0 huge pages to $want"
[ "$(stat -c '%a %G' "$dom")" = "750 nogroup" ] || { echo "FAIL: domain owner/mode"; fails=$((fails + 1)); }
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: pool not set"; fails=$((fails + 1)); }
expect 0 "^nothing to do: the machine matches" "" -- apply "$conf"
expect 0 "^ok: the machine matches" "" -- check "$conf"
check_json_agrees "" check "$conf"

# manual changes are found by check and repaired by apply
chmod 777 "$dom"
echo "$pool_before" > "$pool"
expect 1 "^differs: set owner root:nogroup and mode 0750 on $dom" "differs from .* in 2 ways" -- check "$conf"
out_has "^differs: set node 0 huge pages to $want"
check_json_agrees "owner pool" check "$conf"
out_has "\"kind\": \"owner\", \"wanted\": \"root:nogroup 0750\", \"present\": \"0:[0-9]+ 0777\""
expect 0 "^apply: set owner" "" -- --quiet apply "$conf"
out_has "^apply: set node 0 huge pages to $want \(now $pool_before\)"
expect 0 "^ok:" "" -- check "$conf"

# a page type whose mount is gone is mounted again (nothing can be using
# a mount that is not there), with the domain's owner and mode
umount "$dom/.normal"
expect 1 "^differs: mount .normal in $dom" "differs from" -- check "$conf"
check_json_agrees "mount owner" check "$conf"
out_has "\"kind\": \"mount\", \"page_types\": \[\"normal\"\], \"wanted\": \"mounted\", \"present\": \"not mounted\""
expect 0 "^apply: mount .normal in $dom" "" -- --quiet apply "$conf"
grep -q " $dom/.normal tmpfs " /proc/mounts || { echo "FAIL: apply did not mount .normal"; fails=$((fails + 1)); }
expect 0 "^ok:" "" -- check "$conf"

# a wrong page size is reported, never remounted live; the rest is done
if [ -e /sys/kernel/mm/hugepages/hugepages-1048576kB ]; then
  umount "$dom/.huge" && mount -t hugetlbfs -o pagesize=1G fdshmem-test "$dom/.huge"
  echo "$pool_before" > "$pool"
  expect 1 "^differs: $dom/.huge is a hugetlbfs mount of the wrong page size" "differs from" -- check "$conf"
  check_json_agrees "owner pool mount-wrong" check "$conf"
  expect 1 "^apply: set node 0 huge pages to $want" "not done: $dom/.huge is a hugetlbfs mount of the wrong page size" -- --quiet apply "$conf"
  [ "$(cat "$pool")" = "$want" ] || { echo "FAIL: apply stopped at the wrong mount"; fails=$((fails + 1)); }
  grep -q " $dom/.huge hugetlbfs .*pagesize=1024M" /proc/mounts || { echo "FAIL: the wrong mount was touched"; fails=$((fails + 1)); }
  expect 1 "" "fini: $dom is not a domain: $dom/.huge is a hugetlbfs mount of the wrong page size" -- --shmem-path "$dom" fini
  umount "$dom/.huge"
  expect 0 "^apply: mount .huge in $dom" "" -- --quiet apply "$conf"
  expect 0 "^ok:" "" -- check "$conf"
fi

# every line is attempted: a gigantic line the machine cannot meet does
# not keep the huge pages from being reserved
printf 'path = %s\nmode = 0750\ngroup = nogroup\npages = gigantic 0 100000\npages = huge 0 %s\n' "$dom" "$want" >"$conf.two"
echo "$pool_before" > "$pool"
expect 1 "^apply: set node 0 huge pages to $want" "not done: .*gigantic" -- --quiet apply "$conf.two"
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: apply gave up before the huge line"; fails=$((fails + 1)); }

# a pool in use is never shrunk: reported, the rest still done
"$CTL" --quiet --shmem-path "$dom" create held 1 huge 0 600
sed -i "s/^pages = huge 0 $want/pages = huge 0 0/" "$conf"
check_json_agrees "pool-in-use" check "$conf"
expect 1 "" "not done: node 0: huge pages in use; the pool cannot go down to 0" -- apply "$conf"
# ... naming the region that holds them, in the file's domain (not the current one)
expect 1 "^differs: node 0: huge pages in use" "huge regions: held \(1 page\)" -- check "$conf"
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: a pool in use shrank"; fails=$((fails + 1)); }
"$CTL" --quiet --shmem-path "$dom" reset

# an impossible request fails clearly and leaves the pool as it was
# (the library refuses it with E2BIG before writing anything)
sed -i "s/^pages = huge 0 0/pages = huge 0 100000000/" "$conf"
check_json_agrees "pool-too-large" check "$conf"
expect 1 "" "node 0: 100000000 huge pages need .*, more than the node's .* of memory" -- apply "$conf"
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: a failed reservation was not rolled back"; fails=$((fails + 1)); }

# bad files change nothing and name the line
printf 'path = %s\npages = huge 7 1\n' "$dom" >"$conf"
expect 1 "" "fdshmem.conf:2: node 7 does not exist" -- apply "$conf"
expect 1 "" "cannot read" -- apply "$tmp/missing.conf"

expect 1 "" "cannot read $tmp: it is a directory" -- check "$tmp"
mkfifo "$tmp/fifo"
expect 1 "" "cannot read $tmp/fifo: not a regular file" -- check "$tmp/fifo"

# the file's path is for apply and check only: it never re-points the
# commands after them, and must agree with --shmem-path
printf 'path = %s/\nmode = 0750\ngroup = nogroup\n' "$dom" >"$conf"
"$CTL" --quiet --shmem-path "$dom" create keep 1 normal 0 600
expect 1 "" "fdshmem.conf:1: path $dom differs from $tmp/other named by the command line or FD_SHMEM_PATH; nothing was done" -- --shmem-path "$tmp/other" check "$conf"
expect 0 "^domain /mnt/.fd" "" -- check "$conf" query   # query is read-only: the default domain, not the file's
FD_SHMEM_PATH=/nonexistent/fd "$CTL" check "$conf" >/dev/null 2>&1 && { echo "FAIL: FD_SHMEM_PATH and the file disagree, yet check ran"; fails=$((fails + 1)); }
[ -e "$dom/.normal/keep" ] || { echo "FAIL: a command after check acted on the file's domain"; fails=$((fails + 1)); }
"$CTL" --quiet --shmem-path "$dom" unlink keep 0

# apply makes a domain only where there is none, or one already: never
# in a directory that holds other files
mkdir -p "$tmp/srv/data" && touch "$tmp/srv/data/file"
printf 'path = %s/srv\nmode = 0700\n' "$tmp" >"$tmp/srv.conf"
expect 1 "" "srv.conf: $tmp/srv exists but is not a domain: .*; nothing was done" -- apply "$tmp/srv.conf"
! grep -q " $tmp/srv/" /proc/mounts || { echo "FAIL: apply mounted in a directory that is no domain"; fails=$((fails + 1)); }
expect 1 "" "srv.conf: $tmp/srv exists but is not a domain" -- --quiet check "$tmp/srv.conf"

# an empty directory is made a domain, and its owner set after
mkdir "$tmp/empty" && chmod 755 "$tmp/empty"
printf 'path = %s/empty\nmode = 0700\ngroup = nogroup\n' "$tmp" >"$tmp/empty.conf"
expect 0 "^apply: mount .normal" "" -- --quiet apply "$tmp/empty.conf"
out_has "^apply: set owner root:nogroup and mode 0700 on $tmp/empty"
[ "$(stat -c '%a %G' "$tmp/empty/.normal")" = "700 nogroup" ] || { echo "FAIL: the repaired mount has the wrong owner"; fails=$((fails + 1)); }
expect 0 "^ok:" "" -- check "$tmp/empty.conf"
"$CTL" --quiet --shmem-path "$tmp/empty" fini

# the pool actions run shrinks first, then gigantic grows before huge ones
# (2 MiB pages taken first can split a node's only free, aligned GiB); headroom = 0: this is about order, not
# what the node keeps (a guest's node is small)
giant=/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages
if [ -e "$giant" ]; then
  echo "$pool_before" > "$pool"
  g_want=$(( $(cat "$giant") + 1 ))
  line_of() { grep -n -- "$1" "$tmp/out" | head -n 1 | cut -d: -f1; }
  printf 'path = %s/order\nheadroom = 0\npages = huge 0 %s\npages = gigantic 0 %s\n' "$tmp" "$((pool_before + 2))" "$g_want" \
    >"$tmp/order.conf"
  expect 0 "would: set node 0 gigantic pages to $g_want" "" -- --dry-run apply "$tmp/order.conf"
  checks=$((checks + 1))
  [ "$(line_of gigantic)" -lt "$(line_of 'huge pages')" ] || { echo "FAIL: a huge pool grown before a gigantic one:"; cat "$tmp/out"; fails=$((fails + 1)); }
  echo "$((pool_before + 2))" > "$pool"
  printf 'path = %s/order\nheadroom = 0\npages = huge 0 %s\npages = gigantic 0 %s\n' "$tmp" "$pool_before" "$g_want" \
    >"$tmp/order.conf"
  expect 0 "would: set node 0 huge pages to $pool_before \\(now $((pool_before + 2))\\)" "" -- --dry-run apply "$tmp/order.conf"
  checks=$((checks + 1))
  [ "$(line_of 'huge pages')" -lt "$(line_of gigantic)" ] || { echo "FAIL: a pool grown before another shrunk:"; cat "$tmp/out"; fails=$((fails + 1)); }
  echo "$pool_before" > "$pool"
  [ ! -e "$tmp/order" ] || { echo "FAIL: --dry-run made the domain"; fails=$((fails + 1)); }
fi

# a kernel without 1 GiB pages, as the tool sees it: a mount namespace of
# its own where /sys/kernel/mm/hugepages lists 2 MiB pages only (gone with
# the tool's exit).  An empty, unmounted .gigantic there is one apply
# cannot mount: query and apply say so, and what to do.
cat >"$tmp/no-giant" <<EOF
#!/bin/sh
exec unshare -m sh -c 'mount -t tmpfs fdshmem-test /sys/kernel/mm/hugepages &&
  mkdir /sys/kernel/mm/hugepages/hugepages-2048kB && exec "\$0" "\$@"' "$CTL" "\$@"
EOF
chmod +x "$tmp/no-giant"
with_ctl=$CTL CTL=$tmp/no-giant
mkdir -p "$tmp/nog/.gigantic"
expect 0 "problem: .gigantic is not mounted: reset and apply refuse the domain \(this kernel offers no such \
pages: remove the empty directory, or fini\)" "" -- --shmem-path "$tmp/nog" query
printf 'path = %s/nog\nmode = 0700\n' "$tmp" >"$tmp/nog.conf"
expect 1 "would: mount .normal" "not done: $tmp/nog/.gigantic is not mounted, and this kernel offers no gigantic \
pages to mount there \(remove the empty directory\)" -- --dry-run apply "$tmp/nog.conf"
checks=$((checks + 1))
grep -q "repair: $tmp/nog/.gigantic is not mounted, and the kernel offers no gigantic pages" "$tmp/err" ||
  { echo "FAIL: repair's reason for .gigantic:"; cat "$tmp/err"; fails=$((fails + 1)); }
CTL=$with_ctl
rm -rf "$tmp/nog" "$tmp/nog.conf"

# headroom: apply and alloc refuse, before anything, pools that would
# leave node 0 less than 1 GiB or 1/32 of it; headroom = SIZE lowers it.
# The real runs only once the dry runs refused (never reserve the node).
node_mib=$(( $(awk '/MemTotal/ { print $4 }' /sys/devices/system/node/node0/meminfo) / 1024 ))
giga_mib=$(( $(cat /sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages 2>/dev/null || echo 0) * 1024 ))
greedy=$(( (node_mib - giga_mib - 512) / 2 ))  # with the gigantic pages it has (reserved at boot in a guest)
echo "$pool_before" > "$pool"
printf 'path = %s\nmode = 0750\ngroup = nogroup\npages = huge 0 %s\n' "$dom" "$greedy" >"$tmp/greedy.conf"
refused="node 0: its pools would take [0-9]+ MiB of its $node_mib MiB, leaving [0-9]+ MiB, less than the [0-9]+ MiB it \
keeps for the kernel and programs \(1 GiB or 1/32 of the node, the larger\); set headroom = SIZE in"
expect 1 "" "apply $tmp/greedy.conf: $refused $tmp/greedy.conf to change that; nothing was done" \
  -- --dry-run apply "$tmp/greedy.conf"
if grep -q "nothing was done" "$tmp/err"; then
  expect 1 "" "apply $tmp/greedy.conf: $refused" -- apply "$tmp/greedy.conf"
  expect 1 "" "alloc $greedy huge 0: $refused" -- alloc "$greedy" huge 0
  checks=$((checks + 1))
  [ "$(cat "$pool")" = "$pool_before" ] || { echo "FAIL: a refused pool was written"; fails=$((fails + 1)); }
fi
cp "$tmp/greedy.conf" "$tmp/greedy.conf.strict"
printf 'headroom = 256M\n' >>"$tmp/greedy.conf"
expect 0 "^would: set node 0 huge pages to $greedy" "" -- --quiet --dry-run apply "$tmp/greedy.conf"
# check says so too: the pool to set, and the headroom it would break
check_json_agrees "pool headroom" check "$tmp/greedy.conf.strict"
# pools already there that leave node 0 less than the file's headroom:
# check reports it; apply, which sets the pools the file names and no
# other, cannot fix it and says so, changing nothing; exactly what they
# leave is enough
left=$(node_left 0)
for keep in "$left" $((left + (2 << 20))); do
  kinds=""
  for n in $(nodes_with_memory); do [ "$(node_left "$n")" -ge "$keep" ] || kinds="$kinds headroom"; done
  printf 'path = %s\nmode = 0750\ngroup = nogroup\nheadroom = %s\n' "$dom" "$keep" >"$tmp/keep.conf"
  check_json_agrees "${kinds# }" check "$tmp/keep.conf"
done
expect 1 "" "not done: node 0: its pools leave $((left >> 20)) MiB of its $node_mib MiB, less than the \
$(((left + (2 << 20)) >> 20)) MiB it keeps" -- apply "$tmp/keep.conf"
checks=$((checks + 1))
[ "$(cat "$pool")" = "$pool_before" ] || { echo "FAIL: apply changed a pool for the headroom"; fails=$((fails + 1)); }

"$CTL" --quiet --shmem-path "$dom" fini
finish
