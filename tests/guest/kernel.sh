#!/bin/sh
# kernel.sh CACHE_DIR: makes sure CACHE_DIR holds the Debian kernel the
# guests boot, unpacked from its package (never installed on the host):
#   CACHE_DIR/vmlinux                   uncompressed, for QEMU's PVH entry
#   CACHE_DIR/lib/modules/VERSION/      the package's modules tree
#   CACHE_DIR/version                   VERSION
# Prints VERSION.  The kernel is the one linux-image-amd64 depends on
# (apt's candidate).  Exits 77 with the reason on stderr when the package
# cannot be had, 1 when it is there but cannot be unpacked.
set -eu
cache=${1:?usage: kernel.sh CACHE_DIR}
skip() { echo "kernel.sh: $*" >&2; exit 77; }
fail() { echo "kernel.sh: $*" >&2; exit 1; }

mkdir -p "$cache"
exec 8>"$cache/.lock"
flock 8  # one unpacks, the others wait and find it there

if [ -s "$cache/version" ] && [ -s "$cache/vmlinux" ] && [ -d "$cache/lib/modules/$(cat "$cache/version")" ]; then
  cat "$cache/version"
  exit 0
fi
{ command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; } || skip "apt-get and dpkg-deb are needed"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || skip "apt knows no linux-image-amd64 (run apt-get update)"
version=${pkg#linux-image-}

work=$(mktemp -d "$cache/.unpack.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$pkg" >/dev/null 2>&1) || skip "apt-get download $pkg failed"
dpkg-deb -x "$work"/*.deb "$work/root" || fail "dpkg-deb -x failed on $pkg"
bz="$work/root/boot/vmlinuz-$version"
[ -f "$bz" ] || fail "$pkg has no boot/vmlinuz-$version"

# The bzImage's setup header says where the compressed kernel lies:
# setup_sects (byte 0x1f1) sectors of setup after the boot sector, then
# payload_offset (0x248) and payload_length (0x24c) bytes into the rest.
header_u32() { od -An -tu4 -j "$1" -N 4 "$bz" | tr -d ' '; }
setup_sects=$(od -An -tu1 -j 497 -N 1 "$bz" | tr -d ' ')
[ "$setup_sects" != 0 ] || setup_sects=4
start=$(( (setup_sects + 1) * 512 + $(header_u32 584) ))
length=$(header_u32 588)
tail -c +"$((start + 1))" "$bz" | head -c "$length" >"$work/payload"
# Debian compresses it with xz; the 4-byte size the build appends after
# the stream is not part of it.
[ "$(od -An -tx1 -N 6 "$work/payload" | tr -d ' ')" = fd377a585a00 ] || fail "$bz is not xz-compressed"
xz -dc --single-stream <"$work/payload" >"$work/vmlinux" || fail "could not decompress the kernel of $pkg"
[ "$(od -An -tx1 -N 4 "$work/vmlinux" | tr -d ' ')" = 7f454c46 ] || fail "could not decompress the kernel of $pkg"

rm -rf "${cache:?}/lib" "$cache/vmlinux" "$cache/version"
mv "$work/root/lib" "$cache/lib"
mv "$work/vmlinux" "$cache/vmlinux"
echo "$version" >"$cache/version"
echo "$version"
