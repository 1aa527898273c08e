#!/bin/sh
# fd_shmem_ctl speaking the admin's words, without privileges: page
# sizes as the kernel writes them, options anywhere, regions named like
# commands, numbers with a leading zero, "too large", escaped bytes in
# the report and in --json, config errors.  CI runs this as root: every
# command that would change the machine if the code regressed ends its
# line with an unknown command, so the line is refused before it runs.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"

dom=$(mktemp -d /dev/shm/fdshmem-words.XXXXXX)
mkdir "$dom/.normal"
export FD_SHMEM_PATH="$dom"
trap 'rm -rf "$dom" "$tmp"' EXIT

# page sizes as the kernel and mount(8) write them, wherever a PAGE_SZ is
for w in 2M 2MB 2m 2048kB 2048KB 1G 1GB 1g 1048576kB 4k 4KB normal HUGE 2097152; do
  expect 0 "^2 0 0\$" "" -- query nothere "$w"
done
for w in 3M 2K 0M 02M 2MBB 1T 2048 1.0G; do
  expect 1 "" "query nothere $w: PAGE_SZ must be" -- query nothere "$w"
done
expect 0 "" "created w1: 2 normal pages" -- create w1 2 4k 0 600
expect 0 "^0 2 4096\$" "" -- query w1 4KB
expect 0 "" "" -- unlink w1 4k
# a TYPE word: the whole line is checked first, so "bogus" is what fails
expect 2 "" "unknown command \"bogus\"" -- alloc 1 1G 0 bogus
expect 2 "" "unknown command \"bogus\"" -- free 2M 0 bogus
expect 1 "" "alloc 1 4k 0: TYPE \"4k\": normal pages have no pool" -- alloc 1 4k 0 guard
expect 1 "" "alloc 1 3M 0: TYPE \"3M\" is not a page type" -- alloc 1 3M 0 guard

# global options anywhere on the line; after "--" a word is a command word
expect 0 "" "" -- create w2 1 normal 0 600 --quiet
expect 0 "^0 1 4096\$" "" -- query w2 0 --quiet
expect 0 "\"name\": \"w2\"" "" -- query --json
other=$(mktemp -d /dev/shm/fdshmem-words2.XXXXXX)
expect 0 "domain $other" "^fd_shmem_ctl: --shmem-path $other overrides FD_SHMEM_PATH=$dom\$" -- \
  query --shmem-path "$other"
expect 0 "domain $other" "" -- query --shmem-path "$other" --quiet
rmdir "$other"
expect 2 "" "unknown command \"--json\"" -- cpu-cnt -- --json
expect 1 "" "cpu-idx -5: NUMA \"-5\" is not a node number: numbers cannot be negative" -- cpu-idx -5

# a FILE that is not there is a typo found with the line, before any command runs
expect 1 "" "check cpu-cnd: cannot read cpu-cnd: No such file or directory" -- unlink w2 0 check cpu-cnd
expect 0 "^0 1 4096\$" "" -- query w2 0
expect 1 "" "kernel-cmdline dry-run: cannot read dry-run" -- unlink w2 0 kernel-cmdline dry-run
expect 0 "^0 1 4096\$" "" -- query w2 0

# a region named like a command word
expect 0 "" "" -- --quiet create help 1 normal 0 600 create query 2 normal 0 600
expect 0 "^0 1 4096\$" "" -- query help 0
expect 0 "^0 2 4096\$" "" -- query query normal
expect 0 "^0 1 4096
0 2 4096\$" "" -- query help 0 query query 0
expect 0 "" "" -- unlink help 0 unlink query normal
expect 0 "^2 0 0\$" "" -- query help 0
# ...while "query CMD" that reads complete is still the report, then CMD
expect 0 "w2 +normal" "" -- query cpu-cnt
out_has "^[0-9]+\$"
expect 0 "w2 +normal" "" -- query numa-idx 0
# ...and a command after query whose arguments are there but wrong keeps
# its own error: a typo never turns the line into another one
expect 1 "" "alloc 010 huge 0: CNT \"010\" has a leading zero" -- query alloc 010 huge 0 guard
expect 1 "" "create x 0 huge 0 600: PAGE_CNT \"0\" must be at least 1" -- query create x 0 huge 0 600 guard
expect 1 "" "unlink 0 reset: PAGE_SZ must be" -- query unlink 0 reset guard
expect 0 "^2 0 0\$" "" -- query unlink 0

# a leading zero in a count or a cpu sequence is refused; MODE is octal
expect 1 "" "alloc 010 huge 0: CNT \"010\" has a leading zero" -- alloc 010 huge 0 guard
expect 1 "" "PAGE_CNT \"08\" has a leading zero" -- create z 08 normal 0 600
expect 1 "" "CPU_SEQ \"010\" has a number with a leading zero" -- create z 1 normal 010 600
expect 1 "" "CPU_SEQ \"0-01\" has a number with a leading zero" -- create z 1 normal 0-01 600
expect 1 "" "cpu-idx 00: NUMA \"00\" has a leading zero" -- cpu-idx 00
expect 0 "" "" -- --quiet create z 1 normal 0 0640
expect 0 "" "" -- unlink z 0

# "too large", not "not a number"
expect 1 "" "PAGE_CNT \"99999999999999999999999\" is too large" -- create z 99999999999999999999999 normal 0 600
expect 1 "" "CNT \"18446744073709551616\" is too large" -- alloc 18446744073709551616 huge 0 guard
expect 1 "" "PERM \"17777\" is too large" -- init 17777 root root guard
expect 1 "" "PAGE_CNT \"9000000000\" is too large \(at most 8589934591 gigantic pages\)" -- create z 9000000000 1G 0 600 guard
expect 1 "" "PAGE_CNT \"18446744073709551615\" is too large" -- create z 18446744073709551615 normal 0 600 guard
expect 1 "" "CPU_SEQ \"0-99999999999999999999\" has a number too large" -- create z 1 normal 0-99999999999999999999 600 guard

# bytes >= 0x80 and a newline in a file name: escaped in the report, valid JSON
bad_name=$(printf 'caf\303\251\nline\377')
: > "$dom/.normal/$bad_name"
expect 0 'caf\\xc3\\xa9\\x0aline\\xff' "" -- query
[ "$(grep -c 'line' "$tmp/out")" = 1 ] || { echo "FAIL: the name broke a line of the report"; fails=$((fails + 1)); }
expect 0 "\"regions\"" "" -- --json query
json_ok "--json query of an odd name"
checks=$((checks + 1))
# one region per line: the record is in "regions", its name escaped exactly
sed -n '/^  "regions": \[$/,/^  \]$/p' "$tmp/out" | grep -qF '{ "name": "caf\\xc3\\xa9\\x0aline\\xff", ' \
  || { echo "FAIL: --json with bytes >= 0x80 in a name"; cat "$tmp/out"; fails=$((fails + 1)); }
rm -f "$dom/.normal/$bad_name"

# the shipped config (all commented out): check is a no-op (apply: test_admin_priv.sh)
expect 0 "ok: nothing configured" "" -- check "$top_srcdir/contrib/fdshmem.conf"

# config errors carry FILE:LINE, with invisible bytes shown
printf 'mode = 0700\nuser = nosuchuser-fdshmem\n' >"$tmp/user.conf"
expect 1 "" "check $tmp/user.conf: $tmp/user.conf:2: no such user \"nosuchuser-fdshmem\"\$" -- check "$tmp/user.conf"
[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "FAIL: the unknown user was reported more than once"; fails=$((fails + 1)); }
printf 'group = nosuchgroup-fdshmem\n' >"$tmp/group.conf"
expect 1 "" "group.conf:1: no such group" -- check "$tmp/group.conf"
printf '\357\273\277path = /x\n' >"$tmp/bom.conf"
expect 1 "" 'bom.conf:1: unknown key "\\xef\\xbb\\xbfpath"' -- check "$tmp/bom.conf"
expect 1 "" "cannot read $tmp: it is a directory" -- check "$tmp"

# a config path spelled otherwise is the same path; a different one is refused naming both
printf 'path = %s//\n' "$dom" >"$tmp/same.conf"
expect 1 "differs: " "the machine differs from" -- check "$tmp/same.conf"
printf 'path = /dev/shm/fdshmem-elsewhere\n' >"$tmp/other.conf"
expect 1 "" "other.conf:1: path /dev/shm/fdshmem-elsewhere differs from $dom named by" -- check "$tmp/other.conf"

finish
