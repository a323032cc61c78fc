/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESC/POS for receipt printers (Epson TM-T20/T88 and compatibles): a builder
 * that encodes a receipt into a buffer the caller owns, and the decoder of the
 * real-time status bytes. Pure: no I/O, no allocation, nothing to free.
 *
 * Errors are sticky: the first call that fails (-ENOSPC when its command does
 * not fit, -EINVAL for an argument out of range) leaves the buffer as it was
 * before that call, every later call does nothing and returns that error, and
 * escpos_finish() returns it. A command is written whole or not at all, so a
 * caller checks once, at the end, and never prints half a receipt.
 *
 *   command         bytes                              escpos call
 *   ESC @           1B 40                              escpos_begin() (initialise)
 *   ESC t n         1B 74 n                            escpos_begin() (code page)
 *   ESC E n         1B 45 n                            escpos_bold()
 *   GS ! n          1D 21 (width-1)<<4|(height-1)      escpos_size()
 *   ESC a n         1B 61 0|1|2                        escpos_align()
 *   ESC d n         1B 64 n                            escpos_feed()
 *   GS V 66 0       1D 56 42 00                        escpos_cut() (to the cutter, partial)
 *   GS ( k ...      1D 28 6B pL pH 31 fn ...           escpos_qr() (model 2, level M)
 *   DLE EOT n       10 04 n                            escpos_status_request()
 */
#ifndef CIRCD_HAL_ESCPOS_H
#define CIRCD_HAL_ESCPOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The code pages the builder converts text to; the values are ESC t's n. */
enum escpos_codepage {
	ESCPOS_PC437 = 0,
	ESCPOS_PC850 = 2,
	ESCPOS_WPC1252 = 16,
	ESCPOS_PC858 = 19, /* PC850 with the euro sign at 0xD5 */
};

enum escpos_align { ESCPOS_LEFT = 0, ESCPOS_CENTER = 1, ESCPOS_RIGHT = 2 };

#define ESCPOS_SIZE_MAX 8        /* GS ! magnifies 1..8 times each way */
#define ESCPOS_QR_MODULE_MAX 16  /* GS ( k fn 67: dots per module, 1..16 */
/*
 * A QR code model 2 at level M holds at most 2331 bytes (version 40, byte
 * mode); the store command's length field would allow 7089.
 */
#define ESCPOS_QR_DATA_MAX 2331

struct escpos {
	uint8_t *buf; /* the caller's; the builder writes only buf[0..cap) */
	size_t cap, len;
	int err; /* sticky: 0 or the first -errno */
	enum escpos_codepage codepage;
};

/*
 * Starts a receipt in buf (cap bytes, kept by the caller and only borrowed
 * until escpos_finish()): ESC @, then ESC t for codepage. -EINVAL for a code
 * page not in the enum.
 */
int escpos_begin(struct escpos *e, uint8_t *buf, size_t cap, enum escpos_codepage codepage);

/*
 * NUL-terminated UTF-8 text in the code page: '\n' becomes LF, every other
 * control character (C0, DEL, C1) is dropped, typographic quotes the code page
 * lacks become ASCII ones, any other character it lacks and each byte of
 * malformed UTF-8 print as '?'.
 */
int escpos_text(struct escpos *e, const char *utf8);

int escpos_bold(struct escpos *e, bool on);
int escpos_size(struct escpos *e, unsigned width, unsigned height); /* 1..8 each */
int escpos_align(struct escpos *e, enum escpos_align align);
int escpos_feed(struct escpos *e, unsigned lines); /* prints the buffer, then 0..255 lines */
int escpos_cut(struct escpos *e); /* feeds to the cutter, then cuts partially */

/* A QR code of len bytes (1..ESCPOS_QR_DATA_MAX), module_size dots a module (1..16). */
int escpos_qr(struct escpos *e, const void *data, size_t len, unsigned module_size);

/*
 * The sticky error, or 0 with *len the bytes of the receipt in buf. *len is
 * 0 on an error, so a short receipt is never sent by mistake.
 */
int escpos_finish(struct escpos *e, size_t *len);

/*
 * Real-time status (DLE EOT n): the printer answers each request with one
 * byte at once, even while offline. Bits 0, 1, 4 and 7 are fixed (0, 1, 1, 0)
 * in every answer; the others mean, per request:
 *   1 printer         bit 3 offline, bit 5 waiting for online recovery
 *   2 offline cause   bit 2 cover open, bit 3 paper fed by the button,
 *                     bit 5 printing stopped by paper end, bit 6 an error
 *   4 roll paper      bits 2-3 paper near its end, bits 5-6 paper out
 * Bit 2 of the printer status (the drawer connector) is not a fault: ignored.
 */
enum escpos_status_kind {
	ESCPOS_STATUS_PRINTER = 1,
	ESCPOS_STATUS_OFFLINE_CAUSE = 2,
	ESCPOS_STATUS_PAPER = 4,
};

#define ESCPOS_STATUS_REQUEST_LEN 3

struct escpos_status {
	bool offline, cover_open, paper_out, paper_near_end, error;
};

/* Writes DLE EOT kind into out; ESCPOS_STATUS_REQUEST_LEN, or -EINVAL for an unknown kind. */
int escpos_status_request(enum escpos_status_kind kind, uint8_t out[ESCPOS_STATUS_REQUEST_LEN]);

/*
 * Sets the fields the answer to request kind reports (and only those, so the
 * answers to several requests add up in one status the caller zeroed).
 * -EBADMSG when a fixed bit is wrong (not a status byte: the printer is
 * answering something else), -EINVAL for an unknown kind.
 */
int escpos_status_parse(enum escpos_status_kind kind, uint8_t byte, struct escpos_status *status);

#endif
