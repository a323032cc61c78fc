/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny test runner: each test is a void function; CHECK records a failure
 * and goes on. Output is one "ok NAME" / "FAIL NAME" line per test and a
 * last line "N passed, N failed", which scripts/check.sh sums. Helpers in
 * tests/unit/ may CHECK too.
 */
#ifndef CIRCD_TESTLIB_H
#define CIRCD_TESTLIB_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/util.h"

/*
 * Defined once, in testlib.c (libunit.a), so that a CHECK in a test helper
 * fails the test that is running, as one in the test itself does.
 */
extern int testlib_passed, testlib_failed, testlib_current_failed;
extern const char *testlib_current;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__,      \
				__LINE__, testlib_current, #cond);                      \
			testlib_current_failed = 1;                                     \
		}                                                                       \
	} while (0)

#define CHECK_INT(a, b)                                                                 \
	do {                                                                            \
		long long testlib_a = (long long)(a), testlib_b = (long long)(b);       \
		if (testlib_a != testlib_b) {                                           \
			fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n", \
				__FILE__, __LINE__, testlib_current, #a, testlib_a, #b, \
				testlib_b);                                             \
			testlib_current_failed = 1;                                     \
		}                                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                 \
	do {                                                                            \
		const char *testlib_a = (a), *testlib_b = (b);                          \
		if (!testlib_a || !testlib_b || strcmp(testlib_a, testlib_b) != 0) {    \
			fprintf(stderr, "%s:%d: %s: %s == \"%s\", expected \"%s\"\n",   \
				__FILE__, __LINE__, testlib_current, #a,                \
				testlib_a ? testlib_a : "(null)",                       \
				testlib_b ? testlib_b : "(null)");                      \
			testlib_current_failed = 1;                                     \
		}                                                                       \
	} while (0)

static inline void testlib_run(const char *name, void (*fn)(void))
{
	testlib_current = name;
	testlib_current_failed = 0;
	fn();
	if (testlib_current_failed) {
		testlib_failed++;
		printf("FAIL %s\n", name);
	} else {
		testlib_passed++;
		printf("ok %s\n", name);
	}
	fflush(stdout);
}

#define RUN(fn) testlib_run(#fn, fn)

static inline int testlib_finish(void)
{
	printf("%d passed, %d failed\n", testlib_passed, testlib_failed);
	return testlib_failed ? 1 : 0;
}

#endif
