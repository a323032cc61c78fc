/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/codepage.h"
#include "escpos_render.h"

struct render {
	char *out;
	size_t size, len;
	bool full;
	int codepage; /* ESC t's n; PC437 after ESC @ */
};

static void emit(struct render *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->out + r->len, r->size - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= r->size - r->len) {
		r->full = true;
		return;
	}
	r->len += (size_t)n;
}

static void emit_utf8(struct render *r, uint32_t cp)
{
	if (cp < 0x80)
		emit(r, "%c", (int)cp);
	else if (cp < 0x800)
		emit(r, "%c%c", (int)(0xC0 | cp >> 6), (int)(0x80 | (cp & 0x3F)));
	else
		emit(r, "%c%c%c", (int)(0xE0 | cp >> 12), (int)(0x80 | (cp >> 6 & 0x3F)),
		     (int)(0x80 | (cp & 0x3F)));
}

/* The code point byte b (>= 0x80) stands for in the selected code page, 0 if none. */
static uint32_t upper_char(int codepage, uint8_t b)
{
	switch (codepage) {
	case 0:
		return codepage_cp437[b - 0x80];
	case 2:
		return codepage_cp850[b - 0x80];
	case 16:
		return codepage_cp1252[b - 0x80];
	case 19:
		return b == 0xD5 ? 0x20AC : codepage_cp850[b - 0x80];
	}
	return 0;
}

/* A GS ( k function for QR codes (cn 49) with its k parameter bytes p. */
static int render_qr(struct render *r, uint8_t fn, const uint8_t *p, size_t k)
{
	static const char levels[] = "LMQH";

	if (fn == 65 && k == 2)
		emit(r, "{qr-model %d}", p[0] - 48);
	else if (fn == 67 && k == 1)
		emit(r, "{qr-module %d}", p[0]);
	else if (fn == 69 && k == 1 && p[0] >= 48 && p[0] <= 51)
		emit(r, "{qr-level %c}", levels[p[0] - 48]);
	else if (fn == 80 && k >= 1 && p[0] == 48)
		emit(r, "{qr-store %.*s}", (int)(k - 1), (const char *)p + 1);
	else if (fn == 81 && k == 1 && p[0] == 48)
		emit(r, "{qr-print}");
	else
		return -EBADMSG;
	return 0;
}

/* The command at b (n bytes left, b[0] ESC or GS); its length, or -EBADMSG. */
static int render_command(struct render *r, const uint8_t *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1B && b[1] == '@') {
		r->codepage = 0;
		emit(r, "{init}");
		return 2;
	}
	if (n < 3)
		return -EBADMSG;
	if (b[0] == 0x1B) {
		switch (b[1]) {
		case 't':
			r->codepage = b[2];
			emit(r, "{cp %d}", b[2]);
			return 3;
		case 'E':
			emit(r, b[2] & 1 ? "{bold}" : "{/bold}");
			return 3;
		case 'a':
			if (b[2] > 2)
				return -EBADMSG;
			emit(r, "{%s}", (const char *[]){ "left", "center", "right" }[b[2]]);
			return 3;
		case 'd':
			emit(r, "{feed %d}", b[2]);
			return 3;
		}
		return -EBADMSG;
	}
	if (b[1] == '!') {
		emit(r, "{size %dx%d}", (b[2] >> 4) + 1, (b[2] & 15) + 1);
		return 3;
	}
	if (b[1] == 'V' && b[2] == 66 && n >= 4) {
		emit(r, "{cut}");
		return 4;
	}
	if (b[1] == '(' && b[2] == 'k' && n >= 7) {
		size_t body = b[3] + (size_t)b[4] * 256;

		if (body < 3 || n < 5 + body || b[5] != 49 || render_qr(r, b[6], b + 7, body - 2))
			return -EBADMSG;
		return (int)(5 + body);
	}
	return -EBADMSG;
}

int escpos_render(const uint8_t *bytes, size_t len, char *out, size_t size)
{
	struct render r = { .out = out, .size = size, .full = size == 0 };
	size_t at = 0;

	if (size)
		out[0] = '\0';
	while (at < len) {
		uint8_t b = bytes[at];
		uint32_t cp;

		if (b == 0x1B || b == 0x1D) {
			int used = render_command(&r, bytes + at, len - at);

			if (used < 0)
				return used;
			at += (size_t)used;
			continue;
		}
		if (b == '\n')
			cp = '\n';
		else if (b >= 0x20 && b < 0x7F)
			cp = b;
		else if (b >= 0x80 && (cp = upper_char(r.codepage, b)) != 0)
			;
		else
			return -EBADMSG;
		emit_utf8(&r, cp);
		at++;
	}
	return r.full ? -ENOSPC : (int)r.len;
}
