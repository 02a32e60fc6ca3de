// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what pfsadm makes of its arguments before it touches
 * a device (sizes, counts, image names, list's -o, --sort and --units) and
 * of the target's status line (pfsadm stats). ASan and UBSan catch memory and arithmetic faults; the
 * asserts catch wrong answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "image.h"
#include "report.h"
#include "size.h"
#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether @list is 1 to @max comma-separated words, each one of list's fields. */
static bool known_fields(const char *list, size_t max)
{
	const char *names = pfsadm_report_field_names(), *f;
	size_t len, count = 0;
	bool found;

	for (;; list += len + 1) {
		len = strcspn(list, ",");
		found = false;
		for (f = names; *f; f += strcspn(f, ",") + !!f[strcspn(f, ",")])
			found |= strcspn(f, ",") == len && len && !strncmp(f, list, len);
		if (!found || ++count > max)
			return false;
		if (!list[len])
			return true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfs_error err = { 0 };
	char text[1024], buf[32];
	struct pfs_image_stats st;
	struct pfs_size_spec spec;
	struct pfsadm_report report;
	char unit, cell[64];
	uint64_t v, w, lo, hi;
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	bool ok;

	memcpy(text, data, n);
	text[n] = '\0';
	n = strlen(text);	/* an argv string ends at its first NUL */

	if (!pfs_parse_size(text, &v)) {
		/*
		 * A size always starts with digits, which alone parse as MiB;
		 * with decimals it lies between its whole part and the next,
		 * in the same unit.
		 */
		char digits[32], whole[64];
		size_t d = strspn(text, "0123456789"), p = strspn(text, "0123456789.");

		if (d == 0 || d >= sizeof(digits) || p >= sizeof(whole) - 24)
			abort();
		memcpy(digits, text, d);
		digits[d] = '\0';
		if (pfs_parse_u64(digits, &w))
			abort();
		snprintf(whole, sizeof(whole), "%llu%s", (unsigned long long)w, text + p);
		if (pfs_parse_size(whole, &lo) || lo > v || (p == d && lo != v))
			abort();
		snprintf(whole, sizeof(whole), "%llu%s", (unsigned long long)w + 1, text + p);
		if (w < UINT64_MAX && !pfs_parse_size(whole, &hi) && hi < v)
			abort();
		pfs_format_size(v, buf, sizeof(buf));
	}
	if (!pfs_parse_size_spec(text, &spec)) {
		/* A spec is a size, or a sign and a size, or a share of 1 to 100 %. */
		bool share = spec.kind == PFS_SIZE_PCT_FREE || spec.kind == PFS_SIZE_GROW_PCT_FREE;

		if (share ? spec.pct < 1 || spec.pct > 100 || spec.bytes : spec.pct)
			abort();
		if (spec.kind == PFS_SIZE_ABSOLUTE && (pfs_parse_size(text, &w) || w != spec.bytes))
			abort();
		if ((spec.kind == PFS_SIZE_GROW || spec.kind == PFS_SIZE_SHRINK) &&
		    (pfs_parse_size(text + 1, &w) || w != spec.bytes))
			abort();
	}
	if (!pfs_parse_u64(text, &v) && (!n || strspn(text, "0123456789") != n))
		abort();

	/* A status line that parses named every field, the histogram too. */
	if (!pfs_stats_parse(text, &st) &&
	    (!strstr(text, "lat_us=") || !strstr(text, "pool_floor_ns=") ||
	     pfs_stats_percentile_us(st.lat, 99) < pfs_stats_percentile_us(st.lat, 50)))
		abort();

	/* -o takes known fields only, and never more than fit. */
	pfsadm_report_init(&report);
	w = text[0] == '+' ? PFSADM_REPORT_MAX_FIELDS - report.nfields : PFSADM_REPORT_MAX_FIELDS;
	ok = !pfsadm_report_columns(&report, text, &err);
	if (ok != (err.code == PFS_EXIT_OK) || ok != known_fields(text + (text[0] == '+'), w) ||
	    report.nfields > PFSADM_REPORT_MAX_FIELDS)
		abort();
	memset(&err, 0, sizeof(err));
	if (!pfsadm_report_sort(&report, text, &err) !=
	    (!strchr(text, ',') && known_fields(text + (text[0] == '-'), 1)))
		abort();
	memset(&err, 0, sizeof(err));
	unit = pfs_parse_units(text);
	if (unit && (n != 1 || !strchr("hbskmgtpe", unit)))
		abort();
	if (unit && !pfs_parse_u64(text, &v))
		abort();
	pfs_format_units(n > 8 ? UINT64_MAX >> (n % 64) : n, unit ? unit : 'h', n & 1, cell,
			 sizeof(cell));

	ok = pfs_image_name_ok(text, &err);
	/* A name pfsadm accepts can never leave /dev/mapper. */
	if (ok && (strchr(text, '/') || !strcmp(text, ".") || !strcmp(text, "..") ||
		   strlen(text) > PFS_MAX_NAME_CHARS || text[0] == '-'))
		abort();
	if (!ok && (err.code != PFS_EXIT_ARGS || !err.msg[0] || strchr(err.msg, '\n')))
		abort();
	return 0;
}
