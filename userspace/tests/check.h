/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal assertions for the native unit tests. */
#ifndef PFS_TEST_CHECK_H
#define PFS_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		check_failures++;					\
	}								\
} while (0)

#define CHECK_DONE() do {						\
	if (check_failures)						\
		fprintf(stderr, "%d check(s) failed\n", check_failures);\
	return check_failures ? 1 : 0;					\
} while (0)

#endif /* PFS_TEST_CHECK_H */
