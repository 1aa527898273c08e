#!/bin/sh
# fd_shmem_ctl commands that race, as root: two applies, apply and fini,
# init and fini started at once, many rounds.  Each must end as if they
# had run one after the other, and each must say what it really did.
# Then the host-wide lock itself (/run/fdshmem/ctl.lock): a changing
# line waits for any holder and says so, a read-only line only for a
# changing one, help never, other users run without it; a holder killed
# with SIGKILL frees it; an unsafe lock directory or file is refused
# with nothing changed (the real directory is moved aside for that, and
# put back at exit).
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
lockdir=/run/fdshmem
lock=$lockdir/ctl.lock
aside=
dom=$(mktemp -u /tmp/fdshmem-race.XXXXXX)
export FD_SHMEM_PATH="$dom"
pids=

unmount_dom() {
  awk -v d="$dom/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while IFS= read -r m; do umount -l "$m"; done
}
restore() {
  for p in $pids; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  exec 8>&- 2>/dev/null
  unmount_dom
  if [ -n "$aside" ]; then
    rm -rf "$lockdir"  # whatever a case left there (a link is removed, not followed)
    [ ! -e "$aside/fdshmem" ] || mv "$aside/fdshmem" "$lockdir"
    rm -rf "$aside"
  fi
  rm -rf "$dom" "$tmp"
  echo "$pool_before" > "$pool"
}
trap restore EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
show() { for f in "$@"; do echo "--- $f:"; cat "$tmp/$f"; done; }
# clean: no domain, the pool as before: the next apply has work to do
clean() { unmount_dom; rm -rf "$dom"; echo "$pool_before" > "$pool"; }

want=$((pool_before + 2))
conf="$tmp/fdshmem.conf"
printf 'path = %s\nmode = 0750\ngroup = nogroup\npages = huge 0 %s\n' "$dom" "$want" >"$conf"
rounds=50

# race R SPREAD A B: runs the fd_shmem_ctl lines A and B (words split
# by the shell) at once: A's output in o1 and e1, its status in s1; B's
# in o2, e2, s2.  Round R decides which starts first, and how long after
# it the other (0 to SPREAD ms: an apply takes some 10 ms, a fini 25),
# so over the rounds they meet at every step of each other.
race() {
  ms=$(($1 % 25 * $2 / 25))
  pause="sleep 0.0$((ms / 10))$((ms % 10))"
  [ $ms != 0 ] || pause=:  # at once: even starting sleep would part them
  # shellcheck disable=SC2086
  if [ $(($1 % 2)) = 0 ]; then
    "$CTL" $3 >"$tmp/o1" 2>"$tmp/e1" & p1=$!; $pause; "$CTL" $4 >"$tmp/o2" 2>"$tmp/e2" & p2=$!
  else
    "$CTL" $4 >"$tmp/o2" 2>"$tmp/e2" & p2=$!; $pause; "$CTL" $3 >"$tmp/o1" 2>"$tmp/e1" & p1=$!
  fi
  wait $p1; s1=$?; wait $p2; s2=$?
}

# ---- two applies at once: one does the work, the other finds it done
for r in $(seq $rounds); do
  clean
  race "$r" 0 "apply $conf" "apply $conf"
  checks=$((checks + 1))
  did=$(cat "$tmp/o1" "$tmp/o2" | grep -c "^apply: init domain $dom")
  idle=$(cat "$tmp/o1" "$tmp/o2" | grep -c "^nothing to do: the machine matches")
  if [ $s1 != 0 ] || [ $s2 != 0 ] || [ "$did" != 1 ] || [ "$idle" != 1 ]; then
    fail "round $r: two applies: exit $s1 and $s2; $did said 'apply: init domain', $idle 'nothing to do'"
    show o1 e1 o2 e2
  fi
  checks=$((checks + 1))
  "$CTL" check "$conf" >"$tmp/o" 2>&1 || { fail "round $r: after two applies the machine differs:"; show o; }
done

# ---- apply and fini at once, on a domain that differs from the file:
# apply has work to do whichever runs first.  If apply ran second it
# found no domain and made one ("apply: init domain"); if it ran first,
# fini took its domain down after it.
for r in $(seq $rounds); do
  clean
  "$CTL" --quiet init 700 root root
  race "$r" 50 "apply $conf" fini
  checks=$((checks + 1))
  if [ $s1 != 0 ] || [ $s2 != 0 ] || ! grep -q "removed domain $dom" "$tmp/e2"; then
    fail "round $r: apply and fini: exit $s1 and $s2"; show o1 e1 o2 e2
  elif grep -q "^apply: init domain $dom" "$tmp/o1"; then
    "$CTL" check "$conf" >"$tmp/o" 2>&1 || { fail "round $r: fini, then apply: the machine differs:"; show o e1 e2; }
  elif [ -e "$dom" ] || grep -q " $dom/" /proc/mounts; then
    fail "round $r: apply, then fini: the domain is still there"; show o1 e1 o2 e2
  fi
done

# ---- init and fini at once: fini finds no domain (init then makes it),
# or init's domain (and takes it down); never one half made
for r in $(seq $rounds); do
  clean
  race "$r" 50 "init 750 root nogroup" fini
  checks=$((checks + 1))
  if [ $s1 != 0 ]; then
    fail "round $r: init and fini: init exited $s1"; show e1 e2
  elif [ $s2 = 0 ]; then
    if [ -e "$dom" ] || grep -q " $dom/" /proc/mounts; then
      fail "round $r: init, then fini: the domain is still there"; show e1 e2
    fi
  elif ! grep -q "^fd_shmem_ctl: fini: no domain at $dom\$" "$tmp/e2"; then
    fail "round $r: init and fini: fini failed for another reason than no domain yet:"; show e1 e2
  elif [ "$(stat -c '%a %G' "$dom" 2>&1)" != "750 nogroup" ] || ! "$CTL" query >"$tmp/o" 2>&1; then
    fail "round $r: fini, then init: the domain is not whole:"; show o e1 e2
  fi
done
clean

# ---- the lock: made by the first command of root (the test makes it
# afresh below), root's alone
lock_made() {
  (umask 022 && "$CTL" cpu-cnt >/dev/null)
  checks=$((checks + 1))
  [ "$(stat -c '%F %a %U' "$lockdir" 2>&1)" = "directory 755 root" ] &&
    [ "$(stat -c '%F %a %U' "$lock" 2>&1)" = "regular empty file 600 root" ] && return
  fail "no lock at $lock made by fd_shmem_ctl: $(ls -ld "$lockdir" "$lock" 2>&1)"
  return 1
}
lock_made || { finish; exit; }

# hold -s|-x: the lock held shared or exclusive by flock(1) in the
# background ($holder, its pid), until killed
hold() {
  : >"$tmp/held"
  flock -o "$1" "$lock" sh -c "echo \$\$ >'$tmp/sleeper'; echo ready >'$tmp/held'; exec sleep 60" & holder=$!
  pids="$pids $holder"
  wait_ready "$tmp/held"
  # killing flock leaves its child: the EXIT trap ends that one too
  pids="$pids $(cat "$tmp/sleeper")"
}
# soon STATUS STDERR_REGEX -- ARGS: the command ends at once (within
# 20 s: it waits for no holder) with STATUS, stderr matching (or empty)
soon() {
  want_status=$1 want_err=$2; shift 3
  checks=$((checks + 1))
  timeout 20 "$CTL" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ $status != "$want_status" ]; then
    fail "fd_shmem_ctl $*: exit $status, want $want_status"; show out err
  else
    check_stream "$*" err "$want_err"
  fi
}
# waits STDERR_REGEX -- ARGS: the command waits for the holder, saying
# so (stderr matches), and runs once the holder is gone
waits() {
  want_err=$1; shift 2
  checks=$((checks + 1))
  "$CTL" "$@" >"$tmp/out" 2>"$tmp/err" & p=$!
  sleep 2  # the note comes after half a second of waiting
  if ! kill -0 $p 2>/dev/null; then
    fail "fd_shmem_ctl $* did not wait for the holder"; show out err
  else
    check_stream "$*" err "$want_err"
  fi
  kill $holder; wait $holder 2>/dev/null
  wait $p || { fail "fd_shmem_ctl $* failed after its wait:"; show out err; }
}

held_by="^fd_shmem_ctl: waiting for $lock, held by pid [0-9]+ \\(flock\\) \\.\\.\\.\$"
hold -x
soon 0 "" -- help
soon 0 "" -- --version
soon 2 "unknown command" -- nosuch
waits "$held_by" -- init 700 root root
grep -q "held by pid $holder " "$tmp/err" || fail "the waiting note does not name the holder $holder"
hold -x
waits "" -- --quiet query
out_has "^domain $dom"
hold -x
waits "$held_by" -- --dry-run apply "$conf"
out_has "^would: set"
hold -s
soon 0 "" -- query
soon 0 "" -- --dry-run --quiet fini
soon 0 "" -- --dry-run --quiet apply "$conf"
soon 0 "" -- --quiet create shared 1 normal 0 600  # region commands run side by side
soon 0 "" -- --quiet unlink shared normal
waits "$held_by" -- apply "$conf"
out_has "^apply: set"
# a holder done within half a second keeps the waiter quiet
: >"$tmp/held"
flock -x "$lock" sh -c "echo ready >'$tmp/held'; exec sleep 0.4" & brief=$!
for _ in $(seq 500); do grep -q ready "$tmp/held" && break; sleep 0.01; done
soon 0 "" -- query
wait $brief
hold -x
waits "$held_by" -- create waited 1 normal 0 600  # ...but never beside a change of the domain
hold -x
waits "$held_by" -- unlink waited normal

# another user runs without the lock (it may change nothing the lock
# guards); the build tree may not be readable by nobody: a copy runs
if command -v setpriv >/dev/null 2>&1; then
  nb="$tmp/nobody"
  mkdir "$nb" && chmod 755 "$tmp" "$nb"
  cp "$top_builddir/src/ctl/.libs/fd_shmem_ctl" "$top_builddir"/src/lib/.libs/libfdshmem.so* "$nb/"
  hold -x
  checks=$((checks + 1))
  if ! timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups env LD_LIBRARY_PATH="$nb" \
       "$nb/fd_shmem_ctl" query >"$tmp/o" 2>"$tmp/e" || [ -s "$tmp/e" ]; then
    fail "query as nobody, the lock held by root:"; show o e
  fi
  kill $holder; wait $holder 2>/dev/null
fi

# a holder killed with SIGKILL frees the lock: fd_shmem_ctl holds it
# exclusive (the line ends in fini) while writing into a pipe nobody
# reads, and is killed there
mkfifo "$tmp/pipe" && exec 8<>"$tmp/pipe"
# shellcheck disable=SC2046
"$CTL" $(seq 40000 | sed 's/.*/cpu-cnt/') fini >"$tmp/pipe" 2>/dev/null & victim=$!
pids="$pids $victim"
for _ in $(seq 100); do flock -n -s "$lock" true || break; sleep 0.2; done
checks=$((checks + 1))
flock -n -s "$lock" true && fail "fd_shmem_ctl never held the lock while it ran"
kill -9 $victim; wait $victim 2>/dev/null
exec 8>&-
soon 0 "removed domain $dom" -- fini

# ---- an unsafe lock is refused and nothing runs; the real directory
# moves aside meanwhile (put back by the trap)
aside=$(mktemp -d /run/fdshmem-aside.XXXXXX)
mv "$lockdir" "$aside/"
lock_made
rm -r "$lockdir"
# refused WHAT WHY: init and query as root are refused, naming WHAT and WHY, and change nothing
refused() {
  soon 1 "^fd_shmem_ctl: $1 is not safe to lock: $2; nothing was changed" -- init 700 root root
  checks=$((checks + 1))
  [ ! -e "$dom" ] || { fail "init ran with $1 unsafe ($2)"; clean; }
  soon 1 "^fd_shmem_ctl: $1 is not safe to lock: $2; nothing was changed" -- query
}
mkdir "$tmp/real" && chmod 755 "$tmp/real"
ln -s "$tmp/real" "$lockdir"
refused "$lockdir" "it is a symbolic link"
checks=$((checks + 1))
[ ! -e "$tmp/real/ctl.lock" ] || fail "a lock file was made through the link"
rm "$lockdir" && mkdir -m 755 "$lockdir" && chown nobody "$lockdir"
refused "$lockdir" "it is owned by uid [0-9]+, not root"
chown root "$lockdir" && chmod 757 "$lockdir"
refused "$lockdir" "it is writable by group or others \\(mode 0757\\)"
chmod 755 "$lockdir"
echo keep >"$tmp/victim" && ln -s "$tmp/victim" "$lock"
refused "$lock" "it is a symbolic link"
checks=$((checks + 1))
[ "$(cat "$tmp/victim")" = keep ] || fail "the file the lock linked to changed"
rm "$lock" && touch "$lock" && chmod 600 "$lock" && chown nobody "$lock"
refused "$lock" "it is owned by uid [0-9]+, not root"
chown root "$lock" && chmod 644 "$lock"
refused "$lock" "other users can open it \\(mode 0644\\)"
rm "$lock" && mkfifo -m 600 "$lock"
refused "$lock" "it is not a regular file"
rm "$lock" && mkdir -m 700 "$lock"
refused "$lock" "it is not a regular file"
rmdir "$lock"
soon 0 "" -- --quiet init 700 root root
soon 0 "" -- --quiet fini

# a /run the lock cannot be made in (read-only here, in a mount
# namespace of its own): refused, saying why
if command -v unshare >/dev/null 2>&1; then
  rm -rf "$lockdir"
  checks=$((checks + 1))
  unshare -m sh -c 'mount -t tmpfs -o ro,mode=755 fdshmem-test /run && exec "$@"' sh \
    "$CTL" init 700 root root >"$tmp/o" 2>"$tmp/e"
  status=$?
  why="^fd_shmem_ctl: cannot lock $lock: mkdir $lockdir: Read-only file system; nothing was changed"
  if [ $status != 1 ] || ! grep -q "$why" "$tmp/e"; then
    fail "init with a read-only /run: exit $status"; show o e
  fi
  checks=$((checks + 1))
  [ ! -e "$dom" ] || { fail "init ran without its lock"; clean; }
fi
finish
