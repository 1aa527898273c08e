#!/bin/sh
# fd_shmem_ctl metrics, as root, on a domain and a pool set by apply: the
# output passes `promtool check metrics` with no lint problem, its pool
# figures are sysfs's, its regions and differences those of query and
# check; the command of fdshmem-metrics.service writes the file whole and
# a real prometheus-node-exporter on 127.0.0.1 serves every line of it.
# shellcheck source=tests/ctl_lib.sh
. "${top_srcdir:?}/tests/ctl_lib.sh"
need_machine
missing=
for t in promtool prometheus-node-exporter curl; do command -v "$t" >/dev/null || missing="$missing $t"; done
[ -z "$missing" ] ||
  { rm -rf "$tmp"; echo "SKIP: needs$missing (Debian: prometheus, prometheus-node-exporter, curl)"; exit 77; }
HOLD="$top_builddir/tests/fdt_hold"
dom=$(mktemp -u /tmp/fdshmem-metrics.XXXXXX)
export FD_SHMEM_PATH="$dom"
holder='' exporter=''
restore() {
  [ -z "$exporter" ] || kill "$exporter"
  [ -z "$holder" ] || kill "$holder"
  wait
  awk -v d="$dom/" 'index($2, d) == 1 { print $2 }' /proc/mounts | while IFS= read -r m; do umount -l "$m"; done
  rm -rf "$dom" "$tmp"
  echo "$pool_before" > "$pool"
}
trap restore EXIT

want=$((pool_before + 3))
conf="$tmp/fdshmem.conf"
printf 'path = %s\npages = huge 0 %s\n' "$dom" "$want" >"$conf"
expect 0 "^apply: init domain $dom" "" -- --quiet apply "$conf" create big 2 huge 0 600
mkfifo "$tmp/fifo"
"$HOLD" big <"$tmp/fifo" >"$tmp/hold" &
holder=$!
exec 8>"$tmp/fifo"
wait_ready "$tmp/hold"

# fail NAME: counts a failed check
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# has LINE: metrics' output (in $tmp/out) has LINE, whole
has() {
  checks=$((checks + 1))
  grep -Fqx -- "$1" "$tmp/out" || fail "metrics lacks the line: $1"
}

expect 0 "^# HELP fdshmem_pool_pages " "" -- metrics "$conf"
checks=$((checks + 1))
promtool check metrics <"$tmp/out" >"$tmp/lint" 2>&1 || fail "promtool check metrics: $(cat "$tmp/lint")"
[ ! -s "$tmp/lint" ] || fail "promtool check metrics found problems: $(cat "$tmp/lint")"
checks=$((checks + 1))
families=$(grep -c '^# TYPE fdshmem_[a-z_]* gauge$' "$tmp/out")
[ "$families" = 14 ] || fail "$families families, want 14 (with a config)"

# every pool figure as sysfs has it, per node and page size
for d in /sys/devices/system/node/node[0-9]*/hugepages/hugepages-*kB; do
  node=${d#/sys/devices/system/node/node}; node=${node%%/*}
  kb=${d##*hugepages-}; size=$(( ${kb%kB} * 1024 ))
  has "fdshmem_pool_pages{node=\"$node\",size=\"$size\",state=\"total\"} $(cat "$d/nr_hugepages")"
  has "fdshmem_pool_pages{node=\"$node\",size=\"$size\",state=\"free\"} $(cat "$d/free_hugepages")"
  has "fdshmem_pool_pages{node=\"$node\",size=\"$size\",state=\"surplus\"} $(cat "$d/surplus_hugepages")"
done
for d in /sys/kernel/mm/hugepages/hugepages-*kB; do  # reserved: counted for the machine only
  kb=${d##*hugepages-}
  has "fdshmem_pool_reserved_pages{size=\"$(( ${kb%kB} * 1024 ))\"} $(cat "$d/resv_hugepages")"
done
has "fdshmem_domain_reserved_pages{domain=\"$dom\",type=\"huge\"} 0"
has "fdshmem_config_pool_pages{node=\"0\",size=\"2097152\"} $want"
# every node's memory as its meminfo has it, what its pools leave of it
# (sysfs) and the headroom it keeps (the default rule: the file sets none)
for n in $(nodes_with_memory); do
  has "fdshmem_node_memory_bytes{node=\"$n\"} $(( $(awk '/MemTotal/ { print $4 }' \
    "/sys/devices/system/node/node$n/meminfo") * 1024 ))"
  has "fdshmem_node_headroom_bytes{node=\"$n\"} $(node_left "$n")"
  has "fdshmem_node_headroom_min_bytes{node=\"$n\"} $(headroom_rule "$n")"
done
has "fdshmem_domain_exists{domain=\"$dom\"} 1"
for type in normal huge; do
  has "fdshmem_domain_type_state{domain=\"$dom\",type=\"$type\",state=\"mounted\"} 1"
  has "fdshmem_domain_type_state{domain=\"$dom\",type=\"$type\",state=\"unmounted\"} 0"
  has "fdshmem_domain_type_offered{domain=\"$dom\",type=\"$type\"} 1"
done
has "fdshmem_region_bytes{domain=\"$dom\",name=\"big\",type=\"huge\"} 4194304"
has "fdshmem_region_pages{domain=\"$dom\",name=\"big\",type=\"huge\"} 2"
has "fdshmem_region_processes{domain=\"$dom\",name=\"big\",type=\"huge\"} 1"
has "fdshmem_config_differences 0"

# drift: an unmounted page type and a changed mode, as check counts them
umount "$dom/.normal"
chmod 777 "$dom"
expect 1 "^differs: mount .normal in $dom" "differs from .* in 2 ways" -- check "$conf"
expect 0 "^# HELP fdshmem_pool_pages " "" -- metrics "$conf"
has "fdshmem_config_differences 2"
has "fdshmem_domain_type_state{domain=\"$dom\",type=\"normal\",state=\"mounted\"} 0"
has "fdshmem_domain_type_state{domain=\"$dom\",type=\"normal\",state=\"unmounted\"} 1"
expect 0 "^apply: mount .normal" "" -- --quiet apply "$conf"

# a headroom one 2 MiB page above what node 0's pools leave: the figures
# FdshmemNodeUnderHeadroom compares, and a difference check counts
left=$(node_left 0)
cp "$conf" "$tmp/keep.conf"
printf 'headroom = %s\n' $((left + (2 << 20))) >>"$tmp/keep.conf"
expect 0 "^# HELP fdshmem_pool_pages " "" -- metrics "$tmp/keep.conf"
has "fdshmem_node_headroom_bytes{node=\"0\"} $left"
has "fdshmem_node_headroom_min_bytes{node=\"0\"} $((left + (2 << 20)))"
under=0
for n in $(nodes_with_memory); do [ "$(node_left "$n")" -ge $((left + (2 << 20))) ] || under=$((under + 1)); done
has "fdshmem_config_differences $under"

# the command of fdshmem-metrics.service, as systemd runs it ($$ is $),
# into a textfile directory of our own: the file whole, no temporary left
textfile="$tmp/textfile"
mkdir "$textfile"
cmd=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$top_srcdir/contrib/fdshmem-metrics.service.in" |
  sed -e 's/\\$//' -e "s|@bindir@|$top_builddir/src/ctl|" -e 's/\$\$/$/g' -e "s|^ExecStart=/bin/sh -c '||" -e "s|'\$||")
checks=$((checks + 1))
TEXTFILE_DIR="$textfile" /bin/sh -c "$cmd" || fail "the service's command failed: $cmd"
checks=$((checks + 1))
[ "$(ls -A "$textfile")" = fdshmem.prom ] || fail "the textfile directory holds: $(ls -A "$textfile")"
checks=$((checks + 1))
[ "$(stat -c %a "$textfile/fdshmem.prom")" = 644 ] || fail "fdshmem.prom is not mode 0644"
"$CTL" metrics >"$tmp/direct"
checks=$((checks + 1))
cmp -s "$tmp/direct" "$textfile/fdshmem.prom" || fail "fdshmem.prom differs from metrics' output"

# norm: sample lines as node_exporter writes them: labels in name order,
# values as floats (4194304 as 4.194304e+06), read back as integers
norm() {
  grep '^fdshmem_' | while IFS= read -r line; do
    name=${line%% *} value=${line##* }
    case $name in
      *\{*) labels=${name#*\{}; labels=$(echo "${labels%\}}" | tr ',' '\n' | sort | paste -sd , -)
             name="${name%%\{*}{$labels}" ;;
    esac
    echo "$name $(awk -v v="$value" 'BEGIN { printf "%.0f", v }')"
  done
}

# a real node_exporter serves it: every sample line scraped
for _ in 1 2 3 4 5; do
  port=$(shuf -i 20000-60000 -n 1)
  prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$textfile" 2>"$tmp/exporter.log" 8>&- &
  exporter=$!
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/scrape" && break
    kill -0 "$exporter" 2>/dev/null || break
    sleep 0.1
  done
  [ -s "$tmp/scrape" ] && break
  kill "$exporter" 2>/dev/null; wait "$exporter"; exporter=  # the port was taken: another one
done
checks=$((checks + 1))
if [ ! -s "$tmp/scrape" ]; then
  fail "node_exporter served nothing: $(cat "$tmp/exporter.log")"
else
  norm <"$tmp/scrape" >"$tmp/scraped"
  norm <"$textfile/fdshmem.prom" | while IFS= read -r line; do
    grep -Fqx -- "$line" "$tmp/scraped" || echo "node_exporter lacks: $line"
  done >"$tmp/lacks"
  checks=$((checks + 1))
  served=$(wc -l <"$tmp/scraped") written=$(grep -c '^fdshmem_' "$textfile/fdshmem.prom")
  [ "$served" = "$written" ] || fail "node_exporter serves $served fdshmem samples, the file has $written"
  [ ! -s "$tmp/lacks" ] || fail "$(cat "$tmp/lacks")"
  checks=$((checks + 1))
  grep -Fqx 'node_textfile_scrape_error 0' "$tmp/scrape" || fail "node_exporter: $(grep textfile "$tmp/scrape")"
  # for the log: the file, and what node_exporter serves of it
  echo "---- $textfile/fdshmem.prom"; cat "$textfile/fdshmem.prom"
  echo "---- node_exporter's scrape"; grep -E '^(# [A-Z]+ )?(fdshmem_|node_textfile_scrape_error)' "$tmp/scrape"
fi

exec 8>&-
wait "$holder"; holder=
finish
