/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reason in words for a failure a pure function returns: parsers and
 * decoders take (char *why, size_t why_size) from their caller, who shows
 * or logs it, and fill it here. why may be NULL or why_size 0: no reason.
 */
#ifndef CIRCD_LIB_WHY_H
#define CIRCD_LIB_WHY_H

#include <stddef.h>

/* Formats the reason into why (cut to why_size) and returns err, for `return why_refuse(...)`. */
int why_refuse(int err, char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
