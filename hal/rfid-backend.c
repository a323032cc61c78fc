/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state every RFID backend shares (rfid-backend.h). */
#include "rfid-backend.h"

#include <stdio.h>
#include <string.h>

void rfid_backend_init(struct rfid_backend *b, const struct hal_env *env, const char *protocol,
		       const struct board_rfid *def, const struct rfid_events *events, void *data)
{
	memset(b, 0, sizeof(*b));
	b->env = *env;
	if (events)
		b->events = *events;
	b->data = data;
	snprintf(b->status.name, sizeof(b->status.name), "%s", def->name);
	b->status.protocol = protocol;
	b->items = def->items;
	b->patrons = def->patrons;
	b->active_ms = def->inventory_ms;
	b->idle_ms = def->idle_inventory_ms;
}

bool rfid_backend_set_active(struct rfid_backend *b, bool active)
{
	if (b->active == active)
		return false;
	b->active = active;
	return true;
}

void rfid_backend_arrived(struct rfid_backend *b, const struct rfid_tag *tag)
{
	b->status.arrivals++;
	if (b->events.arrived)
		b->events.arrived(b->data, tag);
}

void rfid_backend_left(void *data, const struct rfid_tag *tag)
{
	struct rfid_backend *b = data;

	if (b->events.left)
		b->events.left(b->data, tag);
}

void rfid_backend_device(struct rfid_backend *b)
{
	if (b->events.device)
		b->events.device(b->data, &b->status);
}

void rfid_backend_op_ended(struct rfid_backend *b, const struct rfid_request *req, int result)
{
	char uid[RFID_UID_HEX_LEN + 1];

	b->status.ops++;
	if (result >= 0)
		return;
	rfid_uid_format(req->uid, uid);
	b->status.ops_failed++;
	snprintf(b->status.last_error, sizeof(b->status.last_error), "%s on %s: %s",
		 rfid_op_name(req->op), uid, strerror(-result));
}

void rfid_backend_status(void *handle, struct rfid_status *out)
{
	const struct rfid_backend *b = handle;

	*out = b->status;
}
