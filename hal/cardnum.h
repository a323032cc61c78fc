/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Card numbers as card readers type them. An RFID reader in keyboard mode
 * types the card's id in one of a few fixed formats; the board file says
 * which, and this checks what arrived against it and normalises it:
 *
 *   text          as typed: printable ASCII, 1..SCAN_TEXT_MAX characters
 *   dec10         exactly 10 decimal digits, at most 4294967295 (a 32-bit
 *                 EM4100 id printed in decimal); out as typed
 *   hex           8 or 10 hex digits (a 32-bit id, or a 40-bit EM4100 id
 *                 with its version byte); out in upper case
 *   hex-to-dec10  8 or 10 hex digits typed; out the low 32 bits as 10
 *                 zero-padded decimal digits, the number printed on most
 *                 EM4100 cards
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
	CARD_FORMAT__COUNT,
};

/* "text" "dec10" "hex" "hex-to-dec10" -> 0 and *ret, else -EINVAL. */
int card_format_from_name(const char *name, enum card_format *ret);
/* The name above; "unknown" for a value outside the enum. */
const char *card_format_name(enum card_format f);

/*
 * Checks in[0..len) against format f and writes the normalised number to
 * out, NUL-terminated. Returns its length; -EINVAL when in does not fit the
 * format (or an argument is NULL), -ENOSPC when out_size cannot hold it.
 * On failure out is "" (if out_size > 0) and, when why != NULL, why holds
 * the reason in words, cut to why_size.
 */
int card_number_normalize(enum card_format f, const char *in, size_t len, char *out,
			  size_t out_size, char *why, size_t why_size);

#endif
