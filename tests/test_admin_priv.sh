#!/bin/sh
# The admin's experience as root, on a temporary domain: numeric owner
# ids, a node's pages line over an "all" line, pages already reserved
# (as at boot) taken as met, the gigantic remedy in check, mounts that
# follow the machine's memory, a create short of pages, "run as root"
# for apply, fini and alloc, the domain a later command works on,
# kernel-cmdline and the shipped config.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
dom=$(mktemp -u /tmp/fdshmem-admin.XXXXXX)
giga=/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages
# every pool of every node, put back at the end ("all" lines reach them all)
pools_saved=$(for f in /sys/devices/system/node/node*/hugepages/hugepages-*/nr_hugepages; do echo "$f $(cat "$f")"; done)
restore() {
  for d in "$dom/" "$dom.shipped/"; do
    awk -v d="$d" 'index($2, d) == 1 { print $2 }' /proc/mounts | while IFS= read -r m; do umount -l "$m"; done
  done
  rm -rf "$dom" "$dom.shipped" "$tmp"
  echo "$pools_saved" | while read -r f v; do echo "$v" > "$f"; done
}
trap restore EXIT
unset FD_SHMEM_PATH
conf="$tmp/fdshmem.conf"

# kernel-cmdline: the boot parameters for the config's pages (the forms
# per node are in test_conf); nothing on the machine changes
nodes=$("$CTL" numa-cnt)
mem_nodes=$(find /sys/devices/system/node/node*/hugepages -maxdepth 0 | wc -l)  # nodes with memory
mem_mib=$(awk '/MemTotal:/ { print int($4 / 1024) }' /sys/devices/system/node/node0/meminfo)  # node 0's
printf 'pages = gigantic all 1\npages = 2M all 3\n' >"$tmp/boot.conf"
expect 0 "^hugepagesz=1G hugepages=$mem_nodes hugepagesz=2M hugepages=$((3 * mem_nodes))\$" "grub" -- kernel-cmdline "$tmp/boot.conf"
expect 0 "" "reserves no pages" -- kernel-cmdline "$top_srcdir/contrib/fdshmem.conf"
# what would leave node 0 too little memory to boot is refused: one type
# past the node, two types together past it, or all but a sliver of it
printf 'pages = gigantic 0 100000000\n' >"$tmp/huge.conf"
expect 1 "" "kernel-cmdline .*: node 0: the pages come to .* MiB of its .* MiB; at boot it must keep" -- kernel-cmdline "$tmp/huge.conf"
printf 'pages = gigantic 0 %s\npages = huge 0 %s\n' "$((mem_mib / 2048))" "$((mem_mib / 3))" >"$tmp/both.conf"
expect 1 "" "node 0: the pages come to" -- kernel-cmdline "$tmp/both.conf"
printf 'pages = huge 0 %s\n' "$((mem_mib / 2 - 64))" >"$tmp/sliver.conf"
expect 1 "" "node 0: the pages come to" -- kernel-cmdline "$tmp/sliver.conf"
printf 'pages = huge 0 %s\n' "$((mem_mib / 4))" >"$tmp/half.conf"
if [ "$nodes" = 1 ]; then want_line="hugepagesz=2M hugepages=$((mem_mib / 4))"  # one node: the plain total
else want_line="hugepagesz=2M hugepages=0:$((mem_mib / 4))"; fi
expect 0 "^$want_line\$" "" -- --quiet kernel-cmdline "$tmp/half.conf"
expect 1 "" "cannot read /nonexistent.conf" -- kernel-cmdline /nonexistent.conf
[ "$(cat "$pool")" = "$pool_before" ] || { echo "FAIL: kernel-cmdline changed the pool"; fails=$((fails + 1)); }

# the shipped config (all commented out): apply is a no-op
expect 0 "nothing configured in .*fdshmem.conf: nothing to do" "" -- --shmem-path "$dom.shipped" apply "$top_srcdir/contrib/fdshmem.conf"
[ ! -e "$dom.shipped" ] || { echo "FAIL: apply of the shipped config made a domain"; fails=$((fails + 1)); }

# numeric ids, as chown(1) takes them
expect 0 "would: init domain $dom \(mode 0700, owner 65534:65534\)" "" -- --shmem-path "$dom" --dry-run init 700 65534 65534
[ ! -e "$dom" ] || { echo "FAIL: --dry-run init made $dom"; fails=$((fails + 1)); }
expect 0 "" "initialized domain" -- --shmem-path "$dom" init 750 65534 65534
[ "$(stat -c '%u:%g %a' "$dom")" = "65534:65534 750" ] || { echo "FAIL: numeric owner not set"; fails=$((fails + 1)); }
printf 'path = %s/\nmode = 0750\nuser = 65534\ngroup = 65534\n' "$dom" >"$conf"
expect 0 "^ok: the machine matches" "" -- check "$conf"

# a node's own line wins over "all"; equal lines count once; pages
# already there (as the kernel reserves them at boot) are met
base=$pool_before
printf 'path = %s\nmode = 0750\nuser = 65534\ngroup = 65534\npages = huge all %s\npages = huge 0 %s\npages = 2M 0 %s\n' \
  "$dom" "$((base + 5))" "$((base + 2))" "$((base + 2))" >"$conf"
expect 0 "^apply: set node 0 huge pages to $((base + 2)) \(now $base\)\$" "" -- --quiet apply "$conf"
[ "$(grep -c 'set node 0 huge pages' "$tmp/out")" = 1 ] || { echo "FAIL: equal lines applied twice"; fails=$((fails + 1)); }
[ "$(cat "$pool")" = "$((base + 2))" ] || { echo "FAIL: node 0 did not get its own line's count"; fails=$((fails + 1)); }
echo "$base" > "$pool"
echo "$((base + 2))" > "$pool"  # reserved by someone else (the kernel at boot): already met
expect 0 "^nothing to do: the machine matches" "" -- apply "$conf"

# a gigantic pool short of its line: check names the boot-time remedy
if [ -e "$giga" ]; then
  printf 'pages = gigantic 0 %s\n' "$(( $(cat "$giga") + 1 ))" >"$tmp/giga.conf"
  expect 1 "differs: set node 0 gigantic pages to .*; 1 GiB pages are best reserved at boot: see fd_shmem_ctl kernel-cmdline" \
    "differs" -- --shmem-path "$dom" check "$tmp/giga.conf"
fi

# a create short of pages says how many it needs and how many are free
echo 0 > "$pool"
expect 1 "" "create r 2 huge 0 600: .*needs 2 huge pages.* 0 free" -- --shmem-path "$dom" create r 2 huge 0 600
expect 1 "" "needs 1 huge page[ ,;].* 0 free" -- --shmem-path "$dom" create r 1 huge 0 600
[ -z "$(find "$dom/.huge" -mindepth 1)" ] || { echo "FAIL: a refused create left a file"; fails=$((fails + 1)); }
echo "$((base + 2))" > "$pool"

# mounts sized for less memory than the machine has (memory was added):
# check says so, apply resizes tmpfs live and an empty hugetlbfs afresh
mount -o remount,size=4M "$dom/.normal"
umount "$dom/.huge" && mount -t hugetlbfs -o mode=0750,pagesize=2M,size=4M fd_shmem "$dom/.huge"
chown 65534:65534 "$dom/.huge"
expect 1 "^differs: resize to the machine's memory .normal, .huge in $dom" "differs" -- check "$conf"
expect 0 "^apply: resize to the machine's memory .normal, .huge" "now holds up to" -- apply "$conf"
mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
huge_sz=$(awk -v d="$dom/.huge" '$2 == d { print $4 }' /proc/mounts | tr ',' '\n' | sed -n 's/^size=//p')
[ "$huge_sz" = "$(( mem_kb * 1024 / 2097152 * 2097152 ))" ] || { echo "FAIL: .huge size=$huge_sz after apply"; fails=$((fails + 1)); }
awk -v d="$dom/.normal" '$2 == d' /proc/mounts | grep -q "size=${mem_kb}k" || { echo "FAIL: .normal not resized"; fails=$((fails + 1)); }
expect 0 "^ok: the machine matches" "" -- check "$conf"
# a hugetlbfs holding a region is left, saying why
umount "$dom/.huge" && mount -t hugetlbfs -o mode=0750,pagesize=2M,size=4M fd_shmem "$dom/.huge"
chown 65534:65534 "$dom/.huge"
expect 0 "" "" -- --quiet --shmem-path "$dom" create held 1 huge 0 600
expect 1 "" "not done: $dom/.huge is sized for 4 MiB, .*holding regions cannot be resized" -- apply "$conf"
expect 0 "" "" -- --shmem-path "$dom" unlink held huge
expect 0 "^apply: resize to the machine's memory .huge in" "" -- --quiet apply "$conf"

# a name a domain's user chose reaches root's terminal escaped, also in
# the library's words (reset leaves a directory, naming it)
mkdir "$dom/.normal/$(printf 'x\033[2J\033]0;t\007')"
expect 0 "" 'left the directory .*/x\\x1b\[2J\\x1b\]0;t\\x07 \(not a region\)' -- --shmem-path "$dom" reset
checks=$((checks + 1))
! grep -q "$(printf '\033')" "$tmp/err" || { echo "FAIL: a raw escape byte reached stderr"; fails=$((fails + 1)); }
rmdir "$dom/.normal/"x*
mkdir "$dom/.normal/a\x1b"  # a literal backslash: must not pass for an escape byte
expect 0 "" 'left the directory .*/a\\x5cx1b \(not a region\)' -- --shmem-path "$dom" reset
rmdir "$dom/.normal/a\x1b"

# a pool already at its count: nothing changes, and it says so
expect 0 "" "already has $(cat "$pool") huge page.*: nothing to change" -- alloc "$(cat "$pool")" huge 0

# the config's path is for its own command: a later command on the
# line works on the domain the line names (here: the default)
expect 0 "nothing to do" "" -- --quiet apply "$conf" query
out_has "^domain /mnt/.fd"

# apply, fini and alloc by a user who may not change the machine
if command -v setpriv >/dev/null 2>&1; then
  nb="$tmp/nobody"
  mkdir "$nb" && chmod 755 "$tmp" "$nb" && cp "$conf" "$nb/" && chmod 644 "$nb/fdshmem.conf"
  cp "$top_builddir/src/ctl/.libs/fd_shmem_ctl" "$top_builddir"/src/lib/.libs/libfdshmem.so* "$nb/"
  as_nobody() {  # as_nobody STDERR_REGEX ARGS...: must fail saying so
    want=$1; shift
    checks=$((checks + 1))
    if setpriv --reuid=nobody --regid=nogroup --clear-groups env LD_LIBRARY_PATH="$nb" "$nb/fd_shmem_ctl" "$@" \
         >"$tmp/out" 2>"$tmp/err"; then
      echo "FAIL: $* as nobody succeeded"; fails=$((fails + 1))
    elif ! grep -Eq -- "$want" "$tmp/err"; then
      echo "FAIL: $* as nobody did not say /$want/:"; cat "$tmp/err"; fails=$((fails + 1))
    fi
  }
  echo "$base" > "$pool"
  as_nobody "apply .*: 1 change needed: run as root \(nothing was done\)" apply "$nb/fdshmem.conf"
  grep -q "^would: set node 0 huge pages to $((base + 2))" "$tmp/out" || { echo "FAIL: nobody's apply did not list the change"; fails=$((fails + 1)); }
  as_nobody "alloc 3 huge 0: permission denied: run as root" alloc 3 huge 0
  as_nobody "fini: .*run as root" --shmem-path "$dom" fini
  # a dry run tells what the real reset would meet: no write permission
  expect 0 "" "" -- --quiet --shmem-path "$dom" create kept 1 normal 0 600
  chmod 0555 "$dom/.normal"
  as_nobody "reset: permission denied: run as root" --dry-run --shmem-path "$dom" reset
  as_nobody "reset: permission denied: run as root" --shmem-path "$dom" reset
  chmod 1777 "$dom/.normal" && chown 0:0 "$dom/.normal"  # sticky, not nobody's: root's files stay root's
  chmod 0751 "$dom"
  as_nobody "reset: permission denied: run as root" --dry-run --shmem-path "$dom" reset
  as_nobody "reset: permission denied: run as root" --shmem-path "$dom" reset
  chmod 0750 "$dom" "$dom/.normal" && chown 65534:65534 "$dom/.normal"
  [ -e "$dom/.normal/kept" ] || { echo "FAIL: nobody's reset removed a region"; fails=$((fails + 1)); }
  { [ "$(cat "$pool")" = "$base" ] && [ -d "$dom/.huge" ]; } ||
    { echo "FAIL: nobody changed the machine"; fails=$((fails + 1)); }
fi

expect 0 "" "removed domain" -- --shmem-path "$dom" fini
finish
