# shellcheck shell=sh
# Shared by the fd_shmem_ctl tests: run the tool, check exit status and
# what went to stdout and stderr.  Sourced, not run.
: "${top_builddir:?}"
CTL="$top_builddir/src/ctl/fd_shmem_ctl"
tmp=$(mktemp -d)
fails=0
checks=0

# As root the tool takes the host's lock, /run/fdshmem/ctl.lock, which a
# privileged test holds for seconds, or moves aside: a test run as root
# without the privileges shares the machine lock (need_machine takes it
# alone), so it runs alongside others of its kind, never beside those.
if [ "$(id -u)" = 0 ]; then
  exec 9>/tmp/fdshmem-test.lock
  flock -s 9
fi

# expect STATUS STDOUT_REGEX STDERR_REGEX -- ARGS...: runs the tool and
# checks its exit status and that each stream matches (regex "" = empty).
expect() {
  want_status=$1 want_out=$2 want_err=$3; shift 4
  checks=$((checks + 1))
  "$CTL" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" != "$want_status" ]; then
    echo "FAIL: fd_shmem_ctl $*: exit $status, want $want_status"; cat "$tmp/err"; fails=$((fails + 1)); return
  fi
  check_stream "$*" out "$want_out"
  check_stream "$*" err "$want_err"
}

check_stream() {
  if [ -z "$3" ]; then
    [ -s "$tmp/$2" ] || return 0
    echo "FAIL: fd_shmem_ctl $1: std$2 should be empty:"; cat "$tmp/$2"; fails=$((fails + 1))
  elif ! grep -Eq -- "$3" "$tmp/$2"; then
    echo "FAIL: fd_shmem_ctl $1: std$2 does not match /$3/:"; cat "$tmp/$2"; fails=$((fails + 1))
  fi
}

# out_has REGEX: the last run's stdout has a line matching REGEX.
out_has() {
  checks=$((checks + 1))
  grep -Eq -- "$1" "$tmp/out" || { echo "FAIL: stdout lacks /$1/:"; cat "$tmp/out"; fails=$((fails + 1)); }
}

# need_machine: for the tests that mount and change the hugepage pool:
# skips (77) unless root with FDSHMEM_TEST_PRIVILEGED=1 and 2 MiB pages
# on node 0, then takes the machine lock (held until exit).  Sets $pool
# (node 0's 2 MiB pool) and $pool_before.
need_machine() {
  pool=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
  if [ "$(id -u)" != 0 ] || [ "${FDSHMEM_TEST_PRIVILEGED:-}" != 1 ]; then
    rm -rf "$tmp"; echo "SKIP: needs root and FDSHMEM_TEST_PRIVILEGED=1"; exit 77
  fi
  [ -e "$pool" ] || { rm -rf "$tmp"; echo "SKIP: no 2 MiB pages on node 0"; exit 77; }
  exec 9>/tmp/fdshmem-test.lock
  flock 9
  # shellcheck disable=SC2034  # for the tests that source this file
  pool_before=$(cat "$pool")
  trap 'exit 1' HUP INT PIPE TERM  # a killed test (or one whose reader left) still puts the machine back
}

# wait_ready FILE: waits (up to 20 s: CI machines are loaded) for a
# holder started in the background to write "ready" to FILE.
wait_ready() {
  for _ in $(seq 100); do grep -q ready "$1" && return 0; sleep 0.2; done
  echo "FAIL: the holder never got ready"; fails=$((fails + 1))
}

finish() {
  rm -rf "$tmp"
  echo "$checks checks, $fails failed"
  [ "$fails" = 0 ]
}

# json_ok WHAT: the last run's stdout is one valid JSON text (tests/json_check).
json_ok() {
  checks=$((checks + 1))
  "$top_builddir/tests/json_check" <"$tmp/out" 2>"$tmp/json_err" && return 0
  echo "FAIL: $1: stdout is not JSON ($(cat "$tmp/json_err")):"; cat "$tmp/out"; fails=$((fails + 1))
}

# check_json_agrees KINDS ARGS...: runs ARGS (a check) as text and with
# --json: the same exit status, "ok" true exactly when it is 0, the
# differences' kinds in order KINDS (blank-separated), their "text" fields
# the text form's "differs:" lines, the same and as many; with KINDS ""
# the object is exactly ok true and an empty list.
check_json_agrees() {
  want_kinds=$1; shift
  "$CTL" "$@" >"$tmp/text" 2>/dev/null; text_status=$?
  "$CTL" --json "$@" >"$tmp/out" 2>"$tmp/err"; json_status=$?
  json_ok "--json $*"
  checks=$((checks + 1))
  grep '^differs: ' "$tmp/text" >"$tmp/text.lines"
  sed -n 's/^    { "kind": .*, "text": "\(.*\)" },\{0,1\}$/\1/p' "$tmp/out" >"$tmp/json.lines"
  kinds=$(sed -n 's/^    { "kind": "\([^"]*\)".*/\1/p' "$tmp/out" | tr '\n' ' ' | sed 's/ $//')
  ok=false; [ "$json_status" = 0 ] && ok=true
  why=""
  [ "$text_status" = "$json_status" ] || why="exit $json_status, the text form's $text_status"
  grep -q "^  \"ok\": $ok,\$" "$tmp/out" || why="$why; \"ok\" is not $ok"
  cmp -s "$tmp/text.lines" "$tmp/json.lines" || why="$why; the \"text\" fields are not the text form's lines"
  [ "$kinds" = "$want_kinds" ] || why="$why; kinds \"$kinds\", want \"$want_kinds\""
  if [ -z "$want_kinds" ] && [ "$(tr -d ' \n' <"$tmp/out")" != '{"ok":true,"differences":[]}' ]; then
    why="$why; not the in-sync object"
  fi
  [ -z "$why" ] && return 0
  echo "FAIL: --json $*: ${why#; }:"; cat "$tmp/out" "$tmp/text"; fails=$((fails + 1))
}

# node_left N: the bytes of node N's memory (MemTotal of its meminfo)
# its hugepage pools leave, every page size's pages (sysfs) taken off.
# (The helpers below name their variables _nl_*: they share the test's.)
node_left() {
  _nl_left=$(( $(awk '/MemTotal/ { print $4 }' "/sys/devices/system/node/node$1/meminfo") * 1024 ))
  for _nl_p in /sys/devices/system/node/node"$1"/hugepages/hugepages-*kB; do
    [ -e "$_nl_p" ] || continue
    _nl_kb=${_nl_p##*hugepages-}
    _nl_left=$(( _nl_left - $(cat "$_nl_p/nr_hugepages") * ${_nl_kb%kB} * 1024 ))
  done
  echo "$_nl_left"
}

# headroom_rule N: the bytes node N keeps by default: 1 GiB, or 1/32 of
# its memory if that is more.
headroom_rule() {
  _nl_mem=$(( $(awk '/MemTotal/ { print $4 }' "/sys/devices/system/node/node$1/meminfo") * 1024 ))
  if [ $((_nl_mem / 32)) -gt $((1 << 30)) ]; then echo $((_nl_mem / 32)); else echo $((1 << 30)); fi
}

# nodes_with_memory: the nodes that have memory and hugepage pools.
nodes_with_memory() {
  for _nl_d in /sys/devices/system/node/node[0-9]*; do
    [ -d "$_nl_d/hugepages" ] && [ "$(awk '/MemTotal/ { print $4 }' "$_nl_d/meminfo")" -gt 0 ] && echo "${_nl_d##*node}"
  done
}
