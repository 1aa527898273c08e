#!/bin/sh
# Exclusive pages (exclusive = yes in fdshmem.conf), as root on node 0 of
# this machine: apply reserves the config's pages for the domain's
# hugetlbfs mount (min_size), so an outside MAP_HUGETLB mapping is
# refused while the domain's creates and fd_shmem_acquire are served;
# the reservation survives regions coming and going; query, check and
# metrics show it; a mount holding a region is never remounted; turning
# it off releases the pages.  1 GiB pages too when one can be reserved.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
MAP="$top_builddir/tests/outside_map"
dom=$(mktemp -u /tmp/fdshmem-excl.XXXXXX)
H=/sys/kernel/mm/hugepages/hugepages-2048kB
G=/sys/kernel/mm/hugepages/hugepages-1048576kB
giant=/sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages
overcommit=/proc/sys/vm/nr_overcommit_hugepages
overcommit_before=$(cat "$overcommit")
giant_before=$(cat "$giant" 2>/dev/null)
restore() {
  awk -v d="$dom/" 'index($2, d) == 1 { print $2 }' /proc/mounts | while IFS= read -r m; do umount -l "$m"; done
  rm -rf "$dom" "$tmp"
  echo "$pool_before" > "$pool"
  [ -z "$giant_before" ] || echo "$giant_before" > "$giant"
  echo "$overcommit_before" > "$overcommit"
}
trap restore EXIT

# An outside mapping is refused only when no free page is left unreserved:
# this needs a machine whose hugepages nobody else uses, and no surplus.
if [ "$(cat "$H/nr_hugepages")" != "$(cat "$H/free_hugepages")" ] || [ "$(cat "$H/resv_hugepages")" != 0 ]; then
  echo "SKIP: 2 MiB pages are in use or reserved on this machine"; exit 77
fi
echo 0 > "$overcommit"

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# is WHAT GOT WANT
is() {
  checks=$((checks + 1))
  echo "$1: $2"  # the transcript a reader of the log follows
  [ "$2" = "$3" ] || fail "$1: $2, want $3"
}
# outside STATUS ARGS...: runs outside_map ARGS (FD_SHMEM_PATH=$map_domain
# when set), wants exit STATUS (0 mapped and touched, or acquired; 2 usage;
# 3 mmap refused; 4 SIGBUS; 5 fd_shmem_acquire failed)
map_domain=
outside() {
  want_status=$1; shift
  checks=$((checks + 1))
  if [ -n "$map_domain" ]; then FD_SHMEM_PATH=$map_domain "$MAP" "$@"; else "$MAP" "$@"; fi >"$tmp/map" 2>&1
  status=$?
  echo "outside_map $*: exit $status"
  [ "$status" = "$want_status" ] || { fail "outside_map $*: exit $status, want $want_status:"; cat "$tmp/map"; }
}
# run STATUS ARGS...: runs the tool, wants exit STATUS; output in $tmp/out, $tmp/err
run() {
  want_status=$1; shift
  checks=$((checks + 1))
  "$CTL" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  [ "$status" = "$want_status" ] ||
    { fail "fd_shmem_ctl $*: exit $status, want $want_status:"; cat "$tmp/out" "$tmp/err"; }
}
err_has() {
  checks=$((checks + 1))
  grep -Eq -- "$1" "$tmp/err" || { fail "stderr lacks /$1/:"; cat "$tmp/err"; }
}
resv() { cat "$1/resv_hugepages"; }
# min_size TYPE: the min_size option of the domain's mount of TYPE ("" if none)
min_size() {
  awk -v m="$dom/.$1" '$2 == m { print $4 }' /proc/mounts | tr ',' '\n' | sed -n 's/^min_size=//p'
}
# check_kinds KINDS ARGS...: check_json_agrees with the kinds in any order
check_kinds() {
  # shellcheck disable=SC2086  # the kinds are words
  want_sorted=$(printf '%s\n' $1 | sort | tr '\n' ' '); shift
  "$CTL" --json "$@" >"$tmp/out" 2>/dev/null
  got=$(sed -n 's/^    { "kind": "\([^"]*\)".*/\1/p' "$tmp/out" | tr '\n' ' ' | sed 's/ $//')
  # shellcheck disable=SC2086
  got_sorted=$(printf '%s\n' $got | sort | tr '\n' ' ')
  if [ "$got_sorted" = "$want_sorted" ]; then
    check_json_agrees "$got" "$@"
  else
    checks=$((checks + 1)); fail "--json $*: kinds \"$got\", want \"$want_sorted\" in any order:"; cat "$tmp/out"
  fi
}
line_of() { grep -n -- "$1" "$tmp/out" | head -n 1 | cut -d: -f1; }

# outside_map's usage errors
outside 2 map huge 0
outside 2 map normal 1
outside 2 acquire huge 1
outside 2 map huge 1 x

# ---- 4 huge pages on node 0, exclusive ----
resv_before=$(resv $H)
conf="$tmp/fdshmem.conf"
printf 'path = %s\nmode = 0700\nheadroom = 0\nexclusive = yes\npages = huge 0 4\n' "$dom" >"$conf"
expect 0 "reserve" "" -- --quiet apply "$conf"
if [ "$pool_before" != 4 ]; then
  checks=$((checks + 1))
  pool_line=$(line_of "set node 0 huge pages to 4") reserve_line=$(line_of reserve)
  { [ -n "$pool_line" ] && [ -n "$reserve_line" ] && [ "$pool_line" -lt "$reserve_line" ]; } ||
    { fail "apply: the pool is not set before the reservation:"; cat "$tmp/out"; }
fi
is "node 0 huge pool" "$(cat "$pool")" 4
is "resv_hugepages after apply" "$(resv $H)" $((resv_before + 4))
is "min_size of .huge" "$(min_size huge)" 8388608
outside 3 map huge 1 0
outside 3 map huge 1
expect 0 "^  \.huge +mounted, reserves 4 pages$" "" -- --shmem-path "$dom" query
run 0 --json --shmem-path "$dom" query
json_ok "--json query"
out_has '"type": "huge", .*"reserved_pages": 4'
out_has '"type": "gigantic", .*"reserved_pages": 0'
expect 0 "^ok: the machine matches" "" -- check "$conf"
check_json_agrees "" check "$conf"
expect 0 "^nothing to do: the machine matches" "" -- apply "$conf"

# a reservation lost (the mount made again by hand, without min_size) is
# found by check and put back by apply
umount "$dom/.huge" && mount -t hugetlbfs -o pagesize=2M,mode=0700 fdshmem-test "$dom/.huge"
is "resv_hugepages with the reservation lost" "$(resv $H)" "$resv_before"
outside 0 map huge 1 0
expect 1 "^differs: .*reserv" "differs from" -- check "$conf"
check_kinds "reservation" check "$conf"
out_has '"kind": "reservation", "page_type": "huge", "wanted": 4, "present": 0, "text": '
expect 0 "reserve" "" -- --quiet apply "$conf"
is "resv_hugepages after apply put it back" "$(resv $H)" $((resv_before + 4))
outside 3 map huge 1 0

# ---- the domain's creates are served; the reservation outlives them ----
expect 0 "" "" -- --quiet --shmem-path "$dom" create half1 2 huge 0 0600 create half2 2 huge 0 0600
is "free 2 MiB pages with 4 pages of regions" "$(cat $H/free_hugepages)" 0
outside 3 map huge 1 0
expect 0 "" "" -- --quiet --shmem-path "$dom" unlink half1 huge unlink half2 huge
expect 0 "" "" -- --quiet --shmem-path "$dom" create whole 4 huge 0 0600
expect 0 "" "" -- --quiet --shmem-path "$dom" unlink whole huge
is "resv_hugepages after regions came and went" "$(resv $H)" $((resv_before + 4))
outside 3 map huge 1 0
# private pages: a process of the domain gets them, one outside does not
map_domain=$dom
outside 0 acquire huge 4 0
map_domain=$tmp/elsewhere
outside 5 acquire huge 1 0
map_domain=
is "resv_hugepages after acquire and release" "$(resv $H)" $((resv_before + 4))
expect 0 "^# TYPE fdshmem_domain_reserved_pages gauge$" "" -- metrics "$conf"
out_has "^fdshmem_domain_reserved_pages\{domain=\"$dom\",type=\"huge\"\} 4$"

# ---- a mount holding a region is never remounted ----
expect 0 "" "" -- --quiet --shmem-path "$dom" create excl_keep 4 huge 0 0600
sed -i 's/^pages = huge 0 4$/pages = huge 0 2/' "$conf"
expect 1 "^differs: .*reserv" "differs from" -- check "$conf"
check_kinds "pool-in-use reservation-held" check "$conf"
out_has '"kind": "reservation-held", "page_type": "huge", "wanted": 2, "present": 4, "text": '
run 1 --quiet apply "$conf"
err_has "reserves 4 huge pages.*(excl_keep|holding regions)"
is "node 0 huge pool after a refused apply" "$(cat "$pool")" 4
is "min_size of .huge after a refused apply" "$(min_size huge)" 8388608
[ -e "$dom/.huge/excl_keep" ] || fail "the held region is gone"
expect 0 "" "" -- --quiet --shmem-path "$dom" unlink excl_keep huge
is "resv_hugepages after the held region went" "$(resv $H)" $((resv_before + 4))
expect 0 "reserve" "" -- --quiet apply "$conf"
is "node 0 huge pool after apply of 2" "$(cat "$pool")" 2
is "resv_hugepages after apply of 2" "$(resv $H)" $((resv_before + 2))
is "min_size of .huge after apply of 2" "$(min_size huge)" 4194304
outside 3 map huge 1 0
expect 0 "^ok: the machine matches" "" -- check "$conf"

# ---- exclusive = no releases the pages ----
sed -i 's/^exclusive = yes$/exclusive = no/' "$conf"
expect 1 "^differs: .*reserv" "differs from" -- check "$conf"
check_kinds "reservation" check "$conf"
out_has '"kind": "reservation", "page_type": "huge", "wanted": 0, "present": 2, "text": '
expect 0 "^apply: .*2 huge pages" "" -- --quiet apply "$conf"
is "resv_hugepages after exclusive = no" "$(resv $H)" "$resv_before"
is "min_size of .huge after exclusive = no" "$(min_size huge)" ""
outside 0 map huge 1 0
expect 0 "^  \.huge +mounted$" "" -- --shmem-path "$dom" query
run 0 --json --shmem-path "$dom" query
out_has '"type": "huge", .*"reserved_pages": 0'
expect 0 "^ok: the machine matches" "" -- check "$conf"
sed -i '/^exclusive = no$/d' "$conf"
expect 0 "^ok: the machine matches" "" -- check "$conf"  # no = the default

# ---- 1 GiB pages, when node 0 can have one now ----
if [ -z "$giant_before" ]; then
  echo "1 GiB pages: skipped, this kernel offers none"
elif [ "$(cat "$G/nr_hugepages")" != "$(cat "$G/free_hugepages")" ] || [ "$(resv $G)" != 0 ]; then
  echo "1 GiB pages: skipped, they are in use or reserved on this machine"
elif ! echo $((giant_before + 1)) > "$giant" 2>/dev/null || [ "$(cat "$giant")" != $((giant_before + 1)) ]; then
  echo "1 GiB pages: skipped, node 0 could not reserve one more now"
else
  g_want=$((giant_before + 1)) g_resv_before=$(resv $G)
  printf 'path = %s\nmode = 0700\nheadroom = 0\nexclusive = yes\npages = huge 0 2\npages = gigantic 0 %s\n' \
    "$dom" "$g_want" >"$conf"
  expect 0 "reserve" "" -- --quiet apply "$conf"
  is "resv of 1 GiB pages after apply" "$(resv $G)" $((g_resv_before + g_want))
  is "min_size of .gigantic" "$(min_size gigantic)" $((g_want * 1073741824))
  outside 3 map gigantic 1 0
  expect 0 "^  \.gigantic +mounted, reserves $g_want pages?$" "" -- --shmem-path "$dom" query
  run 0 --json --shmem-path "$dom" query
  out_has "\"type\": \"gigantic\", .*\"reserved_pages\": $g_want"
  expect 0 "" "" -- --quiet --shmem-path "$dom" create giga "$g_want" gigantic 0 0600
  expect 0 "" "" -- --quiet --shmem-path "$dom" unlink giga gigantic
  is "resv of 1 GiB pages after the region went" "$(resv $G)" $((g_resv_before + g_want))
  outside 3 map gigantic 1 0
  sed -i 's/^exclusive = yes$/exclusive = no/' "$conf"
  expect 0 "^apply: " "" -- --quiet apply "$conf"
  is "resv of 1 GiB pages after exclusive = no" "$(resv $G)" "$g_resv_before"
  outside 0 map gigantic 1 0
fi

"$CTL" --quiet --shmem-path "$dom" fini
finish
