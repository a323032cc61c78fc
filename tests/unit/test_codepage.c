/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/codepage.c against the code pages' published mapping tables
 * (unicode.org Public/MAPPINGS/VENDORS/MICSFT: PC/CP437.TXT, PC/CP850.TXT,
 * WINDOWS/CP1252.TXT).
 */
#include "../../lib/codepage.h"
#include "testlib.h"

static void test_known_bytes(void)
{
	CHECK_INT(codepage_cp437[0x80 - 0x80], 0x00c7); /* Ç */
	CHECK_INT(codepage_cp437[0xe1 - 0x80], 0x00df); /* ß */
	CHECK_INT(codepage_cp437[0xff - 0x80], 0x00a0);
	CHECK_INT(codepage_cp850[0x9b - 0x80], 0x00f8); /* ø (cp437 has ¢ there) */
	CHECK_INT(codepage_cp850[0xb5 - 0x80], 0x00c1); /* Á */
	CHECK_INT(codepage_cp1252[0x80 - 0x80], 0x20ac); /* € */
	CHECK_INT(codepage_cp1252[0x81 - 0x80], 0);      /* undefined */
	CHECK_INT(codepage_cp1252[0xe9 - 0x80], 0x00e9); /* é: Latin-1 above 0xA0 */
}

static void test_byte_of_a_code_point(void)
{
	CHECK_INT(codepage_byte(codepage_cp850, 'A'), 'A');
	CHECK_INT(codepage_byte(codepage_cp850, 0x00f8), 0x9b);
	CHECK_INT(codepage_byte(codepage_cp850, 0x20ac), -1); /* no € in cp850 */
	CHECK_INT(codepage_byte(codepage_cp1252, 0x20ac), 0x80);
	CHECK_INT(codepage_byte(codepage_cp1252, 0), 0);      /* NUL, not an undefined cell */
	/* Every defined byte maps back to itself. */
	for (unsigned i = 0; i < 128; i++)
		if (codepage_cp437[i])
			CHECK_INT(codepage_byte(codepage_cp437, codepage_cp437[i]), (int)(0x80 + i));
}

int main(void)
{
	RUN(test_known_bytes);
	RUN(test_byte_of_a_code_point);
	return testlib_finish();
}
