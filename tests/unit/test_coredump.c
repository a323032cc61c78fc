/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "../../firmware/coredump.h"
#include "testlib.h"

static void test_off_then_back_on(void)
{
	struct rlimit start, now;

	CHECK_INT(getrlimit(RLIMIT_CORE, &start), 0);
	CHECK_INT(core_dumps_set(false), 0);
	CHECK_INT(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	CHECK_INT(getrlimit(RLIMIT_CORE, &now), 0);
	CHECK(now.rlim_cur == 0);
	CHECK(now.rlim_max == start.rlim_max);

	/* twice is harmless, and the limit of the start is what comes back */
	CHECK_INT(core_dumps_set(false), 0);
	CHECK_INT(core_dumps_set(true), 0);
	CHECK_INT(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_INT(getrlimit(RLIMIT_CORE, &now), 0);
	CHECK(now.rlim_cur == start.rlim_cur);
	CHECK(now.rlim_max == start.rlim_max);
}

int main(void)
{
	RUN(test_off_then_back_on);
	return testlib_finish();
}
