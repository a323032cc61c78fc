/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Card numbers as card readers type them. An RFID reader in keyboard mode
 * types the card's id in one of a few fixed formats; the board file says
 * which, and this checks what arrived against it and turns it into the
 * number the library system knows the card by:
 *
 *   text          as typed: printable ASCII, 1..SCAN_TEXT_MAX characters
 *   dec10         exactly 10 decimal digits, at most 4294967295 (a 32-bit
 *                 EM4100 id printed in decimal); out as typed
 *   hex           8 or 10 hex digits (a 32-bit id, or a 40-bit EM4100 id
 *                 with its version byte); out in upper case
 *   hex-to-dec10  8 or 10 hex digits typed; out the low 32 bits as 10
 *                 zero-padded decimal digits, the number printed on most
 *                 EM4100 cards (readers call this output "8H10D")
 *   hex-to-dec8   6, 8 or 10 hex digits typed; out the low 24 bits as 8
 *                 zero-padded decimal digits (readers' "6H8D")
 *   hex-to-dec13  8 or 10 hex digits typed; out all 40 bits of an EM4100
 *                 id as 13 zero-padded decimal digits
 *   wiegand26     6, 8 or 10 hex digits typed (the low 24 bits are the
 *                 Wiegand 26 data), or 7: a whole 26-bit frame with its two
 *                 parity bits, which are checked; out the 8-bit facility
 *                 code and the 16-bit card number, zero-padded to 3 and 5
 *                 digits, with the separator between ("123,45678")
 *   uid-hex       an ISO/IEC 14443 UID of 4 or 7 bytes, 8 or 14 hex digits
 *                 typed; out in upper case, in the byte order chosen
 *   uid-dec       the same UID as one number in decimal, zero-padded to 10
 *                 (4 bytes) or 17 (7 bytes) digits
 *
 * Before the format is applied, a prefix and a suffix are removed when
 * present (track-style ";1234?"), and a number shorter than pad_length is
 * padded with 0s on the left (readers that drop leading zeros).
 *
 * Pure, no allocation: the caller owns every buffer.
 */
#ifndef CIRCD_HAL_CARDNUM_H
#define CIRCD_HAL_CARDNUM_H

#include <stddef.h>

enum card_format {
	CARD_FORMAT_TEXT,
	CARD_FORMAT_DEC10,
	CARD_FORMAT_HEX,
	CARD_FORMAT_HEX_TO_DEC10,
	CARD_FORMAT_HEX_TO_DEC8,
	CARD_FORMAT_HEX_TO_DEC13,
	CARD_FORMAT_WIEGAND26,
	CARD_FORMAT_UID_HEX,
	CARD_FORMAT_UID_DEC,
	CARD_FORMAT__COUNT,
};

/* uid-hex, uid-dec: which typed byte is the most significant. */
enum card_byte_order {
	CARD_MSB_FIRST, /* as typed */
	CARD_LSB_FIRST, /* the first byte typed is the least significant: reversed */
};

#define CARD_AFFIX_MAX 8 /* trim strings and the separator: up to 7 characters */

struct card_options {
	enum card_format format;
	enum card_byte_order byte_order;
	char separator[CARD_AFFIX_MAX];   /* wiegand26; "" puts the two numbers together */
	unsigned pad_length;              /* 0: no padding; at most SCAN_TEXT_MAX */
	char trim_prefix[CARD_AFFIX_MAX]; /* "" trims nothing */
	char trim_suffix[CARD_AFFIX_MAX];
};

/* text, msb first, separator ",", no padding, no trimming. */
void card_options_default(struct card_options *opt);

/* "text" "dec10" ... "uid-dec" -> 0 and *ret, else -EINVAL. */
int card_format_from_name(const char *name, enum card_format *ret);
/* The name above; "unknown" for a value outside the enum. */
const char *card_format_name(enum card_format f);
/* "msb" "lsb" */
int card_byte_order_from_name(const char *name, enum card_byte_order *ret);
const char *card_byte_order_name(enum card_byte_order order);

/*
 * Checks in[0..len) against opt and writes the card number to out,
 * NUL-terminated. Returns its length; -EINVAL when in does not fit the
 * format (or an argument is NULL), -ENOSPC when out_size cannot hold it.
 * On failure out is "" (if out_size > 0) and, when why != NULL, why holds
 * the reason in words, cut to why_size.
 */
int card_number_convert(const struct card_options *opt, const char *in, size_t len, char *out,
			size_t out_size, char *why, size_t why_size);

/* card_number_convert() with the default options for format f. */
int card_number_normalize(enum card_format f, const char *in, size_t len, char *out,
			  size_t out_size, char *why, size_t why_size);

#endif
