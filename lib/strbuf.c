/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static bool reserve(struct strbuf *sb, size_t extra)
{
	size_t cap;
	char *buf;

	if (sb->oom)
		return false;
	if (sb->len + extra + 1 <= sb->cap)
		return true;
	cap = sb->cap ? sb->cap : 256;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	buf = realloc(sb->buf, cap);
	if (!buf) {
		sb->oom = true;
		return false;
	}
	sb->buf = buf;
	sb->cap = cap;
	return true;
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void strbuf_json_string(struct strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_printf(sb, "null");
		return;
	}
	strbuf_printf(sb, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			strbuf_printf(sb, "\\%c", c);
		else if (c == '\n')
			strbuf_printf(sb, "\\n");
		else if (c < 0x20 || c == 0x7f)
			strbuf_printf(sb, "\\u%04x", c);
		else
			strbuf_printf(sb, "%c", c);
	}
	strbuf_printf(sb, "\"");
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->oom = false;
}
