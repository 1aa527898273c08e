#!/bin/sh
# The library's outward face: SONAME, exported symbols and public headers.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
lib="$top_builddir/src/lib/.libs/libfdshmem.so.0"
fail=0

soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
if [ "$soname" != "libfdshmem.so.0" ]; then
  echo "FAIL: SONAME is '$soname', want libfdshmem.so.0"; fail=1
fi

# Every defined dynamic symbol carries a public prefix (the version node
# itself shows up as an absolute symbol).
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' |
      grep -v -E '^(fd_shmem_|fd_cstr_to_shmem_|fd_groove_|LIBFDSHMEM_)' || true)
if [ -n "$bad" ]; then
  echo "FAIL: symbols outside the public prefixes: $bad"; fail=1
fi
if nm -D --defined-only "$lib" | grep -q 'fd_shmem_private'; then
  echo "FAIL: private symbols exported"; fail=1
fi

# One list of the ABI, five places that must agree: the functions the
# public headers declare, the definitions marked FD_SHMEM_EXPORT, the
# version script, what the built library exports, and the Debian symbols
# file (where there is one: the release tarball has no debian/).  A
# function left out of libfdshmem.sym is not exported at all, so it shows
# as missing from the library.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for h in "$top_srcdir"/include/fdshmem/*.h; do
  ${CC:-cc} -E -P -I"$top_srcdir/include" "$h" | tr '\n' ' ' | tr ';' '\n' | grep -v '^ *typedef' |
    sed -n 's/^[^(]*[^a-z0-9_]\(fd_[a-z0-9_]*\) *(.*/\1/p'
done | sort -u > "$tmp/headers"
fn_re='\(fd_[a-z0-9_]*\) *(.*'  # a function name and its opening parenthesis
sed -n "/^FD_SHMEM_EXPORT/{s/^FD_SHMEM_EXPORT[^(]*[^a-z0-9_]$fn_re/\\1/p;t;n;s/^$fn_re/\\1/p;}" \
  "$top_srcdir"/src/lib/*.c "$top_srcdir"/src/lib/*/*.c | sort -u > "$tmp/exports"
sed -n 's/^[[:space:]]*\(fd_[a-z0-9_]*\);$/\1/p' "$top_srcdir/src/lib/libfdshmem.sym" | sort -u > "$tmp/sym"
nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u > "$tmp/library"
lists="exports sym library"
if [ -f "$top_srcdir/debian/libfdshmem0.symbols" ]; then
  sed -n 's/^ \(fd_[a-z0-9_]*\)@LIBFDSHMEM_[0-9.]* .*/\1/p' "$top_srcdir/debian/libfdshmem0.symbols" | sort -u \
    > "$tmp/debian"
  lists="$lists debian"
fi
for list in $lists; do
  if ! diff -u "$tmp/headers" "$tmp/$list" > "$tmp/diff"; then
    echo "FAIL: the header declarations (-) and the $list list (+) differ:"; sed '1,2d' "$tmp/diff"; fail=1
  fi
done
[ -s "$tmp/headers" ] || { echo "FAIL: no function found in the headers"; fail=1; }

# Closed error sets: the codes src/lib/base/fd_shmem_errset.h lists for a
# function (what its return filter lets through; each area's Check
# program provokes each, tests/fdt_errset.c) must be exactly those of its entry in
# the ERRORS section of its manual page (its own, or the page its alias
# sources) and of the "Returns 0 or one of:" list in the comment above
# its prototype; and no manual page may list codes for a function the
# table does not close.  For acquire and release, which keep the
# original's shape, the list is that of the errno they leave.
sed -n 's/^ *X( *\(fd_[a-z0-9_]*\), *\([^)]*\)).*/\1 \2/p' "$top_srcdir/src/lib/base/fd_shmem_errset.h" | tr -d ',' \
  > "$tmp/errsets"
[ -s "$tmp/errsets" ] || { echo "FAIL: no error set found in fd_shmem_errset.h"; fail=1; }
codes() { grep -o -E '\b(E[A-Z0-9]+|FD_GROOVE_ERR_[A-Z]+)\b' | sort -u | tr '\n' ' '; }
man_page() {
  page="$top_srcdir/man/$1.3"
  alias=$(sed -n '1s|^\.so man3/\(.*\)$|\1|p' "$page" 2>/dev/null)
  [ -z "$alias" ] || page="$top_srcdir/man/$alias"
  echo "$page"
}
# The line after ".TP" / ".BR FN ()" in the ERRORS section of page $2.
man_codes() {
  awk -v fn="$1" '/^\.SH / { sec = $0 }
    sec == ".SH ERRORS" && prev == ".TP" && $0 == ".BR " fn " ()" { want = 1 }
    want && $0 != ".BR " fn " ()" { print; exit }
    { prev = $0 }' "$2" | codes
}
# The text after "returns 0 or one of:" (or, for a call reporting through
# errno, "errno set to one of:"; for a groove call "FD_GROOVE_SUCCESS or
# one of:") in the comment just above FN's prototype,
# or above the group of prototypes (no blank line between) FN is one of.
header_codes() {
  cat "$top_srcdir"/include/fdshmem/*.h | awk -v fn="$1" '
    /\/\*/ { comment = "" ; open_ = 1 }
    open_ { comment = comment " " $0 }
    /\*\// { open_ = 0; next }
    /^(#|typedef)/ || /^ *$/ { comment = "" }
    !open_ && $0 ~ "[^a-z0-9_]" fn " *\\(" { print comment; exit }' |
    sed -n -E 's/.*([Rr]eturns +0 +or +one +of|errno +set +to +one +of|FD_GROOVE_SUCCESS +or +one +of)://p' | codes
}
while read -r fn list; do
  want=$(echo "$list" | tr ' ' '\n' | codes)
  page=$(man_page "$fn")
  got=$(man_codes "$fn" "$page")
  if [ "$got" != "$want" ]; then
    echo "FAIL: $fn: $(basename "$page") ERRORS lists '$got', the library returns '$want'"; fail=1
  fi
  got=$(header_codes "$fn")
  if [ "$got" != "$want" ]; then
    echo "FAIL: $fn: the header comment lists '$got', the library returns '$want'"; fail=1
  fi
done < "$tmp/errsets"
for page in "$top_srcdir"/man/*.3; do
  awk '/^\.SH / { sec = $0 } sec == ".SH ERRORS" && prev == ".TP" && /^\.BR fd_[a-z0-9_]* \(\)$/ { print $2 }
       { prev = $0 }' "$page"
done | while read -r fn; do
  grep -q "^$fn " "$tmp/errsets" || { echo "FAIL: man pages list errors for $fn, which has no error set"; exit 1; }
done || fail=1

# Each public header stands alone in strict C99 and in C++, and leaks no
# project-private short type names.
for h in "$top_srcdir"/include/fdshmem/*.h; do
  name=$(basename "$h")
  printf '#include <fdshmem/%s>\n' "$name" > "$tmp/t.c"
  if ! ${CC:-cc} -std=c99 -pedantic -Wall -Wextra -Werror -I"$top_srcdir/include" -c "$tmp/t.c" -o "$tmp/t.o"; then
    echo "FAIL: $name does not compile alone as C99"; fail=1
  fi
  # shellcheck disable=SC2086  # CXX may carry flags, as make's does
  if command -v ${CXX:-c++} >/dev/null 2>&1 &&
     ! ${CXX:-c++} -x c++ -Wall -Wextra -Werror -I"$top_srcdir/include" -c "$tmp/t.c" -o "$tmp/t.o"; then
    echo "FAIL: $name does not compile alone as C++"; fail=1
  fi
  if grep -n -E '\b(ulong|uint|uchar|ushort|schar)\b' "$h"; then
    echo "FAIL: $name uses private short type names"; fail=1
  fi
done
# Every exported function has a manual page (its own or an alias).
for sym in $(nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }'); do
  [ -f "$top_srcdir/man/$sym.3" ] || { echo "FAIL: no manual page for $sym"; fail=1; }
done

[ "$fail" = 0 ] && echo "PASS: soname, exports, headers and manual pages"
exit "$fail"
