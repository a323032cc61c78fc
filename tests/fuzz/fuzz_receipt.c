/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes receipt_build() with the shipped catalogs (ui/messages, or
 * $CIRCD_MESSAGES). Input: a byte of options (language, code page, kind,
 * offline), a byte choosing a smaller buffer to retry with, then fields
 * separated by LF: header, patron, and item, title, due for each item.
 * Invariants: nothing is written past the buffer; the receipt is refused
 * with -ENOSPC exactly when it is longer than the buffer (and *len is 0),
 * else it is the same bytes; the renderer reads all of it; it ends with the
 * cut.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/receipt.h"
/* The test helper, compiled in: fuzz targets link only libcirc.a. */
#include "../unit/escpos_render.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ITEMS_MAX 8
#define FIELD_MAX 128
#define CANARY 0xA5
#define CANARY_LEN 16

static const char *const langs[] = { "en", "de", "fr" };

static const struct messages *catalogs(void)
{
	static struct messages *m;
	const char *dir = getenv("CIRCD_MESSAGES");

	if (!m && messages_load(dir ? dir : "ui/messages", &m, NULL) < 0) {
		fprintf(stderr, "fuzz_receipt: no catalogs; run from the source tree\n");
		abort();
	}
	return m;
}

/* The next LF-separated field of *p (at most FIELD_MAX - 1 bytes kept), into out. */
static void take_field(const uint8_t **p, const uint8_t *end, char *out)
{
	const uint8_t *lf = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = lf ? (size_t)(lf - *p) : (size_t)(end - *p);
	size_t kept = n < FIELD_MAX - 1 ? n : FIELD_MAX - 1;

	memcpy(out, *p, kept);
	out[kept] = '\0'; /* an embedded NUL just ends the string early */
	*p += n + (lf ? 1 : 0);
}

static void check_cap(const struct receipt *r, size_t cap, const uint8_t *full, size_t full_len)
{
	uint8_t *out = malloc(cap + CANARY_LEN);
	size_t len = 1;
	int ret;

	if (!out)
		abort();
	memset(out, CANARY, cap + CANARY_LEN);
	ret = receipt_build(r, out, cap, &len);
	for (size_t i = cap; i < cap + CANARY_LEN; i++)
		if (out[i] != CANARY)
			abort();
	if (cap < full_len ? ret != -ENOSPC || len != 0 :
			     ret != 0 || len != full_len || memcmp(out, full, len) != 0)
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char fields[2 + 3 * ITEMS_MAX][FIELD_MAX];
	static uint8_t full[RECEIPT_BYTES_MAX + CANARY_LEN];
	static char text[4 * RECEIPT_BYTES_MAX];
	struct receipt_item items[ITEMS_MAX];
	const uint8_t *p, *end = data + size;
	struct receipt r;
	size_t n_items = 0, len = 0;
	int ret;

	if (size < 2)
		return 0;
	p = data + 2;
	take_field(&p, end, fields[0]);
	take_field(&p, end, fields[1]);
	while (p < end && n_items < ITEMS_MAX) {
		char *f = fields[2 + 3 * n_items];

		take_field(&p, end, f);
		take_field(&p, end, f + FIELD_MAX);
		take_field(&p, end, f + 2 * FIELD_MAX);
		items[n_items] = (struct receipt_item){ .item = f, .title = f + FIELD_MAX,
							.due = f + 2 * FIELD_MAX };
		n_items++;
	}
	r = (struct receipt){
		.kind = data[0] & 1 ? RECEIPT_RETURNED : RECEIPT_BORROWED,
		.messages = catalogs(),
		.lang = langs[(data[0] >> 1 & 3) % 3],
		.date_format = data[0] & 8 ? "%d/%m/%Y %A %B" : "",
		.header = fields[0],
		.codepage = (enum receipt_codepage)(data[0] >> 4 & 3),
		.wall_ms = 1796581200000LL + (int64_t)data[1] * 3600000,
		.patron = fields[1],
		.items = items,
		.n_items = n_items,
		.count = n_items + (data[0] >> 6),
		.offline = data[0] & 0x80,
	};
	memset(full, CANARY, sizeof(full));
	ret = receipt_build(&r, full, RECEIPT_BYTES_MAX, &len);
	for (size_t i = RECEIPT_BYTES_MAX; i < sizeof(full); i++)
		if (full[i] != CANARY)
			abort();
	if (ret == -ENOSPC)
		return 0; /* over any printer's receipt: refused whole */
	if (ret != 0 || len < 4 || memcmp(full + len - 4, "\x1d\x56\x42\x00", 4) != 0)
		abort();
	if (escpos_render(full, len, text, sizeof(text)) < 0)
		abort();
	check_cap(&r, len, full, len);
	check_cap(&r, data[1] * len / 256, full, len);
	return 0;
}
