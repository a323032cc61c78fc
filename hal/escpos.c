/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESC/POS encoder and status decoder (escpos.h has the command table). The
 * command bytes follow Epson's ESC/POS command reference; the test cites it.
 */
#include <errno.h>
#include <string.h>

#include "codepage.h"
#include "escpos.h"
#include "utf8.h"

#define ESC 0x1B
#define GS 0x1D
#define DLE 0x10
#define EOT 0x04
#define LF 0x0A

/* PC858 is PC850 but for one byte, where the euro sign replaced the dotless i. */
#define PC858_EURO_BYTE 0xD5
#define EURO_SIGN 0x20AC
#define DOTLESS_I 0x0131

/* Status bits every DLE EOT answer has the same: bit 1 and bit 4 set, 0 and 7 clear. */
#define STATUS_FIXED_MASK 0x93
#define STATUS_FIXED_VALUE 0x12

static int fail(struct escpos *e, int err)
{
	if (!e->err)
		e->err = err;
	return e->err;
}

static int put(struct escpos *e, const uint8_t *bytes, size_t n)
{
	if (e->err)
		return e->err;
	if (n > e->cap - e->len)
		return fail(e, -ENOSPC);
	memcpy(e->buf + e->len, bytes, n);
	e->len += n;
	return 0;
}

static bool codepage_known(enum escpos_codepage codepage)
{
	return codepage == ESCPOS_PC437 || codepage == ESCPOS_PC850 ||
	       codepage == ESCPOS_WPC1252 || codepage == ESCPOS_PC858;
}

int escpos_begin(struct escpos *e, uint8_t *buf, size_t cap, enum escpos_codepage codepage)
{
	*e = (struct escpos){ .buf = buf, .cap = buf ? cap : 0, .codepage = codepage };
	if (!codepage_known(codepage))
		return fail(e, -EINVAL);
	return put(e, (const uint8_t[]){ ESC, '@', ESC, 't', (uint8_t)codepage }, 5);
}

/*
 * German and French quotation marks („ “ ” ‚ ‘ ’) that the IBM code pages lack
 * print as ASCII quotes, not as '?': the receipt's words stay readable.
 */
static int quote_fallback(uint32_t cp)
{
	if (cp == 0x201C || cp == 0x201D || cp == 0x201E)
		return '"';
	if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A)
		return '\'';
	return '?';
}

/* The byte for code point cp in the builder's code page. */
static uint8_t codepage_char(enum escpos_codepage codepage, uint32_t cp)
{
	const uint16_t *high = codepage_cp437;
	int byte;

	if (codepage == ESCPOS_PC858) {
		if (cp == EURO_SIGN)
			return PC858_EURO_BYTE;
		if (cp == DOTLESS_I)
			return '?';
	}
	if (codepage == ESCPOS_PC850 || codepage == ESCPOS_PC858)
		high = codepage_cp850;
	else if (codepage == ESCPOS_WPC1252)
		high = codepage_cp1252;
	byte = codepage_byte(high, cp);
	return (uint8_t)(byte < 0 ? quote_fallback(cp) : byte);
}

/* Control characters would be taken as commands by the printer: only '\n' passes. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

int escpos_text(struct escpos *e, const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t start = e->len, left = strlen(utf8);

	while (left && !e->err) {
		uint32_t cp;
		size_t n = utf8_decode(s, left, &cp);
		uint8_t byte;

		if (n == 0) {
			n = 1;
			byte = '?';
		} else if (cp == '\n') {
			byte = LF;
		} else if (is_control(cp)) {
			s += n;
			left -= n;
			continue;
		} else {
			byte = codepage_char(e->codepage, cp);
		}
		put(e, &byte, 1);
		s += n;
		left -= n;
	}
	/* All of the text or none of it, like every other command. */
	if (e->err == -ENOSPC && e->len > start)
		e->len = start;
	return e->err;
}

int escpos_bold(struct escpos *e, bool on)
{
	return put(e, (const uint8_t[]){ ESC, 'E', on ? 1 : 0 }, 3);
}

int escpos_size(struct escpos *e, unsigned width, unsigned height)
{
	if (e->err)
		return e->err;
	if (width < 1 || width > ESCPOS_SIZE_MAX || height < 1 || height > ESCPOS_SIZE_MAX)
		return fail(e, -EINVAL);
	return put(e, (const uint8_t[]){ GS, '!', (uint8_t)((width - 1) << 4 | (height - 1)) }, 3);
}

int escpos_align(struct escpos *e, enum escpos_align align)
{
	if (e->err)
		return e->err;
	if (align != ESCPOS_LEFT && align != ESCPOS_CENTER && align != ESCPOS_RIGHT)
		return fail(e, -EINVAL);
	return put(e, (const uint8_t[]){ ESC, 'a', (uint8_t)align }, 3);
}

int escpos_feed(struct escpos *e, unsigned lines)
{
	if (e->err)
		return e->err;
	if (lines > 255)
		return fail(e, -EINVAL);
	return put(e, (const uint8_t[]){ ESC, 'd', (uint8_t)lines }, 3);
}

int escpos_cut(struct escpos *e)
{
	/* Function B (m = 66): the printer feeds to its cutter itself, n = 0 lines more. */
	return put(e, (const uint8_t[]){ GS, 'V', 66, 0 }, 4);
}

/* Function fn 65, 67, 69 or 81 of GS ( k for QR codes (cn 49), with its one or two parameters. */
#define QR_FN(fn, ...) \
	(const uint8_t[]){ GS, '(', 'k', 2 + sizeof((const uint8_t[]){ __VA_ARGS__ }), 0, 49, fn, \
			   __VA_ARGS__ }, 7 + sizeof((const uint8_t[]){ __VA_ARGS__ })

int escpos_qr(struct escpos *e, const void *data, size_t len, unsigned module_size)
{
	static const uint8_t model_2 = 50, level_m = 49, symbol_area = 48;
	size_t start = e->len, stored = len + 3; /* cn, fn and m precede the data */

	if (e->err)
		return e->err;
	if (len < 1 || len > ESCPOS_QR_DATA_MAX || module_size < 1 ||
	    module_size > ESCPOS_QR_MODULE_MAX)
		return fail(e, -EINVAL);
	put(e, QR_FN(65, model_2, 0));
	put(e, QR_FN(67, (uint8_t)module_size));
	put(e, QR_FN(69, level_m));
	put(e, (const uint8_t[]){ GS, '(', 'k', (uint8_t)(stored & 0xFF), (uint8_t)(stored >> 8),
				  49, 80, symbol_area }, 8);
	put(e, data, len);
	put(e, QR_FN(81, symbol_area));
	if (e->err == -ENOSPC)
		e->len = start;
	return e->err;
}

int escpos_finish(struct escpos *e, size_t *len)
{
	*len = e->err ? 0 : e->len;
	return e->err;
}

static bool status_kind_known(enum escpos_status_kind kind)
{
	return kind == ESCPOS_STATUS_PRINTER || kind == ESCPOS_STATUS_OFFLINE_CAUSE ||
	       kind == ESCPOS_STATUS_PAPER;
}

int escpos_status_request(enum escpos_status_kind kind, uint8_t out[ESCPOS_STATUS_REQUEST_LEN])
{
	if (!status_kind_known(kind))
		return -EINVAL;
	out[0] = DLE;
	out[1] = EOT;
	out[2] = (uint8_t)kind;
	return ESCPOS_STATUS_REQUEST_LEN;
}

int escpos_status_parse(enum escpos_status_kind kind, uint8_t byte, struct escpos_status *status)
{
	if (!status_kind_known(kind))
		return -EINVAL;
	if ((byte & STATUS_FIXED_MASK) != STATUS_FIXED_VALUE)
		return -EBADMSG;
	switch (kind) {
	case ESCPOS_STATUS_PRINTER:
		status->offline = byte & 0x08;
		break;
	case ESCPOS_STATUS_OFFLINE_CAUSE:
		status->cover_open = byte & 0x04;
		status->error = byte & 0x40;
		/* Stopped by paper end says the roll ran out as much as the paper sensor does. */
		if (byte & 0x20)
			status->paper_out = true;
		break;
	case ESCPOS_STATUS_PAPER:
		status->paper_near_end = byte & 0x0C;
		/* Added to, not set: the offline cause may have said it already. */
		status->paper_out |= (byte & 0x60) != 0;
		break;
	}
	return 0;
}
