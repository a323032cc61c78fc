/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AIM symbology identifier table, ISO/IEC 15424:2008 table 1, with the
 * modifier meanings from the symbology standards it refers to (ISO/IEC 16388
 * Code 39, 15417 Code 128, 15420 EAN/UPC, 16390 ITF, 16022 Data Matrix,
 * 18004 QR Code) as scanner manuals reprint them (Honeywell, Zebra and
 * Datalogic "AIM code identifier" appendices).
 */
#include "aim.h"

#include <errno.h>
#include <string.h>

#include "util.h"

/* Code character -> symbology; ]E is split by modifier in aim_parse(). */
static const enum symbology by_code[128] = {
	['A'] = SYM_CODE39,	    ['B'] = SYM_TELEPEN,	 ['C'] = SYM_CODE128,
	['D'] = SYM_CODE_ONE,	    ['F'] = SYM_CODABAR,	 ['G'] = SYM_CODE93,
	['H'] = SYM_CODE11,	    ['I'] = SYM_ITF,		 ['K'] = SYM_CODE16K,
	['L'] = SYM_PDF417,	    ['M'] = SYM_MSI,		 ['N'] = SYM_ANKER,
	['O'] = SYM_CODABLOCK,	    ['P'] = SYM_PLESSEY,	 ['Q'] = SYM_QR,
	['R'] = SYM_IATA_2OF5,	    ['S'] = SYM_INDUSTRIAL_2OF5, ['T'] = SYM_CODE49,
	['U'] = SYM_MAXICODE,	    ['X'] = SYM_OTHER,		 ['Y'] = SYM_EXPANSION,
	['Z'] = SYM_NON_BARCODE,    ['c'] = SYM_CHANNEL_CODE,	 ['d'] = SYM_DATAMATRIX,
	['e'] = SYM_GS1_DATABAR,    ['o'] = SYM_OCR,		 ['p'] = SYM_POSICODE,
	['s'] = SYM_SUPERCODE,	    ['z'] = SYM_AZTEC,
};

/* Log names; the first six are older than this table and stay as they were. */
static const char *const names[SYM__COUNT] = {
	[SYM_UNKNOWN] = "unknown",
	[SYM_CODABAR] = "codabar",
	[SYM_CODE39] = "code39",
	[SYM_CODE128] = "code128",
	[SYM_EAN13] = "ean13",
	[SYM_QR] = "qr",
	[SYM_EAN13_ADDON] = "ean13+addon",
	[SYM_EAN_ADDON] = "ean-addon",
	[SYM_EAN8] = "ean8",
	[SYM_TELEPEN] = "telepen",
	[SYM_CODE_ONE] = "codeone",
	[SYM_CODE93] = "code93",
	[SYM_CODE11] = "code11",
	[SYM_ITF] = "itf",
	[SYM_CODE16K] = "code16k",
	[SYM_PDF417] = "pdf417",
	[SYM_MSI] = "msi",
	[SYM_ANKER] = "anker",
	[SYM_CODABLOCK] = "codablock",
	[SYM_PLESSEY] = "plessey",
	[SYM_IATA_2OF5] = "iata2of5",
	[SYM_INDUSTRIAL_2OF5] = "industrial2of5",
	[SYM_CODE49] = "code49",
	[SYM_MAXICODE] = "maxicode",
	[SYM_OTHER] = "other",
	[SYM_EXPANSION] = "expansion",
	[SYM_NON_BARCODE] = "non-barcode",
	[SYM_CHANNEL_CODE] = "channelcode",
	[SYM_DATAMATRIX] = "datamatrix",
	[SYM_GS1_DATABAR] = "gs1databar",
	[SYM_OCR] = "ocr",
	[SYM_POSICODE] = "posicode",
	[SYM_SUPERCODE] = "supercode",
	[SYM_AZTEC] = "aztec",
};

const char *symbology_name(enum symbology sym)
{
	if ((int)sym < 0 || sym >= SYM__COUNT || !names[sym])
		return "unknown";
	return names[sym];
}

static bool is_letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_modifier(char c)
{
	return is_letter(c) || (c >= '0' && c <= '9');
}

static enum symbology ean_upc(char modifier)
{
	switch (modifier) {
	case '0':
		return SYM_EAN13;
	case '1': /* two-digit add-on alone */
	case '2': /* five-digit add-on alone */
		return SYM_EAN_ADDON;
	case '3':
		return SYM_EAN13_ADDON;
	case '4':
		return SYM_EAN8;
	default:
		return SYM_UNKNOWN;
	}
}

/* What the modifier says about the reader's handling of the check character. */
static void check_handling(struct aim_id *id)
{
	bool digit = id->modifier >= '0' && id->modifier <= '9';
	unsigned m = digit ? (unsigned)(id->modifier - '0') : 0;

	switch (id->code) {
	case 'A':
		/* Code 39: 1 verified, 2 also stripped, 4 full ASCII; so 1 3 5 7 */
		id->check_verified = m & 1;
		id->check_stripped = (m & 3) == 3;
		break;
	case 'F':
		/* Codabar: 1 ABC Codabar concatenation, 2 verified, 4 verified and stripped */
		id->check_verified = m == 2 || m == 4;
		id->check_stripped = m == 4;
		break;
	case 'I':
		/* ITF: 1 verified (ITF-14 in GS1), 3 verified and stripped */
		id->check_verified = m == 1 || m == 3;
		id->check_stripped = m == 3;
		break;
	case 'M':
		/* MSI: 0 a mod-10 check verified and sent, 1 verified and stripped */
		id->check_verified = id->modifier == '0' || id->modifier == '1';
		id->check_stripped = id->modifier == '1';
		break;
	default:
		break;
	}
}

static bool is_gs1(char code, char modifier)
{
	static const char gs1_ids[][2] = { { 'C', '1' }, { 'd', '2' }, { 'Q', '3' }, { 'e', '0' } };

	for (size_t i = 0; i < ARRAY_SIZE(gs1_ids); i++)
		if (gs1_ids[i][0] == code && gs1_ids[i][1] == modifier)
			return true;
	return false;
}

int aim_parse(const char *text, size_t len, struct aim_id *ret)
{
	struct aim_id id = { .symbology = SYM_UNKNOWN };
	size_t n = 3;

	if (!text || len < 3 || text[0] != ']' || !is_letter(text[1]) || !is_modifier(text[2]))
		return -EINVAL;
	id.code = text[1];
	id.modifier = text[2];
	if (id.code == 'Y') {
		/* system expansion: the digit counts the modifier characters after it */
		if (id.modifier < '0' || id.modifier > '9')
			return -EINVAL;
		n += (size_t)(id.modifier - '0');
		if (len < n)
			return -EINVAL;
		for (size_t i = 3; i < n; i++)
			if (!is_modifier(text[i]))
				return -EINVAL;
	}
	id.symbology = id.code == 'E' ? ean_upc(id.modifier) : by_code[(unsigned char)id.code];
	id.gs1 = is_gs1(id.code, id.modifier);
	check_handling(&id);
	if (ret)
		*ret = id;
	return (int)n;
}

enum symbology aim_symbology(const char *aim)
{
	struct aim_id id;

	if (!aim || aim_parse(aim, strnlen(aim, AIM_ID_MAX + 1), &id) < 0)
		return SYM_UNKNOWN;
	return id.symbology;
}
