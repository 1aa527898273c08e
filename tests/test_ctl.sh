#!/bin/sh
# fd_shmem_ctl without privileges: argument checking, chaining, exit
# codes, streams, and the region commands on a domain under /dev/shm.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"

dom=$(mktemp -d /dev/shm/fdshmem-ctl.XXXXXX)
mkdir "$dom/.normal"
export FD_SHMEM_PATH="$dom"
odd=
trap 'rm -rf "$dom" "$tmp" ${odd:+"$odd"}' EXIT

cpus=$(getconf _NPROCESSORS_CONF)

# no arguments: a successful no-op
expect 0 "" "" -- 
expect 0 "^usage:" "" -- --help
expect 0 "^usage:" "" -- help
# the usage line and the manual's SYNOPSIS name every option the tool takes
options=$(sed -n 's/^ *{ "\([a-z-]*\)", *[a-z]*_argument,.*/\1/p' "$top_srcdir/src/ctl/ctl_line.c")
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$top_srcdir/man/fd_shmem_ctl.8.in" | sed 's/\\-/-/g')
"$CTL" --help | head -n 1 >"$tmp/usage"
[ "$(echo "$options" | wc -w)" -ge 6 ] || { echo "FAIL: found only these options in ctl_line.c: $options"; fails=$((fails + 1)); }
for o in $options; do
  checks=$((checks + 1))
  grep -q -- "\[--$o" "$tmp/usage" || { echo "FAIL: the usage line lacks --$o"; fails=$((fails + 1)); }
  echo "$synopsis" | grep -q -- "--$o" || { echo "FAIL: the manual's SYNOPSIS lacks --$o"; fails=$((fails + 1)); }
done
expect 0 "^fd_shmem_ctl \(fdshmem\) [0-9]" "" -- --version
expect 2 "" "unknown command" -- frobnicate
expect 2 "" "unknown option or missing value: \"--bogus-option\"" -- --bogus-option
expect 2 "" "absolute" -- --shmem-path relative/path query

# topology
expect 0 "^$cpus\$" "" -- cpu-cnt
expect 0 "^[1-9][0-9]*\$" "" -- numa-cnt
expect 0 "^0\$" "" -- cpu-idx 0
expect 0 "^-\$" "" -- cpu-idx 4096
expect 0 "^0\$" "" -- numa-idx 0
expect 0 "^-\$" "" -- numa-idx "$cpus"
for bad in "" +1 12x 0x1 " 1"; do
  expect 1 "" "numa-idx .*: CPU \".*\" is not a number" -- numa-idx "$bad"
  expect 1 "" "cpu-idx .*: NUMA \".*\" is not a number" -- cpu-idx "$bad"
done
expect 1 "" "numa-idx .*: CPU \"99999999999999999999999\" is too large" -- numa-idx 99999999999999999999999
expect 1 "" "cpu-idx 01: NUMA \"01\" has a leading zero" -- cpu-idx 01
expect 1 "" "cpu-idx -1: NUMA \"-1\" is not a node number: numbers cannot be negative" -- cpu-idx -1
expect 2 "" "needs 1 argument" -- cpu-idx

# chaining: all output in order, and the first failure stops the run
expect 0 "^$cpus\$" "" -- cpu-cnt numa-cnt
[ "$(wc -l <"$tmp/out")" = 2 ] || { echo "FAIL: chained output"; fails=$((fails + 1)); }
expect 1 "^$cpus\$" "unlink nothere 0: no such region" -- cpu-cnt unlink nothere 0 cpu-cnt
[ "$(wc -l <"$tmp/out")" = 1 ] || { echo "FAIL: the run went on after a failure"; fails=$((fails + 1)); }
# a bad argument anywhere in the line: refused before anything runs
expect 1 "" "numa-idx x: CPU \"x\" is not a number" -- cpu-cnt numa-idx x cpu-cnt
expect 1 "" "create b x normal 0 600: PAGE_CNT \"x\" is not a number" -- create a 1 normal 0 600 create b x normal 0 600
expect 0 "^2 0 0\$" "" -- query a 0
expect 1 "" "unlink a bogus: PAGE_SZ must be 0 \(any\), normal" -- unlink a bogus
expect 1 "" "query a bogus: PAGE_SZ must be 0 \(any\), normal" -- query a bogus
expect 0 "^22 0 0\$" "" -- query a/b 0
expect 2 "" "unknown option or missing value: \"--shmem-path\"" -- --shmem-path
expect 1 "" "check \"\": FILE must not be empty" -- check ""
# ...resolved against the machine: a user, group or node that does not
# exist, a count no node holds, a file that does not read right; the
# cpu-cnt before it never prints
expect 1 "" "init 700 nosuchuser-fdshmem root: USER \"nosuchuser-fdshmem\": no such user\$" -- \
  cpu-cnt init 700 nosuchuser-fdshmem root
expect 1 "" "init 700 root nosuchgroup-fdshmem: GROUP \"nosuchgroup-fdshmem\": no such group\$" -- \
  cpu-cnt init 700 root nosuchgroup-fdshmem
expect 1 "" "^fd_shmem_ctl: init 700 nosuchuser-fdshmem root: USER" -- \
  create a 1 normal 0 600 init 700 nosuchuser-fdshmem root
expect 0 "^2 0 0\$" "" -- query a 0
nodes=$("$CTL" numa-cnt)
expect 1 "" "alloc 1 huge $nodes: NUMA \"$nodes\": there is no NUMA node $nodes \(the machine has $nodes node" -- \
  cpu-cnt alloc 1 huge "$nodes"
expect 1 "" "free gigantic $nodes: NUMA \"$nodes\": there is no NUMA node $nodes" -- cpu-cnt free gigantic "$nodes"
if [ -e /sys/devices/system/node/node0/hugepages/hugepages-2048kB ]; then
  # the library's cause and remedy, once
  expect 1 "" "alloc 9999999999 huge 0: CNT \"9999999999\": node 0: 9999999999 huge pages need 18\.6 PiB \
\(20971519997902848 bytes\), more than the node's [0-9.]+ [GT]iB of memory \([0-9]+ bytes\): the node's memory is too \
small for them; ask for a smaller count \(the node holds at most [0-9]+\), or put the rest on another node\$" -- \
    cpu-cnt alloc 9999999999 huge 0
  checks=$((checks + 1))
  [ "$(grep -c "too small" "$tmp/err")" = 1 ] ||
    { echo "FAIL: the cause is not said once:"; cat "$tmp/err"; fails=$((fails + 1)); }
fi
# headroom: alloc refuses, while the line is checked (before anything is
# written), a pool that would leave the node less than 1 GiB or 1/32 of
# it, the rule of kernel-cmdline, which a file's headroom = SIZE changes
node_2m=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
if [ -e "$node_2m" ]; then
  node_mib=$(( $(awk '/MemTotal/ { print $4 }' /sys/devices/system/node/node0/meminfo) / 1024 ))
  greedy=$(( (node_mib - 512) / 2 ))  # 2 MiB pages leaving 512 MiB
  pool_was=$(cat "$node_2m")
  expect 1 "" "alloc $greedy huge 0: node 0: its pools would take [0-9]+ MiB of its $node_mib MiB, leaving [0-9]+ MiB, \
less than the [0-9]+ MiB it keeps for the kernel and programs \(1 GiB or 1/32 of the node, the larger\); set headroom \
= SIZE in .*fdshmem.conf to change that; nothing was done\$" -- --dry-run alloc "$greedy" huge 0
  checks=$((checks + 1))
  [ "$(cat "$node_2m")" = "$pool_was" ] || { echo "FAIL: a refused alloc changed the pool"; fails=$((fails + 1)); }
  printf 'pages = huge 0 %s\n' "$greedy" >"$tmp/greedy.conf"
  expect 1 "" "node 0: the pages come to $((greedy * 2)) MiB of its $node_mib MiB; at boot it must keep at least" \
    -- kernel-cmdline "$tmp/greedy.conf"
  printf 'headroom = 256M\n' >>"$tmp/greedy.conf"
  expect 0 "^hugepagesz=2M hugepages=$greedy\$" "grub" -- kernel-cmdline "$tmp/greedy.conf"
fi
# check reports a node whose pools, as the file sets them (or as they
# are), leave it less than its headroom: the pools apply would refuse to
# grow, and pools already there (a headroom above what they leave)
if [ -e "$node_2m" ]; then
  left=$(node_left 0) rule=$(headroom_rule 0)
  grow=$(( $(cat "$node_2m") + (left - (512 << 20)) / (2 << 20) ))  # 2 MiB pages leaving about 512 MiB
  after=$(( left - (grow - $(cat "$node_2m")) * (2 << 20) ))
  printf 'path = %s/nodom\nmode = 0700\npages = huge 0 %s\n' "$tmp" "$grow" >"$tmp/grow.conf"
  check_json_agrees "domain-missing pool headroom" --shmem-path "$tmp/nodom" check "$tmp/grow.conf"
  out_has "^    \{ \"kind\": \"headroom\", \"node\": 0, \"wanted\": $rule, \"present\": $after, \"text\": \"differs: \
node 0: its pools as the file sets them would leave $((after >> 20)) MiB of its $node_mib MiB, less than the \
$((rule >> 20)) MiB it keeps for the kernel and programs \(1 GiB or 1/32 of the node, the larger\); fewer pages, or \
headroom = SIZE in $tmp/grow.conf\" \}\$"
  expect 1 "" "apply $tmp/grow.conf: node 0: its pools would take" -- --shmem-path "$tmp/nodom" --dry-run apply \
    "$tmp/grow.conf"
  printf 'headroom = 256M\n' >>"$tmp/grow.conf"
  check_json_agrees "domain-missing pool" --shmem-path "$tmp/nodom" check "$tmp/grow.conf"
  # exactly what node 0's pools leave, then one 2 MiB page more
  # (every other node counted as the rule has it)
  for keep in "$left" $((left + (2 << 20))); do
    kinds=domain-missing
    for n in $(nodes_with_memory); do [ "$(node_left "$n")" -ge "$keep" ] || kinds="$kinds headroom"; done
    printf 'path = %s/nodom\nmode = 0700\nheadroom = %s\n' "$tmp" "$keep" >"$tmp/keep.conf"
    check_json_agrees "$kinds" --shmem-path "$tmp/nodom" check "$tmp/keep.conf"
  done
  expect 1 "^differs: node 0: its pools leave $((left >> 20)) MiB of its $node_mib MiB, less than the \
$(((left + (2 << 20)) >> 20)) MiB it keeps for the kernel and programs \(headroom = $(((left + (2 << 20)) >> 20)) MiB\); \
fewer pages, or a lower headroom = SIZE in $tmp/keep.conf\$" "differs from" \
    -- --shmem-path "$tmp/nodom" check "$tmp/keep.conf"
fi
printf 'pages = huge 0\n' >"$tmp/bad.conf"
expect 1 "" "kernel-cmdline $tmp/bad.conf: $tmp/bad.conf:1: " -- cpu-cnt kernel-cmdline "$tmp/bad.conf"
printf 'user = nosuchuser-fdshmem\n' >"$tmp/user.conf"
expect 1 "" "check $tmp/user.conf: $tmp/user.conf:1: no such user \"nosuchuser-fdshmem\"\$" -- \
  cpu-cnt check "$tmp/user.conf"
expect 1 "" "$tmp/user.conf:1: no such user" -- cpu-cnt apply "$tmp/user.conf"
printf 'path = /nonexistent/fd\n' >"$tmp/path.conf"
expect 1 "" "path.conf:1: path /nonexistent/fd differs from $dom" -- cpu-cnt check "$tmp/path.conf"
# a negative number is refused by its own name, wherever the options are
expect 1 "" "init -700 root root: PERM \"-700\" is not a mode: numbers cannot be negative" -- init -700 root root
expect 1 "" "alloc -12 huge 0: CNT \"-12\" is not a count: numbers cannot be negative" -- alloc -12 huge 0
expect 1 "" "create r 1 normal 0 -600: MODE \"-600\" is not a mode: numbers cannot be negative" -- \
  create r 1 normal 0 -600
expect 1 "" "alloc 1 huge -1: NUMA \"-1\" is not a node number: numbers cannot be negative" -- --quiet alloc 1 huge -1
expect 1 "" "create r 1 normal -2 600: CPU_SEQ \"-2\" is not a cpu sequence: numbers cannot be negative" -- \
  create r 1 normal -2 600 --quiet
expect 1 "" "init -700 root root: PERM \"-700\"" -- init -- -700 root root
expect 2 "" "unknown option or missing value: \"-xy\"" -- cpu-cnt -xy
expect 2 "" "unknown option or missing value: \"-x\"" -- cpu-cnt -x
expect 2 "" "absolute directory path" -- --shmem-path -700 cpu-cnt
# the domain named twice: the same one is fine, two are refused
expect 2 "" "--shmem-path given twice, \"$dom\" and \"$tmp/other\": give one" -- \
  --shmem-path "$dom" cpu-cnt --shmem-path "$tmp/other"
expect 0 "^$cpus\$" "" -- --shmem-path "$dom" cpu-cnt --shmem-path "$dom/"

# region commands
expect 0 "" "created r1: 3 normal pages" -- create r1 3 normal 0 600
expect 0 "^0 3 4096\$" "" -- query r1 normal
expect 0 "^0 3 4096\$" "" -- query r1 0
expect 0 "^2 0 0\$" "" -- query nothere 0
expect 0 "" "" -- --quiet create r2 5 4096 "0-$((cpus - 1))" 640
expect 0 "^0 5 4096\$" "" -- query r2 0
expect 1 "" "create r1 .*already exists" -- create r1 1 normal 0 600
expect 1 "" "bad region name" -- create ../x 1 normal 0 600
expect 1 "" "bad region name" -- create "" 1 normal 0 600
expect 1 "" "PAGE_CNT \"0\" must be at least 1" -- create x 0 normal 0 600
expect 1 "" "PAGE_CNT \"1x\" is not a number" -- create x 1x normal 0 600
expect 1 "" "create x -1 normal 0 600: PAGE_CNT \"-1\" is not a count: numbers cannot be negative" -- \
  create x -1 normal 0 600
expect 1 "" "PAGE_SZ \"tiny\" is not a page size" -- create x 1 tiny 0 600
expect 1 "" "CPU_SEQ \"3-1\" is not a cpu sequence" -- create x 1 normal 3-1 600
expect 1 "" "CPU_SEQ \"\" is not a cpu sequence" -- create x 1 normal "" 600
expect 1 "" "cpu $cpus does not exist" -- create x 1 normal "$cpus" 600
expect 1 "" "MODE \"689\" is not octal permissions" -- create x 1 normal 0 689
expect 1 "" "MODE \"17777\" is too large" -- create x 1 normal 0 17777
expect 1 "" "no huge page directory" -- create x 1 huge 0 600
expect 2 "" "needs 5 arguments" -- create x 1 normal 0
expect 0 "^2 0 0\$" "" -- unlink r1 normal query r1 0
expect 1 "" "unlink r1 0: no such region" -- unlink r1 0
expect 1 "" "unlink a/b 0: bad region name" -- unlink a/b 0

# the domain report; "query" before another command is the report too
expect 0 "r2 +normal +5 +20480" "" -- query
expect 0 "r2 +normal" "" -- query cpu-cnt
expect 0 "\"name\": \"r2\"" "" -- --json query
json_ok "--json query"
expect 0 "^\{ \"name\": \"r2\", \"errno\": 0, \"pages\": 5, \"page_sz\": 4096 \}\$" "" -- --json query r2 0
json_ok "--json query NAME PAGE_SZ"
expect 2 "" "needs 2 arguments" -- query r2
# a directory that is not a mount is no domain: reset and fini refuse it
# and touch nothing (a plain .normal could be anything, /etc included)
expect 1 "" "reset: $dom is not a domain: $dom/.normal is not mounted; nothing was changed" -- reset
[ -e "$dom/.normal/r2" ] || { echo "FAIL: a refused reset removed a file"; fails=$((fails + 1)); }
expect 0 "would: unlink region r2 \(normal, 5 pages\)" "" -- --dry-run unlink r2 0
expect 1 "" "unlink nothere 0: no such region" -- --dry-run unlink nothere 0
expect 0 "would: create region r3 \(normal, 2 pages over cpus 0, mode 0600\)" "" -- --dry-run create r3 2 normal 0 600
expect 1 "" "already exists" -- --dry-run create r2 2 normal 0 600
{ [ ! -e "$dom/.normal/r3" ] && [ -e "$dom/.normal/r2" ]; } ||
  { echo "FAIL: a dry run changed the domain"; fails=$((fails + 1)); }
rm -f "$dom"/.normal/*
expect 0 "no regions" "" -- query

# administration needs a real domain or root, and says so
expect 1 "" "init 7x9 root root: PERM \"7x9\" is not octal" -- init 7x9 root root
expect 1 "" "alloc 1 normal 0: TYPE \"normal\": normal pages have no pool" -- alloc 1 normal 0
expect 1 "" "alloc x huge 0: CNT \"x\" is not a number" -- alloc x huge 0
expect 1 "" "alloc 1 huge 0x: NUMA \"0x\" is not a number" -- alloc 1 huge 0x
expect 1 "" "free huge 4096: NUMA \"4096\": there is no NUMA node 4096" -- free huge 4096
expect 0 "" "" -- --quiet create r4 1 normal 0 600
expect 1 "" "fini: $dom is not a domain: $dom/.normal is not mounted" -- fini
[ -e "$dom/.normal/r4" ] || { echo "FAIL: a refused fini removed a file"; fails=$((fails + 1)); }
rm -f "$dom/.normal/r4"
expect 1 "" "no domain at" -- --shmem-path /nonexistent/fd reset

# an unusable FD_SHMEM_PATH is refused like the same --shmem-path, never
# replaced by the default domain; empty means unset
for bad in typo relative/dir / /a/../etc /a/. "$(printf '/%04097d' 0)"; do
  checks=$((checks + 1))
  FD_SHMEM_PATH="$bad" "$CTL" reset >"$tmp/out" 2>"$tmp/err"
  status=$?
  if [ "$status" != 2 ] || ! grep -q "FD_SHMEM_PATH .*an absolute directory path (no . or .. in it) is needed" "$tmp/err"; then
    echo "FAIL: FD_SHMEM_PATH=$bad reset: exit $status"; cat "$tmp/err"; fails=$((fails + 1))
  fi
done
checks=$((checks + 1))
FD_SHMEM_PATH='' "$CTL" --shmem-path "$dom" query >"$tmp/out" 2>&1 ||
  { echo "FAIL: an empty FD_SHMEM_PATH was refused"; fails=$((fails + 1)); }

# the JSON checker the tests use checks itself first
checks=$((checks + 1))
"$top_builddir/tests/json_check" --self-test >"$tmp/self" || { cat "$tmp/self"; fails=$((fails + 1)); }

# --json: a domain path that is a file, a link, a FIFO (or, not as root, a
# directory the caller cannot read) leaves one error object on stdout,
# never a report cut in the middle; the text says which path and why
odd=$(mktemp -d /dev/shm/fdshmem-odd.XXXXXX)
touch "$odd/file"; ln -s "$dom" "$odd/link"; mkfifo "$odd/fifo"; mkdir -m 0 "$odd/closed"
for p in file link fifo; do
  expect 1 "\"error\": \{" "query: domain $odd/$p is a symbolic link or not a directory" \
    -- --shmem-path "$odd/$p" --json query
  json_ok "--json query of a $p"
done
if [ "$(id -u)" != 0 ]; then
  expect 1 "\"message\": \"cannot read domain $odd/closed/d: Permission denied" "cannot read domain $odd/closed/d" \
    -- --shmem-path "$odd/closed/d" --json query
  json_ok "--json query of an unreadable domain"
fi
expect 1 "\"command\": \"reset\"" "reset: " -- --shmem-path "$odd/file" --json reset
json_ok "--json reset of a file"
expect 1 "\"command\": \"create x 1 normal 0 600\"" "create x 1 normal 0 600: .*fifo" \
  -- --shmem-path "$odd/fifo" --json create x 1 normal 0 600
json_ok "--json create in a FIFO"
expect 1 "\"errno\": 22" "PERM \"7x9\" is not octal" -- --json init 7x9 root root
json_ok "--json with a bad argument"
# check --json: one object, text and JSON from the same differences; a
# file that sets nothing is in sync; a file that cannot be used leaves
# the error object alone
printf 'path = %s/nodom\nmode = 0700\n' "$tmp" >"$tmp/nodom.conf"
unset FD_SHMEM_PATH  # the file names the domain
check_json_agrees "domain-missing" check "$tmp/nodom.conf"
expect 1 "^    \{ \"kind\": \"domain-missing\", \"wanted\": \"$tmp/nodom\", \"present\": \"nothing\", \"text\": \
\"differs: init domain $tmp/nodom \(mode 0700, owner root:root\)\" \}\$" "differs from $tmp/nodom.conf in 1 way\$" \
  -- --json check "$tmp/nodom.conf"
export FD_SHMEM_PATH="$dom"
: >"$tmp/nothing.conf"
check_json_agrees "" check "$tmp/nothing.conf"
expect 1 "^\{\$" "user.conf:1: no such user" -- --json check "$tmp/user.conf"
out_has "\"message\": \"$tmp/user.conf:1: no such user"
json_ok "--json check of a file naming no such user"
expect 1 "\"command\": \"check $tmp/missing.conf\"" "cannot read $tmp/missing.conf" -- --json check "$tmp/missing.conf"
json_ok "--json check of a missing file"
expect 1 "\"errno\": 22" "FILE must not be empty" -- --json check ""
json_ok "--json check \"\""
# a name longer than 255 bytes: the last line says so, in words, with the path
long="$odd/$(printf '%0300d' 0)/d"
expect 1 "^pool" "query: cannot read domain $odd/0+/d: File name too long \(a name in the path is longer than 255" \
  -- --shmem-path "$long" query
no_catch_all() {
  grep -q "unexpected error\|as EIO" "$tmp/err" || return 0
  echo "FAIL: $1 said the catch-all:"; cat "$tmp/err"; fails=$((fails + 1))
}
no_catch_all "query with a long name"
expect 1 "" "reset: domain $long: File name too long \(a name in the path" -- --shmem-path "$long" reset
no_catch_all "reset with a long name"
expect 1 "\"message\": \"cannot read domain .*File name too long" "File name too long" \
  -- --shmem-path "$long" --json query
json_ok "--json query of a path with a long name"

# query says why fini, reset and apply would refuse the domain: a stray
# file beside the page-type directories, a type directory not mounted
touch "$odd/stray"; mkdir "$odd/.huge"; touch "$odd/.huge/x"
expect 0 "problem: it holds files beside the page-type directories: fini and apply refuse the domain" \
  "^fd_shmem_ctl: --shmem-path $odd overrides FD_SHMEM_PATH=$dom\$" -- --shmem-path "$odd" query
out_has "problem: .huge is not mounted and holds files: fini, reset and apply refuse the domain"
expect 0 "\"others\": true" "" -- --shmem-path "$odd" --json query --quiet
out_has "\"where\": \".\", \"what\": \"it holds files beside the page-type directories\", \
\"refused_by\": \[\"fini\", \"apply\"\]"
json_ok "--json query of a domain with a stray file"
chmod 700 "$odd/closed"; rm -rf "$odd"

# a partial domain (an empty page-type directory, no mount) is taken down
expect 0 "would: unmount and remove domain $dom" "" -- --dry-run fini
[ -d "$dom/.normal" ] || { echo "FAIL: --dry-run fini removed the domain"; fails=$((fails + 1)); }
expect 0 "" "removed domain $dom" -- fini
[ ! -e "$dom" ] || { echo "FAIL: fini left the partial domain $dom"; fails=$((fails + 1)); }

finish
