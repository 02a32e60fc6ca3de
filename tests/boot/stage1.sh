# First boot: install, make a pool and images, write data, check what the
# installation provides (udev link and mode, unit, man pages, completion).
# Then the VM powers off; stage2.sh boots again on the same disk file.
cd "$PFS_PROJECT/tests/vm" && . ./lib.sh
. "$PFS_PROJECT/tests/boot/install.sh"
POOL=/dev/vda
"$PFSADM" format --force "$POOL" >/dev/null
"$PFSADM" create a 64M >/dev/null
"$PFSADM" create b 32M >/dev/null
udevadm settle
[ -L /dev/pfs/a ] && [ "$(readlink -f /dev/pfs/a)" = "$(readlink -f /dev/mapper/pfs-a)" ] ||
	fail "no /dev/pfs/a link"
[ "$(stat -L -c '%U:%G %a' /dev/pfs/a)" = "root:disk 660" ] ||
	fail "/dev/pfs/a is $(stat -L -c '%U:%G %a' /dev/pfs/a)"
write_pattern /dev/pfs/a 11 64
write_pattern /dev/pfs/b 12 32
"$PFSADM" --version | grep -q "^pfsadm $(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$PFS_PROJECT/dkms.conf")" ||
	fail "pfsadm --version does not match dkms.conf"

for unit in pfs-activate.service pfs-activate-shared.service pfs-lockd.service; do
	systemd-analyze verify "/lib/systemd/system/$unit" 2>/tmp/verify.log ||
		{ cat /tmp/verify.log >&2; fail "$unit does not verify"; }
done
for page in /usr/share/man/man8/pfsadm.8 /usr/share/man/man4/dm-pfs.4; do
	MANWIDTH=80 man -l "$page" 2>&1 >/dev/null | grep . && fail "man -l $page warns"
	MANWIDTH=80 man -l "$page" | grep -q 'SEE ALSO' || fail "man -l $page does not render"
done

# Completion offers the subcommands and the image names (completion runs
# in an interactive shell's rules, not under set -u).
. /usr/share/bash-completion/completions/pfsadm
complete_words() {	# WORD... : COMPREPLY for the last word
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	set +u
	_pfsadm
	set -u
}
complete_words pfsadm re
[ "${COMPREPLY[*]}" = "remove resize rename refresh restore" ] || fail "completion of 're': ${COMPREPLY[*]}"
complete_words pfsadm remove ""
grep -qw a <<<"${COMPREPLY[*]}" && grep -qw b <<<"${COMPREPLY[*]}" ||
	fail "completion of image names: ${COMPREPLY[*]}"

# A shared pool on the second disk (host_id 1; sanlock as a host runs it,
# under a name that outlives the reboot): s1 runs when the host goes down,
# s2 was deactivated.
SHARED=/dev/vdb
. "$PFS_PROJECT/tests/boot/shared-host.sh"
sanlock daemon -w 0
for _ in $(seq 100); do sanlock client status >/dev/null 2>&1 && break; sleep 0.1; done
/usr/sbin/pfs-lockd 2>/tmp/lockd.log &
for _ in $(seq 100); do [ -s /run/pfs-lockd.pid ] && break; sleep 0.1; done
"$PFSADM" format --shared "$SHARED" >/dev/null
"$PFSADM" --pool "$SHARED" create s1 32M >/dev/null
"$PFSADM" --pool "$SHARED" create s2 32M >/dev/null
"$PFSADM" --pool "$SHARED" deactivate s2 >/dev/null
write_pattern /dev/mapper/pfs-s1 21 32
[ "$(cat /var/lib/pfs/held/*/*)" = s1 ] || fail "the record says: $(cat /var/lib/pfs/held/*/*)"
sync
