#!/bin/sh
# fd_shmem_ctl metrics without privileges: bad input is refused before
# anything is printed (unknown options and words, a FILE that cannot be
# read or parsed, a path the file and the line disagree on); on a domain
# under /dev/shm it prints its families, the file's ones only with a file.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"

dom=$(mktemp -d /dev/shm/fdshmem-metrics.XXXXXX)
mkdir "$dom/.normal"
export FD_SHMEM_PATH="$dom"
trap 'rm -rf "$dom" "$tmp"' EXIT

expect 2 "" "unknown option" -- metrics --frobnicate
printf 'pages = huge 0 1\n' >"$tmp/good.conf"
expect 2 "" "unknown command" -- metrics "$tmp/good.conf" frobnicate
expect 1 "" "metrics $tmp/none: cannot read $tmp/none: No such file or directory" -- metrics "$tmp/none"
expect 1 "" "metrics $tmp: cannot read $tmp: it is a directory" -- metrics "$tmp"
expect 1 "" "FILE must not be empty" -- metrics ""
printf 'bogus = 1\n' >"$tmp/bad.conf"
expect 1 "" "$tmp/bad.conf:1: unknown key \"bogus\"" -- metrics "$tmp/bad.conf"
printf 'path = /elsewhere\n' >"$tmp/other.conf"
expect 1 "" "other.conf:1: path /elsewhere differs from $dom" -- --shmem-path "$dom" metrics "$tmp/other.conf"
mkfifo "$tmp/fifo"
expect 1 "" "cannot read $tmp/fifo: not a regular file" -- metrics "$tmp/fifo"
if [ "$(id -u)" != 0 ]; then  # root reads any file
  cp "$tmp/good.conf" "$tmp/locked.conf" && chmod 000 "$tmp/locked.conf"
  expect 1 "" "cannot read $tmp/locked.conf: Permission denied" -- metrics "$tmp/locked.conf"
fi

expect 0 "^fdshmem_domain_exists\{domain=\"$dom\"\} 1$" "" -- metrics "$tmp/good.conf"
out_has "^fdshmem_domain_type_state\{domain=\"$dom\",type=\"normal\",state=\"unmounted\"\} 1$"
out_has '^fdshmem_config_pool_pages\{node="0",size="2097152"\} 1$'
out_has '^fdshmem_config_differences [1-9]'
out_has '^# TYPE fdshmem_region_bytes gauge$'
# per node with memory: its memory (meminfo), what its pools leave
# (sysfs) and the headroom it keeps, the default rule's or the file's
for n in $(nodes_with_memory); do
  out_has "^fdshmem_node_memory_bytes\{node=\"$n\"\} $(( $(awk '/MemTotal/ { print $4 }' \
    "/sys/devices/system/node/node$n/meminfo") * 1024 ))\$"
  out_has "^fdshmem_node_headroom_bytes\{node=\"$n\"\} $(node_left "$n")\$"
  out_has "^fdshmem_node_headroom_min_bytes\{node=\"$n\"\} $(headroom_rule "$n")\$"
done
printf 'headroom = 256M\n' >>"$tmp/good.conf"
expect 0 "^fdshmem_node_headroom_min_bytes\{node=\"0\"\} 268435456\$" "" -- metrics "$tmp/good.conf"
# label values escaped as the format wants: \" and \\; other bytes as the text \xHH
odd=$(printf '/nonexistent/a"b\\c\001')
want='^fdshmem_domain_exists\{domain="/nonexistent/a\\"b\\\\c\\\\x01"\} 0$'
expect 0 "$want" "overrides FD_SHMEM_PATH" -- --shmem-path "$odd" metrics "$tmp/good.conf"

# without FILE and without the default file, the file's families are left out
conf_default=$("$CTL" --help | sed -n 's/^ *apply .*(default \([^ ]*\)).*/\1/p')
if [ -n "$conf_default" ] && [ ! -e "$conf_default" ]; then
  expect 0 "^# TYPE fdshmem_pool_pages gauge$" "" -- metrics
  checks=$((checks + 1))
  ! grep -q '^# TYPE fdshmem_config' "$tmp/out" ||
    { echo "FAIL: config families without a config"; fails=$((fails + 1)); }
fi
finish
