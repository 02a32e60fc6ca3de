# The emulated CPU executes what the kernel runs as hardware would.
# Debian 12's QEMU (7.2) gets the flags of CMPXCHG16B wrong under TCG: ZF
# is right, the others come from a stale condition-code state. The 6.12
# kernel's slab fast path branches right after it, and an interrupt there
# pushes and restores the garbage (a double fault at boot, a WARN with
# impossible EFLAGS mid-test). scripts/vm hides cx16 from the guest; this
# fails if a guest CPU has cx16 and gets its flags wrong (PFS_VM_CPU=max).
. ./lib.sh

cc -O2 -Wall -Wextra -Werror -o /tmp/cmpxchg16b-flags cmpxchg16b-flags.c ||
	fail "cannot build the CMPXCHG16B check"
/tmp/cmpxchg16b-flags >/tmp/cx16.out ||
	fail "$(cat /tmp/cx16.out) (QEMU before 8.0: run the guest with -cpu ...,-cx16)"
echo "report: $(cat /tmp/cx16.out)"
if grep -qw cx16 /proc/cpuinfo; then
	grep -q "kept the flags" /tmp/cx16.out || fail "cpuinfo lists cx16, the check found none"
fi
