#!/bin/bash
# fdshmem-metrics.timer in the systemd guest (tests/guest/systemd/): the
# packaged timer is disabled; enabled as an admin does, it writes
# fdshmem.prom into node_exporter's textfile directory after
# fdshmem.service provisioned the two nodes, and again a minute later
# (the assertions: tests/guest/systemd/fdtest-metrics).
# Exit 0, 1, or 77 when the host lacks QEMU, the kernel or the rootfs.
# shellcheck source-path=SCRIPTDIR source=systemd/guest.sh
. "$(dirname "$0")/systemd/guest.sh"
sd_setup
sd_image_extra() {
  local root=$1 state
  state=$(systemctl --root="$root" is-enabled fdshmem-metrics.timer 2>&1) || true
  [ "$state" = disabled ] || sd_fail "fdshmem-metrics.timer is \"$state\" once installed, not disabled"
  # what prometheus-node-exporter's package makes, and what the admin types
  mkdir -p "$root/var/lib/prometheus/node-exporter"
  systemctl --root="$root" --quiet enable fdshmem-metrics.timer
  install -m 0755 "$sd_dir/fdtest-metrics" "$root/usr/local/sbin/fdtest-metrics"
  install -m 0644 "$sd_dir/fdtest-metrics.service" "$root/etc/systemd/system/"
}
sd_timeout=480
sd_image
append="systemd.mask=fdtest-consumer.service systemd.mask=fdtest-report.service systemd.wants=fdtest-metrics.service"
sd_boot metrics runtime "$append" || sd_fail "the metrics boot"
