/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every RFID backend keeps of its reader the same way: its env, the
 * events it reports to and their data, its status for circctl, its roles
 * and its inventory pace. Embedded as the first member of the backend's
 * state, so that rfid_backend_status() can be its status op. Plain data;
 * nothing to free.
 */
#ifndef CIRCD_HAL_RFID_BACKEND_H
#define CIRCD_HAL_RFID_BACKEND_H

#include <stdbool.h>

#include "rfid.h"

struct rfid_backend {
	struct hal_env env;
	struct rfid_events events;
	void *data;                 /* the events' */
	struct rfid_status status;  /* name, protocol and counts; the backend fills the rest */
	bool items, patrons;        /* the reader's roles */
	unsigned active_ms, idle_ms; /* inventory pace, active or not (0: no rounds) */
	bool active;
};

/* From open()'s arguments; protocol is the backend's ops name (static). events may be NULL. */
void rfid_backend_init(struct rfid_backend *b, const struct hal_env *env, const char *protocol,
		       const struct board_rfid *def, const struct rfid_events *events, void *data);
/* Whether active changes the pace: false when it already was so. */
bool rfid_backend_set_active(struct rfid_backend *b, bool active);
/* A tag arrived: counted, and told to events.arrived. */
void rfid_backend_arrived(struct rfid_backend *b, const struct rfid_tag *tag);
/* An rfid_field_fn (rfid-field.h) telling events.left; data is the struct rfid_backend. */
void rfid_backend_left(void *data, const struct rfid_tag *tag);
/* The reader came or went: events.device with the status as it is now. */
void rfid_backend_device(struct rfid_backend *b);
/* req ended in result (0 or -errno): counted, a failure kept as last_error with its UID. */
void rfid_backend_op_ended(struct rfid_backend *b, const struct rfid_request *req, int result);
/* A status op for a handle whose state begins with its struct rfid_backend. */
void rfid_backend_status(void *handle, struct rfid_status *out);

#endif
