#!/bin/sh
# The suites of t_suites.sh but test_join (its domain is under /dev/shm:
# no pool is involved), on two nodes whose pools were filled at boot as
# on a provisioned host (`fd_shmem_ctl kernel-cmdline`): a 1 GiB and 16
# 2 MiB pages on each node.  The suites must work around pages that are
# not theirs and put every pool back to its boot size.
: "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top_srcdir/tests/guest/stage.sh" "$tmp/t" || exit 99
# the pools are checked first: a kernel that ignored the parameters would
# leave nothing to test here
# shellcheck disable=SC2016  # the script is the guest's, expanded there
"$top_srcdir/tests/guest/run" --timeout 400 \
  --append "hugepagesz=1G hugepages=0:1,1:1 hugepagesz=2M hugepages=0:16,1:16" "$tmp/t" -- sh -c '
    for n in 0 1; do
      pools=/sys/devices/system/node/node$n/hugepages
      [ "$(cat $pools/hugepages-1048576kB/nr_hugepages) $(cat $pools/hugepages-2048kB/nr_hugepages)" = "1 16" ] ||
        { echo "FAIL: node $n did not get its pages at boot"; exit 1; }
    done
    sh tests/guest/suites.sh tests/test_region tests/test_region_priv tests/test_pages tests/test_pages_priv \
      tests/test_domain_admin tests/test_pool_priv \
      tests/test_ctl_priv.sh tests/test_domain_priv.sh tests/test_apply_priv.sh tests/test_admin_priv.sh'
