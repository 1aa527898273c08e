#!/bin/sh
# fd_shmem_ctl on a machine of several NUMA nodes, run as root inside a
# QEMU guest (tests/guest/t_numa_ctl.sh, t_numa4.sh); busybox sh.
#   numa_ctl.sh NODES
# The topology commands against sysfs, "-" for a node without cpus;
# alloc, free and the report per node; "pages = huge all N" and
# "pages = gigantic 1 1" through apply and check; a node under its
# headroom reported by check and metrics, the other not; a shrink refused on
# the node whose pages a region holds and allowed on the other; a
# shortfall of alloc and apply names the per-node boot parameters.
# Every node's pools are put back at the end.
# shellcheck source=tests/guest/checks.sh
. "$(dirname "$0")/checks.sh"
want_nodes=${1:?usage: numa_ctl.sh NODES}
sysnode=/sys/devices/system/node
need_two_nodes
exec 9>/tmp/fdshmem-test.lock
flock 9 2>/dev/null || true  # a guest's busybox may lack flock: nothing else runs there

tmp=$(mktemp -d)
dom=$tmp/dom
H=hugepages-2048kB G=hugepages-1048576kB
pool() { echo "$sysnode/node$2/hugepages/$1/nr_hugepages"; }           # pool TYPE NODE
free_of() { cat "$sysnode/node$2/hugepages/$1/free_hugepages"; }
saved=$(for f in "$sysnode"/node*/hugepages/*/nr_hugepages; do echo "$f $(cat "$f")"; done)
conf_made=
restore() {
  "$CTL" --quiet --shmem-path "$dom" reset fini >/dev/null 2>&1
  [ -n "$conf_made" ] && rm -f "$conf_made"
  echo "$saved" | while read -r f v; do echo "$v" >"$f"; done
  rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 1' HUP INT TERM

# has STREAM REGEX: the last run's stdout / stderr matches
has() {
  checks=$((checks + 1))
  grep -Eq -- "$2" "$tmp/$1" || { fail "std$1 lacks /$2/:"; cat "$tmp/$1"; }
}
# is FILE VALUE WHAT
is() {
  checks=$((checks + 1))
  [ "$(cat "$1")" = "$2" ] || fail "$3: $(cat "$1"), want $2"
}

# ---- topology: numa-cnt, cpu-idx, numa-idx against sysfs ----
nodes=0
for d in "$sysnode"/node[0-9]*; do n=${d##*node}; [ "$n" -ge "$nodes" ] && nodes=$((n + 1)); done
[ "$nodes" = "$want_nodes" ] || fail "sysfs has $nodes nodes, the guest was made with $want_nodes"
run 0 numa-cnt
is "$tmp/out" "$nodes" "numa-cnt"
memory_only=0
n=0
while [ "$n" -lt "$nodes" ]; do
  first=$(sed 's/[-,].*//' "$sysnode/node$n/cpulist" 2>/dev/null)
  [ -n "$first" ] || { first=-; memory_only=$((memory_only + 1)); }
  run 0 cpu-idx "$n"
  is "$tmp/out" "$first" "cpu-idx $n"
  n=$((n + 1))
done
cpus=$(nproc --all 2>/dev/null || nproc)
[ "$nodes" -le "$cpus" ] || [ "$memory_only" -ge $((nodes - cpus)) ] || fail "$nodes nodes over $cpus cpus, only $memory_only without cpus"
c=0
while [ "$c" -lt "$cpus" ]; do
  for d in /sys/devices/system/cpu/cpu"$c"/node*; do node=${d##*node}; done
  run 0 numa-idx "$c"
  is "$tmp/out" "$node" "numa-idx $c"
  c=$((c + 1))
done
run 0 cpu-idx "$nodes"
is "$tmp/out" "-" "cpu-idx of a node past the last"
run 0 numa-idx "$cpus"
is "$tmp/out" "-" "numa-idx of a cpu past the last"

# ---- a config: huge pages on every node, a gigantic page on node 1 ----
# (1 GiB pages are reserved once, on a fresh node: one given back goes
# to the kernel's deferred free work and is not at once to be had again)
run 0 --shmem-path "$dom" init 700 "" ""
conf=$tmp/fdshmem.conf
printf 'path = %s\nmode = 0700\nuser = 0\ngroup = 0\npages = huge all 3\npages = gigantic 1 1\n' "$dom" >"$conf"
run 1 check "$conf"
has out "differs: set node 1 huge pages to 3"
has out "differs: set node 1 gigantic pages to 1"
run 0 apply "$conf"
for d in "$sysnode"/node[0-9]*; do
  n=${d##*node}
  [ -e "$(pool $H "$n")" ] && is "$(pool $H "$n")" 3 "node $n huge after apply of 'huge all 3'"
done
is "$(pool $G 1)" 1 "node 1 gigantic after apply"
is "$(pool $G 0)" 0 "node 0 gigantic after apply (no line for it)"
run 0 check "$conf"
has out "^ok: the machine matches"
echo 1 >"$(pool $H 1)"  # drift on one node only
run 1 check "$conf"
has out "differs: set node 1 huge pages to 3"
grep -q "node 0" "$tmp/out" && fail "check reports node 0, which did not drift"
run 0 apply "$conf"
is "$(pool $H 1)" 3 "node 1 huge after a second apply"

# ---- headroom, per node: a headroom one 2 MiB page above what node 1's
# pools (its gigantic page among them) leave is more than they leave on
# node 1, not on node 0; metrics has each node's figures as meminfo and
# sysfs give them, and counts what check lists ----
mem_of() { echo $(( $(sed -n 's/.*MemTotal: *\([0-9]*\) kB.*/\1/p' "$sysnode/node$1/meminfo") * 1024 )); }
left_of() {  # left_of NODE: its MemTotal less every pool's pages, in bytes
  l=$(mem_of "$1")
  for p in "$sysnode/node$1"/hugepages/hugepages-*kB; do
    kb=${p##*hugepages-}; l=$(( l - $(cat "$p/nr_hugepages") * ${kb%kB} * 1024 ))
  done
  echo "$l"
}
keep=$(( $(left_of 1) + 2097152 ))
cp "$conf" "$tmp/keep.conf" && printf 'headroom = %s\n' "$keep" >>"$tmp/keep.conf"
under=0 n=0
while [ "$n" -lt "$nodes" ]; do
  [ -e "$(pool $H "$n")" ] && [ "$(mem_of "$n")" -gt 0 ] && [ "$(left_of "$n")" -lt "$keep" ] && under=$((under + 1))
  n=$((n + 1))
done
run 1 check "$tmp/keep.conf"
has out "^differs: node 1: its pools leave $(( $(left_of 1) >> 20 )) MiB of its [0-9]+ MiB, less than the \
$((keep >> 20)) MiB it keeps for the kernel and programs \(headroom = $((keep >> 20)) MiB\)"
grep -q "node 0:" "$tmp/out" && fail "check reports node 0, whose pools leave it more than its headroom"
run 0 metrics "$tmp/keep.conf"
for n in 0 1; do
  has out "^fdshmem_node_memory_bytes\{node=\"$n\"\} $(mem_of "$n")\$"
  has out "^fdshmem_node_headroom_bytes\{node=\"$n\"\} $(left_of "$n")\$"
  has out "^fdshmem_node_headroom_min_bytes\{node=\"$n\"\} $keep\$"
done
has out "^fdshmem_config_differences $under\$"

# ---- alloc, free and the report, node by node ----
run 0 alloc 4 huge 1
is "$(pool $H 1)" 4 "node 1 huge after alloc 4 huge 1"
is "$(pool $H 0)" 3 "node 0 huge after alloc 4 huge 1"
run 0 alloc 2 huge 0
is "$(pool $H 0)" 2 "node 0 huge after alloc 2 huge 0"
run 0 --shmem-path "$dom" query
has out "^huge +0 +2 +2 +0\$"
has out "^huge +1 +4 +4 +0\$"
has out "^gigantic +0 +0 +0 +0\$"
has out "^gigantic +1 +1 +1 +0\$"
run 0 free huge 1
is "$(pool $H 1)" 0 "node 1 huge after free huge 1"
is "$(pool $H 0)" 2 "node 0 huge after free huge 1"
is "$(pool $G 1)" 1 "node 1 gigantic after free huge 1"
run 1 alloc 1 huge "$nodes"
has err "node $nodes"
run 0 apply "$conf"
is "$(pool $H 1)" 3 "node 1 huge after apply"

# ---- nodes of memory only: their pools are reached like any other ----
n=0
while [ "$n" -lt "$nodes" ]; do
  if [ -z "$(cat "$sysnode/node$n/cpulist" 2>/dev/null)" ] && [ -e "$(pool $H "$n")" ]; then
    run 0 alloc 2 huge "$n" alloc 1 gigantic "$n"
    is "$(pool $H "$n")" 2 "memory-only node $n huge after alloc"
    is "$(pool $G "$n")" 1 "memory-only node $n gigantic after alloc"
    run 0 --shmem-path "$dom" query
    has out "^huge +$n +2 +2 +0\$"
    has out "^gigantic +$n +1 +1 +0\$"
    run 0 free huge "$n" free gigantic "$n"
    is "$(pool $H "$n")" 0 "memory-only node $n huge after free"
  fi
  n=$((n + 1))
done

# ---- regions through the tool: pages split over the cpus' nodes ----
run 0 --shmem-path "$dom" create split 2 huge 0-1 600
is "$(pool $H 0)" 3 "node 0 huge pool after create"
{ [ "$(free_of $H 0)" = 2 ] && [ "$(free_of $H 1)" = 2 ]; } ||
  fail "create split 2 huge 0-1: free $(free_of $H 0)/$(free_of $H 1), want 2/2"
run 0 --shmem-path "$dom" query split huge
is "$tmp/out" "0 2 2097152" "query split huge"
run 0 --shmem-path "$dom" unlink split huge
run 0 --shmem-path "$dom" create held 2 huge 1 600
run 0 --shmem-path "$dom" create giga 1 gigantic 1 600
{ [ "$(free_of $H 0)" = 3 ] && [ "$(free_of $H 1)" = 1 ]; } ||
  fail "create held 2 huge 1: free $(free_of $H 0)/$(free_of $H 1), want 3/1"
is "$sysnode/node1/hugepages/$G/free_hugepages" 0 "node 1 gigantic free after create giga"

# ---- shrinking: refused where the pages are in use, allowed elsewhere ----
run 1 --shmem-path "$dom" free huge 1
has err "held \(2 pages\)"
is "$(pool $H 1)" 3 "node 1 huge after a refused free"
run 1 --shmem-path "$dom" alloc 1 huge 1
is "$(pool $H 1)" 3 "node 1 huge after a refused shrink to 1"
run 0 --shmem-path "$dom" alloc 2 huge 1
is "$(pool $H 1)" 2 "node 1 huge shrunk to its pages in use"
run 0 --shmem-path "$dom" free huge 0
is "$(pool $H 0)" 0 "node 0 huge after free (nothing in use there)"
run 1 --shmem-path "$dom" free gigantic 1
has err "giga \(1 page\)"
is "$(pool $G 1)" 1 "node 1 gigantic after a refused free"
printf 'path = %s\nmode = 0700\nuser = 0\ngroup = 0\npages = huge 1 0\npages = huge 0 0\n' "$dom" >"$tmp/shrink.conf"
run 1 apply "$tmp/shrink.conf"
is "$(pool $H 1)" 2 "node 1 huge after apply below its pages in use"
run 0 --shmem-path "$dom" unlink held huge
run 0 --shmem-path "$dom" free huge 1
is "$(pool $H 1)" 0 "node 1 huge after the region went"
run 0 --shmem-path "$dom" unlink giga gigantic
run 0 --shmem-path "$dom" free gigantic 1
is "$(pool $G 1)" 0 "node 1 gigantic after the region went"

# ---- a shortfall names the per-node boot parameters, every node with pages ----
# All of node 1's memory in 2 MiB pages passes the size check (its
# MemTotal) but is more than the kernel has free there.  It is also past
# the headroom alloc and apply keep by default, so headroom = 0 lowers it:
# in the files given to apply, and for alloc in the default file (named
# in the tool's usage), which the guest does not have otherwise.
conf=$("$CTL" help 2>&1 | sed -n 's/.*(default \([^)]*fdshmem\.conf\)).*/\1/p' | head -n 1)
if [ -n "$conf" ] && [ ! -e "$conf" ]; then
  mkdir -p "$(dirname "$conf")" && printf 'headroom = 0\n' >"$conf" && conf_made=$conf
fi
[ -n "$conf_made" ] || fail "cannot write headroom = 0 into the default file ${conf:-(not named by help)}"
most=$(( $(sed -n 's/.*MemTotal: *\([0-9]*\) kB.*/\1/p' $sysnode/node1/meminfo) / 2048 ))
run 0 --shmem-path "$dom" alloc 2 huge 0
run 1 --shmem-path "$dom" alloc "$most" huge 1
has err "alloc $most huge 1: only [0-9]+ of $most huge pages could be reserved on node 1"
has err "on the kernel command line, per node \(node:count\): hugepagesz=2M hugepages=0:2,1:$most(,|\$)"
is "$(pool $H 1)" 0 "node 1 huge after a shortfall"
printf 'path = %s\nmode = 0700\nuser = 0\ngroup = 0\nheadroom = 0\npages = huge 1 %s\n' "$dom" "$most" >"$tmp/short.conf"
run 1 apply "$tmp/short.conf"
has err "per node \(node:count\): hugepagesz=2M hugepages=0:2,1:$most(,|\$)"
# gigantic pages: as many as node 1's zones hold, which the kernel's
# own use of the node leaves it short of; apply names the file's form
giga=$(awk '/^Node/ { node = $2 } node == "1," && $1 == "present" { n += $2 }
            END { print int(n * 4096 / 1073741824) }' /proc/zoneinfo)
if [ "$giga" -ge 1 ]; then
  printf 'path = %s\nmode = 0700\nuser = 0\ngroup = 0\nheadroom = 0\npages = gigantic 1 %s\n' "$dom" "$giga" >"$tmp/giga.conf"
  run 1 apply "$tmp/giga.conf"
  has err "failed \(Cannot allocate memory\); 1 GiB pages are best reserved at boot, per node \(node:count\) \
on the kernel command line: hugepagesz=1G hugepages=1:$giga "
  is "$(pool $G 1)" 0 "node 1 gigantic after a shortfall"
fi
run 0 --shmem-path "$dom" free huge 0
run 0 --shmem-path "$dom" fini

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
