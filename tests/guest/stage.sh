#!/bin/sh
# stage.sh DEST: copies into DEST what the test programs and scripts of
# `make check` need to run in a guest, laid out so that DEST is both their
# top_srcdir and top_builddir: the real binaries (not libtool's wrapper
# scripts) of tests/ and src/ctl/fd_shmem_ctl, also under .libs/ where
# the scripts copy them from, src/lib/.libs/libfdshmem.so*, the tests'
# shell scripts, contrib/, and tests/guest/suites.sh (the guest's runner).
# The programs are every one built in tests/ and tests/guest/.
# Uses top_srcdir and top_builddir from the environment.  `run` adds the
# shared libraries of every binary to the guest.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
dest=${1:?usage: stage.sh DEST}
mkdir -p "$dest/tests/guest" "$dest/src/ctl/.libs" "$dest/src/lib/.libs"

# copy_program BUILD_PATH DEST_PATH: a program as built, the binary behind
# it when it is a libtool wrapper.  Returns 1 for anything else.
copy_program() {
  real="$(dirname "$1")/.libs/$(basename "$1")"
  [ -f "$real" ] || real=$1
  [ -f "$real" ] && [ "$(od -An -tx1 -N 4 "$real" | tr -d ' ')" = 7f454c46 ] || return 1
  cp "$real" "$2"
}
# every test program, also those of tests/guest/
for prog in "$top_builddir"/tests/* "$top_builddir"/tests/guest/*; do
  case ${prog##*/} in *.*) continue ;; esac  # sources, objects, logs, scripts
  copy_program "$prog" "$dest/${prog#"$top_builddir"/}" || true
done
copy_program "$top_builddir/src/ctl/fd_shmem_ctl" "$dest/src/ctl/fd_shmem_ctl"
cp "$dest/src/ctl/fd_shmem_ctl" "$dest/src/ctl/.libs/fd_shmem_ctl"
cp -P "$top_builddir"/src/lib/.libs/libfdshmem.so* "$dest/src/lib/.libs/"
cp "$top_srcdir"/tests/*.sh "$dest/tests/"
cp -R "$top_srcdir/contrib" "$dest/"
cp "$top_srcdir/tests/guest/suites.sh" "$dest/tests/guest/"
