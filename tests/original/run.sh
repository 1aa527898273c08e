#!/bin/sh
# Builds Firedancer's own tests of fd_shmem and of the groove volume pool
# (src/util/shmem/test_shmem.c, src/groove/test_groove_volume.c),
# unchanged, against libfdshmem and the fd_util stand-in of this
# directory, and runs them as root in a temporary domain:
#   test_shmem                    names, page sizes, queries, private pages and anonymous joins
#   test_shmem R0 R1 R2           the same, then random joins and leaves of three regions
#   test_groove_volume            the pool over two private gigantic pages
#   test_groove_volume --name R   the pool over a region of two gigantic pages
#
# FDSHMEM_ORIGINAL_SRC   a Firedancer checkout or its git directory (none: SKIP)
# FDSHMEM_ORIGINAL_REV   the revision taken from a git directory (default HEAD)
# FDSHMEM_BUILD          the in-tree build of libfdshmem to test (default top_builddir,
#                        else the checkout holding this script); its include/ is used if it has one
# FDSHMEM_ORIGINAL_LOGS  a directory to keep each run's full output in
# FDSHMEM_ORIGINAL_CFLAGS  more compiler flags (a sanitizer build's -fsanitize=...)
# FD_TEST_KEEP_GOING     1 (the default here): a failed check is listed once and the
#                        test goes on; 0: it stops there, as in the original
# Needs root and FDSHMEM_TEST_PRIVILEGED=1: it mounts a domain and borrows
# hugepages (3 huge, 2 gigantic on the node of cpu 0), under the machine
# lock, and puts both back.  Exit 0 all passed, 1 a failure, 77 skipped,
# 99 could not be set up.
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
build=$(cd "${FDSHMEM_BUILD:-${top_builddir:-$top_srcdir}}" && pwd) || exit 99
src=${FDSHMEM_ORIGINAL_SRC:-}
rev=${FDSHMEM_ORIGINAL_REV:-HEAD}
FD_TEST_KEEP_GOING=${FD_TEST_KEEP_GOING:-1}
export FD_TEST_KEEP_GOING

skip() { echo "SKIP: $*"; exit 77; }
die()  { echo "ERROR: $*"; exit 99; }

[ -n "$src" ] || skip "set FDSHMEM_ORIGINAL_SRC to a Firedancer checkout (or its git directory)"
[ -e "$src" ] || skip "FDSHMEM_ORIGINAL_SRC=$src does not exist"
if [ "$(id -u)" != 0 ] || [ "${FDSHMEM_TEST_PRIVILEGED:-}" != 1 ]; then
  skip "needs root and FDSHMEM_TEST_PRIVILEGED=1 (hugepages and a domain)"
fi
lib="$build/src/lib/.libs"
ctl="$build/src/ctl/fd_shmem_ctl"
{ [ -e "$lib/libfdshmem.so" ] && [ -x "$ctl" ]; } || die "no libfdshmem build in $build (run make first)"
inc="$top_srcdir/include"
[ -e "$build/include/fdshmem/fd_shmem.h" ] && inc="$build/include"

tmp=$(mktemp -d /tmp/fdshmem-original.XXXXXX)
dom="$tmp/domain"
pool_restore=

restore() {
  if [ -d "$dom" ]; then
    "$ctl" --quiet --shmem-path "$dom" fini 2>/dev/null ||
      awk -v d="$dom/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
        while IFS= read -r m; do umount -l "$m"; done
  fi
  for p in $pool_restore; do echo "${p#*=}" > "${p%=*}"; done
  rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 1' HUP INT TERM

# ---- the two sources, laid out as in the original tree ----------------

mkdir -p "$tmp/src/util/shmem" "$tmp/src/groove"
for f in src/util/shmem/test_shmem.c src/groove/test_groove_volume.c; do
  if [ -f "$src/$f" ]; then
    cp "$src/$f" "$tmp/$f"
  elif git --git-dir="$src" rev-parse --verify -q "$rev^{commit}" >/dev/null 2>&1; then
    git --git-dir="$src" show "$rev:$f" > "$tmp/$f" || skip "$f is not in $src at $rev"
  else
    skip "$src is neither a Firedancer checkout nor its git directory"
  fi
done
# test_shmem.c includes "../fd_util.h"; everything else is found by -I.
ln -s "$here/fd_util.h" "$tmp/src/util/fd_util.h"

CC=${CC:-cc}
{ xxhash=$(pkg-config --cflags libxxhash) && xxhash_libs=$(pkg-config --libs libxxhash); } ||
  die "no libxxhash (apt-get install libxxhash-dev)"
std="-std=gnu17 -O2 -g -pthread ${FDSHMEM_ORIGINAL_CFLAGS:-} -I$inc -I$here $xxhash"
# shellcheck disable=SC2086  # $std: compiler flags, one a word
for f in fd_util fd_hash; do
  $CC $std -Wall -Wextra -Werror -c "$here/$f.c" -o "$tmp/$f.o" || die "the stand-in does not build"
done
# shellcheck disable=SC2086  # $std and $xxhash_libs: flags, one a word
for t in util/shmem/test_shmem groove/test_groove_volume; do
  $CC $std -Wall -Wextra "$tmp/src/$t.c" "$tmp/fd_util.o" "$tmp/fd_hash.o" -o "$tmp/${t##*/}" \
    -L"$lib" -Wl,-rpath,"$lib" -lfdshmem $xxhash_libs || die "$t.c does not build against libfdshmem"
done

# ---- the machine: lock, pages, domain ------------------------------------

exec 9>/tmp/fdshmem-test.lock
flock 9
node=$("$ctl" numa-idx 0) || die "no NUMA node for cpu 0"
# borrow NEED more pages of TYPE (sysfs name SIZE) on the node
borrow() {
  nr="/sys/devices/system/node/node$node/hugepages/hugepages-$3/nr_hugepages"
  [ -e "$nr" ] || skip "no $2 pages on node $node"
  before=$(cat "$nr")
  pool_restore="$pool_restore $nr=$before"
  "$ctl" --quiet alloc $((before + $1)) "$2" "$node" || die "could not reserve $1 $2 pages on node $node"
}
borrow 3 huge 2048kB
borrow 2 gigantic 1048576kB
"$ctl" --quiet --shmem-path "$dom" init 700 root root || die "could not make a domain at $dom"
export FD_SHMEM_PATH="$dom"

# ---- the runs --------------------------------------------------------------

fails=0
# run LABEL PROGRAM ARGS...: runs one test and reports it.  On a
# failure it shows the test's own findings (in keep-going mode the
# summary: each failing line, first failure first) and the library's
# messages, counted, addresses masked.
run() {
  label=$1; shift
  log="$tmp/$label.log"
  { timeout 900 "$@" 2>&1; echo $? > "$tmp/status"; } | sed -e "s|$tmp/||g" > "$log"
  status=$(cat "$tmp/status")
  [ -n "${FDSHMEM_ORIGINAL_LOGS:-}" ] && mkdir -p "$FDSHMEM_ORIGINAL_LOGS" && cp "$log" "$FDSHMEM_ORIGINAL_LOGS/"
  if [ "$status" = 0 ]; then
    echo "PASS: $label"
    return
  fi
  fails=$((fails + 1))
  if [ "$status" -gt 128 ]; then echo "FAIL: $label (killed by signal $((status - 128)))"
  else echo "FAIL: $label (exit $status)"; fi
  grep -v -e '^NOTICE' -e '^fd_shmem:' -e '(going on)$' "$log" | head -n 14 | sed 's/^/    /'
  grep '^fd_shmem:' "$log" | sed -e 's/0x[0-9a-f]*/0x.../g' | sort | uniq -c | sort -rn | head -n 6 | sed 's/^/    /'
}

run test_shmem "$tmp/test_shmem"
"$ctl" --quiet create test_shmem_0 3 normal 0 600 create test_shmem_1 1 huge 0 600 \
  create test_shmem_2 1 gigantic 0 600 || die "could not create the regions"
run test_shmem-regions "$tmp/test_shmem" test_shmem_0 test_shmem_1 test_shmem_2
"$ctl" --quiet reset || die "could not empty the domain"
run test_groove_volume "$tmp/test_groove_volume"
"$ctl" --quiet create groove_0 2 gigantic 0 600 || die "could not create the groove region"
run test_groove_volume-region "$tmp/test_groove_volume" --name groove_0

echo "$fails of 4 runs failed"
[ "$fails" = 0 ]
