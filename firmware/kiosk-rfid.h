/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFID at the kiosk (kiosk-rfid.c): item tags on the pad are borrowed or
 * returned as scanned items are, sets only whole, each tag's security
 * switched off at a loan and on at a return, read back, and owed in the
 * store until it is (store-security.h). main.c attaches the board's
 * readers and passes their tag events on; the kiosk owns the pad's state
 * (kiosk_free() frees it), main.c the readers.
 */
#ifndef CIRCD_KIOSK_RFID_H
#define CIRCD_KIOSK_RFID_H

#include <stdbool.h>

#include "rfid.h"

struct kiosk;

/* A reader whose tags the kiosk handles; it sets the reader's inventory pace. */
int kiosk_rfid_attach(struct kiosk *kiosk, struct rfid_reader *reader);
void kiosk_tag_arrived(struct kiosk *kiosk, struct rfid_reader *reader, const struct rfid_tag *tag);
void kiosk_tag_left(struct kiosk *kiosk, const struct rfid_tag *tag);
/* For circctl status. */
unsigned kiosk_rfid_tags_on_pad(const struct kiosk *kiosk);

#endif
