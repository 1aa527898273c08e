#!/bin/sh
# fd_shmem_ctl apply and check, as root, on a temporary path with a
# scratch file: from nothing, again (no change), after manual changes
# (repaired), an impossible request, --dry-run, check's exit codes.
if [ "$(id -u)" != 0 ] || [ "${FDSHMEM_TEST_PRIVILEGED:-}" != 1 ]; then
  echo "SKIP: needs root and FDSHMEM_TEST_PRIVILEGED=1"; exit 77
fi
. "$top_srcdir/tests/ctl_lib.sh"
pool=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
[ -e "$pool" ] || { echo "SKIP: no 2 MiB pages on node 0"; exit 77; }

exec 9>/tmp/fdshmem-test.lock
flock 9
dom=$(mktemp -u /tmp/fdshmem-apply.XXXXXX)
pool_before=$(cat "$pool")
restore() {
  for m in $(awk -v d="$dom/" 'index($2, d) == 1 { print $2 }' /proc/mounts); do umount -l "$m"; done
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
expect 0 "would: init domain $dom" "" -- --dry-run apply "$conf"
out_has "^would: set node 0 huge pages to $want"
[ ! -e "$dom" ] && [ "$(cat "$pool")" = "$pool_before" ] || { echo "FAIL: --dry-run changed something"; fails=$((fails + 1)); }
expect 0 "^apply: init domain $dom" "" -- --quiet apply "$conf"
out_has "^apply: set node 0 huge pages to $want"
[ "$(stat -c '%a %G' "$dom")" = "750 nogroup" ] || { echo "FAIL: domain owner/mode"; fails=$((fails + 1)); }
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: pool not set"; fails=$((fails + 1)); }
expect 0 "^nothing to do: the machine matches" "" -- apply "$conf"
expect 0 "^ok: the machine matches" "" -- check "$conf"

# manual changes are found by check and repaired by apply
chmod 777 "$dom"
echo "$pool_before" > "$pool"
expect 1 "^differs: set owner root:nogroup and mode 0750 on $dom" "differs from .* in 2 ways" -- check "$conf"
out_has "^differs: set node 0 huge pages to $want"
expect 0 "^apply: set owner" "" -- --quiet apply "$conf"
out_has "^apply: set node 0 huge pages to $want \(now $pool_before\)"
expect 0 "^ok:" "" -- check "$conf"

# a page type that is not mounted is reported, never silently accepted
umount "$dom/.normal"
expect 1 "^differs: normal page directory is not a tmpfs mount" "differs from" -- check "$conf"
expect 1 "^(apply: set owner|$)" "cannot fix now: normal page directory is not a tmpfs mount" -- --quiet apply "$conf"
mount -t tmpfs -o mode=0750 fdshmem-test "$dom/.normal" && chgrp nogroup "$dom/.normal"
expect 0 "^ok:" "" -- check "$conf"

# a pool in use is never shrunk: reported, the rest still done
"$CTL" --quiet --shmem-path "$dom" create held 1 huge 0 600
sed -i "s/^pages = huge 0 $want/pages = huge 0 0/" "$conf"
expect 1 "" "cannot fix now: node 0: 1 huge pages in use" -- apply "$conf"
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: a pool in use shrank"; fails=$((fails + 1)); }
"$CTL" --quiet --shmem-path "$dom" reset

# an impossible request fails clearly and leaves the pool as it was
# (the library refuses it with E2BIG before writing anything)
sed -i "s/^pages = huge 0 0/pages = huge 0 100000000/" "$conf"
expect 1 "apply: set node 0 huge pages to 100000000" "set node 0 huge pages to 100000000.*: (.*huge pages are .*; the node has|Argument list too long)" -- apply "$conf"
[ "$(cat "$pool")" = "$want" ] || { echo "FAIL: a failed reservation was not rolled back"; fails=$((fails + 1)); }

# bad files change nothing and name the line
printf 'path = %s\npages = huge 7 1\n' "$dom" >"$conf"
expect 1 "" "fdshmem.conf:2: node 7 does not exist" -- apply "$conf"
expect 1 "" "cannot read" -- apply "$tmp/missing.conf"

"$CTL" --quiet --shmem-path "$dom" fini
finish
