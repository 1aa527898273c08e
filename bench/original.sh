#!/bin/sh
# Times libfdshmem against the original (Firedancer's fd_shmem and groove
# volume pool), side by side in one run on this machine:
#   - the original's fd_util and fd_groove libraries are built by its own
#     make, with its own flags (-O3 -march=haswell; -march=native through
#     MACHINE=native when this CPU lacks haswell's instructions);
#   - bench/original_bench.c is built against those libraries and
#     against src/lib/.libs/libfdshmem.so (and FDSHMEM_BASELINE's), same flags;
#   - the two programs run alternately (original, ours, original, ...),
#     REPEATS times each, pinned to one CPU, in a temporary domain under
#     /dev/shm; each row prints the medians and ours/original.
#
# FDSHMEM_ORIGINAL_SRC   a Firedancer checkout or its git directory (none: SKIP)
# FDSHMEM_ORIGINAL_REV   the revision taken from a git directory (default HEAD)
# FDSHMEM_BUILD          the in-tree build of libfdshmem (default top_builddir, else
#                        the checkout holding this script)
# FDSHMEM_BASELINE       another build of libfdshmem (a checkout of the code before a
#                        change, built): it runs in the same alternation, as "before"
# BENCH_REPEATS          runs of each program (default 7)
# BENCH_MS               milliseconds per row and run (default 200)
# BENCH_CPU              the CPU to pin to (default the last one allowed)
# Needs root, like check-original.  Exit 0, 77 skipped, 99 could not be set up.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
build=$(cd "${FDSHMEM_BUILD:-${top_builddir:-$top_srcdir}}" && pwd) || exit 99
src=${FDSHMEM_ORIGINAL_SRC:-}
rev=${FDSHMEM_ORIGINAL_REV:-HEAD}
repeats=${BENCH_REPEATS:-7}
ms=${BENCH_MS:-200}

skip() { echo "SKIP: $*"; exit 77; }
die()  { echo "ERROR: $*"; exit 99; }

[ -n "$src" ] || skip "set FDSHMEM_ORIGINAL_SRC to a Firedancer checkout (or its git directory)"
[ -e "$src" ] || skip "FDSHMEM_ORIGINAL_SRC=$src does not exist"
[ "$(id -u)" = 0 ] || skip "needs root (the original's create and acquire lock their pages)"
lib="$build/src/lib/.libs"
[ -e "$lib/libfdshmem.so" ] || die "no libfdshmem build in $build (run make first)"
inc="$top_srcdir/include"
[ -e "$build/include/fdshmem/fd_shmem.h" ] && inc="$build/include"

tmp=$(mktemp -d /tmp/fdshmem-obench.XXXXXX) || die "mktemp"
dom=
restore() {
  [ -n "$dom" ] && rm -rf "$dom"
  rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 1' HUP INT TERM

# ---- the original's libraries, by its own make ------------------------

parts="GNUmakefile config src/util src/groove src/app/firedancer/version.mk src/third_party/lz4 src/third_party/zstd"
orig="$tmp/firedancer"
mkdir "$orig"
if [ -f "$src/GNUmakefile" ]; then
  for p in $parts; do
    mkdir -p "$orig/$(dirname "$p")" || die "mkdir in $orig"
    cp -R "$src/$p" "$orig/$p" || die "cannot copy $p from $src"
  done
elif git --git-dir="$src" rev-parse --verify -q "$rev^{commit}" >/dev/null 2>&1; then
  # shellcheck disable=SC2086  # $parts: paths, one a word
  # (a mirror may lack objects outside these paths: git names them on stderr, harmlessly)
  git --git-dir="$src" archive "$rev" $parts 2>"$tmp/archive.err" | tar -x -C "$orig" ||
    { cat "$tmp/archive.err"; die "cannot take the sources from $src at $rev"; }
else
  skip "$src is neither a Firedancer checkout nor its git directory"
fi
# its make records the git state of the tree it builds
git -C "$orig" init -q || die "git init in $orig"
git -C "$orig" -c user.name=bench -c user.email=bench@localhost commit -q --allow-empty -m build ||
  die "git commit in $orig"

machine=linux_gcc_x86_64
for flag in avx2 bmi2 fma movbe; do
  grep -qw "$flag" /proc/cpuinfo && continue
  echo "note: this CPU lacks $flag (haswell): the original is built with MACHINE=native (-march=native)"
  machine=native
  break
done
echo "building the original's fd_util and fd_groove (MACHINE=$machine; log $tmp/make.log) ..."
out="build/original"
MACHINE=$machine BUILDDIR=original make -C "$orig" -j"$(nproc)" \
  "$out/lib/libfd_util.a" "$out/lib/libfd_groove.a" >"$tmp/make.log" 2>&1 ||
  { tail -20 "$tmp/make.log"; die "the original's make failed"; }
olib="$orig/$out/lib"

# ---- the harness, twice ----------------------------------------------

CC=${CC:-cc}
cflags="-std=gnu17 -O2 -pthread -I$inc"
# shellcheck disable=SC2086  # $cflags: compiler flags, one a word
$CC $cflags -DORIGINAL_BENCH_BOOT "$here/original_bench.c" -o "$tmp/original" \
  "$olib/libfd_groove.a" "$olib/libfd_util.a" "$olib/libfd_lz4.a" "$olib/libfd_zstd.a" \
  -lstdc++ -lm -ldl -lrt || die "cannot build the harness against the original"
sides="original ours"
# shellcheck disable=SC2086
$CC $cflags "$here/original_bench.c" -o "$tmp/ours" -L"$lib" -lfdshmem -Wl,-rpath,"$lib" ||
  die "cannot build the harness against libfdshmem"
if [ -n "${FDSHMEM_BASELINE:-}" ]; then
  blib=$(cd "$FDSHMEM_BASELINE/src/lib/.libs" && pwd) || die "no libfdshmem build in $FDSHMEM_BASELINE"
  # shellcheck disable=SC2086
  $CC $cflags "$here/original_bench.c" -o "$tmp/before" -L"$blib" -lfdshmem -Wl,-rpath,"$blib" ||
    die "cannot build the harness against $blib"
  sides="original before ours"
fi

# ---- the runs: original, [before,] ours, original, ... -----------------

cpu=${BENCH_CPU:-$(taskset -cp $$ | sed 's/.*: //; s/.*[,-]//')}
dom=$(mktemp -d /dev/shm/fdshmem-obench.XXXXXX) || die "mktemp"
mkdir "$dom/.normal"
echo "pinned to cpu $cpu; $repeats runs of each, ${ms} ms a row; load: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ "$i" -lt "$repeats" ]; do
  for side in $sides; do
    FD_SHMEM_PATH=$dom FD_LOG_PATH='' taskset -c "$cpu" "$tmp/$side" "$ms" >"$tmp/run" 2>"$tmp/err" ||
      { cat "$tmp/err"; die "the $side run failed"; }
    sed "s/^/$side /" "$tmp/run" >>"$tmp/rows"
  done
  i=$((i + 1))
done

# the median of each side's figures for each row, rows in the harness's order
awk '
  function median( k,    n, i, j, v, t ) {
    n = cnt[k]
    for( i = 1; i <= n; i++ ) v[i] = val[k, i]
    for( i = 2; i <= n; i++ ) for( j = i; j > 1 && v[j-1] > v[j]; j-- ) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    return v[int((n + 1) / 2)]
  }
  { k = $1 SUBSEP $2; val[k, ++cnt[k]] = $3; if( !seen[$2]++ ) order[++rows] = $2 }
  END {
    b = ( "before" SUBSEP order[1] ) in cnt
    printf "%-12s %14s %14s %10s", "row", "ours", "original", "ours/orig"
    if( b ) printf " %14s %12s", "before", "before/orig"
    printf "\n"
    for( i = 1; i <= rows; i++ ) {
      o = median( "ours" SUBSEP order[i] ); f = median( "original" SUBSEP order[i] )
      printf "%-12s %11.1f ns %11.1f ns %10.2f", order[i], o, f, o / f
      if( b ) { p = median( "before" SUBSEP order[i] ); printf " %11.1f ns %12.2f", p, p / f }
      printf "\n"
    }
  }' "$tmp/rows"
