// SPDX-License-Identifier: GPL-2.0
/*
 * Does CMPXCHG16B keep the flags it does not set? It sets ZF only; CF
 * from the ADD before it must survive. QEMU before 8.0 (TCG) computes the
 * flags in its cmpxchg16b helper from a stale condition-code state: right
 * after a POPF (which ends a translation block), CF comes out as bit 0 of
 * the ADD's operand, and the guest's EFLAGS take that operand's other bits.
 * Exit 0: right, or no CMPXCHG16B; 1: wrong flags.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>

static unsigned __int128 slot __attribute__((aligned(16)));

int main(void)
{
	unsigned int a, b, c, d, bad = 0, i;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_CMPXCHG16B)) {
		printf("no cmpxchg16b\n");
		return 0;
	}
	for (i = 0; i < 1000; i++) {
		uint64_t sum = 1, odd = 0x0103a801, lo = 0, hi = 0, flags;

		/* 1 + 0x0103a801: no carry. The operand's bit 0 is set. */
		asm volatile("pushq $0x202\n\t"
			     "popfq\n\t"
			     "addq %[odd], %[sum]\n\t"
			     "lock cmpxchg16b %[m]\n\t"
			     "pushfq\n\t"
			     "popq %[f]"
			     : [sum] "+r" (sum), [f] "=r" (flags), [m] "+m" (slot),
			       "+a" (lo), "+d" (hi)
			     : [odd] "r" (odd), "b" (0ULL), "c" (0ULL)
			     : "cc", "memory");
		if (flags & 1)
			bad++;
	}
	if (bad) {
		printf("cmpxchg16b set CF after a carry-free add in %u of 1000 runs: flags corrupted\n",
		       bad);
		return 1;
	}
	printf("cmpxchg16b kept the flags\n");
	return 0;
}
