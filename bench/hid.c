/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HID decode: how many symbols a second the pure decoders turn out of
 * reports already in memory, so that decoding is never what a busy USB bus
 * waits for.
 *
 *   wedge   a 14-digit item barcode typed on the US layout: each key down
 *           and up, then Enter down and up, 30 boot reports a symbol.
 *   hidpos  the emulated board's HID POS scanner (report 2: AIM id, 56
 *           data bytes, the continued bit): a 70-character symbol in two
 *           reports.
 *
 * Each runs for about BENCH_HID_SECONDS; the figure is symbols out over
 * time taken, and a symbol that does not come out is a failure.
 */
#include <stdio.h>
#include <string.h>

#include "../hal/hid-keyboard.h"
#include "../hal/hid-report.h"
#include "bench.h"

#define BENCH_HID_SECONDS 0.3
#define SYMBOLS_PER_CHECK 256
#define WEDGE_SYMBOL "31234000000057"
#define WEDGE_REPORTS (2 * (sizeof(WEDGE_SYMBOL) - 1) + 2)
#define POS_REPORT_LEN 61
#define POS_DATA_LEN 56
#define POS_TAIL "31234000000057"

static const uint8_t board_pos_desc[] = {
	0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02, 0x09, 0x12, 0xa1, 0x02, 0x15, 0x00,
	0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x03, 0x19, 0xfb, 0x29, 0xfd, 0x81, 0x02, 0x95,
	0x38, 0x09, 0xfe, 0x82, 0x02, 0x01, 0x75, 0x01, 0x95, 0x01, 0x25, 0x01, 0x09, 0xff,
	0x81, 0x02, 0x75, 0x07, 0x81, 0x03, 0xc0, 0xc0,
};

/* Symbols a second, or -1 (with why) when a symbol did not come out right. */
static double wedge_rate(char *why)
{
	uint8_t reports[WEDGE_REPORTS][HID_BOOT_REPORT_LEN] = { { 0 } };
	struct hid_keyboard kb;
	struct hid_keyboard_out out;
	unsigned long symbols = 0;
	uint64_t now_ms = 0;
	double t0 = now_us(), elapsed;

	for (size_t i = 0; i < sizeof(WEDGE_SYMBOL) - 1; i++) {
		char digit = WEDGE_SYMBOL[i];

		reports[2 * i][2] = (uint8_t)(digit == '0' ? 0x27 : 0x1e + digit - '1');
	}
	reports[WEDGE_REPORTS - 2][2] = HID_KEY_ENTER;
	hid_keyboard_init(&kb, HID_LAYOUT_US, 50);
	do {
		for (int n = 0; n < SYMBOLS_PER_CHECK; n++) {
			bool got = false;

			for (size_t r = 0; r < WEDGE_REPORTS; r++) {
				hid_keyboard_feed(&kb, reports[r], HID_BOOT_REPORT_LEN, now_ms++,
						  &out);
				if (out.symbol)
					got = strcmp(out.text, WEDGE_SYMBOL) == 0;
			}
			if (!got) {
				set_why(why, "the wedge decoder lost a symbol");
				return -1;
			}
		}
		symbols += SYMBOLS_PER_CHECK;
		elapsed = (now_us() - t0) / 1e6;
	} while (elapsed < BENCH_HID_SECONDS);
	return symbols / elapsed;
}

static double hidpos_rate(char *why)
{
	uint8_t first[POS_REPORT_LEN] = { 0x02, ']', 'C', '0' };
	uint8_t last[POS_REPORT_LEN] = { 0x02, ']', 'C', '0' };
	struct hid_pos_layout layout;
	struct hid_pos p;
	struct hid_pos_out out;
	unsigned long symbols = 0;
	double t0, elapsed;

	if (hid_pos_layout_parse(board_pos_desc, sizeof(board_pos_desc), &layout) < 0) {
		set_why(why, "the board's HID POS descriptor does not parse");
		return -1;
	}
	memset(first + 4, 'A', POS_DATA_LEN);
	first[POS_REPORT_LEN - 1] = 0x01; /* continued */
	memcpy(last + 4, POS_TAIL, sizeof(POS_TAIL) - 1);
	hid_pos_init(&p, &layout);
	t0 = now_us();
	do {
		for (int n = 0; n < SYMBOLS_PER_CHECK; n++) {
			hid_pos_feed(&p, first, sizeof(first), &out);
			hid_pos_feed(&p, last, sizeof(last), &out);
			if (!out.symbol || out.len != POS_DATA_LEN + sizeof(POS_TAIL) - 1) {
				set_why(why, "the HID POS decoder lost a symbol");
				return -1;
			}
		}
		symbols += SYMBOLS_PER_CHECK;
		elapsed = (now_us() - t0) / 1e6;
	} while (elapsed < BENCH_HID_SECONDS);
	return symbols / elapsed;
}

void bench_hid(void)
{
	char why[WHY_MAX] = "";
	double wedge = wedge_rate(why), hidpos = wedge < 0 ? -1 : hidpos_rate(why);

	if (wedge < 0 || hidpos < 0) {
		printf("HID decode         FAILED: %s\n", why);
		fflush(stdout);
		return;
	}
	printf("HID decode         wedge %9.0f symbols/s (%zu-char symbols, %zu reports each)   "
	       "hidpos %9.0f symbols/s (2-report symbols)   target >= 1000 (the bus carries "
	       "hundreds)\n",
	       wedge, sizeof(WEDGE_SYMBOL) - 1, WEDGE_REPORTS, hidpos);
	fflush(stdout);
}
