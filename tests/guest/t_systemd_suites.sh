#!/bin/bash
# The privileged suites of `make check` (those t_suites.sh runs in the
# busybox guest, staged by stage.sh and run by suites.sh) as root in the
# systemd guest (tests/guest/systemd/), where cgroup v2 is mounted, as on
# Debian 12 and 13 hosts, and no cgroup v1 memory controller.  Every
# suite must PASS (suites.sh counts a SKIP as a failure), the pools and
# mounts must be as before, and test_region_priv, whose safety round needs
# a memory cgroup, must have had v2's: the guest's cgroup facts are
# checked first.
# Exit 0, 1, or 77 when the host lacks QEMU, the kernel or the rootfs.
# shellcheck source-path=SCRIPTDIR source=systemd/guest.sh
. "$(dirname "$0")/systemd/guest.sh"
: "${top_srcdir:?}" "${top_builddir:?}"
sd_setup
"$top_srcdir/tests/guest/stage.sh" "$work/suites" || sd_fail "stage.sh failed"

# The staged tree, and the shared libraries its programs need that the
# guest's Debian lacks (the staged libfdshmem is found through
# LD_LIBRARY_PATH, which fdtest-run sets).
sd_image_extra() {
  local root=$1 libs lib
  mkdir -p "$root/usr/local/fdtest/lib"
  cp -a "$work/suites" "$root/usr/local/fdtest/suites"
  # ldd fails for the files that are not programs: its status says nothing
  libs=$(find "$work/suites" -type f -print0 | LD_LIBRARY_PATH=$work/suites/src/lib/.libs xargs -0 ldd 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u || true)
  for lib in $libs; do
    case $lib in "$work"/*) continue ;; esac
    [ -e "$root$lib" ] || [ -e "$root/usr$lib" ] && continue
    cp -L "$lib" "$root/usr/local/fdtest/lib/" && echo "copied $lib"
  done
}
sd_timeout=600
sd_image
status=0
sd_boot suites runtime "$sd_run_append" || status=$?
log=$work/suites.serial
sed -n '/^fdtest: cgroup:/,/^FDTEST-STATUS/p' "$log"
[ "$status" = 0 ] || sd_fail "the suites in the systemd guest: status $status"
facts=$(grep '^fdtest: cgroup:' "$log")
case $facts in
  *"is cgroup2fs, controllers \""*memory*'", v1 memory mounts ""') ;;
  *) sd_fail "the guest did not have cgroup v2 with its memory controller and no v1 memory: $facts" ;;
esac
grep -q '^guest: PASS: tests/test_region_priv ' "$log" || sd_fail "test_region_priv did not PASS"
echo "PASS: every privileged suite, test_region_priv with the cgroup v2 memory controller (the only one there)"
