/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFID at the kiosk (firmware/kiosk-rfid.c) on the fake clock: tags laid on
 * a pad become the kiosk rig's checkouts and returns (kiosk_rig.h), offline
 * or online to the fake ILS, each owing its tags a security write that is
 * written, read back and paid in the store.
 *
 * The pad is a fake reader (struct rfid_ops) of this file, so that a test
 * makes an operation fail the way a real reader may (the tag gone, a write
 * refused, a write acknowledged but not kept, no EAS command at all) at the
 * moment it chooses. Tags arrive and leave as main.c passes a reader's
 * events on; operations complete FAKE_OP_MS after they start, from the
 * loop, as rfid.h requires.
 *
 * Test tags are ISO 28560-3 basic blocks (the Danish data model, DS/INF 163,
 * as hal/iso28560-3.h describes it) made with iso28560_3_encode(); the first
 * of the stack is libdanrfid's published 32-byte tag byte for byte
 * (github.com/GallusMax/libdanrfid, DDMDataTest.java and CRCTest.java: item
 * "11223344", owner DE-705, CRC 0x3E51), so this library is DE-705 here.
 * UIDs are E0 (ISO 15693), 04 (NXP's manufacturer code), 01 00 and a
 * number: E and 15 hex digits, the form Biblio-RFID's
 * scripts/RFID-JSONP-server.pl (Dobrica Pavlinusic) matches tags by. AFI 0x07 (on the shelf) and 0xC2
 * (checked out) are [rfid] afi_on_shelf and afi_checked_out's defaults
 * (etc/circd.conf). Item and patron barcodes are test_kiosk.c's; DK-999999
 * is a made-up ISIL of another library.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../firmware/kiosk-private.h"
#include "../../firmware/kiosk-rfid.h"
#include "../../firmware/store-security.h"
#include "../../firmware/store.h"
#include "../../hal/iso28560-3.h"
#include "../../hal/rfid.h"
#include "../../lib/loop.h"
#include "fake_ils.h"
#include "kiosk_rig.h"
#include "testlib.h"

#define PATRON "21234000000018"
#define ITEM_1 "31234000000016"
#define ITEM_2 "31234000000024"
#define ITEM_3 "31234000000032"
#define LIBDANRFID_ITEM "11223344"
#define OUR_ISIL "DE-705"
#define ON_HOLD "Item is on hold for another patron"

#define FAKE_OP_MS 10
#define FAKE_TAGS_MAX 16
#define FAKE_LOG_MAX 64
#define TAG_MEM_LEN 36 /* the 34-byte basic block in whole 4-byte blocks */

static const uint8_t libdanrfid_tag[32] = {
	0x11, 0x01, 0x01, '1', '1', '2', '2', '3', '3', '4', '4', 0, 0, 0, 0, 0,
	0,    0,    0,    0x51, 0x3E, 'D', 'E', '7', '0', '5', 0, 0, 0, 0, 0, 0,
};

struct fake_tag {
	unsigned n;          /* its number: the UID's last bytes, and "tN" in the log */
	struct rfid_tag tag; /* as it arrives: AFI and EAS as they are now */
	bool on_pad;
};

enum fake_fault {
	FAULT_NONE,
	FAULT_REFUSE, /* the next write: the tag refuses it (-EIO) */
	FAULT_FORGET, /* the next AFI write: acknowledged, not kept */
};

struct fake_pad {
	struct kiosk_rig rig;
	struct rfid_reader *reader; /* rfid.c's, on this file's ops */
	bool eas_commands;
	bool active; /* the kiosk's pace: a session or the returns intake */
	struct fake_tag tags[FAKE_TAGS_MAX];
	unsigned n_tags;
	enum fake_fault fault;
	/* the operation under way */
	bool busy;
	struct rfid_request op;
	struct loop_timer op_timer;
	/* every operation started, "t1 afi C2", with what the kiosk had done by then */
	char log[FAKE_LOG_MAX][32];
	uint64_t recorded_at[FAKE_LOG_MAX];
	int ok_played_at[FAKE_LOG_MAX];
	int accepts_at[FAKE_LOG_MAX];
	unsigned n_log;
};

static const struct rfid_ops fake_ops;

static void uid_of(unsigned n, uint8_t uid[RFID_UID_LEN])
{
	const uint8_t head[4] = { 0xE0, 0x04, 0x01, 0x00 };

	memcpy(uid, head, sizeof(head));
	for (unsigned i = 0; i < 4; i++)
		uid[4 + i] = (uint8_t)(n >> (8 * (3 - i)));
}

static const char *uid_hex(unsigned n)
{
	static char hex[RFID_UID_HEX_LEN + 1];

	snprintf(hex, sizeof(hex), "E0040100%08X", n);
	return hex;
}

static struct fake_tag *fake_find(struct fake_pad *p, const uint8_t uid[RFID_UID_LEN])
{
	for (unsigned i = 0; i < p->n_tags; i++)
		if (memcmp(p->tags[i].tag.uid, uid, RFID_UID_LEN) == 0)
			return &p->tags[i];
	return NULL;
}

static struct fake_tag *fake_tag_n(struct fake_pad *p, unsigned n)
{
	uint8_t uid[RFID_UID_LEN];
	struct fake_tag *t;

	uid_of(n, uid);
	t = fake_find(p, uid);
	CHECK(t != NULL);
	return t;
}

/* --- the fake reader ---------------------------------------------------- */

/* No EAS command without eas_commands: -EOPNOTSUPP, as the 3M 810 answers. */
static int fake_submit(void *handle, const struct rfid_request *req)
{
	struct fake_pad *p = handle;
	const struct fake_tag *t = fake_find(p, req->uid);
	unsigned i = p->n_log;
	char what[16];

	switch (req->op) {
	case RFID_OP_WRITE_AFI:
		snprintf(what, sizeof(what), "afi %02X", req->afi);
		break;
	case RFID_OP_SET_EAS:
		if (!p->eas_commands)
			return -EOPNOTSUPP;
		snprintf(what, sizeof(what), "eas %d", req->eas_on);
		break;
	case RFID_OP_READ_STATE:
		snprintf(what, sizeof(what), "read");
		break;
	default:
		return -EOPNOTSUPP; /* the kiosk reads what arrives with the tag */
	}
	if (p->busy)
		return -EBUSY;
	if (i < FAKE_LOG_MAX) {
		snprintf(p->log[i], sizeof(p->log[i]), "t%u %s", t ? t->n : 0, what);
		CHECK_INT(store_count_all(p->rig.store, &p->recorded_at[i]), 0);
		p->ok_played_at[i] = p->rig.cap.played[FEEDBACK_OK];
		p->accepts_at[i] = p->rig.cap.played[FEEDBACK_ACCEPT];
		p->n_log++;
	}
	p->busy = true;
	p->op = *req;
	loop_timer_arm(p->rig.loop, &p->op_timer, FAKE_OP_MS);
	return 0;
}

static void fake_op_done(struct loop *loop, void *data)
{
	struct fake_pad *p = data;
	struct fake_tag *t = fake_find(p, p->op.uid);
	struct rfid_reply reply = { .op = p->op.op };
	bool write = p->op.op == RFID_OP_WRITE_AFI || p->op.op == RFID_OP_SET_EAS;

	(void)loop;
	p->busy = false;
	memcpy(reply.uid, p->op.uid, RFID_UID_LEN);
	if (!t || !t->on_pad) {
		reply.result = -ENODEV;
	} else if (write && p->fault == FAULT_REFUSE) {
		p->fault = FAULT_NONE;
		reply.result = -EIO;
	} else if (p->op.op == RFID_OP_WRITE_AFI && p->fault == FAULT_FORGET) {
		p->fault = FAULT_NONE;
	} else if (p->op.op == RFID_OP_WRITE_AFI) {
		t->tag.afi = p->op.afi;
	} else if (p->op.op == RFID_OP_SET_EAS) {
		t->tag.eas = p->op.eas_on ? RFID_EAS_ON : RFID_EAS_OFF;
	} else if (p->op.op == RFID_OP_READ_STATE) {
		reply.has_afi = true;
		reply.afi = t->tag.afi;
		/* A reader without EAS commands cannot read EAS either (the 3M 810). */
		reply.eas = p->eas_commands ? t->tag.eas : RFID_EAS_UNKNOWN;
	}
	p->op.done(p->op.data, &reply);
}

static void fake_set_active(void *handle, bool active)
{
	struct fake_pad *p = handle;

	p->active = active;
}

static void fake_status(void *handle, struct rfid_status *out)
{
	struct fake_pad *p = handle;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "fakepad");
	out->protocol = "fake";
	out->attached = true;
	out->tags_in_field = p->n_tags;
}

/* The pad is the test's: rfid_open_backend() hands it over as the handle. */
static int fake_open(const struct hal_env *env, const struct board *board,
		     const struct board_rfid *def, const struct rfid_events *events, void *data,
		     void **ret, struct file_error *err)
{
	*ret = data;
	return 0;
}

static void fake_close(void *handle)
{
}

static const struct rfid_ops fake_ops = {
	.name = "fake",
	.open = fake_open,
	.close = fake_close,
	.set_active = fake_set_active,
	.submit = fake_submit,
	.status = fake_status,
};

/* --- the rig ------------------------------------------------------------ */

static void run(struct fake_pad *p, uint64_t ms)
{
	CHECK_INT(loop_advance(p->rig.loop, ms), 0);
}

static void pad_start(struct fake_pad *p, enum kiosk_mode mode, bool with_ils, bool eas_commands)
{
	static const struct board board = { .name = "fake board" };
	static const struct board_rfid def = { .name = "fakepad" };
	struct file_error err;

	memset(p, 0, sizeof(*p));
	kiosk_rig_start(&p->rig, mode, with_ils);
	snprintf(p->rig.cfg.rfid.owner_isil, sizeof(p->rig.cfg.rfid.owner_isil), "%s", OUR_ISIL);
	p->eas_commands = eas_commands;
	CHECK_INT(rfid_open_backend(&fake_ops, NULL, &board, &def, NULL, p, &p->reader, &err), 0);
	loop_timer_init(&p->op_timer, fake_op_done, p);
	CHECK_INT(kiosk_rfid_attach(p->rig.kiosk, p->reader), 0);
	run(p, 0);
}

static void pad_stop(struct fake_pad *p)
{
	loop_timer_disarm(p->rig.loop, &p->op_timer);
	kiosk_rig_stop(&p->rig);
	rfid_close(p->reader);
}

/* What was played is counted afresh from here. */
static void quiet(struct fake_pad *p)
{
	memset(p->rig.cap.played, 0, sizeof(p->rig.cap.played));
}

/* The operations started since the from-th, "t1 afi C2, t1 eas 0, t1 read". */
static const char *ops_since(const struct fake_pad *p, unsigned from)
{
	static char out[FAKE_LOG_MAX * 34];
	size_t used = 0;

	out[0] = '\0';
	for (unsigned i = from; i < p->n_log && used < sizeof(out); i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s",
					 i > from ? ", " : "", p->log[i]);
	return out;
}

/* The tag is laid on the pad as it is now (memory, AFI, EAS), and reported. */
static void put_back(struct fake_pad *p, unsigned n)
{
	struct fake_tag *t = fake_tag_n(p, n);

	t->on_pad = true;
	kiosk_tag_arrived(p->rig.kiosk, p->reader, &t->tag);
}

/* A new tag n with mem, at the security an item has where it is brought (shelf or loan). */
static void place_memory(struct fake_pad *p, unsigned n, const uint8_t *mem, size_t len)
{
	bool lent = p->rig.cfg.mode == KIOSK_RETURNS;
	struct fake_tag *t;

	CHECK(p->n_tags < FAKE_TAGS_MAX);
	CHECK(len <= RFID_MEM_MAX);
	t = &p->tags[p->n_tags++];
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->tag.reader = "fakepad";
	t->tag.for_items = t->tag.for_patrons = true; /* one pad for cards and items */
	uid_of(n, t->tag.uid);
	t->tag.has_dsfid = t->tag.has_afi = true;
	t->tag.afi = lent ? 0xC2 : 0x07;
	t->tag.eas = lent ? RFID_EAS_OFF : RFID_EAS_ON;
	t->tag.block_size = 4;
	t->tag.mem_len = len;
	memcpy(t->tag.mem, mem, len);
	put_back(p, n);
}

struct tag_spec {
	const char *id; /* item or patron barcode */
	const char *isil; /* NULL: ours */
	uint8_t parts, part;
	enum tag_usage_class usage;
	bool damaged;
};

static void place(struct fake_pad *p, unsigned n, const struct tag_spec *spec)
{
	struct tag_data d = { .has_set = spec->parts > 0, .has_usage = true };
	uint8_t mem[TAG_MEM_LEN] = { 0 };

	snprintf(d.item_id, sizeof(d.item_id), "%s", spec->id);
	snprintf(d.owner_isil, sizeof(d.owner_isil), "%s", spec->isil ? spec->isil : OUR_ISIL);
	d.set_size = spec->parts;
	d.set_part = spec->part;
	d.usage = (uint8_t)((spec->usage ? spec->usage : TAG_USAGE_CIRCULATING) << 4);
	CHECK_INT(iso28560_3_encode(&d, mem, sizeof(mem)), ISO28560_3_BLOCK_SIZE);
	if (spec->damaged)
		mem[19] ^= 0x01; /* the stored CRC's low byte */
	place_memory(p, n, mem, sizeof(mem));
}

static void place_item(struct fake_pad *p, unsigned n, const char *item)
{
	place(p, n, &(struct tag_spec){ .id = item });
}

/* Off the pad: the reader noticed, and told the kiosk. */
static void take_off(struct fake_pad *p, unsigned n)
{
	struct fake_tag *t = fake_tag_n(p, n);

	t->on_pad = false;
	kiosk_tag_left(p->rig.kiosk, &t->tag);
}

static uint64_t recorded(struct fake_pad *p)
{
	uint64_t n = 0;

	CHECK_INT(store_count_all(p->rig.store, &n), 0);
	return n;
}

/* How many transactions of item the journal holds, in whatever state; *last the newest. */
static int txns_of(struct fake_pad *p, const char *item, struct txn *last)
{
	return kiosk_rig_txns_of(&p->rig, item, last);
}

static int owed(struct fake_pad *p, unsigned n, struct store_security *s)
{
	struct store_security ignored;

	return store_security_owed(p->rig.store, uid_hex(n), s ? s : &ignored);
}

/*
 * A loaned tag whose security write failed comes back on the pad: its write
 * is done first (AFI checked out, EAS off, read back), the debt is paid, and
 * the item is not lent a second time.
 */
static void put_back_secured_off(struct fake_pad *p, unsigned n, const char *item)
{
	unsigned n_log = p->n_log;
	char want[64];

	put_back(p, n);
	run(p, 1000);
	snprintf(want, sizeof(want), "t%u afi C2, t%u eas 0, t%u read", n, n, n);
	CHECK_STR(ops_since(p, n_log), want);
	CHECK_INT(owed(p, n, NULL), -ENOENT);
	CHECK_INT(txns_of(p, item, NULL), 1);
}

static uint64_t owed_count(struct fake_pad *p)
{
	uint64_t n = 0;

	CHECK_INT(store_security_count_owed(p->rig.store, &n), 0);
	return n;
}

static void sign_in_offline(struct fake_pad *p)
{
	kiosk_rig_scan(&p->rig, PATRON);
	kiosk_rig_expect(&p->rig, DISPLAY_INFO, "Scan your items");
	run(p, 0);
	quiet(p);
}

/* --- tests -------------------------------------------------------------- */

static void test_fake_reader_is_a_reader(void)
{
	struct fake_pad p;
	struct rfid_status st;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	rfid_status(p.reader, &st);
	CHECK_STR(st.name, "fakepad");
	CHECK_STR(st.protocol, "fake");
	/* Nobody signed in: the pad reads at its idle pace. */
	CHECK(!p.active);
	pad_stop(&p);
}

static void test_stack_checked_out_offline_each_once(void)
{
	struct fake_pad p;
	const char *items[3] = { LIBDANRFID_ITEM, ITEM_2, ITEM_3 };
	unsigned n_log;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	CHECK(p.active);
	/* Three tags in one inventory round: the stack. */
	place_memory(&p, 1, libdanrfid_tag, sizeof(libdanrfid_tag));
	place_item(&p, 2, ITEM_2);
	place_item(&p, 3, ITEM_3);
	run(&p, 1000);
	CHECK_INT(recorded(&p), 3);
	for (unsigned i = 0; i < 3; i++) {
		struct txn t;

		CHECK_INT(txns_of(&p, items[i], &t), 1);
		CHECK_INT(t.kind, TXN_CHECKOUT);
		CHECK_STR(t.patron, PATRON);
		CHECK_INT(owed(&p, i + 1, NULL), -ENOENT);
	}
	CHECK_STR(ops_since(&p, 0), "t1 afi C2, t1 eas 0, t1 read, t2 afi C2, t2 eas 0, t2 read, "
				    "t3 afi C2, t3 eas 0, t3 read");
	/* One stack, one commit: every loan recorded and told before the first tag is written. */
	for (unsigned i = 0; i < 9; i++) {
		CHECK_INT(p.recorded_at[i], 3);
		CHECK_INT(p.ok_played_at[i], 3);
	}
	CHECK_INT(owed_count(&p), 0);
	for (unsigned n = 1; n <= 3; n++) {
		CHECK_INT(fake_tag_n(&p, n)->tag.afi, 0xC2);
		CHECK_INT(fake_tag_n(&p, n)->tag.eas, RFID_EAS_OFF);
	}
	CHECK_INT(p.rig.cap.played[FEEDBACK_OK], 3);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 0);
	/* Tags that stay on the pad are not handled again. */
	n_log = p.n_log;
	run(&p, 5000);
	CHECK_INT(p.n_log, n_log);
	CHECK_INT(recorded(&p), 3);
	kiosk_rig_scan(&p.rig, "DONE");
	kiosk_rig_expect(&p.rig, DISPLAY_RECEIPT, "3 items");
	pad_stop(&p);
}

static void test_set_waits_for_its_last_part(void)
{
	struct fake_pad p;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	place(&p, 11, &(struct tag_spec){ .id = ITEM_1, .parts = 3, .part = 1 });
	run(&p, 500);
	kiosk_rig_expect(&p.rig, DISPLAY_NOTICE, "3 parts: 1 is on the pad");
	kiosk_rig_expect(&p.rig, DISPLAY_NOTICE, "(2 missing)");
	CHECK_INT(p.rig.cap.played[FEEDBACK_NOTICE], 1);
	CHECK_INT(recorded(&p), 0);
	place(&p, 12, &(struct tag_spec){ .id = ITEM_1, .parts = 3, .part = 2 });
	run(&p, 500);
	kiosk_rig_expect(&p.rig, DISPLAY_NOTICE, "3 parts: 2 are on the pad");
	kiosk_rig_expect(&p.rig, DISPLAY_NOTICE, "(1 missing)");
	CHECK_INT(recorded(&p), 0);
	CHECK_INT(p.n_log, 0);
	place(&p, 13, &(struct tag_spec){ .id = ITEM_1, .parts = 3, .part = 3 });
	run(&p, 1000);
	kiosk_rig_expect(&p.rig, DISPLAY_OK, ITEM_1);
	CHECK_INT(txns_of(&p, ITEM_1, NULL), 1);
	CHECK_INT(recorded(&p), 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_OK], 1);
	CHECK_STR(ops_since(&p, 0), "t11 afi C2, t11 eas 0, t11 read, t12 afi C2, t12 eas 0, "
				    "t12 read, t13 afi C2, t13 eas 0, t13 read");
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

static void test_damaged_and_blank_tags_refused(void)
{
	struct fake_pad p;
	uint8_t blank[TAG_MEM_LEN] = { 0 };

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	place(&p, 21, &(struct tag_spec){ .id = ITEM_1, .damaged = true });
	run(&p, 500);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "damaged");
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 1);
	place_memory(&p, 22, blank, sizeof(blank));
	run(&p, 500);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "blank");
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 2);
	CHECK_INT(recorded(&p), 0);
	CHECK_INT(p.n_log, 0);
	pad_stop(&p);
}

/*
 * An extension block whose checksum fails leaves the basic block standing:
 * the item is what its CRC-checked basic block says, and is lent.
 */
static void test_damaged_extension_block_still_lent(void)
{
	struct tag_data d = { .has_usage = true, .usage = TAG_USAGE_CIRCULATING << 4 };
	uint8_t mem[64] = { 0 };
	struct fake_pad p;

	snprintf(d.item_id, sizeof(d.item_id), "%s", ITEM_1);
	snprintf(d.owner_isil, sizeof(d.owner_isil), "%s", OUR_ISIL);
	snprintf(d.title, sizeof(d.title), "%s", "A title");
	CHECK_INT(iso28560_3_encode_extensions(&d, mem, sizeof(mem)), 34 + 4 + 7 + 1);
	mem[34 + 4] ^= 0x20; /* "a title": the checksum no longer holds */
	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	place_memory(&p, 26, mem, sizeof(mem));
	run(&p, 500);
	CHECK_INT(recorded(&p), 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 0);
	pad_stop(&p);
}

static void test_foreign_owner_refused_unless_allowed(void)
{
	struct fake_pad p;
	int displays;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	place(&p, 31, &(struct tag_spec){ .id = ITEM_1, .isil = "DK-999999" });
	run(&p, 500);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "another library (DK-999999)");
	CHECK_INT(recorded(&p), 0);
	CHECK_INT(p.n_log, 0);
	/* Refused once: nothing more while it stays. */
	displays = p.rig.cap.displays;
	run(&p, 2000);
	CHECK_INT(p.rig.cap.displays, displays);
	p.rig.cfg.rfid.allow_other_owners = true;
	take_off(&p, 31);
	put_back(&p, 31);
	run(&p, 1000);
	kiosk_rig_expect(&p.rig, DISPLAY_OK, ITEM_1);
	CHECK_INT(txns_of(&p, ITEM_1, NULL), 1);
	CHECK_STR(ops_since(&p, 0), "t31 afi C2, t31 eas 0, t31 read");
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

static void test_patron_card_signs_in(void)
{
	struct fake_pad p;
	struct store_loan loan;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	CHECK(!p.active);
	/* An item before the card waits on the pad for the patron. */
	place_item(&p, 41, ITEM_1);
	run(&p, 500);
	CHECK_INT(recorded(&p), 0);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 0);
	place(&p, 40, &(struct tag_spec){ .id = PATRON, .usage = TAG_USAGE_PATRON_CARD });
	run(&p, 1000);
	CHECK(p.active);
	CHECK_INT(p.rig.kiosk->state, KIOSK_ITEMS);
	CHECK_STR(p.rig.kiosk->patron, PATRON);
	CHECK_INT(store_loan_get(p.rig.store, ITEM_1, &loan), 0);
	CHECK_STR(loan.patron, PATRON);
	CHECK_INT(recorded(&p), 1);
	/* The card is not an item: only the item's tag is written. */
	CHECK_STR(ops_since(&p, 0), "t41 afi C2, t41 eas 0, t41 read");
	CHECK_INT(fake_tag_n(&p, 40)->tag.afi, 0x07);
	pad_stop(&p);
}

static void test_patron_card_refused_at_returns(void)
{
	struct fake_pad p;

	pad_start(&p, KIOSK_RETURNS, false, true);
	CHECK(p.active); /* a returns point takes items at any time */
	place(&p, 45, &(struct tag_spec){ .id = PATRON, .usage = TAG_USAGE_PATRON_CARD });
	run(&p, 500);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "return point");
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 0);
	CHECK_INT(recorded(&p), 0);
	CHECK_INT(p.n_log, 0);
	pad_stop(&p);
}

/* The tag moves away while its AFI is written; reader and kiosk find out in either order. */
static void tag_moves_away(bool left_reported_first)
{
	struct fake_pad p;
	struct store_security s;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	place_item(&p, 51, ITEM_1);
	run(&p, 0);
	CHECK_INT(recorded(&p), 1);
	CHECK(p.busy);
	CHECK_STR(ops_since(&p, 0), "t51 afi C2");
	if (left_reported_first) {
		take_off(&p, 51);
		run(&p, 500);
	} else {
		fake_tag_n(&p, 51)->on_pad = false;
		run(&p, 500);
		kiosk_tag_left(p.rig.kiosk, &fake_tag_n(&p, 51)->tag);
	}
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "Please put " ITEM_1 " back on the pad");
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 1);
	CHECK_INT(owed(&p, 51, &s), 0);
	CHECK_INT(s.tries, 1);
	CHECK_STR(s.last_error, "the tag moved away");
	CHECK_INT(s.want, TAG_SECURITY_OFF);
	CHECK_INT(kiosk_rfid_tags_on_pad(p.rig.kiosk), 0);
	put_back_secured_off(&p, 51, ITEM_1);
	CHECK_INT(fake_tag_n(&p, 51)->tag.afi, 0xC2);
	pad_stop(&p);
}

static void test_tag_moves_away_during_the_write(void)
{
	tag_moves_away(false);
	tag_moves_away(true);
}

static void test_write_refused_then_not_kept_then_done(void)
{
	struct fake_pad p;
	struct store_security s;
	unsigned n_log;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	p.fault = FAULT_REFUSE;
	place_item(&p, 52, ITEM_2);
	run(&p, 1000);
	CHECK_STR(ops_since(&p, 0), "t52 afi C2");
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "Please put " ITEM_2 " back on the pad");
	CHECK_INT(owed(&p, 52, &s), 0);
	CHECK_INT(s.tries, 1);
	CHECK_STR(s.last_error, strerror(EIO));
	/* A failed write is not retried while the tag stays: it waits to be put back. */
	run(&p, 2000);
	CHECK_INT(p.n_log, 1);
	/* The tag acknowledges the AFI but keeps the old one: the read-back catches it. */
	p.fault = FAULT_FORGET;
	take_off(&p, 52);
	put_back(&p, 52);
	run(&p, 1000);
	CHECK_STR(ops_since(&p, 1), "t52 afi C2, t52 eas 0, t52 read");
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "back on the pad");
	CHECK_INT(owed(&p, 52, &s), 0);
	CHECK_INT(s.tries, 2);
	CHECK_STR(s.last_error, "the AFI read back is not the one written");
	CHECK_INT(fake_tag_n(&p, 52)->tag.afi, 0x07);
	take_off(&p, 52);
	put_back(&p, 52);
	n_log = p.n_log;
	run(&p, 1000);
	CHECK_STR(ops_since(&p, n_log), "t52 afi C2, t52 eas 0, t52 read");
	CHECK_INT(owed(&p, 52, NULL), -ENOENT);
	CHECK_INT(owed_count(&p), 0);
	CHECK_INT(txns_of(&p, ITEM_2, NULL), 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_OK], 1);
	pad_stop(&p);
}

static void test_reader_without_eas_secures_by_afi(void)
{
	struct fake_pad p;

	pad_start(&p, KIOSK_SELFCHECK, false, false);
	sign_in_offline(&p);
	place_item(&p, 61, ITEM_1);
	run(&p, 1000);
	CHECK_STR(ops_since(&p, 0), "t61 afi C2, t61 read");
	CHECK_INT(owed(&p, 61, NULL), -ENOENT);
	CHECK_INT(fake_tag_n(&p, 61)->tag.afi, 0xC2);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 0);
	pad_stop(&p);
}

static void test_return_acknowledged_after_the_verified_write(void)
{
	struct fake_pad p;
	struct txn t;
	unsigned n_log;

	pad_start(&p, KIOSK_RETURNS, false, true);
	place_item(&p, 71, ITEM_1);
	run(&p, 0);
	/* Recorded first; the flap waits for the tag. */
	CHECK_INT(txns_of(&p, ITEM_1, &t), 1);
	CHECK_INT(t.kind, TXN_CHECKIN);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 0);
	run(&p, 1000);
	CHECK_STR(ops_since(&p, 0), "t71 afi 07, t71 eas 1, t71 read");
	for (unsigned i = 0; i < 3; i++)
		CHECK_INT(p.accepts_at[i], 0);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_OK], 1);
	kiosk_rig_expect(&p.rig, DISPLAY_OK, "Returned: " ITEM_1);
	CHECK_INT(owed_count(&p), 0);
	CHECK_INT(fake_tag_n(&p, 71)->tag.eas, RFID_EAS_ON);

	/* A write refused: recorded, but the flap stays shut until the tag is set. */
	p.fault = FAULT_REFUSE;
	quiet(&p);
	place_item(&p, 72, ITEM_2);
	run(&p, 1000);
	CHECK_INT(txns_of(&p, ITEM_2, NULL), 1);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR,
			 ITEM_2 " was returned, but its tag could not be set");
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 0);
	CHECK_INT(owed(&p, 72, NULL), 0);
	take_off(&p, 72);
	put_back(&p, 72);
	n_log = p.n_log;
	run(&p, 1000);
	CHECK_STR(ops_since(&p, n_log), "t72 afi 07, t72 eas 1, t72 read");
	CHECK_INT(p.accepts_at[n_log + 2], 0);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 1);
	kiosk_rig_expect(&p.rig, DISPLAY_OK, "Returned: " ITEM_2);
	CHECK_INT(txns_of(&p, ITEM_2, NULL), 1);
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

static void sign_in_online(struct fake_pad *p)
{
	kiosk_rig_scan(&p->rig, PATRON);
	run(p, 0);
	kiosk_rig_expect(&p->rig, DISPLAY_INFO, "Hello, Ada!");
	quiet(p);
}

static void test_online_checkout_confirmed_then_written(void)
{
	struct fake_pad p;
	struct store_security s;
	struct txn t;

	pad_start(&p, KIOSK_SELFCHECK, true, true);
	sign_in_online(&p);
	fake_ils_script(p.rig.fake, &(struct fake_step){ .delay_ms = 2000 });
	place_item(&p, 81, ITEM_1);
	run(&p, 1000);
	/* The ILS is answering: recorded with its debt, nothing written, nothing told. */
	CHECK_INT(txns_of(&p, ITEM_1, &t), 1);
	CHECK_INT(t.state, TXN_FORWARDED);
	CHECK_INT(owed(&p, 81, &s), 0);
	CHECK_STR(s.txn_id, t.id);
	CHECK_INT(p.n_log, 0);
	CHECK_INT(p.rig.cap.played[FEEDBACK_OK], 0);
	run(&p, 2000);
	kiosk_rig_expect(&p.rig, DISPLAY_OK, "Checked out");
	CHECK_INT(txns_of(&p, ITEM_1, &t), 1);
	CHECK_INT(t.state, TXN_CONFIRMED);
	CHECK_INT(fake_ils_applied(p.rig.fake, FAKE_CHECKOUT, ITEM_1), 1);
	CHECK_STR(ops_since(&p, 0), "t81 afi C2, t81 eas 0, t81 read");
	CHECK_INT(p.ok_played_at[0], 1); /* confirmed to the patron, then secured */
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

/* Taken away while the ILS answers: the loan stands, its write is owed till the tag is back. */
static void test_online_tag_taken_away_before_the_answer(void)
{
	struct fake_pad p;
	struct store_security s;

	pad_start(&p, KIOSK_SELFCHECK, true, true);
	sign_in_online(&p);
	fake_ils_script(p.rig.fake, &(struct fake_step){ .delay_ms = 2000 });
	place_item(&p, 85, ITEM_2);
	run(&p, 500);
	take_off(&p, 85);
	run(&p, 2000);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "Please put " ITEM_2 " back on the pad");
	CHECK_INT(fake_ils_applied(p.rig.fake, FAKE_CHECKOUT, ITEM_2), 1);
	CHECK_INT(owed(&p, 85, &s), 0);
	CHECK_INT(s.tries, 1);
	CHECK_STR(s.last_error, "the tag moved away");
	CHECK_INT(kiosk_rfid_tags_on_pad(p.rig.kiosk), 0);
	put_back_secured_off(&p, 85, ITEM_2);
	CHECK_INT(fake_ils_count(p.rig.fake, FAKE_CHECKOUT, ITEM_2), 1);
	pad_stop(&p);
}

static void test_online_refusal_owes_nothing(void)
{
	struct fake_pad p;
	struct txn t;

	pad_start(&p, KIOSK_SELFCHECK, true, true);
	sign_in_online(&p);
	fake_ils_script(p.rig.fake, &(struct fake_step){ .refuse = true, .screen = ON_HOLD });
	place_item(&p, 91, ITEM_1);
	run(&p, 1000);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "on hold for another patron");
	CHECK_INT(txns_of(&p, ITEM_1, &t), 1);
	CHECK_INT(t.state, TXN_FAILED);
	CHECK_INT(owed(&p, 91, NULL), -ENOENT);
	CHECK_INT(owed_count(&p), 0);
	CHECK_INT(p.n_log, 0);
	/* Back on the pad: the refused loan's debt is not written; the ILS is asked afresh. */
	fake_ils_script(p.rig.fake, &(struct fake_step){ .refuse = true, .screen = ON_HOLD });
	take_off(&p, 91);
	put_back(&p, 91);
	run(&p, 1000);
	CHECK_INT(fake_ils_count(p.rig.fake, FAKE_CHECKOUT, ITEM_1), 2);
	CHECK_INT(fake_ils_applied(p.rig.fake, FAKE_CHECKOUT, ITEM_1), 0);
	CHECK_INT(p.n_log, 0);
	CHECK_INT(owed_count(&p), 0);
	/* Taken away while the ILS answers, refused: a new arrival when it is back. */
	fake_ils_script(p.rig.fake, &(struct fake_step){ .delay_ms = 2000, .refuse = true,
							 .screen = ON_HOLD });
	take_off(&p, 91);
	put_back(&p, 91);
	run(&p, 500);
	take_off(&p, 91);
	run(&p, 2000);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "on hold for another patron");
	CHECK_INT(kiosk_rfid_tags_on_pad(p.rig.kiosk), 0);
	CHECK_INT(p.n_log, 0);
	/* This time the ILS lends it: only this loan's write is done. */
	put_back(&p, 91);
	run(&p, 1000);
	CHECK_INT(fake_ils_count(p.rig.fake, FAKE_CHECKOUT, ITEM_1), 4);
	CHECK_INT(fake_ils_applied(p.rig.fake, FAKE_CHECKOUT, ITEM_1), 1);
	CHECK_STR(ops_since(&p, 0), "t91 afi C2, t91 eas 0, t91 read");
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

/* circd stopped between a transaction and its tags' write: the store as it found it then. */
static void record_from_before(struct fake_pad *p, enum txn_kind kind, const char *item,
			       unsigned n)
{
	struct store_tags tags = { .n = 1 };
	struct txn t = { .kind = kind, .mode = TXN_OFFLINE, .state = TXN_PENDING, .mono_ms = 1 };

	CHECK_INT(txn_id_new(t.id), 0);
	snprintf(t.patron, sizeof(t.patron), "%s", kind == TXN_CHECKIN ? "" : PATRON);
	snprintf(t.item, sizeof(t.item), "%s", item);
	snprintf(t.boot_id, sizeof(t.boot_id), "boot-0");
	t.wall_ms = loop_wall_ms(p->rig.loop) - 60000;
	t.due_ms = kind == TXN_CHECKIN ? 0 : t.wall_ms + 14LL * 86400000;
	tags.want = kind == TXN_CHECKIN ? TAG_SECURITY_ON : TAG_SECURITY_OFF;
	snprintf(tags.uid[0], sizeof(tags.uid[0]), "%s", uid_hex(n));
	CHECK_INT(store_record_tagged(p->rig.store, &t, &tags), 0);
}

static void test_debt_from_before_a_restart_written_first(void)
{
	struct fake_pad p;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	record_from_before(&p, TXN_CHECKOUT, ITEM_1, 101);
	CHECK_INT(owed(&p, 101, NULL), 0);
	/* Nobody signed in: the owed write is done all the same, and nothing else. */
	place_item(&p, 101, ITEM_1);
	run(&p, 2000);
	CHECK_STR(ops_since(&p, 0), "t101 afi C2, t101 eas 0, t101 read");
	CHECK_INT(owed(&p, 101, NULL), -ENOENT);
	CHECK_INT(recorded(&p), 1);
	CHECK_INT(p.rig.kiosk->state, KIOSK_IDLE);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 0);
	pad_stop(&p);

	/* At the bin, a return from before goes in once its tag is set. */
	pad_start(&p, KIOSK_RETURNS, false, true);
	record_from_before(&p, TXN_CHECKIN, ITEM_2, 102);
	place_item(&p, 102, ITEM_2);
	run(&p, 2000);
	CHECK_STR(ops_since(&p, 0), "t102 afi 07, t102 eas 1, t102 read");
	CHECK_INT(p.accepts_at[2], 0);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 1);
	kiosk_rig_expect(&p.rig, DISPLAY_OK, "Returned: " ITEM_2);
	CHECK_INT(recorded(&p), 1);
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

/* Items 3123400000NNNN, one per tag n, for stacks larger than the named items. */
static const char *stack_item(char *buf, size_t size, unsigned n)
{
	snprintf(buf, size, "3123400%07u", n);
	return buf;
}

/*
 * A stack of ten tags in one inventory round, offline: ten loans in one
 * durable commit, each told OK only once it is on the disk, then each tag
 * written and read back, the ten noted done in one more commit; one
 * transaction per item, nothing owed after.
 */
static void test_ten_tag_stack_in_one_commit(void)
{
	struct fake_pad p;
	char items[10][24];
	uint64_t commits;

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	commits = p.rig.kiosk->record_commits;
	for (unsigned i = 0; i < 10; i++)
		place_item(&p, 200 + i, stack_item(items[i], sizeof(items[i]), 200 + i));
	run(&p, 0);
	CHECK_INT(recorded(&p), 10);
	CHECK_INT(p.rig.kiosk->record_commits - commits, 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_OK], 10);
	CHECK_INT(p.rig.cap.in_store_at_ok, 10);
	/*
	 * The first tag done and the next being written: the stack's writes are
	 * noted in the store together, once the last is verified.
	 */
	run(&p, 3 * FAKE_OP_MS + 1);
	CHECK_STR(ops_since(&p, 0), "t200 afi C2, t200 eas 0, t200 read, t201 afi C2");
	CHECK_INT(owed(&p, 200, NULL), 0);
	CHECK(!store_settle_owed(p.rig.store));
	run(&p, 2000);
	/* The writes over: what they marked done is on the disk. */
	CHECK_INT(owed(&p, 200, NULL), -ENOENT);
	CHECK(!store_settle_owed(p.rig.store));
	CHECK_INT(p.n_log, 30);
	for (unsigned i = 0; i < p.n_log; i++) {
		char want[32];

		snprintf(want, sizeof(want), "t%u %s", 200 + i / 3,
			 i % 3 == 0 ? "afi C2" : i % 3 == 1 ? "eas 0" : "read");
		CHECK_STR(p.log[i], want);
		CHECK_INT(p.recorded_at[i], 10);
	}
	for (unsigned i = 0; i < 10; i++) {
		CHECK_INT(txns_of(&p, items[i], NULL), 1);
		CHECK_INT(fake_tag_n(&p, 200 + i)->tag.afi, 0xC2);
	}
	CHECK_INT(owed_count(&p), 0);
	CHECK_INT(p.rig.kiosk->record_commits - commits, 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 0);
	kiosk_rig_scan(&p.rig, "DONE");
	kiosk_rig_expect(&p.rig, DISPLAY_RECEIPT, "10 items");
	pad_stop(&p);
}

/*
 * The store refuses the stack's commit (its file was deleted under it):
 * none of its loans is recorded, the patron is told once, no tag is
 * written, and each stays refused while it lies there.
 */
static void test_stack_refused_by_the_store_writes_nothing(void)
{
	struct fake_pad p;
	char items[3][24];

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	sign_in_offline(&p);
	CHECK_INT(unlink(p.rig.tmp.db), 0);
	for (unsigned i = 0; i < 3; i++)
		place_item(&p, 260 + i, stack_item(items[i], sizeof(items[i]), 260 + i));
	run(&p, 2000);
	kiosk_rig_expect(&p.rig, DISPLAY_ERROR, "nothing was recorded");
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_OK], 0);
	CHECK_INT(recorded(&p), 0);
	CHECK_INT(p.rig.kiosk->record_commits, 0);
	CHECK_INT(p.rig.kiosk->store_failures, 1);
	CHECK_INT(p.n_log, 0);
	CHECK_INT(kiosk_rfid_tags_on_pad(p.rig.kiosk), 3);
	pad_stop(&p);
}

/*
 * The offline limit counts the stack: with room for two, a set of two parts
 * and one book are lent in one commit, the next book refused and never
 * written.
 */
static void test_stack_within_the_offline_limit(void)
{
	struct fake_pad p;
	char a[24], b[24];

	pad_start(&p, KIOSK_SELFCHECK, false, true);
	p.rig.cfg.offline_max_items = 2;
	sign_in_offline(&p);
	place(&p, 211, &(struct tag_spec){ .id = ITEM_1, .parts = 2, .part = 1 });
	place(&p, 212, &(struct tag_spec){ .id = ITEM_1, .parts = 2, .part = 2 });
	place_item(&p, 213, stack_item(a, sizeof(a), 213));
	place_item(&p, 214, stack_item(b, sizeof(b), 214));
	run(&p, 2000);
	CHECK_INT(recorded(&p), 2);
	CHECK_INT(p.rig.kiosk->record_commits, 1);
	CHECK_INT(txns_of(&p, ITEM_1, NULL), 1);
	CHECK_INT(txns_of(&p, a, NULL), 1);
	CHECK_INT(txns_of(&p, b, NULL), 0);
	CHECK_INT(p.rig.cap.played[FEEDBACK_OK], 2);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 1);
	CHECK_STR(ops_since(&p, 0), "t211 afi C2, t211 eas 0, t211 read, t212 afi C2, t212 eas 0, "
				    "t212 read, t213 afi C2, t213 eas 0, t213 read");
	CHECK_INT(fake_tag_n(&p, 214)->tag.afi, 0x07);
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

/*
 * A stack at the bin, offline: three returns in one commit; each goes in
 * (flap, OK) only once its own tag's security is verified on.
 */
static void test_returns_stack_in_one_commit(void)
{
	struct fake_pad p;
	char items[3][24];

	pad_start(&p, KIOSK_RETURNS, false, true);
	for (unsigned i = 0; i < 3; i++)
		place_item(&p, 220 + i, stack_item(items[i], sizeof(items[i]), 220 + i));
	run(&p, 0);
	CHECK_INT(recorded(&p), 3);
	CHECK_INT(p.rig.kiosk->record_commits, 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 0);
	run(&p, 2000);
	CHECK_STR(ops_since(&p, 0), "t220 afi 07, t220 eas 1, t220 read, t221 afi 07, t221 eas 1, "
				    "t221 read, t222 afi 07, t222 eas 1, t222 read");
	for (unsigned i = 0; i < 9; i++)
		CHECK_INT(p.accepts_at[i], (int)(i / 3));
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 3);
	kiosk_rig_expect(&p.rig, DISPLAY_OK, "Returned: ");
	kiosk_rig_expect(&p.rig, DISPLAY_OK, items[2]);
	for (unsigned i = 0; i < 3; i++) {
		struct txn t;

		CHECK_INT(txns_of(&p, items[i], &t), 1);
		CHECK_INT(t.kind, TXN_CHECKIN);
		CHECK_INT(fake_tag_n(&p, 220 + i)->tag.eas, RFID_EAS_ON);
	}
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

/*
 * At the bin, the middle tag of a stack refuses its write: its return stays
 * recorded and owed, its flap shut (the patron is asked to put it back);
 * the others go in.
 */
static void test_returns_stack_one_write_refused(void)
{
	struct fake_pad p;
	char items[3][24];
	struct store_security s;

	pad_start(&p, KIOSK_RETURNS, false, true);
	for (unsigned i = 0; i < 3; i++)
		place_item(&p, 240 + i, stack_item(items[i], sizeof(items[i]), 240 + i));
	/* t240's three operations take FAKE_OP_MS each: then t241's AFI write is next */
	run(&p, 3 * FAKE_OP_MS - 1);
	CHECK_STR(ops_since(&p, 0), "t240 afi 07, t240 eas 1, t240 read");
	p.fault = FAULT_REFUSE;
	run(&p, 2000);
	CHECK_STR(ops_since(&p, 3), "t241 afi 07, t242 afi 07, t242 eas 1, t242 read");
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 2);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ERROR], 1);
	CHECK_INT(owed(&p, 241, &s), 0);
	CHECK_STR(s.item, items[1]);
	CHECK_INT(owed_count(&p), 1);
	CHECK_INT(recorded(&p), 3);
	CHECK_INT(p.rig.kiosk->record_commits, 1);
	pad_stop(&p);
}

/*
 * Online the ILS answers for each item: a stack is one commit per item,
 * each tag written after its own item's OK, while the ILS answers for the
 * next item (it takes 25 ms here, a write 3 operations of FAKE_OP_MS).
 */
static void test_online_stack_written_while_the_ils_answers(void)
{
	struct fake_pad p;
	char items[3][24];

	pad_start(&p, KIOSK_SELFCHECK, true, true);
	sign_in_online(&p);
	for (unsigned i = 0; i < 3; i++)
		fake_ils_script(p.rig.fake, &(struct fake_step){ .delay_ms = 25 });
	for (unsigned i = 0; i < 3; i++)
		place_item(&p, 230 + i, stack_item(items[i], sizeof(items[i]), 230 + i));
	run(&p, 2000);
	CHECK_INT(recorded(&p), 3);
	CHECK_INT(p.rig.kiosk->record_commits, 3);
	for (unsigned i = 0; i < 3; i++)
		CHECK_INT(fake_ils_applied(p.rig.fake, FAKE_CHECKOUT, items[i]), 1);
	CHECK_STR(ops_since(&p, 0), "t230 afi C2, t230 eas 0, t230 read, t231 afi C2, t231 eas 0, "
				    "t231 read, t232 afi C2, t232 eas 0, t232 read");
	/* each tag after its own item's OK */
	for (unsigned i = 0; i < 9; i++)
		CHECK(p.ok_played_at[i] >= (int)(i / 3 + 1));
	/* the first tag's write under way, the second item already recorded and asked for */
	CHECK_INT(p.ok_played_at[0], 1);
	CHECK_INT(p.recorded_at[2], 2);
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

/* At the bin, the next return waits for the last one's tags: each goes in whole, in turn. */
static void test_online_returns_one_at_a_time(void)
{
	struct fake_pad p;
	char items[2][24];

	pad_start(&p, KIOSK_RETURNS, true, true);
	for (unsigned i = 0; i < 2; i++)
		place_item(&p, 250 + i, stack_item(items[i], sizeof(items[i]), 250 + i));
	run(&p, 2000);
	CHECK_STR(ops_since(&p, 0), "t250 afi 07, t250 eas 1, t250 read, t251 afi 07, t251 eas 1, "
				    "t251 read");
	/* the second return recorded only once the first went in */
	for (unsigned i = 0; i < 3; i++) {
		CHECK_INT(p.recorded_at[i], 1);
		CHECK_INT(p.accepts_at[i], 0);
	}
	CHECK_INT(p.recorded_at[3], 2);
	CHECK_INT(p.accepts_at[3], 1);
	CHECK_INT(p.rig.cap.played[FEEDBACK_ACCEPT], 2);
	CHECK_INT(owed_count(&p), 0);
	pad_stop(&p);
}

int main(void)
{
	RUN(test_fake_reader_is_a_reader);
	RUN(test_stack_checked_out_offline_each_once);
	RUN(test_set_waits_for_its_last_part);
	RUN(test_damaged_and_blank_tags_refused);
	RUN(test_damaged_extension_block_still_lent);
	RUN(test_foreign_owner_refused_unless_allowed);
	RUN(test_patron_card_signs_in);
	RUN(test_patron_card_refused_at_returns);
	RUN(test_tag_moves_away_during_the_write);
	RUN(test_write_refused_then_not_kept_then_done);
	RUN(test_reader_without_eas_secures_by_afi);
	RUN(test_return_acknowledged_after_the_verified_write);
	RUN(test_online_checkout_confirmed_then_written);
	RUN(test_online_tag_taken_away_before_the_answer);
	RUN(test_online_refusal_owes_nothing);
	RUN(test_debt_from_before_a_restart_written_first);
	RUN(test_ten_tag_stack_in_one_commit);
	RUN(test_stack_within_the_offline_limit);
	RUN(test_stack_refused_by_the_store_writes_nothing);
	RUN(test_returns_stack_in_one_commit);
	RUN(test_returns_stack_one_write_refused);
	RUN(test_online_stack_written_while_the_ils_answers);
	RUN(test_online_returns_one_at_a_time);
	return testlib_finish();
}
