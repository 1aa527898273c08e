# shellcheck shell=bash
# guest.sh: sourced by the tests/guest/t_systemd_*.sh scripts.  Builds a
# Debian 12 guest with systemd as PID 1 and this tree's packages
# installed, and boots it under QEMU (TCG), two NUMA nodes.
#
#   sd_setup              checks the host's tools (exit 77 without them),
#                         the kernel (tests/guest/kernel.sh), a work dir
#   sd_image              $work/disk.ext4: the cached rootfs, the .debs
#                         installed with dpkg, fdshmem.conf, the test units
#   sd_boot NAME MEM APPEND
#                         boots the disk (snapshot=on: every boot starts
#                         from the same image) with fdtest.mode=NAME and
#                         APPEND on the kernel command line; MEM is
#                         "runtime" (two 3 GiB nodes) or "hotplug" (3 GiB
#                         + 1 GiB, two DIMM slots; the guest asks for each
#                         DIMM on node 1 with "FDTEST-HOTADD N" and the
#                         host adds it over QMP); returns the guest's
#                         status, 99 if it did not report
#   sd_run_append         the kernel parameters of a boot that runs a test
#                         job (fdtest-run, by fdtest.mode=) instead of the
#                         provisioning and its checks
#   sd_image_extra ROOT   if the test defines it, sd_image calls it to add
#                         to the image's tree before making the disk
#   sd_timeout            seconds a boot may take (default 180)
#
# Needs root; the host is left as it was but for the cache.
# Environment: FDSHMEM_GUEST_CACHE (default tests/guest/cache under the
# current directory) keeps the kernel, the rootfs and built packages;
# FDSHMEM_DEBS names a directory of ready .debs (CI's packages step),
# else the packages are built from HEAD (git archive, as .ci/packages does:
# uncommitted changes are not in them) and kept in the cache by commit.

set -euo pipefail
sd_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sd_top=$(cd "$sd_dir/../../.." && pwd)
cache=${FDSHMEM_GUEST_CACHE:-$PWD/tests/guest/cache}
rootfs_pkgs=systemd,systemd-sysv,udev,kmod,libnuma1
qboot=/usr/share/qemu/qboot.rom
CC=${CC:-cc}

sd_skip() { echo "SKIP: $*" >&2; exit 77; }
sd_fail() { echo "FAIL: $*" >&2; exit 1; }
sd_log() { echo "[$(date +%T)] $*"; }

sd_setup() {
  # dpkg --root runs the packages' scripts chrooted in the guest's tree
  [ "$(id -u)" = 0 ] || sd_skip "needs root"
  local tool
  for tool in qemu-system-x86_64 busybox cpio gzip mmdebstrap mke2fs dpkg dpkg-deb "$CC" systemctl timeout; do
    command -v "$tool" >/dev/null || sd_skip "$tool not found"
  done
  ! ldd "$(command -v busybox)" >/dev/null 2>&1 || sd_skip "busybox is not static (apt-get install busybox-static)"
  [ -f "$qboot" ] || sd_skip "$qboot not found (apt-get install qemu-system-data)"
  mkdir -p "$cache"
  kver=$("$sd_dir/../kernel.sh" "$cache") || exit $?
  work=$(mktemp -d "${TMPDIR:-/tmp}/fdshmem-sdguest.XXXXXX")
  trap 'rm -rf "$work"' EXIT
}

# The base system, built once per package list and kept in the cache.
sd_rootfs() {
  rootfs_tar=$cache/rootfs-$(echo "$rootfs_pkgs" | md5sum | cut -c1-8).tar
  [ -s "$rootfs_tar" ] && return 0
  local sources='' f
  for f in /etc/apt/sources.list.d/*.sources; do [ -e "$f" ] && { sources=$f; break; }; done
  [ -n "$sources" ] || sd_skip "no /etc/apt/sources.list.d/*.sources for mmdebstrap"
  sd_log "building the rootfs (mmdebstrap)"
  # shellcheck disable=SC2016  # "$1" is the hook's own: mmdebstrap passes the root
  mmdebstrap --quiet --variant=minbase --include="$rootfs_pkgs" \
    --customize-hook='chroot "$1" useradd --system --user-group --no-create-home fdapp' \
    bookworm "${rootfs_tar%.tar}.tmp.tar" "$sources" || sd_skip "mmdebstrap failed"
  mv "${rootfs_tar%.tar}.tmp.tar" "$rootfs_tar"
}

# The packages: FDSHMEM_DEBS, or built from HEAD once per commit.
sd_debs() {
  if [ -n "${FDSHMEM_DEBS:-}" ]; then debs=$FDSHMEM_DEBS; return 0; fi
  local commit
  commit=$(git -C "$sd_top" rev-parse HEAD 2>/dev/null) || sd_skip "not a git checkout: give FDSHMEM_DEBS"
  command -v dpkg-buildpackage >/dev/null || sd_skip "dpkg-buildpackage not found: give FDSHMEM_DEBS"
  debs=$cache/debs-$commit
  [ -d "$debs" ] && return 0
  sd_log "building the packages of $commit"
  local build=$work/debbuild
  mkdir -p "$build"
  git -C "$sd_top" archive --format=tar --prefix=fdshmem/ HEAD | tar -x -C "$build"
  # the tests ran before; CI's packages step builds them with the tests
  (cd "$build/fdshmem" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >"$build/log" 2>&1) ||
    { tail -n 40 "$build/log"; sd_fail "dpkg-buildpackage failed"; }
  mkdir "$debs.tmp" && mv "$build"/*.deb "$debs.tmp/" && mv "$debs.tmp" "$debs"
}

sd_deb() {
  local f
  for f in "$debs/$1"_*.deb; do [ -f "$f" ] && { echo "$f"; return 0; }; done
  sd_fail "no $1 package in $debs"
}

sd_image() {
  sd_rootfs
  sd_debs
  local root=$work/root dev=$work/dev
  mkdir "$root" "$dev"
  tar -x -C "$root" -f "$rootfs_tar"
  dpkg --root="$root" -i "$(sd_deb libfdshmem0)" "$(sd_deb fdshmem-tools)" >"$work/dpkg.log" 2>&1 ||
    { cat "$work/dpkg.log"; sd_fail "dpkg could not install the packages in the guest"; }
  # the consumer, built against the packaged library and headers
  dpkg-deb -x "$(sd_deb libfdshmem-dev)" "$dev"
  dpkg-deb -x "$(sd_deb libfdshmem0)" "$dev"
  "$CC" -O2 -Wall -Wextra -Werror -I"$dev/usr/include" -o "$root/usr/local/bin/fdtest-consumer" "$sd_dir/consumer.c" \
    "$dev"/usr/lib/*/libfdshmem.so
  install -m 0644 "$sd_dir/fdshmem.conf" "$root/etc/fdshmem.conf"
  install -m 0755 "$sd_dir/fdtest-check" "$root/usr/local/sbin/fdtest-check"
  install -m 0755 "$sd_dir/fdtest-sandbox" "$root/usr/local/sbin/fdtest-sandbox"
  install -m 0644 "$sd_dir/fdtest-consumer.service" "$sd_dir/fdtest-report.service" "$root/etc/systemd/system/"
  # started only by the boots that ask for it (sd_run_append)
  install -m 0755 "$sd_dir/fdtest-run" "$root/usr/local/sbin/fdtest-run"
  install -m 0644 "$sd_dir/fdtest-run.service" "$root/etc/systemd/system/"
  systemctl --root="$root" --quiet enable fdshmem.service fdtest-consumer.service fdtest-report.service
  # a getty on the console would hang up the report as it writes there
  systemctl --root="$root" --quiet mask serial-getty@ttyS0.service
  echo fdtest >"$root/etc/hostname"
  if declare -F sd_image_extra >/dev/null; then sd_image_extra "$root"; fi
  mke2fs -q -t ext4 -d "$root" "$work/disk.ext4" 1G || sd_fail "mke2fs failed"
  rm -rf "$root" "$dev"
}

# Stage one: busybox and the modules to mount the disk, then switch_root.
sd_initramfs() {
  local init=$work/init mods=$cache/lib/modules/$kver
  mkdir -p "$init"/{bin,proc,sys,dev,lib/modules}
  cp "$(command -v busybox)" "$init/bin/busybox"
  local applet
  for applet in sh mount umount insmod sleep switch_root; do ln -s busybox "$init/bin/$applet"; done
  cp "$sd_dir/stage1-init" "$init/init"
  # each module after those it depends on (the .ko's "depends=" field)
  local -A seen=()
  sd_add_module() {
    local ko dep
    [ -z "${seen[$1]:-}" ] || return 0
    seen[$1]=1
    ko=$(find "$mods/kernel" -name "$1.ko" | head -n 1)
    [ -n "$ko" ] || sd_fail "module $1 not in the kernel package"
    for dep in $(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | tr , ' '); do sd_add_module "$dep"; done
    cp "$ko" "$init/lib/modules/" && echo "/lib/modules/$1.ko" >>"$init/modules"
  }
  local m
  for m in crc32c_generic ext4 virtio_pci virtio_blk; do sd_add_module "$m"; done
  (cd "$init" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd"
}

# sd_qmp COMMAND [ARGUMENTS]: one QMP command to the running QEMU;
# ARGUMENTS are the members of its "arguments" object.
sd_qmp() { printf '{"execute": "%s", "arguments": {%s}}\n' "$1" "${2:-}" >&8; }

# sd_hot_add N: a 1 GiB DIMM on node 1.
sd_hot_add() {
  sd_log "adding DIMM $1 to node 1"
  sd_qmp object-add "$(printf '"qom-type": "memory-backend-ram", "id": "hp%s", "size": %s' "$1" $((1 << 30)))"
  sd_qmp device_add "$(printf '"driver": "pc-dimm", "id": "dimm%s", "memdev": "hp%s", "node": 1' "$1" "$1")"
}

# fdtest-run.service instead of the provisioning, the consumer and the
# report (they stay enabled in the image, masked for this boot).
sd_run_append="systemd.mask=fdshmem.service systemd.mask=fdtest-consumer.service"
sd_run_append+=" systemd.mask=fdtest-report.service systemd.wants=fdtest-run.service"

sd_boot() {
  local name=$1 mem=$2 append=$3
  [ -s "$work/initrd" ] || sd_initramfs
  local log=$work/$name.serial memargs kargs="fdtest.mode=$name $append"
  # shellcheck disable=SC2054  # commas separate QEMU's suboptions, not words
  case $mem in
    runtime) memargs=(-m 6G -object memory-backend-ram,id=m0,size=3G -object memory-backend-ram,id=m1,size=3G) ;;
    hotplug) memargs=(-m 4G,slots=2,maxmem=6G -object memory-backend-ram,id=m0,size=3G
                      -object memory-backend-ram,id=m1,size=1G) ;;
  esac
  rm -f "$work/qmp.in" && mkfifo "$work/qmp.in"
  : >"$log"
  sd_log "boot $name: $kargs"
  timeout -k 10 "${sd_timeout:-180}" qemu-system-x86_64 -machine pc,accel=tcg -cpu max,-erms -smp 2 "${memargs[@]}" \
    -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1 \
    -bios "$qboot" -kernel "$cache/vmlinux" -initrd "$work/initrd" \
    -append "console=ttyS0 panic=-1 init_on_alloc=0 quiet loglevel=4 systemd.show_status=error $kargs" \
    -drive "file=$work/disk.ext4,format=raw,if=virtio,snapshot=on" \
    -nodefaults -display none -serial "file:$log" -monitor none -qmp stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x01 <"$work/qmp.in" >"$work/$name.qmp" 2>&1 &
  local qemu=$! asked=0 n
  exec 8>"$work/qmp.in"
  sd_qmp qmp_capabilities
  while kill -0 "$qemu" 2>/dev/null; do
    n=$(grep -c '^FDTEST-HOTADD ' "$log" || true)
    while [ "$asked" -lt "$n" ]; do asked=$((asked + 1)); sd_hot_add "$asked"; done
    sleep 0.5
  done
  local status=0
  wait "$qemu" || status=$?
  exec 8>&-
  sed -i 's/\r$//' "$log"
  grep -E '^(fdtest|FDTEST)' "$log" || true
  local said
  said=$(sed -n 's/^FDTEST-STATUS \([0-9]*\)$/\1/p' "$log" | tail -n 1)
  if [ -z "$said" ] || [ $(( ((said << 1) | 1) & 255 )) != "$status" ]; then
    echo "boot $name: the guest did not report (QEMU exit $status, console said \"$said\"); its console:"
    tail -n 60 "$log"
    echo "QMP and QEMU's messages:"
    tail -n 20 "$work/$name.qmp"
    return 99
  fi
  sd_log "boot $name: status $said"
  return "$said"
}
