/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a library RFID tag says, whichever data model wrote it: ISO 28560-2
 * (object-based, hal/iso28560-2.h) or ISO 28560-3 (fixed layout, the Danish
 * model, hal/iso28560-3.h). The decoders fill it and the encoders read it;
 * the kiosk reads only this. Plain data: nothing to free.
 *
 * The data elements are ISO 28560-1's. Texts are NUL-terminated; a field the
 * tag does not carry is empty (texts) or has its has_ flag clear.
 */
#ifndef CIRCD_HAL_TAG_DATA_H
#define CIRCD_HAL_TAG_DATA_H

#include <stdbool.h>
#include <stdint.h>

#define TAG_ITEM_ID_MAX 64   /* ISO 28560-3 holds 16; -2 has no limit, SIP2 ids are shorter */
#define TAG_ISIL_MAX 16      /* ISO 15511: at most 16 characters with its prefix */
#define TAG_TEXT_MAX 96      /* shelf location, title: cut (on a UTF-8 boundary) past this */
#define TAG_MEDIA_MAX 16

enum tag_model {
	TAG_MODEL_UNKNOWN,
	TAG_MODEL_28560_2,   /* object-based (ISO/IEC 15962 encoding, no directory) */
	TAG_MODEL_28560_3,   /* fixed layout (Danish data model) */
};

/*
 * Type of usage (ISO 28560-1 data element 5), high nibble: the main class.
 * The low nibble is the class's own detail and is kept in tag_data.usage.
 */
enum tag_usage_class {
	TAG_USAGE_ACQUISITION = 0x0,
	TAG_USAGE_CIRCULATING = 0x1,
	TAG_USAGE_NOT_CIRCULATING = 0x2,
	TAG_USAGE_DISCARDED = 0x7,
	TAG_USAGE_PATRON_CARD = 0x8,
	TAG_USAGE_LIBRARY_EQUIPMENT = 0x9,
};

/* ISO 28560-1's media format (element 19), as ISO 28560-3 codes it in one byte */
enum tag_media_code {
	TAG_MEDIA_UNDEFINED = 0,
	TAG_MEDIA_BOOK = 1,
	TAG_MEDIA_CD_DVD = 2,
	TAG_MEDIA_MAGNETIC_TAPE = 3,
	TAG_MEDIA_OTHER = 4,
	TAG_MEDIA_OTHER_CAREFUL = 5,     /* careful handling required */
	TAG_MEDIA_VERY_SMALL = 6,        /* very small item, special handling required */
};

struct tag_data {
	enum tag_model model;
	uint8_t version;                      /* the data model's own version, when it has one */
	char item_id[TAG_ITEM_ID_MAX + 1];    /* primary item identifier (element 1) */
	char owner_isil[TAG_ISIL_MAX + 1];    /* owner institution, ISIL (element 3) */
	bool has_set;
	uint8_t set_size, set_part;           /* set information (element 4): part set_part of set_size */
	bool has_usage;
	/* Type of usage (element 5), class in the high nibble; ISO 28560-3 has the class only (low 0). */
	uint8_t usage;
	char shelf_location[TAG_TEXT_MAX + 1]; /* element 6 */
	char title[TAG_TEXT_MAX + 1];          /* element 17 */
	char media_format[TAG_MEDIA_MAX + 1];  /* ONIX media format (element 7), as the tag has it */
	char alt_item_id[TAG_ITEM_ID_MAX + 1]; /* alternative unique item identifier (element 14) */
	/* ISO 28560-3's media format (element 19, enum tag_media_code); 0: undefined */
	uint8_t media_code;
	/*
	 * ISO 28560-3: where the first extension block that could not be used
	 * starts (checksum or content damaged); 0 when none. The basic block
	 * and the blocks before it stand: firmware may say the tag needs care.
	 */
	uint16_t damaged_extension_at;
};

static inline enum tag_usage_class tag_usage_class(const struct tag_data *t)
{
	return (enum tag_usage_class)(t->usage >> 4);
}

#endif
