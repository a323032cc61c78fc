/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which data model a library RFID tag uses, and one decoder for both.
 * Pure, no allocation: the caller owns every buffer.
 *
 * Two models are in use on ISO 15693 library tags (ISO 28560-1):
 *
 *   ISO 28560-2  object-based, ISO/IEC 15962 encoding. It names itself in
 *                the tag's DSFID (data storage format identifier, an ISO
 *                15693 system byte beside the AFI): ISO/IEC 15962 puts the
 *                access method in bits 7-6 and the registered data format in
 *                bits 4-0, and -2 writers set 0x06 (no directory, data format
 *                6: libraries) or 0x3E. The memory starts with a precursor
 *                byte that the -2 decoder checks.
 *   ISO 28560-3  fixed layout (the Danish model, hal/iso28560-3.h). It has no
 *                DSFID of its own: its tags commonly keep the factory value
 *                0x00, or whatever the converting software left. What marks
 *                it is its basic block's CRC over the first 34 bytes, which
 *                random -2 data passes once in 65,536.
 *
 * So a site's configured choice decides when it is set (a library knows
 * which model its tags were converted to, and a wrong guess on a damaged
 * tag is worse than "damaged tag"); "auto" decides per tag:
 *   1. a DSFID of -2 -> the -2 decoder; if it refuses but the -3 CRC checks,
 *      -3 (software that wrote -3 over a -2 tag without resetting its DSFID);
 *   2. any other DSFID -> -3 when its CRC checks, else the -2 decoder when
 *      it accepts the memory (-2 tags whose DSFID was never written);
 *   3. neither -> -EBADMSG, why naming both decoders' reasons.
 * Memory that is all 0x00 or all 0xFF is a blank tag (-ENODATA) whatever
 * the choice: never converted, not damaged.
 */
#ifndef CIRCD_HAL_TAG_FORMAT_H
#define CIRCD_HAL_TAG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tag-data.h"

#define TAG_DSFID_28560_2 0x06
#define TAG_DSFID_28560_2_ALT 0x3E

enum tag_model_choice {
	TAG_MODEL_CHOICE_AUTO,
	TAG_MODEL_CHOICE_28560_2,
	TAG_MODEL_CHOICE_28560_3,
};

/* "auto" "iso28560-2" "iso28560-3" -> 0 and *ret; -EINVAL otherwise. */
int tag_model_choice_from_name(const char *name, enum tag_model_choice *ret);
/* The name above; "unknown" outside the enum. */
const char *tag_model_choice_name(enum tag_model_choice choice);

/* Whether dsfid is one an ISO 28560-2 encoder sets. */
bool tag_dsfid_is_28560_2(uint8_t dsfid);
/* Whether mem[0..len) is all 0x00 or all 0xFF (or empty): a tag never written. */
bool tag_memory_blank(const uint8_t *mem, size_t len);

/*
 * The model of the tag with this DSFID and user memory mem[0..len) (from
 * block 0), by the rules above; TAG_MODEL_UNKNOWN for a blank tag or one
 * neither decoder accepts.
 */
enum tag_model tag_model_detect(enum tag_model_choice choice, uint8_t dsfid, const uint8_t *mem,
				size_t len);

/*
 * Decodes the tag with the decoder the rules above pick. 0 and *out (its
 * model set) on success, why = ""; on failure -errno with the reason in
 * why (cut to why_size): -ENODATA for a blank tag, a decoder's own error
 * when the choice or the DSFID named it (-EBADMSG "damaged tag (CRC ...)"
 * from -3), -EBADMSG when auto found neither, -EINVAL for NULL arguments
 * or a choice outside the enum.
 */
int tag_decode(enum tag_model_choice choice, uint8_t dsfid, const uint8_t *mem, size_t len,
	       struct tag_data *out, char *why, size_t why_size);

#endif
