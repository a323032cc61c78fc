/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFID at the kiosk (kiosk-rfid.h): the tags on the pad become items for
 * the flows in selfcheck.c and returns.c, one item at a time, as if
 * scanned; a set is handed on only when all its parts are on the pad; a
 * transaction recorded for an item owes each of its tags a security write
 * (in the same commit, store-security.h), done after the loan (security
 * off) or before the return is acknowledged (security on), and read back.
 *
 *   tag arrives -> owed write from before? -> finish it
 *               -> decode -> patron card: sign in
 *                         -> item: owner? set complete? -> queued
 *   pump: queued items -> flow (recorded, tags owed) -> confirmed
 *         -> per tag: write AFI -> set EAS -> read back -> done
 *
 * Offline, the items queued together (a stack, one inventory round's) go to
 * the flow together and are recorded in one durable commit: one wait for
 * the disk instead of one per item, which is most of a stack's time on an
 * SD card. Online the ILS answers for one item at a time; at a self-check
 * kiosk the pad writes the tags of the items it answered for meanwhile.
 *
 * One write and one flow at a time: the pump runs from a zero timer
 * whenever something may let it move (a tag, an answer, a write done).
 */
#include "kiosk-rfid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kiosk-private.h"
#include "store-security.h"
#include "tag-format.h"

#define PAD_TAGS_MAX RFID_FIELD_MAX

enum pad_state {
	PAD_WAITING_PARTS, /* a part of a set whose other parts are not all here */
	PAD_QUEUED,        /* to be handed to the flow */
	PAD_IN_FLOW,       /* its item is being transacted */
	PAD_SECURING,      /* its security write is owed and in hand (or next) */
	PAD_DONE,          /* handled: nothing more while it stays */
	PAD_REFUSED,       /* refused (patron told): nothing more while it stays */
};

struct pad_tag {
	bool used;
	struct rfid_reader *reader;
	uint8_t uid[RFID_UID_LEN];
	char uid_hex[RFID_UID_HEX_LEN + 1];
	struct tag_data data;
	enum pad_state state;
	/*
	 * It left while its transaction or write was in hand, which keeps it:
	 * the slot is freed when that is over, so that it is a new arrival when
	 * it comes back.
	 */
	bool gone;
	/*
	 * PAD_SECURING: the write owed (from this session's transaction, or from
	 * before), once owed_known: a stack's debts are read from the store
	 * while the pad works on its first write, not before it.
	 */
	struct store_security owed;
	bool owed_known;
	bool confirmed; /* PAD_IN_FLOW: the flow told the patron its item went through */
	/* A return whose acknowledgement (flap, OK) waits for its tags' security. */
	bool ack_pending;
	enum confirm_how ack_how;
};

enum write_step {
	STEP_AFI,
	STEP_EAS,
	STEP_VERIFY,
};

struct kiosk_pad {
	struct pad_tag tags[PAD_TAGS_MAX];
	struct loop_timer pump_timer;
	struct rfid_reader *readers[BOARD_RFIDS_MAX];
	bool active[BOARD_RFIDS_MAX];
	unsigned n_readers;
	/*
	 * The items handed to the flow (their tags PAD_IN_FLOW), and the tags
	 * each one's transaction owes a write.
	 */
	bool in_flow;
	struct kiosk_stack stack;
	struct store_tags owes[KIOSK_STACK_MAX];
	/* The write in hand: pad tag index and step. */
	int writing;
	enum write_step step;
	/* Writes verified, noted in the store together once none is in hand (notes_flush()). */
	struct store_security_done done[PAD_TAGS_MAX];
	unsigned n_done;
	/* The ILS's answer to a return waiting for its tags (online: one item at a time). */
	bool ack_has_outcome;
	char ack_item[TAG_ITEM_ID_MAX + 1];
	struct ils_circ ack_outcome;
	char last_set_notice[TAG_ITEM_ID_MAX + 16];
};

static void pump_later(struct kiosk *k)
{
	if (k->pad)
		loop_timer_arm(k->env.loop, &k->pad->pump_timer, 0);
}

static struct pad_tag *find_tag(struct kiosk_pad *pad, const uint8_t uid[RFID_UID_LEN])
{
	for (unsigned i = 0; i < PAD_TAGS_MAX; i++)
		if (pad->tags[i].used && memcmp(pad->tags[i].uid, uid, RFID_UID_LEN) == 0)
			return &pad->tags[i];
	return NULL;
}

/* Its transaction or write is over: a tag that left meanwhile is forgotten now. */
static void release_if_gone(struct pad_tag *t)
{
	if (t->gone)
		t->used = false;
}

static const char *item_name(const struct pad_tag *t)
{
	return t->data.title[0] ? t->data.title : t->data.item_id;
}

/* --- security writes ---------------------------------------------------- */

static void write_next_step(struct kiosk *k);

/*
 * The writes verified since the pad last had none in hand, into the store
 * in one commit: a stack's ten cost the journal one. Until then a crash
 * only has a done tag written again when it is seen, or listed for staff.
 */
static void notes_flush(struct kiosk *k)
{
	struct kiosk_pad *pad = k->pad;

	if (!pad->n_done)
		return;
	if (store_security_done(k->store, pad->done, pad->n_done, loop_wall_ms(k->env.loop)) < 0)
		log_warning("store: cannot record %u security write%s done: %s", pad->n_done,
			    pad->n_done == 1 ? "" : "s", store_strerror(k->store));
	pad->n_done = 0;
}

static void note_done(struct kiosk *k, const struct pad_tag *t)
{
	struct kiosk_pad *pad = k->pad;
	struct store_security_done *d;

	if (pad->n_done == PAD_TAGS_MAX)
		notes_flush(k);
	d = &pad->done[pad->n_done++];
	snprintf(d->txn_id, sizeof(d->txn_id), "%s", t->owed.txn_id);
	snprintf(d->uid, sizeof(d->uid), "%s", t->uid_hex);
}

/* t's debt from the store; false when it owes nothing after all (it is done then). */
static bool owed_load(struct kiosk *k, struct pad_tag *t)
{
	if (t->owed_known)
		return true;
	notes_flush(k); /* a tag back on the pad may be one noted */
	if (store_security_owed(k->store, t->uid_hex, &t->owed) < 0) {
		/* recorded without a debt: nothing to write */
		t->state = PAD_DONE;
		release_if_gone(t);
		return false;
	}
	t->owed_known = true;
	return true;
}

/* Every debt in hand known: what tells a transaction's tags apart needs them all. */
static void owed_load_all(struct kiosk *k)
{
	for (unsigned i = 0; i < PAD_TAGS_MAX; i++)
		if (k->pad->tags[i].used && k->pad->tags[i].state == PAD_SECURING)
			owed_load(k, &k->pad->tags[i]);
}

/* A write of txn_id's failed: its return is not acknowledged when the other tags are done. */
static void drop_ack(struct kiosk_pad *pad, const char *txn_id)
{
	for (unsigned i = 0; i < PAD_TAGS_MAX; i++)
		if (pad->tags[i].used && strcmp(pad->tags[i].owed.txn_id, txn_id) == 0)
			pad->tags[i].ack_pending = false;
	pad->ack_has_outcome = false;
}

/* The ILS's answer to the return of item, once. */
static const struct ils_circ *ack_outcome_of(struct kiosk_pad *pad, const char *item)
{
	if (!pad->ack_has_outcome || strcmp(pad->ack_item, item) != 0)
		return NULL;
	pad->ack_has_outcome = false;
	return &pad->ack_outcome;
}

static void write_failed(struct kiosk *k, struct pad_tag *t, const char *why)
{
	struct kiosk_pad *pad = k->pad;

	owed_load_all(k);

	log_warning("rfid: security %s of tag %s (item %s) not done: %s",
		    tag_security_name(t->owed.want), t->uid_hex, t->owed.item, why);
	if (store_security_failed(k->store, t->owed.txn_id, t->uid_hex, why,
				  loop_wall_ms(k->env.loop)) < 0)
		log_warning("store: cannot count the failed security write: %s",
			    store_strerror(k->store));
	pad->writing = -1;
	notes_flush(k);
	/* Owed still: tried again when the tag comes back (it may have just left). */
	t->state = PAD_DONE;
	if (t->ack_pending) {
		drop_ack(pad, t->owed.txn_id);
		kiosk_refuse(k, MSG_RFID_RETURN_NOT_SECURED, MSG_ARGS({ "item", t->owed.item }));
	} else {
		kiosk_refuse(k, t->owed.want == TAG_SECURITY_ON ? MSG_RFID_NOT_SECURED_ON :
								  MSG_RFID_NOT_SECURED_OFF,
			     MSG_ARGS({ "item", t->owed.item }));
	}
	release_if_gone(t);
	pump_later(k);
}

static bool more_writes_of(const struct kiosk_pad *pad, const char *txn_id)
{
	for (unsigned i = 0; i < PAD_TAGS_MAX; i++)
		if (pad->tags[i].used && pad->tags[i].state == PAD_SECURING &&
		    strcmp(pad->tags[i].owed.txn_id, txn_id) == 0)
			return true;
	return false;
}

static bool start_a_write(struct kiosk *k);

static void write_done(struct kiosk *k, struct pad_tag *t)
{
	struct kiosk_pad *pad = k->pad;

	owed_load_all(k);
	pad->writing = -1;
	t->state = PAD_DONE;
	if (!more_writes_of(pad, t->owed.txn_id)) {
		if (t->ack_pending) {
			t->ack_pending = false;
			returns_acknowledge(k, t->owed.item, ack_outcome_of(pad, t->owed.item),
					    t->ack_how);
		} else if (t->owed.want == TAG_SECURITY_ON && k->cfg->mode == KIOSK_RETURNS) {
			/* A return recorded earlier (its write failed, or circd stopped): in it goes now. */
			returns_acknowledge(k, t->owed.item, NULL, CONFIRM_ONLINE);
		}
	}
	/* The next tag's write goes out first: the pad works on it while this one is noted. */
	start_a_write(k);
	note_done(k, t);
	if (pad->writing < 0)
		notes_flush(k);
	log_info("rfid: tag %s of item %s: security %s, verified", t->uid_hex, t->owed.item,
		 tag_security_name(t->owed.want));
	release_if_gone(t);
	pump_later(k);
}

static void on_write(void *data, const struct rfid_reply *reply)
{
	struct kiosk *k = data;
	struct kiosk_pad *pad = k->pad;
	struct pad_tag *t = pad->writing >= 0 ? &pad->tags[pad->writing] : NULL;
	const struct rfid_config *rc = &k->cfg->rfid;
	unsigned want_afi;

	if (!t || memcmp(t->uid, reply->uid, RFID_UID_LEN) != 0)
		return;
	if (reply->result < 0) {
		write_failed(k, t, reply->result == -ENODEV ? "the tag moved away" :
				   strerror(-reply->result));
		return;
	}
	if (pad->step != STEP_VERIFY) {
		pad->step = pad->step == STEP_AFI && rc->eas ? STEP_EAS : STEP_VERIFY;
		write_next_step(k);
		return;
	}
	want_afi = t->owed.want == TAG_SECURITY_OFF ? rc->afi_checked_out : rc->afi_on_shelf;
	if (!reply->has_afi || reply->afi != want_afi) {
		write_failed(k, t, "the AFI read back is not the one written");
		return;
	}
	if (rc->eas && reply->eas != RFID_EAS_UNKNOWN &&
	    (reply->eas == RFID_EAS_ON) != (t->owed.want == TAG_SECURITY_ON)) {
		write_failed(k, t, "the EAS read back is not the one written");
		return;
	}
	write_done(k, t);
}

static void write_next_step(struct kiosk *k)
{
	struct kiosk_pad *pad = k->pad;
	struct pad_tag *t = &pad->tags[pad->writing];
	const struct rfid_config *rc = &k->cfg->rfid;
	bool on = t->owed.want == TAG_SECURITY_ON;
	int r;

	switch (pad->step) {
	case STEP_AFI:
		r = rfid_write_afi(t->reader, t->uid,
				   (uint8_t)(on ? rc->afi_on_shelf : rc->afi_checked_out), on_write,
				   k);
		break;
	case STEP_EAS:
		r = rfid_set_eas(t->reader, t->uid, on, on_write, k);
		break;
	default:
		r = rfid_read_state(t->reader, t->uid, on_write, k);
		break;
	}
	if (r == -EOPNOTSUPP && pad->step == STEP_EAS) {
		/* A reader without EAS commands (3M 810): the AFI alone secures the tag. */
		pad->step = STEP_VERIFY;
		write_next_step(k);
		return;
	}
	if (r == -EBUSY) {
		/* The reader is between rounds: the pump starts the write again. */
		pad->writing = -1;
		loop_timer_arm(k->env.loop, &pad->pump_timer, 20);
		return;
	}
	if (r < 0)
		write_failed(k, t, strerror(-r));
}

static bool start_a_write(struct kiosk *k)
{
	struct kiosk_pad *pad = k->pad;

	if (pad->writing >= 0)
		return true;
	for (unsigned i = 0; i < PAD_TAGS_MAX; i++) {
		if (!pad->tags[i].used || pad->tags[i].state != PAD_SECURING ||
		    !owed_load(k, &pad->tags[i]))
			continue;
		pad->writing = (int)i;
		pad->step = STEP_AFI;
		write_next_step(k);
		owed_load_all(k); /* while the pad works on this write */
		return true;
	}
	return false;
}

/* --- items to the flow -------------------------------------------------- */

static bool owner_ok(const struct kiosk *k, const struct tag_data *d)
{
	const char *list = k->cfg->rfid.owner_isil;
	size_t n = strlen(d->owner_isil);
	const char *p;

	if (!list[0] || k->cfg->rfid.allow_other_owners || !n)
		return true;
	for (p = list; (p = strcasestr(p, d->owner_isil)); p += n) {
		bool starts = p == list || p[-1] == ' ' || p[-1] == ',';
		bool ends = !p[n] || p[n] == ' ' || p[n] == ',';

		if (starts && ends)
			return true;
	}
	return false;
}

/* A set's parts on the pad: how many distinct parts of item id are here. */
static unsigned parts_here(const struct kiosk_pad *pad, const char *item, unsigned size)
{
	bool seen[256] = { false };
	unsigned n = 0;

	for (unsigned i = 0; i < PAD_TAGS_MAX; i++) {
		const struct pad_tag *t = &pad->tags[i];

		if (!t->used || strcmp(t->data.item_id, item) != 0 || !t->data.has_set ||
		    t->data.set_size != size || seen[t->data.set_part])
			continue;
		seen[t->data.set_part] = true;
		n++;
	}
	return n;
}

/* Moves item's tags from waiting to queued once all its parts are here; tells the patron otherwise. */
static void check_set(struct kiosk *k, struct pad_tag *t)
{
	struct kiosk_pad *pad = k->pad;
	unsigned size = t->data.has_set ? t->data.set_size : 1, here;

	if (size <= 1) {
		t->state = PAD_QUEUED;
		return;
	}
	here = parts_here(pad, t->data.item_id, size);
	if (here < size) {
		char n_size[16], n_here[16], n_missing[16];

		t->state = PAD_WAITING_PARTS;
		snprintf(n_size, sizeof(n_size), "%u", size);
		snprintf(n_here, sizeof(n_here), "%u", here);
		snprintf(n_missing, sizeof(n_missing), "%u", size - here);
		kiosk_play(k, FEEDBACK_NOTICE);
		kiosk_say(k, DISPLAY_NOTICE,
			  kiosk_plural(k, here, MSG_RFID_PARTS_MISSING_ONE,
				       MSG_RFID_PARTS_MISSING_OTHER),
			  MSG_ARGS({ "item", item_name(t) }, { "size", n_size }, { "here", n_here },
				   { "missing", n_missing }));
		return;
	}
	for (unsigned i = 0; i < PAD_TAGS_MAX; i++)
		if (pad->tags[i].used && pad->tags[i].state == PAD_WAITING_PARTS &&
		    strcmp(pad->tags[i].data.item_id, t->data.item_id) == 0)
			pad->tags[i].state = PAD_QUEUED;
	t->state = PAD_QUEUED;
}

/* The flow confirmed or refused the items in hand (or is still waiting for the ILS). */
static void flow_settled(struct kiosk *k)
{
	struct kiosk_pad *pad = k->pad;

	for (unsigned i = 0; i < PAD_TAGS_MAX; i++) {
		struct pad_tag *t = &pad->tags[i];

		if (!t->used || t->state != PAD_IN_FLOW)
			continue;
		t->state = t->confirmed ? PAD_SECURING : PAD_REFUSED;
		t->confirmed = false;
		t->owed_known = false; /* read when its writes begin */
		/* One that left is still tried: the reader's -ENODEV asks for it back. */
		if (t->state != PAD_SECURING)
			release_if_gone(t);
	}
	pad->in_flow = false;
	pad->stack.n = 0;
	pump_later(k);
}

/* The queued tags of item go to the flow, into owes: its transaction will owe each a write. */
static void tags_to_flow(struct kiosk_pad *pad, const char *item, enum tag_security want,
			 struct store_tags *owes)
{
	memset(owes, 0, sizeof(*owes));
	owes->want = want;
	for (unsigned i = 0; i < PAD_TAGS_MAX && owes->n < STORE_TAGS_MAX; i++) {
		struct pad_tag *t = &pad->tags[i];

		if (!t->used || t->state != PAD_QUEUED || strcmp(t->data.item_id, item) != 0)
			continue;
		t->state = PAD_IN_FLOW;
		t->confirmed = t->ack_pending = false;
		snprintf(owes->uid[owes->n++], sizeof(owes->uid[0]), "%s", t->uid_hex);
	}
}

static void hand_to_flow(struct kiosk *k)
{
	struct kiosk_pad *pad = k->pad;
	bool returns = k->cfg->mode == KIOSK_RETURNS;
	enum tag_security want = returns ? TAG_SECURITY_ON : TAG_SECURITY_OFF;
	/* Offline a stack is one commit; online the ILS answers for one item at a time. */
	bool together = !kiosk_online(k);
	unsigned max = together ? KIOSK_STACK_MAX : 1;
	struct kiosk_stack *stack = &pad->stack;

	stack->n = 0;
	for (unsigned i = 0; i < PAD_TAGS_MAX && stack->n < max; i++) {
		struct pad_tag *t = &pad->tags[i];
		struct kiosk_stack_item *it = &stack->items[stack->n];

		if (!t->used || t->state != PAD_QUEUED)
			continue;
		/* the slot stays while the flow runs: the tag is kept till it settles */
		it->item = t->data.item_id;
		it->tags = &pad->owes[stack->n];
		it->take = false;
		tags_to_flow(pad, it->item, want, &pad->owes[stack->n]);
		stack->n++;
	}
	if (!stack->n)
		return;
	pad->in_flow = true;
	if (together) {
		if (returns)
			returns_stack(k, stack);
		else
			selfcheck_stack(k, stack);
	} else {
		k->scan_tags = &pad->owes[0];
		if (returns)
			returns_scan(k, BARCODE_ITEM, stack->items[0].item);
		else
			selfcheck_scan(k, BARCODE_ITEM, stack->items[0].item);
		k->scan_tags = NULL;
	}
	/* Settled at once offline; online, once the kiosk no longer waits for the ILS. */
	pump_later(k);
}

static void set_activity(struct kiosk *k)
{
	struct kiosk_pad *pad = k->pad;
	/* A returns point takes items at any time; a self-check kiosk needs a card first. */
	bool active = k->cfg->mode == KIOSK_RETURNS || k->state != KIOSK_IDLE;

	for (unsigned i = 0; i < pad->n_readers; i++) {
		if (pad->active[i] == active)
			continue;
		pad->active[i] = active;
		rfid_set_active(pad->readers[i], active);
	}
}

/* The writes are over: what they marked done goes to the disk together, not a sync each. */
static void settle_writes(struct kiosk *k)
{
	int r;

	if (!k->store || !store_settle_owed(k->store))
		return;
	r = store_settle(k->store);
	if (r < 0)
		log_warning("store: cannot write the security writes done to the disk (%s)",
			    strerror(-r));
}

static void pump(struct loop *loop, void *data)
{
	struct kiosk *k = data;
	struct kiosk_pad *pad = k->pad;

	(void)loop;
	bool writing;

	set_activity(k);
	if (pad->in_flow && !kiosk_waiting(k))
		flow_settled(k);
	writing = start_a_write(k);
	if (!writing)
		settle_writes(k);
	/*
	 * At a self-check kiosk the next items go to the flow while tags are
	 * written (a tag's write waits for its own loan, not the next loan for
	 * it): online, the ILS answers for the next item while the pad writes.
	 * A return goes in (flap, OK) with its tags secured, one at a time.
	 */
	if ((writing && k->cfg->mode == KIOSK_RETURNS) || pad->in_flow || kiosk_waiting(k))
		return;
	if (k->cfg->mode == KIOSK_SELFCHECK && k->state != KIOSK_ITEMS)
		return; /* items wait on the pad for the patron to sign in */
	hand_to_flow(k);
}

/* --- tags arriving and leaving ------------------------------------------ */

static void patron_card(struct kiosk *k, struct pad_tag *t)
{
	t->state = PAD_DONE;
	if (k->cfg->mode == KIOSK_RETURNS) {
		kiosk_refuse(k, MSG_RFID_NO_CARD_NEEDED, NULL);
		return;
	}
	if (kiosk_waiting(k))
		return;
	selfcheck_scan(k, BARCODE_PATRON, t->data.item_id);
}

static void decoded(struct kiosk *k, struct pad_tag *t, const struct rfid_tag *tag)
{
	char why[128];
	int r = tag_decode(k->cfg->rfid.data_model, tag->has_dsfid ? tag->dsfid : 0, tag->mem,
			   tag->mem_len, &t->data, why, sizeof(why));

	if (r < 0) {
		log_notice("rfid: tag %s on %s unreadable: %s", t->uid_hex, tag->reader, why);
		t->state = PAD_REFUSED;
		kiosk_refuse(k, r == -ENODATA ? MSG_RFID_BLANK : MSG_RFID_DAMAGED, NULL);
		return;
	}
	/* the item is still what its basic block says: staff may want to rewrite the tag */
	if (t->data.damaged_extension_at)
		log_notice("rfid: tag %s (item %s): extension block at byte %u damaged, not used",
			   t->uid_hex, t->data.item_id, t->data.damaged_extension_at);
	switch (tag_usage_class(&t->data)) {
	case TAG_USAGE_PATRON_CARD:
		if (tag->for_patrons || !tag->for_items)
			patron_card(k, t);
		else
			t->state = PAD_REFUSED;
		return;
	case TAG_USAGE_CIRCULATING:
		break;
	default:
		if (t->data.has_usage) {
			log_notice("rfid: item %s: type of usage 0x%02X is not for loan", t->data.item_id,
				   t->data.usage);
			t->state = PAD_REFUSED;
			kiosk_refuse(k, k->cfg->mode == KIOSK_RETURNS ? MSG_RFID_NOT_RETURNABLE :
									 MSG_RFID_NOT_BORROWABLE,
				     MSG_ARGS({ "item", item_name(t) }));
			return;
		}
		break; /* no type of usage on the tag: the ILS decides */
	}
	if (!owner_ok(k, &t->data)) {
		log_notice("rfid: item %s belongs to %s", t->data.item_id, t->data.owner_isil);
		t->state = PAD_REFUSED;
		kiosk_refuse(k, MSG_RFID_OTHER_LIBRARY,
			     MSG_ARGS({ "item", item_name(t) }, { "owner", t->data.owner_isil }));
		return;
	}
	check_set(k, t);
}

void kiosk_tag_arrived(struct kiosk *k, struct rfid_reader *reader, const struct rfid_tag *tag)
{
	struct kiosk_pad *pad = k->pad;
	struct pad_tag *t;

	if (!pad)
		return;
	t = find_tag(pad, tag->uid);
	if (t) {
		t->gone = false; /* back before what kept it was over: it stays as it is */
		return;
	}
	for (t = pad->tags; t < pad->tags + PAD_TAGS_MAX && t->used; t++)
		;
	if (t == pad->tags + PAD_TAGS_MAX) {
		kiosk_refuse(k, MSG_RFID_TOO_MANY, NULL);
		return;
	}
	memset(t, 0, sizeof(*t));
	t->used = true;
	t->reader = reader;
	memcpy(t->uid, tag->uid, RFID_UID_LEN);
	rfid_uid_format(tag->uid, t->uid_hex);
	if (tag->has_afi)
		log_debug("rfid: tag %s arrived on %s (AFI 0x%02X)", t->uid_hex, tag->reader,
			  tag->afi);
	else
		log_debug("rfid: tag %s arrived on %s", t->uid_hex, tag->reader);
	/* Owed from before (a crash, or it moved away): finish that, and nothing else. */
	if (k->store && tag->for_items && store_security_owed(k->store, t->uid_hex, &t->owed) == 0) {
		log_info("rfid: tag %s (item %s) is owed security %s: writing it now", t->uid_hex,
			 t->owed.item, tag_security_name(t->owed.want));
		snprintf(t->data.item_id, sizeof(t->data.item_id), "%.*s", TAG_ITEM_ID_MAX,
			 t->owed.item);
		t->state = PAD_SECURING;
		t->owed_known = true;
		pump_later(k);
		return;
	}
	decoded(k, t, tag);
	pump_later(k);
}

void kiosk_tag_left(struct kiosk *k, const struct rfid_tag *tag)
{
	struct kiosk_pad *pad = k->pad;
	struct pad_tag *t = pad ? find_tag(pad, tag->uid) : NULL;
	int index;

	if (!t)
		return;
	index = (int)(t - pad->tags);
	log_debug("rfid: tag %s left", t->uid_hex);
	/*
	 * A write in hand fails on its own (-ENODEV); a transaction in hand is
	 * recorded or refused as a whole: either keeps the tag till it is over.
	 */
	if (index == pad->writing || t->state == PAD_IN_FLOW) {
		t->gone = true;
		return;
	}
	t->used = false;
}

/* --- hooks from the flows ---------------------------------------------- */

/*
 * The tags in the flow of item, each confirmed (and its acknowledgement
 * held back with how, for a deferred return); false when item has none.
 */
static bool confirm_in_flow(struct kiosk *k, const char *item, bool defer_ack,
			    enum confirm_how how)
{
	bool found = false;

	if (!k->pad || !k->pad->in_flow)
		return false;
	for (unsigned i = 0; i < PAD_TAGS_MAX; i++) {
		struct pad_tag *t = &k->pad->tags[i];

		if (!t->used || t->state != PAD_IN_FLOW || strcmp(t->data.item_id, item) != 0)
			continue;
		t->confirmed = true;
		t->ack_pending = defer_ack;
		t->ack_how = how;
		found = true;
	}
	return found;
}

void kiosk_rfid_confirmed(struct kiosk *k, const char *item)
{
	confirm_in_flow(k, item, false, CONFIRM_ONLINE);
}

bool kiosk_rfid_defer_return(struct kiosk *k, const char *item, const struct ils_circ *outcome,
			     enum confirm_how how)
{
	struct kiosk_pad *pad = k->pad;

	if (!confirm_in_flow(k, item, true, how))
		return false;
	pad->ack_has_outcome = outcome != NULL;
	if (outcome) {
		pad->ack_outcome = *outcome;
		snprintf(pad->ack_item, sizeof(pad->ack_item), "%s", item);
	}
	return true;
}

void kiosk_rfid_state_changed(struct kiosk *k)
{
	pump_later(k);
}

int kiosk_rfid_attach(struct kiosk *k, struct rfid_reader *reader)
{
	struct kiosk_pad *pad = k->pad;

	if (!pad) {
		pad = calloc(1, sizeof(*pad));
		if (!pad)
			return -ENOMEM;
		pad->writing = -1;
		loop_timer_init(&pad->pump_timer, pump, k);
		k->pad = pad;
	}
	if (pad->n_readers == BOARD_RFIDS_MAX)
		return -ENOSPC;
	pad->readers[pad->n_readers] = reader;
	/* Not yet set: the first pump sets every reader's pace. */
	pad->active[pad->n_readers] = true;
	rfid_set_active(reader, true);
	pad->n_readers++;
	pump_later(k);
	return 0;
}

void kiosk_rfid_free(struct kiosk *k)
{
	if (!k->pad)
		return;
	loop_timer_disarm(k->env.loop, &k->pad->pump_timer);
	notes_flush(k);
	free(k->pad);
	k->pad = NULL;
}

unsigned kiosk_rfid_tags_on_pad(const struct kiosk *k)
{
	unsigned n = 0;

	for (unsigned i = 0; k->pad && i < PAD_TAGS_MAX; i++)
		n += k->pad->tags[i].used;
	return n;
}
