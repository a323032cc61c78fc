/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "health.h"

#include <stdio.h>
#include <string.h>

#include "status.h"

const char *health_verdict_name(enum health_verdict verdict)
{
	switch (verdict) {
	case HEALTH_OK: return "ok";
	case HEALTH_UNREACHABLE: return "unreachable";
	case HEALTH_OUT_OF_SERVICE: return "out-of-service";
	case HEALTH_STORE: return "store";
	case HEALTH_DEVICE: return "device";
	case HEALTH_BIN_FULL: return "bin-full";
	case HEALTH_OFFLINE: return "offline";
	}
	return "unknown";
}

static bool scanner_serves(const struct status_scanner *sc, const char *role)
{
	return strcmp(sc->role, "both") == 0 || strcmp(sc->role, role) == 0;
}

/*
 * A role the board has scanners for needs one of them attached; a board
 * with none for it (an RFID pad instead, say) needs none.
 */
static bool scanner_role_missing(const struct circd_status *st, const char *role, char *why,
				 size_t size)
{
	const struct status_scanner *absent = NULL;

	for (size_t i = 0; i < st->n_scanners; i++) {
		if (!scanner_serves(&st->scanners[i], role))
			continue;
		if (st->scanners[i].st.attached)
			return false;
		absent = &st->scanners[i];
	}
	if (!absent)
		return false;
	snprintf(why, size, "no %s attached (%s%s%s)", role, absent->st.name,
		 absent->st.last_error[0] ? ": " : " is absent", absent->st.last_error);
	return true;
}

static bool device_missing(const struct circd_status *st, const struct health_limits *limits,
			   char *why, size_t size)
{
	if (scanner_role_missing(st, "item_scanner", why, size))
		return true;
	/* A returns bin takes items without a card. */
	if (!st->returns && scanner_role_missing(st, "patron_reader", why, size))
		return true;
	for (size_t i = 0; i < st->n_rfid; i++) {
		if (st->rfid[i].attached)
			continue;
		snprintf(why, size, "RFID reader %s is not attached%s%s", st->rfid[i].name,
			 st->rfid[i].last_error[0] ? ": " : "", st->rfid[i].last_error);
		return true;
	}
	if (limits->printer_required && st->printer &&
	    !printer_state_can_print(st->printer_status)) {
		snprintf(why, size, "the receipt printer (%s) cannot print: %s", st->printer,
			 st->printer_state ? st->printer_state : "unknown");
		return true;
	}
	return false;
}

static bool offline_too_long(const struct circd_status *st, const struct health_limits *limits,
			     char *why, size_t size)
{
	if (!st->ils_configured || st->online || !limits->max_offline_s ||
	    st->offline_s <= limits->max_offline_s || st->outbox < limits->max_outbox)
		return false;
	snprintf(why, size, "offline for %llu s (limit %llu s) with %llu transaction%s waiting%s%s",
		 (unsigned long long)st->offline_s, (unsigned long long)limits->max_offline_s,
		 (unsigned long long)st->outbox, st->outbox == 1 ? "" : "s",
		 st->link_error && st->link_error[0] ? ": " : "",
		 st->link_error ? st->link_error : "");
	return true;
}

enum health_verdict health_check(const struct circd_status *st, const struct health_limits *limits,
				 char *why, size_t size)
{
	if (!st->store_open) {
		snprintf(why, size, "out of service: store %s", st->store_state);
		return HEALTH_OUT_OF_SERVICE;
	}
	if (!st->store_usable) {
		snprintf(why, size, "store %s", st->store_state);
		return HEALTH_STORE;
	}
	if (device_missing(st, limits, why, size))
		return HEALTH_DEVICE;
	if (st->returns && st->bin_full) {
		snprintf(why, size, "the returns bin is full");
		return HEALTH_BIN_FULL;
	}
	if (offline_too_long(st, limits, why, size))
		return HEALTH_OFFLINE;
	snprintf(why, size, "serving patrons (%s, %s, %llu waiting)", st->mode,
		 !st->ils_configured ? "no ILS" : st->online ? "online" : "offline",
		 (unsigned long long)st->outbox);
	return HEALTH_OK;
}
