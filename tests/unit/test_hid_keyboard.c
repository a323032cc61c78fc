/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../hal/hid-keyboard.h"
#include "testlib.h"

#define SHIFT HID_MOD_LSHIFT
#define RSHIFT HID_MOD_RSHIFT
#define ALTGR HID_MOD_RALT
#define LCTRL HID_MOD_LCTRL
#define LALT HID_MOD_LALT

#define KEY_F1 0x3a
#define KEY_F2 0x3b
#define KEY_UP 0x52

/* What a run of reports produced: symbols and reasons, each followed by '|'. */
struct capture {
	char symbols[1024];
	char reasons[1024];
	int n_symbols, n_discards;
};

static void collect(struct capture *c, const struct hid_keyboard_out *out)
{
	CHECK(out->symbol || (out->len == 0 && out->text[0] == '\0'));
	CHECK(out->discarded || out->reason[0] == '\0');
	if (out->symbol) {
		CHECK_INT(strlen(out->text), out->len);
		strncat(c->symbols, out->text, sizeof(c->symbols) - strlen(c->symbols) - 2);
		strcat(c->symbols, "|");
		c->n_symbols++;
	}
	if (out->discarded) {
		strncat(c->reasons, out->reason, sizeof(c->reasons) - strlen(c->reasons) - 2);
		strcat(c->reasons, "|");
		c->n_discards++;
	}
}

/* One boot report: modifiers, reserved, up to six usages (the rest of the slots empty). */
static void feed_keys(struct hid_keyboard *kb, struct capture *c, uint64_t at, uint8_t modifiers,
		      const uint8_t *keys, size_t n_keys)
{
	uint8_t report[HID_BOOT_REPORT_LEN] = { modifiers, 0 };
	struct hid_keyboard_out out;

	memcpy(report + 2, keys, n_keys);
	CHECK_INT(hid_keyboard_feed(kb, report, sizeof(report), at, &out), 0);
	collect(c, &out);
}

#define FEED(kb, c, at, modifiers, ...)                                                     \
	do {                                                                                \
		const uint8_t keys_[] = { __VA_ARGS__ };                                    \
		feed_keys(kb, c, at, modifiers, keys_, sizeof(keys_));                     \
	} while (0)

/* A key down then all keys up, 1 ms apart; *t moves on 2 ms. */
static void tap(struct hid_keyboard *kb, struct capture *c, uint64_t *t, uint8_t modifiers,
		uint8_t usage)
{
	FEED(kb, c, *t, modifiers, usage);
	FEED(kb, c, *t + 1, 0, 0);
	*t += 2;
}

struct stroke {
	uint8_t modifiers, usage;
};

static void type(struct hid_keyboard *kb, struct capture *c, uint64_t *t,
		 const struct stroke *strokes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tap(kb, c, t, strokes[i].modifiers, strokes[i].usage);
}

#define TYPE(kb, c, t, ...)                                                                 \
	do {                                                                                \
		const struct stroke strokes_[] = { __VA_ARGS__ };                           \
		type(kb, c, t, strokes_, ARRAY_SIZE(strokes_));           \
	} while (0)

static void test_layout_names(void)
{
	enum hid_layout layout = HID_LAYOUT_US;

	CHECK_INT(hid_layout_from_name("us", &layout), 0);
	CHECK_INT(layout, HID_LAYOUT_US);
	CHECK_INT(hid_layout_from_name("de", &layout), 0);
	CHECK_INT(layout, HID_LAYOUT_DE);
	CHECK_INT(hid_layout_from_name("fr", &layout), 0);
	CHECK_INT(layout, HID_LAYOUT_FR);
	CHECK_INT(hid_layout_from_name("uk", &layout), -EINVAL);
	CHECK_INT(hid_layout_from_name("", &layout), -EINVAL);
	CHECK_INT(hid_layout_from_name(NULL, &layout), -EINVAL);
	CHECK_INT(hid_layout_from_name("us", NULL), -EINVAL);
	CHECK_INT(layout, HID_LAYOUT_FR);
	CHECK_STR(hid_layout_name(HID_LAYOUT_US), "us");
	CHECK_STR(hid_layout_name(HID_LAYOUT_DE), "de");
	CHECK_STR(hid_layout_name(HID_LAYOUT_FR), "fr");
	CHECK_STR(hid_layout_name(HID_LAYOUT__COUNT), "unknown");
}

static void test_us_digits_and_letters(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 1000;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	/* "Ab1-Z" then "0123456789" */
	TYPE(&kb, &c, &t, { SHIFT, 0x04 }, { 0, 0x05 }, { 0, 0x1e }, { 0, 0x2d },
	     { RSHIFT, 0x1d }, { 0, HID_KEY_ENTER });
	TYPE(&kb, &c, &t, { 0, 0x27 }, { 0, 0x1e }, { 0, 0x1f }, { 0, 0x20 }, { 0, 0x21 },
	     { 0, 0x22 }, { 0, 0x23 }, { 0, 0x24 }, { 0, 0x25 }, { 0, 0x26 }, { 0, HID_KEY_ENTER });
	/* Shift held across keys, as most scanners send it */
	TYPE(&kb, &c, &t, { SHIFT, 0x1e }, { SHIFT, 0x1f }, { SHIFT, 0x2e }, { 0, 0x2c },
	     { SHIFT, 0x10 }, { 0, HID_KEY_ENTER });
	CHECK_STR(c.symbols, "Ab1-Z|0123456789|!@+ M|");
	CHECK_INT(c.n_discards, 0);
}

/*
 * The punctuation that appears in barcodes, on each layout: the key and
 * modifiers that type it, looked up in the tables.
 */
static void test_barcode_punctuation_on_each_layout(void)
{
	static const struct {
		enum hid_layout layout;
		char want;
		uint8_t modifiers, usage;
	} cases[] = {
		{ HID_LAYOUT_US, '-', 0, 0x2d }, { HID_LAYOUT_US, '.', 0, 0x37 },
		{ HID_LAYOUT_US, '/', 0, 0x38 }, { HID_LAYOUT_US, '+', SHIFT, 0x2e },
		{ HID_LAYOUT_US, '$', SHIFT, 0x21 }, { HID_LAYOUT_US, '%', SHIFT, 0x22 },
		{ HID_LAYOUT_US, ' ', 0, 0x2c }, { HID_LAYOUT_US, ':', SHIFT, 0x33 },
		{ HID_LAYOUT_US, ',', 0, 0x36 }, { HID_LAYOUT_US, ';', 0, 0x33 },
		{ HID_LAYOUT_US, '*', SHIFT, 0x25 }, { HID_LAYOUT_US, '#', SHIFT, 0x20 },
		{ HID_LAYOUT_US, '@', SHIFT, 0x1f },

		{ HID_LAYOUT_DE, '-', 0, 0x38 }, { HID_LAYOUT_DE, '.', 0, 0x37 },
		{ HID_LAYOUT_DE, '/', SHIFT, 0x24 }, { HID_LAYOUT_DE, '+', 0, 0x30 },
		{ HID_LAYOUT_DE, '$', SHIFT, 0x21 }, { HID_LAYOUT_DE, '%', SHIFT, 0x22 },
		{ HID_LAYOUT_DE, ' ', 0, 0x2c }, { HID_LAYOUT_DE, ':', SHIFT, 0x37 },
		{ HID_LAYOUT_DE, ',', 0, 0x36 }, { HID_LAYOUT_DE, ';', SHIFT, 0x36 },
		{ HID_LAYOUT_DE, '*', SHIFT, 0x30 }, { HID_LAYOUT_DE, '#', 0, 0x32 },
		{ HID_LAYOUT_DE, '#', 0, 0x31 }, { HID_LAYOUT_DE, '@', ALTGR, 0x14 },
		{ HID_LAYOUT_DE, '@', LCTRL | LALT, 0x14 }, { HID_LAYOUT_DE, '_', SHIFT, 0x38 },
		{ HID_LAYOUT_DE, '=', SHIFT, 0x27 }, { HID_LAYOUT_DE, '"', SHIFT, 0x1f },
		{ HID_LAYOUT_DE, '?', SHIFT, 0x2d }, { HID_LAYOUT_DE, '\\', ALTGR, 0x2d },
		{ HID_LAYOUT_DE, '{', ALTGR, 0x24 }, { HID_LAYOUT_DE, '[', ALTGR, 0x25 },
		{ HID_LAYOUT_DE, ']', ALTGR, 0x26 }, { HID_LAYOUT_DE, '}', ALTGR, 0x27 },
		{ HID_LAYOUT_DE, '~', ALTGR, 0x30 }, { HID_LAYOUT_DE, '|', ALTGR, 0x64 },
		{ HID_LAYOUT_DE, '<', 0, 0x64 }, { HID_LAYOUT_DE, '>', SHIFT, 0x64 },
		{ HID_LAYOUT_DE, '^', 0, 0x35 }, { HID_LAYOUT_DE, '\'', SHIFT, 0x32 },

		{ HID_LAYOUT_FR, '-', 0, 0x23 }, { HID_LAYOUT_FR, '.', SHIFT, 0x36 },
		{ HID_LAYOUT_FR, '/', SHIFT, 0x37 }, { HID_LAYOUT_FR, '+', SHIFT, 0x2e },
		{ HID_LAYOUT_FR, '$', 0, 0x30 }, { HID_LAYOUT_FR, '%', SHIFT, 0x34 },
		{ HID_LAYOUT_FR, ' ', 0, 0x2c }, { HID_LAYOUT_FR, ':', 0, 0x37 },
		{ HID_LAYOUT_FR, ',', 0, 0x10 }, { HID_LAYOUT_FR, ';', 0, 0x36 },
		{ HID_LAYOUT_FR, '*', 0, 0x32 }, { HID_LAYOUT_FR, '#', ALTGR, 0x20 },
		{ HID_LAYOUT_FR, '@', ALTGR, 0x27 }, { HID_LAYOUT_FR, '@', LCTRL | LALT, 0x27 },
		{ HID_LAYOUT_FR, '{', ALTGR, 0x21 }, { HID_LAYOUT_FR, '[', ALTGR, 0x22 },
		{ HID_LAYOUT_FR, '|', ALTGR, 0x23 }, { HID_LAYOUT_FR, '\\', ALTGR, 0x25 },
		{ HID_LAYOUT_FR, '^', ALTGR, 0x26 }, { HID_LAYOUT_FR, ']', ALTGR, 0x2d },
		{ HID_LAYOUT_FR, '}', ALTGR, 0x2e }, { HID_LAYOUT_FR, '=', 0, 0x2e },
		{ HID_LAYOUT_FR, ')', 0, 0x2d }, { HID_LAYOUT_FR, '!', 0, 0x38 },
		{ HID_LAYOUT_FR, '?', SHIFT, 0x10 }, { HID_LAYOUT_FR, '_', 0, 0x25 },
		{ HID_LAYOUT_FR, '&', 0, 0x1e }, { HID_LAYOUT_FR, '"', 0, 0x20 },
		{ HID_LAYOUT_FR, '\'', 0, 0x21 }, { HID_LAYOUT_FR, '(', 0, 0x22 },
		{ HID_LAYOUT_FR, '<', 0, 0x64 }, { HID_LAYOUT_FR, '>', SHIFT, 0x64 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		/* a dead key types its accent before a space, as scanners send it */
		uint32_t got = hid_layout_char(cases[i].layout, cases[i].usage,
					       cases[i].modifiers) & ~HID_CHAR_DEAD;

		if (got != (uint32_t)cases[i].want)
			fprintf(stderr, "%s usage 0x%02x modifiers 0x%02x: '%c', expected '%c'\n",
				hid_layout_name(cases[i].layout), cases[i].usage,
				cases[i].modifiers, got ? (char)got : '0', cases[i].want);
		CHECK_INT(got, (uint32_t)cases[i].want);
	}
}

/* The decimal key is the layout's: test_hid_layouts.c. */
static void test_keypad_same_on_every_layout(void)
{
	static const char keypad[] = "/*-+\0" "1234567890";

	for (int layout = 0; layout < HID_LAYOUT__COUNT; layout++) {
		for (uint8_t usage = 0x54; usage < 0x63; usage++) {
			CHECK_INT(hid_layout_char((enum hid_layout)layout, usage, 0),
				  keypad[usage - 0x54]);
			/* NumLock is on: Shift does not turn digits into arrows */
			CHECK_INT(hid_layout_char((enum hid_layout)layout, usage, SHIFT),
				  keypad[usage - 0x54]);
		}
	}
}

static void test_unmappable_keys_and_chords(void)
{
	/* non-character keys */
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, KEY_F1, 0), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, KEY_UP, 0), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x29, 0), 0); /* Escape */
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x2a, 0), 0); /* Backspace */
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, HID_KEY_ENTER, 0), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0xff, 0), 0);
	/* Ctrl, Alt, GUI are commands */
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x06, LCTRL), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x06, HID_MOD_RCTRL | SHIFT), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x06, HID_MOD_LGUI), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x1e, LALT), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x59, LALT), 0);
	/* US has no AltGr: RAlt is Alt */
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x14, ALTGR), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x14, LCTRL | LALT), 0);
	/* AltGr with Ctrl or GUI on top is a chord again; AltGr+Shift counts where it is ASCII */
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x14, ALTGR | HID_MOD_RCTRL), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x14, ALTGR | HID_MOD_LGUI), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x14, ALTGR | SHIFT), 0); /* xkb: Omega */
	CHECK_INT(hid_layout_char(HID_LAYOUT_IT, 0x2f, ALTGR | SHIFT), '{');
	/* Windows' LCtrl+RAlt is AltGr */
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x14, ALTGR | LCTRL), '@');
	/* non-ASCII characters: their code points */
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x20, SHIFT), 0xa7);  /* section sign */
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x2d, 0), 0xdf);      /* sharp s */
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x2e, 0), HID_CHAR_DEAD | 0xb4);
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x2e, SHIFT), HID_CHAR_DEAD | '`');
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x33, 0), 0xf6);      /* o umlaut */
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x08, ALTGR), 0x20ac); /* euro */
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x1f, 0), 0xe9);      /* e acute */
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x24, 0), 0xe8);      /* e grave */
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x26, 0), 0xe7);      /* c cedilla */
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x27, 0), 0xe0);      /* a grave */
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x2d, SHIFT), 0xb0);  /* degree */
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x34, 0), 0xf9);      /* u grave */
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x30, SHIFT), 0xa3);  /* pound */
	CHECK_INT(hid_layout_char(HID_LAYOUT__COUNT, 0x04, 0), 0);
}

static void test_de_qwertz(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_DE, 50);
	/* the US y and z keys: "zy", "ZY" */
	TYPE(&kb, &c, &t, { 0, 0x1c }, { 0, 0x1d }, { SHIFT, 0x1c }, { SHIFT, 0x1d },
	     { 0, HID_KEY_ENTER });
	/* "AB-12/3" and "x@y.de" */
	TYPE(&kb, &c, &t, { SHIFT, 0x04 }, { SHIFT, 0x05 }, { 0, 0x38 }, { 0, 0x1e }, { 0, 0x1f },
	     { SHIFT, 0x24 }, { 0, 0x20 }, { 0, HID_KEY_ENTER });
	TYPE(&kb, &c, &t, { 0, 0x1b }, { ALTGR, 0x14 }, { 0, 0x1d }, { 0, 0x37 }, { 0, 0x07 },
	     { 0, 0x08 }, { 0, HID_KEY_ENTER });
	/* the US '-' key is sharp s, in UTF-8 (the barcode rules refuse it, not the decoder) */
	TYPE(&kb, &c, &t, { 0, 0x1e }, { 0, 0x2d }, { 0, 0x1f }, { 0, HID_KEY_ENTER });
	CHECK_STR(c.symbols, "zyZY|AB-12/3|x@y.de|1\xc3\x9f" "2|");
	CHECK_STR(c.reasons, "");
}

static void test_fr_azerty(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_FR, 50);
	/* digits need Shift */
	TYPE(&kb, &c, &t, { SHIFT, 0x1e }, { SHIFT, 0x1f }, { SHIFT, 0x20 }, { SHIFT, 0x21 },
	     { SHIFT, 0x22 }, { SHIFT, 0x23 }, { SHIFT, 0x24 }, { SHIFT, 0x25 }, { SHIFT, 0x26 },
	     { SHIFT, 0x27 }, { 0, HID_KEY_ENTER });
	/* the US a q w z m keys and ',' on the US m key: "qazw" "m," */
	TYPE(&kb, &c, &t, { 0, 0x04 }, { 0, 0x14 }, { 0, 0x1a }, { 0, 0x1d }, { 0, 0x33 },
	     { 0, 0x10 }, { 0, HID_KEY_ENTER });
	/* a scanner set up for US typing "12" unshifted gives "&" then e acute */
	TYPE(&kb, &c, &t, { 0, 0x1e }, { 0, 0x1f }, { 0, HID_KEY_ENTER });
	/* ... and "90" gives c cedilla, a grave */
	TYPE(&kb, &c, &t, { 0, 0x26 }, { 0, 0x27 }, { 0, HID_KEY_ENTER });
	CHECK_STR(c.symbols, "1234567890|qazwm,|&\xc3\xa9|\xc3\xa7\xc3\xa0|");
	CHECK_STR(c.reasons, "");
}

/* Dead keys as Windows types them (and xkb's Compose, for the letters). */
static void test_dead_keys(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_DE, 50);
	/* ^ space: "^" (how scanners send ^ on a German host); ^ 1: "^1" */
	TYPE(&kb, &c, &t, { 0, 0x04 }, { 0, 0x35 }, { 0, 0x2c }, { 0, 0x35 }, { 0, 0x1e },
	     { 0, HID_KEY_ENTER });
	/* dead acute e: e acute; Shift+dead grave, Shift+a: A grave */
	TYPE(&kb, &c, &t, { 0, 0x2e }, { 0, 0x08 }, { SHIFT, 0x2e }, { SHIFT, 0x04 },
	     { 0, HID_KEY_ENTER });
	/* two dead keys, and one before the suffix: each types its accent */
	TYPE(&kb, &c, &t, { 0, 0x35 }, { 0, 0x35 }, { 0, HID_KEY_ENTER });
	CHECK_STR(c.symbols, "a^^1|\xc3\xa9\xc3\x80|^^|");

	hid_keyboard_init(&kb, HID_LAYOUT_ES, 50);
	memset(&c, 0, sizeof(c));
	/* Spanish: dead diaeresis u, dead grave space, ~ on AltGr+4 (not dead) */
	TYPE(&kb, &c, &t, { SHIFT, 0x34 }, { 0, 0x18 }, { 0, 0x2f }, { 0, 0x2c }, { ALTGR, 0x21 },
	     { 0, HID_KEY_ENTER });
	CHECK_STR(c.symbols, "\xc3\xbc`~|");
	CHECK_INT(c.n_discards, 0);
}

/* Alt held, digits on the keypad, Alt released: the character of that code. */
static void alt_code(struct hid_keyboard *kb, struct capture *c, uint64_t *t, const char *digits)
{
	FEED(kb, c, (*t)++, LALT, 0);
	for (const char *d = digits; *d; d++) {
		uint8_t usage = *d == '0' ? 0x62 : (uint8_t)(0x59 + *d - '1');

		FEED(kb, c, (*t)++, LALT, usage);
		FEED(kb, c, (*t)++, LALT, 0);
	}
	FEED(kb, c, (*t)++, 0, 0);
}

static void test_alt_codes(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	/* "Caf" Alt+0233 (e acute, Windows-1252), then Alt+130 (e acute, code page 437) */
	TYPE(&kb, &c, &t, { SHIFT, 0x06 }, { 0, 0x04 }, { 0, 0x09 });
	alt_code(&kb, &c, &t, "0233");
	alt_code(&kb, &c, &t, "130");
	TYPE(&kb, &c, &t, { 0, HID_KEY_ENTER });
	/* GS1: (01) 09501101530003 (10) AB12, FNC1 as Alt+029 = GS, which stays */
	TYPE(&kb, &c, &t, { 0, 0x27 }, { 0, 0x1e });
	alt_code(&kb, &c, &t, "029");
	TYPE(&kb, &c, &t, { 0, 0x1e }, { 0, 0x27 }, { SHIFT, 0x04 });
	/* a CR LF suffix as Alt codes: one symbol, no empty one, no discard */
	alt_code(&kb, &c, &t, "013");
	alt_code(&kb, &c, &t, "010");
	CHECK_STR(c.symbols, "Caf\xc3\xa9\xc3\xa9|01\x1d" "10A|");
	CHECK_INT(c.n_discards, 0);

	/* in Western Europe the OEM code page is 850: Alt+155 is o slash, Alt+0128 the euro */
	hid_keyboard_init(&kb, HID_LAYOUT_DE, 50);
	memset(&c, 0, sizeof(c));
	alt_code(&kb, &c, &t, "155");
	alt_code(&kb, &c, &t, "0128");
	/* Alt released with the next key pressed in the same report: the code (65, A) first */
	FEED(&kb, &c, t++, LALT, 0x5e);
	FEED(&kb, &c, t++, LALT, 0x5d);
	FEED(&kb, &c, t++, 0, 0x05);
	FEED(&kb, &c, t++, 0, 0);
	TYPE(&kb, &c, &t, { 0, HID_KEY_ENTER });
	CHECK_STR(c.symbols, "\xc3\xb8\xe2\x82\xac" "Ab|");
	CHECK_INT(c.n_discards, 0);

	/* codes that are no character poison the symbol, with the code in the reason */
	memset(&c, 0, sizeof(c));
	TYPE(&kb, &c, &t, { 0, 0x1e });
	alt_code(&kb, &c, &t, "0");
	TYPE(&kb, &c, &t, { 0, HID_KEY_ENTER });
	alt_code(&kb, &c, &t, "7");
	TYPE(&kb, &c, &t, { 0, HID_KEY_ENTER });
	CHECK_STR(c.reasons, "unmappable Alt code 0|unmappable Alt code 7|");
	CHECK_STR(c.symbols, "");
}

/* Ctrl+letter as scanners send control characters in their "Control+ASCII" mode. */
static void test_ctrl_control_characters(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	/* Ctrl+M (CR) ends a symbol; Ctrl+J (LF) after Enter adds nothing */
	TYPE(&kb, &c, &t, { 0, 0x1e }, { LCTRL, 0x10 }, { 0, 0x1f }, { 0, HID_KEY_ENTER },
	     { LCTRL, 0x0d });
	/* Ctrl+] is GS, kept; Ctrl+I (Tab) ends the symbol */
	TYPE(&kb, &c, &t, { 0, 0x20 }, { HID_MOD_RCTRL, 0x30 }, { 0, 0x21 }, { LCTRL, 0x0c });
	CHECK_STR(c.symbols, "1|2|3\x1d" "4|");
	CHECK_INT(c.n_discards, 0);

	/* AZERTY: Ctrl+M is the key that types m there */
	hid_keyboard_init(&kb, HID_LAYOUT_FR, 50);
	memset(&c, 0, sizeof(c));
	TYPE(&kb, &c, &t, { SHIFT, 0x1e }, { LCTRL, 0x33 });
	CHECK_STR(c.symbols, "1|");
}

/* The limit is in bytes: a two-byte character that does not fit makes the symbol too long. */
static void test_utf8_at_the_limit(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_FR, 50);
	for (int i = 0; i < SCAN_TEXT_MAX - 2; i++)
		tap(&kb, &c, &t, SHIFT, 0x1e);
	tap(&kb, &c, &t, 0, 0x1f); /* e acute: 2 bytes, exactly the limit */
	tap(&kb, &c, &t, 0, HID_KEY_ENTER);
	CHECK_INT(c.n_symbols, 1);
	CHECK_INT(strlen(c.symbols), SCAN_TEXT_MAX + 1);
	for (int i = 0; i < SCAN_TEXT_MAX - 1; i++)
		tap(&kb, &c, &t, SHIFT, 0x1e);
	tap(&kb, &c, &t, 0, 0x1f);
	tap(&kb, &c, &t, 0, HID_KEY_ENTER);
	CHECK_INT(c.n_symbols, 1);
	CHECK_STR(c.reasons, "longer than 128 characters|");
}

static void test_rollover(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	/* "1", "1+2", "2", "2+3", "3+Enter": the new key of each report counts */
	FEED(&kb, &c, 0, 0, 0x1e);
	FEED(&kb, &c, 1, 0, 0x1e, 0x1f);
	FEED(&kb, &c, 2, 0, 0x1f);
	FEED(&kb, &c, 3, 0, 0x1f, 0x20);
	FEED(&kb, &c, 4, 0, 0x20, HID_KEY_ENTER);
	FEED(&kb, &c, 5, 0, 0);
	/* a key in another slot than before is still held */
	FEED(&kb, &c, 6, 0, 0x21, 0x22);
	FEED(&kb, &c, 7, 0, 0x22, 0x21);
	FEED(&kb, &c, 8, 0, 0, 0, 0, 0, 0, HID_KEY_ENTER);
	/* two new keys in one report: slot order */
	FEED(&kb, &c, 9, 0, 0x23, 0x24);
	FEED(&kb, &c, 10, 0, HID_KEY_TAB);
	CHECK_STR(c.symbols, "123|45|67|");
	CHECK_INT(c.n_discards, 0);
}

static void test_error_rollover_ignored(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	FEED(&kb, &c, 0, 0, 0x1e);
	FEED(&kb, &c, 1, 0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01);
	FEED(&kb, &c, 2, 0, 0x1e); /* still held: not a new "1" */
	FEED(&kb, &c, 3, 0, 0x1e, 0x1f);
	FEED(&kb, &c, 4, SHIFT, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01);
	FEED(&kb, &c, 5, 0, 0x1f, 0x20);
	FEED(&kb, &c, 6, 0, 0);
	FEED(&kb, &c, 7, 0, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "123|");
	CHECK_INT(c.n_discards, 0);
	CHECK_INT(kb.held[0], HID_KEY_ENTER);
}

static void test_repeated_report_does_not_repeat_the_key(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	FEED(&kb, &c, 0, 0, 0x1e);
	FEED(&kb, &c, 1, 0, 0x1e);
	FEED(&kb, &c, 2, 0, 0x1e);
	FEED(&kb, &c, 3, 0, 0);
	FEED(&kb, &c, 4, 0, 0x1e); /* released in between: a second press */
	FEED(&kb, &c, 5, 0, 0x1e, 0x1e); /* the same usage twice in one report: once */
	FEED(&kb, &c, 6, 0, 0);
	FEED(&kb, &c, 7, 0, 0x1f, 0x1f);
	FEED(&kb, &c, 8, 0, HID_KEY_ENTER);
	FEED(&kb, &c, 9, 0, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "112|");
}

static void test_suffixes(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	TYPE(&kb, &c, &t, { SHIFT, 0x04 }, { 0, 0x1e }, { 0, HID_KEY_TAB });
	TYPE(&kb, &c, &t, { 0, 0x59 }, { 0, 0x5a }, { 0, 0x63 }, { 0, 0x62 },
	     { 0, HID_KEY_KEYPAD_ENTER });
	/* Shift+Tab still ends the symbol */
	TYPE(&kb, &c, &t, { 0, 0x1f }, { SHIFT, HID_KEY_TAB });
	CHECK_STR(c.symbols, "A1|12.0|2|");
}

static void test_empty_symbol_ignored(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0, deadline;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	TYPE(&kb, &c, &t, { 0, HID_KEY_ENTER }, { 0, HID_KEY_TAB }, { 0, HID_KEY_KEYPAD_ENTER });
	/* modifiers alone, and modifier usages in the key slots, are not keys */
	FEED(&kb, &c, t++, SHIFT, 0);
	FEED(&kb, &c, t++, 0, 0xe1, 0xe0);
	FEED(&kb, &c, t++, 0, HID_KEY_ENTER);
	CHECK_INT(c.n_symbols, 0);
	CHECK_INT(c.n_discards, 0);
	CHECK(!hid_keyboard_deadline(&kb, &deadline));
}

static void test_timeout_discards_via_feed(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	FEED(&kb, &c, 1000, 0, 0x1e);
	FEED(&kb, &c, 1010, 0, 0);
	FEED(&kb, &c, 1020, 0, 0x1f);
	FEED(&kb, &c, 1030, 0, 0);
	/* 51 ms after the last key: "12" is dropped, "3" starts a new symbol */
	FEED(&kb, &c, 1071, 0, 0x20);
	CHECK_INT(c.n_discards, 1);
	CHECK_STR(c.reasons, "inter-character timeout after 2 characters|");
	/* exactly 50 ms is not more than 50 */
	FEED(&kb, &c, 1100, 0, 0);
	FEED(&kb, &c, 1121, 0, 0x21);
	FEED(&kb, &c, 1130, 0, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "34|");

	/* one report both expires a partial symbol and completes the next */
	FEED(&kb, &c, 2000, 0, 0x22);
	FEED(&kb, &c, 2001, 0, 0);
	FEED(&kb, &c, 3000, 0, 0x23, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "34|6|");
	CHECK_STR(c.reasons, "inter-character timeout after 2 characters|"
			     "inter-character timeout after 1 character|");

	/* a suffix after the gap ends nothing: the partial expired before it */
	FEED(&kb, &c, 4000, 0, 0x24);
	FEED(&kb, &c, 4001, 0, 0);
	FEED(&kb, &c, 5000, 0, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "34|6|");
	CHECK_INT(c.n_discards, 3);

	/* a clock that goes backwards is no gap */
	FEED(&kb, &c, 6000, 0, 0x25);
	FEED(&kb, &c, 10, 0, 0);
	FEED(&kb, &c, 11, 0, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "34|6|8|");
}

static void test_timeout_discards_via_expire(void)
{
	struct hid_keyboard kb;
	struct hid_keyboard_out out;
	struct capture c = { 0 };
	uint64_t deadline = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	CHECK(!hid_keyboard_deadline(&kb, &deadline));
	FEED(&kb, &c, 500, 0, 0x1e);
	FEED(&kb, &c, 505, 0, 0);
	FEED(&kb, &c, 510, 0, 0x1f);
	CHECK(hid_keyboard_deadline(&kb, &deadline));
	CHECK_INT(deadline, 561);
	hid_keyboard_expire(&kb, 560, &out); /* early: nothing */
	CHECK(!out.discarded && !out.symbol);
	CHECK(hid_keyboard_deadline(&kb, &deadline));
	hid_keyboard_expire(&kb, 561, &out);
	CHECK(out.discarded);
	CHECK(!out.symbol);
	CHECK_STR(out.reason, "inter-character timeout after 2 characters");
	CHECK(!hid_keyboard_deadline(&kb, &deadline));
	hid_keyboard_expire(&kb, 9000, &out); /* nothing pending: nothing to say */
	CHECK(!out.discarded);
	/* the held key is still held; Enter ends nothing */
	FEED(&kb, &c, 9001, 0, 0x1f, HID_KEY_ENTER);
	CHECK_INT(c.n_symbols, 0);
	CHECK_INT(c.n_discards, 0);

	/* no timeout: partial symbols wait for ever */
	hid_keyboard_init(&kb, HID_LAYOUT_US, 0);
	FEED(&kb, &c, 0, 0, 0x1e);
	CHECK(!hid_keyboard_deadline(&kb, &deadline));
	hid_keyboard_expire(&kb, UINT64_MAX, &out);
	CHECK(!out.discarded);
	FEED(&kb, &c, 3600000, 0, 0x1f);
	FEED(&kb, &c, 7200000, 0, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "12|");
}

static void test_garbage_discard_reasons(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	TYPE(&kb, &c, &t, { 0, 0x1e }, { 0, KEY_F1 }, { 0, 0x1f }, { 0, KEY_F2 },
	     { 0, HID_KEY_ENTER });
	TYPE(&kb, &c, &t, { LCTRL, 0x06 }, { 0, HID_KEY_ENTER });
	TYPE(&kb, &c, &t, { 0, KEY_UP }, { 0, HID_KEY_TAB });
	/* the symbol after a discarded one is fine */
	TYPE(&kb, &c, &t, { 0, 0x20 }, { 0, HID_KEY_ENTER });
	CHECK_STR(c.reasons, "unmappable key 0x3a|unmappable key 0x06 with modifiers 0x01|"
			     "unmappable key 0x52|");
	CHECK_STR(c.symbols, "3|");
	/* a stray unmappable key alone expires like text */
	TYPE(&kb, &c, &t, { 0, KEY_F1 });
	t += 100;
	TYPE(&kb, &c, &t, { 0, 0x21 }, { 0, HID_KEY_ENTER });
	CHECK_STR(c.symbols, "3|4|");
	CHECK_INT(c.n_discards, 4);
}

static void test_overlong_symbol(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	char want[SCAN_TEXT_MAX + 2];
	uint64_t t = 0;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	for (int i = 0; i < SCAN_TEXT_MAX; i++)
		tap(&kb, &c, &t, 0, (uint8_t)(0x1e + i % 10));
	tap(&kb, &c, &t, 0, HID_KEY_ENTER);
	CHECK_INT(c.n_symbols, 1);
	for (int i = 0; i < SCAN_TEXT_MAX; i++)
		want[i] = "1234567890"[i % 10];
	want[SCAN_TEXT_MAX] = '|';
	want[SCAN_TEXT_MAX + 1] = '\0';
	CHECK_STR(c.symbols, want);

	for (int i = 0; i < SCAN_TEXT_MAX + 1; i++)
		tap(&kb, &c, &t, 0, 0x04);
	tap(&kb, &c, &t, 0, HID_KEY_ENTER);
	for (int i = 0; i < 1000; i++)
		tap(&kb, &c, &t, 0, 0x05);
	tap(&kb, &c, &t, 0, HID_KEY_ENTER);
	CHECK_INT(c.n_symbols, 1);
	CHECK_STR(c.reasons, "longer than 128 characters|longer than 128 characters|");
}

static void test_two_symbols_in_one_report(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	FEED(&kb, &c, 0, 0, 0x1e, HID_KEY_TAB, 0x1f, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "1|");
	CHECK_STR(c.reasons, "a second symbol ended in the same report|");
}

static void test_report_lengths(void)
{
	static const uint8_t short2[] = { 0, 0 };
	static const uint8_t short3[] = { 0, 0, 0x1e };
	static const uint8_t enter3[] = { 0, 0, HID_KEY_ENTER };
	/* bytes past the 8th are not key slots */
	static const uint8_t long12[] = { 0, 0, 0x1f, 0, 0, 0, 0, 0, 0x20, 0x21, 0x22, 0x23 };
	static const uint8_t enter12[] = { 0, 0, HID_KEY_ENTER, 0, 0, 0, 0, 0, 0x20, 0, 0, 0 };
	struct hid_keyboard kb;
	struct hid_keyboard_out out;
	struct capture c = { 0 };

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	CHECK_INT(hid_keyboard_feed(&kb, short2, sizeof(short2), 0, &out), 0);
	collect(&c, &out);
	CHECK_INT(hid_keyboard_feed(&kb, short3, 0, 1, &out), 0);
	collect(&c, &out);
	CHECK_INT(hid_keyboard_feed(&kb, short3, sizeof(short3), 2, &out), 0);
	collect(&c, &out);
	CHECK_INT(hid_keyboard_feed(&kb, enter3, sizeof(enter3), 3, &out), 0);
	collect(&c, &out);
	CHECK_INT(hid_keyboard_feed(&kb, long12, sizeof(long12), 4, &out), 0);
	collect(&c, &out);
	CHECK_INT(hid_keyboard_feed(&kb, enter12, sizeof(enter12), 5, &out), 0);
	collect(&c, &out);
	CHECK_STR(c.symbols, "1|2|");
	CHECK_INT(c.n_discards, 0);
}

static void test_reset_forgets_partial_and_held_keys(void)
{
	struct hid_keyboard kb;
	struct capture c = { 0 };
	uint64_t deadline;

	hid_keyboard_init(&kb, HID_LAYOUT_DE, 50);
	FEED(&kb, &c, 0, 0, 0x1e);
	FEED(&kb, &c, 1, 0, 0);
	FEED(&kb, &c, 2, 0, 0x1f);
	hid_keyboard_reset(&kb);
	CHECK(!hid_keyboard_deadline(&kb, &deadline));
	FEED(&kb, &c, 3, 0, 0x1f); /* held before the reset: a new press after it */
	FEED(&kb, &c, 4, 0, HID_KEY_ENTER);
	CHECK_STR(c.symbols, "2|");
	CHECK_INT(c.n_discards, 0);
	/* the layout and timeout survive */
	CHECK_INT(kb.layout, HID_LAYOUT_DE);
	CHECK_INT(kb.char_timeout_ms, 50);
}

static void test_null_arguments(void)
{
	static const uint8_t report[HID_BOOT_REPORT_LEN] = { 0 };
	struct hid_keyboard kb;
	struct hid_keyboard_out out;
	uint64_t deadline;

	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	CHECK_INT(hid_keyboard_feed(NULL, report, sizeof(report), 0, &out), -EINVAL);
	CHECK_INT(hid_keyboard_feed(&kb, NULL, sizeof(report), 0, &out), -EINVAL);
	CHECK_INT(hid_keyboard_feed(&kb, report, sizeof(report), 0, NULL), -EINVAL);
	CHECK(!hid_keyboard_deadline(NULL, &deadline));
	hid_keyboard_expire(NULL, 0, &out);
	hid_keyboard_expire(&kb, 0, NULL);
	hid_keyboard_reset(NULL);
	hid_keyboard_init(NULL, HID_LAYOUT_US, 0);
}

int main(void)
{
	RUN(test_layout_names);
	RUN(test_us_digits_and_letters);
	RUN(test_barcode_punctuation_on_each_layout);
	RUN(test_keypad_same_on_every_layout);
	RUN(test_unmappable_keys_and_chords);
	RUN(test_de_qwertz);
	RUN(test_fr_azerty);
	RUN(test_dead_keys);
	RUN(test_alt_codes);
	RUN(test_ctrl_control_characters);
	RUN(test_utf8_at_the_limit);
	RUN(test_rollover);
	RUN(test_error_rollover_ignored);
	RUN(test_repeated_report_does_not_repeat_the_key);
	RUN(test_suffixes);
	RUN(test_empty_symbol_ignored);
	RUN(test_timeout_discards_via_feed);
	RUN(test_timeout_discards_via_expire);
	RUN(test_garbage_discard_reasons);
	RUN(test_overlong_symbol);
	RUN(test_two_symbols_in_one_report);
	RUN(test_report_lengths);
	RUN(test_reset_forgets_partial_and_held_keys);
	RUN(test_null_arguments);
	return testlib_finish();
}
