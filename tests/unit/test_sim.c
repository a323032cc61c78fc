/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sim test channel: the command parser byte by byte, then the channel and
 * the sim backends together on a real loop (fake clock) with real sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../hal/hal.h"
#include "../../hal/sim.h"
#include "sim_client.h"
#include "testlib.h"

/* ---- parser ---- */

/* Expects line to be refused with exactly this reason. */
static void check_refused(const char *line, bool terminal, const char *reason)
{
	struct sim_command cmd;

	sim_expect_refused(line, terminal, reason, &cmd);
	CHECK_STR(cmd.text, "");
}

static void test_parse_scan(void)
{
	struct sim_command cmd;
	const char *why = "unset";
	char line[256];

	CHECK_INT(sim_parse_line("scan item_scanner 31234000000014", false, &cmd, &why), 0);
	CHECK(why == NULL);
	CHECK_INT(cmd.cmd, SIM_CMD_SCAN);
	CHECK_INT(cmd.role, ROLE_ITEM_SCANNER);
	CHECK_STR(cmd.text, "31234000000014");

	CHECK_INT(sim_parse_line("scan patron_reader 21234000012345", false, &cmd, &why), 0);
	CHECK_INT(cmd.role, ROLE_PATRON_READER);
	CHECK_STR(cmd.text, "21234000012345");

	/* The text runs to the end of the line, spaces and all. */
	CHECK_INT(sim_parse_line("scan item_scanner  a b ", false, &cmd, NULL), 0);
	CHECK_STR(cmd.text, " a b ");

	/* Exactly SCAN_TEXT_MAX bytes is fine, one more is not. */
	snprintf(line, sizeof(line), "scan item_scanner %0*d", SCAN_TEXT_MAX, 7);
	CHECK_INT(sim_parse_line(line, false, &cmd, NULL), 0);
	CHECK_INT(strlen(cmd.text), SCAN_TEXT_MAX);
	snprintf(line, sizeof(line), "scan item_scanner %0*d", SCAN_TEXT_MAX + 1, 7);
	check_refused(line, false, "text too long");
}

static void test_parse_scan_refused(void)
{
	struct sim_command cmd;
	const char *why;
	static const char nul_in_text[] = "scan item_scanner ab\0cd";
	static const char nul_in_role[] = "scan item_scanner\0 x";

	check_refused("scan lamp_ok 123", false, "not a scanner role");
	check_refused("scan bin_full 123", false, "not a scanner role");
	check_refused("scan nobody 123", false, "unknown role");
	check_refused("scan ITEM_SCANNER 123", false, "unknown role");
	check_refused("scan item_scanner", false, "missing text");
	check_refused("scan item_scanner ", false, "missing text");
	check_refused("scan", false, "usage: scan <role> <text>");
	check_refused("scan ", false, "usage: scan <role> <text>");
	check_refused("scan  item_scanner 1", false, "usage: scan <role> <text>");
	check_refused("scan item_scanner a\tb", false, "text not printable");
	check_refused("scan item_scanner caf\xc3\xa9", false, "text not printable");
	check_refused("scan item_scanner a\x7f", false, "text not printable");
	check_refused("scan aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1", false, "unknown role");

	CHECK_INT(sim_command_parse(nul_in_text, sizeof(nul_in_text) - 1, false, &cmd, &why),
		  -EINVAL);
	CHECK_STR(why, "text not printable");
	CHECK_INT(sim_command_parse(nul_in_role, sizeof(nul_in_role) - 1, false, &cmd, &why),
		  -EINVAL);
	CHECK_STR(why, "unknown role");
}

static void test_parse_pin(void)
{
	struct sim_command cmd;

	CHECK_INT(sim_parse_line("pin 1234", false, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_PIN);
	CHECK_STR(cmd.text, "1234");
	CHECK_INT(sim_parse_line("pin 0", false, &cmd, NULL), 0);
	CHECK_STR(cmd.text, "0");
	CHECK_INT(sim_parse_line("pin 1234567890123456", false, &cmd, NULL), 0);
	CHECK_STR(cmd.text, "1234567890123456");

	check_refused("pin 12345678901234567", false, "bad pin");
	check_refused("pin ", false, "bad pin");
	check_refused("pin 12a4", false, "bad pin");
	check_refused("pin 12 34", false, "bad pin");
	check_refused("pin -123", false, "bad pin");
	check_refused("pin", false, "usage: pin <digits>");
}

static void test_parse_input(void)
{
	struct sim_command cmd;

	CHECK_INT(sim_parse_line("input bin_full 1", false, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_INPUT);
	CHECK_INT(cmd.role, ROLE_BIN_FULL);
	CHECK(cmd.active);
	CHECK_INT(sim_parse_line("input door_closed 0", false, &cmd, NULL), 0);
	CHECK_INT(cmd.role, ROLE_DOOR_CLOSED);
	CHECK(!cmd.active);
	CHECK_INT(sim_parse_line("input staff_button 1", false, &cmd, NULL), 0);
	CHECK_INT(cmd.role, ROLE_STAFF_BUTTON);

	check_refused("input item_scanner 1", false, "not an input role");
	check_refused("input lamp_ok 1", false, "not an input role");
	check_refused("input nobody 1", false, "unknown role");
	check_refused("input bin_full 2", false, "bad level");
	check_refused("input bin_full 10", false, "bad level");
	check_refused("input bin_full 1 ", false, "bad level");
	check_refused("input bin_full", false, "bad level");
	check_refused("input", false, "usage: input <role> <0|1>");
}

static void test_parse_advance(void)
{
	struct sim_command cmd;

	CHECK_INT(sim_parse_line("advance 0", false, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_ADVANCE);
	CHECK_INT(cmd.ms, 0);
	CHECK_INT(sim_parse_line("advance 60000", false, &cmd, NULL), 0);
	CHECK_INT(cmd.ms, 60000);
	CHECK_INT(sim_parse_line("advance 1099511627776", false, &cmd, NULL), 0);
	CHECK_INT(cmd.ms, 1ll << 40);
	CHECK_INT(sim_parse_line("advance 00000000000000000000042", false, &cmd, NULL), 0);
	CHECK_INT(cmd.ms, 42);

	check_refused("advance 1099511627777", false, "number too large");
	check_refused("advance 18446744073709551617", false, "number too large");
	check_refused("advance -1", false, "bad number");
	check_refused("advance 1.5", false, "bad number");
	check_refused("advance 0x10", false, "bad number");
	check_refused("advance ", false, "bad number");
	check_refused("advance", false, "usage: advance <ms>");
}

static void test_parse_ping_unknown_empty(void)
{
	struct sim_command cmd;

	CHECK_INT(sim_parse_line("ping", false, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_PING);
	check_refused("ping x", false, "ping takes no arguments");
	CHECK_INT(sim_parse_line("wedge", false, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_WEDGE);
	check_refused("wedge 1", false, "wedge takes no arguments");
	check_refused("pingx", false, "unknown command");
	check_refused("PING", false, "unknown command");
	check_refused("31234000000014", false, "unknown command");
	check_refused(" scan item_scanner 1", false, "unknown command");
	check_refused("", false, "empty");
	check_refused("", true, "empty");
}

static void test_parse_cr(void)
{
	struct sim_command cmd;

	CHECK_INT(sim_parse_line("ping\r", false, &cmd, NULL), 0);
	CHECK_INT(sim_parse_line("scan item_scanner abc\r", false, &cmd, NULL), 0);
	CHECK_STR(cmd.text, "abc");
	CHECK_INT(sim_parse_line("31234000000014\r", true, &cmd, NULL), 0);
	CHECK_STR(cmd.text, "31234000000014");
	check_refused("\r", false, "empty");
	check_refused("\r", true, "empty");
	/* Only one CR goes; a second is part of the text. */
	check_refused("pin 12\r\r", false, "bad pin");
	check_refused("scan item_scanner a\r\r", false, "text not printable");
}

static void test_parse_terminal(void)
{
	struct sim_command cmd;
	char line[256];

	CHECK_INT(sim_parse_line("31234000000014", true, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_SCAN);
	CHECK_INT(cmd.role, ROLE_ITEM_SCANNER);
	CHECK_STR(cmd.text, "31234000000014");
	/* Typed: from no one role, so `make run`'s card and items both work at the keyboard. */
	CHECK(cmd.typed);
	CHECK_INT(sim_parse_line("the hobbit", true, &cmd, NULL), 0);
	CHECK_STR(cmd.text, "the hobbit");
	CHECK_INT(sim_parse_line("scanner", true, &cmd, NULL), 0);
	CHECK_STR(cmd.text, "scanner");
	/* Known words keep their meaning and their strictness. */
	CHECK_INT(sim_parse_line("scan patron_reader 21234000012345", true, &cmd, NULL), 0);
	CHECK_INT(cmd.role, ROLE_PATRON_READER);
	CHECK(!cmd.typed);
	CHECK_INT(sim_parse_line("pin 4321", true, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_PIN);
	CHECK_INT(sim_parse_line("ping", true, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_PING);
	CHECK_INT(sim_parse_line("input bin_full 1", true, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_INPUT);
	check_refused("scan", true, "usage: scan <role> <text>");
	check_refused("pin abc", true, "bad pin");
	check_refused("caf\xc3\xa9", true, "text not printable");
	snprintf(line, sizeof(line), "%0*d", SCAN_TEXT_MAX + 1, 7);
	check_refused(line, true, "text too long");
}

static void test_parse_printer_status(void)
{
	struct sim_command cmd;

	CHECK_INT(sim_parse_line("printer-status paper-out", false, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_PRINTER_STATUS);
	CHECK_INT(cmd.printer_state, PRINTER_PAPER_OUT);
	CHECK_INT(sim_parse_line("printer-status ok", false, &cmd, NULL), 0);
	CHECK_INT(cmd.printer_state, PRINTER_OK);
	CHECK_INT(sim_parse_line("printer-status cover-open", false, &cmd, NULL), 0);
	CHECK_INT(cmd.printer_state, PRINTER_COVER_OPEN);
	CHECK_INT(sim_parse_line("printer-status paper-near-end", false, &cmd, NULL), 0);
	CHECK_INT(cmd.printer_state, PRINTER_PAPER_NEAR_END);
	CHECK_INT(sim_parse_line("printer-status offline", false, &cmd, NULL), 0);
	CHECK_INT(cmd.printer_state, PRINTER_OFFLINE);
	check_refused("printer-status", false, "usage: printer-status <state>");
	check_refused("printer-status ", false, "usage: printer-status <state>");
	check_refused("printer-status jammed", false, "usage: printer-status <state>");
	check_refused("printer-status ok ", false, "usage: printer-status <state>");
}

static void test_parse_scanner_plug(void)
{
	struct sim_command cmd;

	CHECK_INT(sim_parse_line("scanner-attached item_scanner 0", false, &cmd, NULL), 0);
	CHECK_INT(cmd.cmd, SIM_CMD_SCANNER_ATTACHED);
	CHECK_INT(cmd.role, ROLE_ITEM_SCANNER);
	CHECK(!cmd.active);
	CHECK_INT(sim_parse_line("scanner-attached patron_reader 1", false, &cmd, NULL), 0);
	CHECK_INT(cmd.role, ROLE_PATRON_READER);
	CHECK(cmd.active);
	check_refused("scanner-attached", false, "usage: scanner-attached <role> <0|1>");
	check_refused("scanner-attached item_scanner", false, "bad level");
	check_refused("scanner-attached item_scanner 2", false, "bad level");
	check_refused("scanner-attached item_scanner 1 ", false, "bad level");
	check_refused("scanner-attached lamp_ok 1", false, "not a scanner role");
}

/* ---- names and backend tables ---- */

static void test_hal_tables(void)
{
	CHECK(hal_gpio_backend("sim") == &gpio_sim_ops);
	CHECK(hal_scanner_backend("sim") == &scanner_sim_ops);
	CHECK(hal_display_backend("sim") == &display_sim_ops);
	CHECK(hal_gpio_backend("gpiod") == &gpio_gpiod_ops);
	CHECK(hal_scanner_backend("libusb") == &scanner_libusb_ops);
	CHECK(hal_gpio_backend("wiringpi") == NULL);
	CHECK(hal_scanner_backend("") == NULL);
	CHECK(hal_display_backend(NULL) == NULL);
	CHECK(hal_printer_backend("sim") == &printer_sim_ops);
	CHECK(hal_printer_backend("none") == &printer_none_ops);
	CHECK(hal_printer_backend("usblp") == NULL);
	CHECK_STR(printer_state_name(PRINTER_OK), "ok");
	CHECK_STR(printer_state_name(PRINTER_PAPER_OUT), "paper-out");
	CHECK_STR(printer_state_name(PRINTER_COVER_OPEN), "cover-open");
	CHECK_STR(printer_state_name((enum printer_state)42), "unknown");
	CHECK_STR(symbology_name(SYM_UNKNOWN), "unknown");
	CHECK_STR(symbology_name(SYM_CODABAR), "codabar");
	CHECK_STR(symbology_name(SYM_CODE39), "code39");
	CHECK_STR(symbology_name(SYM_CODE128), "code128");
	CHECK_STR(symbology_name(SYM_EAN13), "ean13");
	CHECK_STR(symbology_name(SYM_QR), "qr");
	CHECK_STR(symbology_name((enum symbology)99), "unknown");
	CHECK_STR(display_kind_name(DISPLAY_INFO), "info");
	CHECK_STR(display_kind_name(DISPLAY_OK), "ok");
	CHECK_STR(display_kind_name(DISPLAY_NOTICE), "notice");
	CHECK_STR(display_kind_name(DISPLAY_ERROR), "error");
	CHECK_STR(display_kind_name(DISPLAY_RECEIPT), "receipt");
}

/* ---- the channel with the sim backends on a real loop ---- */

struct recorder {
	int scans;
	struct scan last_scan;
	int inputs;
	enum board_role input_role;
	bool input_active;
	int pins;
	char pin[32];
	const struct display_ops *display;
	void *display_handle;
};

struct rig {
	char dir[64];
	char path[96];
	struct loop *loop;
	struct hal_env env;
	struct sim_channel *ch;
	struct board board;
	const struct gpio_ops *gpio;
	const struct scanner_ops *scanner;
	void *gpio_handle, *scanner_handle;
	struct recorder rec;
};

/* Like firmware would: answer every scan on the display, inside the handler. */
static void on_scan(void *data, const struct scan *scan)
{
	struct recorder *rec = data;
	char text[64 + SCAN_TEXT_MAX];

	rec->scans++;
	rec->last_scan = *scan;
	snprintf(text, sizeof(text), "Checked out %s", scan->text);
	rec->display->show(rec->display_handle, DISPLAY_OK, text);
}

static void on_input(void *data, enum board_role role, bool active)
{
	struct recorder *rec = data;

	rec->inputs++;
	rec->input_role = role;
	rec->input_active = active;
}

static void on_pin(void *data, const char *pin)
{
	struct recorder *rec = data;

	rec->pins++;
	snprintf(rec->pin, sizeof(rec->pin), "%s", pin);
}

static const struct gpio_events gpio_events = { .input = on_input };
static const struct scanner_events scanner_events = { .scan = on_scan };
static const struct display_events display_events = { .pin = on_pin };

static bool rig_open(struct rig *r, bool with_socket, bool terminal)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/circd-test-sim-XXXXXX");
	if (!mkdtemp(r->dir)) {
		CHECK(!"mkdtemp");
		return false;
	}
	snprintf(r->path, sizeof(r->path), "%s/sim.sock", r->dir);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	CHECK_INT(sim_channel_new(r->loop, with_socket ? r->path : NULL, terminal, &r->ch), 0);
	r->env.loop = r->loop;

	r->board.roles[ROLE_LAMP_OK].present = true;
	r->board.roles[ROLE_LAMP_ERROR].present = true;
	r->board.roles[ROLE_BIN_FULL].present = true;
	r->board.roles[ROLE_DONE_BUTTON].present = true;
	r->board.roles[ROLE_ITEM_SCANNER].present = true;
	r->board.n_scanners = 1;
	strcpy(r->board.scanners[0].name, "front");
	r->board.scanners[0].items = true;
	/* Absent on purpose: buzzer, door_closed, patron_reader. */

	r->gpio = hal_gpio_backend("sim");
	r->scanner = hal_scanner_backend("sim");
	r->rec.display = hal_display_backend("sim");
	CHECK_INT(r->gpio->open(&r->env, &r->board, &gpio_events, &r->rec, &r->gpio_handle,
				NULL), 0);
	CHECK_INT(r->scanner->open(&r->env, &r->board, &scanner_events, &r->rec,
				   &r->scanner_handle, NULL), 0);
	CHECK_INT(r->rec.display->open(&r->env, &r->board, NULL, &display_events, &r->rec,
				       &r->rec.display_handle, NULL), 0);
	return r->ch && r->gpio_handle && r->scanner_handle && r->rec.display_handle;
}

static void rig_close(struct rig *r)
{
	struct stat st;

	r->rec.display->close(r->rec.display_handle);
	r->scanner->close(r->scanner_handle);
	r->gpio->close(r->gpio_handle);
	sim_channel_free(r->ch);
	CHECK(stat(r->path, &st) < 0 && errno == ENOENT);
	loop_free(r->loop);
	rmdir(r->dir);
}

static char enoent_answer[128];

static const char *error_answer(int err)
{
	snprintf(enoent_answer, sizeof(enoent_answer), "error %s", strerror(err));
	return enoent_answer;
}

static void test_sim_scan_roundtrip(void)
{
	struct rig r;
	struct sim_client a;

	if (!rig_open(&r, true, false))
		return;
	sim_client_connect(&a, r.loop, r.path);
	sim_client_send(&a, "scan item_scanner 31234000000014\n");
	/* The handler's event comes first, then the answer. */
	sim_client_expect(&a, r.loop, "display ok Checked out 31234000000014");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.rec.scans, 1);
	CHECK_STR(r.rec.last_scan.text, "31234000000014");
	CHECK_INT(r.rec.last_scan.len, 14);
	CHECK_INT(r.rec.last_scan.role, ROLE_ITEM_SCANNER);
	CHECK_INT(r.rec.last_scan.symbology, SYM_UNKNOWN);
	CHECK_STR(r.rec.last_scan.aim, "");

	/* patron_reader is a scanner role, but this board has none. */
	sim_client_send(&a, "scan patron_reader 21234000012345\n");
	sim_client_expect(&a, r.loop, error_answer(ENOENT));
	CHECK_INT(r.rec.scans, 1);
	sim_client_expect_nothing(&a, r.loop);
	sim_client_close(&a);
	rig_close(&r);
}

/* An unplugged sim scanner is absent in its status and reads nothing until plugged in again. */
static void test_sim_scanner_unplugged(void)
{
	struct scanner_status st;
	struct sim_client a;
	struct rig r;

	if (!rig_open(&r, true, false))
		return;
	sim_client_connect(&a, r.loop, r.path);
	sim_client_send(&a, "scanner-attached item_scanner 0\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.scanner->status(r.scanner_handle, &st, 1), 1);
	CHECK(!st.attached);
	CHECK_STR(st.port, "");
	sim_client_send(&a, "scan item_scanner 31234000000014\n");
	sim_client_expect(&a, r.loop, error_answer(ENOENT));
	CHECK_INT(r.rec.scans, 0);
	sim_client_send(&a, "scanner-attached item_scanner 1\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.scanner->status(r.scanner_handle, &st, 1), 1);
	CHECK(st.attached);
	sim_client_send(&a, "scan item_scanner 31234000000014\n");
	sim_client_expect(&a, r.loop, "display ok Checked out 31234000000014");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.rec.scans, 1);
	/* the board has no patron_reader to unplug */
	sim_client_send(&a, "scanner-attached patron_reader 0\n");
	sim_client_expect(&a, r.loop, error_answer(ENOENT));
	sim_client_close(&a);
	rig_close(&r);
}

static void test_sim_gpio(void)
{
	struct rig r;
	struct sim_client a;
	bool active = true;

	if (!rig_open(&r, true, false))
		return;
	sim_client_connect(&a, r.loop, r.path);
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_LAMP_OK, true), 0);
	sim_client_expect(&a, r.loop, "gpio lamp_ok 1");
	/* Every set is an event, repeats included. */
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_LAMP_OK, true), 0);
	sim_client_expect(&a, r.loop, "gpio lamp_ok 1");
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_LAMP_ERROR, false), 0);
	sim_client_expect(&a, r.loop, "gpio lamp_error 0");
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_BUZZER, true), -ENOENT);
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_BIN_FULL, true), -ENOENT);
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_ITEM_SCANNER, true), -ENOENT);
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_NONE, true), -ENOENT);
	CHECK_INT(r.gpio->get(r.gpio_handle, ROLE_BIN_FULL, &active), 0);
	CHECK(!active);
	CHECK_INT(r.gpio->get(r.gpio_handle, ROLE_LAMP_OK, &active), -ENOENT);
	CHECK_INT(r.gpio->get(r.gpio_handle, ROLE_DOOR_CLOSED, &active), -ENOENT);
	CHECK_INT(r.rec.inputs, 0);
	sim_client_expect_nothing(&a, r.loop);
	sim_client_close(&a);
	rig_close(&r);
}

static void test_sim_display_and_pin(void)
{
	struct rig r;
	struct sim_client a;
	const struct display_ops *d;

	if (!rig_open(&r, true, false))
		return;
	d = r.rec.display;
	sim_client_connect(&a, r.loop, r.path);
	CHECK_INT(d->show(r.rec.display_handle, DISPLAY_OK, "Checked out\nDue 2026-01-15"), 0);
	sim_client_expect(&a, r.loop, "display ok Checked out\\nDue 2026-01-15");
	CHECK_INT(d->show(r.rec.display_handle, DISPLAY_ERROR, "tab\there\x7f\r"), 0);
	sim_client_expect(&a, r.loop, "display error tab?here??");
	CHECK_INT(d->show(r.rec.display_handle, DISPLAY_RECEIPT, ""), 0);
	sim_client_expect(&a, r.loop, "display receipt ");
	CHECK_INT(d->show(r.rec.display_handle, DISPLAY_NOTICE, "Caf\xc3\xa9"), 0);
	sim_client_expect(&a, r.loop, "display notice Caf\xc3\xa9");
	CHECK_INT(d->show(r.rec.display_handle, (enum display_kind)42, "x"), -EINVAL);

	sim_client_send(&a, "pin 1234\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.rec.pins, 1);
	CHECK_STR(r.rec.pin, "1234");
	sim_client_send(&a, "pin 12x\n");
	sim_client_expect(&a, r.loop, "error bad pin");
	CHECK_INT(r.rec.pins, 1);
	sim_client_expect_nothing(&a, r.loop);
	sim_client_close(&a);
	rig_close(&r);
}

static void test_sim_printer(void)
{
	static const uint8_t receipt[] = { 0x1b, 0x40, 'H', 'i', '\n', 0x1d, 0x56, 0x42, 0x00 };
	const struct printer_ops *ops = hal_printer_backend("sim");
	struct printer_status st;
	struct sim_client a;
	void *printer = NULL;
	struct rig r;

	if (!rig_open(&r, true, false))
		return;
	CHECK_INT(ops->open(&r.env, &r.board, &printer, NULL), 0);
	sim_client_connect(&a, r.loop, r.path);
	CHECK_INT(ops->status(printer, &st), 0);
	CHECK_INT(st.state, PRINTER_OK);
	CHECK_INT(ops->print(printer, receipt, sizeof(receipt)), 0);
	sim_client_expect(&a, r.loop, "printer 1b4048690a1d564200");

	sim_client_send(&a, "printer-status paper-out\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(ops->status(printer, &st), 0);
	CHECK_INT(st.state, PRINTER_PAPER_OUT);
	/* Nothing comes out of a printer without paper. */
	CHECK_INT(ops->print(printer, receipt, sizeof(receipt)), -EIO);
	sim_client_send(&a, "printer-status paper-near-end\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(ops->print(printer, receipt, 2), 0);
	sim_client_expect(&a, r.loop, "printer 1b40");
	CHECK_INT(ops->print(printer, receipt, 0), -EINVAL);
	sim_client_expect_nothing(&a, r.loop);

	ops->close(printer);
	/* Closed: the command has no handler any more. */
	sim_client_send(&a, "printer-status ok\n");
	sim_client_expect(&a, r.loop, "error unsupported");
	sim_client_close(&a);
	rig_close(&r);
}

static void test_printer_none(void)
{
	const struct printer_ops *ops = hal_printer_backend("none");
	struct board board = { .path = "none.ini" };
	struct hal_env env = { 0 };
	struct printer_status st;
	void *printer = NULL;

	CHECK_INT(ops->open(&env, &board, &printer, NULL), 0);
	CHECK_INT(ops->status(printer, &st), -ENODEV);
	CHECK_INT(ops->print(printer, (const uint8_t *)"x", 1), -ENODEV);
	ops->close(printer);
	ops->close(NULL);
}

static void test_sim_input(void)
{
	struct rig r;
	struct sim_client a;
	bool active = false;

	if (!rig_open(&r, true, false))
		return;
	sim_client_connect(&a, r.loop, r.path);
	sim_client_send(&a, "input bin_full 1\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.rec.inputs, 1);
	CHECK_INT(r.rec.input_role, ROLE_BIN_FULL);
	CHECK(r.rec.input_active);
	CHECK_INT(r.gpio->get(r.gpio_handle, ROLE_BIN_FULL, &active), 0);
	CHECK(active);
	/* Same level again: answered, but no edge. */
	sim_client_send(&a, "input bin_full 1\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.rec.inputs, 1);
	sim_client_send(&a, "input bin_full 0\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.rec.inputs, 2);
	CHECK(!r.rec.input_active);
	sim_client_send(&a, "input done_button 1\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(r.rec.input_role, ROLE_DONE_BUTTON);
	sim_client_send(&a, "input door_closed 1\n");
	sim_client_expect(&a, r.loop, error_answer(ENOENT));
	CHECK_INT(r.rec.inputs, 3);
	sim_client_send(&a, "input lamp_ok 1\n");
	sim_client_expect(&a, r.loop, "error not an input role");
	sim_client_expect_nothing(&a, r.loop);
	sim_client_close(&a);
	rig_close(&r);
}

static int on_advance(void *data, const struct sim_command *cmd)
{
	return loop_advance(data, cmd->ms);
}

static int on_advance_refuse(void *data, const struct sim_command *cmd)
{
	return -EBUSY;
}

static void test_sim_errors_and_framing(void)
{
	struct rig r;
	struct sim_client a;
	char line[700];
	uint64_t t0;

	if (!rig_open(&r, true, false))
		return;
	sim_client_connect(&a, r.loop, r.path);
	sim_client_send(&a, "bogus\n");
	sim_client_expect(&a, r.loop, "error unknown command");
	sim_client_send(&a, "scan lamp_ok 1\n");
	sim_client_expect(&a, r.loop, "error not a scanner role");
	sim_client_send(&a, "\n");
	sim_client_expect(&a, r.loop, "error empty");
	sim_client_send(&a, "ping\r\n");
	sim_client_expect(&a, r.loop, "ok");
	sim_client_send(&a, "ping\nping\nbogus\n");
	sim_client_expect(&a, r.loop, "ok");
	sim_client_expect(&a, r.loop, "ok");
	sim_client_expect(&a, r.loop, "error unknown command");

	/* A line may arrive in pieces. */
	sim_client_send(&a, "sc");
	sim_client_expect_nothing(&a, r.loop);
	sim_client_send(&a, "an item_scanner 1");
	sim_client_expect_nothing(&a, r.loop);
	sim_client_send(&a, "23\n");
	sim_client_expect(&a, r.loop, "display ok Checked out 123");
	sim_client_expect(&a, r.loop, "ok");

	/* 512 bytes is the longest line; longer ones are dropped whole. */
	memset(line, 'x', 600);
	memcpy(line + 600, "\nping\n", 7);
	sim_client_send(&a, line);
	sim_client_expect(&a, r.loop, "error line too long");
	sim_client_expect(&a, r.loop, "ok");
	memset(line, 'y', 512);
	memcpy(line + 512, "\n", 2);
	sim_client_send(&a, line);
	sim_client_expect(&a, r.loop, "error unknown command");

	/* No handler: main registers advance; here nobody has. */
	sim_client_send(&a, "advance 10\n");
	sim_client_expect(&a, r.loop, "error unsupported");
	t0 = loop_mono_ms(r.loop);
	sim_channel_on(r.ch, SIM_CMD_ADVANCE, on_advance, r.loop);
	sim_client_send(&a, "advance 60000\n");
	sim_client_expect(&a, r.loop, "ok");
	CHECK_INT(loop_mono_ms(r.loop) - t0, 60000);
	sim_channel_on(r.ch, SIM_CMD_ADVANCE, on_advance_refuse, NULL);
	sim_client_send(&a, "advance 1\n");
	sim_client_expect(&a, r.loop, error_answer(EBUSY));
	sim_channel_on(r.ch, SIM_CMD_ADVANCE, NULL, NULL);
	sim_client_send(&a, "advance 1\n");
	sim_client_expect(&a, r.loop, "error unsupported");
	sim_client_expect_nothing(&a, r.loop);
	sim_client_close(&a);
	rig_close(&r);
}

static void test_sim_two_clients(void)
{
	struct rig r;
	struct sim_client a, b;

	if (!rig_open(&r, true, false))
		return;
	sim_client_connect(&a, r.loop, r.path);
	sim_client_connect(&b, r.loop, r.path);
	sim_client_send(&a, "scan item_scanner 555\n");
	sim_client_expect(&a, r.loop, "display ok Checked out 555");
	sim_client_expect(&a, r.loop, "ok");
	sim_client_expect(&b, r.loop, "display ok Checked out 555");
	sim_client_expect_nothing(&b, r.loop);
	sim_client_send(&b, "ping\n");
	sim_client_expect(&b, r.loop, "ok");
	sim_client_expect_nothing(&a, r.loop);
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_LAMP_OK, false), 0);
	sim_client_expect(&a, r.loop, "gpio lamp_ok 0");
	sim_client_expect(&b, r.loop, "gpio lamp_ok 0");
	sim_client_close(&a);
	sim_client_close(&b);
	rig_close(&r);
}

static void test_sim_disconnects(void)
{
	struct rig r;
	struct sim_client a, b, c, many[16];
	char line[64];
	int i;

	if (!rig_open(&r, true, false))
		return;
	sim_client_connect(&a, r.loop, r.path);
	sim_client_connect(&b, r.loop, r.path);
	sim_client_close(&b);
	CHECK_INT(r.gpio->set(r.gpio_handle, ROLE_LAMP_OK, true), 0);
	sim_client_expect(&a, r.loop, "gpio lamp_ok 1");

	/* The sender is gone by the time its handler writes to it. */
	sim_client_connect(&c, r.loop, r.path);
	sim_client_send(&c, "scan item_scanner 777\n");
	sim_client_close(&c);
	sim_client_expect(&a, r.loop, "display ok Checked out 777");
	CHECK_INT(r.rec.scans, 1);
	sim_client_expect_nothing(&a, r.loop);

	/* Half-closed: the answer still arrives, then the channel hangs up. */
	sim_client_connect(&c, r.loop, r.path);
	sim_client_send(&c, "ping\n");
	shutdown(c.fd, SHUT_WR);
	sim_client_expect(&c, r.loop, "ok");
	CHECK(!sim_client_read_line(&c, r.loop, line, sizeof(line)));
	CHECK(c.eof);
	sim_client_close(&c);

	/* 16 clients at most; a freed slot is usable again. */
	for (i = 0; i < 15; i++)
		sim_client_connect(&many[i], r.loop, r.path);
	CHECK_INT(sim_client_connect_raw(&c, r.path), 0);
	sim_client_expect(&c, r.loop, "error too many clients");
	CHECK(!sim_client_read_line(&c, r.loop, line, sizeof(line)));
	CHECK(c.eof);
	sim_client_close(&c);
	sim_client_close(&many[3]);
	sim_client_expect_nothing(&a, r.loop);
	sim_client_connect(&many[3], r.loop, r.path);
	sim_client_send(&many[3], "ping\n");
	sim_client_expect(&many[3], r.loop, "ok");
	for (i = 0; i < 15; i++)
		sim_client_close(&many[i]);
	sim_client_close(&a);
	rig_close(&r);
}

static void test_sim_slow_client_dropped(void)
{
	struct rig r;
	struct sim_client slow, reader;
	char text[1500];
	size_t total = 0, got = 0;
	uint64_t deadline;
	int i;

	if (!rig_open(&r, true, false))
		return;
	sim_client_connect(&slow, r.loop, r.path);
	sim_client_connect(&reader, r.loop, r.path);
	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	/* ~2 MB while slow reads nothing: emitting must neither block nor stop. */
	for (i = 0; i < 1400; i++) {
		CHECK_INT(r.rec.display->show(r.rec.display_handle, DISPLAY_INFO, text), 0);
		total += strlen("display info \n") + sizeof(text) - 1;
		loop_run_once(r.loop, 0);
		/* reader keeps up, so it stays. */
		sim_client_fill(&reader);
		got += reader.len;
		reader.len = 0;
	}
	deadline = sim_client_now_ms() + 2000;
	while (got < total && sim_client_now_ms() < deadline) {
		loop_run_once(r.loop, 10);
		sim_client_fill(&reader);
		got += reader.len;
		reader.len = 0;
	}
	CHECK_INT(got, total);
	CHECK(!reader.eof);

	/* slow was dropped: it reads what the kernel holds, then EOF. */
	got = 0;
	deadline = sim_client_now_ms() + 2000;
	while (!slow.eof && sim_client_now_ms() < deadline) {
		sim_client_fill(&slow);
		got += slow.len;
		slow.len = 0;
	}
	CHECK(slow.eof);
	CHECK(got < total);
	sim_client_send(&reader, "ping\n");
	sim_client_expect(&reader, r.loop, "ok");
	sim_client_close(&slow);
	sim_client_close(&reader);
	rig_close(&r);
}

static void test_sim_socket_path(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct sim_channel *ch = NULL;
	struct loop *loop = NULL;
	char dir[64] = "/tmp/circd-test-sim-XXXXXX", path[96], file[96], longpath[200];
	struct stat st;
	int fd;
	void *handle = NULL;
	struct board board;
	struct hal_env env = { .loop = NULL };
	struct file_error err = { .line = 0 };

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	env.loop = loop;
	snprintf(path, sizeof(path), "%s/sim.sock", dir);
	snprintf(file, sizeof(file), "%s/plain", dir);

	/* A stale socket from a crashed run is replaced. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_INT(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
	CHECK_INT(sim_channel_new(loop, path, false, &ch), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0660);
	sim_channel_free(ch);
	CHECK(stat(path, &st) < 0 && errno == ENOENT);

	/* Anything else at the path is left alone. */
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	close(fd);
	CHECK_INT(sim_channel_new(loop, file, false, &ch), -EEXIST);
	CHECK_INT(stat(file, &st), 0);
	unlink(file);

	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK_INT(sim_channel_new(loop, longpath, false, &ch), -ENAMETOOLONG);

	/* No socket, no terminal: a channel that only swallows events. */
	CHECK_INT(sim_channel_new(loop, NULL, false, &ch), 0);
	sim_channel_emit(ch, "gpio %s %d", "lamp_ok", 1);
	sim_channel_free(ch);

	sim_channel_free(NULL);
	sim_channel_emit(NULL, "nothing");
	memset(&board, 0, sizeof(board));
	CHECK_INT(gpio_sim_ops.open(&env, &board, &gpio_events, NULL, &handle, &err), -EINVAL);
	CHECK(strstr(err.msg, "sim channel") != NULL);
	CHECK_INT(scanner_sim_ops.open(&env, &board, &scanner_events, NULL, &handle, &err),
		  -EINVAL);
	CHECK_INT(display_sim_ops.open(&env, &board, NULL, &display_events, NULL, &handle, &err),
		  -EINVAL);
	gpio_sim_ops.close(NULL);
	scanner_sim_ops.close(NULL);
	display_sim_ops.close(NULL);
	loop_free(loop);
	rmdir(dir);
}

/* Pumps until cond or 2 s. */
#define PUMP_UNTIL(r, cond)                                                  \
	do {                                                                 \
		uint64_t pump_deadline = sim_client_now_ms() + 2000;                    \
		while (!(cond) && sim_client_now_ms() < pump_deadline)                  \
			loop_run_once((r)->loop, 10);                        \
	} while (0)

static void test_sim_terminal(void)
{
	static const char expected[] =
		"  [display:ok] Checked out 31234000000014\n"
		"error: bad pin\n"
		"  [lamp_ok] on\n"
		"  [lamp_error] off\n"
		"  [display:receipt] Receipt\n"
		"                    1. The Hobbit\n"
		"                    2. Dune\n";
	int in_pipe[2], out_pipe[2], saved_in, saved_out;
	char out[1024];
	ssize_t n;
	struct rig r;
	bool ok;

	fflush(stdout);
	saved_in = dup(STDIN_FILENO);
	saved_out = dup(STDOUT_FILENO);
	CHECK_INT(pipe2(in_pipe, O_CLOEXEC), 0);
	CHECK_INT(pipe2(out_pipe, O_CLOEXEC | O_NONBLOCK), 0);
	dup2(in_pipe[0], STDIN_FILENO);
	dup2(out_pipe[1], STDOUT_FILENO);

	ok = rig_open(&r, false, true);
	if (ok) {
		CHECK_INT(write(in_pipe[1], "31234000000014\n", 15), 15);
		PUMP_UNTIL(&r, r.rec.scans == 1);
		CHECK_INT(r.rec.scans, 1);
		CHECK_STR(r.rec.last_scan.text, "31234000000014");
		/* Typed: from no one device role, so cards and items both work at the keyboard. */
		CHECK(!r.rec.last_scan.for_items && !r.rec.last_scan.for_patrons);
		CHECK_INT(write(in_pipe[1], "pin abc\nping\n", 13), 13);
		for (int i = 0; i < 5; i++)
			loop_run_once(r.loop, 10);
		r.gpio->set(r.gpio_handle, ROLE_LAMP_OK, true);
		r.gpio->set(r.gpio_handle, ROLE_LAMP_ERROR, false);
		r.rec.display->show(r.rec.display_handle, DISPLAY_RECEIPT,
				    "Receipt\n1. The Hobbit\n2. Dune");
		/* A last line without newline still counts at end of input. */
		CHECK_INT(write(in_pipe[1], "pin 9876", 8), 8);
		close(in_pipe[1]);
		in_pipe[1] = -1;
		PUMP_UNTIL(&r, r.rec.pins == 1);
		CHECK_STR(r.rec.pin, "9876");
		/* stdin is gone from the loop; the loop must not spin on its EOF. */
		CHECK_INT(loop_run_once(r.loop, 0), 0);
		rig_close(&r);
	}

	fflush(stdout);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_in, STDIN_FILENO);
	close(saved_out);
	close(saved_in);
	if (in_pipe[1] >= 0)
		close(in_pipe[1]);
	close(in_pipe[0]);
	close(out_pipe[1]);
	n = read(out_pipe[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	close(out_pipe[0]);
	CHECK_STR(out, expected);
}

int main(void)
{
	RUN(test_parse_scan);
	RUN(test_parse_scan_refused);
	RUN(test_parse_pin);
	RUN(test_parse_input);
	RUN(test_parse_advance);
	RUN(test_parse_ping_unknown_empty);
	RUN(test_parse_cr);
	RUN(test_parse_terminal);
	RUN(test_parse_printer_status);
	RUN(test_parse_scanner_plug);
	RUN(test_hal_tables);
	RUN(test_sim_scan_roundtrip);
	RUN(test_sim_scanner_unplugged);
	RUN(test_sim_gpio);
	RUN(test_sim_display_and_pin);
	RUN(test_sim_printer);
	RUN(test_printer_none);
	RUN(test_sim_input);
	RUN(test_sim_errors_and_framing);
	RUN(test_sim_two_clients);
	RUN(test_sim_disconnects);
	RUN(test_sim_slow_client_dropped);
	RUN(test_sim_socket_path);
	RUN(test_sim_terminal);
	return testlib_finish();
}
