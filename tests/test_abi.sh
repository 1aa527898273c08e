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
# file.  A function left out of libfdshmem.sym is not exported at all, so
# it shows as missing from the library.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for h in "$top_srcdir"/include/fdshmem/*.h; do
  ${CC:-cc} -E -P -I"$top_srcdir/include" "$h" | tr '\n' ' ' | tr ';' '\n' | grep -v '^ *typedef' |
    sed -n 's/^[^(]*[^a-z0-9_]\(fd_[a-z0-9_]*\) *(.*/\1/p'
done | sort -u > "$tmp/headers"
sed -n '/^FD_SHMEM_EXPORT/{s/^FD_SHMEM_EXPORT[^(]*[^a-z0-9_]\(fd_[a-z0-9_]*\) *(.*/\1/p;t;n;s/^\(fd_[a-z0-9_]*\) *(.*/\1/p;}' \
  "$top_srcdir"/src/lib/*.c | sort -u > "$tmp/exports"
sed -n 's/^[[:space:]]*\(fd_[a-z0-9_]*\);$/\1/p' "$top_srcdir/src/lib/libfdshmem.sym" | sort -u > "$tmp/sym"
nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u > "$tmp/library"
sed -n 's/^ \(fd_[a-z0-9_]*\)@LIBFDSHMEM_[0-9]* .*/\1/p' "$top_srcdir/debian/libfdshmem0.symbols" | sort -u > "$tmp/debian"
for list in exports sym library debian; do
  if ! diff -u "$tmp/headers" "$tmp/$list" > "$tmp/diff"; then
    echo "FAIL: the header declarations (-) and the $list list (+) differ:"; sed '1,2d' "$tmp/diff"; fail=1
  fi
done
[ -s "$tmp/headers" ] || { echo "FAIL: no function found in the headers"; fail=1; }

# Each public header stands alone in strict C99 and in C++, and leaks no
# project-private short type names.
for h in "$top_srcdir"/include/fdshmem/*.h; do
  name=$(basename "$h")
  printf '#include <fdshmem/%s>\n' "$name" > "$tmp/t.c"
  if ! ${CC:-cc} -std=c99 -pedantic -Wall -Wextra -Werror -I"$top_srcdir/include" -c "$tmp/t.c" -o "$tmp/t.o"; then
    echo "FAIL: $name does not compile alone as C99"; fail=1
  fi
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
