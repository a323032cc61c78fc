/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reader's serial port on the loop, for the RFID backends: opened from its
 * [rfid NAME] section (serial.h), bytes in and out without blocking, a timer
 * for the quiet line (a reply that does not come, a gap inside a frame), and
 * the port found again after a hang-up (a USB adapter pulled out) by trying
 * every SERIAL_PORT_RETRY_MS, under whatever tty name it comes back.
 *
 * Frames are the protocol's: the port hands over bytes as they arrive, and
 * the backend's pure frame codec makes frames of them.
 *
 * serial_port_free() accepts NULL and may be called from the port's own
 * callbacks (a done callback closing the reader). The config's strings are
 * copied.
 */
#ifndef CIRCD_HAL_SERIAL_PORT_H
#define CIRCD_HAL_SERIAL_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hal-env.h"
#include "serial.h"

#define SERIAL_PORT_RETRY_MS 1000
#define SERIAL_PORT_OUT_MAX 1024 /* bytes queued for the line; more is -ENOBUFS */

struct serial_port;

struct serial_port_events {
	/* Bytes as they arrived; one frame may come in several calls. */
	void (*data)(void *data, const uint8_t *bytes, size_t len);
	/* The line stayed quiet for the time given to serial_port_expect(). */
	void (*timeout)(void *data);
	/*
	 * Opened (attached, why "") or lost or not there (why says so). Each
	 * distinct failure is reported once, not at every retry.
	 */
	void (*state)(void *data, bool attached, const char *why);
};

struct serial_port_config {
	const struct board_rfid *def;
	struct serial_settings defaults; /* the protocol's */
	const char *sysfs_root;          /* NULL: "/sys" */
	const char *dev_dir;             /* NULL: "/dev" */
};

/*
 * Tries to open the port at once and keeps trying while it is absent: only
 * -ENOMEM fails. Events may be reported from within (state).
 */
int serial_port_open(const struct hal_env *env, const struct serial_port_config *cfg,
		     const struct serial_port_events *events, void *data,
		     struct serial_port **ret);
void serial_port_free(struct serial_port *port);

/* Queues bytes for the line: 0, -ENODEV while detached, -ENOBUFS if they do not fit. */
int serial_port_write(struct serial_port *port, const uint8_t *bytes, size_t len);
/* Drops what was received but not yet handed over and what waits to be sent. */
void serial_port_flush(struct serial_port *port);
/*
 * Arms (ms > 0) or stops (0) the quiet-line timer. Every byte that arrives
 * arms it again, so it times both the wait for a reply and the gaps in it.
 */
void serial_port_expect(struct serial_port *port, unsigned ms);

bool serial_port_attached(const struct serial_port *port);
/* The tty in use, "" while detached. */
const char *serial_port_path(const struct serial_port *port);
const struct serial_settings *serial_port_settings(const struct serial_port *port);

#endif
