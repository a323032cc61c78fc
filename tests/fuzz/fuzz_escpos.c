/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the ESC/POS builder and status decoder. Input: a byte choosing the
 * buffer size to retry with, a byte of options (code page, bold, size, QR
 * module), a status byte, then a payload used both as UTF-8 text and as QR
 * data. Invariants: nothing is written past the buffer; a receipt fails with
 * -ENOSPC exactly when it is longer than the buffer and is otherwise the same
 * bytes; text never puts a control byte but LF on the wire; ASCII text
 * renders back as itself; the renderer reads everything the builder wrote;
 * a status byte is accepted exactly when its fixed bits are right.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/escpos.h"
/* The test helper, compiled in: fuzz targets link only libcirc.a. */
#include "../unit/escpos_render.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CANARY 0xA5
#define CANARY_LEN 16
#define INIT_LEN 5 /* ESC @, ESC t n */

static const enum escpos_codepage codepages[] = { ESCPOS_PC437, ESCPOS_PC850,
						  ESCPOS_WPC1252, ESCPOS_PC858 };

struct input {
	enum escpos_codepage codepage;
	uint8_t options;
	const char *text; /* the payload up to its first NUL */
	const uint8_t *qr;
	size_t qr_len;
};

static int build(const struct input *in, uint8_t *out, size_t cap, size_t *len)
{
	struct escpos e;

	escpos_begin(&e, out, cap, in->codepage);
	escpos_bold(&e, in->options & 4);
	escpos_size(&e, 1 + (in->options >> 3 & 7), 1 + (in->options >> 5 & 7));
	escpos_align(&e, (enum escpos_align)(in->options % 3));
	escpos_text(&e, in->text);
	if (in->qr_len)
		escpos_qr(&e, in->qr, in->qr_len, 1 + (in->options & 15));
	escpos_feed(&e, in->options);
	escpos_cut(&e);
	return escpos_finish(&e, len);
}

static void check_status(uint8_t byte)
{
	static const enum escpos_status_kind kinds[] = {
		ESCPOS_STATUS_PRINTER, ESCPOS_STATUS_OFFLINE_CAUSE, ESCPOS_STATUS_PAPER
	};
	bool well_formed = (byte & 0x93) == 0x12;
	struct escpos_status status = { 0 };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (escpos_status_parse(kinds[i], byte, &status) != (well_formed ? 0 : -EBADMSG))
			abort();
	if (escpos_status_parse((enum escpos_status_kind)3, byte, &status) != -EINVAL)
		abort();
}

/* The same receipt into a buffer of cap bytes, against the one that fitted (full, full_err). */
static void check_cap(const struct input *in, size_t cap, const uint8_t *full, size_t full_len,
		      int full_err)
{
	uint8_t *out = malloc(cap + CANARY_LEN);
	size_t len;
	int r;

	if (!out)
		abort();
	memset(out, CANARY, cap + CANARY_LEN);
	r = build(in, out, cap, &len);
	for (size_t i = cap; i < cap + CANARY_LEN; i++)
		if (out[i] != CANARY)
			abort();
	if (full_err == 0) {
		if (r != (cap < full_len ? -ENOSPC : 0))
			abort();
		if (r == 0 && (len != full_len || memcmp(out, full, len)))
			abort();
	} else if (r != -ENOSPC && r != full_err) {
		abort();
	}
	if (r != 0 && len != 0)
		abort();
	free(out);
}

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if (*s != '\n' && (*s < 0x20 || *s > 0x7E))
			return false;
	return true;
}

/* Text alone: only LF among the controls, and ASCII renders back as itself. */
static void check_text(const struct input *in, uint8_t *out, size_t cap, char *text, size_t text_size)
{
	struct escpos e;
	size_t len;

	escpos_begin(&e, out, cap, in->codepage);
	escpos_text(&e, in->text);
	if (escpos_finish(&e, &len))
		abort();
	for (size_t i = INIT_LEN; i < len; i++)
		if ((out[i] < 0x20 && out[i] != '\n') || out[i] == 0x7F)
			abort();
	if (escpos_render(out, len, text, text_size) < 0)
		abort();
	if (printable_ascii(in->text)) {
		const char *rest = strchr(text, '}');

		rest = rest ? strchr(rest + 1, '}') : NULL; /* after {init}{cp N} */
		if (!rest || strcmp(rest + 1, in->text))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	uint8_t *full;
	char *payload, *text;
	size_t full_cap, full_len, text_size, payload_len;
	int full_err;

	if (size < 3)
		return 0;
	check_status(data[2]);
	payload_len = size - 3;
	payload = malloc(payload_len + 1);
	if (!payload)
		abort();
	memcpy(payload, data + 3, payload_len);
	payload[payload_len] = '\0';
	in = (struct input){
		.codepage = codepages[data[1] % 4],
		.options = data[1],
		.text = payload,
		.qr = data + 3,
		.qr_len = payload_len,
	};

	/* every input byte is at most one byte out; the QR and commands are bounded */
	full_cap = payload_len * 2 + ESCPOS_QR_DATA_MAX + 128;
	text_size = full_cap * 4 + 256;
	full = malloc(full_cap);
	text = malloc(text_size);
	if (!full || !text)
		abort();
	full_err = build(&in, full, full_cap, &full_len);
	if (full_err != 0 && full_err != -EINVAL)
		abort();
	if (full_err == -EINVAL && payload_len >= 1 && payload_len <= ESCPOS_QR_DATA_MAX)
		abort();
	if (full_err == 0 && escpos_render(full, full_len, text, text_size) < 0)
		abort();

	check_cap(&in, full_len, full, full_len, full_err);
	if (full_len)
		check_cap(&in, full_len - 1, full, full_len, full_err);
	check_cap(&in, full_len * data[0] / 255, full, full_len, full_err);
	check_text(&in, full, full_cap, text, text_size);

	free(text);
	free(full);
	free(payload);
	return 0;
}
