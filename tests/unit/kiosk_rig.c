/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kiosk_rig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testlib.h"

static void cap_display(void *data, enum display_kind kind, const char *text)
{
	struct kiosk_capture *cap = data;

	cap->kind = kind;
	snprintf(cap->text, sizeof(cap->text), "%s", text);
	cap->displays++;
}

static void cap_feedback(void *data, enum feedback_kind kind)
{
	struct kiosk_capture *cap = data;

	cap->played[kind]++;
	if (kind == FEEDBACK_OK && cap->store)
		store_count_all(cap->store, &cap->in_store_at_ok);
}

static void cap_sort(void *data, const char *bin)
{
	struct kiosk_capture *cap = data;

	snprintf(cap->sort_bin, sizeof(cap->sort_bin), "%s", bin);
}

static int cap_printer_status(void *data, struct printer_status *ret)
{
	struct kiosk_capture *cap = data;

	if (cap->no_printer)
		return -ENODEV;
	ret->state = cap->printer_state;
	return 0;
}

static int cap_print(void *data, const uint8_t *bytes, size_t len)
{
	struct kiosk_capture *cap = data;

	if (cap->no_printer)
		return -ENODEV;
	if (len > sizeof(cap->printed))
		return -EMSGSIZE;
	memcpy(cap->printed, bytes, len);
	cap->printed_len = len;
	cap->prints++;
	return 0;
}

static void cap_printer_attention(void *data)
{
	struct kiosk_capture *cap = data;

	cap->attentions++;
}

static const struct kiosk_output cap_output = {
	.display = cap_display, .feedback = cap_feedback, .sort = cap_sort,
	.printer_status = cap_printer_status, .print = cap_print,
	.printer_attention = cap_printer_attention,
};

static void on_link(void *data, bool up, const char *why)
{
	struct kiosk_rig *rig = data;

	(void)why;
	if (rig->kiosk)
		kiosk_set_online(rig->kiosk, up);
}

static const struct ils_events link_events = { .link = on_link };

void kiosk_rig_start(struct kiosk_rig *rig, enum kiosk_mode mode, bool with_ils)
{
	struct kiosk_env env;

	memset(rig, 0, sizeof(*rig));
	tmp_new(&rig->tmp, "kiosk");
	config_default(&rig->cfg);
	rig->cfg.mode = mode;
	rig->cfg.barcodes.n_done = 1;
	snprintf(rig->cfg.barcodes.done[0], sizeof(rig->cfg.barcodes.done[0]), "DONE");
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &rig->loop), 0);
	CHECK_INT(store_open(rig->tmp.db, &rig->store), 0);
	CHECK_INT(messages_load("ui/messages", &rig->messages, NULL), 0);
	rig->cap.store = rig->store;
	if (with_ils)
		CHECK_INT(fake_ils_new(rig->loop, &link_events, rig, &rig->fake), 0);
	env = (struct kiosk_env){ .loop = rig->loop, .cfg = &rig->cfg, .store = rig->store,
				  .boot_id = "boot-1", .out = &cap_output, .out_data = &rig->cap,
				  .messages = rig->messages };
	if (rig->fake)
		env.ils = fake_ils_ils(rig->fake);
	CHECK_INT(kiosk_new(&env, &rig->kiosk), 0);
	if (rig->fake)
		fake_ils_set_up(rig->fake, true);
}

void kiosk_rig_stop(struct kiosk_rig *rig)
{
	kiosk_free(rig->kiosk);
	if (rig->fake)
		ils_free(fake_ils_ils(rig->fake));
	store_close(rig->store);
	messages_free(rig->messages);
	loop_free(rig->loop);
	CHECK_INT(tmp_remove(&rig->tmp), 0);
}

void kiosk_rig_scan(struct kiosk_rig *rig, const char *text)
{
	struct scan s = { .symbology = SYM_UNKNOWN, .role = ROLE_ITEM_SCANNER };

	snprintf(s.text, sizeof(s.text), "%s", text);
	s.len = strlen(s.text);
	memset(rig->cap.played, 0, sizeof(rig->cap.played));
	kiosk_scan(rig->kiosk, &s);
}

void kiosk_rig_expect(struct kiosk_rig *rig, enum display_kind kind, const char *needle)
{
	CHECK_INT(rig->cap.kind, kind);
	if (needle && !strstr(rig->cap.text, needle)) {
		fprintf(stderr, "display \"%s\" lacks \"%s\"\n", rig->cap.text, needle);
		CHECK(0);
	}
}

struct txns_found {
	const char *item;
	struct txn txn;
	int n;
};

static int count_txn_of_item(void *data, const struct txn *txn)
{
	struct txns_found *f = data;

	if (strcmp(txn->item, f->item) == 0) {
		f->txn = *txn;
		f->n++;
	}
	return 0;
}

int kiosk_rig_txns_of(struct kiosk_rig *rig, const char *item, struct txn *last)
{
	struct txns_found f = { .item = item };

	for (int state = TXN_PENDING; state <= TXN_FAILED; state++)
		CHECK_INT(store_list(rig->store, (enum txn_state)state, 0, count_txn_of_item, &f),
			  0);
	if (last)
		*last = f.txn;
	return f.n;
}
