/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AIM symbology identifiers. The expected values are ISO/IEC 15424:2008
 * table 1 (code characters) and the modifier tables of the symbology
 * standards, as the scanner manuals reprint them: Honeywell's "Symbology
 * Charts" appendix (e.g. Xenon 1900/1902 User Guide: "AIM ID" and "Possible
 * AIM ID Modifiers" columns), Zebra's "AIM Code Identifiers" tables (e.g.
 * DS2208 Product Reference Guide, appendix B) and Datalogic's "AIM
 * Identifiers" table (e.g. QuickScan QD2400 PRG). Cases marked with a vendor
 * are symbols those tables list by name.
 */
#include <errno.h>

#include "../../hal/aim.h"
#include "testlib.h"

struct aim_case {
	const char *id;
	enum symbology want;
	const char *want_name;
};

/* One identifier per code character of ISO/IEC 15424 table 1. */
static void test_table(void)
{
	static const struct aim_case cases[] = {
		{ "]A0", SYM_CODE39, "code39" },
		{ "]B0", SYM_TELEPEN, "telepen" }, /* UK libraries' item labels */
		{ "]C0", SYM_CODE128, "code128" },
		{ "]D0", SYM_CODE_ONE, "codeone" },
		{ "]E0", SYM_EAN13, "ean13" },
		{ "]F0", SYM_CODABAR, "codabar" },
		{ "]G0", SYM_CODE93, "code93" },
		{ "]H0", SYM_CODE11, "code11" },
		{ "]I0", SYM_ITF, "itf" },
		{ "]K0", SYM_CODE16K, "code16k" },
		{ "]L0", SYM_PDF417, "pdf417" },
		{ "]M0", SYM_MSI, "msi" },
		{ "]N0", SYM_ANKER, "anker" },
		{ "]O0", SYM_CODABLOCK, "codablock" },
		{ "]P0", SYM_PLESSEY, "plessey" },
		{ "]Q1", SYM_QR, "qr" },
		{ "]R0", SYM_IATA_2OF5, "iata2of5" },         /* Honeywell: Straight 2 of 5 IATA */
		{ "]S0", SYM_INDUSTRIAL_2OF5, "industrial2of5" }, /* Honeywell: ... Industrial */
		{ "]T0", SYM_CODE49, "code49" },
		{ "]U0", SYM_MAXICODE, "maxicode" },
		{ "]X0", SYM_OTHER, "other" },                /* Honeywell: Matrix 2 of 5 */
		{ "]Y0", SYM_EXPANSION, "expansion" },
		{ "]Z0", SYM_NON_BARCODE, "non-barcode" },
		{ "]c0", SYM_CHANNEL_CODE, "channelcode" },
		{ "]d1", SYM_DATAMATRIX, "datamatrix" },      /* ECC 200 */
		{ "]e0", SYM_GS1_DATABAR, "gs1databar" },
		{ "]o0", SYM_OCR, "ocr" },
		{ "]p0", SYM_POSICODE, "posicode" },
		{ "]s0", SYM_SUPERCODE, "supercode" },
		{ "]z0", SYM_AZTEC, "aztec" },
		/* letters the table leaves unassigned */
		{ "]J0", SYM_UNKNOWN, "unknown" },
		{ "]V0", SYM_UNKNOWN, "unknown" },
		{ "]a0", SYM_UNKNOWN, "unknown" },
		{ "]q0", SYM_UNKNOWN, "unknown" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct aim_id id;

		CHECK_INT(aim_parse(cases[i].id, 3, &id), 3);
		CHECK_INT(id.symbology, cases[i].want);
		CHECK_INT(id.code, cases[i].id[1]);
		CHECK_INT(id.modifier, cases[i].id[2]);
		CHECK_INT(aim_symbology(cases[i].id), cases[i].want);
		CHECK_STR(symbology_name(id.symbology), cases[i].want_name);
		if (id.symbology != cases[i].want)
			fprintf(stderr, "%s: got %s\n", cases[i].id, symbology_name(id.symbology));
	}
}

/* ISO/IEC 15420 (EAN/UPC) modifiers: the check digit circd verifies depends on them. */
static void test_ean_upc_modifiers(void)
{
	CHECK_INT(aim_symbology("]E0"), SYM_EAN13);       /* EAN-13, UPC-A, UPC-E */
	CHECK_INT(aim_symbology("]E1"), SYM_EAN_ADDON);   /* two-digit add-on alone */
	CHECK_INT(aim_symbology("]E2"), SYM_EAN_ADDON);   /* five-digit add-on alone */
	CHECK_INT(aim_symbology("]E3"), SYM_EAN13_ADDON); /* with its add-on, one message */
	CHECK_INT(aim_symbology("]E4"), SYM_EAN8);
	CHECK_INT(aim_symbology("]E5"), SYM_UNKNOWN);
	CHECK_INT(aim_symbology("]EA"), SYM_UNKNOWN);
	CHECK_STR(symbology_name(SYM_EAN13_ADDON), "ean13+addon");
	CHECK_STR(symbology_name(SYM_EAN_ADDON), "ean-addon");
	CHECK_STR(symbology_name(SYM_EAN8), "ean8");
}

static void test_gs1_modifiers(void)
{
	static const char *const gs1[] = { "]C1", "]d2", "]Q3", "]e0" };
	static const char *const not_gs1[] = { "]C0", "]C2", "]C4", "]d1", "]Q1", "]E0", "]I1" };
	struct aim_id id;

	for (size_t i = 0; i < ARRAY_SIZE(gs1); i++) {
		CHECK_INT(aim_parse(gs1[i], 3, &id), 3);
		CHECK(id.gs1);
	}
	for (size_t i = 0; i < ARRAY_SIZE(not_gs1); i++) {
		CHECK_INT(aim_parse(not_gs1[i], 3, &id), 3);
		CHECK(!id.gs1);
	}
	/* GS1-128 is still Code 128 */
	CHECK_INT(aim_symbology("]C1"), SYM_CODE128);
	CHECK_INT(aim_symbology("]d2"), SYM_DATAMATRIX);
}

/* ISO/IEC 16388 Annex: Code 39 modifiers 0 1 3 4 5 7 (Zebra and Honeywell list the same). */
static void test_check_character_modifiers(void)
{
	static const struct {
		const char *id;
		bool verified, stripped;
	} cases[] = {
		{ "]A0", false, false }, { "]A1", true, false }, { "]A3", true, true },
		{ "]A4", false, false }, /* full ASCII, no check */
		{ "]A5", true, false },	 { "]A7", true, true },
		{ "]F0", false, false }, { "]F1", false, false }, /* ABC Codabar */
		{ "]F2", true, false },	 { "]F4", true, true },
		{ "]I0", false, false }, { "]I1", true, false }, { "]I3", true, true },
		{ "]M0", true, false },	 { "]M1", true, true },
		{ "]C0", false, false }, { "]E0", false, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct aim_id id;

		CHECK_INT(aim_parse(cases[i].id, 3, &id), 3);
		if (id.check_verified != cases[i].verified ||
		    id.check_stripped != cases[i].stripped)
			fprintf(stderr, "%s: verified %d stripped %d\n", cases[i].id,
				id.check_verified, id.check_stripped);
		CHECK_INT(id.check_verified, cases[i].verified);
		CHECK_INT(id.check_stripped, cases[i].stripped);
	}
}

/* The prefix of a scanned text: the identifier's length, whatever follows. */
static void test_prefix_of_text(void)
{
	struct aim_id id;

	CHECK_INT(aim_parse("]E09780306406157", 16, &id), 3);
	CHECK_INT(id.symbology, SYM_EAN13);
	CHECK_INT(aim_parse("]FA21234000000018B", 18, &id), 3);
	CHECK_INT(id.symbology, SYM_CODABAR);
	/* ]Y: a digit n, then n more modifier characters */
	CHECK_INT(aim_parse("]Y2ab1234", 9, &id), 5);
	CHECK_INT(id.symbology, SYM_EXPANSION);
	CHECK_INT(id.modifier, '2');
	CHECK_INT(aim_parse("]Y2a", 4, &id), -EINVAL);
	CHECK_INT(aim_parse("]Y2a-", 5, &id), -EINVAL);
	CHECK_INT(aim_parse("]Ya", 3, &id), -EINVAL);
	CHECK_INT(aim_parse("]Y0", 3, NULL), 3);
}

static void test_not_an_identifier(void)
{
	struct aim_id id = { .symbology = SYM_QR };

	CHECK_INT(aim_parse("]E0", 2, &id), -EINVAL); /* cut short by len */
	CHECK_INT(aim_parse("E0", 2, &id), -EINVAL);
	CHECK_INT(aim_parse("]0E", 3, &id), -EINVAL); /* code characters are letters */
	CHECK_INT(aim_parse("]E-", 3, &id), -EINVAL);
	CHECK_INT(aim_parse("]E ", 3, &id), -EINVAL);
	CHECK_INT(aim_parse("]\xc3" "0", 3, &id), -EINVAL);
	CHECK_INT(aim_parse("]E\0", 3, &id), -EINVAL);
	CHECK_INT(aim_parse("[E0", 3, &id), -EINVAL);
	CHECK_INT(aim_parse(NULL, 3, &id), -EINVAL);
	CHECK_INT(id.symbology, SYM_QR); /* untouched on failure */
	CHECK_INT(aim_symbology("]"), SYM_UNKNOWN);
	CHECK_INT(aim_symbology("]E"), SYM_UNKNOWN);
	CHECK_INT(aim_symbology("F0"), SYM_UNKNOWN);
	CHECK_INT(aim_symbology(""), SYM_UNKNOWN);
	CHECK_INT(aim_symbology(NULL), SYM_UNKNOWN);
}

static void test_names(void)
{
	/* every symbology has a name of its own */
	for (int i = 1; i < SYM__COUNT; i++) {
		CHECK(strcmp(symbology_name((enum symbology)i), "unknown") != 0);
		for (int j = 1; j < i; j++)
			CHECK(strcmp(symbology_name((enum symbology)i),
				     symbology_name((enum symbology)j)) != 0);
	}
	CHECK_STR(symbology_name(SYM__COUNT), "unknown");
	CHECK_STR(symbology_name((enum symbology)-1), "unknown");
}

int main(void)
{
	RUN(test_table);
	RUN(test_ean_upc_modifiers);
	RUN(test_gs1_modifiers);
	RUN(test_check_character_modifiers);
	RUN(test_prefix_of_text);
	RUN(test_not_an_identifier);
	RUN(test_names);
	return testlib_finish();
}
