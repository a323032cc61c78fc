/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISO 28560-2 library tags: the ISO/IEC 15962 object-based encoding, "no
 * directory" access method, as written in the user memory of ISO 15693 item
 * tags. The memory is a run of data sets, each
 *
 *   precursor [offset] [OID extension] length data [pad bytes]
 *
 * precursor: bit 7 says an offset follows, bits 6-4 are the compaction
 * scheme, bits 3-0 the relative OID (15: the next byte holds OID - 15). The
 * offset is the number of pad bytes after the data; offset and length are
 * one byte below 128, otherwise 7 bits a byte, most significant first, bit 7
 * set on all but the last. A 0x00 where a precursor would be ends the data.
 * The first data set is the primary item identifier (relative OID 1).
 *
 * The DSFID, AFI and block locks are the caller's: these functions see the
 * user memory from block 0 only.
 *
 * Pure: no allocation, no logging, nothing to free.
 */
#ifndef CIRCD_HAL_ISO28560_2_H
#define CIRCD_HAL_ISO28560_2_H

#include <stddef.h>
#include <stdint.h>

#include "tag-data.h"

/* ISO/IEC 15962 compaction schemes, the precursor's bits 6-4. */
enum iso28560_2_scheme {
	ISO28560_2_APPLICATION = 0, /* ISO 28560-2: the ISIL compaction; the content parameter */
	ISO28560_2_INTEGER = 1,
	ISO28560_2_NUMERIC = 2,
	ISO28560_2_5BIT = 3,
	ISO28560_2_6BIT = 4,
	ISO28560_2_7BIT = 5,
	ISO28560_2_OCTET = 6,       /* ISO/IEC 8859-1 text */
	ISO28560_2_UTF8 = 7,
};

/* Relative OIDs (ISO 28560-1 data element numbers) this codec reads and writes. */
enum iso28560_2_element {
	ISO28560_2_ITEM_ID = 1,
	ISO28560_2_CONTENT_PARAMETER = 2,
	ISO28560_2_OWNER_ISIL = 3,
	ISO28560_2_SET_INFO = 4,
	ISO28560_2_TYPE_OF_USAGE = 5,
	ISO28560_2_SHELF_LOCATION = 6,
	ISO28560_2_ONIX_MEDIA_FORMAT = 7,
	ISO28560_2_ALT_ITEM_ID = 14,
	ISO28560_2_TITLE = 17,
};

/*
 * Reads the tag memory mem[0..len) into *out (model TAG_MODEL_28560_2).
 * Elements this codec does not know are skipped; a title or shelf location
 * longer than tag-data.h keeps is cut on a UTF-8 boundary. Returns 0, or
 * -EBADMSG for a blank, damaged or truncated tag and -EINVAL for NULL
 * arguments, with a short English reason for staff in why (may be NULL). Never
 * reads past len; *out is written only on success.
 */
int iso28560_2_decode(const uint8_t *mem, size_t len, struct tag_data *out, char *why,
		      size_t why_size);

/*
 * Writes *in into mem[0..size): the primary item identifier, the content
 * parameter naming the other elements present (when there are any), then
 * those elements by OID, each in the most compact scheme that gives it back
 * unchanged, then the 0x00 terminator when there is room. The rest of mem is
 * zeroed. *used gets the bytes that matter (terminator included): a caller
 * writes at least those, rounded up to its block size. Returns 0, -EINVAL
 * when *in cannot be written (no item id, a text that is not UTF-8 or is not
 * terminated in its field, set information other than part 1..N of N) and
 * -ENOSPC when it does not fit in size bytes.
 */
int iso28560_2_encode(const struct tag_data *in, uint8_t *mem, size_t size, size_t *used);

#endif
