/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "journal_fixture.h"

#include <stdio.h>
#include <string.h>

#include "testlib.h"

void journal_record(struct store *store, struct txn *t, enum txn_kind kind, enum txn_mode mode,
		    const char *patron, const char *item, int64_t wall_ms)
{
	memset(t, 0, sizeof(*t));
	CHECK_INT(txn_id_new(t->id), 0);
	t->kind = kind;
	snprintf(t->patron, sizeof(t->patron), "%s", kind == TXN_CHECKIN ? "" : patron);
	snprintf(t->item, sizeof(t->item), "%s", item);
	t->wall_ms = wall_ms;
	t->mono_ms = 1;
	snprintf(t->boot_id, sizeof(t->boot_id), "boot");
	t->mode = mode;
	t->state = mode == TXN_ONLINE ? TXN_FORWARDED : TXN_PENDING;
	t->due_ms = kind == TXN_CHECKIN ? 0 : wall_ms + 14 * DAY_MS;
	CHECK_INT(store_record(store, t), 0);
}

struct txn journal_get(struct store *store, const char *id)
{
	struct txn t;

	memset(&t, 0, sizeof(t));
	CHECK_INT(store_get(store, id, &t), 0);
	return t;
}
