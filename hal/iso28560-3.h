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
 * size. Optional extension blocks may follow byte 33 (below).
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
 *             block, and mem ends with the basic block (the extension was
 *             not read)
 * Past byte 33 the extension blocks are decoded too (see below).
 */
int iso28560_3_decode(const uint8_t *mem, size_t len, struct tag_data *out, char *why,
		      size_t why_size);

/*
 * Extension blocks (the Danish model, section 3.3): after the basic block,
 * frames of a length byte that counts the whole frame (0: no more blocks,
 * 1: one filler byte), a data block ID of 16 bits least significant byte
 * first (a high byte of 0xFF escapes to a 24-bit ID in 4 bytes: LSB, 0xFF,
 * middle, MSB), a checksum byte and the data; the XOR of all the frame's
 * bytes is 0.
 *
 * The structured blocks' data (ISO 28560-3, as its annex B example 2 and
 * the open-source ISO28560 library of TH Wildau encode them) are text
 * fields, each ended by a 0x00 but the last, which ends with the frame; a
 * frame may stop after its last non-empty field (the Danish model, 3.3.5:
 * the fields it leaves out are empty). The library extension block starts
 * with one fixed byte, the media format, before its fields. The fields, in
 * order (enum iso28560_3_field):
 *   1 library:     [media format] item id, owner institution
 *   2 acquisition: supplier id, product id (local), order number, supplier
 *                  invoice number, GS1 product id, supply chain stage
 *   3 supplement:  shelf location, MARC media format, ONIX media format,
 *                  subsidiary of the owner institution
 *   4 title:       title
 *   5 ILL:         ILL borrowing institution (ISIL), ILL borrowing
 *                  transaction number, alternative ILL borrowing institution
 * The library block's item id is the primary item identifier when byte 3
 * of the basic block is 0x01 (an id longer than the basic block holds),
 * the alternative item identifier otherwise. Other IDs are skipped.
 */
#define ISO28560_3_EXT_LIBRARY 1
#define ISO28560_3_EXT_ACQUISITION 2
#define ISO28560_3_EXT_SUPPLEMENT 3
#define ISO28560_3_EXT_TITLE 4
#define ISO28560_3_EXT_ILL 5

enum iso28560_3_field {
	ISO28560_3_LIBRARY_ITEM_ID = 0,
	ISO28560_3_LIBRARY_OWNER = 1,
	ISO28560_3_ACQ_SUPPLIER = 0,
	ISO28560_3_ACQ_PRODUCT = 1,
	ISO28560_3_ACQ_ORDER = 2,
	ISO28560_3_ACQ_INVOICE = 3,
	ISO28560_3_ACQ_GS1_PRODUCT = 4,
	ISO28560_3_ACQ_SUPPLY_STAGE = 5,
	ISO28560_3_SUPPLEMENT_SHELF = 0,
	ISO28560_3_SUPPLEMENT_MARC_MEDIA = 1,
	ISO28560_3_SUPPLEMENT_ONIX_MEDIA = 2,
	ISO28560_3_SUPPLEMENT_SUBSIDIARY = 3,
	ISO28560_3_TITLE_TEXT = 0,
	ISO28560_3_ILL_BORROWER = 0,
	ISO28560_3_ILL_TRANSACTION = 1,
	ISO28560_3_ILL_ALT_BORROWER = 2,
};

struct iso28560_3_extension {
	size_t offset;   /* of its length byte in the tag's memory */
	size_t len;      /* the whole frame */
	uint32_t id;
	size_t data_at;  /* its first data byte (after the header); offset + len when none */
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
 * Field n (enum iso28560_3_field) of the extension block ext that
 * iso28560_3_next_extension() found in mem: *field points into mem, *field_len
 * bytes long, without its 0x00 (0 for a field the frame leaves empty or out).
 * The library block's media format byte is not a field. Returns 0, or
 * -EINVAL for NULL arguments. The bytes are as the tag has them: checked
 * for nothing.
 */
int iso28560_3_ext_field(const uint8_t *mem, const struct iso28560_3_extension *ext, unsigned n,
			 const uint8_t **field, size_t *field_len);

/*
 * What iso28560_3_decode() does past the basic block, for it: fills *out's
 * media_code and alt_item_id (the library block; the item id instead when
 * id_in_extension), shelf_location and media_format (the supplement block),
 * title (the title block), from the first block of each ID. A frame whose
 * checksum fails stops the walk (its length cannot be trusted) and a block
 * whose fields are not text (UTF-8 without control characters, ids and
 * media format not too long; shelf location and title are cut on a UTF-8
 * boundary) is skipped: either sets out->damaged_extension_at, and the rest
 * stands. Returns 0, or -EBADMSG (with why) only when id_in_extension and no
 * sound library block gives the item id: without it the tag names no item.
 */
int iso28560_3_decode_extensions(const uint8_t *mem, size_t len, bool id_in_extension,
				 struct tag_data *out, char *why, size_t why_size);

/*
 * Encodes *in into mem with the extension blocks its fields need, then an
 * end byte when there is room: the basic block as iso28560_3_encode()
 * writes it (an item id of 17 to TAG_ITEM_ID_MAX bytes goes to the library
 * block instead, 0x01 in byte 3, and then there is no room for an
 * alt_item_id), the library block for media_code or alt_item_id, the
 * supplement block for shelf_location or media_format, the title block for
 * title. Returns the bytes written (the basic block alone when no block is
 * needed); -ENOSPC when they do not fit in size; -EINVAL as
 * iso28560_3_encode(), or for a text with control characters or not UTF-8.
 */
int iso28560_3_encode_extensions(const struct tag_data *in, uint8_t *mem, size_t size);

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
