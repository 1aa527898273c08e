#!/bin/sh
# The layers in the tree.  The link checks calls (the libprobe_*.la
# shared objects); this checks what the link cannot see: a lower layer
# including a header of a layer above it (a macro, an inline, a type).
#   src/lib/base/   includes only base headers
#   src/lib/sys/    base and sys headers
#   src/lib/groove/ base headers
#   src/ctl/ctl_words.[ch], ctl_conf.[ch]: no header of the rest of the tool
#     (ctl_words.c takes the one escaper, base/fd_shmem_escape.h)
# and that only src/lib/sys names a /proc or /sys path: the rest of the
# library reads the machine through sys, whose gate (fd_shmem_sysroot.c)
# the test seam covers.  (The tool is no part of the library or its
# seam: its own /proc reads, ctl_lock.c, are not checked here.)
set -eu
: "${top_srcdir:?}"
fail=0

# quoted_includes FILE...: "FILE: HEADER" for each #include "HEADER".
quoted_includes() {
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1" | sed "s|^|$1: |"
}

# only PATTERN DIR_OR_FILES...: fails for each quoted include not matching PATTERN.
only() {
  pattern=$1; shift
  for f in "$@"; do
    quoted_includes "$f"
  done | grep -v -E ": ($pattern)\$" | while IFS= read -r bad; do
    echo "FAIL: upward include: $bad"
    echo x
  done
}

lib=$top_srcdir/src/lib
ctl=$top_srcdir/src/ctl
out=$(
  only 'config\.h|fd_shmem_[a-z_]+\.h' "$lib"/base/*.[ch]
  only 'fd_shmem_sys\.h|\.\./base/fd_shmem_[a-z_]+\.h' "$lib"/sys/*.[ch]
  only '\.\./base/fd_shmem_[a-z_]+\.h' "$lib"/groove/*.[ch]
  only 'ctl_words\.h|\.\./lib/base/fd_shmem_escape\.h' "$ctl"/ctl_words.[ch]
  only 'ctl_conf\.h|ctl_words\.h' "$ctl"/ctl_conf.[ch]
)
if [ -n "$out" ]; then
  printf '%s\n' "$out" | grep -v '^x$'
  fail=1
fi

# Paths of the machine in C strings ("/proc/...", "%s/sys/...") outside
# sys.  Allowed: "/proc/self/fd/%d", a handle on the library's own
# descriptor (mount targets, linkat), which is no read of the machine and
# must not go through the seam.  Pending, by file: the pool's node paths
# and zoneinfo, which move into sys with the read-once figures (issue 22
# item 4); a pending file that no longer names one fails too, so the
# list cannot go stale.
pending='src/lib/fd_shmem_pool.c'
machine_paths=$(
  find "$lib" "$top_srcdir/include" -name '*.[ch]' ! -path "$lib/sys/*" | sort | while IFS= read -r f; do
    grep -nE '"[^"]*/(proc|sys)(/[^"]*)?"' "$f" | grep -vF '"/proc/self/fd/%d"' | sed "s|^|${f#"$top_srcdir"/}:|"
  done
)
for f in $pending; do
  printf '%s\n' "$machine_paths" | grep -q "^$f:" || { echo "FAIL: $f names no /proc or /sys path: drop it from pending"; fail=1; }
done
bad=$(printf '%s\n' "$machine_paths" | grep -v '^$' | grep -vE "^($(echo "$pending" | tr ' ' '|')):" || true)
if [ -n "$bad" ]; then
  printf '%s\n' "$bad" | sed 's|^|FAIL: a /proc or /sys path outside src/lib/sys: |'
  fail=1
else
  echo "PASS: only src/lib/sys names /proc and /sys"
fi

# The layer folders are there (a move back would empty the checks above).
for d in base sys groove; do
  [ -n "$(ls "$lib/$d"/*.c 2>/dev/null)" ] || { echo "FAIL: src/lib/$d holds no source"; fail=1; }
done

[ "$fail" = 0 ] && echo "PASS: every include points down or sideways"
exit "$fail"
