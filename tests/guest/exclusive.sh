#!/bin/sh
# Exclusive pages on a machine of two nodes, run as root inside a QEMU
# guest (tests/guest/t_exclusive.sh); busybox sh.
#   exclusive.sh N
# A config of N huge pages on each node with exclusive = yes: after
# apply, an outside MAP_HUGETLB mapping bound to node 0 and one bound to
# node 1 are refused; the domain's creates of all N pages on node 0 and
# on node 1 are served, on their nodes, and so is fd_shmem_acquire through
# the domain; the reservation is whole again once the regions are gone;
# exclusive = no releases it.  Every pool is put back at the end.
# shellcheck source=tests/guest/checks.sh
. "$(dirname "$0")/checks.sh"
MAP=$here/outside_map
n=${1:?usage: exclusive.sh N}
sysnode=/sys/devices/system/node
H=/sys/kernel/mm/hugepages/hugepages-2048kB
need_two_nodes
exec 9>/tmp/fdshmem-test.lock
flock 9 2>/dev/null || true  # a guest's busybox may lack flock: nothing else runs there

tmp=$(mktemp -d)
dom=$tmp/dom
pool() { echo "$sysnode/node$1/hugepages/hugepages-2048kB/nr_hugepages"; }  # pool NODE
free_on() { cat "$sysnode/node$1/hugepages/hugepages-2048kB/free_hugepages"; }
saved=$(for f in "$sysnode"/node*/hugepages/*/nr_hugepages /proc/sys/vm/nr_overcommit_hugepages; do
  echo "$f $(cat "$f")"; done)
restore() {
  "$CTL" --quiet --shmem-path "$dom" reset fini >/dev/null 2>&1
  awk -v d="$dom/" 'index($2, d) == 1 { print $2 }' /proc/mounts | while IFS= read -r m; do umount -l "$m"; done
  echo "$saved" | while read -r f v; do echo "$v" >"$f"; done
  rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 1' HUP INT TERM
echo 0 >/proc/sys/vm/nr_overcommit_hugepages  # no surplus page for an outside mapping to fall back on

# has REGEX: the last run's stdout matches
has() {
  checks=$((checks + 1))
  grep -Eq -- "$1" "$tmp/out" || { fail "stdout lacks /$1/:"; cat "$tmp/out"; }
}
# is WHAT GOT WANT
is() {
  checks=$((checks + 1))
  echo "$1: $2"  # the transcript a reader of the log follows
  [ "$2" = "$3" ] || fail "$1: $2, want $3"
}
# outside STATUS ARGS...: outside_map ARGS (FD_SHMEM_PATH=$map_domain when
# set) exits STATUS: 0 done, 3 mmap refused, 4 SIGBUS, 5 acquire failed
map_domain=
outside() {
  want=$1; shift
  checks=$((checks + 1))
  if [ -n "$map_domain" ]; then FD_SHMEM_PATH=$map_domain "$MAP" "$@"; else "$MAP" "$@"; fi >"$tmp/map" 2>&1
  got=$?
  echo "outside_map $*: exit $got"
  [ "$got" = "$want" ] || { fail "outside_map $*: exit $got, want $want:"; cat "$tmp/map"; }
}
refused_on_both() {
  outside 3 map huge 1 0
  outside 3 map huge 1 1
}

{ [ "$(cat $H/nr_hugepages)" = "$(cat $H/free_hugepages)" ] && [ "$(cat $H/resv_hugepages)" = 0 ]; } ||
  { echo "SKIP: 2 MiB pages in use or reserved already"; exit 77; }
resv_before=$(cat $H/resv_hugepages)
cpu0=$("$CTL" cpu-idx 0) cpu1=$("$CTL" cpu-idx 1)

# ---- N pages on each node, exclusive ----
conf=$tmp/fdshmem.conf
printf 'path = %s\nmode = 0700\nheadroom = 0\nexclusive = yes\npages = huge 0 %s\npages = huge 1 %s\n' \
  "$dom" "$n" "$n" >"$conf"
run 0 --quiet apply "$conf"
cat "$tmp/out"
has "reserve"
is "node 0 huge pool" "$(cat "$(pool 0)")" "$n"
is "node 1 huge pool" "$(cat "$(pool 1)")" "$n"
is "resv_hugepages after apply" "$(cat $H/resv_hugepages)" $((resv_before + 2 * n))
refused_on_both
run 0 --shmem-path "$dom" query
has "^  \.huge +mounted, reserves $((2 * n)) pages$"
grep '^  \.huge' "$tmp/out"
run 0 --json --shmem-path "$dom" query
has "\"type\": \"huge\", .*\"reserved_pages\": $((2 * n))"
run 0 check "$conf"
has "^ok: the machine matches"

# ---- every create of the domain on each node is served, on its node ----
run 0 --quiet --shmem-path "$dom" create on0 "$n" huge "$cpu0" 0600
is "node 0 free after create on0" "$(free_on 0)" 0
is "node 1 free after create on0" "$(free_on 1)" "$n"
refused_on_both
run 0 --quiet --shmem-path "$dom" create on1 "$n" huge "$cpu1" 0600
is "node 1 free after create on1" "$(free_on 1)" 0
refused_on_both
run 0 --quiet --shmem-path "$dom" unlink on0 huge unlink on1 huge
is "resv_hugepages after the regions went" "$(cat $H/resv_hugepages)" $((resv_before + 2 * n))
refused_on_both
# again, node 1 first, then the private pages of a process of the domain
run 0 --quiet --shmem-path "$dom" create again1 "$n" huge "$cpu1" 0600 create again0 "$n" huge "$cpu0" 0600
run 0 --quiet --shmem-path "$dom" unlink again1 huge unlink again0 huge
map_domain=$dom
outside 0 acquire huge "$n" 0
outside 0 acquire huge "$n" 1
map_domain=
is "resv_hugepages after regions and acquires came and went" "$(cat $H/resv_hugepages)" $((resv_before + 2 * n))
refused_on_both
run 0 metrics "$conf"
has "^fdshmem_domain_reserved_pages\{domain=\"$dom\",type=\"huge\"\} $((2 * n))$"

# ---- exclusive = no releases the pages, on both nodes ----
sed -i 's/^exclusive = yes$/exclusive = no/' "$conf"
run 1 check "$conf"
has "^differs: .*reserv"
run 0 --quiet apply "$conf"
is "resv_hugepages after exclusive = no" "$(cat $H/resv_hugepages)" "$resv_before"
outside 0 map huge 1 0
outside 0 map huge 1 1
run 0 check "$conf"
run 0 --quiet --shmem-path "$dom" fini

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
