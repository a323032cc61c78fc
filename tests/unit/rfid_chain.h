/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An RFID operation whose done asks for the next one, a read-back of the
 * same tag, as a stack's security writes follow each other: for the reader
 * backends' tests of what may run between two operations.
 */
#ifndef CIRCD_TEST_RFID_CHAIN_H
#define CIRCD_TEST_RFID_CHAIN_H

#include "../../hal/rfid.h"

struct rfid_chain {
	struct rfid_reader *reader;
	uint8_t uid[RFID_UID_LEN];
	int calls; /* dones so far */
};

/* An rfid_done_fn for data = a struct rfid_chain: the first asks for rfid_read_state(uid). */
void rfid_chain_done(void *data, const struct rfid_reply *reply);

#endif
