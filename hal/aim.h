/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AIM symbology identifiers (ISO/IEC 15424): the "]Cm" a scanner puts
 * before a symbol's data, or hands over separately (HID POS), to say what
 * the symbol was printed in. ']' is the flag character, C the code
 * character naming the symbology, m the modifier saying how the reader
 * processed it (check character verified, stripped, GS1 data ...). ]Y is
 * followed by a digit n and n further modifier characters.
 *
 * Pure, no allocation, nothing to free.
 */
#ifndef CIRCD_HAL_AIM_H
#define CIRCD_HAL_AIM_H

#include <stdbool.h>
#include <stddef.h>

#include "scanner.h"

#define AIM_ID_MAX 12 /* "]Y9" and nine more modifier characters */

struct aim_id {
	enum symbology symbology; /* SYM_UNKNOWN: a code character the standard leaves free */
	char code;                /* 'E' of "]E0" */
	char modifier;            /* '0' of "]E0"; the digit after ]Y */
	/*
	 * The data are GS1 element strings (FNC1 in first position): ]C1
	 * GS1-128, ]d2 GS1 DataMatrix, ]Q3 GS1 QR Code, ]e0 GS1 DataBar.
	 */
	bool gs1;
	/* The reader verified the symbology's check character (Code 39, Codabar, ITF, MSI) ... */
	bool check_verified;
	/* ... and left it out of the data. */
	bool check_stripped;
};

/*
 * Reads the AIM id at the start of text[0..len): ']', a letter, a modifier
 * character (0-9 A-Z a-z). Returns its length (3, or more for ]Y) and fills
 * *ret (may be NULL); -EINVAL when text does not start with one. An
 * unassigned code letter, or an EAN/UPC modifier the standard does not
 * define, parses as SYM_UNKNOWN.
 */
int aim_parse(const char *text, size_t len, struct aim_id *ret);

/* The symbology of a NUL-terminated AIM id such as "]E0"; SYM_UNKNOWN for NULL, "" and junk. */
enum symbology aim_symbology(const char *aim);

#endif
