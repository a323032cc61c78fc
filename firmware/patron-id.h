/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Patron ids as logs and staff screens show them: masked.
 */
#ifndef CIRCD_PATRON_ID_H
#define CIRCD_PATRON_ID_H

/* "***4567": enough for staff to tell patrons apart, not to identify one. */
struct masked_id {
	char s[16];
};
struct masked_id mask_patron(const char *id);

#endif
