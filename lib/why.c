/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "why.h"

#include <stdarg.h>
#include <stdio.h>

int why_refuse(int err, char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, fmt);
		vsnprintf(why, why_size, fmt, ap);
		va_end(ap);
	}
	return err;
}
