/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "coredump.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static struct rlimit core_limit_at_start;
static bool core_limit_saved;

int core_dumps_set(bool allow)
{
	struct rlimit limit;

	if (!core_limit_saved) {
		if (getrlimit(RLIMIT_CORE, &core_limit_at_start) < 0)
			return -errno;
		core_limit_saved = true;
	}
	limit = core_limit_at_start;
	if (!allow)
		limit.rlim_cur = 0;
	if (setrlimit(RLIMIT_CORE, &limit) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, allow ? 1 : 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
