#!/bin/bash
# pfsadm's help teaches: --help has the quick start and every command; each
# command's --help explains every option its usage line and its bash
# completion offer; the completion knows every command. Runs natively
# (no device is opened). Usage: cli-help.sh PFSADM
set -euo pipefail
pfsadm=${1:?usage: cli-help.sh PFSADM}
here=$(cd "$(dirname "$0")/.." && pwd)
status=0

fail() {
	echo "FAIL: $*" >&2
	status=1
}

"$pfsadm" --help >/tmp/pfsadm-help.txt || fail "pfsadm --help exits $?"
grep -q '^Quick start:' /tmp/pfsadm-help.txt || fail "pfsadm --help has no quick start"
mapfile -t commands < <(sed -n '/^commands:/,/^$/s/^  \([a-z-]\+\) .*/\1/p' /tmp/pfsadm-help.txt)
[ "${#commands[@]}" -ge 10 ] || fail "pfsadm --help lists ${#commands[@]} commands"

# The completion's own view: its command list, and a command's options.
# shellcheck source=/dev/null
. "$here/dist/pfsadm.bash-completion"
complete_words() {	# WORD...
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	_pfsadm || true
}
complete_words pfsadm ""
for c in "${commands[@]}"; do
	grep -qw -- "$c" <<<"${COMPREPLY[*]}" || fail "the completion does not offer '$c'"
done

for c in "${commands[@]}"; do
	out=$("$pfsadm" "$c" --help) || fail "pfsadm $c --help exits non-zero"
	head -n1 <<<"$out" | grep -q "^usage: pfsadm $c" || fail "pfsadm $c --help: no usage line"
	usage_opts=$(head -n1 <<<"$out" | grep -o -- '--[a-z-]\+' || true)
	complete_words pfsadm "$c" --
	for opt in $usage_opts ${COMPREPLY[*]} --pool --wait; do
		[ "$opt" = --help ] && continue
		grep -q -- "^  \(-[a-z], \)\{0,1\}$opt\( \|$\)" <<<"$out" || fail "pfsadm $c --help does not explain $opt"
	done
done
[ "$status" -eq 0 ] && echo "pfsadm --help and ${#commands[@]} commands' --help explain every option"
exit "$status"
