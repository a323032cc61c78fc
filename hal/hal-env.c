/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report sink of struct hal_env: formatting stays here, so that a
 * backend reports in one call and firmware's sink gets a finished line.
 */
#include "hal-env.h"

#include <stdarg.h>
#include <stdio.h>

#define HAL_REPORT_MAX 512

void hal_report(const struct hal_env *env, enum hal_level level, const char *fmt, ...)
{
	char msg[HAL_REPORT_MAX];
	va_list ap;

	if (!env || !env->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	env->report(env->report_data, level, msg);
}
