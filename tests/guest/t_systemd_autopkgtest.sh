#!/bin/bash
# The root autopkgtest of the packages (debian/tests/root-domain: a
# temporary domain from a config file, a region created and joined from
# a second process, everything put back) run by autopkgtest, with its
# null virt server, inside the systemd guest (tests/guest/systemd/) on
# the installed packages, as on a machine of its own.  autopkgtest's
# summary must name that test and say PASS: a FAIL or a SKIP fails.
# Exit 0, 1, or 77 when the host lacks QEMU, the kernel or the rootfs.
# shellcheck source-path=SCRIPTDIR source=systemd/guest.sh
. "$(dirname "$0")/systemd/guest.sh"
# autopkgtest, dpkg-dev (its dpkg-source unpacks a source tree) and what
# the test builds with; a rootfs of its own (cached by this list), the
# other guests keep the small one
rootfs_pkgs+=,autopkgtest,dpkg-dev,gcc,libc6-dev,pkgconf
sd_setup

# libfdshmem-dev, which the test depends on (sd_image installs the
# library and the tool), and the tests: debian/ of this source tree.
sd_image_extra() {
  local root=$1
  dpkg --root="$root" -i "$(sd_deb libfdshmem-dev)" >"$work/dpkg-dev.log" 2>&1 ||
    { cat "$work/dpkg-dev.log"; sd_fail "dpkg could not install libfdshmem-dev in the guest"; }
  mkdir -p "$root/usr/local/fdtest/source"
  cp -R "$sd_top/debian" "$root/usr/local/fdtest/source/"
}
sd_timeout=600
sd_image
status=0
sd_boot autopkgtest runtime "$sd_run_append" || status=$?
log=$work/autopkgtest.serial
echo "---- autopkgtest in the guest:"
sed -n '/^autopkgtest \[[0-9:]*\]: starting/,/^fdtest: autopkgtest exit/p' "$log"
[ "$status" = 0 ] || sd_fail "autopkgtest in the systemd guest: status $status"
summary=$(sed -n 's/^fdtest: summary: //p' "$log")
[ "$(tr -s ' ' <<<"$summary")" = "root-domain PASS" ] ||
  sd_fail "autopkgtest's summary is not \"root-domain PASS\": $summary"
echo "PASS: autopkgtest in the systemd guest: $summary"
