/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A receipt, top to bottom: the library's name (bold) and address, centred;
 * when it was printed and the masked card; the count of items in the words
 * the screen uses; each item (title, barcode, due date); the offline note;
 * then a feed and a cut.
 */
#include "receipt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "patron-id.h"

/* One printed line before the printer wraps it: a title, a catalog text. */
#define RECEIPT_LINE_MAX 512
/* Lines fed after the text, so the last of it clears the tear bar before the cut. */
#define RECEIPT_FEED_LINES 3
/* A session id (36 characters) is a version 3 QR code: 29 modules, 18 mm at 203 dpi. */
#define RECEIPT_QR_MODULE_DOTS 5

enum escpos_codepage receipt_escpos_codepage(enum receipt_codepage codepage)
{
	switch (codepage) {
	case RECEIPT_PC437:
		return ESCPOS_PC437;
	case RECEIPT_PC850:
		return ESCPOS_PC850;
	case RECEIPT_WPC1252:
		return ESCPOS_WPC1252;
	case RECEIPT_PC858:
	default:
		return ESCPOS_PC858;
	}
}

static void put_line(struct escpos *e, const char *text)
{
	escpos_text(e, text);
	escpos_text(e, "\n");
}

static void put_message(struct escpos *e, const struct receipt *r, enum msg_id id,
			const struct catalog_arg *args)
{
	char line[RECEIPT_LINE_MAX] = "";

	/* A text cut at a character still says most of what it should. */
	(void)messages_append(r->messages, r->lang, id, args, line, sizeof(line));
	put_line(e, line);
}

/* The [receipt] header's lines, "|" between them and blanks around them dropped. */
static void put_header(struct escpos *e, const char *header)
{
	char line[RECEIPT_LINE_MAX];
	bool first = true;
	const char *p = header;

	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (n) {
			/* The library's name stands out; its address does not. */
			if (first)
				escpos_bold(e, true);
			put_line(e, line);
			if (first)
				escpos_bold(e, false);
			first = false;
		}
		p = bar ? bar + 1 : NULL;
	}
	if (!first)
		escpos_text(e, "\n");
}

static void put_when(struct escpos *e, const struct receipt *r)
{
	const char *format = messages_date_format(r->messages, r->lang, r->date_format);
	time_t t = (time_t)(r->wall_ms / 1000);
	char date[64], hour[16];

	if (due_date_format(t, format, messages_date_names(r->messages, r->lang), date,
			    sizeof(date)) < 0 ||
	    due_date_format(t, "%H:%M", NULL, hour, sizeof(hour)) < 0)
		return;
	put_message(e, r, MSG_RECEIPT_PRINT_WHEN, MSG_ARGS({ "date", date }, { "time", hour }));
}

static void put_items(struct escpos *e, const struct receipt *r)
{
	char count[24];

	snprintf(count, sizeof(count), "%lu", r->count);
	escpos_bold(e, true);
	if (r->kind == RECEIPT_BORROWED)
		put_message(e, r, messages_plural(r->messages, r->lang, r->count,
						  MSG_RECEIPT_BORROWED_ONE,
						  MSG_RECEIPT_BORROWED_OTHER),
			    MSG_ARGS({ "count", count }));
	else
		put_message(e, r, messages_plural(r->messages, r->lang, r->count,
						  MSG_RECEIPT_RETURNED_ONE,
						  MSG_RECEIPT_RETURNED_OTHER),
			    MSG_ARGS({ "count", count }));
	escpos_bold(e, false);
	for (size_t i = 0; i < r->n_items; i++) {
		const struct receipt_item *it = &r->items[i];

		escpos_text(e, "\n");
		if (it->title && *it->title)
			put_line(e, it->title);
		put_line(e, it->item);
		if (it->due && *it->due)
			put_message(e, r, MSG_RECEIPT_PRINT_DUE, MSG_ARGS({ "due", it->due }));
	}
}

int receipt_build(const struct receipt *r, uint8_t *buf, size_t cap, size_t *len)
{
	struct masked_id card = mask_patron(r->patron);
	struct escpos e;
	int ret;

	*len = 0;
	if (!r->messages || !r->lang || (r->n_items && !r->items))
		return -EINVAL;
	ret = escpos_begin(&e, buf, cap, receipt_escpos_codepage(r->codepage));
	if (ret < 0)
		return ret;
	escpos_align(&e, ESCPOS_CENTER);
	put_header(&e, r->header);
	escpos_align(&e, ESCPOS_LEFT);
	put_when(&e, r);
	if (r->patron && *r->patron)
		put_message(&e, r, MSG_RECEIPT_PRINT_CARD,
			    MSG_ARGS({ "card", card.s }));
	escpos_text(&e, "\n");
	put_items(&e, r);
	if (r->offline) {
		escpos_text(&e, "\n");
		put_message(&e, r, MSG_RECEIPT_PRINT_OFFLINE, NULL);
	}
	if (r->session_id && *r->session_id) {
		escpos_text(&e, "\n");
		escpos_align(&e, ESCPOS_CENTER);
		escpos_qr(&e, r->session_id, strlen(r->session_id), RECEIPT_QR_MODULE_DOTS);
		escpos_align(&e, ESCPOS_LEFT);
	}
	escpos_feed(&e, RECEIPT_FEED_LINES);
	escpos_cut(&e);
	return escpos_finish(&e, len);
}
