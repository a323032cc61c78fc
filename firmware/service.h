/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circd under a service manager (systemd's Type=notify, lib/sdnotify.h):
 * READY=1 once the store is open and the devices are set up, STATUS= with
 * the ILS link and the outbox, WATCHDOG=1 from the loop at half the
 * manager's interval (a wedged loop stops it, and the manager restarts
 * circd), RELOADING=1 around SIGHUP and STOPPING=1 at the end. Without a
 * manager ($NOTIFY_SOCKET unset) each call does nothing.
 */
#ifndef CIRCD_SERVICE_H
#define CIRCD_SERVICE_H

#include <stdbool.h>

struct circd;

/* Before the loop runs: opens the socket, arms the watchdog. A failure is logged, never fatal. */
void service_start(struct circd *c);
void service_ready(struct circd *c);
/* The link went up or down, or the outbox may have changed. */
void service_status(struct circd *c);
void service_reloading(struct circd *c, bool done);
void service_stopping(struct circd *c);
/* After the loop: the socket closed, the timer disarmed. */
void service_stop(struct circd *c);

#endif
