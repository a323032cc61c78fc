/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by sip2.c, sip2-encode.c and sip2-decode.c; not part of the API. */
#ifndef CIRCD_SIP2_PRIVATE_H
#define CIRCD_SIP2_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "sip2.h"

/*
 * UTF-8 in[0..n) to wire bytes, appended at out[0..size): -EILSEQ for bad
 * UTF-8, -EMSGSIZE if it does not fit. Unmappable characters become '?'.
 */
int sip2_utf8_to_wire(enum sip2_charset cs, const char *in, size_t n, char *out, size_t size,
		      size_t *len);
/* Wire bytes to UTF-8, invalid bytes becoming '?': -EMSGSIZE if it does not fit. */
int sip2_wire_to_utf8(enum sip2_charset cs, const char *in, size_t n, char *out, size_t size,
		      size_t *len);

bool sip2_profile_ok(const struct sip2_profile *p);
/* Width of the fixed part after the code, or -1 for a code this codec does not know. */
int sip2_fixed_width(const char code[2]);

static inline bool sip2_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

#endif
