#!/bin/sh
# fd_shmem_ctl killed at every step, run as root inside a QEMU guest
# (tests/guest/t_kill.sh); dash with busybox.
#   kill.sh
# fini, init, apply (a new domain, the repair of a partial one, the
# resize of a mount sized before memory was added), alloc and reset
# each run under strace, which sends SIGKILL on entry to the Nth call
# of one system call (that call is then not made), for each call by
# which the command changes the machine and N = 1, 2, ... until the
# command finishes; then each is sent SIGTERM or SIGKILL after stepped
# delays.  fini is also killed while it moves a mount back after a
# refused unmount, and must refuse, changing nothing, where open_tree or
# move_mount is refused.  After every kill:
# - no mount of a domain's file systems (source fd_shmem) is anywhere
#   but on the domain's own page-type directories, and nothing is set
#   aside in an fdshmem-fini.* directory;
# - each region made before is still in the domain, or gone with its
#   huge pages free (node 0's pages in use are those of the regions
#   left);
# - query exits 0 and says what the mount table and the directories
#   say: each page type's state, the regions, node 0's huge pool;
# - the next command recovers: fini (exit 0, nothing left, every page
#   free), or apply (exit 0, then check finds the machine matching).
here=$(cd "$(dirname "$0")" && pwd)
CTL=${CTL:-$here/fd_shmem_ctl}
fails=0 checks=0
sysnode=/sys/devices/system/node
H=hugepages-2048kB

if [ "$(id -u)" != 0 ] || [ "${FDSHMEM_TEST_PRIVILEGED:-}" != 1 ]; then
  echo "SKIP: needs root and FDSHMEM_TEST_PRIVILEGED=1"; exit 77
fi
command -v strace >/dev/null || { echo "SKIP: no strace in the guest"; exit 77; }
[ -e "$sysnode/node1/hugepages/$H/nr_hugepages" ] || { echo "SKIP: needs 2 MiB pages on nodes 0 and 1"; exit 77; }
exec 9>/tmp/fdshmem-test.lock
flock 9 2>/dev/null || true

tmp=$(mktemp -d)
dom=$tmp/dom
conf=$tmp/fdshmem.conf
printf 'path = %s\nmode = 0750\nuser = 0\ngroup = 0\npages = huge 1 2\n' "$dom" >"$conf"
pool() { echo "$sysnode/node$1/hugepages/$H/nr_hugepages"; }
used0() { echo $(( $(cat "$(pool 0)") - $(cat "$sysnode/node0/hugepages/$H/free_hugepages") )); }
saved=$(for f in "$sysnode"/node*/hugepages/*/nr_hugepages; do echo "$f $(cat "$f")"; done)
restore() {
  scrub
  echo "$saved" | while read -r f v; do echo "$v" >"$f"; done
  rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 1' HUP INT TERM

ctx=
fail() { echo "FAIL: $ctx: $*"; fails=$((fails + 1)); }

# Mount points of fd_shmem file systems other than the domain's own,
# and anything mounted in an fdshmem-fini.* directory.
strays() {
  awk -v dom="$dom" '{
    i = 7; while ($i != "-") i++
    own = $5 == dom "/.normal" || $5 == dom "/.huge" || $5 == dom "/.gigantic"
    if (($(i + 2) == "fd_shmem" && !own) || $5 ~ /fdshmem-fini/) print $5 " (" $(i + 1) ")"
  }' /proc/self/mountinfo
}
mounted() { awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo; }

# Puts the machine back after a failed check, so the next case starts
# clean: every fd_shmem mount anywhere goes, and the domain.
scrub() {
  awk '{ i = 7; while ($i != "-") i++; if ($(i + 2) == "fd_shmem" || $5 ~ /fdshmem-fini/) print $5 }' \
    /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
  rm -rf "$dom" /tmp/fdshmem-fini.* /run/fdshmem-fini.* 2>/dev/null
  echo 0 >"$(pool 1)"
}

# The regions' files in the domain, "TYPE NAME" per line, sorted.
regions_there() {
  for t in normal huge gigantic; do
    mounted "$dom/.$t" && for f in "$dom/.$t"/*; do [ -e "$f" ] && echo "$t ${f##*/}"; done
  done | sort
}

# Node 0's huge pages in use settle on those of the huge regions left
# (a dropped mount's pages are freed by the kernel just after the kill).
pages_match() {
  want=0
  [ -e "$dom/.huge/r1" ] && mounted "$dom/.huge" && want=2
  i=0
  while [ "$(used0)" != "$want" ] && [ $i -lt 20 ]; do usleep 100000; i=$((i + 1)); done
  checks=$((checks + 1))
  [ "$(used0)" = "$want" ] || fail "node 0 has $(used0) huge pages in use, the regions left hold $want"
}

# query exits 0 and tells what is there.
query_truthful() {
  checks=$((checks + 1))
  "$CTL" --shmem-path "$dom" query >"$tmp/q" 2>"$tmp/qerr" || { fail "query exit $?: $(cat "$tmp/qerr")"; return; }
  line=$(awk '$1 == "huge" && $2 == 0 { print $3, $4 }' "$tmp/q")
  sysfs="$(cat "$(pool 0)") $(cat "$sysnode/node0/hugepages/$H/free_hugepages")"
  [ "$line" = "$sysfs" ] || fail "query shows node 0's huge pool (total, free) as '$line', sysfs says $sysfs"
  if [ ! -e "$dom" ]; then
    grep -q "^domain $dom: does not exist" "$tmp/q" || fail "query does not say the domain is gone: $(cat "$tmp/q")"
    return
  fi
  for t in normal huge gigantic; do
    if mounted "$dom/.$t"; then want=mounted; elif [ -d "$dom/.$t" ]; then want="not mounted"; else want=missing; fi
    got=$(sed -n "s/^  \.$t  *//p" "$tmp/q" | sed 's/  (see.*//')
    [ "$got" = "$want" ] || fail "query shows .$t as '$got', it is $want"
  done
  got=$(sed -n '/^region /,$p' "$tmp/q" | awk 'NR > 1 && $1 != "(no" { print $2, $1 }' | sort)
  [ "$got" = "$(regions_there)" ] || fail "query lists regions '$got', the domain holds '$(regions_there)'"
}

# After a kill: nothing stray, the pages of the regions, query.
after_kill() {
  checks=$((checks + 1))
  s=$(strays)
  [ -z "$s" ] || fail "mounts left outside the domain: $s"
  pages_match
  query_truthful
}

# recover_fini: the next fini takes down whatever is there.
recover_fini() {
  checks=$((checks + 1))
  if [ -e "$dom" ]; then
    "$CTL" --shmem-path "$dom" fini >"$tmp/out" 2>&1 || fail "the next fini: exit $?: $(cat "$tmp/out")"
  fi
  [ ! -e "$dom" ] || fail "the next fini left $dom"
  s=$(strays)
  { [ -z "$s" ] && ! mounted "$dom/.normal" && ! mounted "$dom/.huge"; } || fail "mounts left after the next fini: $s"
  pages_match
}

# recover_apply: the next apply makes the machine match the file.
recover_apply() {
  checks=$((checks + 1))
  "$CTL" apply "$conf" >"$tmp/out" 2>&1 || fail "the next apply: exit $?: $(cat "$tmp/out")"
  "$CTL" check "$conf" >"$tmp/out" 2>&1 || fail "check after the next apply: exit $?: $(cat "$tmp/out")"
  for t in normal huge gigantic; do
    opts=$(awk -v p="$dom/.$t" '$5 == p { print $6 }' /proc/self/mountinfo)
    case ,$opts, in *,rw,*nosuid,nodev,noexec,*) ;; *) fail ".$t mounted $opts after the next apply" ;; esac
  done
  echo 0 >"$(pool 1)"
  recover_fini
}

# ---- the cases: SETUP, the command, RECOVERY ----
setup_none() { :; }
setup_regions() {
  "$CTL" --quiet --shmem-path "$dom" init 700 root root create r1 2 huge 0 600 create r2 3 normal 0 600 \
    create r3 1 normal 0 600 || fail "setup: init and create failed"
}
setup_partial() {  # a domain whose .huge is not mounted, its owner not the file's
  { "$CTL" --quiet --shmem-path "$dom" init 700 root root && umount "$dom/.huge"; } || fail "setup: partial domain"
}
setup_stale() {  # a domain whose empty .huge is sized for less memory than the machine has
  { "$CTL" --quiet --shmem-path "$dom" init 700 root root && umount "$dom/.huge" &&
    mount -t hugetlbfs -o pagesize=2M,size=4M,mode=0700,nosuid,nodev,noexec fd_shmem "$dom/.huge"; } ||
    fail "setup: stale domain"
}
recover_alloc() {
  checks=$((checks + 1))
  "$CTL" alloc 3 huge 1 >"$tmp/out" 2>&1 || fail "the next alloc: exit $?: $(cat "$tmp/out")"
  [ "$(cat "$(pool 1)")" = 3 ] || fail "node 1 has $(cat "$(pool 1)") huge pages after alloc 3"
  echo 0 >"$(pool 1)"
  recover_fini
}
recover_reset() {
  checks=$((checks + 1))
  "$CTL" --shmem-path "$dom" reset >"$tmp/out" 2>&1 || fail "the next reset: exit $?: $(cat "$tmp/out")"
  [ -z "$(regions_there)" ] || fail "regions left after the next reset: $(regions_there)"
  recover_fini
}

# case_steps NAME SETUP RECOVERY SYSCALLS -- ARGS...: for each system
# call of SYSCALLS and N = 1, 2, ...: SETUP, the tool with ARGS killed on
# entry to the Nth call (strace given $also too), the checks, RECOVERY;
# until the tool finishes.
kills=0 also=
case_steps() {
  name=$1 setup=$2 recovery=$3 calls=$4 case_start=$(date +%s) case_kills=$kills; shift 5
  for call in $calls; do
    n=1
    while [ $n -le 40 ]; do
      ctx="$name killed before $call #$n"
      $setup
      # in a subshell, which says "Killed" to /dev/null
      # shellcheck disable=SC2086  # $also: strace options, one a word
      (strace -f -o /dev/null $also -e inject="$call:signal=KILL:when=$n" "$CTL" "$@" >"$tmp/out" 2>&1; exit $?) \
        2>/dev/null
      status=$?
      after_kill
      $recovery
      { [ -z "$(strays)" ] && [ ! -e "$dom" ]; } || scrub
      [ $status -ge 128 ] || break
      kills=$((kills + 1)) n=$((n + 1))
    done
  done
  echo "$name ($setup, $recovery): $((kills - case_kills)) kills at $calls in $(( $(date +%s) - case_start )) s"
}

# case_delays NAME SETUP RECOVERY -- ARGS...: SETUP, the tool sent
# SIGTERM or SIGKILL (in turn) after 0, 10, 20, ... ms, the checks,
# RECOVERY; until it has twice finished first.
case_delays() {
  name=$1 setup=$2 recovery=$3; shift 4
  ms=0 done=0 sig=TERM
  while [ $done -lt 2 ] && [ $ms -le 3000 ]; do
    ctx="$name sent SIG$sig after $ms ms"
    $setup
    "$CTL" "$@" >"$tmp/out" 2>&1 &
    pid=$!
    usleep $((ms * 1000))
    kill -$sig $pid 2>/dev/null
    wait $pid 2>/dev/null
    [ $? -ge 128 ] && kills=$((kills + 1)) || done=$((done + 1))
    after_kill
    $recovery
    { [ -z "$(strays)" ] && [ ! -e "$dom" ]; } || scrub
    ms=$((ms + 10))
    [ $sig = TERM ] && sig=KILL || sig=TERM
  done
}

echo 4 >"$(pool 0)"
[ "$(cat "$(pool 0)")" = 4 ] || { echo "SKIP: node 0 cannot reserve 4 huge pages"; exit 77; }
echo 0 >"$(pool 1)"
start=$(date +%s)

# (fini before its first unmount holds a copy of every mount: its kills
# at open_tree leave nothing else, and its tracing is slow, scanning
# every process for holders)
case_steps fini  setup_regions recover_fini  "umount2 unlinkat rmdir"           -- --shmem-path "$dom" fini
init="--shmem-path $dom init 750 root root"
# shellcheck disable=SC2086  # $init: the command's words
case_steps init  setup_none    recover_fini  "mkdir mount fchown"               -- $init
# shellcheck disable=SC2086
case_steps init  setup_none    recover_apply "mkdir mount fchown"               -- $init
case_steps apply setup_none    recover_apply "mkdir mount fchown write"         -- apply "$conf"
case_steps apply setup_partial recover_apply "mount fchown"                     -- apply "$conf"
case_steps apply setup_stale   recover_apply "mount umount2"                    -- apply "$conf"
case_steps alloc setup_none    recover_alloc "write"                            -- alloc 3 huge 1
case_steps reset setup_regions recover_reset "unlinkat"                         -- --shmem-path "$dom" reset
# the second unmount refused: fini moves the first mount back, killed
# before and after
also="-e inject=umount2:error=EBUSY:when=2"
case_steps fini  setup_regions recover_fini  "move_mount"                       -- --shmem-path "$dom" fini
also=
echo "$kills kills at steps in $(( $(date +%s) - start )) s"

# A kernel that cannot hold a mount detached (here: the call refused as
# a seccomp filter or an old kernel would): fini refuses, changing
# nothing.
for refusal in open_tree:error=ENOSYS open_tree:error=EPERM move_mount:error=ENOSYS; do
  ctx="fini with $refusal"
  checks=$((checks + 1))
  setup_regions
  strace -f -o /dev/null -e inject="$refusal" "$CTL" --shmem-path "$dom" fini >"$tmp/out" 2>&1
  status=$?
  [ $status = 1 ] || fail "exit $status, want 1: $(cat "$tmp/out")"
  grep -q "fini: .*this kernel cannot hold a mount detached (open_tree, move_mount: .*; nothing was changed" \
    "$tmp/out" || fail "no refusal: $(cat "$tmp/out")"
  for t in normal huge gigantic; do mounted "$dom/.$t" || fail ".$t is no longer mounted"; done
  [ "$(regions_there)" = "$(printf 'huge r1\nnormal r2\nnormal r3')" ] || fail "regions left: $(regions_there)"
  after_kill
  recover_fini
  { [ -z "$(strays)" ] && [ ! -e "$dom" ]; } || scrub
done

start=$(date +%s) kills0=$kills
case_delays fini  setup_regions recover_fini  -- --shmem-path "$dom" fini
# shellcheck disable=SC2086
case_delays init  setup_none    recover_apply -- $init
case_delays apply setup_none    recover_apply -- apply "$conf"
case_delays alloc setup_none    recover_alloc -- alloc 3 huge 1
case_delays reset setup_regions recover_reset -- --shmem-path "$dom" reset
echo "$((kills - kills0)) kills after delays in $(( $(date +%s) - start )) s"

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
