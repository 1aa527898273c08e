#!/bin/sh
# Each rule once: the page-type table.  Every fact of a page type (its
# word, size and log2, directory in a domain, file system and magic,
# sysfs pool directory, boot-parameter size, mmap flags) is written in
# src/lib/base/fd_shmem_page_type.h alone.  This fails when a second
# copy turns up in src/ as code (comments do not count): one of the
# table's strings or constants, a list or test naming two page sizes,
# a switch on them, or a second count of page types.  The tests are not
# scanned: they check the table against what they know themselves.
set -eu
: "${top_srcdir:?}"
top_srcdir=$(cd "$top_srcdir" && pwd)   # absolute: the scan below changes directory
home=src/lib/base/fd_shmem_page_type.h
fail=0

# Copies still standing outside the home, as "FILE KIND COUNT  why".  A
# count that grows is a new copy; one that falls means the list must
# follow (a line goes when its copies do), so none hides a new one.
known='
src/ctl/ctl_report.c sizes 1  the report lists pools huge first (branch reasons owns the file)
src/lib/fd_shmem_domain_model.c fs 1  pseudo_fs: hugetlbfs among the file systems no domain lives on
src/lib/fd_shmem_domain_model.c magic 1  pseudo_fs, the same entry
src/lib/sys/fd_shmem_shortfall.c sysfs 1  offered_sizes parses every hugepages-NkB the kernel offers, beyond the table
'

# copies FILE: "FILE:LINE: KIND: CODE" for each line of FILE, comments
# blanked (strings kept), that restates the table.
copies() {
  awk -v file="$1" '
    function blank_comments(  out, n, i, c, d) {
      out = ""; n = length($0); i = 1
      while( i<=n ) {
        c = substr($0, i, 1); d = substr($0, i, 2)
        if( st=="block" ) { if( d=="*/" ) { st = ""; i += 2 } else i++; out = out " "; continue }
        if( st=="str" || st=="chr" ) {
          out = out c
          if( c=="\\" ) { out = out substr($0, i+1, 1); i += 2; continue }
          if( ( st=="str" && c=="\"" ) || ( st=="chr" && c=="'\''" ) ) st = ""
          i++; continue
        }
        if( d=="/*" ) { st = "block"; i += 2; out = out "  "; continue }
        if( d=="//" ) break
        if( c=="\"" ) st = "str"; else if( c=="'\''" ) st = "chr"
        out = out c; i++
      }
      if( st!="block" ) st = ""
      return out
    }
    function hit( kind ) { printf "%s:%d: %s: %s\n", file, FNR, kind, code }
    {
      code = blank_comments(); low = tolower( code )
      if( low ~ /"(normal|huge|gigantic)"/ )                       hit( "word" )
      if( low ~ /"\.(normal|huge|gigantic)"/ )                     hit( "dir" )
      if( low ~ /"(tmpfs|hugetlbfs)"/ )                            hit( "fs" )
      if( code ~ /(TMPFS|HUGETLBFS)_MAGIC|0x0*1021994|0x958458f6/ ) hit( "magic" )
      if( low ~ /"[^"]*hugepages-/ )                               hit( "sysfs" )
      if( low ~ /"(4k|2m|1g|2048kb|1048576kb)"/ )                  hit( "boot" )
      if( code ~ /MAP_HUGETLB|MAP_HUGE_SHIFT|MAP_HUGE_[0-9]/ )      hit( "mmap" )
      if( code ~ /2097152|1073741824/ )                             hit( "number" )
      if( code ~ /case +FD_SHMEM_(NORMAL|HUGE|GIGANTIC)_/ )          hit( "switch" )
      if( code ~ /#[ \t]*define +[A-Z0-9_]*TYPE_CNT/ )              hit( "count" )
      kinds = 0
      if( code ~ /FD_SHMEM_NORMAL_(LG_)?PAGE_SZ/ )   kinds++
      if( code ~ /FD_SHMEM_HUGE_(LG_)?PAGE_SZ/ )     kinds++
      if( code ~ /FD_SHMEM_GIGANTIC_(LG_)?PAGE_SZ/ ) kinds++
      if( kinds>=2 ) hit( "sizes" )
    }' "$top_srcdir/$1"
}

hits=$(
  cd "$top_srcdir" && find src -name '*.[ch]' | LC_ALL=C sort | while IFS= read -r f; do
    [ "$f" = "$home" ] || copies "$f"
  done
)

# Each FILE:KIND against its known count.
counts=$(printf '%s\n' "$hits" | sed -n 's/^\([^:]*\):[0-9]*: \([a-z]*\):.*/\1 \2/p' | sort | uniq -c |
         awk '{ print $2, $3, $1 }')
listed=$(printf '%s\n' "$known" | awk 'NF { print $1, $2, $3 }')
for pair in $(printf '%s\n' "$counts" "$listed" | awk 'NF { print $1 ":" $2 }' | sort -u); do
  f=${pair%:*} kind=${pair#*:}
  now=$(printf '%s\n' "$counts" | awk -v f="$f" -v k="$kind" '$1==f && $2==k { print $3 }')
  was=$(printf '%s\n' "$listed" | awk -v f="$f" -v k="$kind" '$1==f && $2==k { print $3 }')
  [ "${now:-0}" = "${was:-0}" ] && continue
  fail=1
  if [ -z "$was" ]; then
    echo "FAIL: $f restates the page-type table ($kind); read it from $home:"
    printf '%s\n' "$hits" | grep -F "$f:" | grep -F ": $kind: " | sed 's/^/  /'
  else
    echo "FAIL: $f has ${now:-0} $kind line(s) where the known list says $was: update that list in $0"
    printf '%s\n' "$hits" | grep -F "$f:" | grep -F ": $kind: " | sed 's/^/  /'
  fi
done

# The home holds the table (a move elsewhere would empty the checks above).
for fact in '"normal"' '".gigantic"' '"hugetlbfs"' 'HUGETLBFS_MAGIC' '"hugepages-' '"1G"' 'MAP_HUGETLB'; do
  grep -q -F "$fact" "$top_srcdir/$home" 2>/dev/null || { echo "FAIL: $home does not hold $fact"; fail=1; }
done

[ "$fail" = 0 ] && echo "PASS: the page-type table is written once, in $home"
exit "$fail"
