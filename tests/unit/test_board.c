/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../hal/board.h"
#include "../../hal/scanner.h"
#include "testlib.h"

static const char sim_board[] =
	"; a comment\n"
	"[board]\n"
	"name = Test sim\n"
	"\n"
	"[output lamp_ok]\n"
	"[output buzzer]\n"
	"active_low = yes\n"
	"[input bin_full]\n"
	"[input done_button]\n"
	"debounce_ms = 0\n"
	"[scanner item_scanner]\n";

static void test_sim_board(void)
{
	struct file_error err = { 0 };
	struct board *b = NULL;

	CHECK_INT(board_parse(sim_board, "sim.ini", &b, &err), 0);
	CHECK(b);
	if (!b)
		return;
	CHECK_STR(b->path, "sim.ini");
	CHECK_STR(b->name, "Test sim");
	CHECK_STR(b->gpio_backend, "sim");
	CHECK_STR(b->scanner_backend, "sim");
	CHECK_STR(b->display_backend, "sim");
	/* A board says it has a printer: none unless it does. */
	CHECK_STR(b->printer_backend, "none");

	CHECK(b->roles[ROLE_LAMP_OK].present);
	CHECK_INT(b->roles[ROLE_LAMP_OK].src_line, 5);
	CHECK(!b->roles[ROLE_LAMP_OK].active_low);
	CHECK_STR(b->roles[ROLE_LAMP_OK].chip, "");
	CHECK_STR(b->roles[ROLE_LAMP_OK].line, "");
	CHECK(b->roles[ROLE_BUZZER].present);
	CHECK(b->roles[ROLE_BUZZER].active_low);
	CHECK(!b->roles[ROLE_LAMP_ERROR].present);
	CHECK(!b->roles[ROLE_FLAP_UNLOCK].present);

	CHECK(b->roles[ROLE_BIN_FULL].present);
	CHECK_INT(b->roles[ROLE_BIN_FULL].src_line, 8);
	CHECK_INT(b->roles[ROLE_BIN_FULL].debounce_ms, 10);
	CHECK_INT(b->roles[ROLE_DONE_BUTTON].debounce_ms, 0);
	CHECK(!b->roles[ROLE_DOOR_CLOSED].present);

	CHECK(b->roles[ROLE_ITEM_SCANNER].present);
	CHECK_INT(b->roles[ROLE_ITEM_SCANNER].src_line, 11);
	CHECK_INT(b->n_scanners, 1);
	CHECK_STR(b->scanners[0].name, "item_scanner");
	CHECK(b->scanners[0].items && !b->scanners[0].patrons);
	CHECK(!b->scanners[0].hidpos);
	CHECK_INT(b->scanners[0].layout, HID_LAYOUT_US);
	CHECK_INT(b->scanners[0].card.format, CARD_FORMAT_TEXT);
	CHECK_INT(b->scanners[0].card.byte_order, CARD_MSB_FIRST);
	CHECK_STR(b->scanners[0].card.separator, ",");
	CHECK_INT(b->scanners[0].card.pad_length, 0);
	CHECK_STR(b->scanners[0].card.trim_prefix, "");
	CHECK_INT(b->scanners[0].char_timeout_ms, 100);
	CHECK_INT(b->scanners[0].usb_vid, 0);
	CHECK(!b->roles[ROLE_PATRON_READER].present);
	board_free(b);

	/* no [board] section at all: sim backends */
	CHECK_INT(board_parse("[output lamp_ok]\n", "min.ini", &b, &err), 0);
	CHECK(b && strcmp(b->gpio_backend, "sim") == 0 && b->roles[ROLE_LAMP_OK].present);
	board_free(b);
	CHECK_INT(board_parse("", "empty.ini", &b, &err), 0);
	board_free(b);
}

static void test_printer_key(void)
{
	struct file_error err = { 0 };
	struct board *b = NULL;

	CHECK_INT(board_parse("[board]\nprinter = sim\n", "p.ini", &b, &err), 0);
	if (!b)
		return;
	CHECK_STR(b->printer_backend, "sim");
	board_free(b);
	b = NULL;
	CHECK_INT(board_parse("[board]\nprinter = none\n", "p.ini", &b, &err), 0);
	if (!b)
		return;
	CHECK_STR(b->printer_backend, "none");
	board_free(b);
}

/*
 * The receipt printer's section. 04b8:0202 is Seiko Epson's USB interface
 * of its TM-series receipt printers, the id the escpos-rw crate's README
 * opens its example printer with (https://docs.rs/crate/escpos-rw/1.0.0).
 */
static void test_printer_section(void)
{
	struct file_error err = { 0 };
	struct board *b = NULL;

	CHECK_INT(board_parse("[board]\nprinter = escpos\n[printer]\nusb = 04b8:0202\n"
			      "serial = P1\nport = 1-1.4\n",
			      "p.ini", &b, &err),
		  0);
	if (!b)
		return;
	CHECK_STR(b->printer_backend, "escpos");
	CHECK(b->printer.present && b->printer.usb_set);
	CHECK_INT(b->printer.src_line, 3);
	CHECK_INT(b->printer.usb_vid, 0x04b8);
	CHECK_INT(b->printer.usb_pid, 0x0202);
	CHECK_STR(b->printer.serial, "P1");
	CHECK_STR(b->printer.port, "1-1.4");
	CHECK_STR(b->printer.device, "");
	board_free(b);
	b = NULL;
	/* the section may come first, and a fixed path does without usb */
	CHECK_INT(board_parse("[printer]\ndevice = /dev/usb/lp0\n[board]\nprinter = escpos\n",
			      "p.ini", &b, &err),
		  0);
	if (!b)
		return;
	CHECK_STR(b->printer.device, "/dev/usb/lp0");
	CHECK(!b->printer.usb_set);
	board_free(b);
	b = NULL;
	/* switched off in [board]: the ids stay, unused */
	CHECK_INT(board_parse("[board]\nprinter = none\n[printer]\nusb = 04b8:0202\n", "p.ini",
			      &b, &err),
		  0);
	CHECK(b && b->printer.usb_set);
	board_free(b);
}

static const char gpiod_board[] =
	"[board]\n"
	"name = Raspberry Pi 4 self-check kiosk\n"
	"gpio = gpiod            ; backend\n"
	"scanner = libusb\n"
	"display = sim\n"
	"\n"
	"[output lamp_ok]\n"
	"chip = gpiochip0\n"
	"line = GPIO17\n"
	"active_low = yes\n"
	"\n"
	"[input bin_full]\n"
	"  chip = /dev/gpiochip1\n"
	"  line = 22\n"
	"  active_low = false\n"
	"  debounce_ms = 1000\n"
	"\n"
	"[scanner item_scanner]\n"
	"usb = 05E0:1200\n"
	"protocol = hidpos\n"
	"layout = de\n"
	"\n"
	"[scanner patron_reader]\n"
	"usb = ffff:35\n";

static void test_gpiod_board(void)
{
	struct file_error err = { 0 };
	struct board *b = NULL;
	const struct board_role_map *m;

	CHECK_INT(board_parse(gpiod_board, "pi.ini", &b, &err), 0);
	if (!b) {
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		CHECK(b);
		return;
	}
	CHECK_STR(b->name, "Raspberry Pi 4 self-check kiosk");
	CHECK_STR(b->gpio_backend, "gpiod");
	CHECK_STR(b->scanner_backend, "libusb");
	CHECK_STR(b->display_backend, "sim");
	m = &b->roles[ROLE_LAMP_OK];
	CHECK(m->present);
	CHECK_INT(m->src_line, 7);
	CHECK_STR(m->chip, "gpiochip0");
	CHECK_STR(m->line, "GPIO17");
	CHECK(m->active_low);
	m = &b->roles[ROLE_BIN_FULL];
	CHECK_INT(m->src_line, 12);
	CHECK_STR(m->chip, "/dev/gpiochip1");
	CHECK_STR(m->line, "22");
	CHECK(!m->active_low);
	CHECK_INT(m->debounce_ms, 1000);
	CHECK_INT(b->n_scanners, 2);
	CHECK_INT(b->scanners[0].usb_vid, 0x05e0);
	CHECK_INT(b->scanners[0].usb_pid, 0x1200);
	CHECK(b->scanners[0].hidpos);
	CHECK_INT(b->scanners[0].layout, HID_LAYOUT_DE);
	CHECK_INT(b->scanners[1].usb_vid, 0xffff);
	CHECK_INT(b->scanners[1].usb_pid, 0x0035);
	CHECK(!b->scanners[1].hidpos);
	CHECK(b->roles[ROLE_ITEM_SCANNER].present && b->roles[ROLE_PATRON_READER].present);
	board_free(b);
}

static void test_booleans(void)
{
	static const struct {
		const char *value;
		bool want;
	} cases[] = {
		{ "yes", true }, { "no", false }, { "true", true }, { "false", false },
		{ "1", true },   { "0", false },  { "YES", true },  { "False", false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[64];
		struct file_error err = { 0 };
		struct board *b = NULL;

		snprintf(text, sizeof(text), "[output buzzer]\nactive_low = %s\n", cases[i].value);
		CHECK_INT(board_parse(text, "b.ini", &b, &err), 0);
		CHECK(b && b->roles[ROLE_BUZZER].active_low == cases[i].want);
		board_free(b);
	}
}

struct error_case {
	const char *text;
	int line;
	const char *want[3];
};

#define LONG64 "1234567890123456789012345678901234567890123456789012345678901234"

static const struct error_case error_cases[] = {
	{ "[board]\n\n[output lamp_okay]\n", 3, { "unknown output role 'lamp_okay'", "lamp_ok" } },
	{ "[output bin_full]\n", 1, { "bin_full is an input role, not an output" } },
	{ "[input lamp_ok]\n", 1, { "lamp_ok is an output role, not an input" } },
	{ "[scanner buzzer]\n", 1, { "buzzer is an output role, not a scanner" } },
	{ "[output item_scanner]\n", 1, { "item_scanner is a scanner role, not an output" } },
	{ "[output]\n", 1, { "[output] needs a role", "lamp_ok" } },
	{ "[outputs lamp_ok]\n", 1, { "unknown section [outputs lamp_ok]" } },
	{ "[board extra]\n", 1, { "unknown section" } },
	{ "[output lamp_ok extra]\n", 1, { "unknown output role" } },
	{ "[output lamp_ok]\nchip = gpiochip0\nline = GPIO17\ndebounce_ms = 5\n", 4,
	  { "[output lamp_ok] debounce_ms: unknown key", "chip, line or active_low" } },
	{ "[scanner item_scanner]\nline = 4\n", 2, { "[scanner item_scanner] line: unknown key" } },
	{ "[board]\nname = x\nlamps = 3\n", 3, { "[board] lamps: unknown key" } },
	{ "[board]\ngpio = wiringpi\n", 2, { "[board] gpio", "sim or gpiod", "'wiringpi'" } },
	{ "[board]\nscanner = hidraw\n", 2, { "[board] scanner", "sim or libusb" } },
	{ "[board]\ndisplay = libusb\n", 2, { "[board] display", "expected sim" } },
	{ "[board]\nprinter = usblp\n", 2, { "[board] printer", "expected sim", "'usblp'" } },
	{ "[board]\nname =\n", 2, { "[board] name", "empty" } },
	{ "[board]\nname = " LONG64 LONG64 "\n", 2, { "[board] name", "longer than 127" } },
	{ "[output lamp_ok]\nchip = " LONG64 "\n", 2, { "chip", "longer than 63" } },
	{ "[output lamp_ok]\nline = " LONG64 "\n", 2, { "line", "longer than 63" } },
	{ "[output lamp_ok]\nactive_low = maybe\n", 2, { "active_low", "yes or no" } },
	{ "[input bin_full]\ndebounce_ms = 1001\n", 2, { "debounce_ms", "0 to 1000" } },
	{ "[input bin_full]\ndebounce_ms = -1\n", 2, { "debounce_ms" } },
	{ "[input bin_full]\ndebounce_ms = 20ms\n", 2, { "debounce_ms", "'20ms'" } },
	{ "[scanner item_scanner]\nusb = 05e0\n", 2, { "usb", "VID:PID", "'05e0'" } },
	{ "[scanner item_scanner]\nusb = 05e0:\n", 2, { "usb", "VID:PID" } },
	{ "[scanner item_scanner]\nusb = :1200\n", 2, { "usb" } },
	{ "[scanner item_scanner]\nusb = 05g0:1200\n", 2, { "usb" } },
	{ "[scanner item_scanner]\nusb = 105e0:1200\n", 2, { "usb" } },
	{ "[scanner item_scanner]\nusb = 05e0:1200:1\n", 2, { "usb" } },
	{ "[scanner item_scanner]\nusb = 05e0-1200\n", 2, { "usb" } },
	{ "[scanner item_scanner]\nusb = 0x5e0:1200\n", 2, { "usb" } },
	{ "[scanner item_scanner]\nprotocol = serial\n", 2, { "protocol", "wedge or hidpos" } },
	{ "[scanner item_scanner]\nlayout = uk\n", 2,
	  { "layout", "us, de, fr, gb, dk, no, se, fi, ch-de, ch-fr, be, es, it or nl" } },
	{ "[output lamp_ok]\n[output buzzer]\n[output lamp_ok]\n", 3,
	  { "duplicate section [output lamp_ok]", "line 1" } },
	{ "[board]\n[board]\n", 2, { "duplicate section [board]" } },
	{ "[output lamp_ok]\nchip = a\nchip = b\n", 3, { "chip", "set twice" } },
	{ "chip = a\n", 1, { "outside a section" } },
	{ "[output lamp_ok]\nchip\n", 2, { "expected [section] or key = value" } },
	{ "[output lamp_ok\n", 1, { "without ']'" } },
	/* gpiod needs chip and line, reported at the section header */
	{ "[board]\ngpio = gpiod\n\n[output lamp_ok]\nchip = gpiochip0\n", 4,
	  { "[output lamp_ok] needs line with gpio = gpiod" } },
	{ "[board]\ngpio = gpiod\n[output buzzer]\n", 3, { "needs line" } },
	/* the board section may come last; the earliest incomplete section is named */
	{ "[output lamp_ok]\nchip = c\nline = l\n[input done_button]\n[output buzzer]\n"
	  "[board]\ngpio = gpiod\n",
	  4, { "[input done_button] needs line" } },
	{ "[board]\nscanner = libusb\n[scanner front]\nusb = 05e0:1200\n", 3,
	  { "[scanner front] needs role" } },
	{ "[scanner front]\nrole = staff\n", 2, { "role", "item_scanner, patron_reader or both" } },
	{ "[scanner item_scanner]\nport = usb1\n", 2, { "port", "1-1.2" } },
	{ "[scanner item_scanner]\nport = 1-1.\n", 2, { "port" } },
	{ "[scanner item_scanner]\ncard_format = bcd\n", 2, { "card_format", "hex-to-dec10" } },
	{ "[scanner item_scanner]\nchar_timeout_ms = 10001\n", 2, { "char_timeout_ms" } },
	{ "[scanner patron_reader]\ncard_byte_order = little\n", 2,
	  { "[scanner patron_reader] card_byte_order: expected msb or lsb, got 'little'" } },
	{ "[scanner patron_reader]\n\ncard_pad_length = 129\n", 3,
	  { "card_pad_length: expected a number from 0 to 128, got '129'" } },
	{ "[scanner patron_reader]\ncard_pad_length = -1\n", 2, { "card_pad_length" } },
	/* a bare ; after a space is a comment: the value is empty, and the message says why */
	{ "[scanner patron_reader]\ntrim_prefix = ;\n", 2,
	  { "trim_prefix: empty value", "double quotes" } },
	{ "[scanner patron_reader]\ntrim_suffix = \"\"\n", 2, { "trim_suffix: empty value" } },
	{ "[scanner patron_reader]\ntrim_suffix = 12345678\n", 2,
	  { "trim_suffix: longer than 7 characters" } },
	{ "[scanner patron_reader]\ncard_separator = \"a\"b\"\n", 2,
	  { "card_separator", "printable characters other than \"" } },
	{ "[scanner patron_reader]\ncard_format = 8h10d\n", 2,
	  { "card_format", "wiegand26", "uid-dec" } },
	{ "[scanner patron_reader]\ntrim_prefix = \"%\"\ntrim_prefix = \";\"\n", 3,
	  { "trim_prefix: set twice (first at line 2)" } },
	{ "[scanner a b]\n", 1, { "scanner name 'a b'" } },
	{ "[scanner s]\nrole = both\n[scanner s]\n", 3, { "duplicate section [scanner s]" } },
	{ "[scanner a]\n[scanner b]\n[scanner c]\n[scanner d]\n[scanner e]\n", 5,
	  { "more than 4 scanners" } },
	{ "[board]\nscanner = libusb\n[scanner item_scanner]\nusb = 05e0:1200\n"
	  "[scanner patron_reader]\nprotocol = wedge\n",
	  5, { "[scanner patron_reader] needs usb with scanner = libusb" } },
};

static void test_errors_name_the_line(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		struct file_error err = { 0 };
		struct board *b = (struct board *)&err; /* must come back NULL */
		int r;

		r = board_parse(c->text, "kiosk.ini", &b, &err);
		CHECK_INT(r, -EINVAL);
		CHECK(b == NULL);
		CHECK_STR(err.file, "kiosk.ini");
		CHECK_INT(err.line, c->line);
		for (int w = 0; w < 3 && c->want[w]; w++) {
			if (!strstr(err.msg, c->want[w])) {
				fprintf(stderr, "case %zu: '%s' not in '%s'\n", i, c->want[w],
					err.msg);
				CHECK(strstr(err.msg, c->want[w]));
			}
		}
		if (r != -EINVAL || err.line != c->line)
			fprintf(stderr, "case %zu: %s:%d: %s\n", i, err.file, err.line, err.msg);
	}
}

static void test_sim_needs_no_pins(void)
{
	struct file_error err = { 0 };
	struct board *b = NULL;

	CHECK_INT(board_parse("[board]\ngpio = sim\nscanner = sim\n[output lamp_ok]\n"
			      "[input bin_full]\n[scanner item_scanner]\n",
			      "s.ini", &b, &err),
		  0);
	board_free(b);
	/* libusb scanners do not make gpio lines necessary, nor the reverse */
	CHECK_INT(board_parse("[board]\nscanner = libusb\n[output lamp_ok]\n", "s.ini", &b, &err),
		  0);
	board_free(b);
	CHECK_INT(board_parse("[board]\ngpio = gpiod\n[scanner item_scanner]\n", "s.ini", &b, &err),
		  0);
	board_free(b);
}

static void test_require(void)
{
	static const enum board_role returns_roles[] = { ROLE_ITEM_SCANNER, ROLE_FLAP_UNLOCK,
							 ROLE_BIN_FULL };
	static const enum board_role bad_role[] = { ROLE_NONE };
	struct file_error err = { 0 };
	struct board *b = NULL;

	CHECK_INT(board_parse("[scanner item_scanner]\n[input bin_full]\n", "ret.ini", &b, &err),
		  0);
	if (!b)
		return;
	CHECK_INT(board_require(b, returns_roles, 0, &err), 0);
	CHECK_INT(board_require(b, returns_roles, 1, &err), 0);
	CHECK_INT(board_require(b, returns_roles, 3, &err), -ENOENT);
	CHECK_STR(err.file, "ret.ini");
	CHECK_INT(err.line, 0);
	CHECK_STR(err.msg, "board has no output role flap_unlock");
	CHECK_INT(board_require(b, &returns_roles[2], 1, &err), 0);
	CHECK_INT(board_require(b, bad_role, 1, &err), -EINVAL);
	board_free(b);
}

static void test_load_missing_file(void)
{
	struct file_error err = { 0 };
	struct board *b = (struct board *)&err;

	CHECK_INT(board_load("boards/no-such-board.ini", &b, &err), -ENOENT);
	CHECK(b == NULL);
	CHECK_STR(err.file, "boards/no-such-board.ini");
	CHECK_INT(err.line, 0);
	CHECK_STR(err.msg, "cannot open: No such file or directory");
	board_free(NULL);
}

static struct board *load_shipped(const char *path)
{
	struct file_error err = { 0 };
	struct board *b = NULL;
	int r = board_load(path, &b, &err);

	if (r < 0)
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
	CHECK_INT(r, 0);
	return b;
}

static void test_shipped_sim(void)
{
	struct file_error err = { 0 };
	struct board *b = load_shipped("boards/sim.ini");
	enum board_role all[ROLE__COUNT];

	if (!b)
		return;
	CHECK_STR(b->path, "boards/sim.ini");
	CHECK_STR(b->name, "Simulated kiosk");
	CHECK_STR(b->gpio_backend, "sim");
	CHECK_STR(b->scanner_backend, "sim");
	CHECK_STR(b->display_backend, "sim");
	CHECK_STR(b->printer_backend, "sim");
	for (int i = 0; i < ROLE__COUNT; i++)
		all[i] = (enum board_role)i;
	CHECK_INT(board_require(b, all, ROLE__COUNT, &err), 0);
	/* The simulated bin door starts closed; nothing else starts active. */
	CHECK(b->roles[ROLE_DOOR_CLOSED].sim_active);
	CHECK(!b->roles[ROLE_BIN_FULL].sim_active);
	board_free(b);
}

static void test_shipped_rpi4_kiosk(void)
{
	static const enum board_role needed[] = { ROLE_LAMP_OK,	    ROLE_LAMP_ERROR,
						  ROLE_LAMP_ATTENTION, ROLE_BUZZER,
						  ROLE_DONE_BUTTON,    ROLE_STAFF_BUTTON,
						  ROLE_ITEM_SCANNER,   ROLE_PATRON_READER };
	struct file_error err = { 0 };
	struct board *b = load_shipped("boards/rpi4-kiosk.ini");

	if (!b)
		return;
	CHECK_STR(b->gpio_backend, "gpiod");
	CHECK_STR(b->scanner_backend, "libusb");
	/* The touch screen's page, and no sim backend: no test socket on a kiosk in a library. */
	CHECK_STR(b->display_backend, "web");
	CHECK_STR(b->printer_backend, "none");
	CHECK_INT(board_require(b, needed, ARRAY_SIZE(needed), &err), 0);
	CHECK(!b->roles[ROLE_FLAP_UNLOCK].present);
	CHECK_STR(b->roles[ROLE_LAMP_OK].chip, "gpiochip0");
	CHECK_STR(b->roles[ROLE_LAMP_OK].line, "GPIO17");
	CHECK(b->roles[ROLE_LAMP_OK].active_low);
	CHECK(!b->roles[ROLE_BUZZER].active_low);
	CHECK(b->roles[ROLE_DONE_BUTTON].active_low);
	CHECK_INT(b->n_scanners, 2);
	CHECK_INT(b->scanners[0].usb_vid, 0x05e0);
	CHECK_INT(b->scanners[0].usb_pid, 0x1200);
	CHECK(!b->scanners[0].hidpos);
	CHECK_INT(b->scanners[0].layout, HID_LAYOUT_US);
	CHECK_INT(b->scanners[1].usb_vid, 0xffff);
	CHECK_INT(b->scanners[1].usb_pid, 0x0035);
	CHECK(b->scanners[1].patrons && !b->scanners[1].items);
	board_free(b);
}

static void test_shipped_rpi4_returns(void)
{
	static const enum board_role needed[] = { ROLE_FLAP_UNLOCK, ROLE_DOOR_LOCK,  ROLE_LAMP_OK,
						  ROLE_LAMP_ERROR,  ROLE_BUZZER,     ROLE_BIN_FULL,
						  ROLE_DOOR_CLOSED, ROLE_ITEM_SCANNER };
	struct file_error err = { 0 };
	struct board *b = load_shipped("boards/rpi4-returns.ini");

	if (!b)
		return;
	CHECK_STR(b->gpio_backend, "gpiod");
	CHECK_INT(board_require(b, needed, ARRAY_SIZE(needed), &err), 0);
	CHECK(!b->roles[ROLE_PATRON_READER].present);
	CHECK(b->roles[ROLE_BIN_FULL].debounce_ms > 10);
	CHECK(b->roles[ROLE_DOOR_CLOSED].debounce_ms > 10);
	CHECK_INT(b->scanners[0].usb_vid, 0x05e0);
	board_free(b);
}

/* The Pi 5 boards are the Pi 4 wiring on the RP1 chip, found by its label. */
static void test_shipped_rpi5(void)
{
	static const char *const files[] = { "boards/rpi5-kiosk.ini", "boards/rpi5-returns.ini" };

	for (size_t i = 0; i < 2; i++) {
		struct board *b = load_shipped(files[i]);

		if (!b)
			continue;
		CHECK_STR(b->gpio_backend, "gpiod");
		CHECK_STR(b->roles[ROLE_LAMP_OK].chip, "pinctrl-rp1");
		CHECK(b->roles[ROLE_LAMP_OK].line[0] == 'G');
		CHECK(b->n_scanners >= 1);
		CHECK_INT(b->scanners[0].usb_vid, 0x05e0);
		board_free(b);
	}
}

static void test_role_names(void)
{
	static const char *const names[ROLE__COUNT] = {
		"lamp_ok",  "lamp_error",  "lamp_attention", "buzzer",
		"flap_unlock", "door_lock", "sort_bin_1", "sort_bin_2", "sort_bin_3", "sort_bin_4",
		"bin_full",	     "door_closed",
		"done_button", "staff_button", "item_scanner", "patron_reader", "item_pad",
	};

	for (int i = 0; i < ROLE__COUNT; i++) {
		CHECK_STR(board_role_name((enum board_role)i), names[i]);
		CHECK_INT(board_role_from_name(names[i]), i);
	}
	CHECK_INT(board_role_kind(ROLE_DOOR_LOCK), ROLE_KIND_OUTPUT);
	CHECK_INT(board_role_kind(ROLE_BIN_FULL), ROLE_KIND_INPUT);
	CHECK_INT(board_role_kind(ROLE_STAFF_BUTTON), ROLE_KIND_INPUT);
	CHECK_INT(board_role_kind(ROLE_PATRON_READER), ROLE_KIND_SCANNER);
	CHECK_INT(board_role_kind(ROLE_NONE), ROLE_KIND_NONE);
	CHECK_INT(board_role_kind(ROLE__COUNT), ROLE_KIND_NONE);
	CHECK_INT(board_role_from_name("LAMP_OK"), ROLE_NONE);
	CHECK_INT(board_role_from_name(""), ROLE_NONE);
	CHECK_INT(board_role_from_name(NULL), ROLE_NONE);
	CHECK_STR(board_role_name(ROLE_NONE), "none");
	CHECK_STR(board_role_name(ROLE__COUNT), "none");
	CHECK_STR(board_role_kind_name(ROLE_KIND_OUTPUT), "output");
	CHECK_STR(board_role_kind_name(ROLE_KIND_SCANNER), "scanner");
	CHECK_STR(board_role_kind_name(ROLE_KIND_NONE), "none");
}

/* One scanner for cards and items, two identical readers told apart by serial and port. */
static void test_scanner_devices(void)
{
	static const char text[] = "[board]\nscanner = libusb\n"
				   "[scanner front]\nrole = both\nusb = 1209:0002\nprotocol = hidpos\n"
				   "[scanner card-left]\nrole = patron_reader\nusb = ffff:0035\n"
				   "serial = A17\ncard_format = hex-to-dec10\nchar_timeout_ms = 0\n"
				   "[scanner card-right]\nrole = patron_reader\nusb = ffff:0035\n"
				   "port = 1-1.4\nlayout = fr\n";
	struct file_error err = { 0 };
	struct board *b;

	CHECK_INT(board_parse(text, "dev.ini", &b, &err), 0);
	if (!b)
		return;
	CHECK_INT(b->n_scanners, 3);
	CHECK(b->scanners[0].items && b->scanners[0].patrons);
	CHECK_INT(board_scanner_role(&b->scanners[0]), ROLE_ITEM_SCANNER);
	CHECK_INT(board_scanner_role(&b->scanners[1]), ROLE_PATRON_READER);
	CHECK_STR(b->scanners[1].serial, "A17");
	CHECK_INT(b->scanners[1].card.format, CARD_FORMAT_HEX_TO_DEC10);
	CHECK_INT(b->scanners[1].char_timeout_ms, 0);
	CHECK_STR(b->scanners[2].port, "1-1.4");
	CHECK_INT(b->scanners[2].layout, HID_LAYOUT_FR);
	CHECK_STR(b->scanners[2].serial, "");
	CHECK(b->roles[ROLE_ITEM_SCANNER].present && b->roles[ROLE_PATRON_READER].present);
	/* the role's line is its first scanner's */
	CHECK_INT(b->roles[ROLE_PATRON_READER].src_line, 3);
	board_free(b);
}

/* A 13.56 MHz reader typing the UID reversed, and a 125 kHz one in track-2 style. */
static void test_card_reader_options(void)
{
	static const char text[] = "[scanner uid-reader]\nrole = patron_reader\n"
				   "card_format = uid-dec\ncard_byte_order = lsb\n"
				   "[scanner track-reader]\nrole = patron_reader\n"
				   "card_format = wiegand26\ncard_separator = \" / \"\n"
				   "trim_prefix = \";\"  ; track 2 start sentinel\n"
				   "trim_suffix = ?\n"
				   "[scanner together]\nrole = patron_reader\n"
				   "card_format = wiegand26\ncard_separator =\n"
				   "card_pad_length = 6 ; it drops leading zeros\n";
	struct file_error err = { 0 };
	struct board *b;
	char out[SCAN_TEXT_MAX + 1];

	CHECK_INT(board_parse(text, "cards.ini", &b, &err), 0);
	if (!b) {
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		return;
	}
	CHECK_INT(b->scanners[0].card.format, CARD_FORMAT_UID_DEC);
	CHECK_INT(b->scanners[0].card.byte_order, CARD_LSB_FIRST);
	CHECK_INT(b->scanners[0].card.pad_length, 0);
	CHECK_INT(b->scanners[1].card.format, CARD_FORMAT_WIEGAND26);
	CHECK_STR(b->scanners[1].card.separator, " / ");
	CHECK_STR(b->scanners[1].card.trim_prefix, ";");
	CHECK_STR(b->scanners[1].card.trim_suffix, "?");
	CHECK_INT(b->scanners[1].card.pad_length, 0);
	CHECK_STR(b->scanners[2].card.separator, "");
	CHECK_INT(b->scanners[2].card.pad_length, 6);
	/* what the slot then makes of a scan */
	CHECK_INT(card_number_convert(&b->scanners[1].card, ";7BB26E?", 8, out, sizeof(out), NULL,
				      0), 11);
	CHECK_STR(out, "123 / 45678");
	CHECK_INT(card_number_convert(&b->scanners[0].card, "7C2A4FB3", 8, out, sizeof(out), NULL,
				      0), 10);
	CHECK_STR(out, "3008309884");
	/* 07BB26: facility 7, card 0xBB26 = 47910 */
	CHECK_INT(card_number_convert(&b->scanners[2].card, "7BB26", 5, out, sizeof(out), NULL, 0),
		  8);
	CHECK_STR(out, "00747910");
	board_free(b);
}

/* [rfid NAME]: a FEIG pad found by USB id, a 3M reader on a fixed port, the sim pad. */
static void test_rfid_sections(void)
{
	static const char text[] = "[board]\ngpio = sim\n"
				   "[rfid front]\nrole = both\nprotocol = feig\nusb = 0ab1:0002\n"
				   "serial = 12345\nport = 1-1.3\nbaud = 38400\nparity = even\n"
				   "data_bits = 8\nstop_bits = 1\nbus_address = 255\nantenna = 2\n"
				   "power = 500\n"
				   "[rfid item_pad]\nprotocol = 3m\ndevice = /dev/ttyS1\n"
				   "inventory_ms = 100\nidle_inventory_ms = 0\n"
				   "[rfid patron_reader]\nprotocol = sim\n";
	struct file_error err = { 0 };
	struct board *b = NULL;
	const struct board_rfid *rf;

	CHECK_INT(board_parse(text, "rfid.ini", &b, &err), 0);
	if (!b) {
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		return;
	}
	CHECK_INT(b->n_rfids, 3);
	rf = &b->rfids[0];
	CHECK_STR(rf->name, "front");
	CHECK_INT(rf->src_line, 3);
	CHECK(rf->items && rf->patrons);
	CHECK_INT(rf->protocol, RFID_PROTOCOL_FEIG);
	CHECK(rf->usb_set);
	CHECK_INT(rf->usb_vid, 0x0ab1);
	CHECK_INT(rf->usb_pid, 0x0002);
	CHECK_STR(rf->serial, "12345");
	CHECK_STR(rf->port, "1-1.3");
	CHECK_STR(rf->device, "");
	CHECK_INT(rf->baud, 38400);
	CHECK_INT(rf->parity, BOARD_PARITY_EVEN);
	CHECK_INT(rf->data_bits, 8);
	CHECK_INT(rf->stop_bits, 1);
	CHECK(rf->bus_address_set);
	CHECK_INT(rf->bus_address, 255);
	CHECK_INT(rf->antenna, 2);
	CHECK_INT(rf->power_mw, 500);
	CHECK_INT(rf->inventory_ms, 150);
	CHECK_INT(rf->idle_inventory_ms, 1000);

	rf = &b->rfids[1];
	CHECK_STR(rf->name, "item_pad");
	CHECK(rf->items && !rf->patrons);
	CHECK_INT(rf->protocol, RFID_PROTOCOL_3M);
	CHECK_STR(rf->device, "/dev/ttyS1");
	CHECK(!rf->usb_set);
	/* left out: the protocol's own defaults */
	CHECK_INT(rf->baud, 0);
	CHECK_INT(rf->parity, BOARD_PARITY_DEFAULT);
	CHECK_INT(rf->data_bits, 0);
	CHECK(!rf->bus_address_set);
	CHECK_INT(rf->inventory_ms, 100);
	CHECK_INT(rf->idle_inventory_ms, 0);

	rf = &b->rfids[2];
	CHECK(!rf->items && rf->patrons);
	CHECK_INT(rf->protocol, RFID_PROTOCOL_SIM);

	CHECK(b->roles[ROLE_ITEM_PAD].present);
	CHECK_INT(b->roles[ROLE_ITEM_PAD].src_line, 3);
	CHECK(b->roles[ROLE_PATRON_READER].present);
	CHECK_INT(b->roles[ROLE_PATRON_READER].src_line, 3);
	CHECK(!b->roles[ROLE_ITEM_SCANNER].present);
	CHECK_INT(board_role_kind(ROLE_ITEM_PAD), ROLE_KIND_RFID);
	CHECK_STR(board_role_kind_name(ROLE_KIND_RFID), "rfid");
	CHECK_STR(board_rfid_protocol_name(RFID_PROTOCOL_3M), "3m");
	CHECK_STR(board_rfid_protocol_name((enum board_rfid_protocol)7), "none");
	board_free(b);

	/* a patron card scanner that comes first stays the patron_reader's line */
	CHECK_INT(board_parse("[scanner patron_reader]\n[rfid desk]\nrole = both\nprotocol = sim\n",
			      "r.ini", &b, &err),
		  0);
	CHECK(b && b->roles[ROLE_PATRON_READER].src_line == 1);
	board_free(b);
}

static const struct error_case rfid_error_cases[] = {
	{ "[rfid pad]\nprotocol = sim\n", 1, { "[rfid pad] needs role = item_pad" } },
	{ "[rfid item_pad]\nrole = item_pad\n", 1, { "[rfid item_pad] needs protocol" } },
	{ "[rfid item_pad]\nprotocol = feig\n", 1, { "needs device (a path) or usb" } },
	{ "[rfid item_pad]\nprotocol = 3m\ndevice = /dev/ttyS0\nusb = 0ab1:0002\n", 1,
	  { "needs device or usb, not both" } },
	{ "[rfid item_pad]\nprotocol = 3m\ndevice = /dev/ttyS0\nserial = 1\n", 1,
	  { "usb for serial and port" } },
	{ "[rfid item_pad]\nprotocol = 3m\ndevice = /dev/ttyS0\nbus_address = 1\n", 1,
	  { "needs protocol = feig for bus_address" } },
	{ "[rfid item_pad]\nprotocol = lf\n", 2,
	  { "[rfid item_pad] protocol: expected sim, feig or 3m, got 'lf'" } },
	{ "[rfid pad]\nrole = item_scanner\n", 2, { "role", "item_pad, patron_reader or both" } },
	{ "[rfid item_pad]\n\nreader = x\n", 3,
	  { "[rfid item_pad] reader: unknown key (expected role, protocol, device, usb" } },
	{ "[rfid item_pad]\ndevice = ttyS0\n", 2, { "device", "absolute path" } },
	{ "[rfid item_pad]\nusb = 0ab1\n", 2, { "usb", "VID:PID" } },
	{ "[rfid item_pad]\nport = 1-\n", 2, { "port", "1-1.2" } },
	{ "[rfid item_pad]\nbaud = 12345\n", 2, { "baud: expected one of 1200 2400", "'12345'" } },
	{ "[rfid item_pad]\nbaud = fast\n", 2, { "baud" } },
	{ "[rfid item_pad]\nparity = mark\n", 2, { "parity: expected none, even or odd" } },
	{ "[rfid item_pad]\ndata_bits = 5\n", 2, { "data_bits: expected 7 or 8" } },
	{ "[rfid item_pad]\nstop_bits = 1.5\n", 2, { "stop_bits: expected 1 or 2" } },
	{ "[rfid item_pad]\nbus_address = 256\n", 2, { "bus_address", "0 to 255" } },
	{ "[rfid item_pad]\ninventory_ms = 5\n", 2, { "inventory_ms", "20 to 10000" } },
	{ "[rfid item_pad]\nprotocol = sim\nprotocol = sim\n", 3, { "set twice" } },
	{ "[rfid lamp_ok]\n", 1, { "lamp_ok is an output role; an rfid reader serves item_pad" } },
	{ "[rfid item_scanner]\n", 1, { "item_scanner is a scanner role" } },
	{ "[scanner item_pad]\n", 1, { "item_pad is an rfid role, not a scanner" } },
	{ "[output item_pad]\n", 1, { "item_pad is an rfid role, not an output" } },
	{ "[rfid]\n", 1, { "[rfid] needs a role", "item_pad" } },
	{ "[rfid a.b]\n", 1, { "rfid reader name 'a.b'" } },
	{ "[rfid p]\nrole = both\nprotocol = sim\n[rfid p]\n", 4,
	  { "duplicate section [rfid p]" } },
	{ "[rfid a]\n[rfid b]\n[rfid c]\n[rfid d]\n[rfid e]\n", 5, { "more than 4 rfid readers" } },
	{ "[rfids pad]\n", 1, { "unknown section [rfids pad]", "[rfid NAME]" } },
	{ "[rfid item_pad]\ntransport = usb-serial\n", 2,
	  { "transport: expected serial or usb, got 'usb-serial'" } },
	{ "[rfid item_pad]\nprotocol = 3m\ntransport = usb\nusb = 0ab1:0002\n", 1,
	  { "needs protocol = feig for transport = usb" } },
	{ "[rfid item_pad]\nprotocol = feig\ntransport = usb\ndevice = /dev/ttyS0\n", 1,
	  { "needs usb (VID:PID), not device, for transport = usb" } },
	{ "[rfid item_pad]\nprotocol = feig\ntransport = usb\nusb = 0ab1:0002\nbaud = 9600\n", 1,
	  { "no baud, parity, data_bits or stop_bits for transport = usb" } },
};

/* transport = usb: a FEIG reader on its own USB endpoints, found like a USB serial adapter */
static void test_rfid_usb_transport(void)
{
	static const char text[] = "[rfid item_pad]\nprotocol = feig\ntransport = usb\n"
				   "usb = 0ab1:0002\nserial = 7\nport = 1-1\n"
				   "[rfid patron_reader]\nprotocol = feig\ntransport = serial\n"
				   "device = /dev/ttyS1\n";
	struct file_error err = { 0 };
	struct board *b = NULL;

	CHECK_INT(board_parse(text, "usb.ini", &b, &err), 0);
	if (!b)
		return;
	CHECK_INT(b->rfids[0].transport, RFID_TRANSPORT_USB);
	CHECK_INT(b->rfids[0].usb_vid, 0x0ab1);
	CHECK_STR(b->rfids[0].serial, "7");
	CHECK_INT(b->rfids[1].transport, RFID_TRANSPORT_SERIAL);
	board_free(b);
}

static const struct error_case printer_error_cases[] = {
	{ "[board]\nprinter = escpos\n", 1,
	  { "[board] printer = escpos needs a [printer] section with device or usb" } },
	{ "[board]\nprinter = escpos\n\n[printer]\nserial = 1\n", 4,
	  { "[printer] needs device (a path such as /dev/usb/lp0) or usb" } },
	{ "[printer]\ndevice = /dev/usb/lp0\nusb = 04b8:0202\n", 1,
	  { "[printer] needs device or usb, not both" } },
	{ "[printer]\ndevice = /dev/usb/lp0\nport = 1-1\n", 1, { "usb for serial and port" } },
	{ "[printer]\ndevice = lp0\n", 2, { "[printer] device", "absolute path" } },
	{ "[printer]\nusb = 0416\n", 2, { "[printer] usb", "VID:PID", "'0416'" } },
	{ "[printer]\nport = usb1\n", 2, { "[printer] port", "1-1.2" } },
	{ "[printer]\nserial =\n", 2, { "[printer] serial", "empty" } },
	{ "[printer]\nbaud = 9600\n", 2,
	  { "[printer] baud: unknown key (expected device, usb, serial or port)" } },
	{ "[printer]\nusb = 04b8:0202\nusb = 04b8:0202\n", 3, { "usb: set twice" } },
	{ "[printer]\n[printer]\n", 2, { "duplicate section [printer] (first at line 1)" } },
	{ "[printer receipt]\n", 1, { "unknown section [printer receipt]", "[printer])" } },
};

static void test_printer_errors_name_the_line(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(printer_error_cases); i++) {
		const struct error_case *c = &printer_error_cases[i];
		struct file_error err = { 0 };
		struct board *b = (struct board *)&err;
		int r = board_parse(c->text, "kiosk.ini", &b, &err);

		CHECK_INT(r, -EINVAL);
		CHECK(b == NULL);
		CHECK_INT(err.line, c->line);
		for (int w = 0; w < 3 && c->want[w]; w++) {
			if (!strstr(err.msg, c->want[w])) {
				fprintf(stderr, "printer case %zu: '%s' not in '%s'\n", i,
					c->want[w], err.msg);
				CHECK(strstr(err.msg, c->want[w]));
			}
		}
	}
}

static void test_rfid_errors_name_the_line(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rfid_error_cases); i++) {
		const struct error_case *c = &rfid_error_cases[i];
		struct file_error err = { 0 };
		struct board *b = (struct board *)&err;
		int r = board_parse(c->text, "kiosk.ini", &b, &err);

		CHECK_INT(r, -EINVAL);
		CHECK(b == NULL);
		CHECK_INT(err.line, c->line);
		for (int w = 0; w < 3 && c->want[w]; w++) {
			if (!strstr(err.msg, c->want[w])) {
				fprintf(stderr, "rfid case %zu: '%s' not in '%s'\n", i, c->want[w],
					err.msg);
				CHECK(strstr(err.msg, c->want[w]));
			}
		}
		if (r != -EINVAL || err.line != c->line)
			fprintf(stderr, "rfid case %zu: %s:%d: %s\n", i, err.file, err.line,
				err.msg);
	}
}

static void test_shipped_sim_pad(void)
{
	struct board *b = load_shipped("boards/sim.ini");

	if (!b)
		return;
	CHECK_INT(b->n_rfids, 1);
	CHECK_STR(b->rfids[0].name, "pad");
	CHECK(b->rfids[0].items && !b->rfids[0].patrons);
	CHECK_INT(b->rfids[0].protocol, RFID_PROTOCOL_SIM);
	CHECK(b->roles[ROLE_ITEM_PAD].present);
	board_free(b);
}

int main(void)
{
	RUN(test_sim_board);
	RUN(test_printer_key);
	RUN(test_printer_section);
	RUN(test_printer_errors_name_the_line);
	RUN(test_gpiod_board);
	RUN(test_booleans);
	RUN(test_errors_name_the_line);
	RUN(test_sim_needs_no_pins);
	RUN(test_require);
	RUN(test_load_missing_file);
	RUN(test_shipped_sim);
	RUN(test_shipped_rpi4_kiosk);
	RUN(test_shipped_rpi4_returns);
	RUN(test_shipped_rpi5);
	RUN(test_role_names);
	RUN(test_scanner_devices);
	RUN(test_card_reader_options);
	RUN(test_rfid_sections);
	RUN(test_rfid_errors_name_the_line);
	RUN(test_rfid_usb_transport);
	RUN(test_shipped_sim_pad);
	return testlib_finish();
}
