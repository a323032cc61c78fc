/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The printed receipt at the end of a self-check session ([receipt] policy):
 * asked for the printer's status first, so that a patron is told at once
 * when none will come, then built (receipt.c) and printed whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk-private.h"
#include "patron-id.h"
#include "receipt.h"

/* Logs, keeps for circctl status, and calls staff: a printer does not refill itself. */
static int no_receipt(struct kiosk *k, int err, const char *why)
{
	snprintf(k->receipt_failure, sizeof(k->receipt_failure), "no receipt for patron %s: %s",
		 mask_patron(k->patron).s, why);
	log_warning("%s", k->receipt_failure);
	if (k->env.out->printer_attention)
		k->env.out->printer_attention(k->env.out_data);
	return err;
}

static int print_session(struct kiosk *k)
{
	struct receipt_item *items = calloc(k->n_items, sizeof(*items));
	struct receipt r = {
		.kind = RECEIPT_BORROWED,
		.messages = k->env.messages,
		.lang = kiosk_language(k),
		.date_format = k->cfg->date_format,
		.header = k->cfg->receipt_header,
		.codepage = k->cfg->receipt_codepage,
		.wall_ms = loop_wall_ms(k->env.loop),
		.patron = k->patron,
		.items = items,
		.n_items = k->n_items,
		.count = k->n_items,
		.session_id = k->cfg->receipt_session_qr ? k->session_id : NULL,
	};
	uint8_t bytes[RECEIPT_BYTES_MAX];
	size_t len = 0;
	int ret;

	if (!items)
		return no_receipt(k, -ENOMEM, "out of memory");
	for (unsigned i = 0; i < k->n_items; i++) {
		items[i] = (struct receipt_item){ .item = k->items[i].item,
						  .title = k->items[i].title,
						  .due = k->items[i].due };
		r.offline |= k->items[i].offline;
	}
	ret = receipt_build(&r, bytes, sizeof(bytes), &len);
	free(items);
	if (ret < 0)
		return no_receipt(k, ret, ret == -ENOSPC ? "too long to print" : strerror(-ret));
	ret = k->env.out->print(k->env.out_data, bytes, len);
	if (ret < 0)
		return no_receipt(k, ret, strerror(-ret));
	k->receipts_printed++;
	log_info("receipt printed for patron %s: %u item%s", mask_patron(k->patron).s,
		 k->n_items, k->n_items == 1 ? "" : "s");
	return 0;
}

bool kiosk_receipt_due(const struct kiosk *k)
{
	if (!k->n_items)
		return false;
	return k->cfg->receipt_policy == RECEIPT_ALWAYS ||
	       (k->cfg->receipt_policy == RECEIPT_ASK && k->receipt_wanted);
}

bool kiosk_receipt_askable(const struct kiosk *k)
{
	struct printer_status st;
	const struct kiosk_output *out = k->env.out;

	/* No printer on the board: a question with one answer is not asked. */
	return k->cfg->receipt_policy == RECEIPT_ASK && out->printer_status &&
	       out->printer_status(k->env.out_data, &st) != -ENODEV;
}

int kiosk_receipt_print(struct kiosk *k)
{
	struct printer_status st = { .state = PRINTER_UNKNOWN };
	const struct kiosk_output *out = k->env.out;
	char why[64];
	int ret;

	if (!kiosk_receipt_due(k) || !out->printer_status || !out->print)
		return 0;
	ret = out->printer_status(k->env.out_data, &st);
	if (ret == -ENODEV)
		return 0; /* printer = none: receipts are not this board's to give */
	if (ret < 0) {
		snprintf(why, sizeof(why), "printer status: %s", strerror(-ret));
		return no_receipt(k, ret, why);
	}
	if (!printer_state_can_print(st.state)) {
		snprintf(why, sizeof(why), "printer %s", printer_state_name(st.state));
		return no_receipt(k, -EIO, why);
	}
	if (st.state == PRINTER_PAPER_NEAR_END)
		log_notice("printer: paper near its end");
	return print_session(k);
}
