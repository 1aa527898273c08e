#!/bin/sh
# init and apply on pseudo file systems (cgroup v1 and v2, debugfs,
# tracefs, bpf, mqueue, devpts, sysfs, proc) refuse and make nothing:
# in a guest, where a cgroup made by mistake harms no one
# (tests/guest/paths.sh).
: "${top_srcdir:?}" "${top_builddir:?}"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
real="$top_builddir/src/ctl/.libs/fd_shmem_ctl"  # the binary behind libtool's wrapper
[ -f "$real" ] || real=$top_builddir/src/ctl/fd_shmem_ctl
cp "$real" "$stage/" && cp -P "$top_builddir"/src/lib/.libs/libfdshmem.so* "$stage/" &&
  cp "$top_srcdir/tests/guest/paths.sh" "$stage/" || exit 99
"$top_srcdir/tests/guest/run" --timeout 600 "$stage" -- sh ./paths.sh
