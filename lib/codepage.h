/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Single-byte code pages (lib/codepage.c): each table is the upper half,
 * bytes 0x80..0xFF, as Unicode code points; 0 for a byte the code page
 * leaves undefined. Static data, nothing to free.
 */
#ifndef CIRCD_LIB_CODEPAGE_H
#define CIRCD_LIB_CODEPAGE_H

#include <stdint.h>

extern const uint16_t codepage_cp437[128], codepage_cp850[128], codepage_cp1252[128];

/* The byte that stands for code point cp in the code page with upper half high, or -1. */
int codepage_byte(const uint16_t high[128], uint32_t cp);

#endif
