/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tags in one reader's field and their debounce (rfid-field.h). */
#include "rfid-field.h"

#include <errno.h>
#include <string.h>

static struct rfid_field_entry *find(struct rfid_field *field, const uint8_t uid[RFID_UID_LEN])
{
	for (size_t i = 0; i < field->n; i++)
		if (memcmp(field->tags[i].tag.uid, uid, RFID_UID_LEN) == 0)
			return &field->tags[i];
	return NULL;
}

const struct rfid_tag *rfid_field_find(const struct rfid_field *field,
				       const uint8_t uid[RFID_UID_LEN])
{
	struct rfid_field_entry *e = find((struct rfid_field *)field, uid);

	return e ? &e->tag : NULL;
}

void rfid_field_round_begin(struct rfid_field *field)
{
	for (size_t i = 0; i < field->n; i++)
		field->tags[i].seen = false;
}

int rfid_field_seen(struct rfid_field *field, const struct rfid_tag *tag)
{
	struct rfid_field_entry *e = find(field, tag->uid);

	if (e) {
		e->seen = true;
		e->missed = 0;
		return 0;
	}
	if (field->n == RFID_FIELD_MAX)
		return -ENOSPC;
	e = &field->tags[field->n++];
	e->tag = *tag;
	e->seen = true;
	e->missed = 0;
	return 1;
}

/* Drops entry i, keeping the order tags arrived in, and hands it to left. */
static void drop(struct rfid_field *field, size_t i, rfid_field_fn left, void *data)
{
	struct rfid_tag gone = field->tags[i].tag;

	memmove(&field->tags[i], &field->tags[i + 1], (field->n - i - 1) * sizeof(field->tags[0]));
	field->n--;
	/* After the table is consistent again: left may look at the field. */
	if (left)
		left(data, &gone);
}

void rfid_field_round_end(struct rfid_field *field, rfid_field_fn left, void *data)
{
	size_t i = 0;

	while (i < field->n) {
		struct rfid_field_entry *e = &field->tags[i];

		if (!e->seen && ++e->missed >= RFID_MISSED_ROUNDS) {
			drop(field, i, left, data);
			continue;
		}
		i++;
	}
}

void rfid_field_clear(struct rfid_field *field, rfid_field_fn left, void *data)
{
	while (field->n)
		drop(field, 0, left, data);
}
