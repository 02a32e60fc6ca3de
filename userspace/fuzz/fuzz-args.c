// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what pfsadm makes of its arguments before it touches
 * a device: sizes, counts and image names. ASan and UBSan catch memory and
 * arithmetic faults; the asserts catch wrong answers.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "image.h"
#include "size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfs_error err = { 0 };
	char text[256], buf[32];
	uint64_t v, w;
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	bool ok;

	memcpy(text, data, n);
	text[n] = '\0';
	n = strlen(text);	/* an argv string ends at its first NUL */

	if (!pfs_parse_size(text, &v)) {
		/* A size always starts with digits, and they alone parse as MiB. */
		char digits[32];
		size_t d = strspn(text, "0123456789");

		if (d == 0 || d >= sizeof(digits))
			abort();
		memcpy(digits, text, d);
		digits[d] = '\0';
		if (pfs_parse_u64(digits, &w) || (v && !w))
			abort();
		pfs_format_size(v, buf, sizeof(buf));
	}
	if (!pfs_parse_u64(text, &v) && (!n || strspn(text, "0123456789") != n))
		abort();

	ok = pfs_image_name_ok(text, &err);
	/* A name pfsadm accepts can never leave /dev/mapper. */
	if (ok && (strchr(text, '/') || !strcmp(text, ".") || !strcmp(text, "..") ||
		   strlen(text) > PFS_MAX_NAME_CHARS || text[0] == '-'))
		abort();
	if (!ok && (err.code != PFS_EXIT_ARGS || !err.msg[0] || strchr(err.msg, '\n')))
		abort();
	return 0;
}
