#!/bin/bash
# Times, in one run, the domain lifecycle
#   init, alloc 8 huge 0, query, reset, free huge 0, fini
# done by fd_shmem_ctl and done the way the original bash script did it
# (as described in the project's seed: a defrag step of sync, compact,
# drop caches, compact with 0.25 s sleeps around most steps).  Root only;
# it changes the hugepage pool and drops page caches, then restores the
# pool.  usage: bench/ctl_lifecycle.sh [RUNS]   (from the build tree)
set -eu
runs=${1:-3}
ctl=${CTL:-src/ctl/fd_shmem_ctl}
node=/sys/devices/system/node/node0/hugepages/hugepages-2048kB
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
exec 9>/tmp/fdshmem-test.lock; flock 9
pool_before=$(cat $node/nr_hugepages)
trap 'echo "$pool_before" > $node/nr_hugepages' EXIT

defrag() {  # the script's try_defrag_memory
  sync
  echo 1 > /proc/sys/vm/compact_memory && sleep 0.25
  echo 3 > /proc/sys/vm/drop_caches && sleep 0.25
  echo 1 > /proc/sys/vm/compact_memory && sleep 0.25
}

script_lifecycle() {  # $1: domain path
  local p=$1 t kb
  [ ! -e "$p" ] && mkdir "$p"
  for t in gigantic huge normal; do
    case $t in gigantic) kb=1048576 ;; huge) kb=2048 ;; normal) kb=4 ;; esac
    [ $t != normal ] && [ ! -d /sys/kernel/mm/hugepages/hugepages-${kb}kB ] && continue
    mkdir "$p/.$t"; mountpoint -q "$p/.$t" && return 1
    defrag
    if [ $t = normal ]; then mount -t tmpfs -o mode=0700 none "$p/.$t"
    else mount -t hugetlbfs -o pagesize=$((kb * 1024)),mode=0700 none "$p/.$t"; fi
    defrag
  done
  chown root:root "$p"; chmod 700 "$p"
  # alloc 8 huge 0
  [ "$(cat $node/nr_hugepages)" = "$(cat $node/free_hugepages)" ]
  defrag
  echo 8 > $node/nr_hugepages
  [ "$(cat $node/nr_hugepages)" = 8 ]
  # query
  echo "huge node 0: $(cat $node/nr_hugepages) total, $(cat $node/free_hugepages) free" >/dev/null
  for t in gigantic huge normal; do ls -l "$p/.$t" >/dev/null 2>&1 || true; done
  # reset
  defrag
  for t in gigantic huge normal; do rm -f "$p/.$t"/* 2>/dev/null || true; done
  defrag
  # free huge 0
  defrag
  echo 0 > $node/nr_hugepages
  # fini
  defrag
  for t in gigantic huge normal; do [ -d "$p/.$t" ] && umount "$p/.$t" && rmdir "$p/.$t"; done
  rmdir "$p"
  defrag
}

ctl_lifecycle() {
  FD_SHMEM_PATH=$1 "$ctl" --quiet init 700 root root alloc 8 huge 0 query reset free huge 0 fini >/dev/null
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

time_it() {  # prints seconds taken by "$@"
  local t0 t1
  t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

echo "$pool_before" > $node/nr_hugepages
a=(); b=()
for _ in $(seq "$runs"); do
  a+=("$(time_it ctl_lifecycle "/tmp/fdshmem-bench-ctl.$$")")
  b+=("$(time_it script_lifecycle "/tmp/fdshmem-bench-sh.$$")")
done
ctl_s=$(printf '%s\n' "${a[@]}" | median)
sh_s=$(printf '%s\n' "${b[@]}" | median)
printf 'lifecycle (init, alloc 8 huge 0, query, reset, free huge 0, fini), median of %d runs:\n' "$runs"
printf '  fd_shmem_ctl          %8.4f s\n' "$ctl_s"
printf '  seed bash behaviour   %8.4f s\n' "$sh_s"
printf '  ratio                 %8.0fx\n' "$(echo "$sh_s / $ctl_s" | bc -l)"
