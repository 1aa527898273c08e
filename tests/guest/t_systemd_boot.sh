#!/bin/bash
# Two boots of the systemd guest (tests/guest/systemd/): fdshmem.service
# provisions the domain and the pools at run time, the consumer unit
# uses them, check passes and a second apply has nothing to do; then the
# same image boots again with the pages fd_shmem_ctl kernel-cmdline printed in
# the first boot on the kernel command line, and apply takes them as met.
# Exit 0, 1, or 77 when the host lacks QEMU, the kernel or the rootfs.
# shellcheck source=tests/guest/systemd/guest.sh
. "$(dirname "$0")/systemd/guest.sh"
sd_setup
sd_image
sd_boot runtime runtime "" || { echo "FAIL: the runtime boot"; exit 1; }
cmdline=$(sed -n 's/^FDTEST-CMDLINE //p' "$work/runtime.serial")
case $cmdline in *hugepagesz=1G*) ;; *) echo "FAIL: kernel-cmdline printed \"$cmdline\""; exit 1 ;; esac
sd_boot cmdline runtime "$cmdline" || { echo "FAIL: the kernel command line boot"; exit 1; }
