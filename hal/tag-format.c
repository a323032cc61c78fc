/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tag-format.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iso28560-2.h"
#include "iso28560-3.h"
#include "util.h"
#include "why.h"

#define REASON_MAX 128

static const char *const choice_names[] = {
	[TAG_MODEL_CHOICE_AUTO] = "auto",
	[TAG_MODEL_CHOICE_28560_2] = "iso28560-2",
	[TAG_MODEL_CHOICE_28560_3] = "iso28560-3",
};

int tag_model_choice_from_name(const char *name, enum tag_model_choice *ret)
{
	if (!name || !ret)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(choice_names); i++) {
		if (strcmp(name, choice_names[i]) == 0) {
			*ret = (enum tag_model_choice)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *tag_model_choice_name(enum tag_model_choice choice)
{
	if ((unsigned)choice >= ARRAY_SIZE(choice_names))
		return "unknown";
	return choice_names[choice];
}

bool tag_dsfid_is_28560_2(uint8_t dsfid)
{
	return dsfid == TAG_DSFID_28560_2 || dsfid == TAG_DSFID_28560_2_ALT;
}

bool tag_memory_blank(const uint8_t *mem, size_t len)
{
	if (!mem || len == 0)
		return true;
	if (mem[0] != 0x00 && mem[0] != 0xFF)
		return false;
	for (size_t i = 1; i < len; i++)
		if (mem[i] != mem[0])
			return false;
	return true;
}

/* One decoder; on success the model is set here too, whatever the decoder did. */
static int decode_as(enum tag_model model, const uint8_t *mem, size_t len, struct tag_data *out,
		     char *why, size_t why_size)
{
	int r;

	if (model == TAG_MODEL_28560_2)
		r = iso28560_2_decode(mem, len, out, why, why_size);
	else
		r = iso28560_3_decode(mem, len, out, why, why_size);
	if (r >= 0) {
		out->model = model;
		if (why && why_size)
			why[0] = '\0';
	}
	return r < 0 ? r : 0;
}

static int decode_auto(uint8_t dsfid, const uint8_t *mem, size_t len, struct tag_data *out,
		       char *why, size_t why_size)
{
	char why2[REASON_MAX] = "", why3[REASON_MAX] = "";
	int r;

	if (tag_dsfid_is_28560_2(dsfid)) {
		r = decode_as(TAG_MODEL_28560_2, mem, len, out, why2, sizeof(why2));
		if (r == 0 || !iso28560_3_crc_ok(mem, len)) {
			if (r < 0)
				(void)why_refuse(0, why, why_size, "ISO 28560-2 (DSFID 0x%02X): %s", dsfid,
					why2);
			else
				(void)why_refuse(0, why, why_size, "%s", "");
			return r;
		}
		return decode_as(TAG_MODEL_28560_3, mem, len, out, why, why_size);
	}
	if (iso28560_3_crc_ok(mem, len))
		return decode_as(TAG_MODEL_28560_3, mem, len, out, why, why_size);
	if (decode_as(TAG_MODEL_28560_2, mem, len, out, why2, sizeof(why2)) == 0) {
		(void)why_refuse(0, why, why_size, "%s", "");
		return 0;
	}
	decode_as(TAG_MODEL_28560_3, mem, len, out, why3, sizeof(why3));
	(void)why_refuse(0, why, why_size, "neither data model fits (DSFID 0x%02X): ISO 28560-3: %s; "
		"ISO 28560-2: %s", dsfid, why3, why2);
	return -EBADMSG;
}

static int decode_chosen(enum tag_model_choice choice, uint8_t dsfid, const uint8_t *mem,
			 size_t len, struct tag_data *out, char *why, size_t why_size)
{
	if (!mem || !out) {
		(void)why_refuse(0, why, why_size, "no tag data");
		return -EINVAL;
	}
	if (tag_memory_blank(mem, len)) {
		(void)why_refuse(0, why, why_size, "blank tag (nothing written)");
		return -ENODATA;
	}
	switch (choice) {
	case TAG_MODEL_CHOICE_AUTO:
		return decode_auto(dsfid, mem, len, out, why, why_size);
	case TAG_MODEL_CHOICE_28560_2:
		return decode_as(TAG_MODEL_28560_2, mem, len, out, why, why_size);
	case TAG_MODEL_CHOICE_28560_3:
		return decode_as(TAG_MODEL_28560_3, mem, len, out, why, why_size);
	}
	(void)why_refuse(0, why, why_size, "data model choice %d unknown", (int)choice);
	return -EINVAL;
}

int tag_decode(enum tag_model_choice choice, uint8_t dsfid, const uint8_t *mem, size_t len,
	       struct tag_data *out, char *why, size_t why_size)
{
	int r;

	(void)why_refuse(0, why, why_size, "%s", "");
	r = decode_chosen(choice, dsfid, mem, len, out, why, why_size);
	/* what a refusing decoder left half-filled must not pass for a tag's data */
	if (r < 0 && out)
		memset(out, 0, sizeof(*out));
	return r;
}

enum tag_model tag_model_detect(enum tag_model_choice choice, uint8_t dsfid, const uint8_t *mem,
				size_t len)
{
	struct tag_data scratch;

	if (tag_decode(choice, dsfid, mem, len, &scratch, NULL, 0) < 0)
		return TAG_MODEL_UNKNOWN;
	return scratch.model;
}
