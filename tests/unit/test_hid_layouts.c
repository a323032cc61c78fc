/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keyboard layouts (hid-layouts.c) against the published layout charts:
 * each country's Windows keyboard layout as Microsoft documents it (the
 * "Windows keyboard layouts" reference, learn.microsoft.com/globalization/
 * windows-keyboard-layouts: kbdus, kbduk, kbdgr, kbdfr, kbdda, kbdno,
 * kbdsw, kbdfi, kbdsg, kbdsf, kbdbe, kbdsp, kbdit, kbdne) and the XKB
 * symbols files of xkeyboard-config (us, gb, de, fr, dk, no, se, fi, ch,
 * ch(fr), be, es, it, nl). The tables are generated from the latter, so
 * the charts here are written out independently, key row by key row, as
 * the printed keycaps show them; they cover every printable ASCII
 * character Code 128 can carry (Code 39's are among them) on each layout.
 */
#include <errno.h>

#include "../../hal/hid-keyboard.h"
#include "testlib.h"

#define SHIFT HID_MOD_LSHIFT
#define ALTGR HID_MOD_RALT
#define SKIP 0x01 /* in a chart: a key the test does not pin down */

/* The usages of the four rows of an ISO keyboard, left to right. */
static const uint8_t row0[] = { 0x35, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
				0x26, 0x27, 0x2d, 0x2e };
static const uint8_t row1[] = { 0x14, 0x1a, 0x08, 0x15, 0x17, 0x1c, 0x18, 0x0c, 0x12,
				0x13, 0x2f, 0x30 };
static const uint8_t row2[] = { 0x04, 0x16, 0x07, 0x09, 0x0a, 0x0b, 0x0d, 0x0e, 0x0f,
				0x33, 0x34, 0x32 };
static const uint8_t row3[] = { 0x64, 0x1d, 0x1b, 0x06, 0x19, 0x05, 0x11, 0x10, 0x36,
				0x37, 0x38 };

struct chart {
	const char *name;
	const char *plain[4], *shift[4]; /* UTF-8, one character per key */
	const char *altgr;               /* pairs: a usage byte, then the UTF-8 character */
	const char *altgr_shift;
};


static const struct chart charts[] = {
	{ "us",
	  { "`1234567890-=", "qwertyuiop[]", "asdfghjkl;'\\", "\\zxcvbnm,./" },
	  { "~!@#$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:\"|", "|ZXCVBNM<>?" }, "", "" },
	{ "gb",
	  { "`1234567890-=", "qwertyuiop[]", "asdfghjkl;'#", "\\zxcvbnm,./" },
	  { "¬!\"£$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:@~", "|ZXCVBNM<>?" },
	  "\x21€", "" },
	{ "de",
	  { "^1234567890ß´", "qwertzuiopü+", "asdfghjklöä#", "<yxcvbnm,.-" },
	  { "°!\"§$%&/()=?`", "QWERTZUIOPÜ*", "ASDFGHJKLÖÄ'", ">YXCVBNM;:_" },
	  "\x14@\x24{\x25[\x26]\x27}\x2d\\\x30~\x64|\x08€", "" },
	{ "fr",
	  { "²&é\"'(-è_çà)=", "azertyuiop^$", "qsdfghjklmù*", "<wxcvbn,;:!" },
	  { "\x01" "1234567890°+", "AZERTYUIOP¨£", "QSDFGHJKLM%µ", ">WXCVBN?./§" },
	  "\x1f~\x20#\x21{\x22[\x23|\x24`\x25\\\x26^\x27@\x2d]\x2e}\x08€", "" },
	{ "dk",
	  { "½1234567890+´", "qwertyuiopå¨", "asdfghjklæø'", "<zxcvbnm,.-" },
	  { "§!\"#¤%&/()=?`", "QWERTYUIOPÅ^", "ASDFGHJKLÆØ*", ">ZXCVBNM;:_" },
	  "\x1f@\x20£\x21$\x24{\x25[\x26]\x27}\x2e|\x64\\\x30~\x08€", "" },
	{ "no",
	  { "|1234567890+\\", "qwertyuiopå¨", "asdfghjkløæ'", "<zxcvbnm,.-" },
	  { "§!\"#¤%&/()=?`", "QWERTYUIOPÅ^", "ASDFGHJKLØÆ*", ">ZXCVBNM;:_" },
	  "\x1f@\x20£\x21$\x24{\x25[\x26]\x27}\x2e´\x30~\x08€", "" },
	{ "se",
	  { "§1234567890+´", "qwertyuiopå¨", "asdfghjklöä'", "<zxcvbnm,.-" },
	  { "½!\"#¤%&/()=?`", "QWERTYUIOPÅ^", "ASDFGHJKLÖÄ*", ">ZXCVBNM;:_" },
	  "\x1f@\x20£\x21$\x24{\x25[\x26]\x27}\x2d\\\x64|\x30~\x08€", "" },
	{ "fi",
	  { "§1234567890+´", "qwertyuiopå¨", "asdfghjklöä'", "<zxcvbnm,.-" },
	  { "½!\"#¤%&/()=?`", "QWERTYUIOPÅ^", "ASDFGHJKLÖÄ*", ">ZXCVBNM;:_" },
	  "\x1f@\x20£\x21$\x24{\x25[\x26]\x27}\x2d\\\x64|\x30~\x08€", "" },
	{ "ch-de",
	  { "§1234567890'^", "qwertzuiopü¨", "asdfghjklöä$", "<yxcvbnm,.-" },
	  { "°+\"*ç%&/()=?`", "QWERTZUIOPè!", "ASDFGHJKLéà£", ">YXCVBNM;:_" },
	  "\x1f@\x20#\x24|\x2d´\x2e~\x2f[\x30]\x34{\x32}\x64\\\x08€", "" },
	{ "ch-fr",
	  { "§1234567890'^", "qwertzuiopè¨", "asdfghjkléà$", "<yxcvbnm,.-" },
	  { "°+\"*ç%&/()=?`", "QWERTZUIOPü!", "ASDFGHJKLöä£", ">YXCVBNM;:_" },
	  "\x1f@\x20#\x24|\x2d´\x2e~\x2f[\x30]\x34{\x32}\x64\\\x08€", "" },
	{ "be",
	  { "²&é\"'(§è!çà)-", "azertyuiop^$", "qsdfghjklmùµ", "<wxcvbn,;:=" },
	  { "³1234567890°_", "AZERTYUIOP¨*", "QSDFGHJKLM%£", ">WXCVBN?./+" },
	  "\x1e|\x1f@\x20#\x23^\x26{\x27}\x2f[\x30]\x32`\x34´\x64\\\x38~\x08€", "" },
	{ "es",
	  { "º1234567890'¡", "qwertyuiop`+", "asdfghjklñ´ç", "<zxcvbnm,.-" },
	  { "ª!\"·$%&/()=?¿", "QWERTYUIOP^*", "ASDFGHJKLÑ¨Ç", ">ZXCVBNM;:_" },
	  "\x35\\\x1e|\x1f@\x20#\x21~\x23¬\x2f[\x30]\x34{\x32}\x08€", "" },
	{ "it",
	  { "\\1234567890'ì", "qwertyuiopè+", "asdfghjklòàù", "<zxcvbnm,.-" },
	  { "|!\"£$%&/()=?^", "QWERTYUIOPé*", "ASDFGHJKLç°§", ">ZXCVBNM;:_" },
	  "\x2f[\x30]\x33@\x34#\x08€", "\x2f{\x30}" },
	{ "nl",
	  { "@1234567890/°", "qwertyuiop¨*", "asdfghjkl+´<", "]zxcvbnm,.-" },
	  { "§!\"#$%&_()'?~", "QWERTYUIOP^|", "ASDFGHJKL±`>", "[ZXCVBNM;:=" },
	  "\x1f²\x20³\x25{\x26}\x2d\\", "" },
};

/* The next code point of a UTF-8 string (these are well-formed); *s moves past it. */
static uint32_t next_utf8(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t c;
	int more;

	if (p[0] < 0x80)
		c = p[0], more = 0;
	else if (p[0] < 0xe0)
		c = p[0] & 0x1f, more = 1;
	else
		c = p[0] & 0x0f, more = 2;
	for (int i = 1; i <= more; i++)
		c = c << 6 | (p[i] & 0x3f);
	*s += 1 + more;
	return c;
}

static int check_key(enum hid_layout layout, uint8_t usage, uint8_t modifiers, uint32_t want)
{
	/* a dead key counts by the accent it types: charts print it so */
	uint32_t got = hid_layout_char(layout, usage, modifiers) & ~HID_CHAR_DEAD;

	if (want == SKIP || got == want)
		return 0;
	fprintf(stderr, "  %s usage 0x%02x modifiers 0x%02x: U+%04X, the chart says U+%04X\n",
		hid_layout_name(layout), usage, modifiers, got, want);
	return 1;
}

static int check_row(enum hid_layout layout, const uint8_t *usages, size_t n,
		     uint8_t modifiers, const char *chart)
{
	int bad = 0;
	size_t i;

	for (i = 0; i < n && *chart; i++)
		bad += check_key(layout, usages[i], modifiers, next_utf8(&chart));
	if (i != n || *chart) {
		fprintf(stderr, "  %s: a chart row of the wrong length\n", hid_layout_name(layout));
		bad++;
	}
	return bad;
}

static int check_pairs(enum hid_layout layout, uint8_t modifiers, const char *pairs)
{
	int bad = 0;

	while (*pairs) {
		uint8_t usage = (uint8_t)*pairs++;

		bad += check_key(layout, usage, modifiers, next_utf8(&pairs));
	}
	return bad;
}

static void test_layouts_against_their_charts(void)
{
	static const uint8_t *const rows[4] = { row0, row1, row2, row3 };
	static const size_t lens[4] = { sizeof(row0), sizeof(row1), sizeof(row2), sizeof(row3) };

	CHECK_INT(ARRAY_SIZE(charts), HID_LAYOUT__COUNT);
	for (size_t i = 0; i < ARRAY_SIZE(charts); i++) {
		const struct chart *c = &charts[i];
		enum hid_layout layout;
		int bad = 0;

		CHECK_INT(hid_layout_from_name(c->name, &layout), 0);
		for (int r = 0; r < 4; r++) {
			bad += check_row(layout, rows[r], lens[r], 0, c->plain[r]);
			bad += check_row(layout, rows[r], lens[r], SHIFT, c->shift[r]);
		}
		bad += check_pairs(layout, ALTGR, c->altgr);
		bad += check_pairs(layout, ALTGR | SHIFT, c->altgr_shift);
		/* the space bar and the US-position 0x31 key, as the ISO key 0x32 */
		bad += check_key(layout, 0x2c, 0, ' ');
		bad += check_key(layout, 0x31, 0, hid_layout_char(layout, 0x32, 0));
		if (bad)
			fprintf(stderr, "  %s: %d keys differ from the chart\n", c->name, bad);
		CHECK_INT(bad, 0);
	}
}

/*
 * Every printable ASCII character, Code 128's set, has a key on every layout
 * (Windows' Italian has no ~, xkb's has it on AltGr+ì; scanners set up for
 * Windows type it as the Alt code 126).
 */
static void test_every_barcode_character_typeable(void)
{
	static const uint8_t levels[] = { 0, SHIFT, ALTGR, ALTGR | SHIFT };

	for (int layout = 0; layout < HID_LAYOUT__COUNT; layout++) {
		for (uint32_t want = 0x20; want < 0x7f; want++) {
			bool found = false;

			for (unsigned usage = 0x04; usage <= 0x64 && !found; usage++)
				for (size_t l = 0; l < sizeof(levels) && !found; l++)
					found = (hid_layout_char((enum hid_layout)layout,
								 (uint8_t)usage, levels[l]) &
						 ~HID_CHAR_DEAD) == want;
			if (!found)
				fprintf(stderr, "  %s: no key for '%c'\n",
					hid_layout_name((enum hid_layout)layout), (char)want);
			CHECK(found);
		}
	}
}

static void test_keypad_decimal_follows_the_layout(void)
{
	static const char keypad[] = "/*-+\0" "1234567890";

	for (int layout = 0; layout < HID_LAYOUT__COUNT; layout++) {
		enum hid_layout l = (enum hid_layout)layout;
		uint32_t want = l == HID_LAYOUT_US || l == HID_LAYOUT_GB ? '.' : ',';

		for (uint8_t usage = 0x54; usage < 0x63; usage++)
			CHECK_INT(hid_layout_char(l, usage, 0), keypad[usage - 0x54]);
		CHECK_INT(hid_layout_char(l, 0x63, 0), want);
		/* NumLock is on: Shift does not turn it into Delete */
		CHECK_INT(hid_layout_char(l, 0x63, SHIFT), want);
	}
}

static void test_layout_names(void)
{
	static const char *const names[] = { "us", "de", "fr", "gb", "dk", "no", "se", "fi",
					     "ch-de", "ch-fr", "be", "es", "it", "nl" };
	enum hid_layout layout = HID_LAYOUT_US;

	CHECK_INT(ARRAY_SIZE(names), HID_LAYOUT__COUNT);
	for (int i = 0; i < HID_LAYOUT__COUNT; i++) {
		CHECK_INT(hid_layout_from_name(names[i], &layout), 0);
		CHECK_INT(layout, i);
		CHECK_STR(hid_layout_name(layout), names[i]);
	}
	CHECK_INT(hid_layout_from_name("uk", &layout), -EINVAL);
	CHECK_INT(hid_layout_from_name("ch", &layout), -EINVAL);
	CHECK_INT(hid_layout_from_name("DE", &layout), -EINVAL);
	CHECK_STR(hid_layout_name(HID_LAYOUT__COUNT), "unknown");
}

/*
 * Alt codes as Windows types them: Alt+0nnn in the ANSI code page
 * (Windows-1252), Alt+nnn in the OEM one (437 in the US, 850 in Western
 * Europe); the byte values from the code page charts (Unicode's mapping
 * files CP1252.TXT, CP437.TXT, CP850.TXT).
 */
static void test_alt_code_characters(void)
{
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_DE, 65, false), 'A');
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_DE, 65, true), 'A');
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_DE, 233, true), 0xe9);   /* é */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_DE, 130, false), 0xe9);  /* é in 850 */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 130, false), 0xe9);  /* and in 437 */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_DE, 155, false), 0xf8);  /* ø in 850 */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 155, false), 0xa2);  /* ¢ in 437 */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_GB, 156, false), 0xa3);  /* £ in both */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_GB, 163, true), 0xa3);   /* £ in 1252 */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_FR, 128, true), 0x20ac); /* € */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_SE, 134, false), 0xe5);  /* å */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_IT, 126, false), '~');
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 65 + 256, false), 'A'); /* mod 256 */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 29, true), 0x1d);    /* GS */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 13, false), 0x0d);
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 0, true), 0);
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 256, false), 0);
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 127, true), 0);
	CHECK_INT(hid_alt_code_char(HID_LAYOUT_US, 129, true), 0);      /* undefined in 1252 */
	CHECK_INT(hid_alt_code_char(HID_LAYOUT__COUNT, 65, true), 0);
}

static void test_dead_keys_and_compositions(void)
{
	/* the dead keys of the charts: Windows and xkb agree that these wait for the next key */
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x35, 0), HID_CHAR_DEAD | '^');
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x2e, 0), HID_CHAR_DEAD | 0xb4);
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x2e, SHIFT), HID_CHAR_DEAD | '`');
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x2f, 0), HID_CHAR_DEAD | '^');
	CHECK_INT(hid_layout_char(HID_LAYOUT_SE, 0x30, SHIFT), HID_CHAR_DEAD | '^');
	CHECK_INT(hid_layout_char(HID_LAYOUT_ES, 0x34, 0), HID_CHAR_DEAD | 0xb4);
	CHECK_INT(hid_layout_char(HID_LAYOUT_CH_DE, 0x2e, 0), HID_CHAR_DEAD | '^');
	/* ... and these do not */
	CHECK_INT(hid_layout_char(HID_LAYOUT_IT, 0x2e, SHIFT), '^');
	CHECK_INT(hid_layout_char(HID_LAYOUT_FR, 0x26, ALTGR), '^');
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x30, ALTGR), '~');
	/* Unicode's canonical compositions */
	CHECK_INT(hid_layout_compose('^', 'e'), 0xea);
	CHECK_INT(hid_layout_compose(0xb4, 'E'), 0xc9);
	CHECK_INT(hid_layout_compose(0xa8, 'u'), 0xfc);
	CHECK_INT(hid_layout_compose('~', 'n'), 0xf1);
	CHECK_INT(hid_layout_compose('`', 'a'), 0xe0);
	CHECK_INT(hid_layout_compose('^', '1'), 0);
	CHECK_INT(hid_layout_compose(0xb4, 'q'), 0);
}

static void test_chords_and_unknown_layouts(void)
{
	/* AltGr with Ctrl or GUI on top is a chord again */
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x14, ALTGR | HID_MOD_RCTRL), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x14, ALTGR | HID_MOD_LGUI), 0);
	/* Windows' LCtrl+RAlt and LCtrl+LAlt are AltGr */
	CHECK_INT(hid_layout_char(HID_LAYOUT_NO, 0x1f, ALTGR | HID_MOD_LCTRL), '@');
	CHECK_INT(hid_layout_char(HID_LAYOUT_ES, 0x1f, HID_MOD_LALT | HID_MOD_LCTRL), '@');
	/* US and its right Alt: Alt */
	CHECK_INT(hid_layout_char(HID_LAYOUT_US, 0x1f, ALTGR), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT__COUNT, 0x04, 0), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x65, 0), 0);
	CHECK_INT(hid_layout_char(HID_LAYOUT_DE, 0x63, ALTGR), 0);
}

int main(void)
{
	RUN(test_layouts_against_their_charts);
	RUN(test_every_barcode_character_typeable);
	RUN(test_keypad_decimal_follows_the_layout);
	RUN(test_layout_names);
	RUN(test_alt_code_characters);
	RUN(test_dead_keys_and_compositions);
	RUN(test_chords_and_unknown_layouts);
	return testlib_finish();
}
