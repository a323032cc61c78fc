/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The service manager's notification protocol (sd_notify(3), as systemd
 * documents it): datagrams "READY=1", "STATUS=...", "WATCHDOG=1" sent to the
 * AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for an abstract
 * one). Without $NOTIFY_SOCKET everything here does nothing, so the daemon
 * runs the same without systemd. Written here rather than linking libsystemd:
 * the protocol is a few lines, and a kiosk image need not carry the library.
 *
 * Ownership: sdnotify_open() returns a handle the caller frees with
 * sdnotify_free(), which accepts NULL; a NULL handle is valid everywhere and
 * means "not under a service manager".
 */
#ifndef CIRCD_SDNOTIFY_H
#define CIRCD_SDNOTIFY_H

#include <stdint.h>

struct sdnotify;

/* 0 and *ret (NULL without $NOTIFY_SOCKET), or -errno (-EINVAL: a name it cannot use). */
int sdnotify_open(struct sdnotify **ret);
void sdnotify_free(struct sdnotify *n);

/* Sends one message (lines "KEY=value" joined by '\n'); never blocks. 0 or -errno. */
int sdnotify_send(struct sdnotify *n, const char *message);

/*
 * How often the manager wants "WATCHDOG=1", in microseconds, from
 * $WATCHDOG_USEC when $WATCHDOG_PID is unset or this process's; 0: no
 * watchdog.
 */
uint64_t sdnotify_watchdog_usec(void);

#endif
