/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What both kiosk flows share: dispatch of device events, sessions and
 * their inactivity timer, durable recording, and patron messages.
 */
#include "kiosk-private.h"
#include "store-security.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aim.h"
#include "ils-date.h"
#include "patron-id.h"
#include "utf8.h"
#include "util.h"

/* How long a receipt or a refusal stays up before the welcome returns. */
#define WELCOME_DELAY_MS 15000

const char *kiosk_language(const struct kiosk *k)
{
	return k->language[0] ? k->language : k->cfg->language;
}

void kiosk_text_add(const struct kiosk *k, struct kiosk_text *t, enum msg_id id,
		    const struct catalog_arg *args)
{
	/* Cut short (at a character), a text still says most of what it should. */
	(void)messages_append(k->env.messages, kiosk_language(k), id, args, t->s, sizeof(t->s));
}

/* A line break after what t holds, if anything. */
static size_t new_line(struct kiosk_text *t)
{
	size_t used = strlen(t->s);

	if (used && used + 1 < sizeof(t->s)) {
		t->s[used++] = '\n';
		t->s[used] = '\0';
	}
	return used;
}

void kiosk_text_line(const struct kiosk *k, struct kiosk_text *t, enum msg_id id,
		     const struct catalog_arg *args)
{
	new_line(t);
	kiosk_text_add(k, t, id, args);
}

void kiosk_text_words(struct kiosk_text *t, const char *words)
{
	size_t used, n;

	if (!words || !*words)
		return;
	used = new_line(t);
	n = utf8_cut_len(words, sizeof(t->s) - used);
	memcpy(t->s + used, words, n);
	t->s[used + n] = '\0';
}

enum msg_id kiosk_plural(const struct kiosk *k, unsigned long count, enum msg_id one,
			 enum msg_id other)
{
	return messages_plural(k->env.messages, kiosk_language(k), count, one, other);
}

void kiosk_show(struct kiosk *k, enum display_kind kind, const struct kiosk_text *t)
{
	k->env.out->display(k->env.out_data, kind, t->s);
	if (&k->screen_text != t)
		k->screen_text = *t;
	k->screen_kind = kind;
	k->screen_msg = MSG_COUNT;
	kiosk_screen_push(k);
}

void kiosk_say(struct kiosk *k, enum display_kind kind, enum msg_id id,
	       const struct catalog_arg *args)
{
	struct kiosk_text t = { "" };

	kiosk_text_add(k, &t, id, args);
	kiosk_show(k, kind, &t);
	/* Said again in another language when the patron picks one. */
	if (!args)
		k->screen_msg = id;
}

void kiosk_play(struct kiosk *k, enum feedback_kind kind)
{
	k->env.out->feedback(k->env.out_data, kind);
}

void kiosk_refuse_text(struct kiosk *k, const struct kiosk_text *t)
{
	kiosk_show(k, DISPLAY_ERROR, t);
	kiosk_play(k, FEEDBACK_ERROR);
	if (k->state == KIOSK_IDLE)
		kiosk_welcome_later(k);
}

void kiosk_refuse(struct kiosk *k, enum msg_id id, const struct catalog_arg *args)
{
	struct kiosk_text t = { "" };

	kiosk_text_add(k, &t, id, args);
	kiosk_refuse_text(k, &t);
}

void kiosk_refuse_ils(struct kiosk *k, const char *ils_words, enum msg_id id)
{
	struct kiosk_text t = { "" };

	if (ils_words && *ils_words)
		kiosk_text_words(&t, ils_words);
	else
		kiosk_text_add(k, &t, id, NULL);
	kiosk_refuse_text(k, &t);
}

void kiosk_welcome(struct kiosk *k)
{
	loop_timer_disarm(k->env.loop, &k->welcome_timer);
	if (!k->store) {
		kiosk_say(k, DISPLAY_ERROR, MSG_WELCOME_OUT_OF_SERVICE, NULL);
		return;
	}
	if (k->cfg->mode == KIOSK_RETURNS) {
		if (k->bin_full)
			kiosk_say(k, DISPLAY_ERROR, MSG_BIN_FULL, NULL);
		else
			kiosk_say(k, DISPLAY_INFO, MSG_WELCOME_RETURNS, NULL);
	} else {
		struct kiosk_text t = { "" };

		kiosk_text_add(k, &t, MSG_WELCOME_SELFCHECK, NULL);
		if (k->env.ils && !k->online)
			kiosk_text_line(k, &t, k->link_known ? MSG_WELCOME_OFFLINE :
							       MSG_WELCOME_CONNECTING,
					NULL);
		kiosk_show(k, DISPLAY_INFO, &t);
	}
}

static void on_welcome_timer(struct loop *loop, void *data)
{
	struct kiosk *k = data;

	(void)loop;
	if (k->state == KIOSK_IDLE) {
		/*
		 * The last patron's language lasts through their refusal or goodbye
		 * and ends here; the next patron starts in the kiosk's.
		 */
		if (!k->language_for_next)
			k->language[0] = '\0';
		kiosk_welcome(k);
	}
}

void kiosk_welcome_later(struct kiosk *k)
{
	loop_timer_arm(k->env.loop, &k->welcome_timer, WELCOME_DELAY_MS);
}

void kiosk_due_text(const struct kiosk *k, const char *ils_text, int64_t due_ms, char *out,
		    size_t size)
{
	const char *lang = kiosk_language(k);
	const char *format = messages_date_format(k->env.messages, lang, k->cfg->date_format);

	due_date_show(ils_text, due_ms, format, messages_date_names(k->env.messages, lang), out,
		      size);
}

int64_t kiosk_offline_due_ms(const struct kiosk *k)
{
	/* End of day, as ILSs set due dates: not the minute of the checkout. */
	return due_date_end_of_day(loop_wall_ms(k->env.loop) +
				   (int64_t)k->cfg->offline_loan_days * DAY_MS);
}

static void on_session_timeout(struct loop *loop, void *data)
{
	struct kiosk *k = data;

	(void)loop;
	log_info("session ended: %u s without activity", k->cfg->session_timeout_s);
	if (k->cfg->mode == KIOSK_RETURNS)
		returns_end(k);
	else
		selfcheck_end(k, "timeout");
}

bool kiosk_waiting(const struct kiosk *k)
{
	return k->state == KIOSK_CHECKING || k->state == KIOSK_ANSWERING;
}

/* Borrowing or returning, whether or not the ILS is answering for an item. */
static bool in_items(const struct kiosk *k)
{
	return k->state == KIOSK_ITEMS || k->state == KIOSK_ANSWERING;
}

void kiosk_enter(struct kiosk *k, enum kiosk_state next)
{
	bool was_waiting = kiosk_waiting(k);

	k->state = next;
	kiosk_rfid_state_changed(k);
	if (kiosk_waiting(k)) {
		loop_timer_disarm(k->env.loop, &k->session_timer);
		if (!was_waiting)
			loop_timer_arm(k->env.loop, &k->patron_wait_timer,
				       (uint64_t)k->cfg->sip2.patron_wait_s * 1000u);
		kiosk_screen_push(k);
		return;
	}
	if (was_waiting)
		loop_timer_disarm(k->env.loop, &k->patron_wait_timer);
	if (next == KIOSK_IDLE)
		loop_timer_disarm(k->env.loop, &k->session_timer);
	else if (was_waiting)
		session_touch(k);
	kiosk_screen_push(k);
}

void session_touch(struct kiosk *k)
{
	k->last_activity_ms = loop_mono_ms(k->env.loop);
	/* A patron waiting for the ILS is not idle: the clock starts again with its answer. */
	if (kiosk_waiting(k))
		loop_timer_disarm(k->env.loop, &k->session_timer);
	else
		loop_timer_arm(k->env.loop, &k->session_timer,
			       (uint64_t)k->cfg->session_timeout_s * 1000u);
}

void session_begin(struct kiosk *k, const char *patron)
{
	/*
	 * session_clear() keeps the language: a refused card or a goodbye is
	 * still said in it. A new session keeps it only if it was chosen on the
	 * screen before this card.
	 */
	session_clear(k);
	if (!k->language_for_next)
		k->language[0] = '\0';
	k->language_for_next = false;
	if (txn_id_new(k->session_id) < 0)
		snprintf(k->session_id, sizeof(k->session_id), "session-%llu",
			 (unsigned long long)loop_mono_ms(k->env.loop));
	snprintf(k->patron, sizeof(k->patron), "%s", patron);
	loop_timer_disarm(k->env.loop, &k->welcome_timer);
	session_touch(k);
}

void session_clear(struct kiosk *k)
{
	explicit_bzero(k->pin, sizeof(k->pin));
	memset(k->patron, 0, sizeof(k->patron));
	memset(k->charged, 0, sizeof(k->charged[0]) * k->n_charged);
	k->n_charged = 0;
	k->pin_tries = 0;
	k->end_requested = false;
	k->receipt_wanted = false;
	k->session_id[0] = 0;
	free(k->items);
	k->items = NULL;
	k->n_items = k->items_cap = 0;
	k->n_returned = 0;
	kiosk_enter(k, KIOSK_IDLE);
}

bool session_has_item(const struct kiosk *k, const char *item)
{
	unsigned i;

	for (i = 0; i < k->n_items; i++)
		if (strcmp(k->items[i].item, item) == 0)
			return true;
	return false;
}

int session_add_item(struct kiosk *k, const char *item, const char *title, const char *due)
{
	if (k->n_items == k->items_cap) {
		unsigned cap = k->items_cap ? k->items_cap * 2 : 8;
		struct session_item *items = realloc(k->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		k->items = items;
		k->items_cap = cap;
	}
	snprintf(k->items[k->n_items].item, sizeof(k->items[0].item), "%s", item);
	snprintf(k->items[k->n_items].title, sizeof(k->items[0].title), "%s", title ? title : "");
	snprintf(k->items[k->n_items].due, sizeof(k->items[0].due), "%s", due ? due : "");
	k->n_items++;
	return 0;
}

bool kiosk_store_usable(struct kiosk *k)
{
	if (k->store)
		return true;
	kiosk_refuse(k, MSG_STORE_OUT_OF_SERVICE, NULL);
	return false;
}

void kiosk_store_failed(struct kiosk *k, int err, const char *what)
{
	const char *why = k->store ? store_strerror(k->store) : "";

	k->store_err = err;
	k->store_failures++;
	snprintf(k->last_error, sizeof(k->last_error), "store: %s: %s%s%s", what, strerror(-err),
		 why && *why ? ": " : "", why ? why : "");
	log_err("%s", k->last_error);
	kiosk_refuse(k, MSG_STORE_NOT_RECORDED, NULL);
}

void kiosk_queued(struct kiosk *k)
{
	if (k->env.out->queued)
		k->env.out->queued(k->env.out_data);
}

/*
 * Privacy: with no retention, who borrowed what leaves the store as soon as
 * the ILS has it and the receipt is done.
 */
void kiosk_receipt_done(struct kiosk *k)
{
	unsigned purged = 0;

	if (k->store && k->cfg->retention_hours == 0 &&
	    store_purge(k->store, loop_wall_ms(k->env.loop), &purged) < 0)
		log_warning("store: cannot purge confirmed loans: %s", store_strerror(k->store));
}

bool kiosk_online(const struct kiosk *k)
{
	return k->env.ils && k->online;
}

/* The transaction of a scan, about to be recorded; -errno (the patron told) without an id. */
static int txn_fill(struct kiosk *k, enum txn_kind kind, const char *patron, const char *item,
		    int64_t due_ms, enum txn_mode mode, struct txn *txn)
{
	int r;

	memset(txn, 0, sizeof(*txn));
	r = txn_id_new(txn->id);
	if (r < 0) {
		kiosk_store_failed(k, r, "no transaction id");
		return r;
	}
	txn->kind = kind;
	if (k->scan_symbology != SYM_UNKNOWN)
		snprintf(txn->symbology, sizeof(txn->symbology), "%s",
			 symbology_name(k->scan_symbology));
	snprintf(txn->patron, sizeof(txn->patron), "%s", patron);
	snprintf(txn->item, sizeof(txn->item), "%s", item);
	snprintf(txn->session_id, sizeof(txn->session_id), "%s", k->session_id);
	txn->mono_ms = loop_mono_ms(k->env.loop);
	if (k->env.out->wall_clock) {
		bool trusted = true;

		/* A board without an RTC may have booted with a wrong clock. */
		txn->wall_ms = k->env.out->wall_clock(k->env.out_data, &trusted);
		txn->wall_untrusted = !trusted;
	} else {
		txn->wall_ms = loop_wall_ms(k->env.loop);
	}
	snprintf(txn->boot_id, sizeof(txn->boot_id), "%s", k->env.boot_id);
	txn->mode = mode;
	txn->state = TXN_PENDING;
	txn->due_ms = due_ms;
	if (mode == TXN_ONLINE) {
		/*
		 * About to be sent: recorded as forwarded in the same commit, so it
		 * is durably "maybe applied" before the request goes out.
		 */
		txn->state = TXN_FORWARDED;
		txn->attempts = 1;
		txn->sent_wall_ms = txn->wall_ms;
	}
	return 0;
}

/* After a commit of n transactions: counted, logged, and the store known to work. */
static void count_recorded(struct kiosk *k, const struct txn *txns, unsigned n)
{
	if (k->store_err) {
		log_notice("store: recording works again");
		k->store_err = 0;
	}
	k->record_commits++;
	for (unsigned i = 0; i < n; i++) {
		const struct txn *txn = &txns[i];

		k->recorded++;
		k->recorded_by[txn->kind][txn->mode]++;
		log_txn(LOG_LEVEL_INFO, txn->id, "recorded %s %s item %s patron %s (%s, seq %lld)",
			txn_kind_name(txn->kind), txn->id, txn->item,
			*txn->patron ? mask_patron(txn->patron).s : "-", txn_mode_name(txn->mode),
			(long long)txn->seq);
	}
}

int kiosk_record_txn(struct kiosk *k, enum txn_kind kind, const char *patron, const char *item,
		     int64_t due_ms, enum txn_mode mode, struct txn *txn)
{
	int r = txn_fill(k, kind, patron, item, due_ms, mode, txn);

	if (r < 0)
		return r;
	r = store_record_tagged(k->store, txn, k->scan_tags);
	if (r < 0) {
		kiosk_store_failed(k, r, "cannot record");
		return r;
	}
	count_recorded(k, txn, 1);
	return 0;
}

_Static_assert(KIOSK_STACK_MAX <= STORE_BATCH_MAX, "a stack is one store batch");

int kiosk_record_stack(struct kiosk *k, enum txn_kind kind, const char *patron, int64_t due_ms,
		       const struct kiosk_stack *stack)
{
	struct store_tagged_txn batch[KIOSK_STACK_MAX];
	struct txn *txns;
	unsigned n = 0;
	int r = 0;

	/* A struct txn is large: a whole stack of them stays off the loop's stack. */
	txns = calloc(KIOSK_STACK_MAX, sizeof(*txns));
	if (!txns) {
		kiosk_store_failed(k, -ENOMEM, "cannot record");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < stack->n && r >= 0; i++) {
		if (!stack->items[i].take)
			continue;
		r = txn_fill(k, kind, patron, stack->items[i].item, due_ms, TXN_OFFLINE, &txns[n]);
		batch[n].txn = &txns[n];
		batch[n].tags = stack->items[i].tags;
		n++;
	}
	if (r >= 0 && n) {
		r = store_record_batch(k->store, batch, n);
		if (r < 0)
			kiosk_store_failed(k, r, "cannot record");
		else
			count_recorded(k, txns, n);
	}
	free(txns);
	if (r >= 0 && n)
		kiosk_queued(k);
	return r;
}

int kiosk_record(struct kiosk *k, enum txn_kind kind, const char *patron, const char *item,
		 int64_t due_ms)
{
	struct txn txn;
	int r = kiosk_record_txn(k, kind, patron, item, due_ms, TXN_OFFLINE, &txn);

	if (r >= 0)
		kiosk_queued(k);
	return r;
}

/* As the scanner said, or as the AIM id a wedge scanner typed before the data says. */
static enum symbology symbology_of(const struct scan *scan)
{
	struct aim_id aim;

	if (scan->symbology != SYM_UNKNOWN)
		return scan->symbology;
	return aim_parse(scan->text, scan->len, &aim) > 0 ? aim.symbology : SYM_UNKNOWN;
}

/* What the device that read a scan is for: its board role decides what a symbol can be. */
static enum barcode_reader reader_of(const struct scan *scan)
{
	if (scan->for_items == scan->for_patrons)
		return BARCODE_READER_ANY;
	return scan->for_items ? BARCODE_READER_ITEMS : BARCODE_READER_CARDS;
}

void kiosk_scan(struct kiosk *k, const struct scan *scan)
{
	char symbol[SCAN_TEXT_MAX + 1];
	enum barcode_class cls;

	cls = barcode_classify_from(&k->cfg->barcodes, reader_of(scan), scan->text, scan->len,
				    scan->symbology, symbol, sizeof(symbol));
	/* One patron-facing request at a time; nothing is queued behind their back. */
	if (kiosk_waiting(k)) {
		if (cls == BARCODE_DONE && k->state != KIOSK_IDLE)
			k->end_requested = true;
		kiosk_play(k, FEEDBACK_NOTICE);
		kiosk_say(k, DISPLAY_NOTICE, MSG_SCAN_WAIT, NULL);
		return;
	}
	log_debug("scan from %s (%s%s%s): %s", scan->device ? scan->device : "?",
		  board_role_name(scan->role), scan->aim[0] ? ", " : "", scan->aim,
		  barcode_class_name(cls));
	switch (cls) {
	case BARCODE_BAD_CHECK_DIGIT:
		if (k->state != KIOSK_IDLE)
			session_touch(k);
		kiosk_refuse(k, MSG_SCAN_BAD_READ, NULL);
		return;
	case BARCODE_UNKNOWN:
		if (k->state != KIOSK_IDLE)
			session_touch(k);
		kiosk_refuse(k, scan->for_patrons && !scan->for_items ? MSG_SCAN_UNKNOWN_CARD :
									 MSG_SCAN_UNKNOWN_BARCODE,
			     NULL);
		return;
	case BARCODE_CARD_AT_ITEM_SCANNER:
		if (k->state != KIOSK_IDLE)
			session_touch(k);
		kiosk_refuse(k, k->cfg->mode == KIOSK_RETURNS ? MSG_SCAN_NO_CARD_NEEDED :
								 MSG_SCAN_CARD_AT_ITEM_SCANNER,
			     NULL);
		return;
	case BARCODE_ITEM_AT_CARD_READER:
		if (k->state != KIOSK_IDLE)
			session_touch(k);
		kiosk_refuse(k, MSG_SCAN_ITEM_AT_CARD_READER, NULL);
		return;
	default:
		break;
	}
	/* Whatever this scan records, synchronously, carries its symbology. */
	k->scan_symbology = symbology_of(scan);
	if (k->cfg->mode == KIOSK_RETURNS)
		returns_scan(k, cls, symbol);
	else
		selfcheck_scan(k, cls, symbol);
	k->scan_symbology = SYM_UNKNOWN;
}

void kiosk_pin(struct kiosk *k, const char *pin)
{
	if (kiosk_waiting(k))
		return;
	if (k->cfg->mode == KIOSK_SELFCHECK && k->state == KIOSK_PIN)
		selfcheck_pin(k, pin);
}

void kiosk_input(struct kiosk *k, enum board_role role, bool active)
{
	switch (role) {
	case ROLE_BIN_FULL:
		if (k->bin_full == active)
			return;
		k->bin_full = active;
		log_notice("return bin %s", active ? "full: intake stopped" : "emptied: intake resumed");
		if (k->cfg->mode == KIOSK_RETURNS && k->state == KIOSK_IDLE)
			kiosk_welcome(k);
		else if (k->cfg->mode == KIOSK_RETURNS && active)
			kiosk_say(k, DISPLAY_ERROR, MSG_BIN_FULL, NULL);
		else
			kiosk_screen_push(k);
		break;
	case ROLE_DOOR_CLOSED:
		if (k->door_closed != active)
			log_notice("bin door %s", active ? "closed" : "opened");
		k->door_closed = active;
		break;
	case ROLE_DONE_BUTTON:
		if (active)
			kiosk_done(k);
		break;
	case ROLE_STAFF_BUTTON:
		if (active)
			log_notice("staff button pressed");
		break;
	default:
		break;
	}
}

void kiosk_done(struct kiosk *k)
{
	/* Ending now would leave out the item the ILS is answering for. */
	if (kiosk_waiting(k)) {
		k->end_requested = true;
		kiosk_say(k, DISPLAY_NOTICE, MSG_SCAN_WAIT, NULL);
		return;
	}
	if (k->cfg->mode == KIOSK_SELFCHECK && k->state != KIOSK_IDLE)
		selfcheck_end(k, "done button");
	else if (k->cfg->mode == KIOSK_RETURNS && k->state != KIOSK_IDLE)
		returns_end(k);
}

int kiosk_choose_language(struct kiosk *k, const char *language)
{
	if (!messages_have(k->env.messages, language))
		return -ENOENT;
	snprintf(k->language, sizeof(k->language), "%s", language);
	k->language_for_next = k->state == KIOSK_IDLE;
	if (k->state != KIOSK_IDLE && !kiosk_waiting(k))
		session_touch(k);
	if (k->state == KIOSK_IDLE && k->screen_kind != DISPLAY_ERROR)
		kiosk_welcome(k);
	else if (k->screen_msg != MSG_COUNT)
		kiosk_say(k, k->screen_kind, k->screen_msg, NULL);
	else
		kiosk_screen_push(k);
	return 0;
}

void kiosk_help(struct kiosk *k)
{
	log_notice("help asked for on the screen");
	if (k->state != KIOSK_IDLE && !kiosk_waiting(k))
		session_touch(k);
	kiosk_say(k, DISPLAY_INFO, MSG_SCREEN_HELP_TEXT, NULL);
}

void kiosk_choose_receipt(struct kiosk *k, bool wanted)
{
	if (k->cfg->mode != KIOSK_SELFCHECK || k->state == KIOSK_IDLE ||
	    k->cfg->receipt_policy != RECEIPT_ASK)
		return;
	k->receipt_wanted = wanted;
	if (!kiosk_waiting(k))
		session_touch(k);
	kiosk_screen_push(k);
}

void kiosk_set_store(struct kiosk *k, struct store *store, int err)
{
	k->store = store;
	k->store_err = store ? 0 : err;
	if (!store)
		snprintf(k->last_error, sizeof(k->last_error), "store: cannot open: %s",
			 strerror(-err));
	if (k->state == KIOSK_IDLE)
		kiosk_welcome(k);
	else
		kiosk_screen_push(k);
}

void kiosk_set_online(struct kiosk *k, bool online)
{
	if (k->link_known && k->online == online)
		return;
	k->link_known = true;
	k->online = online;
	if (k->state == KIOSK_IDLE)
		kiosk_welcome(k);
	else if (!online && in_items(k) && k->cfg->mode == KIOSK_SELFCHECK)
		kiosk_say(k, DISPLAY_NOTICE, MSG_LINK_WENT_OFFLINE, NULL);
	else
		kiosk_screen_push(k);
}

void kiosk_reload(struct kiosk *k, const struct config *cfg)
{
	k->cfg = cfg;
	if (k->state != KIOSK_IDLE)
		session_touch(k);
}

int kiosk_new(const struct kiosk_env *env, struct kiosk **ret)
{
	struct kiosk *k;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->env = *env;
	k->cfg = env->cfg;
	k->store = env->store;
	k->door_closed = true;
	k->screen_msg = MSG_COUNT;
	loop_timer_init(&k->session_timer, on_session_timeout, k);
	loop_timer_init(&k->welcome_timer, on_welcome_timer, k);
	loop_timer_init(&k->patron_wait_timer, online_patron_wait_expired, k);
	kiosk_welcome(k);
	*ret = k;
	return 0;
}

void kiosk_free(struct kiosk *k)
{
	if (!k)
		return;
	session_clear(k);
	loop_timer_disarm(k->env.loop, &k->welcome_timer);
	loop_timer_disarm(k->env.loop, &k->patron_wait_timer);
	kiosk_rfid_free(k);
	free(k);
}

void kiosk_get_status(const struct kiosk *k, struct kiosk_status *st)
{
	static const char *const state_names[] = {
		[KIOSK_IDLE] = "idle", [KIOSK_PIN] = "pin", [KIOSK_ITEMS] = "items",
		[KIOSK_CHECKING] = "checking", [KIOSK_ANSWERING] = "items",
	};

	memset(st, 0, sizeof(*st));
	st->mode = k->cfg->mode;
	st->online = kiosk_online(k);
	st->store_ok = k->store && !k->store_err;
	st->bin_full = k->bin_full;
	st->door_closed = k->door_closed;
	snprintf(st->last_error, sizeof(st->last_error), "%s", k->last_error);
	st->recorded = k->recorded;
	st->record_commits = k->record_commits;
	memcpy(st->recorded_by, k->recorded_by, sizeof(st->recorded_by));
	st->store_failures = k->store_failures;
	st->in_session = k->state != KIOSK_IDLE;
	st->session_state = k->cfg->mode == KIOSK_RETURNS && in_items(k) ?
				    "returns" : state_names[k->state];
	st->patron = mask_patron(k->patron);
	st->session_items = k->cfg->mode == KIOSK_RETURNS ? k->n_returned : k->n_items;
	st->session_idle_ms = st->in_session ? loop_mono_ms(k->env.loop) - k->last_activity_ms : 0;
	st->receipts_printed = k->receipts_printed;
	snprintf(st->receipt_failure, sizeof(st->receipt_failure), "%s", k->receipt_failure);
}
