#!/bin/sh
# As root: every failure's last line keeps its reason, whatever the path
# length, and says it in words: domains at 460- and 3900-byte paths, on a
# read-only file system, root without capabilities, a caller who cannot
# read the domain (--json then leaves one error object).  Mounts and
# directories are put back on every path.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
base=$(mktemp -d /tmp/fdshmem-msgs.XXXXXX)

restore() {
  awk -v d="$base/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while IFS= read -r m; do umount -l "$m"; done
  rm -rf "$base" "$tmp"
}
trap restore EXIT

# last_line_has WHAT REGEX: the last line of the last run's stderr matches
# REGEX and names no catch-all EIO nor "run as root".
last_line_has() {
  checks=$((checks + 1))
  last=$(tail -n 1 "$tmp/err")
  if ! printf '%s\n' "$last" | grep -Eq -- "$2" ||
     printf '%s\n' "$last" | grep -Eq "unexpected error|as EIO|run as root"; then
    echo "FAIL: $1: the last line does not match /$2/:"; cat "$tmp/err"; fails=$((fails + 1))
  fi
}

# long paths: fini's refusal of a domain with a stray file is whole
for len in 460 3900; do
  dom=$base/$len
  while [ ${#dom} -lt $((len - 201)) ]; do dom=$dom/$(printf '%0199d' 0); done
  dom=$dom/$(printf "%0$((len - ${#dom} - 1))d" 0)
  [ ${#dom} = "$len" ] || { echo "FAIL: built a path of ${#dom} bytes, not $len"; fails=$((fails + 1)); }
  mkdir -p "$(dirname "$dom")"
  expect 0 "" "initialized domain" -- --shmem-path "$dom" init 700 root root
  touch "$dom/stray"
  expect 1 "" "." -- --shmem-path "$dom" fini
  last_line_has "fini at $len bytes" \
    "fini: $dom is not a domain: it holds files beside the page-type directories; nothing was changed\$"
  expect 0 "problem: it holds files beside the page-type directories: fini and apply refuse the domain" "" \
    -- --shmem-path "$dom" query
  expect 0 "\"others\": true" "" -- --shmem-path "$dom" --json query
  json_ok "--json query at $len bytes"
  rm "$dom/stray"
  expect 0 "" "removed domain $dom\$" -- --shmem-path "$dom" fini
done

# a read-only file system: init says so and what to do
mkdir "$base/ro"
mount -t tmpfs -o ro,size=1m fdshmem-msgs "$base/ro"
expect 1 "" "." -- --shmem-path "$base/ro/dom" init 700 root root
last_line_has "init on a read-only fs" "init 700 root root: .*$base/ro.*Read-only file system \(remount it read-write"
expect 1 "\"message\": \".*Read-only file system" "." -- --shmem-path "$base/ro/dom" --json init 700 root root
json_ok "--json init on a read-only fs"
# ...and a domain whose directory turned read-only: fini names the path
mount -o remount,rw "$base/ro"
expect 0 "" "initialized domain" -- --shmem-path "$base/ro/dom" init 700 root root
expect 0 "" "created kept" -- --shmem-path "$base/ro/dom" create kept 1 normal 0 600
mount -o remount,ro "$base/ro"
expect 1 "" "." -- --shmem-path "$base/ro/dom" fini
last_line_has "fini on a read-only fs" "fini: .*$base/ro/dom.*Read-only file system"
# ...before it unmounted anything: the region is still there
expect 0 "^kept +normal " "" -- --shmem-path "$base/ro/dom" query
mount -o remount,rw "$base/ro"
expect 0 "" "removed domain" -- --shmem-path "$base/ro/dom" fini

# a name longer than 255 bytes, for every domain command
long=$base/$(printf '%0300d' 0)/dom
for cmd in "init 700 root root" fini reset "create r 1 normal 0 600" "unlink r normal"; do
  # shellcheck disable=SC2086
  expect 1 "" "." -- --shmem-path "$long" $cmd
  last_line_has "$cmd with a long name" "File name too long \(a name in the path is longer than 255 bytes"
done

# root without capabilities is told what is missing, never "run as root"
if command -v setpriv >/dev/null 2>&1; then
  checks=$((checks + 1))
  setpriv --bounding-set=-all --inh-caps=-all "$CTL" --shmem-path "$base/nocap" init 700 root root 2>"$tmp/err" \
    && { echo "FAIL: init without capabilities succeeded"; fails=$((fails + 1)); }
  last_line_has "init as root without capabilities" "init 700 root root: mounting needs CAP_SYS_ADMIN, which this process lacks"

  # nobody cannot read the domain: --json gives an error object only
  mkdir -m 700 "$base/closed"
  nb="$tmp/nobody"
  mkdir "$nb" && chmod 755 "$tmp" "$nb"
  cp "$top_builddir/src/ctl/.libs/fd_shmem_ctl" "$top_builddir"/src/lib/.libs/libfdshmem.so* "$nb/"
  checks=$((checks + 1))
  setpriv --reuid=nobody --regid=nogroup --clear-groups env LD_LIBRARY_PATH="$nb" \
    "$nb/fd_shmem_ctl" --shmem-path "$base/closed/dom" --json query >"$tmp/out" 2>"$tmp/err" \
    && { echo "FAIL: query of an unreadable domain succeeded"; fails=$((fails + 1)); }
  grep -q "\"message\": \"cannot read domain $base/closed/dom: Permission denied" "$tmp/out" \
    || { echo "FAIL: no error object:"; cat "$tmp/out"; fails=$((fails + 1)); }
  json_ok "--json query of an unreadable domain, as nobody"
fi
finish
