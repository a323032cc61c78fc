/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circctl check: whether the kiosk can serve patrons now, decided from the
 * status struct (status.h) and the [health] limits, for monitoring scripts.
 * Pure: the struct in, a verdict and one line of why out.
 *
 * The verdict is circctl check's exit status, so each value is documented
 * (README, "Monitoring a fleet") and never renumbered. circctl's own
 * failures keep theirs: 1 for circd not running or not answering, 2 for a
 * usage error. The worst cause is told when there are several, in the
 * order of the enum.
 */
#ifndef CIRCD_HEALTH_H
#define CIRCD_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct circd_status;

enum health_verdict {
	HEALTH_OK = 0,
	HEALTH_UNREACHABLE = 1,    /* circctl: circd not running, or no answer */
	HEALTH_OUT_OF_SERVICE = 3, /* the store could not be opened: "out of service" is shown */
	HEALTH_STORE = 4,          /* the store refuses to record, or its files were replaced */
	HEALTH_DEVICE = 5,         /* a device the mode needs is not there */
	HEALTH_BIN_FULL = 6,       /* a returns bin reports full */
	HEALTH_OFFLINE = 7,        /* offline too long with transactions waiting */
};

struct health_limits {
	uint64_t max_offline_s; /* 0: a long outage alone is never a failure */
	uint64_t max_outbox;    /* ... counted only with this many transactions waiting */
	bool printer_required;  /* [receipt] policy = always */
};

/* why gets one line (no newline): the cause, or what was checked when all is well. */
enum health_verdict health_check(const struct circd_status *st, const struct health_limits *limits,
				 char *why, size_t size);
/* "ok", "out-of-service", "store", "device", "bin-full", "offline"; "unreachable" for 1. */
const char *health_verdict_name(enum health_verdict verdict);

#endif
