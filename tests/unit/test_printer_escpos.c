/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ESC/POS printer backend on usblp (hal/printer-escpos.c), on the fake
 * clock. The test is the printer: a pseudo-terminal in raw mode stands in
 * for /dev/usb/lpN (the backend opens the slave through a symlink in a fake
 * device directory, found from a fake sysfs tree laid out as the kernel lays
 * out usblp's: class/usbmisc/lpN a link into devices/, lpN/device a link to
 * the printer's USB interface, the USB device above it with its ids). The
 * test reads what the backend writes from the master and answers its status
 * requests there.
 *
 * Sources:
 *   [epson] Epson, ESC/POS Command Reference for TM printers, DLE EOT n
 *           (reference.epson-biz.com/modules/ref_escpos/): the three requests
 *           10 04 01, 10 04 02, 10 04 04; bits 1 and 4 always set in every
 *           answer, so 0x12 is an answer that reports nothing wrong.
 *   [rs]    docs.rs, hardless-http-dialects PrinterStatus::from_dle_eot: the
 *           answers 0x1A, 0x32, 0x7E of a printer out of paper.
 *   [usb]   the printer's USB id 04b8:0202 (Seiko Epson's TM-series
 *           interface), as the escpos-rw crate's README opens its example
 *           printer (docs.rs/crate/escpos-rw/1.0.0).
 *   [lp]    the sysfs layout of a usblp node, /sys/class/usbmisc/lp0 ->
 *           ../../devices/.../1-1/1-1:1.0/usbmisc/lp0, as Linux's usblp
 *           registers it through usb_register_dev() (drivers/usb/class/usblp.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../hal/escpos.h"
#include "../../hal/printer-escpos.h"
#include "../../hal/usb-sysfs.h"
#include "pty.h"
#include "testlib.h"
#include "tmpdir.h"

#define ANSWER_OK 0x12

static const uint8_t poll_requests[] = { 0x10, 0x04, 0x01, 0x10, 0x04, 0x02, 0x10, 0x04, 0x04 };

/* ---- a fake sysfs and /dev/usb ---- */

static char root[64], dev_dir[128];

static void mkdirs(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static void link_to(const char *target, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	CHECK_INT(symlink(target, path), 0);
}

/* A USB device at port, in devices/ and bus/usb/devices/ with its interface 1.0 (no ids). */
static void plug_device(const char *port, const char *vid, const char *pid)
{
	char dev[128], rel[512], target[512];

	snprintf(dev, sizeof(dev), "devices/pci0000:00/usb1/%s", port);
	snprintf(rel, sizeof(rel), "%s/%s:1.0", dev, port);
	mkdirs(rel);
	snprintf(rel, sizeof(rel), "%s/idVendor", dev);
	tmp_put(root, rel, vid);
	snprintf(rel, sizeof(rel), "%s/idProduct", dev);
	tmp_put(root, rel, pid);
	snprintf(rel, sizeof(rel), "bus/usb/devices/%s", port);
	snprintf(target, sizeof(target), "../../../%s", dev);
	link_to(target, rel);
	snprintf(rel, sizeof(rel), "bus/usb/devices/%s:1.0", port);
	snprintf(target, sizeof(target), "../../../%s/%s:1.0", dev, port);
	link_to(target, rel);
}

/* [lp] A USB printer at port with node lpN; its device node is slave (NULL: none yet). */
static void plug_printer(const char *port, const char *vid, const char *pid, int n,
			 const char *slave)
{
	char dev[128], rel[512], target[512];

	plug_device(port, vid, pid);
	snprintf(dev, sizeof(dev), "devices/pci0000:00/usb1/%s", port);
	snprintf(rel, sizeof(rel), "%s/%s:1.0/usbmisc/lp%d", dev, port, n);
	mkdirs(rel);
	snprintf(rel, sizeof(rel), "%s/%s:1.0/usbmisc/lp%d/device", dev, port, n);
	snprintf(target, sizeof(target), "../../../%s:1.0", port);
	link_to(target, rel);
	snprintf(rel, sizeof(rel), "class/usbmisc/lp%d", n);
	snprintf(target, sizeof(target), "../../%s/%s:1.0/usbmisc/lp%d", dev, port, n);
	link_to(target, rel);
	if (slave) {
		snprintf(rel, sizeof(rel), "dev/lp%d", n);
		link_to(slave, rel);
	}
}

static void unplug_printer(int n)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/class/usbmisc/lp%d", root, n);
	CHECK_INT(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/lp%d", dev_dir, n);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bus/usb/devices/1-1", root);
	unlink(path);
}

static void fake_sysfs(void)
{
	snprintf(root, sizeof(root), "/tmp/circd-test-lp-XXXXXX");
	if (!mkdtemp(root)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		exit(2);
	}
	mkdirs("class/usbmisc");
	mkdirs("bus/usb/devices");
	mkdirs("dev");
	snprintf(dev_dir, sizeof(dev_dir), "%s/dev", root);
	/* the root hub has ids too; a node's nearest USB device is the one that counts */
	mkdirs("devices/pci0000:00/usb1");
	tmp_put(root, "devices/pci0000:00/usb1/idVendor", "1d6b\n");
	tmp_put(root, "devices/pci0000:00/usb1/idProduct", "0002\n");
	link_to("../../../devices/pci0000:00/usb1", "bus/usb/devices/usb1");
	/* another printer, of another make: never picked */
	plug_printer("1-2", "0416\n", "5011\n", 3, NULL);
}

static void remove_tree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir); /* our mkdtemp name: no quotes in it */
	CHECK_INT(system(cmd), 0);
}

/* ---- the printer's side ---- */

/* A pty whose line discipline passes every byte as it is, as a USB pipe does. */
static int printer_pty(char *slave, size_t size)
{
	struct termios t;
	int master = pty_open_pair(slave, size);

	if (master < 0)
		return -1;
	if (tcgetattr(master, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(master, TCSANOW, &t);
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	return master;
}

struct rig {
	struct loop *loop;
	void *printer;
	struct board board;
	int master;
	char slave[64];
	char reports[32][200];
	int n_reports;
};

static void on_report(void *data, enum hal_level level, const char *msg)
{
	struct rig *r = data;

	if (r->n_reports < 32)
		snprintf(r->reports[r->n_reports++], sizeof(r->reports[0]), "%s", msg);
}

static int count_reports(const struct rig *r, const char *what)
{
	int n = 0;

	for (int i = 0; i < r->n_reports; i++)
		n += strstr(r->reports[i], what) != NULL;
	return n;
}

/* Runs the loop's pending I/O and reads what reached the printer, up to want bytes. */
static size_t printer_reads(struct rig *r, uint8_t *buf, size_t want)
{
	size_t got = 0;

	for (int i = 0; i < 500 && got < want; i++) {
		struct pollfd pfd = { .fd = r->master, .events = POLLIN };
		ssize_t n;

		loop_run_once(r->loop, 0);
		if (poll(&pfd, 1, 2) <= 0)
			continue;
		n = read(r->master, buf + got, want - got);
		if (n > 0)
			got += (size_t)n;
	}
	return got;
}

/* Nothing more reaches the printer while the loop runs a little. */
static bool printer_quiet(struct rig *r)
{
	uint8_t byte;

	for (int i = 0; i < 20; i++)
		loop_run_once(r->loop, 1);
	return read(r->master, &byte, 1) != 1;
}

/* Reads the backend's poll and gives it these answers. */
static void answer_poll(struct rig *r, uint8_t printer, uint8_t cause, uint8_t paper)
{
	uint8_t got[sizeof(poll_requests)];
	const uint8_t answers[] = { printer, cause, paper };

	CHECK_INT(printer_reads(r, got, sizeof(got)), sizeof(got));
	CHECK(memcmp(got, poll_requests, sizeof(got)) == 0);
	CHECK_INT(write(r->master, answers, sizeof(answers)), sizeof(answers));
	for (int i = 0; i < 20; i++)
		loop_run_once(r->loop, 1);
}

static enum printer_state state_now(struct rig *r)
{
	struct printer_status st = { .state = PRINTER_STATE__COUNT };

	CHECK_INT(printer_escpos_ops.status(r->printer, &st), 0);
	return st.state;
}

static void rig_open(struct rig *r)
{
	struct hal_env env = { .report = on_report, .report_data = r };
	struct file_error err = { 0 };

	memset(r, 0, sizeof(*r));
	r->master = -1;
	fake_sysfs();
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	env.loop = r->loop;
	snprintf(r->board.path, sizeof(r->board.path), "printer.ini");
	r->board.printer = (struct board_printer){ .present = true, .src_line = 1,
						   .usb_set = true, .usb_vid = 0x04b8,
						   .usb_pid = 0x0202 };
	CHECK_INT(printer_escpos_open_at(&env, &r->board, root, dev_dir, &r->printer, &err), 0);
}

/* [usb] The printer plugged in as lpN at port, its node our pty. */
static void rig_plug(struct rig *r, const char *port, int n)
{
	r->master = printer_pty(r->slave, sizeof(r->slave));
	CHECK(r->master >= 0);
	plug_printer(port, "04b8\n", "0202\n", n, r->slave);
}

static void rig_close(struct rig *r)
{
	printer_escpos_ops.close(r->printer);
	if (r->master >= 0)
		close(r->master);
	loop_free(r->loop);
	remove_tree(root);
}

/* ---- tests ---- */

/* Found by its USB id; unknown until it answers; the answers make its state. */
static void test_found_and_polled(void)
{
	struct rig r;

	rig_open(&r);
	CHECK_INT(state_now(&r), PRINTER_OFFLINE);
	CHECK_INT(count_reports(&r, "no USB printer 04b8:0202 plugged in (usblp)"), 1);
	CHECK_INT(printer_escpos_ops.print(r.printer, poll_requests, 3), -EIO);

	rig_plug(&r, "1-1", 0);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
	CHECK_INT(count_reports(&r, "/dev/lp0 attached"), 1);
	CHECK_INT(state_now(&r), PRINTER_UNKNOWN);
	/* [epson] */
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_OK);

	/* polled again while idle; [rs] a printer out of paper */
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS), 0);
	answer_poll(&r, 0x1A, 0x32, 0x7E);
	CHECK_INT(state_now(&r), PRINTER_PAPER_OUT);
	CHECK_INT(count_reports(&r, "paper-out (was ok)"), 1);
	CHECK_INT(printer_escpos_ops.print(r.printer, poll_requests, 3), -EIO);

	/* refilled, then paper near its end (bits 2-3 of DLE EOT 4): still prints */
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK | 0x0C);
	CHECK_INT(state_now(&r), PRINTER_PAPER_NEAR_END);
	/* the cover open (DLE EOT 2 bit 2) */
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS), 0);
	answer_poll(&r, ANSWER_OK | 0x08, ANSWER_OK | 0x04, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_COVER_OPEN);
	rig_close(&r);
}

/* A printer that does not answer, or answers something else, prints nothing. */
static void test_unanswered_poll(void)
{
	uint8_t got[sizeof(poll_requests)];
	const uint8_t not_status = 0x41; /* 'A': bit 0 set, no status byte */
	struct rig r;

	rig_open(&r);
	rig_plug(&r, "1-1", 0);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_OK);

	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS), 0);
	CHECK_INT(printer_reads(&r, got, sizeof(got)), sizeof(got));
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_ANSWER_MS), 0);
	CHECK_INT(state_now(&r), PRINTER_UNKNOWN);
	CHECK_INT(count_reports(&r, "unknown (was ok): no answer to DLE EOT within 1000 ms"), 1);
	CHECK_INT(printer_escpos_ops.print(r.printer, poll_requests, 3), -EIO);

	/* bytes nobody asked for are not taken for answers */
	CHECK_INT(write(r.master, &not_status, 1), 1);
	CHECK(printer_quiet(&r));
	CHECK_INT(state_now(&r), PRINTER_UNKNOWN);

	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS - PRINTER_ESCPOS_ANSWER_MS), 0);
	answer_poll(&r, ANSWER_OK, not_status, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_UNKNOWN);
	/* still unknown, and said once: a silent printer is not a log line every poll */
	CHECK_INT(count_reports(&r, "no answer to DLE EOT"), 1);
	CHECK_INT(count_reports(&r, "0x41 is no answer"), 0);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS), 0);
	answer_poll(&r, ANSWER_OK | 0x08, ANSWER_OK, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_OFFLINE);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS), 0);
	answer_poll(&r, ANSWER_OK, not_status, ANSWER_OK);
	CHECK_INT(count_reports(&r, "unknown (was offline): 0x41 is no answer to DLE EOT 2"), 1);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_OK);
	rig_close(&r);
}

/* A receipt reaches the printer whole, after a poll right before it. */
static void test_receipt_whole(void)
{
	static uint8_t receipt[8000], got[sizeof(receipt) + 1];
	struct escpos e;
	size_t len = 0;
	struct rig r;

	/* a real receipt's bytes, long enough to fill the pty and wait for POLLOUT */
	CHECK_INT(escpos_begin(&e, receipt, sizeof(receipt), ESCPOS_PC858), 0);
	for (int i = 0; i < 150; i++)
		escpos_text(&e, "Ein Buch über Öl, fällig am 20.12.2026\n");
	escpos_cut(&e);
	CHECK_INT(escpos_finish(&e, &len), 0);
	CHECK(len > 4096);

	rig_open(&r);
	rig_plug(&r, "1-1", 0);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);

	CHECK_INT(printer_escpos_ops.print(r.printer, receipt, len), 0);
	CHECK_INT(printer_escpos_ops.print(r.printer, receipt, len), -EBUSY);
	/* the poll comes first; the receipt only once it is answered */
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(printer_reads(&r, got, sizeof(got)), len);
	CHECK(memcmp(got, receipt, len) == 0);
	CHECK_INT(count_reports(&r, "receipt sent"), 1);
	/* the next one is taken, and polls go on once it is out */
	CHECK_INT(printer_escpos_ops.print(r.printer, receipt, 10), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(printer_reads(&r, got, 10), 10);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_POLL_MS), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_OK);
	rig_close(&r);
}

/* The roll ran out since the last poll: the receipt is dropped whole, and said so. */
static void test_receipt_refused_right_before(void)
{
	static const uint8_t receipt[] = { 0x1B, 0x40, 'h', 'i', '\n' };
	struct rig r;

	rig_open(&r);
	rig_plug(&r, "1-1", 0);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(printer_escpos_ops.print(r.printer, receipt, sizeof(receipt)), 0);
	answer_poll(&r, 0x1A, 0x32, 0x7E); /* [rs] */
	CHECK(printer_quiet(&r));
	CHECK_INT(state_now(&r), PRINTER_PAPER_OUT);
	CHECK_INT(count_reports(&r, "receipt not printed: printer paper-out"), 1);
	rig_close(&r);
}

/* Unplugged: offline, looked for again, found under its new name. */
static void test_unplug_replug(void)
{
	static const uint8_t receipt[] = { 0x1B, 0x40, 'h', 'i', '\n' };
	uint8_t got[sizeof(receipt)];
	struct rig r;

	rig_open(&r);
	rig_plug(&r, "1-1", 0);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_OK);

	/* usblp's node goes with the device; the open file hangs up */
	unplug_printer(0);
	close(r.master);
	r.master = -1;
	for (int i = 0; i < 100 && state_now(&r) != PRINTER_OFFLINE; i++)
		loop_run_once(r.loop, 5);
	CHECK_INT(state_now(&r), PRINTER_OFFLINE);
	CHECK_INT(count_reports(&r, "/lp0 gone: "), 1);
	CHECK_INT(printer_escpos_ops.print(r.printer, receipt, sizeof(receipt)), -EIO);
	CHECK_INT(loop_advance(r.loop, 3 * PRINTER_ESCPOS_RETRY_MS), 0);
	CHECK_INT(count_reports(&r, "no USB printer 04b8:0202 plugged in"), 2);

	/* back on another port, as lp1 */
	rig_plug(&r, "1-3", 1);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
	CHECK_INT(count_reports(&r, "/dev/lp1 attached"), 1);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(state_now(&r), PRINTER_OK);
	CHECK_INT(printer_escpos_ops.print(r.printer, receipt, sizeof(receipt)), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(printer_reads(&r, got, sizeof(got)), sizeof(got));
	CHECK(memcmp(got, receipt, sizeof(got)) == 0);
	rig_close(&r);
}

/* Pulled out in the middle of a receipt: cut short, said so with how far it got. */
static void test_unplug_mid_receipt(void)
{
	static uint8_t receipt[200000];
	uint8_t got[4096];
	struct rig r;

	memset(receipt, 'x', sizeof(receipt));
	rig_open(&r);
	rig_plug(&r, "1-1", 0);
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK_INT(printer_escpos_ops.print(r.printer, receipt, sizeof(receipt)), 0);
	answer_poll(&r, ANSWER_OK, ANSWER_OK, ANSWER_OK);
	CHECK(printer_reads(&r, got, sizeof(got)) > 0);
	/* the printer takes no more: stalled, then unknown */
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_STALL_MS), 0);
	CHECK_INT(state_now(&r), PRINTER_UNKNOWN);
	CHECK_INT(count_reports(&r, "took no byte of the receipt"), 1);
	unplug_printer(0);
	close(r.master);
	r.master = -1;
	for (int i = 0; i < 100 && state_now(&r) != PRINTER_OFFLINE; i++)
		loop_run_once(r.loop, 5);
	CHECK_INT(state_now(&r), PRINTER_OFFLINE);
	CHECK_INT(count_reports(&r, "receipt cut short after "), 1);
	rig_close(&r);
}

/* The USB device itself, for a printer usblp did not take: found by ids, serial and port. */
static void test_find_usb_device(void)
{
	struct usb_sysfs_match m = { .vid = 0x0416, .pid = 0x5011 };
	char port[32];

	fake_sysfs();
	CHECK_INT(usb_sysfs_find_device(root, &m, port, sizeof(port)), 0);
	CHECK_STR(port, "1-2");
	plug_device("1-4.1", "0416\n", "5011\n");
	CHECK_INT(usb_sysfs_find_device(root, &m, port, sizeof(port)), -ENOTUNIQ);
	m.port = "1-4.1";
	CHECK_INT(usb_sysfs_find_device(root, &m, port, sizeof(port)), 0);
	CHECK_STR(port, "1-4.1");
	m.serial = "X1"; /* the fake devices have none */
	CHECK_INT(usb_sysfs_find_device(root, &m, port, sizeof(port)), -ENOENT);
	/* the root hub's ids are a device's too, but never a printer's */
	m = (struct usb_sysfs_match){ .vid = 0x1d6b, .pid = 0x0002 };
	CHECK_INT(usb_sysfs_find_device(root, &m, port, sizeof(port)), 0);
	CHECK_STR(port, "usb1");
	m = (struct usb_sysfs_match){ .vid = 0x04b8, .pid = 0x0202 };
	CHECK_INT(usb_sysfs_find_device(root, &m, port, sizeof(port)), -ENOENT);
	CHECK_INT(usb_sysfs_find_device("/tmp/circd-no-such-sysfs", &m, port, sizeof(port)),
		  -ENOENT);
	remove_tree(root);
}

/* A device met through libusb: its serial number as the kernel read it, from sysfs. */
static void test_serial_from_sysfs(void)
{
	fake_sysfs();
	plug_device("1-4.1", "0416\n", "5011\n");
	tmp_put(root, "devices/pci0000:00/usb1/1-4.1/serial", "X4NE012345\n");
	CHECK(usb_sysfs_serial_is(root, "1-4.1", "X4NE012345"));
	CHECK(!usb_sysfs_serial_is(root, "1-4.1", "X4NE01234"));
	CHECK(!usb_sysfs_serial_is(root, "1-2", "X4NE012345"));    /* it has none */
	CHECK(!usb_sysfs_serial_is(root, "1-2", ""));
	CHECK(!usb_sysfs_serial_is(root, "1-9", "X4NE012345"));    /* not plugged in */
	remove_tree(root);
}

/*
 * Plugged in, but usblp made no node of it: after a second look (usblp may
 * just not have bound yet), libusb is asked for the device at its port. No
 * real device is there, so libusb does not see it; that is what is said.
 */
static void test_no_usblp_falls_back_to_libusb(void)
{
	struct rig r;
	bool has_libusb;

	rig_open(&r);
	has_libusb = count_reports(&r, "no libusb fallback") == 0;
	plug_device("9-9.9", "04b8\n", "0202\n");
	CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
	if (has_libusb) {
		CHECK_INT(count_reports(&r, "printer: usb 9-9.9: no usblp node yet"), 1);
		CHECK_INT(loop_advance(r.loop, PRINTER_ESCPOS_RETRY_MS), 0);
		CHECK_INT(count_reports(&r, "printer: usb 9-9.9: libusb does not see it"), 1);
	} else {
		CHECK_INT(count_reports(&r, "no USB printer 04b8:0202 plugged in"), 1);
	}
	CHECK_INT(state_now(&r), PRINTER_OFFLINE);
	rig_close(&r);
}

/* A fixed device path: opened as it is, looked for again while it is missing. */
static void test_fixed_path(void)
{
	struct hal_env env = { 0 };
	struct file_error err = { 0 };
	struct board board = { .path = "p.ini" };
	struct loop *loop = NULL;
	void *printer = NULL;
	struct printer_status st;

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	env.loop = loop;
	/* board_parse() refuses this already; open() does not take it either */
	CHECK_INT(printer_escpos_open_at(&env, &board, "/sys", "/dev/usb", &printer, &err),
		  -EINVAL);
	CHECK(printer == NULL);
	CHECK(strstr(err.msg, "[printer] needs device or usb") != NULL);
	snprintf(board.printer.device, sizeof(board.printer.device), "/tmp/circd-no-such-lp");
	CHECK_INT(printer_escpos_open_at(&env, &board, "/sys", "/dev/usb", &printer, &err), 0);
	CHECK_INT(printer_escpos_ops.status(printer, &st), 0);
	CHECK_INT(st.state, PRINTER_OFFLINE);
	CHECK_INT(loop_advance(loop, 2 * PRINTER_ESCPOS_RETRY_MS), 0);
	printer_escpos_ops.close(printer);
	printer_escpos_ops.close(NULL);
	loop_free(loop);
}

int main(void)
{
	RUN(test_found_and_polled);
	RUN(test_unanswered_poll);
	RUN(test_receipt_whole);
	RUN(test_receipt_refused_right_before);
	RUN(test_unplug_replug);
	RUN(test_unplug_mid_receipt);
	RUN(test_fixed_path);
	RUN(test_find_usb_device);
	RUN(test_serial_from_sysfs);
	RUN(test_no_usblp_falls_back_to_libusb);
	return testlib_finish();
}
