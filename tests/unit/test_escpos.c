/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ESC/POS encoder and status decoder, byte for byte. Sources:
 *   [epson] Epson, ESC/POS Command Reference for TM printers
 *           (reference.epson-biz.com/modules/ref_escpos/): ESC @, ESC t (code
 *           tables: 0 PC437, 2 PC850, 16 WPC1252, 19 PC858), ESC E, GS !, ESC a,
 *           ESC d, GS V function B (m = 66), DLE EOT n and its answer bits.
 *   [hprt]  HPRT TP80K / HM-E200 programming manuals, GS ( k functions 165,
 *           167, 169, 180, 181 (cn 49, fn 65/67/69/80/81): k = pL + pH * 256 - 3.
 *   [rs]    docs.rs, hardless-http-dialects PrinterStatus::from_dle_eot: the
 *           answers 0x1A, 0x32, 0x7E of a printer out of paper.
 *   [cp]    Unicode's mapping files CP850.TXT and CP1252.TXT (lib/codepage.c);
 *           PC858 is CP850 with U+20AC at 0xD5 (IBM CCSID 858).
 */
#include <errno.h>

#include "../../hal/escpos.h"
#include "escpos_render.h"
#include "testlib.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static uint8_t buf[4096];
static struct escpos e;

static void check_bytes(const uint8_t *want, size_t want_len)
{
	size_t len = 99;

	CHECK_INT(escpos_finish(&e, &len), 0);
	CHECK_INT(len, want_len);
	if (len == want_len)
		CHECK(memcmp(buf, want, want_len) == 0);
	if (len != want_len || memcmp(buf, want, want_len)) {
		for (size_t i = 0; i < len; i++)
			fprintf(stderr, "%02X ", buf[i]);
		fprintf(stderr, "\n");
	}
}

/* After ESC @ and ESC t n, the bytes of one call: the builder is started on codepage. */
static void start(enum escpos_codepage codepage)
{
	CHECK_INT(escpos_begin(&e, buf, sizeof(buf), codepage), 0);
}

static void test_begin(void)
{
	start(ESCPOS_PC437);
	check_bytes(BYTES(0x1B, 0x40, 0x1B, 0x74, 0));
	start(ESCPOS_PC850);
	check_bytes(BYTES(0x1B, 0x40, 0x1B, 0x74, 2));
	start(ESCPOS_WPC1252);
	check_bytes(BYTES(0x1B, 0x40, 0x1B, 0x74, 16));
	start(ESCPOS_PC858);
	check_bytes(BYTES(0x1B, 0x40, 0x1B, 0x74, 19));
}

static void test_unknown_codepage(void)
{
	size_t len = 99;

	CHECK_INT(escpos_begin(&e, buf, sizeof(buf), (enum escpos_codepage)1), -EINVAL);
	CHECK_INT(escpos_text(&e, "x"), -EINVAL);
	CHECK_INT(escpos_finish(&e, &len), -EINVAL);
	CHECK_INT(len, 0);
}

#define INIT_437 0x1B, 0x40, 0x1B, 0x74, 0

static void test_commands(void)
{
	start(ESCPOS_PC437);
	CHECK_INT(escpos_bold(&e, true), 0);
	CHECK_INT(escpos_bold(&e, false), 0);
	check_bytes(BYTES(INIT_437, 0x1B, 0x45, 1, 0x1B, 0x45, 0));

	start(ESCPOS_PC437);
	CHECK_INT(escpos_size(&e, 1, 1), 0);
	CHECK_INT(escpos_size(&e, 2, 2), 0);
	CHECK_INT(escpos_size(&e, 8, 1), 0);
	CHECK_INT(escpos_size(&e, 1, 8), 0);
	check_bytes(BYTES(INIT_437, 0x1D, 0x21, 0x00, 0x1D, 0x21, 0x11, 0x1D, 0x21, 0x70,
			  0x1D, 0x21, 0x07));

	start(ESCPOS_PC437);
	CHECK_INT(escpos_align(&e, ESCPOS_LEFT), 0);
	CHECK_INT(escpos_align(&e, ESCPOS_CENTER), 0);
	CHECK_INT(escpos_align(&e, ESCPOS_RIGHT), 0);
	check_bytes(BYTES(INIT_437, 0x1B, 0x61, 0, 0x1B, 0x61, 1, 0x1B, 0x61, 2));

	start(ESCPOS_PC437);
	CHECK_INT(escpos_feed(&e, 0), 0);
	CHECK_INT(escpos_feed(&e, 3), 0);
	CHECK_INT(escpos_feed(&e, 255), 0);
	CHECK_INT(escpos_cut(&e), 0);
	check_bytes(BYTES(INIT_437, 0x1B, 0x64, 0, 0x1B, 0x64, 3, 0x1B, 0x64, 255,
			  0x1D, 0x56, 0x42, 0x00));
}

static void check_invalid_sticks(void)
{
	size_t len = 99;

	CHECK_INT(escpos_bold(&e, true), -EINVAL);
	CHECK_INT(escpos_cut(&e), -EINVAL);
	CHECK_INT(e.len, 5);
	CHECK_INT(escpos_finish(&e, &len), -EINVAL);
	CHECK_INT(len, 0);
}

static void test_arguments_out_of_range(void)
{
	start(ESCPOS_PC437);
	CHECK_INT(escpos_size(&e, 0, 1), -EINVAL);
	check_invalid_sticks();
	start(ESCPOS_PC437);
	CHECK_INT(escpos_size(&e, 1, 9), -EINVAL);
	check_invalid_sticks();
	start(ESCPOS_PC437);
	CHECK_INT(escpos_align(&e, (enum escpos_align)3), -EINVAL);
	check_invalid_sticks();
	start(ESCPOS_PC437);
	CHECK_INT(escpos_feed(&e, 256), -EINVAL);
	check_invalid_sticks();
}

static void check_text(enum escpos_codepage codepage, const char *utf8, const uint8_t *want,
		       size_t want_len)
{
	start(codepage);
	CHECK_INT(escpos_text(&e, utf8), 0);
	CHECK_INT(e.len, 5 + want_len);
	if (e.len == 5 + want_len)
		CHECK(memcmp(buf + 5, want, want_len) == 0);
}

#define ACCENTS "äöüßéèêàç«»„“€"

static void test_text_codepages(void)
{
	check_text(ESCPOS_PC437, "Loan 1\n", BYTES('L', 'o', 'a', 'n', ' ', '1', 0x0A));
	/* [cp] CP850; „ and “ it lacks become '"', the euro sign '?' */
	check_text(ESCPOS_PC850, ACCENTS, BYTES(0x84, 0x94, 0x81, 0xE1, 0x82, 0x8A, 0x88, 0x85,
						0x87, 0xAE, 0xAF, '"', '"', '?'));
	/* PC858: the same, and the euro sign at 0xD5 */
	check_text(ESCPOS_PC858, ACCENTS, BYTES(0x84, 0x94, 0x81, 0xE1, 0x82, 0x8A, 0x88, 0x85,
						0x87, 0xAE, 0xAF, '"', '"', 0xD5));
	/* [cp] CP1252 has every one of them */
	check_text(ESCPOS_WPC1252, ACCENTS, BYTES(0xE4, 0xF6, 0xFC, 0xDF, 0xE9, 0xE8, 0xEA, 0xE0,
						  0xE7, 0xAB, 0xBB, 0x84, 0x93, 0x80));
	/* [cp] CP437: no guillemets missing, but no euro sign */
	check_text(ESCPOS_PC437, "ä«€", BYTES(0x84, 0xAE, '?'));
}

static void test_text_lacking_characters(void)
{
	/* PC858 gave the dotless i's byte to the euro sign: ı is '?' there, 0xD5 in PC850 */
	check_text(ESCPOS_PC858, "ı", BYTES('?'));
	check_text(ESCPOS_PC850, "ı", BYTES(0xD5));
	/* ł (U+0142), a CJK ideograph and an emoji are in none of them */
	check_text(ESCPOS_WPC1252, "ł中😀", BYTES('?', '?', '?'));
	check_text(ESCPOS_PC858, "ł中😀", BYTES('?', '?', '?'));
}

static void test_text_controls_dropped(void)
{
	/* ESC, GS, DLE, TAB, CR, DEL and a C1 control (U+0085) would be commands */
	check_text(ESCPOS_PC858, "a\x1B@b\x1D!c\x10\x04\t\r\x7F\xC2\x85z\n",
		   BYTES('a', '@', 'b', '!', 'c', 'z', 0x0A));
	check_text(ESCPOS_WPC1252, "\xC2\x80", BYTES());
}

static void test_text_malformed_utf8(void)
{
	/* a lone continuation byte, a truncated sequence, an overlong '/', a surrogate */
	check_text(ESCPOS_PC858, "a\x80" "b", BYTES('a', '?', 'b'));
	check_text(ESCPOS_PC858, "\xC3", BYTES('?'));
	check_text(ESCPOS_PC858, "\xC0\xAF", BYTES('?', '?'));
	check_text(ESCPOS_PC858, "\xED\xA0\x80!", BYTES('?', '?', '?', '!'));
	check_text(ESCPOS_WPC1252, "\xFF\xC3\xA9", BYTES('?', 0xE9));
}

static void test_qr_framing(void)
{
	start(ESCPOS_PC437);
	CHECK_INT(escpos_qr(&e, "ABC", 3, 4), 0);
	/* [hprt] functions 165 (model 2), 167 (module 4), 169 (level M), 180 (k = 3), 181 */
	check_bytes(BYTES(INIT_437, 0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,
			  0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x04,
			  0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,
			  0x1D, 0x28, 0x6B, 0x06, 0x00, 0x31, 0x50, 0x30, 'A', 'B', 'C',
			  0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30));
}

static void test_qr_length_bytes(void)
{
	static uint8_t data[ESCPOS_QR_DATA_MAX];
	size_t len;

	memset(data, '7', sizeof(data));
	/* 300 bytes: pL pH = 303 = 0x012F */
	start(ESCPOS_PC437);
	CHECK_INT(escpos_qr(&e, data, 300, 1), 0);
	CHECK_INT(escpos_finish(&e, &len), 0);
	CHECK_INT(len, 5 + 9 + 8 + 8 + 8 + 300 + 8);
	CHECK(memcmp(buf + 5 + 25, BYTES(0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30)) == 0);
	/* the longest: 2331 + 3 = 0x091E */
	start(ESCPOS_PC437);
	CHECK_INT(escpos_qr(&e, data, ESCPOS_QR_DATA_MAX, 16), 0);
	CHECK(memcmp(buf + 5 + 25, BYTES(0x1D, 0x28, 0x6B, 0x1E, 0x09, 0x31, 0x50, 0x30)) == 0);
	CHECK(memcmp(buf + 5 + 9, BYTES(0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 16)) == 0);
}

static void test_qr_limits(void)
{
	static uint8_t data[ESCPOS_QR_DATA_MAX + 1];

	start(ESCPOS_PC437);
	CHECK_INT(escpos_qr(&e, data, ESCPOS_QR_DATA_MAX + 1, 4), -EINVAL);
	check_invalid_sticks();
	start(ESCPOS_PC437);
	CHECK_INT(escpos_qr(&e, data, 0, 4), -EINVAL);
	check_invalid_sticks();
	start(ESCPOS_PC437);
	CHECK_INT(escpos_qr(&e, data, 1, 0), -EINVAL);
	check_invalid_sticks();
	start(ESCPOS_PC437);
	CHECK_INT(escpos_qr(&e, data, 1, 17), -EINVAL);
	check_invalid_sticks();
}

/* A receipt as circd will print it: every kind of call. */
static int build_receipt(uint8_t *out, size_t cap)
{
	escpos_begin(&e, out, cap, ESCPOS_PC858);
	escpos_align(&e, ESCPOS_CENTER);
	escpos_size(&e, 2, 2);
	escpos_bold(&e, true);
	escpos_text(&e, "Stadtbücherei\n");
	escpos_bold(&e, false);
	escpos_size(&e, 1, 1);
	escpos_align(&e, ESCPOS_LEFT);
	escpos_text(&e, "Ausgeliehen: „Der Zauberberg“\nRückgabe bis 12.01.2027\n");
	escpos_text(&e, "Prêt : « Le Petit Prince », à rendre\nGebühr: 1,50 €\n");
	escpos_qr(&e, "https://lib.example/r/42", 24, 4);
	escpos_feed(&e, 3);
	escpos_cut(&e);
	return e.err;
}

static const char receipt_text[] =
	"{init}{cp 19}{center}{size 2x2}{bold}Stadtbücherei\n{/bold}{size 1x1}{left}"
	"Ausgeliehen: \"Der Zauberberg\"\nRückgabe bis 12.01.2027\n"
	"Prêt : « Le Petit Prince », à rendre\nGebühr: 1,50 €\n"
	"{qr-model 2}{qr-module 4}{qr-level M}{qr-store https://lib.example/r/42}{qr-print}"
	"{feed 3}{cut}";

static void test_receipt_renders(void)
{
	char text[1024];
	size_t len;

	CHECK_INT(build_receipt(buf, sizeof(buf)), 0);
	CHECK_INT(escpos_finish(&e, &len), 0);
	CHECK_INT(escpos_render(buf, len, text, sizeof(text)), strlen(receipt_text));
	CHECK_STR(text, receipt_text);
}

static void test_receipt_overflows_at_every_length(void)
{
	static uint8_t full[1024], small[1024 + 16];
	size_t full_len, len;

	CHECK_INT(build_receipt(full, sizeof(full)), 0);
	escpos_finish(&e, &full_len);
	for (size_t cap = 0; cap <= full_len; cap++) {
		int want = cap < full_len ? -ENOSPC : 0;

		memset(small, 0xA5, sizeof(small));
		CHECK_INT(build_receipt(small, cap), want);
		CHECK_INT(escpos_finish(&e, &len), want);
		CHECK_INT(len, cap < full_len ? 0 : full_len);
		/* what was written is the receipt's start, whole commands, nothing past cap */
		CHECK(e.len <= cap);
		CHECK(memcmp(small, full, e.len) == 0);
		for (size_t i = cap; i < sizeof(small); i++)
			if (small[i] != 0xA5) {
				CHECK(!"written past the buffer");
				break;
			}
	}
}

static void test_text_all_or_nothing(void)
{
	start(ESCPOS_PC437);
	e.cap = 5 + 3;
	CHECK_INT(escpos_text(&e, "ab"), 0);
	CHECK_INT(escpos_text(&e, "cd"), -ENOSPC);
	CHECK_INT(e.len, 7);
	CHECK_INT(escpos_text(&e, "e"), -ENOSPC);
	CHECK_INT(e.len, 7);
}

static void test_status_request(void)
{
	uint8_t out[ESCPOS_STATUS_REQUEST_LEN];

	/* [epson] DLE EOT n */
	CHECK_INT(escpos_status_request(ESCPOS_STATUS_PRINTER, out), 3);
	CHECK(memcmp(out, BYTES(0x10, 0x04, 0x01)) == 0);
	CHECK_INT(escpos_status_request(ESCPOS_STATUS_OFFLINE_CAUSE, out), 3);
	CHECK(memcmp(out, BYTES(0x10, 0x04, 0x02)) == 0);
	CHECK_INT(escpos_status_request(ESCPOS_STATUS_PAPER, out), 3);
	CHECK(memcmp(out, BYTES(0x10, 0x04, 0x04)) == 0);
	CHECK_INT(escpos_status_request((enum escpos_status_kind)3, out), -EINVAL);
}

static struct escpos_status parse_one(enum escpos_status_kind kind, uint8_t byte)
{
	struct escpos_status s = { 0 };

	CHECK_INT(escpos_status_parse(kind, byte, &s), 0);
	return s;
}

static bool all_clear(struct escpos_status s)
{
	return !s.offline && !s.cover_open && !s.paper_out && !s.paper_near_end && !s.error;
}

static void test_status_conditions(void)
{
	/* [epson] answers with every condition bit clear, and the drawer pin (not a fault) */
	CHECK(all_clear(parse_one(ESCPOS_STATUS_PRINTER, 0x12)));
	CHECK(all_clear(parse_one(ESCPOS_STATUS_PRINTER, 0x16)));
	CHECK(all_clear(parse_one(ESCPOS_STATUS_OFFLINE_CAUSE, 0x12)));
	CHECK(all_clear(parse_one(ESCPOS_STATUS_PAPER, 0x12)));

	CHECK(parse_one(ESCPOS_STATUS_PRINTER, 0x1A).offline);
	CHECK(parse_one(ESCPOS_STATUS_OFFLINE_CAUSE, 0x16).cover_open);
	CHECK(parse_one(ESCPOS_STATUS_OFFLINE_CAUSE, 0x32).paper_out);
	CHECK(parse_one(ESCPOS_STATUS_OFFLINE_CAUSE, 0x52).error);
	CHECK(!parse_one(ESCPOS_STATUS_OFFLINE_CAUSE, 0x1A).error); /* fed by the button */
	CHECK(parse_one(ESCPOS_STATUS_PAPER, 0x1E).paper_near_end);
	CHECK(!parse_one(ESCPOS_STATUS_PAPER, 0x1E).paper_out);
	CHECK(parse_one(ESCPOS_STATUS_PAPER, 0x72).paper_out);
}

static void test_status_out_of_paper(void)
{
	struct escpos_status s = { 0 };

	/* [rs] the three answers of a printer out of paper add up in one status */
	CHECK_INT(escpos_status_parse(ESCPOS_STATUS_PRINTER, 0x1A, &s), 0);
	CHECK_INT(escpos_status_parse(ESCPOS_STATUS_OFFLINE_CAUSE, 0x32, &s), 0);
	CHECK_INT(escpos_status_parse(ESCPOS_STATUS_PAPER, 0x7E, &s), 0);
	CHECK(s.offline && s.paper_out && s.paper_near_end && !s.cover_open && !s.error);
}

/*
 * Stopped by paper end (offline cause bit 5) while the paper sensor byte
 * still reads "present" (0x12): out of paper, whatever order the answers
 * come in (printer-escpos asks printer, offline cause, paper).
 */
static void test_status_stopped_by_paper_end(void)
{
	struct escpos_status s = { 0 };

	CHECK_INT(escpos_status_parse(ESCPOS_STATUS_OFFLINE_CAUSE, 0x32, &s), 0);
	CHECK_INT(escpos_status_parse(ESCPOS_STATUS_PAPER, 0x12, &s), 0);
	CHECK(s.paper_out && !s.paper_near_end);
	s = (struct escpos_status){ 0 };
	CHECK_INT(escpos_status_parse(ESCPOS_STATUS_PAPER, 0x12, &s), 0);
	CHECK_INT(escpos_status_parse(ESCPOS_STATUS_OFFLINE_CAUSE, 0x32, &s), 0);
	CHECK(s.paper_out);
}

static void test_status_fixed_bits(void)
{
	static const uint8_t bad[] = { 0x00, 0xFF, 0x13, 0x92, 0x02, 0x10, 0x0A };
	struct escpos_status s = { 0 };

	for (size_t i = 0; i < sizeof(bad); i++) {
		CHECK_INT(escpos_status_parse(ESCPOS_STATUS_PRINTER, bad[i], &s), -EBADMSG);
		CHECK_INT(escpos_status_parse(ESCPOS_STATUS_OFFLINE_CAUSE, bad[i], &s), -EBADMSG);
		CHECK_INT(escpos_status_parse(ESCPOS_STATUS_PAPER, bad[i], &s), -EBADMSG);
	}
	CHECK(all_clear(s));
	CHECK_INT(escpos_status_parse((enum escpos_status_kind)3, 0x12, &s), -EINVAL);
}

int main(void)
{
	RUN(test_begin);
	RUN(test_unknown_codepage);
	RUN(test_commands);
	RUN(test_arguments_out_of_range);
	RUN(test_text_codepages);
	RUN(test_text_lacking_characters);
	RUN(test_text_controls_dropped);
	RUN(test_text_malformed_utf8);
	RUN(test_qr_framing);
	RUN(test_qr_length_bytes);
	RUN(test_qr_limits);
	RUN(test_receipt_renders);
	RUN(test_receipt_overflows_at_every_length);
	RUN(test_text_all_or_nothing);
	RUN(test_status_request);
	RUN(test_status_conditions);
	RUN(test_status_out_of_paper);
	RUN(test_status_stopped_by_paper_end);
	RUN(test_status_fixed_bits);
	return testlib_finish();
}
