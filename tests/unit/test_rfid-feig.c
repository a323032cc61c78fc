/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FEIG ISO host backend (hal/rfid-feig.c) against the FEIG reader
 * emulator (tests/rfid/feig_emu.py, written from FEIG's ID ISC system
 * manuals, not from circd's codec) on a pseudo-terminal, opened through a
 * board file as circd opens it: arrivals with what the tag holds,
 * departures, the operations, each fault the emulator has, and a replug.
 *
 * The emulator runs in python3 (tests/rfid/feig_test_helper.py, driven on
 * its stdin); without python3 those tests are skipped with a message. Real
 * time, as the emulator's thread answers in real time: each wait has a
 * generous deadline and no test asserts on how long anything took.
 * FEIG_TEST_VERBOSE=1 prints what the backend reports.
 *
 * The tests named test_fake_* need no python: on the fake clock, the test
 * itself plays the reader on the pty (timeouts, resynchronising, queueing).
 *
 * Tags: UIDs E0 04 (NXP, ICODE SLIX: EAS by the NXP custom commands) and
 * E0 07 (Texas Instruments: no EAS command), the manufacturer codes of
 * ISO/IEC 7816-6 as hal/iso15693.h lists them. AFI 07 / C2 are the on-shelf
 * and lent values of ISO 28560 the issue names; DSFID 0x06 is ISO 28560-2's
 * (hal/tag-format.h). Memory contents are made up: the
 * backend hands the blocks over undecoded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../hal/board.h"
#include "../../hal/feig-frame.h"
#include "../../hal/rfid.h"
#include "pty.h"
#include "rfid_chain.h"
#include "testlib.h"

extern char **environ;

#define HELPER "tests/rfid/feig_test_helper.py"
#define WAIT_MS 15000 /* generous: the machine may be busy; nothing asserts on time */

#define UID_NXP "E004010012345678"
#define UID_TI "E007000011223344"
#define UID_OTHER "E0040100ABCDEF01"

static const uint8_t uid_nxp[RFID_UID_LEN] = { 0xe0, 0x04, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78 };
static const uint8_t uid_ti[RFID_UID_LEN] = { 0xe0, 0x07, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44 };
static const uint8_t uid_other[RFID_UID_LEN] = { 0xe0, 0x04, 0x01, 0x00, 0xab, 0xcd, 0xef,
						 0x01 };

/* ---- the emulator, in its helper process ---- */

struct emu {
	pid_t pid;
	int to, from;
	char line[8192];
};

static int emu_read_line(struct emu *e)
{
	size_t len = 0;

	while (len < sizeof(e->line) - 1) {
		struct pollfd p = { .fd = e->from, .events = POLLIN };
		char c;

		if (poll(&p, 1, WAIT_MS) != 1 || read(e->from, &c, 1) != 1)
			return -EIO;
		if (c == '\n')
			break;
		e->line[len++] = c;
	}
	e->line[len] = '\0';
	return 0;
}

/* One command; 0 when the emulator answered "ok...", its answer in e->line. */
__attribute__((format(printf, 2, 3)))
static int emu(struct emu *e, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	cmd[n++] = '\n';
	if (write(e->to, cmd, (size_t)n) != n || emu_read_line(e) < 0)
		return -EIO;
	if (strncmp(e->line, "ok", 2) != 0) {
		fprintf(stderr, "  emulator: %s -> %s", cmd, e->line);
		return -EINVAL;
	}
	return 0;
}

static int emu_start(struct emu *e, const char *link)
{
	char *argv[] = { "python3", HELPER, "--link", (char *)link, NULL };
	posix_spawn_file_actions_t fa;
	int in[2], out[2], r;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		r = -errno;
		goto err_in;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	r = -posix_spawnp(&e->pid, "python3", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (r < 0) {
		close(in[1]);
		close(out[0]);
		return r;
	}
	e->to = in[1];
	e->from = out[0];
	if (emu_read_line(e) < 0 || strcmp(e->line, "ready") != 0)
		return -EIO;
	return 0;

err_in:
	close(in[0]);
	close(in[1]);
	return r;
}

static void emu_stop(struct emu *e)
{
	int status;

	if (e->pid <= 0)
		return;
	close(e->to); /* end of input ends it */
	close(e->from);
	waitpid(e->pid, &status, 0);
	e->pid = 0;
}

/* ---- the reader under test ---- */

struct seen {
	int arrivals, lefts, devices;
	struct rfid_tag arrived[8];
	uint8_t left_uid[RFID_UID_LEN];
	bool attached;
	bool in_call, done_in_call;
	int dones;
	struct rfid_reply reply;
	uint8_t data[RFID_MEM_MAX];
};

static void on_arrived(void *data, const struct rfid_tag *tag)
{
	struct seen *s = data;

	s->arrived[s->arrivals++ % 8] = *tag;
}

static void on_left(void *data, const struct rfid_tag *tag)
{
	struct seen *s = data;

	s->lefts++;
	memcpy(s->left_uid, tag->uid, RFID_UID_LEN);
}

static void on_device(void *data, const struct rfid_status *status)
{
	struct seen *s = data;

	s->devices++;
	s->attached = status->attached;
}

static void on_done(void *data, const struct rfid_reply *reply)
{
	struct seen *s = data;

	if (s->in_call)
		s->done_in_call = true;
	s->dones++;
	s->reply = *reply;
	if (reply->data && reply->len <= sizeof(s->data)) {
		memcpy(s->data, reply->data, reply->len);
		s->reply.data = s->data;
	}
}

static const struct rfid_events events = { on_arrived, on_left, on_device };

/* The board's one reader, on loop, reporting to report(data) and its events to seen. */
static struct rfid_reader *open_pad(struct loop *loop, struct board *board, hal_report_fn report,
				    void *data, struct seen *seen)
{
	struct hal_env env = { .loop = loop, .report = report, .report_data = data };
	struct file_error err = { 0 };
	struct rfid_reader *reader = NULL;

	CHECK_INT(rfid_open(&env, board, &board->rfids[0], &events, seen, &reader, &err), 0);
	return reader;
}

struct rig {
	char dir[64], link[96], board_path[96];
	struct emu emu;
	struct loop *loop;
	struct board *board;
	struct rfid_reader *reader;
	struct seen seen;
	int reports;
};

static void on_report(void *data, enum hal_level level, const char *msg)
{
	((struct rig *)data)->reports++;
	if (getenv("FEIG_TEST_VERBOSE"))
		fprintf(stderr, "  report %d: %s\n", (int)level, msg);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Runs the loop until *counter reaches want; false if the deadline passed first. */
static bool run_until(struct rig *r, const int *counter, int want)
{
	uint64_t deadline = now_ms() + WAIT_MS;

	while (*counter < want && now_ms() < deadline)
		loop_run_once(r->loop, 20);
	return *counter >= want;
}

static bool rig_up(struct rig *r)
{
	struct file_error err = { 0 };
	FILE *f;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/circd-feig-XXXXXX");
	if (!mkdtemp(r->dir)) {
		CHECK(false);
		return false;
	}
	snprintf(r->link, sizeof(r->link), "%s/ttyFEIG", r->dir);
	snprintf(r->board_path, sizeof(r->board_path), "%s/board.ini", r->dir);
	f = fopen(r->board_path, "w");
	CHECK(f != NULL);
	if (!f)
		return false;
	/*
	 * inventory_ms at its floor: rounds come quickly; idle: none, so faults
	 * hit the operations. Parity none: pseudo-terminals may refuse FEIG's
	 * even parity (test_serial), and carry bytes without any.
	 */
	fprintf(f, "[board]\nname = FEIG test\n\n[rfid pad]\nrole = item_pad\nprotocol = feig\n"
		   "device = %s\nparity = none\ninventory_ms = 20\nidle_inventory_ms = 0\n",
		r->link);
	fclose(f);
	CHECK_INT(emu_start(&r->emu, r->link), 0);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &r->loop), 0);
	CHECK_INT(board_load(r->board_path, &r->board, &err), 0);
	if (!r->emu.pid || !r->loop || !r->board) {
		fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.msg);
		return false;
	}
	r->reader = open_pad(r->loop, r->board, on_report, r, &r->seen);
	if (!r->reader)
		return false;
	/* attached once the reader answered the handshake */
	CHECK(run_until(r, &r->seen.devices, 1));
	CHECK(r->seen.attached);
	return r->seen.attached;
}

static void rig_down(struct rig *r)
{
	char path[160];

	rfid_close(r->reader);
	board_free(r->board);
	loop_free(r->loop);
	emu_stop(&r->emu);
	snprintf(path, sizeof(path), "%s/board.ini", r->dir);
	unlink(path);
	unlink(r->link);
	rmdir(r->dir);
}

/* Waits for the operation just started to complete; its result. */
static int op_result(struct rig *r, int started, int before)
{
	CHECK_INT(started, 0);
	if (started < 0)
		return started;
	CHECK(run_until(r, &r->seen.dones, before + 1));
	CHECK(!r->seen.done_in_call);
	return r->seen.dones > before ? r->seen.reply.result : -EIO;
}

#define OP(r, call)                                                                    \
	({                                                                             \
		int before_ = (r)->seen.dones, started_;                               \
		(r)->seen.in_call = true;                                              \
		started_ = (call);                                                     \
		(r)->seen.in_call = false;                                             \
		op_result((r), started_, before_);                                     \
	})

/*
 * No round under way or due, so what comes next on the line is the next
 * operation's: with the reader idle (idle_inventory_ms = 0), a round due
 * already runs before the first read, and none comes after the second.
 */
static void quiesce(struct rig *r)
{
	rfid_set_active(r->reader, false);
	OP(r, rfid_read_state(r->reader, uid_nxp, on_done, &r->seen));
	OP(r, rfid_read_state(r->reader, uid_nxp, on_done, &r->seen));
}

static bool found(const struct rig *r, const uint8_t uid[RFID_UID_LEN], struct rfid_tag *out)
{
	for (int i = 0; i < r->seen.arrivals && i < 8; i++) {
		if (memcmp(r->seen.arrived[i].uid, uid, RFID_UID_LEN) == 0) {
			*out = r->seen.arrived[i];
			return true;
		}
	}
	return false;
}

/* 8 blocks of 4 bytes, made-up contents. */
/* rig_up(), and an NXP tag (AFI 07, EAS on, 8 blocks of 4) arrived on the active pad. */
static bool rig_up_with_nxp_tag(struct rig *r)
{
	if (!rig_up(r))
		return false;
	CHECK_INT(emu(&r->emu, "place " UID_NXP " afi=07 eas=1 blocks=8 size=4"), 0);
	rfid_set_active(r->reader, true);
	CHECK(run_until(r, &r->seen.arrivals, 1));
	quiesce(r);
	return true;
}

#define MEM_HEX "1101013132333435363738390000000000000000000000000000000000A1B2C3"

static void test_arrivals_and_departures(void)
{
	struct rig r;
	struct rfid_status st;
	struct rfid_tag t;
	uint8_t mem[32];

	if (!rig_up(&r))
		goto out;
	rfid_status(r.reader, &st);
	CHECK(st.attached);
	CHECK_STR(st.protocol, "feig");
	CHECK_STR(st.port, r.link);
	/* the emulator's version answer: firmware 03.03.00, HW type 0x44, SW type 0x53 */
	CHECK_STR(st.reader, "FEIG hw 0x44 sw-type 0x53 firmware 3.03.00");

	CHECK_INT(emu(&r.emu, "place " UID_NXP " dsfid=06 afi=07 eas=1 blocks=8 size=4"), 0);
	CHECK_INT(emu(&r.emu, "write " UID_NXP " 0 " MEM_HEX), 0);
	CHECK_INT(emu(&r.emu, "place " UID_TI " dsfid=00 afi=C2 eas=0 blocks=200 size=4"), 0);
	rfid_set_active(r.reader, true);
	CHECK(run_until(&r, &r.seen.arrivals, 2));
	CHECK(found(&r, uid_nxp, &t));
	CHECK_STR(t.reader, "pad");
	CHECK(t.for_items && !t.for_patrons);
	CHECK(t.has_dsfid && t.has_afi);
	CHECK_INT(t.dsfid, 0x06);
	CHECK_INT(t.afi, 0x07);
	CHECK_INT(t.eas, RFID_EAS_ON);
	CHECK_INT(t.block_size, 4);
	CHECK_INT(t.mem_len, 32);
	for (size_t i = 0; i < sizeof(mem); i++)
		sscanf(&MEM_HEX[2 * i], "%2hhx", &mem[i]);
	CHECK(memcmp(t.mem, mem, sizeof(mem)) == 0);
	/* not NXP: the reader cannot tell its EAS; 800 bytes, read up to RFID_MEM_MAX */
	CHECK(found(&r, uid_ti, &t));
	CHECK_INT(t.afi, 0xC2);
	CHECK_INT(t.eas, RFID_EAS_UNKNOWN);
	CHECK_INT(t.mem_len, RFID_MEM_MAX);
	rfid_status(r.reader, &st);
	CHECK_INT(st.tags_in_field, 2);
	CHECK_INT(st.arrivals, 2);

	/* staying: not reported again; taken off: left, once */
	CHECK_INT(emu(&r.emu, "remove " UID_NXP), 0);
	CHECK(run_until(&r, &r.seen.lefts, 1));
	CHECK(memcmp(r.seen.left_uid, uid_nxp, RFID_UID_LEN) == 0);
	CHECK_INT(r.seen.arrivals, 2);
	rfid_status(r.reader, &st);
	CHECK_INT(st.tags_in_field, 1);
out:
	rig_down(&r);
}

static void test_operations(void)
{
	static const uint8_t block1[8] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04 };
	struct rig r;
	struct rfid_status st;

	if (!rig_up_with_nxp_tag(&r))
		goto out;

	/* checked out: AFI and EAS written, and read back */
	CHECK_INT(OP(&r, rfid_write_afi(r.reader, uid_nxp, 0xC2, on_done, &r.seen)), 0);
	CHECK_INT(OP(&r, rfid_set_eas(r.reader, uid_nxp, false, on_done, &r.seen)), 0);
	CHECK_INT(OP(&r, rfid_read_state(r.reader, uid_nxp, on_done, &r.seen)), 0);
	CHECK_INT(r.seen.reply.op, RFID_OP_READ_STATE);
	CHECK(r.seen.reply.has_afi);
	CHECK_INT(r.seen.reply.afi, 0xC2);
	CHECK_INT(r.seen.reply.eas, RFID_EAS_OFF);
	CHECK(memcmp(r.seen.reply.uid, uid_nxp, RFID_UID_LEN) == 0);
	/* returned: secured again */
	CHECK_INT(OP(&r, rfid_write_afi(r.reader, uid_nxp, 0x07, on_done, &r.seen)), 0);
	CHECK_INT(OP(&r, rfid_set_eas(r.reader, uid_nxp, true, on_done, &r.seen)), 0);
	CHECK_INT(OP(&r, rfid_read_state(r.reader, uid_nxp, on_done, &r.seen)), 0);
	CHECK_INT(r.seen.reply.afi, 0x07);
	CHECK_INT(r.seen.reply.eas, RFID_EAS_ON);

	/* blocks written, seen in the tag's memory, and read back */
	CHECK_INT(OP(&r, rfid_write_blocks(r.reader, uid_nxp, 1, block1, sizeof(block1), on_done,
					   &r.seen)),
		  0);
	CHECK_INT(emu(&r.emu, "memory " UID_NXP), 0);
	CHECK_STR(r.emu.line,
		  "ok 00000000DEADBEEF01020304" "0000000000000000000000000000000000000000");
	CHECK_INT(OP(&r, rfid_read_blocks(r.reader, uid_nxp, 1, 2, on_done, &r.seen)), 0);
	CHECK_INT(r.seen.reply.op, RFID_OP_READ_BLOCKS);
	CHECK_INT(r.seen.reply.first_block, 1);
	CHECK_INT(r.seen.reply.block_size, 4);
	CHECK_INT(r.seen.reply.len, sizeof(block1));
	CHECK(r.seen.reply.data && memcmp(r.seen.reply.data, block1, sizeof(block1)) == 0);

	/* one at a time; what cannot be right is refused at once */
	CHECK_INT(rfid_read_state(r.reader, uid_nxp, on_done, &r.seen), 0);
	CHECK_INT(rfid_write_afi(r.reader, uid_nxp, 0xC2, on_done, &r.seen), -EBUSY);
	CHECK(run_until(&r, &r.seen.dones, r.seen.dones + 1));
	CHECK_INT(rfid_write_blocks(r.reader, uid_nxp, 0, block1, 3, on_done, &r.seen), -EINVAL);
	CHECK_INT(rfid_read_blocks(r.reader, uid_nxp, 0, 0, on_done, &r.seen), -EINVAL);
	/* blocks the tag does not have: it says so */
	CHECK_INT(OP(&r, rfid_read_blocks(r.reader, uid_nxp, 6, 4, on_done, &r.seen)), -EIO);
	/* a tag that is not there */
	CHECK_INT(OP(&r, rfid_write_afi(r.reader, uid_other, 0xC2, on_done, &r.seen)), -ENODEV);
	rfid_status(r.reader, &st);
	CHECK(st.ops >= 12);
	CHECK_INT(st.ops_failed, 2);
	CHECK(strstr(st.last_error, "write AFI on " UID_OTHER) == st.last_error);
out:
	rig_down(&r);
}

static void test_faults(void)
{
	static const uint8_t four_blocks[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
						 16 };
	struct rig r;
	struct rfid_tag t;
	int reports;

	if (!rig_up_with_nxp_tag(&r))
		goto out;

	/* the tag refuses the write: nothing written */
	CHECK_INT(emu(&r.emu, "fault refuse-write"), 0);
	CHECK_INT(OP(&r, rfid_write_blocks(r.reader, uid_nxp, 0, four_blocks, 16, on_done,
					   &r.seen)),
		  -EIO);
	CHECK_INT(emu(&r.emu, "memory " UID_NXP), 0);
	CHECK(strncmp(r.emu.line, "ok 00000000", 11) == 0);

	/* a reply with a broken CRC: -EBADMSG, reported once, and the driver goes on */
	reports = r.reports;
	CHECK_INT(emu(&r.emu, "fault crc-next"), 0);
	CHECK_INT(OP(&r, rfid_read_blocks(r.reader, uid_nxp, 0, 2, on_done, &r.seen)), -EBADMSG);
	CHECK_INT(r.reports, reports + 1);
	CHECK_INT(OP(&r, rfid_read_blocks(r.reader, uid_nxp, 0, 2, on_done, &r.seen)), 0);
	/* the next round works: a tag laid on now arrives */
	CHECK_INT(emu(&r.emu, "fault crc-next"), 0);
	CHECK_INT(emu(&r.emu, "place " UID_OTHER " afi=07 blocks=4 size=4"), 0);
	rfid_set_active(r.reader, true);
	CHECK(run_until(&r, &r.seen.arrivals, 2));
	CHECK(found(&r, uid_other, &t));
	CHECK_INT(r.seen.lefts, 0);
	quiesce(&r);

	/* silence: -ETIMEDOUT, and the next exchange is answered */
	CHECK_INT(emu(&r.emu, "fault no-answer 1"), 0);
	CHECK_INT(OP(&r, rfid_read_state(r.reader, uid_nxp, on_done, &r.seen)), -ETIMEDOUT);
	CHECK_INT(OP(&r, rfid_read_state(r.reader, uid_nxp, on_done, &r.seen)), 0);
	CHECK_INT(r.seen.reply.afi, 0x07);

	/* the tag leaves in the middle of a write: -ENODEV, and it has left */
	CHECK_INT(emu(&r.emu, "fault leave-mid-write " UID_NXP), 0);
	CHECK_INT(OP(&r, rfid_write_blocks(r.reader, uid_nxp, 0, four_blocks, 16, on_done,
					   &r.seen)),
		  -ENODEV);
	rfid_set_active(r.reader, true);
	CHECK(run_until(&r, &r.seen.lefts, 1));
	CHECK(memcmp(r.seen.left_uid, uid_nxp, RFID_UID_LEN) == 0);
out:
	rig_down(&r);
}

static void test_replug(void)
{
	struct rig r;
	struct rfid_status st;

	if (!rig_up(&r))
		goto out;
	CHECK_INT(emu(&r.emu, "place " UID_NXP " afi=07 eas=0 blocks=8 size=4"), 0);
	rfid_set_active(r.reader, true);
	CHECK(run_until(&r, &r.seen.arrivals, 1));

	/* pulled out: detached, and what lay on it has left */
	CHECK_INT(emu(&r.emu, "unplug"), 0);
	CHECK(run_until(&r, &r.seen.devices, 2));
	CHECK(!r.seen.attached);
	CHECK_INT(r.seen.lefts, 1);
	rfid_status(r.reader, &st);
	CHECK(!st.attached);
	CHECK_STR(st.port, "");
	CHECK_INT(st.tags_in_field, 0);
	CHECK_INT(OP(&r, rfid_read_state(r.reader, uid_nxp, on_done, &r.seen)), -ENODEV);

	/* back: attached again, and the tag arrives again */
	CHECK_INT(emu(&r.emu, "plug"), 0);
	CHECK(run_until(&r, &r.seen.devices, 3));
	CHECK(r.seen.attached);
	CHECK(run_until(&r, &r.seen.arrivals, 2));
	rfid_status(r.reader, &st);
	CHECK(st.attached);
	CHECK_STR(st.port, r.link);
	CHECK_INT(OP(&r, rfid_read_state(r.reader, uid_nxp, on_done, &r.seen)), 0);
out:
	rig_down(&r);
}


/*
 * ---- on the fake clock, the test playing the reader on the pty's other side ----
 *
 * The answers follow the layouts of FEIG's ID ISC.MR101 system manual
 * (H60301-3e-ID-B, public): [0x52] and [0x65] (SW-REV, D-REV, HW-TYPE,
 * SW-TYPE, TR-TYPE), [0xB0] 0x01 inventory (DATA-SETS, then TR-TYPE, DSFID
 * and UID each), 0x2B system information (DSFID, UID, AFI, MEM-SIZE as
 * block size - 1 and blocks - 1, IC-REF), 0x23 read multiple blocks (DB-N,
 * DB-SIZE, then a security byte and the block, MSB first, each), status
 * 0x95 followed by the tag's ISO 15693 error code.
 */

struct wire {
	int master;
	char slave[64];
	uint8_t in[4096]; /* what the backend wrote, not yet taken */
	size_t len;
	uint8_t control;  /* the request taken last */
	uint8_t data[512];
	size_t data_len;
};

/* Runs due timers and the I/O they cause, without moving the clock. */
static void settle(struct loop *loop)
{
	for (int i = 0; i < 5; i++) {
		loop_advance(loop, 0);
		loop_run_once(loop, 5);
	}
}

/* The next request the backend sent; false when none came (2 s of real time). */
static bool take_request(struct loop *loop, struct wire *w)
{
	for (int i = 0; i < 200; i++) {
		struct feig_frame f;
		struct pollfd p = { .fd = w->master, .events = POLLIN };
		int n = feig_frame_decode(w->in, w->len, &f);
		ssize_t got;

		if (n > 0) {
			w->control = f.control;
			w->data_len = f.data_len < sizeof(w->data) ? f.data_len : sizeof(w->data);
			memcpy(w->data, f.data, w->data_len);
			memmove(w->in, w->in + n, w->len - (size_t)n);
			w->len -= (size_t)n;
			return true;
		}
		CHECK(n == -EAGAIN);
		if (n != -EAGAIN)
			return false;
		settle(loop);
		if (poll(&p, 1, 10) == 1) {
			got = read(w->master, w->in + w->len, sizeof(w->in) - w->len);
			if (got > 0)
				w->len += (size_t)got;
		}
	}
	return false;
}

/* Whether a whole request is waiting to be taken. */
static bool request_waiting(struct loop *loop, struct wire *w)
{
	struct pollfd p = { .fd = w->master, .events = POLLIN };
	struct feig_frame f;
	ssize_t got;

	settle(loop);
	if (poll(&p, 1, 0) == 1) {
		got = read(w->master, w->in + w->len, sizeof(w->in) - w->len);
		if (got > 0)
			w->len += (size_t)got;
	}
	return feig_frame_decode(w->in, w->len, &f) > 0;
}

/* Moves the clock on in small steps until the backend sends something. */
static bool advance_to_request(struct loop *loop, struct wire *w)
{
	for (int i = 0; i < 200; i++) {
		if (request_waiting(loop, w))
			return true;
		loop_advance(loop, 50);
	}
	return false;
}

/* Forgets every request sent so far. */
static void drain(struct loop *loop, struct wire *w)
{
	struct pollfd p = { .fd = w->master, .events = POLLIN };
	uint8_t buf[512];

	settle(loop);
	while (poll(&p, 1, 0) == 1 && read(w->master, buf, sizeof(buf)) > 0)
		;
	w->len = 0;
}

/* Nothing was sent: a request waits its turn. */
static bool line_quiet(struct loop *loop, struct wire *w)
{
	struct pollfd p = { .fd = w->master, .events = POLLIN };

	settle(loop);
	return w->len == 0 && poll(&p, 1, 50) == 0;
}

static void answer_raw(struct wire *w, const uint8_t *bytes, size_t len)
{
	CHECK_INT(write(w->master, bytes, len), (ssize_t)len);
}

/* The reader's answer to the request taken last, as FEIG frames it (bus address 0). */
static void answer(struct wire *w, uint8_t status, const uint8_t *payload, size_t len)
{
	uint8_t data[300], frame[320];
	int n;

	data[0] = status;
	if (len)
		memcpy(data + 1, payload, len);
	n = feig_frame_encode(FEIG_FRAME_STANDARD, 0x00, w->control, data, len + 1, frame,
			      sizeof(frame));
	CHECK(n > 0);
	if (n > 0)
		answer_raw(w, frame, (size_t)n);
}

struct fake_rig {
	struct wire w;
	struct loop *loop;
	struct board *board;
	struct rfid_reader *reader;
	struct seen seen;
	int reports;
	char last_report[200];
};

static void on_fake_report(void *data, enum hal_level level, const char *msg)
{
	struct fake_rig *r = data;

	r->reports++;
	snprintf(r->last_report, sizeof(r->last_report), "%s", msg);
}

/* The backend on a pty, the handshake not yet answered. */
static bool fake_up(struct fake_rig *r)
{
	struct file_error err = { 0 };
	char text[512];

	memset(r, 0, sizeof(*r));
	r->w.master = pty_open_pair(r->w.slave, sizeof(r->w.slave));
	CHECK(r->w.master >= 0);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	if (r->w.master < 0 || !r->loop)
		return false;
	snprintf(text, sizeof(text),
		 "[rfid pad]\nrole = item_pad\nprotocol = feig\ndevice = %s\nparity = none\n"
		 "bus_address = 0\ninventory_ms = 100\nidle_inventory_ms = 0\n",
		 r->w.slave);
	CHECK_INT(board_parse(text, "fake.ini", &r->board, &err), 0);
	if (!r->board)
		return false;
	r->reader = open_pad(r->loop, r->board, on_fake_report, r, &r->seen);
	return r->reader != NULL;
}

static void fake_down(struct fake_rig *r)
{
	rfid_close(r->reader);
	board_free(r->board);
	loop_free(r->loop);
	if (r->w.master >= 0)
		close(r->w.master);
}

/* Baud detection and software version answered: the reader is there. */
static bool fake_handshake(struct fake_rig *r)
{
	static const uint8_t version[] = { 0x01, 0x02, 0x03, 0x40, 0x50, 0x00, 0x08 };

	CHECK(take_request(r->loop, &r->w));
	CHECK_INT(r->w.control, FEIG_CMD_BAUD_DETECT);
	answer(&r->w, FEIG_OK, NULL, 0);
	CHECK(take_request(r->loop, &r->w));
	CHECK_INT(r->w.control, FEIG_CMD_SOFTWARE_VERSION);
	answer(&r->w, FEIG_OK, version, sizeof(version));
	/* the first round comes at once */
	CHECK(take_request(r->loop, &r->w));
	CHECK_INT(r->w.control, FEIG_CMD_ISO);
	return r->seen.attached;
}

static void test_fake_handshake(void)
{
	struct fake_rig r;
	struct rfid_status st;
	int reports;

	if (!fake_up(&r))
		goto out;
	/* the port is open, the reader not yet heard: not attached */
	rfid_status(r.reader, &st);
	CHECK(!st.attached);
	CHECK(take_request(r.loop, &r.w));
	CHECK_INT(r.w.control, FEIG_CMD_BAUD_DETECT);
	CHECK_INT(r.w.data_len, 1);
	/* no answer (a reader at another baud rate): said once, tried again and again */
	CHECK_INT(loop_advance(r.loop, 2000), 0);
	CHECK(strstr(r.last_report, "no FEIG reader answers at 38400 8N1") != NULL);
	reports = r.reports;
	for (int i = 0; i < 3; i++) {
		drain(r.loop, &r.w);
		CHECK(advance_to_request(r.loop, &r.w));
		CHECK(take_request(r.loop, &r.w));
		CHECK_INT(r.w.control, FEIG_CMD_BAUD_DETECT);
		CHECK_INT(loop_advance(r.loop, 500), 0);
	}
	CHECK_INT(r.reports, reports);
	CHECK_INT(r.seen.devices, 0);
	/* the next try is answered */
	drain(r.loop, &r.w);
	CHECK(advance_to_request(r.loop, &r.w));
	CHECK(fake_handshake(&r));
	CHECK_INT(r.seen.devices, 1);
	rfid_status(r.reader, &st);
	CHECK(st.attached);
	CHECK_STR(st.reader, "FEIG hw 0x40 sw-type 0x50 firmware 1.02.03");
	CHECK_STR(st.port, r.w.slave);
	CHECK_STR(st.last_error, "");
	/* the inventory: B0 01, MODE 00 (no AFI, not MORE) */
	CHECK_INT(r.w.data_len, 2);
	CHECK(r.w.data[0] == FEIG_ISO_INVENTORY && r.w.data[1] == 0x00);
out:
	fake_down(&r);
}

/* Noise on the line, a broken answer, silence: each ends, and the next exchange works. */
/* The TI tag as answers carry it: inventory, system information (AFI C2, 1 block of 4), block 0. */
static const uint8_t ti_inventory[] = { 1,    0x03, 0x00, 0xe0, 0x07, 0,
					0,    0x11, 0x22, 0x33, 0x44 };
static const uint8_t ti_sysinfo[] = { 0x00, 0xe0, 0x07, 0, 0, 0x11, 0x22, 0x33, 0x44,
				      0xC2, 0x03, 0x00, 0x01 };
static const uint8_t ti_block0[] = { 1, 4, 0x00, 0x44, 0x33, 0x22, 0x11 };

/* A round that finds the TI tag, and the reads of a tag new to the field, answered. */
static void fake_serve_ti_arrival(struct fake_rig *r)
{
	answer(&r->w, FEIG_OK, ti_inventory, sizeof(ti_inventory));
	CHECK(take_request(r->loop, &r->w));
	answer(&r->w, FEIG_OK, ti_sysinfo, sizeof(ti_sysinfo));
	CHECK(take_request(r->loop, &r->w));
	answer(&r->w, FEIG_OK, ti_block0, sizeof(ti_block0));
	settle(r->loop);
}

static void test_fake_resync(void)
{
	static const uint8_t noise[] = { 0x00, 0x03, 0xF0, 0x13 };
	struct fake_rig r;
	struct rfid_tag *t = &r.seen.arrived[0];

	if (!fake_up(&r) || !fake_handshake(&r))
		goto out;
	rfid_set_active(r.reader, true);
	/* noise, then a bad CRC, then nothing: -EBADMSG once the line is quiet, no round */
	answer_raw(&r.w, noise, sizeof(noise));
	settle(r.loop);
	CHECK_INT(loop_advance(r.loop, 200), 0);
	CHECK(strstr(r.last_report, "bad answer to inventory") != NULL);
	/* the next round, at inventory_ms: noise that looks like a long frame, then the answer */
	CHECK_INT(loop_advance(r.loop, 100), 0);
	CHECK(take_request(r.loop, &r.w));
	answer_raw(&r.w, noise + 2, 1);
	answer(&r.w, FEIG_OK, ti_inventory, sizeof(ti_inventory));
	settle(r.loop);
	CHECK_INT(loop_advance(r.loop, 200), 0); /* the stalled "frame" is given up */
	CHECK(take_request(r.loop, &r.w));
	CHECK(r.w.data[0] == FEIG_ISO_SYSTEM_INFO && r.w.data[1] == FEIG_MODE_ADDRESSED);
	CHECK(memcmp(r.w.data + 2, uid_ti, RFID_UID_LEN) == 0);
	answer(&r.w, FEIG_OK, ti_sysinfo, sizeof(ti_sysinfo));
	CHECK(take_request(r.loop, &r.w));
	CHECK(r.w.data[0] == FEIG_ISO_READ_BLOCKS && r.w.data[10] == 0 && r.w.data[11] == 1);
	answer(&r.w, FEIG_OK, ti_block0, sizeof(ti_block0));
	settle(r.loop);
	/* not NXP: no EAS alarm asked; arrived */
	CHECK_INT(r.seen.arrivals, 1);
	CHECK(memcmp(t->uid, uid_ti, RFID_UID_LEN) == 0);
	CHECK_INT(t->afi, 0xC2);
	CHECK_INT(t->mem_len, 4);
	CHECK(memcmp(t->mem, "\x11\x22\x33\x44", 4) == 0);
	CHECK_INT(t->eas, RFID_EAS_UNKNOWN);
out:
	fake_down(&r);
}

/* A reader that stops answering is detached (its tags leave) until it answers the handshake. */
static void test_fake_reader_silent(void)
{
	struct fake_rig r;
	struct rfid_status st;

	if (!fake_up(&r) || !fake_handshake(&r))
		goto out;
	rfid_set_active(r.reader, true);
	fake_serve_ti_arrival(&r);
	CHECK_INT(r.seen.arrivals, 1);
	/* three inventories unanswered */
	for (int i = 0; i < 3; i++) {
		CHECK(advance_to_request(r.loop, &r.w));
		CHECK(take_request(r.loop, &r.w));
		CHECK(r.w.control == FEIG_CMD_ISO && r.w.data[0] == FEIG_ISO_INVENTORY);
		CHECK_INT(r.seen.devices, 1);
		CHECK_INT(r.seen.lefts, 0);
	}
	CHECK(advance_to_request(r.loop, &r.w));
	CHECK_INT(r.seen.devices, 2);
	CHECK(!r.seen.attached);
	CHECK_INT(r.seen.lefts, 1);
	CHECK(strstr(r.last_report, "the reader stopped answering") != NULL);
	rfid_status(r.reader, &st);
	CHECK(!st.attached);
	CHECK_INT(st.tags_in_field, 0);
	/* what it is asked now is the handshake; answered, it is back, and so is the tag */
	CHECK(fake_handshake(&r));
	CHECK_INT(r.seen.devices, 3);
	fake_serve_ti_arrival(&r);
	CHECK_INT(r.seen.arrivals, 2);
out:
	fake_down(&r);
}

/* Operations: after the round under way, done from the loop, -EBUSY, -ETIMEDOUT, close. */
static void test_fake_operations(void)
{
	static const uint8_t sysinfo[] = { 0x00, 0xe0, 0x04, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78,
					   0x07, 0x03, 0x07, 0x01 };
	struct fake_rig r;

	if (!fake_up(&r) || !fake_handshake(&r))
		goto out;
	/* asked during the round: it waits until the round's answer is in */
	r.seen.in_call = true;
	CHECK_INT(rfid_write_afi(r.reader, uid_nxp, 0xC2, on_done, &r.seen), 0);
	CHECK_INT(rfid_read_state(r.reader, uid_nxp, on_done, &r.seen), -EBUSY);
	r.seen.in_call = false;
	CHECK(line_quiet(r.loop, &r.w));
	answer(&r.w, FEIG_NO_TRANSPONDER, NULL, 0);
	CHECK(take_request(r.loop, &r.w));
	CHECK_INT(r.w.control, FEIG_CMD_ISO);
	CHECK(r.w.data[0] == FEIG_ISO_WRITE_AFI && r.w.data[1] == FEIG_MODE_ADDRESSED);
	CHECK(memcmp(r.w.data + 2, uid_nxp, RFID_UID_LEN) == 0 && r.w.data[10] == 0xC2);
	/* the tag refuses (ISO error 0x12, block locked) */
	answer(&r.w, FEIG_ISO_ERROR, (const uint8_t *)"\x12", 1);
	settle(r.loop);
	CHECK_INT(r.seen.dones, 1);
	CHECK(!r.seen.done_in_call);
	CHECK_INT(r.seen.reply.result, -EIO);
	CHECK_INT(r.seen.reply.op, RFID_OP_WRITE_AFI);

	/* read state: system information, then the EAS alarm; silence there is -ETIMEDOUT */
	CHECK_INT(rfid_read_state(r.reader, uid_nxp, on_done, &r.seen), 0);
	CHECK(take_request(r.loop, &r.w));
	CHECK(r.w.data[0] == FEIG_ISO_SYSTEM_INFO);
	answer(&r.w, FEIG_OK, sysinfo, sizeof(sysinfo));
	CHECK(take_request(r.loop, &r.w));
	CHECK_INT(r.w.control, FEIG_CMD_ISO_CUSTOM);
	CHECK(r.w.data[0] == FEIG_MFR_NXP && r.w.data[1] == FEIG_NXP_EAS_ALARM);
	settle(r.loop);
	CHECK_INT(r.seen.dones, 1);
	CHECK_INT(loop_advance(r.loop, 10000), 0);
	CHECK_INT(r.seen.dones, 2);
	CHECK_INT(r.seen.reply.result, -ETIMEDOUT);
	/* an answer that comes too late is dropped, not taken for the next one */
	answer(&r.w, FEIG_OK, NULL, 0);
	settle(r.loop);
	CHECK_INT(rfid_read_state(r.reader, uid_nxp, on_done, &r.seen), 0);
	CHECK(take_request(r.loop, &r.w));
	answer(&r.w, FEIG_OK, sysinfo, sizeof(sysinfo));
	CHECK(take_request(r.loop, &r.w));
	answer(&r.w, FEIG_NO_TRANSPONDER, NULL, 0); /* the alarm unanswered: EAS off */
	settle(r.loop);
	CHECK_INT(r.seen.dones, 3);
	CHECK_INT(r.seen.reply.result, 0);
	CHECK(r.seen.reply.has_afi);
	CHECK_INT(r.seen.reply.afi, 0x07);
	CHECK_INT(r.seen.reply.eas, RFID_EAS_OFF);

	/* closed with an operation pending: done is never called */
	CHECK_INT(rfid_set_eas(r.reader, uid_nxp, true, on_done, &r.seen), 0);
	CHECK(take_request(r.loop, &r.w));
	rfid_close(r.reader);
	r.reader = NULL;
	CHECK_INT(loop_advance(r.loop, 10000), 0);
	CHECK_INT(r.seen.dones, 3);
out:
	fake_down(&r);
}

/*
 * A round falls due while a write waits for its answer, and the write's done
 * asks for its read-back: the read-back goes first, not an inventory between
 * them; the round follows once an operation ends with none after it.
 */
static void test_fake_round_waits_for_the_next_operation(void)
{
	static const uint8_t sysinfo[] = { 0x00, 0xe0, 0x04, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78,
					   0x07, 0x03, 0x07, 0x01 };
	struct rfid_chain c = { 0 };
	struct fake_rig r;

	if (!fake_up(&r) || !fake_handshake(&r))
		goto out;
	c.reader = r.reader;
	memcpy(c.uid, uid_nxp, RFID_UID_LEN);
	rfid_set_active(r.reader, true); /* rounds every 100 ms */
	answer(&r.w, FEIG_NO_TRANSPONDER, NULL, 0); /* the first round: nothing there */
	settle(r.loop);
	CHECK_INT(rfid_write_afi(r.reader, uid_nxp, 0xC2, rfid_chain_done, &c), 0);
	CHECK(take_request(r.loop, &r.w));
	CHECK(r.w.data[0] == FEIG_ISO_WRITE_AFI);
	CHECK_INT(loop_advance(r.loop, 500), 0);
	answer(&r.w, FEIG_OK, NULL, 0);
	CHECK(take_request(r.loop, &r.w));
	CHECK_INT(c.calls, 1);
	CHECK(r.w.control == FEIG_CMD_ISO && r.w.data[0] == FEIG_ISO_SYSTEM_INFO);
	answer(&r.w, FEIG_OK, sysinfo, sizeof(sysinfo));
	CHECK(take_request(r.loop, &r.w));
	CHECK_INT(r.w.control, FEIG_CMD_ISO_CUSTOM);
	answer(&r.w, FEIG_NO_TRANSPONDER, NULL, 0);
	CHECK(take_request(r.loop, &r.w));
	CHECK_INT(c.calls, 2);
	CHECK(r.w.control == FEIG_CMD_ISO && r.w.data[0] == FEIG_ISO_INVENTORY);
out:
	fake_down(&r);
}

/* The shipped FEIG board: rpi4-kiosk.ini's devices, and the pad at FEIG's factory settings. */
static void test_shipped_board(void)
{
	struct file_error err = { 0 };
	struct board *feig = NULL, *plain = NULL;
	const struct board_rfid *pad;

	CHECK_INT(board_load("boards/rpi4-kiosk-feig.ini", &feig, &err), 0);
	CHECK_INT(board_load("boards/rpi4-kiosk.ini", &plain, &err), 0);
	if (!feig || !plain)
		goto out;
	CHECK_INT(feig->n_scanners, plain->n_scanners);
	CHECK_STR(feig->gpio_backend, plain->gpio_backend);
	CHECK_STR(feig->scanner_backend, plain->scanner_backend);
	CHECK_INT(feig->n_rfids, 1);
	pad = &feig->rfids[0];
	CHECK_STR(pad->name, "pad");
	CHECK_STR(board_rfid_protocol_name(pad->protocol), "feig");
	CHECK(pad->items && !pad->patrons);
	CHECK_STR(pad->device, "/dev/ttyUSB0");
	CHECK(!pad->baud && pad->parity == BOARD_PARITY_DEFAULT && !pad->bus_address_set);
out:
	board_free(feig);
	board_free(plain);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_shipped_board);
	RUN(test_fake_handshake);
	RUN(test_fake_resync);
	RUN(test_fake_reader_silent);
	RUN(test_fake_operations);
	RUN(test_fake_round_waits_for_the_next_operation);
	if (system("command -v python3 >/dev/null 2>&1") != 0) {
		printf("skipped: the tests against the FEIG emulator (python3 is not installed)\n");
		return testlib_finish();
	}
	RUN(test_arrivals_and_departures);
	RUN(test_operations);
	RUN(test_faults);
	RUN(test_replug);
	return testlib_finish();
}
