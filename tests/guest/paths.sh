#!/bin/sh
# Inside the guest (tests/guest/t_paths.sh): a domain path on a pseudo
# file system is refused by init and apply with a clear reason, and
# nothing is made there (a directory made in a cgroup hierarchy is a new
# cgroup); one made there by hand is no domain to fini, reset or apply.
CTL=./fd_shmem_ctl
fails=0 checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS STDERR_REGEX -- ARGS...: the tool's exit status and a
# line of its stderr
expect() {
  want_status=$1 want_err=$2; shift 3
  checks=$((checks + 1))
  "$CTL" "$@" >/tmp/out 2>/tmp/err
  status=$?
  [ "$status" = "$want_status" ] || { fail "fd_shmem_ctl $*: exit $status, want $want_status"; cat /tmp/err; return; }
  grep -Eq -- "$want_err" /tmp/err || { fail "fd_shmem_ctl $*: stderr does not match /$want_err/:"; cat /tmp/err; }
}

# the pseudo file systems the guest has not mounted yet (each kept where
# it can be: a kernel without one skips it)
mkdir -p /mnt/cgroup2 /mnt/bpf /mnt/mqueue /mnt/devpts
mount -t cgroup2 cgroup2 /mnt/cgroup2 || fail "cannot mount cgroup2"
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t bpf bpf /mnt/bpf 2>/dev/null
mount -t mqueue mqueue /mnt/mqueue 2>/dev/null
mount -t devpts devpts /mnt/devpts 2>/dev/null

# each PARENT FS: init and apply of PARENT/fdshmem refuse, naming FS, and
# PARENT holds what it held
while read -r parent fs; do
  grep -q " $parent $fs " /proc/mounts || { echo "no $fs at $parent: skipped"; continue; }
  d=$parent/fdshmem
  # shellcheck disable=SC2012  # the names are compared, not parsed (busybox find lacks -printf)
  before=$(ls -A "$parent" | sort | tr '\n' ' ')
  why="$d would be on the $fs file system of $parent, where no domain can live; nothing was changed"
  expect 1 "init 700 root root: $why" -- --shmem-path "$d" init 700 root root
  printf 'path = %s\nmode = 0700\n' "$d" >/tmp/pseudo.conf
  expect 1 "apply /tmp/pseudo.conf: .*$why" -- apply /tmp/pseudo.conf
  [ ! -e "$d" ] || { fail "$d was made"; rmdir "$d"; }
  # shellcheck disable=SC2012
  [ "$fs" = proc ] || [ "$(ls -A "$parent" | sort | tr '\n' ' ')" = "$before" ] || fail "$parent changed: was '$before'"
done <<LIST
/sys/fs/cgroup/memory cgroup
/mnt/cgroup2 cgroup2
/sys/kernel/debug debugfs
/sys/kernel/tracing tracefs
/mnt/bpf bpf
/mnt/mqueue mqueue
/mnt/devpts devpts
/sys sysfs
/proc proc
LIST

# a cgroup made by hand is no domain: every command says why, and none
# makes a cgroup inside it
made=/sys/fs/cgroup/memory/made
mkdir "$made"
expect 1 "init 700 root root: $made already exists and is not a domain: it is on a cgroup file system" -- \
  --shmem-path "$made" init 700 root root
printf 'path = %s\nmode = 0700\n' "$made" >/tmp/made.conf
expect 1 "apply /tmp/made.conf: .*$made is not a domain: it is on a cgroup file system.*nothing was done" -- \
  apply /tmp/made.conf
expect 1 "query: $made is not a domain: it is on a cgroup file system" -- --shmem-path "$made" query
expect 1 "fini: $made is not a domain: it is on a cgroup file system" -- --shmem-path "$made" fini
expect 1 "reset: $made is not a domain: it is on a cgroup file system" -- --shmem-path "$made" reset
for t in .normal .huge .gigantic; do
  [ ! -e "$made/$t" ] || { fail "a cgroup $made/$t was made"; rmdir "$made/$t"; }
done
rmdir "$made"

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
