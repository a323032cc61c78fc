/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISO 28560-3, the fixed-layout library data model (the Danish data model,
 * DS/INF 163, "RFID Data Model for Libraries", biblstandard.dk). Pure
 * functions, no allocation: the caller owns every buffer.
 *
 * The basic block is the first 34 bytes of the tag's user memory:
 *
 *   0      version (high nibble, 1) and type of usage (low nibble: the
 *          ISO 28560-1 class, enum tag_usage_class)
 *   1      number of parts in the item (set size)
 *   2      ordinal part number
 *   3-18   primary item identifier, NUL-padded (16 bytes at most; a first
 *          byte 0x01 says it is in the library extension block instead)
 *   19-20  CRC, least significant byte first
 *   21-22  country of the owner library (ISO 3166-1 alpha-2, the ISIL prefix)
 *   23-33  the rest of the owner's ISIL (after the prefix and its hyphen),
 *          NUL-padded, 11 bytes
 *
 * The CRC is CRC-16/CCITT as the model defines it: polynomial 0x1021 (x^16
 * + x^12 + x^5 + 1), not reflected, initial value 0xFFFF, no final XOR, over
 * bytes 0-18 and 21-33 in that order. A 32-byte tag holds the basic block
 * cut after byte 31 (9 bytes of ISIL); its CRC is computed as if bytes 32
 * and 33 were there and 0, so the same ISIL gives the same CRC on either
 * size. Optional extension blocks may follow byte 33: iso28560_3_next_extension()
 * walks their frames; their contents are not decoded.
 *
 * The tag has no country field apart from the ISIL: owner_isil is written
 * as the ISIL is spelled, "DK-710100", the prefix from bytes 21-22.
 */
#ifndef CIRCD_HAL_ISO28560_3_H
#define CIRCD_HAL_ISO28560_3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tag-data.h"

#define ISO28560_3_BLOCK_SIZE 34      /* the basic block */
#define ISO28560_3_SHORT_TAG_SIZE 32  /* a tag of 32 bytes: the block cut to 9 bytes of ISIL */
#define ISO28560_3_VERSION 1
#define ISO28560_3_ITEM_ID_LEN 16
#define ISO28560_3_ISIL_LEN 11        /* after the 2-letter prefix */
#define ISO28560_3_SHORT_ISIL_LEN 9

/* CRC-16/CCITT (0x1021, initial 0xFFFF, not reflected) of data[0..len), continuing from crc. */
uint16_t iso28560_3_crc_update(uint16_t crc, const uint8_t *data, size_t len);

/*
 * The CRC of the basic block in mem[0..len) (len >= 32; bytes from 34 on are
 * not part of it), as the model computes it, and the one the tag carries.
 * -EINVAL when len < 32.
 */
int iso28560_3_block_crc(const uint8_t *mem, size_t len, uint16_t *computed, uint16_t *stored);
/* Whether mem holds a basic block whose CRC checks: the cheap test for "is this -3". */
bool iso28560_3_crc_ok(const uint8_t *mem, size_t len);

/*
 * Decodes the basic block in mem[0..len) (the tag's user memory from block
 * 0, at least 32 bytes) into *out (cleared first; model TAG_MODEL_28560_3,
 * has_set and has_usage set, usage = class << 4). Returns 0, or -errno with
 * the reason in why (cut to why_size; "" on success):
 *   -EINVAL   NULL arguments
 *   -ENODATA  shorter than 32 bytes
 *   -EBADMSG  the CRC does not check ("damaged tag (CRC ...)"), version 0,
 *             or a control character in the identifier or ISIL
 *   -ENOTSUP  the primary item identifier is in the library extension
 *             block, which this decoder does not read
 * Extension blocks after byte 33 are left alone: the basic block holds all
 * the kiosk needs, and is protected by its own CRC.
 */
int iso28560_3_decode(const uint8_t *mem, size_t len, struct tag_data *out, char *why,
		      size_t why_size);

/*
 * Extension blocks (the Danish model, section 3.3): after the basic block,
 * frames of a length byte that counts the whole frame (0: no more blocks,
 * 1: one filler byte), a data block ID of 16 bits least significant byte
 * first (a high byte of 0xFF escapes to a 24-bit ID in 4 bytes: LSB, 0xFF,
 * middle, MSB), a checksum byte and the data; the XOR of all the frame's
 * bytes is 0. ID 1 is the library extension block (media format, alternate
 * item id, extended owner library).
 */
#define ISO28560_3_EXT_LIBRARY 1

struct iso28560_3_extension {
	size_t offset;   /* of its length byte in the tag's memory */
	size_t len;      /* the whole frame */
	uint32_t id;
};

/*
 * The next extension block in mem[0..len) from *cursor, which starts at
 * ISO28560_3_BLOCK_SIZE and is moved past each block returned. Returns 1
 * and *out; 0 at the end (a 0 length byte, or the end of the memory);
 * -EBADMSG for a frame that runs past the memory, is shorter than its own
 * header, or whose XOR is not 0 (*cursor is left on it); -EINVAL for NULL
 * arguments.
 */
int iso28560_3_next_extension(const uint8_t *mem, size_t len, size_t *cursor,
			      struct iso28560_3_extension *out);

/*
 * Encodes *in into mem: the 34-byte basic block when size >= 34, the
 * 32-byte one when size is 32 or 33. Returns the number of bytes written;
 * -ENOSPC when size < 32; -EINVAL when in does not fit the model: an item
 * id longer than 16 bytes or with control characters, an owner ISIL whose
 * prefix is not 2 letters or whose rest is longer than the tag holds, a
 * set part or size of 0 or a part above the size. Without
 * has_set the item is a set of one; without has_usage it is circulating.
 * The usage's low nibble is not stored (the model has the class only).
 * Version: in->version, or ISO28560_3_VERSION when 0.
 */
int iso28560_3_encode(const struct tag_data *in, uint8_t *mem, size_t size);

#endif
