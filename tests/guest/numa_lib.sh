# shellcheck shell=sh
# Sourced by the t_numa*.sh scripts: stages the multi-node test programs,
# the tool and the library in a directory, and numa_guest NODES CMD...
# runs CMD there in a guest of NODES nodes (tests/guest/run).
: "${top_srcdir:?}" "${top_builddir:?}"
numa_tmp=$(mktemp -d)
trap 'rm -rf "$numa_tmp"' EXIT
stage=$numa_tmp/t
mkdir "$stage"
for prog in tests/guest/numa_place tests/guest/numa_groove tests/guest/numa_update src/ctl/fd_shmem_ctl; do
  real="$top_builddir/$(dirname "$prog")/.libs/$(basename "$prog")"  # the binary behind libtool's wrapper
  [ -f "$real" ] || real=$top_builddir/$prog
  cp "$real" "$stage/" || exit 99
done
cp -P "$top_builddir"/src/lib/.libs/libfdshmem.so* "$stage/" || exit 99
cp "$top_srcdir/tests/guest/numa_ctl.sh" "$top_srcdir/tests/guest/checks.sh" "$stage/" || exit 99

numa_guest() {
  nodes=$1; shift
  "$top_srcdir/tests/guest/run" --nodes "$nodes" --timeout 900 "$stage" -- "$@"
}
