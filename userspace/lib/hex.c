// SPDX-License-Identifier: GPL-2.0
#include "hex.h"

static const char pfs_hex_digits[] = "0123456789abcdef";

void pfs_hex_encode(const uint8_t *bytes, unsigned int n, char *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[2 * i] = pfs_hex_digits[bytes[i] >> 4];
		out[2 * i + 1] = pfs_hex_digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static int pfs_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pfs_hex_decode(const char *text, unsigned int n, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		int hi = pfs_hex_digit(text[2 * i]);
		int lo = hi < 0 ? -1 : pfs_hex_digit(text[2 * i + 1]);

		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
