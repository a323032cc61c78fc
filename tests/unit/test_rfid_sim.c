/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rfid device class: the field's debounce on its own, the "tag" sim
 * commands, and the simulated pad on a fake clock driven through a real sim
 * socket (place, remove, debounce, the inventory interval, operations and
 * their faults), and the NULL-safe wrapper.
 *
 * Test tags: UIDs are E0 and 15 hex digits, the form Biblio-RFID's
 * scripts/RFID-JSONP-server.pl (Dobrica Pavlinusic) matches ISO 15693 tags
 * by (m/^(E[0-9A-F]{15})$/); that script secures and unsecures tags with
 * AFI D7 and DA. AFI 07 / C2 are the values the issue names for on-shelf
 * and lent items. Memory contents are made up: the pad does not decode them.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../hal/hal.h"
#include "../../hal/rfid-field.h"
#include "../../hal/rfid.h"
#include "../../hal/sim.h"
#include "sim_client.h"
#include "testlib.h"

#define UID_A "E004010012345678"
#define UID_B "E0040100ABCDEF01"
/* two 4-byte blocks */
#define PLACE_A "tag item_pad place " UID_A " 00 07 1 4 1122334455667788"

static const uint8_t uid_a[RFID_UID_LEN] = { 0xe0, 0x04, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78 };
static const uint8_t uid_b[RFID_UID_LEN] = { 0xe0, 0x04, 0x01, 0x00, 0xab, 0xcd, 0xef, 0x01 };

/* ---- the field on its own ---- */

static struct rfid_tag make_tag(const uint8_t uid[RFID_UID_LEN])
{
	struct rfid_tag t = { .reader = "pad" };

	memcpy(t.uid, uid, RFID_UID_LEN);
	return t;
}

static int lefts;
static uint8_t left_uid[RFID_UID_LEN];

static void count_left(void *data, const struct rfid_tag *tag)
{
	lefts++;
	memcpy(left_uid, tag->uid, RFID_UID_LEN);
}

static void round_with(struct rfid_field *f, const struct rfid_tag *tags, size_t n, int *new_tags)
{
	rfid_field_round_begin(f);
	for (size_t i = 0; i < n; i++)
		if (rfid_field_seen(f, &tags[i]) == 1)
			(*new_tags)++;
	rfid_field_round_end(f, count_left, NULL);
}

static void test_field_debounce(void)
{
	struct rfid_field f = { 0 };
	struct rfid_tag both[2] = { make_tag(uid_a), make_tag(uid_b) };
	int arrived = 0;

	lefts = 0;
	round_with(&f, both, 2, &arrived);
	CHECK_INT(arrived, 2);
	/* staying: not reported again */
	round_with(&f, both, 2, &arrived);
	CHECK_INT(arrived, 2);
	/* b misses one round: still there */
	round_with(&f, both, 1, &arrived);
	CHECK_INT(lefts, 0);
	CHECK_INT(f.n, 2);
	round_with(&f, both, 2, &arrived);
	CHECK_INT(arrived, 2);
	/* b misses two rounds in a row: gone, once */
	round_with(&f, both, 1, &arrived);
	round_with(&f, both, 1, &arrived);
	CHECK_INT(lefts, 1);
	CHECK(memcmp(left_uid, uid_b, RFID_UID_LEN) == 0);
	round_with(&f, both, 1, &arrived);
	CHECK_INT(lefts, 1);
	CHECK(rfid_field_find(&f, uid_a) != NULL);
	CHECK(rfid_field_find(&f, uid_b) == NULL);
	/* back: a new arrival */
	round_with(&f, both, 2, &arrived);
	CHECK_INT(arrived, 3);
	rfid_field_clear(&f, count_left, NULL);
	CHECK_INT(lefts, 3);
	CHECK_INT(f.n, 0);
}

static void test_field_full(void)
{
	struct rfid_field f = { 0 };
	struct rfid_tag t = make_tag(uid_a);

	rfid_field_round_begin(&f);
	for (unsigned i = 0; i < RFID_FIELD_MAX; i++) {
		t.uid[7] = (uint8_t)i;
		CHECK_INT(rfid_field_seen(&f, &t), 1);
	}
	t.uid[7] = 0xff;
	CHECK_INT(rfid_field_seen(&f, &t), -ENOSPC);
	t.uid[7] = 3;
	CHECK_INT(rfid_field_seen(&f, &t), 0);
	rfid_field_round_end(&f, NULL, NULL);
	CHECK_INT(f.n, RFID_FIELD_MAX);
}

static void test_uid_text(void)
{
	uint8_t uid[RFID_UID_LEN];
	char hex[RFID_UID_HEX_LEN + 1];

	CHECK_INT(rfid_uid_parse(UID_A, 16, uid), 0);
	CHECK(memcmp(uid, uid_a, RFID_UID_LEN) == 0);
	rfid_uid_format(uid, hex);
	CHECK_STR(hex, UID_A);
	CHECK_INT(rfid_uid_parse("e0040100abcdef01", 16, uid), 0);
	CHECK(memcmp(uid, uid_b, RFID_UID_LEN) == 0);
	CHECK_INT(rfid_uid_parse("E00401001234567", 15, uid), -EINVAL);
	CHECK_INT(rfid_uid_parse("E00401001234567G", 16, uid), -EINVAL);
	CHECK(memcmp(uid, uid_b, RFID_UID_LEN) == 0); /* untouched on error */
	CHECK_STR(rfid_eas_name(RFID_EAS_ON), "on");
	CHECK_STR(rfid_eas_name(RFID_EAS_OFF), "off");
	CHECK_STR(rfid_eas_name((enum rfid_eas)9), "unknown");
}

/* ---- the tag commands ---- */

static void check_refused(const char *line, const char *reason)
{
	struct sim_command cmd;

	sim_expect_refused(line, false, reason, &cmd);
	CHECK_STR(cmd.target, "");
}

static void test_parse_tag(void)
{
	struct sim_command cmd;
	const char *why = "unset";

	CHECK_INT(sim_parse_line(PLACE_A, false, &cmd, &why), 0);
	CHECK(why == NULL);
	CHECK_INT(cmd.cmd, SIM_CMD_TAG);
	CHECK_STR(cmd.target, "item_pad");
	CHECK_INT(cmd.tag_action, SIM_TAG_PLACE);
	CHECK(memcmp(cmd.tag.uid, uid_a, RFID_UID_LEN) == 0);
	CHECK_INT(cmd.tag.dsfid, 0);
	CHECK_INT(cmd.tag.afi, 0x07);
	CHECK(cmd.tag.eas);
	CHECK_INT(cmd.tag.block_size, 4);
	CHECK_INT(cmd.tag.mem_len, 8);
	CHECK_INT(cmd.tag.mem[0], 0x11);
	CHECK_INT(cmd.tag.mem[7], 0x88);
	CHECK_STR(cmd.text, "");

	CHECK_INT(sim_parse_line("tag front place " UID_B " 3e DA 0 1 aB", false, &cmd, NULL), 0);
	CHECK_STR(cmd.target, "front");
	CHECK_INT(cmd.tag.dsfid, 0x3e);
	CHECK_INT(cmd.tag.afi, 0xda);
	CHECK(!cmd.tag.eas);
	CHECK_INT(cmd.tag.mem_len, 1);
	CHECK_INT(cmd.tag.mem[0], 0xab);

	CHECK_INT(sim_parse_line("tag pad remove " UID_A, false, &cmd, NULL), 0);
	CHECK_INT(cmd.tag_action, SIM_TAG_REMOVE);
	CHECK(memcmp(cmd.tag.uid, uid_a, RFID_UID_LEN) == 0);
	CHECK_INT(sim_parse_line("tag pad fault crc", false, &cmd, NULL), 0);
	CHECK_INT(cmd.tag_action, SIM_TAG_FAULT);
	CHECK_INT(cmd.fault, SIM_FAULT_CRC);
	CHECK_INT(sim_parse_line("tag pad fault none", false, &cmd, NULL), 0);
	CHECK_INT(cmd.fault, SIM_FAULT_NONE);
	CHECK_INT(sim_parse_line("tag pad fault miss", false, &cmd, NULL), 0);
	CHECK_INT(cmd.fault, SIM_FAULT_MISS);

	check_refused("tag", "usage: tag <reader> place|remove|fault ...");
	check_refused("tag pad", "usage: tag <reader> place|remove|fault ...");
	check_refused("tag pad lift " UID_A, "usage: tag <reader> place|remove|fault ...");
	check_refused("tag pad remove E0040100", "uid: 16 hex digits");
	check_refused("tag pad remove " UID_A " x", "usage: tag <reader> remove <uid>");
	check_refused("tag pad fault fire",
		      "usage: tag <reader> fault none|leave|refuse|crc|timeout|miss");
	check_refused("tag pad place " UID_A " 0 07 1 4 11223344", "dsfid: 2 hex digits");
	check_refused("tag pad place " UID_A " 00 7g 1 4 11223344", "afi: 2 hex digits");
	check_refused("tag pad place " UID_A " 00 07 2 4 11223344", "eas: 0 or 1");
	check_refused("tag pad place " UID_A " 00 07 1 0 11223344", "block size: 1 to 32");
	check_refused("tag pad place " UID_A " 00 07 1 33 11223344", "block size: 1 to 32");
	check_refused("tag pad place " UID_A " 00 07 1 4 112233", "memory: whole blocks");
	check_refused("tag pad place " UID_A " 00 07 1 4 1122334", "memory: hex bytes");
	check_refused("tag pad place " UID_A " 00 07 1 4 112233zz", "memory: hex bytes");
	check_refused("tag pad place " UID_A " 00 07 1 4",
		      "usage: tag <reader> place <uid> <dsfid> <afi> <eas> <block size> <memory>");
	check_refused("tag pad place " UID_A " 00 07 1 4 11223344 ",
		      "usage: tag <reader> place <uid> <dsfid> <afi> <eas> <block size> <memory>");
	check_refused("tag aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa fault none",
		      "unknown reader");
}

/* ---- the simulated pad through a real sim socket, on the fake clock ---- */

struct seen {
	int arrived, left;
	struct rfid_tag last_arrived, last_left;
	int done;
	struct rfid_reply reply;
	uint8_t reply_data[RFID_MEM_MAX];
};

struct rig {
	char dir[64];
	char path[96];
	struct loop *loop;
	struct hal_env env;
	struct sim_channel *ch;
	struct board *board;
	struct rfid_reader *pad, *desk;
	struct seen pad_seen, desk_seen;
	struct sim_client client;
};

static void on_arrived(void *data, const struct rfid_tag *tag)
{
	struct seen *s = data;

	s->arrived++;
	s->last_arrived = *tag;
}

static void on_left(void *data, const struct rfid_tag *tag)
{
	struct seen *s = data;

	s->left++;
	s->last_left = *tag;
}

static const struct rfid_events events = { .arrived = on_arrived, .left = on_left };

static void on_done(void *data, const struct rfid_reply *reply)
{
	struct seen *s = data;

	s->done++;
	s->reply = *reply;
	if (reply->data) {
		memcpy(s->reply_data, reply->data, reply->len);
		s->reply.data = s->reply_data;
	}
}

static const char rig_board[] = "[rfid pad]\nrole = item_pad\nprotocol = sim\n"
				"[rfid desk]\nrole = patron_reader\nprotocol = sim\n"
				"idle_inventory_ms = 0\n";

static bool rig_open(struct rig *r)
{
	struct file_error err = { 0 };

	memset(r, 0, sizeof(*r));
	r->client.fd = -1;
	snprintf(r->dir, sizeof(r->dir), "/tmp/circd-test-rfid-XXXXXX");
	if (!mkdtemp(r->dir)) {
		CHECK(!"mkdtemp");
		return false;
	}
	snprintf(r->path, sizeof(r->path), "%s/sim.sock", r->dir);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	CHECK_INT(sim_channel_new(r->loop, r->path, false, &r->ch), 0);
	r->env.loop = r->loop;
	CHECK_INT(board_parse(rig_board, "rfid.ini", &r->board, &err), 0);
	if (!r->ch || !r->board)
		return false;
	CHECK(sim_channel_needed(r->board));
	CHECK_INT(rfid_open(&r->env, r->board, &r->board->rfids[0], &events, &r->pad_seen,
			    &r->pad, &err), 0);
	CHECK_INT(rfid_open(&r->env, r->board, &r->board->rfids[1], &events, &r->desk_seen,
			    &r->desk, &err), 0);
	/* The readers copy what they keep. */
	board_free(r->board);
	r->board = NULL;
	CHECK_INT(sim_client_connect_raw(&r->client, r->path), 0);
	return r->pad && r->desk && r->client.fd >= 0;
}

static void rig_close(struct rig *r)
{
	rfid_close(r->desk);
	rfid_close(r->pad);
	sim_client_close(&r->client);
	sim_channel_free(r->ch);
	board_free(r->board);
	loop_free(r->loop);
	rmdir(r->dir);
}

/* The next line from the channel, pumping the loop; "" after 2 s without one. */
static void read_line(struct rig *r, char *line, size_t size)
{
	if (!sim_client_read_line(&r->client, r->loop, line, size))
		line[0] = '\0';
}

/* Sends a command and returns its answer ("ok" or "error ..."), skipping "hello". */
static void command(struct rig *r, const char *cmd, char *answer, size_t size)
{
	char line[1024];

	snprintf(line, sizeof(line), "%s\n", cmd);
	sim_client_send(&r->client, line);
	for (;;) {
		read_line(r, answer, size);
		if (strcmp(answer, "hello circd") != 0)
			return;
	}
}

static void command_ok(struct rig *r, const char *cmd)
{
	char answer[256];

	command(r, cmd, answer, sizeof(answer));
	CHECK_STR(answer, "ok");
	if (strcmp(answer, "ok") != 0)
		fprintf(stderr, "  command was \"%s\"\n", cmd);
}

static void advance(struct rig *r, uint64_t ms)
{
	CHECK_INT(loop_advance(r->loop, ms), 0);
}

static void test_place_and_remove(void)
{
	struct rig r;
	struct rfid_status st;
	char uid[RFID_UID_HEX_LEN + 1];

	if (!rig_open(&r))
		goto out;
	rfid_set_active(r.pad, true);
	command_ok(&r, PLACE_A);
	advance(&r, 149);
	CHECK_INT(r.pad_seen.arrived, 0);
	advance(&r, 1);
	CHECK_INT(r.pad_seen.arrived, 1);
	CHECK_INT(r.desk_seen.arrived, 0);
	rfid_uid_format(r.pad_seen.last_arrived.uid, uid);
	CHECK_STR(uid, UID_A);
	CHECK_STR(r.pad_seen.last_arrived.reader, "pad");
	CHECK(r.pad_seen.last_arrived.for_items && !r.pad_seen.last_arrived.for_patrons);
	CHECK(r.pad_seen.last_arrived.has_dsfid && r.pad_seen.last_arrived.has_afi);
	CHECK_INT(r.pad_seen.last_arrived.afi, 0x07);
	CHECK_INT(r.pad_seen.last_arrived.eas, RFID_EAS_ON);
	CHECK_INT(r.pad_seen.last_arrived.block_size, 4);
	CHECK_INT(r.pad_seen.last_arrived.mem_len, 8);
	CHECK_INT(r.pad_seen.last_arrived.mem[4], 0x55);

	/* a tag that stays is not reported again */
	advance(&r, 150 * 10);
	CHECK_INT(r.pad_seen.arrived, 1);
	rfid_status(r.pad, &st);
	CHECK_STR(st.name, "pad");
	CHECK_STR(st.protocol, "sim");
	CHECK(st.attached);
	CHECK_INT(st.tags_in_field, 1);
	CHECK_INT(st.arrivals, 1);

	/* taken off: gone after two rounds without it */
	command_ok(&r, "tag pad remove " UID_A);
	advance(&r, 150);
	CHECK_INT(r.pad_seen.left, 0);
	advance(&r, 150);
	CHECK_INT(r.pad_seen.left, 1);
	rfid_uid_format(r.pad_seen.last_left.uid, uid);
	CHECK_STR(uid, UID_A);
	advance(&r, 150 * 10);
	CHECK_INT(r.pad_seen.left, 1);
	rfid_status(r.pad, &st);
	CHECK_INT(st.tags_in_field, 0);

	/* lifted and put back between two rounds: nothing to report */
	command_ok(&r, PLACE_A);
	advance(&r, 150);
	CHECK_INT(r.pad_seen.arrived, 2);
	command_ok(&r, "tag pad remove " UID_A);
	advance(&r, 100);
	command_ok(&r, PLACE_A);
	advance(&r, 150 * 4);
	CHECK_INT(r.pad_seen.arrived, 2);
	CHECK_INT(r.pad_seen.left, 1);
out:
	rig_close(&r);
}

static void test_one_missed_round(void)
{
	struct rig r;
	char answer[256];

	if (!rig_open(&r))
		goto out;
	rfid_set_active(r.pad, true);
	command_ok(&r, PLACE_A);
	command_ok(&r, "tag pad place " UID_B " 00 C2 0 4 00000000");
	advance(&r, 150);
	CHECK_INT(r.pad_seen.arrived, 2);
	command_ok(&r, "tag pad fault miss");
	advance(&r, 150);
	CHECK_INT(r.pad_seen.left, 0);
	advance(&r, 150 * 5);
	CHECK_INT(r.pad_seen.left, 0);
	CHECK_INT(r.pad_seen.arrived, 2);
	command(&r, "tag pad remove " UID_A "", answer, sizeof(answer));
	CHECK_STR(answer, "ok");
	command(&r, "tag pad remove " UID_A, answer, sizeof(answer));
	CHECK_STR(answer, "error No such process");
out:
	rig_close(&r);
}

static void test_routing(void)
{
	struct rig r;
	char answer[256];

	if (!rig_open(&r))
		goto out;
	rfid_set_active(r.pad, true);
	rfid_set_active(r.desk, true);
	command_ok(&r, "tag patron_reader place " UID_B " 00 00 0 4 31323334");
	command_ok(&r, "tag desk place " UID_A " 00 00 0 4 31323334");
	command(&r, "tag nobody place " UID_A " 00 00 0 4 31323334", answer, sizeof(answer));
	CHECK_STR(answer, "error No such file or directory");
	command(&r, "tag bin_full fault none", answer, sizeof(answer));
	CHECK_STR(answer, "error No such file or directory");
	advance(&r, 150);
	CHECK_INT(r.desk_seen.arrived, 2);
	CHECK_INT(r.pad_seen.arrived, 0);
	CHECK(r.desk_seen.last_arrived.for_patrons && !r.desk_seen.last_arrived.for_items);
	CHECK_STR(r.desk_seen.last_arrived.reader, "desk");
out:
	rig_close(&r);
}

static void test_activity_interval(void)
{
	struct rig r;

	if (!rig_open(&r))
		goto out;
	/* idle: the pad looks once a second, the desk (idle_inventory_ms = 0) not at all */
	command_ok(&r, PLACE_A);
	command_ok(&r, "tag desk place " UID_B " 00 00 0 4 31323334");
	advance(&r, 150);
	CHECK_INT(r.pad_seen.arrived, 0);
	advance(&r, 849);
	CHECK_INT(r.pad_seen.arrived, 0);
	advance(&r, 1);
	CHECK_INT(r.pad_seen.arrived, 1);
	advance(&r, 5000);
	CHECK_INT(r.desk_seen.arrived, 0);
	/* a session starts: the next round within 150 ms */
	rfid_set_active(r.desk, true);
	advance(&r, 150);
	CHECK_INT(r.desk_seen.arrived, 1);
	/* back to idle: a removed tag takes two idle rounds to leave */
	rfid_set_active(r.pad, true);
	rfid_set_active(r.pad, false);
	command_ok(&r, "tag pad remove " UID_A);
	advance(&r, 1000);
	CHECK_INT(r.pad_seen.left, 0);
	advance(&r, 1000);
	CHECK_INT(r.pad_seen.left, 1);
out:
	rig_close(&r);
}

/* Runs op on tag A and returns its result, checking done comes on the loop only. */
static int run_op(struct rig *r, int kind, uint8_t value)
{
	static const uint8_t block1[4] = { 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t both[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	int done = r->pad_seen.done;
	int rc;

	switch (kind) {
	case 0:
		rc = rfid_write_afi(r->pad, uid_a, value, on_done, &r->pad_seen);
		break;
	case 1:
		rc = rfid_set_eas(r->pad, uid_a, value, on_done, &r->pad_seen);
		break;
	case 2:
		rc = rfid_write_blocks(r->pad, uid_a, 1, block1, 4, on_done, &r->pad_seen);
		break;
	case 3:
		rc = rfid_write_blocks(r->pad, uid_a, 0, both, 8, on_done, &r->pad_seen);
		break;
	default:
		rc = rfid_read_blocks(r->pad, uid_a, 0, 2, on_done, &r->pad_seen);
		break;
	}
	CHECK_INT(rc, 0);
	CHECK_INT(r->pad_seen.done, done);
	advance(r, 10);
	CHECK_INT(r->pad_seen.done, done + 1);
	return r->pad_seen.reply.result;
}

static void read_back(struct rig *r, const char *hex)
{
	char got[2 * 8 + 1];

	CHECK_INT(run_op(r, 4, 0), 0);
	CHECK_INT(r->pad_seen.reply.len, 8);
	for (size_t i = 0; i < 8 && i < r->pad_seen.reply.len; i++)
		snprintf(got + 2 * i, 3, "%02X", r->pad_seen.reply.data[i]);
	got[16] = '\0';
	CHECK_STR(got, hex);
}

static void test_operations(void)
{
	struct rig r;
	struct rfid_status st;
	char line[1024];
	uint8_t two[8] = { 0 };

	if (!rig_open(&r))
		goto out;
	rfid_set_active(r.pad, true);
	command_ok(&r, PLACE_A);
	advance(&r, 150);

	CHECK_INT(run_op(&r, 0, 0xc2), 0);
	CHECK_INT(r.pad_seen.reply.op, RFID_OP_WRITE_AFI);
	CHECK(memcmp(r.pad_seen.reply.uid, uid_a, RFID_UID_LEN) == 0);
	read_line(&r, line, sizeof(line));
	CHECK_STR(line, "rfid " UID_A " afi 0xC2");
	CHECK_INT(run_op(&r, 1, 0), 0);
	read_line(&r, line, sizeof(line));
	CHECK_STR(line, "rfid " UID_A " eas 0");
	CHECK_INT(run_op(&r, 2, 0), 0);
	CHECK_INT(r.pad_seen.reply.first_block, 1);
	CHECK_INT(r.pad_seen.reply.block_size, 4);
	read_line(&r, line, sizeof(line));
	CHECK_STR(line, "rfid " UID_A " write 1 DEADBEEF");
	read_back(&r, "11223344DEADBEEF");

	/* one at a time */
	CHECK_INT(rfid_write_afi(r.pad, uid_a, 0x07, on_done, &r.pad_seen), 0);
	CHECK_INT(rfid_set_eas(r.pad, uid_a, true, on_done, &r.pad_seen), -EBUSY);
	advance(&r, 10);
	read_line(&r, line, sizeof(line));
	CHECK_STR(line, "rfid " UID_A " afi 0x07");
	/* blocks the tag does not have, or not whole ones */
	CHECK_INT(rfid_read_blocks(r.pad, uid_a, 1, 2, on_done, &r.pad_seen), -EINVAL);
	CHECK_INT(rfid_write_blocks(r.pad, uid_a, 0, two, 3, on_done, &r.pad_seen), -EINVAL);
	CHECK_INT(rfid_write_blocks(r.pad, uid_a, 2, two, 4, on_done, &r.pad_seen), -EINVAL);
	/* a tag that is not there */
	CHECK_INT(rfid_write_afi(r.pad, uid_b, 0x07, on_done, &r.pad_seen), 0);
	advance(&r, 10);
	CHECK_INT(r.pad_seen.reply.result, -ENODEV);

	/* write refused: nothing changes */
	command_ok(&r, "tag pad fault refuse");
	CHECK_INT(run_op(&r, 3, 0), -EIO);
	read_back(&r, "11223344DEADBEEF");
	/* timeout: nothing done */
	command_ok(&r, "tag pad fault timeout");
	CHECK_INT(run_op(&r, 0, 0xc2), -ETIMEDOUT);
	/* CRC error in the reply: the write was done, the reply spoiled */
	command_ok(&r, "tag pad fault crc");
	CHECK_INT(run_op(&r, 3, 0), -EBADMSG);
	read_line(&r, line, sizeof(line));
	CHECK_STR(line, "rfid " UID_A " write 0 0102030405060708");
	read_back(&r, "0102030405060708");
	command_ok(&r, "tag pad fault crc");
	command_ok(&r, "tag pad fault none");
	CHECK_INT(run_op(&r, 1, 1), 0);
	read_line(&r, line, sizeof(line));
	CHECK_STR(line, "rfid " UID_A " eas 1");
	rfid_status(r.pad, &st);
	CHECK_INT(st.ops, 12);
	CHECK_INT(st.ops_failed, 4);
	CHECK_STR(st.last_error, "write blocks on " UID_A ": Bad message");

	/* the tag leaves mid-write: its first block is written, then it is gone */
	command_ok(&r, "tag pad fault leave");
	memset(two, 0xaa, sizeof(two));
	CHECK_INT(rfid_write_blocks(r.pad, uid_a, 0, two, 8, on_done, &r.pad_seen), 0);
	advance(&r, 10);
	CHECK_INT(r.pad_seen.reply.result, -ENODEV);
	read_line(&r, line, sizeof(line));
	CHECK_STR(line, "rfid " UID_A " write 0 AAAAAAAA");
	CHECK_INT(r.pad_seen.left, 0);
	advance(&r, 300);
	CHECK_INT(r.pad_seen.left, 1);
	CHECK_INT(run_op(&r, 0, 0x07), -ENODEV);
out:
	rig_close(&r);
}

static void test_wrapper_null_and_unbuilt(void)
{
	struct rfid_status st;
	struct file_error err = { 0 };
	struct board *b = NULL;
	struct rfid_reader *reader = (struct rfid_reader *)&err;
	struct loop *loop = NULL;
	struct hal_env env = { 0 };

	rfid_close(NULL);
	rfid_set_active(NULL, true);
	CHECK_INT(rfid_write_afi(NULL, uid_a, 0x07, on_done, NULL), -ENODEV);
	CHECK_INT(rfid_set_eas(NULL, uid_a, true, on_done, NULL), -ENODEV);
	CHECK_INT(rfid_read_blocks(NULL, uid_a, 0, 1, on_done, NULL), -ENODEV);
	CHECK_INT(rfid_write_blocks(NULL, uid_a, 0, uid_a, 8, on_done, NULL), -ENODEV);
	memset(&st, 0x55, sizeof(st));
	rfid_status(NULL, &st);
	CHECK_STR(st.name, "");
	CHECK(!st.attached);
	CHECK(hal_rfid_backend("sim") == &rfid_sim_ops);
	CHECK(hal_rfid_backend("feig") == &rfid_feig_ops);
	CHECK(hal_rfid_backend(NULL) == NULL);

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	env.loop = loop;
	CHECK_INT(board_parse("[board]\n[rfid pad]\nrole = item_pad\nprotocol = feig\n"
			      "device = /dev/ttyS1\n",
			      "f.ini", &b, &err),
		  0);
	if (b) {
		/* a protocol no backend of this build speaks (every named one has one now) */
		b->rfids[0].protocol = (enum board_rfid_protocol)-1;
		CHECK_INT(rfid_open(&env, b, &b->rfids[0], &events, NULL, &reader, &err), -ENOENT);
		CHECK(reader == NULL);
		CHECK_INT(err.line, 2);
		CHECK_STR(err.msg, "[rfid pad] protocol = none: not supported by this build");
	}
	board_free(b);
	/* the sim pad without a sim channel */
	CHECK_INT(board_parse("[rfid pad]\nrole = item_pad\nprotocol = sim\n", "s.ini", &b, &err),
		  0);
	if (b) {
		CHECK_INT(rfid_open(&env, b, &b->rfids[0], &events, NULL, &reader, &err), -EINVAL);
		CHECK_STR(err.msg, "[rfid pad] protocol = sim needs the sim channel");
	}
	board_free(b);
	loop_free(loop);
}

int main(void)
{
	RUN(test_field_debounce);
	RUN(test_field_full);
	RUN(test_uid_text);
	RUN(test_parse_tag);
	RUN(test_place_and_remove);
	RUN(test_one_missed_round);
	RUN(test_routing);
	RUN(test_activity_interval);
	RUN(test_operations);
	RUN(test_wrapper_null_and_unbuilt);
	return testlib_finish();
}
