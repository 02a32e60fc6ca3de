// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "size.h"

int pfs_parse_u64(const char *text, uint64_t *value)
{
	uint64_t v = 0;

	if (!*text)
		return -1;
	for (; *text; text++) {
		if (!isdigit((unsigned char)*text))
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*text - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*text - '0');
	}
	*value = v;
	return 0;
}

/*
 * As lvcreate -L: a count with an optional unit, B (bytes), S (sectors),
 * K, M, G, T, P, E (powers of 1024, optionally followed by "iB" or "B").
 * No unit means MiB. K to E (and no unit) also take up to 9 decimals,
 * "1.5G"; the result is rounded up to a whole byte.
 */
int pfs_parse_size(const char *text, uint64_t *bytes)
{
	static const char units[] = "bkmgtpe";
	char digits[32];
	size_t n = strspn(text, "0123456789"), m = 0;
	const char *unit = text + n, *u;
	uint64_t v, frac = 0, scale = 1, part;
	unsigned int shift;

	if (n == 0 || n >= sizeof(digits))
		return -1;
	memcpy(digits, text, n);
	digits[n] = '\0';
	if (pfs_parse_u64(digits, &v))
		return -1;
	if (*unit == '.') {
		m = strspn(unit + 1, "0123456789");
		if (m == 0 || m > 9)
			return -1;
		memcpy(digits, unit + 1, m);
		digits[m] = '\0';
		if (pfs_parse_u64(digits, &frac))
			return -1;
		while (scale < 1000000000ULL && m--)
			scale *= 10;
		unit += 1 + strlen(digits);
	}

	if (!*unit) {
		shift = 20;
	} else if ((unit[0] == 's' || unit[0] == 'S') && !unit[1]) {
		shift = 9;
	} else {
		u = strchr(units, tolower((unsigned char)unit[0]));
		if (!u || !unit[0])
			return -1;
		shift = 10 * (unsigned int)(u - units);
		unit++;
		if (shift && (!strcasecmp(unit, "ib") || !strcasecmp(unit, "b")))
			unit += strlen(unit);
		if (*unit)
			return -1;
	}
	/* A fraction of a byte or of a sector means nothing. */
	if (scale > 1 && shift < 10)
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	/* frac / scale of a unit, rounded up: frac < 10^9, a unit <= 2^60. */
	part = (uint64_t)((((unsigned __int128)frac << shift) + scale - 1) / scale);
	if ((v << shift) > UINT64_MAX - part)
		return -1;
	*bytes = (v << shift) + part;
	return 0;
}

int pfs_parse_size_spec(const char *text, struct pfs_size_spec *spec)
{
	uint64_t pct;
	char digits[8];
	size_t n;

	memset(spec, 0, sizeof(*spec));
	spec->kind = PFS_SIZE_ABSOLUTE;
	if (*text == '+' || *text == '-') {
		spec->kind = *text == '+' ? PFS_SIZE_GROW : PFS_SIZE_SHRINK;
		text++;
	}
	n = strspn(text, "0123456789");
	if (n && n < sizeof(digits) && !strcasecmp(text + n, "%free")) {
		memcpy(digits, text, n);
		digits[n] = '\0';
		if (spec->kind == PFS_SIZE_SHRINK || pfs_parse_u64(digits, &pct) ||
		    pct < 1 || pct > 100)
			return -1;
		spec->kind = spec->kind == PFS_SIZE_GROW ? PFS_SIZE_GROW_PCT_FREE :
			     PFS_SIZE_PCT_FREE;
		spec->pct = (unsigned int)pct;
		return 0;
	}
	return pfs_parse_size(text, &spec->bytes);
}

const char *pfs_format_size(uint64_t bytes, char *buf, unsigned int len)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u < sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

const char *pfs_format_sectors(uint64_t sectors, char *buf, unsigned int len)
{
	if (sectors <= UINT64_MAX >> 9)
		return pfs_format_size(sectors << 9, buf, len);
	/* 2^64 bytes or more: EiB, 2^51 sectors each. */
	snprintf(buf, len, "%.1fE", (double)sectors / (double)(1ULL << 51));
	return buf;
}

char pfs_parse_units(const char *text)
{
	char u = (char)tolower((unsigned char)text[0]);

	if (!u || text[1] || !strchr("hbskmgtpe", u))
		return 0;
	return u;
}

const char *pfs_format_units(uint64_t bytes, char unit, bool suffix, char *buf,
			     unsigned int len)
{
	static const char scaled[] = "kmgtpe";
	const char *u = strchr(scaled, unit);
	char letter = suffix ? (char)toupper((unsigned char)unit) : '\0';

	if (!u && unit != 'b' && unit != 's') {
		pfs_format_size(bytes, buf, len);
		if (!suffix)
			buf[strcspn(buf, "BKMGTPE")] = '\0';
	} else if (unit == 'b' || unit == 's') {
		snprintf(buf, len, "%llu%.1s", (unsigned long long)(unit == 's' ? bytes >> 9 : bytes),
			 &letter);
	} else {
		snprintf(buf, len, "%.2f%.1s",
			 (double)bytes / (double)(1ULL << (10 * (unsigned int)(u - scaled + 1))),
			 &letter);
	}
	return buf;
}
