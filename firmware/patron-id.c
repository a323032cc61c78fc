/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Patron ids, masked (see patron-id.h).
 */
#include "patron-id.h"

#include <stdio.h>
#include <string.h>

struct masked_id mask_patron(const char *id)
{
	struct masked_id m;
	size_t len = id ? strlen(id) : 0;

	if (len <= 4)
		snprintf(m.s, sizeof(m.s), "****");
	else
		snprintf(m.s, sizeof(m.s), "***%s", id + len - 4);
	return m;
}
