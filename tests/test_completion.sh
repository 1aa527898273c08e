#!/bin/bash
# The bash completion of fd_shmem_ctl (contrib/bash-completion): sourced
# into this shell, its function is run on command lines split as bash
# splits them, and COMPREPLY is compared with what must be offered.
# Needs no privileges: the domains are plain directories.
: "${top_srcdir:?}" "${top_builddir:?}"
CTL="$(cd "$top_builddir" && pwd)/src/ctl/fd_shmem_ctl"  # the test changes directory
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); return 1; }

# shellcheck source=/dev/null
. "$top_srcdir/contrib/bash-completion/fd_shmem_ctl" || { echo "FAIL: sourcing the completion"; exit 1; }

sorted() { [ "$#" = 0 ] || printf '%s\n' "$@" | LC_ALL=C sort | tr '\n' ' '; }

# complete_line LINE: completes at the end of LINE as bash would: words
# split at blanks, and ':' and '=' split off as words of their own
# (COMP_WORDBREAKS).  Sets $got to the sorted answers.
complete_line() {
  local tok piece toks=()
  COMP_LINE=$1 COMP_POINT=${#1} COMP_WORDS=() COMPREPLY=()
  read -ra toks <<<"$1"
  for tok in "${toks[@]}"; do
    while [ -n "$tok" ]; do
      [[ $tok =~ ^([:=]+|[^:=]+) ]]
      piece=${BASH_REMATCH[1]}
      COMP_WORDS+=("$piece")
      tok=${tok:${#piece}}
    done
  done
  [[ $1 == *[[:space:]] ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  _fd_shmem_ctl 2>"$tmp/err"
  [ -s "$tmp/err" ] && fail "\"$1\": the completion wrote to stderr: $(cat "$tmp/err")"
  got=$(sorted "${COMPREPLY[@]}")
}

# expect LINE [WORD...]: completing LINE offers exactly the WORDs.
expect() {
  local line=$1 want
  shift
  checks=$((checks + 1))
  complete_line "$line"
  want=$(sorted "$@")
  [ "$got" = "$want" ] || fail "\"$line\": offers [$got], want [$want]"
}

cmds=(help cpu-cnt numa-cnt cpu-idx numa-idx create unlink query init fini alloc free reset apply check kernel-cmdline metrics)

# Two domains as plain directories; files that cannot be region names and
# directories are never offered.
dom=$tmp/dom1 dom2=$tmp/dom2
mkdir -p "$dom/.normal" "$dom/.huge" "$dom/.gigantic/sub" "$dom2/.huge" "$tmp/cwd"
touch "$dom/.normal/alpha" "$dom/.huge/beta" "$dom/.gigantic/gamma" "$dom/.huge/alpha" \
      "$dom/.normal/.alpha.tmp" "$dom/.normal/bad name" "$dom/.normal/-x" \
      "$dom2/.huge/delta" "$tmp/cwd/a.conf" "$tmp/cwd/b.conf"
cd "$tmp/cwd" || exit 1
export FD_SHMEM_PATH=$dom

run_all() {
  # command words, anywhere a command may start
  expect "fd_shmem_ctl " "${cmds[@]}"
  expect "fd_shmem_ctl cr" create
  expect "fd_shmem_ctl c" cpu-cnt cpu-idx create check
  expect "fd_shmem_ctl k" kernel-cmdline
  expect "fd_shmem_ctl cpu-cnt " "${cmds[@]}"
  expect "fd_shmem_ctl cpu-idx 0 " "${cmds[@]}"
  expect "fd_shmem_ctl fini reset " "${cmds[@]}"
  expect "fd_shmem_ctl --quiet " "${cmds[@]}"
  expect "fd_shmem_ctl --q" --quiet
  expect "fd_shmem_ctl reset --d" --dry-run
  expect "fd_shmem_ctl frobnicate " "${cmds[@]}"

  # page types
  expect "fd_shmem_ctl alloc 2 " huge gigantic 2M 1G
  expect "fd_shmem_ctl alloc 2 g" gigantic
  expect "fd_shmem_ctl alloc 2 n"                       # normal pages have no pool
  expect "fd_shmem_ctl free " huge gigantic 2M 1G
  expect "fd_shmem_ctl create r 1 " normal huge gigantic 2M 1G
  expect "fd_shmem_ctl unlink alpha " 0 normal huge gigantic 2M 1G
  expect "fd_shmem_ctl query alpha " 0 normal huge gigantic 2M 1G
  expect "fd_shmem_ctl --json query alpha h" huge

  # arguments with nothing to offer: no commands there either
  expect "fd_shmem_ctl create "
  expect "fd_shmem_ctl create r "
  expect "fd_shmem_ctl create r 1 huge 0-3 "
  expect "fd_shmem_ctl alloc "
  expect "fd_shmem_ctl init "
  expect "fd_shmem_ctl numa-idx "
  # a CPU_SEQ stride is one word to the tool, three to bash
  expect "fd_shmem_ctl create r 1 huge 0-3:2 "
  expect "fd_shmem_ctl create r 1 huge 0-3:2 600 " "${cmds[@]}"

  # region names of the domain: FD_SHMEM_PATH, overridden by --shmem-path
  expect "fd_shmem_ctl unlink " alpha beta gamma
  expect "fd_shmem_ctl unlink a" alpha
  expect "fd_shmem_ctl unlink z"
  expect "fd_shmem_ctl query " alpha beta gamma "${cmds[@]}"
  expect "fd_shmem_ctl query alpha huge " "${cmds[@]}"
  # a region named like a command: after "query help" a PAGE_SZ too (query help 0)
  expect "fd_shmem_ctl query help " "${cmds[@]}" 0 normal huge gigantic 2M 1G
  expect "fd_shmem_ctl query help h" help huge
  expect "fd_shmem_ctl cpu-cnt h" help
  expect "fd_shmem_ctl --shmem-path $dom2 unlink " delta
  expect "fd_shmem_ctl --shmem-path=$dom2/ unlink " delta
  expect "fd_shmem_ctl unlink alpha 0 --shmem-path $dom2 unlink " delta
  expect "fd_shmem_ctl --shmem-path '$dom2' unlink " delta
  expect "fd_shmem_ctl --shmem-path $tmp/nothere unlink "
  expect "fd_shmem_ctl --shmem-path $tmp/d" "$dom" "$dom2"
  expect "fd_shmem_ctl --shmem-path=$tmp/d" "$dom" "$dom2"
  FD_SHMEM_PATH=$dom2 expect "fd_shmem_ctl unlink " delta

  # config files, and the commands that may follow an omitted FILE
  expect "fd_shmem_ctl apply a" a.conf alloc apply
  expect "fd_shmem_ctl check $tmp/cwd/b" "$tmp/cwd/b.conf"
  expect "fd_shmem_ctl kernel-cmdline " a.conf b.conf "${cmds[@]}"
  expect "fd_shmem_ctl apply check " a.conf b.conf "${cmds[@]}"
  expect "fd_shmem_ctl apply a.conf " "${cmds[@]}"
  expect "fd_shmem_ctl metrics " a.conf b.conf "${cmds[@]}"
  expect "fd_shmem_ctl check x"

  # users and groups for init
  expect "fd_shmem_ctl init 700 roo" root
  expect "fd_shmem_ctl init 700 root roo" root

  # NUMA nodes: numbers only
  complete_line "fd_shmem_ctl alloc 2 huge "
  checks=$((checks + 1))
  [[ $got =~ ^0\ ([0-9]+\ )*$ ]] || fail "alloc NUMA: offers [$got], want node numbers from 0"
}

# The checker itself must notice a wrong answer.
checks=$((checks + 1))
if (expect "fd_shmem_ctl alloc 2 " huge) >/dev/null; then
  fail "expect accepted an incomplete answer"
fi

checks=$((checks + 1))
[ "$(complete -p fd_shmem_ctl)" = "complete -F _fd_shmem_ctl fd_shmem_ctl" ] || fail "not registered for fd_shmem_ctl"

run_all
# again under shell options a user may have set, which must not change
# anything or make the completion fail
shopt -s failglob nullglob dotglob extglob
set -u
run_all
set +u
shopt -u failglob nullglob dotglob extglob

# Every command of the built tool is completed, with as many arguments
# (and as optional) as its help says.
tool_cmds=0
while IFS= read -r line; do
  [[ $line =~ ^\ \ ([a-z-]+)\  ]] || continue
  tool_cmds=$((tool_cmds + 1))
  name=${BASH_REMATCH[1]} args=
  read -ra words <<<"${line#  "$name"}"
  for w in "${words[@]}"; do  # the arguments are upper case, the help text is not
    [[ $w =~ ^\[?[A-Z_]+\]?$ ]] || break
    args+="$w "
  done
  read -ra words <<<"${args//[][]/}"
  read -ra shape <<<"$(_fd_shmem_ctl_shape "$name")"
  tool="${#words[@]} argument(s)" comp="${#shape[@]} argument(s)"
  [[ $args == \[* ]] && tool="optional $tool"
  [ "${shape[0]-}" = "[" ] && comp="optional $((${#shape[@]} - 1)) argument(s)"
  checks=$((checks + 1))
  [ "$tool" = "$comp" ] || fail "$name: the tool's help says $tool (${args%% *}...), the completion has $comp"
  complete_line "fd_shmem_ctl ${name:0:3}"
  [[ " $got" == *" $name "* ]] || fail "$name: not offered as a command"
done < <("$CTL" help)
[ "$tool_cmds" -gt 10 ] || fail "\"fd_shmem_ctl help\" listed $tool_cmds commands"

echo "$checks checks, $fails failed"
[ "$fails" = 0 ]
