/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A growable text buffer for control-socket replies. Out of memory is
 * sticky (sb->oom) so callers append freely and check once at the end.
 * The owner frees sb->buf with strbuf_free(); a zeroed struct is empty.
 */
#ifndef CIRCD_STRBUF_H
#define CIRCD_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};

void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included; NULL becomes null. */
void strbuf_json_string(struct strbuf *sb, const char *s);
void strbuf_free(struct strbuf *sb);

#endif
