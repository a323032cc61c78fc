/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UTF-8 sequences, for the parsers that check or convert text (config and
 * board files, SIP2 character sets). Pure; nothing is allocated.
 */
#ifndef CIRCD_UTF8_H
#define CIRCD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes, n >= 1), or
 * 0 when it is not one: overlong forms, surrogates and code points past
 * U+10FFFF included. *cp gets the code point.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * How much of the NUL-terminated s fits in a buffer of size bytes (size >= 1)
 * with its NUL: at most size - 1 bytes, never cutting a UTF-8 sequence.
 */
size_t utf8_cut_len(const char *s, size_t size);

#endif
