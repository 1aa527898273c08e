#!/bin/bash
# Memory hot-add in the systemd guest (tests/guest/systemd/): node 1
# boots with 1 GiB, too little for the gigantic page of fdshmem.conf, so
# fdshmem.service fails and the consumer that requires it does not run.
# The host then adds a 1 GiB DIMM to node 1 over QMP; the kernel onlines
# it (memhp_default_state=online: the Debian kernel leaves hot-added
# memory offline, and Debian has no udev rule that onlines it) and the
# shipped udev rule runs the service again, which now meets the file.
# With the consumer running, a second DIMM re-applies without
# restarting it.
# Exit 0, 1, or 77 when the host lacks QEMU, the kernel or the rootfs.
# shellcheck source=tests/guest/systemd/guest.sh
. "$(dirname "$0")/systemd/guest.sh"
sd_setup
sd_image
sd_boot hotplug hotplug "memhp_default_state=online" || { echo "FAIL: the hot-add boot"; exit 1; }
