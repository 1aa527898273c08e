#!/bin/sh
# Paths, as root: init and apply never take over what is not a domain (a
# mount point, /dev/shm itself, a directory of other files, a pseudo file
# system) and change nothing there; an interrupted init's leftover is
# named with the command that recovers it; and paths whose bytes
# mountinfo escapes (spaces, tabs, a newline, backslashes), or as long
# as FD_SHMEM_PATH_MAX, work with every command and leave nothing.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
unset FD_SHMEM_PATH
base=$(mktemp -d /tmp/fdshmem-paths.XXXXXX)
shm_was=$(stat -c '%a %u %g' /dev/shm)
# every mount below $base, deepest first, its mountinfo escapes undone
restore() {
  awk -v d="$base/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while IFS= read -r m; do
    umount -l "$(printf '%b' "$(printf '%s' "$m" | sed 's/\\\([0-7][0-7][0-7]\)/\\0\1/g')")"
  done
  for t in .normal .huge .gigantic; do  # only what a command wrongly made inside /dev/shm
    if awk -v m="/dev/shm/$t" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; then umount -l "/dev/shm/$t"; fi
    [ ! -d "/dev/shm/$t" ] || rmdir "/dev/shm/$t"
  done
  # shellcheck disable=SC2086  # mode, uid and gid, one a word
  set -- $shm_was
  chmod "$1" /dev/shm; chown "$2:$3" /dev/shm
  rm -rf "$base" "$tmp"
  echo "$pool_before" > "$pool"
}
trap restore EXIT

# left_below DIR: the mounts still at or below DIR (mountinfo escapes
# the blanks of DIR: only a DIR without them is asked about)
left_below() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# ---- 1. never take over what is not a domain ----------------------------

# refused DIR WHY: init and apply (a file naming DIR) refuse DIR for WHY,
# query and fini say the same, and DIR is as it was: no mount inside, the
# same mode, owner and entries
refused() {
  dir=$1 why=$2
  was="$(stat -c '%a %u %g' "$dir") $(find "$dir" -mindepth 1 -maxdepth 1 | sort | tr '\n' ' ')"
  expect 1 "" "init 700 root root: $dir already exists and is not a domain: $why.*nothing was changed" -- \
    --shmem-path "$dir" init 700 root root
  printf 'path = %s\nmode = 0700\n' "$dir" >"$tmp/refused.conf"
  expect 1 "" "apply $tmp/refused.conf: .*$dir is not a domain: $why.*nothing was done" -- apply "$tmp/refused.conf"
  expect 1 "" "apply $tmp/refused.conf: .*$dir is not a domain: $why" -- --dry-run apply "$tmp/refused.conf"
  expect 1 "^pool" "query: $dir is not a domain: $why" -- --shmem-path "$dir" query
  expect 1 "" "fini: $dir is not a domain: $why.*nothing was changed" -- --shmem-path "$dir" fini
  expect 1 "" "reset: $dir is not a domain: $why.*nothing was changed" -- --shmem-path "$dir" reset
  [ -z "$(left_below "$dir/")" ] || fail "something was mounted inside $dir: $(left_below "$dir/")"
  now="$(stat -c '%a %u %g' "$dir") $(find "$dir" -mindepth 1 -maxdepth 1 | sort | tr '\n' ' ')"
  [ "$now" = "$was" ] || fail "$dir changed: mode, owner and entries were '$was', now '$now'"
}
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# a tmpfs mount point of its own, empty and world-writable as /dev/shm is
mkdir "$base/mnt" && mount -t tmpfs -o mode=1777 fdshmem-test-paths "$base/mnt"
refused "$base/mnt" "it is itself a mount point \(tmpfs\)"
umount "$base/mnt"

# /dev/shm itself (put back by restore if a command changed it)
refused /dev/shm "it is itself a mount point \(tmpfs\)"

# a directory of other files
mkdir -p "$base/srv/data" && touch "$base/srv/data/file" && chmod 755 "$base/srv"
why="it holds files beside the page-type directories; nothing was changed"
expect 1 "" "init 700 root root: $base/srv already exists and is not a domain: $why \(init makes a new directory: .*\)" -- \
  --shmem-path "$base/srv" init 700 root root
printf 'path = %s/srv\nmode = 0700\n' "$base" >"$tmp/srv.conf"
expect 1 "" "exists but is not a domain" -- --quiet apply "$tmp/srv.conf"
{ [ -z "$(left_below "$base/srv")" ] && [ "$(stat -c %a "$base/srv")" = 755 ] && [ "$(ls -A "$base/srv")" = data ]; } ||
  fail "apply changed a directory of other files"

# a pseudo file system: /proc (cgroup and the others: tests/guest/t_paths.sh)
why="/proc/fdshmem-test would be on the proc file system of /proc, where no domain can live; nothing was changed"
expect 1 "" "init 700 root root: $why" -- \
  --shmem-path /proc/fdshmem-test init 700 root root
printf 'path = /proc/fdshmem-test\n' >"$tmp/proc.conf"
expect 1 "" "apply $tmp/proc.conf: $tmp/proc.conf: init: $why" -- \
  apply "$tmp/proc.conf"
expect 1 "^pool" "query: /proc/sys is not a domain: it is on a proc file system, where no domain can live" -- \
  --shmem-path /proc/sys query

# ---- 2. what an interrupted init leaves: the command that recovers ----

# an empty directory (init made it, then was killed): fini removes it
mkdir -m 700 "$base/empty"
hint="fd_shmem_ctl --shmem-path $base/empty fini removes it, or apply completes it"
expect 1 "" "init 700 root root: $base/empty already exists, part made \(an interrupted init leaves it so\); nothing was changed \($hint\)" -- \
  --shmem-path "$base/empty" init 700 root root
expect 0 "" "removed domain $base/empty" -- --shmem-path "$base/empty" fini
[ ! -e "$base/empty" ] || fail "fini left the empty directory an interrupted init made"

# .normal mounted, the others not yet: apply completes it
part="$base/part"
mkdir -m 700 "$part" "$part/.normal" && mount -t tmpfs -o mode=0700 fd_shmem "$part/.normal"
expect 1 "" "$part already exists, part made .*\(fd_shmem_ctl --shmem-path $part fini removes it, or apply completes it\)" -- \
  --shmem-path "$part" init 700 root root
printf 'path = %s\nmode = 0700\n' "$part" >"$tmp/part.conf"
expect 0 "^apply: mount .huge" "" -- --quiet apply "$tmp/part.conf"
[ -n "$(left_below "$part/.huge")" ] || fail "apply did not complete the part-made domain"
expect 0 "" "removed domain $part" -- --shmem-path "$part" fini

# ---- 3. any path the kernel accepts ------------------------------------

# every_command DIR: init, create, query (text and JSON), reset, a
# repair by apply, fini on DIR: each works, and nothing is left
every_command() {
  d=$1 shown=$2
  expect 0 "" "" -- --quiet --shmem-path "$d" init 700 root root
  expect 0 "" "" -- --quiet --shmem-path "$d" alloc $((pool_before + 1)) huge 0 create r 1 normal 0 600 \
    create h 1 huge 0 600
  expect 0 "^r +normal +1 +4096 +root +root 0600 +0$" "" -- --shmem-path "$d" query
  out_has "^h +huge +1 +2097152 "
  out_has "^  \.normal +mounted$"
  expect 0 '"domain"' "" -- --shmem-path "$d" --json query
  json_ok "query --json of $shown"
  for r in h r; do grep -q "\"name\": *\"$r\"" "$tmp/out" || fail "query --json of $shown lacks region $r"; done
  expect 0 "" "" -- --quiet --shmem-path "$d" reset
  expect 0 "(no regions)" "" -- --shmem-path "$d" query
  umount "$d/.huge"  # a manual change, which apply repairs (the file's path where one may name it)
  if [ -n "$3" ]; then printf 'path = %s\nmode = 0750\n' "$d" >"$tmp/every.conf"; set --
  else printf 'mode = 0750\n' >"$tmp/every.conf"; set -- --shmem-path "$d"; fi
  expect 0 "^apply: mount .huge" "" -- --quiet "$@" apply "$tmp/every.conf"
  expect 0 "^  \.huge +mounted$" "" -- --shmem-path "$d" query
  [ "$(stat -c %a "$d")" = 750 ] || fail "apply did not set the mode of $shown"
  expect 0 "" "" -- --quiet --shmem-path "$d" fini
  [ ! -e "$d" ] || fail "fini left $shown"
}

# six components of 200 spaces (each 800 bytes in mountinfo)
sp=$(printf '%200s' '')
d="$base/$sp/$sp/$sp/$sp/$sp/$sp"
mkdir -p "$(dirname "$d")"
every_command "$d" "$d"

# tabs, a newline and backslashes
nl="$base/t$(printf '\t')ab\\x\\040/n
l\\\\"
mkdir -p "$(dirname "$nl")"
every_command "$nl" "$base/t\\x09ab\\x5cx\\x5c040/n\\x0al\\x5c\\x5c"  # as the tool shows it

# within FD_SHMEM_PATH_MAX (4000 bytes): components of 100 bytes, the last
# full of what mountinfo escapes; the file's path line may name it
comp=$(printf '%0100d' 0)
long="$base"
while [ $(( ${#long} + 101 )) -le 3846 ]; do long="$long/$comp"; done
# shellcheck disable=SC1003  # tr reads '\\' as one backslash
long="$long/$(printf '%*s' $((3996 - ${#long})) '' | tr ' ' '\\')"
mkdir -p "$(dirname "$long")"
{ [ ${#long} -ge 3990 ] && [ ${#long} -le 4000 ]; } || fail "the long path is ${#long} bytes"
every_command "$long" "$(printf '%s' "$long" | sed 's/\\/\\x5c/g')" file

[ -z "$(left_below "$base")" ] || fail "mounts left below $base"
finish
