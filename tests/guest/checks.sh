# shellcheck shell=sh
# Sourced by the scripts that check fd_shmem_ctl inside a guest (busybox
# sh; numa_lib.sh stages it beside them): they run as root with
# FDSHMEM_TEST_PRIVILEGED=1 only (else SKIP, 77), count checks and
# failures, and run the tool with run.  CTL is the tool (default: the
# one beside the script); run writes into $tmp, which the script makes.
here=$(cd "$(dirname "$0")" && pwd)
CTL=${CTL:-$here/fd_shmem_ctl}
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if [ "$(id -u)" != 0 ] || [ "${FDSHMEM_TEST_PRIVILEGED:-}" != 1 ]; then
  echo "SKIP: needs root and FDSHMEM_TEST_PRIVILEGED=1"; exit 77
fi

# need_two_nodes: SKIP unless nodes 0 and 1 both have cpus
need_two_nodes() {
  [ -n "$(cat /sys/devices/system/node/node1/cpulist 2>/dev/null)" ] ||
    { echo "SKIP: needs nodes 0 and 1 with cpus"; exit 77; }
}

# run STATUS ARGS...: runs the tool, wants exit STATUS; output in
# $tmp/out and $tmp/err
# shellcheck disable=SC2154  # tmp: made by the script that sources this
run() {
  want=$1; shift
  checks=$((checks + 1))
  "$CTL" "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  [ "$got" = "$want" ] || { fail "fd_shmem_ctl $*: exit $got, want $want"; cat "$tmp/out" "$tmp/err"; }
}
