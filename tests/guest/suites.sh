#!/bin/sh
# suites.sh [TEST...]: runs in a guest, in a tree made by stage.sh (the
# current directory).  Runs each TEST (a path such as tests/test_pages;
# by default every privileged suite of `make check`, listed below) as
# `make check` does, with its output, then a line
# "guest: PASS|FAIL|SKIP: TEST (N s)".  Afterwards every node's hugepage
# pools must be as before and no file system mounted by a test left
# behind.  Exits 0 when all passed (a SKIP counts as a failure: the guest
# is there to give every test what it needs), else 1.
top_srcdir=$PWD top_builddir=$PWD CC=cc
export top_srcdir top_builddir CC
unset FD_SHMEM_PATH FD_SHMEM_LOG FD_SHMEM_SYSROOT  # the library's defaults, as make check gives them

machine_state() {
  for f in /sys/devices/system/node/node*/hugepages/*/nr_hugepages; do echo "$f $(cat "$f")"; done
  cat /proc/mounts
}
[ $# -gt 0 ] || set -- tests/test_region tests/test_join tests/test_region_priv tests/test_pages tests/test_pages_priv \
  tests/test_domain_admin tests/test_pool_priv \
  tests/test_ctl_priv.sh tests/test_domain_priv.sh tests/test_apply_priv.sh tests/test_admin_priv.sh
before=$(machine_state)
failed=0
for t in "$@"; do
  start=$(date +%s)
  "./$t"
  status=$?
  case $status in
    0) result=PASS ;;
    77) result=SKIP; failed=1 ;;
    *) result=FAIL; failed=1 ;;
  esac
  echo "guest: $result: $t ($(( $(date +%s) - start )) s)"
done
after=$(machine_state)
if [ "$before" != "$after" ]; then
  echo "guest: FAIL: the machine was not restored:"
  echo "$before" >/tmp/before && echo "$after" | diff /tmp/before - | grep '^[-+][^-+]'
  failed=1
fi
exit "$failed"
