/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 3M / Bibliotheca 810 backend (hal/rfid-3m.c), two ways.
 *
 * On the fake clock, the test plays the pad itself on a pseudo-terminal, one
 * frame at a time (built with hal/m3-frame.h; the probe's answers are the
 * captured ones): the pace of rounds, operations queued behind a round,
 * timeouts, late answers, broken frames and noise.
 *
 * Against the pad emulator, tests/rfid/m3_emu.py, on a pseudo-terminal:
 * tests/rfid/m3_helper.py serves it, points a symlink (the board's device)
 * at its pty, and takes commands
 * (tags, faults, unplug) on a pipe. The loop runs on the real clock, as the
 * emulator does; every wait has a generous deadline and nothing asserts on
 * how long anything took. Without python3 the tests say so and skip.
 *
 * Test tags: UIDs E0 04 01 ... as the frames captured from a real 810 show
 * them (E00401003123AA26 and the card E0040100017C0C38, Biblio-RFID's
 * 3m-810.pl capture script, Dobrica Pavlinusic, github.com/dpavlin/Biblio-RFID);
 * block counts after Biblio-RFID's 3M810.pm ("cards 16, stickers: 8"). AFI
 * 07 / C2 are ISO 28560's on-shelf and lent values; D7 / DA what that
 * driver writes. Memory contents are made up: the backend does not decode them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../hal/hal.h"
#include "../../hal/m3-frame.h"
#include "../../hal/rfid.h"
#include "rfid_chain.h"
#include "testlib.h"

#define STICKER "E00401003123AA26"
#define CARD "E0040100017C0C38"
#define BIG "E004010011223344"
#define WAIT_MS 15000 /* for anything; it normally takes a few rounds of 50 ms */

static const uint8_t sticker[RFID_UID_LEN] = { 0xe0, 0x04, 0x01, 0x00, 0x31, 0x23, 0xaa, 0x26 };
static const uint8_t card[RFID_UID_LEN] = { 0xe0, 0x04, 0x01, 0x00, 0x01, 0x7c, 0x0c, 0x38 };
static const uint8_t big[RFID_UID_LEN] = { 0xe0, 0x04, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44 };

#define EVENTS_MAX 16

struct result {
	int calls;
	struct rfid_reply reply;
	uint8_t data[RFID_MEM_MAX];
};

struct pad {
	pid_t helper;
	FILE *to, *from;
	char dir[64], link[96];
	struct loop *loop;
	struct board *board;
	struct rfid_reader *reader;
	struct rfid_tag arrived[EVENTS_MAX], left[EVENTS_MAX];
	int n_arrived, n_left, attached_events, detached_events;
	char reports[32][160];
	int n_reports;
};

/* ---- the helper ---- */

static int helper_start(struct pad *p)
{
	int in[2], out[2];
	char line[256];

	snprintf(p->dir, sizeof(p->dir), "/tmp/circd-m3-XXXXXX");
	if (!mkdtemp(p->dir))
		return -errno;
	snprintf(p->link, sizeof(p->link), "%s/ttyM3", p->dir);
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -errno;
	}
	p->helper = fork();
	if (p->helper == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execlp("python3", "python3", "tests/rfid/m3_helper.py", p->link, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->to = fdopen(in[1], "w");
	p->from = fdopen(out[0], "r");
	if (p->helper < 0 || !p->to || !p->from || !fgets(line, sizeof(line), p->from) ||
	    strncmp(line, "ready ", 6) != 0)
		return -ENOENT;
	return 0;
}

/* One command; its answer's text after "ok " goes to answer (may be NULL). 0, or -1 on "error". */
static int helper(struct pad *p, char *answer, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int helper(struct pad *p, char *answer, size_t size, const char *fmt, ...)
{
	char line[2 * RFID_MEM_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(p->to, fmt, ap);
	va_end(ap);
	fputc('\n', p->to);
	fflush(p->to);
	if (!fgets(line, sizeof(line), p->from) || strncmp(line, "ok", 2) != 0) {
		fprintf(stderr, "helper: %s", line);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	if (answer && size) {
		size_t n = line[2] ? strlen(line + 3) : 0;

		if (n >= size)
			n = size - 1;
		memcpy(answer, line + 3, n);
		answer[n] = '\0';
	}
	return 0;
}

static unsigned helper_requests(struct pad *p, const char *cmd)
{
	char n[32] = "0";

	helper(p, n, sizeof(n), "requests %s", cmd);
	return (unsigned)atoi(n);
}

/* ---- the reader ---- */

static void on_arrived(void *data, const struct rfid_tag *tag)
{
	struct pad *p = data;

	if (p->n_arrived < EVENTS_MAX)
		p->arrived[p->n_arrived] = *tag;
	p->n_arrived++;
}

static void on_left(void *data, const struct rfid_tag *tag)
{
	struct pad *p = data;

	if (p->n_left < EVENTS_MAX)
		p->left[p->n_left] = *tag;
	p->n_left++;
}

static void on_device(void *data, const struct rfid_status *st)
{
	struct pad *p = data;

	if (st->attached)
		p->attached_events++;
	else
		p->detached_events++;
}

static void on_report(void *data, enum hal_level level, const char *msg)
{
	struct pad *p = data;

	if (p->n_reports < 32)
		snprintf(p->reports[p->n_reports++], sizeof(p->reports[0]), "%s", msg);
}

static bool reported(const struct pad *p, const char *what)
{
	for (int i = 0; i < p->n_reports && i < 32; i++)
		if (strstr(p->reports[i], what))
			return true;
	return false;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs the loop until *counter reaches want (or the deadline); true if it did. */
static bool run_until(struct pad *p, const int *counter, int want)
{
	uint64_t deadline = now_ms() + WAIT_MS;

	while (*counter < want && now_ms() < deadline)
		loop_run_once(p->loop, 50);
	return *counter >= want;
}

/* Lets the reader run a few more inventory rounds. */
static void run_rounds(struct pad *p, unsigned rounds)
{
	unsigned start = helper_requests(p, "FE");
	uint64_t deadline = now_ms() + WAIT_MS;

	while (helper_requests(p, "FE") < start + rounds && now_ms() < deadline)
		loop_run_once(p->loop, 50);
}

static bool pad_open(struct pad *p)
{
	static const struct rfid_events events = {
		.arrived = on_arrived, .left = on_left, .device = on_device,
	};
	struct hal_env env = { .report = on_report };
	struct file_error err = { 0 };
	char text[256];

	memset(p, 0, sizeof(*p));
	if (helper_start(p) < 0) {
		printf("skip: python3 tests/rfid/m3_helper.py did not start (run from the top "
		       "directory, with python3 installed)\n");
		return false;
	}
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &p->loop), 0);
	env.loop = p->loop;
	env.report_data = p;
	snprintf(text, sizeof(text),
		 "[rfid pad]\nrole = item_pad\nprotocol = 3m\ndevice = %s\ninventory_ms = 50\n",
		 p->link);
	CHECK_INT(board_parse(text, "m3.ini", &p->board, &err), 0);
	CHECK_INT(rfid_open(&env, p->board, &p->board->rfids[0], &events, p, &p->reader, &err), 0);
	rfid_set_active(p->reader, true);
	CHECK(run_until(p, &p->attached_events, 1));
	return p->reader != NULL;
}

static void pad_close(struct pad *p)
{
	int status;

	rfid_close(p->reader);
	board_free(p->board);
	loop_free(p->loop);
	if (p->to) {
		fputs("quit\n", p->to);
		fclose(p->to);
	}
	if (p->from)
		fclose(p->from);
	if (p->helper > 0)
		waitpid(p->helper, &status, 0);
	unlink(p->link);
	rmdir(p->dir);
}

static void on_done(void *data, const struct rfid_reply *reply)
{
	struct result *r = data;

	r->calls++;
	r->reply = *reply;
	if (reply->data) {
		memcpy(r->data, reply->data, reply->len);
		r->reply.data = r->data;
	}
}

/* An operation's result once its done callback has run, or 1 if it never did. */
static int finish(struct pad *p, struct result *r)
{
	if (!run_until(p, &r->calls, 1))
		return 1;
	return r->reply.result;
}

static const struct rfid_tag *arrival(const struct pad *p, const uint8_t uid[RFID_UID_LEN])
{
	for (int i = 0; i < p->n_arrived && i < EVENTS_MAX; i++)
		if (memcmp(p->arrived[i].uid, uid, RFID_UID_LEN) == 0)
			return &p->arrived[i];
	return NULL;
}

/* ---- the tests ---- */

/* pad_open(), and STICKER (8 blocks, this AFI) arrived; false (the pad closed) if it could not. */
static bool pad_open_with_sticker(struct pad *p, const char *afi_hex)
{
	if (!pad_open(p)) {
		pad_close(p);
		return false;
	}
	CHECK_INT(helper(p, NULL, 0, "place %s 8 %s", STICKER, afi_hex), 0);
	CHECK(run_until(p, &p->n_arrived, 1));
	return true;
}

static void test_arrive_and_leave(void)
{
	static const uint8_t sticker_mem[8] = { 0x11, 0x01, 0x01, 0x31, 0x32, 0x33, 0x34, 0x35 };
	struct pad p;
	struct rfid_status st;
	const struct rfid_tag *t;

	if (!pad_open(&p)) {
		pad_close(&p);
		return;
	}
	CHECK(reported(&p, "hardware version 10.5.0.2 attached on"));
	CHECK_INT(helper(&p, NULL, 0, "place %s 8 07 1101013132333435", STICKER), 0);
	/* 16 blocks: two read requests; 200 blocks: more than RFID_MEM_MAX, read that far */
	CHECK_INT(helper(&p, NULL, 0, "place %s 16 C2 CAFE", CARD), 0);
	CHECK_INT(helper(&p, NULL, 0, "place %s 200 D7", BIG), 0);
	CHECK(run_until(&p, &p.n_arrived, 3));
	t = arrival(&p, sticker);
	CHECK(t != NULL);
	if (t) {
		CHECK_STR(t->reader, "pad");
		CHECK(t->for_items && !t->for_patrons);
		CHECK(!t->has_dsfid); /* the 810 has no command that reads it */
		CHECK(t->has_afi);
		CHECK_INT(t->afi, 0x07);
		CHECK_INT(t->eas, RFID_EAS_UNKNOWN);
		CHECK_INT(t->block_size, 4);
		CHECK_INT(t->mem_len, 32);
		CHECK(memcmp(t->mem, sticker_mem, sizeof(sticker_mem)) == 0);
	}
	t = arrival(&p, card);
	CHECK(t != NULL);
	if (t) {
		CHECK_INT(t->afi, 0xC2);
		CHECK_INT(t->mem_len, 64);
		CHECK(t->mem[0] == 0xCA && t->mem[1] == 0xFE && t->mem[2] == 0);
	}
	t = arrival(&p, big);
	CHECK(t != NULL);
	if (t) {
		CHECK_INT(t->afi, 0xD7);
		CHECK_INT(t->mem_len, RFID_MEM_MAX);
	}
	/* staying: not reported again */
	run_rounds(&p, 3);
	CHECK_INT(p.n_arrived, 3);
	CHECK_INT(p.n_left, 0);
	rfid_status(p.reader, &st);
	CHECK(st.attached);
	CHECK_STR(st.protocol, "3m");
	CHECK_STR(st.reader, "3M 810, hardware version 10.5.0.2");
	CHECK_STR(st.port, p.link);
	CHECK_INT(st.tags_in_field, 3);
	CHECK_INT(st.arrivals, 3);

	CHECK_INT(helper(&p, NULL, 0, "remove %s", CARD), 0);
	CHECK(run_until(&p, &p.n_left, 1));
	CHECK(memcmp(p.left[0].uid, card, RFID_UID_LEN) == 0);
	CHECK_INT(p.left[0].afi, 0xC2); /* the tag as it arrived */
	run_rounds(&p, 3);
	CHECK_INT(p.n_left, 1);
	rfid_status(p.reader, &st);
	CHECK_INT(st.tags_in_field, 2);
	/* back on the pad: a new arrival */
	CHECK_INT(helper(&p, NULL, 0, "place %s 16 C2", CARD), 0);
	CHECK(run_until(&p, &p.n_arrived, 4));
	pad_close(&p);
}

static void test_operations(void)
{
	static const uint8_t blocks[8] = { 'D', 'u', 'n', 'e', 0x00, 0x01, 0x02, 0x03 };
	struct result a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 }, e = { 0 };
	char text[2 * RFID_MEM_MAX + 1];
	struct pad p;
	struct rfid_status st;

	if (!pad_open_with_sticker(&p, "07"))
		return;

	/* what firmware asks: the 810 does not choose AFI values */
	CHECK_INT(rfid_write_afi(p.reader, sticker, 0xC2, on_done, &a), 0);
	CHECK_INT(rfid_read_state(p.reader, sticker, on_done, &b), -EBUSY);
	CHECK_INT(a.calls, 0); /* never inside the call */
	CHECK_INT(finish(&p, &a), 0);
	CHECK_INT(a.reply.op, RFID_OP_WRITE_AFI);
	CHECK(memcmp(a.reply.uid, sticker, RFID_UID_LEN) == 0);
	CHECK_INT(helper(&p, text, sizeof(text), "afi %s", STICKER), 0);
	CHECK_STR(text, "C2");
	CHECK_INT(rfid_read_state(p.reader, sticker, on_done, &b), 0);
	CHECK_INT(finish(&p, &b), 0);
	CHECK(b.reply.has_afi);
	CHECK_INT(b.reply.afi, 0xC2);
	CHECK_INT(b.reply.eas, RFID_EAS_UNKNOWN);

	CHECK_INT(rfid_write_blocks(p.reader, sticker, 2, blocks, sizeof(blocks), on_done, &c), 0);
	CHECK_INT(finish(&p, &c), 0);
	CHECK_INT(helper(&p, text, sizeof(text), "memory %s", STICKER), 0);
	CHECK(strncmp(text, "000000000000000044756E6500010203", 32) == 0);
	/* 12 blocks: more than one read request */
	CHECK_INT(helper(&p, NULL, 0, "place %s 16 07 0000000000000000446F6E65", CARD), 0);
	CHECK_INT(rfid_read_blocks(p.reader, card, 0, 12, on_done, &d), 0);
	CHECK_INT(finish(&p, &d), 0);
	CHECK_INT(d.reply.len, 48);
	CHECK_INT(d.reply.first_block, 0);
	CHECK_INT(d.reply.block_size, 4);
	CHECK(d.reply.data && memcmp(d.data + 8, "Done", 4) == 0);
	/* past the tag's last block */
	CHECK_INT(rfid_read_blocks(p.reader, sticker, 6, 4, on_done, &e), 0);
	CHECK_INT(finish(&p, &e), -EIO);

	/* the 810 has no EAS command: libraries secure its tags with the AFI */
	CHECK_INT(rfid_set_eas(p.reader, sticker, true, on_done, &e), -EOPNOTSUPP);
	CHECK_INT(rfid_write_blocks(p.reader, sticker, 0, blocks, 3, on_done, &e), -EINVAL);
	CHECK_INT(rfid_read_blocks(p.reader, sticker, 0, 0, on_done, &e), -EINVAL);
	/* a tag that is not on the pad */
	memset(&e, 0, sizeof(e));
	CHECK_INT(rfid_read_state(p.reader, big, on_done, &e), 0);
	CHECK_INT(finish(&p, &e), -ENODEV);
	rfid_status(p.reader, &st);
	CHECK_INT(st.ops, 6);
	CHECK_INT(st.ops_failed, 2);
	CHECK_STR(st.last_error, "read state: No such device");
	pad_close(&p);
}

static void test_write_faults(void)
{
	static const uint8_t blocks[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct result a = { 0 }, b = { 0 }, c = { 0 };
	struct pad p;

	if (!pad_open(&p)) {
		pad_close(&p);
		return;
	}
	CHECK_INT(helper(&p, NULL, 0, "place %s 8 07", STICKER), 0);
	CHECK_INT(helper(&p, NULL, 0, "place %s 16 07", CARD), 0);
	CHECK(run_until(&p, &p.n_arrived, 2));

	CHECK_INT(helper(&p, NULL, 0, "fault refuse"), 0);
	CHECK_INT(rfid_write_afi(p.reader, sticker, 0xC2, on_done, &a), 0);
	CHECK_INT(finish(&p, &a), -EIO);
	CHECK_INT(helper(&p, NULL, 0, "fault refuse"), 0);
	CHECK_INT(rfid_write_blocks(p.reader, sticker, 0, blocks, 8, on_done, &b), 0);
	CHECK_INT(finish(&p, &b), -EIO);

	CHECK_INT(helper(&p, NULL, 0, "fault leave %s 1", CARD), 0);
	CHECK_INT(rfid_write_blocks(p.reader, card, 0, blocks, 8, on_done, &c), 0);
	CHECK_INT(finish(&p, &c), -ENODEV);
	CHECK(run_until(&p, &p.n_left, 1));
	CHECK(memcmp(p.left[0].uid, card, RFID_UID_LEN) == 0);
	pad_close(&p);
}

static void test_broken_and_silent(void)
{
	struct result a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
	struct pad p;
	unsigned rounds;

	if (!pad_open_with_sticker(&p, "DA"))
		return;

	CHECK_INT(helper(&p, NULL, 0, "fault crc 0A"), 0);
	CHECK_INT(rfid_read_state(p.reader, sticker, on_done, &a), 0);
	CHECK_INT(finish(&p, &a), -EBADMSG);
	CHECK_INT(rfid_read_state(p.reader, sticker, on_done, &b), 0);
	CHECK_INT(finish(&p, &b), 0);
	CHECK_INT(b.reply.afi, 0xDA);

	CHECK_INT(helper(&p, NULL, 0, "fault silent 0A 1"), 0);
	CHECK_INT(rfid_read_state(p.reader, sticker, on_done, &c), 0);
	CHECK_INT(finish(&p, &c), -ETIMEDOUT);
	CHECK_INT(rfid_read_state(p.reader, sticker, on_done, &d), 0);
	CHECK_INT(finish(&p, &d), 0);

	/* noise and a broken inventory answer on the line: rounds carry on */
	CHECK_INT(helper(&p, NULL, 0, "noise 00D6FFFF1234D5"), 0);
	CHECK_INT(helper(&p, NULL, 0, "fault crc FE"), 0);
	rounds = helper_requests(&p, "FE");
	run_rounds(&p, 4);
	CHECK(helper_requests(&p, "FE") >= rounds + 4);
	CHECK_INT(p.n_arrived, 1);
	CHECK_INT(p.n_left, 0);
	CHECK_INT(p.detached_events, 0);

	/* a reader silent for good is gone, its tags with it, until it answers again */
	CHECK_INT(helper(&p, NULL, 0, "fault silent FE 3"), 0);
	CHECK(run_until(&p, &p.detached_events, 1));
	CHECK_INT(p.n_left, 1);
	CHECK(reported(&p, "the reader does not answer"));
	CHECK(run_until(&p, &p.attached_events, 2));
	CHECK(run_until(&p, &p.n_arrived, 2));
	pad_close(&p);
}

static void test_replug(void)
{
	struct result a = { 0 };
	struct pad p;
	struct rfid_status st;

	if (!pad_open_with_sticker(&p, "07"))
		return;

	CHECK_INT(helper(&p, NULL, 0, "unplug"), 0);
	CHECK(run_until(&p, &p.detached_events, 1));
	CHECK_INT(p.n_left, 1);
	rfid_status(p.reader, &st);
	CHECK(!st.attached);
	CHECK_STR(st.port, "");
	CHECK_INT(rfid_read_state(p.reader, sticker, on_done, &a), -ENODEV);
	CHECK(reported(&p, "reader detached"));

	CHECK_INT(helper(&p, NULL, 0, "plug"), 0);
	CHECK(run_until(&p, &p.attached_events, 2));
	CHECK(run_until(&p, &p.n_arrived, 2));
	rfid_status(p.reader, &st);
	CHECK(st.attached);
	CHECK_INT(rfid_read_state(p.reader, sticker, on_done, &a), 0);
	CHECK_INT(finish(&p, &a), 0);
	pad_close(&p);
}

static void test_absent_at_start(void)
{
	struct hal_env env = { 0 };
	struct file_error err = { 0 };
	struct rfid_reader *reader = NULL;
	struct board *b = NULL;
	struct rfid_status st;
	struct loop *loop;

	CHECK(hal_rfid_backend("3m") != NULL);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	env.loop = loop;
	CHECK_INT(board_parse("[rfid pad]\nrole = both\nprotocol = 3m\n"
			      "device = /nonexistent/ttyUSB9\n", "a.ini", &b, &err), 0);
	/* not plugged in is no error: it is looked for until it comes */
	CHECK_INT(rfid_open(&env, b, &b->rfids[0], NULL, NULL, &reader, &err), 0);
	rfid_status(reader, &st);
	CHECK(!st.attached);
	CHECK_STR(st.name, "pad");
	CHECK(st.last_error[0] != '\0');
	CHECK_INT(rfid_write_afi(reader, sticker, 0x07, on_done, NULL), -ENODEV);
	loop_advance(loop, 5000);
	rfid_close(reader);
	board_free(b);
	loop_free(loop);
}

/* ---- on the fake clock: the test plays the pad on a pty, frame by frame ---- */

struct line {
	int master, slave;
	char path[64];
	struct loop *loop;
	struct board *board;
	struct rfid_reader *reader;
	struct m3_splitter splitter;
	uint8_t body[M3_BODY_MAX]; /* the last request's */
	size_t body_len;
	int n_arrived, n_left;
};

static void line_arrived(void *data, const struct rfid_tag *tag)
{
	((struct line *)data)->n_arrived++;
}

static void line_left(void *data, const struct rfid_tag *tag)
{
	((struct line *)data)->n_left++;
}

/* Pumps the loop (its clock stands still) until a whole request is on the line: its cmd, or -1. */
static int line_request(struct line *l, int wait_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)wait_ms;
	struct m3_frame frame;
	uint8_t buf[256];
	size_t used;
	ssize_t n;

	do {
		const uint8_t *in = buf;
		size_t left;

		loop_run_once(l->loop, 10);
		n = read(l->master, buf, sizeof(buf));
		left = n > 0 ? (size_t)n : 0;
		for (;;) {
			int r = m3_splitter_next(&l->splitter, in, left, &used, &frame);

			in += used;
			left -= used;
			if (r == 1) {
				l->body_len = frame.body_len;
				memcpy(l->body, frame.body, frame.body_len);
				return frame.cmd;
			}
			if (r == 0)
				break;
		}
	} while (now_ms() < deadline);
	return -1;
}

static void line_send(struct line *l, const uint8_t *bytes, size_t len)
{
	CHECK_INT(write(l->master, bytes, len), (ssize_t)len);
}

static void line_answer(struct line *l, uint8_t start, uint8_t cmd, const char *hex)
{
	uint8_t body[M3_BODY_MAX], frame[M3_FRAME_MAX];
	size_t n = 0;
	int len;

	while (*hex) {
		unsigned byte;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		CHECK_INT(sscanf(hex, "%2x", &byte), 1);
		body[n++] = (uint8_t)byte;
		hex += 2;
	}
	len = m3_frame_encode(start, cmd, body, n, frame, sizeof(frame));
	CHECK(len > 0);
	if (len > 0)
		line_send(l, frame, (size_t)len);
}

/* Lets the loop take in what was sent and run what is due now. */
static void line_settle(struct line *l)
{
	for (int i = 0; i < 10; i++)
		loop_run_once(l->loop, 10);
	loop_advance(l->loop, 0);
}

static bool line_open(struct line *l, const char *keys)
{
	static const struct rfid_events events = { .arrived = line_arrived, .left = line_left };
	struct hal_env env = { 0 };
	struct file_error err = { 0 };
	char text[512];

	memset(l, 0, sizeof(*l));
	m3_splitter_init(&l->splitter);
	l->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(l->master >= 0);
	if (l->master < 0 || grantpt(l->master) < 0 || unlockpt(l->master) < 0)
		return false;
	snprintf(l->path, sizeof(l->path), "%s", ptsname(l->master));
	/* held open by the test too, so the line never hangs up between opens */
	l->slave = open(l->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	fcntl(l->master, F_SETFL, O_NONBLOCK);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &l->loop), 0);
	env.loop = l->loop;
	snprintf(text, sizeof(text), "[rfid pad]\nrole = item_pad\nprotocol = 3m\ndevice = %s\n%s",
		 l->path, keys);
	CHECK_INT(board_parse(text, "line.ini", &l->board, &err), 0);
	CHECK_INT(rfid_open(&env, l->board, &l->board->rfids[0], &events, l, &l->reader, &err), 0);
	/* the probe: version, then rf setup (answers as captured, see m3_emu.py's self-test) */
	CHECK_INT(line_request(l, WAIT_MS), M3_CMD_VERSION);
	line_answer(l, M3_START_SYSTEM, M3_CMD_VERSION, "00110A050002");
	CHECK_INT(line_request(l, WAIT_MS), M3_CMD_RF_SETUP);
	line_answer(l, M3_START, M3_CMD_RF_SETUP, "000201010302020300");
	line_settle(l);
	return true;
}

static void line_close(struct line *l)
{
	rfid_close(l->reader);
	board_free(l->board);
	loop_free(l->loop);
	close(l->slave);
	close(l->master);
}

#define NO_TAGS "000005 00"
#define ONE_TAG "000005 01 E00401003123AA26"

/* The first round's tag: 8 blocks (one read, then a refused one past the end), then its AFI. */
static void line_serve_new_sticker(struct line *l)
{
	CHECK_INT(line_request(l, WAIT_MS), M3_CMD_READ_BLOCKS);
	line_answer(l, M3_START, M3_CMD_READ_BLOCKS,
		    "00 E00401003123AA26 08 0000 11223344 0100 00000000 0200 00000000 "
		    "0300 00000000 0400 00000000 0500 00000000 0600 00000000 0700 00000000");
	CHECK_INT(line_request(l, WAIT_MS), M3_CMD_READ_BLOCKS);
	CHECK_INT(l->body[M3_UID_LEN], 8); /* from block 8 on */
	line_answer(l, M3_START, M3_CMD_READ_BLOCKS, "06 E00401003123AA26 00");
	CHECK_INT(line_request(l, WAIT_MS), M3_CMD_GET_AFI);
	line_answer(l, M3_START, M3_CMD_GET_AFI, "00 E00401003123AA26 07");
}

/* line_open() without idle rounds, and a read state of sticker on the line, not answered. */
static bool line_open_reading_state(struct line *l, struct result *a)
{
	if (!line_open(l, "inventory_ms = 100\nidle_inventory_ms = 0\n"))
		return false;
	CHECK_INT(rfid_read_state(l->reader, sticker, on_done, a), 0);
	CHECK_INT(line_request(l, WAIT_MS), M3_CMD_GET_AFI);
	return true;
}

static void test_pace(void)
{
	struct line l;

	if (!line_open(&l, "inventory_ms = 100\nidle_inventory_ms = 0\n"))
		return;
	/* idle with idle rounds off: nothing asked, however long */
	loop_advance(l.loop, 60000);
	CHECK_INT(line_request(&l, 200), -1);
	rfid_set_active(l.reader, true);
	loop_advance(l.loop, 99);
	CHECK_INT(line_request(&l, 200), -1);
	loop_advance(l.loop, 1);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_INVENTORY);
	line_answer(&l, M3_START, M3_CMD_INVENTORY, ONE_TAG);
	line_serve_new_sticker(&l);
	line_settle(&l);
	CHECK_INT(l.n_arrived, 1);
	/* the next round inventory_ms after this one ended; a known tag is not read again */
	loop_advance(l.loop, 100);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_INVENTORY);
	line_answer(&l, M3_START, M3_CMD_INVENTORY, ONE_TAG);
	line_settle(&l);
	loop_advance(l.loop, 100);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_INVENTORY);
	/* one round missed is not leaving, two are */
	line_answer(&l, M3_START, M3_CMD_INVENTORY, NO_TAGS);
	line_settle(&l);
	CHECK_INT(l.n_left, 0);
	loop_advance(l.loop, 100);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_INVENTORY);
	line_answer(&l, M3_START, M3_CMD_INVENTORY, NO_TAGS);
	line_settle(&l);
	CHECK_INT(l.n_left, 1);
	/* idle again: no more rounds */
	rfid_set_active(l.reader, false);
	loop_advance(l.loop, 60000);
	CHECK_INT(line_request(&l, 200), -1);
	line_close(&l);
}

static void test_queued_behind_round(void)
{
	struct result a = { 0 };
	struct line l;

	if (!line_open(&l, "inventory_ms = 100\nidle_inventory_ms = 1000\n"))
		return;
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_INVENTORY); /* the round at attach */
	CHECK_INT(rfid_write_afi(l.reader, sticker, 0xC2, on_done, &a), 0);
	/* nothing else goes out while the inventory waits for its answer */
	CHECK_INT(line_request(&l, 200), -1);
	loop_advance(l.loop, 500); /* a round falls due meanwhile: the operation still goes first */
	line_answer(&l, M3_START, M3_CMD_INVENTORY, NO_TAGS);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_SET_AFI);
	CHECK(memcmp(l.body, sticker, RFID_UID_LEN) == 0 && l.body[RFID_UID_LEN] == 0xC2);
	line_answer(&l, M3_START, M3_CMD_SET_AFI, "00 E00401003123AA26");
	line_settle(&l);
	CHECK_INT(a.calls, 1);
	CHECK_INT(a.reply.result, 0);
	line_close(&l);
}

/*
 * A round falls due while a write waits for its answer, and the write's done
 * asks for its read-back: the read-back goes first, not an inventory between
 * them; the round follows once an operation ends with none after it.
 */
static void test_round_waits_for_the_next_operation(void)
{
	struct rfid_chain c = { 0 };
	struct line l;

	if (!line_open(&l, "inventory_ms = 100\nidle_inventory_ms = 1000\n"))
		return;
	c.reader = l.reader;
	memcpy(c.uid, sticker, RFID_UID_LEN);
	rfid_set_active(l.reader, true); /* rounds every 100 ms */
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_INVENTORY); /* the round at attach */
	line_answer(&l, M3_START, M3_CMD_INVENTORY, NO_TAGS);
	line_settle(&l);
	CHECK_INT(rfid_write_afi(l.reader, sticker, 0xC2, rfid_chain_done, &c), 0);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_SET_AFI);
	loop_advance(l.loop, 500);
	line_answer(&l, M3_START, M3_CMD_SET_AFI, "00 E00401003123AA26");
	line_settle(&l);
	CHECK_INT(c.calls, 1);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_GET_AFI);
	line_answer(&l, M3_START, M3_CMD_GET_AFI, "00 E00401003123AA26 C2");
	line_settle(&l);
	CHECK_INT(c.calls, 2);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_INVENTORY);
	line_close(&l);
}

static void test_timeout_and_late_answer(void)
{
	struct result a = { 0 }, b = { 0 };
	struct line l;

	if (!line_open_reading_state(&l, &a))
		return;
	loop_advance(l.loop, 999);
	line_settle(&l);
	CHECK_INT(a.calls, 0);
	loop_advance(l.loop, 5000);
	line_settle(&l);
	CHECK_INT(a.calls, 1);
	CHECK_INT(a.reply.result, -ETIMEDOUT);
	/* the answer comes after all: it must not be taken for the next one */
	line_answer(&l, M3_START, M3_CMD_GET_AFI, "00 E00401003123AA26 07");
	line_settle(&l);
	CHECK_INT(rfid_read_state(l.reader, sticker, on_done, &b), 0);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_GET_AFI);
	line_answer(&l, M3_START, M3_CMD_GET_AFI, "00 E00401003123AA26 C2");
	line_settle(&l);
	CHECK_INT(b.calls, 1);
	CHECK_INT(b.reply.result, 0);
	CHECK_INT(b.reply.afi, 0xC2);
	line_close(&l);
}

static void test_broken_frames(void)
{
	/* a get AFI answer, its CRC spoiled; noise; then one whole, in pieces */
	static const uint8_t noise[] = { 0x00, 0xFF, 0xD6, 0x7F };
	struct result a = { 0 }, b = { 0 };
	uint8_t body[] = { 0x00, 0xE0, 0x04, 0x01, 0x00, 0x31, 0x23, 0xAA, 0x26, 0xD7 };
	uint8_t frame[M3_FRAME_MAX];
	int len = m3_frame_encode(M3_START, M3_CMD_GET_AFI, body, sizeof(body), frame,
				  sizeof(frame));
	struct line l;

	if (!line_open_reading_state(&l, &a))
		return;
	frame[len - 1] ^= 0xFF;
	line_send(&l, frame, (size_t)len);
	line_settle(&l);
	CHECK_INT(a.calls, 0);
	loop_advance(l.loop, 200); /* a few characters' time, and the adapter's */
	line_settle(&l);
	CHECK_INT(a.calls, 1);
	CHECK_INT(a.reply.result, -EBADMSG);

	frame[len - 1] ^= 0xFF;
	CHECK_INT(rfid_read_state(l.reader, sticker, on_done, &b), 0);
	CHECK_INT(line_request(&l, WAIT_MS), M3_CMD_GET_AFI);
	line_send(&l, noise, sizeof(noise));
	line_send(&l, frame, 5);
	line_settle(&l);
	line_send(&l, frame + 5, (size_t)len - 5);
	line_settle(&l);
	CHECK_INT(b.calls, 1);
	CHECK_INT(b.reply.result, 0);
	CHECK_INT(b.reply.afi, 0xD7);
	line_close(&l);
}

static void test_close_with_operation_pending(void)
{
	struct result a = { 0 };
	struct line l;

	if (!line_open_reading_state(&l, &a))
		return;
	rfid_close(l.reader);
	l.reader = NULL;
	loop_advance(l.loop, 10000);
	CHECK_INT(a.calls, 0);
	line_close(&l);
}

/* The board a library starts from: its pad is a 3M on a USB-serial tty. */
static void test_shipped_board(void)
{
	struct file_error err = { 0 };
	struct board *b = NULL;

	CHECK_INT(board_load("boards/rpi4-kiosk-3m.ini", &b, &err), 0);
	if (!b) {
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		return;
	}
	CHECK_INT(b->n_rfids, 1);
	CHECK_STR(b->rfids[0].name, "pad");
	CHECK_STR(board_rfid_protocol_name(b->rfids[0].protocol), "3m");
	CHECK(b->rfids[0].items && !b->rfids[0].patrons);
	CHECK_STR(b->rfids[0].device, "/dev/ttyUSB0");
	CHECK_INT(b->rfids[0].baud, 0); /* the protocol's 19200 */
	CHECK(b->roles[ROLE_ITEM_PAD].present);
	CHECK(b->roles[ROLE_ITEM_SCANNER].present && b->roles[ROLE_PATRON_READER].present);
	board_free(b);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_shipped_board);
	RUN(test_absent_at_start);
	RUN(test_pace);
	RUN(test_queued_behind_round);
	RUN(test_round_waits_for_the_next_operation);
	RUN(test_timeout_and_late_answer);
	RUN(test_broken_frames);
	RUN(test_close_with_operation_pending);
	RUN(test_arrive_and_leave);
	RUN(test_operations);
	RUN(test_write_faults);
	RUN(test_broken_and_silent);
	RUN(test_replug);
	return testlib_finish();
}
