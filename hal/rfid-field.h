/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tags in one reader's field, for its backend: inventory rounds go in,
 * arrivals and departures come out, with the debounce every backend shares
 * (rfid.h: once on arrival, once on leaving, gone after RFID_MISSED_ROUNDS
 * missed rounds in a row). Pure: no I/O, no clock; the backend runs the
 * rounds on its own timer.
 *
 * A round: rfid_field_round_begin(), rfid_field_seen() for each tag that
 * answered, rfid_field_round_end(). Plain data, embedded in its backend;
 * nothing to free.
 */
#ifndef CIRCD_HAL_RFID_FIELD_H
#define CIRCD_HAL_RFID_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "rfid.h"

struct rfid_field_entry {
	struct rfid_tag tag;   /* as it arrived */
	bool seen;             /* in the current round */
	unsigned missed;       /* rounds missed in a row */
};

struct rfid_field {
	struct rfid_field_entry tags[RFID_FIELD_MAX];
	size_t n;
};

typedef void (*rfid_field_fn)(void *data, const struct rfid_tag *tag);

void rfid_field_round_begin(struct rfid_field *field);
/*
 * tag answered this round. Returns 1 if it is new (the caller reports its
 * arrival), 0 if it was there, -ENOSPC if the field is full (it is not
 * followed, and reported again when there is room).
 */
int rfid_field_seen(struct rfid_field *field, const struct rfid_tag *tag);
/* Each tag gone RFID_MISSED_ROUNDS in a row is dropped and passed to left (may be NULL). */
void rfid_field_round_end(struct rfid_field *field, rfid_field_fn left, void *data);
/* Every tag leaves at once (the reader went away), each passed to left. */
void rfid_field_clear(struct rfid_field *field, rfid_field_fn left, void *data);
/* The tag with this uid, or NULL. */
const struct rfid_tag *rfid_field_find(const struct rfid_field *field,
				       const uint8_t uid[RFID_UID_LEN]);

#endif
